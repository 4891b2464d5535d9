"""A small, careful unified-diff applier (for edits a model sends as a diff).

It parses ``---``/``+++``/``@@`` hunks (git or plain style), tolerates the usual model
slips (wrong hunk line counts, blank context lines without their leading space,
trailing-whitespace drift, a small line offset) and refuses everything else: a hunk
whose context is not found, binary patches, deletions and renames.  Application is
all-or-nothing: ``apply_diff_texts`` returns new texts and writes nothing.

A hunk whose header has no line numbers (``@@``, ``@@ ... @@``, ``@@ def f(): @@``)
goes where its context and removed lines match exactly one place after the previous
hunk, else the diff is refused (where hunks go, and how: ``hunks``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path

from ..edits import BOM
from ..errors import VerifyError
from .hunks import FilePatch, Hunk, apply_file_patch
from .workspace import (
    names_request_file,
    normalise_relative,
    resolve_edit_path,
    within_workspace,
)

_HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
_NO_EOL = "\\ No newline at end of file"
_DEV_NULL = "/dev/null"


# --------------------------------------------------------------------------- parsing


def _header_path(raw: str) -> str | None:
    text = raw.split("\t", 1)[0].rstrip("\r")
    if text.startswith('"') and text.endswith('"') and len(text) >= 2:
        try:
            text = text[1:-1].encode("latin-1", "backslashreplace").decode("unicode_escape")
            text = text.encode("latin-1").decode("utf-8")
        except (UnicodeError, ValueError):
            raise VerifyError(f"malformed diff: cannot read the quoted path {raw!r}") from None
    text = text.strip()
    if text == _DEV_NULL:
        return None
    return text


def _strip_prefixes(old: str | None, new: str | None) -> tuple[str | None, str | None]:
    def strip(p: str | None, prefix: str) -> str | None:
        return p[len(prefix) :] if p is not None and p.startswith(prefix) else p

    olds = old is None or old.startswith("a/")
    news = new is None or new.startswith("b/")
    if olds and news:
        return strip(old, "a/"), strip(new, "b/")
    return old, new


def _is_hunk_line(line: str) -> bool:
    return line == "" or line[0] in " +-\\"


def _is_file_header(lines: list[str], i: int) -> bool:
    return lines[i].startswith("--- ") and i + 1 < len(lines) and lines[i + 1].startswith("+++ ")


def _read_hunk(lines: list[str], i: int, old_n: int, new_n: int) -> tuple[list[str], int]:
    """The body lines of the hunk whose header is at ``i - 1``; returns (body, next i)."""
    # Strict reading by the header's counts ...
    body: list[str] = []
    j, o, n = i, 0, 0
    strict_ok = True
    while o < old_n or n < new_n:
        if j >= len(lines) or not _is_hunk_line(lines[j]) or lines[j].startswith("\\"):
            if j < len(lines) and lines[j].startswith("\\") and body:
                body.append(lines[j])
                j += 1
                continue
            strict_ok = False
            break
        line = lines[j] or " "
        if line[0] == " ":
            o, n = o + 1, n + 1
        elif line[0] == "-":
            o += 1
        else:
            n += 1
        body.append(line)
        j += 1
    if strict_ok and o == old_n and n == new_n:
        while j < len(lines) and lines[j].startswith("\\"):
            body.append(lines[j])
            j += 1
        following = lines[j] if j < len(lines) else None
        # counts that are too small leave hunk lines behind: read leniently instead
        if (
            following is None
            or following == ""
            or not _is_hunk_line(following)
            or _is_file_header(lines, j)
            or following.startswith(("--- ", "+++ "))
        ):
            return body, j
    # ... else leniently
    return _read_to_next_header(lines, i)


def _read_to_next_header(lines: list[str], i: int) -> tuple[list[str], int]:
    """A hunk's body read without counts: everything up to the next header (or the first
    line that is no hunk line), trailing blank lines dropped; returns (body, next i)."""
    body: list[str] = []
    j = i
    while j < len(lines):
        line = lines[j]
        if line.startswith(("@@", "diff --git ")) or _is_file_header(lines, j):
            break
        if not _is_hunk_line(line):
            break
        body.append(line or " ")
        j += 1
    while body and body[-1] == " " and (j >= len(lines) or lines[j - 1] == ""):
        body.pop()
        j -= 1
    return body, j


def _make_hunk(old_start: int | None, new_start: int | None, body: list[str]) -> Hunk:
    lines: list[str] = []
    old_no_eol = new_no_eol = False
    for line in body:
        if line.startswith("\\"):
            if not lines:
                raise VerifyError("malformed diff: a '\\' marker before any hunk line")
            last = lines[-1][0]
            if last in " -":
                old_no_eol = True
            if last in " +":
                new_no_eol = True
            continue
        lines.append(line)
    if not lines:
        raise VerifyError("malformed diff: an empty hunk")
    return Hunk(old_start, new_start, tuple(lines), old_no_eol, new_no_eol)


def _check_no_orphans(lines: list[str], i: int, path: str) -> None:
    """``VerifyError`` when a removed or added line follows the end of a file's hunks
    (``lines[i]``, a line that is no hunk line) before the next file: a context line
    that lost its leading space cut a hunk short, and applying what came before it
    alone would remove lines without adding their replacement."""
    for j in range(i, len(lines)):
        line = lines[j]
        if line.startswith("diff --git ") or _is_file_header(lines, j):
            return
        if line.startswith(("+", "-")) and not line.startswith(("+++ ", "--- ")):
            raise VerifyError(
                f"malformed diff: line {i + 1} of the diff, in {path}'s hunks, "
                f"is not a diff line (no leading ' ', '-' or '+'), and diff lines follow it "
                f"(line {j + 1})"
            )


def parse_unified_diff(text: str) -> list[FilePatch]:
    """The file patches in ``text``; ``VerifyError`` when it is not a usable diff."""
    if not isinstance(text, str) or not text.strip():
        raise VerifyError("malformed diff: it is empty")
    lines = text.split("\n")
    if all(ln.endswith("\r") for ln in lines if ln):
        lines = [ln.removesuffix("\r") for ln in lines]
    patches: list[FilePatch] = []
    i = 0
    git_delete = git_rename = False
    while i < len(lines):
        line = lines[i]
        if line.startswith("diff --git "):
            git_delete = git_rename = False
        elif line.startswith("deleted file mode"):
            git_delete = True
        elif line.startswith(("rename from", "rename to", "copy from", "copy to")):
            git_rename = True
        elif line.startswith(("Binary files ", "GIT binary patch")):
            raise VerifyError("the diff holds a binary patch; only text diffs are supported")
        if not _is_file_header(lines, i):
            if line.startswith("@@") and not patches:
                raise VerifyError("malformed diff: a hunk without '---'/'+++' file headers")
            if line.startswith("@@"):
                raise VerifyError(f"malformed diff: unexpected hunk header at line {i + 1}")
            i += 1
            continue
        old, new = _strip_prefixes(_header_path(line[4:]), _header_path(lines[i + 1][4:]))
        if git_rename or (
            old is not None
            and new is not None
            and normalise_relative(old) != normalise_relative(new)
        ):
            raise VerifyError(f"the diff renames {old} to {new}; renames are not supported")
        if new is None or git_delete:
            raise VerifyError(f"the diff deletes {old}; deleting files is not supported")
        i += 2
        hunks: list[Hunk] = []
        while True:
            k = i
            while k < len(lines) and lines[k] == "" and hunks:
                k += 1  # blank lines between hunks
            if k >= len(lines) or not lines[k].startswith("@@"):
                break
            i = k
            m = _HUNK.match(lines[i])
            if not m:  # "@@", "@@ ... @@", "@@ def f(): @@": placed by its context alone
                body, i = _read_to_next_header(lines, i + 1)
                hunks.append(_make_hunk(None, None, body))
                continue
            old_n = 1 if m.group(2) is None else int(m.group(2))
            new_n = 1 if m.group(4) is None else int(m.group(4))
            body, i = _read_hunk(lines, i + 1, old_n, new_n)
            hunks.append(_make_hunk(int(m.group(1)), int(m.group(3)), body))
        if not hunks:
            raise VerifyError(f"malformed diff: no hunk for {new}")
        _check_no_orphans(lines, i, new)
        patches.append(FilePatch(old, new, tuple(hunks)))
        git_delete = git_rename = False
    if not patches:
        raise VerifyError("malformed diff: no '---'/'+++' file headers found")
    return patches


# --------------------------------------------------------------------------- applying


def apply_diff_texts(
    root: str | os.PathLike[str],
    diff: str,
    overrides: Mapping[str, str] | None = None,
    read: dict[str, str | None] | None = None,
    own: str | None = None,
) -> dict[str, str]:
    """New full contents per workspace-relative path for ``diff`` applied to the files
    under ``root``.  ``overrides`` maps absolute paths to texts to use instead of the
    file on disk (e.g. an unsaved editor buffer).  ``read``, when given, is filled with
    the text each path was patched from (None: it did not exist).  ``own``: the request's
    file; a change to a file that does not exist whose path is a tail of it (``calc.py``
    for ``pkg/calc.py``, as models shorten it; see ``names_request_file``) is a change to it,
    and one led by the end of the workspace's own path is a change to the file the rest
    names (``within_workspace``).  Writes nothing."""
    root_real = Path(os.path.realpath(root))
    by_real = {os.path.realpath(k): v for k, v in (overrides or {}).items()}
    out: dict[str, str] = {}
    for patch in parse_unified_diff(diff):
        rel = normalise_relative(patch.path)
        if (
            own is not None
            and patch.old_path is not None
            and names_request_file(rel, own, root_real)
        ):
            rel = own
        elif patch.old_path is not None:  # (a monorepo's path to a file of the workspace)
            rel = within_workspace(rel, root_real) or rel
        target = resolve_edit_path(root_real, rel)
        if rel in out:
            current: str | None = out[rel]
        elif str(target) in by_real:
            current = by_real[str(target)]
        elif target.exists():
            try:
                current = target.read_bytes().decode("utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise VerifyError(f"{rel}: cannot read it as UTF-8 text ({exc})") from exc
        else:
            current = None
        if patch.old_path is None and current is not None and current.strip():
            raise VerifyError(f"the diff creates {rel}, which already exists")
        if patch.old_path is not None and current is None:
            raise VerifyError(f"the diff changes {rel}, which does not exist")
        if read is not None and rel not in out:
            read[rel] = current
        if current is not None and current.startswith(BOM):  # kept, never matched as code
            out[rel] = BOM + apply_file_patch(current[len(BOM) :], patch)
        else:
            out[rel] = apply_file_patch(current, patch)
    return out
