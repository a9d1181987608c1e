"""Gold items in "Share with the team": how many to mix in, and the mixing itself when the queue
is created (``hive_review.quality.gold_mix``)."""

from __future__ import annotations

import secrets
from collections.abc import Sequence

import streamlit as st

from hive_review.quality.gold_mix import DEFAULT_EVERY, gold_count, mix_gold
from hive_review.quality.gold_store import all_gold_items
from ui.context import Studio
from ui.quality_keys import GOLD


def render_gold_rate(studio: Studio, items: int) -> None:
    """The rate of gold items, when the pool has any (uploaded on the Adjudication page)."""
    pool = len(all_gold_items(studio.stores.database))
    if not pool:
        st.caption("No gold items yet: upload some on the Adjudication page to check reviewers as they go.")
        return
    every = st.number_input(
        "Gold items: one in", min_value=0, max_value=100, value=DEFAULT_EVERY, key=GOLD.every,
        help="Items with a known verdict, mixed in unannounced at random places; 0 mixes in none. Reviewers' "
        "accuracy on them shows on Numbers. Their ratings are never sent to HoneyHive.",
    )  # fmt: skip
    st.caption(f"{gold_count(items, int(every or 0), pool)} of the {pool:,} gold items go in.")


def with_gold(studio: Studio, generation_ids: Sequence[str]) -> list[str]:
    """The items to share with gold items mixed in, at the rate set above (none without a pool)."""
    pool = [item.generation_id for item in all_gold_items(studio.stores.database)]
    every = int(st.session_state.get(GOLD.every, DEFAULT_EVERY) or 0)
    return mix_gold(generation_ids, pool, every=every, seed=secrets.randbits(32))
