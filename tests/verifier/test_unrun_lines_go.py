"""A pass says which of the lines an edit changes in Go files no test ran
(``verifier.lines_go``: ``go test -coverprofile -coverpkg=./...`` on the run with the
edit), through ``ProjectVerifier.verify`` with the real ``go test`` (under the overlay,
on the scratch copy, without a sandbox); a command with its own coverage flags is not
measured; a suite that fails under coverage is run again without it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from acrouter.domain import Edit, Verdict

from .helpers import MODES, needs_bwrap, task_for, verifier, write_tree

pytestmark = pytest.mark.skipif(shutil.which("go") is None, reason="go is not installed")

GO_MOD = "module example.com/calc\n\ngo 1.19\n"
#: what a pass says of calc.go when the run did not measure its lines
GO_NOT_KNOWN = (
    "which lines of calc.go the tests ran is not known: the run's coverage does not say which "
    "of its lines ran (a go test with coverage flags of its own is not measured)"
)
CALC = """\
package calc

// Add adds.
func Add(a, b int) int {
	return a + b
}

// Clamp keeps x within lo and hi.
func Clamp(x, lo, hi int) int {
	if x < lo {
		return lo
	}
	if x > hi {
		return hi
	}
	return x
}
"""
TEST = """\
package calc

import "testing"

func TestAdd(t *testing.T) {
	if Add(2, 3) != 5 {
		t.Fatal("Add(2, 3) != 5")
	}
}
"""
#: Clamp changed (lines 11 and 12 of the new text): no test calls it; its comment too
UNCALLED = CALC.replace("if x < lo {\n\t\treturn lo", "if x <= lo {\n\t\treturn lo + 0").replace(
    "within", "between"
)


def _project(root: Path, test: str = TEST) -> Path:
    return write_tree(root, {"go.mod": GO_MOD, "calc.go": CALC, "calc_test.go": test})


def _verify(root: Path, command: str, files: dict[str, str], **mode: object) -> Verdict:
    v = verifier(timeout_s=240, **mode)
    return v.verify(task_for(root, command, kind="refactoring"), Edit(files=files), "m")


@pytest.mark.parametrize("mode", MODES)
def test_a_change_no_test_runs_is_named(tmp_path: Path, mode: dict[str, object]) -> None:
    root = _project(tmp_path / "proj")
    v = _verify(root, "go test ./...", {"calc.go": UNCALLED}, **mode)
    assert v.verdict == "pass" and not v.weak, v.detail
    assert v.unrun == "no test ran 2 of the 2 statements the edit changes: calc.go lines 10-11"
    assert v.detail.endswith("; " + v.unrun)


@needs_bwrap
def test_a_change_the_tests_run_says_nothing_more(tmp_path: Path) -> None:
    root = _project(tmp_path / "proj")
    # Add's body (which the test calls), a comment, Clamp's header (a declaration)
    new = CALC.replace("return a + b", "return b + a // commutes").replace(
        "func Clamp(x, lo, hi int) int {", "func Clamp(x, lo, hi int) (y int) {"
    )
    v = _verify(root, "go test ./...", {"calc.go": new})
    assert v.verdict == "pass", v.detail
    assert v.unrun == "" and "no test ran" not in v.detail


@needs_bwrap
def test_a_removal_no_test_reaches(tmp_path: Path) -> None:
    root = _project(tmp_path / "proj")
    # Clamp loses its upper bound: the removed branch sat before ``return x``
    gone = CALC.replace("\tif x > hi {\n\t\treturn hi\n\t}\n", "")
    v = _verify(root, "go test ./...", {"calc.go": gone})
    assert v.verdict == "pass", v.detail
    assert v.unrun == (
        "no test ran 1 of the 1 statements the edit changes: what calc.go lost (old lines 13-15)"
    )


@needs_bwrap
def test_a_command_with_its_own_coverage_is_not_measured(tmp_path: Path) -> None:
    root = _project(tmp_path / "proj")
    for command in ("go test -coverprofile=/tmp/users.cover ./...", "go test -cover ./..."):
        v = _verify(root, command, {"calc.go": UNCALLED})
        assert v.verdict == "pass" and not v.weak, v.detail
        assert (v.tests_passed_before, v.tests_passed) == (1, 1)
        # not measured: no line is said not to have run, and the pass says so
        assert v.counted and v.unrun.startswith(GO_NOT_KNOWN), v.detail


@needs_bwrap
def test_a_subpackage_in_a_module_below_the_workspace(tmp_path: Path) -> None:
    # the module in svc/, run from there through a shell line; the tests of the root
    # package call sub.Double (another package: -coverpkg counts it), never sub.Half
    sub = "package sub\n\nfunc Double(x int) int {\n\treturn 2 * x\n}\n\nfunc Half(x int) int {\n\treturn x / 2\n}\n"
    calc = 'package calc\n\nimport "example.com/calc/sub"\n\nfunc Quad(x int) int { return sub.Double(sub.Double(x)) }\n'
    test = 'package calc\n\nimport "testing"\n\nfunc TestQuad(t *testing.T) {\n\tif Quad(1) != 4 {\n\t\tt.Fatal("Quad")\n\t}\n}\n'
    root = write_tree(
        tmp_path / "proj",
        {
            "svc/go.mod": GO_MOD,
            "svc/calc.go": calc,
            "svc/calc_test.go": test,
            "svc/sub/sub.go": sub,
            "svc/other/other.go": "package other\n\nfunc Lonely() int {\n\treturn 1\n}\n",
        },
    )
    new = sub.replace("2 * x", "x + x").replace("x / 2", "x >> 1")
    files = {
        "svc/sub/sub.go": new,
        "svc/other/other.go": "package other\n\nfunc Lonely() int {\n\treturn 2\n}\n",
    }
    v = _verify(root, "cd svc && go test ./...", files)
    assert v.verdict == "pass" and not v.weak, v.detail
    assert v.unrun == (
        "no test ran 2 of the 3 statements the edit changes: svc/other/other.go line 4; "
        "svc/sub/sub.go line 8"
    )


@needs_bwrap
def test_a_suite_that_fails_under_coverage_is_run_again_without(tmp_path: Path) -> None:
    test = TEST + (
        "\nfunc TestPlain(t *testing.T) {\n"
        '\tif testing.CoverMode() != "" {\n\t\tt.Fatal("this suite runs without coverage")\n\t}\n}\n'
    )
    root = _project(tmp_path / "proj", test)
    v = _verify(root, "go test ./...", {"calc.go": UNCALLED})
    assert v.verdict == "pass", v.detail  # the coverage never fails an edit
    assert (v.tests_passed_before, v.tests_passed) == (2, 2)
    assert v.counted and v.unrun.startswith(GO_NOT_KNOWN), v.detail  # not measured
