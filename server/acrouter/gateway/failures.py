"""Classifying a failed model call: which failures are the model's (or its provider's
answer to this request), which are the provider's passing trouble (a rate limit, a 5xx,
a connection that broke mid-reply, a timeout: ``domain.TRANSIENT_KINDS``, which cool the
model down instead of being learned), and which are the set-up's (unreachable gateway,
rejected or missing key, budget, configuration), which ``domain.MODEL_ERROR_KINDS`` does
not count against the model either.

Every failure becomes a ``Failure`` with a ``kind`` and a one-line ``detail``; the
gateway turns it into a ``GatewayError``.  API key values are scrubbed from details.
"""

from __future__ import annotations

import email.utils
import json
import math
import re
import time
from collections.abc import Mapping, Sequence
from types import ModuleType
from typing import Any

from acrouter.domain import ModelSpec

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
# A provider account whose money is spent: OpenAI answers 429 ``insufficient_quota``
# ("You exceeded your current quota, please check your plan and billing details."),
# Anthropic 400 "Your credit balance is too low ...", others 402 Payment Required
# ("Insufficient Balance", "Insufficient credits").  Billing, not the model; and not a
# rate limit (retrying does not help).
_CREDIT_CODES = frozenset({"insufficient_quota"})
_CREDIT_MARKERS = (
    "credit balance is too low",
    "exceeded your current quota",
    "insufficient balance",
)
_PAYMENT_REQUIRED = 402
# A request the provider refuses as invalid for this model (a role or parameter it does
# not take): the request's shape, set by ACRouter and the configuration, not the model.
# A content filter's refusal (Azure: code "content_filter"; OpenAI:
# "content_policy_violation") is the model's provider judging this request: it counts.
_INVALID_REQUEST = frozenset({400, 422})
# The provider's passing trouble, whatever the request: a 5xx (500 internal error, 502/504
# from its own gateway, 503 "service unavailable" / "engine overloaded", Anthropic's 529
# overloaded_error) and 408 (it gave up waiting for the request).  Kind ``unavailable``.
_PASSING_STATUS = frozenset({408})
_CONTENT_FILTER_CODES = ("content_filter", "content_policy")
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
    529: "Overloaded",
}


def scrub(text: str, secrets: Sequence[str]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, _REDACTED)
    return text


def one_line(text: str, limit: int = 200) -> str:
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


class Failure(Exception):
    """A classified failure of one attempt (internal; becomes a GatewayError)."""

    def __init__(
        self,
        kind: str,
        detail: str,
        retry_after: float | None = None,
        cost_usd: float | None = 0.0,
    ) -> None:
        super().__init__(detail)
        self.kind = kind
        self.detail = detail
        self.retry_after = retry_after
        self.cost_usd = cost_usd  # a billed reply without a usable message


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
        return one_line(str(cause), 120) or "no connection"
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


def _out_of_credit(status: int | None, error: Mapping[str, Any], text: str) -> bool:
    """The provider account's quota or credit is spent (``_CREDIT_MARKERS``)."""
    codes = {str(error.get("type") or ""), str(error.get("code") or "")}
    lowered = text.lower()
    return (
        status == _PAYMENT_REQUIRED
        or bool(codes & _CREDIT_CODES)
        or any(m in lowered for m in _CREDIT_MARKERS)
    )


def _missing_key(exc: BaseException, spec: ModelSpec) -> Failure:
    names = _KEY_VARIABLE.findall(str(exc))
    if names:
        hint = f"set {names[0]}, or name the key's environment variable in apiKeyEnv"
    else:
        hint = f"name the environment variable that holds the key for {spec.model!r} in apiKeyEnv"
    return Failure("auth", f"auth: no API key: {hint}")


