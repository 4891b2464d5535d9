"""The projects and the model replies of ``big_files.py``.

A project holds one generated module of about N lines (``bigmod.py``, or ``lib/big.js``
with ``node --test``), functions of a few arithmetic statements each, and a small test
suite that passes on it (and on every edit below: the edits swap the operands of ``+``
and ``*``, wrap a returned name in parentheses, or add a comment; no behaviour changes).

Shapes (``SHAPES``): one line changed; one line changed in each of 500 functions; every
line of the file changed; a selection of 2,000 lines (or the whole file when it is
shorter) replaced with every line changed.  Reply formats (``FORMATS``): SEARCH/REPLACE
blocks (the prompt's own format for a file-level request), a unified diff in a ```diff
block (with line numbers, and without: ``@@ ... @@``), one fenced block holding the
whole file (or, for a selection, the selection).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import attrs

SHAPES = ("one-line", "500-functions", "rewrite-all", "selection-2000")
FORMATS = ("search-replace", "diff", "diff-numberless", "whole")
LANGS = ("python", "javascript")
INSTRUCTION = "Refactor: swap the operands of the arithmetic and annotate each line"

_ASSIGN = re.compile(r"^(\s*)((?:const )?\w+ = )(\w+) ([+*]) (\w+)(;?)$")
_RETURN_OP = re.compile(r"^(\s*)return (\w+) ([+*]) (\w+)(;?)(.*)$")
_RETURN = re.compile(r"^(\s*)return (\w+)(;?)$")


@attrs.frozen
class Project:
    lang: str
    root: Path
    rel: str  # the edited file, relative to the root
    lines: tuple[str, ...]  # its lines, without line ends
    starts: tuple[int, ...]  # the 0-based first line of each function
    edit_line: tuple[int, ...]  # per function, the line the 500-function shape changes
    test_command: str

    @property
    def path(self) -> Path:
        return self.root / self.rel

    @property
    def language_id(self) -> str:
        return self.lang


def _ops(i: int, k: int) -> list[tuple[str, str, str, str]]:
    """k assignments (name, left, op, right) of function i; the first uses x."""
    names = "abcdeghjkmnpqr"
    out = [(names[0], "x", "+", str(i))]
    for j in range(1, k):
        prev = names[j - 1]
        op = "*" if j % 3 == 1 else "+"
        out.append((names[j], prev, op, str(j % 4 + 1)))
    return out


def _value(i: int, k: int, x: int) -> int:
    if k == 0:
        return x + i
    env = {"x": x}
    for name, left, op, right in _ops(i, k):
        a = env[left] if left in env else int(left)
        b = int(right)
        env[name] = a + b if op == "+" else a * b
    return env[_ops(i, k)[-1][0]]


def _function(lang: str, i: int, size: int) -> tuple[list[str], int]:
    """The lines of function i (``size`` lines with its blank separator) and the offset
    of the line the 500-function shape changes."""
    name = f"f{i:05d}"
    if lang == "python":
        if size == 2:
            return [f"def {name}(x):", f"    return x + {i}"], 1
        k = size - 4
        body = [f"    {n} = {a} {op} {b}" for n, a, op, b in _ops(i, k)]
        doc = f'    """Step {i} of the chain."""'
        return [f"def {name}(x):", doc, *body, f"    return {_ops(i, k)[-1][0]}", ""], 2
    if size == 2:
        return [f"function {name}(x) {{", f"  return x + {i}; }}"], 1
    k = size - 4
    body = [f"  const {n} = {a} {op} {b};" for n, a, op, b in _ops(i, k)]
    return [f"function {name}(x) {{", *body, f"  return {_ops(i, k)[-1][0]};", "}", ""], 1


def make_project(lang: str, root: Path, n: int) -> Project:
    """A project whose edited file has about ``n`` lines (functions of 2 lines below
    5,000 lines, so that 500 of them fit in 1,000 lines; else of 10)."""
    size = 2 if n < 5000 else 10
    root.mkdir(parents=True, exist_ok=True)
    (root / ".git").mkdir(exist_ok=True)
    head = ['"""A generated module."""', ""] if lang == "python" else ['"use strict";', ""]
    count = max(500, (n - len(head) - 2) // size)
    lines = list(head)
    starts, edit_line = [], []
    for i in range(count):
        body, at = _function(lang, i, size)
        starts.append(len(lines))
        edit_line.append(len(lines) + at)
        lines.extend(body)
    k = 0 if size == 2 else size - 4
    tested = [0, count // 2, count - 1]
    x = 3
    if lang == "python":
        lines += ["", "LAST = " + repr(f"f{count - 1:05d}")]
        rel, command = "bigmod.py", f"{sys.executable} -m pytest -q -p no:cacheprovider"
        names = ", ".join(f"f{i:05d}" for i in tested)
        tests = [f"from bigmod import {names}", ""]
        for i in tested:
            tests += ["", f"def test_f{i:05d}():", f"    assert f{i:05d}({x}) == {_value(i, k, x)}"]
        (root / "tests").mkdir(exist_ok=True)
        (root / "tests" / "test_big.py").write_text("\n".join(tests) + "\n")
        (root / "pytest.ini").write_text("[pytest]\npythonpath = .\n")
    else:
        exported = ", ".join(f"f{i:05d}" for i in tested)
        lines += [f"module.exports = {{ {exported} }};"]
        rel, command = "lib/big.js", "node --test test/"
        tests = [
            '"use strict";',
            'const test = require("node:test");',
            'const assert = require("node:assert");',
            'const big = require("../lib/big.js");',
        ]
        for i in tested:
            tests += [
                f'test("f{i:05d}", () => {{',
                f"  assert.strictEqual(big.f{i:05d}({x}), {_value(i, k, x)});",
                "});",
            ]
        (root / "lib").mkdir(exist_ok=True)
        (root / "test").mkdir(exist_ok=True)
        (root / "test" / "big.test.js").write_text("\n".join(tests) + "\n")
        (root / "package.json").write_text(
            json.dumps({"name": "big", "version": "1.0.0", "scripts": {"test": command}}) + "\n"
        )
    path = root / rel
    path.write_text("\n".join(lines) + "\n")
    return Project(lang, root, rel, tuple(lines), tuple(starts), tuple(edit_line), command)


# --------------------------------------------------------------------------- edits


def rewrite(line: str, lang: str) -> str:
    """The same line changed, with the same meaning: operands swapped, a returned name
    in parentheses, else a comment added."""
    if m := _ASSIGN.match(line):
        ind, lhs, a, op, b, semi = m.groups()
        return f"{ind}{lhs}{b} {op} {a}{semi}"
    if m := _RETURN_OP.match(line):
        ind, a, op, b, semi, rest = m.groups()
        return f"{ind}return {b} {op} {a}{semi}{rest}"
    if m := _RETURN.match(line):
        ind, a, semi = m.groups()
        return f"{ind}return ({a}){semi}"
    mark = "# r" if lang == "python" else "// r"
    return f"{line}  {mark}" if line.strip() else mark


@attrs.frozen
class Request:
    """One request: the new lines of the file, the selection (0-based lines, end
    exclusive; None: a file-level request) and the changed line numbers."""

    new: tuple[str, ...]
    changed: tuple[int, ...]
    selection: tuple[int, int] | None = None


def request_for(p: Project, shape: str) -> Request:
    lines = list(p.lines)
    if shape == "one-line":
        changed = [p.edit_line[len(p.edit_line) // 2]]
    elif shape == "500-functions":
        step = len(p.edit_line) / 500
        changed = [p.edit_line[int(j * step)] for j in range(500)]
    elif shape == "rewrite-all":
        changed = list(range(len(lines)))
    elif shape == "selection-2000":
        want = (len(lines) - 2000) // 2
        first = min((s for s in p.starts if s >= want), default=0) if want > 0 else 0
        last = min(len(lines), first + 2000)
        changed = list(range(first, last))
        wanted = set(changed)
        new = [rewrite(x, p.lang) if i in wanted else x for i, x in enumerate(lines)]
        return Request(tuple(new), tuple(changed), (first, last))
    else:
        raise ValueError(shape)
    wanted = set(changed)
    new = [rewrite(x, p.lang) if i in wanted else x for i, x in enumerate(lines)]
    return Request(tuple(new), tuple(changed))


def _fence(p: Project) -> str:
    return "```" + p.lang


def reply_for(p: Project, req: Request, fmt: str) -> str:
    """The model's reply for the request in the format ``fmt``."""
    old, new = p.lines, req.new
    if fmt == "whole":
        if req.selection is not None:
            a, b = req.selection
            return f"{_fence(p)}\n" + "\n".join(new[a:b]) + "\n```\n"
        return f"{_fence(p)}\n" + "\n".join(new) + "\n```\n"
    if fmt == "search-replace":
        if len(req.changed) > 1 and req.changed == tuple(
            range(req.changed[0], req.changed[-1] + 1)
        ):  # a run of lines: one block
            a, b = req.changed[0], req.changed[-1] + 1
            blocks = [(old[a:b], new[a:b])]
        else:
            blocks = [((old[i],), (new[i],)) for i in req.changed]
        out = []
        for search, replace in blocks:
            out += [p.rel, _fence(p), "<<<<<<< SEARCH", *search, "=======", *replace]
            out += [">>>>>>> REPLACE", "```", ""]
        return "\n".join(out)
    if fmt in ("diff", "diff-numberless"):
        diff = unified_diff(p.rel, old, new, req.changed, numbered=fmt == "diff")
        return "```diff\n" + diff + "```\n"
    raise ValueError(fmt)


