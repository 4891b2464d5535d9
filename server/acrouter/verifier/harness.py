"""Edits whose code reaches into the test harness.

The code under test runs inside the test process, so it can change how that process
reports: ``unittest.TestCase.run = ...`` from the package the tests import makes every
test record a success without running; a pytest hook or ``_pytest`` patched from it does
the same for pytest.  No report read from such a run can be trusted, and the user's
tests cannot tell (the tests' own files are judged as they were: ``testfiles``; this is
about the edit's other files).

So an edit is not verified when its code (a Python file that is not one of the tests')
gains what only a test harness needs: an assignment to, or ``setattr`` / ``delattr`` on,
something reached through ``unittest``, ``pytest``, ``_pytest`` or ``doctest`` (or a
name imported from them), the names of the runner's result protocol (``addSuccess``,
``startTest``, ``TestResult``, ...), ``load_tests``, pytest's hook names, ``_pytest``,
``PYTEST_PLUGINS`` / ``PYTEST_ADDOPTS``; or a JavaScript / TypeScript file that gains
an assignment to a test runner's globals (``global.it = ...``: mocha's ``it`` wrapped to
swallow a test's exception) or loads a test runner (``require("mocha")``, ``tape``,
``jest``, ``vitest``, ``node:test``, ...).  Only what the edit adds counts, so a project
that already uses these (a pytest plugin) can still be edited where it does not add
more.  This is a tripwire, not a proof: code that builds the names at run time
(``getattr(m, "add" + "Success")``) is not seen.
"""

from __future__ import annotations

import ast
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path

from .testfiles import is_test_file

#: modules whose objects an edit's code has no business changing
HARNESS_MODULES = frozenset({"unittest", "pytest", "_pytest", "doctest"})
#: names only a test harness uses
HARNESS_NAMES = frozenset(
    {
        # unittest's result protocol and runner
        "addSuccess",
        "addFailure",
        "addError",
        "addSkip",
        "addExpectedFailure",
        "addUnexpectedSuccess",
        "addSubTest",
        "startTest",
        "stopTest",
        "TestResult",
        "TextTestResult",
        "TextTestRunner",
        "load_tests",
        # pytest's hooks and reports
        "_pytest",
        "hookimpl",
        "hookwrapper",
        "TestReport",
        "pytest_runtest_makereport",
        "pytest_runtest_protocol",
        "pytest_runtest_call",
        "pytest_runtest_logreport",
        "pytest_report_teststatus",
        "pytest_collection_modifyitems",
        "pytest_collect_file",
        "pytest_ignore_collect",
        "pytest_pycollect_makeitem",
        "pytest_configure",
        "pytest_sessionfinish",
        "pytest_plugins",
        "PYTEST_PLUGINS",
        "PYTEST_ADDOPTS",
    }
)


def _chain_root(node: ast.expr) -> str | None:
    """``a`` for ``a.b.c`` / ``a.b[0].c``; None for anything else."""
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _unparse(node: ast.AST) -> str:
    text = ast.unparse(node)
    return text if len(text) <= 60 else text[:57] + "..."


class _Finder(ast.NodeVisitor):
    """What a module does with the test harness: a Counter of findings."""

    def __init__(self) -> None:
        self.harness: set[str] = set()  # local names bound to the harness's modules/objects
        self.found: Counter[str] = Counter()

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.name.split(".")[0] in HARNESS_MODULES:
                self.harness.add((alias.asname or alias.name).split(".")[0])
            self._name(alias.name.split(".")[-1])

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        module = node.module or ""
        if module.split(".")[0] in HARNESS_MODULES and not module.startswith("unittest.mock"):
            self.harness.update(a.asname or a.name for a in node.names if a.name != "mock")
            self._name(module.split(".")[0])
        for alias in node.names:
            self._name(alias.name)

    def _target(self, target: ast.expr) -> None:
        if isinstance(target, (ast.Tuple, ast.List)):
            for t in target.elts:
                self._target(t)
        elif (
            isinstance(target, (ast.Attribute, ast.Subscript))
            and _chain_root(target) in self.harness
        ):
            self.found[f"changes {_unparse(target)}"] += 1

    def visit_Assign(self, node: ast.Assign) -> None:
        for t in node.targets:
            self._target(t)
        self.generic_visit(node)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        self._target(node.target)
        self.generic_visit(node)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        self._target(node.target)
        self.generic_visit(node)

    def visit_Delete(self, node: ast.Delete) -> None:
        for t in node.targets:
            self._target(t)
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if (
            isinstance(func, ast.Name)
            and func.id in ("setattr", "delattr")
            and node.args
            and _chain_root(node.args[0]) in self.harness
        ):
            self.found[f"{func.id}({_unparse(node.args[0])}, ...)"] += 1
        self.generic_visit(node)

    def visit_Name(self, node: ast.Name) -> None:
        self._name(node.id)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        self._name(node.attr)
        self.generic_visit(node)

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self._name(node.name)
        self.generic_visit(node)

    visit_AsyncFunctionDef = visit_FunctionDef  # type: ignore[assignment]

    def visit_Constant(self, node: ast.Constant) -> None:
        if isinstance(node.value, str):
            self._name(node.value)

    def _name(self, name: str) -> None:
        if name in HARNESS_NAMES:
            self.found[f"uses {name}"] += 1


