"""A local fake of the OpenAI and Anthropic HTTP APIs, for tests and benchmarks.

Inspect's real `openai/...` and `anthropic/...` providers (their SDK clients, request building and
response parsing) talk to it on 127.0.0.1 instead of the vendors. It decides each reply from the
request alone: a structured-output request gets a verdict, a request that offers tools gets the
next step of a scripted agent, any other request is the counterparty. See `server.py`.
"""

from bench.fakeserver.config import FakeConfig
from bench.fakeserver.server import FakeProviderServer, RequestRecord

__all__ = ["FakeConfig", "FakeProviderServer", "RequestRecord"]
