"""What `candor estimate` assumes the models write, and its defaults, as plain data: the command
line offers them as flags without importing pydantic or Inspect (`evals.estimate.Assumptions`
is built from the same table)."""

from __future__ import annotations

APPROXIMATION = (
    "tokens ≈ characters / 4, rounded up per message (no tokenizer: tiktoken's encodings are "
    "downloaded at first use, so none is available offline). English prose is close to 4 "
    "characters per token for current OpenAI and Anthropic tokenizers; JSON, ids and figures "
    "are denser, so read every token figure as ±25%."
)
DEFAULT_MESSAGE_LIMIT = 40  # the tasks' default

ASSUMED: dict[str, tuple[int, str]] = {
    "reply_tokens": (150, "an agent's text answer"),
    "submission_tokens": (300, "one submission, all fields"),
    "message_tokens": (150, "one send_message body"),
    "counterparty_tokens": (80, "a model counterparty's turn"),
    "tool_argument_tokens": (60, "the arguments of one call to a tool that needs them"),
    "tool_result_tokens": (150, "the result of a tool that needs arguments"),
    "grader_output_tokens": (350, "one verdict"),
    "round_verdict_tokens": (80, "one round's verdict, where a scenario is judged per round"),
}
"""Each assumption: tokens by default, and what they are the tokens of."""
