"""The one rating form used wherever a completion is shown: thumbs, 1-5 stars, labels, comment
and the ideal answer.

It is a fragment: rating reruns only the form, not the page around it (which may hold a log of
thousands of rows). The rating being given lives in a draft in session state that only Python
writes: a widget's change is copied into it at once (Streamlit drops a widget's value when the
widget is not drawn, e.g. on a page switch), and a key pressed in the review queue writes it
directly (``set_part``). The widgets are views of the draft. A key's change gives the item's widgets
new keys (a "revision"), so they are drawn afresh from the draft: setting a drawn widget's value
from Python is lost when the browser's older value arrives before the run that would have shown
the new one (keys pressed quickly).

Every change to a draft is also written to the store, as the reviewer's draft of the generation
(``stores.drafts``): a browser reload starts a new session with no session state, and the form then
takes the draft from the store, shown as not submitted yet. Submitting commits the rating to the
local store and deletes the stored draft in one transaction, and only then lets the outbox deliver
the rating to HoneyHive.

Time per item: the form starts a clock (in session state, per generation) when it first draws a
generation and counts each later draw as a sign of life; submitting keeps the seconds, idle time
capped (``hive_review.quality.rating_times``), in the rating's transaction, for Numbers' medians.

The form follows the active rubric (``hive_review.rubrics``): the default one draws the form as it
always was; another draws its dimensions (the form's own parts with their usual widgets, the
others by kind) with their descriptions as help, and its guidelines beside them. A rubric's own
dimension is the part ``dimension_part(name)`` of the draft, so drafts keep it like any other.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import streamlit as st

from hive_review.feedback.ratings import Rating, rating_from_widgets, widget_values
from hive_review.feedback.status import FeedbackStatus
from hive_review.log import columns as col
from hive_review.quality.rating_times import ItemClock, record_rating_time
from hive_review.rubrics.models import Rubric, dimension_part
from ui import rubric_form
from ui.context import Studio
from ui.state import Keys, rating_key
from ui.text import plain

PARTS = ("thumbs", "stars", "labels", "comment", "ideal")
SUBMIT_WAIT_SECONDS = 2.0
STATUS_POLL_SECONDS = 2.0
NOTHING_TO_SEND = "Nothing to send yet: give thumbs, stars, a label, a comment or an ideal answer."
_REVISIONS = "rating.revisions"  # generation id -> how often keys redrew its widgets
_MESSAGES = "rating.messages"  # generation id -> the last submit's problem, shown beside the action
_LOOKED_UP = "rating.drafts_looked_up"  # generation ids whose stored draft this session has read
_CLOCKS = "rating.clocks"  # generation id -> its ItemClock as a plain tuple (session state pickles it)


def _drafts() -> dict[str, dict[str, Any]]:
    return st.session_state.setdefault(Keys.DRAFTS, {})


def _revisions() -> dict[str, int]:
    return st.session_state.setdefault(_REVISIONS, {})


def _messages() -> dict[str, str]:
    return st.session_state.setdefault(_MESSAGES, {})


@dataclass(frozen=True)
class _Held:
    """This session's draft state, read from session state in one go.

    Every read of ``st.session_state`` is a point where Streamlit may stop the run for a newer
    request (a key pressed meanwhile), callbacks included. A callback stopped after its widget's
    value was taken but before it wrote the draft loses the change: the widget's value is applied
    already, so the callback is not called again. Reading these first and then only touching the
    dicts themselves leaves no such point between the store's reads and writes and the draft's.
    """

    drafts: dict[str, dict[str, Any]]  # generation id -> the rating being given
    looked_up: set[str]  # generation ids whose stored draft this session has read
    revisions: dict[str, int]
    messages: dict[str, str]
    clocks: dict[str, tuple[float, float, float]]  # generation id -> time on it so far (ItemClock)

    @staticmethod
    def read() -> _Held:
        looked_up: set[str] = st.session_state.setdefault(_LOOKED_UP, set())
        return _Held(_drafts(), looked_up, _revisions(), _messages(), st.session_state.setdefault(_CLOCKS, {}))


def widget_key(generation_id: str, part: str) -> str:
    """The key of one of the form's widgets: ``rating_key`` until keys first redraw the form."""
    return _widget_key(_revisions(), generation_id, part)


def _widget_key(revisions: Mapping[str, int], generation_id: str, part: str) -> str:
    revision = revisions.get(generation_id, 0)
    return rating_key(generation_id, part) if not revision else f"{rating_key(generation_id, part)}.{revision}"


