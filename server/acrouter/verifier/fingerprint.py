"""What a request's tests ran on, kept so that the editor can ask, when the user applies
the edit minutes later, whether the workspace is still that one.

A verdict describes the workspace the tests saw: the files the verifier copies (or
overlays) and the editor's unsaved buffers in their place.  ``take_fingerprint`` records it cheaply,
with the verifier's own notion of the workspace (``scratch.scan_workspace``: git's view,
heavy and cache folders left out, virtualenvs and ``node_modules`` mounted, not copied):
each file's size and modification time, a digest of each unsaved buffer's text, and the
stamp of the mounted dependency folders.  ``WorkspaceFingerprint.changes`` compares it
with the workspace now and names each file that changed since: edited in the editor and
not saved, changed on disk, created, deleted, its unsaved changes discarded; a package
installed or removed.  Outputs of
test and coverage tools (``NOISE``) are no input of the tests and never count.

A request reads the workspace once before its tests run (``take_snapshot``): the editor's
fingerprint (``fingerprint_of``) and the key of the verifier's cached run without the
edit (``preflight.workspace_state``) are both made from that reading
(``ProjectVerifier.take_state``, which the editor's app calls before the request runs).

Sizes and times, not contents: a file written again with the same bytes (a ``touch``, a
branch switched and back) counts as changed, as it does for the verifier's cache of runs
without the edit.

Python code outside the workspace that the tests import from a folder of the user's own
counts too (``outside_sources``): a sibling package installed editable into the
workspace's virtualenv (``pip install -e ../lib``: its ``.pth`` line or setuptools'
``__editable___*_finder.py`` mapping) and the folders on the ``PYTHONPATH`` the tests
inherit.  Their ``.py`` files are only stat'ed (read-only; nothing is written outside the
workspace), named by absolute path, at most ``MAX_OUTSIDE`` of them in at most
``MAX_OUTSIDE_DIRS`` folders (past that, the rest is not covered); an installed
package's folder (``site-packages``, ``dist-packages``) is the virtualenv's stamp above,
not walked.  What is not covered: a module imported from elsewhere (a virtualenv outside
the workspace, a ``sys.path`` entry a ``conftest.py`` adds, pytest's ``pythonpath``
option), and files other than ``.py`` there (data files, compiled extensions)."""

from __future__ import annotations

import ast
import fnmatch
import glob
import hashlib
import os
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import attrs

from ..domain import WorkspaceChange
from .baseline import shared_stamp
from .scratch import Scan, scan_workspace
from .workspace import HEAVY_DIRS, is_virtualenv

#: What test and coverage tools write into a workspace, matched against a file's name
#: (or the name of a folder it is in): no input of the tests, never a reason to doubt a
#: verdict.  Nor is anything in a cache or build folder the verifier skips when it walks
#: a workspace (``workspace.HEAVY_DIRS``: ``__pycache__``, ``.pytest_cache``, ``.git``,
#: ...), even where git does not ignore it; the packages in the folders the sandbox
#: mounts (a virtualenv, ``node_modules``) count as one change of their own.
NOISE = (
    "*.pyc",
    "*.pyo",
    ".coverage",
    ".coverage.*",
    "coverage.xml",
    "lcov.info",
    "htmlcov",
    ".nyc_output",
    ".hypothesis",
    ".DS_Store",
)

#: How a file changed, in the words the user reads: in ``changedSince``'s list, in the
#: server's and the client's refusals of an edit whose own file changed ("calc.py was
#: created since the edit was made"), and in the CLI's.  The extension says the same
#: (``edits.ts``; tests/fixtures/shared-constants.json holds them for both sides).
EDITED = "edited, not saved"
CHANGED = "changed on disk"
CREATED = "created"
DELETED = "deleted"
#: the unsaved buffer the tests ran on is gone (closed without saving, or reverted) and
#: the file on disk, unchanged since, does not hold its text
DISCARDED = "unsaved changes discarded"
PACKAGES = "packages installed or removed"

