"""Automake end to end: ``make check`` under automake's parallel test harness is read per
test from the ``.trs`` file its driver writes for each test of ``TESTS``, so a test the
edit drops (the ``tests`` folder taken out of ``SUBDIRS``) or makes skip is not a pass,
and a broken edit names the test it broke.  Before, ``make check`` was judged by its exit
code only (weak): with ``tests`` dropped from ``SUBDIRS`` a broken edit was a counted
pass.  A ``.trs`` the user's own ``make check`` left in the workspace never counts.
Needs autoconf, automake, make and a C compiler (Debian: ``apt-get install autoconf
automake make gcc``)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from acrouter.domain import Verdict
from acrouter.verifier.detection import CMAKE_TESTS, automake_harness, detect_test_command
from acrouter.verifier.reports.automake import automake_printed_counts, parse_automake
from acrouter.verifier.runners import WEAK_REASON, plan_command

from .helpers import MODES, OVERLAY_AND_NONE, verify_files, write_tree

CONFIGURE = """\
AC_INIT([calc], [1.0])
AM_INIT_AUTOMAKE([foreign])
AC_PROG_CC
AM_PROG_AR
AC_PROG_RANLIB
AC_CONFIG_FILES([Makefile tests/Makefile])
AC_OUTPUT
"""
TOP = """\
SUBDIRS = . tests
noinst_LIBRARIES = libcalc.a
libcalc_a_SOURCES = calc.c
"""
TESTS_AM = """\
LDADD = ../libcalc.a
TESTS = adds subtracts
check_PROGRAMS = adds subtracts
"""
#: ``supported`` stands for a feature check: a test of a feature the build lacks skips
CALC = """\
int supported(void) { return 1; }
int add(int a, int b) { return a + b; }
int sub(int a, int b) { return a - b; }
"""
ADDS = """\
#include <stdio.h>
int add(int, int);
int main(void) {
  if (add(2, 3) != 5) { printf("add(2, 3) != 5\\n"); return 1; }
  return 0;
}
"""
SUBTRACTS = """\
#include <stdio.h>
int supported(void);
int sub(int, int);
int main(void) {
  if (!supported()) return 77;
  if (sub(5, 3) != 2) { printf("sub(5, 3) != 2\\n"); return 1; }
  return 0;
}
"""
BROKEN_SUB = CALC.replace("a - b", "a + b")


@pytest.fixture(scope="module")
def configured(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project as its user has it: bootstrapped, configured and checked in place
    (its ``.trs`` and ``.log`` files left in ``tests/``)."""
    for program in ("autoreconf", "automake", "autoconf", "make", "cc"):
        if shutil.which(program) is None:
            pytest.skip(
                f"{program} is not installed (Debian: apt-get install autoconf automake make gcc)"
            )
    files = {
        "configure.ac": CONFIGURE,
        "Makefile.am": TOP,
        "calc.c": CALC,
        "tests/Makefile.am": TESTS_AM,
        "tests/adds.c": ADDS,
        "tests/subtracts.c": SUBTRACTS,
    }
    root = write_tree(tmp_path_factory.mktemp("automake") / "calc", files)
    for step in ("autoreconf -i", "./configure", "make", "make check"):
        subprocess.run(["sh", "-c", step], cwd=root, check=True, capture_output=True)
    assert (root / "tests" / "subtracts.trs").is_file()
    return root


@pytest.fixture
def project(configured: Path, tmp_path: Path) -> Path:
    """A copy of the configured project of this test's own (timestamps kept: make must
    not rebuild what the user built)."""
    root = tmp_path / "calc"
    shutil.copytree(configured, root, symlinks=True)
    return root


def _verify(
    root: Path, files: dict[str, str], command: str = "make check", **kw: object
) -> Verdict:
    kw.setdefault("timeout_s", 240)
    return verify_files(root, files, command, **kw)


@pytest.mark.parametrize("mode", OVERLAY_AND_NONE)
def test_a_harmless_edit_passes_per_test_and_a_broken_one_names_its_test(
    project: Path, mode: dict[str, object]
) -> None:
    v = _verify(project, {"calc.c": CALC.replace("a + b", "b + a")}, **mode)
    assert v.verdict == "pass" and v.counted and not v.weak, v.detail
    assert (v.tests_passed_before, v.tests_passed, v.tests_failed) == (2, 2, 0)
    broken = _verify(project, {"calc.c": BROKEN_SUB}, **mode)
    assert broken.verdict == "fail" and broken.counted and not broken.weak, broken.detail
    assert "tests/subtracts" in broken.detail and "tests/adds" not in broken.detail
    assert [f.message for f in broken.failures] == ["sub(5, 3) != 2"]


