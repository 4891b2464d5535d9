"""What a Rust file declares, as the guard against dropped code reads it
(:mod:`acrouter.rustdefinitions`): every ``#[cfg]`` variant of an item, what inline
modules, ``impl`` blocks, traits, structs, enums and struct variants hold.

Before, the line patterns read a Rust item at column 0 by name and an ``impl``'s methods
one level in: the ``#[cfg(windows)]`` variant of a function dropped while the unix one
kept its name, a function of an inline module, a trait's default method, a variant or a
field no test needs all went unnoticed, and ``cargo test`` (which builds this machine's
variant only) passed them."""

from __future__ import annotations

import pytest
from acrouter.definitions import dropped_definitions
from acrouter.rustdefinitions import code_view, rust_classes, rust_members

LIB = """\
//! Pages, and a "calculator" (a quote in a doc comment)
use std::fmt;

/* a block comment /* nested */ still one: fn hidden() {} */
#[cfg(unix)]
pub fn page_size() -> usize {
    4096
}

#[cfg(windows)]
pub fn page_size() -> usize {
    let brace = '}';
    let text = r#"a raw "}" string"#;
    65536
}

pub struct Calc<'a> {
    pub cache: std::collections::HashMap<String, Vec<u8>>,
    #[allow(dead_code)]
    name: &'a str,
}

pub enum Op {
    Add,
    Neg(i32),
    Mul { by: i32, round: bool },
}

pub const LIMIT: u32 = 10;

macro_rules! square {
    ($x:expr) => {
        $x * $x
    };
}

impl<'a> Calc<'a> {
    pub const ZERO: i32 = 0;

    pub fn add(&self, a: i32, b: i32) -> i32 {
        fn inner() {}
        inner();
        a + b
    }

    pub fn sub(&self, a: i32, b: i32) -> i32 {
        a - b
    }
}

impl<'a> fmt::Display for Calc<'a> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "calc {{}}")
    }
}

pub trait Shape {
    fn area(&self) -> f64;

    fn name(&self) -> &str {
        "shape"
    }
}

mod imp {
    pub fn helper() -> u32 {
        square!(2)
    }

    pub fn other() -> u32 {
        3
    }
}

#[cfg(unix)]
#[path = "unix.rs"]
mod sys;
#[cfg(windows)]
#[path = "windows.rs"]
mod sys;

extern "C" {
    fn strlen(s: *const u8) -> usize;
    fn abs(x: i32) -> i32;
}

cfg_if::cfg_if! {
    if #[cfg(unix)] {
        fn os() -> &'static str { "unix" }
    } else {
        fn os() -> &'static str { "other" }
    }
}
"""


def _without(text: str, start: str, end: str) -> str:
    """``text`` without the lines from the one starting ``start`` to the next one that
    is ``end``, both in."""
    at = text.index(start)
    stop = text.index(end, at) + len(end)
    return text[:at] + text[stop:]


def test_what_a_rust_file_declares_is_read_with_what_holds_it() -> None:
    got = [(m.owner, m.name, m.kind) for m in rust_members(LIB)]
    assert got == [
        ("", "page_size", "method"),
        ("", "page_size", "method"),
        ("", "Calc", "type"),
        ("Calc", "cache", "variable"),
        ("Calc", "name", "variable"),
        ("", "Op", "type"),
        ("Op", "Add", "variable"),
        ("Op", "Neg", "variable"),
        ("Op", "Mul", "variable"),
        ("Op::Mul", "by", "variable"),  # a struct variant's fields
        ("Op::Mul", "round", "variable"),
        ("", "LIMIT", "variable"),
        ("", "square", "macro"),
        ("Calc", "Calc<'a>", "impl"),
        ("<Calc>", "ZERO", "variable"),
        ("<Calc>", "add", "method"),
        ("<Calc>", "sub", "method"),
        ("Calc", "fmt::Display for Calc<'a>", "impl"),
        ("<Calc<'a> as fmt::Display>", "fmt", "method"),
        ("", "Shape", "type"),
        ("Shape", "area", "method"),
        ("Shape", "name", "method"),
        ("", "imp", "module"),
        ("imp", "helper", "method"),
        ("imp", "other", "method"),
        ("", "sys", "module"),
        ("", "sys", "module"),
        ("", "strlen", "method"),
        ("", "abs", "method"),
        ("", "os", "method"),
        ("", "os", "method"),
    ]
    lines = LIB.splitlines()
    assert [lines[m.line] for m in rust_members(LIB)][:2] == ["pub fn page_size() -> usize {"] * 2
    assert {
        "",
        "Calc",
        "Op",
        "Op::Mul",
        "Shape",
        "imp",
        "<Calc>",
        "<Calc<'a> as fmt::Display>",
    } <= (rust_classes(LIB))


