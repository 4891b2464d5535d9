"""Verdicts when the project's tests run in parallel with pytest-xdist.

Many projects run their suite in worker processes: ``pytest -n 4`` as the test command,
or ``addopts = "-n auto"`` in their configuration.  The tests (and the code under test)
then run in the workers while the controller collects their reports and writes the
report the verifier reads.  Here the end-to-end tests (the real sandboxed verifier) run
again with xdist on, both ways: ``-n 2`` in the test command (``PYTEST`` of the helpers
and of the modules run again), and ``addopts`` in the sample project's ``pytest.ini``
(the projects :func:`helpers.write_tree` writes with one).  Every run of a case is
checked to have started xdist's workers (or there was no run: a verdict given before).

The sample suites run with plugin autoloading off (:func:`helpers.verifier`), so xdist
is named with ``-p xdist``; a user's environment loads it by itself.
"""

from __future__ import annotations

import shlex
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from acrouter.verifier import sandboxrun

from . import (
    conftest,
    helpers,
    test_confirm,
    test_doctests,
    test_failing_before_the_edit,
    test_harness,
    test_redteam_doctests,
    test_redteam_rewritten_tests,
    test_redteam_shadows,
    test_uncollectable_baseline,
    test_unrun_lines,
    test_users_tests,
    test_verify_outcomes,
)
from .again import Table, cases, run_again
from .helpers import CALC, CALC_PROJECT, TEST_CALC, Shared, needs_bwrap, new_marker, write_tree

pytestmark = needs_bwrap

#: xdist's options: two workers (the sample suites load no plugin by themselves)
XDIST = "-p xdist -n 2"
#: what xdist's controller prints when it starts its workers
STARTED = "bringing up nodes"

#: the end-to-end tests run again with xdist on, -n 2 in the test command
AGAIN: Table = {
    test_verify_outcomes: (
        "test_correct_fix_passes",
        "test_wrong_fix_fails",
        "test_fix_that_breaks_a_passing_test_fails",
        "test_syntax_error_fails_fast_with_the_line",
        "test_deleted_test_is_not_a_pass",
        "test_newly_skipped_test_is_not_a_pass",
        "test_conftest_calling_sys_exit_0_is_not_a_pass",
        "test_exiting_0_from_inside_the_run_is_not_a_pass",
    ),
    test_uncollectable_baseline: (
        "test_an_edit_that_leaves_the_import_error_stops_the_request",
        "test_an_edit_that_adds_the_missing_module_passes_as_before",
        "test_an_edit_whose_only_failing_tests_need_the_network_stops_the_request",
        "test_a_network_test_beside_a_fix_does_not_stop_a_fix_that_passes",
    ),
    test_failing_before_the_edit: (
        "test_a_docstring_in_a_project_with_a_failing_test_is_not_held_against_the_model",
        "test_a_bug_fix_that_leaves_the_failing_test_failing_is_held_against_the_model",
    ),
    test_harness: (
        "test_the_code_under_test_rewriting_pytest_reports_is_not_verified",
        "test_the_code_under_test_making_assertions_no_ops_is_not_verified",
    ),
    test_users_tests: (
        "test_a_fix_that_rewrites_the_failing_assertion_is_not_verified",
        "test_a_conftest_hook_that_reports_every_test_passed_is_set_aside",
        "test_a_fix_with_a_new_test_passes_both_ways",
    ),
    test_redteam_shadows: (
        "test_a_pytest_added_to_the_workspace_is_not_verified",
        "test_a_new_module_of_the_project_is_verified",
        "test_a_distributions_entry_points_are_refused",
    ),
    test_doctests: (
        "test_a_bug_with_its_doctest_rewritten_to_match_is_not_verified",
        "test_a_fix_with_a_new_doctest_example_passes",
    ),
    test_redteam_doctests: (
        "test_a_docstring_rewritten_at_run_time_is_not_verified",
        "test_a_documented_name_bound_again_is_not_verified",
    ),
    test_confirm: (
        "test_an_edit_that_fixes_nothing_is_not_verified_by_a_flaky_test",
        "test_a_real_fix_is_confirmed_in_the_sandbox_and_its_second_baseline_cached",
    ),
    test_unrun_lines: (
        "test_a_change_no_test_runs_is_named",
        "test_a_change_the_tests_run_says_nothing_more",
        "test_code_removed_where_no_test_goes_is_named",
        "test_a_failure_carries_no_lines",
        "test_a_confirmation_run_is_not_traced_again",
    ),
    test_redteam_rewritten_tests: ("test_a_run_that_rewrites_the_tests_is_not_verified",),
}

