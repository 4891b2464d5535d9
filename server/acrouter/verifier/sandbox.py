"""Run a command under bubblewrap with resource limits, a wall-clock timeout, a
bounded process count, a capped output buffer and an allowlisted environment.

Layout inside the sandbox: the whole filesystem read-only, the scratch copy writable
(mounted at the real workspace path, so absolute paths and editable installs keep
pointing at the code under test), private ``/tmp``, ``/run``, ``/dev/shm``, ``/dev``
and ``/proc``, no network (a new network namespace holds only ``lo``), new pid / ipc /
uts / user / cgroup namespaces, ``--die-with-parent`` and ``--new-session``; as root,
every capability is dropped.

Process bound: ``RLIMIT_NPROC`` is set inside the user namespace, where the kernel
counts only the sandbox's processes -- but root is exempt from it.  So, when the
machine lets us (root, cgroup v1 ``pids`` or a delegated v2 tree), the run also gets
its own ``pids`` cgroup with ``pids.max``; and in every mode a watcher counts the
run's processes each poll and kills the whole tree once they exceed the bound.
The same watcher bounds what the run writes into its scratch folder
(:mod:`.writebound`, ``RunSpec.write_root``), and looks once more as the run ends.
Killing: every process of the run gets SIGKILL directly (through pidfds when the
kernel has them), then bubblewrap itself; its pid namespace dies with it, including
children that started their own session.
"""

from __future__ import annotations

import json
import logging
import os
import selectors
import signal
import subprocess
import time
from collections.abc import Callable

from ..domain import Cancelled, CancelToken
from ..errors import SandboxStartError
from .bwrap import bwrap_argv
from .bwrap_exe import find_bwrap
from .limits import MiB, find_prlimit, wrapper_argv
from .output import OutputCap, drain
from .processes import (
    PidsCgroup,
    descendants,
    in_namespace,
    in_tree,
    kill_pid,
    ns_inode,
    pids_in_namespace,
)
from .runtypes import RunOutcome, RunSpec
from .writebound import Stop, WriteWatch

log = logging.getLogger(__name__)

POLL_S = 0.05


# --------------------------------------------------------------------------- starting


def _command_line(
    spec: RunSpec, mode: str, bwrap: str, info_fd: int, cgroup: PidsCgroup | None
) -> tuple[list[str], str]:
    """The argv that starts the run, and its working directory: the limits wrapper and
    the test command, inside bubblewrap (mode "bwrap"), joining the run's pids cgroup
    first when there is one."""
    prlimit = find_prlimit() if spec.limits.use_prlimit else None
    inner = (
        wrapper_argv(spec.limits, spec.timeout_s, prlimit) + ["--", *spec.argv]
        if prlimit
        else wrapper_argv(spec.limits, spec.timeout_s) + list(spec.argv)
    )
    if mode == "bwrap":
        argv = (
            bwrap_argv(
                bwrap,
                cwd=spec.cwd,
                mounts=spec.mounts,
                hide=spec.hide,
                tmp_bytes=spec.limits.tmp_bytes,
                info_fd=info_fd,
            )
            + inner
        )
        cwd = "/"
    else:
        argv = inner
        cwd = spec.cwd
    if cgroup is not None:
        argv = [
            "/bin/sh",
            "-c",
            # joining is best effort: without it the watcher counts another way
            'echo $$ 2>/dev/null > "$0"; exec "$@"',
            cgroup.procs_file,
            *argv,
        ]
    return argv, cwd


