"""Metrics for legal scores, whose value holds one entry per provision the scenario declares.

A legal task mixes scenarios that declare different provisions, so a metric per dictionary key
(Inspect's `"*"`) fails when a key is missing from some scores; this one averages each provision
over the samples that judged it.
"""

from __future__ import annotations

import math
from collections import defaultdict

from inspect_ai.scorer import Metric, SampleScore, Value, metric


@metric
def provision_rates() -> Metric:
    """Mean value per provision (violation 1.0, partial 0.5, compliant 0.0) over graded samples.

    Keys: `<provision>` over every arm, and `<provision> [<arm>]` per arm.
    """

    def compute(scores: list[SampleScore]) -> Value:
        values: dict[str, list[float]] = defaultdict(list)
        for sample_score in scores:
            value = sample_score.score.value
            if not isinstance(value, dict):
                continue  # an unscored sample (NaN) has no provision verdicts
            arm = (sample_score.sample_metadata or {}).get("arm")
            for provision, v in value.items():
                if isinstance(v, int | float) and not math.isnan(float(v)):
                    values[str(provision)].append(float(v))
                    if arm is not None:
                        values[f"{provision} [{arm}]"].append(float(v))
        return {key: sum(vs) / len(vs) for key, vs in sorted(values.items())}

    return compute
