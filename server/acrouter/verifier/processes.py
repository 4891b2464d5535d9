"""Finding and killing every process of a test run: its pid namespace, its pids
cgroup (a hard bound on its size, when the machine allows one), or its process tree."""

from __future__ import annotations

import logging
import os
import secrets
import signal
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path

import attrs

from .workspace import owned

log = logging.getLogger(__name__)


# --------------------------------------------------------------------------- pids cgroup


def read_text(path: str | Path) -> str:
    with open(path, encoding="utf-8", errors="replace") as fh:
        return fh.read()


@attrs.frozen
class CgroupSearch:
    """Where this process may create a child ``pids`` cgroup, and why nowhere when
    ``parents`` is empty (a user whose cgroups are not delegated to them)."""

    parents: tuple[Path, ...]
    problem: str = ""


def _mounts(mountinfo: str) -> list[tuple[str, str, str, str]]:
    """(fstype, root, mountpoint, superopts) of each line of /proc/self/mountinfo."""
    mounts = []
    for line in mountinfo.splitlines():
        left, _, right = line.partition(" - ")
        fields, rfields = left.split(), right.split()
        if len(fields) >= 5 and len(rfields) >= 3:
            mounts.append((rfields[0], fields[3], fields[4].replace("\\040", " "), rfields[2]))
    return mounts


def find_pids_cgroups(
    read: Callable[[str | Path], str] = read_text,
    writable: Callable[[Path], bool] = lambda p: os.access(p, os.W_OK),
) -> CgroupSearch:
    """Where this process may create a child ``pids`` cgroup (v1 hierarchy, or a v2
    tree that has ``pids`` delegated to children).  ``read`` and ``writable`` replace
    the file reads and the access check (for tests)."""
    try:
        own = read("/proc/self/cgroup").splitlines()
        mounts = _mounts(read("/proc/self/mountinfo"))
    except OSError as exc:
        return CgroupSearch((), f"cannot read this process's cgroups: {exc}")
    found: list[Path] = []
    problems: list[str] = []
    for line in own:
        parts = line.split(":", 2)
        if len(parts) != 3:
            continue
        hid, controllers, cg_path = parts
        for fstype, root, mountpoint, opts in mounts:
            v1 = (
                fstype == "cgroup"
                and "pids" in opts.split(",")
                and "pids" in controllers.split(",")
            )
            v2 = fstype == "cgroup2" and hid == "0"
            if not (v1 or v2):
                continue
            if not (cg_path + "/").startswith(root.rstrip("/") + "/") and root != "/":
                continue
            rel = os.path.relpath(cg_path, root) if root != "/" else cg_path.lstrip("/")
            base = Path(mountpoint) / ("" if rel == "." else rel)
            if v2:
                try:
                    delegated = "pids" in read(base / "cgroup.subtree_control").split()
                except OSError:
                    delegated = False
                if not delegated:
                    problems.append(f"cgroup v2: the pids controller is not delegated to {base}")
                    continue
            if writable(base):
                found.append(base)
            else:
                problems.append(f"{base} is not writable by this user")
    if found:
        return CgroupSearch(tuple(found))
    return CgroupSearch((), "; ".join(problems) or "no pids cgroup controller is mounted")


def pids_cgroup_parents() -> list[Path]:
    """Where this process may create a child ``pids`` cgroup (see ``find_pids_cgroups``)."""
    return list(find_pids_cgroups().parents)


