"""The Python reader of the harness tripwire (:mod:`.harness`): what a Python module does
with the test harness.

An assignment to, ``del`` of, or ``setattr`` / ``delattr`` / ``__setattr__`` /
``mock.patch.object`` on, something reached through ``unittest``, ``pytest``,
``_pytest``, ``doctest``, pytest-xdist's ``xdist`` and ``execnet`` or ``builtins`` (by a name imported from them, a name bound to
one of their objects, ``__builtins__``, ``sys.modules["unittest"]``,
``__import__("unittest")`` or ``importlib.import_module``); one of those modules put into
or taken out of ``sys.modules``; the names of the runner's result protocol, pytest's
hooks, xdist's worker, ``sys.pycache_prefix``; an assignment to ``__doc__`` or ``__test__`` of a value that may hold examples.
"""

from __future__ import annotations

import ast
from collections import Counter

from ..pytrees import parse
from .doctests import holds_no_examples
from .harness_names import (
    ALWAYS_TRUE,
    DOCTEST_NAMES,
    HARNESS_NAMES,
    REACHED_MODULES,
    TEST_MODULE,
)


def _chain_root(node: ast.expr) -> str | None:
    """``a`` for ``a.b.c`` / ``a.b[0].c``; None for anything else."""
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _unparse(node: ast.AST) -> str:
    text = ast.unparse(node)
    return text if len(text) <= 60 else text[:57] + "..."


def _module_name(node: ast.expr | None) -> str | None:
    """The text of a string constant naming one of :data:`REACHED_MODULES` (or a
    submodule of one), else None."""
    if (
        isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and node.value.split(".")[0] in REACHED_MODULES
    ):
        return node.value
    return None


#: ``sys.modules`` methods that put or take away a module
_SYS_MODULES_CHANGES = frozenset(
    {"pop", "setdefault", "update", "clear", "__setitem__", "__delitem__", "popitem"}
)


def _prefix(key: ast.expr | None) -> str | None:
    """The package a computed module name is under: ``"pip._vendor."`` of
    ``"pip._vendor." + name`` or ``f"pip._vendor.{name}"``, ``__name__ + ".x"`` (the
    module's own); None when the name may be anything (``sys.modules[name]``)."""
    if isinstance(key, ast.BinOp) and isinstance(key.op, ast.Add):
        left = key.left
        if isinstance(left, ast.Name) and left.id == "__name__":
            return "__name__."
        return _prefix(left) if not isinstance(left, ast.Constant) else _dotted(left.value)
    if isinstance(key, ast.JoinedStr) and key.values and isinstance(key.values[0], ast.Constant):
        return _dotted(key.values[0].value)
    return None


def _dotted(text: object) -> str | None:
    """``text`` when it is a package's prefix (ends with a dot), else None."""
    return text if isinstance(text, str) and "." in text and text.endswith(".") else None


