"""Which of the statements an edit changes the tests ran: a pass says nothing about code
no test runs, so the verdict says which changed lines no test ran.

The run with the edit loads a small tracer (:mod:`.lines_plugin`) in every Python process
it starts (a ``sitecustomize`` of ours, :mod:`.lines_site`, on ``PYTHONPATH``) and as a
pytest plugin (``-p acrouter_lines`` through ``PYTEST_ADDOPTS``): it traces the lines run
in the edited Python files only and each process writes them beside the run's report
(:mod:`.lines_trace` sets this up and reads them).  ``changes``
reads, from the old and new texts, the statements the edit changed (a multi-line
statement is one; a compound statement's header is one; comments, blank lines,
docstrings and ``pass`` are none) and the places where it removed code;
``summarise`` compares them with what ran.  A removal counts as run when the statement
beside it (at the removed code's indentation, else the one before it) ran.

What this does not measure (the verdict then says nothing about it): a Python process
started without ``site`` or ``PYTHONPATH`` (``-S``, ``-I``, ``-E``, an environment of its
own), a run whose tracer another took over (``sys.settrace``: ``pytest --cov``'s
coverage.py replaces ours, and the verdict says the lines were not measured, unless every
changed statement none ran is in a function no test called: :mod:`.lines_called`), and
non-Python files (JavaScript: :mod:`.lines_js`; under jest and
vitest, with TypeScript: :mod:`.lines_istanbul`; Go: :mod:`.lines_go`).  The code under
test could stop the tracer (its lines then read as not run: a warning too many) or
forge the file (a warning too few); the harness tripwire reads the plugin's name."""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping, Sequence

import attrs

from ..domain import Verdict
from ..linediff import line_opcodes
from ..pytrees import parse
from .lines_called import functions_of, settled
from .lines_idle import IDLE_PASS, IDLE_UNOPENED, exercised, loading_ranges
from .lines_opened import blind_sentence
from .lines_shadow import imported_elsewhere
from .lines_trace import (
    FILE_PREFIX,
    MODULE,
    OUT_VAR,
    TARGETS_FILE,
    Change,
    Traced,
    monitored,
    plugin_env,
    read_traced,
    tracer_suspect,
)

__all__ = [
    "FILE_PREFIX",
    "MODULE",
    "OUT_VAR",
    "TARGETS_FILE",
    "Change",
    "Traced",
    "monitored",
    "plugin_env",
    "read_traced",
    "tracer_suspect",
]

#: spans named in the verdict
MAX_SPANS = 4
#: ... and at most this many runs of lines in each (an edit of hundreds of functions)
MAX_RUNS = 8


def _lines(text: str) -> list[str]:
    return text.splitlines()


def innermost(ranges: Iterable[tuple[int, int]]) -> dict[int, tuple[int, int]]:
    """Each line -> the shortest of ``ranges`` holding it (the later of equal ones)."""
    out: dict[int, tuple[int, int]] = {}
    for r in sorted(ranges, key=lambda r: r[0] - r[1]):  # longest first: shorter overwrite
        for n in range(r[0], r[1] + 1):
            out[n] = r
    return out


def _code_line(line: str) -> bool:
    s = line.strip()
    return bool(s) and not s.startswith("#")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _is_docstring(node: ast.stmt, parent_body: Sequence[ast.stmt]) -> bool:
    return bool(
        parent_body
        and parent_body[0] is node
        and isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
    )


