"""A verdict whose tests never ran the edit (``Verdict.untested``: they imported another
copy of the edited code) stops the request after that model: every other model's edit
would go untested the same way; nothing is learned against the model."""

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
