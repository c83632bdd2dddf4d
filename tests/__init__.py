"""Candor's offline tests: unit and end-to-end tests per package, golden transcripts, fixtures,
and `layers.py`, the check that imports run one way (`python -m tests.layers [--graph]`).

Unshipped: not in the wheel, and nothing shipped imports it. It may import every Candor package
and bench/ (the fake provider server).
"""
