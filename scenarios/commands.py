"""`candor scenarios list | show | render | check`."""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scenarios.loader import LoadedScenario, ScenarioError
    from scenarios.schema import Scenario

# The loader (Jinja, YAML, pydantic models) is imported by the verbs, not by `--help`.


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `candor scenarios ...`."""
    parser = sub.add_parser("scenarios", help="list, render and check scenario files")
    verbs = parser.add_subparsers(dest="verb", required=True)
    verbs.add_parser("list", help="every scenario with its factors and arms")
    show = verbs.add_parser("render", help="print the exact texts of one arm")
    show.add_argument("scenario", help="scenario id or folder")
    show.add_argument("--arm", help="arm name, e.g. overseer=ai (default: every arm)")
    show.add_argument(
        "--slot",
        action="append",
        metavar="N | PARTY=N",
        help="identity slot to render: N puts every party at slot N, PARTY=N one party "
        "(repeatable; a party not named is at N, else 0; see `show`)",
    )
    show.add_argument(
        "--projection",
        choices=["arm", "neutral", "skeleton"],
        default="arm",
        help="arm: what the agent sees; neutral: what the grader sees; skeleton: spans named",
    )
    pools = verbs.add_parser(
        "show", help="one scenario's factors, arms and identity pools (slot by slot)"
    )
    pools.add_argument("scenario", help="scenario id or folder")
    check = verbs.add_parser(
        "check",
        help="fail if two arms differ outside declared spans, or a span in more than identity",
    )
    check.add_argument(
        "paths",
        nargs="*",
        metavar="SCENARIO",
        help="scenario ids or folders (default: every shipped one)",
    )
    parser.set_defaults(handler=run)


def render_slots(scenario_id: str, spec: Scenario, values: list[str] | None) -> dict[str, int]:
    """Party -> slot from `--slot` values: `N` puts every party at slot N, `PARTY=N` one party
    (a party named by neither is at N, else at 0).

    Raises:
        ScenarioError: naming the value, the party or the slot and what the scenario has.
    """
    from scenarios.loader import ScenarioError

    parties = list(spec.parties)
    every: int | None = None
    named: dict[str, int] = {}
    for value in values or []:
        party, eq, number = value.rpartition("=")
        if not re.fullmatch(r"[0-9]+", number.strip()) or (eq and not party.strip()):
            raise ScenarioError(
                f"--slot {value!r}: expected N or PARTY=N with N a slot number "
                f"(parties of {scenario_id}: {', '.join(parties)})"
            )
        slot, party = int(number), party.strip()
        if not eq:
            if every is not None:
                raise ScenarioError(
                    f"--slot {value!r}: a slot for every party is given twice "
                    f"(--slot {every} and --slot {slot}); name a party with PARTY=N"
                )
            if slot >= spec.pool_size():
                raise ScenarioError(
                    f"--slot {slot}: {scenario_id} has identity slots "
                    f"0..{spec.pool_size() - 1} (see `candor scenarios show {scenario_id}`)"
                )
            every = slot
            continue
        if party not in spec.parties:
            raise ScenarioError(
                f"--slot {value!r}: {scenario_id} has no party '{party}' "
                f"(parties: {', '.join(parties)})"
            )
        if party in named:
            raise ScenarioError(f"--slot {value!r}: party '{party}' is given a slot twice")
        k = spec.parties[party].pool_size()
        if slot >= k:
            raise ScenarioError(
                f"--slot {value!r}: {party} of {scenario_id} has identity slots 0..{k - 1} "
                f"(see `candor scenarios show {scenario_id}`)"
            )
        named[party] = slot
    return {party: named.get(party, every or 0) for party in parties}


def _slots_label(slots: dict[str, int]) -> str:
    """`slot N` when every party is at N, else `slots party=N, ...`."""
    distinct = set(slots.values())
    if len(distinct) <= 1:
        return f"slot {next(iter(distinct), 0)}"
    return "slots " + ", ".join(f"{party}={slot}" for party, slot in slots.items())


def resolve(ref: str) -> LoadedScenario:
    """The scenario a command names: a folder (or its `scenario.yaml`) if one exists at that
    path, else a shipped scenario's id.

    Raises:
        ScenarioError: for a path that does not exist or an unknown id, listing the known ids.
    """
    from scenarios.loader import ScenarioError, discover, get_scenario, load_scenario

    if Path(ref).exists():
        return load_scenario(ref)
    known = sorted(discover())
    if ref in known:
        return get_scenario(ref)
    looks_like_path = "/" in ref or ref.endswith((".yaml", ".yml"))
    what = (
        f"no scenario folder or file at '{ref}'"
        if looks_like_path
        else (f"unknown scenario '{ref}' (not a known id, nor a folder here)")
    )
    raise ScenarioError(f"{what}; known scenario ids: {', '.join(known)}")


def describe(loaded: LoadedScenario) -> str:
    """A scenario's factors, arms and identity pools, slot by slot (what `show` prints)."""
    from scenarios.loader import all_arms, pooled_parties
    from scenarios.schema import Species

    spec = loaded.spec
    lines = [f"{spec.id} ({spec.suite}): {spec.title}", "", "factors:"]
    for name, factor in spec.factors.items():
        what = f"species of {factor.party}" if factor.kind == "species" else "condition"
        seen = " (visible to the grader)" if factor.grader_visible else ""
        lines.append(f"  {name}: {' | '.join(factor.levels)}  [{what}{seen}]")
        for level, spans in factor.text.items():
            for span, text in spans.items():
                lines.append(f"    {level}.{span}: {text}")
    lines += ["", f"arms: {', '.join(arm.name for arm in all_arms(spec))}", ""]
    pooled = pooled_parties(spec)
    crossed = (
        f"; the identities of {', '.join(pooled)} are crossed, every "
        f"{spec.pool_size() ** len(pooled)} epochs meet every pairing"
        if len(pooled) > 1
        else ""
    )
    lines.append(
        f"identity slots: {spec.pool_size()} (epoch e uses a counterbalanced slot per party"
        f"{crossed})"
    )
    for name, party in spec.parties.items():
        fixed = f", fixed {party.fixed}" if party.fixed is not None else ""
        lines.append(f"  {name} [{party.label}{fixed}]")
        for species, variant in party.species.items():
            if species == Species.ABSENT:
                lines.append("    absent (the party is left out; its spans print empty)")
                continue
            for slot, identity in enumerate(variant.pool(species)):
                fields = "; ".join(f"{k}: {v}" for k, v in identity.text.items())
                pronouns = f"; pronouns: {identity.pronouns}" if identity.pronouns else ""
                lines.append(f"    {species.value:6} slot {slot} {identity.id}: {fields}{pronouns}")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    """Dispatch a `scenarios` verb; errors are printed, never raised."""
    from scenarios.check import check_scenario
    from scenarios.loader import (
        ScenarioError,
        all_arms,
        discover,
        load_all,
        render,
        select_arms,
    )

    try:
        if args.verb == "list":
            broken = 0
            for sid, loaded in load_all().items():
                if isinstance(loaded, ScenarioError):
                    broken += 1
                    print(f"{sid:28} {'BROKEN':10} {loaded}")
                    continue
                spec = loaded.spec
                arms = ", ".join(arm.name for arm in all_arms(spec))
                print(f"{sid:28} {spec.suite:10} {spec.title}\n{'':28} arms: {arms}")
            return 1 if broken else 0
        if args.verb == "show":
            loaded = resolve(args.scenario)
            print(describe(loaded))
            return 0
        if args.verb == "render":
            loaded = resolve(args.scenario)
            slots = render_slots(loaded.id, loaded.spec, args.slot)
            where = _slots_label(slots)
            for arm in select_arms(loaded.spec, args.arm):
                rendered = render(loaded, arm, slots)
                who = ", ".join(f"{p}={i}" for p, i in (rendered.identities or {}).items())
                print(f"#### {loaded.id} [{arm.name}] {where} ({who}) ({args.projection})")
                for key in rendered.texts:
                    print(f"\n=== {key} ===\n{rendered.text(key, args.projection)}")
                print()
            return 0
        entries: list[tuple[str, LoadedScenario | ScenarioError]] = []
        known = discover()
        for ref in args.paths:
            if not Path(ref).exists() and ref not in known:
                resolve(ref)  # raises: a usage error (exit 2) naming the known ids
            try:
                entries.append((ref, resolve(ref)))
            except ScenarioError as exc:  # a scenario that exists and does not load
                entries.append((ref, exc))
        if not args.paths:
            entries = [(str(discover().get(sid, sid)), e) for sid, e in load_all().items()]
        failures = 0
        for where, loaded in entries:
            if isinstance(loaded, ScenarioError):
                print(f"FAIL {where} (broken: it does not load)\n{loaded}")
                failures += 1
                continue
            problems = check_scenario(loaded)
            n_arms = len(all_arms(loaded.spec))
            if problems:
                failures += 1
                print(f"FAIL {loaded.id} ({n_arms} arms)")
                for problem in problems:
                    print(str(problem))
            else:
                print(f"ok   {loaded.id} ({n_arms} arms: every pair differs only in party spans)")
        return 1 if failures else 0
    except ScenarioError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
