r"""Which of the lines an edit changes in C and C++ files the tests ran, from gcc's own
coverage (``--coverage``) read with ``gcov --json-format``.

A pass of ``make test`` after an edit that broke a C function no test calls (``sub`` in
a ``calc.c`` whose test calls only ``add``) was counted as the model's with nothing
said: the compiler opened the file (:mod:`.lines_opened`), so nothing told its lines
apart.

Now the run with the edit (only that one) finds a folder of compiler wrappers first on
its ``PATH`` (:data:`BIN_DIR` in the run's out folder, :data:`SCRIPT`): one for each name
of a C or C++ compiler the run's ``PATH`` holds (``cc``, ``gcc``, ``c++``, ``g++``,
``gcc-12``, ``x86_64-linux-gnu-gcc``, ``clang``...).  A wrapper whose compiler is a gcc
(by its real file's name) with a ``gcov`` of the same version beside it adds, to a
compilation of a source in the workspace (as the run sees it), ``--coverage
-fprofile-abs-path`` and puts the notes (``.gcno``) and the counts (``.gcda``) into a
fresh ``acrouter-c-notes.*`` folder of the out folder, never the workspace: for one
source ``-fprofile-note=<folder>/<name>.gcno -fprofile-dir=<folder>`` (gcc 12's), for
several ``-dumpdir <folder>/``.  A link gets ``-lgcov`` (or ``--coverage`` when it
compiles workspace sources too); a link in the workspace also gets a small object of
ours (compiled once, in the run, from :data:`MARK_SOURCE`) that marks each process of
the program as it starts (``acrouter-c-<pid>.start``) and as it exits normally
(``.end``).  Objects built before the run (a build that does not recompile the edited
file) stay as they are.  Everything else runs as asked: preprocessing, ``-S``, a
command line in a response file (``@file``), and the compilations that ask for coverage
or its folders themselves (``--coverage``, ``-fprofile-*``, ``-dumpdir``), or compile
several files and write outputs ``-dumpdir`` would move (``-MD`` without ``-o``,
``-save-temps``, ``-gsplit-dwarf``...); a clang, or a gcc without its gcov, only notes
which workspace sources it compiled.  The run's files then differ from the run without
the edit's by nothing but the objects' contents.

After the run: ``gcov --json-format --stdout`` over the notes that name an edited file.
A changed line is a statement when gcov lists it as executable (in any compilation that
holds it: a header's inline functions in every file that includes it); it ran when its
count there is above 0.  So declarations, comments, blank lines, preprocessor lines and
the data of an initializer are never statements; a function nothing calls has its lines
listed with count 0: they did not run, and that is said.  Every code line
(:func:`code_lines`) of a function gcov reports never called is such a statement too,
listed or not: an optimised build leaves lines unlisted (gcc -O2 made utf8proc's
``utf8proc_errmsg``, a ``switch`` of ``return``\ s, a table) (a pass whose tests passed
before too and ran none of the edit is not learned, :mod:`.lines_idle`).  So is every
code line of a function body (:func:`function_bodies`) of which gcov, holding lines of
the file, knows nothing: the build did not compile it (an ``#if`` left it out, gcc -O2
dropped an unused ``static`` function, a template was never instantiated, an inline member
function defined in its class was never used).  Before, such
an edit was a counted pass with nothing said: simplejson's ``escape_unicode_noascii``,
compiled on Python 3.14 only, broken on line 2093 under 3.11's build.  An object
compiled and never run (a program the tests do not start) left no counts: its lines
did not run.

Not measured, and said so (:attr:`.lines_trace.Traced.unknown`, :func:`settle`) for an
edited file a process of the run opened: an environment with coverage of its own
(``--coverage``/``-fprofile-arcs`` in ``CFLAGS``, ``CXXFLAGS``, ``CPPFLAGS`` or
``LDFLAGS``, ``GCOV_PREFIX``), a compilation left alone as above, a compiler called by
its full path (``CC=/usr/bin/gcc``, CMake's cache) or one the wrappers do not know,
notes ``gcov`` cannot read, a file no compilation's notes hold lines of (a header of
declarations and macros), or counts past the file's end.  An edited file no process
opened stays :mod:`.lines_opened`'s (the tests never even compiled it).  A run where a
process of a program linked here started and never exited normally (a crash, a kill,
``_exit``, an ``exec`` of another program) is :attr:`.lines_trace.Traced.cut`: its
counts were never written, so no line is said not to have run."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
from collections.abc import Collection, Iterator, Mapping
from importlib import resources
from pathlib import Path

import attrs

from .bodies import Bodies
from .lines_js import line_change
from .lines_trace import Change, Traced

#: the edited files measured here
SUFFIXES = (
    ".c", ".h", ".cc", ".cp", ".cpp", ".cxx", ".c++", ".C", ".hh", ".hpp", ".hxx", ".h++",
    ".H", ".ipp", ".inl", ".tcc", ".tpp",
)  # fmt: skip
#: the folder of wrappers put first on the run's PATH, and our script in each
BIN_DIR = "acrouter-c-bin"
SCRIPT = "ccov.sh"
#: what the wrappers write into the out folder
PREFIX = "acrouter-c-"
NOTES = "acrouter-c-notes."
SKIPPED = "acrouter-c-skipped"
MARK_SOURCE = "acrouter-c-mark.c"
#: the words of a failed traced run that the instrumentation may have caused
SUSPECT_WORDS = ("gcov", "gcda", "gcno", "-fprofile-", "-dumpdir", PREFIX)
#: how long gcov may take, each call, and how many notes one call reads
TOOL_TIMEOUT_S = 120
BATCH = 200
#: a compiler's name on the PATH: cc, gcc-12, x86_64-linux-gnu-g++, clang++-16 ...
_COMPILER = re.compile(r"(?:[A-Za-z0-9_.]+-)*(?:cc|c\+\+|gcc|g\+\+|clang|clang\+\+)(?:-[\d.]+)?")
#: a real gcc's own file name (``/usr/bin/cc`` is ``x86_64-linux-gnu-gcc-12``)
_GCC = re.compile(r"(?:^|-)(?:gcc|g\+\+)(?:-([\d.]+))?$")
#: coverage the run's environment sets itself
_OWN_FLAGS = re.compile(
    r"(?<![\w-])(?:--coverage|-fprofile-arcs|-ftest-coverage|-fprofile-generate)"
)

#: why an edited file's lines are not known, by what the wrappers noted
OWN_ENV = (
    "the tests' environment asks for coverage itself (--coverage or -fprofile-arcs in "
    "CFLAGS/CXXFLAGS/LDFLAGS, or GCOV_PREFIX), which ours would mix with"
)
NO_COMPILER = "no gcc with its gcov is on the tests' PATH, so our coverage could not be added"
WHY = {
    "own": "the build compiles it with coverage flags of its own (--coverage, -fprofile-*), "
    "which ours leave alone",
    "aux": "the build compiles it with other files in one command that writes outputs "
    "our coverage's folder would move (-MD, -save-temps), so it was left alone",
    "response": "the build compiles it from a response file (@file), which our coverage "
    "does not read",
    "clang": "the build compiles it with clang, whose coverage ours does not read",
    "nogcov": "the build compiles it with a gcc whose gcov is not installed",
    "gcov": "gcov could not read the notes its compilation wrote, or they hold other lines",
}
UNSEEN = (
    "no compilation of the tests' run that our compiler wrappers saw instrumented it (a "
    "compiler called by its full path, as CMake's, or one we do not know; an object "
    "built before the run; a header whose changed lines hold no compiled function)"
)


def is_c(rel: str) -> bool:
    return rel.endswith(SUFFIXES)


def stripped(text: str) -> list[str]:
    """The lines of C or C++ ``text`` with comments (``//``, ``/* */``) made blanks and
    what string and character literals hold made x (their quotes kept): what is
    left is code, and no brace of it is in a literal or a comment."""
    out: list[str] = []
    block, quote = False, ""
    for line in text.split("\n"):
        kept: list[str] = []
        i = 0
        while i < len(line):
            c, two = line[i], line[i : i + 2]
            if block:
                if two == "*/":
                    block, i = False, i + 2
                    kept.append("  ")
                else:
                    kept.append(" ")
                    i += 1
            elif quote:
                kept.append(c if c == quote else "x" * len(two if c == "\\" else c))
                quote = "" if c == quote else quote
                i += 2 if c == "\\" else 1
            elif two == "//":
                break
            elif two == "/*":
                block, i = True, i + 2
                kept.append("  ")
            else:
                quote = c if c in "\"'" else ""
                kept.append(c)
                i += 1
        quote = ""  # (a literal ends with its line)
        out.append("".join(kept))
    return out


def code_lines(text: str) -> set[int]:
    """The lines of C or C++ ``text`` (1-based) holding code: a character outside
    comments (``//``, ``/* */``) other than blanks and closing brackets; a string's or a
    character literal's lines count."""
    return {
        n
        for n, line in enumerate(stripped(text), 1)
        if any(not c.isspace() and c not in ")]};," for c in line)
    }


def script() -> str:
    return (resources.files("acrouter") / "data" / SCRIPT).read_text(encoding="utf-8")


def own_coverage(env: Mapping[str, str]) -> bool:
    """Whether the run's environment sets coverage itself."""
    flags = " ".join(env.get(k, "") for k in ("CFLAGS", "CXXFLAGS", "CPPFLAGS", "LDFLAGS"))
    return bool(env.get("GCOV_PREFIX") or env.get("GCOV_PREFIX_STRIP")) or bool(
        _OWN_FLAGS.search(flags)
    )


@attrs.frozen
class Compiler:
    """A compiler name on the run's ``PATH``: the file it runs, what kind it is
    (``gcc``, ``clang``, ``nogcov``: a gcc whose gcov is missing) and its gcov."""

    name: str
    real: str
    kind: str
    gcov: str = ""


def _gcov_for(real: str, path: list[str], outside: list[str]) -> str:
    """The gcov of the gcc ``real`` (a real file): ``gcov-12`` for a ``gcc-12``, else
    the ``gcov`` beside it, in ``path`` or the compiler's folder (never in one of
    ``outside``: the verifier runs it); "" when there is none."""
    m = _GCC.search(Path(real).name)
    version = m.group(1) if m else None
    folder = str(Path(real).parent)
    names = [f"gcov-{version}", f"gcov-{version.split('.')[0]}"] if version else ["gcov"]
    places = [*path, *([] if any(_under(folder, o) for o in outside) else [folder])]
    for name in names:
        for place in places:
            found = shutil.which(name, path=place)
            if found:
                return found
    return ""


def compilers(env: Mapping[str, str], outside: list[str]) -> list[Compiler]:
    """The C and C++ compilers the run's ``PATH`` names (the first of each name), none
    of which is run here: what they are is read from their real files' names.
    ``outside``: folders not searched (the workspace's own)."""
    path = [p for p in (env.get("PATH") or os.defpath).split(":") if p]
    trusted = [p for p in path if not any(_under(p, o) for o in outside)]
    found: dict[str, Compiler] = {}
    for folder in path:
        try:
            names = sorted(os.listdir(folder))
        except OSError:
            continue
        for name in names:
            if name in found or not _COMPILER.fullmatch(name):
                continue
            file = os.path.join(folder, name)
            if not (os.path.isfile(file) and os.access(file, os.X_OK)):
                continue
            real = os.path.realpath(file)
            base = Path(real).name
            if "clang" in base:
                found[name] = Compiler(name, file, "clang")
            elif _GCC.search(base):
                gcov = _gcov_for(real, trusted, outside)
                found[name] = Compiler(name, file, "gcc" if gcov else "nogcov", gcov)
    return list(found.values())


def _under(path: str, folder: str) -> bool:
    path, folder = os.path.normpath(path), os.path.normpath(folder)
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def _mark_source(out_dir: str) -> str:
    place = json.dumps(out_dir)  # a C string literal (JSON's escapes are C's for this)
    return f"""/* ACRouter: marks this process's start and its normal exit (lines_ccov) */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
static void acrouter_c_mark(const char *what) {{
  char path[4096];
  FILE *f;
  snprintf(path, sizeof path, "%s/{PREFIX}%ld.%s", {place}, (long)getpid(), what);
  f = fopen(path, "w");
  if (f) fclose(f);
}}
static void acrouter_c_end(void) {{ acrouter_c_mark("end"); }}
__attribute__((constructor)) static void acrouter_c_start(void) {{
  acrouter_c_mark("start");
  atexit(acrouter_c_end);
}}
"""


def cover_env(
    out_dir: str, seen: str, env: Mapping[str, str], path: str | None = None, root: str = ""
) -> tuple[dict[str, str] | None, str, tuple[str, ...]]:
    """The ``PATH`` that puts our compiler wrappers (written into ``out_dir``) first for
    a run that sees the workspace at ``seen`` (``path``: the ``PATH`` it gets already,
    else ``env``'s; ``root``: the workspace on this machine, whose folders are not
    searched for a gcov), or None and why the run cannot be measured so; and the gcovs
    that may read what it writes (the only ones :func:`read_ccov` runs: the out folder,
    which names each note's, is the run's to write)."""
    if own_coverage(env):
        return None, OWN_ENV, ()
    current = path or env.get("PATH") or os.defpath
    found = compilers({"PATH": current}, [p for p in (seen, root, out_dir) if p])
    if not any(c.kind == "gcc" for c in found):
        return None, NO_COMPILER, ()
    folder = Path(out_dir) / BIN_DIR
    folder.mkdir(exist_ok=True)
    (Path(out_dir) / MARK_SOURCE).write_text(_mark_source(out_dir), encoding="utf-8")
    text = script()
    for c in found:
        values = {
            "REAL": c.real,
            "OUT": out_dir,
            "SEEN": seen,
            "BIN": str(folder),
            "GCOV": c.gcov,
            "KIND": c.kind,
        }
        body = text
        for key, value in values.items():
            body = body.replace(f"@{key}@", shlex.quote(value), 1)
        (folder / c.name).write_text(body, encoding="utf-8")
        (folder / c.name).chmod(0o755)
    gcovs = tuple(sorted({c.gcov for c in found if c.kind == "gcc"}))
    return {"PATH": f"{folder}:{current}"}, "", gcovs


def suspect(output: str) -> bool:
    """Whether a failed run's ``output`` names the instrumentation."""
    return any(w in output for w in SUSPECT_WORDS)


def _notes(out_dir: Path) -> Iterator[tuple[Path, list[str], str]]:
    """Each notes folder of the run: the folder, the sources its compilation named, its
    gcov."""
    for folder in sorted(out_dir.glob(f"{NOTES}*")):
        try:
            sources = (folder / "sources").read_text(encoding="utf-8").splitlines()
            gcov = (folder / "gcov").read_text(encoding="utf-8").strip()
        except OSError:
            continue
        yield folder, [os.path.normpath(s) for s in sources if s], gcov


def _paired(folder: Path) -> list[Path]:
    """The notes of ``folder``, each with its counts under the name gcov looks for: one
    note written with ``-fprofile-note`` has them under ``-fprofile-dir``'s mangled
    name (``#ws#build#calc.gcda``)."""
    notes = sorted(folder.glob("*.gcno"))
    if len(notes) == 1 and not notes[0].with_suffix(".gcda").exists():
        mangled = sorted(folder.glob("#*.gcda"))
        if len(mangled) == 1:
            mangled[0].rename(notes[0].with_suffix(".gcda"))
    return notes


def _gcov(gcov: str, notes: list[Path], cwd: Path) -> Iterator[dict[str, object]]:
    """What ``gcov --json-format`` says of ``notes``, one document a note."""
    for at in range(0, len(notes), BATCH):
        argv = [gcov, "--json-format", "--stdout", *map(str, notes[at : at + BATCH])]
        try:
            done = subprocess.run(
                argv, check=False, capture_output=True, timeout=TOOL_TIMEOUT_S, cwd=cwd
            )
        except (OSError, subprocess.SubprocessError):
            continue
        for line in done.stdout.decode("utf-8", "replace").splitlines():
            try:
                data = json.loads(line)
            except ValueError:
                continue
            if isinstance(data, dict):
                yield data


def _counts(
    docs: Iterator[dict[str, object]], wanted: Mapping[str, str]
) -> tuple[dict[str, dict[int, bool]], dict[str, dict[tuple[int, int], bool]]]:
    """The executable lines of the ``wanted`` files (path as the run saw it ->
    relative path) in gcov's documents, each with whether it ran; and their functions'
    line ranges, each with whether it was called."""
    out: dict[str, dict[int, bool]] = {}
    funcs: dict[str, dict[tuple[int, int], bool]] = {}
    for data in docs:
        cwd = data.get("current_working_directory")
        files = data.get("files")
        if not isinstance(files, list):
            continue
        for f in files:
            name = f.get("file") if isinstance(f, dict) else None
            if not isinstance(name, str):
                continue
            path = os.path.normpath(os.path.join(cwd if isinstance(cwd, str) else "/", name))
            rel = wanted.get(path)
            if rel is None:
                continue
            held = out.setdefault(rel, {})
            for line in f.get("lines") or ():
                n, count = line.get("line_number"), line.get("count")
                if isinstance(n, int) and isinstance(count, int):
                    held[n] = held.get(n, False) or count > 0
            called = funcs.setdefault(rel, {})
            for fn in f.get("functions") or ():
                span = fn.get("start_line"), fn.get("end_line")
                count = fn.get("execution_count")
                if all(isinstance(x, int) for x in (*span, count)):
                    key = (int(span[0]), int(span[1]))  # type: ignore[arg-type]
                    called[key] = called.get(key, False) or int(count) > 0  # type: ignore[arg-type]
    return out, funcs


#: what opens a brace at file level that holds declarations, not a function's body
#: (after :func:`stripped`: ``extern "C"`` reads ``extern "x"``)
_TRANSPARENT = re.compile(r'(?:\bextern\s*"x+"|\bnamespace\b[\w:\s]*)$')
#: a class, struct or union's head (``template <typename T> class Calc : public Base``):
#: its brace holds members, and a member function defined there has a body of its own
_CLASS = re.compile(r"(?:^|[\s;}>])(?:class|struct|union)\s+[^;(){}=]*$")


def function_bodies(text: str) -> list[tuple[int, int]]:
    """The line spans (first, last; 1-based) of the function bodies of C or C++ ``text``:
    a brace opened at file level (or within ``extern "C" {`` / ``namespace x {``, or a
    class, struct or union's braces, where a C++ member function is defined) right
    after a ``)`` (a signature; ``const``, ``noexcept``, ``override`` and attributes may
    follow it), to its closing brace.  Comments, literals (:func:`stripped`) and
    preprocessor lines are skipped, each ``#else`` branch read from where its ``#if``
    began; a struct, an enum or an initializer (``= {``) is no body."""
    walk = Bodies(_c_kind)
    directive = False
    saved: list[tuple[list[str], str, int]] = []  # at each #if: the state to start #else from
    for n, line in enumerate(stripped(text), 1):
        if directive or line.lstrip().startswith("#"):
            word = re.match(r"\s*#\s*(\w*)", line)
            kind = word.group(1) if word and not directive else ""
            if kind in ("if", "ifdef", "ifndef"):
                saved.append(walk.state())
            elif kind in ("elif", "else", "elifdef", "elifndef") and saved:
                # each branch from where the #if began: branches that each open a
                # function's brace (two signatures, one body) stay balanced
                walk.restore(saved[-1])
            elif kind == "endif" and saved:
                saved.pop()
            directive = line.rstrip().endswith("\\")  # (a #define continued)
            continue
        walk.line(n, line)
    return walk.found


def _c_kind(before: str) -> str:
    if _TRANSPARENT.search(before.strip()) or _CLASS.search(before.strip()):
        return "scope"
    return "body" if _signature(before) else "other"


def _signature(head: str) -> bool:
    """Whether the code before a brace ends as a function's signature does: with a
    ``)``, after which only qualifiers and attributes may come."""
    head = re.sub(
        r"\b(?:const|noexcept|override|final|volatile)\b"
        r"|__attribute__\s*\(\(.*?\)\)|\[\[.*?\]\]",
        "",
        head,
    )
    return head.strip().endswith(")")


def _statements(
    held: Mapping[int, bool],
    funcs: Mapping[tuple[int, int], bool],
    code: set[int],
    bodies: Collection[tuple[int, int]] = (),
) -> dict[int, bool]:
    """The statement lines of a file and whether each ran: those gcov lists, and the
    code lines of a function no process called (an optimised build leaves some lines
    of it unlisted: a ``switch`` of returns made a table; none of them ran), and those
    of a function body (``bodies``) gcov knows nothing of, when it knows of the file:
    the build did not compile it (an ``#if`` left it out, an unused ``static`` function
    dropped, a template never instantiated), so no test ran it."""
    out = dict(held)
    for (start, end), called in funcs.items():
        if not called:
            for n in range(start, end + 1):
                if n in code:
                    out.setdefault(n, False)
    if held or funcs:
        known = [*funcs, *((n, n) for n in held)]
        for first, last in bodies:
            if any(a <= last and first <= b for a, b in known):
                continue
            for n in range(first, last + 1):
                if n in code:
                    out.setdefault(n, False)
    return out


def _cut(out_dir: Path) -> bool:
    """Whether a process of a program linked in the workspace started and never
    exited normally (its counts unwritten)."""
    names = {p.name for p in out_dir.glob(f"{PREFIX}*.start")}
    ended = {p.name for p in out_dir.glob(f"{PREFIX}*.end")}
    return any(n[: -len("start")] + "end" not in ended for n in names)


def read_ccov(
    out_dir: str | Path,
    seen: str,
    files: Mapping[str, tuple[str, str]],
    gcovs: Collection[str] = (),
) -> Traced | None:
    """The statement lines of the edited C and C++ ``files`` (relative path -> old and
    new texts) the tests ran, and their changes; a file no compilation's notes hold is
    ``unmeasured`` (:func:`settle` says why).  None when no compilation was
    instrumented.  Only the ``gcovs`` :func:`cover_env` found are run (a note naming
    another is not read)."""
    folder = Path(out_dir)
    wanted = {os.path.normpath(f"{seen}/{rel}"): rel for rel in files}
    names = {Path(rel).name.encode() for rel in files}
    batches: dict[str, list[Path]] = {}
    found = False
    for place, _sources, gcov in _notes(folder):
        found = True
        for note in _paired(place):
            try:
                data = note.read_bytes()
            except OSError:
                continue
            if gcov in gcovs and any(name in data for name in names):  # (it names its sources)
                batches.setdefault(gcov, []).append(note)
    if not found:
        return None
    counts: dict[str, dict[int, bool]] = {}
    funcs: dict[str, dict[tuple[int, int], bool]] = {}
    for gcov, batch in batches.items():
        found_lines, found_funcs = _counts(_gcov(gcov, batch, folder), wanted)
        for rel, held in found_lines.items():
            mine = counts.setdefault(rel, {})
            for n, ran in held.items():
                mine[n] = mine.get(n, False) or ran
        for rel, spans in found_funcs.items():
            theirs = funcs.setdefault(rel, {})
            for span, called in spans.items():
                theirs[span] = theirs.get(span, False) or called
    lines: dict[str, frozenset[int]] = {}
    changes: list[Change] = []
    for rel, (old, new) in sorted(files.items()):
        held = _statements(
            counts.get(rel) or {}, funcs.get(rel) or {}, code_lines(new), function_bodies(new)
        )
        if not held or max(held) > new.count("\n") + 1:
            continue
        lines[rel] = frozenset(n for n, ran in held.items() if ran)
        change = line_change(rel, old.split("\n"), new.split("\n"), set(held), code_lines(old))
        changes.extend([change] if change else [])
    unmeasured = frozenset(files) - lines.keys()
    return Traced(lines, True, unmeasured, cut=_cut(folder), changes=tuple(changes))


def why(out_dir: str | Path, seen: str, rel: str) -> str:
    """Why the lines of the edited file ``rel`` are not known, from what the wrappers
    noted in ``out_dir``."""
    folder = Path(out_dir)
    path = os.path.normpath(f"{seen}/{rel}")
    try:
        skipped = (folder / SKIPPED).read_text(encoding="utf-8").splitlines()
    except OSError:
        skipped = []
    for line in skipped:
        kind, _, source = line.partition("\t")
        if os.path.normpath(source) == path and kind in WHY:
            return WHY[kind]
    for _notes_dir, sources, _gcov in _notes(folder):
        if path in sources:
            return WHY["gcov"]
    return UNSEEN


def settle(
    traced: Traced | None,
    opened: dict[str, bool] | None,
    files: Mapping[str, tuple[str, str]],
    reason: str,
    out_dir: str | Path,
    seen: str,
) -> tuple[Traced | None, dict[str, bool] | None]:
    """``traced`` and ``opened`` (:mod:`.lines_opened`) with the edited C and C++
    ``files`` whose lines were not measured said so (:attr:`Traced.unknown`, with why:
    ``reason`` when the run was not instrumented at all, else :func:`why`), unless no
    process of the run opened them (that says more: left to ``opened``)."""
    measured = set(traced.lines) | set(traced.unknown) if traced else set()
    unknown: dict[str, str] = {}
    for rel in sorted(files):
        if rel in measured or (opened is not None and opened.get(rel) is False):
            continue
        unknown[rel] = reason or why(out_dir, seen, rel)
    if not unknown:
        return traced, opened
    base = traced or Traced({}, True)
    # the changed code lines, by the text alone: what the verdict says is not known
    changes = []
    for rel in unknown:
        old, new = files[rel]
        a, b = old.split("\n"), new.split("\n")
        change = line_change(rel, a, b, code_lines(new), code_lines(old))
        changes.extend([change] if change else [])
    changed = (*base.changes, *changes)
    traced = attrs.evolve(base, unknown={**base.unknown, **unknown}, changes=changed)
    if opened is not None:
        opened = {k: v for k, v in opened.items() if k not in unknown}
    return traced, opened
