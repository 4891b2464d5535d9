"""What a documented name holds when doctest looks.

doctest runs, as ``add``'s doctest, the examples of whatever the module's name ``add``
(or the class attribute ``Calc.add``) holds, and those examples call whatever ``add``
holds.  The doctest rule (:mod:`.doctests`) compares ``add``'s docstring as written; an
edit that leaves it alone but makes ``add`` hold another function runs other examples
under ``add``'s name: a broken ``_add`` whose own examples expect the bug, or ``mul``
with ``mul``'s examples, and the doctest that checked ``add`` passes with ``add`` broken.
So the harness tripwire (:mod:`.harness`) refuses an edit whose code gains, for a name
documented with examples (before or after the edit):

- a binding other than its ``def``/``class``: ``add = _add``, an import as ``add``,
  ``global add`` in a function that assigns it, ``(add := _add)`` (``rebinds add``);
- a decorator (or a metaclass), on it or on a class that holds documented names, that
  may bring an object with examples of its own (:mod:`.docdecorators`): one that names,
  itself or through the module's functions and values it names, a documented name
  (``mul``, ``_add``), a string with examples, a value not known, or a module the edit
  changes; again when the edit changes what it reaches (``swap``'s body).  Not a
  library's (``@functools.lru_cache``, numpy's ``@array_function_dispatch(_dispatcher)``)
  nor the module's own decorator returning a ``functools.wraps`` of what it is given:
  the examples that run are then the user's, against what ``add`` now holds;
- a write to a namespace by name: ``globals()["add"]``, ``vars()["add"]``, a
  ``__dict__``, ``.update(add=...)``, ``setattr(sys.modules[__name__], "add", ...)``,
  ``sys.modules[__name__].add = ...``, ``Calc.add = ...`` / ``cls.add = ...`` (not
  ``self.add``), or one to a module's namespace whose key is computed and may be any
  name (``globals()[name] = ...``, ``setattr(sys.modules[m], name, ...)``);
- a docstring copied from another object at a module's top level:
  ``@functools.wraps(_add)`` / ``update_wrapper(add, mul)`` (a decorator's
  ``wraps(func)``, inside a function, is the decorator rule's), and ``__doc__`` set in a
  mapping (``type("D", (), {"__doc__": ...})``).

A tripwire, not a proof: code built at run time (``exec``) is not seen.
"""

from __future__ import annotations

import ast
import re
from collections import Counter

from ..edits import BOM
from ..pytrees import parse
from .docdecorators import decorations
from .doctests import OTHER_STRINGS, docstrings, holds_no_examples

#: the usual names of the class a class decorator, a metaclass or ``__init_subclass__``
#: is given
CLASS_PARAMS = frozenset({"cls", "klass", "mcs", "mcls", "metacls", "new_class"})
#: calls that return a namespace written to by key
NAMESPACE_CALLS = frozenset({"globals", "vars", "locals"})
#: dict methods that put or take away keys
KEY_WRITES = frozenset(
    {"update", "setdefault", "__setitem__", "__delitem__", "pop", "popitem", "clear"}
)


def doctest_name_changes(
    old: str | None, new: str, edited: frozenset[str] = frozenset()
) -> list[str]:
    """What ``new`` does, more often than ``old``, that may change what a name documented
    with examples (in ``old`` or ``new``) holds when doctest looks: ``rebinds add``,
    ``decorates add with @swap``, ``writes globals()['add']``, ``copies a docstring
    (functools.wraps(_add))``.  ``edited``: the names of the modules the edit changes
    (``helpers`` for ``pkg/helpers.py``), whose decorators are not seen from here.
    Empty when either does not parse."""
    trees = []
    documented: set[str] = set()
    for text in (old or "", new):
        text = text.removeprefix(BOM)
        try:
            trees.append(parse(text))
        except (SyntaxError, ValueError, RecursionError):
            return []
        documented |= set(docstrings(text) or {}) - {OTHER_STRINGS, ""}
    if not documented:
        return []
    try:
        before, after = (_changes(tree, documented, edited) for tree in trees)
    except RecursionError:  # (nested too deeply for us to read: nor to judge)
        return ["is nested too deeply to be read"]
    # (a decorator the module defines is told by its definition: not shown)
    return sorted({re.sub(r" \(def:[0-9a-f ]*\)$", "", k) for k in after - before})


def _changes(tree: ast.Module, documented: set[str], edited: frozenset[str]) -> Counter[str]:
    found = Counter({f"rebinds {n}": k for n, k in _bindings(tree).items() if n in documented})
    found.update(decorations(tree, documented, edited))
    finder = _Writes(documented)
    finder.visit(tree)
    found.update(finder.found)
    return found


