"""Test commands that run in a subfolder: ``cd sub && python -m unittest ...``.

A ``python -m unittest`` command loads its test modules by name, relative to the folder
it runs in; the files it loads belong to the tests (``testcommand.command_patterns``), so
an edit that changes them is judged with them as they were.  Before, the patterns of
``cd sub && python -m unittest checks.calc_checks`` were ``checks/calc_checks.py`` (of
the workspace, not of ``sub``): ``sub/checks/calc_checks.py`` was the code under test,
and an edit that broke ``sub/calc.py`` and hollowed its checks was judged on its own
hollow checks and verified.  Likewise pytest's ``python_files`` (``check_*.py`` in a
``pytest.ini``) was not read: ``cd pkg && pytest`` verified an edit that hollowed
``pkg/check_calc.py``.
"""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

import pytest
from acrouter.domain import Edit
from acrouter.verifier.testcommand import command_patterns
from acrouter.verifier.testfiles import is_test_file

from .helpers import CALC, CALC_FIXED, TEST_PY, TEST_UT, needs_bwrap, task_for, verifier, write_tree


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        (
            "cd sub && python -m unittest pkg.checks",
            {"sub/pkg.py", "sub/pkg/checks.py", "sub/pkg/checks/*"},
        ),
        ("cd sub/ && python -m unittest checks/calc_checks.py", {"sub/checks/calc_checks.py"}),
        ("cd a; cd b && python -m unittest checks", {"a/b/checks.py", "a/b/checks/*"}),
        ("pushd sub && python -m unittest checks", {"sub/checks.py", "sub/checks/*"}),
        ("cd ./sub/../other && python -m unittest checks", {"other/checks/*"}),
    ],
)
def test_patterns_are_relative_to_the_folder_the_command_runs_in(
    command: str, expected: set[str]
) -> None:
    assert expected <= set(command_patterns(command))


def test_an_absolute_cd_inside_the_workspace(tmp_path: Path) -> None:
    command = f"cd {shlex.quote(str(tmp_path / 'sub'))} && python -m unittest checks"
    patterns = command_patterns(command, tmp_path)
    assert is_test_file("sub/checks/calc_checks.py", patterns)
    # without the workspace an absolute folder cannot be placed: the names still count
    assert is_test_file("sub/checks.py", command_patterns(command))


@pytest.mark.parametrize(
    "command",
    [
        "cd sub && python -m unittest checks.calc_checks",
        "cd sub; python3 -m unittest -v checks/calc_checks.py",
        "cd sub && python -m unittest discover -s checks -p 'calc_*.py'",
    ],
)
def test_the_files_a_unittest_command_in_a_subfolder_loads_belong_to_the_tests(
    command: str,
) -> None:
    assert is_test_file("sub/checks/calc_checks.py", command_patterns(command))
    assert not is_test_file("sub/calc.py", command_patterns(command))


#: the checks of sub/calc.py (unittest's), in a module whose name is no test file's
CHECKS = TEST_UT


@needs_bwrap
def test_broken_code_with_its_checks_hollowed_in_a_subfolder_is_not_verified(
    tmp_path: Path,
) -> None:
    root = write_tree(
        tmp_path / "proj",
        {
            "sub/calc.py": CALC_FIXED,
            "sub/checks/__init__.py": "",
            "sub/checks/calc_checks.py": CHECKS,
        },
    )
    python = shlex.quote(sys.executable)
    task = task_for(root, f"cd sub && {python} -m unittest checks.calc_checks")
    v = verifier(timeout_s=60)
    hollow = CHECKS.replace("self.assertEqual(add(2, 3), 5)", "pass")
    out = v.verify(
        task, Edit(files={"sub/calc.py": CALC, "sub/checks/calc_checks.py": hollow}), "m"
    )
    assert out.verdict == "fail" and out.counted, out.detail
    assert out.detail.startswith(
        "with your tests (the edit's changes to sub/checks/calc_checks.py set aside)"
    ), out.detail
    comment = Edit(files={"sub/calc.py": CALC_FIXED + "# a harmless comment\n"})
    assert v.verify(task, comment, "m").verdict == "pass"


#: the same checks for pytest, in a module named by the project's ``python_files``
PY_CHECKS = TEST_PY


@needs_bwrap
def test_pytest_in_a_subfolder_with_its_own_test_file_names(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path / "proj",
        {
            "pkg/calc.py": CALC_FIXED,
            "pkg/pytest.ini": "[pytest]\npython_files = check_*.py\npythonpath = .\n",
            "pkg/check_calc.py": PY_CHECKS,
        },
    )
    task = task_for(root, f"cd pkg && {shlex.quote(sys.executable)} -m pytest -q")
    v = verifier(timeout_s=60)
    hollow = PY_CHECKS.replace("assert add(2, 3) == 5", "pass")
    out = v.verify(task, Edit(files={"pkg/calc.py": CALC, "pkg/check_calc.py": hollow}), "m")
    assert out.verdict == "fail" and out.counted, out.detail
    assert out.detail.startswith("with your tests (the edit's changes to pkg/check_calc.py"), (
        out.detail
    )
    comment = Edit(files={"pkg/calc.py": CALC_FIXED + "# a harmless comment\n"})
    assert v.verify(task, comment, "m").verdict == "pass"


def test_the_file_names_pytest_is_configured_to_collect(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path / "ws",
        {
            "pkg/setup.cfg": "[tool:pytest]\npython_files =\n    check_*.py\n    *_spec.py\n",
            "pyproject.toml": "[tool.pytest.ini_options]\npython_files = ['it_*.py']\n",
            "other/tox.ini": "[pytest]\npython_files = never_*.py\n",
        },
    )
    patterns = command_patterns("cd pkg && pytest -q -o python_files=ok_*.py", root)
    assert set(patterns) == {"ok_*.py", "check_*.py", "*_spec.py", "it_*.py"}
    assert command_patterns("pytest --override-ini=python_files=a_*.py", None) == ("a_*.py",)
    assert set(command_patterns("python -m pytest other/t.py", root)) == {"never_*.py", "it_*.py"}
    # a folder outside the workspace is not read, even named through it
    write_tree(tmp_path, {"tox.ini": "[pytest]\npython_files = outside_*.py\n"})
    assert "outside_*.py" not in command_patterns("pytest pkg/../../x.py", root)


def test_an_unsaved_pytest_configuration_is_read_too(tmp_path: Path) -> None:
    # the tests run with the editor's unsaved pytest.ini: the files it collects are the
    # tests' as well (with the saved one's: more files judged as the tests', never fewer)
    root = write_tree(
        tmp_path / "ws",
        {"pytest.ini": "[pytest]\npython_files = it_*.py\n", "pkg/calc.py": "X = 1\n"},
    )
    unsaved = {
        "pytest.ini": "[pytest]\npython_files = check_*.py\n",
        "pkg/pyproject.toml": "[tool.pytest]\npython_files = ['spec_*.py']\n",
    }
    assert set(command_patterns("pytest -q", root)) == {"it_*.py"}
    assert set(command_patterns("pytest -q", root, unsaved)) == {"it_*.py", "check_*.py"}
    patterns = command_patterns("cd pkg && python -m pytest", root, unsaved)
    assert set(patterns) == {"it_*.py", "check_*.py", "spec_*.py"}
    assert is_test_file("pkg/spec_calc.py", patterns)
