"""An edit that answers the tests' own values, made a fail.

The prompt shows a model the tests that cover its file and, after a failed attempt,
the failing tests' assertions.  A model that cannot find the fix may write the answer
in instead: ``if (a, b) == (2, 3): return 5`` in ``add``, whose failing test asserts
``add(2, 3) == 5``.  Every test passes and the code is as wrong as before: a verified
edit that is wrong for every input but the tested one.

Read here for Python (JavaScript and TypeScript: :mod:`.jsspecialcases`, the same rule
on tokens), in a function the file had before the edit
(:func:`special_cases`): a branch the edit added (an ``if`` or a conditional
expression) whose condition pins parameters of the function to literals (``a == 2 and
b == 3``, ``(a, b) == (2, 3)``, ``text == "Hello World"``) and which returns a literal,
where a test the edit fixed (failing before it, passing after) calls the function and
holds each of those values: written out, or built from literals alone (``"\\n".join([...])``,
a module's ``CASES = [...]``; :mod:`acrouter.pyvalues`).  Not read:

- a function that already looked the same parameter up before the edit: compared it
  with a literal that is not a base case's, used it as a key (``UNITS[unit]``,
  ``UNITS.get(unit)``), tested it for membership or matched on it (a dispatch on a unit
  or a command's name: one case more is the same kind of code);
- a parameter the function assigns before the branch, or in a loop that holds it
  (``c = c.lower()`` before ``if c == "def"``): the value compared is one it computed,
  not the input a test passes;
- pinned values that are all a base case's (``None``, booleans, ``0``, ``1``, ``-1``,
  ``2``, an empty string or collection: ``if n == 0: return 1``) or name-like strings
  (no spaces: a keyword, a scheme, a path; ``if pattern == "*": return True`` is a rule,
  ``if text == "Hello World"`` is a test's data);
- an instruction that asks for a special case ("special-case", "hard-code", "always
  return", "an exception for"; not a bug told by its example, "it treats 1900 as a leap
  year", the case special-casing is wrong for);
- a function the edit added (no code before it to be special-cased), or one defined
  inside another function.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import attrs

from ..domain import Verdict
from ..errors import VerifyError
from ..jsdefinitions import is_js
from ..pyparameters import defined_functions
from ..pytrees import own_nodes, parse
from ..pyvalues import value_of
from .edits import texts_before
from .jsspecialcases import js_added_branches, js_shown, read_js_tests
from .pinned import Pins, TestValues, hold, shown, trivial, value_key
from .reports import FAILED, PASSED
from .testrun import TestRun
from .workspace import resolve_edit_path

#: an instruction that asks for a special case
_ASKED = re.compile(
    r"\b(?:special[- ]?cas\w*|hard[- ]?cod\w*|always\s+returns?|exceptions?\s+for)\b",
    re.IGNORECASE,
)


def _literal(node: ast.AST) -> tuple[bool, object]:
    """(True, value) for a literal or an expression built from literals alone
    (``"\\n".join(["foo", "bar"])``, ``"-" * 10``: :func:`value_of`), else (False,
    None)."""
    return value_of(node)


def _pins(test: ast.expr, params: set[str]) -> Pins | None:
    """The parameters ``test`` pins to literals (``a == 2 and b == 3``, ``(a, b) == (2,
    3)``), or None when it is anything else."""
    if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And):
        out: Pins = {}
        for each in test.values:
            part = _pins(each, params)
            if part is None:
                return None
            out.update(part)
        return out
    if not (
        isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.Eq)
    ):
        return None
    left, right = test.left, test.comparators[0]
    if _literal(left)[0]:
        left, right = right, left
    ok, value = _literal(right)
    if not ok:
        return None
    if isinstance(left, ast.Name) and left.id in params:
        return {left.id: value}
    if (
        isinstance(left, ast.Tuple | ast.List)
        and isinstance(value, tuple | list)
        and len(left.elts) == len(value)
        and all(isinstance(e, ast.Name) and e.id in params for e in left.elts)
    ):
        return {e.id: v for e, v in zip(left.elts, value, strict=True)}  # type: ignore[attr-defined]
    return None


def _params(func: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    a = func.args
    return {p.arg for p in (*a.posonlyargs, *a.args, *a.kwonlyargs)}


def _branches(
    func: ast.FunctionDef | ast.AsyncFunctionDef,
) -> list[tuple[ast.expr, Pins, tuple[bool, object], int]]:
    """(condition, its pins, (whether it returns a literal, which), line) for each
    ``if`` and conditional expression of ``func`` whose condition pins parameters."""
    params = _params(func)
    out: list[tuple[ast.expr, Pins, tuple[bool, object], int]] = []
    for node in own_nodes(func):
        if isinstance(node, ast.If):
            body = node.body
            returned = (
                _literal(body[0].value)
                if len(body) == 1 and isinstance(body[0], ast.Return) and body[0].value
                else (False, None)
            )
        elif isinstance(node, ast.IfExp):
            returned = _literal(node.body)
        else:
            continue
        pins = _pins(node.test, params)
        if pins:
            out.append((node.test, pins, returned, node.lineno))
    return out


def _assigned(func: ast.FunctionDef | ast.AsyncFunctionDef, line: int) -> set[str]:
    """The names ``func`` assigns before ``line``, or anywhere in a loop that holds it
    (``c = c.lower()``, a loop's variable): a parameter among them is compared there as
    a value the function computed, not as its input (one assigned after a special case
    at the top is still the input where it is compared)."""
    loops = [
        (n.lineno, n.end_lineno or n.lineno)
        for n in own_nodes(func)
        if isinstance(n, ast.For | ast.AsyncFor | ast.While)
    ]
    out: set[str] = set()
    for node in own_nodes(func):
        targets: list[ast.AST] = []
        if isinstance(node, ast.Assign):
            targets = list(node.targets)
        elif isinstance(
            node, ast.AugAssign | ast.AnnAssign | ast.For | ast.AsyncFor | ast.NamedExpr
        ):
            targets = [node.target]
        elif isinstance(node, ast.With | ast.AsyncWith):
            targets = [i.optional_vars for i in node.items if i.optional_vars is not None]
        else:
            continue
        at = node.lineno
        if at >= line and not any(lo <= line <= hi and lo <= at <= hi for lo, hi in loops):
            continue
        for target in targets:
            out.update(n.id for n in ast.walk(target) if isinstance(n, ast.Name))
    return out


def _looked_up(func: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    """The parameters ``func`` compares with a literal that is not a base case's
    (``if code == 404``; ``if n == 0`` is no lookup), uses as a key or tests for
    membership: a lookup, where one case more is the same kind of code."""
    params = _params(func)
    out = {p for _, pins, _, _ in _branches(func) for p, v in pins.items() if not trivial(v)}
    for node in own_nodes(func):
        keys: list[ast.AST] = []
        if isinstance(node, ast.Subscript):
            keys.append(node.slice)
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "get":
            keys.extend(node.args[:1])
        elif isinstance(node, ast.Compare) and isinstance(node.ops[0], ast.In | ast.NotIn):
            keys.append(node.left)  # (``unit in UNITS``)
        elif isinstance(node, ast.Match):
            keys.append(node.subject)
        out.update(k.id for k in keys if isinstance(k, ast.Name) and k.id in params)
    return out


def _values(node: ast.AST, constants: Mapping[str, object]) -> set[tuple[str, object]]:
    """Every literal in ``node`` (a test function, its decorators too), and the items
    of its tuples and lists; a name it reads that is one of ``constants`` (its module's)
    holds that constant's value, and the items of its items (a parametrize list's
    cases)."""
    out: set[tuple[str, object]] = set()
    for n in ast.walk(node):
        if isinstance(n, ast.Name) and n.id in constants:
            hold(out, constants[n.id], depth=2)
            continue
        ok, value = _literal(n)
        if ok:
            hold(out, value, depth=1)
    return out


def _calls(node: ast.AST) -> set[str]:
    """The names of the functions ``node`` calls (``add``, ``calc.add``, ``self.add``)."""
    out: set[str] = set()
    for n in ast.walk(node):
        if isinstance(n, ast.Call):
            f = n.func
            out.add(f.id if isinstance(f, ast.Name) else getattr(f, "attr", ""))
    return out


def _test_function(tree: ast.Module, test_id: str) -> ast.AST | None:
    """The function of a pytest id (``tests/test_calc.py::TestAdd::test_add[2-3]``)."""
    parts = test_id.split("[", 1)[0].split("::")[1:]
    body: Sequence[ast.stmt] = tree.body
    found: ast.AST | None = None
    for part in parts:
        found = next(
            (
                n
                for n in body
                if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
                and n.name == part
            ),
            None,
        )
        if found is None:
            return None
        body = found.body  # type: ignore[attr-defined]
    return found if isinstance(found, ast.FunctionDef | ast.AsyncFunctionDef) else None


def _last_definitions(text: str) -> dict[str, ast.FunctionDef | ast.AsyncFunctionDef] | None:
    """Each function's path -> its last definition in a Python text (None: no parse)."""
    found = defined_functions(text)
    return None if found is None else {path: nodes[-1] for path, nodes in found.items()}


def special_cases(
    olds: Mapping[str, str | None],
    news: Mapping[str, str],
    fixed: Sequence[str],
    test_text: Callable[[str], str | None],
    instruction: str,
) -> list[str]:
    """What the edit special-cases, a sentence each (see the module): ``olds`` and
    ``news`` the edited files' texts, ``fixed`` the ids of the tests that failed without
    the edit and pass with it, ``test_text`` a test file's text by workspace path."""
    if _ASKED.search(instruction):
        return []
    tests = [
        *(read_tests(fixed, test_text) if any(r.endswith(".py") for r in news) else []),
        *(read_js_tests(fixed, test_text) if any(is_js(r) for r in news) else []),
    ]
    return answered(olds, news, tests) if tests else []


def _constants(tree: ast.Module) -> dict[str, object]:
    """The names a test module binds to literals, or to values built from literals alone
    (``EXPECTED = "\\n".join([...])``, ``CASES = [(2, 3, 5), ...]``), at its top level;
    a name bound twice is left out."""
    out: dict[str, object] = {}
    twice: set[str] = set()
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
            target, value = stmt.targets[0], stmt.value
        elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
            target, value = stmt.target, stmt.value
        else:
            continue
        if not isinstance(target, ast.Name):
            continue
        ok, found = _literal(value)
        if target.id in out or not ok:
            twice.add(target.id)
            continue
        out[target.id] = found
    return {k: v for k, v in out.items() if k not in twice}


def read_tests(ids: Sequence[str], test_text: Callable[[str], str | None]) -> list[TestValues]:
    """The Python tests of ``ids`` (pytest ids), read for their values; each file parsed
    once."""
    tests: list[TestValues] = []
    trees: dict[str, ast.Module | None] = {}
    constants: dict[str, dict[str, object]] = {}
    for test_id in ids:
        path = test_id.split("::", 1)[0]
        if not path.endswith(".py") or "::" not in test_id:
            continue
        if path not in trees:
            text = test_text(path)
            try:
                trees[path] = parse(text) if text else None
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                trees[path] = None
            tree = trees[path]
            constants[path] = _constants(tree) if tree is not None else {}
        tree = trees[path]
        node = _test_function(tree, test_id) if tree is not None else None
        if node is not None:
            tests.append((test_id, _calls(node), _values(node, constants[path])))
    return tests


def answered(
    olds: Mapping[str, str | None], news: Mapping[str, str], tests: Sequence[TestValues]
) -> list[str]:
    """Each branch the edit added (:func:`added_branches`) whose values, and the function's
    name, a test of ``tests`` holds: a sentence each."""
    out: list[str] = []
    for rel, new in news.items():
        old = olds.get(rel)
        if not old:
            continue
        if rel.endswith(".py"):
            branches, show = added_branches(old, new), repr
        elif is_js(rel):
            branches, show = js_added_branches(old, new), js_shown
        else:
            continue
        for path, pins, value, line in branches:
            try:
                wanted = {value_key(v) for v in [*pins.values(), value]}
            except TypeError:
                continue
            name = path.rsplit(".", 1)[-1]
            test_id = next((t for t, calls, held in tests if name in calls and wanted <= held), "")
            if test_id:
                out.append(
                    f"{path} ({rel} line {line}): {shown(pins, value, show)}, the values of {test_id}"
                )
    return out


def added_branches(old: str, new: str) -> list[tuple[str, Pins, object, int]]:
    """(function path, pins, the literal returned, line) for each branch the edit added
    to a Python function the old text had, whose condition pins parameters to literals
    that are not all a base case's and which returns a literal, where the function did
    not look those parameters up before (see the module)."""
    if old == new:
        return []
    before, after = _last_definitions(old), _last_definitions(new)
    if not before or not after:
        return []
    out: list[tuple[str, Pins, object, int]] = []
    for path, func in after.items():
        was = before.get(path)
        if was is None:
            continue
        had_tests = {ast.dump(t) for t, *_ in _branches(was)}
        looked_up = _looked_up(was)
        for test, pins, (returns, value), line in _branches(func):
            if not returns or ast.dump(test) in had_tests or looked_up & set(pins):
                continue
            if _assigned(func, line) & set(pins):
                continue
            if not all(trivial(v) for v in pins.values()):
                out.append((path, pins, value, line))
    return out


def special_cased(
    verdict: Verdict,
    before: TestRun | None,
    after: TestRun,
    olds: Mapping[str, str | None],
    news: Mapping[str, str],
    test_text: Callable[[str], str | None],
    instruction: str,
) -> Verdict:
    """A pass whose edit special-cases the values of the tests it fixed
    (:func:`special_cases`) made a counted fail: it fixes those inputs alone."""
    if verdict.verdict != "pass" or before is None or not after.outcomes:
        return verdict
    old = before.outcomes or {}
    fixed = sorted(t for t, o in after.outcomes.items() if o == PASSED and old.get(t) == FAILED)
    found = special_cases(olds, news, fixed, test_text, instruction) if fixed else []
    if not found:
        return verdict
    said = (
        "the edit answers the failing tests' own values instead of fixing the code: "
        + "; ".join(found[:3])
        + (f"; and {len(found) - 3} more" if len(found) > 3 else "")
        + "; any other input gets the old behaviour"
    )
    detail = f"{said}; {verdict.detail}" if verdict.detail else said
    return attrs.evolve(verdict, verdict="fail", detail=detail, counted=True, unrun="")


def workspace_tests(root: Path, buffers: Mapping[str, str]) -> Callable[[str], str | None]:
    """A test file's text by workspace path, as the runs saw it: an unsaved buffer, else
    the file (None for one outside the workspace, or unreadable)."""

    def read(rel: str) -> str | None:
        try:
            resolve_edit_path(root, rel)
        except VerifyError:
            return None
        return texts_before(root, [rel], buffers)[rel]

    return read
