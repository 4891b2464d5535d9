"""The definitions of a file and the guard that no edit drops code.

``definitions`` lists a file's top-level definitions and imports (Python through
``ast``; other languages by conservative line patterns): the outline of a file too
large to send whole is made of them.  ``dropped_definitions`` is the guard every edit
passes: top-level definitions and imports that were in a file and are gone afterwards,
a kept class's methods that no class or function defines any more (Python from
``ast``; JavaScript and TypeScript from their tokens, :mod:`.jsdefinitions`, with what
such a module defines by assignment, export or inside a wrapper function), the methods,
constructors and nested types of a Java class (:mod:`.javadefinitions`), the methods,
classes and modules of a Ruby file at any depth (:mod:`.rubydefinitions`), each
counted with its class (:func:`_dropped_members`: one of two overloads gone is a loss),
the functions, prototypes, types, macros, fields and enum constants of a C or C++ file
(:mod:`.cdefinitions`),
what a Go file declares at package level, a method with its receiver's type
(:mod:`.godefinitions`), the members of a Kotlin class (:mod:`.kotlindefinitions`),
what a PHP file declares, a class's methods, constants, properties, enum cases and
used traits with their class (:mod:`.phpdefinitions`), the members of a C# type
(:mod:`.csharpdefinitions`), and what a Rust file's modules, ``impl`` blocks, traits,
structs and enums declare, every ``#[cfg]`` variant counted (:mod:`.rustdefinitions`),
unless the instruction asked to remove them.
"""

from __future__ import annotations

import ast
import functools
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path

import attrs

from .cdefinitions import c_classes, c_code, c_members, is_c
from .csharpdefinitions import csharp_classes, csharp_code, csharp_members, is_csharp, spoken_of
from .datadefinitions import (
    data_error,
    data_format,
    data_names,
    dropped_keys,
    json_made_loose,
    what_counts,
)
from .docdefinitions import doc_error, doc_format, doc_names, doc_sections, dropped_sections
from .domain import document_lines
from .edits import BOM
from .elisions import (
    asks_for_placeholders,
    brace_stubbed,
    js_stubbed,
    perl_stubbed,
    placeholders,
    ruby_stubbed,
    stubbed,
)
from .errors import ParseError
from .godefinitions import go_classes, go_code, go_members, is_go
from .javadefinitions import is_java, java_classes, java_code, java_members
from .jsdefinitions import JsDefinition, is_js, js_definitions
from .jsparameters import dropped_parameters as js_dropped_parameters
from .jsparameters import moved_parameters as js_moved_parameters
from .kotlindefinitions import is_kotlin, kotlin_classes, kotlin_code, kotlin_members
from .members import Member, annotations_of
from .phpdefinitions import is_php, php_classes, php_code, php_members
from .phpparameters import dropped_parameters as php_dropped_parameters
from .pyparameters import changed_parameters, dropped_parameters
from .pytrees import cached, parse, shared_trees
from .rubydefinitions import code_lines, is_ruby, ruby_classes, ruby_members
from .rubydefinitions import shown as ruby_shown
from .rubyparameters import dropped_parameters as ruby_dropped_parameters
from .rustdefinitions import is_rust, rust_classes, rust_code, rust_members
from .rustdefinitions import shown as rust_shown


@attrs.frozen
class Definition:
    name: str  # "add", "class Calc", "import os"
    line: int  # 0-based line of the definition
    header: str  # the definition's first line, for outlines


_PY_DEF = re.compile(r"^(?:async\s+def|def|class)\s+([A-Za-z_]\w*)")
_PY_IMPORT = re.compile(r"^(?:import\s+([\w., ]+)|from\s+([\w.]+)\s+import\b)")
_PY_ASSIGN = re.compile(r"^([A-Za-z_]\w*)\s*(?::[^=]*)?=(?!=)")

#: What reads the functions an edit cut to a stub: (function, 0-based line, the stub)
_Stubs = Callable[[str, str], list[tuple[str, int, str]]]
#: the brace languages' code views (comments out, strings emptied), for
#: :func:`.elisions.brace_stubbed`
_BRACE_VIEWS: tuple[tuple[Callable[[str, str | None], bool], Callable[[str], list[str]]], ...] = (
    (is_go, go_code),
    (is_rust, rust_code),
    (is_c, c_code),
    (is_java, java_code),
    (is_kotlin, kotlin_code),
    (is_csharp, csharp_code),
    (is_php, php_code),
)

#: Top-level definitions in other languages, on lines that start at column 0.
_OTHER_DEFS = tuple(
    re.compile(p)
    for p in (
        r"^(?:export\s+)?(?:default\s+)?(?:async\s+)?function\s*\*?\s*([A-Za-z_$][\w$]*)",
        r"^(?:export\s+)?(?:default\s+)?(?:abstract\s+)?(?:class|interface|enum|type|namespace)\s+([A-Za-z_$][\w$]*)",
        r"^(?:export\s+)?(?:const|let|var)\s+([A-Za-z_$][\w$]*)",
        r"^(?:pub(?:\([^)]*\))?\s+)?(?:async\s+)?(?:unsafe\s+)?(?:fn|struct|enum|trait|mod|static|impl)\s+([A-Za-z_]\w*)",
        r"^func\s+(?:\([^)]*\)\s*)?([A-Za-z_]\w*)",
        r"^(?:def|module)\s+([\w.?!]+)",
        (
            r"^(?:public\s+|private\s+|protected\s+|internal\s+|final\s+|abstract\s+|static\s+|sealed\s+"
            r"|data\s+|open\s+)*(?:class|interface|enum|record|object|struct)\s+([A-Za-z_]\w*)"
        ),
        r"^(?:function\s+)?([A-Za-z_][\w-]*)\s*\(\)\s*\{",
        r"^(?:sub|package)\s+([A-Za-z_][\w:]*)",  # Perl
    )
)
#: a PHP method (indented, in its class), in a file that starts ``<?php``
_PHP_METHOD = re.compile(
    r"^\s+(?:(?:public|private|protected|static|final|abstract)\s+)*function\s+&?\s*"
    r"([A-Za-z_]\w*)\s*\("
)
_OTHER_IMPORTS = tuple(
    re.compile(p)
    for p in (
        r"^\s*import\s.*?['\"]([^'\"]+)['\"]",  # JS/TS import ... from 'x' / import 'x'
        r"^(?:const|let|var)\s.*require\(\s*['\"]([^'\"]+)['\"]\s*\)",
        r"^import\s+(?:static\s+)?([\w.*]+)\s*;?\s*$",  # Java / Kotlin / Scala
        r"^using\s+([\w.]+)\s*;",  # C#
        r"^use\s+([^;]+);",  # Rust / PHP
        r"^#\s*include\s*[<\"]([^>\"]+)[>\"]",  # C / C++
        r"^require(?:_relative)?\s*\(?\s*['\"]([^'\"]+)['\"]",  # Ruby
    )
)


def _lines(text: str) -> list[str]:
    """``document_lines(text)``, once per text inside ``shared_trees()`` (not to be changed)."""
    return cached("definitions.lines", text, lambda: document_lines(text))


def _python_definitions(text: str) -> list[Definition] | None:
    """What :func:`definitions` lists for a Python text (None when it does not parse),
    once per text inside ``shared_trees()``: the list must not be changed."""
    return cached("definitions.python", text, lambda: _read_python_definitions(text))


def _read_python_definitions(text: str) -> list[Definition] | None:
    text = text.removeprefix(BOM)  # a byte-order mark starts no definition
    try:
        tree = parse(text)
    except (SyntaxError, ValueError, RecursionError):  # (nested too deeply)
        return None
    lines = _lines(text)
    out: list[Definition] = []

    def header(node: ast.AST) -> str:
        n = getattr(node, "lineno", 1) - 1
        return lines[n].strip() if 0 <= n < len(lines) else ""

    for node in tree.body:
        line = node.lineno - 1
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            out.append(Definition(node.name, line, header(node)))
        elif isinstance(node, ast.ClassDef):
            out.append(Definition(f"class {node.name}", line, header(node)))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                out.append(Definition(f"import {alias.asname or alias.name}", line, header(node)))
        elif isinstance(node, ast.ImportFrom):
            for alias in node.names:
                module = "." * node.level + (node.module or "")
                out.append(
                    Definition(
                        f"import {alias.asname or alias.name} from {module}", line, header(node)
                    )
                )
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for t in targets:
                for name in ast.walk(t):
                    if isinstance(name, ast.Name):
                        out.append(Definition(name.id, line, header(node)))
    return out


