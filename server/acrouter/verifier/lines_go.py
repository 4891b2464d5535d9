"""Which of the lines an edit changes in Go files the tests ran, from ``go test``'s own
coverage profile (the Go side of :mod:`.lines`).

When the edit changes ``.go`` files other than tests (``_test.go``), the run with the
edit (only that one) of a ``go test`` the planner reads (the command itself, or the one
segment of a shell line that runs it; not ``make`` or a script) gets
``-coverprofile=<out>/acrouter-go.cover -coverpkg=<the changed files' packages>`` after
``go test``: every test binary counts the blocks of those packages (go 1.19 links them
into every test binary, whether its package imports them or not), and go appends each
binary's counts into one profile, ``import/path/file.go:startLine.startCol,endLine.endCol
statements count`` (columns in bytes; the mode is go's default, ``set``, or ``atomic``
under ``-race``).  A file's import path, and its package's, is the ``module`` of the
nearest ``go.mod`` above it, then its folder.  Not ``-coverpkg=./...``: the profile
holds every covered block once per test binary (it grows as packages squared: 1 MB for
8 packages of ``benchmarks/lines_cost_go.py``), every package would be rebuilt with
coverage, and ``./...`` is the folder the command runs in.  A pattern no package of the
run matches is a warning of go's, not a failure.  A command that asks for coverage itself
(``-cover``, ``-coverprofile``, ``-covermode``, ``-coverpkg``, also through
``GOFLAGS``) is not measured: nothing is said.

"Statements" here are lines, as for JavaScript: a changed line is one when a block
holds one of its code characters (outside comments; an opening brace and the closing
brackets a line starts with do not count), and it ran when such a block ran.  So a
``func`` or ``type`` header, ``} else {``, package-level declarations, comments and
braces are not statements (no block holds them); a ``case``/``default`` line counts as
the clause that starts on it.  A removal counts as run when the statement line beside
it ran.  A changed file the profile does not hold (another module, no test binary at
all) is not measured, except one with a function (go's profile holds a block for each
function of a file it built, an empty one too) whose package the profile holds: no test
binary built that file (a build constraint, ``//go:build windows`` or ``calc_windows.go``,
left it out), so none of its changed lines ran (every line with code counts then).

The profile names a file by import path, whichever folder go built it from, so the
traced ``go test`` runs through :func:`lister`'s script, which first asks ``go list``
(same folder, same environment) where each changed package comes from: a package every
``go test`` took from another folder (a ``replace`` to another copy, ``vendor/``, the
module cache) never ran the edit (:func:`built_from`; ``Traced.elsewhere``, an error:
:mod:`.lines_shadow`)."""

from __future__ import annotations

import os
import re
import shlex
from collections.abc import Container, Iterable, Mapping, Sequence
from pathlib import Path, PurePosixPath

from .lines import Change, Traced
from .lines_js import line_change

#: the profile go writes into the run's out folder
PROFILE = "acrouter-go.cover"
#: a command asking for coverage itself (``GOFLAGS=-cover`` too)
_USERS = re.compile(r"(?<![\w.-])--?(test\.)?cover")
_GO_TEST = re.compile(r"\bgo\s+test\b")
#: ``go test -C dir``: go 1.20's change of folder, which must come first (before the
#: flags added here) and which the script's ``go list`` would not follow
_CHDIR = re.compile(r"\s+--?C(\s|=|$)")
#: what stands before ``go`` in the same word of a shell line (``/usr/local/go/bin/``)
_TOKEN = re.compile(r"[^\s;&|()<>]*$")
#: the script that lists where go takes the edited packages from (:func:`lister`), and
#: what it writes: ``import/path /folder`` lines
LISTER = "acrouter-go-list.sh"
DIRS = "acrouter-go.dirs"
_LISTED = "{{.ImportPath}} {{.Dir}}"
#: the folder of :func:`shim`'s ``go``, and the start of the profiles each ``go test`` it
#: runs writes (``acrouter-go-<pid>.cover``)
SHIM_DIR = "acrouter-go-bin"
PROFILE_STEM = "acrouter-go"
_BLOCK = re.compile(r"^(.+\.go):(\d+)\.(\d+),(\d+)\.(\d+) (\d+) (\d+)$")
#: go's own lines about coverage (not a test's)
_SUMMARY = re.compile(r"coverage: (\[no statements\]|[\d.]+% of statements)")
_NAMED = re.compile(r"(?i)\bcover|\[(build|setup) failed\]")
_CLOSERS = b")]},; \t\r\f\v"

