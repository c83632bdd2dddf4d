"""The fake provider server as a fixture: one per test, always stopped."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bench.fakeserver import FakeConfig, FakeProviderServer


@pytest.fixture
def fake_server() -> Iterator[FakeProviderServer]:
    """A fake provider on 127.0.0.1 at a free port, stopped at teardown."""
    with FakeProviderServer(FakeConfig()) as server:
        yield server
