"""The changed lines no test ran, through the sandboxed verifier, where the tests run in
Python processes other than pytest's (``verifier.lines_site``: our ``sitecustomize``
starts the tracer in every Python process of the run): ``python -m unittest`` in an
interpreter without pytest, code a test runs in a Python subprocess, a user's own
``sitecustomize`` still imported, and a process that ends through ``os._exit`` (what it
ran is then not known).

The projects' interpreter is this repository's, or ``ACROUTER_TEST_PYTHON`` when it is
set (``export ACROUTER_TEST_PYTHON=$(.ci/cpython)``: Python 3.14, whose tracer watches
with ``sys.monitoring``)."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from acrouter.domain import Edit
from acrouter.verifier import core
from acrouter.verifier.harness_py import harness_uses
from acrouter.verifier.lines import (
    CUT,
    UNTRACED,
    Traced,
    plugin_env,
    read_traced,
    tracer_suspect,
)

from .helpers import (
    OVERLAY_AND_NONE,
    TEST_UT,
    needs_bwrap,
    task_for,
    traced_runs,
    verifier,
    write_tree,
)

#: the projects' interpreter (it has pytest)
PYTHON = os.environ.get("ACROUTER_TEST_PYTHON") or sys.executable

MODES = OVERLAY_AND_NONE

CALC = """\
def add(a, b):
    return a + b


def mul(a, b):
    return a * b
"""
#: the edit: ``mul`` gains a branch for negative numbers
CALC_EDITED = CALC.replace(
    "    return a * b\n", "    if a < 0:\n        return -mul(-a, b)\n    return a * b\n"
)
#: ... and one that runs the new branch
TEST_UT_NEGATIVE = (
    TEST_UT
    + """
    def test_mul_negative(self):
        self.assertEqual(mul(-2, 3), -6)
"""
)


def _bare_python(where: Path) -> str:
    """A virtualenv of :data:`PYTHON` without pytest (no system site-packages, no pip)."""
    subprocess.run([PYTHON, "-m", "venv", "--without-pip", str(where)], check=True)
    python = where / "bin" / "python"
    probe = subprocess.run([str(python), "-c", "import pytest"], capture_output=True, check=False)
    assert probe.returncode != 0, "the bare venv imports pytest"
    return str(python)


def _unittest_project(root: Path, tests: str) -> Path:
    return write_tree(root, {"calc.py": CALC, "tests/__init__.py": "", "tests/test_calc.py": tests})


@pytest.mark.parametrize("mode", MODES)
def test_unittest_without_pytest_names_the_branch_no_test_runs(
    tmp_path: Path, mode: dict[str, object]
) -> None:
    root = _unittest_project(tmp_path / "proj", TEST_UT)
    command = f"{_bare_python(tmp_path / 'bare')} -m unittest discover -s tests -t ."
    v = verifier(timeout_s=60, **mode).verify(
        task_for(root, command, kind="refactoring"), Edit(files={"calc.py": CALC_EDITED}), "m"
    )
    assert v.verdict == "pass", v.detail
    assert v.unrun == "no test ran 1 of the 2 statements the edit changes: calc.py line 7"


def _traced(monkeypatch: pytest.MonkeyPatch) -> list[Traced | None]:
    """What each traced run of the verifier read (``core.read_run``)."""
    seen: list[Traced | None] = []
    read_run = core.read_run

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(read_run(*args, **kwargs))
        return seen[-1]

    monkeypatch.setattr(core, "read_run", spy)
    return seen


@pytest.mark.parametrize("mode", MODES)
def test_unittest_without_pytest_that_runs_the_branch_says_nothing_more(
    tmp_path: Path, mode: dict[str, object], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _unittest_project(tmp_path / "proj", TEST_UT_NEGATIVE)
    command = f"{_bare_python(tmp_path / 'bare')} -m unittest discover -s tests -t ."
    read = _traced(monkeypatch)
    v = verifier(timeout_s=60, **mode).verify(
        task_for(root, command, kind="refactoring"), Edit(files={"calc.py": CALC_EDITED}), "m"
    )
    assert v.verdict == "pass", v.detail
    assert v.unrun == "" and "no test ran" not in v.detail
    # measured (not silent for want of lines): the run saw both changed statements run
    assert read and all(t is not None and {6, 7} <= t.lines["calc.py"] for t in read), read


#: a test that runs ``calc.mul`` only in a Python subprocess; ``add`` in-process
TEST_SUBPROCESS = """\
import subprocess
import sys

from calc import add


def test_add():
    assert add(2, 3) == 5


