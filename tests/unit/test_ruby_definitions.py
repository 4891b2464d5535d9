"""The guard against dropped code reads a Ruby class's methods (``rubydefinitions``).

Before, the guard saw only a Ruby file's lines at column 0 (its top-level ``def``,
``class``, ``module`` and ``require``): an edit of ``lib/calc.rb`` that dropped
``Calc#neg``, a method no test calls, was verified by ``acrouter verify`` ("pass: 1
passed, 0 failed") and would have been learned as the model's success."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from acrouter.definitions import definitions, dropped_definitions, guard
from acrouter.errors import ParseError
from acrouter.rubydefinitions import code_lines, is_ruby, ruby_classes, ruby_members
from acrouter.verifier.cli import dropped_code, load_edit

CALC = """\
require "json"

# A calculator.
module Tools
  class Calc
    attr_reader :memory

    def self.create
      new
    end

    class << self
      def build(*args)
        new(*args)
      end
    end

    def add(a, b)
      a + b
    end

    def neg(a)
      -a
    end

    def ==(other) = other.is_a?(Calc)

    def empty? = memory.nil?

    def memory=(value)
      @memory = value
    end

    private def helper
      SQL
    end

    def report
      <<~TEXT
        def not_a_method
        class NotAClass
      TEXT
    end

    class Error < StandardError
      def detail; end
    end
  end
end

=begin
def commented_out
end
=end

def top_level(x)
  x
