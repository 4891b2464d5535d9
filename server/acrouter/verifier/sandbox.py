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
Killing: every process of the run gets SIGKILL directly (through pidfds when the
kernel has them), then bubblewrap itself; its pid namespace dies with it, including
children that started their own session.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import resource
import selectors
import signal
import subprocess
import sys
import time
from collections import deque
from collections.abc import Callable, Mapping
from shutil import which

import attrs

from ..domain import Cancelled, CancelToken
from .bwrap import Mount, bwrap_argv
from .bwrap_exe import find_bwrap, probe
from .processes import (
    PidsCgroup,
    descendants,
    in_namespace,
    in_tree,
    kill_pid,
    ns_inode,
    pids_in_namespace,
)

log = logging.getLogger(__name__)

GiB = 1024**3
MiB = 1024**2
POLL_S = 0.05


@attrs.frozen
class Limits:
    """Resource limits of one test run (``None`` = leave the limit as it is)."""

    address_space_bytes: int | None = 8 * GiB  # RLIMIT_AS, per process
    file_size_bytes: int | None = 1 * GiB  # RLIMIT_FSIZE, per file written
    open_files: int | None = 4096  # RLIMIT_NOFILE
    max_tasks: int = 4096  # RLIMIT_NPROC inside the user namespace, and pids.max (threads count)
    max_processes: int = 512  # the watcher's bound: processes of the run, threads not counted
    cpu_s: int | None = None  # RLIMIT_CPU per process; None = the timeout + 5 s
    tmp_bytes: int = 1 * GiB  # size of the private /tmp and /dev/shm
    output_keep_bytes: int = 64 * 1024  # kept from the start and from the end of the output
    use_cgroup: bool = True  # use a pids cgroup when the machine allows it
    use_prlimit: bool = True  # apply limits with util-linux prlimit when installed (else Python)
    nice: int = 0


@attrs.frozen
class RunSpec:
    argv: tuple[str, ...]
    cwd: str  # as seen by the command
    env: Mapping[str, str]
    timeout_s: float
    mounts: tuple[Mount, ...] = ()  # bwrap only; applied in order after the base layout
    hide: tuple[str, ...] = ()  # host folders / files hidden inside the sandbox (bwrap only)
    limits: Limits = Limits()
    capture: str | None = None  # host file that receives the whole output (up to a bound)


@attrs.frozen
class RunOutcome:
    exit_code: int | None  # 128 + n when killed by signal n
    timed_out: bool
    killed: str | None  # why the watcher stopped the run
    output: str  # head + tail of stdout+stderr
    output_bytes: int  # everything the command wrote
    duration_ms: float
    max_processes_seen: int


# --------------------------------------------------------------------------- limits wrapper

#: Runs first inside the sandbox: sets the rlimits (inside the user namespace, where
#: RLIMIT_NPROC counts only the sandbox), restores default signal dispositions and
#: execs the test command.
_WRAPPER = r"""
import os, resource, signal, sys
names = ("CPU", "AS", "NPROC", "FSIZE", "NOFILE")
for name, raw in zip(names, sys.argv[1].split(",")):
    v = int(raw)
    if v < 0:
        continue
    r = getattr(resource, "RLIMIT_" + name)
    soft, hard = resource.getrlimit(r)
    new_hard = v + 5 if name == "CPU" else v
    if hard != resource.RLIM_INFINITY:
        v, new_hard = min(v, hard), min(new_hard, hard)
    try:
        resource.setrlimit(r, (v, new_hard))
    except (ValueError, OSError) as exc:
        sys.stderr.write("acrouter sandbox: cannot set RLIMIT_%s: %s\n" % (name, exc))
nice = int(sys.argv[2])
if nice:
    os.nice(nice)
for s in ("SIGPIPE", "SIGXFSZ", "SIGXCPU"):
    if hasattr(signal, s):
        signal.signal(getattr(signal, s), signal.SIG_DFL)
try:
    os.execvp(sys.argv[3], sys.argv[3:])
except OSError as exc:
    sys.stderr.write("acrouter sandbox: cannot run %s: %s\n" % (sys.argv[3], exc))
    sys.exit(127)
"""


def _base_python() -> str:
    """An interpreter outside any virtualenv or workspace, for the limits wrapper."""
    return os.path.realpath(getattr(sys, "_base_executable", None) or sys.executable)