def _type_checking(node: ast.stmt) -> bool:
    """``if TYPE_CHECKING:`` / ``if typing.TYPE_CHECKING:``."""
    if not isinstance(node, ast.If):
        return False
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def statement_ranges(tree: ast.Module) -> list[tuple[int, int]]:
    """Each statement that runs, as its line range: a simple statement whole; a
    compound statement's header (decorators to the line before its body); no ``try``
    or ``else`` line, docstring, ``pass``, ``...``, ``global``, ``nonlocal`` or bare
    annotation (``x: int``: no line of theirs is ever reported run), nor what an ``if
    TYPE_CHECKING:`` holds (never meant to run)."""
    out: list[tuple[int, int]] = []

    def walk(body: Sequence[ast.stmt]) -> None:
        for node in body:
            children = [
                getattr(node, f)
                for f in ("body", "orelse", "finalbody")
                if isinstance(getattr(node, f, None), list)
            ]
            handlers = getattr(node, "handlers", None) or []
            cases = getattr(node, "cases", None) or []
            skip = (
                isinstance(node, (ast.Pass, ast.Global, ast.Nonlocal))
                or (isinstance(node, ast.AnnAssign) and node.value is None)
                or (
                    isinstance(node, ast.Expr)
                    and isinstance(node.value, ast.Constant)
                    and node.value.value is Ellipsis
                )
                or _is_docstring(node, body)
                or isinstance(node, (ast.Try, getattr(ast, "TryStar", ast.Try)))
            )
            if not skip:
                start = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
                first_body = getattr(node, "body", None)
                if children and first_body and isinstance(first_body[0], ast.stmt):
                    end = max(start, first_body[0].lineno - 1)
                    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                        end = max(start, min(end, _header_end(node)))
                else:
                    end = node.end_lineno or node.lineno
                out.append((start, end))
            if _type_checking(node):
                children = children[1:]  # its body only type checkers read; its else runs
            for child in children:
                walk(child)
            for h in handlers:
                out.append((h.lineno, h.lineno))  # ``except X:`` is reported run when it matches
                walk(h.body)
            for c in cases:
                walk(c.body)

    walk(tree.body)
    return out


