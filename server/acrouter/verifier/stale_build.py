"""A pass on an edited Cython source whose module the run never rebuilt: not learned.

A Cython project built in place (``python setup.py build_ext --inplace``, ``pip install
-e .``) keeps ``calc.cpython-311-x86_64-linux-gnu.so`` beside ``calc.pyx``; the tests
``import calc`` and get that build.  An edit of ``calc.pyx`` reaches them only when the
test command compiles it again: with plain ``pytest`` the tests ran the module as it
was before the edit, and ``add`` made to subtract was "verified" (``pass: 2 passed, 0
failed``, counted, nothing said: the line tracer sees Python files only).

So a pass whose edit changed a ``.pyx`` file with such a module beside it (of the same
name, an extension module's suffix) that the run did not write again says so, in its
detail and ``unrun`` (the apply prompt's warning), and is not counted (like an idle
pass, :mod:`.lines_idle`: it says nothing about the model).  Not an error: a test could
compile the source elsewhere (``pyximport``), out of sight.  A ``.pxd`` beside it is its
declarations: the same module.

Which module a C or C++ file is built into is not known (``setup.py`` names it), so an
edit of one (``.c``, ``.cpp``, a header...) is taken the cautious way: when the workspace
holds Python extension modules built before the edit (``*.cpython-*.so``,
``*.abi3.so``, ``*.pyd``) and the run built nothing (wrote no extension module, object
file or static library), a pass says the tests may have run those builds and is not
learned (:func:`built_before`).  So is an edit of a Cython source with no module of its
name beside it (``_packer.pyx``, included in msgpack's ``_cmsgpack.pyx``; a ``.pxi``).

"Built nothing" reads what the run wrote, less the extension modules it wrote byte for
byte as the workspace held them, with their old time (:func:`copies`): ``setup.py build_ext --inplace``
copies every module beside its source on each run, built or not, and builds nothing
when only a header changed (``depends`` names none): with msgpack 1.1.0, ``0xc3`` made
``0xc2`` in ``pack_template.h`` (``True`` packed as ``False``) passed, counted, with
that copy taken for a build.  An object file written counts as a build, whatever it
holds.

A build that fails on the edited source need not fail the run: a ``setup.py`` with
optional speedups (markupsafe's) catches the compiler's failure and goes on without
them, and the tests import the module built before.  So a pass whose run printed a C or
C++ compiler error naming an edited file (``src/calc.c:3:5: error: ...``) is a fail
(:func:`uncompiled`): the edit does not build.  It is held against the model only when
the run without the edit printed no such error for that file (the source built before
the edit, in this set-up).
"""

from __future__ import annotations

import filecmp
import os
import re
from collections.abc import Collection, Iterable
from pathlib import Path, PurePosixPath

import attrs

from ..domain import Verdict

#: the sources Cython compiles into a module of the same name beside them
SOURCES = (".pyx", ".pxd")
#: C and C++ sources and headers, which setup.py may build into any module; Cython's,
#: which another module may include (a module of their name beside them is
#: :func:`stale_modules`' business)
C_SOURCES = (".c", ".h", ".cc", ".cpp", ".cxx", ".hh", ".hpp", ".hxx", *SOURCES, ".pxi")
#: what a build writes: a module, an object file, a static library
BUILT = (".so", ".pyd", ".o", ".obj", ".a", ".lib")
#: folders no extension module of the workspace's own is imported from
_SKIP = {".git", "node_modules", ".venv", "venv", ".tox", ".nox", "site-packages", "build"}
#: how many folders :func:`built_before` looks through at most
MAX_FOLDERS = 5000
#: why such a pass is not learned, in its detail
NOT_LEARNED = "so this pass says nothing about the model: not learned"
#: an extension module's file names end so (``.cpython-311-x86_64-linux-gnu.so``, ``.so``)
MODULES = (".so", ".pyd")


def stale_modules(root: Path, edited: Iterable[str], wrote: Collection[str]) -> list[str]:
    """The extension modules (relative paths) built from the edited Cython sources
    ``edited`` that the run did not write (``wrote``: :mod:`.written`'s paths)."""
    found: list[str] = []
    for rel in edited:
        path = PurePosixPath(rel)
        if path.suffix not in SOURCES:
            continue
        try:
            names = sorted(os.listdir(root / path.parent))
        except OSError:
            continue
        for name in names:
            built = (path.parent / name).as_posix()
            if name.startswith(path.stem + ".") and name.endswith(MODULES) and built not in wrote:
                found.append(built)
    return found


def copies(root: Path, at: Path, wrote: Iterable[str]) -> set[str]:
    """The extension modules (``.so``, ``.pyd``) among ``wrote`` (what a run wrote, its
    files lying under ``at`` by the same relative paths: an overlay's upper folder, a
    scratch copy) written with the bytes, and a time no later than, the workspace
    ``root``'s: copied again as setuptools copies (its times kept), not built.  A module
    compiled again to the same bytes has a new time, and is a build."""
    same: set[str] = set()
    for rel in wrote:
        if not rel.endswith(MODULES):
            continue
        try:
            was, now = (root / rel).stat(), (at / rel).stat()
            if now.st_mtime_ns <= was.st_mtime_ns and filecmp.cmp(
                root / rel, at / rel, shallow=False
            ):
                same.add(rel)
        except OSError:  # not in the workspace before, or gone
            continue
    return same


