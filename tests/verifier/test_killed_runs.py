"""A test run that dies of a signal without its report (SIGKILL from outside: the OOM
killer, a user's ``kill``, a sandbox torn down) is made once more before it is judged:
one death says nothing about the edit, and a verdict on it would be held against the
model (or, without the edit, leave every later comparison without per-test results).
Only a second death counts, as the edit's (an edit that kills its own process).

The kill comes from outside, as in real life: a thread of this test finds the sandboxed
pytest process by the project's path on its command line and SIGKILLs it."""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path

from acrouter.domain import Edit
from acrouter.verifier import TestRun
from acrouter.verifier.compare import once_more_if_signalled

from .helpers import (
    CALC,
    CALC_FIXED,
    processes_with,
    pytest_cmd,
    task_for,
    verifier,
    wait_until,
    write_tree,
)

SLOW_TESTS = """\
import time

from calc import add, mul


def test_add():
    assert add(2, 3) == 5


def test_mul():
    time.sleep(1.5)  # long enough to be killed from outside
    assert mul(2, 3) == 6
"""


def project(tmp_path: Path) -> Path:
    return write_tree(tmp_path / "proj", {"calc.py": CALC, "tests/test_calc.py": SLOW_TESTS})


class KillOnce:
    """SIGKILLs the first test run of ``root`` it sees (every process naming its tests)."""

    def __init__(self, root: Path) -> None:
        self.marker = str(root / "tests")
        self.killed: list[int] = []
        self.thread = threading.Thread(target=self._kill, daemon=True)

    def __enter__(self) -> KillOnce:  # noqa: PYI034 - typing.Self needs Python 3.11
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.thread.join(timeout=30)

    def _kill(self) -> None:
        if not wait_until(lambda: bool(processes_with(self.marker)), 30):
            return
        wait_until(lambda: False, 0.5)  # let pytest start its tests
        for pid in processes_with(self.marker):
            try:
                os.kill(pid, signal.SIGKILL)
                self.killed.append(pid)
            except ProcessLookupError:
                pass


def test_a_run_with_the_edit_killed_from_outside_is_made_again(tmp_path: Path) -> None:
    root = project(tmp_path)
    ver = verifier(parallel_baseline=False)
    task = task_for(root, pytest_cmd(root))
    baseline = ver.prepare(task)  # the run without the edit, cached: not killed
    assert (baseline.tests_passed, baseline.tests_failed) == (1, 1)

    with KillOnce(root) as killer:
        v = ver.verify(task, Edit(files={"calc.py": CALC_FIXED}), "m")

    assert killer.killed, "the run with the edit was not killed"
    assert v.verdict == "pass" and v.counted, v.detail
    assert v.detail.startswith("2 passed, 0 failed (before: 1 passed, 1 failed)"), v.detail


def test_a_run_without_the_edit_killed_from_outside_is_made_again(tmp_path: Path) -> None:
    root = project(tmp_path)
    ver = verifier(parallel_baseline=False)
    task = task_for(root, pytest_cmd(root))

    with KillOnce(root) as killer:
        baseline = ver.prepare(task)

    assert killer.killed, "the run without the edit was not killed"
    # per-test results to compare with, not "exit code 137 without the edit"
    assert (baseline.tests_passed, baseline.tests_failed) == (1, 1), baseline.detail
    v = ver.verify(task, Edit(files={"calc.py": CALC_FIXED}), "m")
    assert v.verdict == "pass" and "(before: 1 passed, 1 failed)" in v.detail, v.detail


def test_an_edit_that_kills_its_own_tests_every_time_is_held_against_the_model(
    tmp_path: Path,
) -> None:
    root = project(tmp_path)
    ver = verifier(parallel_baseline=False)
    task = task_for(root, pytest_cmd(root))
    ver.prepare(task)
    suicide = CALC_FIXED.replace(
        "def mul(a, b):\n",
        "def mul(a, b):\n    import os, signal\n    os.kill(os.getpid(), signal.SIGKILL)\n",
    )
    assert suicide != CALC_FIXED

    v = ver.verify(task, Edit(files={"calc.py": suicide}), "m")

    assert v.verdict == "fail" and v.counted, v.detail
    assert "exit code 137" in v.detail, v.detail


def test_only_a_death_by_signal_without_a_report_is_made_again() -> None:
    runs = iter(
        [
            TestRun(exit_code=137, expects_report=True),
            TestRun(exit_code=0, outcomes={"t": "passed"}, expects_report=True),
        ]
    )
    calls: list[bool] = []

    def run(edited: bool, cancel: object) -> TestRun:
        calls.append(edited)
        return next(runs)

    assert once_more_if_signalled(run)(True, None).exit_code == 0 and calls == [True, True]
    # not made again: a finished run, a timeout, the watcher's stop, the sandbox's own
    # CPU-time and file-size limits (signals 24 and 25)
    for done in (
        TestRun(exit_code=1, outcomes={"t": "failed"}, expects_report=True),
        TestRun(exit_code=137, expects_report=True, timed_out=True),
        TestRun(exit_code=137, expects_report=True, killed="too many processes"),
        TestRun(exit_code=128 + signal.SIGXCPU, expects_report=True),
        TestRun(exit_code=128 + signal.SIGXFSZ, expects_report=True),
    ):
        seen: list[TestRun] = []

        def once(
            edited: bool, cancel: object, done: TestRun = done, seen: list[TestRun] = seen
        ) -> TestRun:
            seen.append(done)
            return done

        assert once_more_if_signalled(once)(True, None) is done and len(seen) == 1
