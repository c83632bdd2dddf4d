"""The cyclic garbage collector around the long-lived objects a report or a catalogue is made of.

Reading tens of thousands of samples makes millions of small objects that live until the process
ends (one object tree per sample, pydantic's schemas). The collector, run again and again while
they are made, walks the growing heap each time and finds nothing to free; once they are made,
every full collection walks them again (a tenth of a second and more at 10,000 samples, in the
middle of serving a page). `collector_paused` keeps it off while they are made; `keep_for_good`
moves everything made so far out of its reach (`gc.freeze`), so later collections walk only
what is made afterwards. Objects moved there are still freed when nothing refers to them; a
reference cycle among them (a page script's namespace, alive when they were moved) is kept
until `release_kept` gives them back to the collector and collects, which a long-lived process
does before it makes the next such set (a server building its next catalogue), and once more
a little later (`settle`), for what was still alive then.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """The collector off inside the block, and on again after it if it was on before."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def keep_for_good() -> None:
    """Every object tracked so far is out of the collector's reach (see the module's text)."""
    gc.freeze()


def release_kept() -> bool:
    """Give everything `keep_for_good` moved back to the collector and collect once, so the
    cycles that died since are freed (a full collection; nothing to do if nothing was kept).
    Whether anything had been kept."""
    if not gc.get_freeze_count():
        return False
    gc.unfreeze()
    gc.collect()
    return True


def settle() -> None:
    """Free what died since the last `keep_for_good` and keep what lives, again."""
    release_kept()
    keep_for_good()
