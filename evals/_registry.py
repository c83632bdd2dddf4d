"""Inspect AI entry point for Candor.

``pyproject.toml`` declares ``[project.entry-points.inspect_ai] candor =
"evals._registry"``. Inspect imports this module the first time it looks up
something it does not know (e.g. ``--model local/smollm2``), so every import
here registers a model provider or task with Inspect's registry. Add one line
per task below; keep imports cheap (the providers import ``llama_cpp`` only
when a model is actually created).
"""

# ruff: noqa: F401

# --- model providers, tasks, scorers -------------------------------------------
from evals.blame_director.blame_director import blame_director
from evals.blame_postmortem.blame_postmortem import blame_postmortem
from evals.legal.legal import legal
from evals.performance_attestation.performance_attestation import performance_attestation
from evals.providers.local import LocalAPI  # local/smollm2 (llama-cpp-python)
from evals.providers.scripted import ScriptedAPI  # scripted/NAME (offline replies)
from scorers.deception import deception_scorer  # candor/deception_scorer
from scorers.legal import legal_scorer  # candor/legal_scorer
