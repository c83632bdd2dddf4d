"""Prompt caching as the two providers bill it, over the request's prefix blocks.

Anthropic caches only at explicit breakpoints (`cache_control` on a block, or a top-level
`cache_control` that marks the last block): a request reads the longest prefix that an earlier
request wrote at one of its breakpoints, and writes the rest up to its last breakpoint. OpenAI
caches every prompt of at least 1,024 tokens automatically, and a later prompt reads the longest
earlier prefix in steps of 128 tokens. Both need a minimum prefix length; both are per model.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Sequence

from bench.fakeserver.conversation import CHARS_PER_TOKEN, Block, Usage

OPENAI_STEP_TOKENS = 128


class AnthropicCache:
    """Prefix cache keyed by (model, hash of the blocks up to a breakpoint)."""

    def __init__(self, min_tokens: int) -> None:
        self.min_tokens = min_tokens
        self._written: set[tuple[str, bytes]] = set()
        self._lock = threading.Lock()

    def account(self, model: str, blocks: Sequence[Block], output_tokens: int) -> Usage:
        """Bill one request: cache reads, cache writes and the uncached rest."""
        digest = hashlib.sha256(model.encode())
        prefixes: list[tuple[bytes, int]] = []  # (hash, tokens) after each block
        tokens = 0
        for block in blocks:
            digest.update(len(block.text).to_bytes(8, "little"))
            digest.update(block.text.encode())
            tokens += block.tokens
            prefixes.append((digest.digest(), tokens))
        total = tokens
        breakpoints = [i for i, block in enumerate(blocks) if block.breakpoint]
        if not breakpoints:
            return Usage(input_tokens=total, output_tokens=output_tokens)
        last = breakpoints[-1]
        with self._lock:
            read = next(
                (
                    prefixes[i][1]
                    for i in range(last, -1, -1)
                    if (model, prefixes[i][0]) in self._written
                ),
                0,
            )
            write = 0
            if prefixes[last][1] >= self.min_tokens:
                write = prefixes[last][1] - read
                for i in breakpoints:
                    if prefixes[i][1] >= self.min_tokens:
                        self._written.add((model, prefixes[i][0]))
        return Usage(
            input_tokens=total - read - write,
            output_tokens=output_tokens,
            cache_read=read,
            cache_write=write,
        )

    def clear(self) -> None:
        with self._lock:
            self._written.clear()


class OpenAICache:
    """Automatic prefix cache: every 128-token step of every prompt is remembered."""

    def __init__(self, min_tokens: int) -> None:
        self.min_tokens = min_tokens
        self._seen: set[tuple[str, bytes]] = set()
        self._lock = threading.Lock()

    def account(self, model: str, blocks: Sequence[Block], output_tokens: int) -> Usage:
        """Bill one request: the cached prefix is read; nothing is billed for writing."""
        total = sum(block.tokens for block in blocks)
        text = "".join(block.text for block in blocks).encode()
        step = OPENAI_STEP_TOKENS * CHARS_PER_TOKEN
        digest = hashlib.sha256(model.encode())
        steps: list[bytes] = []
        for start in range(0, len(text) - step + 1, step):
            digest.update(text[start : start + step])
            steps.append(digest.digest())
        cached = 0
        with self._lock:
            for index, key in enumerate(steps):
                if (model, key) not in self._seen:
                    break
                cached = (index + 1) * OPENAI_STEP_TOKENS
            if total >= self.min_tokens:
                self._seen.update((model, key) for key in steps)
        if cached < self.min_tokens:
            cached = 0
        cached = min(cached, total)
        return Usage(input_tokens=total - cached, output_tokens=output_tokens, cache_read=cached)

    def clear(self) -> None:
        with self._lock:
            self._seen.clear()
