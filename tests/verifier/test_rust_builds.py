"""``cargo test`` that never compiled the edited ``.rs`` file (``verifier.lines_rust``): a
file no ``mod`` includes ran none of its lines (the pass's warning, not learned), and
tests built from another copy of the edited crate (a path dependency to a vendored
folder, a ``[source]`` replacement) are an error.  Through ``ProjectVerifier.verify``
with the real ``cargo test`` (offline: path dependencies and vendored folders only), and
on dep-info and Rust texts."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from acrouter.domain import Edit
from acrouter.verifier.lines_cargo import dep_info_sources
from acrouter.verifier.lines_rust import code_lines

from .helpers import (
    MODES,
    needs_bwrap,
    needs_cargo,
    says_no_unrun_rust_line,
    task_for,
    verifier,
    write_tree,
)

CARGO = '[package]\nname = "{}"\nversion = "0.1.0"\nedition = "2018"\n'
CALC = "pub fn add(a: i32, b: i32) -> i32 {\n    a + b\n}\n"
UNIT_TEST = (
    "\n#[cfg(test)]\nmod tests {\n    #[test]\n    fn adds() {\n"
    "        assert_eq!(super::add(2, 3), 5);\n    }\n}\n"
)
EXTRA = "pub fn sub(a: i32, b: i32) -> i32 {\n    a - b\n}\n"
APP_TEST = "#[test]\nfn adds() {\n    assert_eq!(calc::add(2, 3), 5);\n}\n"
BROKEN = {"calc/src/lib.rs": CALC.replace("a + b", "a - b")}
#: the words of the error for tests built from vendor/calc
BUILT_COPY = (
    "the tests never ran the edit: they built vendor/calc/src/lib.rs instead of calc/src/lib.rs"
)
CMD = "cargo test --offline"


def _crate(path: str = "calc/src/lib.rs", text: str = CALC) -> dict[str, str]:
    folder = path.split("/src/")[0]
    return {f"{folder}/Cargo.toml": CARGO.format("calc"), path: text}


def _app(root: Path, dependency: str, extra: dict[str, str] | None = None) -> Path:
    """A workspace whose crate ``app`` tests ``calc::add`` through ``dependency``, with
    ``calc/`` (the crate the edits change) and a copy of it in ``vendor/calc``."""
    files = {
        "Cargo.toml": '[workspace]\nmembers = ["app"]\nexclude = ["calc", "vendor"]\n',
        "app/Cargo.toml": CARGO.format("app") + f"\n[dependencies]\n{dependency}\n",
        "app/src/lib.rs": "pub use calc::add;\n",
        "app/tests/it.rs": APP_TEST,
        **_crate(),
        **_crate("vendor/calc/src/lib.rs"),
        **(extra or {}),
    }
    return write_tree(root, files)


@needs_cargo
@pytest.mark.parametrize("mode", MODES)
def test_a_file_no_mod_includes_ran_none_of_its_lines(
    tmp_path: Path, mode: dict[str, object]
) -> None:
    root = write_tree(
        tmp_path / "a",
        {"Cargo.toml": CARGO.format("calc"), "src/lib.rs": CALC + UNIT_TEST, "src/extra.rs": EXTRA},
    )
    task = task_for(root, CMD, kind="refactoring")
    v = verifier(timeout_s=240, **mode).verify(
        task, Edit(files={"src/extra.rs": EXTRA.replace("a - b", "a + b + 1")}), "m"
    )
    # rustc never read src/extra.rs: any edit of it passes
    assert v.verdict == "pass" and not v.counted, v.detail
    assert v.unrun == "no test ran 1 of the 1 statements the edit changes: src/extra.rs line 2"
    # included by the same edit: built, and no line is said not to have run
    both = {"src/lib.rs": "pub mod extra;\n" + CALC + UNIT_TEST, "src/extra.rs": EXTRA}
    v = verifier(timeout_s=240, **mode).verify(task, Edit(files=both), "m")
    assert v.verdict == "pass" and v.counted and says_no_unrun_rust_line(v), v.detail


@needs_cargo
@needs_bwrap
def test_a_target_folder_built_before_the_run_is_read_through_the_overlay(
    tmp_path: Path,
) -> None:
    """The user's own ``target/`` holds the fresh units: cargo rebuilds nothing of them,
    and their fingerprints still say what the tests were built from."""
    root = write_tree(
        tmp_path / "a",
        {"Cargo.toml": CARGO.format("calc"), "src/lib.rs": CALC + UNIT_TEST, "src/extra.rs": EXTRA},
    )
    subprocess.run(["cargo", "test", "--offline", "-q"], cwd=root, check=True, capture_output=True)
    task = task_for(root, CMD, kind="refactoring")
    broken = {"src/extra.rs": EXTRA.replace("a - b", "a + b + 1")}
    v = verifier(timeout_s=240).verify(task, Edit(files=broken), "m")
    assert v.verdict == "pass" and not v.counted, v.detail
    assert v.unrun == "no test ran 1 of the 1 statements the edit changes: src/extra.rs line 2"


@needs_cargo
@pytest.mark.parametrize("mode", MODES)
def test_tests_that_built_a_vendored_copy_never_ran_the_edit(
    tmp_path: Path, mode: dict[str, object]
) -> None:
    root = _app(tmp_path / "b", 'calc = { path = "../vendor/calc" }')
    v = verifier(timeout_s=240, **mode).verify(task_for(root, CMD), Edit(files=BROKEN), "m")
    # add broken, and the tests of app passed on vendor/calc
    assert v.verdict == "error" and not v.counted, v.detail
    assert v.untested is not None and v.untested.startswith(BUILT_COPY), v.untested
    assert "cargo vendor" in v.untested


@needs_cargo
@pytest.mark.parametrize("mode", [MODES[0], MODES[2]])
def test_a_source_replacement_to_a_vendored_folder_is_another_copy(
    tmp_path: Path, mode: dict[str, object]
) -> None:
    config = (
        '[source.crates-io]\nreplace-with = "vendored"\n\n[source.vendored]\ndirectory = "vendor"\n'
    )
    checksum = '{"files":{},"package":"' + "0" * 64 + '"}'
    extra = {".cargo/config.toml": config, "vendor/calc/.cargo-checksum.json": checksum}
    root = _app(tmp_path / "b", 'calc = "0.1"', extra)
    v = verifier(timeout_s=240, **mode).verify(task_for(root, CMD), Edit(files=BROKEN), "m")
    assert v.verdict == "error" and v.untested is not None, v.detail
    assert v.untested.startswith(BUILT_COPY), v.untested


@needs_cargo
@pytest.mark.parametrize("mode", [MODES[0], MODES[2]])
def test_the_workspace_crate_itself_is_the_edit(tmp_path: Path, mode: dict[str, object]) -> None:
    root = _app(tmp_path / "b", 'calc = { path = "../calc" }')
    v = verifier(timeout_s=240, **mode).verify(task_for(root, CMD), Edit(files=BROKEN), "m")
    assert v.verdict == "fail", v.detail
    harmless = {"calc/src/lib.rs": "// adds\n" + CALC}
    v = verifier(timeout_s=240, **mode).verify(task_for(root, CMD), Edit(files=harmless), "m")
    assert v.verdict == "pass" and v.counted and says_no_unrun_rust_line(v), v.detail


@needs_cargo
@pytest.mark.parametrize("mode", [MODES[0], MODES[2]])
def test_a_package_at_the_root_that_builds_a_vendored_copy(
    tmp_path: Path, mode: dict[str, object]
) -> None:
    """The root's own sources are named ``src/lib.rs`` too: only ``calc/src/lib.rs``
    itself is the edited file."""
    files = {
        "Cargo.toml": CARGO.format("app") + '\n[dependencies]\ncalc = { path = "vendor/calc" }\n',
        "src/lib.rs": "pub use calc::add;\n",
        "tests/it.rs": APP_TEST,
        **_crate(),
        **_crate("vendor/calc/src/lib.rs"),
    }
    root = write_tree(tmp_path / "r", files)
    v = verifier(timeout_s=240, **mode).verify(task_for(root, CMD), Edit(files=BROKEN), "m")
    assert v.verdict == "error" and v.untested is not None, v.detail
    assert v.untested.startswith(BUILT_COPY), v.untested


CLI_TEST = """\
#[test]
fn prints() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_tool")).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "3\\n");
}
"""


@needs_cargo
@needs_bwrap
def test_a_binary_the_tests_run_is_built_for_them(tmp_path: Path) -> None:
    """A binary with no tests of its own (``test = false``) that an integration test runs
    (``CARGO_BIN_EXE_tool``): no test binary links it, yet the tests ran it."""
    bin_ = '\n[[bin]]\nname = "tool"\npath = "src/main.rs"\ntest = false\n'
    main = 'mod util;\nfn main() {\n    println!("{}", util::add(1, 2));\n}\n'
    files = {
        "Cargo.toml": CARGO.format("tool") + bin_,
        "src/main.rs": main,
        "src/util.rs": CALC,
        "tests/cli.rs": CLI_TEST,
    }
    root = write_tree(tmp_path / "t", files)
    swapped = {"src/util.rs": CALC.replace("a + b", "b + a")}
    v = verifier(timeout_s=240).verify(task_for(root, CMD), Edit(files=swapped), "m")
    assert v.verdict == "pass" and v.counted and says_no_unrun_rust_line(v), v.detail
    broken = {"src/util.rs": CALC.replace("a + b", "a - b")}
    v = verifier(timeout_s=240).verify(task_for(root, CMD), Edit(files=broken), "m")
    assert v.verdict == "fail", v.detail


GEN_BUILD = """\
fn main() {
    let out = std::env::var("OUT_DIR").unwrap();
    std::fs::copy("src/gen.rs", format!("{}/gen.rs", out)).unwrap();
}
"""


@needs_cargo
@needs_bwrap
def test_a_file_a_build_script_copies_is_not_measured(tmp_path: Path) -> None:
    """``build.rs`` copies ``src/gen.rs`` into ``OUT_DIR`` and ``lib.rs`` includes the
    copy: rustc never names ``src/gen.rs``, yet it is built."""
    lib = 'include!(concat!(env!("OUT_DIR"), "/gen.rs"));\n' + UNIT_TEST
    root = write_tree(
        tmp_path / "c",
        {
            "Cargo.toml": CARGO.format("calc"),
            "build.rs": GEN_BUILD,
            "src/lib.rs": lib,
            "src/gen.rs": CALC,
        },
    )
    gen = {"src/gen.rs": "// adds\n" + CALC}
    v = verifier(timeout_s=240).verify(task_for(root, CMD), Edit(files=gen), "m")
    # the build script opened it: counted, and which of its lines ran is said not known
    assert v.verdict == "pass" and v.counted, v.detail
    assert v.unrun.startswith(
        "which lines of src/gen.rs the tests ran is not known: the run's coverage does not "
        "say which of its lines ran"
    ), v.unrun
    broken = {"src/gen.rs": CALC.replace("a + b", "a - b")}
    v = verifier(timeout_s=240).verify(task_for(root, CMD), Edit(files=broken), "m")
    assert v.verdict == "fail", v.detail


STALE_BUILD = GEN_BUILD.replace(
    "fn main() {\n", 'fn main() {\n    println!("cargo:rerun-if-changed=build.rs");\n'
)


@needs_cargo
@needs_bwrap
def test_a_copy_the_build_script_made_before_the_edit_is_no_build_of_it(tmp_path: Path) -> None:
    """The build script reruns only when ``build.rs`` changes: the ``OUT_DIR`` copy of
    ``src/gen.rs`` in the ``target/`` built before is what the tests build."""
    lib = 'include!(concat!(env!("OUT_DIR"), "/gen.rs"));\n' + UNIT_TEST
    files = {"Cargo.toml": CARGO.format("calc"), "build.rs": STALE_BUILD, "src/lib.rs": lib}
    root = write_tree(tmp_path / "c", {**files, "src/gen.rs": CALC})
    subprocess.run(["cargo", "test", "--offline", "-q"], cwd=root, check=True, capture_output=True)
    broken = {"src/gen.rs": CALC.replace("a + b", "a - b")}
    v = verifier(timeout_s=240).verify(task_for(root, CMD), Edit(files=broken), "m")
    assert v.verdict == "error" and v.untested is not None, v.detail
    assert v.untested.startswith(
        "the tests never ran the edit: they built target/debug/build/calc-"
    )
    assert "/out/gen.rs instead of src/gen.rs: a copy the build script made" in v.untested
    assert "cargo:rerun-if-changed=src/gen.rs" in v.untested


#: semver's build script: it probes the compiler and prints cfgs, no OUT_DIR file, no
#: rerun-if-changed (cargo reruns it on any change of the package)
CFG_BUILD = """\
fn main() {
    println!("cargo:rustc-cfg=probed");
}
"""


@needs_cargo
@pytest.mark.parametrize("mode", MODES)
def test_a_file_no_test_built_in_a_crate_with_a_build_script(
    tmp_path: Path, mode: dict[str, object]
) -> None:
    """Debian's semver 1.0.14 (verify_trust): ``src/serde.rs`` is a ``#[cfg(feature =
    "serde")]`` module the tests never build, in a crate whose build script prints cfgs.
    A panic put there was ``pass: 35 passed, 0 failed``, counted: a build script may copy
    the file into ``OUT_DIR`` for an ``include!``, so no unit listing it said nothing.  No
    unit built a file of the script's ``OUT_DIR`` either: no test read the edit."""
    lib = '#[cfg(feature = "extra")]\nmod extra;\n' + CALC + UNIT_TEST
    files = {"Cargo.toml": CARGO.format("calc") + "\n[features]\nextra = []\n"}
    root = write_tree(
        tmp_path / "s",
        {**files, "build.rs": CFG_BUILD, "src/lib.rs": lib, "src/extra.rs": EXTRA},
    )
    task = task_for(root, CMD, kind="refactoring")
    broken = {"src/extra.rs": EXTRA.replace("a - b", 'panic!("broken")')}
    v = verifier(timeout_s=240, **mode).verify(task, Edit(files=broken), "m")
    assert v.verdict == "pass" and not v.counted, v.detail
    assert v.unrun == "no test ran 1 of the 1 statements the edit changes: src/extra.rs line 2"


def test_dep_info_sources() -> None:
    text = (
        "/w/target/debug/deps/calc-0123456789abcdef.d: src/lib.rs src/my\\ mod.rs /v/x.rs\n\n"
        "/w/target/debug/deps/libcalc-0123456789abcdef.rlib: src/lib.rs\n\n"
        "src/lib.rs:\n# env-dep:CARGO_PKG_NAME=calc\n"
    )
    assert dep_info_sources(text) == ["src/lib.rs", "src/my mod.rs", "/v/x.rs", "src/lib.rs"]


def test_code_lines() -> None:
    text = (
        "// a comment\n/* a\n /* nested */\n still */ fn f() -> char {\n"
        '    let s = "// no\n comment";\n    \'"\'\n}\n\n'
    )
    assert code_lines(text) == {4, 5, 6, 7}
