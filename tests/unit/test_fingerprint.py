"""What a request's tests ran on, compared with the workspace when the user applies the
edit (verifier/fingerprint.py): the files that changed since, with the verifier's own
view of the workspace (caches and tool output never count)."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence
from pathlib import Path

import pytest
from acrouter.app import EditorApp, PriorStore
from acrouter.config import Settings
from acrouter.domain import (
    Attempt,
    Decision,
    Document,
    ModelSpec,
    Outcome,
    Result,
    Task,
    WorkspaceChange,
)
from acrouter.memory import InMemoryMemory
from acrouter.verifier import take_fingerprint

from tests.policy.helpers import FakeGateway, FakePrompts, FakeVerifier


def project(root: Path, git: bool) -> Path:
    (root / "tests").mkdir(parents=True)
    (root / "calc.py").write_text("def add(a, b):\n    return a + b\n")
    (root / "tests" / "test_calc.py").write_text("from calc import add\n")
    (root / "conftest.py").write_text("")
    if git:
        (root / ".gitignore").write_text("*.log\n")
        subprocess.run(["git", "init", "-q", str(root)], check=True)
    return root


def later(path: Path, text: str) -> None:
    """Write ``text`` with a modification time surely after the fingerprint's."""
    st = path.stat() if path.exists() else None
    path.write_text(text)
    if st is not None:
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 10_000_000))


