"""Playground: run the deployed prompt (or a variant) of a task and rate the completion."""

from ui.entry import run_page
from ui.playground import render_playground

run_page(render_playground)
