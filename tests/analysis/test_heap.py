"""The collector is off while long-lived objects are made and cannot walk them afterwards."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator
from contextlib import nullcontext

import pytest

from analysis.heap import collector_paused, keep_for_good, release_kept, settle


@pytest.fixture(autouse=True)
def _restore_collector() -> Iterator[None]:
    was = gc.isenabled()
    yield
    gc.unfreeze()
    if was:
        gc.enable()
    else:
        gc.disable()


@pytest.mark.parametrize("before", [True, False], ids=["on before", "off before"])
@pytest.mark.parametrize("fails", [False, True], ids=["block ends", "block raises"])
def test_the_collector_is_off_inside_and_as_it_was_after(before: bool, fails: bool) -> None:
    gc.enable() if before else gc.disable()
    with pytest.raises(KeyError) if fails else nullcontext(), collector_paused():
        assert not gc.isenabled()
        if fails:
            raise KeyError("inside")
    assert gc.isenabled() is before


class _Kept:
    pass


def test_what_is_kept_for_good_is_out_of_every_generation_but_still_freed() -> None:
    kept = _Kept()
    keep_for_good()
    assert gc.get_freeze_count() > 0
    assert not any(o is kept for o in gc.get_objects())  # no collection walks it
    made_after = _Kept()
    assert any(o is made_after for o in gc.get_objects())  # what comes later still is
    gc.unfreeze()
    assert any(o is kept for o in gc.get_objects())


def test_an_object_kept_for_good_is_freed_when_nothing_refers_to_it() -> None:
    kept = _Kept()
    gone = weakref.ref(kept)
    keep_for_good()
    del kept
    assert gone() is None


class _Cycle:
    def __init__(self) -> None:
        self.me = self


def test_a_cycle_kept_for_good_is_freed_once_released() -> None:
    """A cycle that dies after `keep_for_good` stays (no collection sees it) until
    `release_kept` gives it back and collects."""
    cycle = _Cycle()
    gone = weakref.ref(cycle)
    keep_for_good()
    del cycle
    gc.collect()
    assert gone() is not None  # out of the collector's reach
    assert release_kept() is True
    assert gone() is None
    assert gc.get_freeze_count() == 0
    assert release_kept() is False  # nothing kept: nothing to collect


def test_settling_frees_what_died_and_keeps_what_lives() -> None:
    dead, alive = _Cycle(), _Cycle()
    gone = weakref.ref(dead)
    keep_for_good()
    del dead
    settle()
    assert gone() is None
    assert not any(o is alive for o in gc.get_objects())  # kept again
