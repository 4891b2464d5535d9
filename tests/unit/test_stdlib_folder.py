"""The shadow rule reads the project's Python's standard library from its folder, without
running it, so that a Python newer than the server's list (:data:`NEWER_STDLIB`) is
defended too.

Each release adds modules that pytest imports when it starts, from the workspace first
(3.13's ``_colorize``, 3.14's ``_py_warnings``, 3.15's ``_math_integer``): an edit that
adds one runs its own code inside the tests.  The list named them only once a session
had tried that release; a project on the next one had no defence.  Here a Python 3.16
that does not exist yet (a prefix laid out as ``make install`` lays it out, whose
interpreter is never run: it exits 3) stands for it."""

from __future__ import annotations

import sys
from pathlib import Path

from acrouter.domain import Edit
from acrouter.verifier.detection import stdlib_folder
from acrouter.verifier.screening import Screened, screen_edit
from acrouter.verifier.shadows import NEWER_STDLIB, shadowed_modules, stdlib_modules

STDLIB_FILES = [
    "os.py",
    "_future_startup.py",
    "newpkg/__init__.py",
    "newpkg/sub.py",
    "lib-dynload/_fast.cpython-316-x86_64-linux-gnu.so",
    "_speedups.abi3.so",
    # not modules of the standard library
    "site-packages/thirdparty/__init__.py",
    "site-packages/other.py",
    "config-3.16-x86_64-linux-gnu/Makefile",
    "__pycache__/os.cpython-316.pyc",
    "not-a-name.py",
    "nopackage/data.txt",
]


def _python(tmp_path: Path) -> Path:
    """A prefix with a 3.16 interpreter that must not run and its standard library."""
    prefix = tmp_path / "py"
    for rel in STDLIB_FILES:
        path = prefix / "lib" / "python3.16" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("", encoding="utf-8")
    exe = prefix / "bin" / "python3.16"
    exe.parent.mkdir()
    exe.write_text("#!/bin/sh\nexit 3\n", encoding="utf-8")
    exe.chmod(0o755)
    (prefix / "bin" / "python3").symlink_to("python3.16")
    return exe


def _venv(tmp_path: Path, exe: Path) -> Path:
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "python").symlink_to(exe)
    (venv / "pyvenv.cfg").write_text(
        f"home = {exe.parent}\ninclude-system-site-packages = false\nversion = 3.16.0\n",
        encoding="utf-8",
    )
    return venv / "bin" / "python"


def test_the_folder_and_its_modules_are_read_without_running_the_python(tmp_path: Path) -> None:
    exe = _python(tmp_path)
    folder = exe.parent.parent / "lib" / "python3.16"
    assert stdlib_folder(str(exe)) == folder
    assert stdlib_folder(str(exe.parent / "python3")) == folder  # (its name shows no version)
    # a virtualenv's: its base Python's (pyvenv.cfg's home)
    assert stdlib_folder(str(_venv(tmp_path, exe))) == folder
    assert stdlib_modules(folder) == {"os", "_future_startup", "newpkg", "_fast", "_speedups"}
    # nothing to read: no defence is added, none is taken away
    assert stdlib_folder(str(tmp_path / "missing" / "python3.16")) is None
    assert stdlib_folder(None) is None
    assert stdlib_modules(None) == frozenset()
    assert shadowed_modules((3, 16), ()) == shadowed_modules((3, 16))


def test_a_module_of_a_newer_python_than_the_list_knows_is_refused(tmp_path: Path) -> None:
    exe = _python(tmp_path)
    assert "_future_startup" not in NEWER_STDLIB | set(sys.stdlib_module_names)
    root = tmp_path / "ws"
    root.mkdir()
    (root / "calc.py").write_text("def add(a, b):\n    return a + b\n", encoding="utf-8")
    (root / "calcpkg").mkdir()
    (root / "calcpkg" / "__init__.py").write_text("", encoding="utf-8")
    for python in (exe, _venv(tmp_path, exe)):
        command = f"{python} -m pytest"
        for rel, name in (
            ("_future_startup.py", "_future_startup"),
            ("newpkg/__init__.py", "newpkg"),
            ("_fast.py", "_fast"),
            ("calcpkg/_future_startup.py", None),  # (in a package: calcpkg._future_startup)
            ("helpers.py", None),
        ):
            got = screen_edit(root, command, Edit(files={rel: "x = 1\n"}), {})
            if name is None:
                assert isinstance(got, Screened), got
                continue
            assert not isinstance(got, Screened)
            assert got.verdict == "fail" and not got.counted
            assert got.detail.startswith(f"{rel} adds the module {name}, named like a module")
