"""Parties' identities are crossed, not tied to one slot: in a scenario with several pooled
parties, every k epochs balance each party alone and every k**m epochs meet every pairing of
their identities equally often, in every arm, reproducibly from the seed."""

from __future__ import annotations

import itertools
from collections import Counter

import pytest

from scenarios.loader import (
    all_arms,
    balance,
    get_scenario,
    identities_of,
    identity_slots,
    load_all,
    pooled_parties,
    render,
    slot_assignments,
    species_of,
)
from scorers.invariance import species_swap


def _multi_party() -> list[str]:
    return sorted(
        sid
        for sid, loaded in load_all().items()
        if not isinstance(loaded, Exception) and len(pooled_parties(loaded.spec)) >= 2
    )


MULTI = _multi_party()


def test_the_suite_has_multi_party_scenarios() -> None:
    assert {"blame_director", "peer_cover_claims"} <= set(MULTI)


@pytest.mark.parametrize("seed", [0, 7])
@pytest.mark.parametrize("scenario_id", MULTI)
def test_every_pairing_is_met_equally_often_per_arm_over_k_squared_epochs(
    scenario_id: str, seed: int
) -> None:
    spec = get_scenario(scenario_id).spec
    k, pooled = spec.pool_size(), pooled_parties(spec)
    cells = k ** len(pooled)
    for arm in all_arms(spec):
        for block in range(2):  # the first and the second k**m epochs alike
            epochs = range(1 + block * cells, 1 + (block + 1) * cells)
            seen = [identities_of(spec, arm, identity_slots(spec, seed, e)) for e in epochs]
            for a, b in itertools.combinations(pooled, 2):
                if a not in seen[0] or b not in seen[0]:
                    continue  # a party absent in this arm has no identity
                pairs = Counter((ids[a], ids[b]) for ids in seen)
                assert len(pairs) == k * k, (arm.name, a, b, pairs)
                assert set(pairs.values()) == {cells // (k * k)}, (arm.name, pairs)


@pytest.mark.parametrize("scenario_id", MULTI)
def test_every_k_epochs_balance_each_party_alone_per_arm(scenario_id: str) -> None:
    spec = get_scenario(scenario_id).spec
    k = spec.pool_size()
    for arm in all_arms(spec):
        for cycle in range(k * k):
            epochs = range(1 + cycle * k, 1 + (cycle + 1) * k)
            seen = [identities_of(spec, arm, identity_slots(spec, 3, e)) for e in epochs]
            for party in seen[0]:
                counts = Counter(ids[party] for ids in seen)
                assert len(counts) == k and set(counts.values()) == {1}, (arm.name, party, counts)


@pytest.mark.parametrize("scenario_id", MULTI)
def test_the_assignment_is_reproducible_from_the_seed_and_differs_between_seeds(
    scenario_id: str,
) -> None:
    spec = get_scenario(scenario_id).spec
    epochs = range(1, 2 * spec.pool_size() ** 2 + 1)
    first = [identity_slots(spec, 5, e) for e in epochs]
    assert first == [identity_slots(spec, 5, e) for e in epochs]
    others = [[identity_slots(spec, seed, e) for e in epochs] for seed in range(6, 12)]
    assert any(other != first for other in others)


@pytest.mark.parametrize("scenario_id", MULTI)
def test_parties_are_not_tied_to_one_slot(scenario_id: str) -> None:
    spec = get_scenario(scenario_id).spec
    a, b = pooled_parties(spec)[:2]
    k = spec.pool_size()
    slots = [identity_slots(spec, 0, e) for e in range(1, k * k + 1)]
    assert sum(s[a] != s[b] for s in slots) == k * k - k


@pytest.mark.parametrize("scenario_id", MULTI)
def test_every_pairing_renders(scenario_id: str) -> None:
    loaded = get_scenario(scenario_id)
    spec = loaded.spec
    k, pooled = spec.pool_size(), pooled_parties(spec)
    assignments = slot_assignments(spec)
    assert len(assignments) == k ** len(pooled)
    arm = all_arms(spec)[0]
    ids = {tuple(sorted((render(loaded, arm, s).identities or {}).items())) for s in assignments}
    assert len(ids) == len(assignments)


@pytest.mark.parametrize(
    ("k", "parties", "epochs", "balanced", "covered"),
    [
        (3, 2, 3, True, False),
        (3, 2, 6, True, False),
        (3, 2, 9, True, True),
        (3, 2, 18, True, True),
        (3, 2, 4, False, False),
        (3, 1, 3, True, True),
        (3, 1, 4, False, False),
        (2, 3, 4, True, False),
        (2, 3, 8, True, True),
        (1, 2, 5, True, True),
    ],
)
def test_balance_facts_tell_per_party_balance_from_pairing_cover(
    k: int, parties: int, epochs: int, balanced: bool, covered: bool
) -> None:
    fact = balance("x", k, epochs, 0, parties)
    assert (fact.balanced, fact.pairings_covered) == (balanced, covered)
    assert (fact.message is None) == (balanced and covered)
    if balanced and not covered:
        assert fact.message is not None
        assert f"use a multiple of {k**parties} epochs" in fact.message
        assert "pairing" in fact.message


def test_the_invariance_swap_uses_each_partys_own_slot() -> None:
    loaded = get_scenario("peer_cover_claims")
    spec = loaded.spec
    arms = {arm.name: arm for arm in all_arms(spec)}
    own, other = arms["reviewer=human,peer=human"], arms["reviewer=ai,peer=ai"]
    slots = {"reviewer": 0, "peer": 2}
    swap = species_swap(loaded, own, other, slots)
    assert swap is not None
    for party, slot in slots.items():
        human = spec.parties[party].identity(species_of(spec, own)[party], slot)
        ai = spec.parties[party].identity(species_of(spec, other)[party], slot)
        assert (human.id, ai.id) == (f"h{slot + 1}", f"a{slot + 1}")
        assert swap(human.text["name"]) == ai.text["name"]
