"""The outbox table, where every rating, vote and event waits for delivery, and the item one
outbox leases from it to send (``Delivery``). The rules of queueing and leasing are
``hive_review.feedback.queue``'s; the event lane's group claims are ``event_items``'.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from hive_review.db import metadata
from hive_review.feedback.status import DeliveryKind, DeliveryState

feedback_outbox = sa.Table(
    "feedback_outbox",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("generation_id", sa.String(200), nullable=False, index=True),
    sa.Column("task", sa.Text, nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("feedback_json", sa.Text, nullable=False),
    sa.Column("ground_truth", sa.Text),
    sa.Column("status", sa.String(16), nullable=False, index=True),
    sa.Column("attempts", sa.Integer, nullable=False, default=0),
    sa.Column("next_attempt_at", sa.Float, nullable=False),
    sa.Column("last_error", sa.Text),
    sa.Column("created_at", sa.Text, nullable=False),
    sa.Column("sent_at", sa.Text),
    # NULL only in databases made before connections were recorded: any connection may send those.
    sa.Column("connection_id", sa.String(64), index=True),
    sa.Column("lease_owner", sa.String(100)),
    sa.Column("lease_until", sa.Float),
)
# The states an item can still leave: a new rating supersedes those, and an unsent event holds its feedback.
OPEN_STATES = (DeliveryState.PENDING, DeliveryState.SENDING, DeliveryState.FAILED)
# The kind of an item that creates a generation's event (current API); its body is the event.
EVENT_KIND = "event"


@dataclass(frozen=True)
class Delivery:
    """An outbox item leased to one outbox for sending."""

    id: str
    generation_id: str
    task: str
    feedback_json: dict[str, Any]
    ground_truth: str | None
    attempts: int
    owner: str
    kind: str = DeliveryKind.RATING.value

    @classmethod
    def leased(cls, row: Mapping[str, Any], owner: str) -> Delivery:
        """The item of an outbox row just leased to ``owner`` (its attempt counted)."""
        return cls(
            id=row["id"],
            generation_id=row["generation_id"],
            task=row["task"],
            feedback_json=json.loads(row["feedback_json"]),
            ground_truth=row["ground_truth"],
            attempts=row["attempts"] + 1,
            owner=owner,
            kind=row["kind"],
        )
