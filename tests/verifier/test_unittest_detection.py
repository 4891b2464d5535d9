"""A project whose tests are unittest's, on a Python without pytest: its tests are found
and run with ``python -m unittest`` (read per test from its ``-v`` lines).  Before, the
command detected was always ``python -m pytest``, and on such a Python (Debian's
``python3``, a virtualenv made without pytest) every request ended in "the tests cannot
run even without the edit: No module named pytest"."""

from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path

import pytest
from acrouter.domain import Edit
from acrouter.verifier import detect_test_command
from acrouter.verifier.detection import pytest_installed

from .helpers import needs_bwrap, task_for, verifier, write_tree

CALC = "def mean(xs):\n    return sum(xs) / len(xs)\n"
UNITTEST = """\
import unittest

from calc import mean


class MeanTest(unittest.TestCase):
    def test_mean(self):
        self.assertEqual(mean([1, 2, 3]), 2)

    def test_one(self):
        self.assertEqual(mean([4]), 4)
"""
PLAIN_CLASS = "\n\nclass TestPlain:\n    def test_more(self):\n        assert mean([2]) == 2\n"
PYTEST_STYLE = "from calc import mean\n\n\ndef test_mean():\n    assert mean([1, 3]) == 2\n"


def _venv(root: Path, *, pytest_too: bool = False, system: Path | None = None) -> Path:
    """A virtualenv's layout in ``root/.venv`` (``bin/python`` a file that is never run):
    ``pytest`` in its site-packages when ``pytest_too``; the base Python ``system``'s
    packages included when given."""
    venv = root / ".venv"
    cfg = "home = /nowhere\nversion = 3.11.2\ninclude-system-site-packages = false\n"
    if system is not None:
        cfg = f"home = {system}\nversion = 3.11.2\ninclude-system-site-packages = true\n"
    write_tree(venv, {"pyvenv.cfg": cfg, "bin/python": "#!/bin/sh\nexit 1\n"})
    (venv / "bin/python").chmod(0o755)
    (venv / "lib/python3.11/site-packages").mkdir(parents=True)
    if pytest_too:
        (venv / "lib/python3.11/site-packages/pytest").mkdir()
    return venv / "bin/python"


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"tests/test_calc.py": UNITTEST}, "discover -s tests"),
        ({"test/test_calc.py": UNITTEST}, "discover -s test"),
        # a package: imported from the top folder, as pytest imports it
        ({"tests/__init__.py": "", "tests/test_calc.py": UNITTEST}, "discover -s tests -t ."),
        (
            {
                "tests/__init__.py": "",
                "tests/unit/__init__.py": "",
                "tests/unit/test_c.py": UNITTEST,
            },
            "discover -s tests/unit -t .",  # (the folder that holds them all)
        ),
        ({"test_calc.py": UNITTEST}, ""),
        # a TestCase named Test*: unittest's
        ({"tests/test_calc.py": UNITTEST.replace("MeanTest", "TestMean")}, "discover -s tests"),
        # a package's own tests (simplejson 4.3.0's), its folders above packages
        (
            {
                "setup.py": "",
                "simplejson/__init__.py": "",
                "simplejson/tests/__init__.py": "",
                "simplejson/tests/test_dump.py": UNITTEST,
            },
            "discover -s simplejson/tests -t .",
        ),
        # what unittest would not run, or would not run whole: pytest stays the command
        ({"tests/test_calc.py": UNITTEST + "\n\n" + PYTEST_STYLE}, None),
        ({"tests/test_calc.py": UNITTEST, "tests/test_more.py": PYTEST_STYLE}, None),
        # pytest's test classes (no base, or object), pytest imported: unittest would not
        # run them, or not as pytest does
        ({"tests/test_calc.py": UNITTEST + PLAIN_CLASS}, None),
        ({"tests/test_calc.py": UNITTEST + PLAIN_CLASS.replace(":", "(object):", 1)}, None),
        ({"tests/test_calc.py": "import pytest\n" + UNITTEST}, None),
        # test modules elsewhere too: discovery from the folder that holds them all, where
        # it enters every folder (before, `discover -s tests` left tools/ out)
        (
            {
                "tests/__init__.py": "",
                "tests/test_calc.py": UNITTEST,
                "tools/__init__.py": "",
                "tools/test_tool.py": UNITTEST,
            },
            "",
        ),
        ({"tests/test_calc.py": UNITTEST, "tools/test/test_tool.py": UNITTEST}, None),
        ({"setup.py": "", "src/test_calc.py": UNITTEST}, "discover -s src"),  # typing-extensions'
        # a package's tests below a folder that is not a package (src/): not importable
        # from the top folder
        (
            {
                "setup.py": "",
                "src/pkg/__init__.py": "",
                "src/pkg/tests/__init__.py": "",
                "src/pkg/tests/test_x.py": UNITTEST,
            },
            None,
        ),
        ({"tests/unit/test_calc.py": UNITTEST}, None),  # (not a package: not entered)
        ({"tests/calc_test.py": UNITTEST}, None),  # (not discovery's test*.py)
        ({"tests/test_calc.py": UNITTEST, "test_root.py": UNITTEST}, None),
        ({"tests/test_calc.py": UNITTEST, "conftest.py": ""}, None),  # pytest configured
        ({"tests/test_calc.py": UNITTEST, "pytest.ini": "[pytest]\n"}, None),
    ],
)
def test_unittest_suites_on_a_python_without_pytest(
    tmp_path: Path, files: dict[str, str], expected: str | None
) -> None:
    root = write_tree(tmp_path / "p", {"calc.py": CALC, **files})
    python = shlex.quote(str(_venv(root)))
    want = f"{python} -m pytest" if expected is None else f"{python} -m unittest {expected}"
    assert detect_test_command(root) == want.strip()


