"""Modules an edit adds that would be imported in place of the test runner's or the
standard library's.

``python -m pytest`` (and ``python -m unittest``) puts the folder it runs in first on
``sys.path``; pytest puts more there (a test folder without ``__init__.py``, its
``pythonpath`` setting), and a ``src/`` layout is there through an editable install.  A
``pytest.py`` (or a ``pytest/`` package with a ``__main__.py``) that an edit adds at the
workspace's root is what runs as pytest: it can write a report of every test passed, and
its code holds none of the names the harness tripwire reads (``verifier.harness_py``).
The same holds for a module the test runner imports (``xml`` for the JUnit report,
``unittest``, ``doctest``, ``json``...).

So an edit that adds a module or package, where it may be imported by its own name (not
inside a package: the folder holding it has no ``__init__.py``), named like a module of
the standard library or of the test tools, is not verified.  Only a new one: a project
that is such a module itself (pytest's own repository, with ``src/_pytest``) can still
be edited.  The standard library is that of the server's Python and of newer ones
(:data:`NEWER_STDLIB`), less the modules the project's Python no longer has
(:data:`REMOVED_STDLIB`).

Nor an edit that adds a top-level module or package named like one the project already
has in another of its import roots (the workspace's root, ``src/``, ``lib/``): a
``calc.py`` at the root beside ``src/calc/``, the package installed in editable mode.
``python -m pytest`` imports the root's first, so the tests run the new file (a copy of
the code as it was) and never the edited ``src/calc/__init__.py``, which may be broken:
the run's tracer would tell a package from a package, not from a module of the same
name (:func:`project_shadows`).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping

#: the test runners' modules and what they import at start-up
TEST_TOOL_MODULES = frozenset(
    {
        "pytest",
        "_pytest",
        "py",
        "pluggy",
        "iniconfig",
        "packaging",
        "exceptiongroup",
        "tomli",
        "colorama",
        "pygments",
        "xdist",
        "pytest_cov",
        "coverage",
        "nose",
        "nose2",
        "unittest",
        "doctest",
    }
)
#: the standard library's modules of newer Pythons than the one the server may run on
#: (``sys.stdlib_module_names`` is our own interpreter's, the project's may be newer):
#: those 3.12 and 3.13 added (test_python313.py checks them against a 3.13), and 3.14's
#: new top-level modules.  3.13's ``opcode`` imports ``_opcode_metadata`` and its
#: ``traceback`` imports ``_colorize``, both when pytest starts.
NEWER_STDLIB = frozenset(
    {
        "_android_support",
        "_apple_support",
        "_colorize",
        "_interpchannels",
        "_interpqueues",
        "_interpreters",
        "_ios_support",
        "_opcode_metadata",
        "_pydatetime",
        "_pylong",
        "_pyrepl",
        "_sha2",
        "_suggestions",
        "_sysconfig",
        "_wmi",
        "annotationlib",
        "compression",
    }
)
#: the standard library's modules that a Python no longer has, from that version on (PEP
#: 594, 632): a project on it may add its own under their names (a vendored ``imghdr.py``)
REMOVED_STDLIB = {
    (3, 12): frozenset({"asynchat", "asyncore", "distutils", "imp", "smtpd"}),
    (3, 13): frozenset(
        {
            "aifc",
            "audioop",
            "cgi",
            "cgitb",
            "chunk",
            "crypt",
            "imghdr",
            "lib2to3",
            "mailcap",
            "msilib",
            "nis",
            "nntplib",
            "ossaudiodev",
            "pipes",
            "sndhdr",
            "spwd",
            "sunau",
            "telnetlib",
            "uu",
            "xdrlib",
        }
    ),
}
#: names a project's own top-level module may take: ``test`` (the standard library's
#: regression tests, and a project's test module or folder), ``__main__``
_ALLOWED = frozenset({"test", "__main__"})
SHADOWED_MODULES = (
    TEST_TOOL_MODULES | NEWER_STDLIB | frozenset(getattr(sys, "stdlib_module_names", ()))
) - _ALLOWED


def shadowed_modules(python: tuple[int, int] | None = None) -> frozenset[str]:
    """:data:`SHADOWED_MODULES` less the standard library's modules that the project's
    Python (its version, when known) no longer has."""
    gone = [names for since, names in REMOVED_STDLIB.items() if python and python >= since]
    return SHADOWED_MODULES.difference(*gone)


#: the folders a project's own top-level modules are imported from: the root (``python
#: -m pytest`` run there, pytest's rootdir), a src layout's ``src/``, ``lib/``
IMPORT_ROOTS = ("", "src", "lib")
#: files a project keeps at its root by these names that nothing imports by name
_OWN_FILES = frozenset({"__init__", "__main__", "conftest", "setup", "noxfile"})


def _top_level(
    rel: str, exists: Callable[[str], bool], texts: Mapping[str, str]
) -> tuple[str, str] | None:
    """(folder, module name) of a Python file that may be imported by its own name at
    the top level: ``calc.py`` -> ("", "calc"), ``src/calc/__init__.py`` -> ("src",
    "calc"), ``src/calc/core.py`` -> ("src", "calc") when ``src/calc`` is a package; None
    when no folder of its path is an import root with a module there."""
    parts = rel.split("/")
    for i in range(len(parts)):
        folder = "/".join(parts[:i])
        if folder not in IMPORT_ROOTS:
            continue
        rest = parts[i:]
        if len(rest) == 1:
            return (folder, rest[0][:-3]) if rest[0].endswith(".py") else None
        init = "/".join([*parts[: i + 1], "__init__.py"])
        if exists(init) or init in texts:
            return folder, rest[0]
    return None


def project_shadows(
    texts: Mapping[str, str],
    olds: Mapping[str, str | None],
    exists: Callable[[str], bool],
) -> list[str]:
    """The edit's new Python files that add, in one of :data:`IMPORT_ROOTS`, a top-level
    module or package the project already has in another (``calc.py`` or
    ``calc/__init__.py`` at the root when ``src/calc/__init__.py`` or ``src/calc.py``
    exists): each with the module it would be imported in place of."""
    found = []
    for rel in sorted(texts):
        if not rel.endswith(".py") or olds.get(rel) is not None:
            continue
        top = _top_level(rel, exists, texts)
        if top is None:
            continue
        folder, name = top
        if name in _OWN_FILES:
            continue
        prefix = f"{folder}/" if folder else ""
        if exists(f"{prefix}{name}.py") or exists(f"{prefix}{name}/__init__.py"):
            continue  # that module was there before: the edit adds to it
        for other in IMPORT_ROOTS:
            if other == folder:
                continue
            there = f"{other}/" if other else ""
            was = [p for p in (f"{there}{name}/__init__.py", f"{there}{name}.py") if exists(p)]
            if was:
                found.append(f"{rel} adds the module {name}, which the project has in {was[0]}")
                break
    return found


def shadowing_modules(
    texts: Mapping[str, str],
    olds: Mapping[str, str | None],
    exists: Callable[[str], bool],
    python: tuple[int, int] | None = None,
) -> list[str]:
    """The edit's new Python files (``texts`` by workspace-relative path; ``olds``: None
    for a new file) that add a module or package named like one of
    :data:`SHADOWED_MODULES` where it may be imported by that name: ``pytest.py``,
    ``pytest/__main__.py``, ``src/xml/__init__.py``; not ``pkg/json.py`` beside a
    ``pkg/__init__.py``.  ``exists``: whether a workspace-relative path existed before
    the edit; ``python``: the version of the project's Python, when known
    (:func:`shadowed_modules`)."""

    def package(folder: str) -> bool:
        init = f"{folder}/__init__.py"
        return exists(init) or init in texts

    shadowed = shadowed_modules(python)
    found = []
    for rel in sorted(texts):
        if not rel.endswith(".py") or olds.get(rel) is not None:
            continue
        parts = rel.split("/")
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            name = part[:-3] if last else part
            folder = "/".join(parts[:i])
            if (
                name in shadowed
                and (i == 0 or not package(folder))
                and not exists("/".join(parts[: i + 1]))
            ):
                found.append(f"{rel} adds the module {name}")
                break
    return found
