"""What `candor estimate` assumes the models write, and its defaults: kept apart from the
estimator so the command line can offer them as flags without importing Inspect."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

APPROXIMATION = (
    "tokens ≈ characters / 4, rounded up per message (no tokenizer: tiktoken's encodings are "
    "downloaded at first use, so none is available offline). English prose is close to 4 "
    "characters per token for current OpenAI and Anthropic tokenizers; JSON, ids and figures "
    "are denser, so read every token figure as ±25%."
)
DEFAULT_MESSAGE_LIMIT = 40  # the tasks' default


class Assumptions(BaseModel):
    """What the models are assumed to write (no model has run yet), in tokens."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    reply_tokens: int = Field(default=150, ge=0, description="an agent's text answer")
    submission_tokens: int = Field(default=300, ge=0, description="one submission, all fields")
    message_tokens: int = Field(default=150, ge=0, description="one send_message body")
    counterparty_tokens: int = Field(default=80, ge=0, description="a model counterparty's turn")
    tool_argument_tokens: int = Field(
        default=60, ge=0, description="the arguments of one call to a tool that needs them"
    )
    tool_result_tokens: int = Field(
        default=150, ge=0, description="the result of a tool that needs arguments"
    )
    grader_output_tokens: int = Field(default=350, ge=0, description="one verdict")
    round_verdict_tokens: int = Field(
        default=80, ge=0, description="one round's verdict, where a scenario is judged per round"
    )
