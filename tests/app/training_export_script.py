"""A page of one part for AppTest: ``render_training_export`` with a studio that holds the stores of
``HIVE_REVIEW_DATABASE_URL`` (and a HoneyHive without prompts), and the final verdicts of
``training_scenario`` unless ``TRAINING_VERDICTS`` is ``none``."""

from __future__ import annotations

import os
from types import SimpleNamespace

from training_scenario import VERDICTS

from hive_review.stores import open_stores
from ui.training_export import render_training_export

stores = open_stores(os.environ["HIVE_REVIEW_DATABASE_URL"])
try:
    studio = SimpleNamespace(stores=stores, client=SimpleNamespace(list_prompts=lambda task: []))
    verdicts = None if os.environ.get("TRAINING_VERDICTS") == "none" else VERDICTS
    render_training_export(studio, verdicts=verdicts)  # type: ignore[arg-type]
finally:
    stores.close()
