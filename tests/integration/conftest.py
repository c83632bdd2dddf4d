"""Fixtures for runs through Inspect's real openai/ and anthropic/ providers against the fake."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bench.fakeserver import FakeConfig, FakeProviderServer


@pytest.fixture(scope="module")
def provider_server() -> Iterator[FakeProviderServer]:
    """One fake provider for a test module (tests reconfigure and reset it), stopped after."""
    with FakeProviderServer(FakeConfig(anthropic_min_cache_tokens=1024)) as server:
        yield server


@pytest.fixture
def fake_provider(
    provider_server: FakeProviderServer, monkeypatch: pytest.MonkeyPatch
) -> FakeProviderServer:
    """The fake, reset, with both SDKs pointed at it by the environment Inspect reads.

    Dummy keys only: the fake accepts any key, and nothing leaves 127.0.0.1.
    """
    provider_server.reset()
    provider_server.configure(**FakeConfig().model_dump())
    monkeypatch.setenv("OPENAI_BASE_URL", provider_server.openai_base_url)
    monkeypatch.setenv("ANTHROPIC_BASE_URL", provider_server.anthropic_base_url)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-fake-test-key")
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-fake-test-key")
    return provider_server
