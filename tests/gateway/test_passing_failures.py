"""The provider's passing trouble is not learned as the model's weakness: through the
production wiring (``build_editor_app``: real litellm gateway, policy with the bundled
priors, tinydb memory) against the fake OpenAI server on 127.0.0.1.

A rate limit that persists after the one retry, a 5xx / overloaded provider and a first
timeout are recorded with ``counted: false`` (the model's expected score does not move,
also after a restart that replays the memory file), the why says so, and the model cools
down: the app's next requests skip it (the why says until when) and go on to the next
model; when every model is cooling down the request is refused with when each is usable
again.  A timeout that repeats counts.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from acrouter.app import EditorApp
from acrouter.cooldown import Cooldowns
from acrouter.errors import CoolingDown
from acrouter.lsp.convert import result_json
from acrouter.memory import TinyDBMemory

from tests.cli.terminal import acrouter
from tests.fakes.openai_server import Behaviour, FakeOpenAI
from tests.gateway.conftest import ProductionApp
from tests.gateway.test_blame import INSTRUCTION, KEY, PRIORS, document, expected_score, fake

__all__ = ["fake"]  # the fixture: strong-m answers with the right fix

ANTHROPIC_OVERLOADED = {
    "type": "error",
    "error": {"type": "overloaded_error", "message": "Overloaded"},
}

PASSING = {
    # id: (cheap's behaviour, what the why says about the failed call, what the skip says)
    "503-overloaded": (
        Behaviour(status=503),
        "provider error 503 Service Unavailable: The engine is currently overloaded.",
        "provider error 503 Service Unavailable at ",
    ),
    "500": (
        Behaviour(status=500),
        "provider error 500 Internal Server Error",
        "provider error 500 Internal Server Error at ",
    ),
    "502": (Behaviour(status=502), "provider error 502 Bad Gateway", "provider error 502 "),
    "529-anthropic-overloaded": (
        Behaviour(status=529, body=json.dumps(ANTHROPIC_OVERLOADED)),
        "provider error 529 Overloaded: Overloaded",
        "provider error 529 Overloaded at ",
    ),
    "503-retry-after": (
        Behaviour(status=503, retry_after=600),
        "provider error 503 Service Unavailable",
        "(provider asks to wait 600 s); usable again at ",
    ),
    "429-after-one-retry": (
        Behaviour(status=429, retry_after=0.2),
        "rate limited (429 after one retry)",
        "rate limited at ",
    ),
    "429-long-retry-after": (
        Behaviour(status=429, retry_after=30),
        "rate limited (429, provider asks to retry after 30 s)",
        "rate limited at ",
    ),
}


def two_models(fake: FakeOpenAI) -> list[dict[str, Any]]:
    common = {"apiBase": fake.base_url, "apiKeyEnv": "ACR_KEY"}
    return [
        {"name": "cheap", "model": "openai/cheap-m", "benchmarkModel": "claude-opus-4-6", **common},
        {"name": "strong", "model": "openai/strong-m", "benchmarkModel": "MiniMax-M2.7", **common},
    ]


def app_for(
    production_app: ProductionApp, fake: FakeOpenAI, *, attempts: int = 1, timeout_s: float = 10
) -> EditorApp:
    return production_app(
        two_models(fake),
        env={"ACR_KEY": KEY},
        request_timeout_s=timeout_s,
        priors=PRIORS,
        max_attempts=attempts,
    )


def route(app: EditorApp, doc: Any) -> Any:  # a Result
    return app.route(doc, INSTRUCTION, folders=[Path(doc.path).parent])


@pytest.mark.parametrize("case", list(PASSING))
def test_a_passing_failure_is_not_learned_and_the_model_is_skipped_while_it_cools_down(
    tmp_path: Path, production_app: ProductionApp, fake: FakeOpenAI, case: str
) -> None:
    behaviour, said, skip = PASSING[case]
    fake.behaviours["cheap-m"] = behaviour
    app = app_for(production_app, fake)
    doc = document(tmp_path)
    before = expected_score(app, doc)

    first = route(app, doc)  # one attempt: the policy's first choice, cheap
    [attempt] = first.attempts
    assert (attempt.model, attempt.verdict, attempt.counted) == ("cheap", "error", False)
    assert result_json(first, None)["attempts"][0]["counted"] is False
    assert said in first.why and " — not counted against cheap: " in first.why, first.why
    assert "No model is at fault here: the provider failed for a moment" in first.why
    assert "**Cooling down**" in first.why and "- cheap: " in first.why
    # nothing learned against cheap: the same expected score, now and after a restart
    assert expected_score(app, doc) == pytest.approx(before, abs=1e-12)
    assert expected_score(app_for(production_app, fake), doc) == pytest.approx(before, abs=1e-12)
    cheap_calls = len(fake.chat_requests("cheap-m"))

    second = route(app, doc)  # cheap cools down: strong is called instead, and passes
    assert len(fake.chat_requests("cheap-m")) == cheap_calls
    assert [(a.model, a.verdict) for a in second.attempts] == [("strong", "pass")]
    assert second.verified
    assert "- skipped cheap: " in second.why and skip in second.why, second.why

    memory = TinyDBMemory(tmp_path / "memory.json")
    stored = {a.model: a.counted for o in memory.outcomes() for a in o.attempts}
    assert stored == {"cheap": False, "strong": True}
    assert memory.export()["aggregates"] == []
    show = acrouter(tmp_path, "memory", "show")  # ACROUTER_HOME: the memory file above
    assert show.returncode == 0, show.stderr
    assert "attempts: cheap error (not counted: " in show.stdout
    assert "(the provider's passing trouble)" in show.stdout
    assert "skipped, cooling down: cheap (" in show.stdout and skip in show.stdout


def test_the_request_goes_on_to_the_next_model_and_a_reply_ends_the_cooldown(
    tmp_path: Path, production_app: ProductionApp, fake: FakeOpenAI
) -> None:
    fake.behaviours["cheap-m"] = Behaviour(status=503)
    app = app_for(production_app, fake, attempts=2)
    now = [1_000_000.0]
    app.cooldowns = Cooldowns(clock=lambda: now[0])
    doc = document(tmp_path)

    first = route(app, doc)
    assert [(a.model, a.verdict, a.counted) for a in first.attempts] == [
        ("cheap", "error", False),
        ("strong", "pass", True),
    ]
    assert first.verified and "not counted against cheap" in first.why

    now[0] += 59  # within the first cooldown (60 s): cheap is not offered
    assert [a.model for a in route(app, doc).attempts] == ["strong"]
    assert len(fake.chat_requests("cheap-m")) == 1

    now[0] += 2  # past it: cheap is offered again, answers (wrongly), and is learned
    fake.behaviours["cheap-m"] = Behaviour(reply="```python\ndef add(a, b):\n    return a * b\n```")
    fake.behaviours["strong-m"] = Behaviour(status=503)  # whichever the policy picks first
    third = route(app, doc)
    assert ("cheap", "fail", True) in [(a.model, a.verdict, a.counted) for a in third.attempts]
    assert len(fake.chat_requests("cheap-m")) == 2
    assert set(app.cooldowns.paused(["cheap", "strong"])) == {"strong"}  # cheap's is over


def test_every_model_cooling_down_is_a_clear_error_naming_when_each_is_usable(
    tmp_path: Path, production_app: ProductionApp, fake: FakeOpenAI
) -> None:
    fake.behaviours["cheap-m"] = Behaviour(status=503)
    fake.behaviours["strong-m"] = Behaviour(status=429, retry_after=45)
    app = app_for(production_app, fake, attempts=2)
    doc = document(tmp_path)

    first = route(app, doc)
    assert [(a.model, a.counted) for a in first.attempts] == [("cheap", False), ("strong", False)]
    assert not first.verified and "the provider failed for a moment" in first.why

    calls = len(fake.chat_requests())
    with pytest.raises(CoolingDown) as refused:
        route(app, doc)
    message = str(refused.value)
    assert "every configured model is cooling down" in message
    assert "cheap: provider error 503 Service Unavailable at " in message
    assert "strong: rate limited at " in message and "(provider asks to wait 45 s)" in message
    assert message.count("usable again at ") == 2
    assert len(fake.chat_requests()) == calls  # no model was called
    assert len(app.history()) == 1  # and nothing recorded


def test_a_first_timeout_is_not_counted_a_repeated_one_is(
    tmp_path: Path, production_app: ProductionApp, fake: FakeOpenAI
) -> None:
    fake.behaviours["cheap-m"] = Behaviour(delay_s=8)
    app = app_for(production_app, fake, timeout_s=1)
    doc = document(tmp_path)
    before = expected_score(app, doc)

    [first] = route(app, doc).attempts
    assert (first.model, first.counted) == ("cheap", False)
    assert first.detail == "timeout: no reply within 1 s"
    assert expected_score(app, doc) == pytest.approx(before, abs=1e-12)
    assert set(app.cooldowns.paused(["cheap", "strong"])) == {"cheap"}  # skipped for now

    # another process (a new editor window, the next acrouter complete): no cooldown, and
    # the memory file says cheap's previous call timed out: this one counts
    other = app_for(production_app, fake, timeout_s=1)
    [again] = route(other, doc).attempts
    assert (again.model, again.counted) == ("cheap", True)
    assert "the previous call timed out too: counted against the model" in again.detail
    assert expected_score(other, doc) < before - 1e-6
