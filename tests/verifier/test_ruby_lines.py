"""Which changed lines of Ruby files the tests ran (:mod:`acrouter.verifier.lines_rubycov`),
end to end under minitest (``rake test``) and RSpec.  Before, an edit that broke a
method no test calls, in a file the tests ``require``, was a counted pass with nothing
said (the file was opened: :mod:`.lines_opened` saw nothing wrong).  Needs ruby, rake
and rspec (CI installs Debian's ``ruby``, ``rake`` and ``ruby-rspec``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from acrouter.domain import Edit
from acrouter.verifier.lines_rubycov import code_lines, read_rubycov

from .helpers import needs_bwrap, needs_ruby, task_for, verifier, write_tree

CALC = """\
module Calc
  def self.add(a, b)
    a + b
  end

  def self.unused(a)
    a * 2
  end
end
"""
UNUSED_BROKEN = {"lib/calc.rb": CALC.replace("a * 2", "a.nosuchmethod * 2")}
CALLED_BROKEN = {"lib/calc.rb": CALC.replace("a + b", "a - b")}
CALLED_SAME = {"lib/calc.rb": CALC.replace("a + b", "b + a")}

MINITEST = """\
require "minitest/autorun"
require_relative "../lib/calc"

class CalcTest < Minitest::Test
  def test_add
    assert_equal 5, Calc.add(2, 3)
  end
end
"""
RAKEFILE = """\
require "rake/testtask"

Rake::TestTask.new(:test) do |t|
  t.pattern = "test/**/*_test.rb"
end
"""
SPEC = """\
require_relative "../lib/calc"

RSpec.describe Calc do
  it("adds") { expect(Calc.add(2, 3)).to eq 5 }
end
"""
#: a suite with coverage of its own, as simplecov starts it
OWN_COVERAGE = """\
require "coverage"
Coverage.start
at_exit { Coverage.result }
"""


def _minitest(root: Path, extra: dict[str, str] | None = None) -> Path:
    needs_ruby("rake")
    files = {"lib/calc.rb": CALC, "test/calc_test.rb": MINITEST, "Rakefile": RAKEFILE}
    return write_tree(root / "calc", {**files, **(extra or {})})


def _rspec(root: Path, extra: dict[str, str] | None = None) -> Path:
    needs_ruby("rspec")
    return write_tree(
        root / "calc", {"lib/calc.rb": CALC, "spec/calc_spec.rb": SPEC, **(extra or {})}
    )


PROJECTS = {"rake test": _minitest, "rspec": _rspec}


def _verify(root: Path, command: str, files: dict[str, str]):  # type: ignore[no-untyped-def]
    return verifier(timeout_s=60, cache_dir=root.parent / "cache").verify(
        task_for(root, command), Edit(files=files), "m"
    )


@needs_bwrap
@pytest.mark.parametrize("command", sorted(PROJECTS))
def test_an_edit_breaking_a_method_no_test_calls_is_not_counted(
    tmp_path: Path, command: str
) -> None:
    root = PROJECTS[command](tmp_path)
    v = _verify(root, command, UNUSED_BROKEN)
    assert v.verdict == "pass" and not v.counted, v.detail
    assert "no test ran 1 of the 1 statements the edit changes: lib/calc.rb line 7" in v.unrun
    assert "not learned" in v.detail, v.detail


@needs_bwrap
@pytest.mark.parametrize("command", sorted(PROJECTS))
def test_an_edit_of_a_called_method_is_judged_as_before(tmp_path: Path, command: str) -> None:
    root = PROJECTS[command](tmp_path)
    same = _verify(root, command, CALLED_SAME)
    assert same.verdict == "pass" and same.counted and not same.unrun, same.detail
    broken = _verify(root, command, CALLED_BROKEN)
    assert broken.verdict == "fail" and broken.counted, broken.detail


@needs_bwrap
def test_a_ruby_rake_starts_is_measured(tmp_path: Path) -> None:
    """rake's own process never loads the code: only the ruby it spawns does."""
    rakefile = 'task :test do\n  ruby "-Ilib", "test/calc_test.rb"\nend\n'
    root = _minitest(tmp_path, {"Rakefile": rakefile})
    v = _verify(root, "rake test", {"lib/calc.rb": CALC.replace("a * 2", "a * 3\n    a + 1")})
    assert v.verdict == "pass" and not v.counted, v.detail
    assert "no test ran 2 of the 2 statements" in v.unrun and "lib/calc.rb lines 7-8" in v.unrun