def wrapper_argv(limits: Limits, timeout_s: float, prlimit: str | None = None) -> list[str]:
    """The command prefix that applies ``limits`` and then execs the test command:
    util-linux ``prlimit`` when given (fast), else a tiny Python wrapper."""
    cpu = limits.cpu_s if limits.cpu_s is not None else int(timeout_s) + 5
    values = (
        cpu,
        limits.address_space_bytes,
        limits.max_tasks,
        limits.file_size_bytes,
        limits.open_files,
    )
    if prlimit:
        argv = [prlimit]
        for name, v in zip(("cpu", "as", "nproc", "fsize", "nofile"), values):
            if v is None:
                continue
            # never above the current hard limit: only root may raise it
            hard = resource.getrlimit(getattr(resource, f"RLIMIT_{name.upper()}"))[1]
            soft, new_hard = int(v), int(v) + 5 if name == "cpu" else int(v)
            if hard != resource.RLIM_INFINITY:
                soft, new_hard = min(soft, hard), min(new_hard, hard)
            argv.append(f"--{name}={soft}:{new_hard}")
        if limits.nice:
            argv += ["nice", "-n", str(limits.nice)]
        return argv
    encoded = ",".join(str(-1 if v is None else int(v)) for v in values)
    return [_base_python(), "-I", "-S", "-c", _WRAPPER, encoded, str(limits.nice)]


@functools.lru_cache(maxsize=1)
def find_prlimit() -> str | None:
    """util-linux ``prlimit``, if it is installed and can apply limits here."""
    path = which("prlimit")
    if not path:
        return None
    res = probe([path, "--nofile=256", "--", "true"])
    return path if res is not None and res.returncode == 0 else None


# --------------------------------------------------------------------------- output


#: At most this much of the output goes to ``RunSpec.capture``.
CAPTURE_MAX_BYTES = 64 * MiB


class OutputCap:
    """Keeps the first and the last ``keep`` bytes of a stream; counts the rest; and
    writes the whole stream (up to ``CAPTURE_MAX_BYTES``) to ``capture``, if given."""

    def __init__(self, keep: int, capture: str | None = None) -> None:
        self.keep = keep
        self.head = bytearray()
        self.tail: deque[bytes] = deque()
        self.tail_len = 0
        self.total = 0
        self._file = open(capture, "wb") if capture else None  # noqa: SIM115

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    def add(self, chunk: bytes) -> None:
        if self._file is not None and self.total < CAPTURE_MAX_BYTES:
            self._file.write(chunk[: CAPTURE_MAX_BYTES - self.total])
        self.total += len(chunk)
        room = self.keep - len(self.head)
        if room > 0:
            self.head += chunk[:room]
            chunk = chunk[room:]
        if not chunk:
            return
        if len(chunk) >= self.keep:
            self.tail.clear()
            self.tail.append(bytes(chunk[-self.keep :]))
            self.tail_len = self.keep
            return
        self.tail.append(bytes(chunk))
        self.tail_len += len(chunk)
        while self.tail_len - len(self.tail[0]) >= self.keep:
            self.tail_len -= len(self.tail.popleft())

    def text(self) -> str:
        tail = b"".join(self.tail)
        if len(tail) > self.keep:
            tail = tail[-self.keep :]
        omitted = self.total - len(self.head) - len(tail)
        middle = f"\n[... {omitted} bytes of output omitted ...]\n".encode() if omitted > 0 else b""
        return (bytes(self.head) + middle + tail).decode("utf-8", "replace")


# --------------------------------------------------------------------------- running


