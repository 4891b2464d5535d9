"""``verify_trust``'s edits of a Go or Rust project (``go test``, ``cargo test``): Debian's
go-difflib, golang-lru, go-spew, xxhash, go-cmp, itoa and semver in ``real_projects``.

Functions are found by line patterns on gofmt / rustfmt layout: a Go ``func`` (or
method) at column 0, a Rust ``fn`` at any indentation (methods of an ``impl`` too), its
body opening on the first line that ends with ``{`` and closing at the first later line
that is ``}`` at the same indentation (a Go one-liner, ``func f() int { return 8 }``, and
what stands in a ``/* ... */`` comment are no functions there).  The edits: a comment (a
control), the function the tests name most made to panic at its first line, a function no
test names made to panic (a pass is right only when not counted: no test ran it) or
dropped (the guard that no definition goes must refuse it), in Go a method dropped while
another type keeps one of its name (the same), a function none of
whose statements ran in the project's ``go test ./...`` (its coverage, measured once at
set-up; a one-liner's body replaced) made to panic, and the first function of Go code
``go test ./...`` never builds made to panic (a file a build constraint leaves out, a
package no test file is in, a file under ``testdata/``; not counted either), the file
cut in half, a test file's tests deleted,
a function of a module behind a cargo feature the tests leave off made to
panic (Rust; a pass is right only when not counted), the broken function's tests made to
exit 0 before they run (Go: ``os.Exit(0)`` in an
``init`` of a test file of the package; Rust: ``std::process::exit(0)`` at the top of
every test of the largest test file), test code writing outside the workspace and a
path outside the workspace."""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from pathlib import Path

import attrs
from real_projects import Project
from trust_edits import ESCAPED, Trial, _globbed

PANIC = {"go": 'panic("broken by verify_trust")', "cargo": 'panic!("broken by verify_trust");'}


@attrs.frozen
class Func:
    name: str
    head: int  # the line of ``func`` / ``fn`` (0-based)
    open: int  # the line that opens its body
    end: int  # the line that closes it
    indent: str
    public: bool


def functions(text: str, runner: str) -> list[Func]:
    """The functions of a Go (``runner`` "go") or Rust ("cargo") file that have a body."""
    lines = text.splitlines()
    pattern = (
        r"^()func\s+(?:\([^)]*\)\s*)?([A-Za-z_]\w*)"
        if runner == "go"
        else r"^(\s*)((?:pub(?:\([^)]*\))?\s+)?(?:const\s+)?(?:unsafe\s+)?fn\s+[A-Za-z_]\w*)"
    )
    out = []
    commented = _in_block_comments(lines)
    for i, line in enumerate(lines):
        found = None if i in commented else re.match(pattern, line)
        if not found:
            continue
        indent = found.group(1)
        name = found.group(2).split()[-1] if runner == "cargo" else found.group(2)
        opened = next((j for j in range(i, len(lines)) if lines[j].rstrip().endswith("{")), None)
        if opened is None or any(lines[j].rstrip().endswith(";") for j in range(i, opened)):
            continue  # (a declaration without a body: a trait's)
        if runner == "go" and any(
            re.match(r"[A-Za-z/]", lines[j]) for j in range(i + 1, opened + 1)
        ):
            continue  # (a Go one-liner, ``{ return ps.typ }``: the next "{" is another's)
        end = next((j for j in range(opened + 1, len(lines)) if lines[j] == f"{indent}}}"), None)
        if end is None:
            continue
        public = name[0].isupper() if runner == "go" else found.group(2).startswith("pub")
        out.append(Func(name, i, opened, end, indent, public))
    return out


def _named(name: str, text: str) -> int:
    return len(re.findall(rf"\b{re.escape(name)}\b", text))


def _in_block_comments(lines: list[str]) -> set[int]:
    """The lines inside ``/* ... */`` comments that start a line (go-cmp keeps an old
    ``func equalEagle`` in one)."""
    out: set[int] = set()
    inside = False
    for i, line in enumerate(lines):
        if inside:
            out.add(i)
            inside = "*/" not in line
        elif line.lstrip().startswith("/*") and "*/" not in line:
            out.add(i)
            inside = True
    return out


