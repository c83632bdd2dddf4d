"""Where the log directory and label database come from; the `candor dashboard` command line."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from dashboard import commands
from dashboard.config import labels_path, launch_options


@pytest.mark.parametrize(
    ("argv", "env", "log_dir", "labels"),
    [
        (
            ["dashboard/app.py", "logs", "--labels", "l.db"],
            {"CANDOR_LOG_DIR": "env"},
            "logs",
            "l.db",
        ),
        (["/x/app.py"], {"CANDOR_LOG_DIR": "env", "CANDOR_LABELS": "e.db"}, "env", "e.db"),
        (["pytest", "tests/dashboard", "-q"], {}, None, None),  # a test runner's argv is ignored
        (["app.py"], {}, None, None),
    ],
)
def test_launch_options(
    argv: list[str], env: dict[str, str], log_dir: str | None, labels: str | None
) -> None:
    opts = launch_options(argv, env)
    assert (opts.log_dir, opts.labels) == (log_dir, labels)


def test_labels_default_beside_the_logs() -> None:
    assert labels_path("logs", None) == Path("logs/candor-labels.sqlite")
    assert labels_path("logs", "elsewhere.db") == Path("elsewhere.db")


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="candor")
    commands.add_parser(parser.add_subparsers(dest="command", required=True))
    return parser.parse_args(argv)


def test_dashboard_command_line(tmp_path: Path) -> None:
    args = _parse(["dashboard", str(tmp_path), "--labels", "l.db", "--port", "9999"])
    assert args.handler is commands.run
    command = commands.streamlit_command(args)
    assert command[1:5] == ["-m", "dashboard.launch", "run", str(commands.APP)]
    assert command[command.index("--server.port") + 1] == "9999"
    assert command[command.index("--server.address") + 1] == "127.0.0.1"
    assert command[command.index("--") + 1 :] == [
        str(tmp_path.resolve()),
        "--labels",
        str(Path("l.db").resolve()),
    ]


def test_missing_log_dir_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert commands.run(_parse(["dashboard", str(tmp_path / "nope")])) == 2
    assert "does not exist" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "options", "rest"),
    [
        (
            ["dashboard", "logs", "--server.port", "8600"],
            {"server.port": "8600"},
            ["dashboard", "logs"],
        ),
        (
            ["dashboard", "--server.port=8600", "logs", "--server.headless", "true"],
            {"server.port": "8600", "server.headless": "true"},
            ["dashboard", "logs"],
        ),
        (
            ["dashboard", "logs", "--labels", "l.db", "--theme.base", "dark"],
            {"theme.base": "dark"},
            ["dashboard", "logs", "--labels", "l.db"],
        ),
    ],
)
def test_streamlit_options_split_from_ours(
    argv: list[str], options: dict[str, str], rest: list[str]
) -> None:
    assert commands.split_streamlit_options(argv) == (rest, options)


@pytest.mark.parametrize("argv", [["logs", "--server.port"], ["--server.port", "--labels", "x"]])
def test_streamlit_option_without_a_value_is_an_error(argv: list[str]) -> None:
    with pytest.raises(commands.OptionError, match="--server.port"):
        commands.split_streamlit_options(argv)


def test_candor_dashboard_passes_streamlit_options(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`candor dashboard LOGS --server.port 8600 --server.headless true`, as the README shows."""
    from cli.main import main

    ran: list[list[str]] = []

    class Done:
        def __init__(self, command: list[str], env: dict[str, str]) -> None:
            ran.append(command)

        def wait(self) -> int:
            return 0

    monkeypatch.setattr(commands.subprocess, "Popen", Done)
    assert (
        main(["dashboard", str(tmp_path), "--server.port", "8600", "--server.headless", "true"])
        == 0
    )
    [command] = ran
    assert command[command.index("--server.port") + 1] == "8600"
    assert command.count("--server.port") == 1
    assert command[command.index("--server.headless") + 1] == "true"
    assert command[command.index("--") + 1 :] == [str(tmp_path.resolve())]
    assert "http://127.0.0.1:8600" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["dashboard", str(tmp_path), "--server.port"])
    assert "needs a value" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv",
    [
        ["--server.port", "abc"],
        ["--server.port=abc"],
        ["--server.port", "0"],
        ["--server.port", "65536"],
        ["--server.port", "-1"],
        ["--server.port", "80.5"],
        ["--port", "abc"],
        ["--port", "70000"],
    ],
)
def test_bad_port_is_a_usage_error_naming_the_option(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
) -> None:
    """A bad port fails before the dashboard announces an address or starts Streamlit."""
    from cli.main import main

    started: list[object] = []
    monkeypatch.setattr(commands.subprocess, "Popen", lambda *a, **k: started.append(a))
    with pytest.raises(SystemExit) as exit_info:
        main(["dashboard", str(tmp_path), *argv])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    option = argv[0].split("=")[0]
    assert option in err and "1 to 65535" in err, err
    assert "Candor dashboard on" not in err and started == []


@pytest.mark.parametrize("value", ["1", "8600", "65535"])
def test_good_port_passes(value: str) -> None:
    assert commands.split_streamlit_options(["--server.port", value]) == (
        [],
        {"server.port": value},
    )


@pytest.mark.parametrize(
    ("argv", "env", "plan", "prices"),
    [
        (
            ["dashboard/app.py", "logs", "--plan", "p.yaml", "--prices", "c.yaml"],
            {},
            "p.yaml",
            "c.yaml",
        ),
        (["app.py"], {"CANDOR_PLAN": "e.yaml", "CANDOR_PRICES": "ec.yaml"}, "e.yaml", "ec.yaml"),
        (["app.py", "logs"], {}, None, None),
    ],
)
def test_plan_and_prices_reach_the_app(
    argv: list[str], env: dict[str, str], plan: str | None, prices: str | None
) -> None:
    opts = launch_options(argv, env)
    assert (opts.plan, opts.prices) == (plan, prices)


def test_dashboard_passes_plan_and_prices(tmp_path: Path) -> None:
    args = _parse(["dashboard", str(tmp_path), "--plan", "p.yaml", "--prices", "c.yaml"])
    command = commands.streamlit_command(args)
    rest = command[command.index("--") + 1 :]
    assert rest == [
        str(tmp_path.resolve()),
        "--plan",
        str(Path("p.yaml").resolve()),
        "--prices",
        str(Path("c.yaml").resolve()),
    ]


@pytest.mark.parametrize(
    ("flag", "text", "expected"),
    [
        ("--plan", "name: x\nn_per_arm: 2\ncontrasts: []\n", "plan file"),
        ("--plan", "name: x\nn_per_arm: 2\nbogus: 1\n", "contrasts"),
        ("--prices", "models:\n  m: {input: -1, output: 2}\n", "models.m.input"),
        ("--prices", "models: [\n", "not valid yaml"),
    ],
)
def test_bad_plan_or_prices_fail_at_start_naming_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], flag: str, text: str, expected: str
) -> None:
    bad = tmp_path / "file.yaml"
    bad.write_text(text, encoding="utf-8")
    assert commands.run(_parse(["dashboard", str(tmp_path), flag, str(bad)])) == 2
    err = capsys.readouterr().err
    assert str(bad) in err and expected in err, err
