"""The bound on what one test run writes (``verifier.writebound``): measured as space
allocated, lowered where little is free, enforced while the run runs, and a run stopped
by it never passes -- under an overlay and on a scratch copy (bubblewrap 0.8 style)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from acrouter.domain import Edit
from acrouter.verifier import TestRun
from acrouter.verifier.bwrap import Mount
from acrouter.verifier.limits import Limits, MiB, fmt_bytes
from acrouter.verifier.sandbox import RunSpec, run_command
from acrouter.verifier.verdict import judge
from acrouter.verifier.writebound import WriteWatch, usage
from acrouter.verifier.writebound import _free as real_free

from .helpers import CALC, CALC_FIXED, needs_bwrap, pytest_cmd, task_for, verifier, write_tree

PY = os.path.realpath(sys.executable)
#: small enough for a test, far above what the sample project writes
BOUND = 4 * MiB
SMALL = Limits(write_bytes=BOUND, write_files=500)


# --------------------------------------------------------------------------- measuring


def test_usage_counts_allocated_space_and_every_file_once(tmp_path: Path) -> None:
    with open(tmp_path / "sparse", "wb") as fh:
        fh.truncate(1024 * MiB)  # a 1 GiB length, nothing written
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "data").write_bytes(os.urandom(2 * MiB))
    os.link(tmp_path / "sub" / "data", tmp_path / "again")
    os.symlink("/usr", tmp_path / "link")  # not followed
    used, entries = usage(str(tmp_path))
    assert entries == 5  # sparse, sub, sub/data, again, link
    # the written 2 MiB once (its second link not again), the sparse file next to nothing
    assert 2 * MiB <= used < 2 * MiB + 256 * 1024, used
    assert usage(str(tmp_path), max_entries=2)[1] == 3  # stops counting past the cap


def test_the_bound_is_lowered_where_little_space_is_free(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("acrouter.verifier.writebound._free", lambda path: 12 * MiB)
    watch = WriteWatch(str(tmp_path), Limits(write_bytes=2 << 30))
    assert watch.bound == 3 * MiB and watch.lowered  # a quarter of the 12 MiB free
    (tmp_path / "big").write_bytes(os.urandom(4 * MiB))
    stop = watch.check(0.0, final=True)
    assert stop is not None and stop.low_space
    assert stop.reason.startswith("they wrote more than 3 MiB into the workspace"), stop.reason
    assert "the limit on what one test run may write, 2 GiB, was lowered to a quarter" in (
        stop.reason
    )
    assert "12 MiB free" in stop.reason and "not held against the model" in stop.reason


def test_a_run_is_stopped_when_the_free_space_halves(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    free = [40 * 1024 * MiB]
    monkeypatch.setattr("acrouter.verifier.writebound._free", lambda path: free[0])
    watch = WriteWatch(str(tmp_path), Limits())
    assert watch.bound == Limits().write_bytes and not watch.lowered
    assert watch.check(0.0) is None
    free[0] = 19 * 1024 * MiB  # e.g. a file the tests deleted but keep writing
    stop = watch.check(0.0)
    assert stop is not None and stop.low_space
    assert "fell below half of the 40 GiB free as it started" in stop.reason


def test_what_a_run_hid_in_an_unlistable_folder_counts_as_it_ends(tmp_path: Path) -> None:
    # as a user other than root, a folder of mode 0300 cannot be listed: looks while the
    # run runs do not see into it (the free-space floor is the bound there), the last does
    watch = WriteWatch(str(tmp_path), SMALL)
    hidden = tmp_path / "ws" / "hidden"
    hidden.mkdir(parents=True)
    (hidden / "big").write_bytes(os.urandom(8 * MiB))
    hidden.chmod(0o300)
    stop = watch.check(0.0, final=True)
    assert stop is not None and stop.reason.endswith("; its results are not used"), stop
    assert os.listdir(hidden) == ["big"]  # opened (the run has ended)


def test_free_space_is_read_from_the_filesystem(tmp_path: Path) -> None:
    free = real_free(str(tmp_path))
    assert free is not None and free > 0
    assert real_free(str(tmp_path / "missing")) is None


def test_bytes_are_said_in_a_users_words() -> None:
    assert [fmt_bytes(n) for n in (2 << 30, 3 << 29, 64 * MiB, 1536, 12)] == [
        "2 GiB",
        "1.5 GiB",
        "64 MiB",
        "1.5 KiB",
        "12 bytes",
    ]


def test_a_run_stopped_for_what_it_wrote_never_passes() -> None:
    passed = {"t::a": "passed"}
    before = TestRun(exit_code=0, outcomes=passed, expects_report=True)
    stopped = TestRun(
        exit_code=None,
        expects_report=True,
        killed="they wrote more than 2 GiB into the workspace and their home folder "
        "(the limit on what one test run may write); the run was stopped",
    )
    v = judge(before, stopped)
    assert v.verdict == "fail" and v.counted  # as a run past the process bound
    assert v.detail.startswith("the tests were stopped: they wrote more than 2 GiB"), v.detail
    lowered = judge(before, TestRun(exit_code=None, killed="...", low_space=True))
    assert lowered.verdict == "fail" and not lowered.counted
    assert judge(None, stopped, weak="make test").verdict == "fail"


# --------------------------------------------------------------------------- in the sandbox

WRITER = """
import os, sys, time
block = os.urandom(1024 * 1024)
with open(sys.argv[1], "wb") as fh:
    for _ in range(int(sys.argv[2])):
        fh.write(block)
        fh.flush()
        time.sleep(0.01)
