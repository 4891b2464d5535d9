"""A verdict whose tests never ran the edit (``Verdict.untested``: they imported another
copy of the edited code) stops the request after that model: every other model's edit
would go untested the same way; nothing is learned against the model.  So does one whose
tests all passed in a command that exits non-zero as it did without the edit
(``Verdict.exit_error``)."""

from __future__ import annotations

from pathlib import Path

from acrouter.context import build_task
from acrouter.domain import Verdict
from acrouter.memory import fold

from .test_core import doc, scripted, sr

SAID = (
    "the tests never ran the edit: they imported .venv/lib/python3.11/site-packages/calc.py "
    "instead of src/calc.py. Install the project into the tests' environment in editable "
    "mode (pip install -e .) or put its source folder on their path, then ask again"
)


def test_an_untested_edit_stops_the_request_and_is_not_held_against_the_model(
    tmp_path: Path,
) -> None:
    untested = Verdict("error", f"{SAID} (2 passed, 0 failed)", counted=False, untested=SAID)
    o, mem = scripted(
        {"a": sr("x"), "b": sr("y")},
        {"a": untested, "b": Verdict("pass", "1 passed", score=1.0)},
        ["a", "b"],
    )
    r = o.run(build_task(doc(tmp_path), "fix", folders=[tmp_path]))
    assert [(a.model, a.verdict, a.counted) for a in r.attempts] == [("a", "error", False)]
    assert not r.verified and r.edit is None
    assert f"Stopped: {SAID}. So a's edit was not verified, and no other model was called" in r.why
    aggs: dict = {}
    fold(aggs, mem.outcomes()[0])
    assert aggs == {}


def test_a_command_that_fails_beyond_its_tests_stops_the_request(tmp_path: Path) -> None:
    # pytest-cov's fail_under missed with the edit as without it: every test passed
    same_exit = Verdict(
        "fail",
        "every reported test passed but the run exited with code 1, as it did without the edit",
        counted=False,
        exit_error="exited with code 1",
    )
    o, mem = scripted(
        {"a": sr("x"), "b": sr("y")},
        {"a": same_exit, "b": Verdict("pass", "1 passed", score=1.0)},
        ["a", "b"],
    )
    r = o.run(build_task(doc(tmp_path), "fix", folders=[tmp_path]))
    assert [(a.model, a.verdict, a.counted) for a in r.attempts] == [("a", "fail", False)]
    assert not r.verified and r.edit is None
    assert (
        "every test passed before the edit and after a's edit, but the test command exited"
        " with code 1 both times" in r.why
    )
    assert "no other model was called" in r.why
    aggs: dict = {}
    fold(aggs, mem.outcomes()[0])
    assert aggs == {}
