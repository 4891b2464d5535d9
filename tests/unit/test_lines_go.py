"""``verifier.lines_go``: go's coverage profile read back into the statement lines of a
Go file, what an edit changed in them, the flags that ask go for it and what makes a
traced run suspect; the go runs themselves: tests/verifier/test_unrun_lines_go.py."""

from __future__ import annotations

import subprocess
from pathlib import Path

import attrs
from acrouter.domain import Verdict
from acrouter.verifier.lines import Change, Traced, merge, with_lines
from acrouter.verifier.lines_go import (
    code_columns,
    go_change,
    import_name,
    module_path,
    packages,
    parse_profile,
    read_profile,
    statement_lines,
)
from acrouter.verifier.lines_gotrace import (
    DIRS,
    LISTER,
    PROFILE,
    SHIM_DIR,
    built_from,
    cover_argv,
    listed_folders,
    lister,
    named,
    shim,
)
from acrouter.verifier.lines_run import Asked, asked, read_run, suspect, traced_spec
from acrouter.verifier.runtypes import RunOutcome, RunSpec

SRC = """\
package calc

import "fmt"

// Sign says which side of 0 x is on.
func Sign(x int) string {
	if x > 0 {
		return fmt.Sprintf("%d//+",
			x) /* a comment */
	} else if x < 0 {
		return `-
// still the string`
	}
	switch x {
	case 0:
		return "0"
	}
	return "?"
}

var Global = 3
"""
#: what go 1.19 writes for SRC when a test calls Sign(1) and, in another test binary,
#: Sign(0) (the same blocks again, counted there); with a line of another file and one
#: that is no block
PROFILE_TEXT = """\
mode: set
example.com/calc/calc.go:6.25,7.11 1 1
example.com/calc/calc.go:14.2,14.11 1 0
example.com/calc/calc.go:18.2,18.12 1 0
example.com/calc/calc.go:7.11,10.3 1 1
example.com/calc/calc.go:10.8,10.18 1 0
example.com/calc/calc.go:10.18,13.3 1 0
example.com/calc/calc.go:15.9,16.13 1 0
example.com/calc/other.go:3.10,4.2 0 0
garbage line
example.com/calc/calc.go:6.25,7.11 1 1
example.com/calc/calc.go:14.2,14.11 1 1
example.com/calc/calc.go:18.2,18.12 1 0
example.com/calc/calc.go:7.11,10.3 1 0
example.com/calc/calc.go:10.8,10.18 1 1
example.com/calc/calc.go:10.18,13.3 1 0
example.com/calc/calc.go:15.9,16.13 1 1
"""


def _cols(src: str, line: int) -> str:
    text = src.split("\n")[line - 1].encode()
    return bytes(text[c - 1] for c in code_columns(src)[line][0]).decode()


def test_code_columns_leave_out_comments_blanks_and_braces() -> None:
    cols = code_columns(SRC)
    assert sorted(cols) == [1, 3, 6, 7, 8, 9, 10, 11, 12, 14, 15, 16, 18, 21]
    assert _cols(SRC, 6) == "funcSign(xint)string"  # the opening brace: not code
    assert _cols(SRC, 8) == 'returnfmt.Sprintf("%d//+",'  # a // in a string is no comment
    assert _cols(SRC, 9) == "x)"  # the comment after it is left out
    assert _cols(SRC, 10) == "elseifx<0"  # the closing brace it starts with too
    assert _cols(SRC, 12) == "// still the string`"  # inside a raw string: all of it
    assert cols[15][1] and not cols[14][1]  # ``case 0:`` starts a clause
    # columns are bytes, as go counts them: an "é" takes two
    assert code_columns('s := "é" + x\n')[1][0] == [1, 3, 4, 6, 7, 8, 9, 11, 13]


def test_the_profile_merges_test_binaries_and_keeps_the_wanted_files() -> None:
    profile = parse_profile(PROFILE_TEXT)
    assert sorted(profile) == ["example.com/calc/calc.go", "example.com/calc/other.go"]
    calc = profile["example.com/calc/calc.go"]
    assert len(calc) == 7
    assert calc[(7, 11, 10, 3, 1)] and calc[(14, 2, 14, 11, 1)]  # ran in either binary
    assert not calc[(10, 18, 13, 3, 1)]
    assert list(parse_profile(PROFILE_TEXT, {"example.com/calc/other.go"})) == [
        "example.com/calc/other.go"
    ]
    assert parse_profile("example.com/calc/calc.go:6.26,7.11 1 1\n") == {}  # no mode line