#: At most this many ``.py`` files outside the workspace are stat'ed (``outside_sources``),
#: found in at most ``MAX_OUTSIDE_DIRS`` folders (a PYTHONPATH naming a home folder must
#: not walk all of it on every request)
MAX_OUTSIDE = 5000
MAX_OUTSIDE_DIRS = 2000
#: Folders of installed packages: a virtualenv's stamp covers them, they are not walked.
_INSTALLED = frozenset({"site-packages", "dist-packages"})


def is_noise(rel: str) -> bool:
    parts = rel.split("/")
    return bool(HEAVY_DIRS.intersection(parts)) or any(
        fnmatch.fnmatchcase(part, pat) for part in parts for pat in NOISE
    )


@attrs.frozen
class WorkspaceFingerprint:
    """The workspace at ``root`` as a request's tests saw it (``domain.WorkspaceState``)."""

    root: Path
    files: Mapping[str, tuple[int, int]]  # relative path -> (size, mtime_ns) on disk
    buffers: Mapping[str, str]  # relative path -> digest of the unsaved text the tests saw
    shared: str  # baseline.shared_stamp: the mounted virtualenvs and node_modules
    #: absolute path -> (size, mtime_ns) of the ``.py`` files outside the workspace the
    #: tests may import (``outside_sources``)
    outside: Mapping[str, tuple[int, int]] = attrs.field(factory=dict)
    #: the environment whose PYTHONPATH the tests inherit (the server's), read again by
    #: ``changes``
    env: Mapping[str, str] | None = attrs.field(default=None, eq=False, repr=False)

    def changes(self, buffers: Mapping[str, str]) -> list[WorkspaceChange]:
        """What differs now, by path: ``buffers``, the editor's unsaved buffers now
        (relative path -> text, as ``lsp.buffers.unsaved_buffers`` finds them)."""
        now = take_fingerprint(self.root, buffers, self.env)
        out: list[WorkspaceChange] = []
        for rel in sorted({*self.files, *now.files, *self.buffers, *now.buffers}):
            how = self._change(rel, now)
            if how is not None and not is_noise(rel):
                out.append(WorkspaceChange(rel, how))
        for path in sorted({*self.outside, *now.outside}):
            before, after = self.outside.get(path), now.outside.get(path)
            if before != after and not is_noise(path):
                how = CREATED if before is None else DELETED if after is None else CHANGED
                out.append(WorkspaceChange(path, how))
        if now.shared != self.shared:
            for name in _shared_names(self.shared, now.shared):
                out.append(WorkspaceChange(name, PACKAGES))
        return out

    def _change(self, rel: str, now: WorkspaceFingerprint) -> str | None:
        if rel in now.buffers:
            return None if self.buffers.get(rel) == now.buffers[rel] else EDITED
        before, after = self.files.get(rel), now.files.get(rel)
        if rel in self.buffers:  # the tests ran on its unsaved text: is that on disk now?
            try:
                text = (self.root / rel).read_bytes().decode("utf-8").removeprefix("\ufeff")
            except FileNotFoundError:
                # a file never saved, its buffer closed: nothing was deleted from disk
                return DELETED if before is not None else DISCARDED
            except (OSError, UnicodeDecodeError):
                return CHANGED
            if _digest(text) == self.buffers[rel]:
                return None
            # the file on disk as it was: the buffer was closed (or reverted) unsaved
            return DISCARDED if before is not None and before == after else CHANGED
        if before == after:
            return None
        if before is None:
            return CREATED
        return DELETED if after is None else CHANGED


@attrs.frozen
class Snapshot:
    """One reading of the workspace before a request's tests run, for both of its
    readers: the fingerprint the editor keeps (:func:`fingerprint_of`) and the key of the
    verifier's cached run without the edit (``preflight.workspace_state``), so that a
    request scans the workspace (and stats the files beside it) once, not once each.

    Not kept past the request: ``scan`` holds a ``stat`` result per file."""

    scan: Scan
    shared: str  # baseline.shared_stamp of ``scan``
    outside: Mapping[str, tuple[int, int]]  # outside_stats, found with ``pythonpath``
    pythonpath: str  # the PYTHONPATH ``outside`` was found with


