"""Team mode on the review queue: share the current source's items with the team, and work a
shared queue (``stores.queues``) from any studio process.

A shared queue is a source of the review queue like a batch, with the id ``shared:<queue id>``.
Working it differs from a private queue in who decides the item: the store reserves one to this
reviewer (``next_item``), Skip returns it to the others, and completing it goes through
``submit_review`` (log row, HoneyHive delivery and the queue's review in one transaction).

Commit, then reveal: until this reviewer submits an item, its variant (prompt name, version,
model), every other reviewer's review of it, how many there are, and the delivery of the log's
latest rating (maybe another's) stay hidden, so the verdict is their own (the blind verdict
agreement uses). Once submitted, the item is revealed above the next one: its variant, model and
the others' reviews, as plain text, with "Revise my review" (a revision; the blind verdict stays).

A little over 300 lines: sharing and working a queue share its keys and its session state; the
forms are in ``ui.shared_queue_form``, the progress in ``ui.shared_queue_progress``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import streamlit as st

from hive_review.feedback.ratings import Rating, rating_from_widgets, widget_part_for_key, widget_values
from hive_review.log import columns as col
from hive_review.quality.item_timer import mark_shown, record_review_time
from hive_review.team import QueueError, QueueItem, ReservationLost, SharedQueue
from ui import rating_form, rubric_form
from ui.context import Studio
from ui.gold_share import render_gold_rate, with_gold
from ui.shared_queue_form import render_blind_form, render_revision
from ui.shared_queue_progress import render_all_queues, render_progress
from ui.state import REVIEW_QUEUE, Keys, PageKeys
from ui.text import code, plain

PREFIX = "shared:"
OVERLAPS = (1, 2, 3)
DEFAULT_RESERVATION_MINUTES = 10
REVEALED = REVIEW_QUEUE("shared", "revealed")  # queue id -> the item this session submitted last


def is_shared(source: object) -> bool:
    return isinstance(source, str) and source.startswith(PREFIX)


def source_labels(studio: Studio) -> dict[str, str]:
    """Every shared queue, as a source of the review queue (read each run: another process may
    have shared one a moment ago)."""
    return {f"{PREFIX}{queue.id}": f"Shared queue · {queue.name}" for queue in studio.stores.queues.list()}


def _held() -> dict[str, str | None]:
    return st.session_state.setdefault(REVIEW_QUEUE.shared_held, {})


def _messages() -> dict[str, str]:
    return st.session_state.setdefault(REVIEW_QUEUE.shared_message, {})


# ---- sharing ------------------------------------------------------------------------------------


def render_share_action(
    studio: Studio,
    source_label: str,
    generation_ids: Sequence[str],
    *,
    keys: PageKeys = REVIEW_QUEUE,
    source: str | None = None,
    on_shared: Callable[[SharedQueue], None] | None = None,
) -> None:
    """The "Share with the team" action: these items (the current source's, or the rows a filter
    of the log shows) become a shared queue. ``keys`` is the page's: its widgets are
    ``<page>.share.*``. ``source`` is what the queue records as its origin (``source_label`` by
    default); ``on_shared`` runs once it exists (the review queue goes straight to working it)."""
    with st.expander("Share with the team", icon=":material/group_add:"):
        st.caption(
            f"{len(generation_ids)} items become a queue every reviewer of this database sees as a source, "
            "on every studio process."
        )
        default = f"{source_label} · {datetime.now(UTC):%Y-%m-%d %H:%M}"
        st.text_input("Queue name", value=default, key=keys("share", "name"))
        st.segmented_control(
            "Reviews per item", OVERLAPS, default=1, key=keys("share", "overlap"),
            help="2 or 3: each item is reviewed by that many different reviewers, and their agreement is measured.",
        )  # fmt: skip
        st.number_input(
            "Reservation (minutes)", min_value=1, max_value=24 * 60, value=DEFAULT_RESERVATION_MINUTES,
            key=keys("share", "minutes"),
            help="How long an opened item stays reserved to its reviewer before it returns to the others.",
        )  # fmt: skip
        render_gold_rate(studio, len(generation_ids))
        st.button(
            f"Share {len(generation_ids)} items", key=keys("share", "go"), icon=":material/share:",
            disabled=not generation_ids, on_click=_share,
            args=(studio, keys, source or source_label, list(generation_ids), on_shared or _work_it),
        )  # fmt: skip
        problem = st.session_state.get(keys("share", "message"))
        if problem:
            st.warning(plain(problem), icon=":material/info:")


def _share(
    studio: Studio,
    keys: PageKeys,
    source: str,
    generation_ids: list[str],
    on_shared: Callable[[SharedQueue], None],
) -> None:
    """A callback: it runs before the page is drawn, so it may switch the source's selectbox."""
    state = st.session_state
    try:
        queue = studio.stores.queues.create(
            str(state.get(keys("share", "name")) or ""),
            with_gold(studio, generation_ids),  # gold items mixed in, unannounced, at the rate set
            overlap=int(state.get(keys("share", "overlap")) or 1),
            reservation_seconds=int(state.get(keys("share", "minutes")) or DEFAULT_RESERVATION_MINUTES) * 60,
            created_by=studio.reviewer,
            source=source,
        )
    except ValueError as exc:  # a bad setting or an item the log lacks: the message says which
        state[keys("share", "message")] = str(exc)
        return
    state.pop(keys("share", "message"), None)
    on_shared(queue)
    st.toast(f"Shared with the team: {plain(queue.name)}", icon=":material/group:")


