"""How a page file starts: with the studio studio.py built for this run.

Streamlit runs a server's very first script run through its legacy ``pages/`` discovery, before
``st.navigation`` takes over; a deep link then runs the page file on its own. The page hands over
to the entry point, which draws the frame and then runs the page again, this time with a studio.
"""

from __future__ import annotations

import runpy
from collections.abc import Callable
from pathlib import Path

import streamlit as st

from ui.context import Studio, current_studio_or_none

ENTRY_POINT = Path(__file__).resolve().parent.parent / "studio.py"


def run_page(render: Callable[[Studio], None]) -> None:
    studio = current_studio_or_none()
    if studio is None:
        runpy.run_path(str(ENTRY_POINT), run_name="__main__")
        st.stop()
    render(studio)
