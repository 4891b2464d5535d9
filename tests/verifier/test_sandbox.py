"""The sandbox runner: limits, killing whole trees, output caps, no network, no secrets.

Heavier stress cases (fork bombs, output floods) are marked ``slow``; they still run
by default and each finishes in a few seconds.
"""

from __future__ import annotations

import os
import resource
import socket
import sys
from pathlib import Path

import pytest
from acrouter.domain import Cancelled
from acrouter.verifier.environment import build_env
from acrouter.verifier.limits import Limits
from acrouter.verifier.output import OutputCap
from acrouter.verifier.processes import PidsCgroup, find_pids_cgroups, pids_cgroup_parents
from acrouter.verifier.sandbox import RunSpec, run_command

from .helpers import CancelWhen, needs_bwrap, processes_with, wait_until

PY = os.path.realpath(sys.executable)
BASE_ENV = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}


def spec(code: str, timeout_s: float = 10, cwd: str = "/", **limits: object) -> RunSpec:
    return RunSpec((PY, "-c", code), cwd, BASE_ENV, timeout_s, limits=Limits(**limits))  # type: ignore[arg-type]


# --------------------------------------------------------------------------- pure parts


def test_env_is_an_allowlist() -> None:
    base = {
        "PATH": "/bin",
        "LANG": "C",
        "OPENAI_API_KEY": "sk-x",
        "ANTHROPIC_API_KEY": "a",
        "GITHUB_TOKEN": "t",
        "AWS_SECRET_ACCESS_KEY": "s",
        "AWS_ACCESS_KEY_ID": "i",
        "MY_SERVICE_TOKEN": "m",
        "HOME": "/root",
        "LD_PRELOAD": "/evil.so",
        "PYTHONSTARTUP": "/evil.py",
        "PYTHONPATH": "/src",
        "SSH_AUTH_SOCK": "/s",
    }
    env = build_env(base, home="/h", tmp="/t")
    assert env["PATH"] == "/bin" and env["PYTHONPATH"] == "/src"
    assert env["HOME"] == "/h" and env["TMPDIR"] == "/t"
    for leaked in (
        "OPENAI_API_KEY",
        "ANTHROPIC_API_KEY",
        "GITHUB_TOKEN",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_ACCESS_KEY_ID",
        "MY_SERVICE_TOKEN",
        "LD_PRELOAD",
        "PYTHONSTARTUP",
        "SSH_AUTH_SOCK",
    ):
        assert leaked not in env
    with pytest.raises(ValueError):
        build_env(base, home="/h", tmp="/t", extra={"OPENAI_API_KEY": "x"})


def test_output_cap_keeps_head_and_tail_only() -> None:
    cap = OutputCap(keep=10)
    cap.add(b"0123456789abc")
    for _ in range(1000):
        cap.add(b"x" * 7)
    cap.add(b"THE-END")
    text = cap.text()
    assert text.startswith("0123456789")
    assert text.endswith("xxxTHE-END")
    assert cap.total == 13 + 7000 + 7
    assert "bytes of output omitted" in text
    assert sum(len(c) for c in cap.tail) <= 10 + 7


# --------------------------------------------------------------------------- bwrap runs


@needs_bwrap
def test_a_plain_run_reports_exit_code_and_output() -> None:
    out = run_command(spec("import sys; print('hello'); sys.exit(3)"))
    assert out.exit_code == 3 and out.output.strip() == "hello" and not out.timed_out


@needs_bwrap
def test_rlimits_apply_inside() -> None:
    code = (
        "import resource as r\n"
        "print(r.getrlimit(r.RLIMIT_AS)[0], r.getrlimit(r.RLIMIT_FSIZE)[0], r.getrlimit(r.RLIMIT_NOFILE)[0],"
        " r.getrlimit(r.RLIMIT_NPROC)[0], r.getrlimit(r.RLIMIT_CPU)[0])"
    )
    for use_prlimit in (True, False):
        out = run_command(
            spec(
                code,
                timeout_s=7,
                address_space_bytes=2**31,
                file_size_bytes=2**20,
                open_files=100,
                max_tasks=300,
                use_prlimit=use_prlimit,
            )
        )
        assert out.output.split() == [str(2**31), str(2**20), "100", "300", "12"], out.output


@needs_bwrap
def test_timeout_kills_a_daemonised_child(marker: str) -> None:
    # the daemon says it is up; then only the timeout can end the run (both sleep 300 s)
    daemon = "print('daemon up', flush=True); import time; time.sleep(300)"
    code = f"""
import os, time, subprocess, sys
# {marker}
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        os.execv(sys.executable, [sys.executable, "-c", "{daemon}", "{marker}"])
    os._exit(0)
time.sleep(300)
"""
    out = run_command(spec(code, timeout_s=1.5))
    assert out.timed_out and out.exit_code is None
    assert "daemon up" in out.output  # it was running when the timeout fired
    assert wait_until(lambda: not processes_with(marker), 5), processes_with(marker)


@needs_bwrap
def test_a_daemon_left_behind_by_a_finished_run_is_killed(marker: str) -> None:
    code = f"""
import os, sys
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        os.closerange(0, 3)
        os.execv(sys.executable, [sys.executable, "-c", "import time; time.sleep(300)", "{marker}"])
    os._exit(0)
print("main done")
"""
    out = run_command(spec(code))
    assert out.exit_code == 0 and "main done" in out.output
    assert wait_until(lambda: not processes_with(marker), 2), processes_with(marker)


