"""Filtering and summarising the session log: a DataFrame with the columns of ``columns.py``.

Everything here is vectorised: the log page filters and summarises on every rerun, and a long-lived
log holds 100k rows. Nothing here draws or stores anything.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd

from hive_review.log import columns as col
from hive_review.log.frames import as_float
from hive_review.log.variants import VARIANT, variant_labels

# The filters' choice "not given", as the log page labels it. Not ``FeedbackStatus.UNRATED`` (no
# rating or vote at all): a row rated with stars alone has no thumb, and one with a thumb alone no stars.
THUMB_NOT_GIVEN: Final = "unrated"  # a ``LogFilter.thumbs`` choice
STARS_NOT_GIVEN: Final = "unrated"  # the page's star choice that sets ``LogFilter.include_unrated``
THUMBS_CHOICES: Final[tuple[str, ...]] = (*col.THUMBS_VALUES, THUMB_NOT_GIVEN)
STAR_VALUES: Final[tuple[int, ...]] = (1, 2, 3, 4, 5)

# The summary is keyed by the variant's name (``variants.variant_label``), as Numbers names it.
SUMMARY_KEYS: Final[tuple[str, ...]] = (col.TASK, VARIANT)
SUMMARY_STATS: Final[tuple[str, ...]] = (
    "count",
    "rated",
    "thumbs_up_rate",
    "mean_rating",
    "p50_latency_ms",
    "p95_latency_ms",
    "mean_total_tokens",
    "total_cost",
)


@dataclass(frozen=True)
class LogFilter:
    """What the log page shows. Empty fields do not filter; all given fields must match.

    ``thumbs`` holds "up", "down" and/or "unrated". Star ratings are selected by ``ratings``
    (1-5) and/or ``include_unrated`` (rows without stars); neither set means no star filter.
    ``text`` is a case-insensitive substring of the completion, the comment or the inputs.
    """

    tasks: tuple[str, ...] = ()
    versions: tuple[str, ...] = ()
    thumbs: tuple[str, ...] = ()
    ratings: tuple[int, ...] = ()
    include_unrated: bool = False
    text: str = ""

    def __post_init__(self) -> None:
        unknown_thumbs = [value for value in self.thumbs if value not in THUMBS_CHOICES]
        if unknown_thumbs:
            raise ValueError(f"Unknown thumbs choice {unknown_thumbs}: use any of {list(THUMBS_CHOICES)}.")
        bad_ratings = [value for value in self.ratings if value not in STAR_VALUES]
        if bad_ratings:
            raise ValueError(
                f"Star ratings are whole numbers 1-5, not {bad_ratings}; "
                "use include_unrated=True for rows without stars."
            )

    def is_empty(self) -> bool:
        return not (self.tasks or self.versions or self.thumbs or self.ratings or self.include_unrated or self.text)


def apply_filter(df: pd.DataFrame, log_filter: LogFilter) -> pd.DataFrame:
    """The rows of ``df`` that ``log_filter`` selects; ``df`` itself when the filter is empty or
    every row matches (treat the result as read-only, like the cached log it comes from)."""
    if log_filter.is_empty():
        return df
    keep = np.ones(len(df), dtype=bool)
    if log_filter.tasks:
        keep &= _as_mask(_column(df, col.TASK).isin(log_filter.tasks))
    if log_filter.versions:
        versions = _column(df, col.PROMPT_VERSION)
        if not pd.api.types.is_string_dtype(versions):
            versions = versions.astype(str)  # the page offers versions as text
        keep &= _as_mask(versions.isin(log_filter.versions))
    if log_filter.thumbs:
        keep &= _thumbs_mask(_column(df, col.THUMBS), log_filter.thumbs)
    if log_filter.ratings or log_filter.include_unrated:
        stars = as_float(_column(df, col.RATING))
        selected = _as_mask(stars.isin(log_filter.ratings))
        if log_filter.include_unrated:
            selected = selected | _as_mask(stars.isna())
        keep &= selected
    if log_filter.text:
        keep &= _text_mask(df, log_filter.text)
    if keep.all():
        return df
    # Taking positions is several times faster than a boolean mask on string columns in pandas 3.
    return df.iloc[np.flatnonzero(keep)]


def variant_summary(df: pd.DataFrame) -> pd.DataFrame:
    """One row per (task, variant), with the columns of ``SUMMARY_KEYS + SUMMARY_STATS``. The variant
    is ``df``'s ``variant`` column where it has one (``variant_labels``), else worked out here.

    ``rated`` counts rows with a thumb or stars; ``thumbs_up_rate`` is the share of "up" among rows
    with a thumb (NaN when none has one); ``total_cost`` is NaN when no row of the group has a cost.
    """
    thumbs = _column(df, col.THUMBS)
    up = _as_mask(thumbs.eq("up"))
    thumbed = up | _as_mask(thumbs.eq("down"))
    stars = as_float(_column(df, col.RATING))
    work = pd.DataFrame(
        {
            col.TASK: _column(df, col.TASK),
            VARIANT: df[VARIANT] if VARIANT in df.columns else variant_labels(df),
            "up": up.astype("int64"),
            "thumbed": thumbed.astype("int64"),
            "rated": (thumbed | stars.notna().to_numpy()).astype("int64"),
            "stars": stars,
            "latency": _numbers(df, col.LATENCY_MS),
            "tokens": _numbers(df, col.TOTAL_TOKENS),
            "cost": _numbers(df, col.COST),
        },
        index=df.index,
    )
    groups = work.groupby(list(SUMMARY_KEYS), dropna=False, sort=True)
    thumbed_counts = groups["thumbed"].sum()
    summary = pd.DataFrame(
        {
            "count": groups.size().astype("int64"),
            "rated": groups["rated"].sum().astype("int64"),
            "thumbs_up_rate": groups["up"].sum() / thumbed_counts.where(thumbed_counts > 0),
            "mean_rating": groups["stars"].mean(),
            "p50_latency_ms": groups["latency"].quantile(0.5),
            "p95_latency_ms": groups["latency"].quantile(0.95),
            "mean_total_tokens": groups["tokens"].mean(),
            "total_cost": groups["cost"].sum(min_count=1),
        }
    )
    summary = summary.astype({name: "float64" for name in SUMMARY_STATS[2:]})
    return summary.reset_index()[[*SUMMARY_KEYS, *SUMMARY_STATS]]


def _column(df: pd.DataFrame, name: str) -> pd.Series:
    if name not in df.columns:
        raise ValueError(
            f"The log has no {name!r} column. Build it with empty_log_frame() or load it from the "
            "session store, which give every column of hive_review/columns.py."
        )
    return df[name]


def _numbers(df: pd.DataFrame, name: str) -> pd.Series:
    return as_float(_column(df, name))


def _as_mask(values: pd.Series) -> np.ndarray:
    # Nullable dtypes answer <NA> for missing cells; a missing cell never matches. The array may be a
    # read-only view (copy-on-write): combine masks with `a | b`, not in place.
    return values.to_numpy(dtype=bool, na_value=False)


def _thumbs_mask(thumbs: pd.Series, choices: Sequence[str]) -> np.ndarray:
    given = [value for value in choices if value != THUMB_NOT_GIVEN]
    selected = _as_mask(thumbs.isin(given))
    if THUMB_NOT_GIVEN in choices:
        selected = selected | ~_as_mask(thumbs.isin(col.THUMBS_VALUES))
    return selected


def _text_mask(df: pd.DataFrame, text: str) -> np.ndarray:
    # The input columns are searched too: in ``inputs_json`` quotes and non-ASCII may be escaped.
    searched = [col.COMPLETION, col.COMMENT, col.INPUTS_JSON]
    searched += [name for name in df.columns if str(name).startswith(col.INPUT_PREFIX)]
    # Text without cased letters (emoji, digits, Arabic, Hebrew) is searched case-sensitively: the same
    # answer, and several times faster than a case-insensitive search over non-ASCII text.
    ignore_case = text.lower() != text.upper()
    found = np.zeros(len(df), dtype=bool)
    for name in searched:
        if name not in df.columns:
            continue
        values = df[name]
        if not (pd.api.types.is_string_dtype(values) or pd.api.types.is_object_dtype(values)):
            continue  # an all-missing column read as float holds no text
        found |= _as_mask(values.str.contains(text, case=not ignore_case, regex=False, na=False))
    return found
