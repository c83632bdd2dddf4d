"""The legal suite as one Inspect task: `inspect eval candor/legal`."""
