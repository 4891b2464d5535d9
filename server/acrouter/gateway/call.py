"""``LiteLLMGateway``: one model call through litellm, bounded, cancellable, classified.

The blocking litellm call runs on a daemon worker thread; the caller's thread polls it,
so a cancelled request returns at once (the thread is abandoned) and a server that
trickles bytes past the timeout is cut off.  A 429 is retried once, after the
provider's ``Retry-After`` when that is short; a 429 after that retry, a long
Retry-After, a 5xx and a timeout are the provider's passing trouble, which the
Orchestrator does not learn but cools the model down for (``cooldown``).  Cancellation raises
``domain.Cancelled``; every other failure a ``GatewayError`` (see ``failures``).  API
key values are read from the environment variable the user named, at call time, and
are never logged or put into any message.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from types import ModuleType
from typing import Any

from acrouter.domain import CancelToken, Completion, ModelSpec, Task, check_cancelled
from acrouter.errors import GatewayError

from .failures import Failure, classify, one_line, scrub
from .loader import NO_KEY, StdoutGuard, load_litellm
from .reply import cut_short, reply_cost, reply_text, usage_of

log = logging.getLogger(__name__)

_POLL_S = 0.05


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
        failed: Failure | None = None
        try:
            for attempt in (1, 2):
                worker = self._start(spec, payload, key)
                try:
                    response, litellm = self._wait(worker, cancel)
                except Failure as failure:
                    first_began = first_began or worker.began_at or None
                    if failure.kind != "rate_limit" or attempt == 2:
                        if failure.kind == "rate_limit":
                            failure.detail = "rate_limited: 429 after one retry"
                            self._after_retry(failure)
                        raise
                    wait = self._retry_wait(failure)
                    log.info("model %s: rate limited, retrying once in %.1f s", spec.name, wait)
                    _sleep(wait, cancel)
                    continue
                first_began = first_began or worker.began_at
                tokens_in, tokens_out = usage_of(response)
                cost = reply_cost(litellm, spec, response, tokens_in, tokens_out)
                text = reply_text(response)
                if text is None:  # the model's failure, and billed
                    no_choice = not getattr(response, "choices", None)
                    detail = "empty reply: no choices" if no_choice else "empty reply"
                    raise Failure("bad_reply", detail, cost_usd=cost)
                cut = cut_short(response)
                if cut is not None:  # the model's failure too: an edit it did not finish
                    raise Failure("bad_reply", f"reply cut short {cut}", cost_usd=cost)
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
        except Failure as failure:
            failed = failure
        if failed is None:  # pragma: no cover - the loop always returns or raises
            raise AssertionError("unreachable")
        # Raised outside the except block: no __context__ chain that could hold a key.
        detail = scrub(failed.detail, secrets)
        log.info("model %s failed: %s", spec.name, detail)
        raise GatewayError(
            detail, kind=failed.kind, cost_usd=failed.cost_usd, retry_after=failed.retry_after
        )

    def context_window(self, spec: ModelSpec) -> int | None:
        """The model's input context window in tokens from litellm's bundled model info
        (``get_model_info``), or None when litellm does not know the model."""
        if spec.model not in self._windows:
            window: int | None = None
            try:
                info = load_litellm().get_model_info(model=spec.model)
                raw = info.get("max_input_tokens") or info.get("max_tokens")
                window = int(raw) if raw else None
            except Exception as exc:  # noqa: BLE001 - unknown models raise various errors
                log.debug("no litellm model info for %s: %s", spec.model, type(exc).__name__)
            self._windows[spec.model] = window
        return self._windows[spec.model]

    def warm_up(self) -> None:
        """Import litellm now (several seconds); call from a background thread at start-up
        so the first request does not wait for it.  Safe to call more than once."""
        load_litellm()

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
            litellm = load_litellm()
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
            with StdoutGuard():
                try:
                    return litellm.completion(**kwargs), litellm
                except Exception as exc:  # noqa: BLE001 - every litellm failure is classified
                    raise classify(exc, litellm, spec, timeout_s) from None

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
                raise Failure("timeout", f"timeout: no reply within {self.timeout_s:g} s")
        if worker.error is not None:
            if isinstance(worker.error, Failure):
                raise worker.error
            err = worker.error
            if isinstance(err, ImportError):
                raise Failure("config", f"config: cannot import litellm ({one_line(str(err))})")
            raise Failure("provider", f"provider_error: {type(err).__name__}: {one_line(str(err))}")
        return worker.result  # type: ignore[no-any-return]

    def _after_retry(self, failure: Failure) -> None:
        """A short Retry-After was waited once already and did not do: the cooldown backs
        off (``cooldown.Cooldowns``) instead of waiting it again; a long one is kept."""
        if failure.retry_after is not None and failure.retry_after <= self.max_retry_after_s:
            failure.retry_after = None

    def _retry_wait(self, failure: Failure) -> float:
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
