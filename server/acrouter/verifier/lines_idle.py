"""A pass the tests never reached: not learned.

A pass says the edit left the tests passing.  When they all passed before the edit too
and none of them ran the code it changes, any edit there that left the code importable
would have passed: the pass says nothing about the model that wrote it, so it is not
counted (``Verdict.counted``; :func:`.lines.with_lines` decides, with what the tests ran).
It is still offered, with the warning that names the lines no test ran.

"The code it changes" leaves out what runs as a Python module loads only to define or
import something: a ``def`` / ``class`` header (decorators, defaults, annotations) or an
``import`` at module level or in a class body.  Those run at import, whether or not any
test calls what they define; so an edit that adds a function no test calls, with the
import it needs, is not exercised.  A changed module-level assignment is (its value
reaches the code the tests run), as is any statement inside a function.  An edit that
changes nothing but such lines (a default argument, an import) is taken as exercised:
whether a test called what they define is not seen.  In JavaScript the same is read
from a line's first words, for lines that start at the file's first column (top
level): a ``function`` / ``class`` declaration, an ``import``, a ``require(...)`` bound
to a name, or a function or class assigned to a name or an export (``exports.sub =
function (a, b) {``, ``const sub = (a, b) => a - b;``), an export list (``export { a,
b }``, ``module.exports = { a, b };`` on one line); a file whose top level is indented
(a wrapper) marks nothing.  For Go every changed statement counts.  An edited file no
tracer measures (Markdown, JSON, a Ruby source) counts as exercised when a process of the
run opened it (:mod:`.lines_opened`), and as not exercised when none did.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Collection, Mapping, Sequence
from typing import Protocol


class Change(Protocol):
    """What this module reads of ``lines.Change`` (which imports this module)."""

    @property
    def path(self) -> str: ...
    @property
    def wanted(self) -> list[tuple[int, int]]: ...
    @property
    def loading(self) -> Collection[tuple[int, int]]: ...


class Traced(Protocol):
    """What this module reads of ``lines.Traced``."""

    @property
    def lines(self) -> Mapping[str, Collection[int]]: ...
    @property
    def intact(self) -> bool: ...
    @property
    def cut(self) -> bool: ...
    @property
    def unmeasured(self) -> Collection[str]: ...
    @property
    def unknown(self) -> Mapping[str, str]: ...
    @property
    def opened(self) -> Mapping[str, bool]: ...


#: why such a pass is not learned, in its detail and the why
#: the same, for an edit of files no tracer measures, none of which the run opened
IDLE_UNOPENED = (
    "the tests passed before the edit too and no process of theirs opened the files it "
    "changes, so this pass says nothing about the model: not learned"
)
IDLE_PASS = (
    "the tests passed before the edit too and ran none of the code it changes (at most "
    "lines that define or import something, as the module loaded), so this pass says "
    "nothing about the model: not learned"
)


def loading_ranges(tree: ast.Module, ranges: Sequence[tuple[int, int]]) -> set[tuple[int, int]]:
    """Of ``ranges`` (``lines.statement_ranges``), the statements that run as the module
    loads and only define or import: ``def`` / ``class`` headers and ``import``\\ s at
    module level or in a class body (also under a module-level ``if`` / ``try`` /
    ``with``), never one inside a function (that runs when the function is called)."""
    defining: set[int] = set()  # first lines of such statements
    other: set[int] = set()  # first lines of every other statement (``a = 1; import b``)

    def walk(body: Sequence[ast.stmt], loading: bool) -> None:
        for node in body:
            start = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
            is_def = isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
            if loading and (is_def or isinstance(node, (ast.Import, ast.ImportFrom))):
                defining.add(start)
            else:
                other.add(start)
            inner = loading and not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
            for field in ("body", "orelse", "finalbody"):
                child = getattr(node, field, None)
                if isinstance(child, list) and child and isinstance(child[0], ast.stmt):
                    walk(child, inner)
            for h in getattr(node, "handlers", None) or []:
                walk(h.body, inner)
            for c in getattr(node, "cases", None) or []:
                walk(c.body, inner)

    walk(tree.body, True)
    return {r for r in ranges if r[0] in defining and r[0] not in other}


_JS_NAME = r"[\w$]+(?:\.[\w$]+)*"
_JS_FUNCTION = r"(?:async\s+)?(?:function\b|class\b|(?:\([^()]*\)|[\w$]+)\s*=>)"
#: a top-level JavaScript line that only defines or imports as the module loads
_JS_LOADING = re.compile(
    r"(?:export\s+(?:default\s+)?)?(?:async\s+)?(?:function\b|class\b)"  # declarations
    r"|import\b(?!\s*\()"  # import ... from (not a dynamic import() call)
    r"|(?:export\s+)?(?:const|let|var)\s+[^=]+=\s*require\s*\("  # const x = require(...)
    rf"|(?:(?:export\s+)?(?:const|let|var)\s+)?{_JS_NAME}\s*=\s*{_JS_FUNCTION}"
    rf"|export\s+default\s+{_JS_FUNCTION}"
    r"|export\s*(?:\{|\*)"  # export { a, b } / export * from ...
    r"|(?:module\.)?exports\s*=\s*\{[\w$\s,:]*\}\s*;?\s*$"  # module.exports = { a, b };
)


def js_loading_lines(lines: Sequence[str]) -> set[int]:
    """The lines (1-based) of a JavaScript file that start at its first column and only
    define or import something as the module loads (see the module's text)."""
    return {n + 1 for n, text in enumerate(lines) if _JS_LOADING.match(text)}


def exercised(change_list: Sequence[Change], traced: Traced | None) -> bool:
    """Whether the tests ran any of the changed code beyond what only defines or imports
    as its module loads (``Change.loading``): a changed statement, or the one beside a
    removal, or an edited file no tracer measures that a process opened
    (:attr:`.Traced.opened`).  True too when that is not known: no lines measured,
    another tracer took over, a process that never wrote what it saw, or nothing but
    such lines changed."""
    if traced is None or not traced.intact or traced.cut:
        return True
    if any(c.path in traced.unknown for c in change_list):
        return True
    if any(traced.opened.values()):
        return True
    total = len(traced.opened)
    for c in change_list:
        if c.path in traced.unmeasured:
            continue
        ran = traced.lines.get(c.path, ())
        for r in c.wanted:
            if r in c.loading:
                continue
            total += 1
            if any(n in ran for n in range(r[0], r[1] + 1)):
                return True
    return total == 0
