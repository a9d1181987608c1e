"""The training export's part of the Session log page through AppTest, on the seeded scenario of
``training_scenario``: the counts per export under the rule the slider and the number set, what was left
out for disagreement, and the three download buttons."""

from __future__ import annotations

from pathlib import Path

from page_checks import shown
from streamlit.testing.v1 import AppTest
from training_scenario import seed_training

from ui.training_export import MIN_REVIEWERS, SFT_STYLE, THRESHOLD, TRAINING

SCRIPT = Path(__file__).with_name("training_export_script.py")


def _app(database_url: str, monkeypatch, tmp_path: Path, *, adjudicated: bool = True) -> AppTest:
    monkeypatch.setenv("HIVE_REVIEW_DATABASE_URL", database_url)
    # As every AppTest here: away from the project's .streamlit/config.toml, whose settings, once
    # read, stay for the whole process (its serializable-state check trips on AppTest's own state).
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TRAINING_VERDICTS", "scenario" if adjudicated else "none")
    at = AppTest.from_file(str(SCRIPT), default_timeout=30).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _counts(at: AppTest) -> dict[str, tuple[int, ...]]:
    [table] = [frame for frame in at.dataframe if "no_row" in frame.value.columns]
    columns = ["rows", "agreed", "adjudicated", "disagreement", "too_few", "tie_or_both_bad", "no_row"]
    return {row["export"].split()[0]: tuple(int(row[name]) for name in columns) for _, row in table.value.iterrows()}


def _captions(at: AppTest) -> list[str]:
    return [shown(str(caption.value)) for caption in at.caption]


def test_the_counts_follow_the_rule_and_each_export_has_a_download(tmp_path, monkeypatch):
    database_url = f"sqlite:///{tmp_path / 'sessions.sqlite3'}"
    seed_training(database_url)
    at = _app(database_url, monkeypatch, tmp_path)
    assert at.slider(key=THRESHOLD).value == 80 and at.number_input(key=MIN_REVIEWERS).value == 2
    assert _counts(at) == {
        # rows, agreed, adjudicated, disagreement, too few, tie or both bad, taken without a row
        "DPO": (5, 2, 0, 2, 2, 2, 0),
        "KTO": (4, 3, 1, 1, 2, 0, 0),
        "SFT": (3, 3, 1, 1, 2, 0, 1),
    }
    assert _captions(at) == [
        "5 rows · 2 items left out for disagreement",
        "4 rows · 1 item left out for disagreement",
        "3 rows · 1 item left out for disagreement",
    ]
    for kind, label in (("dpo", "DPO pairs (JSONL)"), ("kto", "KTO rows (JSONL)"), ("sft", "SFT rows (JSONL)")):
        button = at.download_button(key=TRAINING("download", kind))
        assert button.label == label and not button.proto.disabled
        assert button.proto.deferred_file_id  # the rows are built on the click, not on every run
    assert at.radio(key=SFT_STYLE).value == "prompt_completion"

    # A looser rule takes the 2-of-3 items; three reviewers leave the two-reviewer items out.
    at.slider(key=THRESHOLD).set_value(60).run()
    assert _counts(at)["DPO"][:4] == (7, 3, 0, 1) and _counts(at)["KTO"][:4] == (5, 4, 1, 0)
    at.slider(key=THRESHOLD).set_value(80).run()
    at.number_input(key=MIN_REVIEWERS).set_value(3).run()
    assert _counts(at)["DPO"][:5] == (3, 1, 0, 1, 5) and _counts(at)["KTO"][:5] == (2, 1, 1, 1, 4)


def test_without_the_final_verdicts_the_split_item_counts_as_disagreement(tmp_path, monkeypatch):
    database_url = f"sqlite:///{tmp_path / 'sessions.sqlite3'}"
    seed_training(database_url)
    counts = _counts(_app(database_url, monkeypatch, tmp_path, adjudicated=False))
    assert counts["KTO"] == (3, 3, 0, 2, 2, 0, 0) and counts["SFT"] == (2, 3, 0, 2, 2, 0, 1)


def test_an_empty_database_says_where_training_data_comes_from(tmp_path, monkeypatch):
    at = _app(f"sqlite:///{tmp_path / 'sessions.sqlite3'}", monkeypatch, tmp_path, adjudicated=False)
    assert "No blind votes or shared-queue reviews yet" in " ".join(_captions(at))
    assert not at.get("download_button")
