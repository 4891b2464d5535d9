"""Helpers for the verifier tests: sample projects, process scans, cancel tokens."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import sysconfig
import textwrap
import time
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path

import attrs
import pytest
from acrouter.domain import Candidate, Decision, Edit, Task, Verdict
from acrouter.verifier import Limits, ProjectVerifier, bwrap_problem
from acrouter.verifier.lines_rustcov import tool_pairs

from ..pythons import version_of

#: The sample projects' Python: their tests run with this interpreter (it has pytest
#: installed), the one that runs this suite.
PROJECT_PYTHON = sys.executable
PYTEST = f"{shlex.quote(PROJECT_PYTHON)} -m pytest -q"
#: Put before a test command: the changed-lines tracer watches with ``sys.settrace`` in
#: the run's processes on any Python (3.12 and newer use ``sys.monitoring`` without it:
#: :mod:`acrouter.verifier.lines_plugin`).  The variable reaches the tests only when the
#: command sets it: of the verifier's own environment, only the variables
#: ``environment.ENV_ALLOW`` names are passed on.
SETTRACE = "env ACROUTER_LINES_TRACER=settrace "

CALC = """\
def add(a, b):
    return a - b


def mul(a, b):
    return a * b
"""
CALC_FIXED = CALC.replace("a - b", "a + b")
#: what a pass that counts one test as fixed adds to its detail (verifier.confirm): that
#: test run alone again, with and without the edit (pytest: verifier.subset) ...
CONFIRMED = "; confirmed by a second run of the fixed test with and without the edit"
#: ... or the whole suite again (other runners, or the fixed tests alone could not confirm)
CONFIRMED_WHOLE = "; confirmed by a second run with and without the edit"
TEST_CALC = """\
from calc import add, mul


def test_add():
    assert add(2, 3) == 5


def test_mul():
    assert mul(2, 3) == 6
"""

#: the two-test sample project with one bug (``add`` subtracts), pytest configured to
#: import the code from its root
CALC_PROJECT = {
    "calc.py": CALC,
    "tests/test_calc.py": TEST_CALC,
    "pytest.ini": "[pytest]\npythonpath = .\n",
}

#: the same two tests for ``python -m unittest``
TEST_UT = """\
import unittest

from calc import add, mul


class TestCalc(unittest.TestCase):
    def test_add(self):
        self.assertEqual(add(2, 3), 5)

    def test_mul(self):
        self.assertEqual(mul(2, 3), 6)
"""

#: one pytest test of ``add``
TEST_PY = "from calc import add, mul\n\n\ndef test_add():\n    assert add(2, 3) == 5\n"

#: a pytest plugin whose hook's name is built at run time (the tripwire reads names):
#: every test's report made "passed"
HIDDEN_PLUGIN = """
def _make(item, call):
    reports = __import__("_py" + "test.reports", fromlist=["x"])
    rep = getattr(reports, "Test" + "Report").from_item_and_call(item, call)
    rep.outcome, rep.longrepr = "passed", None
    return rep


