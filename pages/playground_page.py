"""Playground: run the deployed prompt (or a variant) of a task and rate the completion."""

from ui.connection import current_studio
from ui.playground import render_playground

render_playground(current_studio())
