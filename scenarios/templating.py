"""The one way Candor builds a Jinja2 environment for its own templates.

Scenario texts, the grader prompts, the counterparty turn and the tool texts all render through
`environment`: an undefined name fails loudly (`StrictUndefined`), nothing is HTML-escaped (the
texts are prompts, not pages), and block tags take their own line with them.
"""

from __future__ import annotations

from pathlib import Path

import jinja2


def environment(
    folder: Path | None = None,
    *,
    keep_trailing_newline: bool = False,
    auto_reload: bool = False,
) -> jinja2.Environment:
    """A strict, unescaped Jinja2 environment, loading templates from `folder` when given.

    Args:
        folder: Where `get_template` finds templates; None for `from_string` only.
        keep_trailing_newline: Keep a template's final newline in what it renders.
        auto_reload: Pick up an edited template (checked by modification time).
    """
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(folder) if folder is not None else None,
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=keep_trailing_newline,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=auto_reload,
    )
