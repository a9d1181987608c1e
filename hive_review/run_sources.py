"""The ``source`` each origin sends its runs with: HoneyHive filters by it (a free-form string in both
APIs: the task API's ``source`` field and the current API's event ``source``), so runs made one by one
in the Playground are not mixed with a batch's, a comparison's or an ingested file's.

A source the reviewer sets in the sidebar wins everywhere; the sidebar's default names the
Playground, so left as it is each other origin sends its own.
"""

from __future__ import annotations

from typing import Final

from hive_review.settings import SOURCE_DEFAULT

PLAYGROUND_SOURCE: Final = SOURCE_DEFAULT  # "playground": the sidebar's default
BATCH_SOURCE: Final = "batch"
COMPARE_SOURCE: Final = "compare"  # side-by-side comparisons
BLIND_AB_SOURCE: Final = "blind-ab"  # blind A/B votes
INGEST_SOURCE: Final = "ingest"  # completions made elsewhere, logged through /generations/log


def source_for(chosen: str, origin_source: str) -> str:
    """The source to send: the one the reviewer set in the sidebar, else the origin's own."""
    chosen = chosen.strip()
    return chosen if chosen and chosen != SOURCE_DEFAULT else origin_source
