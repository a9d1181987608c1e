"""Settings resolution, template variables and input checks: plain functions, no server needed."""

from __future__ import annotations

import pytest

from hive_review.runs.inputs import MAX_INPUT_CHARS, input_problems
from hive_review.settings import ConnectionSettings, resolve_connection
from honeyhive_api import DEFAULT_BASE_URL
from honeyhive_api.streaming import decode_events, encode_event
from honeyhive_api.templates import missing_variables, prompt_variables, render_template, template_variables


def test_secrets_win_over_the_environment_and_the_sidebar():
    settings = resolve_connection(
        {"HONEYHIVE_API_KEY": "from-secrets"},
        {"HONEYHIVE_API_KEY": "from-env", "HONEYHIVE_BASE_URL": "http://127.0.0.1:9"},
        sidebar_key="typed",
    )
    assert settings is not None
    assert settings.api_key == "from-secrets"
    assert settings.key_source == "secrets"
    assert settings.base_url == "http://127.0.0.1:9"


def test_environment_then_sidebar_then_nothing():
    from_env = resolve_connection({}, {"HONEYHIVE_API_KEY": " from-env "})
    assert from_env is not None and from_env.api_key == "from-env" and from_env.key_source == "environment"
    typed = resolve_connection({}, {}, sidebar_key="typed", sidebar_base_url="")
    assert typed is not None and typed.key_source == "sidebar" and typed.base_url == DEFAULT_BASE_URL
    assert resolve_connection({}, {"HONEYHIVE_API_KEY": "  "}) is None


def test_the_key_stays_out_of_repr_and_the_fingerprint():
    settings = ConnectionSettings(base_url=DEFAULT_BASE_URL, api_key="hh-canary-secret", key_source="environment")
    assert "hh-canary-secret" not in repr(settings)
    assert "hh-canary-secret" not in settings.fingerprint
    other = ConnectionSettings(base_url=DEFAULT_BASE_URL, api_key="another", key_source="environment")
    assert settings.fingerprint != other.fingerprint


def test_template_variables_in_order_without_duplicates():
    text = "Write to {{ audience }} about {{topic}} in a {{tone}} tone. Again: {{topic}}."
    assert template_variables(text) == ["audience", "topic", "tone"]
    assert prompt_variables(text, ["tone"]) == ["tone", "audience", "topic"]
    assert template_variables("No variables here, {not one}.") == []


def test_render_template_is_single_pass_and_names_unknown_variables():
    assert render_template("Hi {{name}}", {"name": "{{name}}"}) == "Hi {{name}}"
    with pytest.raises(KeyError, match="tone"):
        render_template("{{topic}} {{tone}}", {"topic": "x"})


def test_missing_and_blank_values_are_named():
    assert missing_variables(["topic", "tone", "x"], {"topic": "a", "tone": "  "}) == ["tone", "x"]
    problems = input_problems(["topic", "tone"], {"topic": "", "tone": ""})
    assert problems == ["Fill in the input variables `topic`, `tone`: the prompt needs a value for each."]


def test_an_oversized_value_is_named_with_its_size_and_the_limit():
    problems = input_problems(["topic"], {"topic": "x" * (MAX_INPUT_CHARS + 1)})
    assert len(problems) == 1
    assert f"{MAX_INPUT_CHARS + 1:,} characters" in problems[0]
    assert f"limit is {MAX_INPUT_CHARS:,}" in problems[0]
    assert input_problems([], {}) == []


def test_stream_events_round_trip_including_newlines_and_unicode():
    raw = b"".join(
        [
            encode_event("chunk", {"text": "line one\nline two"}),
            encode_event("chunk", {"text": "مرحبا 👋"}),
            b": keep-alive\n\n",
            encode_event("done", {"generation_id": "g1", "version": "v1", "generation": "x"}),
        ]
    )
    events = list(decode_events(raw.decode().split("\n")))
    assert [e.event for e in events] == ["chunk", "chunk", "done"]
    assert events[0].data["text"] == "line one\nline two"
    assert events[1].data["text"] == "مرحبا 👋"
    assert events[2].data["generation_id"] == "g1"


def test_the_shipped_streamlit_config_is_hardened() -> None:
    import tomllib
    from pathlib import Path

    root = Path(__file__).resolve().parents[3]
    config = tomllib.loads((root / ".streamlit" / "config.toml").read_text())
    assert config["server"]["headless"] is True
    assert config["server"]["address"] == "127.0.0.1"
    assert config["server"]["enableXsrfProtection"] is True
    assert config["server"]["allowedHosts"] == ["localhost", "127.0.0.1"]
    assert config["server"]["maxUploadSize"] <= 20
    assert config["browser"]["gatherUsageStats"] is False
    assert config["client"]["showErrorDetails"] in ("type", "none", False)
    ignored = (root / ".gitignore").read_text().splitlines()
    assert ".streamlit/secrets.toml" in ignored
    assert (root / ".streamlit" / "secrets.toml.example").is_file()
