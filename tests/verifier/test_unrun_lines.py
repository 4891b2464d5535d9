"""A pass says which of the statements the edit changes no test ran (``verifier.lines``),
through ``ProjectVerifier.verify`` in the sandbox: under the overlay, on the scratch
copy (bubblewrap 0.8's way) and without a sandbox."""

from __future__ import annotations

from pathlib import Path

import pytest
from acrouter.domain import Edit
from acrouter.verifier.lines import UNTRACED

from .helpers import (
    CALC,
    CALC_FIXED,
    CONFIRMED,
    MODES,
    SETTRACE,
    TEST_CALC,
    TEST_PY,
    lines_monitored,
    needs_bwrap,
    pytest_cmd,
    task_for,
    verifier,
    write_tree,
)

#: ``clamp``'s upper branch is never taken by the tests
GEO = """\
def clamp(x, lo, hi):
    if x < lo:
        return lo
    if x > hi:
        return hi
    return x
"""
TEST_GEO = "from geo import clamp\n\n\ndef test_low():\n    assert clamp(-1, 0, 5) == 0\n"


def _project(root: Path, files: dict[str, str]) -> Path:
    return write_tree(root, {**files, "pytest.ini": "[pytest]\npythonpath = .\n"})


@pytest.mark.parametrize("mode", MODES)
def test_a_change_no_test_runs_is_named(tmp_path: Path, mode: dict[str, object]) -> None:
    root = _project(tmp_path / "proj", {"calc.py": CALC_FIXED, "tests/test_calc.py": TEST_PY})
    # ``mul`` is changed; the one test calls only ``add``
    edit = Edit(files={"calc.py": CALC_FIXED.replace("return a * b", "return b * a")})
    v = verifier(**mode).verify(task_for(root, pytest_cmd(root), kind="refactoring"), edit, "m")
    assert v.verdict == "pass", v.detail
    assert v.unrun == "no test ran 1 of the 1 statements the edit changes: calc.py line 6"
    assert v.detail.endswith("; " + v.unrun)


@pytest.mark.parametrize("mode", MODES)
def test_a_change_the_tests_run_says_nothing_more(tmp_path: Path, mode: dict[str, object]) -> None:
    root = _project(tmp_path / "proj", {"calc.py": CALC, "tests/test_calc.py": TEST_CALC})
    v = verifier(**mode).verify(
        task_for(root, pytest_cmd(root)), Edit(files={"calc.py": CALC_FIXED}), "m"
    )
    assert v.verdict == "pass", v.detail
    assert v.unrun == "" and "no test ran" not in v.detail


@needs_bwrap
def test_code_removed_where_no_test_goes_is_named(tmp_path: Path) -> None:
    # "tidy clamp" that silently drops the upper bound: the tests still pass
    root = _project(tmp_path / "proj", {"geo.py": GEO, "tests/test_geo.py": TEST_GEO})
    edit = Edit(files={"geo.py": GEO.replace("    if x > hi:\n        return hi\n", "")})
    v = verifier().verify(task_for(root, pytest_cmd(root), kind="refactoring"), edit, "m")
    assert v.verdict == "pass", v.detail
    # the removed branch sat before ``return x``, which no test reaches either
    assert (
        v.unrun
        == "no test ran 1 of the 1 statements the edit changes: what geo.py lost (old lines 4-5)"
    )


@needs_bwrap
def test_a_tracer_that_takes_over_leaves_the_lines_unknown(tmp_path: Path) -> None:
    # a project whose own set-up puts another tracer in place (what ``pytest --cov`` does)
    root = _project(
        tmp_path / "proj",
        {
            "calc.py": CALC_FIXED,
            "tests/test_calc.py": TEST_PY,
            "tests/conftest.py": "import sys\n\nsys.settrace(lambda *a: None)\n",
        },
    )
    # add, which the test calls (mul, which none calls, is known not run under such a
    # tracer too: test_taken_over_tracer)
    edit = Edit(files={"calc.py": CALC_FIXED.replace("return a + b", "return b + a")})
    # the sys.settrace tracer (Python 3.11's, any Python's with SETTRACE), which the
    # conftest's replaces, and the project's Python's own way
    for command in (SETTRACE + pytest_cmd(root), pytest_cmd(root)):
        v = verifier().verify(task_for(root, command, kind="refactoring"), edit, "m")
        assert v.verdict == "pass", v.detail
        if command.startswith(SETTRACE) or not lines_monitored():
            assert v.unrun.startswith("which changed lines the tests ran is not known"), v.unrun
        else:
            # sys.monitoring (3.12 and newer), beside the conftest's tracer: the lines are
            # known, and the one changed ran
            assert v.unrun == "" and v.counted, v.detail


