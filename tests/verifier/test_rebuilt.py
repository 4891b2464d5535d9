"""A test command that builds incrementally rewrites its binaries on every edit, which the
run without the edit (built already) did not: that was "not verified" for every edit,
a harmless one too.  Those writes are now checked against a run without the edit whose
files are written again as they were (``verifier.rebuilt``): the build's writes are not
held against the edit, and what the edit's code writes as the tests run still is.
Through ``ProjectVerifier.verify`` with real ``make``/``cc``, ``cargo`` and a node build
that goes by content, and on ``explained`` itself."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from acrouter.domain import Edit
from acrouter.verifier.rebuilt import as_they_were, explained, new_class_outputs, rebuild_key
from acrouter.verifier.testrun import TestRun

from .helpers import MODES, committed, needs_cargo, needs_node, task_for, verifier, write_tree

needs_make_cc = pytest.mark.skipif(
    shutil.which("make") is None or shutil.which("cc") is None,
    reason="no C compiler (cc) or no make to build the C project",
)

CALC_C = "int add(int a, int b) { return a + b; }\nint mul(int a, int b) { return a * b; }\n"
TEST_C = (
    "#include <stdio.h>\nint add(int, int);\n"
    'int main(void) { if (add(2, 3) != 5) { printf("FAIL add\\n"); return 1; } return 0; }\n'
)
MAKEFILE = (
    "test: test_calc\n\t./test_calc\n\n"
    "test_calc: calc.o test_calc.c\n\tcc -o test_calc test_calc.c calc.o\n\n"
    "calc.o: calc.c\n\tcc -c calc.c -o calc.o\n"
)
#: add as before, and a line that rewrites the test's source as the test runs
WRITES_TESTS = (
    "#include <stdio.h>\nint add(int a, int b) {\n"
    '  FILE *f = fopen("test_calc.c", "a"); if (f) { fputs("/* */\\n", f); fclose(f); }\n'
    "  return a + b;\n}\nint mul(int a, int b) { return a * b; }\n"
)


def _c_project(root: Path) -> Path:
    """A C project built once already (make test), as a developer's workspace is."""
    write_tree(root, {"calc.c": CALC_C, "test_calc.c": TEST_C, "Makefile": MAKEFILE})
    subprocess.run(["make", "-s", "test"], cwd=root, check=True, capture_output=True)
    return root


@needs_make_cc
@pytest.mark.parametrize("mode", MODES)
def test_an_incremental_build_in_the_command_is_not_held_against_the_edit(
    tmp_path: Path, mode: dict[str, object]
) -> None:
    root = _c_project(tmp_path / "c")
    task = task_for(root, "make test", kind="refactoring")
    v = verifier(**mode).verify(task, Edit(files={"calc.c": CALC_C.replace("a * b", "b * a")}), "m")
    # make rebuilt calc.o and test_calc, as it did from the same files written again
    assert v.verdict == "pass", v.detail
    v = verifier(**mode).verify(task, Edit(files={"calc.c": CALC_C.replace("a + b", "a - b")}), "m")
    assert v.verdict == "fail" and v.counted, v.detail
    assert v.detail.startswith("the tests failed"), v.detail


@needs_make_cc
@pytest.mark.parametrize("mode", MODES)
def test_what_the_edits_code_writes_as_the_tests_run_is_still_refused(
    tmp_path: Path, mode: dict[str, object]
) -> None:
    root = _c_project(tmp_path / "c")
    task = task_for(root, "make test", kind="refactoring")
    v = verifier(**mode).verify(task, Edit(files={"calc.c": WRITES_TESTS}), "m")
    assert v.verdict == "fail" and not v.counted, v.detail
    # the build's own writes are not named; the test's source the code rewrote is
    assert v.detail.startswith("the tests' run rewrote test_calc.c, which the run without"), (
        v.detail
    )


