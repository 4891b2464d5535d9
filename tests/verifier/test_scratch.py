"""Scratch copies: what is copied, and reuse that survives anything a test run did."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from acrouter.verifier.scratch import Scratch, ScratchPool, scan_workspace, scratch_parent

from .helpers import snapshot, write_tree


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True)


def _copy(root: Path, dest: Path) -> Scratch:
    scratch = Scratch(dest, root.resolve())
    scratch.sync(scan_workspace(root.resolve()))
    return scratch


def test_copy_holds_ignored_files_but_skips_heavy_folders_and_the_venv(tmp_path: Path) -> None:
    """Git-ignored files the tests may need at home (a generated ``_version.py``,
    compiled ``.mo`` files) are copied; heavy folders (build/, __pycache__) are not."""
    root = write_tree(
        tmp_path / "repo",
        {
            "a.py": "a\n",
            "ignored.log": "x\n",
            ".gitignore": "*.log\nbuild/\n_version.py\n*.mo\n__pycache__/\n",
            "build/out.bin": "b",
            "pkg/b.py": "b\n",
            "pkg/_version.py": "v = '1'\n",
            "pkg/__pycache__/b.cpython-311.pyc": "c",
            "locale/de/LC_MESSAGES/x.mo": "mo",
            "untracked.py": "u\n",
        },
    )
    (root / ".venv" / "bin").mkdir(parents=True)
    (root / ".venv" / "pyvenv.cfg").write_text("home = /usr/bin\n")
    _git(root, "init", "-q")
    _git(root, "add", "a.py", "pkg/b.py", ".gitignore")
    scan = scan_workspace(root)
    assert scan.method == "git"
    # the virtualenv is not ignored here, yet it is never copied (it is mounted read-only)
    assert set(scan.files) == {
        "a.py",
        "pkg/b.py",
        ".gitignore",
        "untracked.py",
        "ignored.log",
        "pkg/_version.py",
        "locale/de/LC_MESSAGES/x.mo",
    }
    assert scan.shared_dirs == (".venv",)
    scratch = _copy(root, tmp_path / "copy")
    assert (scratch.ws / "pkg/b.py").read_text() == "b\n"
    assert (scratch.ws / "pkg/_version.py").read_text() == "v = '1'\n"
    assert (scratch.ws / "locale/de/LC_MESSAGES/x.mo").read_text() == "mo"
    assert not (scratch.ws / ".git").exists() and not (scratch.ws / "build").exists()
    assert not (scratch.ws / "pkg/__pycache__").exists()
    assert (scratch.ws / ".venv").is_dir() and not any(
        (scratch.ws / ".venv").iterdir()
    )  # a mount point
    assert os.stat(scratch.ws / "a.py").st_mtime_ns == os.stat(root / "a.py").st_mtime_ns


def test_copy_without_git_skips_heavy_folders_and_keeps_symlinks(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path / "plain",
        {
            "a.py": "a\n",
            "node_modules/x/index.js": "j",
            "__pycache__/a.pyc": "c",
            "dist/x": "d",
            "sub/build/y": "y",
            "sub/keep.py": "k",
        },
    )
    os.symlink("a.py", root / "alias.py")
    scan = scan_workspace(root)
    assert scan.method == "walk"
    assert set(scan.files) == {"a.py", "alias.py", "sub/keep.py"}
    assert scan.shared_dirs == ("node_modules",)
    scratch = _copy(root, tmp_path / "copy")
    assert os.readlink(scratch.ws / "alias.py") == "a.py"


def test_state_key_changes_with_content_and_command(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "k", {"a.py": "a\n"})
    first = scan_workspace(root).state_key("pytest")
    assert scan_workspace(root).state_key("pytest") == first
    assert scan_workspace(root).state_key("npm test") != first
    (root / "a.py").write_text("changed\n")
    assert scan_workspace(root).state_key("pytest") != first


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    files = {f"pkg/m{i}.py": f"x = {i}\n" for i in range(50)}
    files.update({"tests/test_a.py": "def test(): pass\n", "deep/er/f.txt": "f\n", "top.py": "t\n"})
    return write_tree(tmp_path / "repo", files)


def test_reuse_copies_only_what_changed(repo: Path, tmp_path: Path) -> None:
    scratch = _copy(repo, tmp_path / "s")
    assert scratch.copied == 53
    scratch.sync(scan_workspace(repo))
    assert scratch.copied == 0
    (repo / "pkg/m3.py").write_text("x = 'new'\n")
    (repo / "new.py").write_text("n\n")
    (repo / "deep/er/f.txt").unlink()
    scratch.sync(scan_workspace(repo), {"top.py": "edited\n"})
    assert scratch.copied == 2  # m3.py and new.py; top.py was written from the edit
    assert snapshot(scratch.ws) == {**snapshot(repo), "top.py": b"edited\n"}
    assert not (scratch.ws / "deep").exists()
    scratch.sync(scan_workspace(repo))  # the edit is undone on the next sync
    assert snapshot(scratch.ws) == snapshot(repo)


def test_reuse_undoes_anything_a_run_did(repo: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.txt").write_text("keep")
    scratch = _copy(repo, tmp_path / "s")
    scratch.settle()  # as before a run: changes now get a later ctime than the recorded one
    ws = scratch.ws
    m1 = ws / "pkg/m1.py"
    st = m1.stat()
    m1.write_text("x = 7\n")  # same size, and the mtime put back: only the ctime tells
    os.utime(m1, ns=(st.st_atime_ns, st.st_mtime_ns))
    (ws / "pkg/m2.py").unlink()
    (ws / "pkg/__pycache__").mkdir()
    (ws / "pkg/__pycache__/m1.cpython-311.pyc").write_bytes(b"planted")
    (ws / "junk.bin").write_bytes(b"j")
    shutil.rmtree(ws / "deep")
    (ws / "deep").symlink_to(outside)  # a folder replaced by a symlink leading out
    (ws / "tests").chmod(0o000)
    os.rename(ws / "pkg/m4.py", ws / "pkg/m40.tmp")
    os.rename(ws / "pkg/m5.py", ws / "pkg/m4.py")
    scratch.sync(scan_workspace(repo))
    assert snapshot(ws) == snapshot(repo)
    assert (ws / "deep").is_dir() and not (ws / "deep").is_symlink()
    assert snapshot(outside) == {"keep.txt": b"keep"}
    assert oct((ws / "tests").stat().st_mode & 0o777) == oct(
        (repo / "tests").stat().st_mode & 0o777
    )


def test_pool_reuses_per_workspace_and_cleans_up(repo: Path, tmp_path: Path) -> None:
    pool = ScratchPool(max_idle=1)
    a = pool.acquire(repo, 1000)
    a.sync(scan_workspace(repo))
    pool.release(a, reusable=True)
    again = pool.acquire(repo, 1000)
    assert again is a
    other = pool.acquire(tmp_path, 10)
    assert other is not a
    pool.release(again, reusable=True)
    pool.release(other, reusable=True)  # evicts the older one (max_idle=1)
    assert not a.base.exists() and other.base.exists()
    pool.release(pool.acquire(tmp_path, 10), reusable=False)
    assert not other.base.exists()
    pool.close()


def test_small_copies_go_to_tmpfs_when_there_is_one(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("ACROUTER_SCRATCH_DIR", raising=False)
    parent = scratch_parent(1000)
    if Path("/dev/shm").is_dir() and os.access("/dev/shm", os.W_OK):
        assert parent == Path("/dev/shm")
    assert scratch_parent(10**12) != Path("/dev/shm")  # too big for RAM
    monkeypatch.setenv("ACROUTER_SCRATCH_DIR", str(tmp_path))
    assert scratch_parent(1000) == tmp_path
