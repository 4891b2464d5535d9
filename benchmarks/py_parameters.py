"""How the guard reads the parameters of Python functions (``acrouter.pyparameters``),
judged on real files: a parameter deleted from a function the edit keeps (or made
keyword-only or required, or moved, or a required one added) must be refused, and an
edit that keeps what callers can pass must never be.

For every ``.py`` file under the folders given (in sorted path order, at most 300 KB,
UTF-8, parsed by ``ast``; ``--max`` files in all, default 2000; a path with a part named
by ``--exclude`` is left out), up to 3 functions with a parameter other than ``self`` /
``cls`` (and other than a method's first one) are drawn at random (``--seed``, default
0), and each is edited by slicing the text at the positions ``ast`` and ``tokenize``
give its parameters, their annotations and defaults.  Each edit is judged by
``definitions.dropped_definitions(old, new, rel, instruction="Fix the bug")`` inside
``pytrees.shared_trees()`` (``rel``: the path under its folder):

- ``deleted``, to be refused: one parameter deleted with its annotation, its default and
  its comma (with it the ``/`` or the bare ``*`` it leaves alone; a ``*args`` before
  keyword-only parameters becomes a bare ``*``).  The guard must report ``parameter
  NAME of FUNCTION``.  Also to be refused, as ``parameter NAME of FUNCTION (made
  keyword-only)`` and ``(made required)``: ``keyword-only``, a bare ``*`` put before the
  last positional-or-keyword parameter of a signature without ``*`` (and not a method's
  first); ``required``, a default taken away (a keyword-only parameter's, or the first
  positional one's with a default).  Also to be refused: ``moved``, a new
  ``extra_param=None`` put before the first positional parameter callers pass (after a
  method's ``self`` / ``cls``), or, where that one is required (a default before it
  does not parse), before the first positional one with a default (a function whose
  positional parameters are all required, or that has none, is not edited: counted on a
  line of its own); the guard must report the parameter it goes before as ``parameter
  NAME of FUNCTION (moved from 1st to 2nd place)`` (the places counted among those
  callers pass, without ``self`` / ``cls``; its lines for the parameters after it are
  not looked at); ``added required``, a new keyword-only ``extra_param`` without a
  default put last (after the keyword-only parameters, before ``**kwargs``; after a
  bare ``*`` put there where the signature has no ``*`` nor ``*args``): ``parameter
  extra_param of FUNCTION (added, required)``.  Not counted as misses, by design: a
  parameter the new signature still takes (a keyword-only one into ``**kwargs``, a
  positional-only or required one into ``*args``, one with a default that can be either
  into both), a function defined twice in the file (``@overload`` stubs, a property's
  setter, a branch per Python version), a function inside another function, a function
  pytest calls (a hook ``pytest_*``, a fixture, a ``test*`` function of a test module
  -- ``test_*.py``, ``*_test.py``, ``conftest.py`` -- at its top level or in a class
  ``Test*``: no caller passes it anything), and for ``moved`` a function a web or
  command line framework calls by keyword (a decorator ``@X.get("/path")``,
  ``.route``/``.post``/... with a path that starts with ``/`` or is empty, or click's
  ``command``/``group`` with an ``option``/``argument``; a FastAPI dependency: a
  function or a class's ``__init__`` the module names in ``Depends(...)`` or
  ``Security(...)``; a typer command, where ``extra_param=None`` is an option and
  moves none of the command line's arguments, which typer takes in order; not one the
  module calls by name with an argument by position, nor the ``__init__`` of a class
  it so calls) unless the parameter moved is one the framework passes by position (a
  first ``request``/``req``/``ctx``/``context``, or the first under a ``pass_*``
  decorator);
- never to be refused (any loss the guard reports is a false refusal): ``added``, a new
  ``extra_param=None`` last (before ``**kwargs``; keyword-only after ``*args``);
  ``default``, a default wrapped: ``(DEFAULT) if True else None``; ``annotated``,
  ``: object`` added to a parameter without an annotation, and ``unannotated``, an
  annotation removed; ``ruff format``, the whole file as ``ruff format --isolated -``
  (the ruff beside the interpreter) writes it, when that changes it.

An edit whose text no longer parses is skipped (counted).  Prints one row an edit kind,
how the edits to be refused that were not divide, where ``moved`` put its parameter,
and the first false refusals and misses, with file:line and the guard's message; then
the command line.

    .venv/bin/python benchmarks/py_parameters.py /root/.pyenv/versions/3.11.7/lib/python3.11 \\
        --exclude site-packages --exclude test --exclude tests --exclude idle_test

Reads the folders given, writes nothing there (ruff reads standard input).
"""