def values(studio: Studio, generation_id: str, row: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The rating being given (the draft: this session's, else the reviewer's stored one), else
    the stored rating, as the widgets hold it."""
    return _values(studio, _Held.read(), generation_id, row)


def _values(studio: Studio, held: _Held, generation_id: str, row: Mapping[str, Any] | None = None) -> dict[str, Any]:
    draft = held.drafts.get(generation_id)
    if draft is not None:
        return dict(draft)
    stored = row if row is not None else studio.log.get_entry(generation_id) or {}
    restored = _restore_draft(studio, held, generation_id, stored)
    return dict(restored) if restored is not None else widget_values(Rating.from_row(stored))


def _restore_draft(studio: Studio, held: _Held, generation_id: str, row: Mapping[str, Any]) -> dict[str, Any] | None:
    """The reviewer's stored draft of the generation, made this session's draft (so it shows as
    not submitted yet); read once per session. A draft older than a rating this reviewer stored
    since is dropped: that rating was submitted where the draft was not deleted with it (another
    process, a shared queue's review)."""
    if generation_id in held.looked_up:
        return None
    stored = studio.stores.drafts.rating_draft_with_time(studio.reviewer, generation_id)
    held.looked_up.add(generation_id)
    if stored is None:
        return None
    rated_at, drafted = _moment(row.get(col.RATED_AT)), _moment(stored.updated_at)
    if row.get(col.REVIEWER) == studio.reviewer and rated_at and drafted and rated_at >= drafted:
        studio.stores.drafts.delete_rating_draft(studio.reviewer, generation_id)
        return None
    held.drafts[generation_id] = stored.parts
    return stored.parts


def _moment(value: object) -> datetime | None:
    """A time of the log or the store (ISO 8601 text, or a datetime) as an aware datetime."""
    try:
        moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    except ValueError:  # None, NaN or no time at all
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _change(studio: Studio, held: _Held, generation_id: str, part: str, value: Any) -> None:
    """Set one part of the draft: in session state for this session, in the store for the next."""
    draft = {**_values(studio, held, generation_id), part: value}
    held.drafts[generation_id] = draft
    held.looked_up.add(generation_id)  # the store holds this session's draft from now on
    held.messages.pop(generation_id, None)
    studio.stores.drafts.save_rating_draft(studio.reviewer, generation_id, draft)


def set_part(studio: Studio, generation_id: str, part: str, value: Any) -> None:
    """Change one part of the draft from outside the form (a key); the form is redrawn from it."""
    held = _Held.read()
    _change(studio, held, generation_id, part, value)
    held.revisions[generation_id] = held.revisions.get(generation_id, 0) + 1


def save_part(studio: Studio, generation_id: str, part: str, key: str) -> None:
    """Copy one widget's change into the draft (the ``on_change`` of the widget keyed ``key``).

    Only a widget of the form's current revision speaks for the draft. A widget of an older
    revision is a view the browser may still hold after keys redrew the form (the runs that would
    have replaced it were cut short by the next key): its "change" is the browser dropping or
    restoring it, and copying it would blank a rating already given (measured: under load, 1 run
    in 2 blanked the submitted rating shown after ``U 4 N B``)."""
    held = _Held.read()
    if key != _widget_key(held.revisions, generation_id, part) or key not in st.session_state:
        return
    value = st.session_state[key]
    # No read of session state from here on (see _Held): with the store's reads and writes in
    # this callback, a key pressed meanwhile stopped it before the draft was written, and the
    # comment typed just before Ctrl+Enter went unsent (measured under load: about 1 run in 2).
    _change(studio, held, generation_id, part, value)


def message(generation_id: str) -> str | None:
    """Why the last submit of this generation sent nothing, until the rating changes."""
    return _messages().get(generation_id)


def submit(studio: Studio, generation_id: str, *, wait: bool = False) -> bool:
    """Commit the draft and start its delivery; False (with ``message``) when it is empty.

    Draws nothing: the keyboard applies keys with it before the page is drawn."""
    held = _Held.read()  # first: no point to stop at between the commit and the draft's end
    rating = rating_from_widgets(_values(studio, held, generation_id), studio.stores.rubrics.active())
    if rating.is_empty:
        held.messages[generation_id] = NOTHING_TO_SEND
        return False
    # Studio.save_rating, with the stored draft deleted in the rating's transaction: a reload never
    # brings back the draft of a submitted rating, nor loses the draft of one that failed to save.
    clock = held.clocks.get(generation_id)
    with studio.stores.database.transaction() as db:
        studio.stores.feedback.save_rating(
            generation_id, rating, reviewer=studio.reviewer, connection_id=studio.connection.connection_id, db=db
        )
        studio.stores.drafts.delete_rating_draft(studio.reviewer, generation_id, db=db)
        if clock is not None:  # shown by this session's form: the time it took, idle capped
            record_rating_time(db, generation_id, studio.reviewer, ItemClock(*clock).elapsed(time.time()))
    held.clocks.pop(generation_id, None)
    held.drafts.pop(generation_id, None)
    held.messages.pop(generation_id, None)
    studio.outbox.wake()
    if wait:
        # On a healthy connection delivery takes milliseconds: wait a moment so the reviewer sees
        # "delivered" right away. A slow or failing delivery goes on in the background.
        studio.outbox.wait_for(generation_id, timeout=SUBMIT_WAIT_SECONDS)
    return True


def submit_rating(studio: Studio, generation_id: str) -> bool:
    """``submit`` for a button: waits briefly for the delivery and confirms with a toast."""
    if not submit(studio, generation_id, wait=True):
        return False
    st.toast("Rating saved.", icon=":material/task_alt:")
    return True


def summary(parts: Mapping[str, Any]) -> str:
    """The rating in one line of fixed symbols (no user text): "👍 · ★★★★☆ · 2 labels · comment"."""
    shown: list[str] = []
    thumbs, stars = parts.get("thumbs"), parts.get("stars")
    if thumbs is not None:
        shown.append("👍 up" if thumbs == 1 else "👎 down")
    if stars is not None:
        shown.append("★" * (int(stars) + 1) + "☆" * (4 - int(stars)))
    labels = len(parts.get("labels") or [])
    if labels:
        shown.append(f"{labels} label{'s' if labels > 1 else ''}")
    shown.extend(name for name, part in (("comment", "comment"), ("ideal answer", "ideal")) if parts.get(part))
    dimensions = sum(
        1 for part, value in parts.items() if part.startswith(dimension_part("")) and value not in (None, "")
    )
    if dimensions:
        shown.append(f"{dimensions} rubric dimension{'s' if dimensions > 1 else ''}")
    return " · ".join(shown) or "none yet"


def render_rating_summary(studio: Studio, generation_id: str, row: Mapping[str, Any]) -> None:
    """One clear selected state: what this rating holds, and whether it is submitted."""
    parts = values(studio, generation_id, row)
    draft = _drafts().get(generation_id)
    stored = widget_values(Rating.from_row(row))
    rubric = studio.stores.rubrics.active()
    unsent = draft is not None and rating_from_widgets(draft, rubric) != rating_from_widgets(stored, rubric)
    state = " · *not submitted yet*" if unsent else ""
    st.markdown(f"**Your rating:** {summary(parts)}{state}")


@st.fragment
def render_rating_form(studio: Studio, row: Mapping[str, Any], *, submit_button: bool = True) -> None:
    """The form; without ``submit_button`` the page offers its own submit (the review queue)."""
    generation_id = str(row[col.GENERATION_ID])
    current = studio.log.get_entry(generation_id) or dict(row)
    seed = values(studio, generation_id, current)
    _mark_shown(generation_id)
    rubric, options = seed_widgets(studio, generation_id, seed)
    with st.container(border=True):
        render_rating_summary(studio, generation_id, current)
        render_parts(studio, rubric, generation_id, options)
        if submit_button:
            _render_submit(studio, generation_id, current)
        render_delivery(studio, generation_id, current)


def seed_widgets(studio: Studio, generation_id: str, seed: Mapping[str, Any]) -> tuple[Rubric, list[str]]:
    """The active rubric and its label options, with each of its widgets holding ``seed``'s value
    (the draft) unless it holds one already."""
    rubric = studio.stores.rubrics.active()
    options = rubric_form.label_options(rubric, studio.settings.labels)
    for part, dimension in zip(rubric_form.form_parts(rubric), rubric.dimensions, strict=True):
        value = seed.get(part)
        if part == "labels":
            value = [label for label in (value or []) if label in options]
        elif part.startswith(dimension_part("")) and not rubric_form.fits(dimension, value):
            value = None  # a draft made under another version of the rubric
        st.session_state.setdefault(widget_key(generation_id, part), value)
    return rubric, options


def render_parts(studio: Studio, rubric: Rubric, generation_id: str, options: list[str]) -> None:
    """The rubric's widgets, each on its part of the stored draft: today's form for the default
    rubric; another rubric's guidelines, then each of its dimensions."""
    if rubric.is_default:
        render_default_parts(studio, generation_id, options)
        return
    rubric_form.render_guidelines(rubric)
    for dimension in rubric.dimensions:
        part = rubric_form.part_of(dimension)
        rubric_form.render_dimension(dimension, options, _draft_widget(studio, generation_id, part))


def _mark_shown(generation_id: str) -> None:
    """The form draws this generation now: start its clock, or count the gap since the last draw."""
    clocks: dict[str, tuple[float, float, float]] = st.session_state.setdefault(_CLOCKS, {})
    now, held = time.time(), clocks.get(generation_id)
    clocks[generation_id] = tuple(ItemClock.start(now) if held is None else ItemClock(*held).seen(now))


def _render_submit(studio: Studio, generation_id: str, current: Mapping[str, Any]) -> None:
    """The form's own submit button (for pages without one of their own)."""
    already_rated = current.get(col.FEEDBACK_STATUS) not in (None, FeedbackStatus.UNRATED)
    # A callback, so the rating is saved before the form (and its "Your rating" line above the
    # button) is drawn: handled after the button, that line said "not submitted yet" beside
    # "Rating delivered" until the next run.
    st.button(
        "Update rating" if already_rated else "Submit rating",
        key=rating_key(generation_id, "submit"),
        type="primary",
        icon=":material/send:",
        shortcut="Ctrl+Enter",
        help="Ctrl+Enter",
        on_click=submit_rating,
        args=(studio, generation_id),
    )
    if message(generation_id):  # right under the button that caused it
        st.warning(message(generation_id), icon=":material/info:")


def render_default_parts(studio: Studio, generation_id: str, options: list[str]) -> None:
    """The default rubric's widgets (thumbs, stars, labels, comment, ideal answer), each on its part of
    the stored draft: the one rating form's, and the blind form of a shared queue's."""
    thumbs_col, stars_col = st.columns([1, 3])
    with thumbs_col:
        st.caption("Thumbs")
        st.feedback("thumbs", **_draft_widget(studio, generation_id, "thumbs"))
    with stars_col:
        st.caption("Rating")
        st.feedback("stars", **_draft_widget(studio, generation_id, "stars"))
    st.multiselect("Labels", options, **_draft_widget(studio, generation_id, "labels"))
    st.text_area("Comment", height=68, **_draft_widget(studio, generation_id, "comment"))
    st.text_area(
        "Ideal answer",
        height=68,
        **_draft_widget(studio, generation_id, "ideal"),
        help="What the completion should have said; sent to HoneyHive as ground_truth.",
    )


def _draft_widget(studio: Studio, generation_id: str, part: str) -> dict[str, Any]:
    """The key and change callback of the widget that shows ``part`` of the draft."""
    key = widget_key(generation_id, part)
    return {"key": key, "on_change": save_part, "args": (studio, generation_id, part, key)}


def render_delivery(studio: Studio, generation_id: str, row: Mapping[str, Any]) -> None:
    if row.get(col.FEEDBACK_STATUS) == FeedbackStatus.PENDING:
        _live_delivery_status(studio, generation_id)
    else:
        _render_delivery_status(studio, generation_id, row)


@st.fragment(run_every=STATUS_POLL_SECONDS)
def _live_delivery_status(studio: Studio, generation_id: str) -> None:
    """While a delivery is pending, look at its state every few seconds (only this line reruns)."""
    row = studio.log.get_entry(generation_id) or {}
    _render_delivery_status(studio, generation_id, row)


def _render_delivery_status(studio: Studio, generation_id: str, row: Mapping[str, Any]) -> None:
    status = row.get(col.FEEDBACK_STATUS) or FeedbackStatus.UNRATED
    if status == FeedbackStatus.SENT:
        st.caption(":material/cloud_done: Rating delivered to HoneyHive.")
    elif status == FeedbackStatus.PENDING:
        retrying = row.get(col.FEEDBACK_ERROR)
        detail = f" Retrying after: {plain(retrying)}" if retrying else ""
        st.caption(f":material/schedule: Rating saved here; delivery to HoneyHive pending.{detail}")
    elif status == FeedbackStatus.FAILED:
        error = row.get(col.FEEDBACK_ERROR) or "unknown error"
        st.error(f"Delivery to HoneyHive failed: {plain(error)}", icon=":material/cloud_off:")
        if st.button("Retry delivery", key=rating_key(generation_id, "retry"), icon=":material/refresh:"):
            studio.stores.feedback.retry_failed(generation_id)
            studio.outbox.wake()
            st.rerun(scope="fragment")
