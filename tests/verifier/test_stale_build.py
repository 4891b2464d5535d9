"""A pass on an edited Cython source whose module, built in place before the edit, the
run did not rebuild says so and is not learned (``verifier.stale_build``): the tests
``import calc`` and get ``calc.*.so``, never ``calc.pyx``.  Through
``ProjectVerifier.verify``: under the overlay, on a scratch copy and without a sandbox."""

from __future__ import annotations

import os
import shutil
import subprocess
import sysconfig
from pathlib import Path

import pytest
from acrouter.domain import Edit
from acrouter.verifier.stale_build import built_before, compile_errors, copies, named_errors

from .helpers import (
    CALC_C,
    MODES,
    PYTHON_H,
    build_calc_extension,
    needs_cc,
    pytest_cmd,
    task_for,
    verifier,
    write_tree,
)

PYX = "def add(a, b):\n    return a + b\n"
TEST = "from calc import add\n\n\ndef test_add():\n    assert add(2, 3) == 5\n"
BROKEN = {"calc.pyx": PYX.replace("a + b", "a - b")}


def _project(root: Path) -> tuple[Path, str]:
    write_tree(root, {"calc.pyx": PYX, "tests/test_calc.py": TEST})
    (root / "pytest.ini").write_text("[pytest]\npythonpath = .\n")
    return root, build_calc_extension(root)


@needs_cc
@pytest.mark.parametrize("mode", MODES)
def test_a_pass_the_stale_build_gave_is_not_learned(
    tmp_path: Path, mode: dict[str, object]
) -> None:
    root, so = _project(tmp_path / "p")
    v = verifier(**mode).verify(task_for(root, pytest_cmd(root)), Edit(files=BROKEN), "m")
    # add is broken, and the tests passed: they imported the build from before the edit
    assert v.verdict == "pass" and not v.counted, v.detail
    # (and no process of the run opened the edited calc.pyx: verifier.lines_opened)
    assert v.unrun.startswith("no process of the tests' run opened calc.pyx"), v.unrun
    assert v.unrun.endswith(
        f"the run did not rebuild {so}, built before the edit from the edited source beside "
        "it: the tests that import it ran the code as it was (make the test command build "
        "it first: python setup.py build_ext --inplace && ...)"
    ), v.unrun
    assert v.detail.endswith(f"{v.unrun}; so this pass says nothing about the model: not learned")


@needs_cc
@pytest.mark.parametrize("mode", MODES)
def test_a_module_the_run_rebuilt_is_the_tests_business(
    tmp_path: Path, mode: dict[str, object]
) -> None:
    root, so = _project(tmp_path / "p")
    # (the build here reads the source, as cythonize does, and only writes the module
    # again: what it holds is the command's affair; a run that never opens calc.pyx is
    # named by verifier.lines_opened)
    task = task_for(root, f"cat calc.pyx > /dev/null && touch {so} && {pytest_cmd(root)}")
    v = verifier(**mode).verify(task, Edit(files=BROKEN), "m")
    assert v.verdict == "pass" and v.counted and not v.unrun, v.detail


def _c_project(root: Path) -> tuple[Path, str, str]:
    """calc built in place from src/calc.c (kept, as a project's setup.py would build
    it), beside tests that import it; returns the module's name and a command that
    builds it again."""
    write_tree(root, {"src/calc.c": CALC_C, "tests/test_calc.py": TEST})
    (root / "pytest.ini").write_text("[pytest]\npythonpath = .\n")
    so = f"calc{sysconfig.get_config_var('EXT_SUFFIX')}"
    build = f"cc -shared -fPIC -I{PYTHON_H.parent} src/calc.c -o {so}"
    subprocess.run(build, shell=True, cwd=root, check=True)
    return root, so, build


C_BROKEN = {"src/calc.c": CALC_C.replace("PyNumber_Add", "PyNumber_Subtract")}


