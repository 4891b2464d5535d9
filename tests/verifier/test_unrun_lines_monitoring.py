"""The changed lines no test ran, through the sandboxed verifier, when the project's
tests run in Python 3.12+ (``sys.monitoring``; ``tests/pythons.py``'s interpreter): a
suite that wants no tracer is measured in one run, and an edit whose tests hang waits the
timeout out once.  With the ``sys.settrace`` tracer (the repository's Python 3.11's; any
Python's with ``helpers.SETTRACE``) both runs are redone without the tracer, as before;
the project's Python (``helpers.PROJECT_PYTHON``, the one running this suite) does either,
as its version says."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest
from acrouter.domain import Edit
from acrouter.verifier.lines import UNTRACED

from ..pythons import OTHER_PYTHON_REASON, other_python
from .helpers import (
    CALC_FIXED,
    PROJECT_PYTHON,
    SETTRACE,
    TEST_PY,
    lines_monitored,
    needs_bwrap,
    task_for,
    traced_runs,
    verifier,
    write_tree,
)

OTHER = other_python()
pytestmark = [pytest.mark.skipif(OTHER is None, reason=OTHER_PYTHON_REASON), needs_bwrap]

#: a test that fails while any tracer is set (a debugger's or coverage's own suite)
NO_TRACER = "\n\ndef test_no_tracer():\n    import sys\n\n    assert sys.gettrace() is None\n"


def _project(root: Path, test: str) -> Path:
    return write_tree(
        root,
        {
            "calc.py": CALC_FIXED,
            "tests/test_calc.py": test,
            "pytest.ini": "[pytest]\npythonpath = .\n",
        },
    )


def _command(python: str, root: Path) -> str:
    return f"{shlex.quote(python)} -m pytest -q {shlex.quote(str(root / 'tests'))}"


_runs = traced_runs


def _commands(tmp_path: Path) -> list[tuple[Path, str, bool]]:
    """The runs each test makes: a project's root (not written yet), the command, and
    whether the tracer watches with ``sys.monitoring`` in it.  The Python 3.12+ of
    ``tests/pythons.py``; the ``sys.settrace`` tracer in the project's Python (what
    Python 3.11 does, any Python with :data:`SETTRACE`); the project's Python as it is
    (``sys.monitoring`` on 3.12 and newer)."""
    assert OTHER is not None
    assert lines_monitored(OTHER), OTHER  # tests/pythons.py's: 3.12 or newer
    other, settrace, project = (tmp_path / n for n in ("other", "settrace", "project"))
    return [
        (other, _command(OTHER, other), True),
        (settrace, SETTRACE + _command(PROJECT_PYTHON, settrace), False),
        (project, _command(PROJECT_PYTHON, project), lines_monitored()),
    ]


def test_a_suite_that_wants_no_tracer_is_measured_in_one_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # mul is changed; the tests call only add, and one wants sys.gettrace() None
    edit = Edit(files={"calc.py": CALC_FIXED.replace("return a * b", "return b * a")})
    runs = _runs(monkeypatch)
    for root, command, monitored in _commands(tmp_path):
        _project(root, TEST_PY + NO_TRACER)
        runs.clear()
        v = verifier().verify(task_for(root, command, kind="refactoring"), edit, "m")
        assert v.verdict == "pass", (command, v.detail)
        if monitored:
            # sys.monitoring sets no sys.settrace tracer: test_no_tracer passes under it
            assert v.unrun == "no test ran 1 of the 1 statements the edit changes: calc.py line 6"
            # the baseline; the edit's run, traced, not redone
            assert sorted(runs) == [False, True], (command, runs)
        else:
            # sys.settrace: the tracer failed test_no_tracer, so the run was redone
            # untraced, and the pass says which lines ran is not known
            assert v.unrun == f"which lines of calc.py the tests ran is not known: {UNTRACED}"
            assert sorted(runs) == [False, False, True], (command, runs)


def test_an_edit_whose_tests_hang_waits_the_timeout_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    hang = CALC_FIXED.replace("return a + b", "while True:\n        pass")
    edit = Edit(files={"calc.py": hang})
    runs = _runs(monkeypatch)
    for root, command, monitored in _commands(tmp_path):
        _project(root, TEST_PY)
        runs.clear()
        v = verifier(timeout_s=4).verify(task_for(root, command), edit, "m")
        assert v.verdict == "fail" and "timed out" in v.detail, (command, v.detail)
        # sys.monitoring: the timeout is the edit's, waited out once; sys.settrace (which
        # slows the tests) may have caused it: the run is redone untraced
        redone = not monitored
        assert sorted(runs) == [False] * (1 + redone) + [True], (command, runs)


def test_a_tracer_the_project_sets_leaves_the_lines_known(tmp_path: Path) -> None:
    # what pytest --cov does (coverage.py's tracer): under sys.settrace the lines are not
    # known (test_unrun_lines.py); sys.monitoring goes on beside it
    assert OTHER is not None
    root = _project(tmp_path / "proj", TEST_PY)
    (root / "tests" / "conftest.py").write_text("import sys\n\nsys.settrace(lambda *a: None)\n")
    edit = Edit(files={"calc.py": CALC_FIXED.replace("return a * b", "return b * a")})
    v = verifier().verify(task_for(root, _command(OTHER, root), kind="refactoring"), edit, "m")
    assert v.verdict == "pass", v.detail
    assert v.unrun == "no test ran 1 of the 1 statements the edit changes: calc.py line 6"
