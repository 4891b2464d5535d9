"""Set-up failures are not held against models: through the production wiring
(``build_editor_app``: real litellm gateway, real policy with the bundled priors, real
tinydb memory) against the fake OpenAI server on 127.0.0.1 and a closed port.

For each set-up failure the attempt has ``counted: false`` in the result, the memory
file, the export and the history; the model's expected score in the policy does not
move (also after a fresh start that replays the memory file); the why says why.  A
provider's refusal of the request (a content filter) is the control: it counts and does
move the score.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from acrouter.app import EditorApp, PriorStore
from acrouter.context import build_task
from acrouter.domain import Document
from acrouter.lsp.convert import history_json, result_json
from acrouter.memory import TinyDBMemory

from tests.fakes.openai_server import Behaviour, FakeOpenAI
from tests.gateway.conftest import ProductionApp

KEY = "sk-blame-test-0123456789"
INSTRUCTION = "Fix the bug in add"
PRIORS = PriorStore()  # the bundled priors, loaded once for the module


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as server:
        server.behaviours["strong-m"] = Behaviour(
            reply="```python\ndef add(a, b):\n    return a + b\n```"
        )
        yield server


def closed_port_url() -> str:
    with FakeOpenAI() as gone:
        return gone.base_url  # nothing listens there once the server stopped


def models(cheap: dict[str, Any], fake: FakeOpenAI) -> list[dict[str, Any]]:
    return [
        {"name": "cheap", "benchmarkModel": "claude-opus-4-6", **cheap},
        {
            "name": "strong",
            "model": "openai/strong-m",
            "apiBase": fake.base_url,
            "apiKeyEnv": "ACR_KEY",
            "benchmarkModel": "MiniMax-M2.7",
        },
    ]


def priced_cheap(fake: FakeOpenAI) -> dict[str, Any]:
    """The cheap model on the fake server, at $2 / $8 per million tokens."""
    return {
        "model": "openai/cheap-m",
        "apiKeyEnv": "ACR_KEY",
        "apiBase": fake.base_url,
        "inputCostPer1M": 2.0,
        "outputCostPer1M": 8.0,
    }


def app_for(production_app: ProductionApp, cheap: dict[str, Any], fake: FakeOpenAI) -> EditorApp:
    return production_app(
        models(cheap, fake), env={"ACR_KEY": KEY}, request_timeout_s=10, priors=PRIORS
    )


def document(tmp_path: Path) -> Document:
    target = tmp_path / "proj" / "calc.py"
    target.parent.mkdir(exist_ok=True)
    target.write_text("def add(a, b):\n    return a - b\n")
    # tests, so that the pre-flight (test command, the run without the edit) lets it through
    (target.parent / "conftest.py").write_text("")
    (target.parent / "test_calc.py").write_text(
        "from calc import add\n\ndef test_add():\n    assert add(2, 3) == 5\n"
    )
    return Document(uri=target.as_uri(), path=str(target), text=target.read_text())


def expected_score(app: EditorApp, doc: Document, model: str = "cheap") -> float:
    task = build_task(doc, INSTRUCTION, folders=[Path(doc.path).parent])
    decision = app.policy().plan(task, ("cheap", "strong"), ())
    return next(c.expected_score for c in decision.candidates if c.model == model)


def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"a network connection was attempted: {args!r}")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)


# What OpenAI answers when the account has no credit left (a 429, but no rate limit), and
# Anthropic when the credit balance is spent.
OPENAI_QUOTA = {
    "error": {
        "message": "You exceeded your current quota, please check your plan and billing details.",
        "type": "insufficient_quota",
        "param": None,
        "code": "insufficient_quota",
    }
}
ANTHROPIC_CREDIT = {
    "type": "error",
    "error": {
        "type": "invalid_request_error",
        "message": "Your credit balance is too low to access the Anthropic API. Please go to "
        "Plans & Billing to upgrade or purchase credits.",
    },
}

UNSUPPORTED_ROLE = {
    "error": {
        "message": "Unsupported value: 'messages[0].role' does not support 'system' with this "
        "model.",
        "type": "invalid_request_error",
        "param": "messages[0].role",
        "code": "unsupported_value",
    }
}

SETUP_FAILURES = {
    # id: (cheap's model entry (fake = the fake server's URL), the fake's behaviour, reason shown)
    "gateway-key-no-db": (
        {"apiBase": "fake"},
        Behaviour(proxy_error="no_db"),
        "the gateway rejected the key (400: No connected db.)",
    ),
    "gateway-bad-token": (
        {"apiBase": "fake"},
        Behaviour(proxy_error="invalid_token"),
        "the gateway rejected the key (401: Authentication Error",
    ),
    "gateway-budget": ({"apiBase": "fake"}, Behaviour(proxy_error="budget"), "budget exceeded at "),
    # the provider account's money is spent: a billing set-up, not the model (and no retry)
    "openai-insufficient-quota": (
        {"apiBase": "fake"},
        Behaviour(status=429, body=json.dumps(OPENAI_QUOTA)),
        "the account's quota or credit is used up at http://127.0.0.1:",
    ),
    "anthropic-credit-balance": (
        {"apiBase": "fake"},
        Behaviour(status=400, body=json.dumps(ANTHROPIC_CREDIT)),
        "the account's quota or credit is used up at http://127.0.0.1:",
    ),
    # the provider refuses the request itself as invalid for this model: the request's
    # shape (a role, a parameter), not an answer of the model
    "provider-400-invalid-request": (
        {"apiBase": "fake"},
        Behaviour(status=400, body=json.dumps(UNSUPPORTED_ROLE)),
        "the provider refused the request as invalid (400: Unsupported value",
    ),
    "payment-required-402": (
        {"apiBase": "fake"},
        Behaviour(status=402, body=json.dumps({"error": {"message": "Insufficient Balance"}})),
        "the account's quota or credit is used up at http://127.0.0.1:",
    ),
    "unreachable": ({"apiBase": "closed"}, None, "cannot reach http://127.0.0.1:"),
    "key-env-unset": (
        {"apiBase": "fake", "apiKeyEnv": "ACR_UNSET_KEY"},
        None,
        "no API key: environment variable ACR_UNSET_KEY is not set",
    ),
    "litellm-missing-key": (
        {"model": "openai/gpt-4o-mini", "apiKeyEnv": None, "apiBase": None},
        None,
        "no API key: set OPENAI_API_KEY",
    ),
}


@pytest.mark.parametrize("case", list(SETUP_FAILURES))
def test_a_setup_failure_is_shown_stored_exported_and_never_learned(
    tmp_path: Path,
    production_app: ProductionApp,
    fake: FakeOpenAI,
    monkeypatch: pytest.MonkeyPatch,
    case: str,
) -> None:
    entry, behaviour, reason = SETUP_FAILURES[case]
    cheap: dict[str, Any] = {"model": "openai/cheap-m", "apiKeyEnv": "ACR_KEY"}
    cheap.update({k: v for k, v in entry.items() if v is not None})
    for k in [k for k, v in entry.items() if v is None]:
        cheap.pop(k, None)
    if cheap.get("apiBase") == "fake":
        cheap["apiBase"] = fake.base_url
    elif cheap.get("apiBase") == "closed":
        cheap["apiBase"] = closed_port_url()
    else:  # no apiBase: litellm would talk to api.openai.com; it must stop before that
        for name in ("OPENAI_API_KEY", "OPENAI_ADMIN_KEY", "OPENAI_BASE_URL", "OPENAI_API_BASE"):
            monkeypatch.delenv(name, raising=False)
        no_network(monkeypatch)
    if behaviour is not None:
        fake.behaviours["cheap-m"] = behaviour
    app = app_for(production_app, cheap, fake)
    doc = document(tmp_path)
    before = expected_score(app, doc)

    results = [app.route(doc, INSTRUCTION, folders=[Path(doc.path).parent]) for _ in range(3)]
    if behaviour is not None:  # one call per request: a set-up failure is never retried
        assert len(fake.chat_requests("cheap-m")) == 3

    for result in results:
        [attempt] = result.attempts
        assert attempt.model == "cheap" and attempt.verdict == "error" and not attempt.counted
        assert reason in attempt.detail, attempt.detail
        shown = result_json(result, None)["attempts"][0]
        assert shown["counted"] is False
        assert "not held against cheap: " in result.why and reason in result.why
        assert "No model is at fault here" in result.why
        assert KEY not in json.dumps(result_json(result, None))
    # the policy learned nothing about cheap: same expected score, now and after a restart
    assert expected_score(app, doc) == pytest.approx(before, abs=1e-12)
    fresh = app_for(production_app, cheap, fake)
    assert expected_score(fresh, doc) == pytest.approx(before, abs=1e-12)
    # memory, export and history carry counted: false
    memory = TinyDBMemory(tmp_path / "memory.json")
    assert [a.counted for o in memory.outcomes() for a in o.attempts] == [False] * 3
    exported = memory.export()
    assert [a["counted"] for r in exported["records"] for a in r["attempts"]] == [False] * 3
    assert all(a["counted"] is False for o in app.history() for a in history_json(o)["attempts"])
    assert exported["aggregates"] == []
    assert KEY not in (tmp_path / "memory.json").read_text()


CONTENT_FILTER = {
    "error": {
        "message": "The response was filtered due to the prompt triggering the content "
        "management policy.",
        "type": None,
        "param": "prompt",
        "code": "content_filter",
    }
}


def test_a_provider_failure_counts_and_moves_the_score(
    tmp_path: Path, production_app: ProductionApp, fake: FakeOpenAI
) -> None:
    """The control: the same path with a model-side failure learns it (a content
    filter's refusal of this request; a 5xx is the provider's passing trouble, see
    test_passing_failures)."""
    fake.behaviours["cheap-m"] = Behaviour(status=400, body=json.dumps(CONTENT_FILTER))
    cheap = {"model": "openai/cheap-m", "apiKeyEnv": "ACR_KEY", "apiBase": fake.base_url}
    app = app_for(production_app, cheap, fake)
    doc = document(tmp_path)
    before = expected_score(app, doc)
    result = app.route(doc, INSTRUCTION, folders=[Path(doc.path).parent])
    [attempt] = result.attempts
    assert attempt.counted and attempt.detail.startswith("provider_error: 400 Bad Request")
    assert result_json(result, None)["attempts"][0]["counted"] is True
    assert "not held against" not in result.why
    assert expected_score(app, doc) < before - 1e-6
    assert (
        TinyDBMemory(tmp_path / "memory.json").export()["records"][0]["attempts"][0]["counted"]
        is True
    )


def test_an_empty_reply_counts_and_costs_what_the_provider_billed(
    tmp_path: Path, production_app: ProductionApp, fake: FakeOpenAI
) -> None:
    """A 200 reply without a usable message is the model's failure, and the prompt was
    paid for: its cost is what its usage says, not $0 (which would teach the router that
    the model is free)."""
    fake.behaviours["cheap-m"] = Behaviour(reply="", prompt_tokens=4000, completion_tokens=50)
    app = app_for(production_app, priced_cheap(fake), fake)
    doc = document(tmp_path)
    result = app.route(doc, INSTRUCTION, folders=[Path(doc.path).parent])
    [attempt] = result.attempts
    assert attempt.verdict == "error" and attempt.counted and "empty reply" in attempt.detail
    billed = (4000 * 2.0 + 50 * 8.0) / 1_000_000
    assert attempt.cost_usd == pytest.approx(billed)
    assert result.cost_usd == pytest.approx(billed)
    [stored] = TinyDBMemory(tmp_path / "memory.json").outcomes()
    assert stored.attempts[0].cost_usd == pytest.approx(billed)


def test_a_reply_cut_at_the_output_limit_is_never_offered(
    tmp_path: Path, production_app: ProductionApp, fake: FakeOpenAI
) -> None:
    """A reply the provider cut off (``finish_reason: length``) is the model's failure,
    billed, even when what arrived parses and passes: here its one whole SEARCH/REPLACE
    block fixes ``add`` and the tests pass with it, but the blocks it was cut before are
    lost, and an edit the model did not finish is not offered as verified."""
    fake.behaviours["cheap-m"] = Behaviour(
        reply=(
            "calc.py\n```python\n<<<<<<< SEARCH\n    return a - b\n=======\n"
            "    return a + b\n>>>>>>> REPLACE\n```\n\nNow the tests:\n\ntest_calc.py\n"
        ),
        finish_reason="length",
        prompt_tokens=4000,
        completion_tokens=50,
    )
    app = app_for(production_app, priced_cheap(fake), fake)
    doc = document(tmp_path)
    result = app.route(doc, INSTRUCTION, folders=[Path(doc.path).parent])
    cut = result.attempts[0]
    assert cut.model == "cheap" and cut.verdict == "error" and cut.counted
    assert (
        cut.detail
        == "bad_reply: reply cut short at the model's output limit (finish_reason: length)"
    )
    assert cut.cost_usd == pytest.approx((4000 * 2.0 + 50 * 8.0) / 1_000_000)
    assert not (result.verified and result.final_model == "cheap")
    stored = TinyDBMemory(tmp_path / "memory.json").outcomes()[0]
    assert stored.attempts[0].verdict == "error" and stored.attempts[0].counted
