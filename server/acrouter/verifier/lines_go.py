"""Which of the lines an edit changes in Go files the tests ran, from ``go test``'s own
coverage profile (the Go side of :mod:`.lines`).

When the edit changes ``.go`` files other than tests (``_test.go``), the run with the
edit (only that one) asks each ``go test`` for ``-coverprofile=<out>/acrouter-go.cover
-coverpkg=<the changed files' packages>`` (:mod:`.lines_gotrace`): every test binary counts the blocks of those packages (go 1.19 links them
into every test binary, whether its package imports them or not), and go appends each
binary's counts into one profile, ``import/path/file.go:startLine.startCol,endLine.endCol
statements count`` (columns in bytes; the mode is go's default, ``set``, or ``atomic``
under ``-race``).  A file's import path, and its package's, is the ``module`` of the
nearest ``go.mod`` above it, then its folder.  Not ``-coverpkg=./...``: the profile
holds every covered block once per test binary (it grows as packages squared: 1 MB for
8 packages of ``benchmarks/lines_cost_go.py``), every package would be rebuilt with
coverage, and ``./...`` is the folder the command runs in.  A pattern no package of the
run matches is a warning of go's, not a failure.

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
left it out), so none of its changed lines ran (every line with code counts then).  The
same holds for one whose package the profile does not hold when the run's ``go list``
took that package from the file's own folder: ``-coverpkg`` named it, go links it into
every test binary, so none built it (every file of it left out; a cgo file under
``testdata/`` that only ``-tags testcgo`` builds).

How the traced ``go test`` is started, and where it took the changed packages from (a
package built from another copy never ran the edit): :mod:`.lines_gotrace`."""

from __future__ import annotations

import re
from collections.abc import Container, Iterable, Mapping
from pathlib import Path, PurePosixPath

from .lines import Change, Traced
from .lines_gotrace import PROFILE, PROFILE_STEM, built_from, listed_folders
from .lines_js import line_change

_BLOCK = re.compile(r"^(.+\.go):(\d+)\.(\d+),(\d+)\.(\d+) (\d+) (\d+)$")
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
        package = name.rpartition("/")[0] if name else ""
        if not blocks and name and _FUNC.search(new) and (package in held or folders.get(package)):
            # its package was built, without it: a build constraint left it out; or go
            # took the package from this folder (``elsewhere`` is not) and no test binary
            # built it (every file left out, ``testdata/``), though ``-coverpkg`` names it
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