def _one_liners(text: str) -> list[Func]:
    """A Go file's functions on one line, ``func (d *Digest) Size() int { return 8 }``."""
    out = []
    lines = text.splitlines()
    commented = _in_block_comments(lines)
    for i, line in enumerate(lines):
        found = (
            None
            if i in commented
            else re.match(r"^func\s+(?:\([^)]*\)\s*)?([A-Za-z_]\w*).*\{ .+ \}$", line)
        )
        if found:
            name = found.group(1)
            out.append(Func(name, i, i, i, "", name[0].isupper()))
    return out


def _panicking(text: str, func: Func, runner: str) -> str:
    lines = text.splitlines(keepends=True)
    if func.head == func.end:  # a Go one-liner: its body replaced by the panic
        head = lines[func.head].rstrip("\n")
        lines[func.head] = head[: head.index("{ ")] + "{ " + PANIC[runner] + " }\n"
        return "".join(lines)
    step = "\t" if runner == "go" else "    "  # (gofmt's tab, rustfmt's four spaces)
    lines.insert(func.open + 1, f"{func.indent}{step}{PANIC[runner]}\n")
    return "".join(lines)


def _dropped(text: str, func: Func) -> str:
    """``text`` without ``func``, its attributes and doc comment (the lines above it)."""
    lines = text.splitlines(keepends=True)
    start = func.head
    while start and lines[start - 1].strip().startswith(("#[", "//")):
        start -= 1
    del lines[start : func.end + 1]
    return "".join(lines)


