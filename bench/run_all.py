"""Run every benchmark, one after another (each in its own process, so none disturbs another):
``python -m bench.run_all [--quick]``. Exits non-zero if any script failed."""

from __future__ import annotations

import subprocess
import sys
import time

from bench._common import ROOT

SCRIPTS = (
    "batch_throughput",
    "client_overhead",
    "log_page_rerun",
    "exports",
    "emulator_throughput",
    "local_model",
    "browser_stream_and_fragment",
    "team_database",
    "log_load",
    "log_revisit",
    "current_first_token",
    "current_batch",
    "emulator_current",
    "local_model_batch",
)


def main() -> None:
    extra = sys.argv[1:]
    failed = []
    for name in SCRIPTS:
        print(f"\n===== bench.{name} {' '.join(extra)}", flush=True)
        start = time.perf_counter()
        code = subprocess.call([sys.executable, "-m", f"bench.{name}", *extra], cwd=ROOT)
        print(f"===== bench.{name}: exit {code} after {time.perf_counter() - start:.0f} s", flush=True)
        if code:
            failed.append(name)
    if failed:
        sys.exit(f"failed: {', '.join(failed)}")


if __name__ == "__main__":
    main()
