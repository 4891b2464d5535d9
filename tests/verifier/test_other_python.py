"""Verdicts when the project's tests run in a newer Python (``.ci/cpython``: 3.14 in CI,
and 3.13 again), not in the repository's interpreter.

The verifier runs the user's test command in the user's interpreter, and code of ours
runs inside it: the report options and plugins pytest loads, the harness the tests run
in, what the tripwire, the shadow rule and the doctest rule defend.  Every other test
runs the sample projects with this repository's venv interpreter; here the same
end-to-end tests (the real sandboxed verifier) run again with the other Python as the
project's: its ``-m pytest`` / ``-m unittest`` in the test command.  Each skips with
:data:`tests.pythons.OTHER_PYTHON_REASON` when there is no such Python.
"""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
from acrouter.domain import Edit
from acrouter.verifier.detection import stdlib_folder
from acrouter.verifier.runners import plan_command
from acrouter.verifier.shadows import REMOVED_STDLIB, shadowed_modules, stdlib_modules
from acrouter.verifier.syntax import python_version, syntax_error, unreadable

from ..pythons import OTHER_PYTHON_REASON, other_python, version_of
from . import (
    helpers,
    test_failing_before_the_edit,
    test_harness,
    test_redteam_comparisons,
    test_redteam_doctest_names,
    test_redteam_doctests,
    test_redteam_load_tests,
    test_redteam_pytest9_config,
    test_redteam_rewritten_tests,
    test_redteam_shadows,
    test_redteam_test_modules,
    test_unrun_lines,
    test_verify_outcomes,
)
from .again import Table, cases, run_again
from .helpers import needs_bwrap
from .test_redteam_deep_nesting import DEEP

OTHER = other_python()
#: its (major, minor)
VERSION = version_of(OTHER) if OTHER else (0, 0)
#: as the verifier writes it
DOTTED = "{}.{}".format(*VERSION)
pytestmark = [pytest.mark.skipif(OTHER is None, reason=OTHER_PYTHON_REASON), needs_bwrap]

#: the end-to-end tests run again with the other Python (all their parameters); those
#: whose defence lives in the test process: the report and its exit code, the harness
#: tripwire, shadowed modules, doctests, load_tests, pytest's configuration, comparisons,
#: test modules put into sys.modules, the tests' files rewritten by the run (a file
#: nested too deeply: NEWER below, since 3.13 compiles it)
AGAIN: Table = {
    test_verify_outcomes: (
        "test_correct_fix_passes",
        "test_wrong_fix_fails",
        "test_fix_that_breaks_a_passing_test_fails",
        "test_syntax_error_fails_fast_with_the_line",
        "test_a_file_with_a_byte_order_mark_is_no_syntax_error",
        "test_deleted_test_is_not_a_pass",
        "test_newly_skipped_test_is_not_a_pass",
        "test_conftest_calling_sys_exit_0_is_not_a_pass",
        "test_exiting_0_from_inside_the_run_is_not_a_pass",
    ),
    test_failing_before_the_edit: (
        "test_a_docstring_in_a_project_with_a_failing_test_is_not_held_against_the_model",
        "test_a_bug_fix_that_leaves_the_failing_test_failing_is_held_against_the_model",
    ),
    test_harness: (
        "test_a_test_module_patching_testcase_run_is_set_aside",
        "test_the_code_under_test_patching_testcase_run_is_not_verified",
        "test_the_code_under_test_rewriting_pytest_reports_is_not_verified",
        "test_the_code_under_test_making_assertions_no_ops_is_not_verified",
    ),
    test_redteam_shadows: (
        "test_a_pytest_added_to_the_workspace_is_not_verified",
        "test_a_new_module_of_the_project_is_verified",
        "test_a_distributions_entry_points_are_refused",
    ),
    test_redteam_doctests: (
        "test_a_docstring_under_a_condition_is_put_back",
        "test_a_document_of_examples_of_any_name_is_put_back",
        "test_a_docstring_rewritten_at_run_time_is_not_verified",
        "test_a_documented_name_bound_again_is_not_verified",
    ),
    test_redteam_doctest_names: ("test_add_made_to_hold_another_function_is_not_verified",),
    test_redteam_load_tests: ("test_any_load_tests_keeps_unittest",),
    test_redteam_pytest9_config: ("test_a_plugin_loaded_from_pytest_toml_is_not_verified",),
    test_redteam_comparisons: (
        "test_a_broken_function_returning_a_value_equal_to_anything_is_not_verified",
    ),
    test_redteam_test_modules: ("test_a_hollow_test_module_put_into_sys_modules_is_not_verified",),
    test_unrun_lines: (  # (under sys.monitoring: test_unrun_lines_monitoring.py)
        "test_a_change_no_test_runs_is_named",
        "test_a_change_the_tests_run_says_nothing_more",
        "test_code_removed_where_no_test_goes_is_named",
        "test_a_failure_carries_no_lines",
        "test_a_confirmation_run_is_not_traced_again",
        "test_tracing_off_says_nothing_about_lines",
    ),
    test_redteam_rewritten_tests: (
        "test_a_run_that_rewrites_the_tests_is_not_verified",
        "test_bytecode_moved_out_of_sight_is_seen_by_the_tripwire",
    ),
}


