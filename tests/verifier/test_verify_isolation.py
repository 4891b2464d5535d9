"""End-to-end ``ProjectVerifier.verify``: what the tests can reach, resource abuse,
cancellation and killing.  Stress scenarios are marked ``slow``; they run by default
and take a few seconds each.
"""

from __future__ import annotations

import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest
from acrouter.domain import Cancelled, Edit, Task
from acrouter.verifier import ProjectVerifier
from acrouter.verifier.scratch import ScratchPool

from .helpers import (
    CALC_FIXED,
    SMALL,
    CancelWhen,
    Shared,
    needs_bwrap,
    processes_with,
    pytest_cmd,
    snapshot,
    task_for,
    verifier,
    wait_until,
    write_tree,
)

pytestmark = needs_bwrap


def add_test(name: str, body: str) -> Edit:
    return Edit(files={f"tests/{name}": textwrap.dedent(body), "calc.py": CALC_FIXED})


# --------------------------------------------------------------------------- what the tests can reach


def test_writes_outside_the_scratch_copy_fail_and_user_files_stay_identical(
    project: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "target.txt").write_text("precious")
    (project / "link_out").symlink_to(outside / "target.txt")
    home_probe = Path.home() / f"{project.name}-home-probe"
    tilde_probe = Path.home() / "probe"
    tilde_probe_existed = tilde_probe.exists()
    user_files = snapshot(project)
    outside_files = snapshot(outside)
    body = f"""
    import os, pytest
    from pathlib import Path

    ROOT = Path(__file__).resolve().parent.parent

    @pytest.mark.parametrize("path", [
        {str(home_probe)!r},
        os.path.expanduser("~/probe"),
        str(ROOT / ".." / ".." / "up-probe"),
        str(ROOT / "link_out"),
        {str(outside / "target.txt")!r},
    ])
    def test_cannot_write(path):
        if path.startswith(os.environ["HOME"]):
            # the sandbox's HOME is a private scratch folder: writing there works and
            # reaches nothing real (checked outside: the real home has no probe)
            Path(path).write_text("scratch")
            assert Path(path).read_text() == "scratch"
            return
        with pytest.raises(OSError):
            with open(path, "w") as fh:
                fh.write("pwned")

    def test_writes_into_the_workspace_stay_in_the_scratch_copy():
        (ROOT / "calc.py").write_text("pwned")
        (ROOT / "new_file.txt").write_text("pwned")
    """
    v = verifier().verify(
        task_for(project, pytest_cmd(project)), add_test("test_escape.py", body), "m"
    )
    # the edit's own test rewrote calc.py during the run: not verified (verifier.written)
    assert v.verdict == "fail" and not v.counted and "rewrote calc.py" in v.detail, v.detail
    assert v.tests_passed == 2 + 6  # the project's 2, the 5 paths, the workspace writes
    assert snapshot(project) == user_files
    assert snapshot(outside) == outside_files
    assert not home_probe.exists()
    assert tilde_probe.exists() == tilde_probe_existed  # "~/probe" went to the private HOME
    assert not (project.parent.parent / "up-probe").exists()


def test_no_network_from_the_tests(shared: Shared) -> None:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    server.setblocking(False)
    port = server.getsockname()[1]
    body = f"""
    import socket, pytest

    @pytest.mark.parametrize("addr", [("127.0.0.1", {port}), ("1.1.1.1", 80)])
    def test_cannot_connect(addr):
        with pytest.raises(OSError) as info:
            socket.create_connection(addr, timeout=30)
        # refused or unreachable at once, not a connection attempt that timed out
        assert not isinstance(info.value, TimeoutError) and info.value.errno, info.value
    """
    try:
        v = shared.verifier().verify(shared.task(), add_test("test_net.py", body), "m")
        with pytest.raises(BlockingIOError):
            server.accept()  # nobody connected
    finally:
        server.close()
    assert v.verdict == "pass", v.detail
    assert v.tests_passed == 4


