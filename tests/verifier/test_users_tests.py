"""An edit is judged by the user's tests: when it also changes the tests' files (a test,
a conftest.py, the runner's configuration), its other files are judged with the tests as
they were, then the whole edit; both must pass.  Otherwise a "fix" that rewrites the
failing assertion to expect the bug, or a conftest hook reporting every test as passed,
would be a verified edit."""

from __future__ import annotations

from pathlib import Path

import pytest
from acrouter.domain import Document, Edit
from acrouter.verifier.testfiles import files_of_the_tests, is_test_file

from .helpers import CALC, CALC_FIXED, TEST_CALC, pytest_cmd, task_for, verifier, write_tree


@pytest.mark.parametrize(
    "rel",
    [
        "tests/test_calc.py",
        "test_calc.py",
        "pkg/calc_test.py",
        "conftest.py",
        "sub/conftest.py",
        "tests/helpers.py",
        "tests/data/case.json",
        "pytest.ini",
        "pyproject.toml",
        "setup.cfg",
        "tox.ini",
        "src/__tests__/calc.js",
        "src/calc.test.ts",
        "src/calc.spec.js",
        "package.json",
        "jest.config.js",
        "vitest.config.mts",
        "calc_test.go",
        "test/index.js",
        "src/components/__snapshots__/Button.test.js.snap",
        "src/Button.snap",
        "pkg/testdata/golden.json",
        "fixtures/users.json",
        "src/__fixtures__/input.md",
        "guide/test_usage.txt",
        "out.approved.txt",
        "vite.config.ts",
        "babel.config.js",
        ".babelrc",
        ".swcrc",
        "tsconfig.json",
        "tsconfig.test.json",
        "Makefile",
    ],
)
def test_what_belongs_to_the_tests(rel: str) -> None:
    assert is_test_file(rel)


@pytest.mark.parametrize(
    "rel", ["calc.py", "src/calc.ts", "pkg/testing_utils.py", "contest.py", "README.md"]
)
def test_what_does_not(rel: str) -> None:
    assert not is_test_file(rel)


def test_the_files_of_the_tests_are_sorted() -> None:
    assert files_of_the_tests(["calc.py", "tests/test_b.py", "conftest.py"]) == [
        "conftest.py",
        "tests/test_b.py",
    ]


@pytest.fixture
def proj(tmp_path: Path) -> Path:
    return write_tree(tmp_path / "proj", {"calc.py": CALC, "tests/test_calc.py": TEST_CALC})


def test_a_fix_that_rewrites_the_failing_assertion_is_not_verified(proj: Path) -> None:
    cheat = TEST_CALC.replace("assert add(2, 3) == 5", "assert add(2, 3) == -1")
    v = verifier().verify(
        task_for(proj, pytest_cmd(proj)), Edit(files={"tests/test_calc.py": cheat}), "m"
    )
    assert v.verdict == "fail" and v.counted, v.detail
    assert v.detail.startswith(
        "with your tests (the edit's changes to tests/test_calc.py set aside): "
        "1 failing test: tests/test_calc.py::test_add"
    )


FORCE_PASSED = """\
import pytest


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    outcome.get_result().outcome = "passed"
"""


def test_a_conftest_hook_that_reports_every_test_passed_is_set_aside(proj: Path) -> None:
    broken = CALC_FIXED.replace("a * b", "a ** b")  # fixes add, breaks mul
    edit = Edit(files={"calc.py": broken, "conftest.py": FORCE_PASSED})
    v = verifier().verify(task_for(proj, pytest_cmd(proj)), edit, "m")
    assert v.verdict == "fail", v.detail
    assert v.detail.startswith(
        "with your tests (the edit's changes to conftest.py set aside): "
        "broke 1 previously passing test: tests/test_calc.py::test_mul"
    )
    # a test-generation request that also changes code is judged the same way
    v = verifier().verify(task_for(proj, pytest_cmd(proj), kind="test_generation"), edit, "m")
    assert v.verdict == "fail" and "conftest.py set aside" in v.detail


