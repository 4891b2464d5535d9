"""End to end (in the sandbox and without): a test command without per-test results of
its own (a project's ``./run_tests.sh`` running pytest: weak) whose run with the edit
exits 0 before any test ran, where the run without the edit left pytest's per-test
report.  Found on six 1.17.0 (``benchmarks/verify_trust.py --only six``): ``os._exit(0)``
at the top of six.py, or a conftest calling ``sys.exit(0)``, came back a counted *pass
(weak)*, "tests exited with code 0"; with pytest as the command both fail ("the test
run produced no test report")."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from acrouter.domain import Edit
from acrouter.verifier.baseline import BaselineCache
from acrouter.verifier.results import closing_line
from acrouter.verifier.testrun import TestRun

from .helpers import (
    CALC_FIXED,
    OVERLAY_AND_NONE,
    TEST_CALC,
    TEST_UT,
    task_for,
    venv_with_pytest,
    verifier,
    write_tree,
)

MODES = OVERLAY_AND_NONE

EXIT_NOW = "import os as _os\n\n_os._exit(0)\n"


def _python(root: Path) -> str:
    """The project's own .venv, which can import pytest: the script names its python,
    which the verifier does not read, so it must be one the sandbox shows (this
    environment's may lie in a folder it masks: a checkout in /tmp; the base interpreter
    may have no pytest: a user's Debian python3)."""
    venv_with_pytest(root / ".venv")
    return ".venv/bin/python"


def _project(root: Path) -> Path:
    python = _python(root)
    script = f'#!/bin/sh\nset -e\ncd "$(dirname "$0")"\n{python} -m pytest -q tests\n'
    root = write_tree(
        root,
        {
            "calc.py": CALC_FIXED,
            "tests/test_calc.py": TEST_CALC,
            "pytest.ini": "[pytest]\npythonpath = .\n",
            "run_tests.sh": script,
        },
    )
    (root / "run_tests.sh").chmod(0o755)
    return root


@pytest.mark.parametrize("mode", MODES)
def test_the_code_exiting_before_the_tests_is_no_pass(
    tmp_path: Path, mode: dict[str, object]
) -> None:
    root = _project(tmp_path / "proj")
    edit = Edit(files={"calc.py": EXIT_NOW + CALC_FIXED})
    v = verifier(**mode).verify(task_for(root, "./run_tests.sh", kind="refactoring"), edit, "m")
    assert v.verdict == "fail" and v.weak and v.counted, v.detail
    assert "no per-test results (exit code 0)" in v.detail
    assert "the run without the edit left them (2 passed, 0 failed)" in v.detail


@pytest.mark.parametrize("mode", MODES)
def test_a_conftest_exiting_before_the_tests_is_no_pass(
    tmp_path: Path, mode: dict[str, object]
) -> None:
    root = _project(tmp_path / "proj")
    edit = Edit(files={"tests/conftest.py": "import sys\nsys.exit(0)\n"})
    v = verifier(**mode).verify(task_for(root, "./run_tests.sh", kind="refactoring"), edit, "m")
    assert v.verdict == "fail" and v.weak, v.detail
    assert "with its own changes to tests/conftest.py" in v.detail
    assert "no per-test results (exit code 0)" in v.detail


@pytest.mark.parametrize("mode", MODES)
def test_a_harmless_edit_under_the_script_still_passes(
    tmp_path: Path, mode: dict[str, object]
) -> None:
    root = _project(tmp_path / "proj")
    edit = Edit(files={"calc.py": CALC_FIXED.replace("a + b", "b + a")})
    v = verifier(**mode).verify(task_for(root, "./run_tests.sh", kind="refactoring"), edit, "m")
    assert v.verdict == "pass" and v.weak and v.counted, v.detail
    assert v.tests_passed == 2 and v.tests_failed == 0


# unittest below a script (idna 3.20 with a `make test` running unittest's discovery:
# os._exit(0) at the import of idna/core.py passed, counted), and a pytest whose report
# is the project's own (wcwidth 0.9.4's tox.ini passes --junit-xml, which overrides the
# one PYTEST_ADDOPTS asks for): no per-test results with or without the edit, but the
# runner's closing line ("Ran 2 tests in 0.001s", "2 passed in 0.01s") only without it


def _script_project(root: Path, runs: str) -> Path:
    python = _python(root)
    script = f'#!/bin/sh\nset -e\ncd "$(dirname "$0")"\n{python} {runs}\n'
    root = write_tree(
        root,
        {
            "calc.py": CALC_FIXED,
            "tests/__init__.py": "",
            "tests/test_calc.py": TEST_UT,
            "pytest.ini": "[pytest]\npythonpath = .\n",
            "run_tests.sh": script,
        },
    )
    (root / "run_tests.sh").chmod(0o755)
    return root


RUNS = [
    pytest.param("-m unittest discover -s tests -t .", "Ran 2 tests in", id="unittest"),
    pytest.param("-m pytest -q --junit-xml=own.xml tests", "2 passed in", id="pytest-own-xml"),
]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(("runs", "closing"), RUNS)
def test_no_closing_line_where_there_was_one_is_no_pass(
    tmp_path: Path, mode: dict[str, object], runs: str, closing: str
) -> None:
    root = _script_project(tmp_path / "proj", runs)
    task = task_for(root, "./run_tests.sh", kind="refactoring")
    edit = Edit(files={"calc.py": EXIT_NOW + CALC_FIXED})
    v = verifier(**mode).verify(task, edit, "m")
    assert v.verdict == "fail" and v.weak and v.counted, v.detail
    assert "printed no closing line of its runner (exit code 0)" in v.detail
    assert f"where the run without the edit printed '{closing}" in v.detail
    # a harmless edit prints it: a pass, counted
    edit = Edit(files={"calc.py": CALC_FIXED.replace("a + b", "b + a")})
    v = verifier(**mode).verify(task, edit, "m")
    assert v.verdict == "pass" and v.weak and v.counted, v.detail


def test_the_closing_line_is_cached_and_an_older_entry_runs_again(tmp_path: Path) -> None:
    # an entry cached before the closing line was kept would let the early exit pass
    # (idna's baseline, cached by the verifier before the rule, did) until the
    # workspace changed: it is run again
    cache = BaselineCache(tmp_path)
    cache.put("k", TestRun(exit_code=0, closing="Ran 2 tests in 0.001s"))
    assert BaselineCache(tmp_path).get("k") == TestRun(exit_code=0, closing="Ran 2 tests in 0.001s")
    path = tmp_path / "baseline-k.json"
    data = json.loads(path.read_text())
    del data["closing"]
    path.write_text(json.dumps(data))
    assert BaselineCache(tmp_path).get("k") is None


@pytest.mark.parametrize(
    ("output", "closing"),
    [
        ("1..3\n# tests 3\n# pass  3\n\n# ok\n", "# tests 3"),  # tape
        ("# tests 36\n# suites 2\n# pass 36\n# fail 0\n", "# tests 36"),  # node --test, TAP
        ("\u2139 tests 3\n\u2139 pass 3\n", "\u2139 tests 3"),  # node --test, spec
        ("\n  12 passing (34ms)\n  1 pending\n", "12 passing (34ms)"),  # mocha
        (
            "Tests:       1 failed, 2 passed, 3 total\nTime: 1 s\n",
            "Tests:       1 failed, 2 passed, 3 total",
        ),
        (
            "   Test Files  1 passed (1)\n        Tests  3 passed (3)\n",
            "Tests  3 passed (3)",
        ),  # vitest
        (
            "test result: ok. 3 passed; 0 failed; 0 ignored; finished in 0.00s\n",
            "test result: ok. 3 passed; 0 failed; 0 ignored; finished in 0.00s",
        ),
        ("ok  \texample.com/calc\t0.003s\n", "ok  \texample.com/calc\t0.003s"),  # go test
        ("ok 1 adds\nhello\n", ""),  # a TAP test line is no summary
    ],
)
def test_the_closing_lines_of_other_runners_are_known(output: str, closing: str) -> None:
    assert closing_line(output) == closing
