"""The screenshot tool writes its study where a user keeps logs, but never over a user's own."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.dashboard import screenshots


def test_a_folder_the_tool_did_not_write_is_not_replaced(tmp_path: Path) -> None:
    mine = tmp_path / "study"
    mine.mkdir()
    (mine / "run.eval").write_bytes(b"a user's log")
    with pytest.raises(SystemExit, match="was not written by this tool"):
        screenshots.fresh(mine)
    assert (mine / "run.eval").read_bytes() == b"a user's log"


def test_a_folder_the_tool_wrote_is_written_afresh(tmp_path: Path) -> None:
    folder = screenshots.fresh(tmp_path / "logs" / "screenshot-study")
    (folder / "old.eval").write_bytes(b"an earlier study")
    again = screenshots.fresh(folder)
    assert again == folder and [p.name for p in folder.iterdir()] == [".candor-screenshots"]


def test_the_study_lies_under_the_repositorys_ignored_logs_folder() -> None:
    assert screenshots.STUDY_DIR.relative_to(screenshots.ROOT).parts[0] == "logs"
    ignored = (screenshots.ROOT / ".gitignore").read_text(encoding="utf-8").split()
    assert "logs/" in ignored


def test_the_readme_shows_a_picture_of_every_page() -> None:
    """Each page of the app (its title in dashboard/app.py) has a README picture in docs/."""
    app = (screenshots.ROOT / "dashboard" / "app.py").read_text(encoding="utf-8")
    titles = re.findall(r'(?<!_)title="([^"]+)"', app)
    readme = (screenshots.ROOT / "README.md").read_text(encoding="utf-8")
    pictures = re.findall(r"!\[([^\]]+)\]\((docs/dashboard-[a-z-]+\.png)\)", readme)
    assert len(titles) == 9
    for title in titles:
        assert any(alt.startswith(title) for alt, _ in pictures), title
    for _, path in pictures:
        assert (screenshots.ROOT / path).is_file(), path
