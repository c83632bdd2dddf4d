"""Inspect task folder: `inspect eval evals/performance_attestation`."""
