"""``verify_trust``'s edit that empties a function no test names, in every language of
its projects: the body of one function of the edited file deleted, its header and braces
kept (``function banner(name) {}``, ``func Log(m string) {}``, Ruby's ``def log(m)``
followed by its ``end``, Python's ``def f(x): pass``).  Where no test calls the function
every test still passes, so a pass is a false pass: the verifier must refuse the edit
(the body cut is a placeholder) or its tests must fail.

The functions are found here by each language's header on one line, read independently
of the server's own readers (a header over several lines is not a candidate): a
function that returns nothing where the language checks it (Go without results, Rust
without ``->``, C, C++ and Java ``void``), any function in JavaScript, TypeScript, PHP,
Perl, Ruby and Python.  The one emptied is the last whose name no test file contains and whose
body has a line of code.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from real_projects import Project
from trust_edits import Trial, tests_text

NAME = "empty a function no test names"

_JS_KEYWORDS = {"if", "for", "while", "switch", "catch", "with", "function", "return"}
#: per language: a one-line header whose ``{`` ends the line (group 1: the indent, 2: the
#: name); PHP's and C's ``{`` may be the next line's alone
_HEADERS = {
    "js": (
        r"^(\s*)(?:export\s+)?(?:async\s+)?function\s*\*?\s*([A-Za-z_$][\w$]*)\s*\([^()]*\)\s*\{$",
        r"^(\s*)(?:var|let|const)\s+([A-Za-z_$][\w$]*)\s*=\s*(?:async\s+)?function\b[^{}]*\{$",
        r"^(\s+)(?:static\s+|async\s+)*([A-Za-z_$][\w$]*)\s*\([^()]*\)\s*\{$",
    ),
    "go": (r"^()func\s+(?:\([^()]*\)\s*)?([A-Za-z_]\w*)\s*\([^()]*\)\s*\{$",),
    "rust": (
        (
            r"^(\s*)(?:pub(?:\([^()]*\))?\s+)?(?:const\s+)?(?:unsafe\s+)?fn\s+([A-Za-z_]\w*)"
            r"(?:<[^>]*>)?\s*\([^()]*\)\s*\{$"
        ),
    ),
    "c": (
        (
            r"^(\s*)(?:[A-Z_][A-Z0-9_]*\s+)?(?:static\s+)?(?:inline\s+)?(?:virtual\s+)?void\s+"
            r"(?:[A-Za-z_]\w*::)?([A-Za-z_]\w*)\s*\([^()]*\)\s*(?:const\s*)?\{?$"
        ),
    ),
    "java": (
        (
            r"^(\s*)(?:(?:public|protected|private|static|final|synchronized)\s+)*void\s+"
            r"([A-Za-z_]\w*)\s*\([^()]*\)\s*(?:throws\s+[\w.,\s]+)?\{?$"
        ),
    ),
    "perl": (r"^()sub\s+([A-Za-z_]\w*)\s*\{?$",),
    "php": (
        (
            r"^(\s*)(?:(?:public|protected|private|static|final)\s+)*function\s+([A-Za-z_]\w*)"
            r"\s*\([^()]*\)\s*(?::\s*\??[\w\\|]+\s*)?\{?$"
        ),
    ),
}
_LANGUAGES = {
    ".js": "js",
    ".mjs": "js",
    ".cjs": "js",
    ".ts": "js",
    ".go": "go",
    ".rs": "rust",
    ".c": "c",
    ".cc": "c",
    ".cpp": "c",
    ".h": "c",
    ".hpp": "c",
    ".java": "java",
    ".php": "php",
    ".rb": "ruby",
    ".pm": "perl",
    ".pl": "perl",
    ".py": "python",
}


def emptied_trials(project: Project, root: Path) -> list[Trial]:
    """The trial of ``project`` (set up in ``root``), or none where its edited file has no
    candidate."""
    rel = project.edit_file
    language = _LANGUAGES.get(Path(rel).suffix)
    if language is None:
        return []
    text = (root / rel).read_text(encoding="utf-8")
    found = emptied(text, tests_text(root, project), language)
    if found is None:
        return []
    new, name = found
    return [Trial(NAME, {rel: new}, note=f"{name} emptied")]


def emptied(text: str, tests: str, language: str) -> tuple[str, str] | None:
    """``text`` with the last function whose name ``tests`` never contains emptied, and
    its name; None where there is none."""
    if language == "python":
        return _python(text, tests)
    lines = text.split("\n")
    found = _ruby(lines) if language == "ruby" else _braced(lines, language)
    for name, open_line, end in reversed(found):
        if _named(name, tests) or not _has_code(lines[open_line + 1 : end]):
            continue
        return "\n".join(lines[: open_line + 1] + lines[end:]), name
    return None


def _braced(lines: list[str], language: str) -> list[tuple[str, int, int]]:
    """(name, the line of the body's ``{``, the line of its ``}``) of each function."""
    out = []
    for i, line in enumerate(lines):
        m = next((m for p in _HEADERS[language] if (m := re.match(p, line))), None)
        if m is None or m.group(2) in _JS_KEYWORDS:
            continue
        indent = m.group(1)
        opened = i
        if not line.endswith("{"):  # (the brace on the next line alone: PHP, C)
            if i + 1 >= len(lines) or lines[i + 1].strip() != "{":
                continue
            opened = i + 1
        end = next(
            (k for k in range(opened + 1, len(lines)) if re.fullmatch(rf"{indent}\}};?", lines[k])),
            None,
        )
        if end is not None:
            out.append((m.group(2), opened, end))
    return out


def _ruby(lines: list[str]) -> list[tuple[str, int, int]]:
    """(name, its ``def`` line, its ``end`` line) of each method with parameters on one
    line."""
    out = []
    for i, line in enumerate(lines):
        m = re.match(r"^(\s*)def\s+(?:self\.)?([A-Za-z_]\w*[!?=]?)\s*(?:\([^()]*\))?\s*$", line)
        if m is None:
            continue
        indent = m.group(1)
        end = next(
            (k for k in range(i + 1, len(lines)) if re.fullmatch(rf"{indent}end\s*", lines[k])),
            None,
        )
        if end is not None:
            out.append((m.group(2), i, end))
    return out


def _has_code(body: list[str]) -> bool:
    return any(
        line.strip() and not line.strip().startswith(("//", "#", "/*", "*")) for line in body
    )


def _named(name: str, tests: str) -> bool:
    return re.search(rf"(?<![\w$]){re.escape(name)}(?![\w$])", tests) is not None


def _python(text: str, tests: str) -> tuple[str, str] | None:
    """A top-level function's body (its docstring kept) made ``pass``."""
    lines = text.split("\n")
    for node in reversed(ast.parse(text).body):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) or _named(
            node.name, tests
        ):
            continue
        body = node.body
        doc = (
            body[0]
            if isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)
            else None
        )
        rest = body[1:] if doc else body
        if not rest or (len(rest) == 1 and isinstance(rest[0], ast.Pass)):
            continue
        first = rest[0]  # (its decorators first: a decorated nested function's ``@`` line)
        start = min([first.lineno, *(d.lineno for d in getattr(first, "decorator_list", []))]) - 1
        stop = rest[-1].end_lineno or rest[-1].lineno
        indent = re.match(r"\s*", lines[start]).group(0)  # type: ignore[union-attr]
        if start == node.lineno - 1:
            continue  # (a body on the header's line)
        return "\n".join(lines[:start] + [f"{indent}pass"] + lines[stop:]), node.name
    return None
