"""Review queue: the unrated generations one at a time, with the keyboard."""

from ui.entry import run_page
from ui.review_queue import render_review_queue

run_page(render_review_queue)