end
"""
NEG = "\n    def neg(a)\n      -a\n    end\n"
PATH = "lib/tools/calc.rb"


def _without(text: str, part: str) -> str:
    assert part in text
    return text.replace(part, "", 1)


def test_the_methods_classes_and_modules_are_read_with_their_owner() -> None:
    found = [(m.owner, m.name, m.kind) for m in ruby_members(CALC)]
    assert found == [
        ("", "Tools", "type"),
        ("Tools", "Calc", "type"),
        ("Tools::Calc", "memory", "method"),
        ("Tools::Calc", "self.create", "method"),
        ("Tools::Calc", "self.build", "method"),
        ("Tools::Calc", "add", "method"),
        ("Tools::Calc", "neg", "method"),
        ("Tools::Calc", "==", "method"),
        ("Tools::Calc", "empty?", "method"),
        ("Tools::Calc", "memory=", "method"),
        ("Tools::Calc", "helper", "method"),
        ("Tools::Calc", "report", "method"),
        ("Tools::Calc", "Error", "type"),
        ("Tools::Calc::Error", "detail", "method"),
        ("", "top_level", "method"),
    ]
    assert ruby_classes(CALC) == {"", "Tools", "Tools::Calc", "Tools::Calc::Error"}
    # a heredoc's and an =begin comment's lines are text
    lines = code_lines(CALC)
    assert "" == lines[CALC.split("\n").index("        def not_a_method")]
    assert "" == lines[CALC.split("\n").index("def commented_out")]
    names = [d.name for d in definitions(CALC, PATH)]
    assert names[0] == "import json" and "neg" in names and "not_a_method" not in names


def test_a_dropped_method_or_class_is_refused() -> None:
    assert dropped_definitions(CALC, _without(CALC, NEG), PATH) == ["Tools::Calc#neg"]
    renamed = CALC.replace("def neg(a)", "def negate(a)")
    assert dropped_definitions(CALC, renamed, PATH) == ["Tools::Calc#neg"]
    create = "    def self.create\n      new\n    end\n\n"
    assert dropped_definitions(CALC, _without(CALC, create), PATH) == ["Tools::Calc.create"]
    build = "      def build(*args)\n        new(*args)\n      end\n"
    assert dropped_definitions(CALC, _without(CALC, build), PATH) == ["Tools::Calc.build"]
    setter = "    def memory=(value)\n      @memory = value\n    end\n\n"
    assert dropped_definitions(CALC, _without(CALC, setter), PATH) == ["Tools::Calc#memory="]
    error = "    class Error < StandardError\n      def detail; end\n    end\n"
    assert dropped_definitions(CALC, _without(CALC, error), PATH) == ["Tools::Calc::Error"]
    top = "def top_level(x)\n  x\nend\n"
    assert dropped_definitions(CALC, _without(CALC, top), PATH) == ["top_level"]
    # by the editor's language id too, and in a Rakefile
    assert dropped_definitions(CALC, _without(CALC, NEG), "calc.txt", language="ruby") == [
        "Tools::Calc#neg"
    ]
    assert dropped_definitions(CALC, _without(CALC, NEG), "Rakefile") == ["Tools::Calc#neg"]


def test_what_was_asked_for_moved_or_text_is_no_loss() -> None:
    assert dropped_definitions(CALC, _without(CALC, NEG), PATH, instruction="remove neg") == []
    start = CALC.split("\n").index("    def neg(a)")
    assert (
        dropped_definitions(CALC, _without(CALC, NEG), PATH, exempt_lines=(start, start + 2)) == []
    )
    # the class asked to go takes its methods with it
    error = "    class Error < StandardError\n      def detail; end\n    end\n"
    assert (
        dropped_definitions(CALC, _without(CALC, error), PATH, instruction="remove the Error class")
        == []
    )
    # moved into the other class of the file; a heredoc's text changed; a comment's
    moved = _without(CALC, NEG).replace(
        "      def detail; end\n",
        "      def detail; end\n" + NEG.replace("\n    ", "\n      ").lstrip("\n"),
    )
    assert dropped_definitions(CALC, moved, PATH) == []
    text = CALC.replace("        def not_a_method\n", "").replace("def commented_out\n", "")
    assert dropped_definitions(CALC, text, PATH) == []
    # a class reopened twice, now once: nothing it defined went
    reopened = "class A\n  def x; end\nend\n\nclass A\n  def y; end\nend\n"
    merged = "class A\n  def x; end\n\n  def y; end\nend\n"
    assert dropped_definitions(reopened, merged, "a.rb") == []
    # a reader method turned into an attr_reader: the attr line defines x
    attr = "class A\n  def x\n    @x\n  end\nend\n"
    assert dropped_definitions(attr, "class A\n  attr_reader :x\nend\n", "a.rb") == []
    accessor = "class A\n  attr_accessor :x, :y\n  alias_method :z, :x\nend\n"
    fewer = "class A\n  attr_reader :x\n  attr_accessor :y\nend\n"
    assert dropped_definitions(accessor, fewer, "a.rb") == ["A#x=", "A#z"]


def test_other_languages_are_not_read_as_ruby() -> None:
    assert is_ruby("lib/a.rb") and is_ruby("Gemfile") and is_ruby("x", "ruby")
    assert not is_ruby("a.py") and not is_ruby("a.crb")
    # a Python file is read by Python's reader (which names methods Class.method)
    py = "class A:\n    def neg(self):\n        return 1\n\n    def pos(self):\n        return 2\n"
    without = py.replace("    def neg(self):\n        return 1\n\n", "")
    assert dropped_definitions(py, without, "a.py") == ["A.neg"]


def test_acrouter_verify_refuses_an_edit_that_drops_a_method(tmp_path: Path) -> None:
    (tmp_path / "ws/lib/tools").mkdir(parents=True)
    (tmp_path / "ws" / PATH).write_text(CALC)
    (tmp_path / "drop.json").write_text(json.dumps({"files": {PATH: _without(CALC, NEG)}}))
    assert dropped_code(str(tmp_path / "ws"), load_edit(str(tmp_path / "drop.json"))) == (
        f"the edit would delete 1 definition(s), method(s) or import(s) of {PATH} that the "
        "instruction did not ask to remove: Tools::Calc#neg (pass --allow-removal if the "
        "removal is meant)"
    )
    # the editor's path: a model's reply that drops it is refused before any test runs
    with pytest.raises(ParseError, match="did not ask to remove: Tools::Calc#neg"):
        guard(
            {PATH: CALC},
            {PATH: _without(CALC, NEG)},
            language_of=lambda _rel: "ruby",
            instruction="make add faster",
        )


def test_strings_literals_and_expressions_hold_no_code() -> None:
    # each case came from comparing the reading with Ruby's own parser on its library
    # (benchmarks/ruby_members.py): what a string, a percent literal, an extended
    # regular expression or a quoted heredoc holds was read as methods, or a quote in a
    # regular expression or a $' had kept the rest of the file a string
    text = """\
class Gen
  SRC = %{
def not_in_code
}
  WORDS = %w[
    a b
  ]
  PATTERN = /
    (['"]?) # an optional quote
  /x

  def eval_it
    class_eval "
      def not_either; end
"
    module_eval(<<-'end;', __FILE__, __LINE__ + 1)
      def nor_this; end
    end;
    @f.puts "module_eval(<<'#{sep}', 'x')"
    x = $' if line =~ /'/
    y = %r%"([^"]+)"%x
  end

  def after_them
  end

protected

  def still_gen
  end
end

module Tools
  class << (Helper = Object.new)
    def help; end
  end
