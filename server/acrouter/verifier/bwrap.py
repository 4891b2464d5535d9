"""bubblewrap: whether it works here, its command line, and the mounts of a run."""

from __future__ import annotations

import functools
import os
import subprocess
from collections.abc import Sequence
from pathlib import Path
from shutil import which

import attrs

MiB = 1024**2

BWRAP_MISSING = (
    "bubblewrap (bwrap) is required to run tests safely; install it with "
    '`apt-get install bubblewrap`, or set acrouter.sandbox to "none" to run tests '
    "unprotected (risky)"
)


@attrs.frozen
class Mount:
    source: str  # host path
    dest: str  # path inside the sandbox
    writable: bool = False


@functools.lru_cache(maxsize=8)
def bwrap_problem(bwrap: str = "bwrap") -> str | None:
    """None when ``bwrap`` can build a sandbox here, else a message for the user."""
    path = bwrap if os.sep in bwrap else which(bwrap)
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


def tool_mounts(argv: Sequence[str], workspace: Path) -> tuple[Mount, ...]:
    """Read-only mounts for a test command whose program lives in a masked folder.

    A test command like ``/tmp/checkout/.venv/bin/python -m pytest`` names an interpreter
    that the sandbox's private ``/tmp`` would hide: its environment is mounted read-only
    at the same path (a virtualenv as a whole, else the program's folder)."""
    if not argv or not os.path.isabs(argv[0]):
        return ()
    found: list[Mount] = []
    for program in dict.fromkeys((argv[0], os.path.realpath(argv[0]))):
        folder = Path(program).parent
        root = folder.parent if folder.name == "bin" and (folder.parent / "pyvenv.cfg").exists() else folder
        if not root.exists():
            continue
        inside = os.path.relpath(root, workspace)
        if inside == "." or not inside.startswith(".."):
            continue  # the workspace's own folders are handled by mounts_for
        if any(str(root) == m or str(root).startswith(m + os.sep) for m in MASKED_DIRS):
            found.append(Mount(str(root), str(root)))
    return tuple(found)


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