print("wrote it all")
"""


def _writing(tmp_path: Path, code: str, target: str, mib: int) -> RunSpec:
    """A sandboxed run of ``code`` (:data:`WRITER`) writing ``mib`` MiB to the file
    ``target`` of the workspace ``scratch/ws``: its writes bounded below ``scratch``."""
    root = tmp_path / "scratch"
    (root / "ws").mkdir(parents=True)
    return RunSpec(
        (PY, "-c", code, str(root / "ws" / target), str(mib)),
        "/",
        {"PATH": "/usr/bin:/bin"},
        60,
        mounts=(Mount(str(root / "ws"), str(root / "ws"), writable=True),),
        limits=SMALL,
        write_root=str(root),
    )


@needs_bwrap
@pytest.mark.parametrize("mib", [64, 1])
def test_the_sandbox_stops_a_run_past_the_bound(tmp_path: Path, mib: int) -> None:
    out = run_command(_writing(tmp_path, WRITER, "big.bin", mib))
    if mib == 1:  # well below the bound: untouched
        assert out.exit_code == 0 and out.killed is None, out.output
        assert "wrote it all" in out.output
        return
    assert out.exit_code is None and not out.timed_out and not out.low_space
    assert out.killed == (
        "they wrote more than 4 MiB into the workspace and their home folder (the limit on "
        "what one test run may write); the run was stopped"
    )
    assert "wrote it all" not in out.output
    target = tmp_path / "scratch" / "ws" / "big.bin"
    assert target.stat().st_size < 32 * MiB  # stopped long before the end


@needs_bwrap
def test_a_run_that_wrote_past_the_bound_and_exited_between_two_looks_is_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # no look while it runs: only the one as it ends
    monkeypatch.setattr("acrouter.verifier.writebound.MIN_INTERVAL_S", 600.0)
    monkeypatch.setattr("acrouter.verifier.writebound.MAX_INTERVAL_S", 600.0)
    out = run_command(_writing(tmp_path, WRITER.replace("time.sleep(0.01)", "pass"), "b", 8))
    assert "wrote it all" in out.output  # it ran to its end
    assert out.exit_code is None and out.killed is not None
    assert out.killed.startswith("they wrote more than 4 MiB into the workspace"), out.killed
    assert out.killed.endswith("; its results are not used"), out.killed


# --------------------------------------------------------------------------- verify

#: the edit fixes ``add`` and makes ``mul`` write ``{mib}`` MiB into the workspace
WRITES = CALC_FIXED.replace(
    "def mul(a, b):\n",
    "def mul(a, b):\n"
    "    import os, time\n"
    "    with open(os.path.join(os.path.dirname(__file__), 'out.bin'), 'wb') as fh:\n"
    "        for _ in range({mib}):\n"
    "            fh.write(os.urandom(1 << 20))\n"
    "            fh.flush()\n"
    "            time.sleep({pause})\n",
)
#: the edit fixes ``add`` and makes ``mul`` create ``{n}`` empty files
MANY_FILES = CALC_FIXED.replace(
    "def mul(a, b):\n",
    "def mul(a, b):\n"
    "    import os\n"
    "    os.makedirs('many', exist_ok=True)\n"
    "    for i in range({n}):\n"
    "        open(f'many/{{i}}', 'w').close()\n",
)
TESTS = "from calc import add, mul\n\n\ndef test_add():\n    assert add(2, 3) == 5\n\n\n" + (
    "def test_mul():\n    assert mul(2, 3) == 6\n"
)


def _project(tmp_path: Path) -> Path:
    return write_tree(
        tmp_path / "proj",
        {"calc.py": CALC, "tests/test_calc.py": TESTS, "pytest.ini": "[pytest]\npythonpath = .\n"},
    )


@needs_bwrap
@pytest.mark.parametrize("overlay", [True, False], ids=["overlay", "scratch-copy"])
@pytest.mark.parametrize(
    "mib,pause",
    [(200, 0.005), (16, 0)],
    ids=["stopped-while-writing", "written-then-exited"],
)
def test_an_edit_whose_tests_write_past_the_bound_fails(
    tmp_path: Path, overlay: bool, mib: int, pause: float
) -> None:
    root = _project(tmp_path)
    ver = verifier(limits=SMALL, overlay=overlay, parallel_baseline=False)
    task = task_for(root, pytest_cmd(root))
    edit = Edit(files={"calc.py": WRITES.format(mib=mib, pause=pause)})
    v = ver.verify(task, edit, "m")
    assert v.verdict == "fail" and v.counted, v.detail
    assert v.detail.startswith(
        "the tests were stopped: they wrote more than 4 MiB into the workspace"
    ), v.detail
    assert not (root / "out.bin").exists()  # the user's folder is untouched
    if mib == 200:
        assert "the run was stopped" in v.detail, v.detail


@needs_bwrap
@pytest.mark.parametrize("overlay", [True, False], ids=["overlay", "scratch-copy"])
def test_an_honest_run_writing_less_is_unaffected(tmp_path: Path, overlay: bool) -> None:
    root = _project(tmp_path)
    ver = verifier(limits=SMALL, overlay=overlay, parallel_baseline=False)
    task = task_for(root, pytest_cmd(root))
    edit = Edit(files={"calc.py": WRITES.format(mib=2, pause=0)})  # half the bound
    v = ver.verify(task, edit, "m")
    assert v.verdict == "pass" and v.detail.startswith("2 passed, 0 failed"), v.detail


@needs_bwrap
def test_an_edit_whose_tests_make_too_many_files_fails(tmp_path: Path) -> None:
    root = _project(tmp_path)
    ver = verifier(limits=SMALL, parallel_baseline=False)
    task = task_for(root, pytest_cmd(root))
    v = ver.verify(task, Edit(files={"calc.py": MANY_FILES.format(n=3000)}), "m")
    assert v.verdict == "fail", v.detail
    assert "they made more than 500 files and folders in the workspace" in v.detail, v.detail
