"""End to end (``ProjectVerifier.verify``, in the sandbox and without): a pass whose
tests passed before the edit and ran none of the code it changes is offered with
its warning but not counted (``verifier.lines.IDLE_PASS``); one whose tests ran some of
them, or that fixed a failing test, is counted."""

from __future__ import annotations

import os
import shlex
import shutil
import sys
from pathlib import Path

import pytest
from acrouter.domain import Edit
from acrouter.verifier.lines import NO_COVERAGE
from acrouter.verifier.lines_idle import IDLE_PASS

from ..pythons import OTHER_PYTHON_REASON, other_python
from .helpers import (
    CALC,
    CALC_FIXED,
    OVERLAY_AND_NONE,
    TEST_PY,
    needs_bwrap,
    pytest_cmd,
    task_for,
    verifier,
    write_tree,
)
from .test_unrun_lines_js import CALC as JS_CALC
from .test_unrun_lines_js import TEST as JS_TEST
from .test_unrun_lines_js import _node_project

MODES = OVERLAY_AND_NONE


def _project(root: Path, calc: str) -> Path:
    # the one test calls only ``add``
    files = {
        "calc.py": calc,
        "tests/test_calc.py": TEST_PY,
        "pytest.ini": "[pytest]\npythonpath = .\n",
    }
    return write_tree(root, files)


@pytest.mark.parametrize("mode", MODES)
def test_a_pass_no_test_reached_is_not_counted(tmp_path: Path, mode: dict[str, object]) -> None:
    root = _project(tmp_path / "proj", CALC_FIXED)
    edit = Edit(files={"calc.py": CALC_FIXED.replace("return a * b", "return a * b * 0")})
    v = verifier(**mode).verify(task_for(root, pytest_cmd(root), kind="refactoring"), edit, "m")
    assert v.verdict == "pass" and not v.counted, v.detail
    assert v.unrun == "no test ran 1 of the 1 statements the edit changes: calc.py line 6"
    assert f"; {IDLE_PASS}; {v.unrun}" in v.detail


@pytest.mark.parametrize("mode", MODES)
def test_a_pass_whose_tests_ran_part_of_it_is_counted(
    tmp_path: Path, mode: dict[str, object]
) -> None:
    root = _project(tmp_path / "proj", CALC_FIXED)
    new = CALC_FIXED.replace("a + b", "b + a").replace("return a * b", "return b * a")
    v = verifier(**mode).verify(
        task_for(root, pytest_cmd(root), kind="refactoring"), Edit(files={"calc.py": new}), "m"
    )
    assert v.verdict == "pass" and v.counted, v.detail
    assert v.unrun == "no test ran 1 of the 2 statements the edit changes: calc.py line 6"
    assert IDLE_PASS not in v.detail


@pytest.mark.parametrize("mode", MODES)
def test_a_pass_that_fixed_a_failing_test_is_counted(
    tmp_path: Path, mode: dict[str, object]
) -> None:
    root = _project(tmp_path / "proj", CALC)  # ``add`` is broken: its test fails before
    v = verifier(**mode).verify(
        task_for(root, pytest_cmd(root)), Edit(files={"calc.py": CALC_FIXED}), "m"
    )
    assert v.verdict == "pass" and v.counted, v.detail
    assert v.tests_failed_before == 1 and IDLE_PASS not in v.detail


OTHER = other_python()


