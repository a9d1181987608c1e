"""Adjudication: settle the items whose reviewers disagree; upload gold items."""

from ui.adjudication import render_adjudication
from ui.entry import run_page

run_page(render_adjudication)
