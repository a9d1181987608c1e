"""Team mode: shared review queues, reviewed together from several studio processes on one database.

A queue (from a batch, a filter of the log, or a HoneyHive annotation queue) lists log rows. Its
settings: reviews per item (``overlap``; 1, or 2-3 to measure agreement) and how long an opened
item stays reserved to its reviewer (``reservation_seconds``, 10 minutes by default).

* ``next_item`` reserves to a reviewer the first item they have neither reviewed nor skipped that
  still has a free slot: fewer completed reviews plus live reservations of others than ``overlap``.
  With overlap 2 two reviewers may hold one item at once; one reviewer never gets it twice.
* A reservation that expires returns its slot to the pool; ``skip`` means "not me": the slot
  returns to the others, and the item is never offered to that reviewer again.
* ``submit_review`` is the ordinary rating flow (log row, outbox item for HoneyHive) plus the
  queue's review, in one transaction. The log holds one rating per generation (the latest, which
  is also what HoneyHive ends with); ``shared_reviews`` keeps every reviewer's, for agreement.
* Commit, then reveal: a reviewer's first review of an item is their blind verdict (given before
  the UI reveals its variant, model and the others' reviews), kept in ``shared_reviews``; a later
  change is a revision (``shared_review_revisions``). Agreement uses the blind verdicts only.
* ``progress`` and ``agreement`` read the shared database each time they are asked: live.

Modules: ``tables`` (schema), ``models`` (what the store returns), ``reservations`` (slots and the
locks that keep processes from handing one out twice), ``progress``, ``agreement``, ``store``.
"""

from hive_review.team.agreement import DimensionAgreement, PairAgreement, QueueAgreement
from hive_review.team.models import (
    QueueError,
    QueueItem,
    QueueProgress,
    ReservationLost,
    ReviewerProgress,
    SharedQueue,
)
from hive_review.team.store import SharedQueues

__all__ = [
    "DimensionAgreement",
    "PairAgreement",
    "QueueAgreement",
    "QueueError",
    "QueueItem",
    "QueueProgress",
    "ReservationLost",
    "ReviewerProgress",
    "SharedQueue",
    "SharedQueues",
]
