"""A fake OpenAI-compatible chat-completions server (stdlib only), for tests and demos.

In-process::

    with FakeOpenAI() as server:
        server.behaviours["good"] = Behaviour(reply="hello")
        server.behaviours["flaky"] = [Behaviour(status=429, retry_after=1), Behaviour(reply="ok")]
        ...  # call server.base_url ("http://127.0.0.1:PORT/v1") with model "good"
        server.requests  # every request seen: RecordedRequest(path, headers, json)
        server.prompts("good")  # the prompt texts the server received for that model

As a subprocess (prints the bound base URL on its first stdout line, then serves until
killed or until stdin is closed when ``--stdin-eof`` is given)::

    python tests/fakes/openai_server.py --port 0 --config behaviours.json [--log requests.jsonl]

(the log file holds no key: credentials' header values are written as a digest)

``behaviours.json`` maps model names to a behaviour object (the fields of
``Behaviour`` except ``respond``) or to a list of them (used in turn; the last one
repeats). The model ``"*"`` answers any model without its own entry.  A running
server can be reconfigured with ``POST /_behaviours`` (same JSON, merged in) and its
recorded requests read with ``GET /_requests``.

``POST /v1/chat/completions`` answers by the request's ``model`` field:

* ``reply``: a valid ``chat.completion`` JSON with that text and usage tokens;
* ``status`` (+ ``body``, ``headers``, ``retry_after``): an error status, e.g. 401,
  429 with ``Retry-After``, 500; the body defaults to an OpenAI-style error JSON;
* ``garbage``: a 200 with a non-JSON body;
* ``empty_choices``: a 200 ``chat.completion`` with ``"choices": []``;
* ``delay_s``: sleep that long before answering (for timeout and cancel tests);
* ``finish_reason``: the choice's ``finish_reason`` (default ``"stop"``; ``"length"``
  is a reply cut at the model's output limit, ``"content_filter"`` one a filter cut);
* ``proxy_error``: answer like a LiteLLM proxy refusing the request itself, with the
  status, message and error type litellm 1.109.3's proxy sends (see
  ``LITELLM_PROXY_ERRORS``): ``"no_db"``, ``"invalid_token"``, ``"invalid_key"``,
  ``"expired_key"``, ``"model_access"``, ``"unknown_model"``, ``"budget"`` (422) or
  ``"budget_429"`` (older proxies); ``status`` overrides the status when it is not 200;
* ``respond``: a callable ``(request_json) -> reply text`` (in-process only).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import threading
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Respond = Callable[[dict[str, Any]], str]

_ERROR_MESSAGES: dict[int, tuple[str, str]] = {
    400: ("invalid_request_error", "Bad request"),
    401: ("invalid_request_error", "Incorrect API key provided."),
    403: ("permission_denied", "You are not allowed to use this model."),
    404: ("invalid_request_error", "The model does not exist."),
    429: ("rate_limit_exceeded", "Rate limit reached, please retry later."),
    500: ("server_error", "The server had an error while processing your request."),
    502: ("server_error", "Bad gateway."),
    503: ("server_error", "The engine is currently overloaded."),
}


#: A LiteLLM proxy's own refusals: name -> (status, message, error type), as sent by
#: litellm 1.109.3 (litellm/proxy/_types.py ProxyException, proxy/auth/user_api_key_auth.py,
#: proxy/auth/auth_checks.py).  The body is ``{"error": {message, type, param, code}}``.
LITELLM_PROXY_ERRORS: dict[str, tuple[int, str, str]] = {
    "no_db": (400, "No connected db.", "no_db_connection"),
    "invalid_token": (401, "Authentication Error, Invalid proxy server token passed", "auth_error"),
    "invalid_key": (
        401,
        "Authentication Error, Invalid API key provided.",
        "token_not_found_in_db",
    ),
    "expired_key": (
        401,
        (
            "Authentication Error - Expired Key. Key Expiry time 2026-01-01 00:00:00 and current "
            "time 2026-11-29 12:00:00"
        ),
        "expired_key",
    ),
    "model_access": (
        403,
        (
            "The requested model 'strong-m' is not available for this API key, or the model name "
            "is invalid. Check the models available to you and try again."
        ),
        "key_model_access_denied",
    ),
    "unknown_model": (
        400,
        (
            "/chat/completions: Invalid model name passed in model=gw. "
            "Call `/v1/models` to view available models for your key."
        ),
        "invalid_request_error",
    ),
    "budget": (
        422,
        "Budget has been exceeded! Key=team-key (sk-...wxyz) Current cost: 10.02, Max budget: 10.0",
        "budget_exceeded",
    ),
    "budget_429": (
        429,
        "ExceededBudget: User=alice over budget. Spend=5.1, Budget=5.0",
        "budget_exceeded",
    ),
}


def proxy_error_json(name: str) -> tuple[int, dict[str, Any]]:
    status, message, kind = LITELLM_PROXY_ERRORS[name]
    return status, {"error": {"message": message, "type": kind, "param": None, "code": str(status)}}


@dataclass
class Behaviour:
    """How the fake answers one request for a model (see the module docstring)."""

    reply: str = "ok"
    status: int = 200
    body: str | None = None  # raw body to send instead of the generated one
    headers: dict[str, str] = field(default_factory=dict)
    retry_after: float | None = None  # adds a Retry-After header (seconds)
    garbage: bool = False
    empty_choices: bool = False
    delay_s: float = 0.0
    prompt_tokens: int = 11
    completion_tokens: int = 7
    proxy_error: str | None = None  # a key of LITELLM_PROXY_ERRORS
    finish_reason: str = "stop"  # "length": the reply was cut at the output limit
    respond: Respond | None = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Behaviour:
        known = {f.name for f in fields(cls)} - {"respond"}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown behaviour fields: {sorted(unknown)}")
        if data.get("proxy_error") is not None and data["proxy_error"] not in LITELLM_PROXY_ERRORS:
            raise ValueError(f"unknown proxy_error {data['proxy_error']!r}")
        return cls(**dict(data))


BehaviourSpec = Behaviour | Sequence[Behaviour]


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]  # header names lower-cased
    json: Any  # the parsed body, or None when it was not JSON
    time: float

    def to_json(self, redact: bool = False) -> dict[str, Any]:
        """The request as JSON; ``redact``: credentials' values replaced by a digest
        (``<redacted sha256:…>``, the first 12 hex digits of the value's sha256)."""
        headers = self.headers
        if redact:
            headers = {
                k: (
                    f"<redacted sha256:{hashlib.sha256(v.encode()).hexdigest()[:12]}>"
                    if k in SECRET_HEADERS
                    else v
                )
                for k, v in headers.items()
            }
        return {
            "method": self.method,
            "path": self.path,
            "headers": headers,
            "json": self.json,
        }


#: request headers that carry a key (names lower-cased)
SECRET_HEADERS = frozenset({"authorization", "x-api-key", "api-key", "proxy-authorization"})


def behaviours_from_json(data: Mapping[str, Any]) -> dict[str, BehaviourSpec]:
    """Parse the ``--config`` / ``POST /_behaviours`` JSON into behaviours."""
    out: dict[str, BehaviourSpec] = {}
    for model, spec in data.items():
        if isinstance(spec, list):
            out[model] = [Behaviour.from_json(item) for item in spec]
        else:
            out[model] = Behaviour.from_json(spec)
    return out


def _completion_json(model: str, text: str, b: Behaviour, empty: bool) -> dict[str, Any]:
    choices: list[dict[str, Any]] = []
    if not empty:
        choices.append(
            {
                "index": 0,
                "message": {"role": "assistant", "content": text},
                "finish_reason": b.finish_reason,
                "logprobs": None,
            }
        )
    return {
        "id": f"chatcmpl-{uuid.uuid4().hex[:24]}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": choices,
        "usage": {
            "prompt_tokens": b.prompt_tokens,
            "completion_tokens": b.completion_tokens,
            "total_tokens": b.prompt_tokens + b.completion_tokens,
        },
    }


def _error_json(status: int) -> dict[str, Any]:
    code, message = _ERROR_MESSAGES.get(status, ("error", f"HTTP {status}"))
    return {"error": {"message": message, "type": code, "param": None, "code": code}}


class FakeOpenAI:
    """A fake OpenAI-compatible server on 127.0.0.1 (context manager)."""

    def __init__(
        self,
        behaviours: Mapping[str, BehaviourSpec] | None = None,
        port: int = 0,
        log_path: str | None = None,
    ) -> None:
        self.behaviours: dict[str, BehaviourSpec] = dict(behaviours or {})
        self.requests: list[RecordedRequest] = []
        #: models whose ``delay_s`` has run out (their answer is being sent): lets a test
        #: check that a caller gave up *before* the reply, without timing anything
        self.delays_done: list[str] = []
        self._port = port
        self._log_path = log_path
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ----------------------------------------------------------------- lifecycle

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("server not started")
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self) -> FakeOpenAI:
        handler = _make_handler(self)
        httpd = ThreadingHTTPServer(("127.0.0.1", self._port), handler)
        httpd.daemon_threads = True
        httpd.block_on_close = False  # type: ignore[attr-defined]
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            daemon=True,
            name="fake-openai",
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # wakes up slow answers
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeOpenAI:  # noqa: PYI034 - typing.Self needs Python 3.11
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ----------------------------------------------------------------- helpers

    def chat_requests(self, model: str | None = None) -> list[RecordedRequest]:
        """The recorded chat-completion requests, optionally only those for ``model``."""
        with self._lock:
            seen = list(self.requests)
        return [
            r
            for r in seen
            if r.path.endswith("/chat/completions")
            and (model is None or (isinstance(r.json, dict) and r.json.get("model") == model))
        ]

    def prompts(self, model: str | None = None) -> list[str]:
        """What each chat request showed the model, as the server received it: the
        messages' contents joined (system first), in the order the requests arrived."""
        out = []
        for r in self.chat_requests(model):
            messages = r.json.get("messages") if isinstance(r.json, dict) else None
            out.append(
                "\n\n".join(
                    str(m.get("content", "")) for m in messages or [] if isinstance(m, dict)
                )
            )
        return out

    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(request)
            if self._log_path:  # a file outlives the test: no key is written into it
                with open(self._log_path, "a", encoding="utf-8") as fh:
                    fh.write(json.dumps(request.to_json(redact=True)) + "\n")

    def _next_behaviour(self, model: str) -> Behaviour | None:
        with self._lock:
            spec = self.behaviours.get(model, self.behaviours.get("*"))
            if spec is None:
                return None
            if isinstance(spec, Behaviour):
                return spec
            items = list(spec)
            if not items:
                return None
            if len(items) > 1:  # consume in turn; the last one repeats
                key = model if model in self.behaviours else "*"
                self.behaviours[key] = items[1:]
            return items[0]

    def _sleep(self, seconds: float) -> None:
        self._stopping.wait(seconds)


