"""Perl's test harness end to end: ``prove`` (and ``make test`` of a MakeMaker build,
``./Build test``) is read per assertion from the copy of each script's TAP that
``TAP::Harness`` keeps where ``PERL_TEST_HARNESS_DUMP_TAP`` says, with the harness's
summary report as the second witness.  Before, ``prove`` was judged by its exit code
only (weak): an edit that broke the module and made the script that tests it skip was
a counted pass.  ``t/`` and ``*.t`` are the user's tests now, and an edit that drops a
Perl ``sub`` is refused like one that drops a Python function.  Needs perl with prove
(Debian: ``apt-get install perl``)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from acrouter.definitions import dropped_definitions
from acrouter.domain import Edit, Verdict
from acrouter.verifier.cli import dropped_code
from acrouter.verifier.detection import detect_test_command, perl_tests
from acrouter.verifier.reports.prove import parse_prove, prove_printed_counts, summary_report
from acrouter.verifier.runners import WEAK_REASON, plan_command
from acrouter.verifier.testnames import is_test_file

from .helpers import MODES, OVERLAY_AND_NONE, task_for, verifier, verify_files, write_tree

CALC = """\
package Calc;
use strict;
use warnings;

sub add { return $_[0] + $_[1] }
sub sub2 { return $_[0] - $_[1] }
sub supported { return 1 }

1;
"""
ADD_T = """\
use strict;
use warnings;
use Test::More tests => 2;
use Calc;
is(Calc::add(2, 3), 5, 'two plus three');
is(Calc::add(-1, 1), 0, 'minus one plus one');
"""
SUB_T = """\
use strict;
use warnings;
use Test::More;
use Calc;
plan skip_all => 'not supported here' unless Calc::supported();
is(Calc::sub2(5, 3), 2, 'five minus three');
done_testing;
"""
MAKEFILE_PL = """\
use ExtUtils::MakeMaker;
WriteMakefile(NAME => 'Calc', VERSION => '1.0');
"""
BROKEN_SUB = CALC.replace("$_[0] - $_[1]", "$_[0] + $_[1]")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    if shutil.which("prove") is None:
        pytest.skip("prove is not installed (Debian: apt-get install perl)")
    files = {"lib/Calc.pm": CALC, "t/add.t": ADD_T, "t/sub.t": SUB_T, "Makefile.PL": MAKEFILE_PL}
    return write_tree(tmp_path / "calc", files)


def _verify(
    root: Path, files: dict[str, str], command: str = "prove -lr t", **kw: object
) -> Verdict:
    kw.setdefault("timeout_s", 120)
    return verify_files(root, files, command, **kw)


@pytest.mark.parametrize("mode", MODES)
def test_a_harmless_edit_passes_per_assertion_and_a_broken_one_names_its_test(
    project: Path, mode: dict[str, object]
) -> None:
    v = _verify(project, {"lib/Calc.pm": CALC.replace("$_[0] + $_[1]", "$_[1] + $_[0]")}, **mode)
    assert v.verdict == "pass" and not v.weak, v.detail
    assert (v.tests_passed_before, v.tests_passed, v.tests_failed) == (3, 3, 0)
    broken = _verify(project, {"lib/Calc.pm": BROKEN_SUB}, **mode)
    assert broken.verdict == "fail" and broken.counted and not broken.weak, broken.detail
    assert "t/sub.t #1" in broken.detail and "t/add.t" not in broken.detail
    [failure] = broken.failures
    assert failure.message.startswith("not ok 1 - five minus three: failed at t/sub.t line 6")
    assert "got 8, expected 2" in failure.message.replace("'", "")


@pytest.mark.parametrize("mode", OVERLAY_AND_NONE)
def test_a_script_the_edit_makes_skip_is_not_a_pass(project: Path, mode: dict[str, object]) -> None:
    """The module says it is not supported and breaks ``sub2``: ``t/sub.t`` skips
    whole, and prove exits 0.  By its exit code alone this was a counted pass."""
    files = {"lib/Calc.pm": BROKEN_SUB.replace("sub supported { return 1 }", "sub supported { 0 }")}
    v = _verify(project, files, **mode)
    assert v.verdict == "fail" and not v.weak, v.detail
    assert "t/sub.t #1" in v.detail, v.detail


def test_the_edits_own_skip_of_a_test_script_is_set_aside(project: Path) -> None:
    """``t/sub.t`` is the user's test: the edit's ``skip_all`` there is set aside in the
    first judgement, which fails on the broken ``sub2``."""
    skipped = SUB_T.replace("use Calc;", "use Calc;\nplan skip_all => 'later';")
    v = _verify(project, {"lib/Calc.pm": BROKEN_SUB, "t/sub.t": skipped})
    assert v.verdict == "fail" and "t/sub.t set aside" in v.detail, v.detail


def test_an_assertion_added_with_its_plan_raised_passes(project: Path) -> None:
    """A test-generation request: the edit adds an assertion to ``t/add.t`` and raises
    its plan (``tests => 3``); the script's ``use`` line changed is no dropped import."""
    more = ADD_T.replace("tests => 2", "tests => 3") + "is(Calc::add(0, 0), 0, 'zero');\n"
    edit = Edit(files={"t/add.t": more})
    assert dropped_code(str(project), edit) == ""  # the guard of acrouter verify and the editor
    task = task_for(project, "prove -lr t", kind="test_generation")
    v = verifier(timeout_s=120, cache_dir=project.parent / "cache").verify(task, edit, "m")
    assert v.verdict == "pass" and v.tests_passed == 4, v.detail


