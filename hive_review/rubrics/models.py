"""A rubric: what reviewers judge in a completion (its dimensions) and how (its guidelines), as a
YAML file a lead writes or edits on the Rubrics page.

Dimensions have one of four kinds: ``scale`` (1-5, each value may have a description),
``categorical`` (named values), ``pass_fail`` and ``text``. Five dimension names are the rating
form's own parts and keep their widgets, keys and ``feedback_json`` keys: ``thumbs`` (pass_fail:
``accepted``), ``stars`` (scale: ``rating``), ``labels`` (categorical, several at once, from the
settings' labels when the rubric lists none), ``comment`` (text) and ``ideal_answer`` (text: sent as
``ground_truth``). Any other dimension goes into ``feedback_json`` under its own name.

The default rubric is today's form: those five parts, nothing else.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

Kind = Literal["scale", "categorical", "pass_fail", "text"]
KINDS: tuple[str, ...] = ("scale", "categorical", "pass_fail", "text")
SCALE_VALUES: tuple[int, ...] = (1, 2, 3, 4, 5)
PASS_FAIL_VALUES: tuple[str, ...] = ("pass", "fail")

DEFAULT_RUBRIC_NAME = "default"
# The form's own parts: dimension name -> the kind it must have.
BUILTIN_KINDS: dict[str, str] = {
    "thumbs": "pass_fail",
    "stars": "scale",
    "labels": "categorical",
    "comment": "text",
    "ideal_answer": "text",
}
# Keys feedback_json holds already: a dimension of another kind under one of them would clash.
RESERVED_NAMES: frozenset[str] = frozenset(
    {"accepted", "rating", "reviewer", "rated_at", "rating_id", "rubric", "rubric_version", "ground_truth",
     "preference", "comparison_id", "position", "opponent_version"}  # a blind vote's keys, on the same event
)  # fmt: skip


class RubricError(ValueError):
    """A rubric that cannot be used; the message names the problem and the fix."""


class Dimension(BaseModel):
    """One thing reviewers judge."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    kind: Kind
    description: str = ""
    # scale: 1..5 -> what that value means; categorical: value -> what it means (the named values)
    values: dict[str, str] = Field(default_factory=dict)

    @field_validator("name")
    @classmethod
    def _name(cls, name: str) -> str:
        name = name.strip()
        if not name:
            raise ValueError("a dimension needs a name")
        if name in RESERVED_NAMES:
            raise ValueError(f"'{name}' is a key feedback_json uses already; rename the dimension")
        return name

    @field_validator("values", mode="before")
    @classmethod
    def _values(cls, values: Any) -> Any:
        if values is None:
            return {}
        if isinstance(values, list):  # a plain list of categories, no descriptions
            return {str(value): "" for value in values}
        if isinstance(values, Mapping):
            return {str(key): "" if text is None else str(text) for key, text in values.items()}
        return values

    @model_validator(mode="after")
    def _fits_kind(self) -> Dimension:
        builtin = BUILTIN_KINDS.get(self.name)
        if builtin is not None and self.kind != builtin:
            raise ValueError(f"'{self.name}' is the form's own {builtin} part; give it kind: {builtin}, or rename it")
        if self.kind == "scale":
            wrong = [key for key in self.values if key not in {str(v) for v in SCALE_VALUES}]
            if wrong:
                raise ValueError(f"a scale's values are 1 to 5, not {', '.join(wrong)}; describe only 1-5")
        elif self.kind == "categorical":
            if not self.values and self.name != "labels":
                raise ValueError("a categorical dimension needs values: list its named values under 'values'")
            if any(not key.strip() for key in self.values):
                raise ValueError("a categorical value needs a name")
        elif self.kind == "pass_fail":
            wrong = [key for key in self.values if key not in PASS_FAIL_VALUES]
            if wrong:
                raise ValueError(f"pass_fail values are 'pass' and 'fail', not {', '.join(wrong)}")
        elif self.values:
            raise ValueError("a text dimension has no values; remove 'values' or use kind: categorical")
        return self

    @property
    def builtin(self) -> bool:
        """Whether this is one of the rating form's own parts (see the module docstring)."""
        return self.name in BUILTIN_KINDS

    def value_help(self, value: object) -> str:
        return self.values.get(str(value), "")