def _bindings(tree: ast.Module) -> Counter[str]:
    """How often each name of the module (``add``) or of a class (``Calc.add``) is bound
    by a statement other than its ``def``/``class`` (also under ``if``/``try``/loops)."""
    found: Counter[str] = Counter()

    def names(node: ast.AST | None, scope: str) -> None:
        for n in ast.walk(node) if node is not None else ():
            if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load):
                found[scope + n.id] += 1

    def visit(body: list[ast.stmt], scope: str) -> None:
        for st in body:
            if isinstance(st, ast.ClassDef):
                visit(st.body, f"{scope}{st.name}.")
                continue
            if isinstance(st, (ast.FunctionDef, ast.AsyncFunctionDef)):
                glob = {g for n in ast.walk(st) if isinstance(n, ast.Global) for g in n.names}
                for n in ast.walk(st):  # global add; add = ...
                    if isinstance(n, ast.Name) and n.id in glob and not isinstance(n.ctx, ast.Load):
                        found[n.id] += 1
                continue
            if isinstance(st, (ast.Import, ast.ImportFrom)):
                for alias in st.names:
                    found[scope + (alias.asname or alias.name.split(".")[0])] += 1
            for t in getattr(st, "targets", None) or [getattr(st, "target", None)] + [
                item.optional_vars for item in getattr(st, "items", [])
            ]:
                if not (isinstance(st, ast.AnnAssign) and st.value is None):
                    names(t, scope)
            for child in ast.iter_child_nodes(st):  # walrus: (add := _add)
                for n in ast.walk(child) if isinstance(child, ast.expr) else ():
                    if isinstance(n, ast.NamedExpr):
                        names(n.target, scope)
            for field in ("body", "orelse", "finalbody"):
                visit(getattr(st, field, []), scope)
            for handler in getattr(st, "handlers", []):
                if handler.name:
                    found[scope + handler.name] += 1
                visit(handler.body, scope)
            for case in getattr(st, "cases", []):
                visit(case.body, scope)

    visit(tree.body, "")
    return found


def _text(node: ast.AST) -> str:
    text = ast.unparse(node)
    return text if len(text) <= 60 else text[:57] + "..."


