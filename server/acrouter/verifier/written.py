"""What a test run wrote into the workspace, as far as it could change the run's own
results.

The code under test runs inside the test process, before the runner reads the tests it
has not collected yet: it can rewrite ``tests/test_mul.py`` (its asserts made ``pass``),
add a ``conftest.py`` to a folder not collected yet, rewrite a data file a test compares
against, or forge pytest's cache of a rewritten test module
(``tests/__pycache__/test_mul.cpython-311-pytest-9.2.0.pyc``, with the real source's
hash).  Nothing of that reaches the user's files, but the results no longer judge the
edit.  So after each run the verifier reads what it wrote: under an overlay, its upper
folder (``bwrap --overlay``: every file the run created or changed, a whiteout for each
one it deleted, an opaque folder for one it replaced); on a scratch copy, the copy's
files against their recorded inode and ctime (:class:`.scratch.Scratch`), and the edit's
own files (bound over the overlay) against the texts written.  The tests run with
``PYTHONDONTWRITEBYTECODE=1``, so an honest run writes no ``.pyc`` and the bytecode
caches it reads are the user's, checked by pytest against the source's hash.

What counts (:func:`matters`): code and bytecode anywhere (``.py``, ``.pyc``, ``.pth``,
``.so``, JavaScript, ...; in hidden folders such as an in-project ``.venv`` only
Python's), the tests' files by their rules (:func:`.testfiles.is_test_file`: test
modules, ``conftest.py``, the runners' configuration, whatever lies in a test folder),
and any file that existed before the run and was changed or deleted, outside hidden
folders (``.pytest_cache``, ``.hypothesis``: caches a run updates as its results
change) and ctest's record of its last run (``Testing/Temporary/LastTest.log``,
``LastTestsFailed.log``, ``CTestCostData.txt``: written as its tests end).  The verdict (:mod:`.verdict`) refuses a run that wrote such a file the run
without the edit did not: tests that write files of their own write them in both.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path, PurePosixPath

from .scratch import Scratch
from .testdata import CODE_SUFFIXES
from .testnames import is_test_file
from .workspace import open_folders, remove_tree

#: what a run did to a file, in the verdict's words
CREATED, CHANGED, DELETED, REPLACED = "wrote", "rewrote", "deleted", "replaced the folder"
#: a symlink the run made: a folder of tests, or a conftest.py, may lie behind it (in the
#: run's private /tmp, where no check reaches)
LINKED = "made the link"
#: Python's own code: what an interpreter imports or runs at start-up
PYTHON_CODE = frozenset({".py", ".pyc", ".pyo", ".pth", ".so", ".pyd"})
#: at most this many entries of the upper folder are read
MAX_ENTRIES = 100_000
#: ctest's record of the run it just made, in ``<build>/Testing/Temporary``: its log, the
#: tests that failed (``LastTestsFailed.log``, written only when one failed: a broken edit
#: writes it and the run without the edit does not), those disabled
#: (``LastTestsDisabled.log``) and each test's time, which orders the next run; written as
#: the tests end, read by the next ctest only
CTEST_TEMPORARY = ("Testing", "Temporary")
CTEST_LOGS = re.compile(r"LastTest(?:s(?:Failed|Disabled))?(?:_[\w.-]+)?\.log|CTestCostData\.txt")

_Sig = tuple[int, int, int, int]  # scratch's (inode, ctime_ns, st_mode, size)


def matters(rel: str, kind: str) -> bool:
    """Whether the run writing ``rel`` (``kind``: :data:`CREATED` ...) may change what
    the run itself reports."""
    path = PurePosixPath(rel)
    suffix = path.suffix.lower()
    if any(part.startswith(".") for part in path.parts):
        return suffix in PYTHON_CODE
    if path.parent.parts[-2:] == CTEST_TEMPORARY and CTEST_LOGS.fullmatch(path.name):
        return False
    if suffix in PYTHON_CODE or suffix in CODE_SUFFIXES or is_test_file(rel):
        return True
    return kind != CREATED


def upper_dirs(base: Path) -> tuple[Path, Path]:
    """The upper folder and work folder of the overlay of a run in the scratch folder
    ``base`` (:func:`.bwrap.bwrap_argv` makes them fresh as the run starts)."""
    return base / "upper", base / "overlay-work"


def _xattrs(path: str) -> list[str]:
    try:
        return os.listxattr(path, follow_symlinks=False)
    except OSError:
        return []


def _upper_entries(upper: str, rel: str = "") -> Iterator[tuple[str, str]]:
    """(path, kind) for what the run did, read from an overlay's upper folder."""
    folder = os.path.join(upper, rel) if rel else upper
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        sub = f"{rel}/{entry.name}" if rel else entry.name
        try:
            st = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        marks = _xattrs(entry.path)
        if (stat.S_ISCHR(st.st_mode) and st.st_rdev == 0) or any(
            m.endswith("overlay.whiteout") for m in marks
        ):
            yield sub, DELETED
        elif stat.S_ISDIR(st.st_mode):
            if any(m.endswith("overlay.opaque") for m in marks):
                yield sub, REPLACED
            yield from _upper_entries(upper, sub)
        else:
            # a new file, or a changed one: the caller looks at the workspace
            yield sub, LINKED if stat.S_ISLNK(st.st_mode) else CREATED


