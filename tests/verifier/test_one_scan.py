"""A verified request reads the workspace once before its tests run: the fingerprint the
editor keeps (``changedSince``) and the key of the verifier's cached run without the edit
come from the same scan (``ProjectVerifier.take_state``, handed to its ``prepare``).  The
run with the edit reads the workspace again (a model was called meanwhile).  Between
requests, a file of the workspace or of a sibling package on the PYTHONPATH changed since
still makes the cached run stale and is still named by ``changedSince``.  (No sandbox: it
masks /tmp, where the sibling is.)"""

from __future__ import annotations

import os
import shlex
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from acrouter.app import EditorApp, PriorStore
from acrouter.config import Settings
from acrouter.domain import Completion, Document, Edit, ModelSpec, PromptContext, Result, Task
from acrouter.memory import InMemoryMemory
from acrouter.verifier import (
    BaselineCache,
    ProjectVerifier,
    core,
    fingerprint,
    preflight,
    take_fingerprint,
)

from tests.policy.helpers import FakeGateway
from tests.unit.test_fingerprint import _FirstModel

from .helpers import CALC, CALC_FIXED, verifier, write_tree

SPECS = (ModelSpec(name="m", model="openai/m", benchmark_model="claude-opus-4-6"),)
COMMAND = f"{shlex.quote(sys.executable)} -m pytest -q -p no:cacheprovider tests"


class FixingPrompts:
    """The model's reply is ``calc.py`` fixed."""

    def messages(self, task: Task, context: PromptContext) -> list[dict[str, str]]:
        return [{"role": "user", "content": task.text}]

    def parse(self, task: Task, completion: Completion, context: PromptContext) -> Edit:
        return Edit(files={"calc.py": CALC_FIXED})


class Gateway(FakeGateway):
    """A model that answers after ``meanwhile()`` (the user saving a file as it thinks)."""

    def __init__(self) -> None:
        super().__init__()
        self.meanwhile: Callable[[], None] = lambda: None

    def complete(self, spec, messages, task, cancel=None) -> Completion:
        self.meanwhile()
        return super().complete(spec, messages, task, cancel)


class Counted:
    """What each request did, in order: "scan" (the workspace listed and stat'ed),
    "outside" (the Python files beside it stat'ed) and "run" (a test run)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.log: list[str] = []
        for module in (fingerprint, preflight):
            monkeypatch.setattr(module, "scan_workspace", self._wrap("scan", module.scan_workspace))
        monkeypatch.setattr(
            fingerprint, "outside_stats", self._wrap("outside", fingerprint.outside_stats)
        )
        monkeypatch.setattr(core, "run_tests", self._wrap("run", core.run_tests))

    def _wrap(self, what: str, f):
        def counted(*args, **kw):
            self.log.append(what)
            return f(*args, **kw)

        return counted

    def take(self) -> list[str]:
        log, self.log = self.log, []
        return log


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """A project whose test imports a module of a sibling folder on the PYTHONPATH (the
    server's, which the tests inherit)."""
    lib = tmp_path / "lib"
    lib.mkdir()
    monkeypatch.setenv("PYTHONPATH", str(lib))
    (lib / "sibling.py").write_text("def three():\n    return 3\n")
    root = write_tree(
        tmp_path / "proj",
        {
            "calc.py": CALC,
            "conftest.py": "",
            "tests/test_calc.py": "from sibling import three\nfrom calc import add, mul\n\n\n"
            "def test_add():\n    assert add(2, 3) == 5\n\n\n"
            "def test_mul():\n    assert mul(three(), 2) == 6\n",
            "pytest.ini": "[pytest]\npythonpath = .\n",
        },
    )
    return root, lib


def editor_app(verifiers: list[ProjectVerifier], gateway: Gateway) -> EditorApp:
    env = dict(os.environ)
    cache = BaselineCache()  # shared by the requests, as build_editor_app's
    # (no confirming second run of a fix: a baseline run counted is the pre-flight's)

    def make(s: Settings) -> ProjectVerifier:
        verifiers.append(
            verifier(env=env, sandbox="none", baseline_cache=cache, confirm_fixes=False)
        )
        return verifiers[-1]

    return EditorApp(
        Settings(models=SPECS, max_attempts=1, test_command=COMMAND),
        memory=InMemoryMemory(),
        priors=PriorStore(loader=lambda: None),
        gateway_factory=lambda s: gateway,
        verifier_factory=make,
        prompts=FixingPrompts(),
        policy_factory=lambda prior, specs, s: _FirstModel(),
        fingerprint=take_fingerprint,
    )


def route(app: EditorApp, root: Path) -> Result:
    calc = root / "calc.py"
    doc = Document(uri=calc.as_uri(), path=str(calc), text=calc.read_text(), language_id="python")
    result = app.route(doc, "fix add", folders=[root])
    assert result.verified, result.why
    return result


def later(path: Path, text: str) -> None:
    """Write ``text`` with a modification time surely after the last scan's."""
    st = path.stat()
    path.write_text(text)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 10_000_000))


