"""The rating form of a shared-queue item before its reviewer submits, and the revision form after
the reveal.

Before submitting (commit, then reveal), nothing of the other reviewers may show. The ordinary
form (``ui.rating_form``) reads the item's log row, which holds the latest rating of the item,
maybe another reviewer's: its delivery line ("Rating delivered to HoneyHive") and its "not
submitted yet" (the draft against that rating) would tell this reviewer that someone rated it. This
form draws the same widgets on the same draft (``rating_form.widget_key`` and ``save_part``, so the
keyboard and ``rating_form.values`` work on it unchanged) and shows only this reviewer's own
rating: no delivery line, nothing read from the log's rating.

After the reveal a reviewer may change their mind: ``render_revision`` offers their review again,
and saving it records a revision (``SharedQueues.submit_review`` on an item they reviewed: the
blind verdict stays, and agreement keeps using it), which the log and HoneyHive get as the latest
rating.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import streamlit as st

from hive_review.feedback.ratings import Rating, rating_from_widgets, split_labels, widget_values
from hive_review.log import columns as col
from hive_review.team import QueueError
from ui import rating_form
from ui.context import Studio
from ui.state import REVIEW_QUEUE
from ui.text import plain

REVISED = REVIEW_QUEUE("shared", "revised")  # generation id -> the last revision's outcome


@st.fragment
def render_blind_form(studio: Studio, generation_id: str) -> None:
    """This reviewer's rating of the item, not yet submitted: rating reruns only the form."""
    parts = rating_form.values(studio, generation_id)
    rubric, options = rating_form.seed_widgets(studio, generation_id, parts)
    with st.container(border=True):
        st.markdown(f"**Your rating:** {rating_form.summary(parts)} · *submitted with Complete and next*")
        rating_form.render_parts(studio, rubric, generation_id, options)


# ---- revising after the reveal ------------------------------------------------------------------


def review_as_rating(review: Mapping[str, Any]) -> Rating:
    """A stored review (blind verdict or revision) as the rating it was."""
    return Rating(
        thumbs=review.get("thumbs"),
        stars=review.get("stars"),
        labels=split_labels(review.get("labels")),
        comment=str(review.get("comment") or ""),
    )


def revise_key(generation_id: str, part: str) -> str:
    return REVIEW_QUEUE("shared", "revise", generation_id, part)


def render_revision(studio: Studio, queue_id: str, generation_id: str, mine: Mapping[str, Any]) -> None:
    """The "Revise my review" action: the reviewer's review as it stands, to change and save as a
    revision. The queue keeps no ideal answer: it comes from the log row while the latest rating there
    is this reviewer's."""
    with st.popover("Revise my review", icon=":material/edit:"):
        st.caption(
            "A change after the reveal is kept as a revision: HoneyHive and the log get it, but the team's "
            "agreement keeps your first (blind) verdict."
        )
        seed = widget_values(review_as_rating(mine))
        row = studio.log.get_entry(generation_id) or {}
        ideal = str(row.get(col.IDEAL_ANSWER) or "") if row.get(col.REVIEWER) == studio.reviewer else ""
        options = list(studio.settings.labels)
        with st.form(REVIEW_QUEUE("shared", "revise", generation_id), border=False):
            st.feedback("thumbs", key=revise_key(generation_id, "thumbs"), default=seed.get("thumbs"))
            st.feedback("stars", key=revise_key(generation_id, "stars"), default=seed.get("stars"))
            st.multiselect(
                "Labels", options, default=[label for label in seed.get("labels") or [] if label in options],
                key=revise_key(generation_id, "labels"),
            )  # fmt: skip
            st.text_area("Comment", value=seed.get("comment") or "", key=revise_key(generation_id, "comment"))
            st.text_area("Ideal answer", value=ideal, key=revise_key(generation_id, "ideal"))
            st.form_submit_button(
                "Save revision", icon=":material/save:", key=revise_key(generation_id, "save"),
                on_click=_save_revision, args=(studio, queue_id, generation_id),
            )  # fmt: skip
    outcome = st.session_state.get(REVISED, {}).get(generation_id)
    if outcome:
        st.caption(plain(outcome))


def _save_revision(studio: Studio, queue_id: str, generation_id: str) -> None:
    state = st.session_state
    rating = rating_from_widgets({part: state.get(revise_key(generation_id, part)) for part in rating_form.PARTS})
    outcomes: dict[str, str] = state.setdefault(REVISED, {})
    try:
        studio.stores.queues.submit_review(
            queue_id, generation_id, studio.reviewer, rating, connection_id=studio.connection.connection_id
        )
    except QueueError as exc:  # an empty rating: the store's own words
        outcomes[generation_id] = str(exc)
        return
    studio.outbox.wake()
    outcomes[generation_id] = "Revision saved; your blind verdict still counts for agreement."
