"""The `candor` command line, which serves every package: scenarios, analysis, evals, the grader
checks of scorers, and the dashboard.

It sits above every layer and may import any shipped package (each command's module only when
that command runs); no shipped package imports it. Never imports tests or bench.
"""
