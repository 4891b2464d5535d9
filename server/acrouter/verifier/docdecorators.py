"""Decorators that may make a documented name hold another object.

``@swap`` on ``def add`` makes ``add`` hold whatever ``swap`` returns: doctest then runs,
as ``add``'s doctest, the examples of that object (a broken ``_add`` documented to expect
the bug), and the doctest that checked ``add`` passes with ``add`` broken
(:mod:`.docnames` has the other ways).  A decorator can only bring examples that are
somewhere: in the documented names it reaches, in a string, or in code not seen here.
So :func:`decorations` lists the decorators (and metaclasses) of documented definitions
that name, themselves or through the module's functions and values they name, a
documented name, a string with examples, a value not known, or a module the edit
changes; keyed by what they reach, so that an edit changing ``swap``'s body counts again.
A library's decorator (``@functools.lru_cache``, numpy's
``@array_function_dispatch(_dispatcher)``) brings nothing of the module's, and the
module's own decorator returning a ``functools.wraps`` of what it is given keeps the
user's examples, which then run against what ``add`` holds.
"""

from __future__ import annotations

import ast
import hashlib
from collections import Counter
from collections.abc import Iterator

from ..pytrees import own_nodes
from .doctests import holds_no_examples


def _text(node: ast.AST) -> str:
    text = ast.unparse(node)
    return text if len(text) <= 60 else text[:57] + "..."


#: how a module binds a name at its top level: an import (``("import", "functools")``,
#: ``("from", "functools", "wraps")``), a definition, the value assigned, or None (bound
#: by something whose value is not known: a loop, ``with``, ``except``)
Binding = tuple[str, ...] | ast.AST | None


def _module_bindings(tree: ast.Module) -> dict[str, list[Binding]]:
    """How each name is bound at the module's top level (also under ``if``/``try``/
    loops), not in its functions or classes."""
    out: dict[str, list[Binding]] = {}

    def bind(target: ast.AST | None, value: Binding) -> None:
        for n in ast.walk(target) if target is not None else ():
            if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load):
                out.setdefault(n.id, []).append(value)

    def visit(body: list[ast.stmt]) -> None:
        for st in body:
            if isinstance(st, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                out.setdefault(st.name, []).append(st)
                continue
            if isinstance(st, ast.Import):
                for a in st.names:
                    out.setdefault(a.asname or a.name.split(".")[0], []).append(("import", a.name))
            elif isinstance(st, ast.ImportFrom):
                for a in st.names:
                    out.setdefault(a.asname or a.name, []).append(("from", st.module or "", a.name))
            elif isinstance(st, ast.Assign):
                for t in st.targets:
                    bind(t, st.value)
            elif isinstance(st, ast.AnnAssign):
                bind(st.target, st.value)
            else:
                for unknown in [getattr(st, "target", None)] + [
                    item.optional_vars for item in getattr(st, "items", [])
                ]:
                    bind(unknown, None)
            for node in ast.walk(st):  # (add := _add) anywhere in a statement
                if isinstance(node, ast.NamedExpr):
                    bind(node.target, node.value)
            for field in ("body", "orelse", "finalbody"):
                visit(getattr(st, field, []))
            for handler in getattr(st, "handlers", []):
                if handler.name:
                    out.setdefault(handler.name, []).append(None)
                visit(handler.body)
            for case in getattr(st, "cases", []):
                visit(case.body)

    visit(tree.body)
    return out


class _Reach:
    """Whether an expression (a decorator, a metaclass) may bring an object with examples
    of its own: it names a documented name (``mul``, ``_add``; a class holding some), a
    string with examples, a name of a module the edit changes, or a name bound to what
    is not known; followed through the module's definitions and assigned values that it
    names (``swap``'s body, with an inner ``_add`` documented to expect the bug)."""

    def __init__(self, tree: ast.Module, documented: set[str], edited: frozenset[str]) -> None:
        self.binds = _module_bindings(tree)
        self.tops = {name.split(".")[0] for name in documented}
        self.edited = edited
        self.memo: dict[int, bool] = {}

    def __call__(self, node: ast.AST | None) -> bool:
        if node is None:
            return True  # a value not known
        if id(node) in self.memo:
            return self.memo[id(node)]
        self.memo[id(node)] = False  # (a definition that names itself)
        found = any(self._brings(n) for n in _free(node, frozenset()))
        self.memo[id(node)] = found
        return found

    def reached(self, node: ast.AST) -> list[ast.AST]:
        """The module's definitions and assigned values that ``node`` names, and those
        that they name, in turn."""
        out: list[ast.AST] = []
        todo, seen = [node], {id(node)}
        while todo:
            for n in _free(todo.pop(), frozenset()):
                if isinstance(n, ast.Name):
                    for how in self.binds.get(n.id, ()):
                        if isinstance(how, ast.AST) and id(how) not in seen:
                            seen.add(id(how))
                            out.append(how)
                            todo.append(how)
        return out

    def _brings(self, n: ast.AST) -> bool:
        if isinstance(n, ast.Constant):
            return isinstance(n.value, str) and not holds_no_examples(n)
        if not isinstance(n, ast.Name) or not isinstance(n.ctx, ast.Load):
            return False
        if n.id in self.tops:
            return True
        for how in self.binds.get(n.id, ()):
            if isinstance(how, tuple):
                if set(how[1].split(".")) & self.edited or how[-1] in self.edited:
                    return True  # (a module of the edit: its decorator is not seen here)
            elif self(how):
                return True
        return False


def _returns_wrapped(func: ast.FunctionDef, factory: bool = False) -> bool:
    """Whether the decorator ``func`` returns what it was given (its first parameter) or a
    function of its own made with ``functools.wraps`` of it (so that the docstring doctest
    finds is the decorated function's, and its examples run against what the name now
    holds); ``factory``: ``func`` makes such a decorator (``@retry(3)``).  Only plain
    ``return NAME`` statements."""
    params = [a.arg for a in (*func.args.posonlyargs, *func.args.args)]
    inner = {
        st.name: st for st in func.body if isinstance(st, (ast.FunctionDef, ast.AsyncFunctionDef))
    }
    returns = [n for n in own_nodes(func) if isinstance(n, ast.Return)]
    if not returns or not params:
        return False
    for ret in returns:
        name = ret.value.id if isinstance(ret.value, ast.Name) else None
        if name is None:
            return False
        if factory:
            made = inner.get(name)
            if not (isinstance(made, ast.FunctionDef) and _returns_wrapped(made)):
                return False
        elif name != params[0]:
            made = inner.get(name)
            if made is None or not any(_wraps_of(d, params[0]) for d in made.decorator_list):
                return False
    return True


def _wraps_of(dec: ast.expr, param: str) -> bool:
    """``@functools.wraps(param)`` / ``@wraps(param)``."""
    return (
        isinstance(dec, ast.Call)
        and _text(dec.func) in ("wraps", "functools.wraps")
        and len(dec.args) == 1
        and not dec.keywords
        and isinstance(dec.args[0], ast.Name)
        and dec.args[0].id == param
    )


def _free(node: ast.AST, local: frozenset[str]) -> Iterator[ast.AST]:
    """The string constants of ``node`` and the names it reads that are not its
    functions' own (parameters, names they assign): those of the module.  (Iterative: a
    long chain of ``+`` nests deeper than Python's recursion limit.)"""
    todo: list[tuple[ast.AST, frozenset[str]]] = [(node, local)]
    while todo:
        n, names = todo.pop()
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            a = n.args
            outside = [*getattr(n, "decorator_list", []), *a.defaults, *a.kw_defaults]
            todo.extend((d, names) for d in outside if d is not None)
            every = [*a.posonlyargs, *a.args, *a.kwonlyargs, a.vararg, a.kwarg]
            body: list[ast.AST] = list(n.body) if isinstance(n.body, list) else [n.body]
            own = names | {p.arg for p in every if p is not None} | _assigned(body)
            todo.extend((st, own) for st in body)
        elif isinstance(n, ast.Name):
            if isinstance(n.ctx, ast.Load) and n.id not in names:
                yield n
        elif isinstance(n, ast.Constant):
            yield n
        else:
            todo.extend((child, names) for child in ast.iter_child_nodes(n))


def _assigned(body: list[ast.AST]) -> set[str]:
    """The names a function body binds itself (not in the functions in it), less those
    it declares ``global``/``nonlocal``."""
    out: set[str] = set()
    declared: set[str] = set()
    todo: list[ast.AST] = list(body)
    while todo:
        n = todo.pop()
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            out.add(n.name)
            todo.extend(getattr(n, "decorator_list", []))
            continue
        if isinstance(n, ast.Lambda):
            continue
        if isinstance(n, (ast.Global, ast.Nonlocal)):
            declared.update(n.names)
        elif isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load):
            out.add(n.id)
        elif isinstance(n, (ast.Import, ast.ImportFrom)):
            out.update((a.asname or a.name).split(".")[0] for a in n.names)
        elif isinstance(n, ast.ExceptHandler) and n.name:
            out.add(n.name)
        todo.extend(ast.iter_child_nodes(n))
    return out - declared


