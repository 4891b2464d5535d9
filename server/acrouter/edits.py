"""Reply -> new file texts: the edit formats a model may answer in (the guard that no
edit drops code is in ``definitions``).

Formats (see README, "What the model sees"):

- SEARCH/REPLACE blocks in aider's layout (the default for file-level requests): the
  file's path on its own line, a fence, ``<<<<<<< SEARCH``, the exact existing lines,
  ``=======``, the new lines, ``>>>>>>> REPLACE``, the closing fence.  Several blocks
  and several files per reply.  A SEARCH text is matched exactly, then ignoring
  trailing whitespace, then ignoring indentation (the replacement is re-indented);
  one that matches nowhere, or in more than one place, makes the reply unusable.
- a unified diff (a ```diff block; several are applied in order, each to what the
  earlier ones made);
- one fenced block: it replaces the selection, or, with no selection, the whole file
  (only accepted when the file was sent whole).

SEARCH/REPLACE blocks are read line by line between their markers: fence lines inside
them are code, whatever fences wrap them.  Fenced blocks are found by ``prompts.fences``.

Line ends: every line an edit writes into an existing file ends the way most of that
file's lines do (``line_end``: CRLF files stay CRLF, whatever the model wrote); lines
the edit does not touch keep their own.

"""

from __future__ import annotations

import re

import attrs

from .domain import document_lines
from .errors import ParseError

# --------------------------------------------------------------------------- line ends


def line_end(text: str) -> str:
    """The line end most of ``text``'s lines use: CRLF or LF (LF for a text with no line
    end, or with as many of each)."""
    return "\r\n" if text.count("\r\n") * 2 > text.count("\n") else "\n"


def with_line_ends(code: str, newline: str) -> str:
    """``code`` with each of its line ends (CRLF or LF) made ``newline``."""
    lf = code.replace("\r\n", "\n")
    return lf if newline == "\n" else lf.replace("\n", newline)


# --------------------------------------------------------------------------- SEARCH/REPLACE

_SEARCH = re.compile(r"^\s*<{5,9}\s*SEARCH\s*$")
_DIVIDER = re.compile(r"^\s*={5,9}\s*$")
_REPLACE = re.compile(r"^\s*>{5,9}\s*REPLACE\s*$")
_FENCE_LINE = re.compile(r"^\s*(```|~~~)")


@attrs.frozen
class SearchReplace:
    path: str | None  # as the model wrote it; None = not given (the request's file)
    search: tuple[str, ...]  # lines, without line ends
    replace: tuple[str, ...]


def has_search_replace(reply: str) -> bool:
    return any(_SEARCH.match(line) for line in document_lines(reply))


def _path_before(lines: list[str], i: int) -> str | None:
    """The file name a block names: the nearest non-blank, non-fence line above it."""
    for j in range(i - 1, max(-1, i - 4), -1):
        line = lines[j].strip()
        if not line or _FENCE_LINE.match(line):
            continue
        if _REPLACE.match(line) or _DIVIDER.match(line):
            return None
        cand = line.strip("`*#: ").strip()
        if cand.lower().startswith(("file:", "path:")):
            cand = cand.split(":", 1)[1].strip().strip("`*")
        if cand and " " not in cand and ("." in cand or "/" in cand):
            return cand
        return None
    return None


