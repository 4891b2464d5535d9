"""A pass from tests that imported another copy of the edited code is no pass
(``verifier.lines_shadow``): the project's ``src/calcpkg`` is edited, but the tests'
path puts another ``calcpkg`` first (as a non-editable install into the virtualenv
does), so no test ever runs the edit.  Through ``ProjectVerifier.verify``, in the sandbox
and without, on Python 3.11 (``sys.settrace``) and a newer one (``sys.monitoring``)."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest
from acrouter.domain import Edit
from acrouter.verifier.lines_trace import Traced, read_traced

from ..pythons import OTHER_PYTHON_REASON, other_python
from .helpers import needs_bwrap, pytest_cmd, task_for, verifier, write_tree

OTHER = other_python()
MODES = [
    pytest.param({}, id="overlay", marks=needs_bwrap),
    pytest.param({"sandbox": "none", "parallel_baseline": False}, id="no-sandbox"),
    pytest.param(
        {"python": OTHER},
        id="sys.monitoring",
        marks=[needs_bwrap, pytest.mark.skipif(OTHER is None, reason=OTHER_PYTHON_REASON)],
    ),
]
PKG = "def add(a, b):\n    return a + b\n\n\ndef mul(a, b):\n    return a * b\n"
TEST = "from calcpkg import add\n\n\ndef test_add():\n    assert add(2, 3) == 5\n"
BROKEN = {"src/calcpkg/__init__.py": PKG.replace("a + b", "a - b")}


def _project(root: Path, path: str) -> Path:
    # ``site/calcpkg`` stands for the copy a ``pip install .`` puts into site-packages
    files = {
        "src/calcpkg/__init__.py": PKG,
        "site/calcpkg/__init__.py": PKG,
        "tests/test_calc.py": TEST,
        "pytest.ini": f"[pytest]\npythonpath = {path}\n",
    }
    return write_tree(root, files)


def _verify(root: Path, mode: dict[str, object], edit: dict[str, str]):  # type: ignore[no-untyped-def]
    python = mode.pop("python", None)
    command = (
        f"{shlex.quote(str(python))} -m pytest -q {shlex.quote(str(root / 'tests'))}"
        if python
        else pytest_cmd(root)
    )
    return verifier(**mode).verify(task_for(root, command), Edit(files=edit), "m")


@pytest.mark.parametrize("mode", MODES)
def test_a_pass_from_another_copy_of_the_code_is_an_error(
    tmp_path: Path, mode: dict[str, object]
) -> None:
    v = _verify(_project(tmp_path / "p", "site"), dict(mode), BROKEN)
    # add is broken, and the tests passed: they imported site/calcpkg
    assert v.verdict == "error" and not v.counted, v.detail
    assert v.untested.startswith(
        "the tests never ran the edit: they imported site/calcpkg/__init__.py instead of "
        "src/calcpkg/__init__.py. Install the project into the tests' environment in "
        "editable mode (pip install -e .)"
    ), v.untested
    assert v.detail.startswith(v.untested) and v.score is None


@pytest.mark.parametrize("mode", MODES)
def test_the_tests_importing_the_workspace_judge_the_edit(
    tmp_path: Path, mode: dict[str, object]
) -> None:
    v = _verify(_project(tmp_path / "p", "src"), dict(mode), BROKEN)
    assert v.verdict == "fail" and v.counted and not v.untested, v.detail
    fine = {"src/calcpkg/__init__.py": PKG.replace("a + b", "b + a")}
    v = _verify(_project(tmp_path / "q", "src"), dict(mode), fine)
    assert v.verdict == "pass" and v.counted and not v.untested, v.detail


def _write(out: Path, pid: int, body: str) -> None:
    (out / f"lines-{pid}.start").write_text("settrace")
    (out / f"lines-{pid}.json").write_text(body)


def test_a_file_any_process_imported_is_not_elsewhere(tmp_path: Path) -> None:
    ws = "/ws"
    target, other = f"{ws}/src/calcpkg/__init__.py", "/venv/site-packages/calcpkg/__init__.py"
    one = f'{{"intact": true, "lines": {{}}, "loaded": [], "elsewhere": {{"{target}": "{other}"}}}}'
    _write(tmp_path, 1, one)
    t = read_traced(tmp_path, ws)
    assert t is not None and dict(t.elsewhere) == {"src/calcpkg/__init__.py": other}
    _write(tmp_path, 2, f'{{"intact": true, "lines": {{}}, "loaded": ["{target}"]}}')
    t = read_traced(tmp_path, ws)
    assert t is not None and not t.elsewhere  # a subprocess imported the workspace's file
    # an older tracer's file (no "loaded"/"elsewhere"): nothing is claimed
    assert read_traced(tmp_path / "none", ws) is None
    assert Traced({}, intact=True).elsewhere == {}


@pytest.mark.parametrize("mode", MODES[1:2])
def test_another_module_of_the_same_name_is_not_taken_for_a_copy(
    tmp_path: Path, mode: dict[str, object]
) -> None:
    # the tests import a ``calcpkg`` that is no copy of the workspace's (another package
    # of the same name): the edited file is just not imported, an idle pass
    root = _project(tmp_path / "p", "site")
    other = "import operator\n\nadd = operator.add\nsub = operator.sub\nneg = operator.neg\n"
    (root / "site" / "calcpkg" / "__init__.py").write_text(other)
    v = _verify(root, dict(mode), BROKEN)
    assert v.verdict == "pass" and not v.counted and not v.untested, v.detail


@pytest.mark.parametrize("mode", MODES[:2])
def test_a_fail_from_another_copy_of_the_code_is_not_held_against_the_model(
    tmp_path: Path, mode: dict[str, object]
) -> None:
    # found on click 8.5.1 installed as a wheel: renaming a function in the code and its
    # tests failed, counted, because the tests import the new name from the old copy
    root = _project(tmp_path / "p", "site")
    renamed = {
        "src/calcpkg/__init__.py": PKG.replace("def add", "def plus"),
        "tests/test_calc.py": TEST.replace("add", "plus"),
    }
    task = task_for(root, pytest_cmd(root), text="Rename add to plus", kind="refactoring")
    v = verifier(**mode).verify(task, Edit(files=renamed), "m")
    assert v.verdict == "error" and not v.counted and v.score is None, v.detail
    assert v.untested.startswith(
        "the tests never ran the edit: they imported site/calcpkg/__init__.py instead of "
        "src/calcpkg/__init__.py."
    ), v.untested


@pytest.mark.parametrize("mode", MODES[:2])
def test_an_edit_of_two_copies_ran_from_the_one_imported(
    tmp_path: Path, mode: dict[str, object]
) -> None:
    # found on semver 3.1.2 installed with `pip install .`, which leaves its build/lib/
    # copy in the project: compare broken and renamed across the project (build/lib/'s
    # copy renamed, not broken; here mul changed there) was "the tests never ran the edit: they imported
    # src/semver/version.py instead of build/lib/semver/version.py" (an error: the set-up
    # blamed, the request stopped), although src/semver/version.py, edited too, is what
    # they ran, and failed on
    root = _project(tmp_path / "p", "src")
    other = PKG.replace("a * b", "b * a")
    v = _verify(root, dict(mode), {**BROKEN, "site/calcpkg/__init__.py": other})
    assert v.verdict == "fail" and v.counted and not v.untested, v.detail
    fine = {"src/calcpkg/__init__.py": PKG.replace("a + b", "b + a")}
    v = _verify(root, dict(mode), {**fine, "site/calcpkg/__init__.py": other})
    assert v.verdict == "pass" and not v.untested, v.detail