def test_a_fix_with_a_new_test_passes_both_ways(proj: Path) -> None:
    more = TEST_CALC + "\n\ndef test_add_negative():\n    assert add(-2, -3) == -5\n"
    edit = Edit(files={"calc.py": CALC_FIXED, "tests/test_calc.py": more})
    v = verifier().verify(task_for(proj, pytest_cmd(proj)), edit, "m")
    assert v.verdict == "pass", v.detail
    assert v.detail.startswith("with your tests: 2 passed, 0 failed (before: 1 passed, 1 failed)")
    assert "; with its changes to tests/test_calc.py: 3 passed, 0 failed" in v.detail
    assert v.tests_passed == 3  # the counts are the whole edit's


def test_a_fix_whose_new_test_fails_is_not_verified(proj: Path) -> None:
    wrong = TEST_CALC + "\n\ndef test_add_negative():\n    assert add(-2, -3) == 5\n"
    edit = Edit(files={"calc.py": CALC_FIXED, "tests/test_calc.py": wrong})
    v = verifier().verify(task_for(proj, pytest_cmd(proj)), edit, "m")
    assert v.verdict == "fail" and v.counted, v.detail
    assert v.detail.startswith("with its own changes to tests/test_calc.py: ")
    assert "test_add_negative" in v.detail


def test_new_tests_for_a_test_generation_request_are_judged_once(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "proj", {"calc.py": CALC_FIXED, "tests/test_calc.py": TEST_CALC})
    more = TEST_CALC + "\n\ndef test_mul_zero():\n    assert mul(0, 3) == 0\n"
    task = task_for(root, pytest_cmd(root), kind="test_generation")
    v = verifier().verify(task, Edit(files={"tests/test_calc.py": more}), "m")
    assert v.verdict == "pass" and v.detail == "3 passed, 0 failed (before: 2 passed, 0 failed)"


def test_a_request_on_a_test_file_is_judged_on_the_edited_tests(tmp_path: Path) -> None:
    # the test is wrong (add is right): the user opens the test file and asks to fix it
    wrong_test = TEST_CALC.replace("== 5", "== 6")
    root = write_tree(tmp_path / "proj", {"calc.py": CALC_FIXED, "tests/test_calc.py": wrong_test})
    test_file = root / "tests" / "test_calc.py"
    doc = Document(uri=test_file.as_uri(), path=str(test_file), text=wrong_test)
    edit = Edit(files={"tests/test_calc.py": TEST_CALC})
    v = verifier().verify(task_for(root, pytest_cmd(root), document=doc), edit, "m")
    assert v.verdict == "pass", v.detail
    assert "set aside" not in v.detail
    # the same edit asked for from calc.py: the tests were not what the user asked about
    calc = root / "calc.py"
    other = Document(uri=calc.as_uri(), path=str(calc), text=CALC_FIXED)
    v = verifier().verify(task_for(root, pytest_cmd(root), document=other), edit, "m")
    assert v.verdict == "fail" and "set aside" in v.detail


def test_an_edit_of_tests_only_is_judged_without_running_the_unchanged_code_again(
    tmp_path: Path,
) -> None:
    # the suite counts its runs in a file outside the workspace (sandbox "none" lets it)
    log = tmp_path / "runs.log"
    root = write_tree(
        tmp_path / "proj",
        {
            "calc.py": CALC,
            "tests/test_calc.py": TEST_CALC,
            "conftest.py": (
                f"def pytest_sessionstart(session):\n    open({str(log)!r}, 'a').write('run\\n')\n"
            ),
        },
    )
    cheat = TEST_CALC.replace("assert add(2, 3) == 5", "assert add(2, 3) == -1")
    v = verifier(sandbox="none").verify(
        task_for(root, pytest_cmd(root)), Edit(files={"tests/test_calc.py": cheat}), "m"
    )
    assert v.verdict == "fail" and "set aside" in v.detail, v.detail
    # with the tests set aside nothing changed: the run without the edit is that run
    assert log.read_text().count("run") == 1


