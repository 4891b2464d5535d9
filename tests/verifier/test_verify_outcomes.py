"""End-to-end ``ProjectVerifier.verify``: the verdicts, edits, the baseline cache.

The sample projects' tests run in the sandbox with this repository's interpreter.
"""

from __future__ import annotations

import re
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from acrouter.domain import Document, Edit, Task
from acrouter.verifier import BWRAP_MISSING, BaselineCache, ProjectVerifier

from .helpers import (
    CALC,
    CALC_FIXED,
    CONFIRMED,
    PYTEST,
    TEST_CALC,
    Shared,
    needs_bwrap,
    pytest_cmd,
    snapshot,
    task_for,
    verifier,
    write_tree,
)

pytestmark = needs_bwrap


# --------------------------------------------------------------------------- the comparison


def test_correct_fix_passes(shared: Shared) -> None:
    before = snapshot(shared.root)
    v = shared.verifier().verify(shared.task(), Edit(files={"calc.py": CALC_FIXED}), "m")
    assert v.verdict == "pass", v.detail
    assert (v.tests_passed_before, v.tests_failed_before, v.tests_passed, v.tests_failed) == (
        1,
        1,
        2,
        0,
    )
    assert v.score == 1.0 and v.duration_ms > 0
    assert v.detail == "2 passed, 0 failed (before: 1 passed, 1 failed)" + CONFIRMED
    assert snapshot(shared.root) == before  # the real workspace is never written


def test_wrong_fix_fails(shared: Shared) -> None:
    wrong = CALC.replace("a - b", "a * b")
    v = shared.verifier().verify(shared.task(), Edit(files={"calc.py": wrong}), "m")
    assert v.verdict == "fail" and v.tests_failed == 1
    assert "test_add" in v.detail


def test_fix_that_breaks_a_passing_test_fails(shared: Shared) -> None:
    breaks = CALC_FIXED.replace("a * b", "a + b")
    v = shared.verifier().verify(shared.task(), Edit(files={"calc.py": breaks}), "m")
    assert v.verdict == "fail"
    assert v.detail.startswith("broke 1 previously passing test: tests/test_calc.py::test_mul")


def test_a_diff_edit_passes(shared: Shared) -> None:
    diff = "--- a/calc.py\n+++ b/calc.py\n@@ -1,2 +1,2 @@\n def add(a, b):\n-    return a - b\n+    return a + b\n"
    v = shared.verifier().verify(shared.task(), Edit(files={}, diff=diff), "m")
    assert v.verdict == "pass", v.detail


def test_malformed_diff_is_an_error(shared: Shared) -> None:
    diff = "--- a/calc.py\n+++ b/calc.py\n@@ -1,2 +1,2 @@\n def nope(a, b):\n-    return 0\n+    return 1\n"
    v = shared.verifier().verify(shared.task(), Edit(files={}, diff=diff), "m")
    assert v.verdict == "error" and "does not apply" in v.detail


def test_syntax_error_fails_fast_with_the_line(shared: Shared) -> None:
    verifier = shared.verifier(refresh_cache=True)  # a test run would run the baseline too
    v = verifier.verify(
        shared.task(), Edit(files={"calc.py": "def add(a, b):\n    return a +\n"}), "m"
    )
    assert v.verdict == "fail"
    assert v.detail.startswith("syntax error in calc.py line 2")
    # fast: decided before any test ran, with or without the edit
    assert verifier.baseline_runs == 0 and v.tests_passed is None and v.tests_failed is None


def test_a_file_with_a_byte_order_mark_is_no_syntax_error(tmp_path: Path) -> None:
    # compile() refuses U+FEFF in a str (Python drops it from a file's bytes): every edit
    # of a file saved with one failed, counted ('syntax error in calc.py line 1: invalid
    # non-printable character U+FEFF')
    root = write_tree(tmp_path / "proj", {"tests/test_calc.py": TEST_CALC})
    (root / "calc.py").write_text("\ufeff" + CALC, encoding="utf-8")
    task = task_for(root, pytest_cmd(root))
    v = verifier().verify(task, Edit(files={"calc.py": "\ufeff" + CALC_FIXED}), "m")
    assert v.verdict == "pass", v.detail
    v = verifier().verify(
        task, Edit(files={"calc.py": "\ufeffdef add(a, b):\n    return a +\n"}), "m"
    )
    assert v.verdict == "fail" and v.detail.startswith("syntax error in calc.py line 2"), v.detail