end
"""
    found = [(m.owner, m.name) for m in ruby_members(text)]
    assert found == [
        ("", "Gen"),
        ("Gen", "SRC"),  # (the constants: not what their literals hold)
        ("Gen", "WORDS"),
        ("Gen", "PATTERN"),
        ("Gen", "eval_it"),
        ("Gen", "after_them"),
        ("Gen", "still_gen"),
        ("", "Tools"),
        ("Tools", "self.help"),
    ]


def test_an_outdented_access_modifier_keeps_its_class() -> None:
    # Thor's style: "protected" at its class's own indentation, methods below it
    text = "module M\n  class Gen\n    def a; end\n\n  protected\n\n    def b; end\n  end\n\n  def c; end\nend\n"
    assert [(m.owner, m.name) for m in ruby_members(text)] == [
        ("", "M"),
        ("M", "Gen"),
        ("M::Gen", "a"),
        ("M::Gen", "b"),
        ("M", "c"),
    ]


def test_a_tab_indents_to_the_next_eighth_column() -> None:
    # builder's xmlmarkup.rb: a method's line indented by a tab had closed its class,
    # and the methods after it were named Builder#cdata! instead of
    # Builder::XmlMarkup#cdata!
    text = "module B\n  class X\n    def a\n\t@a = 1\n    end\n\n    def b; end\n  end\nend\n"
    assert [(m.owner, m.name) for m in ruby_members(text)][-1] == ("B::X", "b")


CONFIG_RB = """\
module Feed
  VERSION = "2.1.0"
  DEFAULTS ||= { limit: 10 }.freeze

  class Reader
    FORMATS = %w[rss atom].freeze
    Entry = Struct.new(:title, :link)
    TIMEOUT = 5 if RUBY_VERSION >= "3"

    def parse(kind)
      raise ArgumentError unless FORMATS.include?(kind)
      LEGACY == kind ? nil : Entry.new(kind, nil)
    end
  end
end
"""


def test_a_constants_assignment_is_read_with_its_owner() -> None:
    """A constant no test names deleted passed before (Ruby looks it up only when the
    code naming it runs): ``Feed::Reader::TIMEOUT`` gone, a suite that never reaches
    the code reading it passes.  Ruby's parser assigns the same constants
    (``benchmarks/ruby_members.py``: 1,259 of Ruby's library's not read before)."""
    found = [(m.owner, m.name) for m in ruby_members(CONFIG_RB) if m.kind == "variable"]
    assert found == [
        ("Feed", "VERSION"),
        ("Feed", "DEFAULTS"),
        ("Feed::Reader", "FORMATS"),
        ("Feed::Reader", "Entry"),
        ("Feed::Reader", "TIMEOUT"),  # (not LEGACY: compared, not assigned)
    ]
    path = "lib/feed.rb"
    no_timeout = _without(CONFIG_RB, '    TIMEOUT = 5 if RUBY_VERSION >= "3"\n')
    assert dropped_definitions(CONFIG_RB, no_timeout, path) == ["Feed::Reader::TIMEOUT"]
    no_version = _without(CONFIG_RB, '  VERSION = "2.1.0"\n')
    assert dropped_definitions(CONFIG_RB, no_version, path) == ["Feed::VERSION"]
    assert dropped_definitions(CONFIG_RB, no_version, path, instruction="Remove VERSION") == []
    same = [
        # a value changed, frozen, moved within the file, ``||=`` for ``=``
        CONFIG_RB.replace('"2.1.0"', '"2.2.0"'),
        CONFIG_RB.replace("TIMEOUT = 5", "TIMEOUT = 5.0"),
        _without(CONFIG_RB, '  VERSION = "2.1.0"\n').replace(
            ".freeze\n\n", '.freeze\n  VERSION = "2.1.0"\n\n', 1
        ),
        CONFIG_RB.replace("DEFAULTS ||=", "DEFAULTS ="),
    ]
    for edited in same:
        assert edited != CONFIG_RB
        assert dropped_definitions(CONFIG_RB, edited, path) == [], edited


def test_a_class_named_by_its_path_inside_a_module_is_kept_by_any_edit() -> None:
    """Found by ``benchmarks/rb_parameters.py`` on Ruby's standard library: in 410 of 849
    files (bundler's ``module Bundler`` / ``class CLI::Add``) any edit, a comment added,
    was refused as deleting ``Bundler::CLI::Add``: the line patterns name the class
    ``CLI::Add``, and only a name without ``::`` kept a class."""
    old = "module Bundler\n  class CLI::Add\n    def run\n    end\n  end\nend\n"
    fix = "Fix the bug"
    assert dropped_definitions(old, old + "# a comment\n", "add.rb", instruction=fix) == []
    assert dropped_definitions(old, "module Bundler\nend\n", "add.rb", instruction=fix) == [
        "Bundler::CLI::Add"
    ]
    no_run = old.replace("    def run\n    end\n", "")
    assert dropped_definitions(old, no_run, "add.rb", instruction=fix) == ["Bundler::CLI::Add#run"]
