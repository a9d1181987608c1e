"""Ingest: log completions produced outside HoneyHive's proxy, then rate them like any other."""

from ui.connection import current_studio
from ui.ingest import render_ingest

render_ingest(current_studio())
