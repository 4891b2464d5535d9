"""Scratch copies of a workspace, reused from one verification to the next.

A first verification copies the project (to a tmpfs when it fits: creating thousands
of files on a disk is slow); later ones bring the same copy back to the workspace's
current state instead of copying again.  That is safe against whatever the previous
test run did to the copy because every file and folder we create is recorded with
its inode number and *ctime*: a process can write, chmod, rename, delete or replace a
file, but it cannot set a ctime, so anything touched is found by one ``lstat`` each,
removed without following symlinks, and copied afresh.  Entries the tests created
show up as changed folders, whose unexpected entries are removed.  Copies are only
reused after sandboxed runs (the sandbox guarantees no process of the run is left).
"""

from __future__ import annotations

import atexit
import hashlib
import logging
import os
import shutil
import stat
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

import attrs

from .bytecode import cached_bytecode
from .workspace import (
    OWN_BUILD_DIR,
    list_workspace,
    owned,
    remove_tree,
    shared_dirs,
    walk_files,
    write_files,
)

log = logging.getLogger(__name__)

MiB = 1024**2
SCRATCH_PREFIX = "acrouter-verify-"
#: A workspace larger than this is copied to the temp folder, not to /dev/shm.
TMPFS_MAX_BYTES = 512 * MiB
#: Time between recording a copy and letting a run touch it (> one kernel clock tick).
SETTLE_S = 0.025

_Sig = tuple[int, int, int, int]  # (inode, ctime_ns, st_mode, size)
_Origin = tuple[int, int, int]  # (size, mtime_ns, st_mode) of the source file


def _sig(st: os.stat_result) -> _Sig:
    return (st.st_ino, st.st_ctime_ns, st.st_mode, st.st_size)


def _lsig(path: str) -> _Sig | None:
    try:
        return _sig(os.lstat(path))
    except OSError:
        return None


def _parents(rel: str) -> Iterable[str]:
    parts = rel.split("/")[:-1]
    for i in range(1, len(parts) + 1):
        yield "/".join(parts[:i])


# --------------------------------------------------------------------------- the workspace


@attrs.frozen
class Scan:
    """The files of a workspace to copy (regular files and symlinks), with their stats."""

    root: Path
    files: Mapping[str, os.stat_result]
    shared_dirs: tuple[str, ...]  # mounted read-only at the same path, never copied
    method: str  # "git" | "walk"

    @property
    def total_bytes(self) -> int:
        return sum(st.st_size for st in self.files.values())

    def state_key(self, *extra: str) -> str:
        """Changes whenever a copied file's path, size or mtime changes (or ``extra``)."""
        h = hashlib.sha256()
        for rel in sorted(self.files):
            st = self.files[rel]
            h.update(f"{rel}\0{st.st_size}\0{st.st_mtime_ns}\n".encode("utf-8", "surrogateescape"))
        for part in extra:
            h.update(b"\1" + part.encode("utf-8", "surrogateescape"))
        return h.hexdigest()


def scan_workspace(root: Path, check: Callable[[], None] | None = None) -> Scan:
    names, method = list_workspace(root)
    shared = tuple(shared_dirs(root))
    skip = tuple(f"{d}/" for d in shared)
    base = str(root) + os.sep
    files: dict[str, os.stat_result] = {}
    pending = list(names)
    i = 0
    while pending:
        rel = pending.pop()
        i += 1
        if check is not None and i % 512 == 0:
            check()
        if rel.split("/", 1)[0] in (".git", OWN_BUILD_DIR) or rel.startswith(skip) or rel in shared:
            continue
        try:
            st = os.lstat(base + rel)
        except OSError:
            continue  # deleted since it was listed
        if stat.S_ISDIR(st.st_mode):  # a submodule or nested repository
            pending.extend(walk_files(root, rel))
        elif stat.S_ISREG(st.st_mode) or stat.S_ISLNK(st.st_mode):
            files[rel] = st
    return Scan(root=root, files=files, shared_dirs=shared, method=method)


# --------------------------------------------------------------------------- one scratch copy


