"""How far a shared queue has come: per queue and per reviewer, read from the shared database."""

from __future__ import annotations

from collections import Counter

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from hive_review.team.models import QueueProgress, ReviewerProgress, SharedQueue
from hive_review.team.tables import RESERVED, SKIPPED, shared_queue_items, shared_queue_reservations, shared_reviews

_items = shared_queue_items.c
_holds = shared_queue_reservations.c
_reviews = shared_reviews.c


def queue_progress(db: Connection, queue: SharedQueue, now: float) -> QueueProgress:
    total = int(db.execute(sa.select(sa.func.count()).where(_items.queue_id == queue.id)).scalar() or 0)
    per_item = db.execute(
        sa.select(_reviews.generation_id, sa.func.count())
        .where(_reviews.queue_id == queue.id)
        .group_by(_reviews.generation_id)
    ).all()
    reviewed = Counter(
        dict(
            db.execute(
                sa.select(_reviews.reviewer, sa.func.count())
                .where(_reviews.queue_id == queue.id)
                .group_by(_reviews.reviewer)
            ).all()
        )
    )
    live = sa.or_(_holds.status == SKIPPED, _holds.expires_at > now)  # an expired reservation holds nothing
    holds = db.execute(
        sa.select(_holds.reviewer, _holds.status, sa.func.count())
        .where(_holds.queue_id == queue.id, live)
        .group_by(_holds.reviewer, _holds.status)
    ).all()
    skipped = Counter({who: int(n) for who, status, n in holds if status == SKIPPED})
    reserved = Counter({who: int(n) for who, status, n in holds if status == RESERVED})
    reviewers = {
        who: ReviewerProgress(reviewed=int(reviewed[who]), skipped=skipped[who], reserved=reserved[who])
        for who in sorted(set(reviewed) | set(skipped) | set(reserved))
    }
    return QueueProgress(
        queue_id=queue.id,
        items_total=total,
        items_done=sum(1 for _, n in per_item if n >= queue.overlap),
        reviews_done=sum(int(n) for _, n in per_item),
        reviews_needed=total * queue.overlap,
        reserved=sum(reserved.values()),
        reviewers=reviewers,
    )