def test_statement_lines_are_those_a_block_holds() -> None:
    blocks = parse_profile(PROFILE_TEXT)["example.com/calc/calc.go"]
    assert statement_lines(SRC, blocks) == {
        7: True,  # the if: the function's first block
        8: True,
        9: True,  # a statement's second line
        10: True,  # the else-if's condition (not ``} else``): Sign(0) asked
        11: False,
        12: False,  # a raw string's second line
        14: True,
        15: True,  # ``case 0:``: the clause that starts on it
        16: True,
        18: False,
    }  # not: the func header, comments, braces, ``var Global`` (no block holds them)


def test_changed_statement_lines_and_removals() -> None:
    blocks = parse_profile(PROFILE_TEXT)["example.com/calc/calc.go"]
    statements = statement_lines(SRC, blocks)
    old = SRC.replace('return "?"', 'return "?!"').replace(
        "func Sign(x int) string {", "func Sign(x int8) string {"
    )
    old = old.replace("// still the string`\n\t}\n", "// still the string`\n\t}\n\tx++\n")
    old = old.replace("Sign says", "Sign tells").replace("Global = 3", "Global = 4")
    change = go_change("calc.go", old, SRC, statements)
    # line 18 changed; the header, the comment and the global are no statements; the
    # removed ``x++`` sat before ``switch x`` (line 14), which ran
    assert change == Change("calc.go", ((18, 18),), (((14, 14), (14, 14)),))
    assert go_change("calc.go", SRC.replace("Sign says", "Sign tells"), SRC, statements) is None


def test_the_file_is_found_by_the_module_of_its_go_mod(tmp_path: Path) -> None:
    assert module_path('// m\nmodule "example.com/q" // the module\n') == "example.com/q"
    assert module_path("go 1.19\n") is None
    (tmp_path / "svc/sub").mkdir(parents=True)
    (tmp_path / "svc/go.mod").write_text("module example.com/calc\n\ngo 1.19\n")
    assert import_name(tmp_path, "svc/sub/x.go") == "example.com/calc/sub/x.go"
    assert import_name(tmp_path, "svc/x.go") == "example.com/calc/x.go"
    assert import_name(tmp_path, "elsewhere/x.go") is None  # no go.mod above it
    rels = ["svc/sub/x.go", "svc/sub/y.go", "svc/x.go", "elsewhere/x.go"]
    assert packages(tmp_path, rels) == ["example.com/calc", "example.com/calc/sub"]


def test_read_profile_and_read_run(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "go.mod").write_text("module example.com/calc\n")
    out = tmp_path / "out"
    out.mkdir()
    old = SRC.replace('return "?"', 'return "??"')
    files = {"calc.go": (old, SRC), "gone.go": ("package calc\n", "package calc\n\nvar X = 1\n")}
    assert read_profile(out, str(ws), files) is None  # go wrote no profile
    (out / PROFILE).write_text(PROFILE_TEXT)
    t = read_profile(out, str(ws), files)
    assert t == Traced(
        {"calc.go": frozenset({7, 8, 9, 10, 14, 15, 16})},
        True,
        frozenset({"gone.go"}),  # not in the profile: not measured
        changes=(Change("calc.go", ((18, 18),)),),
    )
    # a profile of another text (blocks past the file's end): not measured
    short = {"calc.go": ("package calc\n", "package calc\n\nfunc F() {}\n")}
    assert read_profile(out, str(ws), short) == Traced({}, True, frozenset({"calc.go"}))
    ask = asked({"calc.go": SRC, "calc_test.go": "package calc\n"}, {"calc.go": old})
    assert ask.go == {"calc.go": (old, SRC)} and ask.changes == () and ask
    assert read_run(out, str(ws), ask) == Traced(
        {"calc.go": frozenset({7, 8, 9, 10, 14, 15, 16})},
        True,
        frozenset(),
        changes=(Change("calc.go", ((18, 18),)),),
    )


def test_the_changes_the_run_told_join_the_summary() -> None:
    told = Traced({"calc.go": frozenset({7})}, True, changes=(Change("calc.go", ((18, 18),)),))
    again = Traced({"calc.go": frozenset({8})}, True, changes=told.changes)
    assert merge([told, again]) == Traced(
        {"calc.go": frozenset({7, 8})}, True, changes=told.changes
    )
    v = with_lines(Verdict("pass", detail="1 passed"), [], [told, again])
    assert v.unrun == "no test ran 1 of the 1 statements the edit changes: calc.go line 18"


