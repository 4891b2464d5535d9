"""Reply -> new file texts: the edit formats a model may answer in, and the guard that
no edit drops code.

Formats (see README, "What the model sees"):

- SEARCH/REPLACE blocks in aider's layout (the default for file-level requests): the
  file's path on its own line, a fence, ``<<<<<<< SEARCH``, the exact existing lines,
  ``=======``, the new lines, ``>>>>>>> REPLACE``, the closing fence.  Several blocks
  and several files per reply.  A SEARCH text is matched exactly, then ignoring
  trailing whitespace, then ignoring indentation (the replacement is re-indented);
  one that matches nowhere, or in more than one place, makes the reply unusable.
- a unified diff (a ```diff block);
- one fenced block: it replaces the selection, or, with no selection, the whole file
  (only accepted when the file was sent whole).

``dropped_definitions`` is the guard every edit passes: top-level definitions and
imports that were in a file and are gone afterwards, unless the instruction asked to
remove them (Python through ``ast``; other languages by conservative line patterns).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

import attrs

from .errors import ParseError

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
    return any(_SEARCH.match(line) for line in reply.splitlines())


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
    lines = reply.splitlines()
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


def apply_search_replace(text: str, block: SearchReplace, where: str) -> str:
    """``text`` with the block applied once.  ``where`` names the file and block in errors
    (the messages never quote the reply's code: they reach the next model's prompt)."""
    search, replace = list(block.search), list(block.replace)
    newline = "\r\n" if "\r\n" in text else "\n"
    if not any(s.strip() for s in search):  # empty SEARCH: a new file, or add at the end
        if not replace:
            raise ParseError(f"{where}: both SEARCH and REPLACE are empty")
        added = newline.join(replace) + newline
        if not text:
            return added
        return text + ("" if text.endswith(("\n", "\r")) else newline) + added
    have = text.splitlines(keepends=True)
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


# --------------------------------------------------------------------------- definitions


@attrs.frozen
class Definition:
    name: str  # "add", "class Calc", "import os"
    line: int  # 0-based line of the definition
    header: str  # the definition's first line, for outlines


_PY_DEF = re.compile(r"^(?:async\s+def|def|class)\s+([A-Za-z_]\w*)")
_PY_IMPORT = re.compile(r"^(?:import\s+([\w., ]+)|from\s+([\w.]+)\s+import\b)")
_PY_ASSIGN = re.compile(r"^([A-Za-z_]\w*)\s*(?::[^=]*)?=(?!=)")

#: Top-level definitions in other languages, on lines that start at column 0.
_OTHER_DEFS = tuple(
    re.compile(p)
    for p in (
        r"^(?:export\s+)?(?:default\s+)?(?:async\s+)?function\s*\*?\s*([A-Za-z_$][\w$]*)",
        r"^(?:export\s+)?(?:default\s+)?(?:abstract\s+)?(?:class|interface|enum|type|namespace)\s+([A-Za-z_$][\w$]*)",
        r"^(?:export\s+)?(?:const|let|var)\s+([A-Za-z_$][\w$]*)",
        r"^(?:pub(?:\([^)]*\))?\s+)?(?:async\s+)?(?:unsafe\s+)?(?:fn|struct|enum|trait|mod|static|impl)\s+([A-Za-z_]\w*)",
        r"^func\s+(?:\([^)]*\)\s*)?([A-Za-z_]\w*)",
        r"^(?:def|module)\s+([\w.?!]+)",
        (
            r"^(?:public\s+|private\s+|protected\s+|internal\s+|final\s+|abstract\s+|static\s+|sealed\s+"
            r"|data\s+|open\s+)*(?:class|interface|enum|record|object|struct)\s+([A-Za-z_]\w*)"
        ),
        r"^(?:function\s+)?([A-Za-z_][\w-]*)\s*\(\)\s*\{",
    )
)
_OTHER_IMPORTS = tuple(
    re.compile(p)
    for p in (
        r"^\s*import\s.*?['\"]([^'\"]+)['\"]",  # JS/TS import ... from 'x' / import 'x'
        r"^(?:const|let|var)\s.*require\(\s*['\"]([^'\"]+)['\"]\s*\)",
        r"^import\s+(?:static\s+)?([\w.*]+)\s*;?\s*$",  # Java / Kotlin / Scala
        r"^using\s+([\w.]+)\s*;",  # C#
        r"^use\s+([^;]+);",  # Rust / PHP
        r"^#\s*include\s*[<\"]([^>\"]+)[>\"]",  # C / C++
        r"^require(?:_relative)?\s*\(?\s*['\"]([^'\"]+)['\"]",  # Ruby
    )
)


def _python_definitions(text: str) -> list[Definition] | None:
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return None
    lines = text.splitlines()
    out: list[Definition] = []

    def header(node: ast.AST) -> str:
        n = getattr(node, "lineno", 1) - 1
        return lines[n].strip() if 0 <= n < len(lines) else ""

    for node in tree.body:
        line = node.lineno - 1
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            out.append(Definition(node.name, line, header(node)))
        elif isinstance(node, ast.ClassDef):
            out.append(Definition(f"class {node.name}", line, header(node)))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                out.append(Definition(f"import {alias.asname or alias.name}", line, header(node)))
        elif isinstance(node, ast.ImportFrom):
            for alias in node.names:
                module = "." * node.level + (node.module or "")
                out.append(
                    Definition(
                        f"import {alias.asname or alias.name} from {module}", line, header(node)
                    )
                )
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for t in targets:
                for name in ast.walk(t):
                    if isinstance(name, ast.Name):
                        out.append(Definition(name.id, line, header(node)))
    return out


def _line_definitions(text: str, python: bool) -> list[Definition]:
    out: list[Definition] = []
    for i, line in enumerate(text.splitlines()):
        if not line or line[0].isspace():
            continue
        if python:
            if m := _PY_DEF.match(line):
                kind = "class " if line.startswith("class") else ""
                out.append(Definition(kind + m.group(1), i, line.strip()))
            elif m := _PY_IMPORT.match(line):
                out.append(Definition(f"import line {line.strip()}", i, line.strip()))
            elif m := _PY_ASSIGN.match(line):
                out.append(Definition(m.group(1), i, line.strip()))
            continue
        for pattern in _OTHER_IMPORTS:
            if m := pattern.match(line):
                out.append(Definition(f"import {m.group(1).strip()}", i, line.strip()))
                break
        else:
            for pattern in _OTHER_DEFS:
                if m := pattern.match(line):
                    out.append(Definition(m.group(1), i, line.strip()))
                    break
    return out


def is_python(path: str, language: str | None = None) -> bool:
    return (language or "").lower() == "python" or Path(path).suffix.lower() in (".py", ".pyi")


def definitions(text: str, path: str, language: str | None = None) -> list[Definition]:
    """Top-level definitions and imports of a file, in order."""
    if is_python(path, language):
        found = _python_definitions(text)
        if found is not None:
            return found
        return _line_definitions(text, python=True)
    return _line_definitions(text, python=False)


_REMOVAL = re.compile(
    r"\b(remove|removes|removing|delete|deletes|deleting|drop|dropping|rename|renames|renaming|"
    r"replace|inline|merge|combine|consolidate|move|moving|get rid|eliminate|strip|unused|"
    r"dedupe|deduplicate)\b",
    re.IGNORECASE,
)


def _bare(name: str) -> str:
    """The identifier a user would write for a definition name."""
    if name.startswith("import "):
        word = name.split()[1]
        return word.split(".")[-1]
    return name.split()[-1]


def dropped_definitions(
    old: str,
    new: str,
    path: str,
    *,
    language: str | None = None,
    instruction: str = "",
    exempt_lines: tuple[int, int] | None = None,
    defined_elsewhere: Iterable[str] = (),
) -> list[str]:
    """Definitions and imports of ``old`` that ``new`` lacks and that the user did not ask
    to remove.  ``exempt_lines`` (0-based, inclusive) is the selection: what is defined
    there may go.  ``defined_elsewhere``: names the same edit defines in other files (a
    move).  A name counts as asked for when the instruction names it next to a word like
    remove/rename/merge, and imports when it speaks of removing imports."""
    before = definitions(old, path, language)
    if not before:
        return []
    after_python = is_python(path, language) and _python_definitions(new) is not None
    old_python = is_python(path, language) and _python_definitions(old) is not None
    if after_python != old_python:  # compare like with like when one side does not parse
        before = _line_definitions(old, python=is_python(path, language))
        after = _line_definitions(new, python=is_python(path, language))
    else:
        after = definitions(new, path, language)
    have = {d.name for d in after}
    elsewhere = set(defined_elsewhere)
    removal = bool(_REMOVAL.search(instruction))
    imports_ok = removal and re.search(r"\bimports?\b", instruction, re.IGNORECASE) is not None
    words = set(re.findall(r"[A-Za-z_$][\w$]*", instruction))
    lost: list[str] = []
    for d in before:
        if d.name in have or d.name in lost:
            continue
        if exempt_lines is not None and exempt_lines[0] <= d.line <= exempt_lines[1]:
            continue
        bare = _bare(d.name)
        if bare in elsewhere:
            continue
        if d.name.startswith("import ") and imports_ok:
            continue
        if removal and bare in words:
            continue
        lost.append(d.name)
    return lost


def guard(
    olds: Mapping[str, str],
    news: Mapping[str, str],
    *,
    language_of,
    instruction: str,
    exempt: Mapping[str, tuple[int, int]] | None = None,
) -> None:
    """Raise ``ParseError`` when any changed file drops code nobody asked to remove."""
    for rel, new in news.items():
        old = olds.get(rel)
        if not old:
            continue
        others = {
            _bare(d.name)
            for r, t in news.items()
            if r != rel
            for d in definitions(t, r, language_of(r))
        }
        lost = dropped_definitions(
            old,
            new,
            rel,
            language=language_of(rel),
            instruction=instruction,
            exempt_lines=(exempt or {}).get(rel),
            defined_elsewhere=others,
        )
        if lost:
            shown = ", ".join(lost[:5]) + (f" and {len(lost) - 5} more" if len(lost) > 5 else "")
            raise ParseError(
                f"the edit would delete {len(lost)} top-level definition(s) or import(s) of {rel} "
                f"that the instruction did not ask to remove: {shown}"
            )
