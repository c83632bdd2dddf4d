"""Inspect task folder: `inspect eval evals/blame_postmortem`."""
