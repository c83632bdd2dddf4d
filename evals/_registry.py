"""Inspect AI entry point for Candor.

``pyproject.toml`` declares ``[project.entry-points.inspect_ai] candor =
"evals._registry"``. Inspect imports this module the first time it looks up
something it does not know (e.g. ``--model local/smollm2``), so every import
here registers a model provider, task or scorer with Inspect's registry, each
named ``candor/<name>`` (``inspect eval candor/deception``). Tasks are one per
suite; each deception scenario found by the loader is also registered as
``candor/<scenario id>`` (an alias of ``candor/deception -T scenario=<id>``),
so a new scenario needs no line here. Keep imports cheap (the providers import
``llama_cpp`` only when a model is actually created).
"""

# ruff: noqa: F401

# --- model providers, tasks, scorers -------------------------------------------
from evals.deception.deception import deception, scenario_aliases  # candor/deception
from evals.legal.legal import legal  # candor/legal
from evals.providers.local import LocalAPI  # local/smollm2 (llama-cpp-python)
from evals.providers.scripted import ScriptedAPI  # scripted/NAME (offline replies)
from scorers.deception import deception_scorer  # candor/deception_scorer
from scorers.legal import legal_scorer  # candor/legal_scorer

# candor/<scenario id> for every deception scenario (candor/blame_director, ...)
SCENARIO_ALIASES = scenario_aliases()