def test_deleted_test_is_not_a_pass(shared: Shared) -> None:
    only_mul = "from calc import mul\n\n\ndef test_mul():\n    assert mul(2, 3) == 6\n"
    own = shared.task(kind="test_generation")  # judged on the edit's own tests
    v = shared.verifier().verify(own, Edit(files={"tests/test_calc.py": only_mul}), "m")
    assert v.verdict == "fail" and "no longer ran: tests/test_calc.py::test_add" in v.detail


def test_newly_skipped_test_is_not_a_pass(shared: Shared) -> None:
    skipped = "import pytest\n" + TEST_CALC.replace(
        "def test_add", "@pytest.mark.skip\ndef test_add"
    )
    own = shared.task(kind="test_generation")  # judged on the edit's own tests
    v = shared.verifier().verify(own, Edit(files={"tests/test_calc.py": skipped}), "m")
    assert v.verdict == "fail" and "became skipped" in v.detail


def test_conftest_calling_sys_exit_0_is_not_a_pass(shared: Shared) -> None:
    edit = Edit(files={"calc.py": CALC_FIXED, "conftest.py": "import sys\nsys.exit(0)\n"})
    v = shared.verifier().verify(shared.task(), edit, "m")
    assert v.verdict == "fail", v.detail
    assert "no test report" in v.detail


def test_exiting_0_from_inside_the_run_is_not_a_pass(shared: Shared) -> None:
    edit = Edit(
        files={
            "calc.py": CALC,
            "conftest.py": "import os\n\ndef pytest_runtest_teardown(item):\n    os._exit(0)\n",
        }
    )
    v = shared.verifier().verify(shared.task(), edit, "m")
    assert v.verdict == "fail", v.detail


def test_exit_code_only_runner(shared: Shared) -> None:
    # a configured command that is not pytest is judged by its exit code alone
    script = f'{sys.executable} -c "import calc, sys; sys.exit(0 if calc.add(2, 3) == 5 else 1)"'
    v = shared.verifier().verify(
        task_for(shared.root, script), Edit(files={"calc.py": CALC_FIXED}), "m"
    )
    assert v.verdict == "pass" and v.tests_passed is None
    v = shared.verifier().verify(
        task_for(shared.root, script), Edit(files={"calc.py": CALC + "\n"}), "m"
    )
    assert v.verdict == "fail" and "exited with code 1" in v.detail


def test_unprotected_mode_still_verifies(shared: Shared) -> None:
    v = shared.verifier(sandbox="none").verify(
        shared.task(), Edit(files={"calc.py": CALC_FIXED}), "m"
    )
    assert v.verdict == "pass", v.detail


# --------------------------------------------------------------------------- the baseline cache


def test_baseline_is_cached_per_workspace_state(project: Path, tmp_path: Path) -> None:
    # side channel: sandbox "none" lets the suite append to a file outside the workspace
    counter = tmp_path / "sessions.log"
    (project / "conftest.py").write_text(
        f"def pytest_sessionstart(session):\n    open({str(counter)!r}, 'a').write('run\\n')\n"
    )
    v1 = verifier(sandbox="none", cache_dir=tmp_path / "cache")
    task = task_for(project, pytest_cmd(project))
    assert v1.verify(task, Edit(files={"calc.py": CALC_FIXED}), "m").verdict == "pass"
    # baseline + edited, and both again to confirm the fixed test
    assert counter.read_text().count("run") == 4
    wrong = CALC.replace("a - b", "a * b")
    assert v1.verify(task, Edit(files={"calc.py": wrong}), "m").verdict == "fail"
    assert counter.read_text().count("run") == 5  # edited only: the baseline came from the cache
    assert v1.baseline_runs == 2
    # a new verifier (a new request in the editor) reuses the on-disk cache
    v2 = verifier(sandbox="none", cache_dir=tmp_path / "cache")
    v = v2.verify(task, Edit(files={"calc.py": CALC_FIXED}), "m")
    assert v.verdict == "pass" and v.tests_failed_before == 1
    assert counter.read_text().count("run") == 7 and v2.baseline_runs == 0  # edited, twice
    # changing the workspace invalidates it
    (project / "calc.py").write_text(CALC + "\n# touched\n")
    v1.verify(task, Edit(files={"calc.py": CALC_FIXED}), "m")
    assert counter.read_text().count("run") == 11 and v1.baseline_runs == 4


