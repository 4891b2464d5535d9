"""The pre-flight of a verification, shared by ``ProjectVerifier.prepare`` and
``verify``: the workspace folder, the test command, whether the sandbox can run it, and
the workspace state whose key names the cached run without the edit."""

from __future__ import annotations

import functools
import hashlib
import os
from collections.abc import Mapping
from pathlib import Path

from ..domain import CancelToken, Task, check_cancelled
from ..errors import VerifyError
from .baseline import buffers_key, environment_key, shared_stamp
from .bwrap import BWRAP_MISSING, bwrap_problem
from .bwrap_exe import BwrapExe
from .detection import detect_test_command
from .environment import project_env
from .fingerprint import Snapshot, outside_digest, outside_stamp
from .runners import TestPlan
from .scratch import Scan, scan_workspace
from .unsandboxed import refuse_unrewritable

#: The package whose code reads a run (:func:`code_stamp`).
_PACKAGE = Path(__file__).resolve().parent.parent


@functools.cache
def code_stamp() -> str:
    """A digest of this server's own code (every ``.py`` file of the package), part of
    the key of a cached run without the edit: a run read by another version's code (how
    a report is read, which tests a suite holds, how a command is run in the sandbox)
    is run again.  It was a number bumped by hand (14 times), and a change that forgot
    to bump it compared an edit's run with a cached run read the old way."""
    h = hashlib.sha256()
    for path in sorted(_PACKAGE.rglob("*.py")):
        try:
            data = path.read_bytes()
        except OSError:
            data = b""
        h.update(f"{path.relative_to(_PACKAGE).as_posix()}\0{len(data)}\0".encode())
        h.update(data)
    return h.hexdigest()[:16]


def check_cancel(cancel: CancelToken | None) -> None:
    check_cancelled(cancel, "verification cancelled")


def workspace_root(task: Task) -> Path:
    """The task's workspace folder, links resolved; ``VerifyError`` when there is none."""
    if not task.workspace:
        raise VerifyError("the request has no workspace folder, so there are no tests to run")
    root = Path(os.path.realpath(task.workspace))
    if not root.is_dir():
        raise VerifyError(f"the workspace folder {task.workspace} does not exist")
    return root


def command_for(task: Task, default: str | None, root: Path) -> str | None:
    """The test command: the task's, else the verifier's ``default``, else detected (with
    the editor's Python, ``Task.python``, where the project has no virtualenv)."""
    return task.test_command or default or detect_test_command(root, task.python)


def check_sandbox(exe: BwrapExe | None, command: str, root: Path, workspace: str | None) -> None:
    """``VerifyError`` when the tests cannot run: no usable bwrap (``exe``; None: no
    sandbox), or (without a sandbox) a command that would reach the user's folder."""
    if exe is None:
        refuse_unrewritable(command, root, workspace)
        return
    if exe.path is None:
        raise VerifyError(f"{BWRAP_MISSING} ({exe.note})" if exe.note else BWRAP_MISSING)
    problem = bwrap_problem(exe.path)
    if problem:
        raise VerifyError(f"{problem} [{exe.describe()}]")


def workspace_state(
    root: Path,
    command: str,
    probe: TestPlan,
    cancel: CancelToken | None,
    buffers: Mapping[str, str],
    *,
    sandbox: str,
    overlay: bool,
    source_env: Mapping[str, str],
    snapshot: Snapshot | None = None,
) -> tuple[Scan, str]:
    """The workspace scan and the baseline cache key: the files, the unsaved ``buffers``
    in their place, the command, how it is read (``probe``'s runner, or its exit code
    alone), its environment (the tests' environment, built from ``source_env``), the
    sandbox and whether runs use an overlay.

    ``snapshot``: the workspace as it was read a moment ago for the same request, before
    any of its tests ran (``ProjectVerifier.take_state``): its scan, and the stats of the
    files beside the workspace when they were found with the tests' PYTHONPATH, are used
    instead of reading them again; None (or another folder's): read now."""
    tests_env = project_env(root, source_env)
    env = {**source_env, **tests_env}
    if snapshot is not None and snapshot.scan.root == root:
        scan, shared = snapshot.scan, snapshot.shared
    else:
        snapshot = None
        scan = scan_workspace(root, functools.partial(check_cancel, cancel))
        shared = shared_stamp(root, scan)
    if snapshot is not None and snapshot.pythonpath == env.get("PYTHONPATH", ""):
        outside = outside_digest(snapshot.outside)
    else:
        outside = outside_stamp(root, scan.shared_dirs, env)
    env_key = environment_key(probe.argv, env, root)
    key = scan.state_key(
        code_stamp(),
        command,
        # how the command is read: a run kept when it was read by its exit code alone
        # names no test, so a reading per test compared with it would miss tests gone
        f"runner={probe.runner or ''} weak={bool(probe.weak)}",
        sandbox,
        "overlay" if overlay else "copy",
        shared,
        env_key,
        # Python files beside the workspace its tests import (a sibling package on the
        # PYTHONPATH or installed editable): edited since, the cached run is not theirs
        outside,
        *([buffers_key(buffers)] if buffers else []),
    )
    return scan, key
