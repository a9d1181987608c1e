"""The two state machines of feedback, named once.

``FeedbackStatus`` is what a log row shows for its generation's feedback; ``DeliveryState`` is
where one queued delivery (a rating or a vote) stands in the outbox.
"""

from __future__ import annotations

from enum import StrEnum


class FeedbackStatus(StrEnum):
    """A log row's feedback, as the reviewer sees it."""

    UNRATED = "unrated"  # no rating or vote given yet
    PENDING = "pending"  # given, on its way (retrying shows the last error)
    SENT = "sent"  # every delivery of it arrived
    FAILED = "failed"  # a delivery was refused for good, or gave up: the reviewer can retry


class DeliveryState(StrEnum):
    """One outbox item."""

    PENDING = "pending"  # due at ``next_attempt_at``
    SENDING = "sending"  # leased to one outbox, which is sending it now
    SENT = "sent"
    FAILED = "failed"
    SUPERSEDED = "superseded"  # a later rating of the same generation replaced it


class DeliveryKind(StrEnum):
    RATING = "rating"  # a later rating of the generation supersedes it
    VOTE = "vote"  # a blind A/B vote: its keys are its own, nothing supersedes it