def _remove(path: str) -> None:
    """Remove whatever is at ``path`` without following a symlink."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return
    if stat.S_ISDIR(st.st_mode):
        remove_tree(Path(path))
    else:
        os.unlink(path)


class Scratch:
    """A copy of one workspace at ``ws``, plus per-run folders (``out``, ``home``,
    ``tmp``) next to it."""

    def __init__(self, base: Path, root: Path) -> None:
        self.base = base
        self.root = root
        self.ws = base / "ws"
        self._dirs: dict[str, _Sig] = {}  # "" is ws itself
        self._files: dict[str, _Sig] = {}
        self._origin: dict[str, _Origin | None] = {}  # None = text written from an edit
        self.bytes = 0
        self.syncs = 0
        self.copied = 0  # files copied or written by the last sync
        self._synced_at = 0.0

    # ------------------------------------------------------------------ sync
    def sync(
        self,
        scan: Scan,
        texts: Mapping[str, str] | None = None,
        check: Callable[[], None] | None = None,
    ) -> None:
        """Make ``ws`` hold exactly the workspace's files (plus ``texts``, the edit)."""
        texts = dict(texts or {})
        ws = str(self.ws)
        if not os.path.isdir(ws) or os.path.islink(ws):
            _remove(ws)
            self._dirs, self._files, self._origin, self.bytes = {}, {}, {}, 0
        self._repair_dirs()
        os.makedirs(ws, exist_ok=True)
        # never the cached bytecode of a file written here (:mod:`.bytecode`)
        desired = (set(scan.files) - set(cached_bytecode(scan.root, texts))) | set(texts)
        for rel in [r for r in self._files if r not in desired]:
            _remove(f"{ws}/{rel}")
            self._forget_file(rel)
        changed = {r for r, sig in self._files.items() if _lsig(f"{ws}/{r}") != sig}
        needed_dirs = {""} | {p for rel in desired for p in _parents(rel)} | set(scan.shared_dirs)
        for d in sorted(needed_dirs, key=lambda d: d.count("/") if d else -1):
            if d and d not in self._dirs:  # new: nothing of ours can be there
                path = f"{ws}/{d}"
                _remove(path)
                os.makedirs(path, exist_ok=True)
        self.copied = 0
        to_write: dict[str, str] = {}
        for i, rel in enumerate(sorted(desired)):
            if check is not None and i % 512 == 0:
                check()
            if rel in texts:
                if rel in self._files:
                    _remove(f"{ws}/{rel}")
                    self._forget_file(rel)
                to_write[rel] = texts[rel]
                continue
            st = scan.files[rel]
            origin = (st.st_size, st.st_mtime_ns, st.st_mode)
            if rel in self._files and rel not in changed and self._origin.get(rel) == origin:
                continue
            if rel in self._files or os.path.lexists(f"{ws}/{rel}"):
                _remove(f"{ws}/{rel}")
                self._forget_file(rel)
            if self._copy(scan.root, rel, st):
                self._record_file(rel, origin)
        if to_write:
            write_files(self.ws, to_write)
            for rel in to_write:
                self._record_file(rel, None)
        for d in sorted(
            (d for d in self._dirs if d not in needed_dirs), key=lambda d: -d.count("/")
        ):
            _remove(f"{ws}/{d}")
            self._dirs.pop(d, None)
        for d in needed_dirs:
            sig = _lsig(f"{ws}/{d}" if d else ws)
            if sig is not None:
                self._dirs[d] = sig
        self.syncs += 1
        self._synced_at = time.monotonic()

    def recorded(self) -> tuple[dict[str, _Sig], dict[str, _Sig]]:
        """The files and folders of the copy as the last sync left them (their inode,
        ctime, mode and size): what a run changed shows against these."""
        return dict(self._files), dict(self._dirs)

    def settle(self) -> None:
        """Wait until the clock behind file timestamps has surely ticked since the last
        sync (it may be as coarse as 10 ms), so any later change shows in a ctime."""
        left = SETTLE_S - (time.monotonic() - self._synced_at)
        if left > 0:
            time.sleep(left)

    def _repair_dirs(self) -> None:
        """Undo what a run did to the folders: remove entries we did not create, put
        back replaced folders (their files are copied again by ``sync``)."""
        ws = str(self.ws)
        children: dict[str, set[str]] = {}
        for rel in [*self._files, *(d for d in self._dirs if d)]:
            parent, _, name = rel.rpartition("/")
            children.setdefault(parent, set()).add(name)
        for d in sorted(self._dirs, key=lambda d: d.count("/") if d else -1):
            if d not in self._dirs:
                continue  # removed with its parent
            path = f"{ws}/{d}" if d else ws
            try:
                st = os.lstat(path)
            except OSError:
                st = None
            recorded = self._dirs[d]
            if st is not None and _sig(st) == recorded:
                continue
            if st is None or not stat.S_ISDIR(st.st_mode) or st.st_ino != recorded[0]:
                _remove(path)
                self._forget_tree(d)
                continue
            os.chmod(path, stat.S_IMODE(recorded[2]))  # first: the run may have made it unreadable
            expected = children.get(d, set())
            with os.scandir(path) as it:
                extra = [e.path for e in it if e.name not in expected]
            for p in extra:
                _remove(p)

    def _copy(self, root: Path, rel: str, st: os.stat_result) -> bool:
        src, dst = f"{root}/{rel}", f"{self.ws}/{rel}"
        try:
            if stat.S_ISLNK(st.st_mode):
                os.symlink(os.readlink(src), dst)
            else:
                shutil.copyfile(src, dst, follow_symlinks=False)
                os.chmod(dst, stat.S_IMODE(st.st_mode) | stat.S_IRUSR | stat.S_IWUSR)
                os.utime(dst, ns=(st.st_atime_ns, st.st_mtime_ns))
        except OSError as exc:
            log.debug("not copied (%s): %s", exc, rel)
            _remove(dst)
            return False
        self.copied += 1
        return True

    def _record_file(self, rel: str, origin: _Origin | None) -> None:
        sig = _lsig(f"{self.ws}/{rel}")
        if sig is None:
            return
        self._files[rel] = sig
        self._origin[rel] = origin
        self.bytes += sig[3]

    def _forget_file(self, rel: str) -> None:
        sig = self._files.pop(rel, None)
        self._origin.pop(rel, None)
        if sig is not None:
            self.bytes -= sig[3]

    def _forget_tree(self, d: str) -> None:
        prefix = f"{d}/" if d else ""
        for rel in [r for r in self._files if r.startswith(prefix)]:
            self._forget_file(rel)
        for sub in [x for x in self._dirs if x == d or x.startswith(prefix)]:
            self._dirs.pop(sub, None)

    # ------------------------------------------------------------------ per-run folders
    @property
    def out_dir(self) -> Path:
        """The run's ``out`` folder (the report, the tracer's files): ``run_dirs()[0]``."""
        return self.base / "out"

    def run_dirs(self) -> tuple[Path, Path, Path]:
        """Fresh ``out`` (the report), ``home`` and ``tmp`` folders for one run."""
        made = []
        for path in (self.out_dir, self.base / "home", self.base / "tmp"):
            _remove(str(path))
            path.mkdir()
            made.append(path)
        return made[0], made[1], made[2]

    def destroy(self) -> None:
        remove_tree(self.base)