#: statements whose bodies run as the module loads: what they define is the module's
#: (``if sys.version_info >= (3, 11): ... else: class X: ...``, ``try: ... except
#: ImportError: def f(): ...``)
_BLOCKS: tuple[type[ast.stmt], ...] = (
    ast.If,
    ast.Try,
    *((ast.TryStar,) if hasattr(ast, "TryStar") else ()),
    ast.With,
    ast.AsyncWith,
    ast.For,
    ast.AsyncFor,
    ast.While,
)
_DEFS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


def _in_blocks(body: list[ast.stmt], top: bool = True) -> Iterator[ast.stmt]:
    """The functions and classes defined in ``body`` and in the blocks of its module-level
    compound statements (the top level's own only when ``top`` is False)."""
    for node in body:
        if isinstance(node, _DEFS):
            if not top:
                yield node
        elif isinstance(node, _BLOCKS):
            for inner in _block_bodies(node):
                yield from _in_blocks(inner, top=False)


def _block_bodies(node: ast.stmt) -> tuple[list[ast.stmt], ...]:
    """The bodies of a compound statement: ``if`` / ``else``, ``try`` / ``except`` /
    ``finally``, a loop's and its ``else``, a ``with``'s."""
    return (
        getattr(node, "body", []),
        getattr(node, "orelse", []),
        getattr(node, "finalbody", []),
        *(h.body for h in getattr(node, "handlers", [])),
    )


def _block_definitions(text: str) -> list[Definition]:
    """The functions and classes a Python file defines inside its module-level blocks
    (``if`` / ``else``, ``try`` / ``except``, ...), named as :func:`definitions` names the
    top-level ones (empty when the file does not parse); once per text inside
    ``shared_trees()``."""
    return cached("definitions.blocks", text, lambda: _read_block_definitions(text))


def _read_block_definitions(text: str) -> list[Definition]:
    text = text.removeprefix(BOM)
    try:
        tree = parse(text)
    except (SyntaxError, ValueError, RecursionError):  # (nested too deeply)
        return []
    lines = _lines(text)
    return [
        Definition(
            f"class {node.name}" if isinstance(node, ast.ClassDef) else getattr(node, "name", ""),
            node.lineno - 1,
            lines[node.lineno - 1].strip(),
        )
        for node in _in_blocks(tree.body)
    ]


def _definition_counts(text: str) -> Counter[str]:
    """How many times a Python file defines each function and class at module level or
    in its module-level blocks (``@overload`` stubs left out); once per text inside
    ``shared_trees()``."""
    return cached("definitions.counts", text, lambda: _read_definition_counts(text))


def _read_definition_counts(text: str) -> Counter[str]:
    try:
        tree = parse(text.removeprefix(BOM))
    except (SyntaxError, ValueError, RecursionError):  # (nested too deeply)
        return Counter()
    nodes = [n for n in tree.body if isinstance(n, _DEFS)] + list(_in_blocks(tree.body))
    return Counter(
        f"class {n.name}" if isinstance(n, ast.ClassDef) else n.name
        for n in nodes
        if isinstance(n, _DEFS) and not any("overload" in ast.unparse(d) for d in n.decorator_list)
    )


#: marks on definitions (Python's or TypeScript's decorators, Java's annotations, C#'s
#: attributes): how many times each (definition, mark's last name) pair is written, how
#: many times each definition is, and each pair's first mark: its line, as written
_Decorated = tuple[Counter[tuple[str, str]], Counter[str], dict[tuple[str, str], tuple[int, str]]]


def _marks_taken_off(
    old: _Decorated,
    new: _Decorated,
    asked_for: Callable[[Definition], bool],
    *,
    words: tuple[str, ...],
    exempt: frozenset[str],
    shown: Callable[[str], str],
) -> list[str]:
    """The marks ``new`` takes off a definition it keeps as many times as ``old`` does
    (``@login_required on profile``, ``[Authorize] on Admin``): what one does (a check, a
    route, a transaction) is code no test may reach, and one gone leaves every name in
    place.  No loss: one gone with its definition (the definition's loss, reported
    elsewhere, or asked for), one whose last name is in ``exempt`` (its removal makes
    tests run or only changes a compiler's checks), one the instruction names beside a
    removal word, or any when it speaks of removing them (``words``)."""
    old_pairs, old_defined, first = old
    new_pairs, new_defined, _ = new
    lost: list[str] = []
    for (name, bare), count in old_pairs.items():
        if new_pairs[name, bare] >= count or new_defined[name] < old_defined[name]:
            continue
        line, written = first[name, bare]
        if bare in exempt or any(asked_for(Definition(w, line, "")) for w in (written, *words)):
            continue
        lost.append(f"{shown(written)} on {name}")
    return lost


def _decorators(text: str) -> _Decorated:
    """The decorators of a Python file's functions and classes (at module level, in its
    module-level blocks, in class bodies): how many times each (definition, decorator)
    pair is written (``("Views.profile", "login_required")``; a decorator by the name of
    what it calls: ``route`` for ``@app.route("/x")``, so that ``@router.route`` keeps
    it), how many times each definition is, and each pair's first decorator: its line and
    what it calls (``app.route``); once per text inside ``shared_trees()``."""
    return cached("definitions.decorators", text, lambda: _read_decorators(text))


def _read_decorators(text: str) -> _Decorated:
    pairs: Counter[tuple[str, str]] = Counter()
    defined: Counter[str] = Counter()
    lines: dict[tuple[str, str], tuple[int, str]] = {}
    try:
        tree = parse(text.removeprefix(BOM))
    except (SyntaxError, ValueError, RecursionError):  # (nested too deeply)
        return pairs, defined, lines

    def walk(owner: str, body: list[ast.stmt]) -> None:
        for node in body:
            if isinstance(node, _BLOCKS):
                for inner in _block_bodies(node):
                    walk(owner, inner)
                continue
            if not isinstance(node, _DEFS):
                continue
            name = f"{owner}.{node.name}" if owner else node.name
            defined[name] += 1
            for d in node.decorator_list:
                called = ast.unparse(d.func if isinstance(d, ast.Call) else d)
                bare = called.rpartition(".")[2]
                if bare == "overload":
                    continue  # (a typing stub: not counted, as its definition is not)
                pairs[name, bare] += 1
                lines.setdefault((name, bare), (d.lineno - 1, called))
            if isinstance(node, ast.ClassDef):
                walk(name, node.body)

    walk("", tree.body)
    return pairs, defined, lines


#: decorators whose removal makes tests run or fail as they should: no loss
_STRICTER = frozenset(
    ("skip", "skipif", "skipIf", "skipUnless", "xfail", "expectedFailure", "flaky")
)
#: the words with which an instruction speaks of decorators
_DECORATOR = ("decorator", "decorators")


#: an instruction that speaks of a signature or of parameters beside a removal word
#: ("remove the unused parameters", "replace the args with a config object", "change
#: the signature") asks for what it does to them
_PARAMETERS = re.compile(
    r"\b(parameters?|params?|arguments?|args|kwargs|signatures?)\b", re.IGNORECASE
)


#: an instruction that says what a function it names takes ("make total take a list
#: instead of two numbers", "parse should accept a path") asks for its parameters; not
#: how long it takes ("make parse take less time")
_TAKES = (
    r"(?:\s+(?:should|must|to|will|can|now|only|instead|also))*\s+"
    r"(?:takes?|accepts?|receives?)\b(?!\s+(?:less|more|too|so|long|longer|forever|ages|time"
    r"|a\s+while|a\s+long|\d))"
)