def unified_diff(
    rel: str, old: tuple[str, ...], new: tuple[str, ...], changed, numbered: bool = True
) -> str:
    """A unified diff of line-for-line replacements (``changed``), 3 lines of context;
    ``numbered=False``: hunk headers without line numbers (``@@ ... @@``, as models
    often write them: each hunk is placed by its lines alone)."""
    groups: list[list[int]] = []
    for i in changed:
        if groups and i - groups[-1][-1] <= 6:
            groups[-1].append(i)
        else:
            groups.append([i])
    out = [f"--- a/{rel}", f"+++ b/{rel}"]
    for g in groups:
        a, b = max(0, g[0] - 3), min(len(old), g[-1] + 4)
        out.append(f"@@ -{a + 1},{b - a} +{a + 1},{b - a} @@" if numbered else "@@ ... @@")
        out += _body(old, new, a, b, set(g))
    return "\n".join(out) + "\n"


def _body(old, new, a: int, b: int, wanted: set[int]) -> list[str]:
    body: list[str] = []
    i = a
    while i < b:
        if i not in wanted:
            body.append(f" {old[i]}")
            i += 1
            continue
        j = i
        while j < b and j in wanted:
            j += 1
        body += [f"-{old[k]}" for k in range(i, j)] + [f"+{new[k]}" for k in range(i, j)]
        i = j
    return body


def expected_text(req: Request) -> str:
    return "\n".join(req.new) + "\n"
