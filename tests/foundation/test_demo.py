"""`make demo`: every long step is announced before it starts, and the demo ends with a report
whose every section is filled, or a plain list of what it lacks and the one command that fills
it. The long steps (the llama-cpp-python build, the model run) are stubbed or only dry-run."""

from __future__ import annotations

import shlex
import subprocess
from collections.abc import Sequence
from pathlib import Path

import pytest

from analysis.completeness import EXPECTED_SECTIONS, gaps
from analysis.logs import LoadResult, SampleOutcome
from analysis.render import to_markdown
from analysis.report import build_report
from analysis.usage import TokenUsage
from cli.demo import real_model_command, run_demo

ROOT = Path(__file__).resolve().parents[2]
ARMS = {"overseer=ai,audit=none": 0.9, "overseer=human,audit=none": 0.5}


def _outcomes(graded: bool, epochs: int) -> list[SampleOutcome]:
    """A demo-like run: both arms, an identity slot per epoch, tokens per role."""
    found = []
    for arm, rate in ARMS.items():
        level = arm.split(",")[0].split("=")[1]
        for epoch in range(1, epochs + 1):
            slot = (epoch - 1) % 3
            positive = (epoch * 7 % 10) / 10 < rate
            found.append(
                SampleOutcome(
                    log="demo.eval",
                    task="blame_postmortem",
                    model="local/smollm2",
                    sample_id=f"blame_postmortem:{arm}",
                    epoch=epoch,
                    scenario="blame_postmortem",
                    suite="deception",
                    arm=arm,
                    levels={"overseer": level, "audit": "none"},
                    status="graded" if graded else "grader_unparseable",
                    outcomes={"deceptive": "positive" if positive else "negative"}
                    if graded
                    else {},
                    run="r1",
                    identity_slot=slot,
                    identities={"overseer": f"{level[0]}{slot + 1}"},
                    usage={
                        role: TokenUsage(model="local/smollm2", input_tokens=100, total_tokens=100)
                        for role in ("target", "grader")
                    },
                )
            )
    return found


def _markdown(graded: bool, epochs: int) -> str:
    return to_markdown(build_report(LoadResult(samples=_outcomes(graded, epochs), logs=["d"])))


# --- what the report lacks -----------------------------------------------------------------------


def test_a_full_report_has_no_gaps() -> None:
    markdown = _markdown(graded=True, epochs=30)
    assert all(f"## {s}" in markdown for s in EXPECTED_SECTIONS)
    assert gaps(markdown) == []


def test_a_tiny_models_report_names_each_section_it_cannot_fill() -> None:
    found = {g.section: g.why for g in gaps(_markdown(graded=False, epochs=1))}
    arm = found["blame_postmortem — local/smollm2 — (none graded)"]
    assert arm == (
        "not computed: overseer=ai,audit=none: Rate n/a, 95% CI (Wilson) n/a; "
        "Unscored grader_unparseable: 1"
    )
    assert "Fisher p not computed" in found["Models side by side: the species effect (ai vs human)"]
    assert any(s.startswith("overseer=ai,audit=none vs") for s in found)  # the identity strata


@pytest.mark.parametrize("left_out", EXPECTED_SECTIONS)
def test_a_section_left_out_is_a_gap(left_out: str) -> None:
    markdown = _markdown(graded=True, epochs=30)
    kept = [
        part for part in markdown.split("\n## ") if not part.startswith(left_out)
    ]  # drop the section
    found = gaps("\n## ".join(kept))
    assert [(g.section, g.why) for g in found] == [
        (left_out, "absent: too few graded samples to compute it")
    ]


def test_no_sample_at_all_is_said_plainly() -> None:
    [gap] = gaps("# Candor report\n\nLogs: none.\n")
    assert "no Candor sample was read" in gap.why


# --- the demo's steps, the long ones stubbed ---------------------------------------------


class _Stub:
    """The model run and the report, recording what was printed before each started."""

    def __init__(self, capsys: pytest.CaptureFixture[str], markdown: str, code: int = 0) -> None:
        self.capsys, self.markdown, self.code = capsys, markdown, code
        self.commands: list[list[str]] = []
        self.before_run = self.before_report = ""

    def run(self, command: Sequence[str]) -> int:
        self.before_run = self.capsys.readouterr().out
        self.commands.append(list(command))
        return self.code

    def report(self, log_dir: Path, figures: Path) -> str:
        self.before_report = self.capsys.readouterr().out
        assert figures == log_dir / "figures"
        return self.markdown


def _demo(stub: _Stub, tmp_path: Path, model: str = "local/smollm2", epochs: int = 1) -> int:
    return run_demo(
        tmp_path / "logs", model, model, epochs, Path("/venv/bin"), stub.run, stub.report
    )