@pytest.mark.parametrize("mode", MODES)
def test_tests_dropped_from_subdirs_are_not_a_pass(project: Path, mode: dict[str, object]) -> None:
    """The edit takes ``tests`` out of ``SUBDIRS`` (automake regenerates the Makefiles
    as ``make`` starts) and breaks ``sub``: ``make check`` exits 0 having run nothing,
    and the ``.trs`` files the user's own ``make check`` left are older than the run."""
    files = {"Makefile.am": TOP.replace("SUBDIRS = . tests", "SUBDIRS = ."), "calc.c": BROKEN_SUB}
    v = _verify(project, files, **mode)
    assert v.verdict == "fail" and v.counted and not v.weak, v.detail
    assert v.tests_passed is None and "no test report" in v.detail, v.detail


def test_a_test_the_edit_makes_skip_is_not_a_pass(project: Path) -> None:
    files = {
        "calc.c": BROKEN_SUB.replace(
            "supported(void) { return 1; }", "supported(void) { return 0; }"
        )
    }
    v = _verify(project, files)
    assert v.verdict == "fail" and not v.weak and "became skipped: tests/subtracts" in v.detail, (
        v.detail
    )


def test_a_failing_test_counts_as_the_harness_printed(project: Path) -> None:
    """The summary the harness printed (``# PASS:  1`` ...) agrees with the ``.trs``
    files read: the broken edit is the model's failure, counted, not "unwitnessed"."""
    broken = _verify(project, {"calc.c": CALC.replace("a + b", "a * b")})
    assert broken.verdict == "fail" and broken.counted, broken.detail
    assert "tests/adds" in broken.detail and "report may have been written" not in broken.detail


def test_the_gathered_results_of_the_harness(tmp_path: Path) -> None:
    gathered = tmp_path / "automake.txt"
    gathered.write_text(
        ":acrouter-trs: ./tests/adds.trs\n:test-result: PASS\n:global-test-result: PASS\n"
        ":recheck: no\n:copy-in-global-log: no\n\n"
        ":acrouter-log:\n|PASS adds (exit status: 0)\n"
        ":acrouter-trs: ./tests/subtracts.trs\n:test-result: FAIL\n:global-test-result: FAIL\n\n"
        ":acrouter-log:\n|checking sub\n|sub(5, 3) != 2\n|FAIL subtracts (exit status: 1)\n"
        ":acrouter-trs: ./tests/optional.trs\n:test-result: SKIP\n:global-test-result: SKIP\n\n"
        ":acrouter-trs: ./tests/known-bug.trs\n:global-test-result: XFAIL\n\n"
        ":acrouter-trs: ./tests/fixed-bug.trs\n:global-test-result: XPASS\n\n"
        ":acrouter-trs: ./tests/hard.trs\n:global-test-result: ERROR\n\n"
        # a TAP test without its global result: its worst result
        ":acrouter-trs: ./tests/tap.trs\n:test-result: PASS\n:test-result: FAIL\n\n"
        ":acrouter-trs: ./tests/cut.trs\n\n"
        ":acrouter-trs: ./tests/odd.trs\n:global-test-result: MAYBE\n\n"
        ":acrouter-suite: ./tests/test-suite.log\n"
    )
    parsed = parse_automake(gathered)
    assert parsed is not None
    assert parsed.outcomes == {
        "tests/adds": "passed",
        "tests/subtracts": "failed",
        "tests/optional": "skipped",
        "tests/known-bug": "skipped",  # an expected failure ran no passing check
        "tests/fixed-bug": "failed",
        "tests/hard": "failed",
        "tests/tap": "failed",
        "tests/cut": "failed",  # a .trs without a result (the run was cut short)
        "tests/odd": "failed",  # a result we do not know is not a pass
    }
    assert parsed.messages["tests/subtracts"] == "sub(5, 3) != 2"
    assert "XFAIL_TESTS" in parsed.messages["tests/fixed-bug"]
    assert parsed.messages["tests/cut"] == "no result"
    assert parsed.counts == (1, 6)
    # a harness that ran no test: an empty report, not a missing one
    gathered.write_text(":acrouter-suite: ./test-suite.log\n")
    empty = parse_automake(gathered)
    assert empty is not None and empty.outcomes == {}
    gathered.write_text("")  # the run never reached the harness (the build failed)
    assert parse_automake(gathered) is None
    assert parse_automake(tmp_path / "missing.txt") is None