@needs_cc
@pytest.mark.parametrize("mode", MODES)
def test_a_c_edit_the_run_built_nothing_from_is_not_learned(
    tmp_path: Path, mode: dict[str, object]
) -> None:
    root, so, build = _c_project(tmp_path / "p")
    v = verifier(**mode).verify(task_for(root, pytest_cmd(root)), Edit(files=C_BROKEN), "m")
    # add is broken in C, and the tests passed: they imported the module built before
    assert v.verdict == "pass" and not v.counted, v.detail
    # (no process of the run opened src/calc.c either: verifier.lines_opened)
    unopened = "no process of the tests' run opened src/calc.c, which the edit changes; "
    assert v.unrun.startswith(
        f"{unopened}the run built nothing, and {so} was built before the edit: if it is "
        "built from the edited source, the tests that import it ran the code as it was"
    ), v.unrun
    # a test command that builds it first: the edit is what the tests ran
    task = task_for(root, f"{build} && {pytest_cmd(root)}")
    v = verifier(**mode).verify(task, Edit(files=C_BROKEN), "m")
    assert v.verdict == "fail", v.detail


def test_only_c_edits_in_a_workspace_with_extension_modules_are_doubted(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "src/calc.c": "",
            "pkg/calc.cpython-311-x86_64-linux-gnu.so": "",
            "pkg/_speed.abi3.so": "",
            "pkg/libplain.so": "",  # a shared library, no Python module
            "build/lib/pkg/calc.cpython-311-x86_64-linux-gnu.so": "",  # setup.py's copy
            ".venv/lib/site-packages/x.cpython-311-x86_64-linux-gnu.so": "",
        },
    )
    found = ["pkg/_speed.abi3.so", "pkg/calc.cpython-311-x86_64-linux-gnu.so"]
    assert built_before(tmp_path, ["src/calc.c"], set()) == found
    assert built_before(tmp_path, ["include/calc.hpp", "calc.py"], {"log.txt"}) == found
    # a Python edit alone; a run that built something (a module, an object file)
    assert built_before(tmp_path, ["calc.py"], set()) == []
    assert built_before(tmp_path, ["src/calc.c"], {"build/temp/calc.o"}) == []
    assert (
        built_before(tmp_path, ["src/calc.c"], {"pkg/calc.cpython-311-x86_64-linux-gnu.so"}) == []
    )


@needs_cc
@pytest.mark.parametrize("mode", MODES)
def test_a_module_copied_again_as_it_was_is_no_build(
    tmp_path: Path, mode: dict[str, object]
) -> None:
    root, so, _ = _c_project(tmp_path / "p")
    # setup.py build_ext --inplace keeps its build in build/lib (here stage/) and copies
    # it beside the source on every run, its time kept, built or not (msgpack 1.1.0: an
    # edit of a header it does not name in depends is never compiled)
    (root / "stage").mkdir()
    shutil.copy2(root / so, root / "stage" / so)  # (build/ is not copied to a scratch copy)
    task = task_for(root, f"cp -p stage/{so} {so} && {pytest_cmd(root)}")
    v = verifier(**mode).verify(task, Edit(files=C_BROKEN), "m")
    # add is broken in C, and the tests passed on the copy: before, a counted pass
    assert v.verdict == "pass" and not v.counted, v.detail
    said = f"the run built nothing, and {so}, stage/{so} were built before the edit"
    unopened = "no process of the tests' run opened src/calc.c, which the edit changes; "
    assert v.unrun.startswith(unopened + said), v.unrun