def test_each_long_step_is_announced_before_it_starts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stub = _Stub(capsys, _markdown(graded=False, epochs=1))
    assert _demo(stub, tmp_path) == 0
    before = stub.before_run.splitlines()
    assert before[0].startswith("[1/3] Checking that every scenario's arms differ")
    assert any(line.startswith("ok   blame_postmortem") for line in before)  # the check ran
    assert before[-2].startswith("[2/3] Running blame_postmortem on every arm")
    assert "with local/smollm2 as the agent and local/smollm2 as the grader" in before[-2]
    assert before[-1].startswith(
        "      SmolLM2-135M runs on the CPU: about 5-20 minutes on 2 cores"
    )
    [command] = stub.commands
    assert command[:3] == ["/venv/bin/inspect", "eval", "candor/blame_postmortem"]
    assert shlex.join(command).count("--model local/smollm2 --model-role grader=local/smollm2") == 1
    assert stub.before_report.startswith(f"[3/3] The report of {tmp_path / 'logs'}")


def test_the_demo_ends_with_what_the_report_lacks_and_the_command_that_fills_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    markdown = _markdown(graded=False, epochs=1)
    stub = _Stub(capsys, markdown)
    assert _demo(stub, tmp_path) == 0
    out = capsys.readouterr().out
    assert out.startswith(markdown)  # the report itself, then the closing
    closing = out[len(markdown) :].strip().splitlines()
    assert closing[0] == (
        "What the report above lacks (SmolLM2-135M grades too few of its own episodes for these):"
    )
    listed = [line for line in closing if line.startswith("  - ")]
    assert len(listed) == len(gaps(markdown)) >= 3
    assert closing[-3] == (
        "One command with a real model fills every section (API keys in the environment):"
    )
    assert closing[-2] == f"  {real_model_command()}"
    assert closing[-1] == f"Browse the transcripts:  candor dashboard {tmp_path / 'logs'}"


def test_a_filled_report_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    stub = _Stub(capsys, _markdown(graded=True, epochs=30))
    assert _demo(stub, tmp_path, model="openai/gpt-5", epochs=30) == 0
    assert "SmolLM2" not in stub.before_run  # no embedded model, no CPU warning
    out = capsys.readouterr().out
    assert "Every section of the report above is filled." in out
    assert "lacks" not in out


def test_a_real_model_with_too_few_epochs_is_told_to_run_more(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stub = _Stub(capsys, _markdown(graded=False, epochs=1))
    assert _demo(stub, tmp_path, model="openai/gpt-5", epochs=12) == 0
    out = capsys.readouterr().out
    assert "(12 epoch(s) per arm grade too few samples for these)" in out
    assert f"DEMO_EPOCHS=36 DEMO_LOGS={tmp_path / 'logs'}" in out


def test_a_failed_run_stops_the_demo_before_the_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stub = _Stub(capsys, "unused", code=3)
    assert _demo(stub, tmp_path) == 3
    assert stub.before_report == ""
    assert "The run failed (exit status 3); the demo stops here" in capsys.readouterr().out


# --- the Makefile, dry-run ---------------------------------------------------------------------


def _dry_run(*variables: str) -> list[str]:
    done = subprocess.run(
        ["make", "-n", "-B", "-C", str(ROOT), "demo", *variables],
        capture_output=True,
        text=True,
        check=True,
    )
    return [line for line in done.stdout.splitlines() if not line.startswith("make")]


def test_make_demo_announces_the_install_and_the_llama_build_before_each() -> None:
    lines = _dry_run()
    build = next(i for i, line in enumerate(lines) if "pip wheel" in line)
    before = " ".join(lines[build - 3 : build])
    assert "Building llama-cpp-python 0.3.36 from source" in before
    assert "about 6-15 minutes" in before and "no output until it finishes" in before
    install = next(i for i, line in enumerate(lines) if "pip install --quiet -e" in line)
    assert "no output until it finishes" in " ".join(lines[install - 2 : install])
    assert lines[-2].endswith("-m cli.demo --log-dir logs/demo --model local/smollm2 \\")


def test_the_real_model_command_needs_no_local_build() -> None:
    """The command the demo and the README name: its variables reach cli.demo, and nothing of
    the embedded model is built."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    command = real_model_command()
    assert f"`{command}`" in readme
    lines = _dry_run(*shlex.split(command)[2:])
    assert not any("llama" in line or "smollm2" in line for line in lines)
    assert " ".join(lines[-2:]).replace("\\", "").split() == [
        ".venv/bin/python",
        "-m",
        "cli.demo",
        "--log-dir",
        "logs/study",
        "--model",
        "openai/gpt-5",
        "--grader",
        "anthropic/claude-sonnet-4-5",
        "--epochs",
        "30",
        "--bin",
        ".venv/bin",
    ]
