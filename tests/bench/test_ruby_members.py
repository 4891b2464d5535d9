"""``benchmarks/ruby_members.py`` compares the definitions the guard reads in Ruby files
with what Ruby's own parser (Ripper) finds in them: checked here on a file of our own."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from .helpers import script_output

SOURCE = """\
module M
  class A
    attr_accessor :x
    def a; end
    def self.b; end
    class << self
      def c; end
    end
    TEXT = <<~EOS
      def not_a_method; end
    EOS
  end
end

class Gen
def flat; end
end
"""


def test_the_reading_is_compared_with_rippers(tmp_path: Path) -> None:
    if shutil.which("ruby") is None:
        pytest.skip("ruby is not installed (Debian: apt-get install ruby)")
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "m.rb").write_text(SOURCE)
    out = script_output("ruby_members.py", "--sources", str(tmp_path / "lib"))
    # M, A, x, x=, a, self.b, self.c, TEXT (a constant), Gen, flat: the same names on
    # both sides (not the heredoc's ``def``); but a
    # method written at its class's own indentation (a generated parser's style) is
    # read as the file's, not Gen's
    assert [line.strip() for line in out.splitlines()] == [
        "files compared: 1 (Ripper could not parse 0)",
        "definitions read by the guard: 10; parsed by Ripper: 10",
        "by name, as the guard counts them (a file's definitions of a name together):",
        "read but not parsed (false refusals waiting to happen): 0",
        "parsed but not read (not protected): 0",
        "by the class or module that holds each (how a loss is named; a class's",
        "methods go with it when it goes):",
        "read but not parsed (false refusals waiting to happen): 1",
        "m.rb: flat (method)",
        "parsed but not read (definitions the guard does not protect): 1",
        "m.rb: Gen flat (method)",
    ]
