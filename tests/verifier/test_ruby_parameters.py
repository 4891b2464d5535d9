"""A parameter dropped from a Ruby method the edit keeps is refused, as a dropped method
is: Ruby checks a call's arguments when it runs, so every caller that passes it raises
``ArgumentError``, and a gem's callers are mostly outside the repository.

Before, an edit asked to fix a bug in ``parse(text, encoding = "UTF-8")`` that also
dropped ``encoding`` passed ``acrouter verify`` on a minitest project: the guard compared
which methods a file defines, not what they take, and the tests call ``parse(text)``.
A positional parameter renamed, one taken into a new ``*args``, a keyword one into a new
``**options``, forwarding (``...``), a block parameter, and a parameter the instruction
asks to remove are no loss; one made required, or a positional one made a keyword, is a
change."""

from __future__ import annotations

from pathlib import Path

import pytest
from acrouter.definitions import dropped_definitions, guard
from acrouter.domain import Edit
from acrouter.errors import ParseError
from acrouter.rubyparameters import signatures
from acrouter.verifier.cli import verify_edit

from .helpers import OVERLAY_AND_NONE, needs_ruby, verifier, write_tree

SOURCE = """\
module Tools
  class Reader
    def initialize(path, mode: "r")
      @path = path
    end

    def parse(text, encoding = "UTF-8", *rest, strict:, limit: nil, **opts, &block)
      text.encode(encoding)
    end

    def self.open(path,
                  mode = "r, w",
                  (key, value))
      new(path)
    end

    def sq(x) = x * x

    def plain a, b
      a
    end

    def directive prefix, name,
                  encoding = nil
      prefix
    end

    def each(...)
      @items.each(...)
    end

    attr_reader :path
  end
end

def helper(a, b = 2)
  a + b
end
"""


def lost(new: str, instruction: str = "Fix the bug in parse", **kw: object) -> list[str]:
    return dropped_definitions(SOURCE, new, "lib/tools.rb", instruction=instruction, **kw)  # type: ignore[arg-type]


def test_each_method_s_parameters_are_read_by_the_name_a_report_gives_it() -> None:
    sigs = {name: params for name, (_line, params) in signatures(SOURCE).items()}
    assert sigs == {
        "Tools::Reader#initialize": [("req", "path"), ("kw=", "mode")],
        "Tools::Reader#parse": [
            ("req", "text"),
            ("opt", "encoding"),
            ("*", "rest"),
            ("kw", "strict"),
            ("kw=", "limit"),
            ("**", "opts"),
            ("&", "block"),
        ],
        # a list over three lines, a default holding a comma, a destructuring parameter
        "Tools::Reader.open": [("req", "path"), ("opt", "mode"), ("req", "")],
        "Tools::Reader#sq": [("req", "x")],
        "Tools::Reader#plain": [("req", "a"), ("req", "b")],
        # a bare list that goes on past a line ending in a comma
        "Tools::Reader#directive": [("req", "prefix"), ("req", "name"), ("opt", "encoding")],
        "Tools::Reader#each": [("...", "...")],
        "helper": [("req", "a"), ("opt", "b")],
    }


@pytest.mark.parametrize(
    ("before", "after", "gone"),
    [
        ("helper(a, b = 2)", "helper(a)", "parameter b of helper"),
        ('(path, mode: "r")', "(path)", "parameter mode of Tools::Reader#initialize"),
        ("*rest, strict:", "strict:", "parameter *rest of Tools::Reader#parse"),
        ("nil, **opts, &block", "nil, &block", "parameter **opts of Tools::Reader#parse"),
        ("def plain a, b", "def plain a", "parameter b of Tools::Reader#plain"),
        (
            "                  (key, value))",
            "                  )",
            "parameter #3 of Tools::Reader.open",
        ),
        ("helper(a, b = 2)", "helper(a, b)", "parameter b of helper (made required)"),
        ("helper(a, b = 2)", "helper(a, b: 2)", "parameter b of helper (made keyword)"),
        ('mode: "r")', "mode:)", "parameter mode of Tools::Reader#initialize (made required)"),
        # a parameter put before one kept takes what callers passed to it
        (
            "helper(a, b = 2)",
            "helper(a, c = 0, b = 2)",
            "parameter b of helper (moved from 2nd to 3rd place)",
        ),
        # a required one added: every call that does not pass it raises ArgumentError
        (
            '(path, mode: "r")',
            '(path, mode: "r", strict:)',
            "parameter strict of Tools::Reader#initialize (added, required)",
        ),
        ("helper(a, b = 2)", "helper(a, b = 2, c)", "parameter c of helper (added, required)"),
    ],
)
def test_a_parameter_gone_or_changed_is_lost(before: str, after: str, gone: str) -> None:
    assert before in SOURCE
    assert lost(SOURCE.replace(before, after, 1)) == [gone]


def test_what_callers_still_pass_as_before_is_no_loss() -> None:
    same = [
        SOURCE.replace("def sq(x) = x * x", "def sq(y) = y * y"),  # renamed: by position
        SOURCE.replace('encoding = "UTF-8", *rest', "*rest"),  # into the rest
        SOURCE.replace("strict:, limit: nil, **opts", "strict:, **opts"),  # into **opts
        SOURCE.replace(", &block)", ")"),  # a block: passing one raises nothing
        SOURCE.replace("def helper(a, b = 2)", "def helper(...)"),  # forwarding
        SOURCE.replace("def helper(a, b = 2)", "def helper(a, b = 3, c = nil)"),
        SOURCE.replace('(path, mode: "r")', '(path, mode: "r", strict: false)'),
        SOURCE.replace("def helper(a, b = 2)", "def helper(a, b = 2, *)"),
        # put before required ones, which Ruby binds first: every call binds as before
        SOURCE.replace("def plain a, b", "def plain extra = nil, a, b"),
    ]
    for new in same:
        assert lost(new) == [], new
    # a method gone is the guard's other loss, not its parameters
    assert lost(SOURCE.replace("    def sq(x) = x * x\n", "")) == ["Tools::Reader#sq"]