class _Finder(ast.NodeVisitor):
    """What a module does with the test harness: a Counter of findings."""

    def __init__(self) -> None:
        self.harness: set[str] = set()  # local names bound to the harness's modules/objects
        self.sys: set[str] = set()  # local names of ``sys``
        self.modules: set[str] = set()  # local names of ``sys.modules``
        self.found: Counter[str] = Counter()

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            top = alias.name.split(".")[0]
            if top in REACHED_MODULES:
                self.harness.add((alias.asname or alias.name).split(".")[0])
            if alias.name == "sys":
                self.sys.add(alias.asname or "sys")
            self._name(alias.name.split(".")[-1])

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        module = node.module or ""
        if module.split(".")[0] in REACHED_MODULES and not module.startswith("unittest.mock"):
            self.harness.update(a.asname or a.name for a in node.names if a.name != "mock")
            self._name(module.split(".")[0])
        if module == "sys":
            self.modules.update(a.asname or a.name for a in node.names if a.name == "modules")
        for alias in node.names:
            self._name(alias.name)

    def _is_sys_modules(self, node: ast.expr) -> bool:
        if isinstance(node, ast.Name):
            return node.id in self.modules
        return (
            isinstance(node, ast.Attribute)
            and node.attr == "modules"
            and isinstance(node.value, ast.Name)
            and node.value.id in self.sys
        )

    def _names_module(self, node: ast.expr) -> bool:
        """Whether ``node`` itself is one of the reached modules: a name bound to it,
        ``__builtins__``, ``sys.modules["unittest"]`` (or ``.get``),
        ``__import__("unittest")``, ``importlib.import_module("pytest")``."""
        if isinstance(node, ast.Name):
            return node.id in self.harness or node.id == "__builtins__"
        if isinstance(node, ast.Subscript):
            return self._is_sys_modules(node.value) and _module_name(node.slice) is not None
        if isinstance(node, ast.Call) and node.args:
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            if name in ("__import__", "import_module"):
                return _module_name(node.args[0]) is not None
            return (
                name == "get"
                and isinstance(func, ast.Attribute)
                and self._is_sys_modules(func.value)
                and _module_name(node.args[0]) is not None
            )
        return False

    def _reaches(self, node: ast.expr) -> bool:
        """Whether ``node`` is, or is reached through, a module of the test harness or
        ``builtins``: ``unittest.TestCase``, ``sys.modules["pytest"].raises``,
        ``getattr(unittest, "TestCase")``, ..."""
        while True:
            if self._names_module(node):
                return True
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "getattr"
                and node.args
            ):
                node = node.args[0]
                continue
            if not isinstance(node, (ast.Attribute, ast.Subscript)):
                return False
            node = node.value

    def _may_be(self, value: ast.expr) -> bool:
        """Whether the value ``value`` may be a harness object: it reaches one, or one
        of its branches does (``a if c else b``, ``a or b``, ``(a, b)``, ``x := a``)."""
        if isinstance(value, ast.IfExp):
            return self._may_be(value.body) or self._may_be(value.orelse)
        if isinstance(value, ast.BoolOp):
            return any(self._may_be(v) for v in value.values)
        if isinstance(value, (ast.Tuple, ast.List, ast.Set)):
            return any(self._may_be(v) for v in value.elts)
        if isinstance(value, ast.NamedExpr):
            return self._may_be(value.value)
        return self._reaches(value)

    def _bind(self, targets: list[ast.expr], value: ast.expr) -> None:
        """Names bound to what may be a harness object count as one."""
        if not self._may_be(value):
            return
        for t in targets:  # names, also in tuples; not ``obj.attr = ...``'s obj
            if isinstance(t, ast.Name):
                self.harness.add(t.id)
            elif isinstance(t, (ast.Tuple, ast.List)):
                self._bind(t.elts, value)
            elif isinstance(t, ast.Starred):
                self._bind([t.value], value)

    def _target(self, target: ast.expr, no_examples: bool = False) -> None:
        """``no_examples``: what is assigned cannot hold doctest examples
        (:func:`.doctests.holds_no_examples`)."""
        if isinstance(target, (ast.Tuple, ast.List)):
            for t in target.elts:
                self._target(t)
        elif isinstance(target, (ast.Attribute, ast.Subscript)) and self._reaches(target):
            self.found[f"changes {_unparse(target)}"] += 1
        elif (
            getattr(target, "attr", getattr(target, "id", None)) in DOCTEST_NAMES
            and not no_examples
        ):
            self.found[f"changes {_unparse(target)}"] += 1  # the doctests doctest runs

    def visit_Assign(self, node: ast.Assign) -> None:
        for t in node.targets:
            self._target(t, holds_no_examples(node.value))
            if isinstance(t, ast.Subscript) and self._is_sys_modules(t.value):
                self._module_put(t.slice)
            if isinstance(t, ast.Name) and isinstance(node.value, ast.Lambda):
                self._comparison(t.id, node.value.body)  # __eq__ = lambda self, o: True
        self._bind(node.targets, node.value)  # tc = sys.modules["unittest"].TestCase
        self.generic_visit(node)

    def visit_NamedExpr(self, node: ast.NamedExpr) -> None:
        self._bind([node.target], node.value)
        self.generic_visit(node)

    def visit_For(self, node: ast.For) -> None:
        self._bind([node.target], node.iter)  # for tc in (unittest.TestCase, ...)
        self.generic_visit(node)

    visit_AsyncFor = visit_For  # type: ignore[assignment]

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        self._target(node.target)
        self.generic_visit(node)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        self._target(node.target, node.value is None or holds_no_examples(node.value))
        self.generic_visit(node)

    def visit_Delete(self, node: ast.Delete) -> None:
        for t in node.targets:
            self._target(t)
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        # setattr(X, ...), type.__setattr__(X, ...), mock.patch.object(X, ...)
        if (
            name in ("setattr", "delattr", "__setattr__", "__delattr__", "object")
            and node.args
            and self._reaches(node.args[0])
        ):
            self.found[f"{name}({_unparse(node.args[0])}, ...)"] += 1
        key = node.args[1] if name in ("setattr", "delattr") and len(node.args) > 1 else None
        value = node.args[2] if name == "setattr" and len(node.args) > 2 else None
        if (
            isinstance(key, ast.Constant)
            and key.value in DOCTEST_NAMES
            and not holds_no_examples(value)
        ):  # setattr(f, "__doc__", ...), delattr(f, "__test__")
            self.found[f"{name}({_unparse(node.args[0])}, {key.value!r}, ...)"] += 1
        if (
            name in ("__setattr__", "__delattr__")
            and isinstance(func, ast.Attribute)
            and self._reaches(func.value)
        ):  # X.__setattr__(name, value)
            self.found[f"changes {_unparse(func.value)}"] += 1
        if name == "patch" and node.args and _module_name(node.args[0]):  # patch("builtins.x")
            self.found[f"patches {_module_name(node.args[0])}"] += 1
        if (
            name in _SYS_MODULES_CHANGES
            and isinstance(func, ast.Attribute)
            and self._is_sys_modules(func.value)
        ):
            self._sys_modules_call(name, node)
        self.generic_visit(node)

    def _module_put(self, key: ast.expr | None) -> None:
        """A module put into ``sys.modules`` under ``key``: pytest imports a test module
        by its name, so one put there under a test module's name (``test_mul``, hollow
        tests compiled with its path) runs in its place.  Not the module's own
        (``sys.modules[__name__] = ...``, a lazy module)."""
        if isinstance(key, ast.Name) and key.id == "__name__":
            return
        name = key.value if isinstance(key, ast.Constant) else _prefix(key)
        pieces = [n.value for n in ast.walk(key) if isinstance(n, ast.Constant)] if key else []
        if name is None or any(isinstance(p, str) and TEST_MODULE.search(p) for p in pieces):
            shown = _unparse(key) if key is not None else "..."
            self.found[f"puts a module into sys.modules[{shown}]"] += 1

    def _sys_modules_call(self, name: str, node: ast.Call) -> None:
        """``sys.modules.pop("pytest")``, ``.update({"unittest": fake})``, ``.clear()``."""
        keys: list[ast.expr | None] = list(node.args[:1])
        if name == "update" and node.args and isinstance(node.args[0], ast.Dict):
            keys = list(node.args[0].keys)
        elif name == "update":
            keys = [None]  # (keys not known)
        keys += [ast.Constant(k.arg) for k in node.keywords if k.arg]
        if name in ("update", "setdefault", "__setitem__"):
            for key in keys:
                self._module_put(key)
        names = [m for m in map(_module_name, keys) if m]
        for module in names:
            self.found[f"changes sys.modules[{module!r}]"] += 1
        if name in ("clear", "popitem"):
            self.found[f"changes sys.modules ({name})"] += 1

    def visit_Name(self, node: ast.Name) -> None:
        self._name(node.id)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        self._name(node.attr)
        self.generic_visit(node)

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self._name(node.name)
        self._comparison(node.name, node.body)
        self.generic_visit(node)

    def _comparison(self, name: str, body: list[ast.stmt] | ast.expr) -> None:
        """A comparison that holds whatever it compares: ``__eq__`` (``__contains__``,
        ``__lt__``...) that returns only a true constant, ``__ne__`` only a false one.
        A test's ``assert add(2, 3) == 5`` (``assertEqual`` too) then passes whatever
        ``add`` returns."""
        if name not in ALWAYS_TRUE and name != "__ne__":
            return
        if isinstance(body, ast.expr):
            values: list[ast.expr | None] = [body]
        else:
            values = [n.value for st in body for n in ast.walk(st) if isinstance(n, ast.Return)]
        consts = [v.value for v in values if isinstance(v, ast.Constant)]
        if (
            values
            and len(consts) == len(values)
            and all(bool(c) == (name != "__ne__") for c in consts)
        ):
            self.found[f"makes {name} always {name != '__ne__'}"] += 1

    visit_AsyncFunctionDef = visit_FunctionDef  # type: ignore[assignment]

    def visit_Constant(self, node: ast.Constant) -> None:
        if isinstance(node.value, str):
            self._name(node.value)

    def _name(self, name: str) -> None:
        if name in HARNESS_NAMES:
            self.found[f"uses {name}"] += 1