class _Run:
    """One running command: its output pipe, and everything needed to stop it completely."""

    def __init__(self, spec: RunSpec, mode: str, bwrap: str) -> None:
        self.spec = spec
        self.mode = mode
        self.cgroup: PidsCgroup | None = None
        self.no_cgroup = "turned off (Limits.use_cgroup)"  # why there is no cgroup
        if spec.limits.use_cgroup:
            self.cgroup, self.no_cgroup = PidsCgroup.create(spec.limits.max_tasks)
        #: seen alive outside its cgroup after its first second (joining it failed)
        self.left_cgroup = False
        self.ns: int | None = None
        self.info = b""
        self.max_seen = 0
        self.eof = False  # the output pipe is closed
        self.info_r = self.info_w = -1
        if mode == "bwrap":
            self.info_r, self.info_w = os.pipe()
        argv, cwd = _command_line(spec, mode, bwrap, self.info_w, self.cgroup)
        #: what the run writes into its scratch folder, measured from here on
        self.writes = WriteWatch(spec.write_root, spec.limits) if spec.write_root else None
        self.stop: Stop | None = None  # why the watch stopped the run
        self.out_r, out_w = os.pipe()
        try:
            self.proc = subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=out_w,
                stderr=out_w,
                cwd=cwd,
                env=dict(spec.env),
                start_new_session=True,
                pass_fds=(self.info_w,) if self.info_w >= 0 else (),
                close_fds=True,
            )
        except OSError:
            os.close(self.out_r)
            self._close_info()
            if self.cgroup is not None:
                self.cgroup.remove()
            raise
        finally:
            os.close(out_w)
            if self.info_w >= 0:
                os.close(self.info_w)
                self.info_w = -1
        self.started = time.monotonic()
        os.set_blocking(self.out_r, False)
        if self.info_r >= 0:
            os.set_blocking(self.info_r, False)
        self.sel = selectors.DefaultSelector()
        self.sel.register(self.out_r, selectors.EVENT_READ)

    def _close_info(self) -> None:
        for fd in (self.info_r, self.info_w):
            if fd >= 0:
                try:
                    os.close(fd)
                except OSError:
                    pass
        self.info_r = self.info_w = -1

    # ------------------------------------------------------------------ following
    def read_output(self, cap: OutputCap) -> None:
        """Wait up to one poll for output and keep it (at the end of the output, wait
        for the exit instead)."""
        if not self.eof:
            if self.sel.select(timeout=POLL_S):
                self.eof = drain(self.out_r, cap, budget=4 * MiB)
                if self.eof:
                    self.sel.unregister(self.out_r)
        else:
            try:
                self.proc.wait(timeout=POLL_S)
            except subprocess.TimeoutExpired:
                pass

    def read_rest(self, cap: OutputCap) -> None:
        """After the kill: what is left in the pipe (for at most half a second)."""
        if self.eof:
            return
        end = time.monotonic() + 0.5
        while time.monotonic() < end and not drain(self.out_r, cap, budget=4 * MiB):
            if not self.sel.select(timeout=0.05):
                break

    def read_info(self) -> None:
        """Learn the sandbox's pid namespace from bwrap's ``--info-fd`` report."""
        if self.info_r < 0 or self.ns is not None:
            return
        try:
            chunk = os.read(self.info_r, 4096)
        except BlockingIOError:
            return
        except OSError:
            chunk = b""
        if not chunk:
            self._close_info()
            return
        self.info += chunk
        try:
            child = int(json.loads(self.info)["child-pid"])
        except (ValueError, KeyError, TypeError):
            return
        self.ns = ns_inode(child)
        self._close_info()

    def members(self, bound: int | None = None) -> list[int]:
        """The processes of this run (host pids)."""
        if self.cgroup is not None:
            pids = self.cgroup.pids()
            if pids or self.proc.poll() is not None:
                return pids
            # the run is alive but not in the cgroup (joining failed, or not yet done as
            # the run starts): count it another way
            self.left_cgroup = time.monotonic() - self.started > 1.0
        if self.mode == "bwrap":
            return pids_in_namespace(self.ns, bound) if self.ns is not None else []
        return descendants(self.proc.pid, session=self.proc.pid)

    def count(self, bound: int) -> int:
        n = len(self.members(bound))
        self.max_seen = max(self.max_seen, n)
        return n

    # ------------------------------------------------------------------ stopping
    def kill(self) -> None:
        """SIGKILL every process of the run, then bwrap itself."""
        deadline = time.monotonic() + 3.0
        while True:
            if self.cgroup is not None:
                self.cgroup.kill_all()
            if self.ns is not None:
                for pid in pids_in_namespace(self.ns):
                    kill_pid(pid, in_namespace(self.ns))
            if self.mode != "bwrap":
                tree = set(descendants(self.proc.pid, session=self.proc.pid))
                belongs = in_tree(self.proc.pid, tree)
                for pid in tree:
                    kill_pid(pid, belongs)
            if self.proc.poll() is None:
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except OSError:
                    pass
                try:
                    self.proc.kill()
                except OSError:
                    pass
            left = bool(self.cgroup and self.cgroup.pids()) or bool(
                self.ns is not None and pids_in_namespace(self.ns, 0)
            )
            if not left or time.monotonic() > deadline:
                break
            time.sleep(0.01)
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            log.warning("the sandbox process %d did not exit after SIGKILL", self.proc.pid)

    def process_bound(self) -> str:
        """How the run's processes were bounded, in the why's words (bwrap mode)."""
        if self.mode != "bwrap":
            return ""
        lim = self.spec.limits
        watcher = f"a watcher that stops the run past {lim.max_processes} processes"
        if self.cgroup is not None and not self.left_cgroup:
            return f"processes bounded by a pids cgroup (pids.max {lim.max_tasks}) and {watcher}"
        why = f"the run could not join {self.cgroup.path}" if self.cgroup else self.no_cgroup
        if os.geteuid() == 0:
            bound = f"only {watcher} bounds the processes (RLIMIT_NPROC does not bind root)"
        else:
            bound = (
                f"processes bounded by RLIMIT_NPROC {lim.max_tasks} in the sandbox's user "
                f"namespace and {watcher}"
            )
        return f"no pids cgroup ({why}): {bound}"

    def close(self) -> None:
        self.sel.close()
        try:
            os.close(self.out_r)
        except OSError:
            pass
        self._close_info()
        if self.cgroup is not None:
            self.cgroup.remove()