def _work_it(queue: SharedQueue) -> None:
    st.session_state[REVIEW_QUEUE.source] = f"{PREFIX}{queue.id}"  # straight to working it


# ---- working a shared queue ---------------------------------------------------------------------


def current_item(studio: Studio, queue_id: str) -> QueueItem | None:
    """The item reserved to this reviewer: the one held, its reservation renewed, else the next
    free one; None when nothing is open to them now."""
    item = studio.stores.queues.next_item(queue_id, studio.reviewer)
    _held()[queue_id] = item.generation_id if item else None
    if item is not None:  # on screen now: its clock starts, or counts the time since the last run
        mark_shown(studio.stores.database, queue_id, item.generation_id, studio.reviewer)
    return item


def _start_blank(studio: Studio, generation_id: str) -> None:
    """The log holds the latest rating of an item, maybe another reviewer's: each reviewer starts
    from an empty form, so no one sees (or resubmits) someone else's judgement."""
    drafts: dict[str, dict[str, Any]] = st.session_state.setdefault(Keys.DRAFTS, {})
    if generation_id not in drafts:
        drafts[generation_id] = widget_values(Rating())
        parts = {*rating_form.PARTS, *rubric_form.form_parts(studio.stores.rubrics.active())}
        for part in parts:  # widgets drawn earlier for this item hold the stored rating
            st.session_state.pop(rating_form.widget_key(generation_id, part), None)


def complete(studio: Studio, queue_id: str, generation_id: str) -> bool:
    """Submit this reviewer's review of the item; False (with a message) when it was not saved."""
    rating = rating_from_widgets(rating_form.values(studio, generation_id), studio.stores.rubrics.active())
    try:
        studio.stores.queues.submit_review(
            queue_id, generation_id, studio.reviewer, rating, connection_id=studio.connection.connection_id
        )
    except ReservationLost as exc:  # the item went to others meanwhile: on to the next one
        st.session_state.setdefault(Keys.DRAFTS, {}).pop(generation_id, None)
        _held()[queue_id] = None
        st.session_state[REVIEW_QUEUE.shared_lost] = str(exc)
        return False
    except QueueError as exc:  # an empty rating: the message says what to give
        _messages()[generation_id] = str(exc)
        return False
    record_review_time(studio.stores.database, queue_id, generation_id, studio.reviewer)
    st.session_state.setdefault(REVEALED, {})[queue_id] = generation_id  # submitted: now revealed
    studio.outbox.wake()
    st.session_state.setdefault(Keys.DRAFTS, {}).pop(generation_id, None)
    _messages().pop(generation_id, None)
    _held()[queue_id] = None
    return True


def skip(studio: Studio, queue_id: str, generation_id: str) -> None:
    studio.stores.queues.skip(queue_id, generation_id, studio.reviewer)
    _messages().pop(generation_id, None)
    _held()[queue_id] = None


def apply_key(studio: Studio, source: str, key: str) -> None:
    """One key of the review queue's keyboard, on a shared queue: Enter completes like N (a shared
    item is done once reviewed), B does nothing (the store decides the order)."""
    queue_id = source.removeprefix(PREFIX)
    generation_id = _held().get(queue_id)
    if generation_id is None:
        item = current_item(studio, queue_id)
        if item is None:
            return
        generation_id = item.generation_id
    rating_part = widget_part_for_key(key, studio.stores.rubrics.active())
    if rating_part is not None:
        _start_blank(studio, generation_id)
        rating_form.set_part(studio, generation_id, *rating_part)
    elif key in ("n", "enter"):
        complete(studio, queue_id, generation_id)
    elif key == "s":
        skip(studio, queue_id, generation_id)


