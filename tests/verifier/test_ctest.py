"""CTest end to end: ``ctest`` (CMake 3.21 and newer) is read per test from its JUnit
report (``--output-junit``), so a test dropped from ``CMakeLists.txt`` or disabled by the
edit is not a pass, and a broken edit names the tests it broke.  Before, ``ctest`` was
judged by its exit code only (weak): the dropped and the disabled test passed.  And a
broken edit under ctest was "not verified" (not counted): ctest writes
``Testing/Temporary/LastTestsFailed.log`` when a test fails, which the run without the
edit did not write.  Needs CMake, g++ and make (Debian: ``apt-get install cmake g++
make``)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from acrouter.domain import Edit
from acrouter.verifier.detection import CMAKE_TESTS, detect_test_command
from acrouter.verifier.reports.ctest import parse_ctest
from acrouter.verifier.runners import ctest_junit, plan_command
from acrouter.verifier.workspace import OWN_BUILD_DIR

from .helpers import MODES, task_for, verifier, write_tree

CMAKE = """\
cmake_minimum_required(VERSION 3.13)
project(calc CXX)
enable_testing()
add_library(calc calc.cpp)
add_executable(test_calc test_calc.cpp)
target_link_libraries(test_calc calc)
add_test(NAME adds COMMAND test_calc add)
add_test(NAME subtracts COMMAND test_calc sub)
"""
CALC = "int add(int a, int b) { return a + b; }\nint sub(int a, int b) { return a - b; }\n"
TEST = """\
#include <cstring>
#include <iostream>
int add(int, int);
int sub(int, int);
int main(int argc, char **argv) {
  if (argc > 1 && !std::strcmp(argv[1], "add") && add(2, 3) != 5) {
    std::cout << "add(2, 3) != 5" << std::endl;
    return 1;
  }
  if (argc > 1 && !std::strcmp(argv[1], "sub") && sub(5, 3) != 2) {
    std::cout << "sub(5, 3) != 2" << std::endl;
    return 1;
  }
  return 0;
}
"""
#: the command configures its own build folder, as a CI script does
COMMAND = "cmake -S . -B build && cmake --build build && ctest --test-dir build"


@pytest.fixture
def cmake_project(tmp_path: Path) -> Path:
    for program in ("cmake", "ctest", "g++", "make"):
        if shutil.which(program) is None:
            pytest.skip(f"{program} is not installed (Debian: apt-get install cmake g++ make)")
    why = ctest_junit("ctest", None, None)
    if why:
        pytest.skip(f"this ctest writes no JUnit report: {why}")
    files = {"CMakeLists.txt": CMAKE, "calc.cpp": CALC, "test_calc.cpp": TEST}
    return write_tree(tmp_path / "calc", files)


def _verify(root: Path, files: dict[str, str], command: str = COMMAND, **kw: object):  # type: ignore[no-untyped-def]
    kw.setdefault("cache_dir", root.parent / "cache")
    return verifier(timeout_s=240, **kw).verify(task_for(root, command), Edit(files=files), "m")


@pytest.mark.parametrize("mode", [MODES[0], MODES[2]])
def test_a_harmless_edit_passes_per_test_and_a_broken_one_names_its_tests(
    cmake_project: Path, mode: dict[str, object]
) -> None:
    v = _verify(cmake_project, {"calc.cpp": CALC.replace("a + b", "b + a")}, **mode)
    assert v.verdict == "pass" and v.counted and not v.weak, v.detail
    assert (v.tests_passed_before, v.tests_passed, v.tests_failed) == (2, 2, 0)
    broken = _verify(cmake_project, {"calc.cpp": CALC.replace("a - b", "a + b")}, **mode)
    assert broken.verdict == "fail" and broken.counted and not broken.weak, broken.detail
    assert "subtracts" in broken.detail and "adds," not in broken.detail, broken.detail
    assert [f.message for f in broken.failures] == ["sub(5, 3) != 2"]


@pytest.mark.parametrize(
    ("files", "why"),
    [
        (
            {
                "CMakeLists.txt": CMAKE.replace(
                    "add_test(NAME subtracts COMMAND test_calc sub)\n", ""
                )
            },
            "no longer ran: subtracts",
        ),
        (
            {
                "CMakeLists.txt": CMAKE
                + "set_tests_properties(subtracts PROPERTIES DISABLED TRUE)\n"
            },
            "became skipped: subtracts",
        ),
    ],
    ids=["dropped", "disabled"],
)
def test_a_test_the_edit_no_longer_runs_is_not_a_pass(
    cmake_project: Path, files: dict[str, str], why: str
) -> None:
    # the broken sub goes with it: an exit code of 0 passed it before
    both = {**files, "calc.cpp": CALC.replace("a - b", "a + b")}
    v = _verify(cmake_project, both)
    assert v.verdict == "fail" and not v.weak and why in v.detail, v.detail


def test_an_existing_build_folder_and_a_failing_test(cmake_project: Path) -> None:
    """The user's own build folder, built before (ctest's record of its runs in
    ``build/Testing/Temporary`` changes with the results): the broken edit's failure is
    the model's, counted."""
    subprocess.run(
        ["cmake", "-S", ".", "-B", "build"], cwd=cmake_project, check=True, capture_output=True
    )
    subprocess.run(
        ["cmake", "--build", "build"], cwd=cmake_project, check=True, capture_output=True
    )
    command = "cmake --build build && ctest --test-dir build --output-on-failure"
    broken = _verify(cmake_project, {"calc.cpp": CALC.replace("a + b", "a * b")}, command)
    assert broken.verdict == "fail" and broken.counted, broken.detail
    assert "adds" in broken.detail and "LastTestsFailed" not in broken.detail, broken.detail