def _extension(name: str) -> bool:
    return name.endswith((".pyd", ".abi3.so")) or (".cpython-" in name and name.endswith(".so"))


def built_before(root: Path, edited: Iterable[str], wrote: Collection[str]) -> list[str]:
    """The workspace's Python extension modules (relative paths) when the edit changed C
    or C++ files and the run built nothing (``wrote``: :mod:`.written`'s paths): any of
    them may have been built from those files before the edit.  At most
    :data:`MAX_FOLDERS` folders are looked through."""
    if not any(PurePosixPath(rel).suffix in C_SOURCES for rel in edited):
        return []
    if any(rel.endswith(BUILT) for rel in wrote):
        return []
    found: list[str] = []
    for folders, (here, dirs, files) in enumerate(os.walk(root), 1):
        if folders > MAX_FOLDERS:
            break
        dirs[:] = sorted(d for d in dirs if d not in _SKIP and not d.startswith("."))
        at = PurePosixPath(Path(here).relative_to(root).as_posix())
        found.extend((at / f).as_posix() for f in sorted(files) if _extension(f))
    return found


def with_stale_builds(
    verdict: Verdict, root: Path, edited: Iterable[str], wrote: Collection[str]
) -> Verdict:
    """A pass whose edited Cython sources have modules beside them the run did not
    rebuild, not counted and with the warning; any other verdict as it is."""
    if verdict.verdict != "pass":
        return verdict
    edited = list(edited)
    stale = stale_modules(root, edited, wrote)
    if stale:
        said = (
            f"the run did not rebuild {', '.join(stale[:3])}, built before the edit from the "
            "edited source beside it: the tests that import it ran the code as it was (make "
            "the test command build it first: python setup.py build_ext --inplace && ...)"
        )
    elif before := built_before(root, edited, wrote):
        more = f" and {len(before) - 3} more" if len(before) > 3 else ""
        was, one = ("was", "it") if len(before) == 1 else ("were", "one")
        said = (
            f"the run built nothing, and {', '.join(before[:3])}{more} {was} built before "
            f"the edit: if {one} is built from the edited source, the tests that import it "
            "ran the code as it was (make the test command build it first: pip install -e . "
            "or python setup.py build_ext --inplace && ...)"
        )
    else:
        return verdict
    unrun = f"{verdict.unrun}; {said}" if verdict.unrun else said
    detail = (
        f"{verdict.detail}; {said}; {NOT_LEARNED}" if verdict.detail else f"{said}; {NOT_LEARNED}"
    )
    return attrs.evolve(verdict, detail=detail, unrun=unrun, counted=False)


#: a C or C++ compiler's error line (gcc, clang): ``path:line[:col]: [fatal ]error: ...``
_COMPILE_ERROR = re.compile(
    r"^(?P<path>[^\s:]+\.(?:c|h|cc|cpp|cxx|hh|hpp|hxx)):\d+(?::\d+)?: (?:fatal )?error: ",
    re.MULTILINE,
)
#: how many compiler error lines a run keeps
MAX_ERRORS = 20


def compile_errors(output: str) -> tuple[str, ...]:
    """The C or C++ compiler's error lines in a run's ``output`` (at most ``MAX_ERRORS``)."""
    found = []
    for m in _COMPILE_ERROR.finditer(output):
        end = output.find("\n", m.start())
        found.append(output[m.start() : end if end >= 0 else len(output)].strip()[:300])
        if len(found) >= MAX_ERRORS:
            break
    return tuple(found)


def named_errors(errors: Iterable[str], edited: Collection[str]) -> list[str]:
    """The error lines whose file is one of ``edited`` (workspace-relative paths; the
    compiler prints them relative to its folder, the workspace's or one below it, or in
    full)."""
    out = []
    for line in errors:
        m = _COMPILE_ERROR.match(line)
        path = m.group("path") if m else ""
        full = path.startswith("/")
        if any(
            path == e or e.endswith("/" + path) or (full and path.endswith("/" + e)) for e in edited
        ):
            out.append(line)
    return out


def uncompiled(
    verdict: Verdict,
    before: tuple[str, ...] | None,
    after: tuple[str, ...],
    edited: Collection[str],
) -> Verdict:
    """A pass whose run with the edit printed a compiler error naming an edited file
    (``after``: that run's :func:`compile_errors`) made a fail: the edit does not build.
    Counted only when the run without the edit is known to have printed none for those
    files (``before``; None when there was no such run)."""
    if verdict.verdict != "pass" or not after:
        return verdict
    named = named_errors(after, edited)
    if not named:
        return verdict
    counted = before is not None and not named_errors(before, edited)
    said = (
        f"the edited source does not compile: {named[0]}"
        + (f" (and {len(named) - 1} more errors)" if len(named) > 1 else "")
        + "; the run went on without building it, and the tests ran what was built before"
    )
    if not counted:
        said += " (the run without the edit printed errors for it too, or did not run: not counted)"
    detail = f"{said}; {verdict.detail}" if verdict.detail else said
    return attrs.evolve(verdict, verdict="fail", detail=detail, counted=counted, unrun="")
