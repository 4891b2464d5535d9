"""LiteLLMGateway through the real litellm against a fake OpenAI-compatible server on
127.0.0.1 (no other network), plus FakeGateway and the fake server's subprocess mode."""

from __future__ import annotations

import hashlib
import json
import logging
import socket
import subprocess
import sys
import threading
import time
import traceback
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from acrouter.domain import (
    MODEL_ERROR_KINDS,
    TRANSIENT_KINDS,
    Cancelled,
    Completion,
    ModelSpec,
    Task,
)
from acrouter.errors import GatewayError
from acrouter.gateway import FakeGateway, LiteLLMGateway, retry_after_seconds
from acrouter.gateway import call as call_module
from acrouter.gateway.loader import load_litellm

from tests.fakes.openai_server import Behaviour, FakeOpenAI

ROOT = Path(__file__).resolve().parents[2]
KEY_ENV = "ACR_TEST_KEY"
SENTINEL = "sk-SENTINEL-9f8e7d6c5b4a-do-not-leak"
TASK = Task(task_id="req-1", kind="code_generation", text="write a function")
MESSAGES = [
    {"role": "system", "content": "You are a careful coding assistant."},
    {"role": "user", "content": "Write add(a, b)."},
]


class Token:
    """A CancelToken the test flips from another thread."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self.cancelled_at = 0.0

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def cancel(self) -> None:
        self.cancelled_at = time.perf_counter()
        self._event.set()

    def cancel_after(self, seconds: float) -> None:
        timer = threading.Timer(seconds, self.cancel)
        timer.daemon = True
        timer.start()


@pytest.fixture
def server() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as fake:
        yield fake


#: a call's bound where the test is not about timeouts: generous, as the first call on a
#: loaded 2-core machine (litellm's lazy imports) took more than 5 s (the timeout tests
#: make their own 1 s gateway)
CALL_TIMEOUT_S = 60.0


@pytest.fixture
def gw() -> LiteLLMGateway:
    return LiteLLMGateway(timeout_s=CALL_TIMEOUT_S, env={KEY_ENV: SENTINEL})


def spec_for(server: FakeOpenAI, name: str, **kw: object) -> ModelSpec:
    fields: dict[str, object] = {
        "name": f"my-{name}",
        "model": f"openai/{name}",
        "api_base": server.base_url,
        "api_key_env": KEY_ENV,
    }
    fields.update(kw)
    return ModelSpec(**fields)  # type: ignore[arg-type]


def call_error(gw: LiteLLMGateway, spec: ModelSpec, cancel: Token | None = None) -> GatewayError:
    with pytest.raises(GatewayError) as info:
        gw.complete(spec, MESSAGES, TASK, cancel)
    return info.value


# --------------------------------------------------------------------------- success and cost


def test_success_returns_text_tokens_configured_cost_and_sends_the_key(
    server: FakeOpenAI, gw: LiteLLMGateway
) -> None:
    server.behaviours["coder"] = Behaviour(
        reply="def add(a, b):\n    return a + b\n", prompt_tokens=120, completion_tokens=30
    )
    spec = spec_for(server, "coder", input_cost_per_1m=2.0, output_cost_per_1m=8.0)

    done = gw.complete(spec, MESSAGES, TASK)

    assert done.model == "my-coder"
    assert done.text == "def add(a, b):\n    return a + b\n"
    assert (done.input_tokens, done.output_tokens) == (120, 30)
    assert done.cost_usd == pytest.approx((120 * 2.0 + 30 * 8.0) / 1_000_000)
    assert done.latency_ms > 0
    [request] = server.chat_requests()
    assert request.path == "/v1/chat/completions"
    assert request.json["model"] == "coder"  # litellm strips the "openai/" prefix
    assert request.json["messages"] == MESSAGES
    assert request.headers["authorization"] == f"Bearer {SENTINEL}"


def test_key_is_read_from_the_environment_at_call_time(
    server: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.behaviours["coder"] = Behaviour(reply="ok")
    gw = LiteLLMGateway(timeout_s=CALL_TIMEOUT_S)  # env=None: os.environ
    monkeypatch.setenv(KEY_ENV, "sk-first")
    gw.complete(spec_for(server, "coder"), MESSAGES, TASK)
    monkeypatch.setenv(KEY_ENV, "sk-second")
    gw.complete(spec_for(server, "coder"), MESSAGES, TASK)
    keys = [r.headers["authorization"] for r in server.chat_requests()]
    assert keys == ["Bearer sk-first", "Bearer sk-second"]


def test_unknown_price_gives_cost_none(server: FakeOpenAI, gw: LiteLLMGateway) -> None:
    server.behaviours["house-model-7"] = Behaviour(reply="ok")
    done = gw.complete(spec_for(server, "house-model-7"), MESSAGES, TASK)
    assert done.text == "ok"
    assert done.input_tokens == 11 and done.output_tokens == 7
    assert done.cost_usd is None


def test_price_comes_from_litellm_map_when_not_configured(
    server: FakeOpenAI, gw: LiteLLMGateway
) -> None:
    import litellm  # already imported by the gateway; the test reads the price map

    server.behaviours["gpt-4o-mini"] = Behaviour(
        reply="ok", prompt_tokens=1000, completion_tokens=500
    )
    done = gw.complete(spec_for(server, "gpt-4o-mini"), MESSAGES, TASK)
    prices = litellm.model_cost["gpt-4o-mini"]
    expected = 1000 * prices["input_cost_per_token"] + 500 * prices["output_cost_per_token"]
    assert done.cost_usd is not None and done.cost_usd > 0
    assert done.cost_usd == pytest.approx(expected)


def test_a_gateways_billed_cost_header_comes_before_prices(
    server: FakeOpenAI, gw: LiteLLMGateway
) -> None:
    """A LiteLLM proxy states what it billed in x-litellm-response-cost: that is the cost,
    before the user's configured prices and litellm's price map (the team's real bill)."""
    billed = {"x-litellm-response-cost": "0.0123"}
    server.behaviours["gpt-4o-mini"] = Behaviour(reply="ok", headers=billed)
    server.behaviours["priced"] = Behaviour(reply="ok", headers=billed)
    assert gw.complete(spec_for(server, "gpt-4o-mini"), MESSAGES, TASK).cost_usd == 0.0123
    spec = spec_for(server, "priced", input_cost_per_1m=2.0, output_cost_per_1m=8.0)
    assert gw.complete(spec, MESSAGES, TASK).cost_usd == 0.0123
    # a header that is not a usable number is ignored: the configured prices apply
    for bad in ("n/a", "-1", "nan"):
        server.behaviours["priced"] = Behaviour(
            reply="ok", headers={"x-litellm-response-cost": bad}
        )
        assert gw.complete(spec, MESSAGES, TASK).cost_usd == pytest.approx(
            (11 * 2.0 + 7 * 8.0) / 1e6
        )
    # no header and no price anywhere: unknown
    server.behaviours["house-model-8"] = Behaviour(reply="ok", headers={"x-other": "1"})
    assert gw.complete(spec_for(server, "house-model-8"), MESSAGES, TASK).cost_usd is None


def test_reply_without_usage_has_unknown_tokens_and_cost(
    server: FakeOpenAI, gw: LiteLLMGateway
) -> None:
    body = {"id": "x", "object": "chat.completion", "created": 1, "model": "nousage"}
    body["choices"] = [
        {"index": 0, "message": {"role": "assistant", "content": "hi"}, "finish_reason": "stop"}
    ]
    server.behaviours["nousage"] = Behaviour(body=json.dumps(body))
    spec = spec_for(server, "nousage", input_cost_per_1m=1.0, output_cost_per_1m=1.0)
    done = gw.complete(spec, MESSAGES, TASK)
    assert done.text == "hi"
    assert (done.input_tokens, done.output_tokens, done.cost_usd) == (None, None, None)


def test_local_server_without_key_env_gets_a_placeholder_not_openai_key(
    server: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", SENTINEL)
    server.behaviours["local"] = Behaviour(reply="ok")
    gw = LiteLLMGateway(timeout_s=CALL_TIMEOUT_S)
    done = gw.complete(spec_for(server, "local", api_key_env=None), MESSAGES, TASK)
    assert done.text == "ok"
    [request] = server.chat_requests()
    assert SENTINEL not in request.headers["authorization"]


# --------------------------------------------------------------------------- failures


@pytest.mark.parametrize("status", [401, 403])
def test_auth_rejection(server: FakeOpenAI, gw: LiteLLMGateway, status: int) -> None:
    server.behaviours["locked"] = Behaviour(status=status)
    err = call_error(gw, spec_for(server, "locked"))
    assert err.kind == "auth"
    assert err.detail == f"auth: the provider rejected the API key ({status})"


def test_rate_limit_honours_retry_after_then_succeeds(
    server: FakeOpenAI, gw: LiteLLMGateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.behaviours["busy"] = [Behaviour(status=429, retry_after=1), Behaviour(reply="finally")]
    slept: list[float] = []
    sleep = call_module._sleep
    monkeypatch.setattr(
        call_module,
        "_sleep",
        lambda seconds, cancel: (slept.append(seconds), sleep(seconds, cancel)),
    )
    done = gw.complete(spec_for(server, "busy"), MESSAGES, TASK)
    assert done.text == "finally"
    assert len(server.chat_requests()) == 2
    assert slept == [1.0]  # waited for Retry-After: 1 before the second request


def test_rate_limit_twice_fails_after_one_retry(server: FakeOpenAI, gw: LiteLLMGateway) -> None:
    server.behaviours["busy"] = Behaviour(status=429, retry_after=0.2)
    err = call_error(gw, spec_for(server, "busy"))
    assert err.kind == "rate_limit" and err.kind in TRANSIENT_KINDS
    assert err.detail == "rate_limited: 429 after one retry"
    assert err.retry_after is None  # its 0.2 s did not do: the cooldown backs off instead
    assert len(server.chat_requests()) == 2


def test_rate_limit_with_long_retry_after_fails_without_waiting(
    server: FakeOpenAI, gw: LiteLLMGateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.behaviours["busy"] = Behaviour(status=429, retry_after=60)
    slept: list[float] = []
    monkeypatch.setattr(call_module, "_sleep", lambda seconds, cancel: slept.append(seconds))
    err = call_error(gw, spec_for(server, "busy"))
    assert err.kind == "rate_limit"
    assert "60 s" in err.detail and err.retry_after == 60.0  # the model cools down that long
    assert len(server.chat_requests()) == 1
    assert slept == []  # it did not wait for the 60 s


@pytest.mark.parametrize(
    ("status", "reason"),
    [(500, "Internal Server Error"), (502, "Bad Gateway"), (503, ""), (529, "Overloaded")],
)
def test_server_errors_are_the_providers_passing_trouble(
    server: FakeOpenAI, gw: LiteLLMGateway, status: int, reason: str
) -> None:
    server.behaviours["broken"] = Behaviour(status=status)
    err = call_error(gw, spec_for(server, "broken"))
    assert err.kind == "unavailable" and err.kind in TRANSIENT_KINDS
    assert err.kind not in MODEL_ERROR_KINDS
    assert err.detail.startswith(f"unavailable: provider error {status} {reason}")
    assert "\n" not in err.detail
    assert err.retry_after is None
    assert len(server.chat_requests()) == 1  # litellm did not retry silently


def test_a_503_carries_the_providers_retry_after(server: FakeOpenAI, gw: LiteLLMGateway) -> None:
    server.behaviours["busy"] = Behaviour(status=503, retry_after=120)
    err = call_error(gw, spec_for(server, "busy"))
    assert (err.kind, err.retry_after) == ("unavailable", 120.0)
    assert len(server.chat_requests()) == 1  # no wait, no retry: the model cools down


def test_a_content_filter_refusal_still_counts(server: FakeOpenAI, gw: LiteLLMGateway) -> None:
    body = {"error": {"message": "The response was filtered.", "code": "content_filter"}}
    server.behaviours["strict"] = Behaviour(status=400, body=json.dumps(body))
    err = call_error(gw, spec_for(server, "strict"))
    assert err.kind == "provider" and err.kind in MODEL_ERROR_KINDS
    assert err.detail.startswith("provider_error: 400 Bad Request: The response was filtered.")


def test_connection_refused_is_unreachable_not_the_model(gw: LiteLLMGateway) -> None:
    with FakeOpenAI() as gone:
        base = gone.base_url  # the port is closed once the server stopped
    spec = ModelSpec(name="offline", model="openai/x", api_base=base, api_key_env=KEY_ENV)
    err = call_error(gw, spec)
    assert err.kind == "unreachable"
    assert err.detail == f"unreachable: cannot reach {base} (connection refused)"
    assert err.kind not in MODEL_ERROR_KINDS


def test_unknown_host_is_unreachable(gw: LiteLLMGateway) -> None:
    base = "http://acrouter-no-such-host.invalid/v1"  # .invalid never resolves (RFC 2606)
    spec = ModelSpec(name="offline", model="openai/x", api_base=base, api_key_env=KEY_ENV)
    err = call_error(gw, spec)
    assert (err.kind, err.detail) == (
        "unreachable",
        f"unreachable: cannot reach {base} (host not found)",
    )


def test_a_connection_that_breaks_before_a_reply_is_the_providers_failure(
    gw: LiteLLMGateway,
) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)

    def hang_up() -> None:
        for _ in range(2):
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            conn.recv(65536)
            conn.close()

    threading.Thread(target=hang_up, daemon=True).start()
    base = f"http://127.0.0.1:{listener.getsockname()[1]}/v1"
    try:
        err = call_error(
            gw, ModelSpec(name="flaky", model="openai/x", api_base=base, api_key_env=KEY_ENV)
        )
    finally:
        listener.close()
    assert err.kind == "unavailable" and err.kind not in MODEL_ERROR_KINDS
    assert err.detail.startswith(f"unavailable: the connection to {base} broke")


@pytest.mark.parametrize(
    ("proxy_error", "kind", "detail"),
    [
        ("no_db", "auth", "auth: the gateway rejected the key (400: No connected db.)"),
        (
            "invalid_token",
            "auth",
            "auth: the gateway rejected the key (401: Authentication Error, Invalid proxy server token passed)",
        ),
        (
            "invalid_key",
            "auth",
            "auth: the gateway rejected the key (401: Authentication Error, Invalid API key",
        ),
        (
            "expired_key",
            "auth",
            "auth: the gateway rejected the key (401: Authentication Error - Expired Key.",
        ),
        ("model_access", "auth", "auth: the gateway does not let this key use 'openai/gw'"),
        (
            "unknown_model",
            "config",
            "config: the gateway has no model 'openai/gw' (/chat/completions: Invalid",
        ),
        (
            "budget",
            "budget",
            "budget: budget exceeded at {base} (Budget has been exceeded! Key=team-key",
        ),
        (
            "budget_429",
            "budget",
            "budget: budget exceeded at {base} (ExceededBudget: User=alice over budget.",
        ),
    ],
)
def test_litellm_proxy_refusals_are_named_and_not_the_models(
    server: FakeOpenAI, gw: LiteLLMGateway, proxy_error: str, kind: str, detail: str
) -> None:
    server.behaviours["gw"] = Behaviour(proxy_error=proxy_error, retry_after=0.1)
    err = call_error(gw, spec_for(server, "gw"))
    assert err.kind == kind and kind not in MODEL_ERROR_KINDS
    assert err.detail.startswith(detail.format(base=server.base_url)), err.detail
    assert SENTINEL not in err.detail
    assert len(server.chat_requests()) == 1  # a budget error at 429 is not retried as a rate limit


@pytest.mark.parametrize(
    ("model", "variable"),
    [
        ("openai/gpt-4o-mini", "OPENAI_API_KEY"),
        ("anthropic/claude-3-5-haiku-20241022", "ANTHROPIC_API_KEY"),
    ],
)
def test_litellm_missing_credentials_before_any_request_name_the_variable(
    monkeypatch: pytest.MonkeyPatch, model: str, variable: str
) -> None:
    """No apiBase and no apiKeyEnv: litellm finds no key and raises before sending
    anything (for OpenAI it says "500"); nothing may reach the network."""
    for name in ("OPENAI_API_KEY", "OPENAI_ADMIN_KEY", "ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    sent: list[object] = []

    def no_network(*args: object, **kwargs: object) -> None:
        sent.append(args)
        raise AssertionError("a request was attempted")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    gw = LiteLLMGateway(timeout_s=CALL_TIMEOUT_S, env={})
    err = call_error(gw, ModelSpec(name="m", model=model))
    assert err.kind == "auth" and err.kind not in MODEL_ERROR_KINDS
    assert err.detail.startswith(f"auth: no API key: set {variable}"), err.detail
    assert sent == []


@pytest.mark.parametrize(
    ("behaviour", "detail"),
    [
        (Behaviour(garbage=True), "bad_reply: the provider's reply is not a valid chat completion"),
        (
            Behaviour(garbage=True, body='{"foo": 1}'),
            "bad_reply: the provider's reply is not a valid",
        ),
        (Behaviour(empty_choices=True), "empty reply: no choices"),
        (Behaviour(reply=""), "empty reply"),
        (Behaviour(reply="   \n"), "empty reply"),
        (
            Behaviour(reply="```python\nx = 1\n```\n", finish_reason="length"),
            "reply cut short at the model's output limit (finish_reason: length)",
        ),
        (
            Behaviour(reply="```python\nx = 1\n```\n", finish_reason="content_filter"),
            "reply cut short by the provider's content filter (finish_reason: content_filter)",
        ),
    ],
    ids=[
        "non-json",
        "json-without-choices",
        "empty-choices",
        "empty-content",
        "blank-content",
        "cut-at-output-limit",
        "cut-by-content-filter",
    ],
)
def test_garbage_and_empty_replies_are_bad_replies(
    server: FakeOpenAI, gw: LiteLLMGateway, behaviour: Behaviour, detail: str
) -> None:
    server.behaviours["odd"] = behaviour
    err = call_error(gw, spec_for(server, "odd"))
    assert err.kind == "bad_reply"
    assert err.detail.startswith(detail)


def test_context_too_long(server: FakeOpenAI, gw: LiteLLMGateway) -> None:
    body = {
        "error": {
            "message": "This model's maximum context length is 8192 tokens, you requested 9000.",
            "type": "invalid_request_error",
            "code": "context_length_exceeded",
        }
    }
    server.behaviours["small"] = Behaviour(status=400, body=json.dumps(body))
    err = call_error(gw, spec_for(server, "small"))
    assert err.kind == "context_length"
    assert "too long" in err.detail


def test_unknown_model_on_the_server_is_a_config_error(
    server: FakeOpenAI, gw: LiteLLMGateway
) -> None:
    err = call_error(gw, spec_for(server, "no-such-model"))
    assert err.kind == "config"
    assert "404" in err.detail


def test_timeout_on_a_slow_server(server: FakeOpenAI) -> None:
    server.behaviours["slow"] = Behaviour(delay_s=10)
    gw = LiteLLMGateway(timeout_s=1.0, env={KEY_ENV: SENTINEL})
    err = call_error(gw, spec_for(server, "slow"))
    assert err.kind == "timeout"
    assert err.detail == "timeout: no reply within 1 s"
    assert server.delays_done == []  # it gave up before the server's 10 s answer


def test_cancel_during_a_slow_call_raises_cancelled_within_a_second(
    server: FakeOpenAI, gw: LiteLLMGateway
) -> None:
    server.behaviours["slow"] = Behaviour(delay_s=10)
    token = Token()
    token.cancel_after(0.3)
    with pytest.raises(Cancelled):
        gw.complete(spec_for(server, "slow"), MESSAGES, TASK, token)
    assert server.delays_done == []  # cancelled before the server's 10 s answer
    assert len(server.chat_requests()) == 1


def test_cancel_before_the_call_sends_nothing(server: FakeOpenAI, gw: LiteLLMGateway) -> None:
    token = Token()
    token.cancel()
    with pytest.raises(Cancelled):
        gw.complete(spec_for(server, "any"), MESSAGES, TASK, token)
    assert server.chat_requests() == []


def test_cancel_during_the_rate_limit_wait(server: FakeOpenAI, gw: LiteLLMGateway) -> None:
    server.behaviours["busy"] = [Behaviour(status=429, retry_after=5), Behaviour(reply="late")]
    load_litellm()  # (its first import, in a fresh process, can take longer than the 0.5 s)
    token = Token()
    token.cancel_after(0.5)
    with pytest.raises(Cancelled):
        gw.complete(spec_for(server, "busy"), MESSAGES, TASK, token)
    assert len(server.chat_requests()) == 1  # the retry (due after 5 s) was never sent


@pytest.mark.parametrize(
    ("env", "detail"), [({}, "is not set"), ({"OPENAI_API_KEY": "  "}, "is empty")]
)
def test_missing_key_variable_is_an_auth_error_naming_it(
    server: FakeOpenAI, env: dict[str, str], detail: str
) -> None:
    gw = LiteLLMGateway(timeout_s=CALL_TIMEOUT_S, env=env)
    err = call_error(gw, spec_for(server, "coder", api_key_env="OPENAI_API_KEY"))
    assert err.kind == "auth"
    assert err.detail == f"no API key: environment variable OPENAI_API_KEY {detail}"
    assert server.chat_requests() == []


# --------------------------------------------------------------------------- secrets and stdout


def test_the_key_never_appears_in_errors_logs_or_output(
    server: FakeOpenAI, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    load_litellm()  # (imported first here, in a fresh process, it prints its start-up to stdout)
    capsys.readouterr()
    for name in ("", "LiteLLM", "LiteLLM Router", "httpx", "httpcore", "openai", "acrouter"):
        caplog.set_level(logging.DEBUG, logger=name or None)
    echo = json.dumps(
        {"error": {"message": f"bad key {SENTINEL} rejected", "type": "server_error"}}
    )
    server.behaviours.update(
        {
            "ok": Behaviour(reply="fine"),
            "auth": Behaviour(status=401),
            "echo": Behaviour(status=500, body=echo),
            "echo400": Behaviour(status=400, body=echo),
            "garbage": Behaviour(garbage=True, body=f"<html>{SENTINEL}"),
            "busy": Behaviour(status=429, retry_after=0),
            "slow": Behaviour(delay_s=5),
        }
    )
    # a short timeout only where the reply is slow: on a loaded machine a 1 s timeout can
    # also cut the replies that are meant to arrive
    gw = LiteLLMGateway(timeout_s=30.0, env={KEY_ENV: SENTINEL})
    hasty = LiteLLMGateway(timeout_s=1.0, env={KEY_ENV: SENTINEL})
    texts: list[str] = []
    gw.complete(spec_for(server, "ok"), MESSAGES, TASK)
    for name in ("auth", "echo", "echo400", "garbage", "busy", "slow"):
        err = call_error(hasty if name == "slow" else gw, spec_for(server, name))
        assert err.__cause__ is None and err.__context__ is None  # no chained provider error
        texts += [str(err), repr(err), err.detail, "".join(traceback.format_exception(err))]
    logged = "\n".join(f"{r.getMessage()} {r.args!r} {r.exc_text or ''}" for r in caplog.records)
    out, errout = capsys.readouterr()

    assert caplog.records, "expected some log records at DEBUG"
    assert "***" in " ".join(texts)  # the echoed key was scrubbed, not dropped silently
    for text in [*texts, logged, out, errout]:
        assert SENTINEL not in text
    assert out == ""


def test_litellm_prints_go_to_stderr_not_stdout(
    server: FakeOpenAI,
    gw: LiteLLMGateway,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    litellm = load_litellm()
    real = litellm.completion

    def noisy(**kwargs: object) -> object:
        print("Give Feedback / Get Help banner")
        return real(**kwargs)

    monkeypatch.setattr(litellm, "completion", noisy)
    server.behaviours["ok"] = Behaviour(reply="fine")
    stdout_before = sys.stdout
    assert gw.complete(spec_for(server, "ok"), MESSAGES, TASK).text == "fine"
    out, errout = capsys.readouterr()
    assert out == ""
    assert "Give Feedback" in errout
    assert sys.stdout is stdout_before


def test_litellm_log_records_do_not_reach_stdout(
    server: FakeOpenAI,
    gw: LiteLLMGateway,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    server.behaviours["ok"] = Behaviour(reply="fine")
    gw.complete(spec_for(server, "ok"), MESSAGES, TASK)  # makes sure litellm is loaded
    caplog.set_level(logging.DEBUG, logger="LiteLLM")
    logging.getLogger("LiteLLM").info("litellm info line")
    logging.getLogger("LiteLLM").debug("litellm debug line")
    assert capsys.readouterr().out == ""
    assert "litellm info line" in caplog.text  # it propagates to the application's handlers


def test_overlapping_calls_restore_stdout(server: FakeOpenAI, gw: LiteLLMGateway) -> None:
    server.behaviours["ok"] = Behaviour(reply="fine", delay_s=0.3)
    stdout_before = sys.stdout
    results: list[str] = []

    def one() -> None:
        results.append(gw.complete(spec_for(server, "ok"), MESSAGES, TASK).text)

    threads = [threading.Thread(target=one) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert results == ["fine"] * 3
    assert sys.stdout is stdout_before


def test_importing_the_gateway_does_not_import_litellm() -> None:
    code = "import acrouter.gateway, sys; print('litellm' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert out.stdout.strip() == "False"


# --------------------------------------------------------------------------- helpers


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"retry-after": "3"}, 3.0),
        ({"retry-after": "0.5"}, 0.5),
        ({"retry-after-ms": "250"}, 0.25),
        ({"retry-after": "Thu, 01 Jan 1970 00:01:40 GMT"}, 40.0),  # now = 60
        ({"retry-after": "soon"}, None),
        ({}, None),
    ],
)
def test_retry_after_parsing(headers: dict[str, str], expected: float | None) -> None:
    assert retry_after_seconds(headers, now=60.0) == expected


# --------------------------------------------------------------------------- FakeGateway


def test_fake_gateway_replies_raises_and_records() -> None:
    boom = GatewayError("provider_error: 500", kind="provider")
    fake = FakeGateway(
        {
            "a": "reply a",
            "b": boom,
            "c": lambda spec, messages, task: f"{spec.name}:{task.task_id}",
            "d": Completion(model="ignored", text="given", cost_usd=0.5),
        },
        costs={"a": 0.001},
    )
    a = fake.complete(ModelSpec(name="a", model="openai/a"), MESSAGES, TASK)
    assert (a.model, a.text, a.cost_usd) == ("a", "reply a", 0.001)
    with pytest.raises(GatewayError) as info:
        fake.complete(ModelSpec(name="b", model="openai/b"), MESSAGES, TASK)
    assert info.value is boom
    assert fake.complete(ModelSpec(name="c", model="x"), MESSAGES, TASK).text == "c:req-1"
    d = fake.complete(ModelSpec(name="d", model="x"), MESSAGES, TASK)
    assert (d.model, d.text, d.cost_usd) == ("d", "given", 0.5)
    assert [name for name, _, _ in fake.calls] == ["a", "b", "c", "d"]
    with pytest.raises(GatewayError) as missing:
        fake.complete(ModelSpec(name="zzz", model="x"), MESSAGES, TASK)
    assert missing.value.kind == "config"
    token = Token()
    token.cancel()
    with pytest.raises(Cancelled):
        fake.complete(ModelSpec(name="a", model="x"), MESSAGES, TASK, token)


# --------------------------------------------------------------------------- fake server as a subprocess


def test_fake_server_runs_as_a_subprocess(tmp_path: Path) -> None:
    config = tmp_path / "behaviours.json"
    config.write_text(json.dumps({"sub": {"reply": "from a subprocess"}, "*": [{"status": 500}]}))
    log_file = tmp_path / "requests.jsonl"
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "tests/fakes/openai_server.py"), "--port", "0"]
        + ["--config", str(config), "--log", str(log_file)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        base_url = proc.stdout.readline().strip()
        assert base_url.startswith("http://127.0.0.1:") and base_url.endswith("/v1")
        gw = LiteLLMGateway(timeout_s=CALL_TIMEOUT_S, env={KEY_ENV: SENTINEL})
        spec = ModelSpec(name="s", model="openai/sub", api_base=base_url, api_key_env=KEY_ENV)
        assert gw.complete(spec, MESSAGES, TASK).text == "from a subprocess"
        other = ModelSpec(name="o", model="openai/other", api_base=base_url, api_key_env=KEY_ENV)
        assert call_error(gw, other).kind == "unavailable"  # the 500

        root = base_url.removesuffix("/v1")
        update = json.dumps({"other": {"reply": "reconfigured"}}).encode()
        request = urllib.request.Request(f"{root}/_behaviours", data=update, method="POST")
        request.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(request, timeout=5) as response:
            assert json.load(response)["ok"] is True
        assert gw.complete(other, MESSAGES, TASK).text == "reconfigured"

        with urllib.request.urlopen(f"{root}/_requests", timeout=5) as response:
            seen = json.load(response)
        assert [r["json"]["model"] for r in seen if r["path"] == "/v1/chat/completions"] == [
            "sub",
            "other",
            "other",
        ]
        # the key reached the provider (its requests in memory), and the log file holds a
        # digest of it, never the key
        assert any(r["headers"].get("authorization") == f"Bearer {SENTINEL}" for r in seen)
        digest = hashlib.sha256(f"Bearer {SENTINEL}".encode()).hexdigest()[:12]
        logged = [json.loads(line) for line in log_file.read_text().splitlines()]
        assert any(
            r["headers"].get("authorization") == f"<redacted sha256:{digest}>" for r in logged
        )
        assert SENTINEL not in log_file.read_text()
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_context_window_comes_from_litellms_bundled_model_info() -> None:
    gw = LiteLLMGateway()
    window = gw.context_window(ModelSpec("mini", "openai/gpt-4o-mini"))
    assert window is not None and window >= 100_000  # litellm's offline price/context map
    assert (
        gw.context_window(
            ModelSpec("local", "openai/my-local-model", api_base="http://127.0.0.1:1/v1")
        )
        is None
    )
    assert FakeGateway({}, windows={"a": 4_000}).context_window(ModelSpec("a", "x/a")) == 4_000