@pytest.mark.parametrize(
    ("edit", "lost"),
    [
        # the windows variant: cargo test on linux never builds it
        (lambda t: _without(t, "#[cfg(windows)]\npub fn", "\n}\n"), ["page_size"]),
        (lambda t: _without(t, "    pub fn other()", "    }\n"), ["imp::other"]),
        (lambda t: _without(t, "    fn name(&self)", "    }\n"), ["Shape::name"]),
        (lambda t: t.replace("    Neg(i32),\n", ""), ["Op::Neg"]),
        (lambda t: t.replace(", round: bool", ""), ["Op::Mul::round"]),
        # a struct variant that went is reported by itself, not field by field
        (lambda t: t.replace("    Mul { by: i32, round: bool },\n", ""), ["Op::Mul"]),
        (lambda t: t.replace("    #[allow(dead_code)]\n    name: &'a str,\n", ""), ["Calc::name"]),
        (lambda t: t.replace("    pub const ZERO: i32 = 0;\n", ""), ["Calc::ZERO"]),
        (lambda t: _without(t, "    pub fn sub(", "    }\n"), ["Calc::sub"]),
        (
            lambda t: _without(t, "impl<'a> fmt::Display", "\n}\n"),
            ["impl fmt::Display for Calc<'a>"],
        ),
        (lambda t: t.replace("    fn abs(x: i32) -> i32;\n", ""), ["abs"]),
        (lambda t: t.replace('        fn os() -> &\'static str { "other" }\n', ""), ["os"]),
        (
            lambda t: t.replace('#[cfg(windows)]\n#[path = "windows.rs"]\nmod sys;\n', ""),
            ["mod sys"],
        ),
        (lambda t: _without(t, "macro_rules! square", "\n}\n"), ["macro_rules! square"]),
    ],
)
def test_a_declaration_no_test_needs_dropped_is_lost(edit, lost) -> None:  # type: ignore[no-untyped-def]
    new = edit(LIB)
    assert new != LIB
    assert dropped_definitions(LIB, new, "src/lib.rs") == lost
    # the instruction asking for it: no loss
    bare = lost[0].split("::")[-1].split()[-1].split("<")[0]
    assert dropped_definitions(LIB, new, "src/lib.rs", instruction=f"Remove {bare}") == []


def test_what_changes_no_declaration_is_no_loss() -> None:
    same = [
        LIB.replace("a - b", "b - a"),  # a body
        LIB.replace("        fn inner() {}\n        inner();\n", ""),  # a function in a body
        LIB.replace('r#"a raw "}" string"#', '"{"'),  # braces in strings
        LIB.replace("/* nested */", "/* { nested */"),  # a brace in a comment
        # a method moved to another impl block of its type, and a reformatted header
        _without(LIB, "    pub fn sub(", "    }\n")
        + "\nimpl<'a>\n    Calc<'a>\n{\n    pub fn sub(&self, a: i32, b: i32) -> i32 { a - b }\n}\n",
        # the items in another order
        _without(LIB, "pub const LIMIT", "\n") + "\npub const LIMIT: u32 = 11;\n",
    ]
    for new in same:
        assert new != LIB
        assert dropped_definitions(LIB, new, "src/lib.rs") == [], new


def test_a_type_that_went_takes_its_impls_with_it() -> None:
    # renamed as asked: neither the type nor its impls are lost
    renamed = LIB.replace("Calc", "Calculator")
    assert dropped_definitions(LIB, renamed, "src/lib.rs", instruction="Rename Calc") == []
    assert dropped_definitions(LIB, renamed, "src/lib.rs", instruction="Fix add") == ["Calc"]


def test_the_code_view_keeps_code_and_lifetimes_and_empties_the_rest() -> None:
    text = (
        "fn f<'a>(x: &'a str) -> char { 'x' } // a comment {\n"
        '/* one /* two */ still */ let s = b"}"; let c = \'\\\'\'; let r = br##"a"#b"##;\n'
        "'outer: loop { break 'outer; }\n"
    )
    assert code_view(text) == [
        "fn f<'a>(x: &'a str) -> char { '' } ",
        ' let s = ""; let c = \'\'; let r = "";',
        "'outer: loop { break 'outer; }",
    ]
