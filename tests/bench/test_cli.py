"""``acrouter bench`` end to end: outputs, determinism, progress, errors."""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from acrouter.bench import cli
from acrouter.bench.chart import ChartUnavailable, regret_png
from acrouter.bench.metrics import summarize
from acrouter.bench.protocols import RouterRun

from .conftest import FIXTURES


def bench(argv: list[str]) -> tuple[int, str]:
    parser = argparse.ArgumentParser()
    cli.configure(parser)
    out = io.StringIO()
    code = cli.run(parser.parse_args(argv), stdout=out)
    return code, out.getvalue()


def files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((folder / "decisions").iterdir())}


def test_escalate_run_is_byte_identical_across_processes(tmp_path: Path) -> None:
    """Same data and seed -> byte-identical decision files, even with other hash seeds."""
    args = ["--protocol", "escalate", "--verifier-noise", "0.1", "--seed", "5", "--limit", "120"]
    procs = []
    for name, hash_seed in (("a", "1"), ("b", "2")):  # both at once: 2 cores
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        cmd = [sys.executable, "-m", "acrouter", "bench", *args, "--out", str(tmp_path / name)]
        procs.append(
            subprocess.Popen(
                cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
            )
        )
    outputs = []
    for proc in procs:
        stdout, stderr = proc.communicate(timeout=300)
        assert proc.returncode == 0, stderr
        outputs.append(stdout)
    a, b = files(tmp_path / "a"), files(tmp_path / "b")
    assert (
        a == b and "acrouter.jsonl" in a and "always_gpt-5.4.jsonl" in a and "cascade3.jsonl" in a
    )
    summary = (tmp_path / "a" / "summary.json").read_bytes()
    assert summary == (tmp_path / "b" / "summary.json").read_bytes()
    lines = a["cascade3.jsonl"].decode().splitlines()
    assert len(lines) == 120
    first = json.loads(lines[0])
    assert first["task_id"] == "dim1_humaneval_HumanEval_51"
    assert set(first) >= {"task_id", "calls", "final_model", "why"}
    assert all(set(c) == {"model", "verdict"} for c in first["calls"])
    assert "cascade3" in outputs[0] and "report: " in outputs[0]
    assert outputs[0].split("report: ")[0] == outputs[1].split("report: ")[0]  # same table