class PidsCgroup:
    """A private ``pids`` cgroup for one run: a hard bound on its tasks, and a way to
    find (and kill) every process of the run, even those that escaped the tree."""

    PREFIX = "acrouter-verify-"

    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def create(
        cls, max_tasks: int, search: CgroupSearch | None = None
    ) -> tuple[PidsCgroup | None, str]:
        """A new cgroup bounded to ``max_tasks``, or None and why there is none."""
        search = find_pids_cgroups() if search is None else search
        problems = [search.problem] if search.problem else []
        for parent in search.parents:
            cls._remove_stale(parent)
            path = parent / f"{cls.PREFIX}{os.getpid()}-{secrets.token_hex(4)}"
            try:
                path.mkdir()
            except OSError as exc:
                log.debug("cannot create a pids cgroup under %s: %s", parent, exc)
                problems.append(f"cannot create a cgroup under {parent}: {exc.strerror}")
                continue
            try:
                (path / "pids.max").write_text(str(max_tasks))
                return cls(path), ""
            except OSError as exc:
                log.debug("cannot use the pids cgroup %s: %s", path, exc)
                problems.append(f"cannot set pids.max in {path}: {exc.strerror}")
                cls(path).remove()
        return None, "; ".join(problems)

    @classmethod
    def _remove_stale(cls, parent: Path) -> None:
        try:
            names = [n for n in os.listdir(parent) if n.startswith(cls.PREFIX)]
        except OSError:
            return
        for name in names:
            owner = name[len(cls.PREFIX) :].split("-", 1)[0]
            if owner.isdigit() and not os.path.exists(f"/proc/{owner}") and owned(parent / name):
                cls(parent / name).remove(quiet=True)

    @property
    def procs_file(self) -> str:
        return str(self.path / "cgroup.procs")

    def pids(self) -> list[int]:
        """The live processes in the cgroup."""
        try:
            listed = [int(x) for x in read_text(self.path / "cgroup.procs").split()]
        except (OSError, ValueError):
            return []
        return [p for p in listed if alive(p)]

    def kill_all(self) -> None:
        kill_file = self.path / "cgroup.kill"  # cgroup v2, Linux >= 5.14
        if kill_file.exists():
            try:
                kill_file.write_text("1")
            except OSError:
                pass
        for pid in self.pids():
            kill_pid(pid, self.holds)

    def holds(self, pid: int) -> bool:
        try:
            return f"/{self.path.name}\n" in read_text(f"/proc/{pid}/cgroup")
        except OSError:
            return False

    def remove(self, quiet: bool = False, wait_s: float = 0.2) -> None:
        """Remove the (emptied) cgroup; keeps trying in the background if it is busy."""
        if self._try_remove(time.monotonic() + wait_s):
            return
        threading.Thread(
            target=self._try_remove,
            args=(time.monotonic() + 60.0, quiet),
            daemon=True,
            name="acrouter-cgroup-cleanup",
        ).start()

    def _try_remove(self, deadline: float, quiet: bool = True) -> bool:
        while True:
            try:
                os.rmdir(self.path)
                return True
            except FileNotFoundError:
                return True
            except OSError as exc:
                if time.monotonic() > deadline:
                    if not quiet:
                        log.warning("could not remove the cgroup %s: %s", self.path, exc)
                    return False
                self.kill_all()
                time.sleep(0.02)


# --------------------------------------------------------------------------- process tree


def ns_inode(pid: int) -> int | None:
    try:
        return os.stat(f"/proc/{pid}/ns/pid").st_ino
    except OSError:
        return None


def proc_pids() -> Iterable[int]:
    try:
        with os.scandir("/proc") as it:
            for e in it:
                if e.name.isdigit():
                    yield int(e.name)
    except OSError:
        return


def alive(pid: int) -> bool:
    """Exists and is not a zombie (bwrap's pid 1 is left for init to reap)."""
    try:
        state = read_text(f"/proc/{pid}/stat").rpartition(")")[2].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


def pids_in_namespace(ns: int, bound: int | None = None) -> list[int]:
    """Host pids of the live processes in the pid namespace ``ns`` (stops past ``bound``)."""
    out = []
    for pid in proc_pids():
        if ns_inode(pid) == ns and alive(pid):
            out.append(pid)
            if bound is not None and len(out) > bound:
                break
    return out


def parent_and_session(pid: int) -> tuple[int, int] | None:
    try:
        raw = read_text(f"/proc/{pid}/stat")
    except OSError:
        return None
    fields = raw.rpartition(")")[2].split()
    try:
        return int(fields[1]), int(fields[3])  # ppid, session
    except (IndexError, ValueError):
        return None


def descendants(root_pid: int, session: int | None = None) -> list[int]:
    """Processes below ``root_pid`` (by parent links), plus any in ``session``."""
    info = {}
    for pid in proc_pids():
        ps = parent_and_session(pid)
        if ps is not None:
            info[pid] = ps
    children: dict[int, list[int]] = {}
    for pid, (ppid, _sid) in info.items():
        children.setdefault(ppid, []).append(pid)
    found: set[int] = set()
    stack = [root_pid]
    while stack:
        for child in children.get(stack.pop(), []):
            if child not in found:
                found.add(child)
                stack.append(child)
    if session is not None:
        found |= {pid for pid, (_p, sid) in info.items() if sid == session and pid != os.getpid()}
    found.discard(root_pid)
    return sorted(found)


def kill_pid(pid: int, still_ours: Callable[[int], bool]) -> None:
    """SIGKILL ``pid`` if ``still_ours(pid)`` holds once a pidfd pins the process, so a
    recycled pid is never hit."""
    if pid <= 1 or pid == os.getpid():
        return
    pidfd = None
    try:
        if hasattr(os, "pidfd_open"):
            pidfd = os.pidfd_open(pid)
        if not still_ours(pid):
            return
        if pidfd is not None and hasattr(signal, "pidfd_send_signal"):
            signal.pidfd_send_signal(pidfd, signal.SIGKILL)
        else:
            os.kill(pid, signal.SIGKILL)
    except OSError:  # gone already, or not ours to kill
        pass
    finally:
        if pidfd is not None:
            os.close(pidfd)


def in_namespace(ns: int) -> Callable[[int], bool]:
    return lambda pid: ns_inode(pid) == ns


def in_tree(root: int, tree: set[int]) -> Callable[[int], bool]:
    def belongs(pid: int) -> bool:
        ps = parent_and_session(pid)
        return ps is not None and (ps[1] == root or ps[0] == root or ps[0] in tree)

    return belongs