def test_mul_in_a_subprocess():
    done = subprocess.run(
        [sys.executable, "-c", "import calc; print(calc.mul(2, 3)){after}"],
        capture_output=True,
        text=True,
    )
    assert done.stdout.strip() == "6", done.stderr
"""


def _pytest_project(root: Path, test: str) -> Path:
    return write_tree(
        root,
        {"calc.py": CALC, "tests/test_calc.py": test, "pytest.ini": "[pytest]\npythonpath = .\n"},
    )


def _pytest_command(root: Path) -> str:
    return (
        f"{shlex.quote(PYTHON)} -m pytest -q -p no:cacheprovider {shlex.quote(str(root / 'tests'))}"
    )


@pytest.mark.parametrize("mode", MODES)
def test_lines_a_python_subprocess_runs_count_as_run(
    tmp_path: Path, mode: dict[str, object]
) -> None:
    root = _pytest_project(tmp_path / "proj", TEST_SUBPROCESS.format(after=""))
    # mul's ``if`` and ``return a * b`` run in the subprocess only; its new branch nowhere
    v = verifier(timeout_s=60, **mode).verify(
        task_for(root, _pytest_command(root), kind="refactoring"),
        Edit(files={"calc.py": CALC_EDITED}),
        "m",
    )
    assert v.verdict == "pass", v.detail
    assert v.unrun == "no test ran 1 of the 2 statements the edit changes: calc.py line 7"


@needs_bwrap
def test_a_subprocess_that_ends_through_os_exit_leaves_the_lines_unknown(tmp_path: Path) -> None:
    # the subprocess never writes what it ran: mul's branch may have run there
    after = "; import os, sys; sys.stdout.flush(); os._exit(0)"
    root = _pytest_project(tmp_path / "proj", TEST_SUBPROCESS.format(after=after))
    v = verifier(timeout_s=60).verify(
        task_for(root, _pytest_command(root), kind="refactoring"),
        Edit(files={"calc.py": CALC_EDITED}),
        "m",
    )
    assert v.verdict == "pass", v.detail
    assert v.unrun == CUT


#: a user's sitecustomize (in the venv's site-packages): the tests rely on what it does
USER_SITE = "import builtins\n\nbuiltins.CALC_OFFSET = 0\nMARK = 'the user'\n"
TEST_USES_SITE = TEST_UT.replace(
    "        self.assertEqual(add(2, 3), 5)\n",
    "        import sitecustomize\n\n"
    "        self.assertEqual(sitecustomize.MARK, 'the user')\n"
    "        self.assertEqual(add(2, 3) + CALC_OFFSET, 5)\n",
)


@pytest.mark.parametrize("mode", MODES)
def test_the_users_own_sitecustomize_is_still_imported(
    tmp_path: Path, mode: dict[str, object]
) -> None:
    python = _bare_python(tmp_path / "bare")
    site = next((tmp_path / "bare" / "lib").glob("python*/site-packages"))
    (site / "sitecustomize.py").write_text(USER_SITE)
    root = _unittest_project(tmp_path / "proj", TEST_USES_SITE)
    command = f"{python} -m unittest discover -s tests -t ."
    v = verifier(timeout_s=60, **mode).verify(
        task_for(root, command, kind="refactoring"), Edit(files={"calc.py": CALC_EDITED}), "m"
    )
    # both tests passed in the traced run (it is not redone untraced: see the lines)
    assert v.verdict == "pass", v.detail
    assert (v.tests_passed, v.tests_failed) == (2, 0)
    assert v.unrun == "no test ran 1 of the 2 statements the edit changes: calc.py line 7"


def test_a_failure_through_our_sitecustomize_is_the_tracers() -> None:
    # a traced run that failed with a traceback through our sitecustomize, or a user's
    # sitecustomize that failed after ours imported it, is redone without the tracer
    trace = '  File "/tmp/out/_acrouter_py/sitecustomize.py", line 9, in <module>'
    assert tracer_suspect(1, False, trace) and tracer_suspect(1, False, trace, monitored=True)
    failed = "Error in sitecustomize; set PYTHONVERBOSE for traceback:"
    assert tracer_suspect(1, False, failed, monitored=True)
    assert not tracer_suspect(0, False, trace)  # a pass stays a pass
    assert not tracer_suspect(1, False, "AssertionError: 5 != 6", monitored=True)


@pytest.mark.parametrize(
    "code",
    [
        'import sys\nsys.modules["acrouter_lines"]._SEEN.clear()\n',
        'import os\nopen(os.environ["ACROUTER_LINES_OUT"] + "/lines-1.json", "w")\n',
        'import os, glob\nglob.glob(os.path.join("..", "_acrouter_py", "*"))\n',
        'open("acrouter_lines_targets.txt", "w")\n',
        "import sitecustomize\nsitecustomize._acrouter_lines_start()\n",
    ],
)
def test_code_that_reaches_the_tracer_of_any_process_trips_the_harness_wire(code: str) -> None:
    assert harness_uses(code), code


def test_a_projects_own_sitecustomize_does_not_trip_it() -> None:
    assert not harness_uses("import sitecustomize\n\nprint(sitecustomize.__file__)\n")


#: a script run traced: ``calc.mul`` in a child it forks, which then ends as ``how`` says
FORKS = """\
import os
import subprocess
import sys