#: an instruction that asks for the parameters in one object ("use an options object",
#: "pass a config object instead") asks for what it does to them
_OPTIONS_OBJECT = re.compile(
    r"\b(options?|config|configuration|settings|params|parameters?|arguments?|props)\s+"
    r"(object|dict|dictionary|hash|struct|bag)\b",
    re.IGNORECASE,
)
#: words of how a parameter is passed ("make the flags keyword-only", "no defaults")
_HOW_PASSED = re.compile(
    r"\b(keyword|keywords|positional|default|defaults|required|optional)\b", re.IGNORECASE
)


#: where pytest looks for tests by default: ``test_*.py``, ``*_test.py`` (and
#: ``conftest.py``, whose fixtures it calls too)
_PYTHON_TEST_MODULE = re.compile(r"(test_\w*|\w*_test|conftest)\.py$")


def _python_test_module(path: str) -> bool:
    """Whether pytest would take the file at ``path`` for a test module."""
    return bool(_PYTHON_TEST_MODULE.match(Path(path).name))


def _dropped_parameters(
    found: list[tuple[str, str, int]], instruction: str, exempt_lines: tuple[int, int] | None
) -> list[str]:
    """The parameters a function the edit keeps no longer takes (``found``: (function,
    parameter, the function's 0-based line), from :mod:`.pyparameters`,
    :func:`_js_parameters` or a ``_Members.parameters``), as ``parameter encoding of parse``, unless asked for: the
    function's line selected, the parameter named beside a removal word, parameters or
    the signature spoken of beside one, or what the function takes said beside its
    name."""
    if not found:
        return []
    removal = bool(_REMOVAL.search(instruction)) or bool(
        re.search(r"\bchange\b", instruction, re.IGNORECASE)
    )
    signature_talk = bool(_PARAMETERS.search(instruction))
    if (removal and signature_talk) or _OPTIONS_OBJECT.search(instruction):
        return []
    words = set(re.findall(r"[A-Za-z_$][\w$]*", instruction))
    out: list[str] = []
    for function, name, line in found:
        if exempt_lines is not None and exempt_lines[0] <= line <= exempt_lines[1]:
            continue
        bare, _, change = name.partition(" (")
        if change and (bare in words or signature_talk or _HOW_PASSED.search(instruction)):
            continue  # (a parameter added, moved, or made keyword-only, positional-only or
            # required: named)
        if removal and bare.lstrip("*.") in words:
            continue
        short = re.split(r"[.#]", function)[-1]  # (parse of Reader.parse, Calc#parse)
        if re.search(rf"(?<![\w$]){re.escape(short)}{_TAKES}", instruction, re.IGNORECASE):
            continue
        out.append(f"parameter {bare} of {function}" + (f" ({change}" if change else ""))
    return out


def _js_parameters(
    before: list[JsDefinition], after: list[JsDefinition]
) -> list[tuple[str, str, int]]:
    """(function, parameter, the function's 0-based line in the old text) for each
    parameter of a JavaScript or TypeScript function defined once before and after the
    edit that it no longer takes, or takes in another place
    (:func:`.jsparameters.dropped_parameters`, :func:`.jsparameters.moved_parameters`; an overloaded
    function is not compared).  Only functions count: a type, an interface or a variable
    of the function's name (``type parse = …`` beside ``function parse``) is no second
    function."""
    count_before = Counter(d.name for d in before if d.signature is not None)
    now = {d.name: d.signature for d in after if d.signature is not None}
    count_after = Counter(d.name for d in after if d.signature is not None)
    out: list[tuple[str, str, int]] = []
    for d in before:
        if d.signature is None or count_before[d.name] != 1 or count_after[d.name] != 1:
            continue
        out += [
            (d.name, p, d.line)
            for p in (
                *js_dropped_parameters(d.signature, now[d.name]),
                *js_moved_parameters(
                    d.signature, now[d.name], constructor=d.name.endswith("constructor")
                ),
            )
        ]
    return out


def _dropped_decorators(old: str, new: str, asked_for: Callable[[Definition], bool]) -> list[str]:
    """The decorators ``new`` takes off a Python function or class it keeps
    (:func:`_marks_taken_off`); a skip or xfail mark may go (the test then runs)."""
    before = _decorators(old)
    if not before[0]:
        return []
    return _marks_taken_off(
        before,
        _decorators(new),
        asked_for,
        words=_DECORATOR,
        exempt=_STRICTER,
        shown=lambda called: f"@{called}",
    )


def _python_methods(text: str) -> list[Definition]:
    """What the body of a Python file's module-level classes (top-level, or inside the
    module's ``if`` / ``try`` blocks) defines: its methods, its nested classes and the
    names its statements assign or import (``LIMIT = 10``, a dataclass's ``x: int``, an
    enum's ``RED = 1``), also inside the body's own ``if`` / ``try`` blocks (a method for
    another Python version), each named ``Class.name``, and what a nested class's body
    defines, named ``Class.Meta.name`` (empty when the file does not parse); once per
    text inside ``shared_trees()``."""
    return cached("definitions.methods", text, lambda: _read_python_methods(text))


def _read_python_methods(text: str) -> list[Definition]:
    text = text.removeprefix(BOM)  # a byte-order mark starts no definition
    try:
        tree = parse(text)
    except (SyntaxError, ValueError, RecursionError):  # (nested too deeply)
        return []
    lines = _lines(text)
    return [
        Definition(f"{owner}.{name}", item.lineno - 1, lines[item.lineno - 1].strip())
        for owner, item in _class_statements(tree)
        for name in _class_body_names(item)
    ]


def _python_classes(tree: ast.Module) -> list[ast.ClassDef]:
    return [n for n in (*tree.body, *_in_blocks(tree.body)) if isinstance(n, ast.ClassDef)]


def _class_statements(tree: ast.Module, blocked: bool = False) -> Iterator[tuple[str, ast.stmt]]:
    """Each statement of the body of a module-level class (see :func:`_python_classes`),
    with the class's name: those of the body's ``if`` / ``try`` / ``with`` / loop blocks
    too (they run as the class is made), and those of its nested classes, named
    ``Outer.Inner``.  With ``blocked``, only those inside such a block."""

    def walk(owner: str, body: list[ast.stmt], inside: bool) -> Iterator[tuple[str, ast.stmt]]:
        for item in body:
            if isinstance(item, _BLOCKS):
                for inner in _block_bodies(item):
                    yield from walk(owner, inner, True)
                continue
            if inside or not blocked:
                yield owner, item
            if isinstance(item, ast.ClassDef):
                yield from walk(f"{owner}.{item.name}", item.body, inside)

    for node in _python_classes(tree):
        yield from walk(node.name, node.body, False)


def _loose_lines(text: str) -> set[int]:
    """The lines of a Python file's class-body statements inside a block of the body
    (``if`` / ``try`` ...) that assign or import a name, not define a method or a class:
    kept while the class still defines the name, as the module's own blocks' assignments
    are (``if X: LIMIT = 1 else: LIMIT = 2`` made ``LIMIT = 1 if X else 2`` loses nothing);
    once per text inside ``shared_trees()``."""
    return cached("definitions.loose", text, lambda: _read_loose_lines(text))


def _read_loose_lines(text: str) -> set[int]:
    try:
        tree = parse(text.removeprefix(BOM))
    except (SyntaxError, ValueError, RecursionError):  # (nested too deeply)
        return set()
    return {
        item.lineno - 1
        for _, item in _class_statements(tree, blocked=True)
        if not isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
    }