@needs_bwrap
def test_cancel_kills_the_tree(marker: str) -> None:
    # the child's command line alone holds "<marker>-child" (the parent's spells it apart)
    code = f"import subprocess, sys, time\nsubprocess.Popen([sys.executable, '-c', 'import time; time.sleep(300)', '{marker}' + '-child'])\ntime.sleep(300)"
    token = CancelWhen(lambda: bool(processes_with(f"{marker}-child")), give_up_s=60)
    with pytest.raises(Cancelled):
        run_command(spec(code, timeout_s=120), cancel=token)
    assert not token.gave_up  # cancelled once the child was running
    assert wait_until(lambda: not processes_with(marker), 5), processes_with(marker)


@needs_bwrap
def test_no_network_inside(tmp_path: Path) -> None:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    server.setblocking(False)
    port = server.getsockname()[1]
    code = f"""
import socket
for addr in [("127.0.0.1", {port}), ("1.1.1.1", 80)]:
    try:
        socket.create_connection(addr, timeout=30).close()
        print("CONNECTED", addr)
    except OSError as exc:
        print("refused", addr[0], type(exc).__name__, exc.errno)
"""
    try:
        out = run_command(spec(code))
        with pytest.raises(BlockingIOError):
            server.accept()
    finally:
        server.close()
    assert "CONNECTED" not in out.output
    lines = [ln.split() for ln in out.output.splitlines() if ln.startswith("refused")]
    assert [ln[1] for ln in lines] == ["127.0.0.1", "1.1.1.1"]
    # refused or unreachable at once, not a connection attempt that timed out
    assert all(ln[2] != "TimeoutError" and ln[3] != "None" for ln in lines), out.output


@needs_bwrap
def test_filesystem_is_read_only_outside_the_mounts(tmp_path: Path) -> None:
    target = tmp_path / "host-file"
    target.write_text("original")
    code = f"""
import os
for path in ["{target}", "{Path.home()}/acr-probe", "/etc/acr-probe", "/usr/acr-probe"]:
    try:
        open(path, "w").write("x")
        print("WROTE", path)
    except OSError as exc:
        print("denied", path, exc.errno)
"""
    out = run_command(spec(code))
    assert "WROTE" not in out.output, out.output
    assert target.read_text() == "original"
    assert not (Path.home() / "acr-probe").exists()


@needs_bwrap
@pytest.mark.slow
def test_output_flood_is_capped_and_memory_stays_bounded() -> None:
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    code = "import sys\nb = b'y' * 65536 + b'\\n'\nwhile True:\n    sys.stdout.buffer.write(b)"
    out = run_command(spec(code, timeout_s=3, output_keep_bytes=64 * 1024))
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    assert out.timed_out
    assert out.output_bytes > 50 * 1024 * 1024  # it really did flood
    assert len(out.output) <= 2 * 64 * 1024 + 200
    assert (rss_after - rss_before) < 64 * 1024  # KiB: no unbounded buffering


@needs_bwrap
@pytest.mark.slow
def test_writing_a_huge_file_hits_the_file_size_limit() -> None:
    code = (
        "import os\nb = b'z' * (1 << 20)\n"
        "with open('/tmp/big', 'wb') as f:\n"
        "    while True:\n        f.write(b)"
    )
    out = run_command(spec(code, timeout_s=60, file_size_bytes=32 * 1024 * 1024))
    assert not out.timed_out and out.exit_code == 1  # the limit ended it, not the timeout
    assert "File too large" in out.output


FORK_BOMB = """
import os, time
# {marker}
while True:
    try:
        os.fork()
    except OSError:
        time.sleep(0.01)
"""


@needs_bwrap
@pytest.mark.slow
@pytest.mark.parametrize("use_cgroup", [True, False], ids=["cgroup-if-available", "watcher-only"])
def test_fork_bomb_is_stopped_and_leaves_nothing(marker: str, use_cgroup: bool) -> None:
    out = run_command(
        spec(
            FORK_BOMB.format(marker=marker),
            timeout_s=60,
            max_processes=48,
            max_tasks=200,
            use_cgroup=use_cgroup,
        )
    )
    # the process bound ended it, not the timeout
    assert not out.timed_out and out.exit_code is None
    assert out.killed and "48 processes" in out.killed
    assert wait_until(lambda: not processes_with(marker), 5), processes_with(marker)


@needs_bwrap
@pytest.mark.slow
@pytest.mark.skipif(
    not pids_cgroup_parents(),
    reason="needs a pids cgroup this user may create (as root, or with pids delegated): "
    + find_pids_cgroups().problem,
)
def test_pids_cgroup_is_a_hard_bound(marker: str) -> None:
    # the watcher's bound is out of reach: only pids.max stops the bomb
    out = run_command(
        spec(FORK_BOMB.format(marker=marker), timeout_s=2, max_processes=10_000, max_tasks=40)
    )
    assert out.timed_out
    assert out.max_processes_seen <= 40
    assert wait_until(lambda: not processes_with(marker), 5)
    parents = pids_cgroup_parents()
    assert wait_until(
        lambda: (
            not any(
                n.startswith(f"{PidsCgroup.PREFIX}{os.getpid()}-")
                for p in parents
                for n in os.listdir(p)
            )
        ),
        5,
    )


def test_none_mode_runs_in_the_given_folder_and_kills_its_tree(tmp_path: Path, marker: str) -> None:
    code = f"import os, subprocess, sys, time\nprint(os.getcwd(), flush=True)\nsubprocess.Popen([sys.executable, '-c', 'import time; time.sleep(300)', '{marker}'])\ntime.sleep(300)"
    out = run_command(spec(code, timeout_s=1.5, cwd=str(tmp_path)), mode="none")
    assert out.timed_out and out.output.strip() == str(tmp_path)
    assert wait_until(lambda: not processes_with(marker), 2), processes_with(marker)
