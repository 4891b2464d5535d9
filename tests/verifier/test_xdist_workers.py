"""pytest-xdist's own ways, with the real sandboxed verifier: the tests run in workers
(``-n 2``, ``-n auto`` and its ``PYTEST_XDIST_AUTO_NUM_WORKERS``, ``--dist loadfile``,
``addopts``), the code under test rewriting the reports a worker sends the controller
(execnet's channel), workers the code makes leave, and the changed lines a crashed
worker saw.  :mod:`.test_xdist` runs the other end-to-end tests again under xdist."""

from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path
from typing import Any

import pytest
from acrouter.domain import Edit
from acrouter.verifier.harness_py import harness_uses
from acrouter.verifier.lines import CUT

from . import helpers
from .helpers import CALC, CALC_PROJECT, TEST_CALC, needs_bwrap, write_tree
from .test_xdist import STARTED, XDIST, outputs, with_addopts

pytestmark = needs_bwrap
__all__ = ["outputs"]  # (the fixture, for the tests below)


#: the tests check that they run in one of xdist's workers
IN_A_WORKER = (
    "import os\n\n\ndef test_in_a_worker():\n"
    "    assert os.environ.get('PYTEST_XDIST_WORKER', '').startswith('gw')\n"
)

#: every report a worker sends the controller rewritten to "passed" on its way, from the
#: code under test: execnet's channel (which the tripwire did not know), xdist's worker
CHANNEL_FORGED = """\
import sys

_gb = sys.modules.get("execnet.gateway_base")
if _gb is not None:
    _send = _gb.Channel.send

    def _forged(self, item):
        if isinstance(item, tuple) and item[0] == "test" + "report":
            item[1]["data"]["outcome"] = "passed"
            item[1]["data"]["longrepr"] = None
        return _send(self, item)

    _gb.Channel.send = _forged
"""
#: the same through the package's name
EXECNET_FORGED = CHANNEL_FORGED.replace(
    '_gb = sys.modules.get("execnet.gateway_base")\nif _gb is not None:',
    "import execnet\n\n_gb = execnet.gateway_base\nif True:",
)
#: ... and xdist's worker, found among pytest's plugins through the garbage collector
SENDEVENT_FORGED = """\
import gc

for _w in gc.get_objects():
    if type(_w).__name__ == "Worker" + "Interactor":
        _send = type(_w).sendevent

        def _forged(self, name, **kw):
            if name == "test" + "report":
                kw["data"]["outcome"] = "passed"
                kw["data"]["longrepr"] = None
            return _send(self, name, **kw)

        type(_w).sendevent = _forged
"""
#: the code under test leaves xdist's workers as they import it
WORKER_EXIT = "import os\n\nif os.environ.get('PYTEST_XDIST_WORKER'):\n    os._exit(0)\n"


def _xdist_project(root: Path, way: str) -> Path:
    files = {**CALC_PROJECT, "tests/test_worker.py": IN_A_WORKER}
    return write_tree(root, with_addopts(files) if way == "addopts" else files)


def _task(root: Path, way: str, options: str = XDIST) -> Any:
    pytest_ = f"{shlex.quote(sys.executable)} -m pytest -q"
    command = f"{pytest_} {options if way == 'command' else ''} {shlex.quote(str(root / 'tests'))}"
    return helpers.task_for(root, command)


WAYS = pytest.mark.parametrize("way", ["command", "addopts"])


@pytest.mark.parametrize(
    ("way", "options"),
    [
        ("command", XDIST),
        ("command", "-p xdist -n auto"),
        ("command", "-p xdist -n 2 --dist loadfile"),
        ("addopts", XDIST),
    ],
)
def test_the_projects_tests_run_in_xdist_workers(
    tmp_path: Path, way: str, options: str, outputs: list[str]
) -> None:
    root = _xdist_project(tmp_path / "proj", way)
    v = helpers.verifier().verify(
        _task(root, way, options), Edit(files={"calc.py": helpers.CALC_FIXED}), "m"
    )
    assert v.verdict == "pass", v.detail
    assert v.detail == "3 passed, 0 failed (before: 2 passed, 1 failed)" + helpers.CONFIRMED
    assert outputs and all(STARTED in out for out in outputs)
    wrong = helpers.CALC.replace("a - b", "a * b")
    v = helpers.verifier().verify(_task(root, way, options), Edit(files={"calc.py": wrong}), "m")
    assert v.verdict == "fail" and v.counted, v.detail
    assert v.detail.startswith("1 failing test: tests/test_calc.py::test_add (assert 6 == 5)")


