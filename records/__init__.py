"""The records every layer shares: the episode store an agent's run writes (`store`), the sample
metadata every Sample carries (`metadata`), and the closed set of sample statuses (`statuses`).

Data shapes only, no behaviour beyond building and reading them. May import scenarios (the
schema's types) and third-party libraries; never evals, scorers, analysis, dashboard, cli,
tests or bench.
"""
