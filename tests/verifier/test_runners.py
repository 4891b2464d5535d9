"""Test command detection, command plans, and JUnit report parsing."""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path

import pytest
from acrouter.verifier import detect_test_command, parse_junit
from acrouter.verifier.runners import can_check_syntax, plan_command, python_version

from .helpers import write_tree


def _venv(root: Path, name: str = ".venv", version: str = "3.11.4") -> Path:
    py = root / name / "bin" / "python"
    py.parent.mkdir(parents=True)
    py.write_text("#!/bin/sh\n")
    py.chmod(0o755)
    (root / name / "pyvenv.cfg").write_text(f"home = /usr/bin\nversion = {version}\n")
    return py


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"pytest.ini": "[pytest]\n"}, "python3 -m pytest"),
        ({"conftest.py": ""}, "python3 -m pytest"),
        ({"pyproject.toml": "[tool.pytest.ini_options]\n"}, "python3 -m pytest"),
        ({"setup.cfg": "[tool:pytest]\n"}, "python3 -m pytest"),
        ({"tests/unit/test_x.py": ""}, "python3 -m pytest"),
        ({"test_root.py": ""}, "python3 -m pytest"),
        ({"package.json": json.dumps({"scripts": {"test": "jest"}})}, "npm test"),
        (
            {
                "package.json": json.dumps(
                    {"scripts": {"test": 'echo "Error: no test specified" && exit 1'}}
                )
            },
            None,
        ),
        ({"Cargo.toml": "[package]\n"}, "cargo test"),
        ({"go.mod": "module x\n"}, "go test ./..."),
        ({"Makefile": "all:\n\ttrue\ntest: all\n\t./run\n"}, "make test"),
        ({"Makefile": "all:\n\ttrue\n"}, None),
        ({"README.md": "hi"}, None),
        ({"pyproject.toml": "[project]\nname='x'\n"}, None),
    ],
)
def test_detection(tmp_path: Path, files: dict[str, str], expected: str | None) -> None:
    assert detect_test_command(write_tree(tmp_path, files)) == expected


@pytest.mark.parametrize("venv", [".venv", "venv"])
def test_detection_uses_the_projects_virtualenv(tmp_path: Path, venv: str) -> None:
    write_tree(tmp_path, {"tests/test_a.py": ""})
    py = _venv(tmp_path, venv)
    assert detect_test_command(tmp_path) == f"{shlex.quote(str(py))} -m pytest"


def test_pytest_plans_get_a_report() -> None:
    plan = plan_command("/p/.venv/bin/python -m pytest -x tests", "/out/r.xml")
    assert plan.pytest and plan.interpreter == "/p/.venv/bin/python"
    assert plan.argv[:5] == ("/p/.venv/bin/python", "-m", "pytest", "-x", "tests")
    assert "--junitxml=/out/r.xml" in plan.argv and "no:cacheprovider" in plan.argv
    assert plan_command("pytest -q", "/r.xml").pytest
    assert plan_command("python3 -mpytest", "/r.xml").pytest


def test_other_commands_are_exit_code_only() -> None:
    for cmd in ("npm test", "cargo test", "python -m unittest", "make test"):
        plan = plan_command(cmd, "/r.xml")
        assert not plan.pytest and plan.argv == tuple(cmd.split())


def test_shell_syntax_runs_through_sh() -> None:
    plan = plan_command("cd sub && pytest", "/r.xml")
    assert plan.argv == ("/bin/sh", "-c", "cd sub && pytest") and not plan.pytest
    assert plan_command("FOO=1 pytest", "/r.xml").argv[0] == "/bin/sh"


def test_python_version_from_pyvenv_cfg(tmp_path: Path) -> None:
    py = _venv(tmp_path, version="3.13.1")
    assert python_version(str(py)) == (3, 13)
    assert not can_check_syntax(str(py)) or sys.version_info >= (3, 13)
    assert python_version(sys.executable) == sys.version_info[:2]
    assert can_check_syntax(sys.executable)
    assert python_version("no-such-python-here") is None


JUNIT = """<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest" tests="5">
<testcase classname="tests.test_a" name="test_ok" time="0.1"/>
<testcase classname="tests.test_a" name="test_bad" time="0.1"><failure message="assert 1 == 2">trace</failure></testcase>
<testcase classname="tests.test_a" name="test_skip"><skipped message="no"/></testcase>
<testcase classname="tests.test_a" name="test_teardown"/>
<testcase classname="tests.test_a" name="test_teardown"><error message="teardown failed"/></testcase>
<testcase classname="" name="tests.test_broken"><error message="collection failure"/></testcase>
</testsuite></testsuites>
"""


def test_parse_junit(tmp_path: Path) -> None:
    path = tmp_path / "r.xml"
    path.write_text(JUNIT)
    report = parse_junit(path)
    assert report is not None
    assert report.outcomes == {
        "tests.test_a::test_ok": "passed",
        "tests.test_a::test_bad": "failed",
        "tests.test_a::test_skip": "skipped",
        "tests.test_a::test_teardown": "failed",
        "tests.test_broken": "failed",
    }
    assert report.messages["tests.test_a::test_bad"] == "assert 1 == 2"


def test_unreadable_reports_are_none(tmp_path: Path) -> None:
    assert parse_junit(tmp_path / "missing.xml") is None
    (tmp_path / "bad.xml").write_text("<testsuite><testcase")
    assert parse_junit(tmp_path / "bad.xml") is None
    (tmp_path / "empty.xml").write_text("<testsuites/>")
    report = parse_junit(tmp_path / "empty.xml")
    assert report is not None and report.outcomes == {}
