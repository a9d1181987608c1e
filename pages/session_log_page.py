"""Session log: filter, chart, export and import the session's generations and ratings."""

from ui.connection import current_studio
from ui.session_log import render_session_log

render_session_log(current_studio())
