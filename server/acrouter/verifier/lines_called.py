"""When another tracer took ours over: the functions no test called ran none of the edit.

On Python 3.11 and older the line tracer is a ``sys.settrace`` function, and coverage.py
(``pytest --cov``, ``coverage run -m pytest``) replaces it as it starts: which changed
lines ran was then not known, and the pass was counted.  On semver 3.1.2 (its
``.pytest.ini``: ``--cov=semver``, ``--doctest-modules`` and ``--doctest-glob='*.rst'``
over its documentation) breaking ``coerce`` in the ``advanced/coerce.py`` its
documentation shows (its examples run ``tests/coerce.py``'s, from conftest's
``doctest_namespace``) was a counted *pass*, "which changed lines the tests ran is not
known".

So a process whose tracer was taken over watches the edited files' calls instead with
``sys.setprofile``, which coverage leaves alone (:mod:`.lines_plugin`, from pytest's
start: ``pytest_configure``), and writes the first lines of the functions called
(:attr:`.lines_trace.Traced.called`).  A changed statement inside a function (its
innermost ``def``) that was never called did not run.  When every changed statement
that none ran is such a one (or only defines as its module loads), the lines are as good
as measured, and the pass says which statements no test ran as any other does (and is
not counted when none ran); else it still says which lines ran is not known.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import attrs

if TYPE_CHECKING:
    from .lines_trace import Change, Traced

Span = tuple[int, int]


def functions_of(
    tree: ast.Module, ranges: Iterable[Span]
) -> tuple[tuple[Span, tuple[int, int]], ...]:
    """Each of ``ranges`` inside a function's body, with that innermost function's
    first lines as its code object may name them (its first decorator's, its ``def``'s)."""
    bodies: list[tuple[int, int, tuple[int, int]]] = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            start, end = node.body[0].lineno, node.end_lineno or node.lineno
            bodies.append((start, end, (first, node.lineno)))
    out = []
    for r in ranges:
        holding = [b for b in bodies if b[0] <= r[0] and r[1] <= b[1]]
        if holding:
            out.append((r, min(holding, key=lambda b: b[1] - b[0])[2]))
    return tuple(out)


def settled(change_list: Sequence[Change], traced: Traced | None) -> Traced | None:
    """``traced`` taken as measured (``intact``) when another tracer took ours over but
    every changed statement no process saw run lies in a function no process called, or
    only defines as its module loads; else as it is."""
    if traced is None or traced.intact or traced.cut or traced.called is None:
        return traced
    called = traced.called
    for c in change_list:
        if c.path in traced.unmeasured or c.path in traced.unknown:
            continue
        ran = traced.lines.get(c.path, frozenset())
        inside = dict(c.within)
        for r in c.wanted:
            if r in c.loading or any(n in ran for n in range(r[0], r[1] + 1)):
                continue
            firsts = inside.get(r)
            if firsts is None or any(f in called.get(c.path, ()) for f in firsts):
                return traced  # it may have run: not known
    return attrs.evolve(traced, intact=True, called=None)
