"""Hive Review: rate what deployed HoneyHive prompts produce, and compare prompt variants.

Run with ``streamlit run app.py``. Streamlit finds the ``st.App`` below and serves the studio
(``studio.py``, the script every browser session runs). The App's lifespan starts feedback
delivery with the server: ratings a stopped studio left pending are sent at once, whether or not
anyone opens a page.
"""

from __future__ import annotations

import streamlit as st

from ui.startup import deliver_pending_feedback

app = st.App("studio.py", lifespan=deliver_pending_feedback)