def _class_body_names(item: ast.stmt) -> list[str]:
    """The names a statement of a class body defines: a method's or nested class's, each
    name it assigns (``a = b = 0``, ``a, b = 1, 2``, ``x: int``) or imports."""
    if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [item.name]
    if isinstance(item, (ast.Import, ast.ImportFrom)):
        return [a.asname or a.name.split(".")[0] for a in item.names if a.name != "*"]
    targets: list[ast.expr] = []
    if isinstance(item, ast.Assign):
        targets = list(item.targets)
    elif isinstance(item, ast.AnnAssign):
        targets = [item.target]
    names: list[str] = []
    while targets:
        target = targets.pop(0)
        if isinstance(target, ast.Name):
            names.append(target.id)
        elif isinstance(target, (ast.Tuple, ast.List)):
            targets[:0] = target.elts
    return names


def _instance_attributes(text: str) -> set[str]:
    """``Class.name`` for each ``self.name = …`` a method of a module-level class (or of
    a class it nests: ``Class.Inner.name``) of a Python file assigns (a class attribute
    that became an instance's is no loss); once per text inside ``shared_trees()``."""
    return cached("definitions.instance", text, lambda: _read_instance_attributes(text))


def _read_instance_attributes(text: str) -> set[str]:
    try:
        tree = parse(text.removeprefix(BOM))
    except (SyntaxError, ValueError, RecursionError):  # (nested too deeply)
        return set()
    found: set[str] = set()
    for owner, item in _class_statements(tree):
        if not isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for t in ast.walk(item):  # (every ``self.x`` stored to, however)
            if (
                isinstance(t, ast.Attribute)
                and isinstance(t.ctx, ast.Store)
                and isinstance(t.value, ast.Name)
                and t.value.id == "self"
            ):
                found.add(f"{owner}.{t.attr}")
    return found


@attrs.frozen
class _Members:
    """How the members of a language's classes are read (:mod:`.members`)."""

    language: str
    read: Callable[[str], list[Member]]
    classes: Callable[[str], set[str]]  # the classes a text holds, by path
    shown: Callable[[Member], str]  # a member as a report names it
    lines: Callable[[str], list[str]]  # the lines the line patterns read
    #: the kinds counted one by one (two declared, one left: a loss); any other is
    #: kept while the file still defines its name in any way (Ruby reopens a class,
    #: and a file that stops doing so loses nothing; a C prototype goes with a
    #: definition left)
    counted: frozenset[str]
    #: whether the other languages' definition patterns read its lines too (C's
    #: reader has all it defines; the patterns read ``static int f`` as Rust's)
    patterns: bool = True
    #: kinds not counted one by one that are lost when the file defines the name fewer
    #: times in all (C's macros: a ``#define`` of one branch of a conditional gone while
    #: another's stays is a loss; a macro turned into a function of its name is not)
    tallied: frozenset[str] = frozenset()
    #: how its annotations or attributes start ("@", "[", "#["), and the code view they
    #: are read from (comments out, strings emptied); none where they are not read
    marker: str = ""
    code: Callable[[str], list[str]] | None = None
    #: the parameters of the functions an edit keeps that it no longer takes, as
    #: (function, parameter, the function's 0-based line) (:mod:`.rubyparameters`,
    #: :mod:`.phpparameters`); none where they are not read
    parameters: Callable[[str, str], list[tuple[str, str, int]]] | None = None


def _java_shown(member: Member) -> str:
    if member.kind == "constructor":
        return f"constructor {member.owner}"
    return f"{member.owner}.{member.name}"


def _c_shown(member: Member) -> str:
    name = f"{member.owner}::{member.name}" if member.owner else member.name
    if member.kind == "declaration":
        return f"{name} (its declaration)"
    return f"#define {name}" if member.kind == "macro" else name


#: (a field or an enum constant is counted: Java allows one of a name per class)
_JAVA = _Members(
    "java", java_members, java_classes, _java_shown, _lines,
    counted=frozenset(("method", "constructor", "type", "variable")),
    marker="@", code=java_code,
)  # fmt: skip
#: (a Ruby heredoc's or ``=begin`` comment's lines are text for the line patterns too)
_RUBY = _Members(
    "ruby", ruby_members, ruby_classes, ruby_shown, code_lines, counted=frozenset(("method",)),
    parameters=ruby_dropped_parameters,
)  # fmt: skip
#: (a field or an enumerator is counted with its struct or enum: another struct
#: keeping a field of its name keeps nothing of this one's)
_C = _Members(
    "c", c_members, c_classes, _c_shown, _lines,
    counted=frozenset(("method", "variable")), patterns=False, tallied=frozenset(("macro",)),
)  # fmt: skip


def _go_shown(member: Member) -> str:
    return f"{member.owner}.{member.name}" if member.owner else member.name


#: (a variable, a constant, a struct's field, each counted with its type: another
#: struct keeping a field of its name keeps nothing of this one's)
_GO = _Members(
    "go", go_members, go_classes, _go_shown, _lines,
    counted=frozenset(("method", "type", "variable")), patterns=False,
)  # fmt: skip


def _kotlin_shown(member: Member) -> str:
    return f"constructor {member.owner}" if member.kind == "constructor" else _go_shown(member)


_KOTLIN = _Members(
    "kotlin", kotlin_members, kotlin_classes, _kotlin_shown, _lines,
    counted=frozenset(("method", "constructor", "type", "variable")),
    marker="@", code=kotlin_code,
)  # fmt: skip


def _php_shown(member: Member) -> str:
    if not member.owner:
        return member.name
    if member.name.startswith("use "):  # a trait the class uses
        return f"{member.owner}: {member.name}"
    return f"{member.owner}::{member.name}"


#: (a class constant, property or enum case is counted: PHP allows one of a name)
_PHP = _Members(
    "php", php_members, php_classes, _php_shown, _lines,
    counted=frozenset(("method", "type", "variable")),
    marker="#[", code=php_code, parameters=php_dropped_parameters,
)  # fmt: skip


_CSHARP = _Members(
    "csharp", csharp_members, csharp_classes, _kotlin_shown, _lines,
    counted=frozenset(("method", "constructor", "type", "variable")),
    marker="[", code=csharp_code,
)  # fmt: skip


#: (every ``#[cfg]`` variant of an item is one: the tests build one platform's)
_RUST = _Members(
    "rust", rust_members, rust_classes, rust_shown, _lines,
    counted=frozenset(("method", "type", "variable", "module", "macro", "impl")),
    patterns=False,
)  # fmt: skip


def _members_of(path: str, language: str | None) -> _Members | None:
    """The reader of the class members of ``path``'s language, when it has one."""
    if is_java(path, language):
        return _JAVA
    if is_ruby(path, language):
        return _RUBY
    if is_c(path, language):
        return _C
    if is_go(path, language):
        return _GO
    if is_kotlin(path, language):
        return _KOTLIN
    if is_php(path, language):
        return _PHP
    if is_csharp(path, language):
        return _CSHARP
    if is_rust(path, language):
        return _RUST
    return None


#: annotations whose removal makes tests run (``@Disabled``) or only changes what a
#: compiler checks or warns of: no loss
_STRICTER_ANNOTATIONS = frozenset(
    (
        *("Disabled", "Ignore", "Ignored", "Skip", "SuppressWarnings", "Suppress"),
        *("SuppressMessage", "SuppressLint", "Override"),
    )
)
#: the words with which an instruction speaks of annotations or attributes
_ANNOTATION_WORDS = ("annotation", "annotations", "attribute", "attributes", *_DECORATOR)


def _annotated(text: str, path: str, language: str | None, members: _Members) -> _Decorated:
    """What :func:`_dropped_annotations` reads of a text, once per text inside
    ``shared_trees()``: how many times each (declaration, annotation) pair is written,
    how many times each declaration is, and a line of each pair's declaration.  The
    declarations: the members the reader lists, and the top-level types of the line
    patterns (a Java file's ``class``)."""
    return cached(
        f"definitions.annotations.{members.language}",
        text,
        lambda: _read_annotated(text, path, language, members),
    )