def _header_end(node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> int:
    """The last line of a ``def`` / ``class`` header (its arguments, bases, return
    annotation), before any docstring or body."""
    parts: list[ast.AST] = [*node.decorator_list]
    if isinstance(node, ast.ClassDef):
        parts += [*node.bases, *node.keywords]
    else:
        parts.append(node.args)
        if node.returns is not None:
            parts.append(node.returns)
    ends = [node.lineno]
    for p in parts:
        ends += [getattr(sub, "end_lineno", None) or 0 for sub in ast.walk(p)]
    return max(ends)


def changes(path: str, old: str, new: str) -> Change | None:
    """The statements the edit changes in one Python file, or None when the new text
    does not parse (the verdict is then not a pass) or nothing runnable changed."""
    try:
        tree = parse(new)  # (the tree the verifier's other checks read)
    except (SyntaxError, ValueError, RecursionError):
        return None
    ranges = statement_ranges(tree)
    a, b = _lines(old), _lines(new)
    changed: set[int] = set()
    removed: list[tuple[int, int, int]] = []  # (new position, old start, old end), 0-based
    for op, i1, i2, j1, j2 in line_opcodes(a, b):
        if op in ("replace", "insert"):
            changed.update(range(j1 + 1, j2 + 1))
        if op == "delete" and any(_code_line(line) for line in a[i1:i2]):
            removed.append((j1, i1, i2))
    statements = tuple(r for r in ranges if any(n in changed for n in range(r[0], r[1] + 1)))
    at = innermost(ranges)
    removals = []
    for j, i1, i2 in removed:
        beside = _beside(b, j, _indent(next(x for x in a[i1:i2] if _code_line(x))), at)
        if beside is not None:
            removals.append((beside, (i1 + 1, i2)))
    loads = loading_ranges(tree, ranges) & {*statements, *(b for b, _ in removals)}
    wanted = {*statements, *(b for b, _ in removals)}
    within = functions_of(tree, sorted(wanted))
    change = Change(path, statements, tuple(removals), frozenset(loads), within)
    return change if change.size else None


def _beside(
    lines: Sequence[str], j: int, indent: int, at: Mapping[int, tuple[int, int]]
) -> tuple[int, int] | None:
    """The statement beside a removal before line ``j`` (0-based) of the new text: the
    next code line's when it is at the removed code's indentation, else the previous
    code line's (the end of a block); ``at``: each line's statement (:func:`innermost`)."""
    nxt = next((k for k in range(j, len(lines)) if _code_line(lines[k])), None)
    prev = next((k for k in range(j - 1, -1, -1) if _code_line(lines[k])), None)
    order = [k for k in (nxt, prev) if k is not None]
    order.sort(key=lambda k: (_indent(lines[k]) != indent, k != nxt))
    return next((at[k + 1] for k in order if k + 1 in at), None)


def _spans(nums: Iterable[int], most: int = MAX_RUNS) -> str:
    """``12-14, 20``: line numbers as ranges, the first ``most`` of them (then how many
    more)."""
    out: list[str] = []
    run: list[int] = []
    for n in sorted(set(nums)):
        if run and n == run[-1] + 1:
            run.append(n)
            continue
        if run:
            out.append(f"{run[0]}-{run[-1]}" if len(run) > 1 else str(run[0]))
        run = [n]
    if run:
        out.append(f"{run[0]}-{run[-1]}" if len(run) > 1 else str(run[0]))
    if len(out) > most:
        return ", ".join(out[:most]) + f" and {len(out) - most} more"
    return ", ".join(out)


def python_changes(texts: Mapping[str, str], olds: Mapping[str, str | None]) -> list[Change]:
    """The changes an edit (``texts``: new texts by relative path; ``olds``: what they
    held) makes to Python files."""
    out = []
    for rel, new in sorted(texts.items()):
        old = olds.get(rel) or ""
        if rel.endswith((".py", ".pyw")) and new != old:
            change = changes(rel, old, new)
            if change is not None:
                out.append(change)
    return out


def merge(runs: Sequence[Traced]) -> Traced | None:
    """The lines of several runs with the edit (a confirmation run, the user's tests
    alone): a statement any of them ran was run."""
    if not runs:
        return None
    lines: dict[str, set[int]] = {}
    for t in runs:
        for rel, nums in t.lines.items():
            lines.setdefault(rel, set()).update(nums)
    unknown = {k: v for t in runs for k, v in t.unknown.items() if k not in lines}
    return Traced(
        {k: frozenset(v) for k, v in lines.items()},
        all(t.intact for t in runs),
        frozenset().union(*(t.unmeasured for t in runs)),
        any(t.cut for t in runs),
        changes=tuple({c.path: c for t in runs for c in t.changes}.values()),
        # imported from elsewhere only when no run imported the workspace's file
        elsewhere={
            k: v for k, v in runs[0].elsewhere.items() if all(k in t.elsewhere for t in runs)
        },
        unknown=unknown,
        # opened when any run opened it
        opened={k: any(t.opened.get(k, False) for t in runs) for t in runs for k in t.opened},
        by_git=frozenset().union(*(t.by_git for t in runs)),
        # called when any run called it; not known when a run taken over did not watch
        called=_called(runs),
        off=any(t.off for t in runs),
    )


def _called(runs: Sequence[Traced]) -> dict[str, frozenset[int]] | None:
    """The functions any of ``runs`` called (:attr:`Traced.called`), where a tracer was
    taken over; None when one whose tracer was did not watch the calls."""
    if all(t.intact for t in runs) or any(t.called is None for t in runs if not t.intact):
        return None
    out: dict[str, set[int]] = {}
    for t in runs:
        for rel, firsts in (t.called or {}).items():
            out.setdefault(rel, set()).update(firsts)
    return {k: frozenset(v) for k, v in out.items()}


#: what a pass says when another tracer replaced ours (and the calls were not watched)
TAKEN = "which changed lines the tests ran is not known: another tracer (coverage?) took over"
#: what a pass says when our tracer was switched off during the run (:attr:`Traced.off`)
OFF = (
    "which changed lines the tests ran is not known: our line tracer was switched off "
    "during the run (sys.settrace(None) in the code under test, or, on Python 3.11 and "
    "older, a test that reached the recursion limit)"
)
#: what a pass says when a traced test process never wrote what it saw (:attr:`Traced.cut`)
CUT = (
    "which changed lines the tests ran is not known: a test process ended before it wrote "
    "the lines it ran (os._exit, a kill, or a pytest-xdist worker that crashed)"
)
#: why a changed Python file's lines are not known when no process of the run traced
NO_TRACER = (
    "no Python process of the tests' run loaded our line tracer (python -I or -S ignore "
    "PYTHONPATH and the site module; or no test ran Python)"
)
#: why a changed JavaScript file's lines are not known when no node process of the run
#: wrote coverage for the workspace's scripts
NO_COVERAGE = (
    "no node process of the tests' run wrote coverage of the workspace's scripts (one that "
    "drops NODE_V8_COVERAGE; or no test ran JavaScript)"
)
#: why no changed file's lines are known when the traced run was redone untraced
UNTRACED = (
    "the run with our line tracer failed in a way the tracer may have caused, so the tests "
    "ran again without it"
)


def summarise(change_list: Sequence[Change], traced: Traced | None) -> tuple[str, bool]:
    """One sentence for the verdict: how many of the changed statements ran, and where
    the ones no test ran are, then the edited files no tracer measures that no process
    of the run opened (:attr:`Traced.opened`); True when it is a warning (some did not
    run or were not opened, or the lines could not be measured).  Empty when there is
    nothing to say (no pytest run, no node run with coverage, no go profile, no file
    watched); files ``unmeasured`` are left out."""
    said, warn = _statements(change_list, traced)
    blind = blind_sentence(traced.opened, MAX_SPANS) if traced else ""
    if blind:
        said, warn = (f"{said}; {blind}" if said else blind), True
    shut = sorted(k for k, was in traced.opened.items() if not was) if traced else []
    if not shut:
        return said, warn
    files = ", ".join(shut[:MAX_SPANS]) + (" ..." if len(shut) > MAX_SPANS else "")
    lost = f"no process of the tests' run opened {files}, which the edit changes"
    if traced and traced.by_git & set(shut):
        lost += " (only git did, to compare it with the commit)"
    return (f"{said}; {lost}" if said else lost), True


def _statements(change_list: Sequence[Change], traced: Traced | None) -> tuple[str, bool]:
    """:func:`summarise`'s sentence on the changed statements."""
    shown = sorted({c.path for c in change_list if traced and c.path in traced.unknown})
    if traced is not None and shown:
        # the files the run could not tell: said after what it told of the others
        said, _ = _statements(
            [c for c in change_list if c.path not in traced.unknown],
            attrs.evolve(traced, unknown={}),
        )
        why = "; ".join(sorted({traced.unknown[p] for p in shown}))
        files = ", ".join(shown[:MAX_SPANS]) + (" ..." if len(shown) > MAX_SPANS else "")
        lost = f"which lines of {files} the tests ran is not known: {why}"
        return (f"{said}; {lost}" if said else lost), True
    if traced is not None and traced.unmeasured:
        change_list = [c for c in change_list if c.path not in traced.unmeasured]
    total = sum(c.size for c in change_list)
    if not total or traced is None:
        return "", False
    if not traced.intact:
        return (OFF if traced.off else TAKEN), True
    unrun: list[str] = []
    missed = 0
    for c in change_list:
        ran = traced.lines.get(c.path, frozenset())

        def hit(r: tuple[int, int], ran: frozenset[int] = ran) -> bool:
            return any(n in ran for n in range(r[0], r[1] + 1))

        lines = [n for r in c.statements if not hit(r) for n in range(r[0], r[1] + 1)]
        gone = [old for beside, old in c.removals if not hit(beside)]
        missed += sum(1 for r in c.statements if not hit(r)) + len(gone)
        if lines:
            unrun.append(f"{c.path} line{'s' if len(lines) > 1 else ''} {_spans(lines)}")
        for o1, o2 in gone:
            unrun.append(f"what {c.path} lost (old lines {_spans(range(o1, o2 + 1))})")
    if not missed:
        return f"the tests ran every statement the edit changes ({total})", False
    if traced.cut:
        return CUT, True
    named = "; ".join(unrun[:MAX_SPANS]) + (" ..." if len(unrun) > MAX_SPANS else "")
    return f"no test ran {missed} of the {total} statements the edit changes: {named}", True


def idle(change_list: Sequence[Change], traced: Traced | None) -> bool:
    """The traced run ran none of the changed code (beyond lines that only define or
    import as the module loads: :func:`.lines_idle.exercised`); False when no lines were
    traced or that is not known."""
    if traced is None:
        return False
    everything = [*change_list, *traced.changes]
    return not exercised(everything, settled(everything, traced))


def with_lines(verdict: Verdict, change_list: Sequence[Change], runs: Sequence[Traced]) -> Verdict:
    """A pass whose edit changed statements no test ran (or whose lines could not be
    measured) says so, in its detail and in ``unrun``; a pass or a fail whose tests
    imported another copy of the edited code is the set-up's ``error``
    (:func:`.lines_shadow.imported_elsewhere`); other verdicts, and a pass whose
    changed statements all ran, are returned as they are."""
    if verdict.verdict not in ("pass", "fail"):
        return verdict
    traced = merge(runs)
    everything = [*change_list, *(traced.changes if traced else ())]
    traced = settled(everything, traced)
    untested = imported_elsewhere(verdict, everything, traced)
    if untested is not None or verdict.verdict != "pass":
        return untested or verdict
    said, warn = summarise(everything, traced)
    if not warn:
        return verdict
    # a pass that fixed failing tests depended on the edit; one whose tests passed
    # before too and never called the edit's code would pass any edit that leaves the
    # code importable (:mod:`.lines_idle`)
    idle = verdict.tests_failed_before == 0 and not exercised(everything, traced)
    why = IDLE_PASS if everything else IDLE_UNOPENED
    said_all = f"{why}; {said}" if idle else said
    detail = f"{verdict.detail}; {said_all}" if verdict.detail else said_all
    unrun = f"{said}; {verdict.unrun}" if verdict.unrun else said  # (fewer assertions)
    return attrs.evolve(verdict, detail=detail, unrun=unrun, counted=verdict.counted and not idle)


#: what a counted pass says when a process of a run whose report is its printed output
#: ended before it wrote its lines (:func:`printed_cut`), after :data:`CUT` or alone
PRINTED_CUT = (
    "the runner's results are read from what it printed, and what a process printed "
    "before ending so may not be the runner's: this pass is not counted"
)


def printed_cut(verdict: Verdict, runs: Sequence[Traced], printed: bool) -> Verdict:
    """A counted pass of a run whose report is what the runner prints (unittest's ``-v``
    lines, Django's: ``printed``) in which a traced process ended without writing what it
    saw: code under test that printed a runner's lines and then ended the process
    (``os._exit(0)``) before the real results were printed looked like a pass.  Not
    counted, and said; other verdicts are returned as they are."""
    traced = merge(runs) if printed and runs else None
    if traced is None or not traced.cut or verdict.verdict != "pass" or not verdict.counted:
        return verdict
    why = PRINTED_CUT if CUT in verdict.detail else f"{CUT.split(': ', 1)[1]}; {PRINTED_CUT}"
    detail = f"{verdict.detail}; {why}" if verdict.detail else why
    unrun = f"{verdict.unrun}; {why}" if verdict.unrun else why
    return attrs.evolve(verdict, detail=detail, unrun=unrun, counted=False)
