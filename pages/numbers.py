"""Numbers: per-variant metrics, reviewer agreement, preference pairs."""

from ui.entry import run_page
from ui.numbers import render_numbers

run_page(render_numbers)
