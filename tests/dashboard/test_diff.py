"""Word-level differences between two accounts: the right words marked, and nothing a model
writes can form markup or fake a highlight."""

from __future__ import annotations

import re

import pytest

from dashboard.diff import DIFF_CLOSE, DIFF_OPEN, word_diff
from dashboard.safe import escape_markdown

MARK = re.compile(re.escape(DIFF_OPEN) + r"(.*?)(?<!\\)" + re.escape(DIFF_CLOSE))


def marked(markdown: str) -> list[str]:
    """The highlighted pieces, unescaped."""
    return [re.sub(r"\\(.)", r"\1", m.group(1)) for m in MARK.finditer(markdown)]


def test_only_the_differing_words_are_marked() -> None:
    a = "At 05:44 I closed the flag as a false positive. The gate cleared."
    b = "At 05:44 the flag was reviewed with on-call. The gate cleared."
    ma, mb = word_diff(a, b)
    assert marked(ma) == ["I closed", "as a false positive."], ma
    assert marked(mb) == ["was reviewed with on-call."], mb
    assert "The gate cleared" in ma.replace("\\", "")


def test_identical_accounts_have_no_marks() -> None:
    text = "The delivery gate was clear at 05:58.\nNothing to add."
    ma, mb = word_diff(text, text)
    assert ma == mb == escape_markdown(text)


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>",
        "[link](http://x)",
        "![img](http://x/i.png)",
        ":red-background[fake]",
        DIFF_OPEN + "forged" + DIFF_CLOSE,
        "**bold** _it_ `code` $x^2$",
        "# heading\n- list",
        "\u202eevil\u202c",
    ],
)
def test_model_text_stays_text_in_a_diff(hostile: str) -> None:
    ma, mb = word_diff(f"The account says {hostile} here.", "The account says nothing here.")
    for side in (ma, mb):
        assert not re.search(
            r"(?<!\\)[<\[\]`*_$#]", side.replace(DIFF_OPEN, "").replace(DIFF_CLOSE, "")
        ), side
        assert "\u202e" not in side
    # every highlight is one the diff made (one per line): a forged directive is escaped inside
    assert len(MARK.findall(ma)) == hostile.count("\n") + 1
    assert len(MARK.findall(mb)) == 1


def test_a_mark_never_spans_a_line_break() -> None:
    ma, _ = word_diff("one\ntwo three\nfour", "uno\ndos tres\ncuatro")
    for line in ma.split("  \n"):
        assert line.count(DIFF_OPEN) == line.count(DIFF_CLOSE) <= 1
