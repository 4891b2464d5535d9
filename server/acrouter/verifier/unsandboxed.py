"""Running the tests without a sandbox (``acrouter.sandbox`` "none", unprotected): the
scratch copy is not at the workspace path, so every mention of the workspace in the
command and its environment is pointed at the copy, an editable install of the project
is shadowed by the copy's folders, the copy's venv / node_modules link to the real ones,
a command that would still reach the user's folder is refused, and ``uv run`` does not
sync the environment (:data:`NO_SYNC`)."""

from __future__ import annotations

import glob
import os
import re
import shlex
from pathlib import Path

from ..errors import VerifyError

#: Without a sandbox ``uv run`` (and ``uv run --frozen``) finds the project at the copy's
#: path, not the one its editable install in ``.venv`` names, and would install it again
#: into the user's ``.venv`` (a link to the real one), pointing at the scratch copy that
#: is removed after the run, and fetch the build backend to do so (its cache, under the
#: real home, is not the tests' home): every run was "cannot run even without the edit".
#: The environment is used as it is, as under the sandbox, where the paths match and uv
#: finds nothing to sync.
NO_SYNC = {"UV_NO_SYNC": "1"}


def refuse_unrewritable(command: str, root: Path, given: str | None) -> None:
    """Without a sandbox, refuse a command that would reach the user's folder although
    every literal mention of the workspace is pointed at the copy: one naming the
    workspace another way (a symlink, ``~``) or naming a folder that holds it."""
    try:
        words = shlex.split(command)
    except ValueError:
        words = command.split()
    roots = str(root)
    for word in words:
        for piece in re.split(r"[=:;&|()]", word):
            if not piece.startswith(("/", "~")):
                continue
            real = os.path.realpath(os.path.expanduser(piece))
            if piece == roots or piece.startswith(roots + os.sep):
                continue  # rewritten to the copy
            if real == roots or real.startswith(roots + os.sep):
                why = "names the workspace as"
            elif roots.startswith(real.rstrip(os.sep) + os.sep) and real != "/":
                why = "names a folder that holds the workspace,"
            else:
                continue
            raise VerifyError(
                f"without a sandbox the test command cannot be pointed at the scratch copy: "
                f"it {why} {piece!r}, and would reach your folder {root}; name the "
                "workspace by its own path or use relative paths"
            )


def to_scratch_text(text: str, root: Path, ws: Path) -> str:
    """Without a sandbox the copy is not at the workspace path: every mention of the
    workspace (``cd /ws && ...``, ``--rootdir=/ws``, ``/ws/.venv/bin/python``) is
    pointed at the copy, so the command never reaches the user's folder."""
    roots = str(root)
    return re.sub(re.escape(roots) + r"(?=$|[/\s'\";:&|)=])", lambda _m: str(ws), text)


def to_scratch(path: str, root: Path, ws: Path) -> str:
    rel = os.path.relpath(path, root)
    if rel == ".":
        return str(ws)
    if rel.startswith(".."):
        return path
    return str(ws / rel)


def editable_paths(
    root: Path, ws: Path, shared: tuple[str, ...], existing: str | None
) -> dict[str, str]:
    """Without a sandbox an editable install of the project (a ``.pth`` line or
    setuptools' finder naming the workspace) would import the user's files: put the
    copy's versions of those folders first on PYTHONPATH."""
    found: list[str] = []
    for rel in shared:
        for site in glob.glob(str(root / rel / "lib" / "python*" / "site-packages")):
            for pth in glob.glob(os.path.join(site, "*.pth")):
                try:
                    lines = Path(pth).read_text(encoding="utf-8", errors="replace").splitlines()
                except OSError:
                    continue
                for line in lines:
                    line = line.strip()
                    if line.startswith("/") and (line + "/").startswith(str(root) + "/"):
                        found.append(to_scratch(line, root, ws))
            for finder in glob.glob(os.path.join(site, "__editable___*finder.py")):
                try:
                    text = Path(finder).read_text(encoding="utf-8", errors="replace")
                except OSError:
                    continue
                for m in re.finditer(r"'(/[^']+)'", text):
                    path = m.group(1)
                    if (path + "/").startswith(str(root) + "/"):
                        found.append(to_scratch(os.path.dirname(path), root, ws))
    if not found:
        return {}
    parts = list(dict.fromkeys(found)) + ([existing] if existing else [])
    return {"PYTHONPATH": os.pathsep.join(parts)}


def link_shared(ws: Path, root: Path, shared: tuple[str, ...]) -> None:
    """Without a sandbox, the copy's venv / node_modules folders point at the real ones
    (they are not copied)."""
    for rel in shared:
        dest = ws / rel
        if dest.is_symlink():
            continue
        try:
            dest.rmdir()
        except OSError:
            continue
        dest.symlink_to(root / rel, target_is_directory=True)
