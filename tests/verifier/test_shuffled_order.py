"""A suite whose order changes every run (pytest-randomly): the run without the edit, the
run with it and the confirmation's runs of the fixed test alone each run the tests in
another order, with ``random`` reseeded from another seed.  A fix is still confirmed by
the fixed test alone, and a wrong edit still fails.

pytest-randomly is not among the repository's dependencies: a conftest stands in for it,
with its algorithm (pytest-randomly 5.1: a seed drawn anew every run, test modules,
classes and tests sorted by a CRC of the seed and their names, ``random.seed`` before
every test from the seed and the test's id).  Measured on a real project with
pytest-randomly: apig-wsgi in ``benchmarks/real_projects.py``.
"""

from __future__ import annotations

import zlib
from pathlib import Path

import pytest
from acrouter.domain import Edit
from acrouter.verifier import ProjectVerifier, TestRun

from .helpers import (
    CALC,
    CALC_FIXED,
    CONFIRMED,
    OVERLAY_AND_NONE,
    pytest_cmd,
    task_for,
    verifier,
    write_tree,
)

#: pytest-randomly's reordering and reseeding, from a seed drawn every run; ``WHEN``
#: says whether it reorders before the other plugins' hooks (pytest-randomly 5.1: before
#: the wrapper's yield) or after them (a plugin that sorts last: after our selection of
#: the fixed tests too)
STAND_IN = """\
import os
import random
import zlib

import pytest

WHEN = "{when}"


def _crc(text):
    return zlib.crc32(text.encode())


def pytest_configure(config):
    config.shuffle_seed = int.from_bytes(os.urandom(4), "little")


def _shuffle(config, items):
    seed = config.shuffle_seed
    items.sort(key=lambda item: _crc(f"{{seed}}::{{item.nodeid}}"))


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_collection_modifyitems(config, items):
    if WHEN == "before":
        _shuffle(config, items)
    result = yield
    if WHEN == "after":
        _shuffle(config, items)
    return result


def pytest_runtest_call(item):
    random.seed(item.config.shuffle_seed + _crc(item.nodeid))
"""

TESTS = """\
import random

from calc import add, mul


def test_add():
    assert add(2, 3) == 5


def test_mul():
    assert mul(2, 3) == 6


def test_mul_zero():
    assert mul(7, 0) == 0


def test_shuffled(request):
    # the stand-in ran in this run: its seed is set and random draws from it
    assert isinstance(request.config.shuffle_seed, int)
    assert 0 <= random.random() < 1
"""

ADD = "tests/test_calc.py::test_add"
SHUFFLED = "tests/test_calc.py::test_shuffled"
ALL = {ADD, "tests/test_calc.py::test_mul", "tests/test_calc.py::test_mul_zero", SHUFFLED}