def render_shared_queue(studio: Studio, source: str, render_item: Callable[..., None]) -> None:
    """The page below the source picker for a shared queue; ``render_item(studio, row, blind=True)``
    draws the completion with its variant hidden."""
    st.session_state[REVIEW_QUEUE.built_from] = source  # the keyboard acts on this queue now
    queue_id = source.removeprefix(PREFIX)
    try:
        queue = studio.stores.queues.get(queue_id)
    except KeyError:
        st.warning("This shared queue is gone; pick another source.")
        return
    _describe(queue)
    item = current_item(studio, queue_id)  # first: the progress below counts this reservation
    render_progress(studio, queue)
    render_all_queues(studio)
    lost = st.session_state.pop(REVIEW_QUEUE.shared_lost, None)
    if lost:
        st.warning(plain(lost), icon=":material/timer_off:")
    _render_reveal(studio, queue_id)
    if item is None:
        st.success(
            "Nothing open to you in this queue now: you reviewed or skipped every item with a free slot. "
            "An expiring reservation or another reviewer's skip may open one; the page checks again on your next "
            "click.",
            icon=":material/task_alt:",
        )
        return
    generation_id = item.generation_id
    # How many others reviewed the item is theirs to tell after this reviewer commits, not before.
    others = "the others' reviews show once you submit" if queue.overlap > 1 else "yours alone"
    until = f"{item.reserved_until:%H:%M:%S} UTC"
    st.markdown(f"**Item {item.position}** of the queue · reserved to you until {until} · {others}")
    row = studio.log.get_entry(generation_id)
    if row is None:
        st.warning("This generation is no longer in the log; skip it.")
    else:
        _start_blank(studio, generation_id)
        render_item(studio, row, blind=True)  # nothing of the variant or the others' reviews yet
        render_blind_form(studio, generation_id)  # no delivery line: the log's rating may be another's
    _render_actions(studio, queue_id, generation_id)


def _render_reveal(studio: Studio, queue_id: str) -> None:
    """The item this reviewer submitted last, revealed: its variant, model and every other
    reviewer's review. All of it is text from others (names, comments): drawn with ``st.text``."""
    generation_id = st.session_state.get(REVEALED, {}).get(queue_id)
    if generation_id is None:
        return
    row = studio.log.get_entry(generation_id) or {}
    reviews = studio.stores.queues.item_reviews(queue_id, generation_id)
    if not any(review["reviewer"] == studio.reviewer for review in reviews):
        return  # not (or no longer) reviewed by this reviewer: nothing to reveal
    with st.expander("Revealed: the item you just submitted", icon=":material/visibility:", expanded=True):
        st.text(
            f"Variant: {row.get(col.PROMPT_NAME) or '—'} · version {row.get(col.PROMPT_VERSION) or '—'} · "
            f"model {row.get(col.MODEL) or '—'}"
        )
        mine = next(review for review in reviews if review["reviewer"] == studio.reviewer)
        st.text(f"Yours: {_review_text(mine)}")
        others = [review for review in reviews if review["reviewer"] != studio.reviewer]
        if not others:
            st.text("No other reviews of this item yet.")
        for review in others:
            st.text(_review_line(review))
        render_revision(studio, queue_id, generation_id, mine)


def _review_line(review: Mapping[str, Any]) -> str:
    return f"{review['reviewer']}: {_review_text(review)}"


def _review_text(review: Mapping[str, Any]) -> str:
    parts: list[str] = []
    if review.get("thumbs"):
        parts.append(f"thumbs {review['thumbs']}")
    if review.get("stars") is not None:
        parts.append(f"{review['stars']} stars")
    if review.get("labels"):
        parts.append(f"labels {review['labels']}")
    if review.get("comment"):
        parts.append(f"comment: {review['comment']}")
    if review.get("revision"):
        parts.append(f"(revised after the reveal, revision {review['revision']})")
    return " ".join(parts)


def _describe(queue: SharedQueue) -> None:
    minutes = queue.reservation_seconds / 60
    st.caption(
        f"Shared by {code(queue.created_by)} from {plain(queue.source)} · {queue.overlap} review(s) per item · "
        f"an opened item stays yours for {minutes:g} min"
    )


def _render_actions(studio: Studio, queue_id: str, generation_id: str) -> None:
    with st.container(horizontal=True):
        st.button(
            "Skip", key=REVIEW_QUEUE.shared_skip, icon=":material/skip_next:", help="S: not me; it goes to the others",
            on_click=skip, args=(studio, queue_id, generation_id),
        )  # fmt: skip
        st.button(
            "Complete and next", key=REVIEW_QUEUE.shared_next, type="primary", icon=":material/done_all:",
            help="N or Ctrl+Enter", on_click=complete, args=(studio, queue_id, generation_id),
        )  # fmt: skip
    problem = _messages().get(generation_id)
    if problem:  # beside the action that caused it; the store's own words
        st.warning(plain(problem), icon=":material/info:")
