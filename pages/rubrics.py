"""Rubrics: write, upload and version rubrics; choose the one every reviewer rates with."""

from ui.entry import run_page
from ui.rubrics import render_rubrics

run_page(render_rubrics)
