"""Ruby suites end to end: RSpec (its JSON formatter) and minitest (a plugin of ours)
are read per test, so a suite whose tests were skipped, deleted or never ran is not a
pass.  Before, ``rspec`` and ``rake test`` were judged by their exit code only (weak):
an emptied spec file, a ``skip`` put in a test and an ``exit 0`` at the top of the code
all passed.  Needs ruby (minitest comes with it) and rspec (CI installs Debian's
``ruby`` and ``ruby-rspec``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from acrouter.domain import Edit

from .helpers import needs_bwrap, needs_ruby, task_for, verifier, write_tree

pytestmark = needs_bwrap

ADDER = "def add(a, b)\n  a + b\nend\n"
SPEC_ADD = """\
require_relative "../lib/adder"

RSpec.describe "add" do
  it("adds") { expect(add(2, 3)).to eq 5 }
  it("adds zero") { expect(add(0, 0)).to eq 0 }
end
"""
SPEC_NEG = """\
require_relative "../lib/adder"

RSpec.describe "add with negatives" do
  it("adds them") { expect(add(-2, -3)).to eq(-5) }
end
"""
TEST_ADD = """\
require "minitest/autorun"
require_relative "../lib/adder"

class AdderTest < Minitest::Test
  def test_adds
    assert_equal 5, add(2, 3)
  end

  def test_zero
    assert_equal 0, add(0, 0)
  end
end
"""
TEST_NEG = """\
require "minitest/autorun"
require_relative "../lib/adder"

describe "add with negatives" do
  it "adds them" do
    _(add(-2, -3)).must_equal(-5)
  end
end
"""
RAKEFILE = """\
require "rake/testtask"

Rake::TestTask.new(:test) do |t|
  t.libs << "test"
  t.pattern = "test/**/*_test.rb"