#: a function declared with a body: go's profile holds a block for it (one of 0
#: statements when the body is empty) whenever its file was built
_FUNC = re.compile(r"(?m)^func\b[^\n]*\{")
#: a block: start line, start column, end line, end column (exclusive), statements
Block = tuple[int, int, int, int, int]


def is_go_code(rel: str) -> bool:
    return rel.endswith(".go") and not rel.endswith("_test.go")


def packages(base: str | Path, rels: Iterable[str]) -> list[str]:
    """The import paths of the packages that hold the workspace files ``rels``."""
    names = (import_name(base, rel) for rel in rels)
    return sorted({n.rpartition("/")[0] for n in names if n})


def lister(out_dir: str, covered: Sequence[str]) -> str:
    """The script run as ``/bin/sh SCRIPT GO test ARGS...``: it writes into ``out_dir``
    (:data:`DIRS`) the folder go takes each package of ``covered`` from in the module the
    command runs in (``go list``, with the command's ``-mod``/``-modfile``), then runs
    ``GO test ARGS...``."""
    listed = shlex.quote(f"{out_dir}/{DIRS}")
    return (
        "# ACRouter: where go takes the packages the edit changes from, then the tests\n"
        "go=$1; shift\nf=\n"
        "p=\n"
        'for a in "$@"; do case $p in -mod|--mod|-modfile|--modfile) f="$f $p $a";; esac\n'
        '  case $a in -mod=*|--mod=*|-modfile=*|--modfile=*) f="$f $a";; esac; p=$a; done\n'
        f'"$go" list -e $f -f {shlex.quote(_LISTED)} {shlex.join(covered)} >>{listed} 2>/dev/null\n'
        'exec "$go" "$@"\n'
    )


def shim(out_dir: str, covered: Sequence[str]) -> str:
    """The ``go`` put first on the ``PATH`` of a command that runs ``go test`` out of the
    planner's sight (``make test``, a script, a shell line with two of them): each ``go
    test`` it runs lists where the packages ``covered`` come from and writes a profile of
    them of its own (``acrouter-go-<pid>.cover``), as :func:`cover_argv` and
    :func:`lister` do for one; anything else, a ``go test`` asking for coverage itself
    or changing folder first (``-C``), runs as it is.  The real ``go`` is the next one on
    the ``PATH``."""
    here = shlex.quote(f"{out_dir}/{SHIM_DIR}")
    listed = shlex.quote(f"{out_dir}/{DIRS}")
    profile = shlex.quote(f"{out_dir}/{PROFILE_STEM}")
    pkgs = shlex.join(covered)
    return (
        "#!/bin/sh\n"
        "# ACRouter: go test with a coverage profile of the packages the edit changes\n"
        f"here={here}; real=\n"
        "IFS=:; for d in $PATH; do\n"
        '  [ "$d" = "$here" ] && continue; [ -x "$d/go" ] && { real=$d/go; break; }\n'
        "done; unset IFS\n"
        '[ -n "$real" ] || { echo "go: command not found" >&2; exit 127; }\n'
        '[ "$1" = test ] || exec "$real" "$@"\n'
        'case " $* $GOFLAGS " in *" -cover"*|*" --cover"*|*" -test.cover"*|*" --test.cover"*)'
        ' exec "$real" "$@";; esac\n'
        'case "$2" in -C|-C=*|--C|--C=*) exec "$real" "$@";; esac\n'
        "shift; f=; p=\n"
        'for a in "$@"; do case $p in -mod|--mod|-modfile|--modfile) f="$f $p $a";; esac\n'
        '  case $a in -mod=*|--mod=*|-modfile=*|--modfile=*) f="$f $a";; esac; p=$a; done\n'
        f'"$real" list -e $f -f {shlex.quote(_LISTED)} {pkgs} >>{listed} 2>/dev/null\n'
        f'exec "$real" test -coverprofile={profile}-$$.cover -coverpkg={",".join(covered)}'
        ' "$@"\n'
    )