def parse_search_replace(reply: str) -> list[SearchReplace]:
    lines = document_lines(reply)
    blocks: list[SearchReplace] = []
    last_path: str | None = None
    i = 0
    while i < len(lines):
        if not _SEARCH.match(lines[i]):
            i += 1
            continue
        path = _path_before(lines, i) or last_path
        j = i + 1
        search: list[str] = []
        while j < len(lines) and not _DIVIDER.match(lines[j]):
            if _SEARCH.match(lines[j]) or _REPLACE.match(lines[j]):
                raise ParseError(f"SEARCH/REPLACE block {len(blocks) + 1} has no '=======' line")
            search.append(lines[j])
            j += 1
        if j >= len(lines):
            raise ParseError(f"SEARCH/REPLACE block {len(blocks) + 1} has no '=======' line")
        j += 1
        replace: list[str] = []
        while j < len(lines) and not _REPLACE.match(lines[j]):
            if _SEARCH.match(lines[j]) or _DIVIDER.match(lines[j]):
                raise ParseError(
                    f"SEARCH/REPLACE block {len(blocks) + 1} is not closed by '>>>>>>> REPLACE'"
                )
            replace.append(lines[j])
            j += 1
        if j >= len(lines):
            raise ParseError(
                f"SEARCH/REPLACE block {len(blocks) + 1} is not closed by '>>>>>>> REPLACE'"
            )
        blocks.append(SearchReplace(path, tuple(search), tuple(replace)))
        last_path = path
        i = j + 1
    return blocks


def _indent(line: str) -> str:
    return line[: len(line) - len(line.lstrip())]


def _find(have: list[str], want: list[str], same) -> list[int]:
    n = len(want)
    return [
        i for i in range(len(have) - n + 1) if all(same(have[i + k], want[k]) for k in range(n))
    ]


def _reindent(replace: list[str], search_first: str, file_first: str) -> list[str]:
    s_ind, f_ind = _indent(search_first), _indent(file_first)
    if s_ind == f_ind:
        return replace
    if f_ind.startswith(s_ind):
        extra = f_ind[len(s_ind) :]
        return [extra + r if r.strip() else r for r in replace]
    if s_ind.startswith(f_ind):
        cut = s_ind[len(f_ind) :]
        return [r.removeprefix(cut) for r in replace]
    return replace


BOM = "\ufeff"  # a UTF-8 byte-order mark: read as text, it starts the first line


def apply_search_replace(text: str, block: SearchReplace, where: str) -> str:
    """``text`` with the block applied once.  ``where`` names the file and block in errors
    (the messages never quote the reply's code: they reach the next model's prompt).
    A byte-order mark is no part of the first line's code: it is kept, never matched."""
    if text.startswith(BOM):
        return BOM + apply_search_replace(text[len(BOM) :], block, where)
    search, replace = list(block.search), list(block.replace)
    newline = line_end(text)
    if not any(s.strip() for s in search):  # empty SEARCH: a new file, or add at the end
        if not replace:
            raise ParseError(f"{where}: both SEARCH and REPLACE are empty")
        added = newline.join(replace) + newline
        if not text:
            return added
        return text + ("" if text.endswith(("\n", "\r")) else newline) + added
    have = document_lines(text, keepends=True)
    bare = [h.rstrip("\r\n") for h in have]
    trimmed = list(search)
    while trimmed and not trimmed[0].strip():
        trimmed.pop(0)
    while trimmed and not trimmed[-1].strip():
        trimmed.pop()
    rules = (
        lambda a, b: a == b,
        lambda a, b: a.rstrip() == b.rstrip(),
        lambda a, b: a.strip() == b.strip(),
    )
    for want in (search, trimmed) if trimmed != search else (search,):
        for level, same in enumerate(rules):
            found = _find(bare, want, same)
            if len(found) > 1:
                raise ParseError(
                    f"{where}: the SEARCH text matches {len(found)} places; it must match exactly one"
                )
            if len(found) == 1:
                at = found[0]
                new = replace
                if level == 2:
                    first = next(k for k, w in enumerate(want) if w.strip())
                    new = _reindent(replace, want[first], bare[at + first])
                end = at + len(want)
                tail_nl = have[end - 1][len(bare[end - 1]) :] if end > 0 else newline
                body = "".join(line + newline for line in new)
                if new and not tail_nl:  # the replaced part ended the file without a newline
                    body = body[: -len(newline)]
                return "".join(have[:at]) + body + "".join(have[end:])
    raise ParseError(f"{where}: the SEARCH text does not match the file (even ignoring whitespace)")
