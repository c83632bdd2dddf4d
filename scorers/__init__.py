"""Candor's transcript classifier.

Modules, one job each: `verdicts` (schemas, Tactic), `statuses` (Status, unscored Scores),
`redaction` (species cue table), `transcript` (the grader's view), `prompts` (+ `prompts/*.j2`),
`parsing` (strict reply parser), `quotes` (evidence check), `grading` (grader calls, aggregation),
`pipeline` (the shared scoring path), `deception` and `legal` (the @scorer entry points),
`counts` (per-arm counts from a log), `invariance` (species-swap check of the grader).
"""
