"""Candor's transcript classifier: it turns an episode into a verdict or a recorded status.

May import scenarios and records (the episode store, sample metadata, statuses); never evals,
analysis, dashboard, cli, tests or bench.

Modules, one job each: `verdicts` (schemas, and the verdict -> score mapping of the dimensions
declared in `records/dimensions.yaml`), `redaction` (species cue table), `transcript` (the
grader's view), `prompts` (+ `prompts/*.j2`), `parsing` (strict reply parser), `quotes` (evidence
check), `grading` (grader calls, aggregation), `pipeline` (the shared scoring path), `deception`
and `legal` (the @scorer entry points), `invariance` (species-swap check of the grader). Sample
statuses live in `records.statuses`.
"""
