"""The parameters of a Python file's functions, for the guard that no edit drops what
nobody asked to remove (``definitions.dropped_definitions``).

A function the edit keeps but whose parameter it drops breaks every caller that passes
it, and a library's callers are mostly outside the repository: an edit asked to fix a
bug in ``parse(text, encoding="utf-8")`` that also drops ``encoding`` passes every test
that calls ``parse(text)``.  So each function's parameters are read from ``ast``, by
the function's path (``parse``, ``Reader.parse``; those of a module's or a class's
blocks too: ``if``, ``try``, ``with``, ``for``, ``while``, ``match``), and one the function had and no longer has is lost:

- unless the new signature still takes what callers passed: a keyword-only parameter
  gone into a new ``**kwargs``, a positional-only or a required one into ``*args``
  (``add(a, b)`` to ``add(*xs)``: it is passed by position), one with a default into
  both (it is often passed by keyword);
- a method's first parameter (``self``, ``cls``) is not compared, nor a function
  defined twice in the file (an ``@overload`` stub, a branch per Python version).

A parameter kept can break its callers too: made keyword-only (``parse(text, "latin-1")``
fails), positional-only (``parse(text, encoding="latin-1")`` fails) or required (its
default taken away: ``parse(text)`` fails).  :func:`changed_parameters` names those.

A web route's or a click command's function is called by its framework, by keyword
(FastAPI, Flask: ``view(**url_values)``; click: ``command(**params)``), and so is
a FastAPI dependency (a function or class the module passes to ``Depends``): a
parameter it takes in another place breaks no call, unless the framework passes it by
position (the first, ``request``/``ctx`` or one a ``@click.pass_*`` gives).  See
:func:`_called_by_keyword`.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import NamedTuple

from .parameters import moved, renamed
from .pytrees import cached, parse

#: (kind, name): "pos" positional only ("pos=" with a default), "any" positional or
#: keyword ("any=" with a default), "kw" keyword only ("kw=" with a default), "*" the
#: ``*args`` and "**" the ``**kwargs``
Parameter = tuple[str, str]


def _parameters(node: ast.FunctionDef | ast.AsyncFunctionDef, method: bool) -> list[Parameter]:
    a = node.args
    positional = [*a.posonlyargs, *a.args]
    first_default = len(positional) - len(a.defaults)  # (defaults are the last ones')
    out: list[Parameter] = [
        ("pos=" if k >= first_default else "pos", p.arg) for k, p in enumerate(a.posonlyargs)
    ]
    out += [
        ("any=" if len(a.posonlyargs) + k >= first_default else "any", p.arg)
        for k, p in enumerate(a.args)
    ]
    if method and out and not _static(node):
        out = out[1:]  # (self, cls: how the method is called, not what callers pass)
    if a.vararg is not None:
        out.append(("*", a.vararg.arg))
    out += [
        ("kw" if default is None else "kw=", p.arg)
        for p, default in zip(a.kwonlyargs, a.kw_defaults, strict=True)
    ]
    if a.kwarg is not None:
        out.append(("**", a.kwarg.arg))
    return out


def _static(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    return any(isinstance(d, ast.Name) and d.id == "staticmethod" for d in node.decorator_list)


def defined_functions(
    text: str,
) -> dict[str, list[ast.FunctionDef | ast.AsyncFunctionDef]] | None:
    """Each function of a Python text by its path (:func:`functions`) -> its definitions
    in the file's order (a property's getter and setter, one per platform); None when
    the text does not parse."""
    try:
        tree = parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    out: dict[str, list[ast.FunctionDef | ast.AsyncFunctionDef]] = {}
    for path, node, _ in functions(tree.body, "", False):
        out.setdefault(path, []).append(node)
    return out


def functions(
    body: list[ast.stmt], prefix: str, in_class: bool
) -> Iterator[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef, bool]]:
    """(path, node, whether a class defines it) for each function of ``body``, by its
    path (``parse``, ``Reader.parse``), those of its classes' and blocks' bodies too
    (``if``, ``try``, ``with``, ``for``, ``while``, ``match``); a nested function is not
    one (it is its function's code)."""
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield prefix + node.name, node, in_class
        elif isinstance(node, ast.ClassDef):
            yield from functions(node.body, f"{prefix}{node.name}.", True)
        else:  # a block's bodies: if, try (and except*), with, for, while, match
            for part in (
                getattr(node, "body", None),
                getattr(node, "orelse", None),
                getattr(node, "finalbody", None),
                *(h.body for h in getattr(node, "handlers", None) or ()),
                *(c.body for c in getattr(node, "cases", None) or ()),
            ):
                if isinstance(part, list) and part and isinstance(part[0], ast.stmt):
                    yield from functions(part, prefix, in_class)


def _called_by_pytest(
    node: ast.FunctionDef | ast.AsyncFunctionDef, path: str, test_module: bool
) -> bool:
    """Whether pytest calls the function, passing what its parameters name (a fixture, a
    hook ``pytest_*``, a test ``test*`` of a test module, at its top level or in a class
    ``Test*``): no caller passes it anything, so a parameter added, dropped or moved
    breaks nothing (``def test_add(tmp_path)``)."""
    if node.name.startswith("pytest_"):
        return True
    for d in node.decorator_list:
        target = d.func if isinstance(d, ast.Call) else d
        name = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")
        if name in ("fixture", "yield_fixture"):
            return True
    owner = path.rpartition(".")[0]
    return test_module and node.name.startswith("test") and (not owner or owner.startswith("Test"))


#: The decorators by which a web framework registers a route, called with its path
#: (``@app.get("/items")``, ``@bp.route("/")``, ``@router.post(path="/")``; not
#: ``@mock.patch("os.getcwd")``, whose mock is passed by position).
_ROUTES = frozenset(
    ("route", "get", "post", "put", "patch", "delete", "head", "options", "websocket", "api_route")
)
#: click's command (``@click.command()``, ``@cli.group()``) and the decorators that
#: declare its parameters (``@click.option("--n")``, ``@click.argument("src")``): with
#: both, the command line's order is the decorators', and the function is called by
#: keyword.  Not a command alone: typer's has a rule of its own (:func:`_typer_commands`),
#: discord.py's binds a message's words in the signature's order; nor an option alone
#: (IPython's ``@magic_arguments.argument``).
_COMMANDS = frozenset(("command", "group"))
_DECLARED = frozenset(("option", "argument"))

#: The names under which a framework passes its request or context by position, first
#: (Sanic, Starlette, aiohttp, Django Ninja: ``handler(request, **url_values)``; ``ctx``).
_PASSED_FIRST = frozenset(("request", "req", "ctx", "context"))


def _decorator_name(d: ast.expr) -> str:
    """The name a decorator or a call ends with: ``get`` of ``@app.get("/")``,
    ``Depends`` of ``Depends(paging)``, ``staticmethod``."""
    target = d.func if isinstance(d, ast.Call) else d
    return target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")


def _route(d: ast.expr) -> bool:
    """``@<something>.get("/path")``: a route's path (``/...`` or empty), given first or
    as ``path=``/``rule=``."""
    if not (isinstance(d, ast.Call) and isinstance(d.func, ast.Attribute)):
        return False
    if d.func.attr not in _ROUTES:
        return False
    first = (
        d.args[0]
        if d.args
        else next((k.value for k in d.keywords if k.arg in ("path", "rule")), None)
    )
    return (
        isinstance(first, ast.Constant)
        and isinstance(first.value, str)
        and first.value[:1] in ("", "/")
    )


#: FastAPI's markers of a dependency, which it calls with what its parameters name:
#: ``Depends(get_db)``, ``Security(get_user, scopes=[...])``, ``Depends(dependency=f)``
_DEPENDENCY_MARKERS = frozenset(("Depends", "Security"))


def _dependencies(tree: ast.Module) -> set[str]:
    """The names ``Depends(...)`` / ``Security(...)`` calls of the module are given: the
    functions and classes FastAPI calls (a class: its ``__init__``) by keyword."""
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _decorator_name(node) in _DEPENDENCY_MARKERS:
            given = node.args[:1] or [k.value for k in node.keywords if k.arg == "dependency"]
            out.update(g.id for g in given if isinstance(g, ast.Name))
    return out


class Callback(NamedTuple):
    """How a framework calls a function of the project: by keyword, but for its
    ``first`` parameters (by position); for a typer command, whose command line takes
    its ``arguments`` (those parameters, in order) by position, and its options by
    name."""

    first: int = 0
    arguments: tuple[str, ...] | None = None


#: typer's markers of a command line argument (else a parameter with a default is an
#: option): ``name: str = typer.Argument(...)``, ``Annotated[str, typer.Argument()]``
_TYPER_ARGUMENT, _TYPER_OPTION = "Argument", "Option"


def _typer_marker(p: ast.arg, default: ast.expr | None) -> str | None:
    """``Argument``/``Option`` where the parameter's annotation (``Annotated[...]``) or its
    default says which it is."""
    calls: list[ast.expr] = [default] if default is not None else []
    if isinstance(p.annotation, ast.Subscript) and isinstance(p.annotation.slice, ast.Tuple):
        calls += p.annotation.slice.elts[1:]
    for call in calls:
        if isinstance(call, ast.Call) and _decorator_name(call) in (_TYPER_ARGUMENT, _TYPER_OPTION):
            return _decorator_name(call)
    return None


def _typer_arguments(node: ast.FunctionDef | ast.AsyncFunctionDef) -> tuple[str, ...]:
    """The parameters a typer command takes as command line arguments, in order: those
    without a default or marked ``Argument`` (not one typed ``Context``)."""
    a = node.args
    positional = [*a.posonlyargs, *a.args]
    defaults: list[ast.expr | None] = [None] * (len(positional) - len(a.defaults))
    pairs = [*zip(positional, [*defaults, *a.defaults]), *zip(a.kwonlyargs, a.kw_defaults)]
    out = []
    for p, default in pairs:
        if p.annotation is not None and ast.unparse(p.annotation).endswith("Context"):
            continue
        marker = _typer_marker(p, default)
        if marker == _TYPER_ARGUMENT or (marker is None and default is None):
            out.append(p.arg)
    return tuple(out)


def _called_by_keyword(
    node: ast.FunctionDef | ast.AsyncFunctionDef, dependency: bool = False, typer: bool = False
) -> Callback | None:
    """How a web or command line framework calls the function (:class:`Callback`: by
    keyword, but for the ``request``, ``ctx`` or what a ``@click.pass_*`` decorator
    gives, first; a typer command's arguments in order), None if it is not such a
    callback.  ``dependency``: FastAPI calls it, for a ``Depends``; ``typer``: a typer
    command of the module's (``@app.command()``, ``typer.run(main)``)."""
    names = {_decorator_name(d) for d in node.decorator_list}
    command = bool(names & _COMMANDS and names & _DECLARED)
    if typer and not command:
        return Callback(0, _typer_arguments(node))
    if not (dependency or command or any(_route(d) for d in node.decorator_list)):
        return None
    if any(n.startswith("pass_") for n in names):
        return Callback(1)
    params = [*node.args.posonlyargs, *node.args.args]
    return Callback(1 if params and params[0].arg in _PASSED_FIRST else 0)


def _typer_commands(tree: ast.Module) -> set[str]:
    """The functions of a module that imports typer that typer runs: decorated with a
    ``command`` or a ``callback`` (``@app.command()``), or given to ``typer.run``."""
    imports = (n for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom)))
    if not any(
        (n.module or "").split(".")[0] == "typer"
        if isinstance(n, ast.ImportFrom)
        else any(a.name.split(".")[0] == "typer" for a in n.names)
        for n in imports
    ):
        return set()
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if {_decorator_name(d) for d in node.decorator_list} & {"command", "callback"}:
                out.add(node.name)
        elif isinstance(node, ast.Call) and _decorator_name(node) == "run":
            out.update(a.id for a in node.args[:1] if isinstance(a, ast.Name))
    return out


