"""The log as Numbers and the exports read it: the final verdict where there is one.

* ``numbers_frame``: gold items left out (they are checks of reviewers, not a variant's output),
  and each adjudicated generation's thumbs, stars, labels and comment replaced by its final verdict
  (and its ideal answer, when the adjudicator gave one).
* ``export_frame``: every row kept, the rating columns holding the final verdict where there is
  one, plus who set it and when (``final_verdict_by``, ``final_verdict_at``) and every individual
  review of the generation in the shared queues (``reviews_json``: a JSON list of reviewer, thumbs,
  stars, labels, comment, time and seconds). An import reads the rating columns and leaves the rest.

Neither changes the frame it is given (the pages' cached log is shared).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Final

import pandas as pd

from hive_review.feedback.ratings import join_labels
from hive_review.log import columns as col
from hive_review.log.frames import TEXT_DTYPE, WHOLE_NUMBER_DTYPE, with_columns
from hive_review.quality.adjudication import Verdict
from hive_review.quality.gold_rows import GOLD_ORIGIN
from hive_review.quality.reviews import Review

FINAL_BY: Final = "final_verdict_by"
FINAL_AT: Final = "final_verdict_at"
REVIEWS_JSON: Final = "reviews_json"


def with_final_verdicts(log: pd.DataFrame, verdicts: Mapping[str, Verdict]) -> pd.DataFrame:
    """``log`` with each adjudicated generation's rating columns holding its final verdict."""
    if log.empty or not verdicts:
        return log
    ids = log[col.GENERATION_ID].astype(object)
    settled = ids.map(verdicts.get)
    mask = settled.notna().to_numpy()
    if not mask.any():
        return log
    changed: dict[str, pd.Series] = {}
    parts = {
        col.THUMBS: (lambda v: v.thumbs, TEXT_DTYPE),
        col.RATING: (lambda v: v.stars, WHOLE_NUMBER_DTYPE),
        col.LABELS: (lambda v: join_labels(v.labels), TEXT_DTYPE),
        col.COMMENT: (lambda v: v.comment or None, TEXT_DTYPE),
    }
    for column, (part, dtype) in parts.items():
        values = log[column].astype(object).copy()
        values[mask] = [part(verdict) for verdict in settled[mask]]
        changed[column] = pd.Series(values, index=log.index).astype(dtype)
    ideal = settled[mask].map(lambda verdict: verdict.ideal_answer or None)
    if ideal.notna().any():  # an ideal answer only where the adjudicator gave one; else the log's stays
        values = log[col.IDEAL_ANSWER].astype(object).copy()
        given = mask.copy()
        given[mask] = ideal.notna().to_numpy()
        values[given] = list(ideal.dropna())
        changed[col.IDEAL_ANSWER] = pd.Series(values, index=log.index).astype(TEXT_DTYPE)
    return with_columns(log, changed)


def numbers_frame(log: pd.DataFrame, verdicts: Mapping[str, Verdict]) -> pd.DataFrame:
    """What Numbers computes on: no gold items, final verdicts in place of the last rating."""
    if not log.empty and col.ORIGIN in log:
        gold = (log[col.ORIGIN] == GOLD_ORIGIN).to_numpy(dtype=bool, na_value=False)
        if gold.any():
            log = log[~gold]
    return with_final_verdicts(log, verdicts)


def export_frame(log: pd.DataFrame, verdicts: Mapping[str, Verdict], reviews: Iterable[Review]) -> pd.DataFrame:
    """What an export writes: final verdicts in the rating columns, who set them, every review."""
    by_generation: dict[str, list[dict[str, object]]] = defaultdict(list)
    for review in reviews:
        by_generation[review.generation_id].append(review.as_dict())
    out = with_final_verdicts(log, verdicts)
    ids = log[col.GENERATION_ID].astype(object)
    by = ids.map(lambda gid: verdicts[gid].adjudicator if gid in verdicts else None)
    at = ids.map(lambda gid: verdicts[gid].adjudicated_at if gid in verdicts else None)
    listed = ids.map(lambda gid: json.dumps(by_generation[gid], ensure_ascii=False) if gid in by_generation else None)
    return with_columns(
        out,
        {FINAL_BY: by.astype(TEXT_DTYPE), FINAL_AT: at.astype(TEXT_DTYPE), REVIEWS_JSON: listed.astype(TEXT_DTYPE)},
    )
