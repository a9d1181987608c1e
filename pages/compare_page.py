"""Compare: 2-4 variants side by side on the same inputs, or a blind A/B vote on a pair."""

from ui.compare import render_compare
from ui.connection import current_studio

render_compare(current_studio())
