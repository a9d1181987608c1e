"""``python -m honeyhive_api.emulator``: the local HoneyHive on loopback, for the SDK, curl or the studio."""

from __future__ import annotations

import argparse
import os
import sys

import uvicorn

from honeyhive_api.emulator.config import (
    DEFAULT_API_KEY,
    PROVIDERS,
    EmulatorConfig,
    default_db_path,
    default_provider,
)
from honeyhive_api.emulator.server import build


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m honeyhive_api.emulator",
        description="A local HoneyHive emulator: HoneyHive's task-based API over HTTP, data in SQLite.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="interface to listen on (default: loopback only)")
    parser.add_argument("--port", type=int, default=8787, help="port (default 8787; 0 picks a free one)")
    parser.add_argument(
        "--api-key",
        default=os.environ.get("HONEYHIVE_API_KEY") or DEFAULT_API_KEY,
        help=f"the Bearer key to accept (default: $HONEYHIVE_API_KEY, else {DEFAULT_API_KEY!r})",
    )
    parser.add_argument(
        "--db",
        default=str(default_db_path()),
        help="SQLite file (default in the user's data dir; ':memory:' allowed)",
    )
    parser.add_argument("--seed", default=None, help="YAML seed loaded into an empty database (default: shipped)")
    parser.add_argument(
        "--provider",
        choices=PROVIDERS,
        default=default_provider(),
        help="local: Gemma 3 270M on the CPU; openai: any OpenAI-compatible endpoint "
        "(HIVE_REVIEW_OPENAI_BASE_URL/_API_KEY/_MODEL); offline: deterministic echo (default: local if installed)",
    )
    parser.add_argument("--latency-ms", type=float, default=0.0, help="added latency per request")
    parser.add_argument("--error-rate", type=float, default=0.0, help="share of requests answered 503 (0-1)")
    parser.add_argument("--rate-limit", type=float, default=None, help="requests per second before 429 + Retry-After")
    parser.add_argument("--fault-seed", type=int, default=None, help="seed of the injected faults (reproducible)")
    args = parser.parse_args(argv)
    if not 0 <= args.error_rate <= 1:
        parser.error("--error-rate is a share between 0 and 1, e.g. 0.3")
    if args.rate_limit is not None and args.rate_limit <= 0:
        parser.error("--rate-limit is requests per second, more than 0")
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    config = EmulatorConfig(
        host=args.host,
        port=args.port,
        api_key=args.api_key,
        db_path=args.db,
        seed_path=args.seed,
        provider=args.provider,
        latency_ms=args.latency_ms,
        error_rate=args.error_rate,
        rate_limit=args.rate_limit,
        fault_seed=args.fault_seed,
    )
    app, _store = build(config)
    key_source = "from --api-key/HONEYHIVE_API_KEY" if args.api_key != DEFAULT_API_KEY else "the documented default"
    print(
        f"HoneyHive emulator on http://{args.host}:{args.port} (provider {args.provider}, db {args.db}, "
        f"key: {key_source})",
        file=sys.stderr,
    )
    uvicorn.run(app, host=args.host, port=args.port, log_level="info", access_log=False)


if __name__ == "__main__":
    main()