@WAYS
@pytest.mark.parametrize("cheat", [CHANNEL_FORGED, EXECNET_FORGED], ids=["sys.modules", "import"])
def test_the_code_under_test_rewriting_the_workers_reports_is_not_verified(
    tmp_path: Path, way: str, cheat: str
) -> None:
    # add stays broken; every report the workers sent the controller was rewritten to
    # "passed" on its way through execnet's channel, and the controller's report said
    # so: verified ('3 passed, 0 failed (before: 2 passed, 1 failed); confirmed ...')
    root = _xdist_project(tmp_path / "proj", way)
    v = helpers.verifier().verify(_task(root, way), Edit(files={"calc.py": cheat + CALC}), "m")
    assert v.verdict == "fail" and not v.counted, v.detail
    assert v.detail.startswith("calc.py (not one of the tests' files) reaches into the test")


def test_xdists_worker_found_through_the_garbage_collector_is_seen_by_its_method(
    tmp_path: Path,
) -> None:
    # the tripwire reads names: the worker's class name built at run time is not seen,
    # but the method rewritten (sendevent) is; one whose every name is built at run time
    # is not (docs/verification.md, "What verifying lets through"), with or without xdist
    assert "uses sendevent" in " ".join(harness_uses(SENDEVENT_FORGED))
    root = _xdist_project(tmp_path / "proj", "command")
    edit = Edit(files={"calc.py": SENDEVENT_FORGED + CALC})
    v = helpers.verifier().verify(_task(root, "command"), edit, "m")
    assert v.verdict == "fail" and not v.counted, v.detail


@WAYS
def test_the_code_under_test_leaving_the_workers_is_not_a_pass(tmp_path: Path, way: str) -> None:
    # at import (the workers collect the tests) and while a test runs: xdist reports
    # the tests that never ran as not run, the one running as failed ("crashed")
    root = _xdist_project(tmp_path / "proj", way)
    task = _task(root, way)
    edit = Edit(files={"calc.py": WORKER_EXIT + helpers.CALC_FIXED})
    v = helpers.verifier().verify(task, edit, "m")
    assert v.verdict == "fail" and v.counted, v.detail
    assert v.detail.startswith("no test ran: tests/test_calc.py::test_add, "), v.detail
    crash = helpers.CALC_FIXED.replace("return a + b", "import os\n    os._exit(0)")
    v = helpers.verifier().verify(task, Edit(files={"calc.py": crash}), "m")
    assert v.verdict == "fail" and v.counted, v.detail
    assert "worker 'gw" in v.detail and "crashed while running" in v.detail, v.detail


def test_the_number_of_workers_auto_starts_is_the_users(tmp_path: Path) -> None:
    # PYTEST_XDIST_AUTO_NUM_WORKERS (what `-n auto` starts) did not reach the tests: the
    # environment is an allowlist, and it was not on it (one per core instead)
    root = _xdist_project(tmp_path / "proj", "command")
    count = "import os\n\n\ndef test_count():\n    assert os.environ['PYTEST_XDIST_WORKER_COUNT'] == '5'\n"
    (root / "tests" / "test_count.py").write_text(count)
    env = dict(os.environ, PYTEST_XDIST_AUTO_NUM_WORKERS="5")
    task = _task(root, "command", "-p xdist -n auto")
    v = helpers.verifier(env=env).verify(task, Edit(files={"calc.py": helpers.CALC_FIXED}), "m")
    assert v.verdict == "pass", v.detail
    assert v.detail.startswith("4 passed, 0 failed (before: 3 passed, 1 failed)"), v.detail


def test_the_lines_a_crashed_worker_ran_are_not_said_unrun(tmp_path: Path) -> None:
    # one worker runs test_add (the fixed line), then test_zboom, which fails before the
    # edit and makes the worker leave after it (xdist starts another): the lines that
    # worker saw were never written, and the pass said "no test ran 3 of the 3
    # statements the edit changes: calc.py lines 2, 10, 12" (test_add had run line 2)
    calc = CALC + "\n\ndef boom():\n    return 1\n"
    tests = (
        TEST_CALC + "\n\ndef test_zboom():\n    from calc import boom\n\n    assert boom() == 2\n"
    )
    files = {
        "calc.py": calc,
        "tests/test_calc.py": tests,
        "pytest.ini": "[pytest]\npythonpath = .\n",
    }
    root = write_tree(tmp_path / "proj", files)
    leaves = calc.replace("a - b", "a + b").replace(
        "    return 1\n", "    import os\n\n    os._exit(1)\n"
    )
    task = _task(root, "command", "-p xdist -n 1")
    v = helpers.verifier().verify(task, Edit(files={"calc.py": leaves}), "m")
    assert v.verdict == "pass", v.detail
    assert v.detail.startswith("fixed 1 of 2 failing tests; 2 passed, 1 failed (before: 1 passed")
    assert v.unrun == CUT and v.detail.endswith(CUT), v.detail