@pytest.mark.parametrize("mode", OVERLAY_AND_NONE)
@pytest.mark.parametrize("when", ["before", "after"])
def test_a_fix_is_confirmed_and_a_wrong_edit_fails_whatever_the_order(
    tmp_path: Path, mode: dict[str, object], when: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    runs: list[TestRun] = []
    run_once = ProjectVerifier._run_once

    def spy(self: ProjectVerifier, *args: object, **kw: object) -> TestRun:
        result = run_once(self, *args, **kw)  # type: ignore[arg-type]
        runs.append(result)
        return result

    monkeypatch.setattr(ProjectVerifier, "_run_once", spy)
    root = write_tree(
        tmp_path / "proj",
        {
            "calc.py": CALC,
            "tests/test_calc.py": TESTS,
            "conftest.py": STAND_IN.format(when=when),
            "pytest.ini": "[pytest]\npythonpath = .\n",
        },
    )
    ver = verifier(**mode)
    task = task_for(root, pytest_cmd(root))
    v = ver.verify(task, Edit(files={"calc.py": CALC_FIXED}), "m")
    assert v.verdict == "pass" and v.counted, v.detail
    assert v.detail == "4 passed, 0 failed (before: 3 passed, 1 failed)" + CONFIRMED
    # every run ran the stand-in (test_shuffled passed); the pair of the fixed test
    # alone ran it alone
    assert [set(r.outcomes or {}) for r in runs if len(r.outcomes or {}) != 1] == [ALL, ALL]
    assert [set(r.outcomes or {}) for r in runs if len(r.outcomes or {}) == 1] == [{ADD}] * 2
    assert all((r.outcomes or {}).get(SHUFFLED, "passed") == "passed" for r in runs)
    # wrong edits: add still wrong; add fixed and mul broken
    v = ver.verify(task, Edit(files={"calc.py": CALC.replace("a - b", "a - b + 1")}), "m")
    assert v.verdict == "fail" and v.counted, v.detail
    wrong_mul = CALC_FIXED.replace("a * b", "a * b + 1")
    v = ver.verify(task, Edit(files={"calc.py": wrong_mul}), "m")
    assert v.verdict == "fail" and v.counted, v.detail
    assert "test_mul" in v.detail, v.detail


# --------------------------------------------------------------------------- order-dependent

#: the stand-in with its seed from $SHUFFLE_SEED (each run's, set by the test below)
SEEDED = STAND_IN.format(when="before").replace(
    'int.from_bytes(os.urandom(4), "little")', 'int(os.environ["SHUFFLE_SEED"])'
)
#: add's test passes unless test_pollute ran before it (it leaves ``scale`` at 0)
ORDERED = {
    "calc.py": 'STATE = {"scale": 1}\n\n\ndef add(a, b):\n    return (a + b) * STATE["scale"]\n',
    "tests/test_calc.py": (
        "import calc\n\n\ndef test_pollute():\n    calc.STATE['scale'] = 0\n\n\n"
        "def test_add():\n    assert calc.add(2, 3) == 5\n\n\n"
        "def test_one():\n    assert 1 == 1\n"
    ),
    "conftest.py": SEEDED,
    "pytest.ini": "[pytest]\npythonpath = .\n",
}


def _seed(pollute_first: bool) -> int:
    """A seed whose order (the stand-in's) runs test_pollute before test_add or not."""

    def key(seed: int, name: str) -> int:
        return zlib.crc32(f"{seed}::tests/test_calc.py::{name}".encode())

    return next(
        s for s in range(1000) if (key(s, "test_pollute") < key(s, "test_add")) == pollute_first
    )


@pytest.mark.parametrize("mode", OVERLAY_AND_NONE)
def test_a_harmless_edit_is_not_blamed_for_a_test_that_failed_by_its_order(
    tmp_path: Path, mode: dict[str, object], monkeypatch: pytest.MonkeyPatch
) -> None:
    # the run without the edit runs test_add before test_pollute, the run with a comment
    # added after it (test_add fails), and a second run with the edit before it again:
    # the failure came from the order, not from the edit
    seeds = iter([_seed(False), _seed(True), _seed(False), _seed(True), _seed(False)])
    ran: list[tuple[bool, list[str]]] = []
    run_once = ProjectVerifier._run_once

    def spy(self: ProjectVerifier, *args: object, **kw: object) -> TestRun:
        command = f"SHUFFLE_SEED={next(seeds)} {args[0]}"  # (each run its own seed)
        result = run_once(self, command, *args[1:], **kw)  # type: ignore[arg-type]
        ran.append((bool(args[6]), list(result.outcomes or {})))
        return result

    monkeypatch.setattr(ProjectVerifier, "_run_once", spy)
    root = write_tree(tmp_path / "proj", ORDERED)
    ver = verifier(**{**mode, "parallel_baseline": False})  # one run at a time: its seed
    task = task_for(root, pytest_cmd(root), kind="refactoring")
    comment = ORDERED["calc.py"] + "# a harmless comment\n"
    v = ver.verify(task, Edit(files={"calc.py": comment}), "m")
    assert v.verdict == "fail" and not v.counted, v.detail
    assert "broke 1 previously passing test: tests/test_calc.py::test_add" in v.detail
    assert "not held against the model: the tests ran in another order" in v.detail
    add, pollute = "tests/test_calc.py::test_add", "tests/test_calc.py::test_pollute"
    orders = [(edited, names.index(add) < names.index(pollute)) for edited, names in ran]
    assert orders == [(False, True), (True, False), (True, True)]
    # a wrong edit fails in both orders: held against the model
    wrong = ORDERED["calc.py"].replace("(a + b)", "(a - b)")
    v = ver.verify(task, Edit(files={"calc.py": wrong}), "m")
    assert v.verdict == "fail" and v.counted, v.detail
    assert "not held against" not in v.detail and len(ran) == 5


@pytest.mark.parametrize("mode", OVERLAY_AND_NONE)
def test_a_failure_in_the_same_order_is_judged_on_one_run(
    tmp_path: Path, mode: dict[str, object], monkeypatch: pytest.MonkeyPatch
) -> None:
    # every run in the same order (one seed): no second run, the fail is counted
    root = write_tree(tmp_path / "proj", ORDERED)
    ver = verifier(**mode)
    runs: list[bool] = []
    run_once = ProjectVerifier._run_once

    def spy(self: ProjectVerifier, *args: object, **kw: object) -> TestRun:
        runs.append(bool(args[6]))
        return run_once(self, *args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(ProjectVerifier, "_run_once", spy)
    task = task_for(root, f"SHUFFLE_SEED={_seed(False)} {pytest_cmd(root)}", kind="refactoring")
    wrong = ORDERED["calc.py"].replace("(a + b)", "(a - b)")
    v = ver.verify(task, Edit(files={"calc.py": wrong}), "m")
    assert v.verdict == "fail" and v.counted, v.detail
    assert sorted(runs) == [False, True]