def shim_path(out_dir: str, env: Mapping[str, str]) -> str:
    """The ``PATH`` that puts :func:`shim` first."""
    return f"{out_dir}/{SHIM_DIR}:{env.get('PATH') or os.defpath}"


def users_coverage(env: Mapping[str, str]) -> bool:
    """Whether ``GOFLAGS`` asks for coverage itself (then nothing is added)."""
    return bool(_USERS.search(env.get("GOFLAGS", "")))


def cover_argv(
    argv: Sequence[str],
    runner: str | None,
    out_dir: str,
    env: Mapping[str, str],
    covered: Sequence[str],
) -> tuple[str, ...] | None:
    """``argv`` (a planned ``go test``, as a plain argv or ``/bin/sh -c LINE``) asking go
    for a coverage profile in ``out_dir`` of the packages ``covered`` (import paths), run
    through :func:`lister`'s script (the caller writes it into ``out_dir``), or None when
    it cannot be measured so (not go, no package, the command or ``GOFLAGS`` asks for
    coverage itself, or ``go test -C DIR`` changes folder first)."""
    if runner != "go" or not covered or users_coverage(env):
        return None
    flags = [f"-coverprofile={out_dir}/{PROFILE}", f"-coverpkg={','.join(covered)}"]
    script = f"{out_dir}/{LISTER}"
    if len(argv) == 3 and argv[:2] == ("/bin/sh", "-c"):
        line = argv[2]
        found = list(_GO_TEST.finditer(line))
        if len(found) != 1 or _USERS.search(line) or _CHDIR.match(line, found[0].end()):
            return None
        start, at = found[0].start(), found[0].end()
        word = _TOKEN.search(line[:start])
        start -= len(word.group()) if word else 0
        lead = f"/bin/sh {shlex.quote(script)} "
        return (
            *argv[:2],
            line[:start] + lead + line[start:at] + " " + shlex.join(flags) + line[at:],
        )
    if len(argv) < 2 or PurePosixPath(argv[0]).name != "go" or argv[1] != "test":
        return None
    if any(_USERS.match(a) for a in argv[2:]) or _CHDIR.match(" ".join(argv[1:]), 4):
        return None
    return ("/bin/sh", script, *argv[:2], *flags, *argv[2:])


def named(output: str) -> bool:
    """A failed run's output names coverage (other than go's percentages) or a package
    that did not build: coverage may have caused it (``-coverpkg`` builds the edited
    packages again, instrumented; a test may check ``testing.CoverMode()``)."""
    return bool(_NAMED.search(_SUMMARY.sub("", output)))


def parse_profile(text: str, wanted: Container[str] | None = None) -> dict[str, dict[Block, bool]]:
    """A coverage profile's blocks by file (as go names it: an import path; only the
    ``wanted`` ones), each with whether it ran in any test binary; ``{}`` without the
    ``mode:`` line."""
    lines = text.splitlines()
    if not lines or not lines[0].startswith("mode: "):
        return {}
    out: dict[str, dict[Block, bool]] = {}
    for line in lines[1:]:
        if wanted is not None and line.partition(".go:")[0] + ".go" not in wanted:
            continue
        m = _BLOCK.match(line.strip())
        if m is None:
            continue
        name, *nums = m.groups()
        sl, sc, el, ec, stmts, count = (int(n) for n in nums)
        blocks = out.setdefault(name, {})
        key = (sl, sc, el, ec, stmts)
        blocks[key] = blocks.get(key, False) or count > 0
    return out


def module_path(gomod: str) -> str | None:
    """The ``module`` a go.mod names."""
    for line in gomod.splitlines():
        m = re.match(r"\s*module\s+(\"[^\"]+\"|`[^`]+`|\S+)", line.split("//")[0])
        if m:
            return m.group(1).strip('"`')
    return None


