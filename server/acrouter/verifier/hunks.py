"""What a diff asks of one file (``FilePatch``: its ``Hunk``s) and how it is applied to
that file's text: where each hunk goes, and the new text, in which the lines a hunk
keeps keep their own line ends and the lines it adds end the way most of the file's do.

A numbered hunk goes where its context and removed lines match nearest its line number,
after the previous hunk (exactly, else ignoring trailing whitespace).  A hunk whose
header has no line numbers (``@@``, ``@@ ... @@``, ``@@ def f(): @@``) goes where they
match exactly one place after the previous hunk, else the diff is refused (``_place``:
never guessed).  ``unidiff`` reads a diff's text into these patches.
"""

from __future__ import annotations

import attrs

from ..edits import find_lines, line_end
from ..errors import VerifyError


@attrs.frozen
class Hunk:
    old_start: int | None  # None: the header has no line numbers (placed by its context)
    new_start: int | None
    lines: tuple[str, ...]  # each starts with ' ', '-', '+'
    old_no_eol: bool = False  # "\ No newline at end of file" after the last old-side line
    new_no_eol: bool = False

    @property
    def old(self) -> list[str]:
        return [ln[1:] for ln in self.lines if ln[0] in " -"]

    @property
    def new(self) -> list[str]:
        return [ln[1:] for ln in self.lines if ln[0] in " +"]


@attrs.frozen
class FilePatch:
    old_path: str | None  # None = the file is created
    new_path: str | None  # None = the file is deleted
    hunks: tuple[Hunk, ...]

    @property
    def path(self) -> str:
        return self.new_path or self.old_path or ""


# --------------------------------------------------------------------------- applying


@attrs.define
class _Text:
    """A file's lines without their line ends, and each line's own end (CRLF or LF), so
    lines a patch keeps keep theirs; lines it adds end with ``newline``, the one most of
    the file uses (``edits.line_end``)."""

    lines: list[str]
    ends: list[str]
    eol_at_end: bool
    newline: str

    @classmethod
    def parse(cls, text: str) -> _Text:
        newline = line_end(text)
        body = text.split("\n")
        eol_at_end = body[-1] == ""
        if eol_at_end:
            body.pop()
        lines, ends = [], []
        for line in body:
            crlf = line.endswith("\r")
            lines.append(line[:-1] if crlf else line)
            ends.append("\r\n" if crlf else "\n")
        if body and not eol_at_end:  # the last line has no end (yet): kept as it is
            lines[-1], ends[-1] = body[-1], newline
        return cls(lines, ends, eol_at_end and bool(body), newline)

    def render(self) -> str:
        if not self.lines:
            return ""
        out = "".join(line + end for line, end in zip(self.lines, self.ends))
        return out if self.eol_at_end else out.removesuffix(self.ends[-1])


def _matches(have: list[str], at: int, want: list[str], loose: bool) -> bool:
    if at < 0 or at + len(want) > len(have):
        return False
    for a, b in zip(have[at : at + len(want)], want):
        a, b = a.rstrip("\r"), b.rstrip("\r")
        if a != b and not (loose and a.rstrip() == b.rstrip()):
            return False
    return True


def _locate(have: list[str], want: list[str], expected: int, floor: int) -> int | None:
    for loose in (False, True):
        limit = max(len(have), expected) + 1
        for delta in range(limit + 1):
            for at in (expected - delta, expected + delta) if delta else (expected,):
                if at >= floor and _matches(have, at, want, loose):
                    return at
    return None


def _place(stripped: list[str], want: list[str], floor: int, where: str) -> int:
    """Where a hunk without line numbers goes: the one place from ``floor`` (the previous
    hunk's end) that its context and removed lines ``want`` match as a numbered hunk's
    may (exactly or but for trailing whitespace; either way counts).  None, or several,
    refuse the diff: never guessed.  ``stripped``: the file's lines without their trailing
    whitespace (a match of ``_matches(..., loose=True)`` is one of these); ``where``
    names the hunk."""
    if not want:  # a pure addition: only in an empty (or new) file is its place sure
        if any(line for line in stripped):
            raise VerifyError(f"{where} has no line numbers and no context or removed lines")
        return 0
    # (500 hunks on 20,000 lines: each found by a scan in C)
    found = find_lines(stripped, [line.rstrip() for line in want], floor)
    if len(found) != 1:
        lines = ", ".join(str(k + 1) for k in found[:5]) + (", ..." if len(found) > 5 else "")
        what = f"match {len(found)} places (lines {lines})" if found else "were not found"
        raise VerifyError(
            f"{where} does not apply: it has no line numbers and its context and removed "
            f"lines {what}{' after the previous hunk' if floor else ''}; they must match one"
        )
    return found[0]


def apply_file_patch(old_text: str | None, patch: FilePatch) -> str:
    """The new text of one file; ``VerifyError`` if a hunk does not apply."""
    doc = _Text.parse(old_text or "")
    offset = 0
    floor = 0
    stripped: list[str] | None = None  # the lines rstripped, once a hunk has no numbers
    for n, hunk in enumerate(patch.hunks, 1):
        old, new = hunk.old, hunk.new  # new: only its length is used below
        if hunk.old_start is None:
            if stripped is None:
                stripped = [line.rstrip() for line in doc.lines]
            at = _place(stripped, old, floor, f"hunk {n} of {patch.path}")
        elif not old:
            at = min(max(hunk.old_start + offset, floor), len(doc.lines))
        else:
            expected = max(hunk.old_start - 1, 0) + offset
            found = _locate(doc.lines, old, expected, floor)
            if found is None:
                raise VerifyError(
                    f"hunk {n} of {patch.path} does not apply: its context was not found "
                    f"near line {hunk.old_start}"
                )
            at = found
        touches_end = at + len(old) >= len(doc.lines)
        lines, ends, k = [], [], at
        for line in hunk.lines:  # context lines keep the file's own text and line ends
            if line[0] == " ":
                lines.append(doc.lines[k])
                ends.append(doc.ends[k])
                k += 1
            elif line[0] == "-":
                k += 1
            else:
                added = line[1:]
                lines.append(added.removesuffix("\r") if doc.newline == "\r\n" else added)
                ends.append(doc.newline)
        doc.lines[at : at + len(old)] = lines
        doc.ends[at : at + len(old)] = ends
        if stripped is not None:
            stripped[at : at + len(old)] = [line.rstrip() for line in lines]
        if touches_end:
            doc.eol_at_end = not hunk.new_no_eol
        offset += len(new) - len(old)
        floor = at + len(new)
    if not doc.lines:
        doc.eol_at_end = False
    return doc.render()
