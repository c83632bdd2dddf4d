"""Scenarios, the bottom layer: the schema, the loader, the arm check and the scenario files
(data only) under deception/ and legal/.

Imports no other Candor package: every other package may import it.
"""
