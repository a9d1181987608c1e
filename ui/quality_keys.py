"""The widget keys of the Adjudication page, the gold items' widgets (on that page and in "Share
with the team") and the reviewer table on Numbers: one ``PageKeys`` each, as ``ui.state`` builds
the other pages' keys (prefixes of their own, so no key collides with another page's)."""

from __future__ import annotations

from ui.state import PageKeys


class AdjudicationKeys(PageKeys):
    def __init__(self) -> None:
        super().__init__("adjudication")
        self.queue = self("queue")
        self.item = self("item")
        self.message = self("message")  # the last verdict's problem, shown beside the form
        self.export_csv = self("export", "csv")
        self.export_jsonl = self("export", "jsonl")

    def verdict(self, part: str, queue_id: str, generation_id: str) -> str:
        """One widget of the verdict form of one item (thumbs, stars, labels, comment, submit)."""
        return self("verdict", part, queue_id, generation_id)


class GoldKeys(PageKeys):
    def __init__(self) -> None:
        super().__init__("gold")
        self.file = self("file")
        self.task = self("task")
        self.add = self("add")
        self.added = self("added")  # the uploads added in this browser session (not added twice)
        self.every = self("every")  # "Share with the team": one gold item in this many


class ReviewerQualityKeys(PageKeys):
    def __init__(self) -> None:
        super().__init__("quality")
        self.reviewers = self("reviewers")
        self.trend = self("trend")
        self.variants = self("variants")


ADJUDICATION = AdjudicationKeys()
GOLD = GoldKeys()
REVIEWER_QUALITY = ReviewerQualityKeys()
