"""A pass whose line tracer another took over (``pytest --cov``, ``coverage run``: on
Python 3.11 and older coverage.py's ``sys.settrace`` replaces ours) still tells an edit of
a function no test called (``verifier.lines_called``): the plugin watches the calls with
``sys.setprofile`` instead.  Before, every such pass said "which changed lines the tests
ran is not known" and was counted, whatever it changed.  The conftest here stands in for
coverage: it sets a tracer of its own as pytest loads it, as pytest-cov does."""

from __future__ import annotations

import json
from pathlib import Path

import attrs
from acrouter.domain import Edit
from acrouter.verifier.lines import OFF, Traced, changes
from acrouter.verifier.lines_called import settled
from acrouter.verifier.lines_trace import read_traced

from .helpers import SETTRACE, lines_monitored, pytest_cmd, task_for, verifier, write_tree

CALC = "def add(a, b):\n    return a + b\n\n\ndef mul(a, b):\n    return a * b\n"
TEST = "from calc import add\n\n\ndef test_add():\n    assert add(2, 3) == 5\n"
#: a tracer of the tests' own, set as pytest loads the conftest (pytest-cov starts
#: coverage then): ours no longer sees a line
TAKE_OVER = (
    "import sys\n\n\ndef _other(frame, event, arg):\n    return None\n\n\nsys.settrace(_other)\n"
)


def _project(root: Path) -> Path:
    files = {"calc.py": CALC, "tests/test_calc.py": TEST, "tests/conftest.py": TAKE_OVER}
    files["pytest.ini"] = "[pytest]\npythonpath = .\n"
    return write_tree(root, files)


def test_an_edit_of_a_function_no_test_called_is_not_counted_under_another_tracer(
    tmp_path: Path,
) -> None:
    # found on semver 3.1.2 (--cov=semver in its .pytest.ini): coerce broken in
    # the coerce.py its documentation shows, which no test runs, was a counted pass ("not
    # known")
    root = _project(tmp_path / "p")
    wrong = {"calc.py": CALC.replace("return a * b", "return None")}
    fine = {"calc.py": CALC.replace("a + b", "b + a")}
    # the settrace tracer, which the conftest's replaces (Python 3.11's; any Python's with
    # SETTRACE), and the project's Python's own way (sys.monitoring on 3.12 and newer,
    # which the conftest's tracer does not replace: every line is known)
    for command in (SETTRACE + pytest_cmd(root), pytest_cmd(root)):
        task = task_for(root, command)
        taken_over = command.startswith(SETTRACE) or not lines_monitored()
        v = verifier(sandbox="none", parallel_baseline=False).verify(task, Edit(files=wrong), "m")
        assert v.verdict == "pass" and not v.counted, v.detail
        assert v.unrun == "no test ran 1 of the 1 statements the edit changes: calc.py line 6"
        v = verifier(sandbox="none", parallel_baseline=False).verify(task, Edit(files=fine), "m")
        assert v.verdict == "pass" and v.counted, v.detail
        if taken_over:
            # add is called by the test: which of its lines ran is not known, the pass counted
            assert "not known" in v.detail, v.detail
        else:
            assert v.unrun == "" and "not known" not in v.detail, v.detail


def test_settled_only_when_every_unrun_statement_is_in_a_function_never_called() -> None:
    c = changes("calc.py", CALC, CALC.replace("a * b", "b * a"))
    assert c is not None and c.within == (((6, 6), (5, 5)),)
    lost = Traced({}, intact=False)  # taken over, the calls not watched: not known
    assert settled([c], lost) is lost
    never = attrs.evolve(lost, called={"calc.py": frozenset({1})})  # add called, not mul
    assert settled([c], never) == Traced({}, intact=True)
    called = attrs.evolve(lost, called={"calc.py": frozenset({1, 5})})
    assert settled([c], called) is called
    # a statement outside any function (it runs as the module loads): not known
    top = changes("calc.py", CALC, CALC + "\nX = mul(2, 3)\n")
    assert top is not None and not top.within
    assert settled([top], never) is never


#: a test that switches tracing off, as a debugger's tests do (and as CPython 3.11 does
#: itself when a call at the recursion limit reaches the tracer)
SWITCH_OFF = (
    "import sys\n\n\ndef test_off():\n    sys.settrace(None)\n    assert sys.gettrace() is None\n"
)


def test_a_tracer_switched_off_is_said_as_such(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path / "p",
        {
            "calc.py": CALC,
            "tests/test_calc.py": TEST,
            "tests/test_off.py": SWITCH_OFF,
            "pytest.ini": "[pytest]\npythonpath = .\n",
        },
    )
    # the settrace tracer on any Python (3.12 and newer use sys.monitoring, which a
    # sys.settrace(None) does not touch); set by the command: the verifier passes none of
    # its own environment's ACROUTER_* variables to the tests
    task = task_for(root, SETTRACE + pytest_cmd(root))
    wrong = {"calc.py": CALC.replace("return a * b", "return None")}
    v = verifier(sandbox="none", parallel_baseline=False).verify(task, Edit(files=wrong), "m")
    assert v.verdict == "pass", v.detail
    assert v.unrun == OFF, v.unrun  # not "another tracer took over": none did
    # with sys.monitoring (Python 3.12 and newer) the switch-off takes nothing away
    if lines_monitored():
        task = task_for(root, pytest_cmd(root))
        v = verifier(sandbox="none", parallel_baseline=False).verify(task, Edit(files=wrong), "m")
        assert v.verdict == "pass", v.detail
        assert v.unrun == "no test ran 1 of the 1 statements the edit changes: calc.py line 6"


def test_off_is_read_from_a_process_whose_tracer_was_switched_off(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()

    def wrote(pid: int, intact: bool, off: bool) -> None:
        data = {"intact": intact, "lines": {}, "loaded": [], "elsewhere": {}, "copies": {}}
        data.update(profiled=False, called={}, off=off)
        (out / f"lines-{pid}.json").write_text(json.dumps(data))

    wrote(1, True, False)
    wrote(2, False, True)
    traced = read_traced(out, str(tmp_path / "w"))
    assert traced is not None and not traced.intact and traced.off
    wrote(2, False, False)  # replaced by another tracer
    traced = read_traced(out, str(tmp_path / "w"))
    assert traced is not None and not traced.intact and not traced.off
