"""The Adjudication page: items of the shared queues whose reviews disagree, every review side by
side with its comment, and the form that sets the final verdict (``hive_review.quality``); the
verdicts already set, an export of the reviews with them, and the gold upload.

Reviewer ids, labels and comments are user text: drawn through ``ui.text`` or ``st.text``, never
as Markdown. The completion is model output: ``ui.completion_view`` shows it as text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd
import streamlit as st

from hive_review.log import columns as col
from hive_review.log.exports import EXPORT_FORMATS
from hive_review.quality.adjudication import Verdict, adjudicate, final_verdicts
from hive_review.quality.reviews import Review, all_reviews
from hive_review.quality.split_items import SplitItem, split_items
from hive_review.quality.verdict_frames import export_frame
from hive_review.team import SharedQueue
from ui import services
from ui.completion_context import render_context
from ui.completion_view import render_completion, render_metadata
from ui.context import Studio
from ui.gold_upload import render_gold_upload
from ui.quality_keys import ADJUDICATION
from ui.text import code, plain

ALL_QUEUES = ""  # the queue picker's first option
THUMBS = {"up": "👍 up", "down": "👎 down"}
STARS = (1, 2, 3, 4, 5)


def render_adjudication(studio: Studio) -> None:
    st.title("Adjudication")
    st.caption(
        "Items of the shared queues whose reviews disagree: thumbs split, stars (or a rubric's scale) 2 or more "
        "apart, or labels or a rubric's categories or pass/fail that differ. The final verdict you set is what "
        "Numbers and the Session log's exports use; the individual reviews stay in the exports. Gold items are "
        "not listed: their verdict is known."
    )
    queues = studio.stores.queues.list()
    if not queues:
        st.info("No shared queues yet: share one with the team on the Review queue page.", icon=":material/groups:")
    else:
        queue_id = _pick_queue(queues)
        open_items = split_items(studio.stores.database, queue_id)
        if open_items:
            _render_item(studio, _pick_item(open_items))
        else:
            st.success("Nothing to adjudicate: the reviews of every item agree, or have a final verdict.",
                       icon=":material/task_alt:")  # fmt: skip
        _render_settled(studio, queue_id)
        _render_export(studio, queue_id)
    st.divider()
    render_gold_upload(studio)


def _pick_queue(queues: Sequence[SharedQueue]) -> str | None:
    names = {ALL_QUEUES: "All shared queues", **{queue.id: queue.name for queue in queues}}
    if st.session_state.get(ADJUDICATION.queue) not in names:
        st.session_state.pop(ADJUDICATION.queue, None)  # a queue that is gone
    # Options of a selectbox are drawn as text: queue names go in as they are.
    choice = st.selectbox("Queue", list(names), format_func=names.__getitem__, key=ADJUDICATION.queue)
    return choice or None


def _item_key(item: SplitItem) -> str:
    return f"{item.queue_id}/{item.generation_id}"


def _pick_item(items: Sequence[SplitItem]) -> SplitItem:
    by_key = {_item_key(item): item for item in items}
    if st.session_state.get(ADJUDICATION.item) not in by_key:
        st.session_state.pop(ADJUDICATION.item, None)  # settled a moment ago: the next one
    labels = {
        key: f"{item.queue_name} · item {item.position} · {', '.join(item.reasons)}" for key, item in by_key.items()
    }
    key = st.selectbox(
        f"{len(items)} item(s) to settle", list(by_key), format_func=labels.__getitem__, key=ADJUDICATION.item
    )
    return by_key[key]


def _render_item(studio: Studio, item: SplitItem) -> None:
    row = studio.log.get_entry(item.generation_id)
    with st.container(border=True):
        if row is None:
            st.warning("This generation is no longer in the session log; its reviews are below.")
        else:
            render_context(studio, row)
            render_completion(str(row.get(col.COMPLETION) or ""), markdown=False)
            render_metadata(row)
    st.markdown(f"**{len(item.reviews)} reviews** · {plain(', '.join(item.reasons))}")
    for column, review in zip(st.columns(len(item.reviews)), item.reviews, strict=True):
        with column, st.container(border=True):
            _render_review(review)
    _render_form(studio, item)


def _render_review(review: Review) -> None:
    st.markdown(f"**Reviewer** {code(review.reviewer)}")
    stars = "★" * review.stars if review.stars else "—"
    st.caption(f"Thumbs {THUMBS.get(review.thumbs or '', '—')} · Stars {stars}")
    st.caption(f"Labels {plain(', '.join(review.labels)) if review.labels else '—'}")
    if review.dimensions:  # a rubric's own dimensions: names and values are user text, drawn as text
        st.caption(f"Rubric {plain(review.rubric_name or '?')} v{review.rubric_version or '?'}")
        st.text("\n".join(f"{name}: {_dimension_text(value)}" for name, value in review.dimensions.items()))
    st.caption("Comment")
    st.text(review.comment or "—")
    took = f" · {review.seconds:.0f} s" if review.seconds is not None else ""
    st.caption(f"Reviewed {plain(review.reviewed_at[:19].replace('T', ' '))} UTC{took}")


def _dimension_text(value: object) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "pass" if value else "fail"
    return str(value)


def _label_options(studio: Studio, reviews: Sequence[Review]) -> list[str]:
    given = [label for review in reviews for label in review.labels]
    return list(dict.fromkeys([*studio.settings.labels, *given]))


def _render_form(studio: Studio, item: SplitItem) -> None:
    def key(part: str) -> str:
        return ADJUDICATION.verdict(part, item.queue_id, item.generation_id)

    with st.form(key("form")):
        st.markdown("**Final verdict**")
        st.segmented_control("Thumbs", list(THUMBS), format_func=THUMBS.__getitem__, key=key("thumbs"))
        st.segmented_control("Stars", STARS, format_func=lambda n: "★" * n, key=key("stars"))
        st.multiselect("Labels", _label_options(studio, item.reviews), key=key("labels"))
        st.text_area("Comment", key=key("comment"), placeholder="Why this verdict (kept with it)")
        st.text_area("Ideal answer (optional)", key=key("ideal"), placeholder="What the completion should have said")
        st.form_submit_button(
            "Set the final verdict", type="primary", icon=":material/gavel:", key=key("submit"),
            on_click=_settle, args=(studio, item),
        )  # fmt: skip
    problem = st.session_state.get(ADJUDICATION.message)
    if problem and problem[0] == _item_key(item):  # beside the form that caused it; the store's own words
        st.warning(plain(problem[1]), icon=":material/info:")


def _settle(studio: Studio, item: SplitItem) -> None:
    """A callback: it runs before the page is drawn, so the list below is drawn without the item."""
    state = st.session_state

    def value(part: str) -> object:
        return state.get(ADJUDICATION.verdict(part, item.queue_id, item.generation_id))

    try:
        adjudicate(
            studio.stores.database, item.queue_id, item.generation_id,
            thumbs=value("thumbs"), stars=value("stars"),  # type: ignore[arg-type]
            labels=tuple(value("labels") or ()),  # type: ignore[arg-type]
            comment=str(value("comment") or ""), ideal_answer=str(value("ideal") or ""),
            adjudicator=studio.reviewer,
        )  # fmt: skip
    except (ValueError, KeyError) as exc:  # an empty verdict, or an item gone: the message says which
        state[ADJUDICATION.message] = (_item_key(item), str(exc).strip("'\""))
        return
    state.pop(ADJUDICATION.message, None)
    state.pop(ADJUDICATION.item, None)
    st.toast(f"Final verdict set on item {item.position} of {plain(item.queue_name)}", icon=":material/gavel:")


def _render_settled(studio: Studio, queue_id: str | None) -> None:
    settled = split_items(studio.stores.database, queue_id, which="settled")
    with st.expander(f"Settled ({len(settled)})", icon=":material/gavel:"):
        if not settled:
            st.caption("No final verdicts yet.")
            return
        st.dataframe(pd.DataFrame([_settled_row(item, item.verdict) for item in settled if item.verdict]),
                     hide_index=True)  # fmt: skip


def _settled_row(item: SplitItem, verdict: Verdict) -> Mapping[str, object]:
    # Drawn on the dataframe's canvas: text, never Markdown.
    return {
        "Queue": item.queue_name,
        "Item": item.position,
        "Disagreement": ", ".join(item.reasons),
        "Thumbs": verdict.thumbs or "",
        "Stars": verdict.stars,
        "Labels": ", ".join(verdict.labels),
        "Comment": verdict.comment,
        "Adjudicator": verdict.adjudicator,
        "Set at": verdict.adjudicated_at,
    }


def _render_export(studio: Studio, queue_id: str | None) -> None:
    """The reviewed items of the queue (or of all): each log row with its final verdict in the rating
    columns, who set it, and every review (``reviews_json``)."""

    def frame() -> pd.DataFrame:
        reviews = all_reviews(studio.stores.database, queue_id)
        log = services.cached_log(studio.stores, None)
        ids = {review.generation_id for review in reviews}
        rows = log[log[col.GENERATION_ID].isin(ids).to_numpy(dtype=bool, na_value=False)]
        return export_frame(rows, final_verdicts(studio.stores.database, queue_id), reviews)

    with st.container(horizontal=True):
        for name, key in (("CSV", ADJUDICATION.export_csv), ("JSONL", ADJUDICATION.export_jsonl)):
            export_format = EXPORT_FORMATS[name]
            st.download_button(
                f"Reviews and final verdicts ({name})",
                # A callable runs only on click: no export work on reruns.
                data=lambda write=export_format.write: write(frame()),
                file_name=f"hive-review-adjudication.{export_format.extension}",
                mime=export_format.mime, on_click="ignore", icon=":material/download:", key=key,
            )  # fmt: skip
