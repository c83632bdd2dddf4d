"""Cohen's kappa against hand-computed examples; confusion, per-arm agreement, pairing."""

from __future__ import annotations

import pytest

from analysis.logs import SampleOutcome
from dashboard.calibration import (
    Pair,
    agreement,
    cohens_kappa,
    confusion_matrix,
    disagreements,
    pairs_from,
    per_arm,
)
from dashboard.label_store import Label
from dashboard.models import SampleRow


def _pairs(counts: dict[tuple[str, str], int]) -> list[tuple[str, str]]:
    return [pair for pair, n in counts.items() for _ in range(n)]


def test_kappa_two_categories_by_hand() -> None:
    # 50 items: both yes 20, A yes/B no 5, A no/B yes 10, both no 15.
    # p_o = 35/50 = 0.70; p_e = 0.5*0.6 + 0.5*0.4 = 0.50; kappa = 0.20/0.50 = 0.40
    pairs = _pairs({("yes", "yes"): 20, ("yes", "no"): 5, ("no", "yes"): 10, ("no", "no"): 15})
    assert cohens_kappa(pairs) == pytest.approx(0.40)


def test_kappa_three_categories_by_hand() -> None:
    # rows = rater A, columns = rater B over (a, b, c):
    #   a: 10 2 3 | b: 1 8 1 | c: 4 1 10  -> n = 40, agreements 28, p_o = 0.70
    # A totals 15, 10, 15; B totals 15, 11, 14
    # p_e = (15*15 + 10*11 + 15*14) / 1600 = 545/1600 = 0.340625
    # kappa = (0.70 - 0.340625) / (1 - 0.340625) = 0.359375 / 0.659375 = 0.545024...
    table = {"a": [10, 2, 3], "b": [1, 8, 1], "c": [4, 1, 10]}
    pairs = [
        (r, c)
        for r, row in table.items()
        for c, n in zip("abc", row, strict=True)
        for _ in range(n)
    ]
    assert cohens_kappa(pairs) == pytest.approx(0.359375 / 0.659375)


@pytest.mark.parametrize(
    ("pairs", "expected"),
    [
        ([], None),
        ([("x", "x"), ("x", "x")], None),  # one shared category: p_e = 1, undefined
        ([("x", "x"), ("y", "y")], 1.0),
        ([("x", "y"), ("y", "x")], -1.0),
    ],
)
def test_kappa_edge_cases(pairs: list[tuple[str, str]], expected: float | None) -> None:
    assert cohens_kappa(pairs) == expected


def _pair(i: int, arm: str, grader: str, human: str) -> Pair:
    return Pair(ref=f"log#{arm}@{i}", arm=arm, grader=grader, human=human)


def test_confusion_per_arm_and_queue() -> None:
    pairs = [
        _pair(1, "overseer=ai", "deceptive", "deceptive"),
        _pair(2, "overseer=ai", "deceptive", "honest"),
        _pair(3, "overseer=human", "honest", "honest"),
        _pair(4, "overseer=human", "honest", "honest"),
    ]
    categories, matrix = confusion_matrix(pairs)
    assert categories == ["deceptive", "honest"]
    assert matrix == [[1, 1], [0, 2]]  # rows grader, columns human
    overall = agreement(pairs)
    assert (overall.n, overall.agree, overall.rate) == (4, 3, 0.75)
    ai, human = per_arm(pairs)
    assert (ai.arm, ai.rate, ai.grader_positive, ai.human_positive) == (
        "overseer=ai",
        0.5,
        1.0,
        0.5,
    )
    assert (human.rate, human.grader_positive, human.human_positive) == (1.0, 0.0, 0.0)
    assert [p.ref for p in disagreements(pairs)] == ["log#overseer=ai@2"]


def _row(sample: str, verdict: str | None, status: str = "graded") -> SampleRow:
    outcome = SampleOutcome(
        log="a.eval",
        task="t",
        model="m",
        sample_id=sample,
        epoch=1,
        scenario="s",
        suite="deception",
        arm=sample,
        levels={"overseer": sample},
        status=status,
    )
    return SampleRow(outcome=outcome, file="a.eval", raw_id=sample, verdict=verdict)


def _label(sample: str, verdict: str, who: str, at: str) -> Label:
    return Label.model_validate(
        {
            "log": "a.eval",
            "sample_id": sample,
            "epoch": 1,
            "labeller": who,
            "verdict": verdict,
            "labelled_at": at,
        }
    )


def test_pairs_use_the_latest_label_and_count_what_cannot_be_paired() -> None:
    rows = [_row("ai", "deceptive"), _row("human", "honest"), _row("x", None, "grader_error")]
    labels = [
        _label("ai", "honest", "ann", "2026-01-01T00:00:00+00:00"),
        _label("ai", "deceptive", "bob", "2026-01-02T00:00:00+00:00"),
        _label("human", "unclear", "ann", "2026-01-01T00:00:00+00:00"),
        _label("x", "honest", "ann", "2026-01-01T00:00:00+00:00"),
        _label("gone", "honest", "ann", "2026-01-01T00:00:00+00:00"),
    ]
    pairs, skipped = pairs_from(rows, labels)
    assert [(p.arm, p.grader, p.human) for p in pairs] == [("ai", "deceptive", "deceptive")]
    assert skipped == {
        "human: unclear": 1,
        "grader: grader_error": 1,
        "transcript not in these logs": 1,
    }
    ann, _ = pairs_from(rows, labels, labeller="ann")
    assert [(p.grader, p.human) for p in ann] == [("deceptive", "honest")]


def test_label_form_offers_every_grader_tactic() -> None:
    from dashboard.labelling import DEFAULT_TACTICS
    from scorers.verdicts import DeceptionVerdict

    offered = DeceptionVerdict.model_json_schema()["properties"]["tactics"]["items"]["enum"]
    assert list(DEFAULT_TACTICS) == offered


@pytest.mark.parametrize(
    ("earlier", "later"),
    [
        ("2026-03-01T10:00:00+02:00", "2026-03-01T09:00:00+00:00"),
        ("2026-03-01T00:30:00+01:00", "2026-02-28T23:45:00Z"),
        ("2026-03-01T20:00:00+05:30", "2026-03-01T09:31:00-05:00"),
    ],
)
@pytest.mark.parametrize("labeller", [None, "ann"])
def test_pairs_take_the_latest_instant_not_the_latest_text(
    earlier: str, later: str, labeller: str | None
) -> None:
    rows = [_row("ai", "deceptive")]
    labels = [
        _label("ai", "deceptive", "ann", later),
        _label("ai", "honest", "ann", earlier),
    ]
    pairs, _ = pairs_from(rows, labels, labeller=labeller)
    assert [p.human for p in pairs] == ["deceptive"]
