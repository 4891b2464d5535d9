"""An edit of a file no tracer measures (Markdown, JSON, a Ruby source): whether the
run opened it (``verifier.lines_opened``).  Before, an edit of a README no test reads
passed, counted and with nothing said, as if the tests had checked it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from acrouter.domain import Edit
from acrouter.verifier.lines_idle import IDLE_PASS, IDLE_UNOPENED
from acrouter.verifier.lines_opened import OpenWatch, blind_sentence, git_env, unmeasured_language
from acrouter.verifier.lines_run import asked

from .helpers import (
    CALC_FIXED,
    MODES,
    TEST_PY,
    committed,
    pytest_cmd,
    task_for,
    verifier,
    write_tree,
)

README = "# calc\n\nadd adds.\n"
LIMITS = '{"max": 10}\n'
# a test that reads the limits file, one that calls add; neither reads the README
TEST_LIMITS = (
    "import json\nimport pathlib\n\n\ndef test_limits():\n"
    "    data = json.loads(pathlib.Path(__file__).parent.parent.joinpath('limits.json')"
    ".read_text())\n    assert data['max'] >= 1\n"
)


def _project(root: Path) -> Path:
    return write_tree(
        root,
        {
            "calc.py": CALC_FIXED,
            "README.md": README,
            "limits.json": LIMITS,
            "tests/test_calc.py": TEST_PY,
            "tests/test_limits.py": TEST_LIMITS,
            "pytest.ini": "[pytest]\npythonpath = .\n",
        },
    )


def _verify(root: Path, files: dict[str, str], mode: dict[str, object]):
    task = task_for(root, pytest_cmd(root), kind="refactoring")
    return verifier(**mode).verify(task, Edit(files=files), "m")


@pytest.mark.parametrize("mode", MODES)
def test_a_file_no_process_opened_is_named_and_its_pass_not_counted(
    tmp_path: Path, mode: dict[str, object]
) -> None:
    root = _project(tmp_path / "proj")
    v = _verify(root, {"README.md": README.replace("adds", "multiplies")}, mode)
    assert v.verdict == "pass" and not v.counted, v.detail
    assert v.unrun == "no process of the tests' run opened README.md, which the edit changes"
    assert f"{IDLE_UNOPENED}; {v.unrun}" in v.detail


@pytest.mark.parametrize("mode", MODES)
def test_a_file_a_test_opened_is_counted_with_nothing_said(
    tmp_path: Path, mode: dict[str, object]
) -> None:
    root = _project(tmp_path / "proj")
    v = _verify(root, {"limits.json": LIMITS.replace("10", "12")}, mode)
    assert v.verdict == "pass" and v.counted, v.detail
    assert not v.unrun and "opened" not in v.detail


def test_code_the_tests_ran_with_a_file_they_did_not_open_is_counted_and_names_it(
    tmp_path: Path,
) -> None:
    root = _project(tmp_path / "proj")
    files = {"calc.py": CALC_FIXED.replace("a + b", "b + a"), "README.md": "# calc\n"}
    v = _verify(root, files, {"sandbox": "none", "parallel_baseline": False})
    assert v.verdict == "pass" and v.counted, v.detail
    assert v.unrun.endswith(
        "; no process of the tests' run opened README.md, which the edit changes"
    )
    assert IDLE_PASS not in v.detail and IDLE_UNOPENED not in v.detail


LIB_SH = "add() { echo $(($1 + $2)); }\nsub() { echo $(($1 - $2)); }\n"
TEST_SH = '. ./lib.sh\n[ "$(add 2 3)" = 5 ] || { echo "FAIL add"; exit 1; }\necho ok\n'


@pytest.mark.parametrize("mode", MODES)
def test_a_pass_in_code_no_tracer_measures_says_its_lines_are_not_known(
    tmp_path: Path, mode: dict[str, object]
) -> None:
    """A shell library whose ``sub`` no test calls, broken: the tests pass, and the run
    opened lib.sh (the test sources it), which is all that is known of it.  The pass used
    to say nothing, as if the tests had checked ``sub``; now it says which lines ran is
    not known, so the editor asks the user to read them.  It is still learned: nothing
    shows the tests missed the edit."""
    root = write_tree(tmp_path / "proj", {"lib.sh": LIB_SH, "test.sh": TEST_SH})
    task = task_for(root, "sh test.sh", kind="refactoring")
    broken = LIB_SH.replace("$1 - $2", "$1 + $2")
    v = verifier(**mode).verify(task, Edit(files={"lib.sh": broken}), "m")
    assert v.verdict == "pass" and v.counted, v.detail
    assert v.unrun == (
        "which lines of lib.sh the tests ran is not known: shell is not measured line by "
        "line; the run only opened the file"
    ), v.unrun
    assert v.detail.endswith(v.unrun)


def test_the_sentence_on_code_no_tracer_measures() -> None:
    assert unmeasured_language("src/Calc.java") == "Java"
    assert unmeasured_language("calc.C") == "C"
    assert unmeasured_language("README.md") is None and unmeasured_language("Makefile") is None
    assert unmeasured_language("src/lib.rs") == "Rust" and unmeasured_language("calc.go") == "Go"
    # the tests' own files: an edit that adds a test is judged by the tests' rules
    assert unmeasured_language("calc_test.go") is None
    assert unmeasured_language("tests/test_calc.c") is None
    assert unmeasured_language("src/test/java/CalcTest.java") is None
    # opened data files, and code files no process opened, are not this sentence's
    assert blind_sentence({"limits.json": True, "calc.c": False}, 4) == ""
    said = blind_sentence({"a.c": True, "b.cpp": True, "lib/x.rb": True, "d.json": True}, 4)
    assert said == (
        "which lines of a.c, b.cpp, lib/x.rb the tests ran is not known: no ruby of the run "
        "reported which of its lines ran; C and C++ are not measured line by line; the run "
        "only opened them"
    ), said
    many = {f"f{i}.c": True for i in range(6)}
    assert "which lines of f0.c, f1.c, f2.c, f3.c ... the tests" in blind_sentence(many, 4)


def test_only_files_no_tracer_measures_are_watched() -> None:
    texts = {
        "calc.py": "x = 1\n",
        "a.js": "x\n",
        "b.ts": "x\n",
        "main.go": "package main\n",
        "lib.rs": "fn f() {}\n",
        "README.md": "new\n",
        "data.json": "{}\n",
        "lib/a.rb": "puts 1\n",
        "same.txt": "same\n",
    }
    olds = {k: "" for k in texts} | {"same.txt": "same\n"}
    assert asked(texts, olds).opened == ("README.md", "data.json", "lib.rs", "lib/a.rb", "main.go")


def test_the_watch_tells_an_open_from_a_stat(tmp_path: Path) -> None:
    read, looked, gone = tmp_path / "read.md", tmp_path / "looked.md", tmp_path / "gone.md"
    read.write_text("a\n")
    looked.write_text("b\n")
    watch = OpenWatch({str(read): "read.md", str(looked): "looked.md", str(gone): "gone.md"})
    code = f"import os; open({str(read)!r}).read(); os.stat({str(looked)!r})"
    watch.during(lambda: subprocess.run([sys.executable, "-c", code], check=True))
    # a file that is not there (one the edit deletes) is not watched: nothing is said of it
    assert watch.opened() == {"looked.md": False, "read.md": True}
    # a second run adds to what the first saw
    watch.during(lambda: subprocess.run(["cat", str(looked)], check=True, capture_output=True))
    assert watch.opened() == {"looked.md": True, "read.md": True}


# A test that runs git (as setuptools-scm, hatch-vcs, versioneer and pytest-benchmark
# do: ``git describe --dirty``, ``git status``), and one that also reads the README
TEST_GIT = (
    "import subprocess\n\n\ndef test_git():\n"
    "    subprocess.run(['git', 'status', '--porcelain'], capture_output=True)\n"
)
TEST_GIT_README = TEST_GIT + (
    "\n\ndef test_readme():\n"
    "    import pathlib\n\n"
    "    assert 'calc' in pathlib.Path(__file__).parent.parent.joinpath('README.md').read_text()\n"
)


@pytest.mark.parametrize("mode", MODES)
def test_a_file_only_git_opened_is_not_taken_for_one_a_test_read(
    tmp_path: Path, mode: dict[str, object]
) -> None:
    """git compares each file whose inode or times differ from its index's with the
    commit, reading it: an edited file's always do (the run's copy is a new file), and
    when its size is the same git must read it.  Before, that open counted as a test's:
    a README edit of the same size under a ``git status`` run was a counted pass, with
    nothing said."""
    root = _project(tmp_path / "proj")
    (root / "tests" / "test_git.py").write_text(TEST_GIT)
    committed(root)
    same_size = README.replace("adds", "sums")
    v = _verify(root, {"README.md": same_size}, mode)
    assert v.verdict == "pass" and not v.counted, v.detail
    assert v.unrun.startswith("no process of the tests' run opened README.md, which the edit")
    assert f"{IDLE_UNOPENED}; {v.unrun}" in v.detail
    # under the overlay the run sees the workspace's git (a scratch copy has no .git)
    if mode.get("overlay", True) and mode.get("sandbox") != "none":
        assert v.unrun.endswith("(only git did, to compare it with the commit)"), v.unrun
    # a test that reads it too: opened, counted
    (root / "tests" / "test_git.py").write_text(TEST_GIT_README)
    committed(root)
    v = _verify(root, {"README.md": same_size}, mode)
    assert v.verdict == "pass" and v.counted, v.detail
    assert not v.unrun, v.unrun


def test_the_watch_leaves_out_the_opens_of_a_marked_git(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    readme = repo / "README.md"
    readme.write_text("one\n")
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(tmp_path)}
    git = ["git", "-c", "user.email=a@b", "-c", "user.name=a"]
    subprocess.run([*git, "init", "-q"], cwd=repo, check=True, env=env)
    subprocess.run([*git, "add", "."], cwd=repo, check=True, env=env)
    subprocess.run([*git, "commit", "-qm", "one"], cwd=repo, check=True, env=env)
    readme.unlink()
    readme.write_text("two\n")  # a new file of the same size: git must read it
    out = tmp_path / "out"
    out.mkdir()
    marked = git_env(str(out), env)
    assert marked["PATH"].startswith(f"{out}/git-bin:")
    watch = OpenWatch({str(readme): "README.md"}, marks=str(out / "git-marks"))
    run_env = {**env, **marked}
    status = watch.during(
        lambda: subprocess.run(
            ["git", "status", "--porcelain"],
            check=False,
            cwd=repo,
            env=run_env,
            capture_output=True,
            text=True,
        )
    )
    assert status.returncode == 0 and status.stdout == " M README.md\n", status
    assert watch.opened() == {"README.md": False}
    assert watch.by_git() == {"README.md"}
    # the wrapper keeps git's exit status and output
    bad = subprocess.run(
        ["git", "no-such-command"], check=False, env=run_env, capture_output=True, text=True
    )
    assert bad.returncode == 1 and "is not a git command" in bad.stderr
    # an open by another process, after git ended, is a test's
    watch.during(lambda: subprocess.run(["cat", str(readme)], check=True, capture_output=True))
    assert watch.opened() == {"README.md": True} and watch.by_git() == frozenset()
    # without git on the PATH nothing is added
    assert git_env(str(out), {"PATH": str(tmp_path)}) == {}