def native_trials(project: Project, root: Path, work: Path) -> list[Trial]:
    """The edits tried on a Go or Rust ``project`` set up in ``root``."""
    runner, rel = project.runner, project.edit_file
    text = (root / rel).read_text(encoding="utf-8")
    test_files = _globbed(root, project.tests)
    tests = "\n".join(p.read_text(encoding="utf-8") for p in test_files)
    # the code of the whole crate / package: a function named once there is used nowhere
    folder = (root / rel).parent
    code = "\n".join(
        p.read_text(encoding="utf-8")
        for p in sorted(folder.glob("*.go" if runner == "go" else "**/*.rs"))
        if p not in test_files
    )
    funcs = functions(text, runner)
    # Go: which functions ran in the project's go test ./... (measured once, here); the
    # one broken as covered is one that ran (go-cmp's tests name "String" most, and
    # Path.String never runs)
    ran = _go_ran(root, rel, funcs + _one_liners(text)) if runner == "go" else {}
    covered = [f for f in funcs if f.public and ran.get(f, True)]
    tested = max(covered, key=lambda f: (_named(f.name, tests), -f.head))
    untested = [f for f in funcs if _named(f.name, tests) == 0]
    unused = [f for f in untested if _named(f.name, code) == 1]  # (dropped, it compiles)
    largest = max(test_files, key=lambda p: len(re.findall(r"\bfn |\bfunc Test", p.read_text())))
    test_rel = largest.relative_to(root).as_posix()
    test_text = largest.read_text(encoding="utf-8")
    broken = _panicking(text, tested, runner)
    ext = ".go" if runner == "go" else ".rs"
    trials = [
        Trial("comment", {rel: text + "\n// a harmless comment\n"}, may_pass=True),
        Trial("break covered", {rel: broken}, note=f"{tested.name} panics"),
    ]
    if untested:
        quiet = (unused or untested)[-1]
        trials.append(
            Trial(
                "break a function no test names",
                {rel: _panicking(text, quiet, runner)},
                note=f"{quiet.name} panics",
                uncounted=True,
            )
        )
    unreached = next((f for f in reversed(funcs + _one_liners(text)) if ran.get(f) is False), None)
    if unreached:
        trials.append(
            Trial(
                "break a function no test reaches",
                {rel: _panicking(text, unreached, runner)},
                note=f"{unreached.name} panics",
                uncounted=True,
            )
        )
    public = [f for f in unused if f.public and f.indent == ""] or [f for f in unused if f.public]
    if public:  # (a trait's method dropped alone does not compile)
        gone = public[-1]
        trials.append(
            Trial("drop an untested function", {rel: _dropped(text, gone)}, note=gone.name)
        )
    if runner == "cargo":
        trials += _feature_module_trials(root, rel, text)
        trials += _platform_module_trials(rel, text)
    if runner == "go":
        trials += _namesake_trial(rel, text, funcs + _one_liners(text), ran)
        trials += _unbuilt_go_trials(root)
    impl = _untested_impl(text, unused) if runner == "cargo" else None
    if impl:
        trials.append(
            Trial("drop an untested trait impl", {rel: _dropped(text, impl)}, note=impl.name)
        )
    exiting = _exiting(rel, text, [f for f in funcs if ran.get(f, True)], tests, runner)
    if exiting:
        trials.append(exiting)
    trials += [
        Trial("truncate", {rel: text[: len(text) // 2]}),
        Trial(
            "delete a test file's tests", {test_rel: _no_tests(test_text, runner)}, note=test_rel
        ),
        _exit_trial(root, rel, broken, tested.name, test_rel, test_text, runner),
        _escaping_trial(root, rel, work, runner),
        Trial("edited path outside the workspace", {f"../{ESCAPED}{ext}": "// x\n"}),
    ]
    return trials


def _feature_module_trials(root: Path, rel: str, text: str) -> list[Trial]:
    """A function of a module behind a feature (``#[cfg(feature = "serde")] mod serde;``
    in the edited file) made to panic: ``cargo test`` leaves the feature off, no test
    builds the module, and a pass is right only when not counted."""
    found = re.search(r'(?m)^#\[cfg\(feature = "(\w+)"\)\]\s*\n(?:pub )?mod (\w+);', text)
    if not found:
        return []
    module = (root / rel).parent / f"{found.group(2)}.rs"
    if not module.is_file():
        return []
    source = module.read_text(encoding="utf-8")
    funcs = functions(source, "cargo")
    if not funcs:
        return []
    return [
        Trial(
            f"break a module behind the {found.group(1)} feature",
            {module.relative_to(root).as_posix(): _panicking(source, funcs[0], "cargo")},
            note=f"{funcs[0].name} panics",
            uncounted=True,
        )
    ]


#: a module declared on a line of its own: ``#[path = "macos.rs"] mod imp;``
_MOD_LINE = re.compile(
    r'^\s*(?:#\[path\s*=\s*"([^"]+)"\]\s*)?(?:pub(?:\([^)]*\))?\s+)?mod\s+(\w+);\s*$'
)


def _platform_module_trials(rel: str, text: str) -> list[Trial]:
    """A module declared again for another platform (the branches of a ``cfg_if!``, or
    ``#[cfg(…)]`` items: ``#[path = "macos.rs"] mod imp;``) dropped: the last such line
    whose nearest condition above names neither linux nor unix.  ``cargo test`` here
    builds this machine's branch only; the other platform's build no longer has the
    module."""
    lines = text.splitlines(keepends=True)
    mods = [(i, m) for i, line in enumerate(lines) if (m := _MOD_LINE.match(line))]
    names = [m.group(2) for _, m in mods]
    for i, m in reversed(mods):
        if names.count(m.group(2)) < 2:
            continue
        above = next((lines[j] for j in range(i, -1, -1) if "#[cfg(" in lines[j]), "")
        if not above or re.search(r"\b(?:linux|unix)\b", above):
            continue
        where = f" ({m.group(1)})" if m.group(1) else ""
        return [
            Trial(
                "drop the module another platform builds",
                {rel: "".join(lines[:i] + lines[i + 1 :])},
                note=f"mod {m.group(2)}{where}",
            )
        ]
    return []


#: a Go method's head: its receiver's type and its name
_GO_METHOD = re.compile(r"^func\s*\(\s*(?:\w+\s+)?\*?\s*(\w+)[^)]*\)\s*(\w+)")


def _namesake_trial(rel: str, text: str, funcs: list[Func], ran: dict[Func, bool]) -> list[Trial]:
    """A Go method dropped while another type of the file keeps one of its name (the
    last of them none of whose statements ran, else the last): the name stays defined,
    so only a guard that reads a method with its receiver's type refuses it."""
    lines = text.splitlines()
    heads = {f: _GO_METHOD.match(lines[f.head]) for f in funcs}
    names = [m.group(2) for m in heads.values() if m]
    shared = sorted((f for f, m in heads.items() if m and names.count(m.group(2)) > 1),
                    key=lambda f: f.head)  # fmt: skip
    quiet = [f for f in shared if ran.get(f) is False] or shared
    if not quiet:
        return []
    gone = quiet[-1]
    owner = heads[gone].group(1)  # type: ignore[union-attr]  (matched: it is shared)
    return [
        Trial(
            "drop a method another type keeps the name of",
            {rel: _dropped(text, gone)},
            note=f"{owner}.{gone.name}",
        )
    ]


def _go_env() -> dict[str, str]:
    return {**os.environ, "GOFLAGS": "-mod=mod", "GOPROXY": "off", "GOWORK": "off"}


def _go_ran(root: Path, rel: str, funcs: list[Func]) -> dict[Func, bool]:
    """Whether any statement of each function of the Go file ``rel`` ran in the
    project's ``go test ./...`` (its coverage of ``rel``'s package, from every test
    binary, written outside the project); a function without statements is left out."""
    folder = Path(rel).parent.as_posix()
    package = subprocess.run(
        ["go", "list", "-f", "{{.ImportPath}}", f"./{folder}"],
        cwd=root,
        env=_go_env(),
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    with tempfile.TemporaryDirectory(prefix="acr-trust-go-") as tmp:
        profile = Path(tmp, "cover.out")
        subprocess.run(
            ["go", "test", "-count=1", f"-coverpkg={package}", f"-coverprofile={profile}", "./..."],
            cwd=root,
            env=_go_env(),
            capture_output=True,
            check=True,
        )
        text = profile.read_text(encoding="utf-8")
    name = f"{package}/{Path(rel).name}"
    blocks: dict[tuple[int, int], bool] = {}  # (start line, end line) -> ran (1-based)
    for line in text.splitlines()[1:]:
        m = re.match(r"^(.+\.go):(\d+)\.\d+,(\d+)\.\d+ (\d+) (\d+)$", line)
        if m and m.group(1) == name and int(m.group(4)):
            key = (int(m.group(2)), int(m.group(3)))
            blocks[key] = blocks.get(key, False) or int(m.group(5)) > 0
    out = {}
    for f in funcs:
        inside = [ran for (a, b), ran in blocks.items() if f.head < a and b <= f.end + 1]
        if inside:
            out[f] = any(inside)
    return out


#: ``go list``'s line per package: its folder, the files a build constraint leaves out,
#: and how many test files it has
_LIST_FORMAT = '{{.Dir}}\t{{join .IgnoredGoFiles " "}}\t{{len .TestGoFiles}} {{len .XTestGoFiles}}'


def _unbuilt_go_trials(root: Path) -> list[Trial]:
    """Go code ``go test ./...`` never runs, each file's first function made to panic (a
    pass is right only when not counted): a file a build constraint leaves out on this
    machine (``//go:build windows``, ``_windows.go``), one under ``testdata/`` (go skips
    those folders), and a package without test files (a command, ``package main``)."""
    listed = subprocess.run(
        ["go", "list", "-e", "-f", _LIST_FORMAT, "./..."],
        cwd=root,
        env=_go_env(),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    found: list[tuple[str, Path]] = []
    for line in listed.splitlines():
        folder, ignored, counts = line.split("\t")
        for name in ignored.split():
            if not name.endswith("_test.go"):
                found.append(("a file a build constraint leaves out", Path(folder, name)))
        if counts == "0 0":
            code = sorted(p for p in Path(folder).glob("*.go") if not p.name.endswith("_test.go"))
            with_funcs = [p for p in code if functions(p.read_text(encoding="utf-8"), "go")]
            found += [("a package no test file is in", p) for p in with_funcs[:1]]
    found += [
        ("a file under testdata/", p)
        for p in sorted(root.glob("**/testdata/**/*.go"))
        if not p.name.endswith("_test.go")
    ]
    trials = []
    for what, path in found:
        text = path.read_text(encoding="utf-8")
        funcs = functions(text, "go")
        if not funcs:
            continue
        rel = path.relative_to(root).as_posix()
        trials.append(
            Trial(
                f"break {what}",
                {rel: _panicking(text, funcs[0], "go")},
                note=f"{funcs[0].name} panics; {rel}",
                uncounted=True,
            )
        )
    return trials


def _untested_impl(text: str, unused: list[Func]) -> Func | None:
    """The last ``impl Trait for Type`` block at column 0 whose methods no test names and
    nothing else calls (``impl Clone for Buffer``), as a :class:`Func`; None without one."""
    lines = text.splitlines()
    names = {f.head for f in unused}
    found = None
    for i, line in enumerate(lines):
        head = re.match(r"impl(?:<[^>]*>)?\s+([\w:]+)(?:<[^>]*>)?\s+for\s+(\w+)", line)
        if not head or not line.rstrip().endswith("{"):
            continue
        end = next((j for j in range(i + 1, len(lines)) if lines[j] == "}"), None)
        inner = [j for j in range(i + 1, end or i) if re.match(r"\s+(?:pub\s+)?fn\s", lines[j])]
        if end is not None and inner and all(j in names for j in inner):
            found = Func(f"impl {head.group(1)} for {head.group(2)}", i, i, end, "", False)
    return found


def _exiting(rel: str, text: str, funcs: list[Func], tests: str, runner: str) -> Trial | None:
    """The most tested function (not a ``const fn``) ending the process with status 0 at
    its first line, in the code under test: Go's ``os.Exit(0)`` (``"os"`` imported when
    the file does not), Rust's ``std::process::exit(0)``."""
    lines = text.splitlines()
    callable_ = [f for f in funcs if f.public and not re.search(r"\bconst\s+fn\b", lines[f.head])]
    if not callable_:
        return None
    func = max(callable_, key=lambda f: (_named(f.name, tests), -f.head))
    statement = "os.Exit(0)" if runner == "go" else "::std::process::exit(0);"
    step = "\t" if runner == "go" else "    "
    new = text.splitlines(keepends=True)
    new.insert(func.open + 1, f"{func.indent}{step}{statement}\n")
    out = "".join(new)
    if runner == "go" and not re.search(r'(?m)^\s*(?:import\s+)?"os"$', text):
        out = re.sub(r"(?m)^(package \w+\n)", r'\1\nimport "os"\n', out, count=1)
    name = "os.Exit(0)" if runner == "go" else "std::process::exit(0)"
    return Trial(f"{name} in the code under test", {rel: out}, note=func.name)


def _package(text: str) -> str:
    found = re.search(r"(?m)^package\s+(\w+)", text)
    assert found, "no package clause"
    return found.group(1)


def _no_tests(text: str, runner: str) -> str:
    """A test file's text without its tests: its package clause alone (Go), nothing
    (a Rust integration test)."""
    return f"package {_package(text)}\n" if runner == "go" else ""


def _exit_trial(
    root: Path, rel: str, broken: str, name: str, test_rel: str, test_text: str, runner: str
) -> Trial:
    if runner == "go":
        folder = Path(rel).parent.as_posix()
        path = "acr_exit_test.go" if folder == "." else f"{folder}/acr_exit_test.go"
        body = f'package {_package(broken)}\n\nimport "os"\n\nfunc init() {{\n\tos.Exit(0)\n}}\n'
        return Trial(
            "break + os.Exit(0) in a test file's init",
            {rel: broken, path: body},
            note=f"{name} panics; {path}",
        )
    exited, n = re.subn(
        r"(#\[test\]\s*\n(\s*)fn\s+[$\w]+\s*\(\)\s*\{\n)",
        r"\1\2    std::process::exit(0);\n",
        test_text,
    )
    return Trial(
        "break + std::process::exit(0) at the top of the tests",
        {rel: broken, test_rel: exited},
        note=f"{name} panics; {n} tests of {test_rel} exit 0 first",
    )


def _escaping_trial(root: Path, rel: str, work: Path, runner: str) -> Trial:
    """Test code writing outside the workspace (a new test file)."""
    targets = [str(work / ESCAPED), str(root.parent / ESCAPED)]
    if runner == "go":
        folder = Path(rel).parent.as_posix()
        path = "acr_escape_test.go" if folder == "." else f"{folder}/acr_escape_test.go"
        package = _package((root / rel).read_text(encoding="utf-8"))
        writes = "".join(
            f'\tif err := os.WriteFile("{t}", []byte("written by a model\'s edit\\n"), 0644); '
            "err != nil {\n\t\tpanic(err)\n\t}\n"
            for t in targets
        )
        body = f'package {package}\n\nimport "os"\n\nfunc init() {{\n{writes}}}\n'
        return Trial("a test file writing outside the workspace", {path: body})
    writes = "".join(
        f'    std::fs::write("{t}", "written by a model\'s edit\\n").unwrap();\n' for t in targets
    )
    return Trial(
        "a test file writing outside the workspace",
        {"tests/acr_escape.rs": f"#[test]\nfn escape() {{\n{writes}}}\n"},
    )
