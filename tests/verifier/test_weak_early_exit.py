"""End to end (in the sandbox and without): a test command without per-test results of
its own (a project's ``./run_tests.sh`` running pytest: weak) whose run with the edit
exits 0 before any test ran, where the run without the edit left pytest's per-test
report.  Found on six 1.17.0 (``benchmarks/verify_trust.py --only six``): ``os._exit(0)``
at the top of six.py, or a conftest calling ``sys.exit(0)``, came back a counted *pass
(weak)*, "tests exited with code 0"; with pytest as the command both fail ("the test
run produced no test report")."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from acrouter.domain import Edit
from acrouter.verifier.baseline import BaselineCache
from acrouter.verifier.junit_own import plugin_env
from acrouter.verifier.results import closing_line, error_lines
from acrouter.verifier.runners import pytest_addopts
from acrouter.verifier.testrun import TestRun

from .helpers import (
    CALC_FIXED,
    CALC_PROJECT,
    OVERLAY_AND_NONE,
    TEST_CALC,
    TEST_UT,
    task_for,
    venv_with_pytest,
    verifier,
    write_tree,
)

MODES = OVERLAY_AND_NONE

EXIT_NOW = "import os as _os\n\n_os._exit(0)\n"


def _python(root: Path) -> str:
    """The project's own .venv, which can import pytest: the script names its python,
    which the verifier does not read, so it must be one the sandbox shows (this
    environment's may lie in a folder it masks: a checkout in /tmp; the base interpreter
    may have no pytest: a user's Debian python3)."""
    venv_with_pytest(root / ".venv")
    return ".venv/bin/python"


def _project(root: Path) -> Path:
    python = _python(root)
    script = f'#!/bin/sh\nset -e\ncd "$(dirname "$0")"\n{python} -m pytest -q tests\n'
    root = write_tree(
        root,
        {
            "calc.py": CALC_FIXED,
            "tests/test_calc.py": TEST_CALC,
            "pytest.ini": "[pytest]\npythonpath = .\n",
            "run_tests.sh": script,
        },
    )
    (root / "run_tests.sh").chmod(0o755)
    return root


@pytest.mark.parametrize("mode", MODES)
def test_the_code_exiting_before_the_tests_is_no_pass(
    tmp_path: Path, mode: dict[str, object]
) -> None:
    root = _project(tmp_path / "proj")
    edit = Edit(files={"calc.py": EXIT_NOW + CALC_FIXED})
    v = verifier(**mode).verify(task_for(root, "./run_tests.sh", kind="refactoring"), edit, "m")
    assert v.verdict == "fail" and v.weak and v.counted, v.detail
    assert "no per-test results (exit code 0)" in v.detail
    assert "the run without the edit left them (2 passed, 0 failed)" in v.detail


@pytest.mark.parametrize("mode", MODES)
def test_a_conftest_exiting_before_the_tests_is_no_pass(
    tmp_path: Path, mode: dict[str, object]
) -> None:
    root = _project(tmp_path / "proj")
    edit = Edit(files={"tests/conftest.py": "import sys\nsys.exit(0)\n"})
    v = verifier(**mode).verify(task_for(root, "./run_tests.sh", kind="refactoring"), edit, "m")
    assert v.verdict == "fail" and v.weak, v.detail
    assert "with its own changes to tests/conftest.py" in v.detail
    assert "no per-test results (exit code 0)" in v.detail


@pytest.mark.parametrize("mode", MODES)
def test_a_harmless_edit_under_the_script_still_passes(
    tmp_path: Path, mode: dict[str, object]
) -> None:
    root = _project(tmp_path / "proj")
    edit = Edit(files={"calc.py": CALC_FIXED.replace("a + b", "b + a")})
    v = verifier(**mode).verify(task_for(root, "./run_tests.sh", kind="refactoring"), edit, "m")
    assert v.verdict == "pass" and v.weak and v.counted, v.detail
    assert v.tests_passed == 2 and v.tests_failed == 0


# unittest below a script (idna 3.20 with a `make test` running unittest's discovery:
# os._exit(0) at the import of idna/core.py passed, counted), and a pytest whose report
# is the project's own where our plugin cannot load (a script that sets its own
# PYTHONPATH: its --junit-xml overrides the one PYTEST_ADDOPTS asks for): no per-test
# results with or without the edit, but the runner's closing line ("Ran 2 tests in
# 0.001s", "2 passed in 0.01s") only without it


def _script_project(root: Path, runs: str) -> Path:
    python = _python(root)
    line = runs.format(python=python) if "{python}" in runs else f"{python} {runs}"
    script = f'#!/bin/sh\nset -e\ncd "$(dirname "$0")"\n{line}\n'
    root = write_tree(
        root,
        {
            "calc.py": CALC_FIXED,
            "tests/__init__.py": "",
            "tests/test_calc.py": TEST_UT,
            "pytest.ini": "[pytest]\npythonpath = .\n",
            "run_tests.sh": script,
        },
    )
    (root / "run_tests.sh").chmod(0o755)
    return root


RUNS = [
    pytest.param("-m unittest discover -s tests -t .", "Ran 2 tests in", id="unittest"),
    pytest.param(
        "PYTHONPATH=. {python} -m pytest -q --junit-xml=own.xml tests",
        "2 passed in",
        id="pytest-own-xml-own-pythonpath",
    ),
]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(("runs", "closing"), RUNS)
def test_no_closing_line_where_there_was_one_is_no_pass(
    tmp_path: Path, mode: dict[str, object], runs: str, closing: str
) -> None:
    root = _script_project(tmp_path / "proj", runs)
    task = task_for(root, "./run_tests.sh", kind="refactoring")
    edit = Edit(files={"calc.py": EXIT_NOW + CALC_FIXED})
    v = verifier(**mode).verify(task, edit, "m")
    assert v.verdict == "fail" and v.weak and v.counted, v.detail
    assert "printed no closing line of its runner (exit code 0)" in v.detail
    assert f"where the run without the edit printed '{closing}" in v.detail
    # a harmless edit prints it: a pass, counted
    edit = Edit(files={"calc.py": CALC_FIXED.replace("a + b", "b + a")})
    v = verifier(**mode).verify(task, edit, "m")
    assert v.verdict == "pass" and v.weak and v.counted, v.detail


def test_the_closing_line_is_cached_and_an_older_entry_runs_again(tmp_path: Path) -> None:
    # an entry cached before the closing line was kept would let the early exit pass
    # (idna's baseline, cached by the verifier before the rule, did) until the
    # workspace changed: it is run again
    cache = BaselineCache(tmp_path)
    cache.put("k", TestRun(exit_code=0, closing="Ran 2 tests in 0.001s"))
    assert BaselineCache(tmp_path).get("k") == TestRun(exit_code=0, closing="Ran 2 tests in 0.001s")
    path = tmp_path / "baseline-k.json"
    data = json.loads(path.read_text())
    del data["closing"]
    path.write_text(json.dumps(data))
    assert BaselineCache(tmp_path).get("k") is None


@pytest.mark.parametrize(
    ("output", "closing"),
    [
        ("1..3\n# tests 3\n# pass  3\n\n# ok\n", "# tests 3"),  # tape
        ("# tests 36\n# suites 2\n# pass 36\n# fail 0\n", "# tests 36"),  # node --test, TAP
        ("\u2139 tests 3\n\u2139 pass 3\n", "\u2139 tests 3"),  # node --test, spec
        ("\n  12 passing (34ms)\n  1 pending\n", "12 passing (34ms)"),  # mocha
        (
            "Tests:       1 failed, 2 passed, 3 total\nTime: 1 s\n",
            "Tests:       1 failed, 2 passed, 3 total",
        ),
        (
            "   Test Files  1 passed (1)\n        Tests  3 passed (3)\n",
            "Tests  3 passed (3)",
        ),  # vitest
        (
            "test result: ok. 3 passed; 0 failed; 0 ignored; finished in 0.00s\n",
            "test result: ok. 3 passed; 0 failed; 0 ignored; finished in 0.00s",
        ),
        ("ok  \texample.com/calc\t0.003s\n", "ok  \texample.com/calc\t0.003s"),  # go test
        (
            (
                "Finished in 0.00131 seconds (files took 0.0721 seconds to load)\n"
                "4 examples, 1 failure, 1 pending\n\nFailed examples:\n\nrspec ./spec/a_spec.rb:7\n"
            ),
            "4 examples, 1 failure, 1 pending",
        ),  # RSpec
        (
            (
                "Finished in 0.000919s, 5441.5 runs/s.\n\n"
                "5 runs, 3 assertions, 1 failures, 1 errors, 1 skips\n\nYou have skipped tests.\n"
            ),
            "5 runs, 3 assertions, 1 failures, 1 errors, 1 skips",
        ),  # minitest
        ("ok 1 adds\nhello\n", ""),  # a TAP test line is no summary
    ],
)
def test_the_closing_lines_of_other_runners_are_known(output: str, closing: str) -> None:
    assert closing_line(output) == closing


# a pytest run with the project's own --junit-xml (wcwidth 0.9.4's tox.ini): directly, the
# report our argv asked for overrode the project's (own.xml was not written); below a
# script, the project's overrode ours (PYTEST_ADDOPTS) and the verdicts were the exit
# code's.  Our plugin (verifier/junit_own.py) writes the one pytest did not keep


def _outputs(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What each test run of the verifier printed."""
    from acrouter.verifier import core

    seen: list[str] = []
    run_command = core.run_command

    def spy(spec, *args, **kwargs):  # type: ignore[no-untyped-def]
        outcome = run_command(spec, *args, **kwargs)
        seen.append(outcome.output)
        return outcome

    monkeypatch.setattr(core, "run_command", spy)
    return seen


OWN = "--junit-xml=own.xml tests"
#: a command naming pytest's interpreter (this environment's, which has xdist: the
#: verifier shows the sandbox what a command names) or a script naming the project's own
COMMANDS = [
    pytest.param("{exe} -m pytest " + OWN, id="pytest"),
    pytest.param("{exe} -m pytest -p xdist.plugin -n 2 " + OWN, id="pytest-xdist"),
    # the script reads own.xml after pytest (set -e: a run that left none fails)
    pytest.param("{python} -m pytest " + OWN + " && grep -q '<testcase' own.xml", id="script"),
]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("command", COMMANDS)
def test_the_projects_own_junit_xml_leaves_ours_too(
    tmp_path: Path, mode: dict[str, object], command: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if command.startswith("{python}"):
        root = _script_project(tmp_path / "proj", command)
        root = write_tree(root, {"tests/test_calc.py": TEST_CALC, "tests/__init__.py": ""})
        command = "./run_tests.sh"
    else:
        root = write_tree(tmp_path / "proj", CALC_PROJECT | {"calc.py": CALC_FIXED})
        command = command.replace("{exe}", shlex.quote(sys.executable))
    task = task_for(root, command, kind="refactoring")
    outputs = _outputs(monkeypatch)
    broken = Edit(files={"calc.py": CALC_FIXED.replace("a * b", "a + b")})
    v = verifier(**mode).verify(task, broken, "m")
    assert v.verdict == "fail" and v.counted, v.detail
    assert [f.test_id for f in v.failures] == ["tests/test_calc.py::test_mul"], v.detail
    assert v.tests_passed == 1 and v.tests_failed == 1, v.detail
    harmless = Edit(files={"calc.py": CALC_FIXED.replace("a + b", "b + a")})
    v = verifier(**mode).verify(task, harmless, "m")
    assert v.verdict == "pass" and v.counted, v.detail
    assert v.tests_passed == 2 and v.tests_failed == 0, v.detail
    # each run wrote the project's own.xml as well as ours (pytest's controller says so)
    assert outputs and all(re.search(r"generated xml file: \S*/own\.xml", o) for o in outputs)
    assert all(re.search(r"generated xml file: \S*/report\.xml", o) for o in outputs)
    assert (root / "own.xml").exists() is False  # written in the run's copy, not here


@pytest.mark.parametrize(
    ("ini", "addopts", "argv"),
    [
        pytest.param("--junitxml=own.xml", "", [], id="ini-addopts"),
        pytest.param("", "", ["--junit-xml", "own.xml"], id="command-line"),
        pytest.param("", "--junit-xml=own.xml", [], id="users-PYTEST_ADDOPTS"),
        pytest.param("", "", ["--junit-xml=own.xml", "--junitxml=OURS"], id="ours-on-argv"),
        pytest.param("", "", [], id="ours-only"),
    ],
)
def test_the_plugin_writes_both_reports_whichever_pytest_kept(
    tmp_path: Path, ini: str, addopts: str, argv: list[str]
) -> None:
    """With this environment's pytest: pytest reads ini addopts, then PYTEST_ADDOPTS
    (ours last there), then the command line, and keeps the last --junitxml."""
    out = tmp_path / "out"
    out.mkdir()
    ours = str(out / "report.xml")
    root = write_tree(tmp_path / "proj", CALC_PROJECT | {"calc.py": CALC_FIXED})
    (root / "pytest.ini").write_text(f"[pytest]\npythonpath = .\naddopts = {ini}\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "PYTHONPATH"))}
    env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    env["PYTEST_ADDOPTS"] = pytest_addopts(addopts or None, str(out))
    env.update(plugin_env(str(out), ours, env))
    args = [a.replace("OURS", ours) for a in argv]
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", *args, "tests"],
        check=False,
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "<testcase" in Path(ours).read_text()
    assert 'file="tests/test_calc.py"' in Path(ours).read_text()  # xunit1, as we ask
    own = root / "own.xml"
    assert own.exists() == bool(ini or addopts or argv), run.stdout
    if own.exists():
        assert own.read_text().count("<testcase") == 2
    assert sorted(p.name for p in root.glob("*.xml")) == (["own.xml"] if own.exists() else [])


# a linter before the runner (qs 6.14.0's `eslint && npm run tests-only`, `ruff check . &&
# pytest`) that fails: the run leaves no report, and the verdict said only "produced no
# test report (exit code 1)"; it names the first lines the linter printed
LINT = """#!/bin/sh
if grep -q '^import os' calc.py; then
    echo "calc.py:1:8: F401 [*] \\`os\\` imported but unused"
    echo "Found 1 error."
    exit 1
fi
"""
LINTED = [
    pytest.param(
        "./lint.sh && .venv/bin/python -m pytest -q tests",
        "produced no test report (exit code 1; ",
        id="lint-and-pytest",
    ),
    pytest.param("./run_tests.sh", "the tests failed (", id="script"),  # weak
]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(("command", "said"), LINTED)
def test_a_failing_linter_before_the_runner_is_named(
    tmp_path: Path, mode: dict[str, object], command: str, said: str
) -> None:
    root = _script_project(tmp_path / "proj", "./lint.sh\n{python} -m pytest -q tests")
    root = write_tree(root, {"lint.sh": LINT, "tests/test_calc.py": TEST_CALC})
    (root / "lint.sh").chmod(0o755)
    task = task_for(root, command, kind="refactoring")
    v = verifier(**mode).verify(task, Edit(files={"calc.py": "import os\n" + CALC_FIXED}), "m")
    assert v.verdict == "fail" and v.counted, v.detail
    assert (
        f"{said}it printed: calc.py:1:8: F401 [*] `os` imported but unused | Found 1 error.)"
        in v.detail
    )
    # a run that passes the linter is read as before
    v = verifier(**mode).verify(
        task, Edit(files={"calc.py": CALC_FIXED.replace("a + b", "b + a")}), "m"
    )
    assert v.verdict == "pass", v.detail


def test_the_error_lines_skip_warnings_and_name_eslints_file() -> None:
    # eslint's output on qs 6.14.0: warnings first, then the errors below each file
    output = (
        "\n/ws/lib/parse.js\n   96:13  warning  Unexpected use of continue statement  no-continue\n"
        "\n/ws/lib/stringify.js\n  170:13  warning  Unexpected use of continue  no-continue\n"
        "  182:1   error    Expected indentation of 12 spaces but found 0  indent\n"
        "  183:9   error    Unreachable code  no-unreachable\n\n"
        "\u2716 4 problems (2 errors, 2 warnings)\n" + "npm error code 1\n" * 3
    )
    assert error_lines(output, "/ws") == (
        "lib/stringify.js:182:1 error Expected indentation of 12 spaces but found 0 indent",
        "lib/stringify.js:183:9 error Unreachable code no-unreachable",
        "npm error code 1",
    )
    assert error_lines("collected 2 items\n\n2 passed in 0.01s\n", "/ws") == ()
    # Python's warnings (wcwidth 0.9.4's tox, setuptools building the editable install)
    warned = "/ws/.tox/py311/lib/dist.py:765: SetuptoolsDeprecationWarning: License classifiers\n"
    assert error_lines(warned + "E   ImportError: no name x\n", "/ws") == (
        "E ImportError: no name x",
    )
    assert len(error_lines("x.py:1:1: E1 " + "y" * 500 + "\n", "/ws")[0]) == 200