def harness_uses(text: str) -> Counter[str]:
    """What the Python module ``text`` does with the test harness (empty when it does
    not parse: the syntax check reports that)."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return Counter()
    finder = _Finder()
    finder.visit(tree)
    return finder.found


#: JavaScript / TypeScript sources
JS_SUFFIXES = (".js", ".mjs", ".cjs", ".jsx", ".ts", ".mts", ".cts", ".tsx")
#: the globals a JS test runner defines, which code under test has no business replacing
_JS_GLOBALS = (
    "it|xit|fit|describe|xdescribe|fdescribe|context|specify|suite|test|expect"
    "|before|after|beforeEach|afterEach|beforeAll|afterAll"
)
_JS_RUNNERS = (
    "mocha|tape|tap|jest|vitest|ava|node:test|@jest/globals|@jest/core|jest-circus|@vitest/runner"
)
_JS_PATTERNS = (
    (  # global.it = ..., globalThis["describe"] = ...
        re.compile(
            rf"\b(?:global|globalThis|window|self)\s*(?:\.\s*|\[\s*['\"`])({_JS_GLOBALS})\b"
            r"(?:['\"`]\s*\])?\s*=(?!=)"
        ),
        "changes global.{}",
    ),
    (  # Object.defineProperty(global, "it", ...)
        re.compile(
            rf"\bdefineProperty\s*\(\s*(?:global|globalThis|window|self)\s*,\s*['\"`]({_JS_GLOBALS})['\"`]"
        ),
        "changes global.{}",
    ),
    (re.compile(rf"\brequire\s*\(\s*['\"`]({_JS_RUNNERS})['\"`]\s*\)"), "requires {}"),
    (re.compile(rf"\b(?:from|import)\s*\(?\s*['\"`]({_JS_RUNNERS})['\"`]"), "imports {}"),
)


def js_harness_uses(text: str) -> Counter[str]:
    """What the JavaScript / TypeScript module ``text`` does with its test runner:
    replacing the runner's globals (``global.it = ...``) or loading the runner."""
    found: Counter[str] = Counter()
    for pattern, what in _JS_PATTERNS:
        for m in pattern.finditer(text):
            found[what.format(m.group(1))] += 1
    return found


def _uses(rel: str, text: str) -> Counter[str]:
    if rel.endswith(".py"):
        return harness_uses(text)
    if rel.endswith(JS_SUFFIXES):
        return js_harness_uses(text)
    return Counter()


def reaches_into_harness(
    texts: Mapping[str, str], root: Path, patterns: Iterable[str] = ()
) -> str | None:
    """Why the edit (new texts by workspace-relative path) cannot be verified because its
    code reaches into the test harness, or None.  ``patterns``: more test files
    (``testfiles.command_patterns``)."""
    patterns = tuple(patterns)
    for rel, text in sorted(texts.items()):
        if not rel.endswith((".py", *JS_SUFFIXES)) or is_test_file(rel, patterns):
            continue
        old_path = root / rel
        try:
            old = old_path.read_text(encoding="utf-8") if old_path.is_file() else ""
        except (OSError, UnicodeDecodeError):
            old = ""
        added = _uses(rel, text) - _uses(rel, old)
        if added:
            what = "; ".join(sorted(added)[:3]) + (
                f" and {len(added) - 3} more" if len(added) > 3 else ""
            )
            return (
                f"{rel} (not one of the tests' files) reaches into the test harness ({what}): "
                "code under test runs inside the test process and could change what it "
                "reports, so its results cannot verify this edit"
            )
    return None
