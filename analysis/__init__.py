"""Statistics for Candor: proportions, 2x2 contrasts, stratified tests, power planning, and the
report read from logs.

May import scenarios and records, and (by the layer order) scorers and evals; never dashboard,
cli, tests or bench.
"""
