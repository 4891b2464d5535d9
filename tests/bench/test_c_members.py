"""``benchmarks/c_members.py`` compares what the guard reads in C files with Universal
Ctags' tags of them: checked here on a small project of our own."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from .helpers import script_output

CALC_H = """\
#ifndef CALC_H
#define CALC_H
#define TWICE(x) ((x) * 2)
struct point { int x, y; };
typedef struct point point_t;
enum shape { DOT, LINE = 2 };
int add(int a, int b);
int neg(int a);
#endif
"""
CALC_C = """\
#include "calc.h"

int add(int a, int b)
{
    return a + b;
}

#ifdef _WIN32
static int sign(int a) { return a < 0 ? -1 : 1; }
#else
static int sign(int a) { return (a > 0) - (a < 0); }
#endif

int neg(int a) {
    return -a * sign(1);
}
"""


def _run(*args: str) -> list[str]:
    """The lines ``c_members.py`` prints with ``args``, stripped (it must exit 0)."""
    return [line.strip() for line in script_output("c_members.py", *args).splitlines()]


def test_the_reading_is_compared_with_ctags(tmp_path: Path) -> None:
    ctags = shutil.which("ctags")
    version = (
        subprocess.run(
            [ctags or "ctags", "--version"], capture_output=True, text=True, check=False
        ).stdout
        if ctags
        else ""
    )
    if "Universal Ctags" not in version:
        pytest.skip("ctags is not installed as Universal Ctags (Debian: universal-ctags)")
    (tmp_path / "src").mkdir()
    (tmp_path / "src/calc.h").write_text(CALC_H)
    (tmp_path / "src/calc.c").write_text(CALC_C)
    lines = _run("--sources", str(tmp_path / "src"))
    # the same functions (both branches' sign), prototypes, types and macros (the
    # include guard left out on both sides)
    assert lines == [
        "files compared: 2",
        "method (function): read 4; tagged 4",
        "read but not tagged (false refusals waiting to happen): 0",
        "tagged but not read (not protected): 0",
        "declaration (prototype): read 2; tagged 2",
        "read but not tagged (false refusals waiting to happen): 0",
        "tagged but not read (not protected): 0",
        "type (struct, union, enum, typedef, class): read 3; tagged 3",
        "read but not tagged (false refusals waiting to happen): 0",
        "tagged but not read (not protected): 0",
        "macro (macro): read 1; tagged 1",
        "read but not tagged (false refusals waiting to happen): 0",
        "tagged but not read (not protected): 0",
        # a struct's fields and an enum's constants
        "variable (enumerator, member): read 4; tagged 4",
        "read but not tagged (false refusals waiting to happen): 0",
        "tagged but not read (not protected): 0",
    ]


def test_the_compiler_judges_one_file(tmp_path: Path) -> None:
    if shutil.which("gcc") is None:
        pytest.skip("gcc is not installed (Debian: apt-get install gcc)")
    (tmp_path / "calc.h").write_text(CALC_H)
    (tmp_path / "calc.c").write_text(
        CALC_C + "#define twice(x) twice_impl(x)\nint twice(int a) { return 2 * a; }\n"
    )
    lines = _run("--gcc", str(tmp_path / "calc.c"))
    # gcc compiles the #else branch's sign (the guard reads both) and names the last
    # function as its macro makes it
    assert lines == [
        "functions gcc compiled from calc.c: 4",
        "read by the guard: 5 (every branch of each conditional)",
        "compiled but not read (not protected): 1",
        "twice_impl",
        "read but not compiled here (other branches, not judged): 2",
    ]
