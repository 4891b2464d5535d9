"""Writing a verified edit into the user's files: the texts it writes (``edit_texts``,
for the editor's WorkspaceEdit and the command line), and from the command line
(``acrouter complete --apply``) whole or not at all, and never over a file that changed
since the edit was made from it (the editor makes the same check in its client, see
``lsp.convert.base_digests``)."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path

from .domain import Document, Edit
from .verifier import apply_diff_texts, resolve_edit_path


def edit_texts(
    edit: Edit, doc: Document, root: Path, buffers: Mapping[str, str] | None = None
) -> dict[str, str]:
    """An edit's new full contents per workspace-relative path (a diff is applied to the
    files as the editor has them: ``doc`` and the unsaved ``buffers`` by relative path,
    else the file on disk); nothing is written."""
    if edit.files:
        return dict(edit.files)
    if edit.diff:
        overrides = {str(root / rel): text for rel, text in (buffers or {}).items()}
        overrides[doc.path] = doc.text
        return apply_diff_texts(root, edit.diff, overrides=overrides)
    return {}


def apply_edit(files: dict[str, str], bases: dict[str, str | None], root: Path) -> int:
    """Write a verified edit whole, unless a file it changes no longer holds what the edit
    was made from and tested with (``bases``, by workspace-relative path; None: the
    file did not exist): the user changed it while the request was routing."""
    targets = {resolve_edit_path(root, rel): new for rel, new in files.items()}
    expected = {resolve_edit_path(root, rel): base for rel, base in bases.items()}
    # check every file before writing anything: a multi-file edit is applied whole or not at all
    for target in targets:
        problem = changed_on_disk(target, expected)
        if problem:
            print(f"acrouter: {problem} while routing; nothing was applied", file=sys.stderr)
            return 1
    for target, new in targets.items():
        target.parent.mkdir(parents=True, exist_ok=True)  # a new file in a new folder
        target.write_text(new, encoding="utf-8")
        print(f"applied to {target}", file=sys.stderr)
    return 0


def changed_on_disk(target: Path, expected: dict[Path, str | None]) -> str | None:
    """How ``target`` differs from what the edit was made from, or None."""
    if target not in expected:
        return f"cannot tell whether {target} changed"
    base = expected[target]
    try:
        now: str | None = target.read_bytes().decode("utf-8")
    except FileNotFoundError:
        now = None
    except (OSError, UnicodeDecodeError):
        return f"{target} changed (it can no longer be read as text)"
    # bases are read with or without newline translation (a diff's files keep their CRLF):
    # compare the texts, not their line endings (as the editor does)
    if same_text(now, base):
        return None
    if base is None:
        return f"{target} was created"
    return f"{target} was deleted" if now is None else f"{target} changed"


def same_text(a: str | None, b: str | None) -> bool:
    """Whether two texts (None: no file) are the same but for their line endings."""
    return _lines(a) == _lines(b)


def _lines(text: str | None) -> str | None:
    return None if text is None else text.replace("\r\n", "\n").replace("\r", "\n")
