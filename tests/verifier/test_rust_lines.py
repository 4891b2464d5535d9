"""Which changed lines of a Rust file ``cargo test`` ran (``verifier.lines_rustcov``):
an edit that broke a function no test calls passed and was counted, with nothing said
(the file was built, and only files were measured).  Now the pass names the lines no
test ran and is not learned; an edit of a called function stays a counted pass, and a
comment says nothing.  Through ``ProjectVerifier.verify`` with the real ``cargo test``
(small crates without dependencies: offline), and on lcov and ``ar`` texts."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from acrouter.domain import Edit
from acrouter.verifier.lines import UNTRACED
from acrouter.verifier.lines_run import Asked, suspect, untraced
from acrouter.verifier.lines_rust import fn_bodies
from acrouter.verifier.lines_rustcov import ar_members, parse_lcov, tool_pairs
from acrouter.verifier.runtypes import RunOutcome

from .helpers import MODES, needs_cargo, rust_profiler, task_for, verifier, write_tree

needs_llvm_cov = pytest.mark.skipif(not tool_pairs(), reason="llvm-cov is not installed")
needs_profiler = pytest.mark.skipif(
    shutil.which("cargo") is not None and not rust_profiler(),
    reason="the rustc on the PATH has no profiler runtime (Debian's)",
)

CARGO = '[package]\nname = "calc"\nversion = "0.1.0"\nedition = "2018"\n'
LIB = (
    "use std::fmt;\n"  # 1
    "\n"
    "pub fn add(a: i32, b: i32) -> i32 {\n"  # 3
    "    a + b\n"  # 4
    "}\n"
    "\n"
    "pub fn unused(a: i32) -> i32 {\n"  # 7
    "    // doubles\n"  # 8
    "    a * 2\n"  # 9
    "}\n"
    "\n"
    "pub struct P {\n"  # 12
    "    pub x: i32,\n"  # 13
    "}\n"
    "\n"
    "impl fmt::Display for P {\n"
    "    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {\n"
    '        write!(f, "{}", self.x)\n'
    "    }\n"
    "}\n"
    "\n"
    "#[cfg(test)]\n"
    "mod tests {\n"
    "    #[test]\n"
    "    fn adds() {\n"
    "        assert_eq!(super::add(2, 3), 5);\n"
    "    }\n"
    "}\n"
)
IT = "#[test]\nfn adds() {\n    assert_eq!(calc::add(1, 1), 2);\n}\n"
CMD = "cargo test --offline"


def _crate(root: Path, extra: dict[str, str] | None = None) -> Path:
    return write_tree(root, {"Cargo.toml": CARGO, "src/lib.rs": LIB, **(extra or {})})


@needs_cargo
@needs_llvm_cov
@needs_profiler
@pytest.mark.parametrize("mode", MODES)
def test_an_edit_of_a_function_no_test_calls_is_not_learned(
    tmp_path: Path, mode: dict[str, object]
) -> None:
    root = _crate(tmp_path / "a")
    broken = {"src/lib.rs": LIB.replace("a * 2", "a * 3")}
    v = verifier(timeout_s=240, **mode).verify(task_for(root, CMD), Edit(files=broken), "m")
    # the file was built; line 9 never ran
    assert v.verdict == "pass" and not v.counted, v.detail
    assert v.unrun == "no test ran 1 of the 1 statements the edit changes: src/lib.rs line 9"


GATED = LIB.replace(
    "pub struct P {",
    '#[cfg(feature = "extra")]\npub fn triple(a: i32) -> i32 {\n    a * 3\n}\n\npub struct P {',
)


@needs_cargo
@needs_llvm_cov
@needs_profiler
def test_a_function_no_unit_of_the_run_built_did_not_run(tmp_path: Path) -> None:
    """A function behind a feature the tests do not enable has no coverage region: its
    edit was a counted pass with nothing said.  No test ran its lines, and that is said."""
    cargo = CARGO + "\n[features]\nextra = []\n"
    root = write_tree(tmp_path / "g", {"Cargo.toml": cargo, "src/lib.rs": GATED})
    broken = {"src/lib.rs": GATED.replace("a * 3", "a * 4")}
    v = verifier(timeout_s=240).verify(task_for(root, CMD), Edit(files=broken), "m")
    assert v.verdict == "pass" and not v.counted, v.detail
    assert v.unrun == "no test ran 1 of the 1 statements the edit changes: src/lib.rs line 14"
    # with the feature on, the tests build it and its line is judged as any other
    v = verifier(timeout_s=240).verify(
        task_for(root, CMD + " --features extra"), Edit(files=broken), "m"
    )
    assert v.verdict == "pass" and not v.counted, v.detail
    assert v.unrun == "no test ran 1 of the 1 statements the edit changes: src/lib.rs line 14"


def test_fn_bodies() -> None:
    text = (
        "impl<'a, F: Fn() -> u8> fmt::Display for P<'a> {\n"  # 1: a scope, lifetimes
        "    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {\n"  # 2
        "        let c = '{'; let s = r#\"}\"#; 'outer: loop { break 'outer; }\n"  # 3
        '        write!(f, "{}", self.x)\n'  # 4
        "    }\n"  # 5
        "}\n"  # 6
        "macro_rules! m { ($x:expr) => { fn g() { $x } }; }\n"  # 7: no body
        "const X: S = S { a: 1 };\n"  # 8
        "pub(crate) unsafe fn raw<'b>(x: &'b str) -> &'b str where 'b: 'b {\n"  # 9
        "    /* } /* nested } */ */ x\n"  # 10
        "}\n"  # 11
        'extern "C" { fn ext(a: i32); }\n'  # 12
        "trait T { fn d(&self) -> u8 { 1 } fn e(&self); }\n"  # 13
        '#[cfg(feature = "x")]\nfn f() {\n    g(|| { 1 })\n}\n'  # 14-17
    )
    assert fn_bodies(text) == [(2, 5), (9, 11), (13, 13), (15, 17)]


@needs_cargo
@needs_llvm_cov
@needs_profiler
def test_a_line_only_a_doc_test_or_an_integration_test_runs_ran(tmp_path: Path) -> None:
    """Doc-tests run the library's code too (their counts map through the rlib's
    objects), and so do the tests of ``tests/``."""
    doc = "/// ```\n/// assert_eq!(calc::unused(2), 4);\n/// ```\n"
    root = _crate(tmp_path / "a", {"tests/it.rs": IT.replace("add(1, 1), 2", "unused(1), 2")})
    broken = {"src/lib.rs": LIB.replace("a * 2", "a + a")}
    v = verifier(timeout_s=240).verify(task_for(root, CMD), Edit(files=broken), "m")
    assert v.verdict == "pass" and v.counted and not v.unrun, v.detail
    documented = LIB.replace("pub fn unused", doc + "pub fn unused")
    root = _crate(tmp_path / "b", {"src/lib.rs": documented})
    task = task_for(root, CMD)
    broken = {"src/lib.rs": documented.replace("a * 2", "a + a")}
    v = verifier(timeout_s=240).verify(task, Edit(files=broken), "m")
    assert v.verdict == "pass" and v.counted and not v.unrun, v.detail
    # with P's Display, which nothing runs, changed too: only its line is named
    both = broken["src/lib.rs"].replace("self.x)", "self.x + 1)")
    v = verifier(timeout_s=240).verify(task, Edit(files={"src/lib.rs": both}), "m")
    assert v.verdict == "pass" and v.counted, v.detail
    assert v.unrun == "no test ran 1 of the 2 statements the edit changes: src/lib.rs line 21"


@needs_cargo
@needs_llvm_cov
@needs_profiler
@pytest.mark.parametrize("mode", [MODES[0], MODES[2]])
def test_an_edit_of_a_called_function_and_lines_without_code(
    tmp_path: Path, mode: dict[str, object]
) -> None:
    root = _crate(tmp_path / "a", {"tests/it.rs": IT})
    task = task_for(root, CMD)
    # a called function, still right: a counted pass
    called = {"src/lib.rs": LIB.replace("    a + b\n", "    b + a\n")}
    v = verifier(timeout_s=240, **mode).verify(task, Edit(files=called), "m")
    assert v.verdict == "pass" and v.counted and not v.unrun, v.detail
    # with the uncalled function changed too: only its line is named, and the pass,
    # which ran some of the change, still counts
    both = {"src/lib.rs": called["src/lib.rs"].replace("a * 2", "a * 3")}
    v = verifier(timeout_s=240, **mode).verify(task, Edit(files=both), "m")
    assert v.verdict == "pass" and v.counted, v.detail
    assert v.unrun == "no test ran 1 of the 2 statements the edit changes: src/lib.rs line 9"
    # a comment, a use, a field's line in an uncalled function's file: nothing said
    quiet = LIB.replace("// doubles", "// twice a").replace("use std::fmt;", "use std::fmt as fmt;")
    quiet = quiet.replace("pub x: i32,", "pub x: i32, // the value")
    v = verifier(timeout_s=240, **mode).verify(task, Edit(files={"src/lib.rs": quiet}), "m")
    assert v.verdict == "pass" and v.counted and not v.unrun, v.detail
    # the same with line 9 changed: the one statement of the edit, which no test ran
    loud = {"src/lib.rs": quiet.replace("a * 2", "a * 3")}
    v = verifier(timeout_s=240, **mode).verify(task, Edit(files=loud), "m")
    assert v.verdict == "pass" and not v.counted, v.detail
    assert v.unrun == "no test ran 1 of the 1 statements the edit changes: src/lib.rs line 9"


def test_parse_lcov() -> None:
    text = "SF:/w/src/lib.rs\nDA:3,1\nDA:4,0\nDA:4,2\nDA:9,0\nend_of_record\nDA:1,1\n"
    assert parse_lcov(text) == {"/w/src/lib.rs": {3: True, 4: True, 9: False}}


def test_ar_members() -> None:
    long = "calc-0123456789abcdef.cgu.0.rcgu.o"
    names = f"{long}/\n".encode()
    data = b"!<arch>\n"
    data += b"//".ljust(48) + str(len(names)).encode().ljust(10) + b"`\n" + names
    data += b"lib.rmeta/".ljust(48) + b"3".ljust(10) + b"`\n" + b"abc\n"
    data += b"/0".ljust(48) + b"4".ljust(10) + b"`\n" + b"\x7fELF"
    assert list(ar_members(data))[1:] == [("lib.rmeta", b"abc"), (long, b"\x7fELF")]


def test_a_run_the_coverage_may_have_failed_runs_again_without_it() -> None:
    """A rustc whose target lacks the profiler runtime fails the build naming it: the
    run is redone without the coverage, and the pass says which lines ran is not known."""
    out = "error[E0463]: can't find crate for `profiler_builtins`"
    failed = RunOutcome(101, False, None, out, len(out), 1.0, 1)
    asked = Asked(rs={"src/lib.rs": ("a", "b")}, rust_cover=True)
    assert suspect(asked, failed)
    assert untraced(asked).unknown == {"src/lib.rs": UNTRACED}
    # not instrumented: the failure is the edit's, and nothing is said of the file
    plain = Asked(rs={"src/lib.rs": ("a", "b")})
    assert not suspect(plain, failed) and not untraced(plain).unknown
    timed_out = RunOutcome(None, True, None, "", 0, 1.0, 1)
    assert suspect(asked, timed_out) and not suspect(plain, timed_out)