@pytest.mark.parametrize(
    "mode",
    [
        *MODES,
        pytest.param(
            {"python": OTHER},
            id="sys.monitoring",
            marks=[needs_bwrap, pytest.mark.skipif(OTHER is None, reason=OTHER_PYTHON_REASON)],
        ),
    ],
)
def test_a_new_function_no_test_calls_is_not_counted(
    tmp_path: Path, mode: dict[str, object]
) -> None:
    root = _project(tmp_path / "proj", CALC_FIXED)
    new = (
        "import operator\n\n\n" + CALC_FIXED + "\n\ndef sub(a, b):\n    return operator.sub(a, b)\n"
    )
    python = mode.pop("python", None)  # Python 3.12+: the plugin is a sys.monitoring tool
    command = f"{shlex.quote(str(python))} -m pytest -q tests" if python else pytest_cmd(root)
    task = task_for(root, command, kind="code_generation")
    v = verifier(**mode).verify(task, Edit(files={"calc.py": new}), "m")
    # the import and the def line ran as calc loaded; no test called sub
    assert v.verdict == "pass" and not v.counted, v.detail
    assert v.unrun == "no test ran 1 of the 3 statements the edit changes: calc.py line 13"
    assert IDLE_PASS in v.detail


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
@pytest.mark.parametrize("mode", MODES)
def test_a_new_javascript_function_no_test_calls_is_not_counted(
    tmp_path: Path, mode: dict[str, object]
) -> None:
    # node --test: V8's coverage sees the assignment run as calc.js loads, never sub's body
    root = _node_project(tmp_path / "js")
    new = (
        'const util = require("node:util");\n'
        + JS_CALC
        + ("\nexports.sub = function (a, b) {\n  return a - b;\n};\n")
    )
    task = task_for(root, "node --test", kind="code_generation")
    v = verifier(**mode).verify(task, Edit(files={"calc.js": new}), "m")
    assert v.verdict == "pass" and not v.counted, v.detail
    assert v.unrun == "no test ran 1 of the 3 statements the edit changes: calc.js line 18"
    assert IDLE_PASS in v.detail
    # a test calls sub: its changed body ran, so the pass is counted
    sub = "\nexports.sub = function (a, b) {\n  return a - b;\n};\n"
    test = JS_TEST + (
        'test("subtracts", () => { assert.strictEqual(require("../calc.js").sub(3, 1), 2); });\n'
    )
    root = _node_project(tmp_path / "js2", test=test, calc=JS_CALC + sub)
    edit = Edit(files={"calc.js": JS_CALC + sub.replace("a - b", "-(b - a)")})
    v = verifier(**mode).verify(task_for(root, "node --test", kind="refactoring"), edit, "m")
    assert v.verdict == "pass" and v.counted and not v.unrun, v.detail


# a test command without per-test results (weak): a script that exits 0 or not
CHECK = "from calc import add\n\nassert add(2, 3) == 5\n"


def _script_command() -> str:
    # the base interpreter: the script needs nothing of the venv's
    return f"{shlex.quote(os.path.realpath(sys.executable))} check.py"


@pytest.mark.parametrize("mode", MODES)
def test_an_exit_code_command_that_ran_none_of_the_edit_is_not_counted(
    tmp_path: Path, mode: dict[str, object]
) -> None:
    # exit 0 said nothing about sub: the baseline runs to tell whether it passed before
    root = write_tree(tmp_path / "proj", {"calc.py": CALC_FIXED, "check.py": CHECK})
    edit = Edit(files={"calc.py": CALC_FIXED.replace("return a * b", "return a * b * 0")})
    ver = verifier(**mode)
    v = ver.verify(task_for(root, _script_command(), kind="refactoring"), edit, "m")
    assert v.verdict == "pass" and v.weak and not v.counted, v.detail
    assert ver.baseline_runs == 1 and v.tests_failed_before == 0
    assert v.unrun == "no test ran 1 of the 1 statements the edit changes: calc.py line 6"
    assert f"{IDLE_PASS}; {v.unrun}" in v.detail
    # an edit of code the script runs: counted; the baseline runs too (cached: once per
    # state of the workspace), the script leaving no per-test results, to tell whether
    # it left them without the edit (test_weak_early_exit: a run that stopped early)
    ver = verifier(**mode)
    edit = Edit(files={"calc.py": CALC_FIXED.replace("a + b", "b + a")})
    v = ver.verify(task_for(root, _script_command(), kind="refactoring"), edit, "m")
    assert v.verdict == "pass" and v.weak and v.counted and not v.unrun, v.detail
    assert ver.baseline_runs == 1 and "(before: exit code 0)" in v.detail