def test_no_api_key_reaches_the_tests(shared: Shared) -> None:
    secrets = {
        "OPENAI_API_KEY": "sk-sentinel-openai-6f1d",
        "ANTHROPIC_API_KEY": "sentinel-anthropic-93ab",
        "GITHUB_TOKEN": "sentinel-gh-77",
        "AWS_SECRET_ACCESS_KEY": "sentinel-aws-12",
        "MY_COMPANY_API_KEY": "sentinel-custom-55",
    }
    body = f"""
    import os

    def test_no_secret_in_environment():
        values = " ".join(os.environ.values()) + " ".join(os.environ)
        for needle in {list(secrets.values()) + list(secrets)!r}:
            assert needle not in values
        assert open("/proc/self/environ", "rb").read().find(b"sentinel") == -1
    """
    v = shared.verifier(env={**os.environ, **secrets}).verify(
        shared.task(), add_test("test_env.py", body), "m"
    )
    assert v.verdict == "pass", v.detail
    assert v.tests_passed == 3


# --------------------------------------------------------------------------- resource abuse


@pytest.mark.slow
def test_fork_bomb_is_stopped_by_the_process_bound_and_leaves_no_process(shared: Shared) -> None:
    body = """
    import os, time

    def test_bomb():
        while True:
            try:
                os.fork()
            except OSError:
                time.sleep(0.01)
    """
    v = shared.verifier(timeout_s=60, limits=SMALL).verify(
        shared.task(), add_test("test_bomb.py", body), "m"
    )
    assert v.verdict == "fail"
    # the process bound stopped it, not the timeout
    assert "more than 64 processes" in v.detail and "timed out" not in v.detail, v.detail
    assert wait_until(lambda: not processes_with(shared.marker), 5), processes_with(shared.marker)


@pytest.mark.slow
def test_daemonised_child_is_killed(shared: Shared) -> None:
    daemon = f"{shared.marker}-daemon"
    body = f"""
    import os, sys, time

    def test_spawns_a_daemon():
        if os.fork() == 0:
            os.setsid()
            if os.fork() == 0:
                os.execv(sys.executable, [sys.executable, "-c", "import time; time.sleep(600)", "{daemon}"])
            os._exit(0)
        time.sleep(0.3)
    """
    v = shared.verifier().verify(shared.task(), add_test("test_daemon.py", body), "m")
    assert v.verdict == "pass", v.detail
    assert wait_until(lambda: not processes_with(daemon), 2), processes_with(daemon)


@pytest.mark.slow
def test_allocating_64_gb_is_a_resource_failure(shared: Shared) -> None:
    body = """
    def test_huge():
        block = bytearray(64 * 1024 ** 3)
        assert len(block)
    """
    v = shared.verifier().verify(shared.task(), add_test("test_mem.py", body), "m")
    assert v.verdict == "fail"
    assert "out of memory" in v.detail and "8 GiB" in v.detail


@pytest.mark.slow
def test_endless_output_is_capped_by_the_file_size_limit(shared: Shared) -> None:
    # pytest captures output into a temporary file: the file size limit ends the flood
    body = """
    import sys

    def test_prints_forever():
        line = "x" * 8191 + "\\n"
        for _ in range(10 * 1024 ** 3 // 8192):  # 10 GB
            sys.stdout.write(line)
    """
    v = shared.verifier(timeout_s=60, limits=SMALL).verify(
        shared.task(), add_test("test_flood.py", body), "m"
    )
    assert v.verdict == "fail"
    # the file size limit ended it, not the timeout
    assert "file size limit" in v.detail and "timed out" not in v.detail, v.detail


@pytest.mark.slow
def test_endless_output_without_capture_ends_by_timeout(shared: Shared) -> None:
    body = """
    import os

    def test_prints_forever():
        chunk = b"y" * 65536
        while True:  # endless: only the timeout can end it, however fast the pipe is
            os.write(1, chunk)
    """
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    v = shared.verifier(timeout_s=4).verify(shared.task("-s"), add_test("test_flood.py", body), "m")
    assert v.verdict == "fail" and "timed out after 4 s" in v.detail
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss0 < 64 * 1024  # KiB


