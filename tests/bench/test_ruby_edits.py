"""The trust benchmark's Ruby edits (``benchmarks/trust_ruby.py``): methods found by
their ``def`` and the ``end`` at the same indentation, a raise put at a body's first
line, and the catalogue on a small minitest project."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from types import ModuleType

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"

CODE = """module Calc
  def self.add(a, b)
    a + b
  end

  def one; 1; end

  def unused(a)
    a * 2
  end
end
"""
TEST = """require "minitest/autorun"
class CalcTest < Minitest::Test
  def test_add
    assert_equal 3, Calc.add(1, 2)
  end
end
"""


@pytest.fixture(scope="module")
def ruby() -> ModuleType:
    sys.path.insert(0, str(BENCHMARKS))
    try:
        return importlib.import_module("trust_ruby")
    finally:
        sys.path.remove(str(BENCHMARKS))


def test_methods_and_a_raise(ruby: ModuleType) -> None:
    found = ruby.methods(CODE)
    assert [(m.name, m.head, m.end) for m in found] == [("add", 1, 3), ("unused", 7, 9)]
    raised = ruby._raising(CODE, found[1]).split("\n")
    assert raised[8] == f"    {ruby.RAISE}" and raised[9] == "    a * 2"


def test_the_catalogue(ruby: ModuleType, tmp_path: Path) -> None:
    from real_projects import Project  # (on sys.path through the fixture's import)

    root = tmp_path / "calc"
    (root / "lib").mkdir(parents=True)
    (root / "test").mkdir()
    (root / "lib/calc.rb").write_text(CODE)
    (root / "test/test_calc.rb").write_text(TEST)
    project = Project("calc", "debian-source", edit_file="lib/calc.rb", tests="test/test*.rb")
    trials = {t.name: t for t in ruby.ruby_trials(project, root, tmp_path)}
    assert trials["break covered"].note == "add raises"
    quiet = trials["break a method no test names"]
    assert quiet.note == "unused raises" and quiet.uncounted
    assert "def _gone_add" in trials["delete a test file's tests"].files["test/test_calc.rb"]
    # the method dropped, from its def to its end: what the guard must refuse
    dropped = trials["drop a method no test names"]
    assert dropped.note == "unused" and not dropped.uncounted
    assert dropped.files["lib/calc.rb"] == CODE.replace("\n  def unused(a)\n    a * 2\n  end", "")
    from acrouter.definitions import dropped_definitions

    assert dropped_definitions(CODE, dropped.files["lib/calc.rb"], "lib/calc.rb") == ["Calc#unused"]
