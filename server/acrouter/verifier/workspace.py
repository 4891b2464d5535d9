"""Which paths an edit may write, which files a scratch copy holds.

Nothing here runs project code.  ``resolve_edit_path`` is the one gate every edited
path goes through (the server reuses it when applying an edit to the real workspace);
``write_files`` validates every path before writing anything, so a rejected edit
leaves no trace anywhere.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import stat
import subprocess
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

from ..errors import VerifyError

log = logging.getLogger(__name__)

#: Folders never copied when the project is not a git repository.
HEAVY_DIRS = frozenset(
    {
        ".git",
        "node_modules",
        ".venv",
        "venv",
        "__pycache__",
        "target",
        "build",
        "dist",
        ".tox",
        ".nox",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
    }
)
#: The build folder of the test command detected for a CMake project
#: (``detection.CMAKE_TESTS``): the verifier's own, never copied to a scratch copy, so
#: every run configures and builds it afresh (one left in the workspace, by a user who ran
#: that command there, would be reused: its cache calls the compiler by its full path,
#: past the wrappers that measure which lines ran)
OWN_BUILD_DIR = ".acrouter-build"
#: Dependency folders that are not copied but mounted read-only at the same path, so
#: the project's own interpreter / packages keep working inside the sandbox.
SHARED_DIR_NAMES = ("node_modules",)
#: Editor files an edit may never write: they make VS Code run commands.
REFUSED_EDITOR_FILES = frozenset({"tasks.json", "launch.json", "settings.json"})
#: Modules Python imports at start-up from wherever they are on ``sys.path`` (a project
#: folder is on it through an editable install): an edit may never write them, nor a
#: ``.pth`` file.  They would run inside the test runner before any test (one that marks
#: every test passed turns a broken edit into a verified one) and, once the edit is
#: applied, in every Python the user starts.
REFUSED_STARTUP_MODULES = frozenset({"sitecustomize", "usercustomize"})
#: Folders of an installed distribution's metadata: ``importlib.metadata`` finds them on
#: ``sys.path`` (the workspace is on it with ``python -m pytest``, or through an editable
#: install's ``.egg-info``), and their ``entry_points.txt`` loads plugins: a ``[pytest11]``
#: entry makes pytest import a module of the edit as a plugin before any test runs.
REFUSED_METADATA_SUFFIXES = (".dist-info", ".egg-info")
#: Installed JavaScript packages, like the project's virtualenv: node resolves a package
#: from the nearest ``node_modules`` up from the file that requires it, so a hollow
#: ``node_modules/chai/index.js`` (or ``src/node_modules/chai`` beside a test in
#: ``src/``) is the ``chai`` the tests load.
REFUSED_PACKAGE_DIR = "node_modules"


# --------------------------------------------------------------------------- paths


def _refusal(parts: tuple[str, ...]) -> str | None:
    lowered = [p.lower() for p in parts]
    if ".git" in lowered:
        return "writes into .git/ are refused"
    if len(lowered) >= 2 and lowered[-2] == ".vscode" and lowered[-1] in REFUSED_EDITOR_FILES:
        return f"writes to editor task files (.vscode/{parts[-1]}) are refused"
    startup = [*lowered[:-1], lowered[-1].split(".", 1)[0]]
    if lowered[-1].endswith(".pth") or REFUSED_STARTUP_MODULES.intersection(startup):
        return (
            f"writes to files Python runs at start-up ({parts[-1]}: sitecustomize, "
            "usercustomize, .pth) are refused"
        )
    if REFUSED_PACKAGE_DIR in lowered[:-1]:
        return (
            "writes into node_modules/ are refused (installed packages: the tests' runner "
            "and assertion libraries are loaded from there)"
        )
    if any(p.endswith(REFUSED_METADATA_SUFFIXES) for p in lowered[:-1]):
        return (
            "writes to a distribution's metadata (.dist-info, .egg-info: its entry points "
            "load plugins, into pytest too) are refused"
        )
    return None


def _split_relative(rel: str) -> tuple[str, ...]:
    if not isinstance(rel, str) or not rel.strip():
        raise VerifyError("an edit names an empty path")
    if "\x00" in rel:
        raise VerifyError(f"{rel!r}: a path may not contain NUL bytes")
    text = rel.strip()
    if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", text) or text.lower().startswith("file:"):
        raise VerifyError(f"{rel!r}: URIs are not accepted; give a path relative to the workspace")
    text = text.replace("\\", "/")
    if text.startswith("/") or re.match(r"^[A-Za-z]:", text):
        raise VerifyError(
            f"{rel!r}: absolute paths are not accepted; give a path relative to the workspace"
        )
    if text.startswith("~"):
        raise VerifyError(f"{rel!r}: home-relative paths are not accepted")
    parts = tuple(p for p in text.split("/") if p not in ("", "."))
    if not parts:
        raise VerifyError(f"{rel!r}: the path names the workspace itself, not a file")
    if ".." in parts:
        raise VerifyError(f"{rel!r}: '..' is not allowed in an edited path")
    return parts


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def resolve_edit_path(root: str | os.PathLike[str], rel: str) -> Path:
    """The real path ``rel`` names inside ``root``, or ``VerifyError``.

    Rejects absolute paths, ``file://`` URIs, ``..``, look-alike siblings, symlinks
    that lead out of the workspace, writes into ``.git/``, editor task files, Python
    start-up files (``sitecustomize``, ``usercustomize``, ``.pth``), a distribution's
    metadata (``.dist-info``, ``.egg-info``), installed packages (``node_modules/``) and the
    project's virtualenv.  The returned path need not exist yet.
    """
    parts = _split_relative(rel)
    why = _refusal(parts)
    if why:
        raise VerifyError(f"{rel}: {why}")
    root_real = Path(os.path.realpath(root))
    target = Path(os.path.realpath(root_real.joinpath(*parts)))
    if not _inside(target, root_real) or target == root_real:
        raise VerifyError(f"{rel}: the path leads outside the workspace (through a symlink?)")
    resolved = target.relative_to(root_real).parts
    why = _refusal(resolved)
    if why:
        raise VerifyError(f"{rel}: {why}")
    probe = root_real
    for part in resolved[:-1]:
        probe = probe / part
        if (probe / "pyvenv.cfg").is_file():
            raise VerifyError(f"{rel}: edits inside the project's virtualenv are refused")
    if target.is_dir():
        raise VerifyError(f"{rel}: is a directory, not a file")
    return target


def names_request_file(rel: str, own: str, root: Path) -> bool:
    """Whether a path a model wrote, ``rel`` (normalised, another than ``own``), means the
    request's file ``own``: it names no file and is ``own`` shortened (``calc.py`` for
    ``pkg/calc.py``) or led by the workspace folder's name or path
    (``proj/pkg/calc.py``, ``packages/proj/pkg/calc.py``: :func:`within_workspace`).  Any
    other path is another file, perhaps a new one (``sub/calc.py`` is not ``calc.py``)."""
    if rel == own or (root / rel).exists():
        return False
    parts, own_parts = rel.split("/"), own.split("/")
    return own_parts[-len(parts) :] == parts or within_workspace(rel, root) == own


def within_workspace(rel: str, root: Path) -> str | None:
    """``rel`` (normalised) without what leads it that is the end of the workspace's own
    path, when the rest names an existing file and ``rel`` names none: a model that read
    a monorepo's paths writes ``packages/calc/src/ops.py`` for the workspace
    ``…/packages/calc``'s ``src/ops.py``.  None otherwise."""
    if (root / rel).exists():
        return None
    parts, names = rel.split("/"), root.resolve().parts[1:]
    for k in range(min(len(parts) - 1, len(names)), 0, -1):
        rest = "/".join(parts[k:])
        if tuple(parts[:k]) == tuple(names[-k:]) and (root / rest).is_file():
            return rest
    return None


