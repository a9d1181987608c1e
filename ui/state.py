"""Session-state and widget keys in one place, so two widgets can never collide on a key by accident.

The sidebar and the rating form use ``Keys`` and ``rating_key``. Each page builds every key it
uses through its own ``PageKeys`` below (one prefix per page), and tests find the page's widgets
through the same object; they read what a page produced from the page or the stores, never from
its session state.
"""

from __future__ import annotations

from enum import StrEnum


class Keys(StrEnum):
    API_KEY_INPUT = "connection.api_key"
    API_CHOICE = "connection.api"
    ENVIRONMENT = "connection.environment"
    BASE_URL_INPUT = "connection.base_url"
    REVIEWER = "connection.reviewer"
    SOURCE = "connection.source"
    SESSION_ID = "session.id"
    SESSION_PICKER = "session.picker"
    NEW_SESSION = "session.new"
    DRAFTS = "rating.drafts"  # unsent rating edits per generation id: survive page switches


def rating_key(generation_id: str, part: str) -> str:
    return f"rating.{generation_id}.{part}"


class PageKeys:
    """The keys of one page: ``<page>.<name>``, or ``<page>.<name>.<part>…`` for one per task,
    variable or button."""

    def __init__(self, page: str) -> None:
        self.page = page
        # The "try again" button under a failed listing of tasks or prompts.
        self.try_again = self("try_again")

    def __call__(self, name: str, *parts: object) -> str:
        return ".".join([self.page, name, *(str(part) for part in parts)])


class PlaygroundKeys(PageKeys):
    def __init__(self) -> None:
        super().__init__("playground")
        self.task = self("task")
        self.markdown_view = self("markdown_view")

    def variant(self, task: str) -> str:
        return self("variant", task)

    def form(self, task: str) -> str:
        return self("form", task)

    def input(self, task: str, variable: str) -> str:
        """Each task keeps its own input values, so switching tasks and back keeps what was typed."""
        return self("input", task, variable)

    def saved_inputs(self, task: str) -> str:
        return self("saved", task)


class CompareKeys(PageKeys):
    # The page's two input forms, each keeping its own values.
    SIDE_BY_SIDE_FORM = "side"
    BLIND_FORM = "blind"

    def __init__(self) -> None:
        super().__init__("compare")
        self.task = self("task")
        self.mode = self("mode")
        self.last_run = self("last_run")  # (variant, generation id, error) of the last side-by-side run
        self.blind_pair = self("blind", "pair")  # the blind pair being judged
        self.seed = self("blind", "seed")  # this reviewer's seed for side orders
        self.vote_a = self("blind", "vote", "a")
        self.vote_tie = self("blind", "vote", "tie")
        self.vote_b = self("blind", "vote", "b")
        self.next_pair = self("blind", "next")
        self.summary = self("summary")
        self.preference_pairs = self("dpo")

    def variants(self, task: str) -> str:
        return self("variants", task)

    def blind_variants(self, task: str) -> str:
        return self("blind", "variants", task)

    def form(self, form: str, task: str) -> str:
        return self(form, "form", task)

    def input(self, form: str, task: str, variable: str) -> str:
        return self(form, "input", task, variable)


class BatchKeys(PageKeys):
    def __init__(self) -> None:
        super().__init__("batch")
        self.task = self("task")
        self.file = self("file")
        self.repeats = self("repeats")
        self.concurrency = self("concurrency")
        self.start = self("start")
        self.current = self("current")  # the batch shown below the form
        self.view = self("view")
        self.cancel = self("cancel")
        self.resume = self("resume")
        self.failed = self("failed")
        self.retry_failed = self("retry_failed")
        self.stability = self("stability")

    def variants(self, task: str) -> str:
        return self("variants", task)

    def column_of(self, task: str, variable: str) -> str:
        return self("map", task, variable)


class IngestKeys(PageKeys):
    def __init__(self) -> None:
        super().__init__("ingest")
        self.task = self("task")
        self.file = self("file")
        self.log_them = self("go")
        self.batch_id = self("batch_id")  # the last logged file: its rows are shown for rating
        self.result = self("result")
        self.page_number = self("page")


class ReviewQueueKeys(PageKeys):
    def __init__(self) -> None:
        super().__init__("queue")
        self.source = self("source")
        self.queue = self("ids")
        self.built_from = self("built_from")
        self.position = self("position")
        self.rebuild = self("rebuild")
        self.back = self("back")
        self.skip = self("skip")
        self.complete_and_next = self("next")
        self.blind = self("blind")  # hide what produced an item until it is rated (commit, then reveal)
        # Team mode: sharing the current source, and working a shared queue.
        self.share_name = self("share", "name")
        self.share_overlap = self("share", "overlap")
        self.share_minutes = self("share", "minutes")
        self.share_go = self("share", "go")
        self.share_message = self("share", "message")
        self.shared_held = self("shared", "held")  # queue id -> the item reserved to this session
        self.shared_message = self("shared", "message")  # generation id -> why completing it failed
        self.shared_lost = self("shared", "lost")  # why the last review was not saved (reservation lost)
        self.shared_skip = self("shared", "skip")
        self.shared_next = self("shared", "next")


class SessionLogKeys(PageKeys):
    def __init__(self) -> None:
        super().__init__("log")
        self.scope = self("scope")
        self.table = self("table")
        self.summary = self("summary")
        self.import_file = self("import", "file")
        self.import_go = self("import", "go")

    def filter(self, column: str) -> str:
        return self("filter", column)

    def export(self, format_name: str) -> str:
        return self("export", format_name)


class NumbersKeys(PageKeys):
    def __init__(self) -> None:
        super().__init__("numbers")
        self.task = self("task")
        self.summary = self("summary")
        self.agreement_files = self("agreement", "files")
        self.include_own = self("agreement", "own")
        self.agreement = self("agreement")
        self.preference_pairs = self("dpo")


PLAYGROUND = PlaygroundKeys()
COMPARE = CompareKeys()
BATCH = BatchKeys()
INGEST = IngestKeys()
REVIEW_QUEUE = ReviewQueueKeys()
SESSION_LOG = SessionLogKeys()
NUMBERS = NumbersKeys()


def input_key(task: str, variable: str) -> str:
    """The Playground's text area of ``variable`` for ``task``."""
    return PLAYGROUND.input(task, variable)