#: ... and those whose sample project has a pytest.ini, with xdist in its ``addopts``
ADDOPTS: Table = {
    test_verify_outcomes: AGAIN[test_verify_outcomes],
    test_unrun_lines: AGAIN[test_unrun_lines],
}

#: test_confirm's suite counts its runs in a conftest hook; under xdist the workers run
#: it too, so it counts the controller's only
COUNT_ONCE = (
    "def pytest_sessionstart(session):\n"
    "    if not hasattr(session.config, 'workerinput'):\n"
    "        open({log!r}, 'a').write('run\\n')\n"
)


def with_addopts(files: Mapping[str, str]) -> dict[str, str]:
    """``files`` with xdist in the ``addopts`` of its pytest.ini (if it has one)."""
    out = dict(files)
    for rel, text in files.items():
        if rel.rpartition("/")[2] == "pytest.ini" and "[pytest]" in text:
            out[rel] = text.replace("[pytest]\n", f"[pytest]\naddopts = {XDIST}\n", 1)
    return out


@pytest.fixture
def outputs(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The output of every test run the verifier reads in the test."""
    seen: list[str] = []
    real = sandboxrun.read_test_run

    def spy(outcome: Any, *args: Any, **kw: Any) -> Any:
        seen.append(outcome.output)
        return real(outcome, *args, **kw)

    monkeypatch.setattr(sandboxrun, "read_test_run", spy)
    return seen


def _xdist_in_the_command(monkeypatch: pytest.MonkeyPatch) -> None:
    for module in (helpers, *AGAIN):
        if hasattr(module, "PYTEST"):
            monkeypatch.setattr(
                module, "PYTEST", f"{shlex.quote(sys.executable)} -m pytest -q {XDIST}"
            )


def _xdist_in_the_config(monkeypatch: pytest.MonkeyPatch) -> None:
    def writer(root: Path, files: Mapping[str, str]) -> Path:
        return write_tree(root, with_addopts(files))

    for module in (helpers, conftest, *AGAIN):
        if hasattr(module, "write_tree"):
            monkeypatch.setattr(module, "write_tree", writer)


@pytest.fixture(scope="module")
def shared_projects(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Shared]:
    """The shared sample project, one per way xdist is turned on."""
    out = {}
    for way in ("command", "addopts"):
        mark = new_marker()
        base = tmp_path_factory.mktemp(f"shared-{way}")
        files = with_addopts(CALC_PROJECT) if way == "addopts" else CALC_PROJECT
        root = write_tree(base / f"proj-{mark}", files)
        out[way] = Shared(root, mark, base / "cache")
    return out


@pytest.fixture
def way() -> str:
    return "command"


@pytest.fixture
def shared(shared_projects: dict[str, Shared], way: str) -> Shared:
    return shared_projects[way]


@pytest.fixture
def project(tmp_path: Path, marker: str, way: str) -> Path:
    files = with_addopts(CALC_PROJECT) if way == "addopts" else CALC_PROJECT
    return write_tree(tmp_path / f"proj-{marker}", files)


@pytest.fixture
def proj(tmp_path: Path) -> Path:
    """test_users_tests' project (no pytest configuration)."""
    return write_tree(tmp_path / "proj", {"calc.py": CALC, "tests/test_calc.py": TEST_CALC})


@pytest.fixture
def xdist_on(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, outputs: list[str]
) -> Iterator[None]:
    """xdist on, the way the case's ``way`` says; after the case, every run it read
    must have started xdist's workers."""
    way = request.getfixturevalue("way")
    monkeypatch.setattr(test_confirm, "COUNT", COUNT_ONCE)
    if way == "command":
        _xdist_in_the_command(monkeypatch)
    else:
        _xdist_in_the_config(monkeypatch)
    yield
    # (a conftest exiting as pytest starts leaves no output at all)
    plain = [out[-300:] for out in outputs if out and STARTED not in out]
    assert not plain, f"{len(plain)} of {len(outputs)} runs without xdist: {plain}"


@pytest.mark.parametrize(
    ("module", "name", "kwargs", "way"),
    cases(AGAIN, ("command",)) + cases(ADDOPTS, ("addopts",)),
)
def test_the_same_verdict_with_xdist(
    module: ModuleType,
    name: str,
    kwargs: dict[str, object],
    way: str,
    xdist_on: None,
    request: pytest.FixtureRequest,
) -> None:
    run_again(module, name, kwargs, request)