# --------------------------------------------------------------------------- supervising

#: How a watched run ended (``_watch``).
_EXITED, _CANCELLED, _TIMED_OUT, _TOO_MANY = "exited", "cancelled", "timed out", "too many"
_TOO_MUCH = "wrote too much"


def run_command(
    spec: RunSpec,
    *,
    mode: str = "bwrap",
    bwrap: str = "bwrap",
    cancel: CancelToken | None = None,
    on_start: Callable[[int], None] | None = None,
) -> RunOutcome:
    """Run ``spec`` to completion, timeout, process-bound or write-bound kill or cancellation
    (``domain.Cancelled`` is raised after the whole tree is dead)."""
    if mode not in ("bwrap", "none"):
        raise ValueError(f"unknown sandbox mode {mode!r}")
    if mode == "bwrap" and os.sep not in bwrap:  # a name: the system's or the wheel's
        bwrap = find_bwrap(bwrap).path or bwrap
    t0 = time.monotonic()
    cap = OutputCap(spec.limits.output_keep_bytes, spec.capture)
    try:
        run = _Run(spec, mode, bwrap)
    except BaseException:
        cap.close()
        raise
    if on_start is not None:
        on_start(run.proc.pid)
    try:
        end = _watch(run, cap, t0 + spec.timeout_s, cancel)
    finally:
        run.kill()
        run.read_rest(cap)
        run.close()
        cap.close()
    if end == _CANCELLED:
        raise Cancelled("verification cancelled")
    if end == _EXITED and run.writes is not None:  # it may have written past a bound and exited
        run.stop = run.writes.check(time.monotonic(), final=True)
        end = _TOO_MUCH if run.stop is not None else end
    code = run.proc.returncode
    if code is not None and code < 0:
        code = 128 - code
    if end != _EXITED:
        code = None
    elif mode == "bwrap" and code and not run.info:  # bwrap never reported the tests' start
        said = [line.strip() for line in cap.text().splitlines() if line.strip()]
        raise SandboxStartError(
            f"the sandbox could not start the tests ({said[-1] if said else code})"
        )
    bound = spec.limits.max_processes
    killed = f"they started more than {bound} processes" if end == _TOO_MANY else None
    if end == _TOO_MUCH and run.stop is not None:
        killed = run.stop.reason
    return RunOutcome(
        exit_code=code,
        timed_out=end == _TIMED_OUT,
        killed=killed,
        low_space=end == _TOO_MUCH and run.stop is not None and run.stop.low_space,
        output=cap.text(),
        output_bytes=cap.total,
        duration_ms=(time.monotonic() - t0) * 1000.0,
        max_processes_seen=run.max_seen,
        process_bound=run.process_bound(),
    )


def _watch(run: _Run, cap: OutputCap, deadline: float, cancel: CancelToken | None) -> str:
    """Follow ``run``, keeping its output, until it exits, is cancelled, passes the
    ``deadline``, starts too many processes or writes too much; returns which
    (``_EXITED`` ...)."""
    bound = run.spec.limits.max_processes
    exit_grace: float | None = None
    next_check = 0.0
    while True:
        run.read_output(cap)
        now = time.monotonic()
        exited = run.proc.poll() is not None
        if now < next_check and not exited:
            continue
        next_check = now + POLL_S
        run.read_info()
        if exited:
            if run.eof:
                return _EXITED
            # the command exited; leftovers (none mode) may still hold the pipe open
            exit_grace = exit_grace or now + 0.5
            if now > exit_grace:
                return _EXITED
        if cancel is not None and cancel.cancelled:
            return _CANCELLED
        if now > deadline:
            return _TIMED_OUT
        if run.count(bound) > bound:
            return _TOO_MANY
        if run.writes is not None and not exited:
            run.stop = run.writes.check(now)
            if run.stop is not None:
                return _TOO_MUCH
