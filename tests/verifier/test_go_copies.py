"""A pass from Go tests that built the edited package from another copy of it is an
error, not a pass (``verifier.lines_gotrace.built_from``): the module the tests run in takes
the package from a ``replace`` to another folder or from ``vendor/``, so the edit never
ran.  go's coverage profile names files by import path, so the copy's blocks used to read
as the edited file's (``add`` broken was ``pass``, every changed line "run"); the traced
``go test`` now asks ``go list`` where the package comes from.  Through
``ProjectVerifier.verify`` with the real ``go test``, in the three ways of running the
tests."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from acrouter.domain import Edit, Verdict

from .helpers import MODES, committed, task_for, verifier, write_tree

pytestmark = pytest.mark.skipif(shutil.which("go") is None, reason="go is not installed")

LIB_MOD = "module example.com/lib\n\ngo 1.19\n"
CALC = (
    "package lib\n\n// Add adds.\nfunc Add(a, b int) int {\n\treturn a + b\n}\n\n"
    "// Mul multiplies.\nfunc Mul(a, b int) int {\n\treturn a * b\n}\n"
)
APP = 'package app\n\nimport "example.com/lib"\n\n// Twice doubles.\nfunc Twice(a int) int { return lib.Add(a, a) }\n'
APP_TEST = (
    'package app\n\nimport "testing"\n\nfunc TestTwice(t *testing.T) {\n'
    '\tif Twice(2) != 4 {\n\t\tt.Fatal("Twice(2) != 4")\n\t}\n}\n'
)
BROKEN = {"lib/calc.go": CALC.replace("a + b", "a - b")}


def _app_mod(replace: str) -> str:
    return (
        "module example.com/app\n\ngo 1.19\n\nrequire example.com/lib v0.0.0\n\n"
        f"replace example.com/lib => {replace}\n"
    )


def _project(root: Path, replace: str, vendored: bool = False) -> Path:
    """lib/ (the package the edit changes), lib-copy/ (a copy of it), app/ whose tests
    call lib.Add, its go.mod replacing lib with ``replace``; ``vendored``: app/vendor/
    holds lib as it was (``go mod vendor``).  A git repository: the scratch copy holds
    what git lists."""
    files = {
        "lib/go.mod": LIB_MOD,
        "lib/calc.go": CALC,
        "lib-copy/go.mod": LIB_MOD,
        "lib-copy/calc.go": CALC,
        "app/go.mod": _app_mod(replace),
        "app/app.go": APP,
        "app/app_test.go": APP_TEST,
    }
    write_tree(root, files)
    if vendored:
        subprocess.run(["go", "mod", "vendor"], cwd=root / "app", check=True, capture_output=True)
    return committed(root)


def _verify(root: Path, command: str, files: dict[str, str], mode: dict[str, object]) -> Verdict:
    task = task_for(root, command, kind="bug_fixing")
    return verifier(timeout_s=240, **mode).verify(task, Edit(files=files), "m")


@pytest.mark.parametrize("mode", MODES)
def test_tests_that_built_a_replaced_copy_never_ran_the_edit(
    tmp_path: Path, mode: dict[str, object]
) -> None:
    root = _project(tmp_path / "proj", "../lib-copy")
    v = _verify(root, "cd app && go test ./...", BROKEN, mode)
    assert v.verdict == "error" and not v.counted, v.detail
    assert v.untested.startswith(
        "the tests never ran the edit: they built lib-copy/calc.go instead of lib/calc.go: "
        "the module the tests ran in takes the edited package from another copy"
    ), v.untested
    # a change of comments alone needs no test: nothing to run, nothing said
    comment = {"lib/calc.go": CALC.replace("// Mul multiplies.", "// Mul returns a times b.")}
    v = _verify(root, "cd app && go test ./...", comment, mode)
    assert v.verdict == "pass" and not v.untested, v.detail


@pytest.mark.parametrize("mode", MODES)
def test_a_vendored_copy_is_one_unless_the_command_vendors_it_again(
    tmp_path: Path, mode: dict[str, object]
) -> None:
    root = _project(tmp_path / "proj", "../lib", vendored=True)
    v = _verify(root, "cd app && go test ./...", BROKEN, mode)
    assert v.verdict == "error" and v.untested, v.detail
    assert "they built app/vendor/example.com/lib/calc.go instead of lib/calc.go" in v.untested
    # vendored again by the run, from the edit: the copy holds it, and add broken fails
    v = _verify(root, "cd app && go mod vendor && go test ./...", BROKEN, mode)
    assert v.verdict == "fail", v.detail
    # the command's own -mod=mod takes the package from the replace: the edit
    v = _verify(root, "cd app && go test -mod=mod ./...", BROKEN, mode)
    assert v.verdict == "fail", v.detail


@pytest.mark.parametrize("mode", MODES)
def test_the_edited_folder_itself_is_the_edit(tmp_path: Path, mode: dict[str, object]) -> None:
    root = _project(tmp_path / "proj", "../lib")
    v = _verify(root, "cd app && go test ./...", BROKEN, mode)
    assert v.verdict == "fail", v.detail
    # Mul broken, which no test calls: a pass that says so, measured in lib/ itself
    mul = {"lib/calc.go": CALC.replace("a * b", "a * a")}
    v = _verify(root, "cd app && go test ./...", mul, mode)
    assert v.verdict == "pass" and not v.counted, v.detail
    assert v.unrun == "no test ran 1 of the 1 statements the edit changes: lib/calc.go line 10"