def test_baseline_cache_in_the_sandbox(project: Path) -> None:
    v = verifier()
    task = task_for(project, pytest_cmd(project))
    v.verify(task, Edit(files={"calc.py": CALC_FIXED}), "m")
    second = v.verify(task, Edit(files={"calc.py": CALC_FIXED + "\n"}), "m")
    assert v.baseline_runs == 2  # the first, and the second that confirmed the fixed test
    assert second.verdict == "pass" and second.tests_passed_before == 1


# --------------------------------------------------------------------------- edits that must be refused


@pytest.mark.parametrize(
    "rel",
    [
        "../escape.py",
        "/tmp/{name}-abs.py",
        "file:///tmp/{name}-uri.py",
        "../{name}-evil/x.py",
        "link_out/x.py",
        ".git/hooks/pre-commit",
        ".vscode/tasks.json",
        ".vscode/settings.json",
    ],
)
def test_path_traversal_edits_are_rejected_and_nothing_is_written(
    project: Path, tmp_path: Path, rel: str
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (project / "link_out").symlink_to(outside)
    (tmp_path / f"{project.name}-evil").mkdir()
    rel = rel.format(name=project.name)
    before_all = snapshot(tmp_path)
    edit = Edit(files={"calc.py": CALC_FIXED, rel: "import os\nos.system('touch /tmp/pwned')\n"})
    v = verifier().verify(task_for(project, pytest_cmd(project)), edit, "m")
    assert v.verdict == "error"
    assert v.detail and "\n" not in v.detail
    assert snapshot(tmp_path) == before_all
    assert (
        not Path(f"/tmp/{project.name}-abs.py").exists()
        and not Path(f"/tmp/{project.name}-uri.py").exists()
    )


# --------------------------------------------------------------------------- set-up problems


def test_missing_bwrap_is_an_error_not_an_unprotected_run(project: Path, tmp_path: Path) -> None:
    flag = tmp_path / "ran"
    edit = Edit(
        files={"calc.py": CALC_FIXED, "conftest.py": f"open({str(flag)!r}, 'w').write('x')\n"}
    )
    v = ProjectVerifier(bwrap=str(tmp_path / "no-bwrap-here")).verify(
        task_for(project, pytest_cmd(project)), edit, "m"
    )
    assert v.verdict == "error" and v.detail.startswith(BWRAP_MISSING)
    assert "no-bwrap-here is not an executable" in v.detail
    # the way out in each front end's words: the command line has no acrouter.sandbox
    assert 'set sandbox to "none" (acrouter.sandbox in VS Code; --sandbox none' in v.detail
    assert not flag.exists()


def test_no_test_command_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("hi")
    v = verifier().verify(task_for(tmp_path), Edit(files={"notes.txt": "ho"}), "m")
    assert v.verdict == "error" and "no test command" in v.detail


def test_no_workspace_is_an_error() -> None:
    v = verifier().verify(Task(task_id="b", kind="algorithm"), Edit(files={"a.py": ""}), "m")
    assert v.verdict == "error" and "workspace" in v.detail


def test_an_empty_edit_is_an_error(shared: Shared) -> None:
    v = shared.verifier().verify(shared.task(), Edit(files={}), "m")
    assert v.verdict == "error" and "changes no file" in v.detail


def test_the_detected_command_runs_the_projects_venv(tmp_path: Path) -> None:
    # a project with its own virtualenv: detection picks .venv/bin/python -m pytest,
    # and the venv (not copied) is mounted read-only inside the sandbox
    root = tmp_path / "withvenv"
    root.mkdir()
    import venv

    venv.EnvBuilder(system_site_packages=False, symlinks=True, with_pip=False).create(
        root / ".venv"
    )
    site = next((root / ".venv" / "lib").glob("python*/site-packages"))
    # give the project's venv its own copy of pytest (a .pth pointing at this runner's
    # site-packages would break when the runner's checkout lives under /tmp, which the
    # sandbox masks)
    import importlib.metadata
    import shutil

    for name in (
        "pytest",
        "pluggy",
        "iniconfig",
        "packaging",
        "pygments",
        "exceptiongroup",
        "tomli",
    ):
        try:
            dist = importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError:
            continue
        for f in dist.files or ():
            src = Path(dist.locate_file(f))
            if f.parts[0] == ".." or not src.is_file():
                continue  # console scripts outside site-packages
            dest = site / f
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest)
    (root / "calc.py").write_text(CALC)
    (root / "tests").mkdir()
    (root / "tests" / "test_calc.py").write_text(TEST_CALC)
    (root / "pytest.ini").write_text("[pytest]\npythonpath = .\n")
    v = verifier().verify(task_for(root), Edit(files={"calc.py": CALC_FIXED}), "m")
    assert v.verdict == "pass", v.detail
    assert v.tests_failed_before == 1
    assert v.detail == "2 passed, 0 failed (before: 1 passed, 1 failed)" + CONFIRMED