def normalise_relative(rel: str) -> str:
    """``rel`` in canonical form (``a/b.py``); raises like ``resolve_edit_path``."""
    return "/".join(_split_relative(rel))


def write_files(root: str | os.PathLike[str], texts: Mapping[str, str]) -> list[Path]:
    """Write new full contents into ``root``; every path is checked before any write."""
    targets: list[tuple[Path, str]] = []
    for rel, text in texts.items():
        if not isinstance(text, str):
            raise VerifyError(f"{rel}: the new content must be text")
        targets.append((resolve_edit_path(root, rel), text))
    written = []
    for target, text in targets:
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        written.append(target)
    return written


# --------------------------------------------------------------------------- what to copy


def is_virtualenv(path: Path) -> bool:
    return (path / "pyvenv.cfg").is_file()


def shared_dirs(root: Path) -> list[str]:
    """Top-level virtualenvs and dependency folders: mounted read-only, never copied."""
    found = []
    try:
        with os.scandir(root) as it:
            for entry in it:
                if not entry.is_dir(follow_symlinks=False):
                    continue
                if entry.name in SHARED_DIR_NAMES or is_virtualenv(Path(entry.path)):
                    found.append(entry.name)
    except OSError as exc:
        raise VerifyError(f"cannot read the workspace {root}: {exc}") from exc
    return sorted(found)