@pytest.fixture(params=[True, False], ids=["git", "walk"])
def root(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    return project(tmp_path / "proj", request.param)


def test_nothing_changed_is_no_change(root: Path) -> None:
    assert take_fingerprint(root, {}).changes({}) == []


def test_a_test_file_saved_since_is_named(root: Path) -> None:
    tested = take_fingerprint(root, {})
    later(root / "tests" / "test_calc.py", "from calc import add\n\ndef test_x(): pass\n")
    (root / "helper.py").write_text("X = 1\n")
    (root / "conftest.py").unlink()
    assert tested.changes({}) == [
        WorkspaceChange("conftest.py", "deleted"),
        WorkspaceChange("helper.py", "created"),
        WorkspaceChange("tests/test_calc.py", "changed on disk"),
    ]


def test_a_buffer_edited_in_the_editor_and_not_saved_is_named(root: Path) -> None:
    tested = take_fingerprint(root, {})
    now = {"tests/test_calc.py": "from calc import add\nassert False\n"}
    assert tested.changes(now) == [WorkspaceChange("tests/test_calc.py", "edited, not saved")]


def test_the_unsaved_buffer_the_tests_ran_on(root: Path) -> None:
    text = "from calc import add\n\ndef test_add(): assert add(1, 2) == 3\n"
    tested = take_fingerprint(root, {"tests/test_calc.py": text})
    assert tested.changes({"tests/test_calc.py": text}) == []  # still in the editor, unchanged
    typed = tested.changes({"tests/test_calc.py": text + "# more\n"})
    assert typed == [WorkspaceChange("tests/test_calc.py", "edited, not saved")]
    # saved as it was tested (an editor may add a byte order mark): the same workspace
    later(root / "tests" / "test_calc.py", "\ufeff" + text)
    assert tested.changes({}) == []
    # saved with another text since: the tests ran on a text the workspace no longer has
    later(root / "tests" / "test_calc.py", "from calc import add\n")
    assert tested.changes({}) == [WorkspaceChange("tests/test_calc.py", "changed on disk")]


def test_an_unsaved_buffer_closed_without_saving_is_not_said_to_have_changed_on_disk(
    root: Path,
) -> None:
    text = "from calc import add\n\ndef test_add(): assert add(1, 2) == 3\n"
    tested = take_fingerprint(root, {"tests/test_calc.py": text, "tests/test_new.py": text})
    # closed (or reverted) without saving: the file on disk is the one it was, untouched;
    # the new test was never saved, so nothing was deleted from disk either
    assert tested.changes({}) == [
        WorkspaceChange("tests/test_calc.py", "unsaved changes discarded"),
        WorkspaceChange("tests/test_new.py", "unsaved changes discarded"),
    ]
    # the file deleted from disk is said so
    (root / "tests" / "test_calc.py").unlink()
    assert tested.changes({})[0] == WorkspaceChange("tests/test_calc.py", "deleted")


def test_caches_and_tool_output_are_no_change(root: Path) -> None:
    (root / "node_modules" / "left-pad").mkdir(parents=True)
    tested = take_fingerprint(root, {})
    for rel in [
        "__pycache__/calc.cpython-311.pyc",
        ".pytest_cache/v/cache/lastfailed",
        ".mypy_cache/3.11/calc.meta.json",
        ".ruff_cache/content",
        "node_modules/left-pad/index.js",
        "tests/old.pyc",
        ".coverage",
        ".coverage.host.123",
        "coverage.xml",
        "htmlcov/index.html",
        ".hypothesis/examples/ab",
    ]:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text("x")
    assert tested.changes({}) == []


def test_git_ignored_files_outside_caches_are_the_tests_too(tmp_path: Path) -> None:
    """The verifier copies git-ignored files outside heavy folders (a generated
    ``_version.py``): a change there can change what the tests do."""
    root = project(tmp_path / "proj", git=True)
    (root / "run.log").write_text("a")
    tested = take_fingerprint(root, {})
    later(root / "run.log", "bb")
    assert tested.changes({}) == [WorkspaceChange("run.log", "changed on disk")]


def test_a_package_installed_into_the_projects_virtualenv(root: Path) -> None:
    site = root / ".venv" / "lib" / "python3.11" / "site-packages"
    site.mkdir(parents=True)
    (root / ".venv" / "pyvenv.cfg").write_text("home = /usr/bin\n")
    tested = take_fingerprint(root, {})
    (site / "newpkg").mkdir()
    st = site.stat()
    os.utime(site, ns=(st.st_atime_ns, st.st_mtime_ns + 10_000_000))
    assert tested.changes({}) == [WorkspaceChange(".venv", "packages installed or removed")]


# --------------------------------------------------------------------------- the editor app

SPECS = (ModelSpec(name="m", model="openai/m", benchmark_model="claude-opus-4-6"),)


def editor_app(passes: bool, keep: bool = True) -> EditorApp:
    return EditorApp(
        Settings(models=SPECS, max_attempts=1, test_command="true"),
        memory=InMemoryMemory(),
        priors=PriorStore(loader=lambda: None),
        gateway_factory=lambda s: FakeGateway(),
        verifier_factory=lambda s: FakeVerifier(lambda t, m: 1.0 if passes else 0.0),
        prompts=FakePrompts(),
        policy_factory=lambda prior, specs, s: _FirstModel(),
        fingerprint=take_fingerprint if keep else None,
    )


class _FirstModel:
    """Calls the one model once."""

    name = "first"

    def plan(self, task: Task, models: Sequence[str], tried: Sequence[Attempt]) -> Decision:
        return Decision(model=None if tried else models[0], reason="the one model")

    def learn(self, task: Task, outcome: Outcome) -> None:
        return None


def route(app: EditorApp, root: Path) -> Result:
    calc = root / "calc.py"
    doc = Document(uri=calc.as_uri(), path=str(calc), text=calc.read_text(), language_id="python")
    return app.route(doc, "fix add", folders=[root])


def test_the_app_keeps_what_a_verified_requests_tests_ran_on(tmp_path: Path) -> None:
    root = project(tmp_path / "proj", git=False)
    app = editor_app(passes=True)
    result = route(app, root)
    assert result.verified
    assert app.tested_root(result.request_id) == root.resolve()
    assert app.changed_since(result.request_id, {}) == []
    later(root / "conftest.py", "import pytest\n")
    edited = {"tests/test_calc.py": "assert False\n"}
    assert app.changed_since(result.request_id, edited) == [
        WorkspaceChange("conftest.py", "changed on disk"),
        WorkspaceChange("tests/test_calc.py", "edited, not saved"),
    ]


def test_no_verdict_to_vouch_for_no_fingerprint(tmp_path: Path) -> None:
    """A request whose edit did not pass (or a front end that applies at once, the CLI)
    keeps nothing: the client does not ask, and an unknown request says so."""
    root = project(tmp_path / "proj", git=False)
    failed = route(editor_app(passes=False), root)
    assert not failed.verified
    app = editor_app(passes=False)
    assert app.changed_since(route(app, root).request_id, {}) is None
    cli = editor_app(passes=True, keep=False)
    passed = route(cli, root)
    assert passed.verified and cli.changed_since(passed.request_id, {}) is None
