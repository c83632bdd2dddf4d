"""The reportable dimensions of a grader's verdict, declared once in `dimensions.yaml` beside this
module: eval-awareness, refusal and warning (flags), tactics (a tally of closed values).

The scorers copy each declared dimension of their suite from the verdict into the score metadata
under its name; the log reader reads every declared name back; the report counts each per arm
and renders one column per dimension; the dashboard shows the same columns. Adding a dimension is
an entry in the YAML and a field of that name on the suite's verdict model.

The file is read strictly: an unknown key, a missing one, a duplicated name or key, a tally
without values or a flag with values is an error naming the file and the key.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from scenarios.yaml_files import parse_yaml

DIMENSIONS_FILE = Path(__file__).with_name("dimensions.yaml")
"""The shipped declaration."""

DimensionKind = Literal["flag", "tally"]
SuiteName = Literal["deception", "legal"]
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


class DimensionError(ValueError):
    """The dimension declaration is invalid; the message names the file and the key."""


class Dimension(BaseModel):
    """One reportable dimension of a verdict."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(description="The verdict field and the score metadata key.")
    kind: DimensionKind
    label: str = Field(min_length=1, description="The column heading.")
    description: str = Field(min_length=1)
    suites: tuple[SuiteName, ...] = Field(min_length=1)
    combine: Literal["any", "chosen"] | None = None
    """Flags: `any` grader raising it raises it (a flag, not a vote), or the `chosen` verdict's."""
    values: dict[str, str] | None = None
    """Tallies: every allowed value -> what it means."""
    instruction: str | None = None
    """Flags: what the grader is told to record, word for word (the grader prompt lists every
    flag of its suite, and the verdict field's schema description is this text)."""

    @model_validator(mode="after")
    def _consistent(self) -> Dimension:
        if not _NAME.match(self.name):
            raise ValueError(f"name '{self.name}' must be snake_case (a verdict field name)")
        for value in self.values or {}:
            if not _NAME.match(value):
                raise ValueError(f"value '{value}' of '{self.name}' must be snake_case")
        if self.kind == "flag" and (
            self.values is not None or self.combine is None or not self.instruction
        ):
            raise ValueError(
                f"flag '{self.name}' needs `combine` (any | chosen) and an `instruction` (what "
                "the grader is told), and takes no `values`"
            )
        if self.kind == "tally" and (
            not self.values or self.combine is not None or self.instruction is not None
        ):
            raise ValueError(
                f"tally '{self.name}' needs `values` and takes no `combine` or `instruction`"
            )
        if len(set(self.suites)) != len(self.suites):
            raise ValueError(f"'{self.name}' lists a suite twice: {list(self.suites)}")
        return self

    def allowed(self) -> tuple[str, ...]:
        """A tally's values in declared order (empty for a flag)."""
        return tuple(self.values or {})


class Dimensions(BaseModel):
    """The whole declaration, in declared order."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    dimensions: tuple[Dimension, ...]

    @model_validator(mode="after")
    def _unique(self) -> Dimensions:
        names = [d.name for d in self.dimensions]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"dimension(s) declared twice: {twice}")
        return self

    def of(self, suite: str) -> tuple[Dimension, ...]:
        """The dimensions a suite's verdicts carry, in declared order."""
        return tuple(d for d in self.dimensions if suite in d.suites)

    def get(self, name: str) -> Dimension:
        """The dimension called `name`.

        Raises:
            KeyError: naming the declared dimensions.
        """
        for d in self.dimensions:
            if d.name == name:
                return d
        raise KeyError(f"no dimension '{name}'; declared: {[d.name for d in self.dimensions]}")


def load_dimensions(path: Path) -> Dimensions:
    """Read and validate a declaration file.

    Raises:
        DimensionError: naming the file and the offending key.
    """
    try:
        raw = parse_yaml(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise DimensionError(f"{path}: cannot read the dimension declaration: {exc}") from exc
    try:
        return Dimensions.model_validate(raw)
    except ValidationError as exc:
        where = "\n".join(
            f"  {'.'.join(str(p) for p in e['loc']) or '(top level)'}: {e['msg']}"
            for e in exc.errors()
        )
        raise DimensionError(f"{path}: invalid dimension declaration:\n{where}") from exc


@cache
def declared() -> Dimensions:
    """The shipped declaration (`DIMENSIONS_FILE`), read once."""
    return load_dimensions(DIMENSIONS_FILE)


def declared_for(suite: str) -> tuple[Dimension, ...]:
    """The declared dimensions of one suite, in declared order."""
    return declared().of(suite)
