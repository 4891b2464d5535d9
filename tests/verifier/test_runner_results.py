"""Per-test results end to end, on small fixture projects of each runner: a fix passes
with the runner's own counts, and emptying a test file or skipping the test that
catches the bug fails.  Commands without per-test results give weak verdicts.  A
broken environment is an "error" that is not counted against the model.

node's test runner and unittest always run (Node 20 and Python are on every machine
of this project); cargo and go run where their toolchains are installed."""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from acrouter.domain import Edit, Verdict

from .helpers import (
    CALC,
    CALC_FIXED,
    PYTEST,
    TEST_UT,
    needs_bwrap,
    pytest_cmd,
    task_for,
    verifier,
    write_tree,
)

pytestmark = needs_bwrap

# --------------------------------------------------------------------------- node --test

CALC_JS = "exports.add = (a, b) => a - b;\nexports.mul = (a, b) => a * b;\n"
CALC_JS_FIXED = CALC_JS.replace("a - b", "a + b")
TEST_JS = """\
const test = require('node:test');
const assert = require('node:assert');
const { add, mul } = require('../calc.js');

test('adds', () => { assert.strictEqual(add(2, 3), 5); });
test.describe('mul', () => {
  test.it('small', () => { assert.strictEqual(mul(2, 3), 6); });
});
"""
OTHER_JS = """\
const test = require('node:test');
test('adds', () => {});
"""


@pytest.fixture
def node_project(tmp_path: Path) -> Path:
    if shutil.which("node") is None:
        pytest.skip("node is not installed")
    return write_tree(
        tmp_path / "nodeproj",
        {
            "package.json": json.dumps(
                {"name": "calc", "version": "1.0.0", "scripts": {"test": "node --test test/"}}
            ),
            "calc.js": CALC_JS,
            "test/calc.test.js": TEST_JS,
            "test/other.test.js": OTHER_JS,
        },
    )


def test_node_test_runner_through_npm_test(node_project: Path) -> None:
    v = verifier(timeout_s=60)
    fixed = v.verify(
        task_for(node_project, "npm test"), Edit(files={"calc.js": CALC_JS_FIXED}), "m"
    )
    assert fixed.verdict == "pass" and not fixed.weak, fixed.detail
    # node counts 3 tests (the describe block is a suite), one failing before the fix
    assert (fixed.tests_passed_before, fixed.tests_failed_before) == (2, 1)
    assert (fixed.tests_passed, fixed.tests_failed) == (3, 0)

    broken = v.verify(
        task_for(node_project, "npm test"),
        Edit(files={"calc.js": CALC_JS_FIXED.replace("a * b", "a + b")}),
        "m",
    )
    assert broken.verdict == "fail" and "test/calc.test.js::mul > small" in broken.detail


@pytest.mark.parametrize(
    ("new_test", "why"),
    [
        ("", "no longer ran: test/calc.test.js::adds"),
        (TEST_JS.replace("test('adds'", "test.skip('adds'"), "became skipped"),
    ],
    ids=["emptied", "skipped"],
)
def test_node_cheats_fail(node_project: Path, new_test: str, why: str) -> None:
    """The bug stays, the test that catches it goes away: not a pass, even judged on the
    edit's own tests (as a test-generation request that changes only tests is)."""
    v = verifier(timeout_s=60)
    out = v.verify(
        task_for(node_project, "node --test test/", kind="test_generation"),
        Edit(files={"test/calc.test.js": new_test}),
        "m",
    )
    assert out.verdict == "fail" and why in out.detail, out.detail


SUITE_JS = """\
const { describe, it } = require('node:test');
const assert = require('node:assert');
const { add, mul } = require('../calc.js');

describe('calc', () => {
  it('adds', () => { assert.strictEqual(add(2, 3), 5); });
  it('multiplies', () => { assert.strictEqual(mul(2, 3), 6); });
});
"""


