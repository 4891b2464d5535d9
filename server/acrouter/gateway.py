"""Calling models: ``LiteLLMGateway`` (real providers through litellm) and ``FakeGateway``.

This is the only module that imports litellm, and it does so lazily, on the first
call, inside the worker thread (the import takes several seconds; doing it there keeps
the first request cancellable).  Every failure becomes a ``GatewayError`` with a
``kind`` and a one-line ``detail``; cancellation raises ``domain.Cancelled``.  API key
values are read from the environment variable the user named, at call time, and are
never logged or put into any message.
"""

from __future__ import annotations

import email.utils
import json
import logging
import math
import os
import re
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from types import ModuleType
from typing import Any, TextIO

from acrouter.domain import CancelToken, Completion, ModelSpec, Task, check_cancelled
from acrouter.errors import GatewayError

log = logging.getLogger(__name__)

#: Environment defaults applied (``setdefault``) before litellm is imported: use the
#: bundled price map and never fetch catalogs/tokenizers from the internet by itself.
LITELLM_ENV_DEFAULTS: Mapping[str, str] = {
    "LITELLM_LOCAL_MODEL_COST_MAP": "True",
    "LITELLM_OFFLINE_MODE": "true",
}

_LITELLM_LOGGERS = ("LiteLLM", "LiteLLM Router", "LiteLLM Proxy")

#: Placeholder key sent to a custom ``api_base`` when no key variable is configured
#: (local servers need none; it keeps litellm from sending OPENAI_API_KEY there).
NO_KEY = "acrouter-no-key"

_POLL_S = 0.05
_REDACTED = "***"

# Substrings litellm puts into the error it raises for a 200 reply it could not use.
_BAD_REPLY_MARKERS = (
    "[200 OK]",
    "Expecting value",
    "Expecting property name",
    "JSONDecodeError",
    "Unterminated string",
    "Extra data",
    "Invalid control character",
    "no 'choices'",
    "Empty or invalid response",
    "Invalid response object",
)

# --- set-up failures: the gateway's or the machine's fault, never the model's ---------
#
# A LiteLLM proxy answers its own auth and budget failures with an OpenAI-style error
# body ``{"error": {"message", "type", "param", "code"}}`` (litellm 1.109.3,
# ``litellm/proxy/_types.py`` ProxyException / ProxyErrorTypes,
# ``proxy/auth/user_api_key_auth.py`` and ``proxy/auth/auth_checks.py``):
#   400 no_db_connection  "No connected db."  (a key other than the master key, no database)
#   401 auth_error        "Authentication Error, Invalid proxy server token passed"
#   401 token_not_found_in_db  "Authentication Error, Invalid API key provided."
#   401 auth_error        "Authentication Error, No api key passed in." / "... Malformed API Key ..."
#   401 expired_key       "Authentication Error - Expired Key. Key Expiry time ..."
#   403 *_model_access_denied  "The requested model '...' is not available for this API key ..."
#   422 budget_exceeded   "Budget has been exceeded! Key=... Current cost: ..., Max budget: ..."
#                         or "ExceededBudget: User=... over budget. ..."; 422 is
#                         ``litellm.budget_exceeded_status_code`` (older proxies: 429,
#                         so a budget error must never be taken for a rate limit).
#   400 invalid_request_error  "/chat/completions: Invalid model name passed in model=..."
#                         (proxy/route_llm_request.py): the gateway has no such model.
_GATEWAY_AUTH_TYPES = frozenset(
    {"auth_error", "no_db_connection", "token_not_found_in_db", "expired_key"}
)
_GATEWAY_AUTH_MARKERS = (
    "No connected db",
    "Invalid proxy server token",
    "Authentication Error",
    "Expired Key",
)
_GATEWAY_NO_MODEL = "Invalid model name passed in"
_BUDGET_TYPE = "budget_exceeded"
_BUDGET_MARKERS = ("Budget has been exceeded", "ExceededBudget")
# Raised by litellm / the OpenAI SDK before any request when no key is configured
# (litellm reports some of these as a "500"): "Missing credentials. Please pass an
# `api_key` ...", "Missing Anthropic API Key ...", "Missing Gemini API key ...",
# "The api_key client option must be set ...".
_MISSING_KEY = re.compile(
    r"missing (?:[\w-]+ ){0,2}(?:api[ _-]?key|credentials)|api_key client option must be set",
    re.IGNORECASE,
)
_KEY_VARIABLE = re.compile(r"\b([A-Z][A-Z0-9]*_(?:API_KEY|AUTH_TOKEN|API_TOKEN))\b")
# Exceptions (by class name, anywhere in the cause chain) of a connection that was
# never made: refused, host not found, no route, connect timeout.  A connection that
# was made and then broke is the provider's failure and counts.
_NO_CONNECTION = frozenset(
    {"ConnectError", "ConnectTimeout", "ConnectionRefusedError", "gaierror", "ClientConnectorError"}
)

_REASONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    408: "Request Timeout",
    409: "Conflict",
    413: "Payload Too Large",
    422: "Unprocessable Entity",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


# --------------------------------------------------------------------------- litellm loading

_import_lock = threading.Lock()
_litellm: ModuleType | None = None


def _load_litellm() -> ModuleType:
    """Import and configure litellm once per process (thread-safe)."""
    global _litellm
    with _import_lock:
        if _litellm is not None:
            return _litellm
        for name, value in LITELLM_ENV_DEFAULTS.items():
            os.environ.setdefault(name, value)
        started = time.perf_counter()
        with _StdoutGuard():
            import litellm

        litellm.suppress_debug_info = True
        for switch, on in (
            ("telemetry", False),  # older litellm versions
            ("turn_off_message_logging", True),  # no prompt text to any callback
            ("suppress_startup_output", True),
        ):
            if hasattr(litellm, switch):
                setattr(litellm, switch, on)
        _detach_litellm_handlers(litellm)
        _warm_up(litellm)
        log.debug("loaded litellm %s in %.1f s", _version(litellm), time.perf_counter() - started)
        _litellm = litellm
        return litellm


def _warm_up(litellm: ModuleType) -> None:
    """One offline ``mock_response`` call: litellm imports provider code lazily on the first
    completion (about a second), which would otherwise be counted as model latency."""
    try:
        with _StdoutGuard():
            litellm.completion(
                model="openai/acrouter-warm-up",
                messages=[{"role": "user", "content": "ping"}],
                mock_response="pong",
                api_key=NO_KEY,
                api_base="http://127.0.0.1:9/v1",  # never contacted: the reply is mocked
            )
    except Exception as exc:  # noqa: BLE001 - warming up is optional
        log.debug("litellm warm-up failed: %s", type(exc).__name__)


def _version(litellm: ModuleType) -> str:
    try:
        from importlib.metadata import version

        return version("litellm")
    except Exception:  # noqa: BLE001 - only used in a debug message
        return str(getattr(litellm, "__version__", "?"))


def _detach_litellm_handlers(litellm: ModuleType) -> None:
    """litellm's own log handler writes records below WARNING to *stdout* (the LSP
    stream).  Remove it so its records propagate to the application's handlers, and
    keep litellm's chatter at WARNING unless the user asked for more via LITELLM_LOG."""
    handler = getattr(getattr(litellm, "_logging", None), "handler", None)
    for name in _LITELLM_LOGGERS:
        logger = logging.getLogger(name)
        if handler is not None:
            logger.removeHandler(handler)
        logger.propagate = True
        if "LITELLM_LOG" not in os.environ:
            logger.setLevel(logging.WARNING)


class _StdoutGuard:
    """Points ``sys.stdout`` at ``sys.stderr`` while litellm runs (it may print).

    Reference counted so overlapping calls from several threads restore the real
    stdout exactly once, after the last one leaves; nothing is restored if someone
    else replaced ``sys.stdout`` in the meantime.
    """

    _lock = threading.Lock()
    _depth = 0
    _saved: TextIO | None = None
    _replacement: TextIO | None = None

    def __enter__(self) -> None:
        cls = type(self)
        with cls._lock:
            if cls._depth == 0:
                cls._saved = sys.stdout
                cls._replacement = sys.stderr
                sys.stdout = sys.stderr
            cls._depth += 1

    def __exit__(self, *exc: object) -> None:
        cls = type(self)
        with cls._lock:
            cls._depth -= 1
            if cls._depth == 0:
                if sys.stdout is cls._replacement and cls._saved is not None:
                    sys.stdout = cls._saved
                cls._saved = None
                cls._replacement = None


