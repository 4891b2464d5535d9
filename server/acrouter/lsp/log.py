"""What the language server logs, and where.

stderr is the editor's ACRouter output channel: it gets warnings and acrouter's own
records from INFO (``ACROUTER_LOG_LEVEL=DEBUG`` shows everything there); acrouter's
records also go to the client as window/logMessage.  A JSON-RPC error the server answers
with on purpose (a refused or cancelled request) is no crash: pygls' traceback of it is
left out, and acrouter logs the reason in one line.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from typing import Protocol

from lsprotocol import types


class LogClient(Protocol):
    """What the log needs of the server: its loop, and window/logMessage."""

    loop: asyncio.AbstractEventLoop | None

    def window_log_message(self, params: types.LogMessageParams) -> None: ...


def setup_logging(server: LogClient, answers: tuple[type[BaseException], ...]) -> None:
    """Log as the module docstring says; ``answers``: the exceptions a request's handler
    raises on purpose to answer with an error."""
    level = os.environ.get("ACROUTER_LOG_LEVEL", "WARNING").upper()
    logging.basicConfig(
        level=level, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    if level != "DEBUG":
        logging.getLogger("pygls").setLevel(logging.WARNING)
    logging.getLogger("pygls.protocol.json_rpc").addFilter(AnswersAreNoCrashes(answers))
    logging.getLogger("acrouter").setLevel(logging.INFO if level != "DEBUG" else logging.DEBUG)
    handler = LspLogHandler(server)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    logging.getLogger("acrouter").addHandler(handler)


class AnswersAreNoCrashes(logging.Filter):
    """pygls logs every exception a request's handler raises at ERROR, with its
    tracebacks, even the JSON-RPC errors raised on purpose: a refusal (``RequestFailed``:
    no bubblewrap, no test command, a file too large) or a request the user cancelled.
    The reply tells the editor, and acrouter's log has a line with the reason; the output
    channel should not look as if the server had crashed."""

    def __init__(self, answers: tuple[type[BaseException], ...]) -> None:
        super().__init__()
        self.answers = answers

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not isinstance(exc, self.answers)


class LspLogHandler(logging.Handler):
    """Forwards log records to the client as window/logMessage."""

    def __init__(self, server: LogClient) -> None:
        super().__init__(logging.INFO)
        self.server = server

    def emit(self, record: logging.LogRecord) -> None:
        try:
            kind = (
                types.MessageType.Error
                if record.levelno >= logging.ERROR
                else types.MessageType.Warning
                if record.levelno >= logging.WARNING
                else types.MessageType.Info
            )
            msg = self.format(record)
            loop = self.server.loop
            params = types.LogMessageParams(type=kind, message=msg)
            if loop is not None and loop.is_running():
                loop.call_soon_threadsafe(self.server.window_log_message, params)
        except Exception:  # noqa: BLE001, S110 -- logging must never break the server
            pass
