"""What an ordinary user (not root) meets: cgroups not delegated to them, another
user's leftovers in a shared /tmp, a HOME they may not look into.  The failing
operations are injected, so these run the same as root and as a user; CI also runs
the whole verifier suite as an unprivileged user (.ci/run)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from acrouter.domain import Cancelled, Edit
from acrouter.verifier import processes
from acrouter.verifier.environment import build_env
from acrouter.verifier.limits import Limits
from acrouter.verifier.processes import CgroupSearch, PidsCgroup, find_pids_cgroups
from acrouter.verifier.sandbox import RunSpec, run_command
from acrouter.verifier.scratch import SCRATCH_PREFIX, remove_stale_scratch

from .helpers import (
    CALC,
    CALC_FIXED,
    PYTEST,
    TEST_CALC,
    CancelWhen,
    needs_bwrap,
    processes_with,
    task_for,
    verifier,
    wait_until,
    write_tree,
)

NOT_DELEGATED = "cgroup v2: the pids controller is not delegated to /sys/fs/cgroup/user.slice"


def _files(files: dict[str, str]):  # type: ignore[no-untyped-def]
    def read(path: str | Path) -> str:
        try:
            return files[str(path)]
        except KeyError:
            raise FileNotFoundError(str(path)) from None

    return read


# a systemd user session on cgroup v2: pids is not enabled for the user's own subtree
V2_MOUNTINFO = "30 23 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw\n"
V2_OWN = "0::/user.slice/user-1000.slice/session-2.scope\n"
V2_BASE = "/sys/fs/cgroup/user.slice/user-1000.slice/session-2.scope"
# cgroup v1 with a pids hierarchy that only root may write (this machine, as a user)
V1_MOUNTINFO = "40 23 0:30 / /sys/fs/cgroup/pids rw - cgroup cgroup rw,pids\n"
V1_OWN = "8:pids:/\n"


def test_cgroup_v2_not_delegated_says_so() -> None:
    read = _files(
        {
            "/proc/self/cgroup": V2_OWN,
            "/proc/self/mountinfo": V2_MOUNTINFO,
            f"{V2_BASE}/cgroup.subtree_control": "cpu memory\n",
        }
    )
    found = find_pids_cgroups(read, writable=lambda p: True)
    assert found.parents == ()
    assert found.problem == f"cgroup v2: the pids controller is not delegated to {V2_BASE}"


def test_cgroup_v2_delegated_and_writable_is_used() -> None:
    read = _files(
        {
            "/proc/self/cgroup": V2_OWN,
            "/proc/self/mountinfo": V2_MOUNTINFO,
            f"{V2_BASE}/cgroup.subtree_control": "memory pids\n",
        }
    )
    assert find_pids_cgroups(read, writable=lambda p: True) == CgroupSearch((Path(V2_BASE),))


def test_a_root_owned_v1_pids_hierarchy_is_not_writable() -> None:
    read = _files({"/proc/self/cgroup": V1_OWN, "/proc/self/mountinfo": V1_MOUNTINFO})
    found = find_pids_cgroups(read, writable=lambda p: False)
    assert found.parents == ()
    assert found.problem == "/sys/fs/cgroup/pids is not writable by this user"
    assert find_pids_cgroups(read, writable=lambda p: True).parents == (
        Path("/sys/fs/cgroup/pids"),
    )


def test_no_pids_controller_and_unreadable_proc() -> None:
    read = _files({"/proc/self/cgroup": "0::/\n", "/proc/self/mountinfo": ""})
    assert find_pids_cgroups(read).problem == "no pids cgroup controller is mounted"
    assert "cannot read this process's cgroups" in find_pids_cgroups(_files({})).problem


def test_create_without_a_parent_gives_the_reason() -> None:
    assert PidsCgroup.create(100, CgroupSearch((), NOT_DELEGATED)) == (None, NOT_DELEGATED)


@pytest.fixture
def no_cgroup(monkeypatch: pytest.MonkeyPatch) -> None:
    """The machine of a user whose cgroups are not delegated to them."""
    monkeypatch.setattr(processes, "find_pids_cgroups", lambda: CgroupSearch((), NOT_DELEGATED))


SLEEPER = """
import subprocess, sys, time
subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)", "{marker}"])
print("started", flush=True)
time.sleep(300)
"""


@needs_bwrap
def test_without_a_cgroup_a_timeout_still_kills_the_tree_and_says_why(
    no_cgroup: None, marker: str
) -> None:
    spec = RunSpec(
        (os.path.realpath(sys.executable), "-c", SLEEPER.format(marker=marker)),
        "/",
        {"PATH": "/usr/bin:/bin"},
        1.5,
        limits=Limits(max_processes=64),
    )
    out = run_command(spec)
    assert out.timed_out and "started" in out.output
    assert wait_until(lambda: not processes_with(marker), 5), processes_with(marker)
    assert out.process_bound.startswith(f"no pids cgroup ({NOT_DELEGATED}): ")
    assert "stops the run past 64 processes" in out.process_bound
    if os.geteuid() == 0:
        assert "RLIMIT_NPROC does not bind root" in out.process_bound
    else:
        assert "RLIMIT_NPROC 4096 in the sandbox's user namespace" in out.process_bound


@needs_bwrap
def test_without_a_cgroup_a_cancel_still_kills_the_tree(no_cgroup: None, marker: str) -> None:
    spec = RunSpec(
        (os.path.realpath(sys.executable), "-c", SLEEPER.format(marker=marker)),
        "/",
        {"PATH": "/usr/bin:/bin"},
        60,
    )
    token = CancelWhen(lambda: bool(processes_with(marker)), give_up_s=30)
    with pytest.raises(Cancelled):
        run_command(spec, cancel=token)
    assert not token.gave_up  # cancelled while the child was running
    assert wait_until(lambda: not processes_with(marker), 5), processes_with(marker)


@needs_bwrap
def test_the_why_names_the_missing_cgroup(no_cgroup: None, tmp_path: Path) -> None:
    root = write_tree(tmp_path / "proj", {"calc.py": CALC, "tests/test_calc.py": TEST_CALC})
    command = f"{PYTEST} -p no:cacheprovider tests"
    v = verifier(timeout_s=60).verify(
        task_for(root, command), Edit(files={"calc.py": CALC_FIXED}), "m"
    )
    assert v.verdict == "pass", v.detail
    assert f"no pids cgroup ({NOT_DELEGATED})" in v.sandbox
    assert "a watcher that stops the run past 512 processes" in v.sandbox


@needs_bwrap
def test_with_cgroups_turned_off_the_why_says_so(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "proj", {"calc.py": CALC, "tests/test_calc.py": TEST_CALC})
    command = f"{PYTEST} -p no:cacheprovider tests"
    v = verifier(timeout_s=60, limits=Limits(use_cgroup=False)).verify(
        task_for(root, command), Edit(files={"calc.py": CALC_FIXED}), "m"
    )
    assert v.verdict == "pass", v.detail
    assert "no pids cgroup (turned off (Limits.use_cgroup))" in v.sandbox


def test_another_users_stale_scratch_folder_is_left_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dead = 2**22 + 12345  # above pid_max: no such process
    stale = tmp_path / f"{SCRATCH_PREFIX}{dead}-abc"
    (stale / "ws").mkdir(parents=True)
    cgroup = tmp_path / f"{PidsCgroup.PREFIX}{dead}-abcd"
    cgroup.mkdir()
    real_uid = os.geteuid()
    monkeypatch.setattr(os, "geteuid", lambda: real_uid + 4242)  # someone else's folders
    remove_stale_scratch([tmp_path])
    PidsCgroup._remove_stale(tmp_path)
    assert (stale / "ws").is_dir() and cgroup.is_dir()
    monkeypatch.setattr(os, "geteuid", lambda: real_uid)  # our own
    remove_stale_scratch([tmp_path])
    PidsCgroup._remove_stale(tmp_path)
    assert not stale.exists() and not cgroup.exists()


def test_a_home_this_user_may_not_look_into(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """HOME still names root's folder (``su`` without ``-``): stat raises EACCES."""
    home = tmp_path / "rootlike"
    (home / "go").mkdir(parents=True)
    real_is_dir = Path.is_dir

    def is_dir(self: Path) -> bool:
        if str(self).startswith(str(home) + "/"):
            raise PermissionError(13, "Permission denied", str(self))
        return real_is_dir(self)

    monkeypatch.setattr(Path, "is_dir", is_dir)
    env = build_env({"PATH": "/bin", "HOME": str(home)}, home="/h", tmp="/t")
    assert env["HOME"] == "/h" and "GOPATH" not in env and "CARGO_HOME" not in env


class _Unjoinable(PidsCgroup):
    """A cgroup the run cannot join (as when a v2 tree refuses the move)."""

    @property
    def procs_file(self) -> str:
        return str(self.path / "missing" / "cgroup.procs")

    def pids(self) -> list[int]:
        return []


@needs_bwrap
def test_a_cgroup_the_run_could_not_join_is_not_claimed(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, marker: str
) -> None:
    monkeypatch.setattr(
        PidsCgroup, "create", classmethod(lambda cls, max_tasks: (_Unjoinable(tmp_path), ""))
    )
    out = run_command(
        RunSpec(
            (os.path.realpath(sys.executable), "-c", SLEEPER.format(marker=marker)),
            "/",
            {"PATH": "/usr/bin:/bin"},
            2.5,
        )
    )
    assert out.timed_out
    assert wait_until(lambda: not processes_with(marker), 5), processes_with(marker)
    assert out.process_bound.startswith(f"no pids cgroup (the run could not join {tmp_path})")
