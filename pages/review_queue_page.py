"""Review queue: the unrated generations one at a time, with the keyboard."""

from ui.connection import current_studio
from ui.review_queue import render_review_queue

render_review_queue(current_studio())