def _read_annotated(text: str, path: str, language: str | None, members: _Members) -> _Decorated:
    pairs: Counter[tuple[str, str]] = Counter()
    declared: Counter[str] = Counter()
    where: dict[tuple[str, str], tuple[int, str]] = {}
    assert members.code is not None
    codes = members.code(text)
    read = members.read(text)
    lines = {m.line for m in read}
    found = [(members.shown(m), m.name, m.line) for m in read]
    found += [
        (d.name, d.name, d.line)
        for d in definitions(text, path, language)
        if d.line not in lines and not d.name.startswith("import ") and " " not in d.name
    ]
    for shown, name, line in found:
        declared[shown] += 1
        for a in annotations_of(codes, line, name, members.marker):
            bare = re.split(r"[.\\]", a)[-1]  # (``@jakarta.annotation.Nullable``: ``Nullable``)
            pairs[shown, bare] += 1
            where.setdefault((shown, bare), (line, a))
    return pairs, declared, where


def _dropped_annotations(
    old: str,
    new: str,
    path: str,
    language: str | None,
    asked_for: Callable[[Definition], bool],
    members: _Members,
) -> list[str]:
    """The annotations (Java, Kotlin) or attributes (C#, PHP) ``new`` takes off a
    declaration it keeps (``@PreAuthorize on AdminController.delete``, ``[Authorize] on
    Admin.Index``; :func:`_marks_taken_off`); ``@Disabled``, ``@SuppressWarnings`` and
    ``@Override`` may go."""
    if not members.marker or members.code is None:
        return []
    before = _annotated(old, path, language, members)
    if not before[0]:
        return []
    opening = members.marker
    closing = "]" if members.marker.endswith("[") else ""
    return _marks_taken_off(
        before,
        _annotated(new, path, language, members),
        asked_for,
        words=_ANNOTATION_WORDS,
        exempt=_STRICTER_ANNOTATIONS,
        shown=lambda written: f"{opening}{written}{closing}",
    )


def _member_name(member: Member) -> str:
    """A member's definition name: its own (a method's, a type's, a Go variable's), or
    ``constructor Calc``, ``declaration neg``, ``macro TWICE``, ``mod imp``, ``impl
    Display for Calc``."""
    if member.kind in ("method", "type", "variable"):
        return member.name
    return f"{'mod' if member.kind == 'module' else member.kind} {member.name}"


#: words the line patterns may take for a name on a line a class opens (Rust's
#: ``static NAME`` pattern reads ``static class Inner {`` as "class")
_KEYWORDS = frozenset(("class", "interface", "enum", "record", "struct", "object"))


def _line_definitions(text: str, python: bool, members: _Members | None = None) -> list[Definition]:
    """The definitions the line patterns find (Python's or the other languages', with
    the members of a class of the languages :func:`_members_of` reads), once per text
    inside ``shared_trees()``: the list must not be changed."""
    what = "definitions.lines." + ("python" if python else members.language if members else "")
    return cached(what, text, lambda: _read_line_definitions(text, python, members))


def _read_line_definitions(
    text: str, python: bool, reader: _Members | None = None
) -> list[Definition]:
    text = text.removeprefix(BOM)  # a byte-order mark starts no definition
    out: list[Definition] = []
    # (a PHP file the reader of its members does not know: a ``.inc`` file)
    php = not python and reader is None and text.lstrip().startswith("<?php")
    members: dict[int, list[Definition]] = {}  # (``attr_accessor :a, :b``: four on a line)
    for member in reader.read(text) if reader else ():
        found = Definition(_member_name(member), member.line, member.header)
        members.setdefault(member.line, []).append(found)
    lines = reader.lines(text) if reader else _lines(text)
    for i, line in enumerate(lines):
        if php and (m := _PHP_METHOD.match(line)):
            out.append(Definition(m.group(1), i, line.strip()))
            continue
        if i in members:
            out += members[i]
            if reader is not None and reader.language != "java":
                continue  # (the reader's members are what the line defines)
        if not line or line[0].isspace():
            continue
        # (members on a top-level Java class's line, ``record P(int x) {``: the class is
        # read too; not a keyword a pattern took for a name: ``static class``)
        named = {d.name for d in members.get(i, ())} | _KEYWORDS
        if python:
            if m := _PY_DEF.match(line):
                kind = "class " if line.startswith("class") else ""
                out.append(Definition(kind + m.group(1), i, line.strip()))
            elif m := _PY_IMPORT.match(line):
                out.append(Definition(f"import line {line.strip()}", i, line.strip()))
            elif m := _PY_ASSIGN.match(line):
                out.append(Definition(m.group(1), i, line.strip()))
            continue
        if perl := _perl_declared(lines, i):
            out += [Definition(name, i, line.strip()) for name in perl]
            continue
        statement = _use_statement(lines, i)
        for pattern in _OTHER_IMPORTS:
            if m := pattern.match(statement):
                out.append(Definition(f"import {m.group(1).strip()}", i, line.strip()))
                break
        else:
            for pattern in _OTHER_DEFS if reader is None or reader.patterns else ():
                if m := pattern.match(line):
                    if m.group(1) not in named:
                        out.append(Definition(m.group(1), i, line.strip()))
                    break
    return out


#: Perl's constants (``use constant PI => 3.14;``, ``use constant {`` then ``E => 2.7,``…)
#: and package variables (``our $VERSION``, ``our @EXPORT_OK``, ``our ($a, %b)``)
_PERL_CONSTANT = re.compile(r"^use\s+constant\s*(\{|[A-Za-z_]\w*)")
_PERL_OUR = re.compile(r"^our\s*(\(|[$@%][A-Za-z_]\w*)")


def _perl_declared(lines: list[str], i: int) -> list[str]:
    """What a Perl line at column 0 declares: each constant of ``use constant`` (``constant
    PI``; a hash of them read to its closing brace, at most 200 lines on) and each
    variable of ``our`` (``our $VERSION``); empty for any other line.  (Before, ``use
    constant PI => …`` was an import of ``constant``, kept by any other ``use
    constant``.)"""
    line = lines[i]
    if m := _PERL_CONSTANT.match(line):
        if m.group(1) != "{":
            return [f"constant {m.group(1)}"]
        body = _perl_list(lines, i, "{", "}")
        return [f"constant {n}" for n in re.findall(r"(?:^|[,\s])([A-Za-z_]\w*)\s*=>", body)]
    if m := _PERL_OUR.match(line):
        names = _perl_list(lines, i, "(", ")") if m.group(1) == "(" else m.group(1)
        return [f"our {v}" for v in re.findall(r"[$@%][A-Za-z_]\w*", names)]
    return []


def _use_statement(lines: list[str], i: int) -> str:
    """Line ``i``, or, for a ``use`` its line does not end (Perl's ``use vars qw(`` then a
    name a line, Rust's ``use std::{`` then ``fmt,``), the statement to its ``;`` (at
    most 50 lines on) on one line, its blanks made one space: what it imports does not
    depend on where its lines break."""
    line = lines[i]
    if not re.match(r"use\s", line) or ";" in line:
        return line
    for j in range(i + 1, min(i + 50, len(lines))):
        if ";" in lines[j]:
            return " ".join(" ".join(lines[i : j + 1]).split())
    return line


def _perl_list(lines: list[str], i: int, opening: str, closing: str) -> str:
    """What stands between ``opening`` on line ``i`` and the next ``closing``, read over
    at most 200 lines, without ``#`` comments (``use constant {…}``, ``our (…)``)."""
    block = []
    for more in lines[i : i + 200]:
        block.append(more.split("#", 1)[0])
        if closing in block[-1]:
            break
    return "\n".join(block).split(opening, 1)[1].split(closing, 1)[0]


def is_python(path: str, language: str | None = None) -> bool:
    return (language or "").lower() == "python" or Path(path).suffix.lower() in (".py", ".pyi")


def definitions(text: str, path: str, language: str | None = None) -> list[Definition]:
    """Top-level definitions and imports of a file, in order (a document's: its
    headings, each named by its title)."""
    doc = doc_format(path, language)
    if doc is not None:
        lines = document_lines(text)  # (as the sections count them: not at a form feed)
        return [Definition(s.title, s.line, lines[s.line]) for s in doc_sections(text, doc)]
    if is_python(path, language):
        found = _python_definitions(text)
        if found is not None:
            return list(found)  # a copy: the read is shared inside shared_trees()
        return list(_line_definitions(text, python=True))
    return list(_line_definitions(text, python=False, members=_members_of(path, language)))