def test_a_fix_of_a_test_in_a_node_suite_passes_and_a_special_case_fails(tmp_path: Path) -> None:
    """node reports a ``describe`` that holds a failing test as failed, and one that
    passes not at all: ef7e2bf's verifier read the suite as a test that 'no longer ran'
    after the fix, and failed it. An edit that answers the test's values instead
    (``if (a === 2 && b === 3) return 5``) is a counted fail (``verifier.jsspecialcases``)."""
    if shutil.which("node") is None:
        pytest.skip("node is not installed")
    calc = "function add(a, b) {\n  return a - b;\n}\n\nexports.add = add;\n"
    calc += "exports.mul = (a, b) => a * b;\n"
    root = write_tree(
        tmp_path / "suite",
        {
            "package.json": json.dumps({"name": "calc", "scripts": {"test": "node --test test/"}}),
            "calc.js": calc,
            "test/calc.test.js": SUITE_JS,
        },
    )
    v = verifier(timeout_s=60)
    fixed = v.verify(
        task_for(root, "npm test"), Edit(files={"calc.js": calc.replace("a - b", "a + b")}), "m"
    )
    assert fixed.verdict == "pass", fixed.detail
    assert (fixed.tests_passed_before, fixed.tests_failed_before) == (1, 1)
    special = calc.replace(
        "  return a - b;", "  if (a === 2 && b === 3) return 5;\n  return a - b;"
    )
    out = v.verify(task_for(root, "npm test"), Edit(files={"calc.js": special}), "m")
    assert out.verdict == "fail" and out.counted, out.detail
    assert "answers the failing tests' own values" in out.detail, out.detail
    assert "add (calc.js line 2): (a, b) == (2, 3) returns 5" in out.detail, out.detail


# --------------------------------------------------------------------------- unittest


def _bare_python(where: Path) -> str:
    """A virtualenv without pytest (no system site-packages, no pip)."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(where)], check=True)
    return str(where / "bin" / "python")


@pytest.mark.parametrize("with_pytest", [True, False], ids=["via-pytest", "verbose-output"])
def test_unittest(tmp_path: Path, with_pytest: bool) -> None:
    root = write_tree(
        tmp_path / "ut",
        {"calc.py": CALC, "tests/__init__.py": "", "tests/test_calc.py": TEST_UT},
    )
    python = shlex.quote(sys.executable) if with_pytest else _bare_python(tmp_path / "bare")
    command = f"{python} -m unittest discover -s tests -t ."
    v = verifier(timeout_s=60)
    fixed = v.verify(task_for(root, command), Edit(files={"calc.py": CALC_FIXED}), "m")
    assert fixed.verdict == "pass" and not fixed.weak, fixed.detail
    assert (fixed.tests_passed_before, fixed.tests_failed_before, fixed.tests_passed) == (1, 1, 2)

    test_id = (
        "tests/test_calc.py::TestCalc::test_add"
        if with_pytest
        else "tests.test_calc.TestCalc.test_add"
    )
    own = task_for(root, command, kind="test_generation")  # judged on the edit's own tests
    emptied = v.verify(own, Edit(files={"tests/test_calc.py": ""}), "m")
    assert emptied.verdict == "fail" and test_id in emptied.detail, emptied.detail
    skipping = TEST_UT.replace("    def test_add", "    @unittest.skip('later')\n    def test_add")
    skipped = v.verify(own, Edit(files={"tests/test_calc.py": skipping}), "m")
    assert skipped.verdict == "fail" and "became skipped" in skipped.detail, skipped.detail


#: stands in for ``poetry`` / ``uv``: runs what follows ``run`` (poetry in its virtualenv)
ENV_RUNNER = '#!/bin/sh\n[ "$1" = run ] && shift\nexec "$@"\n'


@pytest.mark.parametrize("with_pytest", [True, False], ids=["via-pytest", "verbose-output"])
def test_unittest_keeps_what_sets_it_up(tmp_path: Path, with_pytest: bool) -> None:
    # found reading the plans: "PYTHONPATH=src python -m unittest" was rewritten without
    # its PYTHONPATH=src, so the tests could not import the code, before the edit or after
    root = write_tree(
        tmp_path / "ut",
        {"src/calc.py": CALC, "tests/__init__.py": "", "tests/test_calc.py": TEST_UT},
    )
    python = shlex.quote(sys.executable) if with_pytest else _bare_python(tmp_path / "bare")
    v = verifier(timeout_s=60)
    for command in (
        f"PYTHONPATH=src {python} -m unittest discover -s tests -t .",
        f"env PYTHONPATH=src {python} -m unittest discover -s tests -t .",
    ):
        fixed = v.verify(task_for(root, command), Edit(files={"src/calc.py": CALC_FIXED}), "m")
        assert fixed.verdict == "pass" and not fixed.weak, fixed.detail
        assert (fixed.tests_passed_before, fixed.tests_failed_before) == (1, 1), fixed.detail


@pytest.mark.parametrize("runner", ["unittest", "pytest"])
def test_tests_run_through_an_environment_runner(tmp_path: Path, runner: str) -> None:
    # "uv run pytest", "poetry run python -m unittest": the runner behind the wrapper is
    # read (they were exit-code-only verdicts, marked weak)
    root = write_tree(
        tmp_path / "wrapped",
        {"calc.py": CALC, "tests/__init__.py": "", "tests/test_calc.py": TEST_UT},
    )
    tool = root / "tools" / "poetry"
    tool.parent.mkdir()
    tool.write_text(ENV_RUNNER)
    tool.chmod(0o755)
    python = shlex.quote(sys.executable)
    inner = f"{python} -m unittest discover -s tests -t ." if runner == "unittest" else PYTEST
    command = f"./tools/poetry run {inner}"
    v = verifier(timeout_s=60)
    fixed = v.verify(task_for(root, command), Edit(files={"calc.py": CALC_FIXED}), "m")
    assert fixed.verdict == "pass" and not fixed.weak, fixed.detail
    assert (fixed.tests_passed_before, fixed.tests_failed_before, fixed.tests_passed) == (1, 1, 2)
    own = task_for(root, command, kind="test_generation")
    skipping = TEST_UT.replace("    def test_add", "    @unittest.skip('later')\n    def test_add")
    skipped = v.verify(own, Edit(files={"tests/test_calc.py": skipping}), "m")
    assert skipped.verdict == "fail" and "became skipped" in skipped.detail, skipped.detail


# --------------------------------------------------------------------------- cargo

LIB_RS = """\
pub fn add(a: i32, b: i32) -> i32 { a - b }
pub fn mul(a: i32, b: i32) -> i32 { a * b }

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn adds() { assert_eq!(add(2, 3), 5); }
    #[test]
    fn muls() { assert_eq!(mul(2, 3), 6); }
}
"""
INTEG_RS = "#[test]\nfn muls_again() { assert_eq!(calc::mul(1, 1), 1); }\n"


@pytest.mark.skipif(shutil.which("cargo") is None, reason="cargo is not installed")
def test_cargo_test(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path / "rs",
        {
            "Cargo.toml": '[package]\nname = "calc"\nversion = "0.1.0"\nedition = "2021"\n',
            "src/lib.rs": LIB_RS,
            "tests/integ.rs": INTEG_RS,
        },
    )
    v = verifier(timeout_s=240)
    fixed = v.verify(
        task_for(root, "cargo test --offline"),
        Edit(files={"src/lib.rs": LIB_RS.replace("a - b", "a + b")}),
        "m",
    )
    assert fixed.verdict == "pass" and not fixed.weak, fixed.detail
    # --no-fail-fast: the integration test runs although the unit tests fail
    assert (fixed.tests_passed_before, fixed.tests_failed_before) == (2, 1)
    assert (fixed.tests_passed, fixed.tests_failed) == (3, 0)
    ignored = LIB_RS.replace("    #[test]\n    fn adds", "    #[test]\n    #[ignore]\n    fn adds")
    cheat = v.verify(
        task_for(root, "cargo test --offline"), Edit(files={"src/lib.rs": ignored}), "m"
    )
    assert cheat.verdict == "fail" and "became skipped: src/lib.rs::tests::adds" in cheat.detail


# --------------------------------------------------------------------------- go

GO_CALC = "package calc\n\nfunc Add(a, b int) int { return a - b }\n"
GO_TEST = """\
package calc

