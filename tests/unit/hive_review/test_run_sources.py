"""Each origin's own source, unless the reviewer set one in the sidebar."""

from __future__ import annotations

import pytest

from hive_review.run_sources import BLIND_AB_SOURCE, COMPARE_SOURCE, INGEST_SOURCE, source_for
from hive_review.settings import SOURCE_DEFAULT


@pytest.mark.parametrize("origin", [COMPARE_SOURCE, BLIND_AB_SOURCE, INGEST_SOURCE])
@pytest.mark.parametrize(
    ("sidebar", "chosen"), [(SOURCE_DEFAULT, None), ("", None), ("  ", None), (" nightly-eval ", "nightly-eval")]
)
def test_an_origin_sends_its_own_source_unless_the_reviewer_set_one(origin: str, sidebar: str, chosen: str | None):
    assert source_for(sidebar, origin) == (chosen or origin)


def test_the_sources_are_distinct_and_none_is_the_playgrounds() -> None:
    sources = {COMPARE_SOURCE, BLIND_AB_SOURCE, INGEST_SOURCE}
    assert len(sources) == 3 and SOURCE_DEFAULT not in sources
