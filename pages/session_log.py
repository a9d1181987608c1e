"""Session log: filter, chart, export and import the session's generations and ratings."""

from ui.entry import run_page
from ui.session_log import render_session_log

run_page(render_session_log)
