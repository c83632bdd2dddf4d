"""Column specs for `inspect_ai.analysis.samples_df`: Candor's factors as columns of their own.

`samples_df(logs, columns=SampleSummary + CandorColumns)` gives one `factor_<name>` column per
factor (e.g. `factor_overseer` = `human` | `ai`), `arm` and `scenario`, the counterbalancing
`identity_slot` and one `identity_<party>` column per party, instead of the levels packed into
one JSON string in `metadata_levels`.
"""

from __future__ import annotations

from inspect_ai.analysis import Column, SampleColumn

CandorColumns: list[Column] = [
    SampleColumn("scenario", path="metadata.scenario"),
    SampleColumn("arm", path="metadata.arm"),
    SampleColumn("factor_*", path="metadata.levels"),
    SampleColumn("identity_slot", path="metadata.identity_slot"),
    SampleColumn("identity_*", path="metadata.identities"),
]
"""Scenario, arm, one column per factor level and per identity worn (absent in older logs)."""