from __future__ import annotations

import argparse
import ast
import io
import random
import re
import shlex
import subprocess
import sys
import tokenize
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "server"))

from acrouter.definitions import dropped_definitions
from acrouter.parameters import ordinal
from acrouter.pytrees import parse, shared_trees
from bench_sources import read_sources, source_arguments, unread_line, utf8_text

INSTRUCTION = "Fix the bug"
KINDS = (
    "deleted",
    "keyword-only",
    "required",
    "moved",
    "added required",
    "added",
    "default",
    "annotated",
    "unannotated",
    "ruff format",
)
#: the edits the guard must refuse, and how it names what they do to the parameter
REFUSED = {
    "deleted": "",
    "keyword-only": " (made keyword-only)",
    "required": " (made required)",
    "moved": " (moved from {} to {} place)",
    "added required": " (added, required)",
}
EXTRA = "extra_param"
RUFF = Path(sys.executable).parent / "ruff"
#: the files pytest takes for test modules (and ``conftest.py``)
TEST_MODULE = re.compile(r"(test_\w*|\w*_test|conftest)\.py$")
Function = ast.FunctionDef | ast.AsyncFunctionDef


@dataclass
class Found:
    """A function of the file: its path as the guard names it (``Reader.parse``),
    whether the guard reads it (not inside another function) and is a method."""

    node: Function
    path: str
    read: bool
    method: bool


@dataclass
class Item:
    """What one comma of a signature separates: ``a: int = 3``, ``*args``, ``/``; its
    tokens are (string, start, end, inside brackets of its own)."""

    start: int
    end: int
    tokens: list[tuple[str, int, int, bool]]
    comma: int | None  # where the comma after it ends


class Text:
    """A source text and its offsets: ``ast`` columns are UTF-8 bytes, slices characters."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = text.split("\n")
        self.starts = [0]
        for line in self.lines[:-1]:
            self.starts.append(self.starts[-1] + len(line) + 1)

    def at(self, lineno: int, col: int) -> int:
        line = self.lines[lineno - 1]
        if line.isascii():
            return self.starts[lineno - 1] + col
        return self.starts[lineno - 1] + len(line.encode()[:col].decode(errors="ignore"))

    def start(self, node: ast.arg | ast.expr) -> int:
        return self.at(node.lineno, node.col_offset)

    def end(self, node: ast.expr) -> int:
        assert node.end_lineno is not None and node.end_col_offset is not None
        return self.at(node.end_lineno, node.end_col_offset)

    def items(self, node: Function) -> list[Item]:
        """The signature's items, read from the tokens of ``def name(`` to its ``)``."""
        base = node.lineno - 1
        tokens = tokenize.generate_tokens(io.StringIO(self.text[self.starts[base] :]).readline)
        depth = 0
        items: list[Item] = []
        current: list[tuple[str, int, int, bool]] = []

        def pos(row: int, col: int) -> int:
            return self.starts[base + row - 1] + col

        for tok in tokens:
            if tok.type in (tokenize.NL, tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT):
                continue
            if tok.type == tokenize.OP and tok.string in "([{":
                depth += 1
                if depth == 1:
                    continue
            elif tok.type == tokenize.OP and tok.string in ")]}":
                depth -= 1
                if depth == 0:
                    break
            if depth == 0:
                continue
            if depth == 1 and tok.type == tokenize.OP and tok.string == ",":
                if current:
                    items[-1].comma = pos(*tok.end)
                current = []
                continue
            start, end = pos(*tok.start), pos(*tok.end)
            if not current:
                items.append(Item(start, end, current, None))
            inner = depth > 1
            current.append((tok.string, start, end, inner))
            items[-1].end = end
        return items