def _make_handler(server: FakeOpenAI) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass  # keep test output quiet

        def _send(
            self,
            status: int,
            body: bytes,
            content_type: str,
            headers: Mapping[str, str] | None = None,
        ) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            try:
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (timeout / cancel)

        def _send_json(
            self, status: int, payload: Any, headers: Mapping[str, str] | None = None
        ) -> None:
            self._send(status, json.dumps(payload).encode(), "application/json", headers)

        def _read_body(self) -> bytes:
            length = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(length) if length else b""

        def do_GET(self) -> None:
            server._record(
                RecordedRequest("GET", self.path, _lower(self.headers.items()), None, time.time())
            )
            if self.path.rstrip("/") == "/_requests":
                with server._lock:
                    payload = [r.to_json() for r in server.requests if not r.path.startswith("/_")]
                self._send_json(200, payload)
            elif self.path.rstrip("/").endswith("/models"):
                names = sorted(m for m in server.behaviours if m != "*")
                self._send_json(
                    200, {"object": "list", "data": [{"id": n, "object": "model"} for n in names]}
                )
            else:
                self._send_json(404, _error_json(404))

        def do_POST(self) -> None:
            raw = self._read_body()
            try:
                body: Any = json.loads(raw) if raw else None
            except ValueError:
                body = None
            server._record(
                RecordedRequest("POST", self.path, _lower(self.headers.items()), body, time.time())
            )

            if self.path.rstrip("/") == "/_behaviours":
                try:
                    parsed = behaviours_from_json(body or {})
                except (TypeError, ValueError) as exc:
                    self._send_json(400, {"error": {"message": str(exc)}})
                    return
                with server._lock:
                    server.behaviours.update(parsed)
                self._send_json(200, {"ok": True, "models": sorted(parsed)})
                return
            if not self.path.rstrip("/").endswith("/chat/completions"):
                self._send_json(404, _error_json(404))
                return
            if not isinstance(body, dict):
                self._send_json(400, _error_json(400))
                return
            model = str(body.get("model", ""))
            behaviour = server._next_behaviour(model)
            if behaviour is None:
                error = _error_json(404)
                error["error"]["message"] = f"The model `{model}` does not exist."
                error["error"]["code"] = "model_not_found"
                self._send_json(404, error)
                return
            self._answer(model, body, behaviour)

        def _answer(self, model: str, body: dict[str, Any], b: Behaviour) -> None:
            if b.delay_s > 0:
                server._sleep(b.delay_s)
                with server._lock:
                    server.delays_done.append(model)
            headers = dict(b.headers)
            if b.retry_after is not None:
                value = b.retry_after
                headers["Retry-After"] = (
                    str(int(value)) if float(value).is_integer() else str(value)
                )
            if b.proxy_error is not None:
                status, payload = proxy_error_json(b.proxy_error)
                self._send_json(b.status if b.status != 200 else status, payload, headers)
                return
            if b.status != 200:
                if b.body is not None:
                    self._send(b.status, b.body.encode(), "application/json", headers)
                else:
                    self._send_json(b.status, _error_json(b.status), headers)
                return
            if b.garbage:
                text = b.body if b.body is not None else "<html>this is not JSON {{{"
                self._send(200, text.encode(), "application/json", headers)
                return
            if b.body is not None:
                self._send(200, b.body.encode(), "application/json", headers)
                return
            text = b.respond(body) if b.respond is not None else b.reply
            self._send_json(200, _completion_json(model, text, b, b.empty_choices), headers)

    return Handler


def _lower(items: Any) -> dict[str, str]:
    return {str(k).lower(): str(v) for k, v in items}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Fake OpenAI-compatible chat-completions server.")
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0 = any free port)")
    parser.add_argument("--config", help="JSON file: {model: behaviour | [behaviour, ...]}")
    parser.add_argument("--log", help="append every request as one JSON line to this file")
    parser.add_argument("--stdin-eof", action="store_true", help="exit when stdin is closed")
    args = parser.parse_args(argv)

    behaviours: dict[str, BehaviourSpec] = {}
    if args.config:
        with open(args.config, encoding="utf-8") as fh:
            behaviours = behaviours_from_json(json.load(fh))
    server = FakeOpenAI(behaviours, port=args.port, log_path=args.log)
    server.start()
    sys.stdout.write(server.base_url + "\n")
    sys.stdout.flush()
    try:
        if args.stdin_eof:
            sys.stdin.read()
        else:
            threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
