"""The review queue's keys for a rubric: digits for its first scale, U/D for thumbs, and a letter
for each value of its categorical and pass/fail dimensions (the first letter of the value's name
that is free, so two values never share a key). The queue's own keys (N, S, B, U, D, Ctrl+Enter, ?)
and Streamlit's (R reruns, C clears the cache) are never given to a value.

With the default rubric this gives exactly the keys the queue always had: U/D thumbs, 1-5 stars.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from typing import Any

from hive_review.rubrics.models import SCALE_VALUES, Rubric, dimension_part

# The queue's own keys, in the order the overlay lists them ("enter" is Ctrl+Enter).
QUEUE_KEYS: tuple[tuple[str, str], ...] = (
    ("n", "Complete and next: submit the rating and move on"),
    ("s", "Skip to the next item"),
    ("b", "Back to the previous item"),
    ("enter", "Ctrl+Enter: submit the rating without moving on"),
    ("?", "Show or hide this list of keys"),
)
_NEVER_A_VALUE = frozenset({"n", "s", "b", "u", "d", "r", "c"})  # the queue's and Streamlit's
_THUMBS = {"u": ("up", 1), "d": ("down", 0)}  # st.feedback("thumbs"): 1 up, 0 down


@dataclass(frozen=True)
class RatingKey:
    """A key that sets part of the rating: the form's part, the value its widget takes, and what
    the overlay says about it."""

    key: str
    part: str
    widget_value: Any
    says: str


def rating_keys(rubric: Rubric) -> list[RatingKey]:
    """Every key that sets part of a rating under this rubric, in the overlay's order."""
    keys: list[RatingKey] = []
    thumbs = rubric.dimension("thumbs")
    if thumbs is not None:
        keys.extend(RatingKey(key, "thumbs", index, f"Thumbs {word}") for key, (word, index) in _THUMBS.items())
    scale = next((d for d in rubric.dimensions if d.kind == "scale"), None)
    if scale is not None:
        part = "stars" if scale.builtin else dimension_part(scale.name)
        title = "Stars" if scale.builtin else scale.name
        for value in SCALE_VALUES:
            meaning = scale.value_help(value)
            keys.append(
                RatingKey(str(value), part, value - 1, f"{title}: {value}" + (f" ({meaning})" if meaning else ""))
            )
    taken = set(_NEVER_A_VALUE)
    for dimension in rubric.custom_dimensions:
        if dimension.kind not in ("categorical", "pass_fail"):
            continue
        names = list(dimension.values) if dimension.kind == "categorical" else ["pass", "fail"]
        for name in names:
            letter = _free_letter(name, taken)
            if letter is None:
                continue  # 19 letters are free; a rubric with more values than that goes without
            taken.add(letter)
            keys.append(RatingKey(letter, dimension_part(dimension.name), name, f"{dimension.name}: {name}"))
    return keys


def _free_letter(name: str, taken: set[str]) -> str | None:
    """The first letter of ``name`` no other key has, else the first free letter of the alphabet."""
    for letter in [*name.lower(), *string.ascii_lowercase]:
        if letter in string.ascii_lowercase and letter not in taken:
            return letter
    return None


def rating_key_parts(rubric: Rubric) -> dict[str, tuple[str, Any]]:
    """Key -> (the form's part, its widget value): what ``widget_part_for_key`` looks keys up in."""
    return {k.key: (k.part, k.widget_value) for k in rating_keys(rubric)}


def queue_key_names(rubric: Rubric) -> frozenset[str]:
    """Every key the review queue listens to under this rubric."""
    return frozenset({*(k.key for k in rating_keys(rubric)), *(key for key, _ in QUEUE_KEYS)})


def key_list(rubric: Rubric) -> list[tuple[str, str]]:
    """(key as shown, what it does) for the ``?`` overlay: the rubric's keys, then the queue's."""
    shown = {"enter": "Ctrl+Enter", "?": "?"}
    rating = [(k.key.upper(), k.says) for k in rating_keys(rubric)]
    return [*rating, *((shown.get(key, key.upper()), says) for key, says in QUEUE_KEYS)]
