"""Hive Review: rate what deployed HoneyHive prompts produce, and compare prompt variants.

Run with ``streamlit run app.py``. This entry point draws the frame every page shares (page
config, the sidebar connection panel) and hands over to the page the user chose.
"""

from __future__ import annotations

import streamlit as st

from ui.connection import render_connection_panel, set_current_studio

st.set_page_config(page_title="Hive Review", page_icon=":material/hive:", layout="wide")

PAGES = {
    "Review": [
        st.Page("pages/playground.py", title="Playground", icon=":material/play_circle:", default=True),
        st.Page("pages/ingest.py", title="Ingest", icon=":material/upload_file:", url_path="ingest"),
    ],
    "Results": [
        st.Page("pages/session_log.py", title="Session log", icon=":material/table_view:", url_path="log"),
    ],
}

navigation = st.navigation(PAGES)
studio = render_connection_panel()
if studio is None:
    st.stop()
set_current_studio(studio)
navigation.run()
