"""A test command that sets ``PYTHONPATH`` or ``PYTEST_ADDOPTS`` itself
(``PYTHONPATH=src python -m pytest``, ``env PYTHONPATH=src ...``, ``export ...; ...``)
keeps the verifier's too (``verifier.inline_env``), through ``ProjectVerifier.verify`` in
the sandbox: the line tracer and our JUnit plugin load, each run happens once, and the
project's own entry still works (its tests import the code from ``src`` only through
it).  Before, the command's value replaced ours: pytest failed naming our plugin, the
run was made again without it (the one with the edit twice more), and which changed
lines ran was not known."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

import pytest
from acrouter.domain import Edit

from .helpers import (
    CALC_FIXED,
    MODES,
    TEST_PY,
    needs_bwrap,
    task_for,
    traced_runs,
    verifier,
    write_tree,
)

PYTHON = shlex.quote(sys.executable)
#: ``mul`` changed; the one test calls only ``add`` (the tracer names line 6)
EDIT = Edit(files={"src/calc.py": CALC_FIXED.replace("return a * b", "return b * a")})
NOT_RUN = "no test ran 1 of the 1 statements the edit changes: src/calc.py line 6"


def _project(root: Path) -> Path:
    # no pytest.ini: the tests import calc from src through the command's PYTHONPATH only
    return write_tree(root, {"src/calc.py": CALC_FIXED, "tests/test_calc.py": TEST_PY})


COMMANDS = [
    pytest.param("PYTHONPATH=src {python} -m pytest -q tests", id="assignment"),
    pytest.param("env PYTHONPATH=src {python} -m pytest tests", id="env"),
    pytest.param(
        "cd {root} && PYTEST_ADDOPTS='-q -rN' PYTHONPATH=\"src\" {python} -m pytest tests",
        id="cd-quoted-addopts",
    ),
    pytest.param("export PYTHONPATH=src; {python} -m pytest -q tests", id="export"),
]


def _check(tmp_path: Path, command: str, mode: dict[str, object], runs: list[bool]) -> None:
    root = _project(tmp_path / "proj")
    line = command.format(python=PYTHON, root=shlex.quote(str(root)))
    v = verifier(**mode).verify(task_for(root, line, kind="refactoring"), EDIT, "m")
    assert v.verdict == "pass" and not v.weak, v.detail
    # the tests ran, importing calc through the command's own PYTHONPATH=src
    assert (v.tests_passed_before, v.tests_failed_before) == (1, 0), v.detail
    # the tracer ran: the changed line no test runs is named (before: "not known")
    assert v.unrun == NOT_RUN, v.detail
    # each run once: the one without the edit, untraced, and the traced one with it
    # (before: five, each retried without our plugins)
    assert sorted(runs) == [False, True], runs


@needs_bwrap
@pytest.mark.parametrize("command", COMMANDS)
def test_a_command_with_its_own_pythonpath_is_traced_in_one_run(
    tmp_path: Path, command: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _check(tmp_path, command, {}, traced_runs(monkeypatch))


@pytest.mark.parametrize("mode", MODES[1:])
def test_so_it_is_on_a_copy_and_without_a_sandbox(
    tmp_path: Path, mode: dict[str, object], monkeypatch: pytest.MonkeyPatch
) -> None:
    _check(tmp_path, "PYTHONPATH=src {python} -m pytest -q tests", mode, traced_runs(monkeypatch))


@needs_bwrap
def test_the_commands_own_pythonpath_still_decides_what_is_imported(tmp_path: Path) -> None:
    # what the tests import is the command's src/calc.py: an edit that breaks it fails,
    # its failing test named (our JUnit report)
    root = _project(tmp_path / "proj")
    command = f"PYTHONPATH=src {PYTHON} -m pytest -q tests"
    broken = Edit(files={"src/calc.py": CALC_FIXED.replace("a + b", "a - b")})
    v = verifier().verify(task_for(root, command), broken, "m")
    assert v.verdict == "fail" and not v.weak, v.detail
    assert [f.test_id for f in v.failures] == ["tests/test_calc.py::test_add"], v.detail