@needs_bwrap
@pytest.mark.parametrize("command", sorted(PROJECTS))
def test_a_suite_with_its_own_coverage_still_passes_and_is_measured(
    tmp_path: Path, command: str
) -> None:
    check = "raise 'coverage is off' unless Coverage.running?\n"
    if command == "rspec":
        extra = {
            "spec/spec_helper.rb": OWN_COVERAGE,
            ".rspec": "--require spec_helper\n",
            "spec/calc_spec.rb": SPEC.replace("RSpec", check + "RSpec", 1),
        }
    else:
        extra = {
            "test/test_helper.rb": OWN_COVERAGE,
            "test/calc_test.rb": 'require_relative "test_helper"\n'
            + MINITEST.replace("class", check + "class", 1),
        }
    root = PROJECTS[command](tmp_path, extra)
    same = _verify(root, command, CALLED_SAME)
    assert same.verdict == "pass" and same.counted and not same.unrun, same.detail
    assert same.tests_passed == 1, same.detail
    v = _verify(root, command, UNUSED_BROKEN)
    assert v.verdict == "pass" and not v.counted, v.detail
    assert "lib/calc.rb line 7" in v.unrun, v.unrun


@needs_bwrap
@pytest.mark.parametrize("command", sorted(PROJECTS))
def test_a_ruby_file_no_ruby_loaded_is_named_once_as_not_opened(
    tmp_path: Path, command: str
) -> None:
    """The measured file's lines are named, the file no ruby loaded as not opened; the
    measured one is not also named as opened or not."""
    root = PROJECTS[command](tmp_path)
    files = {**UNUSED_BROKEN, "lib/extra.rb": "module Extra\n  X = 1\nend\n"}
    v = _verify(root, command, files)
    assert v.verdict == "pass" and not v.counted, v.detail
    assert "lib/calc.rb line 7" in v.unrun, v.unrun
    assert "no process of the tests' run opened lib/extra.rb, which the edit changes" in v.unrun
    assert "opened lib/calc.rb" not in v.unrun and "lib/calc.rb," not in v.unrun, v.unrun


@needs_bwrap
def test_unknown_lines_are_said_when_the_ruby_that_ran_the_tests_wrote_nothing(
    tmp_path: Path,
) -> None:
    """A test process that ends with ``exit!`` runs no ``at_exit``: its lines are not
    known, no line is said not to have run, and the pass says that which lines ran is not
    known (it was silent before). Still counted: nothing shows the tests missed the edit."""
    test = MINITEST.replace('"minitest/autorun"', '"minitest"') + "exit!(Minitest.run ? 0 : 1)\n"
    root = _minitest(tmp_path, {"test/calc_test.rb": test})
    v = _verify(root, "rake test", UNUSED_BROKEN)
    assert v.verdict == "pass" and v.counted, v.detail
    assert v.unrun.startswith(
        "which lines of lib/calc.rb the tests ran is not known: no ruby of the run reported "
        "which of its lines ran;"
    ), v.unrun
    assert "line 7" not in v.unrun
    assert v.tests_passed == 1, v.detail


def test_read_rubycov(tmp_path: Path) -> None:
    files = {"lib/calc.rb": (CALC, UNUSED_BROKEN["lib/calc.rb"])}
    assert read_rubycov(tmp_path, files) is None  # no process wrote
    counts = [1, 1, 1, None, None, 1, 0, None, None]
    (tmp_path / "acrouter-rb-1.json").write_text(
        json.dumps({"files": {"lib/calc.rb": counts}, "lost": []})
    )
    traced = read_rubycov(tmp_path, files)
    assert traced is not None and traced.lines == {"lib/calc.rb": frozenset({1, 2, 3, 6})}
    assert [c.statements for c in traced.changes] == [((7, 7),)] and not traced.cut
    (tmp_path / "acrouter-rb-2.start").write_text("")  # started, never wrote
    (tmp_path / "acrouter-rb-3.json").write_text(json.dumps({"files": {}, "lost": ["lib/calc.rb"]}))
    traced = read_rubycov(tmp_path, files)
    assert traced is not None and traced.cut and traced.unmeasured == {"lib/calc.rb"}


def test_code_lines() -> None:
    text = "# c\ndef f\n  1 # one\nend\n=begin\nx\n=end\n}\nelse\n"
    assert code_lines(text) == {2, 3}
