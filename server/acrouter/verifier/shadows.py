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
(:data:`REMOVED_STDLIB`), with what the project's Python's own standard library folder
holds, when it shows (:func:`stdlib_modules`: a Python newer than this list).

Nor an edit that adds a top-level module or package named like one the project already
has in another of its import roots (the workspace's root, ``src/``, ``lib/``): a
``calc.py`` at the root beside ``src/calc/``, the package installed in editable mode.
``python -m pytest`` imports the root's first, so the tests run the new file (a copy of
the code as it was) and never the edited ``src/calc/__init__.py``, which may be broken:
the run's tracer would tell a package from a package, not from a module of the same
name (:func:`project_shadows`).  pytest's own import roots too
(:func:`pytest_import_roots`): with its default ``--import-mode=prepend`` it puts first
on ``sys.path`` the folder of each test module and ``conftest.py`` it imports (the first
folder upward without an ``__init__.py``), and the folders of its ``pythonpath``
setting.  A ``checks/calcpkg.py`` beside ``checks/test_calc.py``, with ``add`` written
anew (no copy the tracer tells), was verified with ``src/calcpkg/__init__.py`` broken.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path, PurePosixPath

from .testcommand import pytest_option
from .testnames import is_test_file
from .workspace import HEAVY_DIRS

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
#: those 3.12 to 3.15 added (test_other_python.py checks them against the
#: ``sys.stdlib_module_names`` of a 3.14 and a 3.13, and of a 3.15 when given one).
#: 3.13's ``opcode`` imports ``_opcode_metadata`` and its ``traceback`` imports
#: ``_colorize``, 3.14's ``warnings`` imports ``_py_warnings`` and 3.15's ``math``
#: imports ``_math_integer``, all when pytest starts.
NEWER_STDLIB = frozenset(
    {
        "_android_support",
        "_apple_support",
        "_ast_unparse",
        "_colorize",
        "_hmac",
        "_interpchannels",
        "_interpqueues",
        "_interpreters",
        "_ios_support",
        "_math_integer",
        "_opcode_metadata",
        "_py_warnings",
        "_pydatetime",
        "_pylong",
        "_pyrepl",
        "_remote_debugging",
        "_sha2",
        "_suggestions",
        "_sysconfig",
        "_types",
        "_wmi",
        "_zstd",
        "annotationlib",
        "compression",
        "profiling",
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
    (3, 15): frozenset({"sre_compile", "sre_constants", "sre_parse"}),
}
#: names a project's own top-level module may take: ``test`` (the standard library's
#: regression tests, and a project's test module or folder), ``__main__``
_ALLOWED = frozenset({"test", "__main__"})
SHADOWED_MODULES = (
    TEST_TOOL_MODULES | NEWER_STDLIB | frozenset(getattr(sys, "stdlib_module_names", ()))
) - _ALLOWED


def shadowed_modules(
    python: tuple[int, int] | None = None, stdlib: Iterable[str] = ()
) -> frozenset[str]:
    """:data:`SHADOWED_MODULES` less the standard library's modules that the project's
    Python (its version, when known) no longer has, and with the modules its standard
    library's folder holds (``stdlib``, :func:`stdlib_modules`: those of a Python newer
    than :data:`NEWER_STDLIB` knows)."""
    gone = [names for since, names in REMOVED_STDLIB.items() if python and python >= since]
    return SHADOWED_MODULES.difference(*gone) | (frozenset(stdlib) - _ALLOWED)


#: what a standard library's folder holds that is no module of it
_NOT_STDLIB = frozenset({"site-packages", "dist-packages", "__pycache__"})


@functools.lru_cache(maxsize=16)
def stdlib_modules(folder: Path | None) -> frozenset[str]:
    """The top-level modules and packages in a Python's standard library ``folder``
    (:func:`.detection.stdlib_folder`), read from its files without running it: its
    ``.py`` files, its packages (folders with an ``__init__.py``), and the extension
    modules in it and in its ``lib-dynload``.  Empty for None or a folder that does not
    read."""
    if folder is None:
        return frozenset()
    names: set[str] = set()
    for where in (folder, folder / "lib-dynload"):
        try:
            entries = list(os.scandir(where))
        except OSError:
            continue
        for e in entries:
            if e.name in _NOT_STDLIB:
                continue
            if e.name.endswith(".py") and where == folder:
                names.add(e.name[:-3])
            elif e.name.endswith((".so", ".pyd")):
                names.add(e.name.split(".")[0])
            elif where == folder and os.path.isfile(os.path.join(e.path, "__init__.py")):
                names.add(e.name)
    return frozenset(n for n in names if n.isidentifier())


#: the folders a project's own top-level modules are imported from: the root (``python
#: -m pytest`` run there, pytest's rootdir), a src layout's ``src/``, ``lib/``
IMPORT_ROOTS = ("", "src", "lib")
#: files a project keeps at its root by these names that nothing imports by name
_OWN_FILES = frozenset({"__init__", "__main__", "conftest", "setup", "noxfile"})


#: files of the workspace looked at for the tests' Python files, at most
MAX_FILES = 20000


def _folder(rel: str) -> str | None:
    """``rel`` as a workspace-relative folder ("" for the root); None outside it."""
    if not rel or os.path.isabs(rel):
        return None
    norm = PurePosixPath(os.path.normpath(rel.replace("\\", "/"))).as_posix()
    if norm == ".." or norm.startswith("../"):
        return None
    return "" if norm == "." else norm


def pythonpath_roots(root: Path | None, texts: Mapping[str, str]) -> list[str]:
    """The folders of pytest's ``pythonpath`` setting in the workspace's configuration
    files (``pytest.ini``, ``tox.ini``, ``setup.cfg``, ``pyproject.toml``...), as they were
    and as the edit (``texts``) makes them: every one found counts."""

    def versions(name: str) -> Iterator[str]:
        if root is not None:
            try:
                yield (root / name).read_text(encoding="utf-8", errors="replace")
            except OSError:
                pass
        if name in texts:
            yield texts[name]

    found = pytest_option("pythonpath", lambda name: list(versions(name)))
    folders = (_folder(f) for f in found)
    return sorted({f for f in folders if f is not None})


def pytest_test_folders(
    root: Path | None, texts: Mapping[str, str], patterns: Iterable[str] = ()
) -> list[str]:
    """The folders pytest puts first on ``sys.path`` for the tests (its default
    ``--import-mode=prepend``): for each of the tests' Python files and ``conftest.py``
    (:func:`.is_test_file`, with ``patterns``), on disk or new in the edit (``texts``),
    the first folder upward without an ``__init__.py`` (before or after the edit)."""
    patterns = tuple(patterns)

    def package(folder: str) -> bool:
        init = f"{folder}/__init__.py"
        return init in texts or (root is not None and (root / init).exists())

    def python_files() -> Iterator[str]:
        yield from (rel for rel in texts if rel.endswith(".py"))
        if root is None:
            return
        seen = 0
        for folder, dirs, files in os.walk(root):
            dirs[:] = [d for d in dirs if d not in HEAVY_DIRS and not d.startswith(".")]
            for f in files:
                seen += 1
                if seen > MAX_FILES:
                    return
                if f.endswith(".py"):
                    yield Path(folder, f).relative_to(root).as_posix()

    found: set[str] = set()
    bases: dict[str, str] = {}
    for rel in python_files():
        if not is_test_file(rel, patterns):
            continue
        folder = PurePosixPath(rel).parent.as_posix()
        folder = "" if folder == "." else folder
        if folder not in bases:
            here = folder
            while here and package(here):
                parent = PurePosixPath(here).parent.as_posix()
                here = "" if parent == "." else parent
            bases[folder] = here
        found.add(bases[folder])
    return sorted(found)


def _top_level(
    rel: str, exists: Callable[[str], bool], texts: Mapping[str, str], roots: Iterable[str]
) -> Iterator[tuple[str, str]]:
    """(folder, module name) of a Python file that may be imported by its own name at
    the top level, for each folder of ``roots`` it may be imported from: ``calc.py`` ->
    ("", "calc"), ``src/calc/__init__.py`` -> ("src", "calc"), ``src/calc/core.py`` ->
    ("src", "calc") when ``src/calc`` is a package; none when no folder of its path is an
    import root with a module there."""
    roots = frozenset(roots)
    parts = rel.split("/")
    for i in range(len(parts)):
        folder = "/".join(parts[:i])
        if folder not in roots:
            continue
        rest = parts[i:]
        if len(rest) == 1:
            if rest[0].endswith(".py"):
                yield folder, rest[0][:-3]
            continue
        init = "/".join([*parts[: i + 1], "__init__.py"])
        if exists(init) or init in texts:
            yield folder, rest[0]


def project_shadows(
    texts: Mapping[str, str],
    olds: Mapping[str, str | None],
    exists: Callable[[str], bool],
    pythonpath: Iterable[str] = (),
    test_folders: Iterable[str] = (),
) -> list[str]:
    """The edit's new Python files that add a top-level module or package the project
    already has in another of its import roots (:data:`IMPORT_ROOTS`, and pytest's
    ``pythonpath``: :func:`pythonpath_roots`), in one of those or in a folder pytest puts
    first on the tests' path (``test_folders``: :func:`pytest_test_folders`): ``calc.py``
    or ``calc/__init__.py`` at the root, or ``checks/calc.py`` beside a
    ``checks/test_calc.py``, when ``src/calc/__init__.py`` or ``src/calc.py`` exists.
    Each with the module it would be imported in place of, and why pytest puts its folder
    first when it does.  A test folder's own modules are not the project's: a root
    ``helpers.py`` beside ``tests/helpers.py`` is none, with ``pythonpath = tests``
    too."""
    test_folders = list(dict.fromkeys(test_folders))
    # (a pythonpath folder of the tests' own, ``pythonpath = tests``, holds their helpers)
    pythonpath = [
        r for r in dict.fromkeys(pythonpath) if r not in IMPORT_ROOTS and r not in test_folders
    ]
    targets = (*IMPORT_ROOTS, *pythonpath)
    tests = [r for r in test_folders if r not in targets]
    found = []
    for rel in sorted(texts):
        if not rel.endswith(".py") or olds.get(rel) is not None:
            continue
        for folder, name in _top_level(rel, exists, texts, (*targets, *tests)):
            if name in _OWN_FILES:
                continue
            prefix = f"{folder}/" if folder else ""
            if exists(f"{prefix}{name}.py") or exists(f"{prefix}{name}/__init__.py"):
                continue  # that module was there before: the edit adds to it
            was = [
                f"{there}{name}{end}"
                for other in targets
                if other != folder
                for there in [f"{other}/" if other else ""]
                for end in ("/__init__.py", ".py")
                if exists(f"{there}{name}{end}")
            ]
            if not was:
                continue
            why = (
                f" (pytest puts {folder}/ first on the tests' path: its pythonpath)"
                if folder in pythonpath
                else f" (pytest puts {folder}/ first on the tests' path: a folder of "
                "test files or conftest.py without __init__.py)"
                if folder in tests
                else ""
            )
            found.append(f"{rel} adds the module {name}, which the project has in {was[0]}{why}")
            break
    return found


def shadowing_modules(
    texts: Mapping[str, str],
    olds: Mapping[str, str | None],
    exists: Callable[[str], bool],
    python: tuple[int, int] | None = None,
    stdlib: Iterable[str] = (),
) -> list[str]:
    """The edit's new Python files (``texts`` by workspace-relative path; ``olds``: None
    for a new file) that add a module or package named like one of
    :data:`SHADOWED_MODULES` where it may be imported by that name: ``pytest.py``,
    ``pytest/__main__.py``, ``src/xml/__init__.py``; not ``pkg/json.py`` beside a
    ``pkg/__init__.py``.  ``exists``: whether a workspace-relative path existed before
    the edit; ``python``: the version of the project's Python, when known, and
    ``stdlib`` the modules its standard library's folder holds (:func:`shadowed_modules`)."""

    def package(folder: str) -> bool:
        init = f"{folder}/__init__.py"
        return exists(init) or init in texts

    shadowed = shadowed_modules(python, stdlib)
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