def defined_names(text: str, path: str, language: str | None = None) -> set[str]:
    """The names a file defines itself: its top-level definitions (not its imports) and,
    in Python, the methods of its classes."""
    own = {
        _bare(d.name) for d in definitions(text, path, language) if not d.name.startswith("import")
    }
    if is_python(path, language):
        own |= {_bare(d.name) for d in _python_methods(text)}
    return own


_REMOVAL = re.compile(
    r"\b(remove|removes|removing|delete|deletes|deleting|drop|dropping|rename|renames|renaming|"
    r"replace|inline|merge|combine|consolidate|move|moving|get rid|eliminate|strip|unused|"
    r"dedupe|deduplicate|instead|migrate|migrates|migrating|switch|switches|switching|"
    r"convert|converts|converting|disable|disables|disabling|uninstall)\b",
    re.IGNORECASE,
)


def _bare(name: str) -> str:
    """The identifier a user would write for a definition name (a method's own name)."""
    if name.startswith("import "):
        word = name.split()[1]
        return word.split(".")[-1]
    # (Perl's Pkg::name; a Rust impl's ``Name<'a>``)
    return name.split()[-1].split(".")[-1].split("::")[-1].split("<")[0]


def dropped_definitions(
    old: str,
    new: str,
    path: str,
    *,
    language: str | None = None,
    instruction: str = "",
    exempt_lines: tuple[int, int] | None = None,
    defined_elsewhere: Iterable[str] = (),
) -> list[str]:
    """Definitions and imports of ``old`` that ``new`` lacks and that the user did not ask
    to remove, and (Python) methods of classes ``new`` keeps that no class or function of
    ``new`` defines any more (``Class.method``).  ``exempt_lines`` (0-based, inclusive)
    is the selection: what is defined there may go.  ``defined_elsewhere``: names the
    same edit defines in other files (a move).  A name counts as asked for when the
    instruction names it next to a word like remove/rename/merge, and imports when it
    speaks of removing imports.

    Each text is read once (its tree, its lists) inside ``shared_trees()``, which this
    opens when no caller has; a text compared with itself drops nothing and is not read."""
    if old == new:
        return []
    with shared_trees():
        return _dropped(
            old,
            new,
            path,
            language=language,
            instruction=instruction,
            exempt_lines=exempt_lines,
            defined_elsewhere=defined_elsewhere,
        )


def _dropped(
    old: str,
    new: str,
    path: str,
    *,
    language: str | None,
    instruction: str,
    exempt_lines: tuple[int, int] | None,
    defined_elsewhere: Iterable[str],
) -> list[str]:
    """:func:`dropped_definitions` inside its ``shared_trees()`` scope."""
    doc = doc_format(path, language)
    if doc is not None:  # Markdown, reStructuredText, AsciiDoc: their sections
        return dropped_sections(
            old,
            new,
            doc,
            instruction=instruction,
            removal=bool(_REMOVAL.search(instruction)),
            exempt_lines=exempt_lines,
            defined_elsewhere=defined_elsewhere,
        )
    fmt = data_format(path, language)
    if fmt is not None:  # JSON, TOML, YAML: their keys and list items
        return dropped_keys(
            old,
            new,
            fmt,
            instruction=instruction,
            removal=bool(_REMOVAL.search(instruction)),
            exempt_lines=exempt_lines,
            defined_elsewhere=set(defined_elsewhere),
        )
    if is_js(path, language):
        read = _js_lists(old, new)
        if read is not None:  # both read from their tokens: what the line patterns see too
            return _dropped_js(
                *read, asked_for=_asked_for(instruction, exempt_lines, defined_elsewhere)
            ) + _dropped_parameters(_js_parameters(*read), instruction, exempt_lines)
    before = definitions(old, path, language)
    if not before and not (is_python(path, language) and _python_definitions(old) is not None):
        return []  # (a Python module made of blocks only: what they define is compared below)
    after_python = is_python(path, language) and _python_definitions(new) is not None
    old_python = is_python(path, language) and _python_definitions(old) is not None
    if after_python != old_python:  # compare like with like when one side does not parse
        before = _line_definitions(old, python=is_python(path, language))
        after = _line_definitions(new, python=is_python(path, language))
    else:
        after = definitions(new, path, language)
    have = {d.name for d in after}
    asked_for = _asked_for(instruction, exempt_lines, defined_elsewhere)
    kept = _imported(after, path)
    lost: list[str] = []
    members = _members_of(path, language)
    if members:  # a class's members are compared below, counted and by their class
        inside = {(m.line, _member_name(m)) for m in members.read(old)}
        before = [d for d in before if (d.line, d.name) not in inside]
    for d in before:
        if d.name in have or d.name in lost or asked_for(d):
            continue
        if d.name.startswith("import ") and _import_items(d.name[7:], path) <= kept:
            continue  # what it imported is imported still (an item added to its list)
        lost.append(d.name)
    if old_python and after_python:
        # what the module's if / try blocks define is the module's too (a class for
        # another Python version: the tests of this one never reach it), counted: the
        # branch for another version dropped while this one's keeps the name is a loss
        nested_before, nested_after = _block_definitions(old), _block_definitions(new)
        count_old, count_new = _definition_counts(old), _definition_counts(new)
        for d in nested_before:
            if count_new[d.name] >= count_old[d.name] or d.name in lost or asked_for(d):
                continue
            lost.append(d.name)
        before, after = [*before, *nested_before], [*after, *nested_after]
        lost += _dropped_methods(old, new, before, after, asked_for)
        lost += _dropped_decorators(old, new, asked_for)
        tests = _python_test_module(path)
        lost += _dropped_parameters(
            dropped_parameters(old, new, tests) + changed_parameters(old, new, tests),
            instruction,
            exempt_lines,
        )
    if members:
        lost += _dropped_members(old, new, after, asked_for, members)
        lost += _dropped_annotations(old, new, path, language, asked_for, members)
        if members.parameters is not None:
            found = members.parameters(old, new)
            lost += _dropped_parameters(found, instruction, exempt_lines)
    return lost


def _dropped_members(
    old: str,
    new: str,
    after: list[Definition],
    asked_for: Callable[[Definition], bool],
    members: _Members,
) -> list[str]:
    """The members (methods, constructors, nested types, properties) of Java, Ruby, C++,
    Kotlin, PHP or C# classes ``new`` keeps, what a Go or PHP file declares at its top level,
    or a C file's functions, that it defines fewer times than ``old``
    (``Calc.add`` for one of two overloads gone, or a method of one class while another
    class keeps its own): a set of names saw neither.  What moved within the file still
    counts once (the file's definitions of a name are counted together); the members
    of a class whose body went are reported by the class; what is not counted one by
    one (``_Members.counted``) is kept while the file defines its name in any way."""
    classes, had = members.classes(new), members.classes(old)
    left = Counter(d.name for d in after)
    named = {_bare(d.name) for d in after}
    # a member its class still declares is kept first, so that what is reported is
    # the one that went (``Calc.size`` gone, ``Bag.size`` kept: not "Bag.size")
    still = Counter((m.owner, m.name, m.kind) for m in members.read(new))
    kept: set[int] = set()
    for k, m in enumerate(members.read(old)):
        key, name = (m.owner, m.name, m.kind), _member_name(m)
        if m.kind in members.counted and still[key] > 0 and left[name] > 0:
            still[key] -= 1
            left[name] -= 1
            kept.add(k)
    if members.tallied:
        before = Counter(m.name for m in members.read(old))
        now = Counter(m.name for m in members.read(new))
        defined = Counter((m.kind, m.name) for m in members.read(new))
        defined_before = Counter((m.kind, m.name) for m in members.read(old))
    lost: list[str] = []
    for k, m in enumerate(members.read(old)):
        if k in kept or (m.owner in had and m.owner not in classes):
            continue
        d = Definition(_member_name(m), m.line, m.header)
        if m.kind in members.tallied and m.name in named:
            fewer = defined[m.kind, m.name] < defined_before[m.kind, m.name]
            if not fewer or now[m.name] >= before[m.name]:
                continue
        elif m.kind not in members.counted and (
            m.name in named or ("::" in m.name and _bare(m.name) in named)
        ):  # (Ruby's ``class CLI::Add`` in ``module Bundler``: the patterns read "CLI::Add")
            continue
        if m.kind in members.counted and left[d.name] > 0:
            left[d.name] -= 1
            continue
        shown = members.shown(m)
        if shown not in lost and not asked_for(d):
            lost.append(shown)
    return lost


