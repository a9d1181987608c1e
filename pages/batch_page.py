"""Batch runs: many inputs against the deployed or chosen variants, with live progress."""

from ui.batch import render_batch
from ui.connection import current_studio

render_batch(current_studio())
