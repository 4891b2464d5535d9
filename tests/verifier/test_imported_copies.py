"""What the tests imported in place of the edited file, besides another copy of the
package (``test_imported_elsewhere``): an extension module built from it before the edit,
left beside it (Cython's ``build_ext --inplace``, mypyc), which Python imports first, is
no pass (``verifier.lines_shadow``); a copy identical to the edited file, installed by
the test command itself (tox, nox, ``pip install . && pytest``), ran the edit and is a
pass.  Through ``ProjectVerifier.verify``, in the sandbox and without, on Python 3.11
(``sys.settrace``) and 3.13 (``sys.monitoring``)."""

from __future__ import annotations

import shlex
import sysconfig
from pathlib import Path

import pytest
from acrouter.domain import Edit
from acrouter.verifier.lines_trace import read_traced

from .helpers import (
    PYTEST,
    build_calc_extension,
    needs_cc,
    task_for,
    verifier,
    write_tree,
)
from .test_imported_elsewhere import MODES

CALC = "def add(a, b):\n    return a + b\n\n\ndef mul(a, b):\n    return a * b\n"
TEST = "from calc import add\n\n\ndef test_add():\n    assert add(2, 3) == 5\n"


def _extension_project(root: Path) -> Path:
    write_tree(root, {"calc.py": CALC, "tests/test_calc.py": TEST})
    (root / "pytest.ini").write_text("[pytest]\npythonpath = .\n")
    build_calc_extension(root)
    return root


def _verify(root: Path, mode: dict[str, object], edit: dict[str, str], command: str = ""):  # type: ignore[no-untyped-def]
    mode = dict(mode)
    python = mode.pop("python", None)
    pytest_ = f"{shlex.quote(str(python))} -m pytest -q" if python else PYTEST
    task = task_for(root, f"{command}{pytest_} {shlex.quote(str(root / 'tests'))}")
    return verifier(**mode).verify(task, Edit(files=edit), "m")


@needs_cc
@pytest.mark.parametrize("mode", MODES[:2])
def test_a_pass_from_an_extension_module_built_before_the_edit_is_an_error(
    tmp_path: Path, mode: dict[str, object]
) -> None:
    root = _extension_project(tmp_path / "p")
    v = _verify(root, mode, {"calc.py": CALC.replace("a + b", "a - b")})
    # add is broken, and the tests passed: Python imported calc.*.so, not calc.py
    so = f"calc{sysconfig.get_config_var('EXT_SUFFIX')}"
    assert v.verdict == "error" and not v.counted and v.score is None, v.detail
    assert v.untested.startswith(
        f"the tests never ran the edit: they imported {so} instead of calc.py, a compiled "
        "module built before it. Make the test command rebuild it first"
    ), v.untested


@needs_cc
@pytest.mark.parametrize("mode", MODES[:2])
def test_an_extension_module_the_command_rebuilt_is_not_taken_for_a_stale_one(
    tmp_path: Path, mode: dict[str, object]
) -> None:
    # the command rebuilds the extension (here: makes it newer than the edit) before
    # its tests: what they ran is its business, and the edited calc.py is just not
    # imported, an idle pass
    root = _extension_project(tmp_path / "p")
    so = f"calc{sysconfig.get_config_var('EXT_SUFFIX')}"
    edit = {"calc.py": CALC.replace("a + b", "a - b")}
    v = _verify(root, mode, edit, command=f"touch {so} && ")
    assert v.verdict == "pass" and not v.counted and not v.untested, v.detail
    assert "no test ran 1 of the 1 statements the edit changes: calc.py line 2" in v.detail


def _installing_project(root: Path) -> Path:
    pkg = CALC
    test = TEST.replace("from calc", "from calcpkg")
    files = {"src/calcpkg/__init__.py": pkg, "tests/test_calc.py": test}
    write_tree(root, files)
    (root / "pytest.ini").write_text("[pytest]\npythonpath = site\n")
    return root


#: installs the workspace's package into ``site`` (as tox or ``pip install .`` would)
#: before the tests, which import it from there
INSTALL = "rm -rf site && mkdir site && cp -r src/calcpkg site/ && "


@pytest.mark.parametrize("mode", MODES)
def test_a_copy_the_command_installed_from_the_edit_ran_the_edit(
    tmp_path: Path, mode: dict[str, object]
) -> None:
    root = _installing_project(tmp_path / "p")
    fine = {"src/calcpkg/__init__.py": CALC.replace("a + b", "b + a")}
    v = _verify(root, mode, fine, command=INSTALL)
    assert v.verdict == "pass" and v.counted and not v.untested, v.detail
    assert "no test ran" not in v.detail  # the tests ran the changed line, in the copy
    broken = {"src/calcpkg/__init__.py": CALC.replace("a + b", "a - b")}
    v = _verify(root, mode, broken, command=INSTALL)
    assert v.verdict == "fail" and v.counted, v.detail


@pytest.mark.parametrize("mode", MODES)
def test_lines_of_an_installed_copy_are_the_edited_files(
    tmp_path: Path, mode: dict[str, object]
) -> None:
    # boltons' tox.ini (no editable install: the package built into the tox environment,
    # its tests importing it from site-packages): an edit that breaks code no test runs
    # (mul) was counted as a pass, with no word of what the tests ran; the copy is the
    # edited file line for line, so its lines are the edited file's
    root = _installing_project(tmp_path / "p")
    wrong = {"src/calcpkg/__init__.py": CALC.replace("a * b", "a + b")}
    v = _verify(root, mode, wrong, command=INSTALL)
    assert v.verdict == "pass" and not v.counted, v.detail
    assert "no test ran 1 of the 1 statements the edit changes: src/calcpkg/__init__.py line 6" in (
        v.detail
    ), v.detail
    ran = {"src/calcpkg/__init__.py": CALC.replace("a + b", "b + a")}
    v = _verify(root, mode, ran, command=INSTALL)
    assert v.verdict == "pass" and v.counted and "no test ran" not in v.detail, v.detail


def test_an_edited_file_imported_only_from_an_identical_copy_is_unmeasured(
    tmp_path: Path,
) -> None:
    ws, target = "/ws", "/ws/src/calcpkg/__init__.py"
    copy = "/ws/.tox/py/lib/site-packages/calcpkg/__init__.py"
    body = f'{{"intact": true, "lines": {{}}, "loaded": [], "copies": {{"{target}": "{copy}"}}}}'
    (tmp_path / "lines-1.start").write_text("settrace")
    (tmp_path / "lines-1.json").write_text(body)
    t = read_traced(tmp_path, ws)
    assert t is not None and t.unmeasured == {"src/calcpkg/__init__.py"} and not t.elsewhere
    (tmp_path / "lines-2.start").write_text("settrace")
    (tmp_path / "lines-2.json").write_text(
        f'{{"intact": true, "lines": {{}}, "loaded": ["{target}"]}}'
    )
    t = read_traced(tmp_path, ws)
    assert t is not None and not t.unmeasured  # another process imported the file itself
