"""The deception suite as one Inspect task: `inspect eval candor/deception`."""