def test_a_parameter_moves_by_ruby_s_binding() -> None:
    """Ruby binds the required parameters first, those after an optional one or a rest
    from the end: a parameter put before them moves nothing (``def serve(host = nil,
    port)``: ``serve(80)`` binds ``port`` either way), one put before an optional one
    moves it, and one before a parameter that forwarding (``...``) follows moves that
    (``each(1)`` no longer binds ``first``; the benchmark found it reported as nothing)."""
    old = "def serve(host = nil, port)\n  port\nend\n\ndef each(first, ...)\n  first\nend\n"

    def lost_here(new: str) -> list[str]:
        return dropped_definitions(old, new, "lib/s.rb", instruction="Fix the bug")

    assert lost_here(old.replace("(host = nil, port)", "(host = nil, backlog = 5, port)")) == []
    assert lost_here(old.replace("(host = nil, port)", "(backlog = 5, host = nil, port)")) == [
        "parameter host of serve (moved from 1st to 2nd place)"
    ]
    assert lost_here(old.replace("(first, ...)", "(extra = nil, first, ...)")) == [
        "parameter first of each (moved from 1st to 2nd place)"
    ]


def test_a_parameter_may_go_when_asked_for() -> None:
    new = SOURCE.replace("helper(a, b = 2)", "helper(a)")
    assert lost(new, "Remove the b argument of helper") == []
    assert lost(new, "Make helper take a single number") == []
    line = SOURCE.splitlines().index("def helper(a, b = 2)")
    assert lost(new, exempt_lines=(line, line + 2)) == []
    assert lost(new, "Document b") == ["parameter b of helper"]
    keyword = SOURCE.replace("helper(a, b = 2)", "helper(a, b: 2)")
    assert lost(keyword, "Make b a keyword argument") == []
    with pytest.raises(ParseError) as caught:
        guard(
            {"lib/tools.rb": SOURCE},
            {"lib/tools.rb": keyword.replace("def plain a, b", "def plain a")},
            language_of=lambda _r: None,
            instruction="Fix the bug",
        )
    assert str(caught.value) == (
        "the edit would delete or change 2 parameter(s) of lib/tools.rb that the instruction "
        "did not ask to remove or change: b of Tools::Reader#plain, b of helper (made keyword)"
    )


READER = """\
class Reader
  def parse(text, encoding = "UTF-8")
    text.dup.force_encoding(encoding).strip
  end
end
"""
TEST = """\
require "minitest/autorun"
require_relative "../lib/reader"

class ReaderTest < Minitest::Test
  def test_strips
    assert_equal "a", Reader.new.parse(" a ")
  end
end
"""


@pytest.mark.parametrize("mode", OVERLAY_AND_NONE)
def test_acrouter_verify_refuses_the_dropped_parameter_before_minitest_passes_it(
    tmp_path: Path, mode: dict[str, object]
) -> None:
    needs_ruby()
    root = write_tree(tmp_path / "ws", {"lib/reader.rb": READER, "test/reader_test.rb": TEST})
    ver = verifier(cache_dir=tmp_path / "cache", **mode)
    command = "ruby -Itest test/reader_test.rb"
    dropped = READER.replace('(text, encoding = "UTF-8")', "(text)").replace(
        "force_encoding(encoding)", 'force_encoding("UTF-8")'
    )
    edit = Edit(files={"lib/reader.rb": dropped})
    v = verify_edit(ver, str(root), edit, command)
    assert v.verdict == "error" and not v.counted, v.detail
    assert (
        "delete 1 parameter(s) of lib/reader.rb that the instruction did not ask to remove: "
        "encoding of Reader#parse" in v.detail
    )
    # the tests cannot tell: with the removal allowed they run, and pass
    allowed = verify_edit(ver, str(root), edit, command, allow_removal=True)
    assert allowed.verdict == "pass" and "1 passed" in allowed.detail, allowed.detail
    renamed = READER.replace('encoding = "UTF-8"', 'charset = "UTF-8"').replace(
        "force_encoding(encoding)", "force_encoding(charset)"
    )
    kept = verify_edit(ver, str(root), Edit(files={"lib/reader.rb": renamed}), command)
    assert kept.verdict == "pass", kept.detail


@pytest.mark.parametrize(
    "default",
    ['"#"', '"x;y"', '"\\""', "/#/", "/[(]/", "?(", "?'", '$"', "%q(it's)", "%(x\ny)"],
)
def test_a_default_s_literal_does_not_end_or_hide_the_list(default: str) -> None:
    """Found by the helper that wrote ``benchmarks/rb_parameters.py``, with edits Ruby
    parses: a bare list was cut at a ``#`` or ``;`` inside a string (a deletion after it
    missed, a string changed taken for one), and a parenthesised one whose default held
    an escaped quote, a regular expression, a character or percent literal or ``$"``
    was not read at all."""
    for bare in (False, True):
        if bare and "\n" in default:
            continue
        head = f"def m a = {default}, b = 1" if bare else f"def m(a = {default}, b = 1)"
        cut = head.replace(", b = 1", "")
        old = f"class Edge\n  {head}\n    [a, b]\n  end\nend\n"
        fix = "Fix the bug"
        assert dropped_definitions(old, old.replace(head, cut), "e.rb", instruction=fix) == [
            "parameter b of Edge#m"
        ], head
        changed = old.replace(f"a = {default}", "a = nil")
        assert dropped_definitions(old, changed, "e.rb", instruction=fix) == [], head
