"""A request's work-done progress and its cancellation: the client's Cancel button
(progress) and ``$/cancelRequest`` both stop the loop (``domain.CancelToken``), and the
loop's steps are reported on the request's token."""

from __future__ import annotations

import asyncio
import logging
import threading
import uuid
from typing import Any

from lsprotocol import types
from pygls.lsp.server import LanguageServer

log = logging.getLogger(__name__)


class Cancel:
    """Cancelled when the client cancels the request or its progress."""

    def __init__(self, outer: Any, progress_future: Any = None) -> None:
        self._outer = outer
        self._progress = progress_future
        self._flag = threading.Event()

    def set(self) -> None:
        self._flag.set()

    def also(self, progress_future: Any) -> None:
        """Cancelled too when ``progress_future`` (a work-done progress's) is."""
        self._progress = progress_future

    @property
    def cancelled(self) -> bool:
        if self._flag.is_set():
            return True
        for fut in (self._outer, self._progress):
            if fut is not None and fut.cancelled():
                self._flag.set()
                return True
        return False


def request_cancel(ls: LanguageServer, progress_future: Any = None) -> Cancel:
    """Cancelled when the client cancels the request being handled ($/cancelRequest
    cancels its future: pygls keeps them in ``_request_futures``, by message id) or the
    ``progress_future`` of its work-done progress.  Call it before the handler's first
    ``await``: ``msg_id`` is the message pygls is handling now."""
    msg_id = ls.protocol.msg_id
    outer = ls.protocol._request_futures.get(msg_id) if msg_id is not None else None
    return Cancel(outer, progress_future)


class Progress:
    """Reports the loop's steps (``domain.Progress``) on the request's progress token."""

    def __init__(
        self,
        server: LanguageServer,
        token: types.ProgressToken | None,
        loop: asyncio.AbstractEventLoop,
    ) -> None:
        self.server, self.token, self.loop = server, token, loop

    def report(self, message: str) -> None:
        log.info("progress: %s", message)
        if self.token is None:
            return
        value = types.WorkDoneProgressReport(message=message)
        self.loop.call_soon_threadsafe(self.server.work_done_progress.report, self.token, value)


async def begin_progress(
    ls: LanguageServer, token: types.ProgressToken | None
) -> types.ProgressToken | None:
    """Progress on the client's workDoneToken if the request carried one, else on a token
    the server creates (window/workDoneProgress/create) when the client supports it."""
    if token is None:
        caps = ls.client_capabilities
        if not (caps and caps.window and caps.window.work_done_progress):
            return None
        token = f"acrouter-{uuid.uuid4().hex[:8]}"
        try:
            await ls.work_done_progress.create_async(token)
        except Exception:  # noqa: BLE001 -- client refused: run without progress
            return None
    ls.work_done_progress.begin(
        token,
        types.WorkDoneProgressBegin(title="ACRouter", message="choosing model", cancellable=True),
    )
    return token


def end_progress(ls: LanguageServer, token: types.ProgressToken | None) -> None:
    if token is not None:
        ls.work_done_progress.end(token, types.WorkDoneProgressEnd(message="done"))
        ls.work_done_progress.tokens.pop(token, None)
