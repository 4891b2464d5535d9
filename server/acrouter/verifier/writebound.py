"""The bound on what one test run writes on the host, watched while the run runs.

Everything a sandboxed run may write outside its private tmpfs mounts lands in its
scratch folder (the ``write_root`` of its ``RunSpec``): under an overlay, the overlay's
upper and work folders (every file the tests create or change in the workspace), on a
scratch copy the copy itself, and in both the run's home and report folders.  That
folder lies in ``/dev/shm`` (memory) or the temporary folder on disk, so a run writing
many files (each one bounded by ``RLIMIT_FSIZE``) could fill either.

:class:`WriteWatch` measures the folder as the run starts, then again every so often
(the sandbox's watcher asks each poll; a walk is made at most every 25 times the last
walk's duration, between :data:`MIN_INTERVAL_S` and :data:`MAX_INTERVAL_S`, so walking
costs at most about 4 % of one core), and says to stop the run once it grew by more
than ``Limits.write_bytes`` (space allocated: ``st_blocks`` x 512, so a sparse file
counts what it holds, not its length; a file with several links once) or holds
``Limits.write_files`` more files and folders.  The bound is at most a quarter of the
space free there as the run starts (the runs with and without the edit may go side by
side: together they leave the user at least half).  The walk cannot see a file the
tests deleted but keep open, nor into a folder they made unreadable (as a user other
than root), so the filesystem's free space is read each poll too: a run during which it
falls below half of what was free as the run started is stopped as well.
"""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path

import attrs

from .limits import Limits, fmt_bytes
from .workspace import open_folders

#: bounds of the time between two walks of the scratch folder
MIN_INTERVAL_S = 0.05
MAX_INTERVAL_S = 2.0
#: the time between two walks, in durations of the last walk
COST_FACTOR = 25.0
#: the bound is at most this share of the space free where the run writes
FREE_SHARE = 4


@attrs.frozen
class Stop:
    """Why a run was stopped for what it wrote; ``low_space``: the machine's free space
    stopped it (or lowered the bound it passed), so it says nothing about the edit."""

    reason: str
    low_space: bool = False


def usage(root: str, max_entries: int | None = None) -> tuple[int, int]:
    """(bytes allocated, files and folders) below ``root``, without following symlinks;
    counting stops after ``max_entries`` entries."""
    total = entries = 0
    linked: set[tuple[int, int]] = set()
    stack = [root]
    while stack:
        try:
            it = os.scandir(stack.pop())
        except OSError:
            continue
        with it:
            for entry in it:
                entries += 1
                if max_entries is not None and entries > max_entries:
                    return total, entries
                try:
                    st = entry.stat(follow_symlinks=False)
                except OSError:
                    continue
                if stat.S_ISDIR(st.st_mode):
                    stack.append(entry.path)
                elif st.st_nlink > 1:
                    if (st.st_dev, st.st_ino) in linked:
                        continue
                    linked.add((st.st_dev, st.st_ino))
                total += st.st_blocks * 512
    return total, entries


def _free(path: str) -> int | None:
    try:
        vfs = os.statvfs(path)
    except OSError:
        return None
    return vfs.f_bavail * vfs.f_frsize


class WriteWatch:
    """The growth of one run's scratch folder ``root`` against ``limits``."""

    def __init__(self, root: str, limits: Limits) -> None:
        self.root = root
        self.where = os.path.dirname(root.rstrip(os.sep)) or root
        self.max_files = limits.write_files
        self.free0 = _free(root)
        self.bound = limits.write_bytes
        self.lowered = False
        if self.bound is not None and self.free0 is not None:
            share = self.free0 // FREE_SHARE
            if share < self.bound:
                self.bound, self.lowered = share, True
        self.configured = limits.write_bytes
        self.walks = 0
        self.walk_s = 0.0  # time spent walking, for the benchmark
        self.next_at = 0.0  # when the next walk is due (each walk sets it)
        self.start_bytes, self.start_files = self._walk(None)

    def _walk(self, max_entries: int | None) -> tuple[int, int]:
        t0 = time.monotonic()
        found = usage(self.root, max_entries)
        took = time.monotonic() - t0
        self.walks += 1
        self.walk_s += took
        self.next_at = time.monotonic() + min(
            MAX_INTERVAL_S, max(MIN_INTERVAL_S, COST_FACTOR * took)
        )
        return found

    def check(self, now: float, final: bool = False) -> Stop | None:
        """Whether the run must stop now (a walk only when its time has come); ``final``:
        the run has ended, whether its results may be used (a walk in any case)."""
        end = "its results are not used" if final else "the run was stopped"
        low = None if final else self._low_space()
        if low is not None:
            return low
        if (now < self.next_at and not final) or (self.bound is None and self.max_files is None):
            return None
        if final:  # the run is dead: what it hid in an unreadable folder counts now
            open_folders(Path(self.root))
        cap = None if self.max_files is None else self.start_files + self.max_files + 1
        used, entries = self._walk(cap)
        if self.max_files is not None and entries - self.start_files > self.max_files:
            return Stop(
                f"they made more than {self.max_files} files and folders in the workspace "
                f"(the limit on one test run); {end}"
            )
        if self.bound is not None and used - self.start_bytes > self.bound:
            return Stop(self._too_much(end), low_space=self.lowered)
        return None

    def _too_much(self, end: str) -> str:
        said = (
            f"they wrote more than {fmt_bytes(self.bound)} into the workspace and their home folder"
        )
        if not self.lowered:
            return f"{said} (the limit on what one test run may write); {end}"
        return (
            f"{said}: the limit on what one test run may write, {fmt_bytes(self.configured)}, "
            f"was lowered to a quarter of the {fmt_bytes(self.free0)} free in {self.where}, "
            f"where the run writes, to leave room on this machine; {end} "
            "(not held against the model)"
        )

    def _low_space(self) -> Stop | None:
        if self.free0 is None or self.configured is None:
            return None
        free = _free(self.root)
        if free is None or free >= self.free0 // 2:
            return None
        return Stop(
            f"the free space in {self.where}, where the run writes, fell below half of the "
            f"{fmt_bytes(self.free0)} free as it started (written by the tests, or by "
            "another program); the run was stopped (not held against the model)",
            low_space=True,
        )
