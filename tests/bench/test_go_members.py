"""``benchmarks/go_members.py`` compares what the guard reads in Go files with what Go's
own parser finds in them: checked here on a small folder of our own."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from .helpers import script_output

CALC = """\
package calc

const (
	A = iota
	B
)

type Calc struct{}

func (c *Calc) Size() int { return 0 }

// a receiver in two pairs of parentheses: Go allows it, the guard reads none
func ((*(Calc))) Odd() {}

func _() {}
"""


def test_the_reading_is_compared_with_gos_parser(tmp_path: Path) -> None:
    if shutil.which("go") is None:
        pytest.skip("go is not installed (Debian: apt-get install golang-go)")
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "calc.go").write_text(CALC)
    (tmp_path / "src" / "broken.go").write_text("package calc\n\nfunc (\n")
    out = script_output("go_members.py", "--sources", str(tmp_path / "src"))
    assert [line.strip() for line in out.splitlines()] == [
        "files compared: 1 (Go could not parse 1)",
        "declarations read by the guard: 4; parsed by Go: 5",
        "by name, as the guard counts them (a file's declarations of a name together):",
        "read but not parsed (false refusals waiting to happen): 0",
        "parsed but not read (not protected): 1",
        "calc.go: Odd",
        "by the type that owns each (a method's receiver; how a loss is named):",
        "read but not parsed (false refusals waiting to happen): 0",
        "parsed but not read (declarations the guard does not protect): 1",
        "calc.go: Calc.Odd (method)",
    ]
