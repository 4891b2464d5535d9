"""Reply -> new file texts: the edit formats a model may answer in (the guard that no
edit drops code is in ``definitions``).

Formats (see README, "What the model sees"):

- SEARCH/REPLACE blocks in aider's layout (the default for file-level requests): the
  file's path on its own line, a fence, ``<<<<<<< SEARCH``, the exact existing lines,
  ``=======``, the new lines, ``>>>>>>> REPLACE``, the closing fence.  Several blocks
  and several files per reply.  A SEARCH text is matched exactly, then ignoring
  trailing whitespace, then ignoring indentation (the replacement is re-indented);
  one that matches nowhere, or in more than one place, makes the reply unusable.
- a unified diff (a ```diff block, or a diff by its form in any block or unfenced, see
  ``prompts.fences``; several are applied in order, each to what the earlier ones made;
  a hunk without line numbers goes where its lines match exactly one place, see
  ``verifier.hunks``);
- one fenced block: it replaces the selection, or, with no selection, the whole file
  (only accepted when the file was sent whole).  Of several, the one that is plainly
  the edit (``prompts.parse``), else the reply is unusable.

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


# --------------------------------------------------------------------------- a path comment

#: a line that is only a comment naming a file: ``# calc.py``, ``// src/a.js``,
#: ``# File: calc.py``, ``/* a.c */``, ``<!-- page.html -->``
_PATH_COMMENT = re.compile(
    r"^\s*(?:#+|//+|--|;+|/\*+|<!--)\s*(?:(?:file(?:name)?|path)\s*:\s*)?"
    r"(?P<path>[\w./\\-]+?)\s*(?:\*+/|-->)?\s*$",
    re.IGNORECASE,
)


def without_path_comment(code: str, rel: str, original: str) -> str:
    """``code`` without a first line that only names the file it is for (``# calc.py``,
    ``// src/calc.js``, ``# File: calc.py``): models often head a fenced block with one,
    and written into the file it would be a stray comment the request never asked for.
    Kept when the text it replaces starts with that same line, when it names another
    file, or when it is all the block holds (an empty block deletes the selection)."""
    first, sep, rest = code.partition("\n")
    match = _PATH_COMMENT.match(first.rstrip("\r"))
    if not match or not sep or not rest.strip():
        return code
    named = match["path"].replace("\\", "/").removeprefix("./")
    rel = rel.replace("\\", "/")
    if not (named == rel or rel.endswith("/" + named)):
        return code
    if original.lstrip("\ufeff").lstrip().split("\n", 1)[0].strip() == first.strip():
        return code
    return rest


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


def find_lines(have: list[str], want: list[str], start: int = 0) -> list[int]:
    """Every index from ``start`` where the lines ``want`` (not empty) stand in ``have``,
    in order (the scan for their first line runs in C: a file of 20,000 lines is no
    slower to search than a short one by much)."""
    n, out, at = len(want), [], start
    stop = len(have) - n + 1
    while at < stop:
        try:
            at = have.index(want[0], at, stop)
        except ValueError:
            break
        if have[at : at + n] == want:
            out.append(at)
        at += 1
    return out


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


#: how a SEARCH text may match the file's lines: exactly, ignoring trailing whitespace,
#: ignoring indentation too (the replacement is then re-indented)
_RULES = (lambda line: line, str.rstrip, str.strip)


def apply_search_replace(text: str, block: SearchReplace, where: str) -> str:
    """``text`` with the block applied once.  ``where`` names the file and block in errors
    (the messages never quote the reply's code: they reach the next model's prompt).
    A byte-order mark is no part of the first line's code: it is kept, never matched."""
    edited = SearchReplaceText(text)
    edited.apply(block, where)
    return edited.text()


class SearchReplaceText:
    """A file's text as its SEARCH/REPLACE blocks change it, one block after the other:
    the same as ``apply_search_replace`` applied block by block, but the file is split
    into lines once, not once per block (a reply of 500 blocks on a file of 20,000
    lines took seconds that way)."""

    def __init__(self, text: str) -> None:
        self.bom = BOM if text.startswith(BOM) else ""
        self.have = document_lines(text[len(self.bom) :], keepends=True)
        self.bare = [h.rstrip("\r\n") for h in self.have]
        #: the lines as each rule compares them (made when a rule is first needed)
        self._views: dict[int, list[str]] = {0: self.bare}
        # the counts ``line_end`` reads (only line ends hold line breaks)
        self._lf = sum(h.endswith("\n") for h in self.have)
        self._crlf = sum(h.endswith("\r\n") for h in self.have)

    def text(self) -> str:
        return self.bom + "".join(self.have)

    def _newline(self) -> str:
        return "\r\n" if self._crlf * 2 > self._lf else "\n"

    def _view(self, level: int) -> list[str]:
        if level not in self._views:
            self._views[level] = [_RULES[level](b) for b in self.bare]
        return self._views[level]

    def _splice(self, at: int, end: int, lines: list[str]) -> None:
        """Lines ``at:end`` become ``lines`` (each with its line end)."""
        gone = self.have[at:end]
        self._lf += sum(h.endswith("\n") for h in lines) - sum(h.endswith("\n") for h in gone)
        self._crlf += sum(h.endswith("\r\n") for h in lines) - sum(h.endswith("\r\n") for h in gone)
        bare = [h.rstrip("\r\n") for h in lines]
        self.have[at:end] = lines
        for level, view in self._views.items():
            view[at:end] = bare if level == 0 else [_RULES[level](b) for b in bare]

    def apply(self, block: SearchReplace, where: str) -> None:
        """Apply one block (``ParseError`` when it matches nowhere or more than once)."""
        search, replace = list(block.search), list(block.replace)
        newline = self._newline()
        n = len(self.have)
        if not any(s.strip() for s in search):  # empty SEARCH: a new file, or add at the end
            if not replace:
                raise ParseError(f"{where}: both SEARCH and REPLACE are empty")
            added = [line + newline for line in replace]
            if n and not self.have[-1].endswith(("\n", "\r")):
                self._splice(n - 1, n, [self.have[-1] + newline])
            self._splice(n, n, added)
            return
        bare = self.bare
        trimmed = list(search)
        while trimmed and not trimmed[0].strip():
            trimmed.pop(0)
        while trimmed and not trimmed[-1].strip():
            trimmed.pop()
        for want in (search, trimmed) if trimmed != search else (search,):
            for level, rule in enumerate(_RULES):
                found = find_lines(self._view(level), [rule(w) for w in want])
                if len(found) > 1:
                    raise ParseError(
                        f"{where}: the SEARCH text matches {len(found)} places; it must match exactly one"
                    )
                if len(found) == 1:
                    at = found[0]
                    new = replace
                    if level == 2:
                        first = next(k for k, w in enumerate(want) if w.strip())
                        # spaces for a tab-indented file's lines: the same unit for both
                        both = tabs_like_file([*want, *replace], bare[at : at + len(want)])
                        new = _reindent(both[len(want) :], both[first], bare[at + first])
                    end = at + len(want)
                    tail_nl = self.have[end - 1][len(bare[end - 1]) :] if end > 0 else newline
                    body = [line + newline for line in new]
                    if new and not tail_nl:  # the replaced part ended the file without a newline
                        body[-1] = new[-1]
                    self._splice(at, end, body)
                    return
        raise ParseError(
            f"{where}: the SEARCH text does not match the file (even ignoring whitespace)"
        )


# --------------------------------------------------------------------------- a selection's reply


def _leading(line: str) -> str:
    return line[: len(line) - len(line.lstrip(" \t"))]


def tabs_like_file(code: list[str], file_lines: list[str]) -> list[str]:
    """``code`` indented with spaces where ``file_lines`` are indented with tabs only:
    each indent unit becomes a tab (the unit is read from the first indented lines of
    both; 4 when the code's first line is not indented), so Python never meets a block
    that mixes them."""
    file_ind = [_leading(s) for s in file_lines if s.strip()]
    code_ind = [_leading(s) for s in code if s.strip()]
    if not any(file_ind) or any(" " in i for i in file_ind) or any("\t" in i for i in code_ind):
        return code
    if not any(code_ind):
        return code
    tabs, spaces = len(file_ind[0]), len(code_ind[0])
    unit = spaces // tabs if tabs and spaces and spaces % tabs == 0 else 4
    if not spaces:
        unit = min(len(i) for i in code_ind if i)
    out = []
    for line in code:
        n = len(_leading(line))
        out.append("\t" * (n // unit) + " " * (n % unit) + line[n:] if line.strip() else line)
    return out


def fit_to_selection(text: str, a: int, b: int, code: str) -> str:
    """The reply's ``code`` for the selection ``text[a:b]`` as the model meant it, when it
    plainly answered with more or less than the selection (see README, "What the model
    sees"): for a selection inside one line, the reply's copy of the rest of that line
    goes; for a selection from a line's first non-blank character, the indentation the
    reply repeats on its first line goes; for whole lines, spaces become tabs in a tab-indented file, a repeat of the
    block header just above the selection goes, and code dedented as a whole is indented
    back to the selection's indentation where it could not stand dedented (right
    after a block's header, or with the block going on after it).  Any other reply is taken as it is."""
    start = max(text.rfind("\n", 0, a), text.rfind("\r", 0, a)) + 1
    if start == 0 and text.startswith(BOM):
        start = len(BOM)  # the first line's code starts after the byte-order mark
    lines = document_lines(code)
    if start < a:
        lead = text[start:a]
        if lead.strip():
            return _without_line_context(text, start, a, b, code, lines)
        if lines and lines[0].startswith(lead) and lines[0].strip():
            # selected from the first non-blank character, answered with the indentation
            return code[len(lead) :]
        return code
    selected = [s for s in document_lines(text[a:b]) if s.strip()]
    if not selected or not any(s.strip() for s in lines):
        return code
    lines = tabs_like_file(lines, selected)
    above = [s for s in document_lines(text[:start]) if s.strip()]
    first = next(i for i, s in enumerate(lines) if s.strip())
    want = min((_leading(s) for s in selected), key=len)
    header = above[-1] if above else ""
    if (
        header.rstrip().endswith((":", "{"))
        and lines[first].strip() == header.strip()
        and len(_leading(lines[first])) < len(_leading(selected[0]))
        and any(s.strip() for s in lines[first + 1 :])
    ):
        indent = _leading(lines[first])
        lines = lines[first + 1 :]  # the model repeated the def/class/if line above
        last = max(i for i, s in enumerate(lines) if s.strip())
        closes = ("}", "};", "});")
        if (
            header.rstrip().endswith("{")
            and lines[last].strip() in closes
            and _leading(lines[last]) == indent
            and selected[-1].strip() not in closes
        ):
            lines = lines[:last]  # ... and the brace closing it, which is not selected
    have = min((_leading(s) for s in lines if s.strip()), key=len)
    if len(have) < len(want) and want.startswith(have) and _inside_block(text, b, header, want):
        extra = want[len(have) :]
        lines = [extra + s if s.strip() else s for s in lines]
    return "\n".join(lines) + ("\n" if code.endswith("\n") else "")


def _inside_block(text: str, b: int, header: str, want: str) -> bool:
    """Whether code at the selection must keep its indentation ``want``: the line above
    opens the block (a header), or the line after the selection is as indented.  Else
    (the end of a block) a dedented reply may mean to move the code out of it."""
    if header.rstrip().endswith((":", "{")) and len(_leading(header)) < len(want):
        return True
    below = next((s for s in document_lines(text[b:]) if s.strip()), None)
    return below is not None and len(_leading(below)) >= len(want)


def _without_line_context(
    text: str, start: int, a: int, b: int, code: str, lines: list[str]
) -> str:
    """A selection inside one line answered with the whole line: the part that replaces
    the selection (only when the reply holds the line's text before and after it)."""
    if len(lines) != 1 or any(c in text[a:b] for c in "\r\n"):
        return code
    rest = document_lines(text[b:])[0] if b < len(text) else ""
    before, after = text[start:a].lstrip(), rest.rstrip()
    line = lines[0].strip()
    if not before.strip() or not line.startswith(before) or not line.endswith(after):
        return code
    inner = line[len(before) : len(line) - len(after)]
    return inner if inner.strip() else code
