"""Streamlit building blocks of the studio: pages call these ``render_*`` functions."""