def test_a_run_that_hangs_after_its_failure_names_what_it_printed(shared: Shared) -> None:
    """Django's ``--parallel`` without tblib: a worker cannot send a failure back, the main
    process prints the traceback and may hang at exit; the timeout's verdict says what
    the run printed before it hung."""
    body = """
    import sys, time

    def test_fails_then_hangs():
        print("AssertionError: 8 != 2", file=sys.stderr, flush=True)
        time.sleep(60)
    """
    v = shared.verifier(timeout_s=4).verify(shared.task("-s"), add_test("test_hang.py", body), "m")
    assert v.verdict == "fail" and v.counted, v.detail
    # (pytest's progress dots on the line before it)
    assert "timed out after 4 s; first it printed: " in v.detail, v.detail
    assert "AssertionError: 8 != 2" in v.detail.split("first it printed: ")[1], v.detail


# --------------------------------------------------------------------------- stopping

SLEEPER = """
import subprocess, sys, time

def test_sleeps():
    subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)", "{marker}-child"])
    time.sleep(600)
"""


def test_cancel_raises_and_kills_the_tests(shared: Shared) -> None:
    v = shared.verifier(timeout_s=120)
    edit = add_test("test_sleep.py", SLEEPER.format(marker=shared.marker))
    # cancel once the test's child runs (both sleep 600 s: nothing else ends the run)
    token = CancelWhen(lambda: bool(processes_with(f"{shared.marker}-child")), give_up_s=60)
    with pytest.raises(Cancelled):
        v.verify(shared.task(), edit, "m", cancel=token)
    assert not token.gave_up
    assert wait_until(lambda: not processes_with(shared.marker), 5), processes_with(shared.marker)


def test_cancel_while_both_runs_are_going(project: Path, marker: str) -> None:
    # a cold verification runs the baseline and the edited copy side by side; a suite
    # that sleeps keeps both going: cancel once both have started their child
    (project / "tests" / "test_sleep.py").write_text(SLEEPER.format(marker=marker))
    token = CancelWhen(lambda: len(processes_with(f"{marker}-child")) >= 2, give_up_s=60)
    with pytest.raises(Cancelled):
        verifier(timeout_s=120).verify(
            task_for(project, pytest_cmd(project)),
            Edit(files={"calc.py": CALC_FIXED}),
            "m",
            cancel=token,
        )
    assert token.fired_at is not None and not token.gave_up
    assert wait_until(lambda: not processes_with(marker), 5), processes_with(marker)


@pytest.mark.slow
def test_killing_the_verifier_process_leaves_no_test_process(shared: Shared) -> None:
    child = f"{shared.marker}-child"
    edit_file = shared.root.parent / "edit-sleeper.py"
    edit_file.write_text(textwrap.dedent(SLEEPER.format(marker=shared.marker)))
    script = textwrap.dedent(f"""
        import os
        from pathlib import Path
        from acrouter.domain import Edit, Task
        from acrouter.verifier import ProjectVerifier
        edit = Edit(files={{"tests/test_sleep.py": Path({str(edit_file)!r}).read_text()}})
        # a new test file: test generation (a bug fix would first run the user's tests alone)
        task = Task(task_id="t", kind="test_generation", workspace={str(shared.root)!r},
                    test_command={pytest_cmd(shared.root)!r})
        env = dict(os.environ, PYTEST_DISABLE_PLUGIN_AUTOLOAD="1")
        ProjectVerifier(timeout_s=300, cache_dir=Path({str(shared.cache_dir)!r}), env=env).verify(task, edit, "m")
    """)
    proc = subprocess.Popen([sys.executable, "-c", script])
    try:
        assert wait_until(lambda: bool(processes_with(child)), 60), "the test never started"
        # its scratch copies, listed while it lives (no verifier removes a live one's)
        dirs = ("/dev/shm", tempfile.gettempdir())
        made = [p for d in dirs for p in Path(d).glob(f"acrouter-verify-{proc.pid}-*")]
        assert made
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
        assert wait_until(lambda: not processes_with(shared.marker), 5), processes_with(
            shared.marker
        )
        # left behind, and removed by the next verifier process: this one, or one that
        # another test started meanwhile (the same user's: any may remove them first)
        ScratchPool().acquire(shared.root, 1000).destroy()
        assert not any(p.exists() for p in made)
    finally:
        if proc.poll() is None:
            proc.kill()


