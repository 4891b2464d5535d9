"""What a run wrote (``verifier.written``): read from a real overlay's upper folder and
from a scratch copy, and which writes count."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from acrouter.verifier.bwrap import Mount, bwrap_argv, overlay_works
from acrouter.verifier.bwrap_exe import find_bwrap
from acrouter.verifier.scratch import Scratch, scan_workspace
from acrouter.verifier.written import (
    CHANGED,
    CREATED,
    DELETED,
    LINKED,
    REPLACED,
    copy_writes,
    describe,
    edits_rewritten,
    matters,
    overlay_writes,
    upper_dirs,
)

from .helpers import needs_bwrap, write_tree

#: what the run does to the workspace: every kind of write
SCRIPT = """
set -e
echo 'def test_mul(): pass' > tests/test_mul.py
echo x > tests/test_zz.py
rm tests/test_gone.py
rm -rf tests/sub && mkdir tests/sub && echo 'x = 1' > tests/sub/helper.py
ln -s ../calc.py tests/conftest.py
ln -s /tmp plug
mkdir -p tests/__pycache__ && echo forged > tests/__pycache__/test_mul.cpython-311.pyc
echo log > run.log
echo 5 > data/expected.txt
mkdir -p .pytest_cache && echo '{}' > .pytest_cache/lastfailed
echo cache > .cache.json
"""
FILES = {
    "calc.py": "def mul(a, b):\n    return a * b\n",
    "tests/test_mul.py": "from calc import mul\n\n\ndef test_mul():\n    assert mul(2, 3) == 6\n",
    "tests/test_gone.py": "def test_gone():\n    assert True\n",
    "tests/sub/test_deep.py": "def test_deep():\n    assert True\n",
    "data/expected.txt": "6\n",
}
EXPECTED = {
    "tests/test_mul.py": CHANGED,
    "tests/test_zz.py": CREATED,
    "tests/test_gone.py": DELETED,
    "tests/sub": REPLACED,
    "tests/sub/helper.py": CREATED,
    "tests/conftest.py": LINKED,
    "plug": LINKED,
    "tests/__pycache__/test_mul.cpython-311.pyc": CREATED,
    "data/expected.txt": CHANGED,
}


def _overlay_bwrap(root: Path, parent: Path) -> str | None:
    path = find_bwrap("bwrap").path
    return path if path and overlay_works(path, str(root), str(parent)) else None


@needs_bwrap
def test_the_upper_folder_shows_every_write_that_matters(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "ws", FILES)
    base = tmp_path / "run"
    base.mkdir()
    bwrap = _overlay_bwrap(root, base)
    if bwrap is None:
        pytest.skip(
            "no overlay here: bubblewrap is older than 0.9, or the kernel will not overlay "
            "this folder (the scratch-copy tests below cover that case)"
        )
    upper = upper_dirs(base)
    (upper[0] / "tests").mkdir(parents=True)  # an earlier run's write: gone when it starts
    (upper[0] / "tests" / "test_left.py").write_text("def test_left(): pass\n")
    mount = Mount(str(root), str(root), overlay=True, upper=str(upper[0]), work=str(upper[1]))
    argv = bwrap_argv(bwrap, cwd=str(root), mounts=[mount], hide=(), tmp_bytes=1 << 26, info_fd=1)
    res = subprocess.run([*argv, "/bin/sh", "-c", SCRIPT], capture_output=True, check=False)
    assert res.returncode == 0, res.stderr
    assert overlay_writes(upper[0], root) == EXPECTED
    # the workspace itself holds what it held
    assert (root / "tests/test_gone.py").exists() and not (root / "run.log").exists()
    assert (root / "tests/test_mul.py").read_text() == FILES["tests/test_mul.py"]


def test_a_scratch_copy_shows_the_same(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "ws", FILES)
    scratch = Scratch(tmp_path / "scratch", root)
    scratch.sync(scan_workspace(root))
    scratch.settle()
    subprocess.run(["/bin/sh", "-c", SCRIPT], cwd=scratch.ws, check=True)
    files, dirs = scratch.recorded()
    wrote = copy_writes(scratch.ws, files, dirs)
    # the copy names the files of the folder replaced; the folder itself only when its
    # inode number was not given to the new one
    expected = {**EXPECTED, "tests/sub/test_deep.py": DELETED}
    assert wrote == expected or wrote == {k: v for k, v in expected.items() if k != "tests/sub"}


def test_the_edits_own_files_rewritten(tmp_path: Path) -> None:
    a, b = tmp_path / "a.py", tmp_path / "b.py"
    a.write_text("x = 1\n")
    b.write_text("y = 2\n")
    edits = [(str(a), "pkg/a.py"), (str(b), "pkg/b.py")]
    assert edits_rewritten(edits, ["x = 1\n", "y = 2\n"]) == {}
    b.write_text("y = 3\n")
    assert edits_rewritten(edits, ["x = 1\n", "y = 2\n"]) == {"pkg/b.py": CHANGED}


@pytest.mark.parametrize(
    ("rel", "kind", "counts"),
    [
        ("tests/test_mul.py", CHANGED, True),
        ("tests/zz/conftest.py", CREATED, True),
        ("pkg/helpers.py", CREATED, True),  # code, wherever it is
        ("tests/__pycache__/test_mul.cpython-311-pytest-9.2.0.pyc", CREATED, True),
        (".venv/lib/python3.11/site-packages/_pytest/runner.py", CHANGED, True),
        (".venv/lib/python3.11/site-packages/evil.pth", CREATED, True),
        ("tests/output.txt", CREATED, True),  # in a test folder: the tests' files
        ("data/expected.json", CHANGED, True),  # there before the run
        ("data/expected.json", DELETED, True),
        ("run.log", CREATED, False),  # new, not code, not the tests'
        ("plug", LINKED, True),  # a folder of tests, or a conftest, may lie behind it
        (".pytest_cache/v/cache/lastfailed", CHANGED, False),  # a cache of results
        (".hypothesis/examples/ab/cd", DELETED, False),
        ("node_modules/.cache/babel/x.js", CREATED, False),
        # ctest's record of the run, written as its tests end (the failed ones' only
        # when one failed); anything else in its Testing folder stays the tests'
        ("build/Testing/Temporary/LastTestsFailed.log", CREATED, False),
        ("build/Testing/Temporary/LastTest.log", CHANGED, False),
        ("build/Testing/Temporary/LastTest_20261203-1700.log", CREATED, False),
        ("build/Testing/Temporary/CTestCostData.txt", CHANGED, False),
        ("build/Testing/Temporary/LastTestsDisabled.log", CREATED, False),
        ("build/Testing/Temporary/conftest.py", CREATED, True),
        ("build/Testing/Temporary/expected.txt", CREATED, True),
        ("Testing/expected.log", CREATED, True),
    ],
)
def test_which_writes_count(rel: str, kind: str, counts: bool) -> None:
    assert matters(rel, kind) is counts


def test_the_tests_files_are_named_first() -> None:
    text = describe(
        {"a/b.py": CREATED, "tests/test_mul.py": CHANGED, "z.pyc": CREATED, "c.py": DELETED}
    )
    assert text.startswith("rewrote tests/test_mul.py, wrote z.pyc, wrote a/b.py and 1 more")


def test_an_unreadable_folder_left_by_overlayfs_is_removed(tmp_path: Path) -> None:
    """overlayfs leaves ``work/work`` with mode 000 in its work folder: as an ordinary
    user, a folder that cannot be listed must still be removed (root reads it anyway)."""
    from acrouter.verifier.workspace import remove_tree

    work = tmp_path / "overlay-work"
    (work / "work" / "deeper").mkdir(parents=True)
    (work / "work" / "deeper" / "f").write_text("x")
    (work / "work" / "deeper").chmod(0)
    (work / "work").chmod(0)
    remove_tree(work)
    assert not work.exists()


def test_a_folder_another_cleanup_removed_first_is_left(tmp_path: Path) -> None:
    """Two cleanups of one leftover scratch folder race: rmtree could not open a folder
    the other had just removed, and its error handler called ``os.open`` again without
    its flags (TypeError: open() missing required argument 'flags'), which stopped the
    cleanup and failed the verification (seen once in test_go_out_of_sight)."""
    import os

    from acrouter.verifier.workspace import _unblock

    gone = tmp_path / "scratch" / "gone"
    gone.parent.mkdir()
    _unblock(os.open, str(gone), None)  # raised TypeError
    _unblock(os.scandir, str(gone), None)
    assert gone.parent.exists() and not gone.exists()
