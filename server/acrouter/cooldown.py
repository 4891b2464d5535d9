"""Cooling a model down after the provider's passing trouble: skipped for a while, never
learned.

A rate limit that persists after the gateway's one retry, a 5xx / overloaded provider, a
connection that broke mid-reply, or a timeout (``domain.TRANSIENT_KINDS``) says how the
provider is doing this minute, not how good the model is: learning it would make the
router avoid a good model for weeks after a busy afternoon.  Such a failure is recorded
with ``counted: false`` (what the call cost is still recorded as spend), and the model
cools down: ``Cooldowns`` keeps, in this process only (one per ``EditorApp``: per
language server, per ``acrouter complete`` run), when each model may be called again.
The Orchestrator offers the policy only the models that are not cooling down, so a
request goes on to the next model of the escalation as before; when every configured
model is cooling down, ``CoolingDown`` names when each is usable again (no silent wait).

How long: the provider's Retry-After when it sent one (at most an hour); otherwise 60 s,
doubled on each further passing failure in a row, up to 15 min.  The model's next reply
clears it (``succeeded``), and so does a quiet spell as long as the longest cooldown.

Timeouts: time is a cost to the user, and a model that routinely takes longer than
``requestTimeoutSeconds`` never delivers for this user, which the router should learn;
one timeout during an outage says nothing.  ACRouter measures no time cost, so the rule
is about counts, from what the memory file records (shared by the editor's windows and
``acrouter complete``): a timeout is counted against the model when the model's previous
call (its newest attempt in memory) also timed out (``repeated_timeout``); a first
timeout is not.  Every timeout cools the model down.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable

import attrs

from .domain import Memory
from .errors import CoolingDown

log = logging.getLogger(__name__)

FIRST_S = 60.0
LONGEST_S = 15 * 60.0
#: A Retry-After longer than this is taken as this long (a day-long pause is a bug).
LONGEST_ASKED_S = 3600.0
#: How many of the newest memory records ``repeated_timeout`` looks through.
_RECENT = 200


def clock_time(t: float) -> str:
    """'12:41:07', local time."""
    return time.strftime("%H:%M:%S", time.localtime(t))


@attrs.frozen
class Pause:
    """A model cooling down: since when, until when, and why."""

    model: str
    failed_at: float
    until: float
    reason: str  # "rate limited", "provider error 503 Service Unavailable", ...
    asked_s: float | None = None  # the provider's Retry-After, if it sent one

    def describe(self) -> str:
        """'rate limited at 12:41:07 (provider asks to wait 30 s); usable again at 12:41:37'."""
        asked = f" (provider asks to wait {self.asked_s:g} s)" if self.asked_s is not None else ""
        return (
            f"{self.reason} at {clock_time(self.failed_at)}{asked}; "
            f"usable again at {clock_time(self.until)}"
        )


class Cooldowns:
    """The models that just failed on the provider's passing trouble, and until when each
    is skipped (thread-safe; in-process state, never stored)."""

    def __init__(
        self,
        clock: Callable[[], float] = time.time,
        first_s: float = FIRST_S,
        longest_s: float = LONGEST_S,
    ) -> None:
        self.clock = clock
        self.first_s = float(first_s)
        self.longest_s = float(longest_s)
        self._lock = threading.Lock()
        self._pauses: dict[str, Pause] = {}
        self._strikes: dict[str, int] = {}

    def failed(self, model: str, reason: str, retry_after: float | None = None) -> Pause:
        """``model`` failed on the provider's passing trouble now: its new pause."""
        with self._lock:
            now = self.clock()
            last = self._pauses.get(model)
            strikes = self._strikes.get(model, 0)
            if last is not None and now - last.until > self.longest_s:
                strikes = 0  # a quiet spell since the last pause: start again at first_s
            strikes += 1
            if retry_after is not None:
                wait = min(max(0.0, retry_after), LONGEST_ASKED_S)
            else:
                wait = min(self.first_s * 2 ** min(strikes - 1, 30), self.longest_s)
            pause = Pause(model, now, now + wait, reason, retry_after)
            self._pauses[model] = pause
            self._strikes[model] = strikes
        log.info("model %s cools down: %s", model, pause.describe())
        return pause

    def succeeded(self, model: str) -> None:
        """``model`` replied: it is no longer cooling down, and its backoff starts again."""
        with self._lock:
            self._pauses.pop(model, None)
            self._strikes.pop(model, None)

    def paused(self, names: Iterable[str]) -> dict[str, Pause]:
        """Those of ``names`` that are cooling down now."""
        with self._lock:
            now = self.clock()
            return {n: p for n in names if (p := self._pauses.get(n)) and p.until > now}

    def check_usable(self, names: Iterable[str]) -> None:
        """Raise ``CoolingDown`` when every one of ``names`` is cooling down."""
        names = list(names)
        paused = self.paused(names)
        if not names or len(paused) < len(names):
            return
        now = self.clock()
        each = "; ".join(
            f"{n}: {p.describe()} (in {max(1, round(p.until - now))} s)" for n, p in paused.items()
        )
        raise CoolingDown(
            "every configured model is cooling down after the provider's passing trouble, so "
            f"none was called (nothing was learned against them): {each}. Ask again then, or "
            "add a model from another provider."
        )


def repeated_timeout(memory: Memory, model: str) -> bool:
    """Whether ``model``'s previous call, its newest attempt in the memory file, also timed
    out (then this timeout counts against it; see the module docstring)."""
    try:
        outcomes = memory.outcomes(_RECENT)
    except Exception:  # memory trouble: do not count
        log.exception("could not read the memory file")
        return False
    for outcome in outcomes:
        for attempt in reversed(outcome.attempts):
            if attempt.model == model:
                return attempt.detail.startswith("timeout:")
    return False