def test_concurrent_verifications_share_one_baseline(project: Path) -> None:
    # two requests on the same workspace state at once: the baseline runs once, and
    # meanwhile each runs its own edited copy
    # (the editor's composition root gives every request's verifier the same cache)
    task = task_for(project, pytest_cmd(project))
    shared = BaselineCache()
    first, second = verifier(baseline_cache=shared), verifier(baseline_cache=shared)
    edits = [
        Edit(files={"calc.py": CALC_FIXED}),
        Edit(files={"calc.py": CALC.replace("a * b", "0")}),
    ]
    with ThreadPoolExecutor(2) as pool:
        verdicts = list(
            pool.map(lambda pair: pair[0].verify(task, pair[1], "m"), zip((first, second), edits))
        )
    assert [v.verdict for v in verdicts] == ["pass", "fail"], [v.detail for v in verdicts]
    # once, and once more to confirm the fixed test of the passing edit
    assert first.baseline_runs + second.baseline_runs == 2
    assert all(v.tests_passed_before == 1 and v.tests_failed_before == 1 for v in verdicts)


def test_sequential_baseline_gives_the_same_verdicts(project: Path) -> None:
    task = task_for(project, pytest_cmd(project))
    v = verifier(parallel_baseline=False).verify(task, Edit(files={"calc.py": CALC_FIXED}), "m")
    assert (
        v.verdict == "pass"
        and v.detail == "2 passed, 0 failed (before: 1 passed, 1 failed)" + CONFIRMED
    )


# --------------------------------------------------------------------------- pre-flight


def test_prepare_runs_the_baseline_once_and_verify_reuses_it(project: Path, tmp_path: Path) -> None:
    counter = tmp_path / "sessions.log"
    (project / "conftest.py").write_text(
        f"def pytest_sessionstart(session):\n    open({str(counter)!r}, 'a').write('run\\n')\n"
    )
    v = verifier(sandbox="none", cache_dir=tmp_path / "cache")
    task = task_for(project, pytest_cmd(project))
    base = v.prepare(task)
    assert (base.tests_passed, base.tests_failed) == (1, 1) and counter.read_text().count(
        "run"
    ) == 1
    [failure] = base.failures
    assert failure.test_id.endswith("test_add") and failure.message.startswith("assert -1 == 5")
    verdict = v.verify(task, Edit(files={"calc.py": CALC.replace("a - b", "a * b")}), "m")
    assert (
        verdict.verdict == "fail" and counter.read_text().count("run") == 2
    )  # the edited run only
    assert [f.test_id for f in verdict.failures] == [failure.test_id]
    assert v.baseline_runs == 1


def test_prepare_refuses_what_no_edit_could_pass(tmp_path: Path) -> None:
    from acrouter.errors import PreflightError

    (tmp_path / "notes.txt").write_text("hi")
    with pytest.raises(PreflightError) as info:
        verifier().prepare(task_for(tmp_path))
    assert info.value.setting == "testCommand"
    assert 'e.g. "python -m pytest"' in info.value.reason  # (no file: Python's)
    # the example is in the language of the file the request is about (before, always
    # pytest's, for a Ruby or a Go project too)
    for name, example in (("lib/reader.rb", "bundle exec rspec"), ("main.go", "go test ./...")):
        doc = Document(uri=(tmp_path / name).as_uri(), path=str(tmp_path / name), text="")
        with pytest.raises(PreflightError, match=f'e.g. "{re.escape(example)}"'):
            verifier().prepare(task_for(tmp_path, document=doc))
    with pytest.raises(PreflightError) as info:
        verifier(sandbox="none").prepare(task_for(tmp_path, "/nonexistent/run-tests"))
    assert info.value.setting == "testCommand" and "not found" in info.value.reason
    (tmp_path / "empty_tests").mkdir()
    with pytest.raises(PreflightError, match="no test ran"):
        verifier(sandbox="none").prepare(task_for(tmp_path, f"{PYTEST} {tmp_path / 'empty_tests'}"))
