"""Per-test results from each runner's own output.  The files in tests/fixtures/reports
are real outputs recorded for this test (paths rewritten to /work/proj): jest 29.7.0,
vitest 2.1.9 and mocha 10.8.2 (installed from npm into a scratch folder, not into this
repository: their installs are too heavy for the test suite), ``go test -json`` of go
1.19.8, ``cargo test --no-fail-fast -- --format=pretty`` of cargo 1.95,
``python3.11 -m unittest -v``, tape 5.10.2 (behind an npm script's header), RSpec
3.12's JSON formatter (backtraces cut to one line) and our minitest plugin under minitest
5.15 (``rake test``; paths made relative).  The counts asserted are the ones each runner printed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from acrouter.verifier.reports import (
    cargo_counts,
    parse_cargo,
    parse_go_json,
    parse_jest,
    parse_junit,
    parse_minitest,
    parse_mocha,
    parse_node,
    parse_rspec,
    parse_tape,
    parse_unittest,
)
from acrouter.verifier.reports.minitest import minitest_printed_counts
from acrouter.verifier.reports.rspec import rspec_printed_counts
from acrouter.verifier.testrun import TestRun
from acrouter.verifier.verdict import judge

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "reports"


def counts(report) -> tuple[int, int, int]:  # type: ignore[no-untyped-def]
    run = TestRun(exit_code=1, outcomes=report.outcomes, broken=report.broken)
    return run.passed, run.failed, run.skipped  # type: ignore[return-value]


def test_jest_json() -> None:
    report = parse_jest(FIXTURES / "jest.json", "/work/proj")
    assert report is not None
    assert report.outcomes["jt/calc.test.js::mul › small"] == "passed"
    assert report.outcomes["jt/calc.test.js::adds"] == "failed"
    assert report.outcomes["jt/calc.test.js::mul › later"] == "skipped"
    # jest: "Tests: 1 failed, 1 skipped, 1 passed, 3 total" and one suite that failed to run
    data = json.loads((FIXTURES / "jest.json").read_text())
    assert counts(report) == (
        data["numPassedTests"],
        data["numFailedTests"],
        data["numPendingTests"],
    )
    assert report.broken == {
        "jt/broken.test.js": "Cannot find module 'not-installed-anywhere' from 'broken.test.js'"
    }


def test_vitest_json() -> None:
    report = parse_jest(FIXTURES / "vitest.json", "/work/proj")
    assert report is not None
    # vitest: "Tests 1 failed | 1 passed | 1 skipped (3)", one file failed to load
    assert counts(report) == (1, 1, 1)
    assert report.outcomes["vt/calc.test.mjs::mul › small"] == "passed"
    assert list(report.broken) == ["vt/broken.test.mjs"]
    assert "not-installed-anywhere" in report.broken["vt/broken.test.mjs"]


def test_mocha_json() -> None:
    report = parse_mocha(FIXTURES / "mocha.json", "/work/proj")
    assert report is not None
    data = json.loads((FIXTURES / "mocha.json").read_text())
    stats = data["stats"]
    assert counts(report) == (stats["passes"], stats["failures"], stats["pending"])
    assert report.outcomes == {
        "mt/calc.test.js::calc adds": "failed",
        "mt/calc.test.js::calc muls": "passed",
        "mt/calc.test.js::calc later": "skipped",
    }


def test_go_test_json() -> None:
    report = parse_go_json(FIXTURES / "go_test_json.txt")
    assert report is not None
    assert report.outcomes["example.com/calc/calc::TestAdd"] == "failed"
    assert report.outcomes["example.com/calc/calc::TestMul/small"] == "passed"
    assert report.outcomes["example.com/calc/calc::TestSkipped"] == "skipped"
    assert (
        report.messages["example.com/calc/calc::TestAdd"]
        == "calc_test.go:7: Add(2, 3) = -1, want 5"
    )
    # a package that does not build is a broken entry with the compiler's words
    assert report.broken == {"example.com/calc/broken": "broken/b.go:3:23: undefined: undefined"}
    # go -v prints 5 results: TestAdd, TestMul and its 2 subtests, TestSkipped
    assert counts(report) == (3, 1, 1)


def test_cargo_test_output() -> None:
    text = (FIXTURES / "cargo_test.txt").read_text()
    report = parse_cargo(FIXTURES / "cargo_test.txt")
    assert report is not None
    assert counts(report) == cargo_counts(text) == (3, 1, 1)
    assert report.outcomes["src/lib.rs::tests::adds"] == "failed"
    assert report.outcomes["tests/integ.rs::adds"] == "passed"
    assert report.outcomes["doc:calc::src/lib.rs - add"] == "passed"  # no line number
    assert report.messages["src/lib.rs::tests::adds"] == "assertion `left == right` failed"


def test_cargo_build_failure_is_broken(tmp_path: Path) -> None:
    out = tmp_path / "o.txt"
    out.write_text(
        "   Compiling calc v0.1.0 (/p)\nerror[E0425]: cannot find value `x` in this scope\n"
        " --> src/lib.rs:1:30\n\nerror: could not compile `calc` (lib test) due to 1 previous error\n"
    )
    report = parse_cargo(out)
    assert report is not None
    assert report.broken == {"cargo build": "error[E0425]: cannot find value `x` in this scope"}


def test_unittest_verbose_output() -> None:
    report = parse_unittest(FIXTURES / "unittest_v.txt")
    assert report is not None
    assert report.outcomes == {
        "tests.test_broken": "failed",
        "tests.test_calc.TestCalc.test_add": "failed",  # a docstring line stood between
        "tests.test_calc.TestCalc.test_error": "failed",
        "tests.test_calc.TestCalc.test_mul": "passed",
        "tests.test_calc.TestCalc.test_skipped": "skipped",
    }
    assert report.messages["tests.test_calc.TestCalc.test_add"] == "AssertionError: 2 != 3"
    assert report.broken == {"tests.test_broken": "ModuleNotFoundError: No module named 'notthere'"}
    # unittest: "Ran 5 tests ... FAILED (failures=1, errors=2, skipped=1)": the import
    # error is one of its 5 (not a test of ours), so 1 passed, 2 failed, 1 skipped
    assert counts(report) == (1, 2, 1)


def test_unittest_verbose_output_with_warnings_between_a_test_and_its_result(
    tmp_path: Path,
) -> None:
    # found by a fresh-clone CI run: a ResourceWarning on stderr split "test ... ok" into
    # "test ... <warning>" and "ok", so the test was taken for one that no longer ran
    # (unittest shows DeprecationWarnings by default: common in real projects)
    out = tmp_path / "out.log"
    out.write_text(
        "test_flag (checks.Flag.test_flag) ... /w/checks.py:6: ResourceWarning: unclosed file\n"
        "  self.assertEqual(open('flag').read(), 'ok')\n"
        "ok\n"
        "test_late (checks.Flag.test_late) ... ok\n"
        "test_noisy_skip (checks.Flag.test_noisy_skip) ... a log line\n"
        "ok\n"  # printed by the test itself; the runner's own result comes last
        "skipped 'later'\n"
        "test_warned_fail (checks.Flag.test_warned_fail) ... DeprecationWarning: x\n"
        "FAIL\n"
        "\n"
        "======================================================================\n"
        "FAIL: test_warned_fail (checks.Flag.test_warned_fail)\n"
        "----------------------------------------------------------------------\n"
        "AssertionError: 1 != 2\n"
        "\n"
        "----------------------------------------------------------------------\n"
        "Ran 4 tests in 0.004s\n\nFAILED (failures=1, skipped=1)\n"
    )
    report = parse_unittest(out)
    assert report is not None
    assert report.outcomes == {
        "checks.Flag.test_flag": "passed",
        "checks.Flag.test_late": "passed",
        "checks.Flag.test_noisy_skip": "skipped",
        "checks.Flag.test_warned_fail": "failed",
    }


def test_node_reporter_lines(tmp_path: Path) -> None:
    lines = [
        {"file": "/w/test/a.test.js", "path": ["adds"], "status": "pass"},
        {"file": "/w/test/a.test.js", "path": ["grp", "inner"], "status": "fail", "err": "2 !== 3"},
        {"file": "/w/test/a.test.js", "path": ["grp"], "status": "pass", "suite": True},
        {"file": "/w/test/a.test.js", "path": ["later"], "status": "pass", "skip": True},
        {
            "file": "/w/test/b.test.js",
            "path": ["/w/test/b.test.js"],
            "status": "fail",
            "err": "Cannot find module 'x'",
        },
    ]
    path = tmp_path / "node.jsonl"
    path.write_text("".join(json.dumps(x) + "\n" for x in lines) + "not json\n")
    report = parse_node(path, "/w")
    assert report is not None
    assert report.outcomes == {
        "test/a.test.js::adds": "passed",
        "test/a.test.js::grp > inner": "failed",
        "test/a.test.js::later": "skipped",
        "test/b.test.js": "failed",
    }
    assert report.broken == {"test/b.test.js": "Cannot find module 'x'"}


def test_a_node_suite_that_fails_for_its_tests_is_no_test(tmp_path: Path) -> None:
    """node 20 reports a ``describe`` as failed when a test in it fails, and a passing
    suite not at all: counted as a test, the suite of a fixed test 'no longer ran' and
    the fix was failed (``acrouter verify`` on a node:test project, ef7e2bf)."""
    grp = {"file": "/w/test/a.test.js", "path": ["grp"], "suite": True}
    lines = [
        {"file": "/w/test/a.test.js", "path": ["grp", "inner"], "status": "fail", "err": "x"},
        {**grp, "status": "fail", "err": "1 subtest failed"},
        {"file": "/w/test/a.test.js", "path": ["boom"], "suite": True, "status": "fail"},
    ]
    path = tmp_path / "node.jsonl"
    path.write_text("".join(json.dumps(x) + "\n" for x in lines))
    report = parse_node(path, "/w")
    assert report is not None
    # (a suite whose callback threw declared no test: its failure is the only one)
    assert report.outcomes == {
        "test/a.test.js::grp > inner": "failed",
        "test/a.test.js::boom": "failed",
    }


JUNIT_XUNIT1 = """<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite>
<testcase classname="tests.test_x" name="test_y[json]" file="tests/test_x.py" line="1"/>
<testcase classname="tests.test_x.TestC" name="test_m" file="tests/test_x.py" line="4"><failure message="assert 0">x</failure></testcase>
<testcase classname="" name="tests.test_broken" file="tests/test_broken.py"><error message="collection failure">ImportError while importing test module
E   ModuleNotFoundError: No module named 'notthere'</error></testcase>
</testsuite></testsuites>"""


def test_pytest_ids_are_node_ids(tmp_path: Path) -> None:
    path = tmp_path / "r.xml"
    path.write_text(JUNIT_XUNIT1)
    report = parse_junit(path)
    assert report is not None
    assert report.outcomes == {
        "tests/test_x.py::test_y[json]": "passed",
        "tests/test_x.py::TestC::test_m": "failed",
        "tests/test_broken.py": "failed",
    }
    assert report.broken == {
        "tests/test_broken.py": "ModuleNotFoundError: No module named 'notthere'"
    }


@pytest.mark.parametrize("vanished", ["emptied", "skipped"])
def test_disappearing_tests_fail_for_every_runner_with_results(vanished: str) -> None:
    before = TestRun(
        exit_code=1, outcomes={"a::t1": "passed", "a::catches_bug": "failed"}, expects_report=True
    )
    outcomes = (
        {"a::t1": "passed"}
        if vanished == "emptied"
        else {"a::t1": "passed", "a::catches_bug": "skipped"}
    )
    v = judge(before, TestRun(exit_code=0, outcomes=outcomes, expects_report=True))
    assert v.verdict == "fail" and v.counted


def test_an_environment_broken_before_and_after_is_an_uncounted_error() -> None:
    broken = {"tests/test_a.py": "ModuleNotFoundError: No module named 'requests'"}
    before = TestRun(
        exit_code=2, outcomes={"tests/test_a.py": "failed"}, expects_report=True, broken=broken
    )
    after = TestRun(
        exit_code=2, outcomes={"tests/test_a.py": "failed"}, expects_report=True, broken=broken
    )
    v = judge(before, after)
    assert v.verdict == "error" and v.counted is False
    assert "ModuleNotFoundError: No module named 'requests'" in v.detail


def test_skipped_subtests_of_a_test_that_ran(tmp_path: Path) -> None:
    """pytest's subtests: one case with several <skipped> (python-slugify's suite:
    "140 passed, 5 skipped, 152 subtests passed" where the 5 are subtests) is a test
    that ran and passed; a case with one <skipped> is a skipped test."""
    path = tmp_path / "r.xml"
    path.write_text(
        '<testsuites><testsuite><testcase classname="tests.t.R" name="test_a" file="tests/t.py">'
        '<skipped message="auto backend absent"/><skipped message="anyascii backend absent"/>'
        '</testcase><testcase classname="tests.t.R" name="test_b" file="tests/t.py">'
        '<skipped message="later"/></testcase></testsuite></testsuites>'
    )
    report = parse_junit(path)
    assert report is not None
    assert report.outcomes == {
        "tests/t.py::R::test_a": "passed",
        "tests/t.py::R::test_b": "skipped",
    }


def test_tape_output() -> None:
    report = parse_tape(FIXTURES / "tape.txt")
    assert report is not None and report.broken == {} and counts(report) == (3, 1, 1)
    # one test per assertion, numbered within its test; the second "adds" is "adds (2)";
    # the skipped test printed no assertion, the skipped assertion is skipped
    by_outcome = {
        o: sorted(t for t, x in report.outcomes.items() if x == o)
        for o in ("passed", "failed", "skipped")
    }
    assert by_outcome["passed"] == ["adds #1", "adds #2", "adds (2) #1"]
    assert by_outcome["failed"] == ["mul #1"] and by_outcome["skipped"] == ["adds (2) #2"]
    assert report.messages["mul #1"] == (
        "should be strictly equal; operator: equal; expected: 5; actual: 6"
    )


@pytest.mark.parametrize(
    ("cut", "why"),
    [
        ("\n1..5\n", "no plan line"),  # the process exited before tape finished
        ("\n1..5\n", "Bail out! database down"),
        ("1..5", "planned 6 assertions but reported 5"),
    ],
    ids=["no-plan", "bail-out", "plan-not-kept"],
)
def test_tape_run_that_did_not_finish_is_broken(tmp_path: Path, cut: str, why: str) -> None:
    text = (FIXTURES / "tape.txt").read_text()
    if why.startswith("Bail"):
        text = text.replace(cut, f"\n{why}\n")
    elif "planned" in why:
        text = text.replace(cut, "1..6")
    else:
        text = text.split(cut)[0]
    (tmp_path / "out.txt").write_text(text)
    report = parse_tape(tmp_path / "out.txt")
    assert report is not None and list(report.broken) == ["tape"]
    assert why in report.broken["tape"]


def test_output_without_tap_is_no_report(tmp_path: Path) -> None:
    (tmp_path / "out.txt").write_text("> calc@1.0.0 test\n> tape test/*.js\n\n")
    assert parse_tape(tmp_path / "out.txt") is None


def test_rspec_json() -> None:
    report = parse_rspec(FIXTURES / "rspec.json")
    assert report is not None and report.broken == {} and counts(report) == (2, 1, 1)
    # by file and full description (not the line: moving an example is no new test)
    assert report.outcomes["spec/adder_spec.rb::add adds"] == "passed"
    assert report.outcomes["spec/adder_spec.rb::add later"] == "skipped"  # pending
    assert report.messages == {"spec/adder_spec.rb::add neg negative": "expected: -4"}


def test_rspec_load_error_is_a_broken_file(tmp_path: Path) -> None:
    """A spec file that does not load: RSpec runs no example and says so in its
    ``messages``; the file is a broken entry with the error's own line."""
    message = (
        "\nAn error occurred while loading ./spec/neg_spec.rb.\nFailure/Error: __send__(method, file)"
        "\n\nSyntaxError:\n  /w/spec/neg_spec.rb:6: syntax error, unexpected end-of-input\n"
    )
    data = {
        "version": "3.12.0",
        "messages": [message],
        "examples": [],
        "summary": {"example_count": 0, "errors_outside_of_examples_count": 1},
    }
    (tmp_path / "r.json").write_text(json.dumps(data))
    report = parse_rspec(tmp_path / "r.json")
    assert report is not None and list(report.broken) == ["spec/neg_spec.rb"]
    assert report.broken["spec/neg_spec.rb"] == (
        "SyntaxError: /w/spec/neg_spec.rb:6: syntax error, unexpected end-of-input"
    )
    (tmp_path / "other.json").write_text(json.dumps({"examples": {}}))
    assert parse_rspec(tmp_path / "other.json") is None  # not RSpec's format
    assert parse_rspec(tmp_path / "missing.json") is None