class _Writes(ast.NodeVisitor):
    """Writes by name to a namespace, and docstrings copied from another object."""

    def __init__(self, documented: set[str]) -> None:
        self.documented = documented
        self.leaves = {name.rsplit(".", 1)[-1] for name in documented}  # ``add``
        self.found: Counter[str] = Counter()
        self.dicts: set[str] = set()  # names bound to vars(x), x.__dict__
        self.module_dicts: set[str] = set()  # names bound to globals(), a module's __dict__
        self.modules: set[str] = set()  # names bound to a module object
        self.params: list[set[str]] = []  # the parameters of the enclosing functions

    # -- what a name or an expression is
    def _is_dict(self, node: ast.expr) -> bool:
        """A mapping of names to objects: ``globals()``, ``vars(x)``, ``x.__dict__``."""
        if isinstance(node, ast.Name):
            return node.id in self.dicts or node.id in self.module_dicts
        if isinstance(node, ast.Attribute):
            return node.attr == "__dict__"
        return (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in NAMESPACE_CALLS
        )

    def _is_module_dict(self, node: ast.expr) -> bool:
        """A module's namespace: ``globals()``, ``vars()``, ``locals()`` (at the top
        level, the module's), ``vars(module)``, ``module.__dict__``; not an object's
        (``self.__dict__``, which doctest does not read)."""
        if isinstance(node, ast.Name):
            return node.id in self.module_dicts
        if isinstance(node, ast.Attribute):
            return node.attr == "__dict__" and self._is_module(node.value)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            if node.func.id in ("globals", "locals"):
                return True
            return node.func.id == "vars" and (not node.args or self._is_module(node.args[0]))
        return False

    def _is_module(self, node: ast.expr) -> bool:
        """``sys.modules[...]``, ``sys.modules.get(...)``, ``import_module(...)``,
        ``__import__(...)``, a name bound to one of them."""
        if isinstance(node, ast.Name):
            return node.id in self.modules
        if isinstance(node, ast.Subscript):
            return isinstance(node.value, ast.Attribute) and node.value.attr == "modules"
        if isinstance(node, ast.Call):
            f = node.func
            name = f.id if isinstance(f, ast.Name) else getattr(f, "attr", "")
            if name in ("import_module", "__import__"):
                return True
            return (
                name == "get"
                and isinstance(f, ast.Attribute)
                and getattr(f.value, "attr", "") == "modules"
            )
        return False

    def _key(self, where: str, key: ast.expr | None, call: str = "", any_key: bool = True) -> None:
        """A write of ``key`` (None: keys not known, ``**kw``) to ``where``, by ``call``
        (``setattr``) or by subscript; ``any_key``: a key not known counts (a module's
        namespace), else only a documented name does."""
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            if key.value not in self.leaves:
                return
            what = repr(key.value)
        elif isinstance(key, ast.Constant) or not any_key:
            return
        else:
            what = _text(key) if key else "..."
        self.found[f"{call}({where}, {what}, ...)" if call else f"writes {where}[{what}]"] += 1

    # -- bindings of the names above
    def visit_Assign(self, node: ast.Assign) -> None:
        for t in node.targets:
            if isinstance(t, ast.Name):
                if self._is_module_dict(node.value):
                    self.module_dicts.add(t.id)
                elif self._is_dict(node.value):
                    self.dicts.add(t.id)
                elif self._is_module(node.value):
                    self.modules.add(t.id)
        self.generic_visit(node)

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> None:
        a = node.args
        outside = [*getattr(node, "decorator_list", []), *a.defaults, *a.kw_defaults]
        for n in outside:  # evaluated where the function is defined
            if n is not None:
                self.visit(n)
        every = [*a.posonlyargs, *a.args, *a.kwonlyargs, a.vararg, a.kwarg]
        self.params.append({p.arg for p in every if p is not None})
        body = node.body if isinstance(node.body, list) else [node.body]
        for st in body:
            self.visit(st)
        self.params.pop()

    visit_FunctionDef = visit_AsyncFunctionDef = visit_Lambda = _function  # type: ignore[assignment]

    # -- writes
    def visit_Subscript(self, node: ast.Subscript) -> None:
        if not isinstance(node.ctx, ast.Load) and self._is_dict(node.value):
            self._key(_text(node.value), node.slice, any_key=self._is_module_dict(node.value))
        self.generic_visit(node)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if not isinstance(node.ctx, ast.Load) and node.attr in self.leaves:
            owner = node.value
            if (
                self._is_module(owner)
                or _text(node) in self.documented
                or (isinstance(owner, ast.Name) and owner.id in CLASS_PARAMS)
            ):  # sys.modules[__name__].add = ..., Calc.add = ..., cls.add = ...
                self.found[f"writes {_text(node)}"] += 1
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        f = node.func
        name = f.id if isinstance(f, ast.Name) else getattr(f, "attr", "")
        args = node.args
        if name in KEY_WRITES and isinstance(f, ast.Attribute) and self._is_dict(f.value):
            where, any_key = _text(f.value), self._is_module_dict(f.value)
            keys: list[ast.expr | None] = [args[0] if args else None]
            if name == "update":
                keys = [k for a in args for k in (a.keys if isinstance(a, ast.Dict) else [None])]
                keys += [ast.Constant(kw.arg) if kw.arg else None for kw in node.keywords]
            elif name in ("popitem", "clear"):
                keys = [None]
            for k in keys:
                self._key(where, k, any_key=any_key)
        if name in ("setattr", "delattr") and len(args) > 1:
            key = args[1]
            self._key(_text(args[0]), key, call=name, any_key=self._is_module(args[0]))
        if name in ("__setattr__", "__delattr__") and args:  # X.__setattr__("add", v)
            key = args[1] if len(args) > 2 or not isinstance(f, ast.Attribute) else args[0]
            if isinstance(key, ast.Constant):
                self._key(_text(f.value) if isinstance(f, ast.Attribute) else "", key, call=name)
        if name in ("wraps", "update_wrapper"):
            wrapped = args[0] if name == "wraps" and args else args[1] if len(args) > 1 else None
            for kw in node.keywords:
                wrapped = kw.value if kw.arg == "wrapped" else wrapped
            if wrapped is not None and not self._own(wrapped):
                self.found[f"copies a docstring ({name}({_text(wrapped)}))"] += 1
        for kw in node.keywords:  # dict(__doc__=...), type(..., __doc__=...)
            if kw.arg in ("__doc__", "__test__") and not holds_no_examples(kw.value):
                self.found[f"sets {kw.arg} in {_text(f)}(...)"] += 1
        self.generic_visit(node)

    def visit_Dict(self, node: ast.Dict) -> None:  # type("D", (), {"__doc__": ...})
        for k, v in zip(node.keys, node.values):
            key = k.value if isinstance(k, ast.Constant) else None
            if key in ("__doc__", "__test__") and not holds_no_examples(v):
                self.found[f"sets {key} in a mapping"] += 1
        self.generic_visit(node)

    def _own(self, wrapped: ast.expr) -> bool:
        """Whether ``wrapped`` is what a decorator was given: anything inside a function
        (a parameter, ``self.func``, ``cls.__init__``; what that function returns is
        what the decorator rule judges), not a module's name (``wraps(mul)``)."""
        return bool(self.params)