class _Run:
    """One running command and everything needed to stop it completely."""

    def __init__(self, spec: RunSpec, mode: str, bwrap: str) -> None:
        self.spec = spec
        self.mode = mode
        self.cgroup = PidsCgroup.create(spec.limits.max_tasks) if spec.limits.use_cgroup else None
        self.ns: int | None = None
        self.info = b""
        self.max_seen = 0
        prlimit = find_prlimit() if spec.limits.use_prlimit else None
        inner = (
            wrapper_argv(spec.limits, spec.timeout_s, prlimit) + ["--", *spec.argv]
            if prlimit
            else wrapper_argv(spec.limits, spec.timeout_s) + list(spec.argv)
        )
        self.info_r = self.info_w = -1
        if mode == "bwrap":
            self.info_r, self.info_w = os.pipe()
            argv = (
                bwrap_argv(
                    bwrap,
                    cwd=spec.cwd,
                    mounts=spec.mounts,
                    hide=spec.hide,
                    tmp_bytes=spec.limits.tmp_bytes,
                    info_fd=self.info_w,
                )
                + inner
            )
            cwd = "/"
        else:
            argv = inner
            cwd = spec.cwd
        if self.cgroup is not None:
            argv = [
                "/bin/sh",
                "-c",
                # joining is best effort: without it the watcher counts another way
                'echo $$ 2>/dev/null > "$0"; exec "$@"',
                self.cgroup.procs_file,
                *argv,
            ]
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
        os.set_blocking(self.out_r, False)
        if self.info_r >= 0:
            os.set_blocking(self.info_r, False)

    def _close_info(self) -> None:
        for fd in (self.info_r, self.info_w):
            if fd >= 0:
                try:
                    os.close(fd)
                except OSError:
                    pass
        self.info_r = self.info_w = -1

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
            # the run is alive but not in the cgroup (joining failed): count it another way
        if self.mode == "bwrap":
            return pids_in_namespace(self.ns, bound) if self.ns is not None else []
        return descendants(self.proc.pid, session=self.proc.pid)

    def count(self, bound: int) -> int:
        n = len(self.members(bound))
        self.max_seen = max(self.max_seen, n)
        return n

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

    def close(self) -> None:
        try:
            os.close(self.out_r)
        except OSError:
            pass
        self._close_info()
        if self.cgroup is not None:
            self.cgroup.remove()


def run_command(
    spec: RunSpec,
    *,
    mode: str = "bwrap",
    bwrap: str = "bwrap",
    cancel: CancelToken | None = None,
    on_start: Callable[[int], None] | None = None,
) -> RunOutcome:
    """Run ``spec`` to completion, timeout, process-bound kill or cancellation
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
    sel = selectors.DefaultSelector()
    sel.register(run.out_r, selectors.EVENT_READ)
    eof = False
    timed_out = False
    killed: str | None = None
    cancelled = False
    deadline = t0 + spec.timeout_s
    exit_grace: float | None = None
    next_check = 0.0
    try:
        while True:
            if not eof:
                if sel.select(timeout=POLL_S):
                    eof = _drain(run.out_r, cap, budget=4 * MiB)
                    if eof:
                        sel.unregister(run.out_r)
            else:
                try:
                    run.proc.wait(timeout=POLL_S)
                except subprocess.TimeoutExpired:
                    pass
            now = time.monotonic()
            exited = run.proc.poll() is not None
            if now < next_check and not exited:
                continue
            next_check = now + POLL_S
            run.read_info()
            if exited:
                if eof:
                    break
                # the command exited; leftovers (none mode) may still hold the pipe open
                exit_grace = exit_grace or now + 0.5
                if now > exit_grace:
                    break
            if cancel is not None and cancel.cancelled:
                cancelled = True
                break
            if now > deadline:
                timed_out = True
                break
            bound = spec.limits.max_processes
            if run.count(bound) > bound:
                killed = f"they started more than {bound} processes"
                break
    finally:
        run.kill()
        if not eof:
            end = time.monotonic() + 0.5
            while time.monotonic() < end and not _drain(run.out_r, cap, budget=4 * MiB):
                if not sel.select(timeout=0.05):
                    break
        sel.close()
        run.close()
        cap.close()
    if cancelled:
        raise Cancelled("verification cancelled")
    code = run.proc.returncode
    if code is not None and code < 0:
        code = 128 - code
    if timed_out or killed:
        code = None
    return RunOutcome(
        exit_code=code,
        timed_out=timed_out,
        killed=killed,
        output=cap.text(),
        output_bytes=cap.total,
        duration_ms=(time.monotonic() - t0) * 1000.0,
        max_processes_seen=run.max_seen,
    )


def _drain(fd: int, cap: OutputCap, budget: int) -> bool:
    """Read what is available (at most ``budget`` bytes); True at end of stream."""
    got = 0
    while got < budget:
        try:
            chunk = os.read(fd, 65536)
        except BlockingIOError:
            return False
        except OSError:
            return True
        if not chunk:
            return True
        cap.add(chunk)
        got += len(chunk)
    return False