def import_name(base: str | Path, rel: str) -> str | None:
    """How go names the workspace file ``rel`` (``base``: the workspace) in a profile:
    the module of the nearest go.mod above it, then the file's path below that."""
    parts = PurePosixPath(rel).parts
    for k in range(len(parts) - 1, -1, -1):
        try:
            gomod = Path(base, *parts[:k], "go.mod").read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        module = module_path(gomod)
        return "/".join([module, *parts[k:]]) if module else None
    return None


def code_columns(text: str) -> dict[int, tuple[list[int], bool]]:
    """Each line (1-based, as go counts them: at ``\\n``) with code: the byte columns
    (1-based) of its characters outside comments and blanks, without ``{`` and the
    closing brackets it starts with, and whether it starts with ``case``/``default``."""
    data = text.encode("utf-8", "surrogatepass")
    out: dict[int, tuple[list[int], bool]] = {}
    line, col, i, n = 1, 1, 0, len(data)
    state = b""  # b"", b"/*", or the quote of the literal being read
    row: list[tuple[int, int]] = []
    clause = re.match(rb"[ \t]*(case|default)\b", data) is not None

    def flush() -> None:
        k = 0
        while k < len(row) and row[k][1] in _CLOSERS:
            k += 1
        cols = [c for c, b in row[k:] if b != ord("{")]
        if cols:
            out[line] = (cols, clause)

    while i < n:
        c = data[i]
        nxt = data[i + 1] if i + 1 < n else 0
        step = 1
        if c == 10:  # \n
            flush()
            row, line, col, i = [], line + 1, 1, i + 1
            state = state if state in (b"/*", b"`") else b""
            clause = (
                not state and re.match(rb"[ \t]*(case|default)\b", data[i : i + 80]) is not None
            )
            continue
        if state == b"/*":
            if c == ord("*") and nxt == ord("/"):
                state, step = b"", 2
        elif state:
            row.append((col, c))
            if c == ord("\\") and state != b"`" and nxt != 10:
                row.append((col + 1, nxt))
                step = 2
            elif c == state[0]:
                state = b""
        elif c == ord("/") and nxt == ord("/"):
            while i < n and data[i] != 10:
                i, col = i + 1, col + 1
            continue
        elif c == ord("/") and nxt == ord("*"):
            state, step = b"/*", 2
        elif c not in b" \t\r\f\v":
            row.append((col, c))
            if c in b"'\"`":
                state = bytes([c])
        i, col = i + step, col + step
    flush()
    return out


def statement_lines(text: str, blocks: Mapping[Block, bool]) -> dict[int, bool]:
    """The lines of ``text`` that are statements (a block holds one of their code
    columns; a ``case``/``default`` line: a block starts on it), each with whether one
    of those blocks ran."""
    by_line: dict[int, list[tuple[Block, bool]]] = {}
    for block, ran in blocks.items():
        for n in range(block[0], block[2] + 1):
            by_line.setdefault(n, []).append((block, ran))
    out: dict[int, bool] = {}
    for n, (cols, clause) in code_columns(text).items():
        here = by_line.get(n, [])
        hit = [
            ran
            for (sl, sc, el, ec, _), ran in here
            if any((sl, sc) <= (n, c) < (el, ec) for c in cols)
        ]
        if not hit and clause:  # the clause's block starts after its colon
            hit = [ran for (sl, sc, _, _, _), ran in here if sl == n and sc > cols[-1]]
        if hit:
            out[n] = any(hit)
    return out


def go_change(path: str, old: str, new: str, statements: Mapping[int, bool]) -> Change | None:
    """The statement lines the edit changed in one Go file, and where it removed code
    (beside: the statement line next to the removal), or None when none changed."""
    return line_change(path, old.split("\n"), new.split("\n"), statements, code_columns(old))


