"""Hive Review: rate what deployed HoneyHive prompts produce, and compare prompt variants.

Run with ``streamlit run app.py``. This entry point draws the frame every page shares (page
config, the sidebar connection panel) and hands over to the page the user chose.
"""

from __future__ import annotations

import streamlit as st

from ui.connection import render_connection_panel, set_current_studio

st.set_page_config(page_title="Hive Review", page_icon=":material/hive:", layout="wide")

# Page files end in "_page" and every page has an explicit url_path different from its file name:
# Streamlit also registers the files of a `pages/` folder as legacy pages, and a legacy page whose
# URL equals a navigation page's URL would be run on its own, without this entry point.
PAGES = {
    "Review": [
        st.Page(
            "pages/playground_page.py",
            title="Playground",
            icon=":material/play_circle:",
            url_path="playground",
            default=True,
        ),
        st.Page("pages/compare_page.py", title="Compare", icon=":material/compare_arrows:", url_path="compare"),
        st.Page("pages/batch_page.py", title="Batch", icon=":material/dynamic_feed:", url_path="batch"),
        st.Page("pages/review_queue_page.py", title="Review queue", icon=":material/checklist:", url_path="queue"),
        st.Page("pages/ingest_page.py", title="Ingest", icon=":material/upload_file:", url_path="ingest"),
    ],
    "Results": [
        st.Page("pages/session_log_page.py", title="Session log", icon=":material/table_view:", url_path="log"),
        st.Page("pages/numbers_page.py", title="Numbers", icon=":material/monitoring:", url_path="numbers"),
    ],
}

navigation = st.navigation(PAGES)
studio = render_connection_panel()
if studio is None:
    st.stop()
set_current_studio(studio)
navigation.run()
