"""The trust benchmark's Go and Rust edits (``benchmarks/trust_native.py``): functions
found by their gofmt / rustfmt layout, a panic put at a body's first line, a function
dropped with its attributes and doc comment, ``os`` imported for an ``os.Exit(0)``."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from types import ModuleType

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"

GO = """package calc

import "fmt"

// Add adds.
func Add(a, b int) int {
\treturn a + b
}

func (c *Calc) Show() string {
\treturn fmt.Sprint(c.n)
}
"""

RUST = """pub struct Calc;

impl Calc {
    /// Adds.
    #[inline]
    pub fn add(a: i32, b: i32) -> i32 {
        a + b
    }

    pub const fn zero() -> i32 {
        0
    }
}

pub trait Named {
    fn name(&self) -> String;
}
"""


@pytest.fixture(scope="module")
def native() -> ModuleType:
    sys.path.insert(0, str(BENCHMARKS))
    try:
        return importlib.import_module("trust_native")
    finally:
        sys.path.remove(str(BENCHMARKS))


def test_go_functions_and_a_panic(native: ModuleType) -> None:
    funcs = native.functions(GO, "go")
    assert [(f.name, f.head, f.open, f.end, f.public) for f in funcs] == [
        ("Add", 5, 5, 7, True),
        ("Show", 9, 9, 11, True),
    ]
    broken = native._panicking(GO, funcs[0], "go")
    assert 'func Add(a, b int) int {\n\tpanic("broken by verify_trust")\n\treturn' in broken


def test_rust_functions_skip_a_trait_declaration(native: ModuleType) -> None:
    funcs = native.functions(RUST, "cargo")
    assert [(f.name, f.indent) for f in funcs] == [("add", "    "), ("zero", "    ")]
    dropped = native._dropped(RUST, funcs[0])
    assert "Adds" not in dropped and "#[inline]" not in dropped and "fn add" not in dropped
    assert "pub const fn zero" in dropped


def test_exit_in_the_code_imports_os_and_skips_const_fns(native: ModuleType) -> None:
    go = native._exiting("calc.go", GO, native.functions(GO, "go"), "Add(1, 2)", "go")
    text = go.files["calc.go"]
    assert (
        text.startswith('package calc\n\nimport "os"\n') and "{\n\tos.Exit(0)\n\treturn a" in text
    )
    rust = native._exiting("src/lib.rs", RUST, native.functions(RUST, "cargo"), "zero()", "cargo")
    assert rust.note == "add"  # (zero, named by the tests, is a const fn)


def test_a_go_method_another_type_keeps_the_name_of_is_dropped(native: ModuleType) -> None:
    text = GO + (
        "\n// Show shows a bag.\nfunc (b Bag) Show() string { return fmt.Sprint(b.n) }\n"
        "\nfunc (b Bag) Size() int {\n\treturn b.n\n}\n"
    )
    funcs = native.functions(text, "go") + native._one_liners(text)
    show = next(f for f in funcs if f.name == "Show" and f.head == 9)
    # Calc.Show ran in no test: it is the one dropped, though Bag.Show comes later
    (trial,) = native._namesake_trial("calc.go", text, funcs, {show: False})
    assert (trial.name, trial.note) == ("drop a method another type keeps the name of", "Calc.Show")
    assert "func (c *Calc) Show" not in trial.files["calc.go"]
    assert "func (b Bag) Show" in trial.files["calc.go"]
    # nothing measured: the last of them, with its doc comment
    (trial,) = native._namesake_trial("calc.go", text, funcs, {})
    assert trial.note == "Bag.Show" and "Show shows a bag" not in trial.files["calc.go"]
    # no other type has a method of the name: no trial
    assert native._namesake_trial("calc.go", GO, native.functions(GO, "go"), {}) == []
