"""The workspace's cached bytecode of an edited file never runs in the edit's place
(``verifier.bytecode``): ``calc.py``'s ``__pycache__`` holds an ``unchecked-hash``
``.pyc`` (never checked against the source), and the edit makes ``add`` subtract, a
change of the same size.  Through ``ProjectVerifier.verify``: under the overlay, on a
scratch copy (a git repository whose ``__pycache__`` is not ignored, so it is copied)
and without a sandbox."""

from __future__ import annotations

import py_compile
import subprocess
from pathlib import Path

import pytest
from acrouter.domain import Edit
from acrouter.verifier.bytecode import cached_bytecode

from .helpers import CALC_PROJECT, MODES, pytest_cmd, task_for, verifier, write_tree

RIGHT = CALC_PROJECT["calc.py"].replace("a - b", "a + b")
BROKEN = RIGHT.replace("a + b", "a - b")


def _project(root: Path) -> Path:
    write_tree(root, {**CALC_PROJECT, "calc.py": RIGHT})
    py_compile.compile(
        str(root / "calc.py"), invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH
    )
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    subprocess.run(["git", "add", "calc.py", "tests", "pytest.ini"], cwd=root, check=True)
    return root


def _verify(root: Path, mode: dict[str, object], calc: str):  # type: ignore[no-untyped-def]
    task = task_for(root, pytest_cmd(root))
    return verifier(**mode).verify(task, Edit(files={"calc.py": calc}), "m")


@pytest.mark.parametrize("mode", MODES)
def test_an_edit_runs_not_the_bytecode_of_the_file_it_replaces(
    tmp_path: Path, mode: dict[str, object]
) -> None:
    root = _project(tmp_path / "p")
    assert cached_bytecode(root, ["calc.py"])  # the stale .pyc is there to be loaded
    v = _verify(root, mode, BROKEN)
    assert v.verdict == "fail" and v.tests_failed == 1, v.detail
    v = _verify(root, mode, RIGHT.replace("a + b", "b + a"))
    assert v.verdict == "pass" and v.tests_passed == 2, v.detail


def test_the_bytecode_of_an_edited_file_is_found_by_its_name(tmp_path: Path) -> None:
    cache = tmp_path / "pkg" / "__pycache__"
    cache.mkdir(parents=True)
    for name in ("calc.cpython-311.pyc", "calc.cpython-313.opt-1.pyc", "calcx.cpython-311.pyc"):
        (cache / name).write_bytes(b"")
    (cache / "other.cpython-311.pyc").write_bytes(b"")
    assert cached_bytecode(tmp_path, ["pkg/calc.py", "pkg/calc.txt", "pkg/missing.py"]) == [
        "pkg/__pycache__/calc.cpython-311.pyc",
        "pkg/__pycache__/calc.cpython-313.opt-1.pyc",
    ]