def test_rspec_printed_counts_agree_with_its_report() -> None:
    """RSpec's closing line is the report's second witness (the tests' process could
    write the report): (passed, failed) as the report counts them."""
    report = parse_rspec(FIXTURES / "rspec.json")
    assert report is not None and report.counts == (2, 1)
    printed = "Finished in 0.02 seconds\n4 examples, 1 failure, 1 pending\n\nFailed examples:\n"
    assert rspec_printed_counts(printed) == (2, 1)
    assert rspec_printed_counts("0 examples, 0 failures, 1 error occurred outside of examples") == (
        0,
        0,
    )
    assert rspec_printed_counts("no summary\n") is None


def test_minitest_printed_counts_agree_with_its_report() -> None:
    report = parse_minitest(FIXTURES / "minitest.jsonl")
    assert report is not None and report.counts == (2, 2)
    printed = "5 runs, 3 assertions, 1 failures, 1 errors, 1 skips\n"
    assert minitest_printed_counts(printed) == (2, 2)
    # two minitest processes (a Rakefile's two test tasks): summed
    assert minitest_printed_counts(
        printed + "2 runs, 2 assertions, 0 failures, 0 errors, 0 skips\n"
    ) == (4, 2)
    assert minitest_printed_counts("") is None


def test_minitest_plugin_lines() -> None:
    report = parse_minitest(FIXTURES / "minitest.jsonl")
    assert report is not None and report.broken == {} and counts(report) == (2, 2, 1)
    assert report.outcomes["test/adder_test.rb::AdderTest#test_adds"] == "passed"
    assert report.outcomes["test/adder_test.rb::add#test_0001_adds zero"] == "passed"
    assert report.messages == {
        "test/adder_test.rb::AdderTest#test_err": "RuntimeError: boom",
        "test/adder_test.rb::AdderTest#test_neg": "Expected: -4",
    }


def test_a_minitest_run_that_did_not_report_its_summary_is_broken(tmp_path: Path) -> None:
    lines = (FIXTURES / "minitest.jsonl").read_text().splitlines()
    (tmp_path / "cut.jsonl").write_text("\n".join(lines[:-1]))  # exited inside a test
    report = parse_minitest(tmp_path / "cut.jsonl")
    assert report is not None and list(report.broken) == ["minitest"]
    # two minitest processes (a Rakefile's two test tasks) append to the same file
    (tmp_path / "two.jsonl").write_text("\n".join(lines + lines[:2] + lines[-1:]))
    two = parse_minitest(tmp_path / "two.jsonl")
    assert two is not None and two.broken == {}
    (tmp_path / "none.jsonl").write_text("")  # no minitest run started
    assert parse_minitest(tmp_path / "none.jsonl") is None