def decorations(tree: ast.Module, documented: set[str], edited: frozenset[str]) -> Counter[str]:
    """The decorators (and metaclasses) of a documented definition, or of a class
    holding documented names, that may bring an object with examples of its own
    (:class:`_Reach`), unless a decorator of the module that returns what it is given or
    a ``functools.wraps`` of it; with the definitions they reach, so that an edit
    changing one (``swap``'s body) counts again."""
    reach = _Reach(tree, documented, edited)
    found: Counter[str] = Counter()

    def visit(body: list[ast.stmt], scope: str) -> None:
        for st in body:
            if isinstance(st, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                qual = scope + st.name
                holds = qual in documented or any(d.startswith(qual + ".") for d in documented)
                meta = [k.value for k in getattr(st, "keywords", []) if k.arg == "metaclass"]
                for dec in [*st.decorator_list, *meta] if holds else ():
                    if _local_wrapper(dec, reach.binds) or not reach(dec):
                        continue
                    how = "metaclass=" if dec in meta else "@"
                    seen = "".join(ast.dump(n) for n in [dec, *reach.reached(dec)])
                    digest = hashlib.sha256(seen.encode()).hexdigest()[:12]
                    found[f"decorates {qual} with {how}{_text(dec)} (def:{digest})"] += 1
                if isinstance(st, ast.ClassDef):
                    visit(st.body, qual + ".")
            elif not isinstance(st, ast.expr):
                for field in ("body", "orelse", "finalbody"):
                    visit(getattr(st, field, []), scope)
                for handler in getattr(st, "handlers", []):
                    visit(handler.body, scope)

    visit(tree.body, "")
    return found


def _local_wrapper(dec: ast.expr, binds: dict[str, list[Binding]]) -> bool:
    """``@logged`` / ``@retry(3)`` where the module defines ``logged`` (once) as a
    decorator returning a ``functools.wraps`` of what it is given."""
    called = isinstance(dec, ast.Call)
    name = dec.func if isinstance(dec, ast.Call) else dec
    how = binds.get(name.id, []) if isinstance(name, ast.Name) else []
    return (
        len(how) == 1
        and isinstance(how[0], ast.FunctionDef)
        and _returns_wrapped(how[0], factory=called)
    )
