"""The confirmation of a fix runs the fixed tests alone (pytest: ``verifier.subset``),
with and without the edit, and falls back to the whole suite whenever that pair cannot
confirm it: a fixed test that passes alone without the edit (another test broke it in
its suite), fails alone with it (it needs another test first), a run that did not run
exactly the fixed tests, or too many fixed tests."""

from __future__ import annotations

import shlex
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from acrouter.domain import Edit
from acrouter.verifier import ProjectVerifier, TestRun, judge
from acrouter.verifier.confirm import confirm_subset, fixed_tests
from acrouter.verifier.runners import plan_command
from acrouter.verifier.subset import selectable, subset_key, worth

from .helpers import (
    CALC,
    CALC_FIXED,
    CONFIRMED,
    CONFIRMED_WHOLE,
    OVERLAY_AND_NONE,
    pytest_cmd,
    task_for,
    verifier,
    write_tree,
)

P, F = "passed", "failed"
MODES = OVERLAY_AND_NONE

#: (edited, the tests asked for or None for all, the tests the run reported)
Ran = tuple[bool, frozenset[str] | None, frozenset[str] | None]


@pytest.fixture
def ran(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Ran]]:
    """Every test run of the verifiers: with the edit or not, what it was asked to run,
    what it reported."""
    runs: list[Ran] = []
    run_once = ProjectVerifier._run_once

    def spy(self: ProjectVerifier, *args: object, **kw: object) -> TestRun:
        result = run_once(self, *args, **kw)  # type: ignore[arg-type]
        only = args[8] if len(args) > 8 else kw.get("only")
        got = frozenset(result.outcomes) if result.outcomes is not None else None
        runs.append((bool(args[6]) if len(args) > 6 else False, only, got))  # type: ignore[arg-type]
        return result

    monkeypatch.setattr(ProjectVerifier, "_run_once", spy)
    yield runs


ADD = "tests/test_calc.py::test_add"
ALL = frozenset({ADD, "tests/test_calc.py::test_mul", "tests/test_calc.py::test_sub"})
TESTS = """\
from calc import add, mul


def test_add():
    assert add(2, 3) == 5


def test_mul():
    assert mul(2, 3) == 6


def test_sub():
    assert add(2, -2) == 0 or add(2, -2) == 4
"""
PROJECT = {"calc.py": CALC, "tests/test_calc.py": TESTS, "pytest.ini": "[pytest]\npythonpath = .\n"}


def _sorted(runs: list[Ran]) -> list[Ran]:
    return sorted(runs, key=repr)  # side by side: the order of a pair is not fixed


# --------------------------------------------------------------------------- end to end


@pytest.mark.parametrize("mode", MODES)
def test_the_fixed_test_alone_confirms_the_fix(
    tmp_path: Path, mode: dict[str, object], ran: list[Ran]
) -> None:
    root = write_tree(tmp_path / "proj", PROJECT)
    ver = verifier(**mode)
    task = task_for(root, pytest_cmd(root))
    v = ver.verify(task, Edit(files={"calc.py": CALC_FIXED}), "m")
    assert v.verdict == "pass" and v.counted, v.detail
    assert v.detail == "3 passed, 0 failed (before: 2 passed, 1 failed)" + CONFIRMED
    only = frozenset({ADD})
    assert _sorted(ran) == _sorted(
        [(False, None, ALL), (True, None, ALL), (False, only, only), (True, only, only)]
    )
    assert ver.baseline_runs == 2
    # another edit fixing the same test: both runs without it from the cache
    ran.clear()
    v = ver.verify(task, Edit(files={"calc.py": CALC_FIXED + "\n"}), "m")
    assert v.detail.endswith(CONFIRMED) and ver.baseline_runs == 2
    assert ran == [(True, None, ALL), (True, only, only)]