def test_a_module_that_ends_the_scripts_early_is_not_a_pass(project: Path) -> None:
    """``exit 0`` as the module loads: every script ends before its first assertion
    (no plan), prove exits with an error; the scripts are broken, not skipped."""
    v = _verify(project, {"lib/Calc.pm": CALC.replace("use warnings;", "use warnings;\nexit 0;")})
    assert v.verdict == "fail" and not v.weak, v.detail
    assert "t/add.t" in v.detail and "t/sub.t" in v.detail, v.detail


def test_make_test_of_a_makemaker_build_is_read_per_assertion(project: Path) -> None:
    if shutil.which("make") is None:
        pytest.skip("make is not installed (Debian: apt-get install make)")
    command = "perl Makefile.PL && make test"
    v = _verify(project, {"lib/Calc.pm": BROKEN_SUB}, command=command)
    assert v.verdict == "fail" and not v.weak and "t/sub.t #1" in v.detail, v.detail


#: a run of five scripts as prove printed it (stdout and stderr), and their TAP copies
TAP = {
    "t/add.t": "1..3\nok 1 - one plus two\nnot ok 2 - two plus two\nok 3 - fine \\# no directive\n",
    "t/die.t": "1..1\nok 1 - first\n",
    "t/early.t": "ok 1 - a\n",
    "t/skip.t": "1..0 # SKIP no network\n",
    "t/todo.t": (
        "not ok 1 - todo one # TODO later\n#   Failed (TODO) test 'todo one'\nok 2 # skip no db\n"
        "# Subtest: group\n    ok 1 - in a\n    not ok 2 - in b\n    1..2\nnot ok 3 - group\n"
        "1..3\n"
    ),
}
OUTPUT = """\
t/add.t .... 
Dubious, test returned 1 (wstat 256, 0x100)
Failed 1/3 subtests 
t/die.t .... 
Dubious, test returned 255 (wstat 65280, 0xff00)
All 1 subtests passed 
t/early.t .. 
Dubious, test returned 254 (wstat 65024, 0xfe00)
All 1 subtests passed 
t/skip.t ... skipped: no network
t/todo.t ... 
Dubious, test returned 1 (wstat 256, 0x100)
Failed 1/3 subtests 
	(less 1 skipped subtest: 1 okay)

Test Summary Report
-------------------
t/add.t  (Wstat: 256 (exited 1) Tests: 3 Failed: 1)
  Failed test:  2
  Non-zero exit status: 1
t/die.t  (Wstat: 65280 (exited 255) Tests: 1 Failed: 0)
  Non-zero exit status: 255
t/early.t (Wstat: 65024 (exited 254) Tests: 1 Failed: 0)
  Non-zero exit status: 254
  Parse errors: No plan found in TAP output
t/todo.t (Wstat: 256 (exited 1) Tests: 3 Failed: 1)
  Failed test:  3
  Non-zero exit status: 1
Files=5, Tests=8,  0 wallclock secs ( 0.01 usr  0.02 sys +  0.17 cusr  0.07 csys =  0.27 CPU)
Result: FAIL
#   Failed test 'two plus two'
#   at t/add.t line 4.
#          got: '4'
#     expected: '5'
# Looks like you failed 1 test of 3.
boom after all
"""