def test_the_coverage_flags_and_what_keeps_them_out() -> None:
    out = "/o d"
    pkgs = ["example.com/calc", "example.com/calc/sub"]
    flags = (f"-coverprofile={out}/{PROFILE}", "-coverpkg=example.com/calc,example.com/calc/sub")
    script = f"{out}/{LISTER}"
    assert cover_argv(("go", "test", "-json", "./..."), "go", out, {}, pkgs) == (
        "/bin/sh",
        script,
        "go",
        "test",
        *flags,
        "-json",
        "./...",
    )
    line = ("/bin/sh", "-c", "cd svc && go test -json ./...")
    assert cover_argv(line, "go", out, {}, pkgs[:1]) == (
        "/bin/sh",
        "-c",
        (
            "cd svc && /bin/sh '/o d/acrouter-go-list.sh' go test "
            "'-coverprofile=/o d/acrouter-go.cover' -coverpkg=example.com/calc -json ./..."
        ),
    )
    # go named by its path, after variables, in a pipeline: the whole word is run
    line = ("/bin/sh", "-c", "GOFLAGS=-mod=vendor /usr/lib/go/bin/go test ./...|tee log")
    assert cover_argv(line, "go", out, {}, pkgs[:1]) == (
        "/bin/sh",
        "-c",
        (
            "GOFLAGS=-mod=vendor /bin/sh '/o d/acrouter-go-list.sh' /usr/lib/go/bin/go test "
            "'-coverprofile=/o d/acrouter-go.cover' -coverpkg=example.com/calc ./...|tee log"
        ),
    )
    # the command's own coverage, in its flags or in GOFLAGS
    for argv in (
        ("go", "test", "-json", "-cover", "./..."),
        ("go", "test", "-json", "-coverprofile=c.out"),
        ("go", "test", "-json", "--covermode=atomic"),
        ("go", "test", "-json", "-test.coverprofile", "c.out"),
        ("/bin/sh", "-c", "GOFLAGS=-coverpkg=./... go test -json ./..."),
    ):
        assert cover_argv(argv, "go", out, {}, pkgs) is None, argv
    go_test = ("go", "test", "./...")
    assert cover_argv(go_test, "go", out, {"GOFLAGS": "-cover -mod=mod"}, pkgs) is None
    assert cover_argv(("go", "test", "./x-cover/..."), "go", out, {"GOFLAGS": "-mod=mod"}, pkgs)
    # go 1.20's -C, which must come first and which the script's go list would not follow
    for argv in (("go", "test", "-C", "svc", "./..."), ("/bin/sh", "-c", "go test --C=svc ./...")):
        assert cover_argv(argv, "go", out, {}, pkgs) is None, argv
    assert cover_argv(("go", "test", "-Cx", "./..."), "go", out, {}, pkgs)  # not -C
    # not go test, a line where go test shows twice, no package
    assert cover_argv(("make", "test"), None, out, {}, pkgs) is None
    twice = ("/bin/sh", "-c", "echo go test && go test ./...")
    assert cover_argv(twice, "go", out, {}, pkgs) is None
    assert cover_argv(go_test, "go", out, {}, []) is None


def test_traced_spec_and_what_makes_a_go_run_suspect(tmp_path: Path) -> None:
    ws = str(tmp_path / "ws")
    Path(ws).mkdir()
    Path(ws, "go.mod").write_text("module example.com/calc\n")
    ask = Asked(go={"calc.go": ("a", "b")})
    spec = RunSpec(("go", "test", "-json", "./..."), ws, {"PATH": "/bin"}, 10.0)
    traced, still = traced_spec(spec, "go", str(tmp_path), ws, ask)
    assert still == ask and traced.env == spec.env
    assert traced.argv[:6] == (
        "/bin/sh",
        f"{tmp_path}/{LISTER}",
        "go",
        "test",
        f"-coverprofile={tmp_path}/{PROFILE}",
        "-coverpkg=example.com/calc",
    )
    # the script the traced command runs is written beside the profile
    assert (tmp_path / LISTER).read_text() == lister(str(tmp_path), ["example.com/calc"])
    # go test out of the planner's sight (make test): a go first on the PATH
    traced, still = traced_spec(spec, None, str(tmp_path), ws, ask)
    assert still == ask and traced.argv == spec.argv
    assert traced.env == {"PATH": f"{tmp_path}/{SHIM_DIR}:/bin"}
    assert (tmp_path / SHIM_DIR / "go").read_text() == shim(str(tmp_path), ["example.com/calc"])
    assert traced_spec(spec, "go", str(tmp_path), str(tmp_path), ask) == (spec, None)  # no go.mod
    # coverage the command asks for itself: in GOFLAGS nothing is added, in its flags the
    # go first on the PATH runs it as it is
    both = Asked(js={"f.js": "x"}, go={"calc.go": ("a", "b")})
    own = attrs.evolve(spec, env={**spec.env, "GOFLAGS": "-cover"})
    traced, still = traced_spec(own, "go", str(tmp_path), ws, both)
    assert still == Asked(js={"f.js": "x"}) and traced.argv == spec.argv
    assert "NODE_V8_COVERAGE" in traced.env and traced.env["PATH"] == "/bin"
    traced, still = traced_spec(attrs_argv(spec, "-cover"), "go", str(tmp_path), ws, both)
    assert still == both and traced.argv == (*spec.argv, "-cover")

    def run(
        code: int | None, output: str = "", timed_out: bool = False, killed: str | None = None
    ) -> RunOutcome:
        return RunOutcome(code, timed_out, killed, output, len(output), 1.0, 1)

    ok = '{"Output":"ok  \\texample.com/calc\\t0.003s\\tcoverage: 45.5% of statements in ./...\\n"}'
    fail = (
        '{"Output":"--- FAIL: TestAdd (0.00s)\\n"}\n{"Output":"coverage: 45.5% of statements\\n"}'
    )
    assert not named(ok) and not named(fail) and not named("coverage: [no statements]")
    assert not named("panic: boom [recovered]")
    assert named("this suite runs without coverage") and named('testing.CoverMode() == "set"')
    assert named("FAIL\texample.com/calc/sub [build failed]")
    assert not suspect(ask, run(1, fail))  # a test's own failure: the edit's
    assert suspect(ask, run(1, fail + "\nwant CoverMode() empty"))
    assert suspect(ask, run(None, timed_out=True))
    assert suspect(ask, run(None, killed="they wrote more than 2 GiB into the workspace"))
    assert not suspect(ask, run(0, "coverage mode set"))
    assert not suspect(Asked(js={"f.js": "x"}), run(1, "coverage off"))  # node's rule