#: a Perl module's import list: ``qw(floor ceil)``, ``'floor', 'ceil'``
_PERL_LIST_WORD = re.compile(r"[A-Za-z_$@%&:][\w:]*")


def _import_items(spec: str, path: str) -> set[str]:
    """What a ``use`` line of the line patterns imports, item by item: Perl's module and
    the names of its list (``POSIX qw(floor)``: ``POSIX``, ``POSIX::floor``; ``Test::More
    tests => 25``: ``Test::More``, the plan being no name), Rust's and PHP's groups
    expanded (``std::{fmt, io::Read}``: ``std::fmt``, ``std::io::Read``)."""
    if Path(path).suffix in (".pm", ".pl", ".t"):
        module, _, rest = spec.strip().partition(" ")
        listed = re.search(r"\bqw\s*[(\[{/]([^)\]}/]*)", rest)
        words = listed.group(1).split() if listed else []
        return {module, *(f"{module}::{w}" for w in words if _PERL_LIST_WORD.fullmatch(w))}
    return set(_expand_group(spec.strip()))


def _expand_group(spec: str) -> list[str]:
    """``a::{b, c::{d, self}}`` as ``a::b``, ``a::c::d``, ``a::c``; anything else as is."""
    open_at = spec.find("{")
    if open_at < 0 or not spec.endswith("}"):
        return [spec]
    prefix, body = spec[:open_at], spec[open_at + 1 : -1]
    items, depth, start = [], 0, 0
    for i, ch in enumerate(body + ","):
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif ch == "," and depth == 0:
            if body[start:i].strip():
                items.append(body[start:i].strip())
            start = i + 1
    out: list[str] = []
    for item in items:
        out += [prefix.rstrip(":\\")] if item == "self" else _expand_group(prefix + item)
    return out


def _imported(found: Iterable[Definition], path: str) -> set[str]:
    """Every item the ``use`` lines among ``found`` import (:func:`_import_items`)."""
    out: set[str] = set()
    for d in found:
        if d.name.startswith("import "):
            out |= _import_items(d.name[7:], path)
    return out


def _asked_for(
    instruction: str, exempt_lines: tuple[int, int] | None, defined_elsewhere: Iterable[str]
) -> Callable[[Definition], bool]:
    """Whether a definition's removal was asked for: it is in the selection
    (``exempt_lines``), another file of the edit defines its name (a move), or the
    instruction names it beside a word like remove / rename / merge (imports: speaks of
    removing imports)."""
    elsewhere = set(defined_elsewhere)
    removal = bool(_REMOVAL.search(instruction))
    imports_ok = removal and re.search(r"\bimports?\b", instruction, re.IGNORECASE) is not None
    words = set(re.findall(r"[A-Za-z_$][\w$]*", instruction))

    def asked_for(d: Definition) -> bool:
        if exempt_lines is not None and exempt_lines[0] <= d.line <= exempt_lines[1]:
            return True
        bare = _bare(d.name)
        if bare in elsewhere:
            return True
        if d.name.startswith("import ") and imports_ok:
            return True
        # (a PHP property or a Perl variable, ``$cache``, ``%cache``: "remove the cache
        # property" names it; a C# ``operator +``: "remove the + operator")
        return removal and (
            bare in words or bare.lstrip("$@%") in words or spoken_of(d.name, instruction)
        )

    return asked_for


def _js_definitions(text: str) -> list[JsDefinition] | None:
    """``js_definitions(text)``, once per text inside ``shared_trees()`` (a multi-file
    edit reads each other JS file for the names it defines, then compares it): the list
    must not be changed."""
    return cached("definitions.js", text, lambda: js_definitions(text))


def _js_lists(old: str, new: str) -> tuple[list[JsDefinition], list[JsDefinition]] | None:
    """What the JavaScript or TypeScript texts ``old`` and ``new`` define, read from
    their tokens; None when either cannot be read (the line patterns then compare)."""
    before, after = _js_definitions(old), _js_definitions(new)
    return None if before is None or after is None else (before, after)


def _dropped_js(
    before: list[JsDefinition],
    after: list[JsDefinition],
    *,
    asked_for: Callable[[Definition], bool],
) -> list[str]:
    """What a JavaScript or TypeScript module defined that it no longer does, read from
    its tokens (:mod:`.jsdefinitions`: its declarations and imports wherever their lines
    break, class members, ``exports.x =`` and the like, a wrapped module's functions),
    counted: a name defined twice and now once is a loss.  A definition whose name the
    edit defines anew elsewhere in the file (a method moved to another class, a function
    out of a wrapper) moved; members of a class (an interface, an enum, a namespace) that
    went are reported by the class."""
    lost: list[str] = []
    left = Counter(d.name for d in after)
    old_names = {d.name for d in before}
    gained = Counter(_bare(d.name) for d in after if d.name not in old_names and d.kind != "value")
    classes = {d.name for d in after if d.kind == "class"}
    held = {d.name for d in before if d.kind == "class"}  # (a namespace's too)
    # CommonJS and ES modules import alike: ``const { a } = require('x')`` in one text,
    # ``import { a } from 'x'`` in the other, keeps both the module and the name
    required = {f"import {d.source}" for d in after if d.source is not None}
    imported = {n for d in after if d.kind == "import" for n in d.binds}
    for d in before:
        if d.kind == "value":
            continue  # (``module.exports = function …``: read for its parameters only)
        if left[d.name] > 0:
            left[d.name] -= 1  # still defined
            continue
        if (d.kind == "import" and d.name in required) or (
            d.source is not None and d.name in imported
        ):
            continue
        owner = d.name.rsplit(".", 1)[0] if "." in d.name else None
        if (d.kind == "member" or owner in held) and owner not in classes:
            continue  # its class went (or was renamed): the class is the loss
        found = Definition(d.name, d.line, "")
        if d.name in lost or asked_for(found):
            continue
        if d.source is not None and asked_for(Definition(f"import {d.source}", d.line, "")):
            continue  # const fs = require('fs'), and the instruction removes imports
        if gained[_bare(d.name)] > 0 and d.kind != "import":
            gained[_bare(d.name)] -= 1  # moved there
            continue
        lost.append(d.name)
    return lost + _dropped_js_decorators(before, after, asked_for)


def _js_decorated(found: list[JsDefinition]) -> _Decorated:
    pairs = Counter((d.name, x.rpartition(".")[2]) for d in found for x in d.decorators)
    first: dict[tuple[str, str], tuple[int, str]] = {}
    for d in found:
        for x in d.decorators:
            first.setdefault((d.name, x.rpartition(".")[2]), (d.line, x))
    return pairs, Counter(d.name for d in found), first


def _dropped_js_decorators(
    before: list[JsDefinition], after: list[JsDefinition], asked_for: Callable[[Definition], bool]
) -> list[str]:
    """The decorators ``after`` takes off a class or class member it keeps
    (``@UseGuards on AdminController``; :func:`_marks_taken_off`)."""
    old = _js_decorated(before)
    if not old[0]:
        return []
    return _marks_taken_off(
        old,
        _js_decorated(after),
        asked_for,
        words=_DECORATOR,
        exempt=frozenset(),
        shown=lambda called: f"@{called}",
    )


