"""Ingest: log completions produced outside HoneyHive's proxy, then rate them like any other."""

from ui.entry import run_page
from ui.ingest import render_ingest

run_page(render_ingest)