def _profiles(out_dir: str | Path) -> str | None:
    """The profile go wrote (:func:`cover_argv`'s), else those of every ``go test``
    :func:`shim` ran, as one (a block counts as run when any ran it); None when none."""
    folder = Path(out_dir)
    texts: list[str] = []
    for path in [folder / PROFILE, *sorted(folder.glob(f"{PROFILE_STEM}-*.cover"))]:
        try:
            texts.append(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError):
            continue
    texts = [t for t in texts if t.startswith("mode: ")]
    if not texts:
        return None
    return "\n".join([texts[0].partition("\n")[0], *(t.partition("\n")[2] for t in texts)])


def listed_folders(out_dir: str | Path) -> dict[str, set[str]]:
    """What :func:`lister`'s script wrote: the folders go took each package from (one per
    ``go test`` the command ran), by import path."""
    try:
        text = (Path(out_dir) / DIRS).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return {}
    out: dict[str, set[str]] = {}
    for line in text.splitlines():
        name, _, folder = line.partition(" ")
        if folder:
            out.setdefault(name, set()).add(folder)
    return out


def built_from(base: str, rel: str, folders: Iterable[str]) -> str | None:
    """The file the tests built in place of the workspace file ``rel`` when every ``go
    test`` took its package from another folder of ``folders`` (a ``replace`` to another
    copy, ``vendor/``, the module cache), named as :attr:`.lines.Traced.elsewhere` names
    it (relative to the workspace ``base`` inside it), else None."""
    own = PurePosixPath(base, rel).parent
    folders = sorted(folders)
    if not folders or any(_same(f, str(own)) for f in folders):
        return None
    other = PurePosixPath(folders[0], PurePosixPath(rel).name)
    return str(other.relative_to(base)) if other.is_relative_to(base) else str(other)


def _same(folder: str, own: str) -> bool:
    """Whether go's ``folder`` is ``own`` (go names the physical path when the
    workspace's has a link in it)."""
    return folder == own or os.path.realpath(folder) == os.path.realpath(own)


def read_profile(
    out_dir: str | Path, base: str, files: Mapping[str, tuple[str, str]]
) -> Traced | None:
    """The statement lines of ``files`` (relative path -> its old and new texts) the
    tests ran, and the files' changes (which lines are statements only the profile
    tells); a file the profile does not hold, or holds with blocks past its end, is
    ``unmeasured``, and so is one whose package the tests built from another folder
    (:func:`built_from`: ``elsewhere``, the profile's blocks are the copy's).  None when
    go wrote no profile."""
    text = _profiles(out_dir)
    if text is None:
        return None
    names = {rel: import_name(base, rel) for rel in files}
    folders = listed_folders(out_dir)
    elsewhere = {
        rel: other
        for rel, name in names.items()
        if name and (other := built_from(base, rel, folders.get(name.rpartition("/")[0], ())))
    }
    profile = parse_profile(text, {n for n in names.values() if n})
    if not text.startswith("mode: "):
        return None
    lines: dict[str, frozenset[int]] = {}
    unmeasured: set[str] = set()
    found: list[Change] = []
    held = {n.rpartition("/")[0] for n in parse_profile(text)}  # the packages it holds
    for rel, (old, new) in sorted(files.items()):
        name = names[rel]
        if rel in elsewhere:
            # which of its lines ran is not known; what it changed is every code line's
            # (a change of comments alone needs no test)
            unmeasured.add(rel)
            change = go_change(rel, old, new, {n: False for n in code_columns(new)})
            found.extend([change] if change else [])
            continue
        blocks = profile.get(name) if name else None
        if not blocks and name and name.rpartition("/")[0] in held and _FUNC.search(new):
            # its package was built, without it: a build constraint left it out
            statements = {n: False for n in code_columns(new)}
            lines[rel] = frozenset()
            change = go_change(rel, old, new, statements)
            found.extend([change] if change else [])
            continue
        if not blocks or max(b[2] for b in blocks) > new.count("\n") + 1:
            unmeasured.add(rel)
            continue
        statements = statement_lines(new, blocks)
        lines[rel] = frozenset(k for k, ran in statements.items() if ran)
        change = go_change(rel, old, new, statements)
        found.extend([change] if change else [])
    return Traced(lines, True, frozenset(unmeasured), changes=tuple(found), elsewhere=elsewhere)