def _git_files(root: Path, *which: str) -> list[str] | None:
    if not shutil.which("git"):
        return None
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env["GIT_OPTIONAL_LOCKS"] = "0"
    try:
        out = subprocess.run(
            [
                "git",
                "-c",
                f"safe.directory={root}",
                "-c",
                "core.fsmonitor=false",
                "-C",
                str(root),
                "ls-files",
                "-z",
                *(which or ("-c", "-o", "--exclude-standard")),
            ],
            capture_output=True,
            env=env,
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        log.debug("git ls-files failed: %s", exc)
        return None
    if out.returncode != 0:
        log.debug("git ls-files failed (%s): %s", out.returncode, out.stderr[:200])
        return None
    names = out.stdout.decode("utf-8", "surrogateescape").split("\0")
    return sorted({n for n in names if n})


def walk_files(root: Path, top: str = "") -> Iterator[str]:
    """Relative paths of files and symlinks below ``root/top``, heavy folders skipped."""
    stack = [top]
    while stack:
        rel_dir = stack.pop()
        try:
            with os.scandir(root / rel_dir if rel_dir else root) as it:
                entries = list(it)
        except OSError:
            continue
        for entry in entries:
            rel = f"{rel_dir}/{entry.name}" if rel_dir else entry.name
            if entry.is_dir(follow_symlinks=False):
                if entry.name in HEAVY_DIRS or is_virtualenv(Path(entry.path)):
                    continue
                stack.append(rel)
            else:
                yield rel


def _heavy(rel: str) -> bool:
    return any(part in HEAVY_DIRS for part in rel.split("/"))


def ignored_files(root: Path) -> list[str]:
    """Files git ignores that the tests may still need at home (a generated
    ``_version.py``, compiled ``.mo`` translations, build outputs outside heavy
    folders); heavy folders and virtualenvs are left out."""
    entries = _git_files(root, "-o", "-i", "--exclude-standard", "--directory")
    found: list[str] = []
    for entry in entries or []:
        rel = entry.rstrip("/")
        if not rel or _heavy(rel):
            continue
        if entry.endswith("/"):
            if is_virtualenv(root / rel):
                continue
            found.extend(walk_files(root, rel))
        else:
            found.append(rel)
    return found


def list_workspace(root: Path) -> tuple[list[str], str]:
    """Relative paths the tests may read: git's view (tracked + untracked, and the
    ignored files outside heavy folders) when the workspace is in a git repository,
    else a walk that skips heavy folders."""
    files = _git_files(root)
    if files is None:
        return sorted(walk_files(root)), "walk"
    return sorted({*files, *ignored_files(root)}), "git"


def owned(path: Path) -> bool:
    """Whether ``path`` belongs to this process's user: a stale folder of another user
    (whose verifier may live in another pid namespace) is never touched."""
    try:
        return os.lstat(path).st_uid == os.geteuid()
    except OSError:
        return False


def remove_tree(path: Path) -> None:
    """Delete a scratch folder even when the tests left read-only or unreadable folders
    in it (overlayfs leaves a mode 000 folder in its work folder)."""
    if path.exists():
        shutil.rmtree(path, onerror=_unblock)


def _unblock(func: Callable[..., object], p: str, _exc: object) -> None:
    """``shutil.rmtree``'s error handler for :func:`remove_tree`: make ``p`` and its
    folder writable (and ``p`` readable) and try again.  A folder that could not be read
    (``os.open``, ``os.scandir``) and is gone by now (another cleanup removed it first) is
    left: ``os.open`` called again without its flags raised a TypeError, which stopped
    the cleanup and failed the verification."""
    try:
        os.chmod(os.path.dirname(p), 0o700)
        reading = func in (os.open, os.scandir, os.listdir)
        if os.path.isdir(p) and not os.path.islink(p):
            os.chmod(p, 0o700)
            if reading:  # it could not be read
                shutil.rmtree(p, onerror=_unblock)
                return
        if not reading:
            func(p)
    except OSError:
        pass


def open_folders(root: Path) -> int:
    """Make every folder below ``root`` (and ``root``) readable and searchable by its
    owner, this user, where a run left one that is not (mode 000, or 0300: files can be
    written into it and opened, not listed), so that what the run wrote there is seen;
    returns how many were changed.  Only for what a run that has ended wrote (as root,
    every folder is readable already)."""
    changed = 0
    stack = [str(root)]
    while stack:
        folder = stack.pop()
        if not os.access(folder, os.R_OK | os.X_OK):
            try:
                os.chmod(folder, stat.S_IMODE(os.lstat(folder).st_mode) | 0o700)
                changed += 1
            except OSError:
                continue
        try:
            with os.scandir(folder) as it:
                stack.extend(e.path for e in it if e.is_dir(follow_symlinks=False))
        except OSError:
            continue
    return changed
