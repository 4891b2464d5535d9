"""The file as the model sees it: its path in the workspace, and, for a file too large
to send whole, an outline of its top-level definitions plus the lines worth showing
(the region around the selection, or the definitions the instruction, the failing tests
and the earlier attempts' feedback name: a top-level one, or, in Python, one under an
``if``/``try``/``with`` (a version's fallback) or a method of a class too large to show
whole).
"""

from __future__ import annotations

import ast
import itertools
import re
from pathlib import Path

from acrouter.definitions import definitions, is_python
from acrouter.domain import PromptContext, Task, document_lines
from acrouter.edits import BOM
from acrouter.pytrees import parse


def rel_path(task: Task) -> str:
    """The path of the task's file relative to the workspace (else its name)."""
    assert task.document is not None
    if task.workspace:
        try:
            return str(
                Path(task.document.path).resolve().relative_to(Path(task.workspace).resolve())
            )
        except ValueError:
            pass
    return Path(task.document.path).name


def cut(text: str, limit: int) -> str:
    """``text`` if it fits ``limit`` characters, else its beginning marked as cut."""
    return text if len(text) <= limit else text[: max(0, limit - 20)].rstrip() + " [... cut ...]"


def outline(text: str, path: str, language: str | None, limit: int) -> str:
    """Top-level definitions with 1-based line numbers, at most ``limit`` characters."""
    rows: list[str] = []
    used = 0
    # one row per line: ``from a import b, c`` defines two names on one line
    defs = list({d.line: d for d in definitions(text, path, language)}.values())
    for d in defs:
        row = f"{d.line + 1:>6}: {cut(d.header, 160)}"
        if used + len(row) > limit:
            rows.append(f"   ... and {len(defs) - len(rows)} more")
            break
        rows.append(row)
        used += len(row) + 1
    return "\n".join(rows)


def _chunks(text: str, path: str, language: str | None) -> list[tuple[int, int, str]]:
    """(first line, end line exclusive, name) of each top-level definition's lines."""
    n = len(document_lines(text))
    starts = sorted({d.line: d.name for d in definitions(text, path, language)}.items())
    out = []
    for i, (line, name) in enumerate(starts):
        end = starts[i + 1][0] if i + 1 < len(starts) else n
        out.append((line, end, name))
    if starts and starts[0][0] > 0:
        out.insert(0, (0, starts[0][0], ""))
    return out


def _inner_definitions(text: str, path: str, language: str | None) -> list[tuple[int, int, str]]:
    """(first line, end line exclusive, name) of the Python functions and classes that are
    not top-level statements yet not local to a function either: those under an
    ``if``/``try``/``with``/loop at the top level, and the methods and nested classes of
    classes (from the first decorator).  Empty for other languages or a file that does
    not parse."""
    if not is_python(path, language):
        return []
    try:
        tree = parse(text.removeprefix(BOM))
    except (SyntaxError, ValueError, RecursionError):  # (nested too deeply)
        return []
    out: list[tuple[int, int, str]] = []

    def visit(node: ast.AST, top: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                if not top:
                    first = min([d.lineno for d in child.decorator_list] + [child.lineno])
                    out.append((first - 1, child.end_lineno or child.lineno, child.name))
                if isinstance(child, ast.ClassDef):
                    visit(child, False)
            elif not isinstance(child, ast.expr):  # if/try/with/for bodies, except clauses
                visit(child, False)

    visit(tree, True)
    return out


def wanted_lines(task: Task, context: PromptContext, limit: int) -> list[tuple[int, int]]:
    """Line ranges (0-based, end exclusive) of a large file worth showing, within ``limit``."""
    doc = task.document
    assert doc is not None
    lines = document_lines(doc.text, keepends=True)
    # characters before each line: a range's cost in constant time (the region grows
    # line by line around a selection: summing it each time was quadratic)
    before = list(itertools.accumulate((len(x) for x in lines), initial=0))

    def cost(a: int, b: int) -> int:  # (as sum(sizes[a:b]) + 40 was: clamped to the file)
        n = len(lines)
        return max(0, before[min(b, n)] - before[min(a, n)]) + 40

    if doc.range is not None:  # the selection, then grow around it
        a, b = doc.range.start.line, min(len(lines), doc.range.end.line + 1)
        while True:
            grown = False
            if a > 0 and cost(a - 1, b) <= limit:
                a -= 1
                grown = True
            if b < len(lines) and cost(a, b + 1) <= limit:
                b += 1
                grown = True
            if not grown:
                break
        return [(a, b)]
    mentioned = (
        task.text
        + "\n"
        + "\n".join(
            f"{f.test_id} {f.message}"
            for f in (context.baseline.failures if context.baseline else ())
        )
    )
    for note in context.feedback:
        mentioned += (
            "\n" + note.detail + "\n" + "\n".join(f"{f.test_id} {f.message}" for f in note.failures)
        )
    words = set(re.findall(r"[A-Za-z_$][\w$]*", mentioned))
    chunks = _chunks(doc.text, doc.path, task.language)
    picked: list[tuple[int, int]] = []
    used = 0
    relevant = [c for c in chunks if c[2] and c[2].split()[-1] in words]
    inner = [c for c in _inner_definitions(doc.text, doc.path, task.language) if c[2] in words]
    for a, b, _name in relevant + inner + [c for c in chunks if c not in relevant]:
        c = cost(a, b)
        if used + c > limit or any(x <= a and b <= y for x, y in picked):
            continue
        picked.append((a, b))
        used += c
    if not picked and lines:  # one huge definition: its beginning
        b = 0
        while b < len(lines) and cost(0, b + 1) <= limit:
            b += 1
        picked = [(0, max(b, 1))]
    merged: list[tuple[int, int]] = []
    for a, b in sorted(picked):  # adjacent or overlapping definitions form one excerpt
        if merged and merged[-1][1] >= a:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged
