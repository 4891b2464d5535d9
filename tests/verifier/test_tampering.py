"""Edits that tamper with the test runner never come back as a verified pass.

Found by ``benchmarks/verify_trust.py`` on tinydb: a ``sitecustomize.py`` at the
project's root (on ``sys.path`` at start-up through the editable install) that loads
itself as a pytest plugin marking every test passed, next to a broken function, was
verified.  Here the project's folder is on ``PYTHONPATH`` for the same effect; the
other start-up files (``usercustomize``, a ``sitecustomize`` package, ``.pth``) are
refused by the same rule.
"""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest
from acrouter.domain import Edit

from .helpers import (
    CALC_FIXED,
    PYTEST,
    TEST_CALC,
    needs_bwrap,
    snapshot,
    task_for,
    verifier,
    write_tree,
)

FORCE_PASS = """\
import os

os.environ["PYTEST_PLUGINS"] = "sitecustomize"

import pytest


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):  # every report says passed
    report = yield
    report.outcome, report.longrepr = "passed", None
    return report
"""


@pytest.fixture
def fixed(tmp_path: Path) -> Path:
    """The sample project with its bug fixed: both tests pass before any edit."""
    return write_tree(
        tmp_path / "ws",
        {"calc.py": CALC_FIXED, "tests/test_calc.py": TEST_CALC, "pytest.ini": "[pytest]\n"},
    )


@needs_bwrap
@pytest.mark.parametrize(
    "path", ["sitecustomize.py", "usercustomize.py", "lib/sitecustomize/__init__.py", "x.pth"]
)
def test_a_python_start_up_file_is_refused(fixed: Path, tmp_path: Path, path: str) -> None:
    command = f"PYTHONPATH={shlex.quote(str(fixed))} {PYTEST} {shlex.quote(str(fixed / 'tests'))}"
    broken = CALC_FIXED.replace("a * b", "a + b")
    before = snapshot(fixed)
    v = verifier(cache_dir=tmp_path / "cache").verify(
        task_for(fixed, command), Edit(files={"calc.py": broken, path: FORCE_PASS}), "m"
    )
    assert v.verdict == "error", v.detail
    assert "start-up" in v.detail and path.split("/")[-1] in v.detail
    assert snapshot(fixed) == before


@needs_bwrap
def test_the_same_tests_see_the_broken_function_without_the_start_up_file(
    fixed: Path, tmp_path: Path
) -> None:
    """The control: the break alone fails (so the refusal above is what stops it)."""
    command = f"PYTHONPATH={shlex.quote(str(fixed))} {PYTEST} {shlex.quote(str(fixed / 'tests'))}"
    broken = CALC_FIXED.replace("a * b", "a + b")
    v = verifier(cache_dir=tmp_path / "cache").verify(
        task_for(fixed, command), Edit(files={"calc.py": broken}), "m"
    )
    assert v.verdict == "fail" and "test_mul" in v.detail, v.detail
