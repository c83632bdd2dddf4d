"""The records every layer shares: the episode store an agent's run writes (`store`), the sample
metadata every Sample carries (`metadata`), the closed set of sample statuses (`statuses`), the
reportable verdict dimensions (`dimensions`, declared in `dimensions.yaml`) and the grader
invariance results (`invariance`).

Data shapes only, no behaviour beyond building and reading them. May import scenarios (the
schema's types) and third-party libraries; never evals, scorers, analysis, dashboard, cli,
tests or bench.
"""