def _called_by_position(tree: ast.Module) -> set[str]:
    """The names the module calls with an argument by position (``list_items(0, 10)``,
    ``Filters("q")``): such a function is the module's to call, not its framework's
    alone."""
    return {
        node.func.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.args
    }


def keyword_called(text: str) -> dict[str, Callback]:
    """Each function's path -> how its framework calls it (:func:`_called_by_keyword`),
    for the route and command functions of ``text`` and its FastAPI dependencies (none
    when it does not parse)."""

    def read() -> dict[str, Callback]:
        try:
            tree = parse(text)
        except (SyntaxError, ValueError, RecursionError):
            return {}
        out: dict[str, Callback] = {}
        dependencies = _dependencies(tree)
        injected = dependencies | {f"{name}.__init__" for name in dependencies}
        typer = _typer_commands(tree)
        called = _called_by_position(tree)
        for path, node, _ in functions(tree.body, "", False):
            if path in called or path.removesuffix(".__init__") in called:
                continue  # (a view that another calls: ``return list_items(0, 10)``)
            how = _called_by_keyword(node, path in injected, path in typer)
            if how is not None:
                out[path] = how
        return out

    return cached("py.keyword_called", text, read)


def signatures(
    text: str, test_module: bool = False
) -> dict[str, tuple[int, list[Parameter]]] | None:
    """Each function's path -> (its 0-based ``def`` line, its parameters), for those
    defined once that something else than pytest calls; None when the text does not
    parse.  ``test_module``: the text is a test module (its ``test*`` functions are
    pytest's)."""

    def read() -> dict[str, tuple[int, list[Parameter]]] | None:
        try:
            tree = parse(text)
        except (SyntaxError, ValueError, RecursionError):
            return None
        out: dict[str, tuple[int, list[Parameter]]] = {}
        twice: set[str] = set()
        for path, node, method in functions(tree.body, "", False):
            if _called_by_pytest(node, path, test_module):
                continue
            if path in out:
                twice.add(path)
            line = min([node.lineno, *(d.lineno for d in node.decorator_list)]) - 1
            out[path] = (line, _parameters(node, method))
        for path in twice:
            del out[path]
        return out

    return cached(f"py.signatures.{test_module}", text, read)


