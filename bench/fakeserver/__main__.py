"""Run the fake provider in its own process: `python -m bench.fakeserver [--latency S]`.

Prints `PORT <n>` on its first line, then serves on 127.0.0.1 until its standard input closes
or it is terminated. Benchmarks use this so the server does not share the client's GIL.
"""

from __future__ import annotations

import argparse
import sys

from bench.fakeserver.config import FakeConfig
from bench.fakeserver.server import FakeProviderServer


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.fakeserver")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds per request")
    parser.add_argument("--config", default="{}", help="FakeConfig fields as JSON")
    args = parser.parse_args()
    config = FakeConfig.model_validate_json(args.config).model_copy(
        update={"latency": args.latency}
    )
    with FakeProviderServer(config, port=args.port) as server:
        print(f"PORT {server.port}", flush=True)
        sys.stdin.read()  # returns when the parent closes our stdin (or exits)
    return 0


if __name__ == "__main__":
    sys.exit(main())
