"""How far a shared queue has come, per queue and per reviewer, and how well its reviewers agree.

A fragment that reruns on its own every few seconds: reviewers on other studio processes write to
the same database, and ``SharedQueues.progress`` reads it afresh each time, so each reviewer sees
the others' work within seconds without touching the page.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from hive_review.team import DimensionAgreement, SharedQueue
from ui.context import Studio

PROGRESS_REFRESH_SECONDS = 3


def _number(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


@st.fragment(run_every=PROGRESS_REFRESH_SECONDS)
def render_progress(studio: Studio, queue: SharedQueue) -> None:
    progress = studio.stores.queues.progress(queue.id)
    share = progress.reviews_done / progress.reviews_needed if progress.reviews_needed else 0.0
    st.progress(
        min(1.0, share),
        text=(
            f"Team: {progress.items_done} of {progress.items_total} items done · "
            f"{progress.reviews_done} of {progress.reviews_needed} reviews · {progress.reserved} open now"
        ),
    )
    if progress.reviewers:
        # Reviewer ids are user text: a dataframe draws them on its canvas, as text.
        rows = [
            {"Reviewer": who, "Reviewed": mine.reviewed, "Skipped": mine.skipped, "Holding": mine.reserved}
            for who, mine in progress.reviewers.items()
        ]
        st.dataframe(pd.DataFrame(rows), hide_index=True)
    if queue.overlap > 1:
        _render_agreement(studio, queue)


def _render_agreement(studio: Studio, queue: SharedQueue) -> None:
    agreement = studio.stores.queues.agreement(queue.id)
    rows = [_agreement_row(part) for part in (agreement.thumbs, agreement.stars)]
    st.caption(f"Agreement between reviewers ({queue.overlap} reviews per item; — until there is enough to say)")
    st.dataframe(pd.DataFrame(rows), hide_index=True)


def _agreement_row(part: DimensionAgreement) -> dict[str, object]:
    return {
        "Value": part.dimension,
        "Items": part.items,
        "Reviewers": part.raters,
        "Cohen's κ": _number(part.cohen_kappa),
        "Fleiss' κ": _number(part.fleiss_kappa),
        "Krippendorff's α": _number(part.krippendorff_alpha),
        "α (ordinal)": _number(part.krippendorff_alpha_ordinal),
    }


def render_all_queues(studio: Studio) -> None:
    """Every shared queue's progress at a glance (read on each run of the page, not live: with many
    queues that would be a query per queue every few seconds)."""
    with st.expander("All shared queues", icon=":material/groups:"):
        rows = []
        for queue in studio.stores.queues.list():
            progress = studio.stores.queues.progress(queue.id)
            rows.append(
                {
                    "Queue": queue.name,  # drawn on the dataframe's canvas, as text
                    "Items done": f"{progress.items_done} of {progress.items_total}",
                    "Reviews": f"{progress.reviews_done} of {progress.reviews_needed}",
                    "Reviewers": len(progress.reviewers),
                    "Per item": queue.overlap,
                    "Shared by": queue.created_by,
                }
            )
        st.dataframe(pd.DataFrame(rows), hide_index=True)