# --------------------------------------------------------------------------- helpers


def _scrub(text: str, secrets: Sequence[str]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, _REDACTED)
    return text


def _one_line(text: str, limit: int = 200) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _provider_message(exc: BaseException) -> str:
    """The provider's own words from a litellm exception, without litellm's prefixes."""
    text = str(getattr(exc, "message", "") or exc)
    for marker in ("Exception - ", "Error - "):
        if marker in text:
            text = text.rsplit(marker, 1)[1]
    return text.strip()


def _status_of(exc: BaseException) -> int | None:
    status = getattr(exc, "status_code", None)
    return status if isinstance(status, int) else None


def _headers_of(exc: BaseException) -> Mapping[str, str]:
    sources = (
        getattr(exc, "litellm_response_headers", None),
        getattr(getattr(exc, "response", None), "headers", None),
    )
    for source in sources:
        items = getattr(source, "items", None)
        if callable(items):
            return {str(k).lower(): str(v) for k, v in items()}
    return {}


def retry_after_seconds(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """Seconds to wait from ``Retry-After`` / ``retry-after-ms`` headers (lower-case keys)."""
    millis = headers.get("retry-after-ms")
    if millis:
        try:
            return max(0.0, float(millis) / 1000.0)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        seconds = float(value)
        return max(0.0, seconds) if math.isfinite(seconds) else None
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


class _Failure(Exception):
    """A classified failure of one attempt (internal; becomes a GatewayError)."""

    def __init__(self, kind: str, detail: str, retry_after: float | None = None) -> None:
        super().__init__(detail)
        self.kind = kind
        self.detail = detail
        self.retry_after = retry_after


def _causes(exc: BaseException) -> list[BaseException]:
    """``exc`` and its causes/contexts, outermost first (bounded, cycle-safe)."""
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and len(chain) < 12 and all(current is not c for c in chain):
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def _no_connection(exc: BaseException, timeout_s: float) -> str | None:
    """Why no connection could be made (``None``: one was made, or this is no connect error)."""
    for cause in _causes(exc):
        names = {cls.__name__ for cls in type(cause).__mro__}
        if not names & _NO_CONNECTION:
            continue
        chain_names = {cls.__name__ for c in _causes(cause) for cls in type(c).__mro__}
        if "ConnectionRefusedError" in chain_names:
            return "connection refused"
        if "gaierror" in chain_names:
            return "host not found"
        if "ConnectTimeout" in chain_names:
            return f"no connection within {timeout_s:g} s"
        return _one_line(str(cause), 120) or "no connection"
    return None


def _error_body(exc: BaseException) -> Mapping[str, Any]:
    """The ``error`` object of an OpenAI-style error reply, or {} when there is none."""
    body = getattr(exc, "body", None)
    if isinstance(body, Mapping):
        inner = body.get("error", body)
        return inner if isinstance(inner, Mapping) else {}
    text = getattr(getattr(exc, "response", None), "text", None)
    if isinstance(text, str) and text.lstrip().startswith("{"):
        try:
            parsed = json.loads(text)
        except ValueError:
            return {}
        inner = parsed.get("error") if isinstance(parsed, dict) else None
        return inner if isinstance(inner, Mapping) else {}
    return {}


def _missing_key(exc: BaseException, spec: ModelSpec) -> _Failure:
    names = _KEY_VARIABLE.findall(str(exc))
    if names:
        hint = f"set {names[0]}, or name the key's environment variable in apiKeyEnv"
    else:
        hint = f"name the environment variable that holds the key for {spec.model!r} in apiKeyEnv"
    return _Failure("auth", f"auth: no API key: {hint}")


def _classify(
    exc: BaseException, litellm: ModuleType, spec: ModelSpec, timeout_s: float
) -> _Failure:
    """Turn a litellm/openai exception into a (kind, one-line detail).

    Set-up failures get their own kinds, which ``domain.MODEL_ERROR_KINDS`` does not
    count against the model: ``unreachable`` (no connection to the apiBase),
    ``auth`` (a key rejected by the gateway or the provider, or no key at all),
    ``budget`` (the gateway's spending limit) and ``config``.
    """
    ex = litellm.exceptions if hasattr(litellm, "exceptions") else litellm
    status = _status_of(exc)
    error = _error_body(exc)
    error_type = str(error.get("type") or "")
    said = error.get("message")
    message = _one_line(said if isinstance(said, str) and said else _provider_message(exc))
    name = type(exc).__name__
    text = f"{exc} {error.get('message') or ''}"

    def is_(cls_name: str) -> bool:
        cls = getattr(ex, cls_name, None)
        return isinstance(cls, type) and isinstance(exc, cls)

    where = spec.api_base or f"the provider of {spec.model!r}"
    why_not = _no_connection(exc, timeout_s)
    if why_not is not None:
        return _Failure("unreachable", f"unreachable: cannot reach {where} ({why_not})")
    if is_("Timeout") or isinstance(exc, TimeoutError):
        return _Failure("timeout", f"timeout: no reply within {timeout_s:g} s")
    if error_type == _BUDGET_TYPE or any(m in text for m in _BUDGET_MARKERS):
        return _Failure("budget", f"budget: budget exceeded at {where} ({message})")
    if error_type.endswith("_model_access_denied"):
        return _Failure(
            "auth", f"auth: the gateway does not let this key use {spec.model!r} ({message})"
        )
    if error_type in _GATEWAY_AUTH_TYPES or any(m in text for m in _GATEWAY_AUTH_MARKERS):
        said_status = f"{status}: " if status else ""
        return _Failure("auth", f"auth: the gateway rejected the key ({said_status}{message})")
    if _MISSING_KEY.search(text):
        return _missing_key(exc, spec)
    if _GATEWAY_NO_MODEL in text:
        return _Failure("config", f"config: the gateway has no model {spec.model!r} ({message})")
    if is_("ContextWindowExceededError"):
        return _Failure(
            "context_length", f"context_length: the prompt is too long for this model ({message})"
        )
    if is_("AuthenticationError") or is_("PermissionDeniedError") or status in (401, 403):
        code = status or (403 if is_("PermissionDeniedError") else 401)
        return _Failure("auth", f"auth: the provider rejected the API key ({code})")
    if is_("RateLimitError") or status == 429:
        return _Failure("rate_limit", "rate_limited: 429", retry_after_seconds(_headers_of(exc)))
    if any(marker in str(exc) for marker in _BAD_REPLY_MARKERS):
        return _Failure(
            "bad_reply",
            f"bad_reply: the provider's reply is not a valid chat completion ({message})",
        )
    if is_("APIConnectionError") or "Connection error" in str(exc):
        # connected, then the connection broke before a reply: the provider's failure
        cause = next(
            (c for c in _causes(exc)[1:] if str(c) and "Connection error" not in str(c)), None
        )
        because = f" ({_one_line(str(cause), 120)})" if cause is not None else ""
        return _Failure("provider", f"provider_error: the connection to {where} broke{because}")
    if is_("LiteLLMUnknownProvider") or "LLM Provider NOT provided" in str(exc):
        return _Failure("config", f"config: litellm does not know the model string {spec.model!r}")
    if is_("NotFoundError") or status == 404:
        return _Failure(
            "config", f"config: the provider does not know model {spec.model!r} (404): {message}"
        )
    if status is not None:
        reason = _REASONS.get(status, "")
        head = f"{status} {reason}".strip()
        return _Failure(
            "provider",
            f"provider_error: {head}: {message}" if message else f"provider_error: {head}",
        )
    return _Failure("provider", f"provider_error: {name}: {message}")


def _text_and_usage(response: Any) -> tuple[str, int | None, int | None]:
    choices = getattr(response, "choices", None)
    if not choices:
        raise _Failure("bad_reply", "empty reply: no choices")
    message = getattr(choices[0], "message", None)
    text = getattr(message, "content", None)
    if not isinstance(text, str) or not text.strip():
        raise _Failure("bad_reply", "empty reply")
    usage = getattr(response, "usage", None)
    tokens_in = getattr(usage, "prompt_tokens", None)
    tokens_out = getattr(usage, "completion_tokens", None)
    tokens_in = tokens_in if isinstance(tokens_in, int) else None
    tokens_out = tokens_out if isinstance(tokens_out, int) else None
    if not tokens_in and not tokens_out:  # litellm reports 0/0 when the provider sent no usage
        tokens_in = tokens_out = None
    return text, tokens_in, tokens_out


def configured_cost(spec: ModelSpec, tokens_in: int | None, tokens_out: int | None) -> float | None:
    """Cost from the user's prices, or None when a price or a token count is unknown."""
    if spec.input_cost_per_1m is None or spec.output_cost_per_1m is None:
        return None
    if tokens_in is None or tokens_out is None:
        return None
    return (tokens_in * spec.input_cost_per_1m + tokens_out * spec.output_cost_per_1m) / 1_000_000


#: The response header in which a LiteLLM proxy states what it billed for the call (USD).
GATEWAY_COST_HEADER = "x-litellm-response-cost"


def gateway_cost(response: Any) -> float | None:
    """The cost a LiteLLM proxy billed for this reply, from its ``x-litellm-response-cost``
    header; None when the reply has no such header (a direct provider) or it is not a
    finite, non-negative number.  litellm keeps the raw response headers in
    ``response._response_headers`` and a prefixed copy (``llm_provider-<name>``) in
    ``response._hidden_params["additional_headers"]``."""
    raw = getattr(response, "_response_headers", None)
    hidden = getattr(response, "_hidden_params", None)
    extra = hidden.get("additional_headers") if isinstance(hidden, Mapping) else None
    for headers, name in (
        (raw, GATEWAY_COST_HEADER),
        (extra, f"llm_provider-{GATEWAY_COST_HEADER}"),
    ):
        items = getattr(headers, "items", None)
        if not callable(items):
            continue
        for key, value in items():
            if str(key).lower() == name:
                try:
                    cost = float(str(value).strip())
                except ValueError:
                    return None
                return cost if math.isfinite(cost) and cost >= 0 else None
    return None


def _price_map_cost(litellm: ModuleType, spec: ModelSpec, response: Any) -> float | None:
    try:
        cost = litellm.completion_cost(completion_response=response, model=spec.model)
    except Exception as exc:  # noqa: BLE001 - unknown model: the price is unknown, not zero
        log.debug("no litellm price for %s: %s", spec.model, type(exc).__name__)
        return None
    if not isinstance(cost, (int, float)) or not math.isfinite(cost) or cost < 0:
        return None
    return float(cost)


# --------------------------------------------------------------------------- the gateway


class _Worker:
    """One blocking litellm call on a daemon thread, abandoned if cancelled."""

    def __init__(self, fn: Callable[[_Worker], Any]) -> None:
        self.started = threading.Event()  # set once litellm is imported and the call begins
        self.done = threading.Event()
        self.began_at = 0.0
        self.ended_at = 0.0
        self.result: Any = None
        self.error: BaseException | None = None
        self._fn = fn
        self._thread = threading.Thread(target=self._run, name="acrouter-gateway", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        try:
            self.result = self._fn(self)
        except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread
            self.error = exc
        finally:
            self.ended_at = time.perf_counter()
            self.done.set()


class LiteLLMGateway:
    """``domain.Gateway`` over litellm: one model call, bounded, cancellable, classified."""

    def __init__(
        self,
        timeout_s: float = 120.0,
        env: Mapping[str, str] | None = None,
        max_retry_after_s: float = 10.0,
        default_retry_wait_s: float = 1.0,
    ) -> None:
        self.timeout_s = float(timeout_s)
        self._env = env
        self.max_retry_after_s = float(max_retry_after_s)
        self.default_retry_wait_s = float(default_retry_wait_s)
        self._windows: dict[str, int | None] = {}

    # ------------------------------------------------------------ public

    def complete(
        self,
        spec: ModelSpec,
        messages: Sequence[Mapping[str, str]],
        task: Task,
        cancel: CancelToken | None = None,
    ) -> Completion:
        check_cancelled(cancel)
        key = self._api_key(spec)
        secrets = [key] if key and key != NO_KEY else []
        payload = [dict(m) for m in messages]
        first_began: float | None = None
        failed: _Failure | None = None
        try:
            for attempt in (1, 2):
                worker = self._start(spec, payload, key)
                try:
                    response, litellm = self._wait(worker, cancel)
                except _Failure as failure:
                    first_began = first_began or worker.began_at or None
                    if failure.kind != "rate_limit" or attempt == 2:
                        if failure.kind == "rate_limit":
                            failure.detail = "rate_limited: 429 after one retry"
                        raise
                    wait = self._retry_wait(failure)
                    log.info("model %s: rate limited, retrying once in %.1f s", spec.name, wait)
                    _sleep(wait, cancel)
                    continue
                first_began = first_began or worker.began_at
                text, tokens_in, tokens_out = _text_and_usage(response)
                cost = self._cost(litellm, spec, response, tokens_in, tokens_out)
                latency_ms = (worker.ended_at - first_began) * 1000.0
                log.debug(
                    "model %s answered in %.0f ms (%s in / %s out tokens, cost %s)",
                    spec.name,
                    latency_ms,
                    tokens_in,
                    tokens_out,
                    cost,
                )
                return Completion(
                    model=spec.name,
                    text=text,
                    input_tokens=tokens_in,
                    output_tokens=tokens_out,
                    cost_usd=cost,
                    latency_ms=latency_ms,
                )
        except _Failure as failure:
            failed = failure
        if failed is None:  # pragma: no cover - the loop always returns or raises
            raise AssertionError("unreachable")
        # Raised outside the except block: no __context__ chain that could hold a key.
        detail = _scrub(failed.detail, secrets)
        log.info("model %s failed: %s", spec.name, detail)
        raise GatewayError(detail, kind=failed.kind)

    def context_window(self, spec: ModelSpec) -> int | None:
        """The model's input context window in tokens from litellm's bundled model info
        (``get_model_info``), or None when litellm does not know the model."""
        if spec.model not in self._windows:
            window: int | None = None
            try:
                info = _load_litellm().get_model_info(model=spec.model)
                raw = info.get("max_input_tokens") or info.get("max_tokens")
                window = int(raw) if raw else None
            except Exception as exc:  # noqa: BLE001 - unknown models raise various errors
                log.debug("no litellm model info for %s: %s", spec.model, type(exc).__name__)
            self._windows[spec.model] = window
        return self._windows[spec.model]

    def warm_up(self) -> None:
        """Import litellm now (several seconds); call from a background thread at start-up
        so the first request does not wait for it.  Safe to call more than once."""
        _load_litellm()

    # ------------------------------------------------------------ internals

    def _api_key(self, spec: ModelSpec) -> str | None:
        if not spec.api_key_env:
            return NO_KEY if spec.api_base else None  # None: litellm's own provider env vars
        env = self._env if self._env is not None else os.environ
        key = env.get(spec.api_key_env)
        if key is None:
            raise GatewayError(
                f"no API key: environment variable {spec.api_key_env} is not set", kind="auth"
            )
        if not key.strip():
            raise GatewayError(
                f"no API key: environment variable {spec.api_key_env} is empty", kind="auth"
            )
        return key

    def _start(self, spec: ModelSpec, messages: list[dict[str, str]], key: str | None) -> _Worker:
        timeout_s = self.timeout_s

        def call(worker: _Worker) -> tuple[Any, ModuleType]:
            litellm = _load_litellm()
            kwargs: dict[str, Any] = {
                "model": spec.model,
                "messages": messages,
                "timeout": timeout_s,
                "num_retries": 0,
                "max_retries": 0,
            }
            if spec.api_base:
                kwargs["api_base"] = spec.api_base
            if key is not None:
                kwargs["api_key"] = key
            worker.began_at = time.perf_counter()
            worker.started.set()
            with _StdoutGuard():
                try:
                    return litellm.completion(**kwargs), litellm
                except Exception as exc:  # noqa: BLE001 - every litellm failure is classified
                    raise _classify(exc, litellm, spec, timeout_s) from None

        worker = _Worker(call)
        worker.start()
        return worker

    def _wait(self, worker: _Worker, cancel: CancelToken | None) -> tuple[Any, ModuleType]:
        deadline: float | None = None
        while not worker.done.wait(_POLL_S):
            check_cancelled(cancel)
            if deadline is None and worker.started.is_set():
                # litellm enforces ``timeout``; this is a backstop if a server trickles bytes.
                deadline = worker.began_at + self.timeout_s + 1.0
            if deadline is not None and time.perf_counter() > deadline:
                raise _Failure("timeout", f"timeout: no reply within {self.timeout_s:g} s")
        if worker.error is not None:
            if isinstance(worker.error, _Failure):
                raise worker.error
            err = worker.error
            if isinstance(err, ImportError):
                raise _Failure("config", f"config: cannot import litellm ({_one_line(str(err))})")
            raise _Failure(
                "provider", f"provider_error: {type(err).__name__}: {_one_line(str(err))}"
            )
        return worker.result  # type: ignore[no-any-return]

    @staticmethod
    def _cost(
        litellm: ModuleType,
        spec: ModelSpec,
        response: Any,
        tokens_in: int | None,
        tokens_out: int | None,
    ) -> float | None:
        billed = gateway_cost(response)  # a team gateway's own bill comes first
        if billed is not None:
            return billed
        if spec.input_cost_per_1m is not None and spec.output_cost_per_1m is not None:
            return configured_cost(spec, tokens_in, tokens_out)
        if tokens_in is None or tokens_out is None:
            return None
        return _price_map_cost(litellm, spec, response)

    def _retry_wait(self, failure: _Failure) -> float:
        wait = failure.retry_after
        if wait is None:
            return self.default_retry_wait_s
        if wait > self.max_retry_after_s:
            failure.detail = f"rate_limited: 429, provider asks to retry after {wait:.0f} s"
            raise failure
        return wait


def _sleep(seconds: float, cancel: CancelToken | None) -> None:
    end = time.perf_counter() + seconds
    while True:
        check_cancelled(cancel)
        left = end - time.perf_counter()
        if left <= 0:
            return
        time.sleep(min(_POLL_S, left))


# --------------------------------------------------------------------------- fake

Reply = (
    str
    | Completion
    | BaseException
    | Callable[[ModelSpec, Sequence[Mapping[str, str]], Task], str | Completion]
)


class FakeGateway:
    """Canned replies per configured model name, for tests of the other stages.

    ``replies[name]`` is a reply text, a ready ``Completion`` (its ``model`` is set to
    the spec's name), an exception to raise, or a callable ``(spec, messages, task)``
    returning either.  ``costs[name]`` gives the cost of a text reply (default: None,
    unknown).  Every call is recorded in ``calls`` as ``(name, messages, task)``.
    """

    def __init__(
        self,
        replies: Mapping[str, Reply],
        costs: Mapping[str, float | None] | None = None,
        latency_ms: float = 1.0,
        windows: Mapping[str, int] | None = None,
    ) -> None:
        self.windows = dict(windows or {})
        self.replies = dict(replies)
        self.costs = dict(costs or {})
        self.latency_ms = latency_ms
        self.calls: list[tuple[str, list[dict[str, str]], Task]] = []

    def context_window(self, spec: ModelSpec) -> int | None:
        return self.windows.get(spec.name)

    def complete(
        self,
        spec: ModelSpec,
        messages: Sequence[Mapping[str, str]],
        task: Task,
        cancel: CancelToken | None = None,
    ) -> Completion:
        check_cancelled(cancel)
        self.calls.append((spec.name, [dict(m) for m in messages], task))
        if spec.name in self.replies:
            reply = self.replies[spec.name]
        elif spec.model in self.replies:
            reply = self.replies[spec.model]
        else:
            raise GatewayError(
                f"config: no fake reply configured for model {spec.name!r}", kind="config"
            )
        if isinstance(reply, BaseException):
            raise reply
        if callable(reply):
            reply = reply(spec, messages, task)
        if isinstance(reply, Completion):
            return Completion(
                model=spec.name,
                text=reply.text,
                input_tokens=reply.input_tokens,
                output_tokens=reply.output_tokens,
                cost_usd=reply.cost_usd,
                latency_ms=reply.latency_ms,
            )
        text = str(reply)
        tokens_in = sum(len(m.get("content", "").split()) for m in messages)
        tokens_out = len(text.split())
        return Completion(
            model=spec.name,
            text=text,
            input_tokens=tokens_in,
            output_tokens=tokens_out,
            cost_usd=self.costs.get(spec.name),
            latency_ms=self.latency_ms,
        )
