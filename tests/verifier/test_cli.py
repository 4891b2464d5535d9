"""``acrouter verify``: exit codes 0/1/2 and the JSON shape."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from acrouter.cli import main

from .helpers import CALC, CALC_FIXED, CONFIRMED, Shared, needs_bwrap, pytest_cmd


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
    # testTimeoutSeconds: the slow check is stopped after it
    config.write_text(f'testCommand = "{check} slow"\nsandbox = "none"\ntestTimeoutSeconds = 1\n')
    assert main([*args, *edit]) == 1
    assert "after 1 s" in json.loads(capsys.readouterr().out)["detail"]
    # a problem in config.toml is named as written there
    config.write_text(f'testCommand = "{check}"\nsandbox = "docker"\n')
    assert main([*args, *edit]) == 0
    assert "config.toml: sandbox must be one of bwrap, none" in capsys.readouterr().err
