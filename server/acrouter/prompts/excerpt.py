"""The file as the model sees it: its path in the workspace, and, for a file too large
to send whole, an outline of its top-level definitions plus the lines worth showing
(the region around the selection, or the definitions the instruction, the failing tests
and the earlier attempts' feedback name).
"""

from __future__ import annotations

import re
from pathlib import Path

from acrouter.definitions import definitions
from acrouter.domain import PromptContext, Task, document_lines


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
    defs = definitions(text, path, language)
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


def wanted_lines(task: Task, context: PromptContext, limit: int) -> list[tuple[int, int]]:
    """Line ranges (0-based, end exclusive) of a large file worth showing, within ``limit``."""
    doc = task.document
    assert doc is not None
    lines = document_lines(doc.text, keepends=True)
    sizes = [len(x) for x in lines]

    def cost(a: int, b: int) -> int:
        return sum(sizes[a:b]) + 40

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
    for a, b, _name in relevant + [c for c in chunks if c not in relevant]:
        c = cost(a, b)
        if used + c > limit:
            continue
        picked.append((a, b))
        used += c
    if not picked and lines:  # one huge definition: its beginning
        b = 0
        while b < len(lines) and cost(0, b + 1) <= limit:
            b += 1
        picked = [(0, max(b, 1))]
    merged: list[tuple[int, int]] = []
    for a, b in sorted(picked):  # adjacent definitions form one excerpt
        if merged and merged[-1][1] == a:
            merged[-1] = (merged[-1][0], b)
        else:
            merged.append((a, b))
    return merged
