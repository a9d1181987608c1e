"""Every benchmark script runs end to end at tiny sizes (``--quick``). No assertion on timings."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_quick(name: str, timeout: int = 240) -> str:
    done = subprocess.run(
        [sys.executable, "-m", f"bench.{name}", "--quick"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "ratio:" in done.stdout, done.stdout
    return done.stdout


@pytest.mark.slow
def test_batch_throughput() -> None:
    run_quick("batch_throughput")


@pytest.mark.slow
def test_client_overhead() -> None:
    run_quick("client_overhead")


@pytest.mark.slow
def test_log_page_rerun() -> None:
    run_quick("log_page_rerun")


@pytest.mark.slow
def test_exports() -> None:
    run_quick("exports")


@pytest.mark.slow
def test_emulator_throughput() -> None:
    run_quick("emulator_throughput")


@pytest.mark.slow
def test_team_database() -> None:
    # Starts its own PostgreSQL server (Debian's binaries), like the PostgreSQL variants of the tests.
    run_quick("team_database")


@pytest.mark.local_model
def test_local_model() -> None:
    run_quick("local_model", timeout=280)


@pytest.mark.slow
def test_log_load() -> None:
    # SQLite, then a PostgreSQL server of its own (Debian's binaries), like team_database.
    run_quick("log_load")


@pytest.mark.slow
def test_log_revisit() -> None:
    run_quick("log_revisit")


@pytest.mark.slow
def test_current_first_token() -> None:
    run_quick("current_first_token")


@pytest.mark.slow
def test_current_batch() -> None:
    run_quick("current_batch")


@pytest.mark.slow
def test_emulator_current() -> None:
    run_quick("emulator_current")


@pytest.mark.local_model
def test_local_model_batch() -> None:
    run_quick("local_model_batch", timeout=280)


@pytest.mark.browser
def test_browser_stream_and_fragment() -> None:
    run_quick("browser_stream_and_fragment", timeout=280)
