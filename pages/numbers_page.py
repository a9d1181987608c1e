"""Numbers: per-variant metrics, reviewer agreement, preference pairs."""

from ui.connection import current_studio
from ui.numbers import render_numbers

render_numbers(current_studio())
