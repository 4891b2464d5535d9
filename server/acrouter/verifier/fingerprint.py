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

Sizes and times, not contents: a file written again with the same bytes (a ``touch``, a
branch switched and back) counts as changed, as it does for the verifier's cache of runs
without the edit."""

from __future__ import annotations

import fnmatch
import hashlib
import os
from collections.abc import Mapping
from pathlib import Path

import attrs

from ..domain import WorkspaceChange
from .baseline import shared_stamp
from .scratch import scan_workspace
from .workspace import HEAVY_DIRS

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

    def changes(self, buffers: Mapping[str, str]) -> list[WorkspaceChange]:
        """What differs now, by path: ``buffers``, the editor's unsaved buffers now
        (relative path -> text, as ``lsp.buffers.unsaved_buffers`` finds them)."""
        now = take_fingerprint(self.root, buffers)
        out: list[WorkspaceChange] = []
        for rel in sorted({*self.files, *now.files, *self.buffers, *now.buffers}):
            how = self._change(rel, now)
            if how is not None and not is_noise(rel):
                out.append(WorkspaceChange(rel, how))
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


def take_fingerprint(root: Path, buffers: Mapping[str, str]) -> WorkspaceFingerprint:
    """The workspace at ``root`` now, with the editor's unsaved ``buffers`` (relative
    path -> text) in place of their files."""
    root = Path(os.path.realpath(root))
    scan = scan_workspace(root)
    return WorkspaceFingerprint(
        root=root,
        files={rel: (st.st_size, st.st_mtime_ns) for rel, st in scan.files.items()},
        buffers={rel: _digest(text) for rel, text in buffers.items()},
        shared=shared_stamp(root, scan),
    )


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
