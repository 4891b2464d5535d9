"""What an edit asks for: the new full texts of the files it changes (a diff applied to
the files as they are on disk, or whole files), every path validated against the
workspace; and, for a run under an overlay, those texts written beside the workspace
to be bound over it."""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from pathlib import Path

from ..domain import Edit, Task
from ..errors import VerifyError
from .unidiff import apply_diff_texts
from .workspace import normalise_relative, remove_tree, resolve_edit_path


def checked_buffers(root: Path, task: Task) -> dict[str, str]:
    """The editor's unsaved buffers (``Task.buffers``) by normalised workspace-relative
    path, every path validated like an edit's (``VerifyError``): both test runs put
    them in place of the files on disk."""
    out: dict[str, str] = {}
    for rel, text in task.buffers.items():
        resolve_edit_path(root, rel)
        out[normalise_relative(rel)] = text
    return out


def edit_texts(root: Path, edit: Edit, buffers: Mapping[str, str] | None = None) -> dict[str, str]:
    """The new full texts ``edit`` asks for, every path validated against ``root``;
    nothing is written.  A diff is applied to the files as the editor has them: the
    unsaved ``buffers`` (by relative path), else the files on disk."""
    texts: dict[str, str] = {}
    if edit.diff:
        overrides = {str(root / rel): text for rel, text in (buffers or {}).items()}
        texts.update(apply_diff_texts(root, edit.diff, overrides=overrides))
    for rel, text in (edit.files or {}).items():
        resolve_edit_path(root, rel)
        if not isinstance(text, str):
            raise VerifyError(f"{rel}: the new content must be text")
        norm = normalise_relative(rel)
        if norm in texts:
            raise VerifyError(f"{rel} is changed both by the diff and as a whole file")
        texts[norm] = text
    if not texts:
        raise VerifyError("the edit changes no file")
    return texts


def texts_before(
    root: Path, rels: list[str] | Mapping[str, str], buffers: Mapping[str, str]
) -> dict[str, str | None]:
    """What the files ``rels`` held before the edit, as the editor has them: the unsaved
    ``buffers``, else the files in ``root``; None for a file that did not exist (or is no
    UTF-8 text)."""
    out: dict[str, str | None] = {}
    for rel in rels:
        path = root / rel
        try:
            out[rel] = (
                buffers[rel]
                if rel in buffers
                else (path.read_text(encoding="utf-8") if path.is_file() else None)
            )
        except (OSError, UnicodeDecodeError):
            out[rel] = None
    return out


def write_edits(folder: Path, root: Path, texts: Mapping[str, str]) -> list[tuple[str, str]]:
    """Write the edited files into ``folder`` (fresh); returns (host file, path in the
    workspace) pairs to bind over the overlaid workspace.  A file keeps the mode of
    the file it replaces."""
    remove_tree(folder)
    folder.mkdir(parents=True)
    binds = []
    for rel, text in texts.items():
        target = resolve_edit_path(root, rel)
        real_rel = target.relative_to(root).as_posix()
        src = folder / real_rel
        src.parent.mkdir(parents=True, exist_ok=True)
        with open(src, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        try:
            os.chmod(src, stat.S_IMODE(os.stat(target).st_mode) | stat.S_IRUSR | stat.S_IWUSR)
        except OSError:
            pass
        binds.append((str(src), real_rel))
    return binds