class Rubric(BaseModel):
    """Dimensions and guidelines under a name; ``version`` is given by the store on saving."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    version: int = 1
    guidelines: str = ""
    dimensions: list[Dimension]

    @field_validator("name")
    @classmethod
    def _name(cls, name: str) -> str:
        name = name.strip()
        if not name:
            raise ValueError("a rubric needs a name")
        return name

    @model_validator(mode="after")
    def _distinct(self) -> Rubric:
        if not self.dimensions:
            raise ValueError("a rubric needs at least one dimension under 'dimensions'")
        seen: set[str] = set()
        for dimension in self.dimensions:
            if dimension.name in seen:
                raise ValueError(f"two dimensions are named '{dimension.name}'; give each its own name")
            seen.add(dimension.name)
        return self

    @property
    def custom_dimensions(self) -> list[Dimension]:
        """The dimensions that are not the form's own parts (they go into ``Rating.dimensions``)."""
        return [d for d in self.dimensions if not d.builtin]

    def dimension(self, name: str) -> Dimension | None:
        return next((d for d in self.dimensions if d.name == name), None)

    def content(self) -> dict[str, Any]:
        """What the rubric says, without its version: two saves with equal content are one version."""
        return self.model_dump(exclude={"version"})

    @property
    def is_default(self) -> bool:
        """The form as it always was: the default rubric's content, whatever its version."""
        return self.content() == DEFAULT_RUBRIC.content()


def rubric_from_yaml(text: str) -> Rubric:
    """The rubric a YAML text describes; ``RubricError`` naming each problem and its fix."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        at = f" at line {where.line + 1}, column {where.column + 1}" if where is not None else ""
        raise RubricError(
            f"The YAML cannot be read{at}: {getattr(exc, 'problem', exc)}. Fix the syntax there."
        ) from exc
    if not isinstance(data, Mapping):
        raise RubricError("A rubric is a YAML mapping with 'name', 'guidelines' and 'dimensions'.")
    try:
        return Rubric.model_validate(dict(data))
    except ValidationError as exc:
        raise RubricError(_explain(exc, data)) from exc


def _explain(exc: ValidationError, data: Mapping[str, Any]) -> str:
    """Each problem on a line of its own, naming the dimension it is in."""
    lines: list[str] = []
    dimensions = data.get("dimensions") if isinstance(data.get("dimensions"), list) else []
    for error in exc.errors():
        location = list(error["loc"])
        where = ".".join(str(part) for part in location) or "rubric"
        if len(location) >= 2 and location[0] == "dimensions" and isinstance(location[1], int):
            entry = dimensions[location[1]] if location[1] < len(dimensions) else None
            name = entry.get("name") if isinstance(entry, Mapping) else None
            rest = ".".join(str(part) for part in location[2:])
            where = f"dimension {location[1] + 1}" + (f" ('{name}')" if name else "") + (f", {rest}" if rest else "")
        message = str(error["msg"]).removeprefix("Value error, ")
        if error["type"] == "literal_error":
            message = f"kind must be one of {', '.join(KINDS)}, not {error.get('input')!r}"
        elif error["type"] == "missing":
            message = f"'{location[-1]}' is missing; add it"
        elif error["type"] == "extra_forbidden":
            message = f"'{location[-1]}' is not a rubric field; remove it (fields: name, guidelines, dimensions)"
            if len(location) > 2:
                message = (
                    f"'{location[-1]}' is not a dimension field; remove it (fields: name, kind, description, values)"
                )
        lines.append(f"{where}: {message}")
    return "The rubric has problems:\n" + "\n".join(f"- {line}" for line in lines)


def rubric_to_yaml(rubric: Rubric) -> str:
    """The rubric as YAML that ``rubric_from_yaml`` reads back equal (its version included)."""
    data = rubric.model_dump()
    for dimension in data["dimensions"]:
        if not dimension["values"]:
            del dimension["values"]
        if not dimension["description"]:
            del dimension["description"]
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


DEFAULT_RUBRIC = Rubric(
    name=DEFAULT_RUBRIC_NAME,
    version=1,
    guidelines="",
    dimensions=[
        Dimension(name="thumbs", kind="pass_fail", description="Is the completion acceptable as it is?"),
        Dimension(name="stars", kind="scale", description="Overall quality, 1 (worst) to 5 (best)."),
        Dimension(name="labels", kind="categorical", description="Named problems or qualities (from the settings)."),
        Dimension(name="comment", kind="text", description="Anything else the reviewer wants to say."),
        Dimension(
            name="ideal_answer",
            kind="text",
            description="What the completion should have said; sent to HoneyHive as ground_truth.",
        ),
    ],
)


def dimension_part(name: str) -> str:
    """The rating form's part (its draft key) for a rubric's own dimension."""
    return f"dim.{name}"