def test_outputs_of_a_single_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    monkeypatch.setenv("ACROUTER_HOME", str(home))  # the bench must not touch user memory
    out = tmp_path / "o"
    routers = ["--router", "oracle,always:gpt-5.4", "--router", "paper-id", "--router", "acrouter"]
    code, stdout = bench([*routers, "--out", str(out)])
    assert code == 0
    summary = json.loads((out / "summary.json").read_text())
    assert list(summary) == ["oracle", "always:gpt-5.4", "paper-id", "acrouter"]
    assert summary["paper-id"]["n"] == 1013
    assert set(summary["oracle"]) == {
        "n",
        "AvgPerf",
        "CumReg",
        "TotalUsd",
        "PerfPerDollar",
        "CallsPerTask",
        "CumRegFirst",
        "FirstHabit",
        "HabitChanges",
    }
    assert round(summary["always:gpt-5.4"]["CumReg"], 1) == 196.3
    # adaptation: CumReg over the first 10/25/50 tasks, from the decision files' regrets
    decisions = [
        json.loads(line) for line in (out / "decisions" / "acrouter.jsonl").read_text().splitlines()
    ]
    early = summary["acrouter"]["CumRegFirst"]
    for n in (10, 25, 50):
        assert early[str(n)] == pytest.approx(sum(d["regret"] for d in decisions[:n]), abs=1e-4)
    assert summary["oracle"]["CumRegFirst"]["50"] == pytest.approx(0.0, abs=1e-9)
    # always:gpt-5.4 never changes its habit: its first habit, from the 10th task on, and
    # no change (the first habit is not one)
    fixed = summary["always:gpt-5.4"]
    assert fixed["FirstHabit"] == {"task": 10, "first_call": "gpt-5.4"}
    assert fixed["HabitChanges"] == []
    [fixed_row] = [
        line
        for line in (out / "report.md").read_text().splitlines()
        if line.startswith("| always:gpt-5.4 |") and "gpt-5.4 (10)" in line
    ]
    assert fixed_row.endswith("| gpt-5.4 (10) | none |")
    row = f"| acrouter | {early['10']:.1f} | {early['25']:.1f} | {early['50']:.1f} |"
    assert row in (out / "report.md").read_text()
    assert "CumReg first 25" in stdout and "CumReg first 25" in (out / "report.html").read_text()
    md = (out / "report.md").read_text()
    assert "| paper-id | 1013 | 47.92 | 113.9 | 8.86 |" in md
    html = (out / "report.html").read_text()
    assert "data:image/png;base64," in html and "<td>paper-id</td>" in html
    assert (out / "regret.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "paper-id" in stdout and str((out / "report.html").resolve()) in stdout
    assert not home.exists()
    assert sorted(p.name for p in (out / "decisions").iterdir()) == [
        "acrouter.jsonl",
        "always_gpt-5.4.jsonl",
        "oracle.jsonl",
        "paper-id.jsonl",
    ]


def test_data_folder_with_bundled_priors(tmp_path: Path) -> None:
    out = tmp_path / "ood"
    code, stdout = bench(
        [
            "--data",
            str(FIXTURES),
            "--split",
            "ood_sample",
            "--protocol",
            "escalate",
            "--router",
            "paper-ood-cascade",
            "--router",
            "oracle",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    summary = json.loads((out / "summary.json").read_text())
    assert "paper-ood-cascade" in stdout and "(12 tasks)" in stdout
    assert summary["paper-ood-cascade"]["CallsPerTask"] == 3.0
    assert round(summary["paper-ood-cascade"]["TotalUsd"], 2) == 15.17
    assert "priors: bundled probing split (7080 tasks)" in (out / "report.md").read_text()


def test_lodo_report_has_per_dimension_tables(tmp_path: Path) -> None:
    out = tmp_path / "lodo"
    code, stdout = bench(
        [
            "--data",
            str(FIXTURES),
            "--split",
            "ood_sample",
            "--protocol",
            "lodo",
            "--router",
            "dimension-best",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    md = (out / "report.md").read_text()
    assert "## Held out: bug_fixing" in md and "best single model in hindsight (" in md
    summary = json.loads((out / "summary.json").read_text())
    assert set(summary["dimension-best"]["per_dimension"]) == {"bug_fixing"}
    # how fast it adapts: CumReg over the first 100 tasks of the held-out dimension
    # (the sample has fewer, so it is the whole dimension's)
    held = summary["dimension-best"]["per_dimension"]["bug_fixing"]
    assert held["cum_reg_first_100"] == pytest.approx(held["CumReg"], abs=0.05)
    assert "| CumReg first 100 |" in md
    # the terminal and the report summarise every held-out dimension in one table
    assert (
        "Per held-out dimension: CumReg over the whole dimension [over its first 100 tasks]."
        in stdout
    )
    row = next(line for line in stdout.splitlines() if line.startswith("bug_fixing"))
    assert f"{held['CumReg']:.1f} [{held['cum_reg_first_100']:.1f}]" in row
    assert "## Per held-out dimension" in md
    # one table model, two renderers: the HTML report has every table of the markdown one
    page = (out / "report.html").read_text()
    assert "<h2>Per held-out dimension</h2>" in page and "<h2>Held out: bug_fixing</h2>" in page
    assert page.count("<table>") == md.count("\n| ---") == 4  # all, adaptation, matrix, 1 dim
    line = json.loads((out / "decisions" / "dimension-best.jsonl").read_text().splitlines()[0])
    assert line["held_out"] == "bug_fixing"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--router", "nope"], "unknown router(s) nope"),
        (["--router", "always:gpt-9"], "unknown router(s) always:gpt-9"),
        (["--verifier-noise", "1.5"], "--verifier-noise must be in [0, 1]"),
        (["--data", "/nonexistent/dir"], "file not found"),
        (["--split", "ood_sample"], "--split needs --data"),
    ],
)
def test_errors_are_one_clear_message(
    argv: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, stdout = bench([*argv, "--out", str(tmp_path)])
    assert code == 2 and stdout == ""
    assert message in capsys.readouterr().err


def test_progress_bar_tty_and_pipe() -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    tty, pipe = Tty(), io.StringIO()
    for stream in (tty, pipe):
        bar = cli.ProgressBar(stream)
        for done in (0, 50, 100):
            bar("linucb", done, 100)
        bar("knn", 100, 100)
    assert tty.getvalue().count("\r") == 4 and "100/100" in tty.getvalue()
    assert pipe.getvalue().splitlines()[0].startswith("linucb: 100/100 tasks in ")
    assert len(pipe.getvalue().splitlines()) == 2 and "\r" not in pipe.getvalue()


def test_without_matplotlib_the_run_reports_everything_but_the_chart(tmp_path: Path) -> None:
    """A plain install (no bench extra): the table, the reports, a hint, and exit 0."""
    out = tmp_path / "plain"
    code = (
        "import sys; sys.modules['matplotlib'] = None\n"  # import matplotlib -> ImportError
        "from acrouter.cli import main\n"
        f"sys.exit(main(['bench', '--router', 'oracle', '--limit', '20', '--out', {str(out)!r}]))\n"
    )
    env = {**os.environ, "ACROUTER_HOME": str(tmp_path / "home")}
    proc = subprocess.run(
        [sys.executable, "-c", code],
        check=False,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert "oracle" in proc.stdout
    assert (
        "chart not drawn: the regret chart needs matplotlib: pip install 'acrouter[bench]'"
        in proc.stdout
    )
    assert not (out / "regret.png").exists()
    assert "pip install 'acrouter[bench]'" in (out / "report.md").read_text()
    assert "pip install &#x27;acrouter[bench]&#x27;" in (out / "report.html").read_text()
    assert (out / "summary.json").exists()


def test_missing_matplotlib_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(ChartUnavailable, match=r"pip install 'acrouter\[bench\]'"):
        regret_png([RouterRun("x", (), summarize([]), False, 0.0)], "t")


def test_habit_changes_list_only_real_changes() -> None:
    from acrouter.bench.metrics import TaskRecord, behaviour_changes, first_habit

    def record(first_call: str) -> TaskRecord:
        return TaskRecord("t", ((first_call, "pass"),), first_call, first_call, 1.0, 0.0, 1.0, 1.0)

    stream = [record("a")] * 12 + [record("b")] * 12
    assert first_habit(stream, window=4) == (3, "a")
    # b leads the last 4 tasks from the 15th task (index 14) on: the one change
    assert behaviour_changes(stream, window=4) == [(14, "b")]
    assert behaviour_changes([record("a")] * 12, window=4) == []
    assert first_habit([record("a")] * 3, window=4) is None