@needs_make_cc
def test_the_run_that_builds_again_is_kept_for_the_next_edit_of_the_same_files(
    tmp_path: Path,
) -> None:
    root = _c_project(tmp_path / "c")
    task = task_for(root, "make test", kind="refactoring")
    ver = verifier(sandbox="none", parallel_baseline=False)
    ver.verify(task, Edit(files={"calc.c": CALC_C.replace("a * b", "b * a")}), "m")
    runs = ver.comparison.baseline_runs
    assert runs == 2  # without the edit; without it, calc.c written again
    v = ver.verify(task, Edit(files={"calc.c": CALC_C.replace("a + b", "b + a")}), "m")
    assert v.verdict == "pass" and ver.comparison.baseline_runs == runs, v.detail


@needs_cargo
@pytest.mark.parametrize("mode", MODES)
def test_cargo_with_the_target_of_an_earlier_build(tmp_path: Path, mode: dict[str, object]) -> None:
    lib = "pub fn add(a: i32, b: i32) -> i32 {\n    a + b\n}\n\n#[cfg(test)]\nmod tests {\n"
    lib += "    #[test]\n    fn adds() {\n        assert_eq!(super::add(2, 3), 5);\n    }\n}\n"
    cargo = '[package]\nname = "calc"\nversion = "0.1.0"\nedition = "2021"\n'
    root = write_tree(tmp_path / "rs", {"Cargo.toml": cargo, "src/lib.rs": lib})
    subprocess.run(["cargo", "test", "-q"], cwd=root, check=True, capture_output=True)
    task = task_for(root, "cargo test", kind="refactoring")
    ver = verifier(timeout_s=240, **mode)
    v = ver.verify(task, Edit(files={"src/lib.rs": lib.replace("    a + b", "    b + a")}), "m")
    assert v.verdict == "pass", v.detail
    v = ver.verify(task, Edit(files={"src/lib.rs": lib.replace("    a + b", "    a - b")}), "m")
    assert v.verdict == "fail" and v.counted, v.detail


def test_explained_adds_what_the_run_that_builds_again_wrote() -> None:
    before = TestRun(exit_code=0, wrote={"log.txt": "rewrote"})
    after = TestRun(exit_code=0, wrote={"log.txt": "rewrote", "calc.o": "rewrote", "t.py": "wrote"})
    calls: list[int] = []

    def rebuild() -> TestRun:
        calls.append(1)
        return TestRun(exit_code=0, wrote={"calc.o": "rewrote", "calc.c": "rewrote"})

    got = explained(before, after, rebuild)
    assert got is not None and set(got.wrote) == {"log.txt", "calc.o", "calc.c"}
    assert calls == [1]
    # nothing new written, no run without the edit, or only new files: nothing to run
    assert explained(before, before, rebuild) is before and calls == [1]
    assert explained(None, after, rebuild) is None and calls == [1]
    assert explained(before, after, lambda: None) is before
    # the files the run writes again: those that existed, with their texts before
    olds = {"calc.c": "old", "new.c": None}
    assert as_they_were(olds, {"calc.c": "x", "new.c": "y"}) == {"calc.c": "old\n"}
    k = rebuild_key("base", olds, {"calc.c": "x", "new.c": "y"})
    assert k.startswith("base-touched-") and k == rebuild_key("base", olds, {"calc.c": "z"})
    assert k != rebuild_key("base", {"a.c": "1"}, {"a.c": "2"})
    # and a new Java file empty: a compilation unit that declares nothing
    java = {"src/test/java/calc/MoreTest.java": "package calc; class MoreTest {}"}
    assert as_they_were(olds, {"calc.c": "x", **java}) == {
        "calc.c": "old\n",
        "src/test/java/calc/MoreTest.java": "",
    }
    assert rebuild_key("base", olds, {"calc.c": "x", **java}) != k