def attrs_argv(spec: RunSpec, *extra: str) -> RunSpec:
    return attrs.evolve(spec, argv=(*spec.argv, *extra))


def test_the_lister_writes_where_go_takes_each_package_from_then_runs_the_command(
    tmp_path: Path,
) -> None:
    # a stand-in for go: "list" prints the folders it is asked for, anything else echoes
    fake = tmp_path / "go"
    fake.write_text(
        "#!/bin/sh\n"
        'if [ "$1" = list ]; then echo "args: $*" >&2; echo "example.com/lib /m/lib@v1"; '
        'echo "example.com/gone "; exit 0; fi\n'
        'echo "ran: $*"\n'
    )
    fake.chmod(0o755)
    out = str(tmp_path)
    (tmp_path / LISTER).write_text(lister(out, ["example.com/lib", "example.com/gone"]))
    done = subprocess.run(
        ["/bin/sh", f"{out}/{LISTER}", str(fake), "test", "-mod=vendor", "--modfile", "x.mod"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout == "ran: test -mod=vendor --modfile x.mod\n"
    assert done.stderr == ""  # go list's own messages are not the tests' output
    assert (tmp_path / DIRS).read_text() == "example.com/lib /m/lib@v1\nexample.com/gone \n"
    # a package go could not find has no folder
    assert listed_folders(out) == {"example.com/lib": {"/m/lib@v1"}}
    # go list was asked with the command's -mod and -modfile, in either form
    (tmp_path / LISTER).write_text(
        lister(out, ["x"]).replace("2>/dev/null", "2>" + str(tmp_path / "asked"))
    )
    subprocess.run(
        ["/bin/sh", f"{out}/{LISTER}", str(fake), "test", "-mod=vendor", "--modfile", "x.mod"],
        check=True,
    )
    assert (
        (tmp_path / "asked").read_text().startswith("args: list -e -mod=vendor --modfile x.mod -f ")
    )


def test_a_package_built_from_another_folder_names_the_copy() -> None:
    ws = "/w/s"
    # the workspace's own folder, in one go test of two, or through a link: the edit
    assert built_from(ws, "lib/calc.go", {"/w/s/lib"}) is None
    assert built_from(ws, "lib/calc.go", {"/w/s/app/vendor/example.com/lib", "/w/s/lib"}) is None
    assert built_from(ws, "calc.go", {"/w/s"}) is None
    assert built_from(ws, "lib/calc.go", set()) is None
    # another copy: inside the workspace by its relative path, outside by its own
    assert (
        built_from(ws, "lib/calc.go", {"/w/s/app/vendor/example.com/lib"})
        == "app/vendor/example.com/lib/calc.go"
    )
    assert (
        built_from(ws, "lib/calc.go", {"/root/go/pkg/mod/example.com/lib@v1.0.0"})
        == "/root/go/pkg/mod/example.com/lib@v1.0.0/calc.go"
    )
