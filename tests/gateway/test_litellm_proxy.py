"""A team gateway: a real LiteLLM proxy on 127.0.0.1 in front of the fake provider.

The proxy (``litellm --config``, from the dev lock) runs without a database: its master
key is in its config and there is no ``database_url``.  ACRouter routes a request
through it with the production wiring (``build_editor_app``): the cost is the one the
proxy billed (its ``x-litellm-response-cost`` header, from the prices in the proxy's
config), not ACRouter's own configured prices; the provider sees the provider key from
the proxy's config, never the team key; and a wrong team key is named as the gateway's
rejection and not counted against the model.

Starting the proxy imports litellm's whole server: 30-60 s on a loaded 2-core machine.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from acrouter.app import EditorApp
from acrouter.domain import Document

from tests.fakes.openai_server import Behaviour, FakeOpenAI
from tests.gateway.conftest import ProductionApp

MASTER_KEY = "sk-team-master-5b1e0c"  # the team's key to the gateway
PROVIDER_KEY = "sk-provider-only-in-the-proxy-config"
FIX = "```python\ndef add(a, b):\n    return a + b\n```"
# the proxy's prices: 1000 tokens in x $2/M + 500 out x $10/M = $0.007 per call
PROXY_INPUT_PER_TOKEN = 2e-6
PROXY_OUTPUT_PER_TOKEN = 1e-5
BILLED = 1000 * PROXY_INPUT_PER_TOKEN + 500 * PROXY_OUTPUT_PER_TOKEN
START_TIMEOUT_S = 300.0

PROXY_CONFIG = """\
model_list:
  - model_name: team-coder
    litellm_params:
      model: openai/provider-coder
      api_base: {api_base}
      api_key: {provider_key}
      input_cost_per_token: {input_cost}
      output_cost_per_token: {output_cost}
