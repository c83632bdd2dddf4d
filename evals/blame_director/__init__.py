"""Compatibility task folder (see blame_director.py): the task is `candor/blame_director`."""