# --------------------------------------------------------------------------- the pool


def _is_tmpfs(path: str) -> bool:
    try:
        with open("/proc/self/mounts", encoding="utf-8") as fh:
            return any(
                len(f) >= 3 and f[1] == path and f[2] == "tmpfs"
                for f in (line.split() for line in fh)
            )
    except OSError:
        return False


def scratch_parent(size_bytes: int) -> Path:
    """Where a scratch copy of ``size_bytes`` goes: ``$ACROUTER_SCRATCH_DIR``, else
    /dev/shm when it is a tmpfs with room to spare, else the temp folder."""
    explicit = os.environ.get("ACROUTER_SCRATCH_DIR")
    if explicit:
        return Path(explicit)
    shm = "/dev/shm"
    if size_bytes <= TMPFS_MAX_BYTES and os.access(shm, os.W_OK | os.X_OK) and _is_tmpfs(shm):
        vfs = os.statvfs(shm)
        if vfs.f_bavail * vfs.f_frsize >= 4 * size_bytes + 256 * MiB:
            return Path(shm)
    return Path(tempfile.gettempdir())


def remove_stale_scratch(parents: Iterable[Path]) -> None:
    """Scratch folders left behind by this user's verifier processes that were killed.
    Another user's folders in a shared /tmp or /dev/shm are left alone: they are not
    ours to remove, and their owner may live in another pid namespace."""
    for parent in parents:
        try:
            names = [n for n in os.listdir(parent) if n.startswith(SCRATCH_PREFIX)]
        except OSError:
            continue
        for name in names:
            owner = name[len(SCRATCH_PREFIX) :].split("-", 1)[0]
            if owner.isdigit() and not os.path.exists(f"/proc/{owner}") and owned(parent / name):
                log.info("removing the stale scratch folder %s", parent / name)
                remove_tree(parent / name)


class ScratchPool:
    """Idle scratch copies kept for reuse (a few, bounded in bytes); removed at exit."""

    def __init__(self, max_idle: int = 6, max_idle_bytes: int = 1024 * MiB) -> None:
        self.max_idle = max_idle
        self.max_idle_bytes = max_idle_bytes
        self._idle: list[Scratch] = []
        self._lock = threading.Lock()
        self._cleaned = False
        atexit.register(self.close)

    def acquire(self, root: Path, size_bytes: int) -> Scratch:
        with self._lock:
            for i, scratch in enumerate(self._idle):
                if scratch.root == root:
                    return self._idle.pop(i)
            first = not self._cleaned
            self._cleaned = True
        parent = scratch_parent(size_bytes)
        if first:
            remove_stale_scratch({parent, Path(tempfile.gettempdir()), Path("/dev/shm")})
        parent.mkdir(parents=True, exist_ok=True)
        base = Path(tempfile.mkdtemp(prefix=f"{SCRATCH_PREFIX}{os.getpid()}-", dir=parent))
        return Scratch(base, root)

    def release(self, scratch: Scratch, reusable: bool) -> None:
        if not reusable or self.max_idle <= 0:
            scratch.destroy()
            return
        evicted = []
        with self._lock:
            self._idle.append(scratch)
            while self._idle and (
                len(self._idle) > self.max_idle
                or sum(s.bytes for s in self._idle) > self.max_idle_bytes
            ):
                evicted.append(self._idle.pop(0))
        for old in evicted:
            old.destroy()

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for scratch in idle:
            scratch.destroy()