@pytest.mark.parametrize("mode", MODES)
def test_an_exit_code_command_fixed_by_a_new_definition_is_counted(
    tmp_path: Path, mode: dict[str, object]
) -> None:
    # the script imports sub, which is missing: it failed before; the edit defines sub
    # (a def line runs as the module loads, its body never), and the script passes now
    check = "from calc import add, sub\n\nassert add(2, 3) == 5\n"
    root = write_tree(tmp_path / "proj", {"calc.py": CALC_FIXED, "check.py": check})
    edit = Edit(files={"calc.py": CALC_FIXED + "\n\ndef sub(a, b):\n    return a - b\n"})
    v = verifier(**mode).verify(task_for(root, _script_command()), edit, "m")
    assert v.verdict == "pass" and v.weak and v.counted, v.detail
    assert "before: exit code 1" in v.detail and IDLE_PASS not in v.detail


@pytest.mark.parametrize("mode", MODES)
def test_a_run_whose_lines_could_not_be_measured_says_so(
    tmp_path: Path, mode: dict[str, object]
) -> None:
    # three ways the tracer sees nothing: a Python without the site module (-S: our
    # sitecustomize never loads), a script ending in os._exit (the tracer never writes),
    # pytest under -I (our plugin cannot be imported: the traced run fails and runs again
    # without it). Each pass names calc.py as not known and is still learned.
    python = shlex.quote(os.path.realpath(sys.executable))
    quit_early = CHECK + "import os\n\nos._exit(0)\n"
    root = write_tree(
        tmp_path / "proj",
        {"calc.py": CALC_FIXED, "check.py": CHECK, "quit.py": quit_early, **_pytest_files()},
    )
    edit = Edit(files={"calc.py": CALC_FIXED.replace("return a * b", "return a * b * 0")})
    venv_python = shlex.quote(sys.executable)
    expected = {
        f"{python} -S check.py": "which lines of calc.py the tests ran is not known: "
        "no Python process of the tests' run loaded our line tracer",
        f"{python} quit.py": "which changed lines the tests ran is not known: a test process "
        "ended before it wrote the lines it ran",
        f"{venv_python} -I -m pytest -q tests": "which lines of calc.py the tests ran is not "
        "known: the run with our line tracer failed in a way the tracer may have caused",
    }
    for command, said in expected.items():
        v = verifier(**mode).verify(task_for(root, command, kind="refactoring"), edit, "m")
        assert v.verdict == "pass" and v.counted, (command, v.detail)
        assert v.unrun.startswith(said) and IDLE_PASS not in v.detail, (command, v.unrun)


def _pytest_files() -> dict[str, str]:
    return {"tests/test_calc.py": TEST_PY, "pytest.ini": "[pytest]\npythonpath = .\n"}


@pytest.mark.parametrize("mode", MODES)
def test_a_script_no_node_process_ran_is_said_not_known(
    tmp_path: Path, mode: dict[str, object]
) -> None:
    # a Python project's pytest suite, and an edit of its one JavaScript file: no node
    # process ran, so which of its lines ran is not known (before: nothing was said)
    root = _project(tmp_path / "proj", CALC_FIXED)
    (root / "static").mkdir()
    (root / "static/app.js").write_text("function f() {\n  return 1;\n}\n")
    edit = Edit(files={"static/app.js": "function f() {\n  return 2;\n}\n"})
    v = verifier(**mode).verify(task_for(root, pytest_cmd(root), kind="refactoring"), edit, "m")
    assert v.verdict == "pass" and v.counted, v.detail
    assert v.unrun == f"which lines of static/app.js the tests ran is not known: {NO_COVERAGE}"