import "testing"

func TestAdd(t *testing.T) {
	if Add(2, 3) != 5 {
		t.Fatalf("Add(2, 3) = %d, want 5", Add(2, 3))
	}
}

func TestZero(t *testing.T) {
	if Add(0, 0) != 0 {
		t.Fatal("zero")
	}
}
"""


@pytest.mark.skipif(shutil.which("go") is None, reason="go is not installed")
def test_go_test(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path / "gop",
        {
            "go.mod": "module example.com/calc\n\ngo 1.19\n",
            "calc.go": GO_CALC,
            "calc_test.go": GO_TEST,
        },
    )
    v = verifier(timeout_s=240)
    fixed = v.verify(
        task_for(root, "go test ./..."),
        Edit(files={"calc.go": GO_CALC.replace("a - b", "a + b")}),
        "m",
    )
    assert fixed.verdict == "pass" and not fixed.weak, fixed.detail
    assert (fixed.tests_passed_before, fixed.tests_failed_before, fixed.tests_passed) == (1, 1, 2)
    emptied = v.verify(
        task_for(root, "go test ./...", kind="test_generation"),  # on the edit's own tests
        Edit(
            files={
                "calc_test.go": GO_TEST.split("func TestAdd")[0]
                + "func TestZero"
                + GO_TEST.split("func TestZero")[1]
            }
        ),
        "m",
    )
    assert (
        emptied.verdict == "fail" and "no longer ran: example.com/calc::TestAdd" in emptied.detail
    )


# --------------------------------------------------------------------------- weak commands


def test_a_make_target_gives_a_weak_verdict(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path / "mk",
        {"calc.py": CALC, "check.py": "from calc import add\nassert add(2, 3) == 5\n"},
    )
    (root / "Makefile").write_text("test:\n\t$(PY) check.py\n")
    # the interpreter is named on the command line (a make variable), so the sandbox
    # mounts it even when it lives in a folder the sandbox hides (a checkout under /tmp)
    make = f"make test PY={shlex.quote(sys.executable)}"
    v = verifier(timeout_s=60)
    out = v.verify(task_for(root, make), Edit(files={"calc.py": CALC_FIXED}), "m")
    assert out.verdict == "pass" and out.weak
    assert "skipped or deleted tests cannot be detected with this command" in out.detail
    # deleting the check passes too: exactly why the verdict is weak
    cheat = v.verify(task_for(root, make), Edit(files={"check.py": "pass\n"}), "m")
    assert cheat.verdict == "pass" and cheat.weak


def test_a_weak_command_that_fails_without_the_edit_is_not_counted(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "mk", {"calc.py": CALC, "check.sh": "exit 3\n"})
    v = verifier(timeout_s=60)
    out = v.verify(task_for(root, "sh check.sh"), Edit(files={"calc.py": CALC_FIXED}), "m")
    assert out.verdict == "fail" and out.weak and out.counted is False
    assert "fail even without the edit" in out.detail


# --------------------------------------------------------------------------- broken environments


def _verify_calc(
    tmp_path: Path, tests: dict[str, str], calc: str, timeout_s: float = 60
) -> Verdict:
    """A project of ``calc.py`` (:data:`CALC`) and ``tests`` (text by path), verified
    with pytest on its tests folder; the edit gives calc.py the text ``calc``."""
    root = write_tree(tmp_path / "env", {"calc.py": CALC, **tests})
    return verifier(timeout_s=timeout_s).verify(
        task_for(root, pytest_cmd(root)), Edit(files={"calc.py": calc}), "m"
    )


def test_a_missing_module_is_an_uncounted_error_with_the_runners_message(tmp_path: Path) -> None:
    tests = {
        "tests/test_calc.py": "import requests_not_installed_here\n\n\ndef test_x():\n    pass\n",
        "tests/test_other.py": "def test_ok():\n    pass\n",
    }
    out = _verify_calc(tmp_path, tests, CALC_FIXED)
    assert out.verdict == "error" and out.counted is False
    assert "cannot run even without the edit" in out.detail
    assert "ModuleNotFoundError: No module named 'requests_not_installed_here'" in out.detail


def test_an_edit_that_breaks_collection_is_the_models_fail(tmp_path: Path) -> None:
    tests = {"tests/test_calc.py": "from calc import add\n\n\ndef test_x():\n    add(1, 1)\n"}
    out = _verify_calc(tmp_path, tests, "import nothing_like_this\n")
    assert out.verdict == "fail" and out.counted is True
    assert "No module named 'nothing_like_this'" in out.detail


def test_tests_that_time_out_without_the_edit_are_not_counted(tmp_path: Path) -> None:
    tests = {"tests/test_hang.py": "import time\n\n\ndef test_hang():\n    time.sleep(60)\n"}
    out = _verify_calc(tmp_path, tests, CALC_FIXED, timeout_s=3)
    assert out.verdict == "fail" and out.counted is False
    assert "even without the edit" in out.detail


def test_pytest_behind_an_npm_script_reports_through_pytest_addopts(tmp_path: Path) -> None:
    if shutil.which("npm") is None:
        pytest.skip("npm is not installed")
    root = write_tree(
        tmp_path / "mixed",
        {
            "calc.py": CALC,
            "tests/test_calc.py": "from calc import add, mul\n\n\ndef test_add():\n    assert add(2, 3) == 5\n\n\ndef test_mul():\n    assert mul(2, 3) == 6\n",
            "pytest.ini": "[pytest]\npythonpath = .\n",
            "package.json": json.dumps(
                {
                    "name": "mixed",
                    "version": "1.0.0",
                    "scripts": {"test": f"{shlex.quote(sys.executable)} -m pytest -q tests"},
                }
            ),
        },
    )
    v = verifier(timeout_s=60)
    fixed = v.verify(task_for(root, "npm test"), Edit(files={"calc.py": CALC_FIXED}), "m")
    assert fixed.verdict == "pass" and not fixed.weak, fixed.detail
    assert (fixed.tests_passed_before, fixed.tests_passed) == (1, 2)
    emptied = v.verify(task_for(root, "npm test"), Edit(files={"tests/test_calc.py": ""}), "m")
    assert emptied.verdict == "fail" and "tests/test_calc.py::test_add" in emptied.detail
