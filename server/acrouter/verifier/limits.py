"""The resource limits of one test run, and how they are applied inside the sandbox:
util-linux ``prlimit`` when it works here (fast), else a tiny Python wrapper that sets
the rlimits (inside the user namespace, where ``RLIMIT_NPROC`` counts only the
sandbox's processes), restores default signal dispositions and execs the command."""

from __future__ import annotations

import functools
import os
import resource
import sys
from collections.abc import Mapping
from shutil import which

import attrs

from .bwrap_exe import probe

GiB = 1024**3
MiB = 1024**2


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
    #: the watcher's bounds on what the run writes into its scratch folder (the workspace's
    #: overlay or copy, its home): space allocated, and files and folders made
    #: (:mod:`.writebound`; the space is at most a quarter of what is free there)
    write_bytes: int | None = 2 * GiB
    write_files: int | None = 100_000
    output_keep_bytes: int = 64 * 1024  # kept from the start and from the end of the output
    use_cgroup: bool = True  # use a pids cgroup when the machine allows it
    use_prlimit: bool = True  # apply limits with util-linux prlimit when installed (else Python)
    nice: int = 0


def fmt_bytes(n: int | None) -> str:
    """``2 GiB``, ``1.5 GiB``, ``64 MiB``, ``512 bytes``."""
    if n is None:
        return "none"
    for unit, size in (("GiB", GiB), ("MiB", MiB), ("KiB", 1024)):
        if n >= size:
            v = n / size
            return f"{v:g} {unit}" if v == int(v) else f"{v:.1f} {unit}"
    return f"{n} bytes"


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


#: node's option that bounds-checks WebAssembly memory instead of reserving guard
#: regions (about 10 GiB of address space per memory): under ``address_space_bytes``
#: WebAssembly cannot start without it ("WebAssembly.instantiate(): Out of memory"),
#: and vite, so vitest, loads WebAssembly modules (vitest 3 and 4 need over 32 GiB)
NODE_WASM_OPTION = "--disable-wasm-trap-handler"


def node_options(
    limits: Limits, existing: str | None, path: str | None, root: str | None = None
) -> str | None:
    """``NODE_OPTIONS`` for a run under ``limits``: ``existing`` plus
    :data:`NODE_WASM_OPTION` when the address space is limited and the ``node`` on
    ``path`` takes it there (node 20.15 and later); else ``existing`` as it is.  The
    probe runs outside the sandbox, so only absolute folders of ``path`` outside the
    workspace ``root`` are searched: a ``node`` of the project's is never run there.  When
    the tests' first ``node`` is the project's own (a nodeenv in its virtualenv), which
    may be older than 20.15 and then refuse to start with the option, none is added."""
    if limits.address_space_bytes is None:
        return existing
    if root and _first_node_inside(path or "", root):
        return existing
    folders = [
        d
        for d in (path or "").split(os.pathsep)
        if os.path.isabs(d) and not (root and _inside(d, root))
    ]
    if not _node_takes_wasm_option(os.pathsep.join(folders)):
        return existing
    if existing and NODE_WASM_OPTION in existing.split():
        return existing
    return f"{existing} {NODE_WASM_OPTION}" if existing else NODE_WASM_OPTION


def without_wasm_option(env: Mapping[str, str], output: str) -> dict[str, str] | None:
    """``env`` without :data:`NODE_WASM_OPTION` in its ``NODE_OPTIONS`` when a node of the
    run refused it (``output``: node before 20.15, e.g. one the project installs with npm's
    ``node`` package, which npm puts first on the PATH of its scripts); else None."""
    options = env.get("NODE_OPTIONS", "").split()
    if f"{NODE_WASM_OPTION} is not allowed in NODE_OPTIONS" not in output:
        return None
    if NODE_WASM_OPTION not in options:
        return None
    rest = " ".join(o for o in options if o != NODE_WASM_OPTION)
    out = {k: v for k, v in env.items() if k != "NODE_OPTIONS"}
    if rest:
        out["NODE_OPTIONS"] = rest
    return out


def _first_node_inside(path: str, root: str) -> bool:
    """Whether the first ``node`` on ``path`` (relative folders are the workspace's: the
    tests run there) lies in the workspace ``root``.  Nothing is run."""
    folders = [d if os.path.isabs(d) else os.path.join(root, d) for d in path.split(os.pathsep)]
    node = which("node", path=os.pathsep.join(folders)) if path else None
    return node is not None and _inside(os.path.dirname(node), root)


def _inside(folder: str, root: str) -> bool:
    real, top = os.path.realpath(folder), os.path.realpath(root)
    return real == top or real.startswith(top.rstrip(os.sep) + os.sep)


@functools.lru_cache(maxsize=8)
def _node_takes_wasm_option(path: str) -> bool:
    node = which("node", path=path) if path else None
    env = which("env")
    if not node or not env:
        return False
    res = probe([env, f"NODE_OPTIONS={NODE_WASM_OPTION}", node, "-e", "0"])
    return res is not None and res.returncode == 0


@functools.lru_cache(maxsize=1)
def find_prlimit() -> str | None:
    """util-linux ``prlimit``, if it is installed and can apply limits here."""
    path = which("prlimit")
    if not path:
        return None
    res = probe([path, "--nofile=256", "--", "true"])
    return path if res is not None and res.returncode == 0 else None
