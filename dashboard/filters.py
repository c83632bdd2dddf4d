"""Which samples the transcript list shows. Pure: the page builds a `Filters` from its widgets."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict

from dashboard.models import NO_VERDICT, SampleRow

LabelFilter = Literal["any", "unlabelled", "labelled"]
LABEL_CHOICES: tuple[LabelFilter, ...] = get_args(LabelFilter)


class Filters(BaseModel):
    """An empty selection means "no restriction" for that field."""

    model_config = ConfigDict(frozen=True)

    tasks: tuple[str, ...] = ()
    models: tuple[str, ...] = ()
    arms: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    verdicts: tuple[str, ...] = ()
    tactics: tuple[str, ...] = ()
    provisions: tuple[str, ...] = ()
    """`provision: label` pairs, e.g. `art5_1_b: violation`."""
    labelled: LabelFilter = "any"
    text: str = ""


def provision_choices(row: SampleRow) -> list[str]:
    return [f"{p}: {label}" for p, label in sorted(row.provisions.items())]


def choices(rows: Iterable[SampleRow], key: Callable[[SampleRow], Iterable[str]]) -> list[str]:
    """The distinct values of a field across rows, sorted."""
    return sorted({value for row in rows for value in key(row)})


FIELDS: dict[str, Callable[[SampleRow], Iterable[str]]] = {
    "tasks": lambda r: [r.outcome.task],
    "models": lambda r: [r.outcome.model],
    "arms": lambda r: [r.outcome.arm],
    "statuses": lambda r: [r.outcome.status],
    "verdicts": lambda r: [r.verdict or NO_VERDICT],
    "tactics": lambda r: r.outcome.tally("tactics"),
    "provisions": provision_choices,
}


def _matches(row: SampleRow, f: Filters, labelled: Collection[str]) -> bool:
    for name, key in FIELDS.items():
        wanted: tuple[str, ...] = getattr(f, name)
        if wanted and not set(wanted) & set(key(row)):
            return False
    if f.labelled == "any":
        return True
    return (row.ref in labelled) == (f.labelled == "labelled")


def apply(
    rows: Sequence[SampleRow],
    f: Filters,
    labelled: Collection[str] = (),
    full_text: Callable[[SampleRow], str] | None = None,
    full_text_limit: int | None = None,
) -> list[SampleRow]:
    """The rows that pass every filter.

    The search text must occur (case-insensitively) in a row's summary text or, when `full_text`
    is given, in its full transcript; only the first `full_text_limit` rows are read in full.
    """
    kept = [row for row in rows if _matches(row, f, labelled)]
    needle = f.text.strip().casefold()
    if not needle:
        return kept
    return [
        row
        for i, row in enumerate(kept)
        if needle in row.search_text()
        or (
            full_text is not None
            and (full_text_limit is None or i < full_text_limit)
            and needle in full_text(row)
        )
    ]