def classify(exc: BaseException, litellm: ModuleType, spec: ModelSpec, timeout_s: float) -> Failure:
    """Turn a litellm/openai exception into a (kind, one-line detail).

    Set-up failures get their own kinds, which ``domain.MODEL_ERROR_KINDS`` does not
    count against the model: ``unreachable`` (no connection to the apiBase),
    ``auth`` (a key rejected by the gateway or the provider, or no key at all),
    ``budget`` (the gateway's spending limit) and ``config``.  The provider's passing
    trouble is ``rate_limit``, ``unavailable`` (5xx, 408, a connection that broke after
    it was made) or ``timeout``, with the provider's Retry-After when it sent one.
    """
    ex = litellm.exceptions if hasattr(litellm, "exceptions") else litellm
    status = _status_of(exc)
    error = _error_body(exc)
    error_type = str(error.get("type") or "")
    said = error.get("message")
    message = one_line(said if isinstance(said, str) and said else _provider_message(exc))
    name = type(exc).__name__
    text = f"{exc} {error.get('message') or ''}"

    def is_(cls_name: str) -> bool:
        cls = getattr(ex, cls_name, None)
        return isinstance(cls, type) and isinstance(exc, cls)

    where = spec.api_base or f"the provider of {spec.model!r}"
    why_not = _no_connection(exc, timeout_s)
    if why_not is not None:
        return Failure("unreachable", f"unreachable: cannot reach {where} ({why_not})")
    if is_("Timeout") or isinstance(exc, TimeoutError):
        return Failure("timeout", f"timeout: no reply within {timeout_s:g} s")
    if error_type == _BUDGET_TYPE or any(m in text for m in _BUDGET_MARKERS):
        return Failure("budget", f"budget: budget exceeded at {where} ({message})")
    if _out_of_credit(status, error, text):
        return Failure(
            "budget", f"budget: the account's quota or credit is used up at {where} ({message})"
        )
    if error_type.endswith("_model_access_denied"):
        return Failure(
            "auth", f"auth: the gateway does not let this key use {spec.model!r} ({message})"
        )
    if error_type in _GATEWAY_AUTH_TYPES or any(m in text for m in _GATEWAY_AUTH_MARKERS):
        said_status = f"{status}: " if status else ""
        return Failure("auth", f"auth: the gateway rejected the key ({said_status}{message})")
    if _MISSING_KEY.search(text):
        return _missing_key(exc, spec)
    if _GATEWAY_NO_MODEL in text:
        return Failure("config", f"config: the gateway has no model {spec.model!r} ({message})")
    if is_("ContextWindowExceededError"):
        return Failure(
            "context_length", f"context_length: the prompt is too long for this model ({message})"
        )
    if is_("AuthenticationError") or is_("PermissionDeniedError") or status in (401, 403):
        code = status or (403 if is_("PermissionDeniedError") else 401)
        return Failure("auth", f"auth: the provider rejected the API key ({code})")
    if is_("RateLimitError") or status == 429:
        return Failure("rate_limit", "rate_limited: 429", retry_after_seconds(_headers_of(exc)))
    if any(marker in str(exc) for marker in _BAD_REPLY_MARKERS):
        return Failure(
            "bad_reply",
            f"bad_reply: the provider's reply is not a valid chat completion ({message})",
        )
    if is_("APIConnectionError") or "Connection error" in str(exc):
        # connected, then the connection broke before a reply: the provider's failure
        cause = next(
            (c for c in _causes(exc)[1:] if str(c) and "Connection error" not in str(c)), None
        )
        because = f" ({one_line(str(cause), 120)})" if cause is not None else ""
        return Failure("unavailable", f"unavailable: the connection to {where} broke{because}")
    if is_("LiteLLMUnknownProvider") or "LLM Provider NOT provided" in str(exc):
        return Failure("config", f"config: litellm does not know the model string {spec.model!r}")
    if is_("NotFoundError") or status == 404:
        return Failure(
            "config", f"config: the provider does not know model {spec.model!r} (404): {message}"
        )
    if status is not None:
        return _status_failure(status, message, error, is_("ContentPolicyViolationError"), exc)
    return Failure("provider", f"provider_error: {name}: {message}")


def _status_failure(
    status: int,
    message: str,
    error: Mapping[str, Any],
    policy_violation: bool,
    exc: BaseException,
) -> Failure:
    """A failure known by its HTTP status only.  A 5xx or 408 is the provider's passing
    trouble (``unavailable``, with its Retry-After).  A request the provider refuses as
    invalid for this model (400, 422: a role or parameter it does not take) is the
    set-up's, not an answer of the model; a content filter's refusal and any other 4xx
    count."""
    reason = _REASONS.get(status, "")
    head = f"{status} {reason}".strip()
    if status >= 500 or status in _PASSING_STATUS:
        said = f": {message}" if message else ""
        wait = retry_after_seconds(_headers_of(exc))
        return Failure("unavailable", f"unavailable: provider error {head}{said}", wait)
    codes = f"{error.get('type') or ''} {error.get('code') or ''}"
    filtered = policy_violation or any(m in codes for m in _CONTENT_FILTER_CODES)
    if status in _INVALID_REQUEST and not filtered:
        return Failure(
            "config", f"config: the provider refused the request as invalid ({status}: {message})"
        )
    return Failure(
        "provider", f"provider_error: {head}: {message}" if message else f"provider_error: {head}"
    )