#: add's test fails in its suite because an earlier test leaves ``scale`` at 0; alone it
#: passes without the edit
POLLUTED = {
    "calc.py": 'STATE = {"scale": 1}\n\n\ndef add(a, b):\n    return (a + b) * STATE["scale"]\n',
    "tests/test_1_pollute.py": (
        "import calc\n\n\ndef test_pollute():\n    calc.STATE['scale'] = 0\n"
    ),
    "tests/test_2_add.py": (
        "from calc import add\n\n\ndef test_add():\n    assert add(2, 3) == 5\n\n\n"
        "def test_zero():\n    assert add(0, 0) == 0\n"
    ),
    "pytest.ini": "[pytest]\npythonpath = .\n",
}
POLLUTED_FIX = 'STATE = {"scale": 1}\n\n\ndef add(a, b):\n    return a + b\n'
#: add's test passes only after an earlier test set ``ready``: alone it fails with the
#: edit too
NEEDS_FIRST = {
    "calc.py": 'STATE = {"ready": False}\n\n\ndef add(a, b):\n    assert STATE["ready"]\n'
    "    return a - b\n",
    "tests/test_1_setup.py": "import calc\n\n\ndef test_setup():\n    calc.STATE['ready'] = True\n",
    "tests/test_2_add.py": POLLUTED["tests/test_2_add.py"].replace("add(0, 0) == 0", "True"),
    "pytest.ini": "[pytest]\npythonpath = .\n",
}
NEEDS_FIRST_FIX = 'STATE = {"ready": False}\n\n\ndef add(a, b):\n    assert STATE["ready"]\n' + (
    "    return a + b\n"
)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("files", "fix"),
    [(POLLUTED, POLLUTED_FIX), (NEEDS_FIRST, NEEDS_FIRST_FIX)],
    ids=["passes-alone-before", "fails-alone-after"],
)
def test_a_test_that_behaves_otherwise_alone_is_confirmed_by_the_whole_suite(
    tmp_path: Path,
    mode: dict[str, object],
    files: dict[str, str],
    fix: str,
    ran: list[Ran],
) -> None:
    root = write_tree(tmp_path / "proj", files)
    ver = verifier(**mode)
    v = ver.verify(task_for(root, pytest_cmd(root)), Edit(files={"calc.py": fix}), "m")
    assert v.verdict == "pass" and v.counted, v.detail
    assert v.detail.endswith(CONFIRMED_WHOLE), v.detail
    add = frozenset({"tests/test_2_add.py::test_add"})
    assert [r[1] for r in ran].count(add) == 2  # the pair of it alone, then the whole suite
    assert [r[1] for r in ran].count(None) == 4 and ver.baseline_runs == 3


@pytest.mark.parametrize("mode", MODES)
def test_a_command_that_sets_its_own_pythonpath_keeps_the_plugin(
    tmp_path: Path, mode: dict[str, object], ran: list[Ran]
) -> None:
    # our plugin's folder is on PYTHONPATH, which the command sets: its PYTHONPATH=. is
    # run as PYTHONPATH=.:<ours> (verifier.inline_env), so the fixed test alone confirms
    # the fix (before, pytest could not load the plugin: the whole suite confirmed it)
    root = write_tree(tmp_path / "proj", {k: v for k, v in PROJECT.items() if k != "pytest.ini"})
    command = f"cd {shlex.quote(str(root))} && PYTHONPATH=. {pytest_cmd(root)}"
    ver = verifier(**mode)
    v = ver.verify(task_for(root, command), Edit(files={"calc.py": CALC_FIXED}), "m")
    assert v.verdict == "pass" and v.counted, v.detail
    assert v.detail == "3 passed, 0 failed (before: 2 passed, 1 failed)" + CONFIRMED
    only = frozenset({ADD})
    assert _sorted(ran) == _sorted(
        [(False, None, ALL), (True, None, ALL), (False, only, only), (True, only, only)]
    )


@pytest.mark.parametrize("mode", MODES)
def test_a_command_that_drops_the_pythonpath_falls_back_to_the_whole_suite(
    tmp_path: Path, mode: dict[str, object], ran: list[Ran]
) -> None:
    # our plugin's folder is on PYTHONPATH, which the command drops (python -m puts the
    # project's folder on the path): pytest cannot load the plugin (a usage error, no
    # report), so the whole suite confirms the fix
    root = write_tree(tmp_path / "proj", {k: v for k, v in PROJECT.items() if k != "pytest.ini"})
    command = f"cd {shlex.quote(str(root))} && env --unset=PYTHONPATH {pytest_cmd(root)}"
    ver = verifier(**mode)
    v = ver.verify(task_for(root, command), Edit(files={"calc.py": CALC_FIXED}), "m")
    assert v.verdict == "pass" and v.counted, v.detail
    assert CONFIRMED_WHOLE in v.detail, v.detail  # (the line tracer cannot load either)
    only = frozenset({ADD})
    assert [r[2] for r in ran if r[1] == only] == [None, None]  # no report of the pair
    # the next edit that fixes it: the cached run of it alone cannot confirm, so it is
    # not run alone with the edit; the whole suite's second baseline is cached too
    ran.clear()
    v = ver.verify(task_for(root, command), Edit(files={"calc.py": CALC_FIXED + "\n"}), "m")
    assert CONFIRMED_WHOLE in v.detail, v.detail  # (the line tracer cannot load either)
    assert [r[:2] for r in ran] == [(True, None), (True, None)] and ver.baseline_runs == 3


PARAMS = """\
import pytest

from calc import add, mul


@pytest.mark.parametrize(
    ("a", "b"), [(2, 3), (1, 1), (4, 5), (7, 0)], ids=["a::b", "x[1]", "sp ace/é", "zero"]
)
def test_p(a, b):
    assert add(a, b) == a + b


@pytest.mark.parametrize("n", range(4))
def test_mul(n):
    assert mul(n, 1) == n


class TestOuter:
    class TestInner:
        def test_n(self):
            assert add(1, 2) == 3
"""


