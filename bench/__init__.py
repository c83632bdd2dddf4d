"""`make bench`: what the harness costs on top of the model calls, measured offline.

Unshipped tooling: this folder is not in the wheel (`[tool.setuptools.packages.find]`) and nothing
shipped imports it. It may import every Candor package; tests may import it.

- `fakeserver/`: a local fake of the OpenAI and Anthropic HTTP APIs (for tests and the bench);
- `python -m bench [--parts a,b]`: the benchmark parts (`parts.py` lists them), each a module of
  its own, written to their own sections of docs/bench.md.
"""
