"""What the router knows is what the memory file holds, also when the file changes while
a request runs: another editor window (or ``acrouter complete``) records its outcome, or
the user resets the memory.  Through the production wiring (``build_editor_app``: litellm
against the fake OpenAI server on 127.0.0.1, the sandboxed verifier, the real policy and
tinydb memory); the fake's ``respond`` makes the change in the middle of the model call.

The check: after the request, the window's policy estimates exactly what a fresh start
(which replays the memory file) estimates.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from acrouter.app import EditorApp, PriorStore
from acrouter.context import build_task
from acrouter.domain import Attempt, Document, Outcome
from acrouter.memory import TinyDBMemory

from tests.fakes.openai_server import Behaviour, FakeOpenAI
from tests.gateway.conftest import ProductionApp
from tests.gateway.test_blame import document

KEY = "sk-sync-test-0123456789"
INSTRUCTION = "Fix the bug in add"
FIX = "```python\ndef add(a, b):\n    return a + b\n```"
PRIORS = PriorStore()


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as server:
        yield server


def window(production_app: ProductionApp, fake: FakeOpenAI) -> EditorApp:
    """One editor window's app: one model, ``cheap``, on the fake server."""
    cheap = {
        "name": "cheap",
        "model": "openai/cheap-m",
        "apiBase": fake.base_url,
        "apiKeyEnv": "ACR_KEY",
        "benchmarkModel": "claude-opus-4-6",
    }
    return production_app([cheap], env={"ACR_KEY": KEY}, request_timeout_s=10, priors=PRIORS)


def expected_score(app: EditorApp, doc: Document) -> float:
    task = build_task(doc, INSTRUCTION, folders=[Path(doc.path).parent])
    decision = app.policy().plan(task, ("cheap",), ())
    return next(c.expected_score for c in decision.candidates if c.model == "cheap")


def route(app: EditorApp, doc: Document) -> None:
    result = app.route(doc, INSTRUCTION, folders=[Path(doc.path).parent])
    assert [a.model for a in result.attempts] == ["cheap"]


def failed_elsewhere(kind: str) -> Outcome:
    """What another window records: cheap's edit failed the tests there."""
    attempt = Attempt("cheap", "fail", 0.01, 900.0, "0 passed, 1 failed", 0, 1, 0.0)
    return Outcome("elsewhere-1", 2e9, kind, (attempt,), None, False, "why")


def test_an_outcome_another_window_records_during_a_request_is_learned(
    tmp_path: Path, production_app: ProductionApp, fake: FakeOpenAI
) -> None:
    doc = document(tmp_path)
    app = window(production_app, fake)
    expected_score(app, doc)  # the window is in sync with the (empty) memory file
    other = TinyDBMemory(tmp_path / "memory.json")
    kind = build_task(doc, INSTRUCTION, folders=[Path(doc.path).parent]).kind

    def meanwhile(request: dict[str, Any]) -> str:
        other.record(failed_elsewhere(kind))
        return FIX

    fake.behaviours["cheap-m"] = Behaviour(respond=meanwhile)
    route(app, doc)

    assert {o.request_id for o in app.history()} >= {"elsewhere-1"}
    fresh = window(production_app, fake)
    assert expected_score(app, doc) == pytest.approx(expected_score(fresh, doc), abs=1e-12)


def test_a_reset_during_a_request_leaves_nothing_learned_before_it(
    tmp_path: Path, production_app: ProductionApp, fake: FakeOpenAI
) -> None:
    doc = document(tmp_path)
    app = window(production_app, fake)
    fake.behaviours["cheap-m"] = Behaviour(garbage=True)  # counted: the policy learns it
    route(app, doc)
    route(app, doc)
    learned = expected_score(app, doc)

    def reset_meanwhile(request: dict[str, Any]) -> str:
        assert app.reset_memory() == 2
        return FIX

    fake.behaviours["cheap-m"] = Behaviour(respond=reset_meanwhile)
    route(app, doc)

    assert len(app.history()) == 1  # the request that finished after the reset
    fresh = window(production_app, fake)
    assert expected_score(fresh, doc) != pytest.approx(learned, abs=1e-6)
    assert expected_score(app, doc) == pytest.approx(expected_score(fresh, doc), abs=1e-12)


def test_a_request_alone_is_learned_once_without_replaying_the_file(
    tmp_path: Path,
    production_app: ProductionApp,
    fake: FakeOpenAI,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    doc = document(tmp_path)
    app = window(production_app, fake)
    fake.behaviours["cheap-m"] = Behaviour(reply=FIX)
    route(app, doc)  # the first write creates the file
    policy = app.policy()
    replays: list[str] = []
    original = policy.reset_online
    monkeypatch.setattr(policy, "reset_online", lambda: (replays.append("replay"), original()))

    route(app, doc)
    learned = expected_score(app, doc)

    assert replays == []  # the policy learned the outcome as the request ended
    assert len(app.history()) == 2
    assert learned == pytest.approx(expected_score(window(production_app, fake), doc), abs=1e-12)
