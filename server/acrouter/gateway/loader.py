"""Loading litellm: the only module of ACRouter that imports it.

The import is lazy (the first call, inside the gateway's worker thread, or ``warm_up``
at start-up): it takes several seconds, and doing it there keeps the first request
cancellable.  Before the import, ``LITELLM_ENV_DEFAULTS`` make litellm use its bundled
price map and fetch nothing from the internet by itself; after it, litellm's stdout
handler is detached (stdout is the LSP stream) and one offline mock call warms it up.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from collections.abc import Mapping
from types import ModuleType
from typing import TextIO

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


_import_lock = threading.Lock()
_litellm: ModuleType | None = None


def load_litellm() -> ModuleType:
    """Import and configure litellm once per process (thread-safe)."""
    global _litellm
    with _import_lock:
        if _litellm is not None:
            return _litellm
        for name, value in LITELLM_ENV_DEFAULTS.items():
            os.environ.setdefault(name, value)
        started = time.perf_counter()
        with StdoutGuard():
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
        with StdoutGuard():
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


class StdoutGuard:
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
