"""The errors the language server answers with on purpose: a request it could not
serve, with a message the user can act on, and a request refused before any model call
(the reason and the setting that changes it)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from pygls.exceptions import JsonRpcException, JsonRpcRequestCancelled

from ..domain import Cancelled
from ..errors import AcrouterError, PreflightError
from .progress import Cancel

log = logging.getLogger(__name__)

T = TypeVar("T")


class RequestFailed(JsonRpcException):
    """A request that could not be served, with a message the user can act on."""

    def __init__(self, message: str) -> None:
        super().__init__(code=-32803, message=message)  # RequestFailed (LSP 3.17)


def preflight_failed(exc: PreflightError) -> RequestFailed:
    """A refused request: the reason, and the setting that changes it (and a line in
    the log saying so)."""
    log.info("request refused before any model call: %s", exc.reason)
    message = f"{exc.reason}; no model was called"
    if exc.setting:
        message += f". Change the setting acrouter.{exc.setting} to fix this."
    failed = RequestFailed(message)
    failed.data = {
        "reason": exc.reason,
        "setting": f"acrouter.{exc.setting}" if exc.setting else None,
    }
    return failed


async def in_worker(what: str, stop: Cancel, fn: Callable[..., T], /, *args: Any, **kw: Any) -> T:
    """``fn(*args, **kw)`` in a worker thread, its errors as the server's answers: the
    user's cancel, a refusal before any model call, an ``AcrouterError`` with its reason
    (``what``: how the log names the work, e.g. "request"); ``stop`` is set when the
    request itself is cancelled, so that the worker stops."""
    try:
        return await asyncio.to_thread(fn, *args, **kw)
    except Cancelled:
        log.info("%s cancelled by the user", what)
        raise JsonRpcRequestCancelled("cancelled by the user") from None
    except asyncio.CancelledError:
        stop.set()
        raise
    except PreflightError as exc:
        raise preflight_failed(exc) from exc
    except AcrouterError as exc:
        log.info("%s failed: %s", what, exc)
        raise RequestFailed(str(exc)) from exc
