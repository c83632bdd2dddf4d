"""Configuration errors found while a task is created, shown by `inspect eval` as one line."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import click

from scenarios.loader import ScenarioError


class TaskConfigError(ScenarioError, click.ClickException):
    """A bad `-T` value, arm, scenario or template, found before any model is called.

    Inspect creates tasks inside its event loop, so any other error raised there reaches the
    terminal under a few hundred lines of exception-group traceback. Inspect's command line is a
    click program, and click prints a `ClickException` as `Error: <message>` on stderr and exits
    with status 1, whatever `--display` is set to. For callers of the Python API it is a
    `ScenarioError` like any other.
    """

    def __init__(self, message: str) -> None:
        ScenarioError.__init__(self, message)
        click.ClickException.__init__(self, message)


@contextmanager
def one_line_errors() -> Iterator[None]:
    """Raise every scenario error from the block as a `TaskConfigError` with the same message."""
    try:
        yield
    except TaskConfigError:
        raise
    except ScenarioError as exc:
        raise TaskConfigError(str(exc)) from None
