"""How the log's summaries name a variant: as the Numbers page does, its prompt name and its version
(``email-writer-v2-concise (v2)``), not a bare version ("1", "2", "3") a reader must look up."""

from __future__ import annotations

import re
from typing import Final

import numpy as np
import pandas as pd

from hive_review.log import columns as col

VARIANT: Final = "variant"  # the column a summary is keyed by: ``variant_labels``
_NUMBERED_VERSION: Final = re.compile(r"\d+(\.\d+)*")


def variant_label(prompt_name: str, version: str) -> str:
    """``email-writer-v2 (v2)``; the version alone where the log has no prompt name. Only a numbered
    version gets its ``v``: one that names itself (``v7``, ``logged`` for an ingested completion, a
    configuration's id on the current API) is shown as it is, never ``vv7`` or ``vlogged``."""
    version_text = _version_text(version)
    return f"{prompt_name} ({version_text})" if prompt_name else version_text


def _version_text(version: str) -> str:
    if not version:
        return "no version"
    return f"v{version}" if _NUMBERED_VERSION.fullmatch(version) else version


def _present(value: object) -> str:
    return "" if value is None or value != value else str(value)  # NaN is unequal to itself


def _most_common_name(names: pd.Series) -> str:
    named = names.dropna().astype(str)
    named = named[named != ""]
    return str(named.mode().iloc[0]) if len(named) else ""  # mode is sorted: the first name on a tie


def variant_labels(frame: pd.DataFrame) -> pd.Series:
    """Each row's variant by ``variant_label``: within its task, the prompt name most rows of its
    version carry (the first in order on a tie, as Numbers picks it), and the version."""
    if frame.empty:
        return pd.Series([], index=frame.index, dtype=object)
    # A log holds 100k rows but a few variants: each label is made once, for its (task, version).
    groups = frame.groupby([col.TASK, col.PROMPT_VERSION], dropna=False, sort=False, observed=True)
    names = groups[col.PROMPT_NAME].agg(_most_common_name)
    labels = np.array([variant_label(name, _present(version)) for (_, version), name in names.items()], dtype=object)
    return pd.Series(labels[groups.ngroup().to_numpy()], index=frame.index, dtype=object)