def _taken(kind: str, after: list[Parameter]) -> bool:
    """Whether ``after`` still takes what a caller passed to a parameter of ``kind``."""
    kinds = {k for k, _ in after}
    if kind in ("pos", "pos=", "any"):  # (a required parameter is passed by position)
        return "*" in kinds
    if kind in ("kw", "kw="):
        return "**" in kinds
    if kind == "any=":  # (one with a default, often by keyword: ``encoding="latin-1"``)
        return "*" in kinds and "**" in kinds
    return kind in kinds  # (``*args`` renamed ``*rest``: the same callers)


def _kept(
    old: str, new: str, test_module: bool
) -> Iterator[tuple[str, int, list[Parameter], list[Parameter]]]:
    """(function path, its 0-based line in ``old``, its parameters before and after) for
    each function both texts define once (a function gone is the guard's other loss)."""
    before, after = signatures(old, test_module), signatures(new, test_module)
    if not before or after is None:
        return
    for path, (line, params) in before.items():
        if path in after:
            yield path, line, params, after[path][1]


def dropped_parameters(old: str, new: str, test_module: bool = False) -> list[tuple[str, str, int]]:
    """(function path, parameter as written: ``encoding``, ``*args``, ``**options``,
    the function's 0-based line in ``old``) for each parameter of a function ``new``
    keeps that ``new`` no longer takes."""
    out: list[tuple[str, str, int]] = []
    for path, line, params, now in _kept(old, new, test_module):
        names = {name for _, name in now}
        for kind, name in params:
            if name in names or _taken(kind, now):
                continue
            out.append((path, {"*": "*", "**": "**"}.get(kind, "") + name, line))
    return out