@pytest.fixture
def other(monkeypatch: pytest.MonkeyPatch) -> str:
    """The other Python as the sample projects' interpreter: ``PYTEST`` / ``PYTHON`` of
    the helpers and of the test modules run again (read when their tests run)."""
    assert OTHER is not None
    for module in (helpers, *AGAIN):
        if hasattr(module, "PYTEST"):
            monkeypatch.setattr(module, "PYTEST", f"{shlex.quote(OTHER)} -m pytest -q")
        if hasattr(module, "PYTHON"):
            monkeypatch.setattr(module, "PYTHON", OTHER)
    return OTHER


def _printed(code: str) -> list[str]:
    """The words the other Python prints running ``code``."""
    assert OTHER is not None
    return subprocess.run(
        [OTHER, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()


def test_the_other_python_is_newer_than_ours_with_pytest() -> None:
    out = _printed("import sys, pytest; print(*sys.version_info[:2], pytest.__version__)")
    assert (int(out[0]), int(out[1])) >= (3, 13) and VERSION > sys.version_info[:2], out


@pytest.mark.parametrize(("module", "name", "kwargs"), cases(AGAIN))
def test_the_same_verdict_with_the_other_python(
    module: ModuleType,
    name: str,
    kwargs: dict[str, object],
    other: str,
    request: pytest.FixtureRequest,
) -> None:
    run_again(module, name, kwargs, request)


# ------------------------------------------------------------- the newer Python itself
#: what a 3.13 or newer reads and ours (3.10, 3.11) does not: a type alias statement (3.12), a
#: 3,000-term expression (test_redteam_deep_nesting.py: our ast.parse cannot nest so deep)
NEWER = {"type statement": "\n\ntype Number = int | float\n", "deep nesting": "\n" + DEEP}
NEWER_SYNTAX = NEWER["type statement"]


#: a module named ``{name}`` that runs the standard library's in its place (its ``.py``,
#: or its extension module in ``lib-dynload``)
STAND_IN = """\
import importlib.machinery
import importlib.util
import os
import sys

_here = os.path.dirname(os.path.abspath(__file__))
_dirs = [p for p in sys.path if os.path.abspath(p or ".") != _here]
_spec = importlib.machinery.PathFinder.find_spec("{name}", _dirs)
_real = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_real)
globals().update({{k: v for k, v in vars(_real).items() if not k.startswith("__")}})
"""


def _project(tmp_path: Path) -> Path:
    """calc with add broken; its tests also check which Python runs them."""
    version = f"import sys\n\n\ndef test_python():\n    assert sys.version_info[:2] == {VERSION}\n"
    return helpers.write_tree(
        tmp_path / "proj",
        {
            "calc.py": helpers.CALC,
            "tests/test_calc.py": helpers.TEST_CALC,
            "tests/test_version.py": version,
            "pytest.ini": "[pytest]\npythonpath = .\n",
        },
    )


def test_the_projects_tests_run_in_the_other_python(tmp_path: Path, other: str) -> None:
    root = _project(tmp_path)
    task = helpers.task_for(root, helpers.pytest_cmd(root))
    v = helpers.verifier().verify(task, Edit(files={"calc.py": helpers.CALC_FIXED}), "m")
    assert v.verdict == "pass", v.detail
    assert v.detail == "3 passed, 0 failed (before: 2 passed, 1 failed)" + helpers.CONFIRMED


@pytest.mark.parametrize("newer", sorted(NEWER))
def test_code_our_python_cannot_read_is_not_verified(
    tmp_path: Path, other: str, newer: str
) -> None:
    # the tripwire, the doctest and rename rules read the edit with the server's ast:
    # a 3.12 type statement made the file unreadable to them and they saw nothing, so
    # pytest's reports rewritten to "passed" with add broken were verified
    # ('3 passed, 0 failed (before: 2 passed, 1 failed)'); the syntax check, which
    # refuses such a file when the project's Python is ours, did not run (ours is older)
    root = _project(tmp_path)
    task = helpers.task_for(root, helpers.pytest_cmd(root))
    cheat = test_harness.PATCH_PYTEST + helpers.CALC + NEWER[newer]
    v = helpers.verifier().verify(task, Edit(files={"calc.py": cheat}), "m")
    assert v.verdict == "fail" and not v.counted, v.detail
    assert v.detail.startswith("calc.py is written in syntax that the Python the verifier")
    assert f"({DOTTED})" in v.detail and f"run the ACRouter server on Python {DOTTED}" in v.detail
    # an honest fix in that syntax is not judged either (not held against the model)
    honest = Edit(files={"calc.py": helpers.CALC_FIXED + NEWER[newer]})
    v = helpers.verifier().verify(task, honest, "m")
    assert v.verdict == "fail" and not v.counted, v.detail


def test_a_syntax_error_is_found_by_the_projects_python(tmp_path: Path, other: str) -> None:
    root = _project(tmp_path)
    plan = plan_command(helpers.pytest_cmd(root), "/out", root)
    assert python_version(plan.interpreter) == VERSION
    assert syntax_error({"calc.py": helpers.CALC_FIXED + NEWER_SYNTAX}, plan, root) is None
    broken = {"calc.py": "def add(a, b):\n    return a +\n"}
    assert syntax_error(broken, plan, root) == "syntax error in calc.py line 2: invalid syntax"
    # a command naming the interpreter by a path relative to the workspace: the version
    # and the syntax check were those of a path relative to the server's folder (none)
    venv = root / "env313" / "bin"
    venv.mkdir(parents=True)
    (venv / "python").symlink_to(other)
    relative = plan_command("env313/bin/python -m pytest tests", "/out", root)
    assert syntax_error(broken, relative, root) == syntax_error(broken, plan, root)
    # a file broken before the edit, for the project's Python too, is no newer syntax
    fixed = {"calc.py": helpers.CALC_FIXED}
    assert unreadable(fixed, {"calc.py": broken["calc.py"]}, plan, root) is None
    newer = {"calc.py": helpers.CALC_FIXED + NEWER_SYNTAX}
    assert unreadable(fixed, newer, plan, root) is not None  # (the doctest rule reads both)


def test_the_standard_library_of_the_other_python_is_not_to_be_shadowed(other: str) -> None:
    names = set(_printed("import sys; print(*sorted(sys.stdlib_module_names))"))
    assert names - {"test", "__main__"} <= shadowed_modules(VERSION)
    # and what the releases up to it took out of it is the project's to add
    gone = frozenset().union(*(n for since, n in REMOVED_STDLIB.items() if since <= VERSION))
    assert not gone & names and not gone & shadowed_modules(VERSION)


def test_the_other_python_s_standard_library_is_read_from_its_folder(other: str) -> None:
    # read without running it (stdlib_folder, stdlib_modules), what the shadow rule adds
    # to its list for a Python newer than the list: every module the Python names that
    # a file holds (the builtin ones are imported before the workspace's)
    folder = stdlib_folder(other)
    assert folder is not None and (folder / "os.py").is_file()
    named = set(_printed("import sys; print(*sorted(sys.stdlib_module_names))"))
    builtin = set(_printed("import sys; print(*sorted(sys.builtin_module_names))"))
    on_disk = stdlib_modules(folder)
    # the others are other platforms', frozen ones, or not built (without libzstd-dev,
    # _zstd): none is a file the Python finds
    others = sorted(named - builtin - on_disk)
    found = _printed(
        "import importlib.util as u\n"
        f"for n in {others!r}:\n"
        "    s = u.find_spec(n)\n"
        "    if s is not None and s.has_location: print(n, s.origin)"
    )
    assert found == [], found
    assert {n for n, since in STARTUP_MODULES.items() if VERSION >= since} <= on_disk
    assert on_disk - {"test"} <= shadowed_modules(VERSION, on_disk)


def test_a_module_3_13_no_longer_has_may_be_added(tmp_path: Path, other: str) -> None:
    # a vendored imghdr.py (3.13 removed it) was refused as shadowing the standard library
    root = _project(tmp_path)
    task = helpers.task_for(root, helpers.pytest_cmd(root))
    vendored = "def what(file, h=None):\n    return None\n"
    edit = Edit(files={"calc.py": helpers.CALC_FIXED, "imghdr.py": vendored})
    v = helpers.verifier().verify(task, edit, "m")
    assert v.verdict == "pass", v.detail


#: pure-Python modules of a newer standard library that pytest imports when it starts,
#: and the release that added them
STARTUP_MODULES = {"_colorize": (3, 13), "_py_warnings": (3, 14), "_math_integer": (3, 15)}


#: those the other Python has (a row for a module it lacks would test nothing)
HAS = sorted(n for n, since in STARTUP_MODULES.items() if VERSION >= since)


@pytest.mark.parametrize("name", HAS or ["_colorize"])
def test_a_module_of_the_newer_standard_library_added_to_the_workspace_is_refused(
    tmp_path: Path, other: str, name: str
) -> None:
    # 3.13's traceback imports _colorize when pytest starts, 3.14's warnings
    # _py_warnings and 3.15's math _math_integer, from the workspace first (`python -m
    # pytest`); the server's own list of the standard library (3.11) did not name them,
    # so such a module the edit added ran inside the tests unseen: this one, which passes
    # for the real one, was verified ('3 passed, 0 failed ...')
    root = _project(tmp_path)
    task = helpers.task_for(root, helpers.pytest_cmd(root))
    stand_in = STAND_IN.format(name=name)
    edit = Edit(files={"calc.py": helpers.CALC_FIXED, f"{name}.py": stand_in})
    v = helpers.verifier().verify(task, edit, "m")
    assert v.verdict != "pass" and not v.counted, v.detail
    assert f"{name}.py adds the module {name}" in v.detail, v.detail


def test_unittest_running_no_test_is_read_as_before(tmp_path: Path, other: str) -> None:
    # 3.12's unittest exits 5 and prints "NO TESTS RAN" where 3.11's exited 0 with "OK";
    # its -v output (no pytest in the interpreter) is read the same
    files = {"calc.py": helpers.CALC, "test_calc.py": helpers.TEST_UT}
    root = helpers.write_tree(tmp_path / "proj", files)
    bare = test_harness._python(tmp_path, with_pytest=False)  # (3.13, without pytest)
    task = helpers.task_for(root, f"{bare} -m unittest", kind="test_generation")
    v = helpers.verifier().verify(task, Edit(files={"test_calc.py": "import unittest\n"}), "m")
    assert v.verdict == "fail", v.detail
    assert v.detail.startswith("no test ran: test_calc.TestCalc.test_add, test_calc.TestCalc")
    empty = helpers.write_tree(tmp_path / "empty", {"calc.py": helpers.CALC})
    task = helpers.task_for(empty, f"{bare} -m unittest")
    v = helpers.verifier().verify(task, Edit(files={"calc.py": helpers.CALC_FIXED}), "m")
    assert v.verdict == "fail" and v.detail.startswith("no test ran; 0 passed, 0 failed"), v.detail
