"""Compare: 2-4 variants side by side on the same inputs, or a blind A/B vote on a pair."""

from ui.compare import render_compare
from ui.entry import run_page

run_page(render_compare)
