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


# ----------------------------------------------------------- imported from outside the workspace
def sibling(tmp_path: Path) -> Path:
    """A package beside the project (``../lib``), as ``pip install -e ../lib`` leaves it."""
    lib = tmp_path / "lib"
    (lib / "src" / "mylib").mkdir(parents=True)
    (lib / "src" / "mylib" / "__init__.py").write_text("ZERO = 0\n")
    (lib / "src" / "mylib" / "__pycache__").mkdir()
    (lib / "src" / "mylib" / "__pycache__" / "x.cpython-312.pyc").write_bytes(b"\0")
    (lib / "README.md").write_text("not Python\n")
    return lib


def venv(root: Path) -> Path:
    """The workspace's virtualenv (a mounted shared folder): its site-packages."""
    site = root / ".venv" / "lib" / "python3.12" / "site-packages"
    site.mkdir(parents=True)
    (root / ".venv" / "pyvenv.cfg").write_text("home = /usr/bin\n")
    # another installed package, and a .pth naming an installed folder: never walked
    (site / "other").mkdir()
    (site / "other" / "__init__.py").write_text("")
    (site / "_base.pth").write_text(str(root.parent / "base" / "site-packages") + "\n")
    return site


def real(path: Path) -> str:
    return os.path.realpath(path)


def test_a_sibling_on_the_pythonpath_the_tests_inherit_is_named_by_its_path(
    root: Path, tmp_path: Path
) -> None:
    lib = sibling(tmp_path)
    init = lib / "src" / "mylib" / "__init__.py"
    env = {"PYTHONPATH": os.pathsep.join([str(lib / "src"), "src", ""])}  # "src": in the workspace
    tested = take_fingerprint(root, {}, env)
    assert tested.outside == {real(init): (init.stat().st_size, init.stat().st_mtime_ns)}
    assert tested.changes({}) == []
    later(init, "ZERO = 1\n")
    (lib / "src" / "mylib" / "more.py").write_text("")
    (lib / "src" / "mylib" / "__pycache__" / "x.cpython-312.pyc").write_bytes(b"\1\1")
    assert tested.changes({}) == [
        WorkspaceChange(real(init), "changed on disk"),
        WorkspaceChange(real(lib / "src" / "mylib" / "more.py"), "created"),
    ]
    # without the folder on the PYTHONPATH, nothing outside counts
    assert take_fingerprint(root, {}, {}).outside == {}


def test_a_sibling_installed_editable_into_the_workspaces_virtualenv(
    root: Path, tmp_path: Path
) -> None:
    lib = sibling(tmp_path)
    site = venv(root)
    (site / "__editable__.mylib-0.1.pth").write_text(f"{lib / 'src'}\n")
    tested = take_fingerprint(root, {}, {})
    init = real(lib / "src" / "mylib" / "__init__.py")
    assert list(tested.outside) == [init]
    (lib / "src" / "mylib" / "__init__.py").unlink()
    assert tested.changes({}) == [WorkspaceChange(init, "deleted")]


def test_a_sibling_mapped_by_setuptools_editable_finder(root: Path, tmp_path: Path) -> None:
    lib = sibling(tmp_path)
    site = venv(root)
    finder = "__editable___mylib_0_1_finder"
    (site / "__editable__.mylib-0.1.pth").write_text(f"import {finder}; {finder}.install()\n")
    (site / f"{finder}.py").write_text(
        f"import sys\nMAPPING: dict[str, str] = {{'mylib': {str(lib / 'src' / 'mylib')!r}}}\n"
        "NAMESPACES = {}\n"
    )
    tested = take_fingerprint(root, {}, {})
    init = lib / "src" / "mylib" / "__init__.py"
    assert list(tested.outside) == [real(init)]
    later(init, "ZERO = 2\n")
    assert tested.changes({}) == [WorkspaceChange(real(init), "changed on disk")]


def test_a_large_folder_on_the_pythonpath_is_walked_only_so_far(
    root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from acrouter.verifier import fingerprint

    home = tmp_path / "home"
    for i in range(5):
        (home / f"d{i}").mkdir(parents=True)
        (home / f"d{i}" / "m.py").write_text("")
    monkeypatch.setattr(fingerprint, "MAX_OUTSIDE", 3)
    assert len(take_fingerprint(root, {}, {"PYTHONPATH": str(home)}).outside) == 3
    monkeypatch.setattr(fingerprint, "MAX_OUTSIDE", 100)
    monkeypatch.setattr(fingerprint, "MAX_OUTSIDE_DIRS", 3)  # home itself, d0, d1
    assert len(take_fingerprint(root, {}, {"PYTHONPATH": str(home)}).outside) == 2
