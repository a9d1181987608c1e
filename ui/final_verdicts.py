"""The log as Numbers and the Session log's exports read it: final verdicts where adjudicators set
them, every individual review beside them in the exports (``hive_review.quality.verdict_frames``)."""

from __future__ import annotations

import pandas as pd

from hive_review.quality.adjudication import final_verdicts
from hive_review.quality.reviews import all_reviews
from hive_review.quality.verdict_frames import export_frame, numbers_frame
from ui.context import Studio


def numbers_log(studio: Studio, log: pd.DataFrame) -> pd.DataFrame:
    """The log Numbers computes on: gold items left out, final verdicts in place of the last rating."""
    return numbers_frame(log, final_verdicts(studio.stores.database))


def export_log(studio: Studio, view: pd.DataFrame) -> pd.DataFrame:
    """The rows to export: final verdicts in the rating columns, who set them and every review of
    the shared queues beside them; the rows as they are when no shared queue reviewed any."""
    reviews = all_reviews(studio.stores.database)
    if not reviews or view.empty:
        return view
    return export_frame(view, final_verdicts(studio.stores.database), reviews)