#: a build that goes by content, as tsc --incremental does: dist/calc.js is written again
#: only when src/calc.js's hash differs from the one build.info recorded
BUILD_JS = """\
const fs = require("fs");
const crypto = require("crypto");
const src = fs.readFileSync("src/calc.js", "utf8");
const hash = crypto.createHash("sha256").update(src).digest("hex");
let info = {};
try { info = JSON.parse(fs.readFileSync("build.info", "utf8")); } catch {}
if (info.hash !== hash) {
  fs.mkdirSync("dist", { recursive: true });
  fs.writeFileSync("dist/calc.js", src);
  fs.writeFileSync("build.info", JSON.stringify({ hash }));
}
"""
CALC_JS = "exports.add = (a, b) => a + b;\nexports.mul = (a, b) => a * b;\n"
TEST_JS = (
    'const test = require("node:test");\nconst assert = require("node:assert");\n'
    'const { add } = require("../dist/calc.js");\n'
    'test("add", () => assert.strictEqual(add(2, 3), 5));\n'
)


@needs_node
@pytest.mark.parametrize("mode", MODES)
def test_a_build_that_goes_by_content(tmp_path: Path, mode: dict[str, object]) -> None:
    files = {"build.js": BUILD_JS, "src/calc.js": CALC_JS, "test/calc.test.js": TEST_JS}
    root = write_tree(tmp_path / "js", files)
    subprocess.run(["node", "build.js"], cwd=root, check=True)  # built before, as yours is
    committed(root)  # the build and its record in git, so that a scratch copy holds them
    task = task_for(root, "node build.js && node --test test/", kind="refactoring")
    ver = verifier(**mode)
    v = ver.verify(task, Edit(files={"src/calc.js": CALC_JS.replace("a * b", "b * a")}), "m")
    assert v.verdict == "pass", v.detail
    v = ver.verify(task, Edit(files={"src/calc.js": CALC_JS.replace("a + b", "a - b")}), "m")
    assert v.verdict == "fail" and v.counted, v.detail


def test_what_a_build_makes_of_a_new_java_file_is_that_files_own() -> None:
    olds = {"src/test/java/calc/MoreTest.java": None, "src/main/java/calc/Calc.java": "old"}
    files = {
        "src/test/java/calc/MoreTest.java": "/* x */\npackage calc;\nclass MoreTest {}\n",
        "src/main/java/calc/Calc.java": "package calc;\nclass Calc {}\n",
    }
    wrote = {
        "build/classes/java/test/calc/MoreTest.class": "wrote",
        "build/classes/java/test/calc/MoreTest$1.class": "wrote",
        "build/test-results/test/TEST-calc.MoreTest.xml": "wrote",
        "build/reports/tests/test/classes/calc.MoreTest.html": "wrote",
        # not its own: another class, a rewrite, an edited (not new) file's class
        "build/classes/java/test/calc/MoreTestHelper.class": "wrote",
        "build/test-results/test/TEST-calc.MoreTests.xml": "wrote",
        "build/classes/java/test/calc/CalcTest.class": "rewrote",
        "build/classes/java/test/calc/MoreTest.class.bak": "wrote",
        "build/classes/java/main/calc/Calc.class": "wrote",
        "build/classes/java/test/other/MoreTest.class": "wrote",
        "src/test/java/calc.MoreTest.py": "wrote",
        "src/test/java/calc/CalcTest.java": "rewrote",
    }
    assert new_class_outputs(olds, files, wrote) == {
        "build/classes/java/test/calc/MoreTest.class": "wrote",
        "build/classes/java/test/calc/MoreTest$1.class": "wrote",
        "build/test-results/test/TEST-calc.MoreTest.xml": "wrote",
        "build/reports/tests/test/classes/calc.MoreTest.html": "wrote",
    }
    assert new_class_outputs({}, {"calc.c": "int x;"}, {"calc.o": "wrote"}) == {}
    # counted as written without the edit too: nothing left to explain, no run again
    before = TestRun(exit_code=0, wrote={})
    after = TestRun(exit_code=0, wrote=dict(list(wrote.items())[:4]))
    own = new_class_outputs(olds, files, after.wrote)
    got = explained(before, after, lambda: pytest.fail("no run again"), own)
    assert got is not None and set(got.wrote) == set(own)