def test_a_verified_request_reads_the_workspace_once_before_its_tests_run(
    project: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    root, _lib = project
    counted = Counted(monkeypatch)
    verifiers: list[ProjectVerifier] = []
    app = editor_app(verifiers, Gateway())
    result = route(app, root)
    log = counted.take()
    before_tests = log[: log.index("run")]
    # one reading for the fingerprint and the cached run's key (it was two), and one for
    # the run with the edit, after the model's reply (the workspace the edit is tested on)
    assert before_tests == ["scan", "outside"]
    assert log.count("scan") == 2 and log.count("outside") == 2
    assert verifiers[-1].baseline_runs == 1
    assert app.changed_since(result.request_id, {}) == []
    counted.take()  # (changedSince reads the workspace: what it is now)
    # Verify Again (acrouter.server.verifyAgain) the same way
    again = app.verify_again(result.request_id, {})
    assert again is not None and again.verdict == "pass", again.detail
    log = counted.take()
    # its reading and the run with the edit's (it was three: the pre-flight's too)
    assert log[: log.index("run")] == ["scan", "outside", "scan", "outside"]
    assert log.count("scan") == 2


def test_the_cached_run_and_changed_since_follow_files_changed_between_requests(
    project: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    root, lib = project
    verifiers: list[ProjectVerifier] = []
    app = editor_app(verifiers, Gateway())
    first = route(app, root)
    assert verifiers[-1].baseline_runs == 1
    second = route(app, root)
    assert verifiers[-1].baseline_runs == 0  # nothing changed: the cached run is reused

    # a file of the workspace saved since: the next request runs the baseline again
    later(root / "conftest.py", "import pytest\n")
    assert [c.path for c in app.changed_since(second.request_id, {}) or []] == ["conftest.py"]
    third = route(app, root)
    assert verifiers[-1].baseline_runs == 1
    assert app.changed_since(third.request_id, {}) == []

    # a module of the sibling package on the PYTHONPATH edited since: the same
    later(lib / "sibling.py", "def three():\n    return 3  # same value\n")
    sibling = os.path.realpath(lib / "sibling.py")
    assert [c.path for c in app.changed_since(third.request_id, {}) or []] == [sibling]
    fourth = route(app, root)
    assert verifiers[-1].baseline_runs == 1
    assert app.changed_since(fourth.request_id, {}) == []
    changed = app.changed_since(first.request_id, {}) or []
    assert [c.path for c in changed] == ["conftest.py", sibling]


def test_a_file_saved_while_the_model_answers_is_not_hidden(
    project: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The reading taken before the request's tests serves its pre-flight only: the run
    with the edit reads the workspace again, so a test saved while the model answers is
    the one the edit is tested on (compared with a run without the edit on it too), and
    the fingerprint, taken before, names it at Apply."""
    root, _lib = project
    verifiers: list[ProjectVerifier] = []
    gateway = Gateway()
    app = editor_app(verifiers, gateway)
    test = root / "tests" / "test_calc.py"
    gateway.meanwhile = lambda: later(
        test, test.read_text() + "\n\ndef test_sub():\n    assert add(2, -2) == 0\n"
    )
    calc = root / "calc.py"
    doc = Document(uri=calc.as_uri(), path=str(calc), text=calc.read_text(), language_id="python")
    result = app.route(doc, "fix add", folders=[root])
    assert verifiers[-1].baseline_runs == 2  # the pre-flight's, and one on the saved test
    assert result.verified, result.why
    assert "3 passed" in (result.attempts[-1].detail or ""), result.attempts[-1].detail
    changes = app.changed_since(result.request_id, {}) or []
    assert [(c.path, c.how) for c in changes] == [("tests/test_calc.py", "changed on disk")]
