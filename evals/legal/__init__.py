"""Inspect task folder: `inspect eval evals/legal`."""
