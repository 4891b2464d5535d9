"""Edits whose code reaches into the test harness.

The code under test runs inside the test process, so it can change how that process
reports: ``unittest.TestCase.run = ...`` from the package the tests import makes every
test record a success without running; a pytest hook or ``_pytest`` patched from it does
the same for pytest.  No report read from such a run can be trusted, and the user's
tests cannot tell (the tests' own files are judged as they were: ``testfiles``; this is
about the edit's other files).

The tests' assertions live in that process too: ``TestCase.assertEqual`` made a no-op
passes every test that compares a value, whatever the code returns.

So an edit is not verified when its code (a Python file that is not one of the tests')
gains what only a test harness needs: an assignment to, ``del`` of, or ``setattr`` /
``delattr`` / ``__setattr__`` / ``mock.patch.object`` on, something reached through
``unittest``, ``pytest``, ``_pytest``, ``doctest``, ``xdist``, ``execnet`` (pytest-xdist's
workers send their reports through its channel) or ``builtins`` (``AssertionError``,
``__import__``: what the tests use too), whether by a name imported from them, a name
bound to one of their objects (``tc = unittest.TestCase``), ``__builtins__``,
``sys.modules["unittest"]``, ``__import__("unittest")`` or ``importlib.import_module``;
one of those modules put into or taken out of ``sys.modules`` (``sys.modules["pytest"]
= fake``) or ``mock.patch("builtins.x")``; the names of the runner's result protocol
(``addSuccess``, ``startTest``, ``TestResult``, ...), ``load_tests``, pytest's hook
names, ``_pytest``, ``PYTEST_PLUGINS`` / ``PYTEST_ADDOPTS``, xdist's worker
(``sendevent``, ``testreport``, ...), ``sys.pycache_prefix`` (where
pytest reads its cache of a rewritten test module); an assignment to, or
``setattr`` of, ``__doc__`` or ``__test__`` (doctest runs what they hold then) of a value
that may hold examples (not of a constant that is not a string, nor of a string without
examples: that can only take examples away, and the comparison reports the tests that no
longer run); what may change what a name documented with examples holds when doctest
looks (``add = _add``, ``@swap``, ``globals()["add"] = ...``, ``functools.wraps(_add)``:
:mod:`.docnames`).  JavaScript and TypeScript
files are read by ``harness_js``: a runner's globals assigned or called (its hooks,
``beforeEach``) or a runner loaded, node's
``assert`` or another assertion library changed, ``Object.prototype``, the module
loader; and by ``harness_jest``: jest's and vitest's own objects, their report, the
runner's process.  Perl modules and scripts are read by ``harness_perl``: the tests'
assertions named in another package, a test library, TAP printed, the harness's
environment, ``CORE::GLOBAL``, the debugger; PHP files by ``harness_php``: PHPUnit
named, its report or the command line, a shutdown function or output rewritten, the line
measurement.  Only what the edit adds counts, so a project that already uses these
(a pytest plugin) can still be edited where it does not add more.  This is a tripwire, not a
proof: code that builds the names at run time (``getattr(m, "add" + "Success")``) is
not seen, nor code that returns a value equal to anything (``__eq__`` always true).
Python files are read by ``harness_py`` (the names it reads: ``harness_names``); a module the edit adds named like the test
runner's or the standard library's (``pytest.py`` at the root) is :mod:`.shadows`'s.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path, PurePosixPath

from ..jsdefinitions import JS_SUFFIXES
from .docnames import doctest_name_changes
from .harness_jest import jest_harness_uses
from .harness_js import js_harness_uses
from .harness_perl import names_a_test_library, perl_harness_uses
from .harness_php import php_harness_uses
from .harness_py import harness_uses, output_uses
from .shadows import (
    project_shadows,
    pytest_test_folders,
    pythonpath_roots,
    shadowing_modules,
)
from .testnames import is_test_file


def _uses(rel: str, text: str) -> Counter[str]:
    if rel.endswith(".py"):
        return harness_uses(text)
    if rel.endswith(JS_SUFFIXES):
        return js_harness_uses(text) + jest_harness_uses(text)
    if rel.endswith(_PERL_SUFFIXES):
        return perl_harness_uses(text)
    if rel.endswith(".php"):
        return php_harness_uses(text)
    return Counter()


#: Perl's modules and scripts (``harness_perl``; ``.t``, a test script, is the tests')
_PERL_SUFFIXES = (".pm", ".pl")


def _module_of(rel: str) -> str:
    """``helpers`` for ``pkg/helpers.py``, ``pkg`` for ``pkg/__init__.py``."""
    path = PurePosixPath(rel)
    return path.parent.name if path.name == "__init__.py" else path.stem


def reaches_into_harness(
    texts: Mapping[str, str],
    olds: Mapping[str, str | None],
    patterns: Iterable[str] = (),
    root: Path | None = None,
    python: tuple[int, int] | None = None,
    printed: bool = False,
    stdlib: Iterable[str] = (),
) -> str | None:
    """Why the edit (new texts by workspace-relative path) cannot be verified because its
    code reaches into the test harness, or None.  ``olds``: each file's text before the
    edit, as it was made from (``edits.texts_before``: an unsaved buffer, else the disk;
    None for a new file); ``patterns``: more test files
    (``testcommand.command_patterns``); ``root``: the workspace, for the modules the
    edit adds (:mod:`.shadows`); ``python``: the version of the project's Python, when
    known (the modules its standard library no longer has are the project's to add), and
    ``stdlib`` the modules its standard library's folder holds;
    ``printed``: the runner's report is what it prints (unittest's ``-v`` lines, Django's),
    so Python code that replaces or redirects the process's streams could rewrite it."""
    shadows = shadowing_modules(
        texts, olds, lambda rel: root is not None and (root / rel).exists(), python, stdlib
    )
    if shadows:
        return (
            f"{shadows[0]}, named like a module of the standard library or of the test tools: "
            "it would be imported in their place (the test runner itself, with `python -m "
            "pytest` run in the workspace), so the results cannot verify this edit"
        )
    patterns = tuple(patterns)
    # (the workspace is walked for pytest's folders only when the edit adds a module)
    new_module = any(rel.endswith(".py") and olds.get(rel) is None for rel in texts)
    mine = new_module and project_shadows(
        texts,
        olds,
        lambda rel: root is not None and (root / rel).exists(),
        pythonpath_roots(root, texts),
        pytest_test_folders(root, texts, patterns),
    )
    if mine:
        return (
            f"{mine[0]}: the tests may import the new one in its place (the workspace's "
            "root comes first on their path with `python -m pytest`, and pytest puts the "
            "folders of its test files and its pythonpath there) and never run the "
            "project's own, so the results cannot verify this edit"
        )
    edited = frozenset(_module_of(rel) for rel in texts if rel.endswith(".py"))
    for rel, text in sorted(texts.items()):
        if not rel.endswith((".py", *JS_SUFFIXES, *_PERL_SUFFIXES, ".php")) or is_test_file(
            rel, patterns
        ):
            continue
        if olds.get(rel) is None and names_a_test_library(rel):
            return (
                f"{rel}, named like a Perl test library: the tests would load it in the "
                "library's place (prove -l puts lib first), so their results cannot verify "
                "this edit"
            )
        old = olds.get(rel) or ""
        added = _uses(rel, text) - _uses(rel, old)
        if added:
            return (
                f"{rel} (not one of the tests' files) reaches into the test harness "
                f"({_listed(added)}): code under test runs inside the test process and "
                "could change what it reports, so its results cannot verify this edit"
            )
        streams = output_uses(text) - output_uses(old) if printed and rel.endswith(".py") else None
        if streams:
            return (
                f"{rel} (not one of the tests' files) changes the process's output "
                f"({_listed(streams)}): the test runner's results are read from what it "
                "prints there, which such code could rewrite, so they cannot verify this edit"
            )
        # doctest runs what add holds, under add's name
        named = (
            doctest_name_changes(old, text, edited - {_module_of(rel)})
            if rel.endswith(".py")
            else set()
        )
        if named:
            return (
                f"{rel} may change what a documented name holds ({_listed(named)}): doctest "
                "runs the examples of whatever the name holds, which the edit could bring "
                "from elsewhere, so the doctests' results cannot verify this edit"
            )
    return None


def _listed(items: Iterable[str]) -> str:
    """The first three of ``items``, and how many more."""
    found = sorted(items)
    return "; ".join(found[:3]) + (f" and {len(found) - 3} more" if len(found) > 3 else "")