def take_snapshot(
    root: Path, env: Mapping[str, str] | None = None, check: Callable[[], None] | None = None
) -> Snapshot:
    """The workspace at ``root`` (resolved) now, and the Python files outside it the tests
    may import (``env``: whose PYTHONPATH the tests inherit; None: this process's);
    ``check`` is called now and then while scanning (a cancel check)."""
    root = Path(os.path.realpath(root))
    scan = scan_workspace(root, check)
    env = os.environ if env is None else env
    return Snapshot(
        scan=scan,
        shared=shared_stamp(root, scan),
        outside=outside_stats(root, scan.shared_dirs, env),
        pythonpath=env.get("PYTHONPATH", ""),
    )


def fingerprint_of(
    snapshot: Snapshot, buffers: Mapping[str, str], env: Mapping[str, str] | None = None
) -> WorkspaceFingerprint:
    """The fingerprint of ``snapshot`` with the editor's unsaved ``buffers`` (relative
    path -> text) in place of their files; ``env``: read again by ``changes`` (None: this
    process's environment then)."""
    return WorkspaceFingerprint(
        root=snapshot.scan.root,
        files={rel: (st.st_size, st.st_mtime_ns) for rel, st in snapshot.scan.files.items()},
        buffers={rel: _digest(text) for rel, text in buffers.items()},
        shared=snapshot.shared,
        outside=dict(snapshot.outside),
        env=env,
    )


def take_fingerprint(
    root: Path, buffers: Mapping[str, str], env: Mapping[str, str] | None = None
) -> WorkspaceFingerprint:
    """The workspace at ``root`` now, with the editor's unsaved ``buffers`` (relative
    path -> text) in place of their files, and the Python files outside it the tests may
    import (``env``: whose PYTHONPATH the tests inherit; None: this process's)."""
    return fingerprint_of(take_snapshot(root, env), buffers, env)


def outside_stats(
    root: Path, shared_dirs: tuple[str, ...] | list[str], env: Mapping[str, str] | None = None
) -> dict[str, tuple[int, int]]:
    """Absolute path -> (size, mtime_ns) of the ``.py`` files of :func:`outside_sources`."""
    stats: dict[str, tuple[int, int]] = {}
    for path in _outside_files(outside_sources(root, shared_dirs, env)):
        try:
            st = os.stat(path)
        except OSError:
            continue  # deleted meanwhile, or unreadable: as if absent
        stats[path] = (st.st_size, st.st_mtime_ns)
    return stats


def outside_stamp(
    root: Path, shared_dirs: tuple[str, ...] | list[str], env: Mapping[str, str]
) -> str:
    """A digest of :func:`outside_stats`: part of the key of the verifier's cached runs
    without the edit, so that a sibling package edited since is not judged by a run of
    its old code."""
    return outside_digest(outside_stats(Path(os.path.realpath(root)), shared_dirs, env))


def outside_digest(stats: Mapping[str, tuple[int, int]]) -> str:
    """:func:`outside_stamp` of the stats :func:`outside_stats` found."""
    lines = "".join(f"{p}\0{size}\0{mtime}\n" for p, (size, mtime) in sorted(stats.items()))
    return hashlib.sha256(lines.encode("utf-8", "surrogateescape")).hexdigest()