@needs_bwrap
def test_a_failure_carries_no_lines(tmp_path: Path) -> None:
    root = _project(tmp_path / "proj", {"calc.py": CALC_FIXED, "tests/test_calc.py": TEST_PY})
    edit = Edit(files={"calc.py": CALC_FIXED.replace("a + b", "a - b").replace("a * b", "b * a")})
    v = verifier().verify(task_for(root, pytest_cmd(root), kind="refactoring"), edit, "m")
    assert v.verdict == "fail" and v.unrun == "", v.detail


@needs_bwrap
def test_the_tracer_never_fails_an_edit(tmp_path: Path) -> None:
    # a suite that wants no sys.settrace tracer (a debugger's, coverage's own) under ours,
    # and a command that drops the PYTHONPATH (the plugin cannot be imported; one that
    # sets its own keeps ours: test_inline_env): the run is redone without tracing
    test = (
        TEST_PY + "\n\ndef test_no_tracer():\n    import sys\n\n    assert sys.gettrace() is None\n"
    )
    root = _project(tmp_path / "proj", {"src/calc.py": CALC_FIXED, "tests/test_calc.py": test})
    edit = Edit(files={"src/calc.py": CALC_FIXED.replace("return a * b", "return b * a")})
    plain = pytest_cmd(root, "-p", "no:cacheprovider")
    for command in (plain, SETTRACE + plain, f"env --unset=PYTHONPATH {pytest_cmd(root)}"):
        (root / "pytest.ini").write_text("[pytest]\npythonpath = src\n")
        v = verifier().verify(task_for(root, command, kind="refactoring"), edit, "m")
        assert v.verdict == "pass", v.detail
        if command == plain and lines_monitored():
            # sys.monitoring (3.12 and newer) sets no sys.settrace tracer: test_no_tracer
            # passes under it, measured in one run; mul, changed, no test ran: not learned
            assert (
                v.unrun == "no test ran 1 of the 1 statements the edit changes: src/calc.py line 6"
            )
            assert not v.counted, v.detail
            continue
        # not measured: said, and still learned
        assert v.unrun == f"which lines of src/calc.py the tests ran is not known: {UNTRACED}"
        assert v.counted, v.detail


@needs_bwrap
def test_a_confirmation_run_is_not_traced_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a fix is confirmed by a second run with and without the edit: the same files, whose
    # lines the first run with the edit already told
    from acrouter.verifier import ProjectVerifier

    root = _project(tmp_path / "proj", {"calc.py": CALC, "tests/test_calc.py": TEST_CALC})
    traced_runs: list[bool] = []
    run_once = ProjectVerifier._run_once

    def spy(self: ProjectVerifier, *args: object) -> object:
        edited, trace = args[6], args[7]
        if edited:
            traced_runs.append(trace is not None)
        return run_once(self, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(ProjectVerifier, "_run_once", spy)
    v = verifier().verify(
        task_for(root, pytest_cmd(root)), Edit(files={"calc.py": CALC_FIXED}), "m"
    )
    assert v.verdict == "pass" and v.detail.endswith(CONFIRMED), v.detail
    assert traced_runs == [True, False]


@needs_bwrap
def test_tracing_off_says_nothing_about_lines(tmp_path: Path) -> None:
    # acrouter.traceChangedLines = false: the edit of test_a_change_no_test_runs_is_named
    # passes without naming calc.py line 6 (traced, it is named)
    root = _project(tmp_path / "proj", {"calc.py": CALC_FIXED, "tests/test_calc.py": TEST_PY})
    edit = Edit(files={"calc.py": CALC_FIXED.replace("return a * b", "return b * a")})
    task = task_for(root, pytest_cmd(root), kind="refactoring")
    off = verifier(trace_lines=False).verify(task, edit, "m")
    assert off.verdict == "pass", off.detail
    assert off.unrun == "" and "no test ran" not in off.detail
    assert verifier().verify(task, edit, "m").unrun.endswith("calc.py line 6")