import calc

calc.add(1, 2)
how = sys.argv[1]
if how == "preexec":  # subprocess forks, runs preexec_fn, then execs a program not Python
    subprocess.run(["true"], preexec_fn=lambda: None, check=True)
elif how == "multiprocessing":  # its fork children end through os._exit
    import multiprocessing

    child = multiprocessing.get_context("fork").Process(target=calc.mul, args=(2, 3))
    child.start()
    child.join()
else:
    pid = os.fork()
    if pid == 0:
        calc.mul(2, 3)
        os._exit(0)
    os.waitpid(pid, 0)
"""


@pytest.mark.parametrize(
    ("how", "cut", "ran"),
    [("preexec", False, {2}), ("multiprocessing", False, {2, 6}), ("os._exit", True, {2})],
)
def test_forked_children(tmp_path: Path, how: str, cut: bool, ran: set[int]) -> None:
    # a child forked without exec that never writes makes the lines not known; one that
    # subprocess forks to exec another program is not a Python process of ours
    root = write_tree(tmp_path / "proj", {"calc.py": CALC, "forks.py": FORKS})
    out = tmp_path / "out"
    out.mkdir()
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONDONTWRITEBYTECODE": "1"}
    env.update(plugin_env(str(out), {str(root / "calc.py"): [(2, 2), (6, 6)]}, env))
    subprocess.run([PYTHON, "forks.py", how], cwd=root, env=env, check=True)
    traced = read_traced(out, str(root))
    assert traced is not None
    assert (traced.cut, traced.lines["calc.py"]) == (cut, ran)


#: a test that wants a fresh subprocess untraced (a debugger's or coverage's own suite);
#: its failure output says nothing of tracing (the name is built in the child)
TEST_UNTRACED_CHILD = TEST_SUBPROCESS.format(after="").replace(
    "def test_mul_in_a_subprocess():",
    "def test_a_child_runs_untraced():\n"
    "    done = subprocess.run(\n"
    "        [sys.executable, \"-c\", \"import sys; print(getattr(sys, 'get' + 'trace')() is None)\"],\n"
    "        capture_output=True, text=True,\n"
    "    )\n"
    '    assert done.stdout.strip() == "True", "the child is not clean"\n\n\n'
    "def test_mul_in_a_subprocess():",
)


@pytest.mark.parametrize("mode", MODES)
def test_a_failure_in_a_process_the_tests_started_is_confirmed_without_the_tracer(
    tmp_path: Path, mode: dict[str, object], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _pytest_project(tmp_path / "proj", TEST_UNTRACED_CHILD)
    traced = traced_runs(monkeypatch)
    v = verifier(timeout_s=60, **mode).verify(
        task_for(root, _pytest_command(root), kind="refactoring"),
        Edit(files={"calc.py": CALC_EDITED}),
        "m",
    )
    # with sys.settrace (3.11) the child's check fails under the tracer: the run is made
    # again without it, and the edit passes; with sys.monitoring the child is clean
    assert v.verdict == "pass", v.detail
    if sys.version_info < (3, 12) and PYTHON == sys.executable:
        assert sorted(traced) == [False, False, True]
        # the run that counted was not traced: which lines ran is not known
        assert v.unrun == f"which lines of calc.py the tests ran is not known: {UNTRACED}"
    else:
        assert sorted(traced) == [False, True]


def test_the_processes_besides_the_runners(tmp_path: Path) -> None:
    from acrouter.verifier.lines_trace import others

    def run(*files: str) -> int:
        out = tmp_path / str(len(list(tmp_path.iterdir())))
        out.mkdir()
        for f in files:
            (out / f).write_text("x")
        return others(out)

    assert run() == 0
    assert run("lines-1.start", "lines-1.pytest") == 0  # pytest alone
    assert run("lines-1.start", "lines-1.pytest", "lines-2.start", "lines-2.pytest") == 0  # xdist
    assert run("lines-1.start", "lines-1.pytest", "lines-3.start") == 1  # a child of a test
    assert run("lines-1.start") == 0  # python -m unittest alone
    assert run("lines-1.start", "lines-3.start", "lines-4.start") == 2
