"""``acrouter verify``: exit codes 0/1/2 and the JSON shape."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from acrouter.cli import main
from acrouter.domain import Edit
from acrouter.verifier import ProjectVerifier
from acrouter.verifier.cli import verify_edit

from .helpers import CALC, CALC_FIXED, CONFIRMED, Shared, needs_bwrap, pytest_cmd, verifier


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ACROUTER_HOME", str(tmp_path / "acrouter-home"))  # cache stays in tmp
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")


def _edit(tmp_path: Path, data: object) -> str:
    path = tmp_path / "edit.json"
    path.write_text(json.dumps(data))
    return str(path)


@needs_bwrap
def test_pass_and_fail_with_json(
    shared: Shared, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = [
        "verify",
        "--workspace",
        str(shared.root),
        "--test-command",
        pytest_cmd(shared.root),
        "--json",
    ]
    assert main([*args, "--edit", _edit(tmp_path, {"files": {"calc.py": CALC_FIXED}})]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out == {
        "verdict": "pass",
        "testsPassedBefore": 1,
        "testsFailedBefore": 1,
        "testsPassed": 2,
        "testsFailed": 0,
        "durationMs": out["durationMs"],
        "counted": True,
        "weak": False,
        "detail": "2 passed, 0 failed (before: 1 passed, 1 failed)" + CONFIRMED,
        "unrun": "",
        "sandbox": "bwrap",
        "bwrap": out["bwrap"],  # which one: tests/verifier/test_bwrap_exe.py
    }
    assert out["durationMs"] > 0
    assert (tmp_path / "acrouter-home" / "verifier-cache").is_dir()
    diff = "--- a/calc.py\n+++ b/calc.py\n@@ -5,2 +5,2 @@\n def mul(a, b):\n-    return a * b\n+    return a - b\n"
    assert main([*args, "--edit", _edit(tmp_path, {"diff": diff})]) == 1
    assert json.loads(capsys.readouterr().out)["verdict"] == "fail"


@needs_bwrap
def test_plain_output_and_timeout_option(
    shared: Shared, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            "verify",
            "--workspace",
            str(shared.root),
            "--test-command",
            pytest_cmd(shared.root),
            "--timeout",
            "60",
            "--no-cache",
            "--edit",
            _edit(tmp_path, {"files": {"calc.py": CALC}}),
        ]
    )
    assert code == 1
    assert capsys.readouterr().out.startswith("fail: ")


@pytest.mark.parametrize(
    "data",
    [
        {"files": {"../evil.py": "x"}},
        {"files": {}},
        ["not", "an", "object"],
        {"files": {"a.py": 3}},
        {"diff": "nonsense"},
    ],
)
def test_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str], data: object) -> None:
    (tmp_path / "ws").mkdir()
    (tmp_path / "ws" / "test_a.py").write_text("def test_a():\n    pass\n")
    code = main(
        [
            "verify",
            "--workspace",
            str(tmp_path / "ws"),
            "--edit",
            _edit(tmp_path, data),
            "--json",
            "--sandbox",
            "none",
        ]
    )
    assert code == 2
    assert json.loads(capsys.readouterr().out)["verdict"] == "error"
    assert not (tmp_path / "evil.py").exists()


def test_unreadable_edit_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["verify", "--workspace", str(tmp_path), "--edit", str(tmp_path / "missing.json")])
        == 2
    )
    assert "cannot read the edit" in capsys.readouterr().out


@needs_bwrap
def test_settings_come_from_config_toml_and_the_flags_win(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``acrouter verify`` takes testCommand, testTimeoutSeconds and sandbox from
    config.toml, as ``acrouter complete`` does; a flag overrides each."""
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "calc.py").write_text(CALC)
    # a check no runner detection would find: only testCommand names it
    (ws / "check.py").write_text(
        "import sys, time\nimport calc\n"
        "if len(sys.argv) > 1:\n    time.sleep(60)\n"
        "sys.exit(0 if calc.add(2, 3) == 5 else 1)\n"
    )
    config = tmp_path / "acrouter-home" / "config.toml"
    config.parent.mkdir(parents=True)
    check = f"{sys.executable} check.py"
    config.write_text(f'testCommand = "{check}"\nsandbox = "none"\n')
    args = ["verify", "--workspace", str(ws), "--json"]
    edit = ["--edit", _edit(tmp_path, {"files": {"calc.py": CALC_FIXED}})]
    assert main([*args, *edit]) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["verdict"], out["weak"], out["sandbox"]) == ("pass", True, "none")
    # the flags win: another command (it fails with or without the edit), and bwrap
    failing = f"{sys.executable} -c 'import sys; sys.exit(1)'"
    assert main([*args, *edit, "--test-command", failing, "--sandbox", "bwrap"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert "fail even without the edit" in out["detail"] and out["sandbox"] == "bwrap"
    # testTimeoutSeconds: the slow check is stopped after it, here already without the
    # edit, which leaves nothing to judge the edit by (the editor's pre-flight): an error
    config.write_text(f'testCommand = "{check} slow"\nsandbox = "none"\ntestTimeoutSeconds = 1\n')
    assert main([*args, *edit]) == 2
    out = json.loads(capsys.readouterr().out)
    assert out["detail"] == "the tests took longer than 1 s even without the edit"
    assert not out["counted"]
    # a problem in config.toml is named as written there
    config.write_text(f'testCommand = "{check}"\nsandbox = "docker"\n')
    assert main([*args, *edit]) == 0
    assert "config.toml: sandbox must be one of bwrap, none" in capsys.readouterr().err


#: a module with code no test reaches: ``scale`` and ``Meter.reset``
KEPT = """\
def add(a, b):
    return a + b


def scale(a):
    return a * 10


class Meter:
    def __init__(self):
        self.total = 0

    def count(self, n):
        self.total = add(self.total, n)

    def reset(self):
        self.total = 0
"""
KEPT_TESTS = """\
from calc import Meter, add


def test_add():
    assert add(2, 3) == 5


def test_meter():
    m = Meter()
    m.count(2)
    assert m.total == 2
"""


def _removal_workspace(tmp_path: Path) -> list[str]:
    """A project whose tests do not reach ``scale`` nor ``Meter.reset``; the arguments
    that verify an edit of it (pytest per test, unsandboxed: the suite is ours)."""
    ws = tmp_path / "ws"
    (ws / "tests").mkdir(parents=True)
    (ws / "calc.py").write_text(KEPT)
    (ws / "tests" / "test_calc.py").write_text(KEPT_TESTS)
    (ws / "pytest.ini").write_text("[pytest]\npythonpath = .\n")
    return [
        "verify",
        "--workspace",
        str(ws),
        "--test-command",
        pytest_cmd(ws),
        "--sandbox",
        "none",
        "--json",
    ]


def test_an_edit_dropping_untested_code_is_refused_unless_removal_is_allowed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The guard of a model's reply runs on every file the edit changes, with no
    removal asked for: deleting a function the tests never call is refused before any
    test runs (exit 2, the guard's message naming it); ``--allow-removal`` leaves the
    verdict to the tests, which pass."""
    args = _removal_workspace(tmp_path)
    without_scale = KEPT.replace("def scale(a):\n    return a * 10\n\n\n", "")
    edit = ["--edit", _edit(tmp_path, {"files": {"calc.py": without_scale}})]
    assert main([*args, *edit]) == 2
    out = json.loads(capsys.readouterr().out)
    assert out["verdict"] == "error" and not out["counted"]
    assert out["detail"] == (
        "the edit would delete 1 definition(s), method(s) or import(s) of calc.py that the "
        "instruction did not ask to remove: scale (pass --allow-removal if the removal is "
        "meant)"
    )
    assert out["testsPassed"] is None and out["testsPassedBefore"] is None  # no test ran
    assert set(out) >= {"sandbox", "bwrap"}  # the shape of every verdict
    assert main([*args, *edit, "--allow-removal"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["verdict"], out["testsPassed"], out["testsFailed"]) == ("pass", 2, 0)
    # plain output: the refusal as the verdict's line
    assert main([a for a in args if a != "--json"] + edit) == 2
    assert capsys.readouterr().out.startswith(
        "error: the edit would delete 1 definition(s), method(s) or import(s) of calc.py"
    )


def test_a_diff_dropping_a_method_of_a_kept_class_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = _removal_workspace(tmp_path)
    diff = (
        "--- a/calc.py\n+++ b/calc.py\n@@ -14,5 +14,2 @@\n"
        "     def count(self, n):\n         self.total = add(self.total, n)\n"
        "-\n-    def reset(self):\n-        self.total = 0\n"
    )
    assert main([*args, "--edit", _edit(tmp_path, {"diff": diff})]) == 2
    detail = json.loads(capsys.readouterr().out)["detail"]
    assert detail.endswith(
        "of calc.py that the instruction did not ask to remove: Meter.reset"
        " (pass --allow-removal if the removal is meant)"
    )
    assert main([*args, "--edit", _edit(tmp_path, {"diff": diff}), "--allow-removal"]) == 0
    assert json.loads(capsys.readouterr().out)["verdict"] == "pass"


def test_an_edit_that_keeps_every_definition_is_judged_by_the_tests(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Changed bodies, a definition added, one moved to a new file of the same edit:
    nothing is lost, so the tests decide (a broken ``add`` fails, exit 1)."""
    args = _removal_workspace(tmp_path)
    moved = KEPT.replace("def scale(a):\n    return a * 10\n", "from scaling import scale\n")
    files = {
        "calc.py": moved + "\n\ndef sub(a, b):\n    return a - b\n",
        "scaling.py": "def scale(a):\n    return 10 * a\n",
    }
    assert main([*args, "--edit", _edit(tmp_path, {"files": files})]) == 0
    assert json.loads(capsys.readouterr().out)["verdict"] == "pass"
    broken = KEPT.replace("return a + b", "return a - b")
    assert main([*args, "--edit", _edit(tmp_path, {"files": {"calc.py": broken}})]) == 1
    assert json.loads(capsys.readouterr().out)["verdict"] == "fail"


@needs_bwrap
def test_a_project_without_tests_is_an_error_not_a_failed_edit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """pytest collects nothing with or without the edit: the editor's pre-flight refuses
    such a request before any model is called, and ``acrouter verify`` says the same
    (exit 2, not counted) instead of failing the edit ("no test ran")."""
    root = tmp_path / "proj"
    root.mkdir()
    (root / "calc.py").write_text(CALC)
    args = ["verify", "--workspace", str(root), "--test-command", pytest_cmd(root)]
    edit = ["--edit", _edit(tmp_path, {"files": {"calc.py": CALC_FIXED}})]
    assert main([*args, *edit, "--json"]) == 2
    out = json.loads(capsys.readouterr().out)
    assert out["verdict"] == "error" and not out["counted"]
    # (with the runner's last line: pytest's "no tests ran in 0.00s" or, printed last
    # in some runs, its "ERROR: file or directory not found: …/tests")
    start = f"no test ran with {pytest_cmd(root)!r}, so no edit could be verified: "
    end = " (pass --test-command or set testCommand in config.toml)"
    detail = out["detail"]
    assert detail.startswith(start) and detail.endswith(end), detail
    said = detail[len(start) : -len(end)]
    assert said.startswith("no tests ran in ") or said == (
        f"ERROR: file or directory not found: {root / 'tests'}"
    ), detail
    assert main([*args, *edit]) == 2
    assert capsys.readouterr().out.startswith("error: no test ran with ")


@needs_bwrap
def test_no_cache_runs_the_baseline_once(tmp_path: Path) -> None:
    """``--no-cache`` runs the tests without the edit afresh, once: the pre-flight's run
    is the verification's baseline (before, the verification ran it a second time)."""
    root = tmp_path / "proj"
    root.mkdir()
    (root / "calc.py").write_text(CALC_FIXED)
    (root / "tests").mkdir()
    (root / "tests" / "test_calc.py").write_text(
        "from calc import add\n\n\ndef test_add():\n    assert add(2, 3) == 5\n"
    )
    v: ProjectVerifier = verifier(cache_dir=tmp_path / "cache", refresh_cache=True)
    comment = CALC_FIXED + "\n# a comment\n"
    verdict = verify_edit(v, str(root), Edit(files={"calc.py": comment}), pytest_cmd(root))
    assert verdict.verdict == "pass", verdict.detail
    assert v.baseline_runs == 1