globals()["pytest_" + "runtest_makereport"] = _make
"""


def lines_monitored(python: str = PROJECT_PYTHON) -> bool:
    """Whether the changed-lines tracer watches with ``sys.monitoring`` (Python 3.12 and
    newer: a project's own ``sys.settrace`` tracer neither replaces nor switches it off)
    in the tests of a project run with ``python`` (asked of that interpreter), unless the
    command starts with :data:`SETTRACE`."""
    return version_of(python) >= (3, 12)


needs_bwrap = pytest.mark.skipif(
    bwrap_problem() is not None,
    reason=f"bubblewrap cannot create a sandbox on this machine: {bwrap_problem()}",
)
needs_node = pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
needs_cargo = pytest.mark.skipif(shutil.which("cargo") is None, reason="cargo is not installed")
needs_javac = pytest.mark.skipif(
    shutil.which("javac") is None,
    reason="javac is not installed (Debian: apt-get install default-jdk-headless)",
)


def rust_profiler() -> bool:
    """Whether the rustc on the PATH has the profiler runtime (rustup's has it; Debian's
    has not), which the verifier needs to tell which Rust lines ran."""
    rustc = shutil.which("rustc")
    if rustc is None:
        return False
    done = subprocess.run(
        [rustc, "--print", "sysroot"], check=False, capture_output=True, text=True
    )
    return any(Path(done.stdout.strip()).glob("lib/rustlib/*/lib/libprofiler_builtins-*"))


def says_no_unrun_rust_line(v: Verdict) -> bool:
    """A pass that names no Rust line as not run: nothing said where Rust lines are
    measured (a rustc with the profiler runtime, an llvm-cov installed), else only that
    which lines ran is not known (lines_opened's sentence)."""
    if rust_profiler() and tool_pairs():
        return not v.unrun
    return v.unrun.startswith("which lines of ") and "no test ran" not in v.unrun


def needs_ruby(*programs: str) -> None:
    """Skip the calling test when ruby or one of ``programs`` (rake, rspec) is missing,
    naming what to install (CI installs them and fails on this skip)."""
    for program in ("ruby", *programs):
        if shutil.which(program) is None:
            pytest.skip(
                f"{program} is not installed (Debian: apt-get install ruby rake ruby-rspec)"
            )


def needs_gcc(*programs: str) -> None:
    """Skip the calling test when gcc, gcov or one of ``programs`` (g++, make) is
    missing, naming what to install."""
    for program in ("gcc", "gcov", *programs):
        if shutil.which(program) is None:
            pytest.skip(f"{program} is not installed (Debian: apt-get install gcc g++ make)")


#: the verifier's three ways of running the tests: under the overlay, on a scratch copy
#: (bubblewrap 0.8's way), without a sandbox
MODES = [
    pytest.param({}, id="overlay", marks=needs_bwrap),
    pytest.param({"overlay": False}, id="scratch-copy", marks=needs_bwrap),
    pytest.param({"sandbox": "none", "parallel_baseline": False}, id="no-sandbox"),
]
#: the overlay and no sandbox: the two ways a user's tests run, for tests too slow to
#: run three times
OVERLAY_AND_NONE = [MODES[0], MODES[2]]


#: the C twin of ``calc.py``'s ``add``, as Cython or mypyc would have built it
CALC_C = """\
#include <Python.h>
static PyObject *add(PyObject *self, PyObject *args) {
    return PyNumber_Add(PyTuple_GET_ITEM(args, 0), PyTuple_GET_ITEM(args, 1));
}
static PyMethodDef methods[] = {{"add", add, METH_VARARGS, ""}, {NULL, NULL, 0, NULL}};
static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "calc", NULL, -1, methods};
PyMODINIT_FUNC PyInit_calc(void) { return PyModule_Create(&module); }
"""
PYTHON_H = Path(sysconfig.get_paths()["include"], "Python.h")
needs_cc = pytest.mark.skipif(
    shutil.which("cc") is None or not PYTHON_H.is_file(),
    reason=f"no C compiler (cc) or no Python headers ({PYTHON_H}) to build an extension module",
)


def build_calc_extension(root: Path) -> str:
    """Build ``CALC_C`` into the extension module ``calc`` at ``root`` (for this
    interpreter, as ``build_ext --inplace`` names it); returns its file name."""
    name = f"calc{sysconfig.get_config_var('EXT_SUFFIX')}"
    (root / "_calc_ext.c").write_text(CALC_C)
    argv = ["cc", "-shared", "-fPIC", f"-I{PYTHON_H.parent}", "_calc_ext.c", "-o", name]
    subprocess.run(argv, cwd=root, check=True)
    (root / "_calc_ext.c").unlink()
    return name


def venv_with_pytest(path: Path) -> Path:
    """A new virtualenv at ``path`` (no pip) that can import this interpreter's pytest,
    with its base interpreter's packages (``--system-site-packages``, where root's
    interpreter on CI has pytest) and a ``.pth`` naming this environment's site-packages
    (a user's Debian python3 has no pytest; the sandbox shows that folder unless the
    checkout is in a folder it masks, such as /tmp).  Returns its site-packages."""
    subprocess.run(
        [sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", str(path)],
        check=True,
    )
    site = next((path / "lib").glob("python*/site-packages"))
    (site / "_acrouter_tests_pytest.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return site


def new_marker() -> str:
    """A unique name to put in a sample project's folder, so that its test processes
    can be found in /proc."""
    return f"acrmark{uuid.uuid4().hex[:12]}"


def write_tree(root: Path, files: Mapping[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def committed(root: Path) -> Path:
    """``root`` made a git repository of everything in it, ignored files too: a scratch
    copy holds what git lists (a folder named dist/, build/ or node_modules/ outside git
    is not copied)."""
    for args in (["init", "-q"], ["add", "-A", "-f"], ["commit", "-qm", "init"]):
        subprocess.run(
            ["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@t", *args],
            check=True,
            capture_output=True,
        )
    return root


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file below ``root`` (symlinks as their target), for byte-identical checks."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d != "__pycache__"]
        for name in filenames:
            p = Path(dirpath, name)
            rel = str(p.relative_to(root))
            out[rel] = ("->" + os.readlink(p)).encode() if p.is_symlink() else p.read_bytes()
    return out


def processes_with(marker: str) -> list[int]:
    """Live (non-zombie) processes whose command line contains ``marker``."""
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit() or int(name) == os.getpid():
            continue
        try:
            cmdline = Path(f"/proc/{name}/cmdline").read_bytes()
            state = Path(f"/proc/{name}/stat").read_text().rpartition(")")[2].split()[0]
        except OSError:
            continue
        if marker.encode() in cmdline and state not in ("Z", "X"):
            found.append(int(name))
    return found


def wait_until(cond: Callable[[], bool], timeout_s: float, step_s: float = 0.05) -> bool:
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(step_s)
    return cond()


def task_for(root: Path, command: str | None = None, **kw: object) -> Task:
    kw.setdefault("kind", "bug_fixing")
    return Task(task_id="t1", workspace=str(root), test_command=command, **kw)  # type: ignore[arg-type]


def pytest_cmd(root: Path, *extra: str) -> str:
    """pytest on the project's tests by absolute path (so the marker shows in cmdlines)."""
    return " ".join([PYTEST, *extra, shlex.quote(str(root / "tests"))])


def verify_files(root: Path, files: Mapping[str, str], command: str, **kw: object) -> Verdict:
    """The verdict on the edit that gives ``files`` their new texts in the project at
    ``root`` (its tests run by ``command``; the baseline cached beside ``root``); ``kw``
    goes to :func:`verifier` (``timeout_s``, ``sandbox``, ``overlay``, ...)."""
    kw.setdefault("cache_dir", root.parent / "cache")
    return verifier(**kw).verify(task_for(root, command), Edit(files=dict(files)), "m")


def verifier(**kw: object) -> ProjectVerifier:
    """A verifier for the sample projects.  The repository venv autoloads heavy pytest
    plugins (pygls, litellm: 2+ s per run), so the sample suites run without them."""
    kw.setdefault("timeout_s", 30)
    env = dict(kw.pop("env", None) or os.environ)  # type: ignore[call-overload]
    env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    return ProjectVerifier(env=env, **kw)  # type: ignore[arg-type]


class CancelWhen:
    """A cancel token that turns on once ``cond()`` holds (or after ``give_up_s``)."""

    def __init__(self, cond: Callable[[], bool], give_up_s: float) -> None:
        self.cond = cond
        self.deadline = time.monotonic() + give_up_s
        self.fired_at: float | None = None
        self.gave_up = False

    @property
    def cancelled(self) -> bool:
        if self.fired_at is None:
            if self.cond():
                self.fired_at = time.monotonic()
            elif time.monotonic() > self.deadline:
                self.fired_at, self.gave_up = time.monotonic(), True
        return self.fired_at is not None


@attrs.frozen
class Shared:
    """One sample project used by many tests, with an on-disk baseline cache so each
    test pays only for the run with its edit."""

    root: Path
    marker: str
    cache_dir: Path

    def verifier(self, **kw: object) -> ProjectVerifier:
        kw.setdefault("cache_dir", self.cache_dir)
        return verifier(**kw)

    def task(self, *extra: str, **kw: object) -> Task:
        return task_for(self.root, pytest_cmd(self.root, *extra), **kw)


SMALL = Limits(max_processes=64, max_tasks=256, file_size_bytes=64 * 1024 * 1024)


class InOrder:
    """Calls the models in the given order until one passes."""

    name = "in-order"

    def __init__(self, order: list[str]) -> None:
        self.order = order
        self.learned: list = []

    def plan(self, task, models, tried):
        left = [m for m in self.order if m in models and m not in {a.model for a in tried}]
        cand = tuple(Candidate(m, 0.5, 0.001, 0.5, "test") for m in left)
        return Decision(left[0] if left else None, cand, "in order" if left else "no model left")

    def learn(self, task, outcome):
        self.learned.append(outcome)


def route(
    root: Path,
    instruction: str,
    replies: Mapping[str, str],
    max_attempts: int = 3,
    **verifier_kw: object,
):
    """One request on ``root/calc.py`` through the whole loop: the Orchestrator with a fake
    gateway (``replies`` per model, called in that order), the real prompts and the real
    sandboxed verifier (``verifier_kw``: more of its arguments).  Returns (task, result,
    gateway, memory)."""
    from acrouter.context import build_task
    from acrouter.domain import Document, ModelSpec
    from acrouter.gateway import FakeGateway
    from acrouter.memory import InMemoryMemory
    from acrouter.orchestrator import Orchestrator
    from acrouter.prompts import ChatPrompts

    gateway = FakeGateway(dict(replies), costs=dict.fromkeys(replies, 0.001))
    memory = InMemoryMemory()
    orch = Orchestrator(
        [ModelSpec(name, f"x/{name}") for name in replies],
        InOrder(list(replies)),
        gateway,
        ChatPrompts(),
        verifier(timeout_s=60, **verifier_kw),
        memory,
        max_attempts=max_attempts,
    )
    target = root / "calc.py"
    doc = Document(uri=target.as_uri(), path=str(target), text=target.read_text())
    task = build_task(doc, instruction, folders=[root], test_command=pytest_cmd(root))
    return task, orch.run(task), gateway, memory


def traced_runs(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether each test run of the verifier was traced (its environment loads the
    changed-lines tracer); the run without the edit, never traced, may come first or
    last."""
    from acrouter.verifier import core

    seen: list[bool] = []
    run_command = core.run_command

    def spy(spec, *args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append("acrouter_lines" in spec.env.get("PYTEST_ADDOPTS", ""))
        return run_command(spec, *args, **kwargs)

    monkeypatch.setattr(core, "run_command", spy)
    return seen
