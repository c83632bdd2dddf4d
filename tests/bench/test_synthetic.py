"""The bench's synthetic logs are as a run leaves them: each with a current outcome index that
reads as the log; hiding the indexes for the comparison row puts every one back."""

from __future__ import annotations

from pathlib import Path

from analysis import logs
from analysis.outcome_index import index_state, read_index
from bench.synthetic import Synthetic, _clone, index_problems, indexes_hidden
from tests.analysis.runs import run_blame


def test_a_synthetic_log_has_its_index_and_hiding_it_is_undone(tmp_path: Path) -> None:
    template = run_blame(tmp_path / "template", "deceptive", epochs=1)
    out = tmp_path / "synthetic"
    out.mkdir()
    log = out / "synthetic_blame_postmortem_model-1.eval"
    samples, arms = _clone(str(template), 1, 3, str(log))
    assert (samples, arms) == (6, 2)
    assert index_state(log) == "current"
    indexed = read_index(log)
    assert indexed is not None and indexed == logs._read_log(str(log), use_index=False)
    synthetic = Synthetic(out, samples, arms, 1)
    assert index_problems(synthetic) == []
    with indexes_hidden(out):
        assert index_problems(synthetic) == [f"{log.name}: outcome index absent"]
        assert sorted(p.name for p in out.iterdir()) == [log.name]
    assert index_problems(synthetic) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["synthetic", "template"]