def outside_sources(
    root: Path, shared_dirs: tuple[str, ...] | list[str], env: Mapping[str, str] | None = None
) -> list[Path]:
    """Folders and ``.py`` files outside ``root`` (resolved) that the tests may import
    from: each folder on ``env``'s PYTHONPATH (a relative one from ``root``), and what a
    virtualenv among ``shared_dirs`` has installed editable: the folders its ``.pth``
    files add to ``sys.path`` and the packages setuptools' ``__editable___*_finder.py``
    maps.  Read only; none inside ``root`` (the workspace's own files count already), nor
    an installed package's folder."""
    env = os.environ if env is None else env
    found: list[str] = [
        os.path.join(root, entry) for entry in env.get("PYTHONPATH", "").split(os.pathsep) if entry
    ]
    for rel in shared_dirs:
        if not is_virtualenv(root / rel):
            continue
        for site in sorted(glob.glob(str(root / rel / "lib" / "python*" / "site-packages"))):
            for pth in sorted(glob.glob(os.path.join(site, "*.pth"))):
                found.extend(_pth_folders(pth, site))
            for finder in sorted(glob.glob(os.path.join(site, "__editable___*_finder.py"))):
                found.extend(_finder_mapping(finder))
    out: list[Path] = []
    for entry in found:
        path = Path(os.path.realpath(entry))
        if path == root or root in path.parents or _INSTALLED.intersection(path.parts):
            continue
        if path not in out and (path.is_dir() or path.suffix == ".py"):
            out.append(path)
    return out


def _pth_folders(pth: str, site: str) -> list[str]:
    """The folders a ``.pth`` file adds to ``sys.path`` (its lines that are not comments
    nor ``import`` lines, relative ones from ``site``)."""
    try:
        lines = Path(pth).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return []
    return [
        os.path.join(site, line.strip())
        for line in lines
        if line.strip() and not line.startswith(("#", "import ", "import\t"))
    ]


def _finder_mapping(finder: str) -> list[str]:
    """The paths of setuptools' editable finder: its ``MAPPING`` literal (package name ->
    folder or module file), read without running it."""
    try:
        tree = ast.parse(Path(finder).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, SyntaxError, ValueError):
        return []
    for node in tree.body:
        if (
            isinstance(node, ast.Assign | ast.AnnAssign)
            and any(isinstance(t, ast.Name) and t.id == "MAPPING" for t in _targets(node))
            and node.value is not None
        ):
            try:
                mapping = ast.literal_eval(node.value)
            except ValueError:
                return []
            if isinstance(mapping, dict):
                return [v for v in mapping.values() if isinstance(v, str)]
    return []


def _targets(node: ast.Assign | ast.AnnAssign) -> list[ast.expr]:
    return list(node.targets) if isinstance(node, ast.Assign) else [node.target]


def _outside_files(sources: list[Path]) -> Iterator[str]:
    """The ``.py`` files of ``sources`` (a file itself, or a folder walked without
    following symbolic links, leaving out cache and build folders, hidden ones,
    virtualenvs and installed packages), at most ``MAX_OUTSIDE`` in at most
    ``MAX_OUTSIDE_DIRS`` folders."""
    count = folders = 0
    for source in sources:
        if source.is_file():
            walk: Iterator[tuple[str, list[str], list[str]]] = iter(
                [(str(source.parent), [], [source.name])]
            )
        else:
            walk = os.walk(source)
        for folder, dirs, names in walk:
            folders += 1
            if folders > MAX_OUTSIDE_DIRS:
                return
            dirs[:] = sorted(
                d
                for d in dirs
                if d not in HEAVY_DIRS
                and d not in _INSTALLED
                and not d.startswith(".")
                and not is_virtualenv(Path(folder, d))
            )
            for name in sorted(names):
                if name.endswith(".py"):
                    if count >= MAX_OUTSIDE:
                        return
                    count += 1
                    yield os.path.join(folder, name)


def _digest(text: str) -> str:
    """The text as the verifier writes it into the copy (byte for byte; an editor that
    saves it may add a byte order mark, which the reader of the saved file drops)."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _shared_names(before: str, after: str) -> list[str]:
    """The mounted dependency folders whose stamp differs (``shared_stamp``'s parts are
    ``path:mtime_ns``, the folder and its site-packages)."""

    def parts(stamp: str) -> dict[str, str]:
        return dict(p.rsplit(":", 1) for p in stamp.split("|") if ":" in p)

    old, new = parts(before), parts(after)
    paths = sorted(p for p in {*old, *new} if old.get(p) != new.get(p))
    names = {Path(p).name if "site-packages" not in p else Path(p).parents[2].name for p in paths}
    return sorted(names) or ["the project's dependencies"]