def functions(tree: ast.Module) -> list[Found]:
    """Every function of the file, in source order, with its path as the guard names
    it: what a module's or a class's compound statements define is theirs; what a
    function defines is not read."""
    out: list[Found] = []

    def walk(body: list[ast.stmt], prefix: str, in_class: bool, read: bool) -> None:
        for node in body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                out.append(Found(node, prefix + node.name, read, in_class))
                walk(node.body, f"{prefix}{node.name}.", False, False)
            elif isinstance(node, ast.ClassDef):
                walk(node.body, f"{prefix}{node.name}.", True, read)
            else:
                parts = [getattr(node, f, []) for f in ("body", "orelse", "finalbody")]
                parts += [h.body for h in getattr(node, "handlers", [])]
                parts += [c.body for c in getattr(node, "cases", [])]
                for part in parts:
                    if isinstance(part, list) and part and isinstance(part[0], ast.stmt):
                        walk(part, prefix, in_class, read)

    walk(tree.body, "", False, True)
    return out


def called_by_pytest(f: Found, test_module: bool) -> bool:
    """Whether pytest calls the function, passing what its parameters name: a hook
    ``pytest_*``, a fixture, a test ``test*`` of a test module (at its top level or in a
    class ``Test*``)."""
    if f.node.name.startswith("pytest_"):
        return True
    for d in f.node.decorator_list:
        target = d.func if isinstance(d, ast.Call) else d
        name = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")
        if name in ("fixture", "yield_fixture"):
            return True
    owner = f.path.rpartition(".")[0]
    return (
        test_module and f.node.name.startswith("test") and (not owner or owner.startswith("Test"))
    )


#: decorators by which a web framework registers a route (``@app.get("/items")``,
#: ``@bp.route("/")``: with a path that starts with ``/`` or is empty), and by which
#: click makes a command (with one that declares a parameter: option, argument)
ROUTE_METHODS = {"route", "get", "post", "put", "patch", "delete", "head", "options"}
ROUTE_METHODS |= {"websocket", "api_route"}
COMMAND_DECORATORS = {"command", "group"}
PARAMETER_DECORATORS = {"option", "argument"}


def injected(tree: ast.Module) -> set[str]:
    """The paths of the functions FastAPI calls by keyword as dependencies: each name
    given to a ``Depends(...)`` or ``Security(...)`` call of the module (first, or as
    ``dependency=``), and that name's ``__init__`` (a class)."""
    found = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        callee = (
            node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        )
        if callee not in ("Depends", "Security"):
            continue
        for arg in [*node.args[:1], *(k.value for k in node.keywords if k.arg == "dependency")]:
            if isinstance(arg, ast.Name):
                found |= {arg.id, arg.id + ".__init__"}
    return found


def typer_commands(tree: ast.Module) -> set[str]:
    """In a module that imports typer, the names of the functions typer runs: decorated
    with ``command``/``callback`` (unless also with click's ``option``/``argument``), or
    given to ``typer.run``.  ``extra_param=None`` is an option there (by name), so it
    moves none of the command line's arguments."""
    names = [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names] + [
        n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)
    ]
    if not any(name == "typer" or name.startswith("typer.") for name in names):
        return set()
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            called = set()
            for d in node.decorator_list:
                target = d.func if isinstance(d, ast.Call) else d
                called.add(
                    target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")
                )
            if called & {"command", "callback"} and not called & PARAMETER_DECORATORS:
                found.add(node.name)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "run"
            and node.args
            and isinstance(node.args[0], ast.Name)
        ):
            found.add(node.args[0].id)
    return found