#: (the flag in a module: a data file the check names belongs to the tests, and an edit
#: of it alone is judged with it as it was, verifier/testdata.py)
UT_CHECK = (
    "import unittest\n\nimport flagmod\n\n\nclass Flag(unittest.TestCase):\n"
    "    def test_flag(self):\n        self.assertEqual(flagmod.FLAG, 'ok')\n"
)


@needs_bwrap
@pytest.mark.parametrize(
    "command",
    [
        "{py} check.py",
        "true&&{py} check.py",  # an operator glued to the interpreter's path
        # found by a fresh-clone CI run: the unittest rewrite made "cd sub &&/tmp/...",
        # so the interpreter was not seen as a path and not mounted (exit 127)
        "cd sub && {py} -m unittest checks_flag",
    ],
)
def test_a_test_interpreter_in_a_masked_folder_is_visible_in_the_sandbox(tmp_path, command):
    """A checkout under /tmp (as CI clones are) runs tests with /tmp/.../.venv/bin/python,
    which the sandbox's private /tmp would otherwise hide (exit 127)."""
    venv_root = Path(tempfile.mkdtemp(prefix="acrouter-venv-", dir="/tmp"))
    try:
        subprocess.run(
            [sys.executable, "-m", "venv", "--without-pip", str(venv_root / "venv")], check=True
        )
        py = venv_root / "venv" / "bin" / "python"
        root = write_tree(
            tmp_path / "ws",
            {
                "check.py": "import sys\nsys.exit(0 if open('flag').read() == 'ok' else 1)\n",
                "flag": "no",
                "sub/checks_flag.py": UT_CHECK,
                "sub/flagmod.py": "FLAG = 'no'\n",
            },
        )
        task = Task(
            task_id="t",
            kind="bug_fixing",
            workspace=str(root),
            test_command=command.format(py=py),
        )
        edit = (
            {"sub/flagmod.py": "FLAG = 'ok'\n"} if command.startswith("cd sub") else {"flag": "ok"}
        )
        verdict = ProjectVerifier(timeout_s=60).verify(task, Edit(files=edit), "m")
        assert verdict.verdict == "pass", verdict.detail
    finally:
        shutil.rmtree(venv_root, ignore_errors=True)


@needs_bwrap
def test_a_top_level_link_into_a_masked_folder_is_followed_in_the_sandbox(tmp_path):
    """A workspace whose ``node_modules`` (here ``vendor``) is a link into another
    checkout under /tmp (found by a fresh-clone CI run: the sample projects link the
    repository's node_modules) saw a dangling link in the sandbox's private /tmp: every
    run failed even without the edit.  The link's target is mounted read-only."""
    elsewhere = Path(tempfile.mkdtemp(prefix="acrouter-linked-", dir="/tmp"))
    try:
        write_tree(elsewhere, {"vendor/lib.py": "WANT = 'ok'\n"})
        root = write_tree(
            tmp_path / "ws",
            {
                "check.py": "import sys\nsys.path.insert(0, 'vendor')\nimport lib\n"
                "sys.exit(0 if open('flag').read() == lib.WANT else 1)\n",
                "flag": "no",
            },
        )
        (root / "vendor").symlink_to(elsewhere / "vendor", target_is_directory=True)
        task = Task(
            task_id="t",
            kind="bug_fixing",
            workspace=str(root),
            test_command=f"{sys.executable} check.py",
        )
        verdict = ProjectVerifier(timeout_s=60).verify(task, Edit(files={"flag": "ok"}), "m")
        assert verdict.verdict == "pass", verdict.detail
        # nothing else of that checkout is shown, and the link's target is read-only
        assert (elsewhere / "vendor" / "lib.py").read_text() == "WANT = 'ok'\n"
    finally:
        shutil.rmtree(elsewhere, ignore_errors=True)