def changed_parameters(old: str, new: str, test_module: bool = False) -> list[tuple[str, str, int]]:
    """(function path, ``encoding (made keyword-only)``, the function's 0-based line in
    ``old``) for each parameter of a function ``new`` keeps that it still takes by name
    but no longer as its callers passed it: by position (made keyword-only), by keyword
    (made positional-only), or left out (made required)."""
    out: list[tuple[str, str, int]] = []
    for path, line, params, taken in _kept(old, new, test_module):
        now = {name: kind for kind, name in taken}
        for kind, name in params:
            if name not in now or kind in ("*", "**") or now[name] in ("*", "**"):
                continue
            was, became = kind.rstrip("="), now[name].rstrip("=")
            if was in ("pos", "any") and became == "kw":
                out.append((path, f"{name} (made keyword-only)", line))
            elif was in ("any", "kw") and became == "pos":
                out.append((path, f"{name} (made positional-only)", line))
            elif kind.endswith("=") and not now[name].endswith("="):
                out.append((path, f"{name} (made required)", line))
        changes = _added_or_moved(params, taken)
        if any(change.endswith(" place)") for change in changes):  # (moved: by whom called?)
            before, after = keyword_called(old).get(path), keyword_called(new).get(path)
            if before is not None and after is not None:
                changes = _added_or_moved(params, taken, (before, after))
        out += [(path, change, line) for change in changes]
    return out