def by_framework(f: Found, dependencies: set[str] | frozenset[str] = frozenset()) -> int | None:
    """For a function a web or command line framework calls by keyword (a route's, a
    click command's, a FastAPI dependency: its path in ``dependencies``), how many of
    its first parameters the framework passes by position: 1 for a
    ``request``/``req``/``ctx``/``context`` first or under a ``@click.pass_*``
    decorator, else 0; None for any other function."""
    names, route = set(), f.path in dependencies
    for d in f.node.decorator_list:
        target = d.func if isinstance(d, ast.Call) else d
        names.add(target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", ""))
        if isinstance(d, ast.Call) and isinstance(d.func, ast.Attribute):
            path = d.args[:1] or [k.value for k in d.keywords if k.arg in ("path", "rule")][:1]
            route |= d.func.attr in ROUTE_METHODS and any(
                isinstance(x, ast.Constant) and isinstance(x.value, str) and x.value[:1] in "/"
                for x in path
            )
    command = bool(names & COMMAND_DECORATORS) and bool(names & PARAMETER_DECORATORS)
    if not route and not command:
        return None
    if any(n.startswith("pass_") for n in names):
        return 1
    first = passed(f)[:1]
    return int(bool(first) and first[0].arg in ("request", "req", "ctx", "context"))


def static(node: Function) -> bool:
    return any(isinstance(d, ast.Name) and d.id == "staticmethod" for d in node.decorator_list)


def everything(a: ast.arguments) -> list[ast.arg]:
    return [
        *a.posonlyargs,
        *a.args,
        *([a.vararg] if a.vararg else []),
        *a.kwonlyargs,
        *([a.kwarg] if a.kwarg else []),
    ]


def candidates(f: Found) -> list[ast.arg]:
    """The parameters an edit may drop: not ``self`` / ``cls``, nor a method's first."""
    a = f.node.args
    first = (a.posonlyargs + a.args)[:1] if f.method and not static(f.node) else []
    return [p for p in everything(a) if p not in first and p.arg not in ("self", "cls")]


def written(p: ast.arg, a: ast.arguments) -> str:
    return ("*" if p is a.vararg else "**" if p is a.kwarg else "") + p.arg


def absorbed(p: ast.arg, a: ast.arguments) -> bool:
    """Whether the signature without ``p`` still takes what callers passed to it."""
    if p in a.posonlyargs:
        return a.vararg is not None
    if p in a.args:  # required: passed by position; with a default: often by keyword too
        defaulted = a.args.index(p) >= len(a.args) - len(a.defaults)
        return a.vararg is not None and (a.kwarg is not None or not defaulted)
    if p in a.kwonlyargs:
        return a.kwarg is not None
    return False


def cut(text: str, items: list[Item], first: int, last: int) -> str:
    """``text`` without the items first..last and their comma."""
    if last + 1 < len(items):
        return text[: items[first].start] + text[items[last + 1].start :]
    comma = items[last].comma
    if comma is not None:
        return text[: items[first].start] + text[comma:]
    if first > 0:
        return text[: items[first - 1].end] + text[items[last].end :]
    return text[: items[first].start] + text[items[last].end :]


def holding(items: list[Item], at: int) -> int:
    return next(i for i, item in enumerate(items) if item.start <= at < item.end)


def deleted(src: Text, f: Found, p: ast.arg, items: list[Item]) -> str:
    a, text = f.node.args, src.text
    i = holding(items, src.start(p))
    if p is a.vararg and a.kwonlyargs:  # keyword-only parameters stay keyword-only
        return text[: items[i].start] + "*" + text[items[i].end :]
    first, last = i, i
    if p in a.posonlyargs and len(a.posonlyargs) == 1:
        last = i + 1  # the "/"
    if p in a.kwonlyargs and len(a.kwonlyargs) == 1 and a.vararg is None:
        first = i - 1  # the bare "*"
    return cut(text, items, first, last)


def added(src: Text, f: Found, items: list[Item]) -> str:
    return put_last(src, f, items, f"{EXTRA}=None")


def put_last(src: Text, f: Found, items: list[Item], new: str) -> str:
    """``new`` put last in the signature (before ``**kwargs``)."""
    text, a = src.text, f.node.args
    if a.kwarg is not None:
        at = items[holding(items, src.start(a.kwarg))].start
        return text[:at] + f"{new}, " + text[at:]
    last = items[-1]
    if last.comma is not None:
        return text[: last.comma] + f" {new}," + text[last.comma :]
    return text[: last.end] + f", {new}" + text[last.end :]


def passed(f: Found) -> list[ast.arg]:
    """The positional parameters callers pass: not a method's first (``self``, ``cls``)."""
    a = f.node.args
    positional = [*a.posonlyargs, *a.args]
    return positional[1:] if f.method and not static(f.node) else positional


def moved(src: Text, f: Found, items: list[Item]) -> tuple[str, int, str] | None:
    """``extra_param=None`` put before the first positional parameter callers pass, or
    where that one is required (a default before it would not parse) before the first
    with a default: (``front`` or ``after required``, the 0-based place of the parameter
    it moves among those callers pass, the text); None where each is required."""
    a, text = f.node.args, src.text
    positional = [*a.posonlyargs, *a.args]
    first_default = len(positional) - len(a.defaults)
    for k, p in enumerate(passed(f)):
        if positional.index(p) >= first_default:
            at = items[holding(items, src.start(p))].start
            new = text[:at] + f"{EXTRA}=None, " + text[at:]
            return ("front" if k == 0 else "after required"), k, new
    return None


def added_required(src: Text, f: Found, items: list[Item]) -> str:
    """A new keyword-only ``extra_param`` without a default, last (before ``**kwargs``;
    after a bare ``*`` put there where the signature has no ``*`` nor ``*args``)."""
    a = f.node.args
    new = EXTRA if a.vararg is not None or a.kwonlyargs else f"*, {EXTRA}"
    return put_last(src, f, items, new)


def keyword_only(src: Text, p: ast.arg, items: list[Item]) -> str:
    """A bare ``*`` put before ``p``."""
    at = items[holding(items, src.start(p))].start
    return src.text[:at] + "*, " + src.text[at:]


def required(src: Text, a: ast.arguments, items: list[Item]) -> tuple[ast.arg, str] | None:
    """A default taken away: a keyword-only parameter's (the first with one), else the
    first positional one's with a default (those after it keep theirs); None if none."""
    pairs = [(p, d) for p, d in zip(a.kwonlyargs, a.kw_defaults, strict=True) if d is not None]
    positional = [*a.posonlyargs, *a.args]
    if not pairs and a.defaults:
        pairs = [(positional[len(positional) - len(a.defaults)], a.defaults[0])]
    if not pairs:
        return None
    p, d = pairs[0]
    item = items[holding(items, src.start(p))]
    eq = next((start for s, start, _, inner in item.tokens if s == "=" and not inner), None)
    if eq is None:
        return None
    return p, src.text[:eq].rstrip() + src.text[src.end(d) :]


def defaulted(src: Text, default: ast.expr) -> str:
    start, end = src.start(default), src.end(default)
    text = src.text
    return f"{text[:start]}({text[start:end]}) if True else None{text[end:]}"


def annotation(src: Text, p: ast.arg, items: list[Item]) -> str:
    """``: object`` added to ``p`` without one, its annotation removed from ``p`` with one."""
    text = src.text
    item = items[holding(items, src.start(p))]
    at = src.start(p)
    name_end = next(end for _, start, end, _ in item.tokens if start == at)
    if p.annotation is None:
        return text[:name_end] + ": object" + text[name_end:]
    eq = next((start for s, start, _, inner in item.tokens if s == "=" and not inner), None)
    # the annotation's last token: before the "=" of its default, or the item's last
    upto = item.end if eq is None else max(end for _, _, end, _ in item.tokens if end <= eq)
    return text[:name_end] + text[upto:]


def parses(text: str) -> bool:
    try:
        ast.parse(text)
    except (SyntaxError, ValueError, RecursionError):
        return False
    return True


def ruff_format(text: str) -> str | None:
    try:
        done = subprocess.run(
            [str(RUFF), "format", "--isolated", "-"],
            input=text,
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else None


def python_files(
    folders: list[Path], most: int, exclude: set[str]
) -> tuple[list[tuple[Path, str, str]], Counter[str]]:
    """(path, rel, text) of the files read (at most ``most``, each parsed), and why others
    were not."""
    out: list[tuple[Path, str, str]] = []
    unread: Counter[str] = Counter()
    sources = read_sources(folders, "*.py", exclude, unread, read=utf8_text)
    while len(out) < most and (source := next(sources, None)) is not None:
        if parses(source[2]):
            out.append(source)
        else:
            unread["not parsed"] += 1
    return out, unread


class Judge:
    def __init__(self) -> None:
        self.rows: dict[str, Counter[str]] = {k: Counter() for k in KINDS}
        self.deletions: Counter[tuple[str, str]] = Counter()
        self.false: list[str] = []
        self.misses: list[str] = []
        self.places: Counter[str] = Counter()  # (moved) where extra_param went, or why not

    def benign(self, kind: str, old: str, new: str, rel: str, where: str, what: str) -> None:
        row = self.rows[kind]
        if not parses(new):
            row["skipped"] += 1
            return
        row["edits"] += 1
        lost = dropped_definitions(old, new, rel, instruction=INSTRUCTION)
        if lost:
            row["refused"] += 1
            self.false.append(f"false refusal ({kind}) {where} {what}: {lost[:4]}")
        else:
            row["not refused"] += 1

    def deletion(
        self,
        old: str,
        new: str,
        rel: str,
        where: str,
        f: Found,
        p: ast.arg | str,
        why: str | None,
        kind: str = "deleted",
        change: str | None = None,
    ) -> None:
        """``new`` must be refused as ``parameter P of FUNCTION`` with the kind's change
        (``change`` where it is not the kind's: ``(moved from 1st to 2nd place)``), ``p``
        a parameter of the function's or the name of one the edit adds, unless ``why``."""
        row = self.rows[kind]
        if not parses(new):
            row["skipped"] += 1
            return
        row["edits"] += 1
        lost = dropped_definitions(old, new, rel, instruction=INSTRUCTION)
        shown = p if isinstance(p, str) else written(p, f.node.args)
        name = f"parameter {shown} of {f.path}{REFUSED[kind] if change is None else change}"
        if name in lost:
            row["refused"] += 1
            if why is not None:
                self.deletions[kind, f"refused although {why}"] += 1
                self.false.append(f"false refusal ({kind}, {why}) {where}: {lost[:4]}")
            return
        row["not refused"] += 1
        self.deletions[kind, why or "missed"] += 1
        if why is None:
            self.misses.append(f"missed ({kind}) {where} {shown} of {f.path}; guard: {lost[:3]}")


def judge_file(judge: Judge, rng: random.Random, rel: str, text: str, shown: str) -> None:
    src = Text(text)
    test_module = bool(TEST_MODULE.match(Path(rel).name))
    tree = parse(text)
    found = functions(tree)
    dependencies = injected(tree)
    typer = typer_commands(tree)
    positional_calls = {
        n.func.id
        for n in ast.walk(tree)
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.args
    }
    counts = Counter(f.path for f in found if f.read)
    chosen = [f for f in found if candidates(f)]
    for f in rng.sample(chosen, min(3, len(chosen))):
        a = f.node.args
        where = f"{shown}:{f.node.lineno}"
        try:
            items = src.items(f.node)
        except (tokenize.TokenError, SyntaxError, StopIteration):
            continue
        p = rng.choice(candidates(f))
        not_read = None  # (an edit the guard must refuse)
        if not f.read:
            not_read = "inside a function"
        elif counts[f.path] > 1:
            not_read = "defined twice"
        elif called_by_pytest(f, test_module):
            not_read = "called by pytest"
        why = not_read or ("still taken" if absorbed(p, a) else None)
        judge.deletion(text, deleted(src, f, p, items), rel, where, f, p, why)
        last = a.args[-1] if a.args else None
        if last is not None and a.vararg is None and not a.kwonlyargs and last in candidates(f):
            new = keyword_only(src, last, items)
            judge.deletion(text, new, rel, where, f, last, not_read, "keyword-only")
        made = required(src, a, items)
        if made is not None:
            judge.deletion(text, made[1], rel, where, f, made[0], not_read, "required")
        if all(q.arg != EXTRA for q in everything(a)):
            if not passed(f):
                judge.places["no positional parameter"] += 1
            elif (shift := moved(src, f, items)) is None:
                judge.places["each required"] += 1
            else:
                place, k, new = shift
                judge.places[place] += 1
                change = REFUSED["moved"].format(ordinal(k + 1), ordinal(k + 2))
                q = passed(f)[k]
                keyword = 0 if f.path in typer else by_framework(f, dependencies)
                if f.path.removesuffix(".__init__") in positional_calls:  # (the module's too)
                    keyword = None
                why = not_read or (
                    "called by keyword" if keyword is not None and k >= keyword else None
                )
                judge.deletion(text, new, rel, where, f, q, why, "moved", change)
            new = added_required(src, f, items)
            judge.deletion(text, new, rel, where, f, EXTRA, not_read, "added required")
        if all(q.arg != EXTRA for q in everything(a)):
            judge.benign("added", text, added(src, f, items), rel, where, "")
        defaults = [*a.defaults, *(d for d in a.kw_defaults if d is not None)]
        if defaults:
            d = rng.choice(defaults)
            new = defaulted(src, d)
            judge.benign("default", text, new, rel, where, ast.unparse(d)[:40])
        q = rng.choice(candidates(f))
        kind = "annotated" if q.annotation is None else "unannotated"
        judge.benign(kind, text, annotation(src, q, items), rel, where, q.arg)
    formatted = ruff_format(text)
    if formatted is not None and formatted != text:
        judge.benign("ruff format", text, formatted, rel, shown, "")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    source_arguments(ap, 12)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    read, unread = python_files(args.folders, args.max, set(args.exclude))
    judge = Judge()
    for path, rel, text in read:
        with shared_trees():
            judge_file(judge, rng, rel, text, str(path))
    print(unread_line(len(read), unread))
    print(f"{'edit':<14}  {'edits':>6}  {'refused':>7}  {'not refused':>11}  {'skipped':>7}")
    for kind in KINDS:
        row = judge.rows[kind]
        print(
            f"{kind:<14}  {row['edits']:>6}  {row['refused']:>7}  {row['not refused']:>11}  "
            f"{row['skipped']:>7}"
        )
    d = judge.deletions
    for kind in REFUSED:
        print(
            f"{kind} not refused: {d[kind, 'still taken']} still taken (by *args / "
            f"**kwargs), {d[kind, 'defined twice']} of a function defined twice, "
            f"{d[kind, 'inside a function']} of a function inside a function, "
            f"{d[kind, 'called by pytest']} called by pytest, "
            f"{d[kind, 'called by keyword']} called by a framework by keyword, "
            f"{d[kind, 'missed']} missed"
        )
    w = judge.places
    print(
        f"moved: {w['front']} before the first positional parameter callers pass, "
        f"{w['after required']} before the first with a default (a required one first); "
        f"not edited: {w['each required']} each positional parameter required, "
        f"{w['no positional parameter']} none"
    )
    by_design = sum(n for (_, why), n in d.items() if why.startswith("refused although"))
    print(f"refused although not compared by design: {by_design}")
    for line in [*judge.false[: args.show], *judge.misses[: args.show]]:
        print(line)
    print("command:", shlex.join([sys.executable, *sys.argv]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
