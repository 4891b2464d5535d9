"""An import line whose list grows is no dropped import.

The guard that no edit drops code compares a file's ``use`` lines (Rust, PHP, Perl) as
whole lines: adding ``fs`` to Rust's ``use std::{fmt, io};``, or raising a Perl test
script's plan (``use Test::More tests => 25;`` to ``26``, what an edit adding a test
does), was refused as deleting an import.  Now each line stands for what it imports,
item by item: only an item no line imports any more is dropped.  A ``use`` statement
over several lines is read to its ``;``."""

from __future__ import annotations

import pytest
from acrouter.definitions import dropped_definitions


@pytest.mark.parametrize(
    ("old", "new", "path"),
    [
        ("use std::{fmt, io};\n", "use std::{fmt, io, fs};\n", "src/lib.rs"),
        (
            "use std::{fmt, io::{self, Read}};\n",
            "use std::fmt;\nuse std::io::{self, Read};\n",
            "src/lib.rs",
        ),
        ("use Test::More tests => 25;\n1;\n", "use Test::More tests => 26;\n1;\n", "t/basic.t"),
        ("use POSIX qw(floor);\n1;\n", "use POSIX qw(floor ceil);\n1;\n", "lib/A.pm"),
        (
            "<?php\nuse App\\Models\\{User, Post};\n",
            "<?php\nuse App\\Models\\User;\nuse App\\Models\\Post;\n",
            "a.php",
        ),
        # a use over several lines, as rustfmt and perltidy break a long one (before: it
        # was read as importing nothing, so breaking a one-line use was a loss)
        ("use std::{fmt, io};\n", "use std::{\n    fmt,\n    io,\n};\n", "src/lib.rs"),
        ("use vars qw($a @b %c);\n1;\n", "use vars qw(\n  $a @b\n  %c\n);\n1;\n", "lib/A.pm"),
    ],
)
def test_what_is_imported_still_is_not_dropped(old: str, new: str, path: str) -> None:
    assert dropped_definitions(old, new, path) == []


@pytest.mark.parametrize(
    ("old", "new", "path", "lost"),
    [
        ("use std::{fmt, io};\n", "use std::{fmt};\n", "src/lib.rs", "import std::{fmt, io}"),
        (
            "use std::{fmt, io::{self, Read}};\n",
            "use std::{fmt, io};\n",
            "src/lib.rs",
            "import std::{fmt, io::{self, Read}}",
        ),
        (
            "use POSIX qw(floor ceil);\n1;\n",
            "use POSIX qw(floor);\n1;\n",
            "lib/A.pm",
            "import POSIX qw(floor ceil)",
        ),
        ("use Carp;\nuse POSIX;\n1;\n", "use POSIX;\n1;\n", "lib/A.pm", "import Carp"),
        (
            "use std::{\n    fmt,\n    io,\n};\n",
            "use std::{\n    fmt,\n};\n",
            "src/lib.rs",
            "import std::{ fmt, io, }",
        ),
        (
            "use POSIX qw(\n    floor\n    ceil\n);\n1;\n",
            "1;\n",
            "lib/A.pm",
            "import POSIX qw( floor ceil )",
        ),
    ],
)
def test_an_item_no_line_imports_any_more_is_dropped(
    old: str, new: str, path: str, lost: str
) -> None:
    assert dropped_definitions(old, new, path) == [lost]