def test_the_tap_the_harness_kept_and_its_summary(tmp_path: Path) -> None:
    out = write_tree(tmp_path, {f"tap/{name}": text for name, text in TAP.items()})
    (out / "output.log").write_text(OUTPUT, encoding="utf-8")
    report = parse_prove(out / "tap")
    assert report is not None
    assert report.outcomes == {
        "t/add.t #1": "passed",
        "t/add.t #2": "failed",
        "t/add.t #3": "passed",  # an escaped \\# is no directive
        "t/die.t #1": "passed",
        "t/die.t": "failed",  # it died after its one planned test
        "t/early.t #1": "passed",
        "t/early.t": "failed",  # no plan: it ended early
        "t/skip.t": "skipped",
        "t/todo.t #1": "skipped",  # a TODO's failure is expected
        "t/todo.t #2": "skipped",
        "t/todo.t #3": "failed",  # the subtest reports its own failure
    }
    assert report.messages["t/add.t #2"] == (
        "not ok 2 - two plus two: failed at t/add.t line 4: got '4', expected '5'"
    )
    assert report.broken == {
        "t/die.t": "it exited with an error after its tests (Non-zero exit status: 255)",
        "t/early.t": "its TAP has no plan (1..N): the script ended early",
    }
    assert report.counts == (6, 2) == prove_printed_counts(OUTPUT)
    assert set(summary_report(OUTPUT)) == {"t/add.t", "t/die.t", "t/early.t", "t/todo.t"}


def test_no_tap_kept_is_no_report(tmp_path: Path) -> None:
    assert parse_prove(tmp_path / "tap") is None
    (tmp_path / "tap").mkdir()
    assert parse_prove(tmp_path / "tap") is None
    assert prove_printed_counts("Result: NOTESTS\n") is None


def test_a_plan_not_kept_and_a_bail_out_are_broken(tmp_path: Path) -> None:
    tap = {"tap/t/a.t": "1..3\nok 1\nok 2\n", "tap/t/b.t": "1..2\nok 1\nBail out!  no database\n"}
    report = parse_prove(write_tree(tmp_path, tap) / "tap")
    assert report is not None
    assert report.broken == {
        "t/a.t": "it planned 3 tests but ran 2",
        "t/b.t": "Bail out!  no database",
    }


def test_which_commands_run_perls_harness(tmp_path: Path) -> None:
    for command in ("prove -lr t", "prove -l t/add.t", "./Build test", "cd sub && prove -j4"):
        plan = plan_command(command, "/o", tmp_path)
        assert plan.runner == "prove" and not plan.weak, command
        assert plan.env["PERL_TEST_HARNESS_DUMP_TAP"] == "/o/tap"
        assert plan.reports == (("prove", "/o/tap"),) and plan.capture == "/o/output.log"
    plain = plan_command("make test", "/o", tmp_path)  # a Makefile of another kind
    assert plain.runner is None and plain.weak == WEAK_REASON
    write_tree(tmp_path, {"Makefile.PL": MAKEFILE_PL})
    for command in ("make test", "perl Makefile.PL && make && make test"):
        assert plan_command(command, "/o", tmp_path).runner == "prove", command
    assert plan_command("make -n test", "/o", tmp_path).runner is None
    # behind an npm script it is not read, and the weak verdict names the script
    write_tree(tmp_path, {"package.json": '{"scripts": {"test": "make test"}}'})
    npm = plan_command("npm test", "/o", tmp_path)
    assert npm.runner is None and npm.weak == f"{WEAK_REASON} (npm script 'test': make test)"


def test_a_perl_distribution_is_detected(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "dist", {"lib/Calc.pm": CALC, "t/add.t": ADD_T})
    assert perl_tests(root) is None  # a t/ folder alone is no distribution
    write_tree(root, {"Makefile.PL": MAKEFILE_PL})
    assert detect_test_command(root) == "prove -lr t"
    write_tree(root, {"Calc.xs": "/* XS */\n"})  # compiled: built by make first
    assert detect_test_command(root) == "perl Makefile.PL && make test"


def test_perls_tests_and_its_dropped_subs() -> None:
    for rel in ("t/add.t", "t/lib/Helper.pm", "xt/author/pod.t", "Makefile.PL", ".proverc"):
        assert is_test_file(rel), rel
    assert not is_test_file("lib/Calc.pm")
    dropped = dropped_definitions(
        CALC, CALC.replace("sub sub2 { return $_[0] - $_[1] }\n", ""), "lib/Calc.pm"
    )
    assert dropped == ["sub2"]
    asked = dropped_definitions(
        "package A;\nsub Text::Diff::Unified::hunk { 1 }\n1;\n",
        "package A;\n1;\n",
        "lib/A.pm",
        instruction="remove hunk",
    )
    assert asked == []
