"""``benchmarks/rb_parameters.py`` judges how the guard reads the parameters of Ruby
methods with edits of real files, against Ruby's own parser: checked here on a tiny
corpus of our own, whose edits (with ``--seed 1``) have each fate.  Deleted: refused
(``**opts`` of ``Tools::Text::Reader.open``, ...), still taken (by ``*rest`` in
``parse``, by ``...`` in ``each``), of a method defined twice (``Calc#add``, its class
reopened) or the guard does not read (``def holder.tell``).  Made keyword and made
required: ``helper``'s list, which goes on past its line's comma (read to its line's
end before), refused.  A class named by its path inside a module (``class
Text::Reader``) is kept: every edit of its file, a comment added, was refused before."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from .helpers import script_output

FILES = {
    "a_reader.rb": """\
module Tools
  class Text::Reader
    def initialize(path, mode: "r", &block)
      @path = path
      @block = block
    end

    def parse(text, encoding = "UTF-8", *rest, strict: false)
      text.encode(encoding) if strict
    end

    def self.open(path, (key, value), **opts)
      new(path, **opts).tap { |r| r.store(key, value) }
    end
  end
end
""",
    "b_forward.rb": """\
def each(first, ...)
  first.each(...)
end

def helper a,
           b = 2
  [a, b].map { |x| x + a }.sum + b
end
""",
    "c_twice.rb": """\
class Calc
  def add(a, b)
    a + b
  end
end

class Calc
  def add(a, b, c = 0)
    a + b + c
  end
end

holder = Object.new

def holder.tell(message, times = 1)
  message * times
end
""",
    "d_broken.rb": "def broken(\n",
}


def test_the_edits_are_judged(tmp_path: Path) -> None:
    if shutil.which("ruby") is None:
        pytest.skip("ruby is not installed (Debian: apt-get install ruby)")
    src = tmp_path / "src"
    src.mkdir()
    for name, text in FILES.items():
        (src / name).write_text(text)
    (src / "skipped").mkdir()
    (src / "skipped" / "z.rb").write_text("def z(a)\n  a\nend\n")
    args = (str(src), "--exclude", "skipped", "--seed", "1")
    out = script_output("rb_parameters.py", *args).splitlines()
    assert out[:22] == [
        "files read: 3 (not read: not parsed 1)",
        (
            "methods with parameters (Ripper): 8 (list not split: 0); read by the guard: "
            "5, their parameters read otherwise: 0, named otherwise: 0"
        ),
        "edit              edits  refused  not refused  skipped",
        "comment added         3        0            3        0",
        "deleted               8        3            5        0",
        "keyword               5        2            3        0",
        "required              5        3            2        0",
        "moved                 5        3            2        0",
        "added required        7        4            3        1",
        "added                 8        0            8        0",
        "binds as before       3        0            3        0",
        "renamed               8        0            8        0",
        "default changed       5        0            5        0",
        "block dropped         1        0            1        0",
        (
            "deleted not refused: 2 still taken (by *rest / **opts / ...), 2 of a method "
            "defined twice, 1 of a method the guard does not read (0 of them: its "
            "parameters), 0 missed"
        ),
        (
            "keyword not refused: 0 still taken (by *rest / **opts / ...), 2 of a method "
            "defined twice, 1 of a method the guard does not read (0 of them: its "
            "parameters), 0 missed"
        ),
        (
            "required not refused: 0 still taken (by *rest / **opts / ...), 1 of a method"
            " defined twice, 1 of a method the guard does not read (0 of them: its "
            "parameters), 0 missed"
        ),
        (
            "moved not refused: 0 still taken (by *rest / **opts / ...), 1 of a method "
            "defined twice, 1 of a method the guard does not read (0 of them: its "
            "parameters), 0 missed"
        ),
        (
            "added required not refused: 0 still taken (by *rest / **opts / ...), 2 of a "
            "method defined twice, 1 of a method the guard does not read (0 of them: its "
            "parameters), 0 missed"
        ),
        (
            "moved: 1 before the first positional parameter, 4 before the first optional "
            "one (a required one first); binds as before: 3 put before positional "
            "parameters that are all required (no rest nor ... follows: Ruby binds the "
            "required ones first, so every call that worked binds as before); not edited:"
            " 0 where no such place parses, 0 without a positional parameter"
        ),
        "refused although not compared by design: 0",
        ("false refusals: 0 (not counted: 0 in the 0 files where a comment added is refused too)"),
    ]
    tell = str(src / "c_twice.rb") + ":15"
    assert out[22:27] == [
        f"not read (deleted) {tell} message of holder.tell",
        f"not read (keyword) {tell} times of holder.tell",
        f"not read (required) {tell} times of holder.tell",
        f"not read (moved) {tell} times of holder.tell",
        f"not read (added required) {tell} extra_param of holder.tell",
    ]
    assert out[27].startswith("command: ") and out[27].endswith(" ".join(args))
    assert len(out) == 28
