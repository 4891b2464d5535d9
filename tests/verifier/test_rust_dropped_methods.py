"""A method dropped from a Rust ``impl`` block is a loss: the guard refuses it before any
test runs.

The guard's line patterns saw only what starts at column 0 (a Rust ``impl``'s methods
are indented), and which lines of a built ``.rs`` file ``cargo test`` ran is not
measured: an edit deleting ``Calc::sub``, which no test calls, was verified (*pass*, 1
passed, counted) by ``acrouter verify``.  Met while adding Debian's itoa and semver to
``benchmarks/verify_trust.py`` (whose *drop an untested trait impl* row was refused:
an ``impl`` at column 0 is a definition; its methods alone were not).  Go's methods
(``func (c Calc) Sub()``, at column 0) were already read, by name (and now with their
receiver's type: ``test_go_dropped_methods.py``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from acrouter.definitions import dropped_definitions
from acrouter.domain import Edit
from acrouter.verifier.cli import verify_edit

from .helpers import OVERLAY_AND_NONE, needs_cargo, verifier, write_tree

CALC = """\
pub struct Calc;

impl Calc {
    /// Adds.
    pub fn add(a: i32, b: i32) -> i32 {
        a + b
    }

    pub fn sub(a: i32, b: i32) -> i32 {
        fn inner() {}
        inner();
        a - b
    }
}

impl std::fmt::Display for Calc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "calc")
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn adds() {
        assert_eq!(super::Calc::add(2, 3), 5);
    }
}
"""
SUB = """
    pub fn sub(a: i32, b: i32) -> i32 {
        fn inner() {}
        inner();
        a - b
    }
"""
WITHOUT_SUB = CALC.replace(SUB, "")


def test_a_method_of_an_impl_dropped_is_lost() -> None:
    assert SUB in CALC
    assert dropped_definitions(CALC, WITHOUT_SUB, "src/lib.rs") == ["Calc::sub"]
    # asked for, moved to another impl block of the type, or a body changed: no loss
    assert dropped_definitions(CALC, WITHOUT_SUB, "src/lib.rs", instruction="Remove sub") == []
    moved = WITHOUT_SUB + "\nimpl Calc {" + SUB + "}\n"
    assert dropped_definitions(CALC, moved, "src/lib.rs") == []
    assert dropped_definitions(CALC, CALC.replace("a - b", "b - a"), "src/lib.rs") == []
    # a trait impl's method, and a function nested in a method body is none
    no_fmt = CALC.replace('        write!(f, "calc")\n', "").replace(
        "    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {\n    }\n", ""
    )
    assert "fn fmt" not in no_fmt
    assert dropped_definitions(CALC, no_fmt, "src/lib.rs") == ["<Calc as std::fmt::Display>::fmt"]
    no_inner = CALC.replace("        fn inner() {}\n        inner();\n", "")
    assert dropped_definitions(CALC, no_inner, "src/lib.rs") == []


def test_a_type_renamed_as_asked_loses_no_method_but_an_impl_deleted_does() -> None:
    # the type renamed (asked for): its methods go with it, as a Python class's members;
    # before, "Rename Calc to Calculator" was refused for Calc.add, Calc.sub and Calc.fmt
    renamed = CALC.replace("Calc", "Calculator")
    ask = "Rename Calc to Calculator"
    assert dropped_definitions(CALC, renamed, "src/lib.rs", instruction=ask) == []
    # not asked for: the type is the loss
    assert dropped_definitions(CALC, renamed, "src/lib.rs", instruction="Fix add") == ["Calc"]
    # the type kept, the impl block deleted or moved to another type: the block is lost
    # (with its methods), and so is a trait's impl
    no_impl = CALC.replace("impl Calc {", "impl Other {")
    assert dropped_definitions(CALC, no_impl, "src/lib.rs") == ["impl Calc"]
    start, end = CALC.index("impl Calc {"), CALC.index("impl std::fmt")
    deleted = CALC[:start] + CALC[end:]
    assert dropped_definitions(CALC, deleted, "src/lib.rs") == ["impl Calc"]
    start, end = CALC.index("impl std::fmt"), CALC.index("#[cfg(test)]")
    no_display = CALC[:start] + CALC[end:]
    assert dropped_definitions(CALC, no_display, "src/lib.rs") == [
        "impl std::fmt::Display for Calc"
    ]


@needs_cargo
@pytest.mark.parametrize("mode", OVERLAY_AND_NONE)
def test_acrouter_verify_refuses_the_dropped_method(
    tmp_path: Path, mode: dict[str, object]
) -> None:
    cargo = '[package]\nname = "calc"\nversion = "0.1.0"\nedition = "2018"\n'
    root = write_tree(tmp_path / "calc", {"Cargo.toml": cargo, "src/lib.rs": CALC})
    ver = verifier(cache_dir=tmp_path / "cache", timeout_s=240, **mode)
    command = "cargo test --offline"
    v = verify_edit(ver, str(root), Edit(files={"src/lib.rs": WITHOUT_SUB}), command)
    assert v.verdict == "error" and not v.counted, v.detail
    assert "Calc::sub" in v.detail and "did not ask to remove" in v.detail, v.detail
    # with its removal allowed the tests run and pass: none calls sub()
    allowed = verify_edit(
        ver, str(root), Edit(files={"src/lib.rs": WITHOUT_SUB}), command, allow_removal=True
    )
    assert allowed.verdict == "pass", allowed.detail


PAGES = """\
#[cfg(unix)]
pub fn page_size() -> usize {
    4096
}

#[cfg(windows)]
pub fn page_size() -> usize {
    65536
}

#[cfg(test)]
mod tests {
    #[test]
    fn pages() {
        assert!(super::page_size() >= 4096);
    }
}
"""
WINDOWS = """
#[cfg(windows)]
pub fn page_size() -> usize {
    65536
}
"""


@needs_cargo
@pytest.mark.parametrize("mode", OVERLAY_AND_NONE)
def test_the_variant_for_another_platform_dropped_is_refused_before_cargo_passes_it(
    tmp_path: Path, mode: dict[str, object]
) -> None:
    """``cargo test`` here builds the unix variant only: the windows one deleted still
    built and passed ("1 passed", counted) while the unix one kept the name; every
    ``#[cfg]`` variant now counts."""
    assert WINDOWS in PAGES
    cargo = '[package]\nname = "pages"\nversion = "0.1.0"\nedition = "2018"\n'
    root = write_tree(tmp_path / "pages", {"Cargo.toml": cargo, "src/lib.rs": PAGES})
    ver = verifier(cache_dir=tmp_path / "cache", timeout_s=240, **mode)
    edit = Edit(files={"src/lib.rs": PAGES.replace(WINDOWS, "")})
    v = verify_edit(ver, str(root), edit, "cargo test --offline")
    assert v.verdict == "error" and not v.counted, v.detail
    assert "src/lib.rs that the instruction did not ask to remove: page_size" in v.detail
    # the tests cannot tell: with the removal allowed they run, and pass
    allowed = verify_edit(ver, str(root), edit, "cargo test --offline", allow_removal=True)
    assert allowed.verdict == "pass", allowed.detail
