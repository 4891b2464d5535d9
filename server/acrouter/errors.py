"""Errors raised by the core. The orchestrator turns gateway/verify/parse errors into
failed attempts; handlers turn anything else into one clear message."""

from __future__ import annotations


class AcrouterError(Exception):
    """Base class of every error ACRouter raises on purpose."""


class GatewayError(AcrouterError):
    """A model call failed. ``kind`` is one of: auth, budget, unreachable, rate_limit,
    unavailable, timeout, provider, context_length, bad_reply, config, cancelled.  Only
    the kinds in ``domain.MODEL_ERROR_KINDS`` count against the model (a timeout when it
    repeats); ``domain.TRANSIENT_KINDS`` cool the model down.  ``cost_usd``: what the
    call cost (0 when no reply was billed; a reply without a usable message may have
    been).  ``retry_after``: the seconds the provider asked to wait (Retry-After), if any."""

    def __init__(
        self,
        detail: str,
        kind: str = "provider",
        cost_usd: float | None = 0.0,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(detail)
        self.kind = kind
        self.detail = detail
        self.cost_usd = cost_usd
        self.retry_after = retry_after


class VerifyError(AcrouterError):
    """The verifier could not run or rejected the edit (e.g. a path outside the workspace)."""


class SandboxStartError(VerifyError):
    """The sandbox exited without starting the tests (e.g. bwrap could not create its
    namespaces): no test ran, which says nothing about the edit."""


class CoolingDown(AcrouterError):
    """Every configured model is cooling down after a passing provider failure (a rate
    limit, a 5xx, a timeout): none is called; the message names when each is usable."""


class ConfigError(AcrouterError):
    """A setting or config file is invalid."""


class ParseError(AcrouterError):
    """A model reply holds no usable edit."""


class DatasetError(AcrouterError):
    """A CodeRouterBench file does not match the expected layout (names file, line, column)."""


class RequestError(AcrouterError):
    """A request's arguments are invalid (no document, range out of bounds, ...)."""


class PreflightError(AcrouterError):
    """A request refused before any model was called (the file is not text or too large,
    no test command, the tests cannot run without the edit).  ``setting`` is the
    camelCase key the user can change (e.g. "testCommand"), or None."""

    def __init__(self, reason: str, setting: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.setting = setting
