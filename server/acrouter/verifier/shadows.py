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
