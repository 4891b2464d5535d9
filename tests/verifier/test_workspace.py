"""Edited paths stay inside the workspace, and a rejected edit writes nothing."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from acrouter.errors import VerifyError
from acrouter.verifier import resolve_edit_path, write_files

from .helpers import snapshot, write_tree


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    root = write_tree(tmp_path / "ws", {"src/app.py": "x = 1\n", "README.md": "hi\n"})
    (tmp_path / "ws-evil").mkdir()
    (tmp_path / "outside").mkdir()
    os.symlink(tmp_path / "outside", root / "link_out")
    os.symlink(root / "src", root / "link_in")
    return root


@pytest.mark.parametrize(
    "rel",
    [
        "../evil.py",
        "src/../../evil.py",
        "/etc/passwd",
        "file:///etc/passwd",
        "FILE:src/app.py",
        "~/evil.py",
        "C:\\evil.py",
        "..\\evil.py",
        "../ws-evil/x.py",
        "link_out/x.py",
        ".git/hooks/pre-commit",
        "sub/.git/config",
        ".GIT/HEAD",
        ".vscode/tasks.json",
        ".vscode/launch.json",
        ".vscode/settings.json",
        "",
        ".",
        "src",
        "a\x00b",
    ],
)
def test_rejected_paths(ws: Path, rel: str) -> None:
    with pytest.raises(VerifyError):
        resolve_edit_path(ws, rel)


def test_accepted_paths_resolve_inside(ws: Path) -> None:
    assert resolve_edit_path(ws, "src/app.py") == (ws / "src/app.py").resolve()
    assert resolve_edit_path(ws, "./new/dir/file.py") == (ws / "new/dir/file.py").resolve()
    # a symlink that stays inside is followed to its target
    assert resolve_edit_path(ws, "link_in/app.py") == (ws / "src/app.py").resolve()
    assert (
        resolve_edit_path(ws, ".vscode/extensions.json")
        == (ws / ".vscode/extensions.json").resolve()
    )


def test_symlinked_vscode_folder_is_still_refused(ws: Path) -> None:
    (ws / "editor").mkdir()
    os.symlink(ws / ".vscode", ws / "cfg")
    (ws / ".vscode").mkdir()
    with pytest.raises(VerifyError, match="editor task files"):
        resolve_edit_path(ws, "cfg/tasks.json")


def test_edits_inside_a_virtualenv_are_refused(ws: Path) -> None:
    (ws / ".venv" / "lib").mkdir(parents=True)
    (ws / ".venv" / "pyvenv.cfg").write_text("home = /usr/bin\n")
    with pytest.raises(VerifyError, match="virtualenv"):
        resolve_edit_path(ws, ".venv/lib/site.py")


def test_write_files_writes_nothing_when_one_path_is_bad(ws: Path, tmp_path: Path) -> None:
    before = snapshot(tmp_path)
    with pytest.raises(VerifyError):
        write_files(ws, {"src/app.py": "x = 2\n", "new.py": "y = 1\n", "link_out/evil.py": "boom"})
    assert snapshot(tmp_path) == before


def test_write_files_keeps_text_exactly(ws: Path) -> None:
    write_files(ws, {"src/app.py": "a\r\nb\n", "deep/new.txt": "z"})
    assert (ws / "src/app.py").read_bytes() == b"a\r\nb\n"
    assert (ws / "deep/new.txt").read_text() == "z"
