"""The Inspect tasks (thin, one per suite, registered through `evals._registry`), the episode
solver, the scenario tools, the model providers and the cost estimate of an episode.

May import scenarios, records and scorers (the tasks attach the scorers); never analysis,
dashboard, cli, tests or bench.
"""