def test_what_a_copy_and_a_build_write(tmp_path: Path) -> None:
    root, at = tmp_path / "root", tmp_path / "upper"
    files = {
        "copy.cpython-311-x86_64-linux-gnu.so": b"old",  # copied again, its time kept
        "touched.so": b"old",  # the same bytes, a new time: built again (or touched)
        "other.pyd": b"old",  # other bytes: built
        "calc.o": b"old",  # an object file: a compile, whatever it holds
        "new.so": b"new",  # not in the workspace before
    }
    write_tree(root, {k: v.decode() for k, v in files.items() if k != "new.so"})
    write_tree(at, {k: v.decode() for k, v in files.items()})
    (at / "other.pyd").write_bytes(b"new")
    for name in files:
        if name != "new.so":
            os.utime(root / name, ns=(10**18, 10**18))
            os.utime(at / name, ns=(10**18, 10**18))
    os.utime(at / "touched.so", ns=(10**18 + 1, 10**18 + 1))
    assert copies(root, at, sorted(files)) == {"copy.cpython-311-x86_64-linux-gnu.so"}


def test_cython_sources_without_a_module_of_their_name_are_doubted(tmp_path: Path) -> None:
    # msgpack's _packer.pyx is included in _cmsgpack.pyx; a .pxi is always included
    write_tree(tmp_path, {"msgpack/_cmsgpack.cpython-311-x86_64-linux-gnu.so": ""})
    found = ["msgpack/_cmsgpack.cpython-311-x86_64-linux-gnu.so"]
    assert built_before(tmp_path, ["msgpack/_packer.pyx"], set()) == found
    assert built_before(tmp_path, ["msgpack/buff.pxi"], set()) == found
    assert built_before(tmp_path, ["msgpack/_packer.pyx"], {"build/temp/_cmsgpack.o"}) == []


@needs_cc
@pytest.mark.parametrize("mode", MODES)
def test_an_edit_that_does_not_compile_fails_where_the_build_is_optional(
    tmp_path: Path, mode: dict[str, object]
) -> None:
    # a build with optional speedups (markupsafe's setup.py): a compile that fails is
    # passed over, and the tests import the module built before the edit
    root, _, build = _c_project(tmp_path / "p")
    optional = f"({build} || echo 'speedups not built, going on without them')"
    uncompilable = {"src/calc.c": CALC_C.replace("PyNumber_Add(", "PyNumber_Add(;")}
    for command in (f"{optional} && {pytest_cmd(root)}", f'sh -c "{optional}" && true'):
        v = verifier(**mode).verify(task_for(root, command), Edit(files=uncompilable), "m")
        # before: pass, not learned ("the run built nothing ..."); the edit does not build
        assert v.verdict == "fail" and v.counted, (command, v.detail)
        assert v.detail.startswith("the edited source does not compile: src/calc.c:"), v.detail
        assert "error: " in v.detail and not v.unrun
    # the same source failed to build without the edit too: a fail, not held against it
    (root / "src/calc.c").write_text(uncompilable["src/calc.c"])
    worse = {"src/calc.c": uncompilable["src/calc.c"].replace("PyNumber_Add(;", "PyNumber_Add(;;")}
    v = verifier(**mode).verify(
        task_for(root, f"{optional} && {pytest_cmd(root)}"), Edit(files=worse), "m"
    )
    assert v.verdict == "fail" and not v.counted, v.detail
    assert "printed errors for it too" in v.detail


def test_compiler_errors_are_read_and_matched_to_the_edited_files() -> None:
    output = (
        "running build_ext\n"
        "src/calc.c:3:25: error: expected expression before ';' token\n"
        "/ws/include/calc.h:7: fatal error: Python.h: No such file or directory\n"
        "src/calc.c:9:1: warning: control reaches end of non-void function\n"
        "In file included from src/other.c:1:\n"
        "x.py:3: error: not a C source\n"
    )
    errors = compile_errors(output)
    assert errors == (
        "src/calc.c:3:25: error: expected expression before ';' token",
        "/ws/include/calc.h:7: fatal error: Python.h: No such file or directory",
    )
    assert named_errors(errors, ["src/calc.c"]) == [errors[0]]
    assert named_errors(errors, ["include/calc.h"]) == [errors[1]]  # printed in full
    assert named_errors(errors, ["calc.c"]) == []  # another file of that name
    assert named_errors(errors, ["lib/src/calc.c"]) == [errors[0]]  # printed from lib/
    assert compile_errors("all good\n") == ()