_POSITIONAL = ("pos", "pos=", "any", "any=")


def _added_or_moved(
    params: list[Parameter],
    taken: list[Parameter],
    callback: tuple[Callback, Callback] | None = None,
) -> list[str]:
    """What a function's callers pass that binds otherwise after the edit, the names it
    kept aside: a required parameter added (``parse(text)`` to ``parse(text, sep)``: a
    call ``parse(line)`` fails), unless it is one of those the edit spelled out of a
    ``*args`` (for one passed by position) or a ``**kwargs`` (by keyword) the function
    no longer takes (``f(*args)`` to ``f(a, b)``); and a positional parameter moved
    (``scale(values, factor=1)`` to ``scale(values, step=0, factor=1)``: a call
    ``scale(xs, 2)`` now passes 2 as ``step``, and no error tells), unless a positional
    parameter went or was made keyword-only (that change is named itself).
    ``callback``: how a framework calls the function, before and after the edit
    (:func:`_called_by_keyword`): only the places of the first parameters it passes by
    position count, or a typer command's arguments' order."""
    out: list[str] = []
    had = {name for _, name in params}
    kinds, now = {kind for kind, _ in params}, {kind for kind, _ in taken}
    spelled = {k for k in ("*", "**") if k in kinds and k not in now}
    before = [name for kind, name in params if kind in _POSITIONAL]
    after = [name for kind, name in taken if kind in _POSITIONAL]
    spelled_anew = renamed(before, after)
    for kind, name in taken:
        if name in had or name in spelled_anew or kind.endswith("=") or kind in ("*", "**"):
            continue  # (one renamed: the old name's loss is named)
        by_position, by_keyword = kind in ("pos", "any"), kind in ("kw", "any")
        if (by_position and "*" in spelled) or (by_keyword and "**" in spelled):
            continue
        out.append(f"{name} (added, required)")
    if callback is None:
        return out + moved(before, after)
    was, now_ = callback
    if was.arguments is not None and now_.arguments is not None:
        return out + moved(was.arguments, now_.arguments)
    return out + moved(before[: was.first], after)
