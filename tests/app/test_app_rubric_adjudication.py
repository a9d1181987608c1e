"""Adjudication of reviews given under a rubric, through AppTest: two reviews that differ only on a
categorical dimension are listed, and each review's dimensions are shown side by side, as text."""

from __future__ import annotations

from apptest_support import open_page, studio_app, texts
from page_checks import shown

from hive_review.feedback.ratings import Rating
from hive_review.log.entries import LogEntry
from hive_review.rubrics.models import rubric_from_yaml
from hive_review.stores import open_stores
from ui.quality_keys import ADJUDICATION

TASK = "Sandbox - Email Writer"
HOSTILE_TONE = "**rude** <b>x</b>"
SUPPORT = f"""name: support
dimensions:
  - name: tone
    kind: categorical
    values: {{friendly: Warm, "{HOSTILE_TONE}": Impolite}}
  - name: safe
    kind: pass_fail
"""


def test_reviews_differing_only_on_a_category_are_adjudicated_with_their_dimensions_shown(studio_env, tmp_path):
    at = open_page(studio_app(), "playground")  # the studio makes its database
    stores = open_stores(f"sqlite:///{tmp_path / 'sessions.sqlite3'}")
    try:
        rubric = stores.rubrics.save(rubric_from_yaml(SUPPORT))
        session = stores.log.create_session("lead")
        stores.log.add_entry(
            LogEntry(generation_id="g-tone", session_id=session.id, reviewer="lead", task=TASK, prompt_version="1",
                     completion="Hello.", inputs={"topic": "hours"})
        )  # fmt: skip
        queue = stores.queues.create("Support", ["g-tone"], overlap=2, created_by="lead", source="test")
        for reviewer, tone, safe in (("rev-ana", "friendly", True), ("rev-ben", HOSTILE_TONE, False)):
            rating = Rating(thumbs="up", stars=4, rubric_name=rubric.name, rubric_version=rubric.version,
                            dimensions={"tone": tone, "safe": safe})  # fmt: skip
            stores.queues.next_item(queue.id, reviewer)
            stores.queues.submit_review(queue.id, "g-tone", reviewer, rating, connection_id="elsewhere")

        at.switch_page("pages/adjudication.py").run()
        assert not at.exception, [e.value for e in at.exception]
        assert at.selectbox(key=ADJUDICATION.item).label == "1 item(s) to settle"
        assert "tone differs, safe differs" in shown(texts(at))
        dimensions = [t.value for t in at.text if t.value.startswith("tone:")]
        assert dimensions == ["tone: friendly\nsafe: pass", f"tone: {HOSTILE_TONE}\nsafe: fail"]  # as text
        assert sum("Rubric support v1" in c.value for c in at.caption) == 2
    finally:
        stores.close()
