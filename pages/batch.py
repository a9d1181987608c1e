"""Batch runs: many inputs against the deployed or chosen variants, with live progress."""

from ui.batch import render_batch
from ui.entry import run_page

run_page(render_batch)