end
"""


@pytest.fixture
def rspec_project(tmp_path: Path) -> Path:
    needs_ruby("rspec")
    return write_tree(
        tmp_path / "adder",
        {"lib/adder.rb": ADDER, "spec/adder_spec.rb": SPEC_ADD, "spec/neg_spec.rb": SPEC_NEG},
    )


@pytest.fixture
def minitest_project(tmp_path: Path) -> Path:
    needs_ruby("rake")
    return write_tree(
        tmp_path / "adder",
        {
            "lib/adder.rb": ADDER,
            "test/adder_test.rb": TEST_ADD,
            "test/neg_test.rb": TEST_NEG,
            "Rakefile": RAKEFILE,
        },
    )


def _verify(root: Path, command: str | None, files: dict[str, str]):  # type: ignore[no-untyped-def]
    return verifier(timeout_s=60, cache_dir=root.parent / "cache").verify(
        task_for(root, command), Edit(files=files), "m"
    )


BROKEN = {"lib/adder.rb": ADDER.replace("a + b", "a - b")}
EXIT_IN_CODE = {"lib/adder.rb": "exit 0\n" + ADDER}


@pytest.mark.parametrize("command", ["rspec", "rspec --format documentation spec"])
def test_rspec_a_correct_edit_passes_with_counts_and_a_broken_one_fails(
    rspec_project: Path, command: str
) -> None:
    v = _verify(rspec_project, command, {"lib/adder.rb": "# adds\n" + ADDER})
    assert v.verdict == "pass" and not v.weak, v.detail
    assert (v.tests_passed_before, v.tests_passed, v.tests_failed) == (3, 3, 0)
    broken = _verify(rspec_project, command, BROKEN)
    assert broken.verdict == "fail" and not broken.weak, broken.detail
    assert "spec/adder_spec.rb::add adds" in broken.detail, broken.detail
    assert "expected: 5" in broken.detail, broken.detail


@pytest.mark.parametrize(
    ("files", "why"),
    [
        (EXIT_IN_CODE, "no test report"),
        ({"spec/neg_spec.rb": "# nothing here\n"}, "no longer ran"),
        (
            {"spec/neg_spec.rb": SPEC_NEG.replace('it("adds them")', 'xit("adds them")')},
            "add with negatives adds them",
        ),
        (
            {"spec/neg_spec.rb": SPEC_NEG.replace("eq(-5)", "eq(-5); exit 0")},
            "adds them (the example did not finish",
        ),
        ({"spec/neg_spec.rb": SPEC_NEG + "add(\n"}, "spec/neg_spec.rb"),
    ],
    ids=["exit-in-code", "emptied-spec", "skipped-example", "exit-in-example", "load-error"],
)
def test_rspec_a_suite_that_did_not_run_is_not_a_pass(
    rspec_project: Path, files: dict[str, str], why: str
) -> None:
    v = _verify(rspec_project, "rspec", files)
    assert v.verdict == "fail" and not v.weak and why in v.detail, v.detail


@pytest.mark.parametrize("command", ["rake test", "ruby -Itest test/adder_test.rb"])
def test_minitest_a_correct_edit_passes_with_counts_and_a_broken_one_fails(
    minitest_project: Path, command: str
) -> None:
    v = _verify(minitest_project, command, {"lib/adder.rb": "# adds\n" + ADDER})
    assert v.verdict == "pass" and not v.weak, v.detail
    ran = 3 if command == "rake test" else 2
    assert (v.tests_passed_before, v.tests_passed, v.tests_failed) == (ran, ran, 0)
    broken = _verify(minitest_project, command, BROKEN)
    assert broken.verdict == "fail" and not broken.weak, broken.detail
    assert "test/adder_test.rb::AdderTest#test_adds" in broken.detail, broken.detail
    assert "Expected: 5" in broken.detail, broken.detail


@pytest.mark.parametrize("runner", ["rspec", "minitest"])
def test_with_no_command_set_a_ruby_projects_tests_are_found_and_read_per_test(
    runner: str, request: pytest.FixtureRequest
) -> None:
    """No test command set: the project's own runner is detected (``rspec``, ``rake
    test``) and read per test; before, a Ruby project had none, and every request ended in
    "no test command"."""
    project: Path = request.getfixturevalue(f"{runner}_project")
    v = _verify(project, None, {"lib/adder.rb": "# adds\n" + ADDER})
    assert v.verdict == "pass" and not v.weak, v.detail
    assert (v.tests_passed_before, v.tests_passed, v.tests_failed) == (3, 3, 0)
    broken = _verify(project, None, BROKEN)
    assert broken.verdict == "fail" and not broken.weak, broken.detail


@pytest.mark.parametrize(
    ("files", "why"),
    [
        # (minitest/autorun's at_exit still runs minitest, on no test)
        (EXIT_IN_CODE, "no test ran"),
        ({"test/neg_test.rb": "# nothing here\n"}, "no longer ran"),
        (
            {"test/neg_test.rb": TEST_NEG.replace('it "adds them" do', 'it "adds them" do\n skip')},
            "add with negatives#test_0001_adds them",
        ),
        (
            {"test/adder_test.rb": TEST_ADD.replace("add(0, 0)", "add(0, 0)\n    exit 0")},
            "stopped before it reported its summary",
        ),
    ],
    ids=["exit-in-code", "emptied-test-file", "skipped-test", "exit-in-a-test"],
)
def test_minitest_a_suite_that_did_not_run_is_not_a_pass(
    minitest_project: Path, files: dict[str, str], why: str
) -> None:
    v = _verify(minitest_project, "rake test", files)
    assert v.verdict == "fail" and not v.weak and why in v.detail, v.detail


def test_a_test_unit_file_stays_read_by_its_exit_code(minitest_project: Path) -> None:
    """test-unit is not minitest (our plugin never sees its tests): a command running
    its files is read by its exit code, as before, not refused as a suite that cannot
    run."""
    test_unit = TEST_ADD.replace('"minitest/autorun"', '"test/unit"').replace(
        "Minitest::Test", "Test::Unit::TestCase"
    )
    (minitest_project / "test/adder_test.rb").write_text(test_unit)
    command = "ruby -Itest test/adder_test.rb"
    v = _verify(minitest_project, command, {"lib/adder.rb": "# adds\n" + ADDER})
    assert v.verdict == "pass" and v.weak and "test-unit's results are not read" in v.detail
    assert _verify(minitest_project, command, BROKEN).verdict == "fail"


#: the code under test rewrites RSpec's JSON report as the process exits (the path is in
#: its ARGV): every example passed, and the process exits 0
FORGE_RSPEC_REPORT = """\
at_exit do
  i = ARGV.index("--out")
  if i
    require "json"
    path = ARGV[i + 1]
    data = JSON.parse(File.read(path))
    data["examples"].each { |e| e["status"] = "passed"; e.delete("exception") }
    File.write(path, JSON.generate(data))
    exit!(0)
  end
end
"""


def test_rspec_a_report_the_code_rewrote_is_not_a_pass(rspec_project: Path) -> None:
    """The JSON report is written in the tests' process, where the code under test runs:
    RSpec's printed count (``3 examples, 1 failure``) is a second witness, as jest's."""
    files = {"lib/adder.rb": FORGE_RSPEC_REPORT + ADDER.replace("a + b", "a - b")}
    v = _verify(rspec_project, "rspec", files)
    assert v.verdict == "fail" and not v.counted, v.detail
    assert "the runner's count differs from its report" in v.detail, v.detail


#: the code under test rewrites our minitest plugin's lines after minitest's run (the
#: path is in its environment): every test passed, and the process exits 0
FORGE_MINITEST_REPORT = """\
Minitest.after_run do
  path = ENV["ACROUTER_MINITEST_OUT"].to_s
  unless path.empty?
    File.write(path, File.read(path).gsub('"status":"failed"', '"status":"passed"'))
    exit!(0)
  end
end
"""


def test_minitest_a_report_the_code_rewrote_is_not_a_pass(minitest_project: Path) -> None:
    """minitest's printed count (``3 runs, 3 assertions, 1 failures, ...``) is the second
    witness of our plugin's lines, which the tests' process could write; a count
    missing where the run without the edit printed one fails too."""
    files = {"lib/adder.rb": FORGE_MINITEST_REPORT + ADDER.replace("a + b", "a - b")}
    v = _verify(minitest_project, "rake test", files)
    assert v.verdict == "fail" and not v.counted, v.detail
    # (exit! drops what minitest printed to a buffered stdout: no count at all)
    assert "the runner printed no count of its tests" in v.detail, v.detail