def test_the_summaries_the_harness_printed() -> None:
    output = (
        "PASS: adds\nFAIL: subtracts\n"
        "==========\nTestsuite summary for calc 1.0\n==========\n"
        "# TOTAL: 3\n# PASS:  1\n# SKIP:  1\n# XFAIL: 0\n# FAIL:  1\n# XPASS: 0\n# ERROR: 0\n"
        "==========\n"
        # VERBOSE=yes prints test-suite.log, whose head repeats the counts: not a summary
        "==========\n   calc 1.0: tests/test-suite.log\n==========\n\n"
        "# TOTAL: 3\n# PASS:  1\n# SKIP:  1\n# FAIL:  1\n"
        # a second folder of SUBDIRS, with colours (color-tests)
        "\x1b[0;32m==========\x1b[m\n\x1b[0;32mTestsuite summary for calc 1.0\x1b[m\n"
        "\x1b[0;32m==========\x1b[m\n"
        "\x1b[0;32m# PASS: \x1b[m 4\n\x1b[0;31m# FAIL: \x1b[m 0\n\x1b[1;31m# ERROR:\x1b[m 1\n"
    )
    assert automake_printed_counts(output) == (5, 2)
    assert automake_printed_counts("make: Nothing to be done for 'check'.\n") is None


def _makefile(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "Makefile").write_text(text)
    return folder


AUTOMAKE_HEADER = "# Makefile.in generated by automake 1.16.5 from Makefile.am.\n"


def test_which_make_check_is_read_per_test(tmp_path: Path) -> None:
    top = _makefile(tmp_path / "top", AUTOMAKE_HEADER + "SUBDIRS = . tests\n")
    _makefile(top / "tests", AUTOMAKE_HEADER + "TEST_SUITE_LOG = test-suite.log\n")
    assert automake_harness(top) == (True, "")
    plan = plan_command("make -j2 check", "/o", top)
    assert plan.runner == "automake" and plan.reports == (("automake", "/o/automake.txt"),)
    assert "-newer /o/automake.start" in plan.argv[-1] and "/o/automake.start" in plan.files
    for words in ("make -C tests check", "cd tests && make check", "./configure && make check"):
        assert plan_command(words, "/o", top).runner == "automake", words
    assert plan_command("make -n check", "/o", top).runner is None  # runs no recipe
    # a Makefile of the project's own: judged by its exit code, as before, and a pytest
    # beside it still read per test
    plain = _makefile(tmp_path / "plain", "check:\n\t./run-tests.sh\n")
    assert automake_harness(plain) == (False, "")
    assert plan_command("make check", "/o", plain).weak == WEAK_REASON
    both = plan_command("make check && python -m pytest", "/o", plain)
    assert both.runner == "pytest", both.weak
    # automake's serial harness (the serial-tests option) writes no .trs
    serial = _makefile(tmp_path / "serial", AUTOMAKE_HEADER + "check-TESTS: $(TESTS)\n")
    weak = plan_command("make check", "/o", serial).weak
    assert weak is not None and "serial test harness" in weak, weak
    # not configured: no Makefile beside Makefile.am
    bare = tmp_path / "bare"
    bare.mkdir()
    (bare / "Makefile.am").write_text("SUBDIRS = tests\n")
    assert "not configured" in automake_harness(bare)[1]


def test_a_configured_automake_project_is_detected(tmp_path: Path) -> None:
    """Its Makefile is the user's own build; a ``CMakeLists.txt`` beside it (projects
    that ship both) does not change that."""
    top = _makefile(tmp_path / "p", AUTOMAKE_HEADER + "TEST_SUITE_LOG = test-suite.log\n")
    (top / "CMakeLists.txt").write_text("project(p C)\nenable_testing()\n")
    assert detect_test_command(top) == "make check"
    (top / "Makefile").unlink()  # not configured: CMake's
    assert detect_test_command(top) == CMAKE_TESTS
    # configured in a folder of its own (mkdir build && cd build && ../configure)
    (top / "configure.ac").write_text("AC_INIT([p], [1])\n")
    assert detect_test_command(top) == CMAKE_TESTS  # no build folder yet
    vpath = AUTOMAKE_HEADER + "srcdir = ..\ntop_srcdir = ..\nTEST_SUITE_LOG = test-suite.log\n"
    _makefile(top / "my build", vpath)
    _makefile(top / "elsewhere", AUTOMAKE_HEADER + "top_srcdir = ../../other\n")
    assert detect_test_command(top) == "cd 'my build' && make check"
    plan = plan_command(detect_test_command(top) or "", "/o", top)
    assert plan.runner == "automake", plan.weak