GOLDEN_TEST = """\
from pathlib import Path

from calc import add


def test_add_matches_the_golden_file():
    expected = (Path(__file__).parent.parent / "testdata" / "add.txt").read_text()
    assert str(add(2, 3)) == expected.strip()
"""


def test_a_break_with_its_golden_file_rewritten_to_match_is_not_verified(tmp_path: Path) -> None:
    # what the tests compare against (Go's testdata/, jest's __snapshots__/) is the tests'
    # too: before, the golden file was code, and an edit breaking add and writing its
    # wrong output there was verified ("1 passed, 0 failed")
    root = write_tree(
        tmp_path / "proj",
        {"calc.py": CALC_FIXED, "tests/test_golden.py": GOLDEN_TEST, "testdata/add.txt": "5\n"},
    )
    edit = Edit(files={"calc.py": CALC_FIXED.replace("a + b", "a - b"), "testdata/add.txt": "-1\n"})
    v = verifier().verify(task_for(root, pytest_cmd(root)), edit, "m")
    assert v.verdict == "fail", v.detail
    assert v.detail.startswith("with your tests (the edit's changes to testdata/add.txt set aside)")


@pytest.mark.parametrize(
    ("files", "command", "changed"),
    [
        ({"Makefile": "test:\n\t{pytest}\n"}, "make test", ("Makefile", "test:\n\ttrue\n")),
        (
            {"ci/run_tests.sh": "#!/bin/sh\nexec {pytest}\n"},
            "sh ci/run_tests.sh",
            ("ci/run_tests.sh", "#!/bin/sh\nexit 0\n"),
        ),
    ],
)
def test_what_runs_the_tests_is_the_tests(
    tmp_path: Path, files: dict[str, str], command: str, changed: tuple[str, str]
) -> None:
    # `make test` or a script of the project's: an edit that breaks the code and makes
    # the recipe a no-op was a (weak) verified pass
    root = tmp_path / "proj"
    pytest_line = pytest_cmd(root)
    tree = {"calc.py": CALC_FIXED, "tests/test_calc.py": TEST_CALC}
    tree.update({k: v.format(pytest=pytest_line) for k, v in files.items()})
    write_tree(root, tree)
    edit = Edit(files={"calc.py": CALC_FIXED.replace("a + b", "a - b"), changed[0]: changed[1]})
    v = verifier().verify(task_for(root, command), edit, "m")
    assert v.verdict == "fail", v.detail
    assert v.detail.startswith(f"with your tests (the edit's changes to {changed[0]} set aside)")
    assert "test_add" in v.detail and "cannot run" not in v.detail, v.detail  # the tests ran


def test_the_sandbox_sees_the_programs_a_workspace_script_names(tmp_path: Path) -> None:
    # a program the script or the Makefile names (an interpreter under /tmp, a tool in
    # the home folder) is made visible in the sandbox as if the command named it; found
    # by a fresh-clone CI run under /tmp: "exec: /tmp/.../python: not found"
    from acrouter.verifier.commandline import script_tokens

    write_tree(
        tmp_path,
        {
            "ci/run_tests.sh": "#!/bin/sh\n# run them\nexec /opt/py/bin/python -m pytest tests\n",
            "Makefile": "test:\n\t/opt/py/bin/python -m pytest\n",
        },
    )
    assert "/opt/py/bin/python" in script_tokens(("sh", "ci/run_tests.sh"), tmp_path)
    assert "/opt/py/bin/python" in script_tokens(("./ci/run_tests.sh",), tmp_path)
    assert "/opt/py/bin/python" in script_tokens(("make", "test"), tmp_path)
    assert script_tokens(("sh", "../outside.sh"), tmp_path) == ()
