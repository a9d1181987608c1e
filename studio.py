"""The studio's script, run for every browser session (``app.py`` serves it: ``streamlit run app.py``).

It draws the frame every page shares (page config, settings check, the sidebar connection panel)
and hands over to the page the user chose.
"""

from __future__ import annotations

import streamlit as st

from hive_review.safe_text import escape_markdown
from hive_review.settings import SettingsError
from ui import services
from ui.connection import render_connection_panel
from ui.context import set_current_studio

st.set_page_config(page_title="Hive Review", page_icon=":material/hive:", layout="wide")

# Each page's url_path is its file name: a server's first script run goes through Streamlit's legacy
# `pages/` discovery before st.navigation takes over, and with equal names a deep link resolves there
# too (no "Page not found"); a page run that way hands over to this script (ui/entry.py).
PAGES = {
    "Review": [
        st.Page(
            "pages/playground.py",
            title="Playground",
            icon=":material/play_circle:",
            url_path="playground",
            default=True,
        ),
        st.Page("pages/compare.py", title="Compare", icon=":material/compare_arrows:", url_path="compare"),
        st.Page("pages/batch.py", title="Batch", icon=":material/dynamic_feed:", url_path="batch"),
        st.Page("pages/review_queue.py", title="Review queue", icon=":material/checklist:", url_path="review_queue"),
        st.Page("pages/adjudication.py", title="Adjudication", icon=":material/gavel:", url_path="adjudication"),
        st.Page("pages/rubrics.py", title="Rubrics", icon=":material/fact_check:", url_path="rubrics"),
        st.Page("pages/ingest.py", title="Ingest", icon=":material/upload_file:", url_path="ingest"),
    ],
    "Results": [
        st.Page("pages/session_log.py", title="Session log", icon=":material/table_view:", url_path="session_log"),
        st.Page("pages/numbers.py", title="Numbers", icon=":material/monitoring:", url_path="numbers"),
    ],
}

navigation = st.navigation(PAGES)
try:
    settings = services.settings()
except SettingsError as problem:
    st.error(escape_markdown(str(problem)), icon=":material/settings_alert:")
    st.stop()
studio = render_connection_panel(settings)
if studio is None:
    st.stop()
set_current_studio(studio)
try:
    navigation.run()
finally:
    set_current_studio(None)  # the script thread lives on: the next run builds its own studio
