"""A local HoneyHive: the same HTTP contract, data in SQLite, completions from a real local model.

Run it alone with ``python -m honeyhive_api.emulator`` or in-process with ``EmulatorServer``.
"""

from honeyhive_api.emulator.config import (
    DEFAULT_API_KEY,
    DEFAULT_MAX_BODY_BYTES,
    PROVIDERS,
    EmulatorConfig,
    default_db_path,
    default_provider,
    local_model_installed,
)
from honeyhive_api.emulator.server import EmulatorServer, build

__all__ = [
    "DEFAULT_API_KEY",
    "DEFAULT_MAX_BODY_BYTES",
    "PROVIDERS",
    "EmulatorConfig",
    "EmulatorServer",
    "build",
    "default_db_path",
    "default_provider",
    "local_model_installed",
]