general_settings:
  master_key: {master_key}
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _up(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/health/liveliness", timeout=2) as reply:
            return bool(reply.status == 200)
    except OSError:
        return False


@pytest.fixture(scope="module")
def provider() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as fake:
        fake.behaviours["provider-coder"] = Behaviour(
            reply=FIX, prompt_tokens=1000, completion_tokens=500
        )
        yield fake


@pytest.fixture(scope="module")
def proxy(provider: FakeOpenAI, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The proxy's base URL; it is stopped (by its pid) after the module."""
    folder = tmp_path_factory.mktemp("proxy")
    config = folder / "proxy.yaml"
    config.write_text(
        PROXY_CONFIG.format(
            api_base=provider.base_url,
            provider_key=PROVIDER_KEY,
            input_cost=PROXY_INPUT_PER_TOKEN,
            output_cost=PROXY_OUTPUT_PER_TOKEN,
            master_key=MASTER_KEY,
        )
    )
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "LITELLM_MASTER_KEY")}
    env.update(
        LITELLM_LOCAL_MODEL_COST_MAP="True",  # the bundled price map, never a download
        # anything the proxy would send elsewhere than 127.0.0.1 goes to a closed port
        HTTP_PROXY="http://127.0.0.1:9",
        HTTPS_PROXY="http://127.0.0.1:9",
        NO_PROXY="127.0.0.1,localhost",
    )
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log = (folder / "proxy.log").open("wb")
    litellm_cli = Path(sys.executable).with_name("litellm")
    assert litellm_cli.exists(), "the dev lock installs litellm's CLI next to the interpreter"
    proc = subprocess.Popen(
        [str(litellm_cli), "--config", str(config), "--host", "127.0.0.1", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        env=env,
        cwd=folder,
    )
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not _up(url):
            if proc.poll() is not None or time.monotonic() > deadline:
                tail = (folder / "proxy.log").read_text(errors="replace")[-3000:]
                pytest.fail(f"the LiteLLM proxy did not start (exit {proc.poll()}):\n{tail}")
            time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def _project(tmp_path: Path) -> Document:
    root = tmp_path / "proj"
    (root / "tests").mkdir(parents=True)
    (root / "calc.py").write_text("def add(a, b):\n    return a - b\n")
    (root / "tests" / "test_calc.py").write_text(
        "from calc import add\n\n\ndef test_add():\n    assert add(2, 3) == 5\n"
    )
    (root / "pytest.ini").write_text("[pytest]\npythonpath = .\n")
    target = root / "calc.py"
    return Document(uri=target.as_uri(), path=str(target), text=target.read_text())


def _app(production_app: ProductionApp, proxy: str, key: str) -> EditorApp:
    models = [
        {
            "name": "team-coder",
            "model": "openai/team-coder",  # the proxy's model_name
            "apiBase": f"{proxy}/v1",
            "apiKeyEnv": "TEAM_GATEWAY_KEY",
            # our own prices would give 1000 x $1/M + 500 x $1/M = $0.0015: the bill wins
            "inputCostPer1M": 1.0,
            "outputCostPer1M": 1.0,
        }
    ]
    return production_app(models, env={"TEAM_GATEWAY_KEY": key}, request_timeout_s=60)


def test_route_through_the_proxy_costs_what_it_billed(
    proxy: str,
    provider: FakeOpenAI,
    production_app: ProductionApp,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")  # the sample tests need no plugins
    doc = _project(tmp_path)
    app = _app(production_app, proxy, MASTER_KEY)
    seen = len(provider.requests)
    result = app.route(doc, "Fix the bug in add", folders=[Path(doc.path).parent])
    [attempt] = result.attempts
    assert (attempt.model, attempt.verdict, attempt.counted) == ("team-coder", "pass", True), (
        attempt.detail
    )
    assert result.verified
    assert attempt.cost_usd == pytest.approx(BILLED)
    assert result.cost_usd == pytest.approx(BILLED)
    assert f"${BILLED:.4f}" in result.why
    # the proxy called the provider with its own provider key, never the team's key
    calls = [r for r in provider.requests[seen:] if r.path.endswith("/chat/completions")]
    assert calls and all(r.headers.get("authorization") == f"Bearer {PROVIDER_KEY}" for r in calls)
    # the stored record has the billed cost too
    [stored] = app.history()
    assert stored.attempts[0].cost_usd == pytest.approx(BILLED)


def test_a_wrong_team_key_is_the_gateways_rejection_not_the_models_failure(
    proxy: str, provider: FakeOpenAI, production_app: ProductionApp, tmp_path: Path
) -> None:
    doc = _project(tmp_path)
    app = _app(production_app, proxy, "sk-not-the-team-key")
    seen = len(provider.requests)
    result = app.route(doc, "Fix the bug in add", folders=[Path(doc.path).parent])
    [attempt] = result.attempts
    assert attempt.verdict == "error" and not attempt.counted
    # the real proxy without a database answers a wrong key with 400 "No connected db."
    assert "the gateway rejected the key" in attempt.detail, attempt.detail
    assert "not held against team-coder" in result.why, result.why
    assert len(provider.requests) == seen  # the provider was never called
    [stored] = app.history()
    assert not stored.attempts[0].counted


def test_a_reply_the_provider_cut_short_is_refused_through_the_proxy(
    proxy: str,
    provider: FakeOpenAI,
    production_app: ProductionApp,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The provider ends a reply at its output limit (``finish_reason: length``); the
    proxy passes that on, and the fix it holds (whole, and passing) is not offered."""
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    monkeypatch.setitem(
        provider.behaviours,
        "provider-coder",
        Behaviour(reply=FIX, prompt_tokens=1000, completion_tokens=500, finish_reason="length"),
    )
    doc = _project(tmp_path)
    app = _app(production_app, proxy, MASTER_KEY)
    result = app.route(doc, "Fix the bug in add", folders=[Path(doc.path).parent])
    [attempt] = result.attempts
    assert (attempt.verdict, attempt.counted) == ("error", True), attempt.detail
    assert "cut short at the model's output limit" in attempt.detail, attempt.detail
    assert not result.verified and result.edit is None
    assert attempt.cost_usd == pytest.approx(BILLED)  # billed by the proxy all the same
