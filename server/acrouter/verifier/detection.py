"""Which command runs a project's tests, from what its folder holds: a pytest
configuration or test files (run with the project's own virtualenv when it has one), an
``npm test`` script, ``Cargo.toml``, ``go.mod``, a ``CMakeLists.txt`` that turns CTest on
(built in a folder of the run's own, then ``ctest``), a Makefile with a ``test`` target."""

from __future__ import annotations

import json
import os
import re
import shlex
from fnmatch import fnmatchcase
from pathlib import Path

from .workspace import OWN_BUILD_DIR

_NPM_DEFAULT_TEST = "no test specified"


def project_python(root: Path) -> Path | None:
    """The project's own virtualenv interpreter (``.venv/`` or ``venv/``), if any."""
    for name in (".venv", "venv", "env"):
        venv = root / name
        py = venv / "bin" / "python"
        if (venv / "pyvenv.cfg").is_file() and os.access(py, os.X_OK):
            return py
    return None


def read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def _has_test_files(folder: Path, depth: int = 3) -> bool:
    if depth < 0 or not folder.is_dir():
        return False
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return False
    for e in entries:
        if (
            e.is_file()
            and e.name.endswith(".py")
            and (e.name.startswith("test_") or e.name.endswith("_test.py"))
        ):
            return True
    return any(
        _has_test_files(Path(e.path), depth - 1)
        for e in entries
        if e.is_dir(follow_symlinks=False)
        and not e.name.startswith(".")
        and e.name != "__pycache__"
    )


def uses_pytest(root: Path) -> bool:
    if (root / "pytest.ini").is_file() or (root / "conftest.py").is_file():
        return True
    if "[tool.pytest" in read_text(root / "pyproject.toml"):
        return True
    if "[tool:pytest]" in read_text(root / "setup.cfg") or "[pytest]" in read_text(
        root / "tox.ini"
    ):
        return True
    if any(_has_test_files(root / d) for d in ("tests", "test")):
        return True
    try:
        return any(
            e.is_file()
            and e.name.endswith(".py")
            and (e.name.startswith("test_") or e.name.endswith("_test.py"))
            for e in os.scandir(root)
        )
    except OSError:
        return False


def package_script(root: Path | None, name: str) -> str | None:
    """The text of the package.json script ``name`` in ``root``, if there is one."""
    if root is None:
        return None
    try:
        data = json.loads(read_text(root / "package.json") or "null")
    except ValueError:
        return None
    scripts = data.get("scripts") if isinstance(data, dict) else None
    script = scripts.get(name) if isinstance(scripts, dict) else None
    return script if isinstance(script, str) else None


def package_major(root: Path | None, package: str) -> int | None:
    """The major version of ``node_modules/PACKAGE`` installed at ``root``, if readable."""
    if root is None:
        return None
    try:
        data = json.loads(read_text(root / "node_modules" / package / "package.json") or "null")
    except ValueError:
        return None
    version = data.get("version") if isinstance(data, dict) else None
    m = re.match(r"\s*v?(\d+)\.", version) if isinstance(version, str) else None
    return int(m.group(1)) if m else None


def _npm_test_script(root: Path) -> bool:
    test = package_script(root, "test")
    return test is not None and bool(test.strip()) and _NPM_DEFAULT_TEST not in test


def _make_test_target(root: Path) -> bool:
    for name in ("GNUmakefile", "makefile", "Makefile"):
        if re.search(r"^test\s*:", read_text(root / name), re.MULTILINE):
            return True
    return False


#: a CMake project's tests: configured afresh and built in a folder of the run's own
#: (hidden: its objects and generated files are the build's, never the tests'), then ctest
#: there.  One left in the workspace (the command run there by hand) is removed first, in
#: the run's view of the workspace only: its cache would call the compiler by its full
#: path, past the wrappers that measure lines, or name the folder the workspace was in
CMAKE_BUILD = OWN_BUILD_DIR
CMAKE_TESTS = (
    f"rm -rf {CMAKE_BUILD} && cmake -S . -B {CMAKE_BUILD} && cmake --build {CMAKE_BUILD}"
    f" && cd {CMAKE_BUILD} && ctest"
)


def _ctest_project(root: Path) -> bool:
    """A CMake project whose top ``CMakeLists.txt`` turns CTest on."""
    text = read_text(root / "CMakeLists.txt")
    return bool(
        re.search(
            r"^\s*(?:enable_testing\s*\(|include\s*\(\s*CTest\b)",
            text,
            re.MULTILINE | re.IGNORECASE,
        )
    )


def detect_test_command(root: str | os.PathLike[str]) -> str | None:
    """The command that runs this project's tests, or None when there is no sign of one."""
    root = Path(root)
    if uses_pytest(root):
        py = project_python(root)
        return f"{shlex.quote(str(py))} -m pytest" if py else "python3 -m pytest"
    if _npm_test_script(root):
        return "npm test"
    if (root / "Cargo.toml").is_file():
        return "cargo test"
    if (root / "go.mod").is_file():
        return "go test ./..."
    if _ctest_project(root):
        return CMAKE_TESTS
    if _make_test_target(root):
        return "make test"
    return None


#: a mention of load_tests, or a star import that may bring one
_LOAD_TESTS = re.compile(r"\bload_tests\b|^\s*from\s+\S+\s+import\s*\(?\s*\*", re.MULTILINE)


def uses_load_tests(root: Path | None, start: str, pattern: str, limit: int = 2000) -> bool:
    """Whether a module unittest's discovery loads from ``start`` (``pattern``, and the
    packages' ``__init__.py``) may have a ``load_tests``: the suites it adds (a
    ``DocFileSuite``, a ``DocTestSuite``) run under unittest only, never under pytest.
    Any mention of the name counts (``load_tests = _doctests``, ``from suites import
    load_tests``, ``def load_tests (``), and so does a star import (it may bring one).
    Too many files to look at counts as yes; no ``root`` (no workspace) as no."""
    if root is None:
        return False
    seen = 0
    for folder, dirs, files in os.walk(root / start):
        dirs[:] = [
            d for d in dirs if not d.startswith(".") and d not in ("node_modules", "venv", "env")
        ]
        for name in files:
            if not name.endswith(".py") or not (
                name == "__init__.py" or fnmatchcase(name, pattern)
            ):
                continue
            seen += 1
            if seen > limit:
                return True
            try:
                text = (Path(folder) / name).read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            if _LOAD_TESTS.search(text):
                return True
    return False


#: a Ruby test file of test-unit (not minitest): ``require "test/unit"``, ``Test::Unit``
_TEST_UNIT = re.compile(r"""\brequire\s*\(?\s*['"]test/unit\b|\bTest::Unit\b""")


def uses_test_unit(root: Path | None, files: tuple[str, ...], limit: int = 2000) -> bool:
    """Whether a Ruby test file ``files`` names (a folder: its ``.rb`` files, its
    ``test_helper.rb`` too) is test-unit's, whose tests minitest's plugins never see.
    Too many files to look at counts as yes; no ``root`` (no workspace) as no."""
    if root is None:
        return False
    seen = 0
    for rel in files:
        path = root / rel
        found = (
            [path]
            if path.is_file()
            else [Path(d) / n for d, _, ns in os.walk(path) for n in ns if n.endswith(".rb")]
        )
        for file in found:
            seen += 1
            if seen > limit:
                return True
            if _TEST_UNIT.search(read_text(file)[:65536]):
                return True
    return False