def harness_uses(text: str) -> Counter[str]:
    """What the Python module ``text`` does with the test harness (empty when it does
    not parse: the syntax check reports that; also when it nests too deeply for
    ``ast.parse``, which the syntax check's ``compile`` reports too)."""
    finder = _Finder()
    try:
        finder.visit(parse(text))
    except (SyntaxError, ValueError):
        return Counter()
    except RecursionError:  # (nested too deeply for us to read: nor to judge)
        return Counter({"is nested too deeply to be read": 1})
    return finder.found


#: the streams a runner whose report is its printed output writes it to (unittest's
#: ``-v`` lines and Django's go to stderr; both, for a runner of the future)
_STREAMS = frozenset({"stdout", "stderr", "__stdout__", "__stderr__"})
#: calls that put something else behind a stream or a file descriptor
_REDIRECTS = frozenset({"dup2", "redirect_stdout", "redirect_stderr"})


class _OutputFinder(ast.NodeVisitor):
    """What a module does to the process's output: a Counter of findings."""

    def __init__(self) -> None:
        self.sys: set[str] = {"sys"}  # local names of ``sys``
        self.found: Counter[str] = Counter()

    def visit_Import(self, node: ast.Import) -> None:
        self.sys.update(a.asname or "sys" for a in node.names if a.name == "sys")

    def _stream(self, node: ast.expr) -> str | None:
        """``sys.stderr`` for ``sys.stderr`` and anything reached through it
        (``sys.stderr.write``); None otherwise."""
        while isinstance(node, ast.Attribute):
            if (
                node.attr in _STREAMS
                and isinstance(node.value, ast.Name)
                and node.value.id in self.sys
            ):
                return f"sys.{node.attr}"
            node = node.value
        return None

    def _store(self, targets: list[ast.expr]) -> None:
        for target in targets:
            for node in ast.walk(target):
                stream = self._stream(node) if isinstance(node, ast.Attribute) else None
                if stream:
                    self.found[f"replaces {stream}"] += 1
                    break

    def visit_Assign(self, node: ast.Assign) -> None:
        self._store(node.targets)
        self.generic_visit(node)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        self._store([node.target])
        self.generic_visit(node)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        self._store([node.target])
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        if name in _REDIRECTS:
            self.found[f"calls {name}"] += 1
        # closed, the next file opened takes the stream's descriptor
        fd = node.args[0].value if node.args and isinstance(node.args[0], ast.Constant) else None
        if name in ("close", "closerange") and fd in (1, 2):
            self.found[f"closes file descriptor {fd}"] += 1
        if name == "setattr" and len(node.args) >= 2:
            obj, attr = node.args[0], node.args[1]
            on_sys = isinstance(obj, ast.Name) and obj.id in self.sys
            # on sys: a stream's name, or a name that may be one; on a stream: anything
            named = attr.value if isinstance(attr, ast.Constant) else None
            if self._stream(obj) or (on_sys and (named is None or named in _STREAMS)):
                self.found["setattr on sys's streams"] += 1
        self.generic_visit(node)


def output_uses(text: str) -> Counter[str]:
    """What the Python module ``text`` does to the process's printed output: a stream of
    ``sys`` replaced (or written into), ``os.dup2``, ``contextlib.redirect_stderr``,
    ``os.close(2)``.
    Where the runner's report is what it prints (unittest's ``-v`` lines, Django's),
    code that does this can rewrite the report as it is written."""
    finder = _OutputFinder()
    try:
        finder.visit(parse(text))
    except (SyntaxError, ValueError, RecursionError):
        return Counter()
    return finder.found