def overlay_writes(
    upper: Path, root: Path, edits: Iterable[tuple[str, str]] = ()
) -> dict[str, str]:
    """What the run under an overlay on ``root`` wrote (by workspace-relative path),
    read from its ``upper`` folder; the edit's files (``edits``: host file, path in the
    workspace), bound over the overlay, are :func:`edits_rewritten`'s."""
    bound = {rel for _, rel in edits}
    found: dict[str, str] = {}
    for n, (rel, kind) in enumerate(_upper_entries(str(upper))):
        if n >= MAX_ENTRIES:
            break
        if rel in bound:
            continue
        if kind in (CREATED, LINKED) and os.path.lexists(root / rel):
            kind = CHANGED
        if kind == REPLACED and not os.path.isdir(root / rel):
            continue  # a folder the run created, then emptied
        if matters(rel, kind):
            found[rel] = kind
    return found


def edits_rewritten(edits: Sequence[tuple[str, str]], texts: Iterable[str]) -> dict[str, str]:
    """The files bound over the overlay (``edits``: host file, path in the workspace;
    writable) that no longer hold the text written there (``texts``, in the same order:
    :func:`.edits.write_edits`)."""
    found: dict[str, str] = {}
    for (host, rel), want in zip(edits, texts):
        try:
            with open(host, "rb") as fh:
                same = fh.read() == want.encode("utf-8")
        except OSError:
            same = False
        if not same and matters(rel, CHANGED):
            found[rel] = CHANGED
    return found


def run_writes(
    root: Path,
    scratch: Scratch,
    overlay: bool,
    edits: Sequence[tuple[str, str]],
    texts: Mapping[str, str],
    look: Callable[[Path, Mapping[str, str]], object] | None = None,
) -> dict[str, str]:
    """What the run just made in ``scratch`` wrote that matters: under an overlay on
    ``root`` (its upper folder: :func:`upper_dirs`; ``edits`` bound over it, with the
    ``texts`` written there), else into the copy.  The upper folder is removed.  A
    folder the run made unreadable is opened first (the run has ended): as a user other
    than root its files were out of the check's sight.  ``look``, if given, is called
    with the folder the written files lie in (by the same relative paths) and what the
    run wrote, while they are still there."""
    if overlay:
        upper, work = upper_dirs(scratch.base)
        open_folders(upper)
        wrote = overlay_writes(upper, root, edits)
        wrote.update(edits_rewritten(edits, texts.values()))
        if look is not None:
            look(upper, wrote)
        remove_tree(upper)  # read: not kept while the folder waits for its next run
        remove_tree(work)
        return wrote
    files, dirs = scratch.recorded()
    open_folders(scratch.ws)
    wrote = copy_writes(scratch.ws, files, dirs)
    if look is not None:
        look(scratch.ws, wrote)
    return wrote


def copy_writes(ws: Path, files: Mapping[str, _Sig], dirs: Mapping[str, _Sig]) -> dict[str, str]:
    """What the run wrote into a scratch copy at ``ws``, from the inode, ctime, mode and
    size recorded for every file (``files``) and folder (``dirs``, "" for ``ws``) the
    copy was made of."""
    found: dict[str, str] = {}
    for rel, sig in files.items():
        try:
            st = os.lstat(ws / rel)
        except OSError:
            found[rel] = DELETED
            continue
        if (st.st_ino, st.st_ctime_ns, st.st_mode, st.st_size) != sig:
            found[rel] = CHANGED
    known = set(files) | set(dirs)
    for d, sig in dirs.items():
        path = ws / d if d else ws
        try:
            st = os.lstat(path)
        except OSError:
            continue  # gone with its parent, or the files in it say so
        if not stat.S_ISDIR(st.st_mode) or st.st_ino != sig[0]:
            found[d] = REPLACED
            if stat.S_ISDIR(st.st_mode):
                found.update(_new_files(ws, d, set()))
            continue
        if st.st_ctime_ns == sig[1]:
            continue
        for rel, kind in _new_files(ws, d, known):
            found.setdefault(rel, kind)
    return {rel: kind for rel, kind in found.items() if matters(rel, kind)}


def _new_files(ws: Path, d: str, known: set[str]) -> Iterator[tuple[str, str]]:
    """The files in the folder ``d`` of ``ws`` (and in new folders below it) that the
    copy was not made of, each with :data:`CREATED` or :data:`LINKED`."""
    stack = [d]
    seen = 0
    while stack and seen < MAX_ENTRIES:
        folder = stack.pop()
        try:
            entries = list(os.scandir(ws / folder if folder else ws))
        except OSError:
            continue
        for entry in entries:
            rel = f"{folder}/{entry.name}" if folder else entry.name
            if rel in known:
                continue
            seen += 1
            if entry.is_dir(follow_symlinks=False):
                stack.append(rel)
            else:
                yield rel, LINKED if entry.is_symlink() else CREATED


def describe(wrote: Mapping[str, str], limit: int = 3) -> str:
    """``rewrote tests/test_mul.py, wrote tests/zz/conftest.py and 2 more``."""
    items = sorted(wrote.items(), key=lambda kv: (not _first(kv[0]), kv[0]))
    shown = ", ".join(f"{kind} {rel}" for rel, kind in items[:limit])
    return f"{shown} and {len(items) - limit} more" if len(items) > limit else shown


def _first(rel: str) -> bool:
    """The tests' files and bytecode first: what a reader looks for."""
    return is_test_file(rel) or PurePosixPath(rel).suffix in (".pyc", ".pth")