def test_the_junit_report_of_ctest(tmp_path: Path) -> None:
    report = tmp_path / "ctest.xml"
    report.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<testsuite name="(empty)" tests="5">\n'
        '<testcase name="adds" classname="adds" status="run"><system-out>ok</system-out></testcase>\n'
        '<testcase name="off" classname="off" status="disabled"><system-out>Disabled</system-out></testcase>\n'
        '<testcase name="skipper" classname="skipper" status="notrun"><skipped message="SKIP_RETURN_CODE=77"/></testcase>\n'
        '<testcase name="subtracts" classname="subtracts" status="fail"><failure message=""/>'
        "<system-out>checking sub\nsub(5, 3) != 2\n</system-out></testcase>\n"
        '<testcase name="odd" classname="odd" status="something"/>\n'
        "</testsuite>\n"
    )
    parsed = parse_ctest(report)
    assert parsed is not None
    assert parsed.outcomes == {
        "adds": "passed",
        "off": "skipped",
        "skipper": "skipped",
        "subtracts": "failed",
        "odd": "failed",  # a status we do not know is not a pass
    }
    assert parsed.messages["subtracts"] == "sub(5, 3) != 2"
    assert parsed.counts == (1, 2)
    # the line that says what failed, not the first (Unity prints a line a check)
    unity = (
        "t.c:10:adds:PASS\nt.c:20:subtracts:FAIL: Expected 2 Was 8\n\n2 Tests 1 Failures\nFAIL\n"
    )
    report.write_text(
        '<testsuite><testcase name="u" status="fail"><failure message=""/>'
        f"<system-out>{unity}</system-out></testcase></testsuite>"
    )
    parsed = parse_ctest(report)
    assert parsed is not None and parsed.messages["u"] == "t.c:20:subtracts:FAIL: Expected 2 Was 8"
    report.write_text("<testsuites/>")
    assert parse_ctest(report) is None


def test_which_ctest_is_asked_for_a_report(tmp_path: Path) -> None:
    def ctest_of(version: str) -> str:
        prefix = tmp_path / f"cmake-{version}"
        (prefix / "bin").mkdir(parents=True)
        (prefix / "share" / f"cmake-{version}").mkdir(parents=True)
        program = prefix / "bin" / "ctest"
        program.write_text("#!/bin/sh\n")
        program.chmod(0o755)
        return str(program)

    assert ctest_junit(ctest_of("3.25"), None, None) == ""
    assert "CMake 3.18" in ctest_junit(ctest_of("3.18"), None, None)
    assert ctest_junit("ctest", str(Path(ctest_of("3.21")).parent), None) == ""
    assert ctest_junit("ctest", str(tmp_path / "nowhere"), None) == "no ctest on the PATH"
    assert "workspace" in ctest_junit(ctest_of("3.30"), None, tmp_path)
    assert "relative" in ctest_junit("./ctest", None, None)
    new = plan_command(f"cmake --build b && {ctest_of('3.28')} --test-dir b", "/o", None)
    assert new.runner == "ctest" and new.argv[-1].endswith("--output-junit /o/ctest.xml")
    old = plan_command(f"{ctest_of('3.20')} --test-dir b", "/o", None)
    assert old.runner is None and old.weak is not None and "3.20" in old.weak
    for words in ("ctest -N", "ctest --output-junit mine.xml", "ctest -T Test"):
        assert plan_command(words, "/o", None).runner is None, words


@pytest.mark.parametrize("mode", MODES)
def test_the_detected_command_with_its_folder_left_in_the_workspace(
    cmake_project: Path, mode: dict[str, object]
) -> None:
    """The detected command run by hand in the workspace, then the workspace moved: its
    ``.acrouter-build`` names the old folder (CMake refused to configure: "the tests
    cannot run even without the edit") and calls the compiler by its full path (no line
    measured).  The run removes it first, in its own view of the workspace only."""
    old = cmake_project.parent / "old"
    shutil.copytree(cmake_project, old)
    subprocess.run(["sh", "-c", CMAKE_TESTS], cwd=old, check=True, capture_output=True)
    shutil.copytree(old / OWN_BUILD_DIR, cmake_project / OWN_BUILD_DIR)
    assert detect_test_command(cmake_project) == CMAKE_TESTS
    unused = "int half(int a) { return a / 2; }\n"
    (cmake_project / "calc.cpp").write_text(CALC + unused)
    v = _verify(cmake_project, {"calc.cpp": CALC + unused.replace("/", "*")}, CMAKE_TESTS, **mode)
    assert v.verdict == "pass" and not v.counted and not v.weak, v.detail
    assert v.unrun.startswith("no test ran 1 of the 1 statements"), v.unrun
    assert (cmake_project / OWN_BUILD_DIR / "CMakeCache.txt").is_file()
    broken = _verify(
        cmake_project, {"calc.cpp": CALC.replace("a - b", "a + b")}, CMAKE_TESTS, **mode
    )
    assert broken.verdict == "fail" and broken.counted, broken.detail
