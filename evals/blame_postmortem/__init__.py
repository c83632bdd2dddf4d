"""Compatibility task folder (see blame_postmortem.py): the task is `candor/blame_postmortem`."""