def test_a_python_with_pytest_keeps_pytest(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "p", {"calc.py": CALC, "tests/test_calc.py": UNITTEST})
    python = _venv(root, pytest_too=True)
    assert detect_test_command(root) == f"{shlex.quote(str(python))} -m pytest"


def test_a_virtualenv_including_its_base_pythons_packages_sees_its_pytest(tmp_path: Path) -> None:
    base = tmp_path / "base"  # a prefix: bin/python3.11, lib/python3.11/site-packages
    write_tree(base, {"bin/python3.11": "#!/bin/sh\nexit 1\n"})
    (base / "bin/python3.11").chmod(0o755)
    (base / "lib/python3.11/site-packages/pytest").mkdir(parents=True)
    root = write_tree(tmp_path / "p", {"calc.py": CALC, "tests/test_calc.py": UNITTEST})
    python = _venv(root, system=base / "bin")
    assert pytest_installed(str(python))
    assert detect_test_command(root) == f"{shlex.quote(str(python))} -m pytest"
    (base / "lib/python3.11/site-packages/pytest").rmdir()
    assert not pytest_installed(str(python))
    assert detect_test_command(root).endswith("-m unittest discover -s tests")


def test_a_python_whose_layout_does_not_show_is_taken_to_have_pytest(tmp_path: Path) -> None:
    odd = write_tree(tmp_path, {"bin/mypython": "#!/bin/sh\nexit 1\n"}) / "bin/mypython"
    odd.chmod(0o755)
    assert pytest_installed(str(odd))  # (no version in its name, no pyvenv.cfg)


def _real_venv_without_pytest(root: Path) -> Path:
    """A real virtualenv of this Python's base interpreter, without pytest (nothing is
    installed in it: a link to the interpreter and a pyvenv.cfg, as ``venv`` makes)."""
    base = Path(os.path.realpath(getattr(sys, "_base_executable", sys.executable)))
    venv = root / ".venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "lib" / f"python{sys.version_info[0]}.{sys.version_info[1]}" / "site-packages").mkdir(
        parents=True
    )
    (venv / "bin" / "python").symlink_to(base)
    (venv / "pyvenv.cfg").write_text(
        f"home = {base.parent}\ninclude-system-site-packages = false\n"
        f"version = {'.'.join(map(str, sys.version_info[:3]))}\n"
    )
    return venv / "bin" / "python"


@needs_bwrap
def test_with_no_command_set_a_unittest_suite_without_pytest_is_verified_per_test(
    tmp_path: Path,
) -> None:
    root = write_tree(tmp_path / "p", {"calc.py": CALC, "tests/test_calc.py": UNITTEST})
    python = _real_venv_without_pytest(root)
    assert not pytest_installed(str(python))
    check = verifier(timeout_s=60, cache_dir=tmp_path / "cache")
    good = check.verify(task_for(root), Edit(files={"calc.py": "# mean\n" + CALC}), "m")
    assert good.verdict == "pass" and not good.weak, good.detail
    assert (good.tests_passed_before, good.tests_passed, good.tests_failed) == (2, 2, 0)
    broken = CALC.replace("len(xs)", "(len(xs) - 1 or 1)")
    bad = check.verify(task_for(root), Edit(files={"calc.py": broken}), "m")
    assert bad.verdict == "fail" and not bad.weak, bad.detail
    assert "test_mean" in bad.detail, bad.detail