@pytest.mark.parametrize("mode", MODES)
def test_parametrised_ids_with_special_characters_and_nested_classes_are_selected(
    tmp_path: Path, mode: dict[str, object], ran: list[Ran]
) -> None:
    root = write_tree(
        tmp_path / "proj",
        {"calc.py": CALC, "tests/test_p.py": PARAMS, "pytest.ini": "[pytest]\npythonpath = .\n"},
    )
    v = verifier(**mode).verify(
        task_for(root, pytest_cmd(root)), Edit(files={"calc.py": CALC_FIXED}), "m"
    )
    assert v.verdict == "pass" and v.counted, v.detail
    assert v.detail.endswith(
        "; confirmed by a second run of the fixed tests with and without the edit"
    )
    fixed = frozenset(
        {
            "tests/test_p.py::test_p[a::b]",
            "tests/test_p.py::test_p[x[1]]",
            "tests/test_p.py::test_p[sp ace/\\xe9]",  # pytest escapes what is not ASCII
            "tests/test_p.py::TestOuter::TestInner::test_n",
        }
    )
    assert sorted((r[1], r[2]) for r in ran if r[1] is not None) == [(fixed, fixed)] * 2


@pytest.mark.parametrize("mode", MODES)
def test_with_xdist_in_the_command_the_fixed_test_alone_confirms(
    tmp_path: Path, mode: dict[str, object], ran: list[Ran]
) -> None:
    root = write_tree(tmp_path / "proj", PROJECT)
    command = pytest_cmd(root, "-p", "xdist.plugin", "-n", "2")
    v = verifier(**mode).verify(task_for(root, command), Edit(files={"calc.py": CALC_FIXED}), "m")
    assert v.verdict == "pass" and v.detail.endswith(CONFIRMED), v.detail
    only = frozenset({ADD})
    assert sorted(r[2] for r in ran if r[1] is not None) == [only, only]  # type: ignore[type-var]


# --------------------------------------------------------------------------- the rules


def run(code: int = 0, **outcomes: str) -> TestRun:
    return TestRun(exit_code=code, outcomes=dict(outcomes), expects_report=True)


B1, A1 = run(1, a=P, b=F, c=P), run(0, a=P, b=P, c=P)
FIRST = judge(B1, A1)
FIXED = fixed_tests(B1, A1)


def test_a_pair_that_agrees_confirms() -> None:
    assert FIXED == {"b"}
    v = confirm_subset(FIRST, FIXED, B1, (run(1, b=F), run(0, b=P)), judge)
    assert v is not None and v.verdict == "pass" and v.counted
    assert (
        v.detail
        == f"{FIRST.detail}; confirmed by a second run of the fixed test with and without the edit"
    )


@pytest.mark.parametrize(
    "pair",
    [
        (run(0, b=P), run(0, b=P)),  # passes alone without the edit
        (run(1, b=F), run(1, b=F)),  # fails alone with it
        (run(1, b=F), run(0, b=P, a=P)),  # ran more than asked (the plugin not loaded)
        (run(5), run(5)),  # ran nothing: no test of that id
        (TestRun(exit_code=4, expects_report=True), run(0, b=P)),  # no report
        (run(2, b=F), run(0, b=P)),  # interrupted
        (run(1, b=F), TestRun(exit_code=None, outcomes={"b": P}, timed_out=True)),
        (run(1, b=F), TestRun(exit_code=0, outcomes={"b": P}, wrote={"tests/t.py": "wrote"})),
        (run(1, b=F), run(3, b=P)),  # every test passed, the run did not
    ],
    ids=[
        "passes-before",
        "fails-after",
        "more-tests",
        "no-tests",
        "no-report",
        "interrupted",
        "timed-out",
        "wrote-a-test",
        "exit-code",
    ],
)
def test_a_pair_that_cannot_confirm_leaves_it_to_the_whole_suite(
    pair: tuple[TestRun, TestRun],
) -> None:
    assert confirm_subset(FIRST, FIXED, B1, pair, judge) is None


def test_only_pytest_commands_are_selected_and_not_when_they_stop_early() -> None:
    def plan(command: str):
        return plan_command(command, "/out")

    py = f"{shlex.quote(sys.executable)} -m pytest -q tests"
    assert selectable(plan(py), 3)
    assert selectable(plan(f"cd x && {py} -n 4 -k add"), 3)
    assert selectable(plan(f"{py} -x"), 1)  # one test: stopping at it changes nothing
    assert not selectable(plan(f"{py} -x"), 2)
    assert not selectable(plan(f"{py} --maxfail=1"), 2)
    assert not selectable(plan("go test ./..."), 1)
    assert not selectable(plan("make test"), 1)
    assert not selectable(plan(f"{sys.executable} -m unittest"), 1)


def test_a_subset_is_worth_it_for_at_most_half_the_suite() -> None:
    after = run(0, a=P, b=P, c=P, d=P)
    assert worth(frozenset({"a"}), after) and worth(frozenset({"a", "b"}), after)
    assert not worth(frozenset({"a", "b", "c"}), after)
    assert not worth(frozenset(), after)


def test_each_subset_has_its_own_cached_baseline() -> None:
    one, two = subset_key("k", frozenset({"a"})), subset_key("k", frozenset({"a", "b"}))
    assert one != two and one.startswith("k-again-") and one != "k-again"
    assert subset_key("k", frozenset({"b", "a"})) == two