def _dropped_methods(
    old: str,
    new: str,
    before: list[Definition],
    after: list[Definition],
    asked_for: Callable[[Definition], bool],
) -> list[str]:
    """Methods, nested classes and attributes (:func:`_python_methods`) of classes
    ``new`` keeps that ``new`` no longer defines there.  A method may move to another
    class or out of its class: each definition of its name that
    ``new`` adds where ``old`` had none (``Other.name``, a top-level ``name``) accounts
    for one method gone; another class that already defined the name does not (dropping
    ``_SpecialForm.__instancecheck__`` while other classes keep theirs).  A class that
    went is reported once, by the caller."""
    old_methods, new_methods = _python_methods(old), _python_methods(new)
    have = {d.name for d in after}
    # how many times each Class.method is defined (a class per branch of an if: twice)
    left = Counter(d.name for d in new_methods)
    assigned = _instance_attributes(new)
    old_names = {d.name for d in (*before, *old_methods)}
    gained = Counter(_bare(d.name) for d in (*after, *new_methods) if d.name not in old_names)
    lost: list[str] = []
    nested = {d.name for d in new_methods}  # (``Class.Meta``: a nested class kept)
    loose = _loose_lines(old)
    for d in old_methods:
        owner = f"class {d.name.split('.')[0]}"
        if owner not in have or asked_for(d):
            continue
        inner = d.name.rsplit(".", 1)[0]
        if "." in inner and inner not in nested:
            continue  # (a member of a nested class that went: the class is reported)
        if d.line in loose and d.name in nested:
            continue  # (a name a block of the body assigns, still defined in the class)
        if left[d.name] > 0:
            left[d.name] -= 1  # still defined there
            continue
        if d.name in assigned:  # (an instance's attribute now: ``self.size = 0``)
            continue
        if gained[_bare(d.name)] > 0:
            gained[_bare(d.name)] -= 1  # moved there
            continue
        if d.name not in lost:
            lost.append(d.name)
    return lost


def guard(
    olds: Mapping[str, str],
    news: Mapping[str, str],
    *,
    language_of,
    instruction: str,
    exempt: Mapping[str, tuple[int, int]] | None = None,
) -> None:
    """Raise ``ParseError`` when any changed file drops code nobody asked to remove.

    Each text is read once (``shared_trees()``, opened here when no caller has): the
    names each changed file defines, for the other files' moves, and its comparison."""
    with shared_trees():
        _guard(olds, news, language_of=language_of, instruction=instruction, exempt=exempt)


def _guard(
    olds: Mapping[str, str],
    news: Mapping[str, str],
    *,
    language_of,
    instruction: str,
    exempt: Mapping[str, tuple[int, int]] | None,
) -> None:
    names: dict[str, set[str]] = {}  # what each changed file defines, read when needed

    def kind(r: str) -> str:
        """What a file is: a key moves between data files, a section between documents,
        a definition between code files (a JSON key "build" does not stand for a
        dropped function build)."""
        if doc_format(r, language_of(r)) is not None:
            return "doc"
        return "data" if data_format(r, language_of(r)) is not None else "code"

    def defined(r: str, t: str) -> set[str]:
        if r not in names and (doc := doc_format(r, language_of(r))) is not None:
            names[r] = doc_names(t, doc)
        if r not in names and (fmt := data_format(r, language_of(r))) is not None:
            names[r] = data_names(t, fmt)
        if r not in names:
            names[r] = {
                _bare(d.name)
                for d in (
                    *definitions(t, r, language_of(r)),
                    *(_python_methods(t) if is_python(r, language_of(r)) else ()),
                    *((_js_definitions(t) or ()) if is_js(r, language_of(r)) else ()),
                )
            }
        return names[r]

    for rel, new in news.items():
        old = olds.get(rel)
        if not old:
            continue
        fmt = data_format(rel, language_of(rel))
        if fmt is not None and data_error(old, fmt) is None:
            broken = data_error(new, fmt)
            if broken is None and fmt == "json":
                broken = json_made_loose(old, new, rel)
            if broken is not None:
                raise ParseError(
                    f"the edit leaves {rel} unreadable as {fmt.upper()} ({broken}); "
                    "it read before the edit"
                )
        doc = doc_format(rel, language_of(rel))
        if doc is not None and (broken := doc_error(old, new, doc)) is not None:
            raise ParseError(f"the edit leaves {rel} broken: {broken}")
        others = {
            name
            for r, t in news.items()
            if r != rel and kind(r) == kind(rel)
            for name in defined(r, t)
        }
        lost = dropped_definitions(
            old,
            new,
            rel,
            language=language_of(rel),
            instruction=instruction,
            exempt_lines=(exempt or {}).get(rel),
            defined_elsewhere=others,
        )
        if lost:
            shown = ", ".join(lost[:5]) + (f" and {len(lost) - 5} more" if len(lost) > 5 else "")
            if doc is not None:
                raise ParseError(
                    f"the edit would delete {len(lost)} section(s) of {rel} that the "
                    f"instruction did not ask to remove: {shown}"
                )
            if fmt is not None:
                raise ParseError(
                    f"the edit would delete {len(lost)} {what_counts(fmt)} of {rel} that "
                    f"the instruction did not ask to remove: {shown}"
                )
            if all(name.startswith("parameter ") for name in lost):
                params = [name.removeprefix("parameter ") for name in lost]
                shown = ", ".join(params[:5]) + (
                    f" and {len(params) - 5} more" if len(params) > 5 else ""
                )
                changed = sum(" (" in name for name in params)
                what, asked = (
                    ("delete", "remove")
                    if not changed
                    else ("change", "change")
                    if changed == len(params)
                    else ("delete or change", "remove or change")
                )
                raise ParseError(
                    f"the edit would {what} {len(lost)} parameter(s) of {rel} that the "
                    f"instruction did not ask to {asked}: {shown}"
                )
            raise ParseError(
                f"the edit would delete {len(lost)} definition(s), method(s) or import(s) of {rel} "
                f"that the instruction did not ask to remove: {shown}"
            )
        if kind(rel) == "code" and not asks_for_placeholders(instruction):
            language = language_of(rel)
            stubs = stub_reader(rel, language)
            _refuse_placeholders(rel, old, new, instruction=instruction, stubs=stubs)


def stub_reader(rel: str, language: str | None) -> _Stubs | None:
    """What reads the functions an edit of ``rel`` cut to a stub, by its language."""
    if is_python(rel, language):
        return stubbed
    if is_js(rel, language):
        return js_stubbed
    if is_ruby(rel, language):
        return ruby_stubbed
    if (language or "").lower() == "perl" or Path(rel).suffix in (".pm", ".pl"):
        return perl_stubbed
    for known, view in _BRACE_VIEWS:
        if known(rel, language):
            return functools.partial(brace_stubbed, view=view)
    return None


def _refuse_placeholders(
    rel: str,
    old: str,
    new: str,
    *,
    instruction: str,
    stubs: _Stubs | None,
) -> None:
    """Raise ``ParseError`` where the edit put a placeholder in place of code of ``rel``
    (:mod:`.elisions`): a comment standing in for lines it took out, a function cut to a
    stub (``stubs`` reads them: a Python one cut to ``pass``, one in braces to ``{}``),
    unless the instruction names it beside a word like remove ("remove the prints from
    debug_dump": its body was prints alone)."""
    if old == new:
        return
    found = [
        f"line {line + 1} {comment!r} where {gone} line(s) of code were"
        for line, comment, gone in placeholders(old, new)
    ]
    if stubs is not None:
        named = set(re.findall(r"[\w$]+", instruction)) if _REMOVAL.search(instruction) else set()
        found += [
            f"the body of {path} (line {line + 1}) cut to {what}"
            for path, line, what in stubs(old, new)
            if path.rsplit(".", 1)[-1] not in named
        ]
    if found:
        shown = "; ".join(found[:5]) + (f"; and {len(found) - 5} more" if len(found) > 5 else "")
        raise ParseError(
            f"the edit would replace code of {rel} with a placeholder the instruction did not "
            f"ask for, deleting that code: {shown}; write the code out in full"
        )
