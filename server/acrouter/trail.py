"""One request's trail through the Action stage (``Orchestrator._escalate``): the
attempts so far, what the policy decided and what the loop learned along the way, and
the attempt under way, which a cancelled request still records (what it paid for)."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence

import attrs

from .cooldown import Pause
from .domain import CANCELLED, Attempt, Decision, Edit, Feedback, ModelSpec


@attrs.define
class Trail:
    """One request's attempts so far, and what was decided and learned along the way."""

    attempts: list[Attempt] = attrs.Factory(list)  # full record, scores included
    seen: list[Attempt] = attrs.Factory(list)  # what the policy sees mid-task: no scores
    decisions: list[Decision] = attrs.Factory(list)
    edits: dict[str, Edit] = attrs.Factory(dict)  # each model's parsed edit
    feedback: list[Feedback] = attrs.Factory(list)  # why earlier attempts failed
    sandboxes: list[str] = attrs.Factory(list)  # which sandbox ran the tests, from the verdicts
    #: which command ran them, from the verdicts (as the why shows it: `cmd` and the
    #: Python a pyenv shim ran)
    commands: list[str] = attrs.Factory(list)
    stop: Decision | None = None  # the policy's decision to stop, if it stopped
    passed: str | None = None  # the model whose edit passed
    #: apiBases that could not be reached in this request: the models behind them are not
    #: tried again (each would fail the same way, after its own connection timeout)
    down: set[str] = attrs.Factory(set)
    #: why no other model should be called: the tests could not run before the edit and
    #: still cannot after one, for the same reason (``Verdict.setup_error``), or the only
    #: failing tests need the network the sandbox has not (``Verdict.network_error``)
    blocked: str | None = None
    #: models not offered to the policy because they were cooling down, and the models
    #: whose passing failure in this request made them cool down (for the why)
    skipped: dict[str, Pause] = attrs.Factory(dict)
    paused: dict[str, Pause] = attrs.Factory(dict)
    #: the attempt under way: a model called, and then the tests run on its edit
    pending: Pending | None = None

    def reachable(self, models: Mapping[str, ModelSpec]) -> tuple[str, ...]:
        return tuple(
            n for n, m in models.items() if m.api_base is None or m.api_base not in self.down
        )


@attrs.define
class Pending:
    """An attempt under way, kept so that a request cancelled mid-attempt still records
    what it was paying for: the model's call (its cost unknown until it replies), then
    the tests on its edit (the call's cost known)."""

    model: str
    started: float  # time.perf_counter() when the call was made
    cost_usd: float | None = None
    call_ms: float | None = None  # the call's latency, once it replied

    def cancelled(self) -> Attempt:
        """The attempt as recorded when the request is cancelled: not counted (a cancel
        says nothing about the model), with its cost when the call had replied."""
        if self.call_ms is None:
            latency = (time.perf_counter() - self.started) * 1000.0
            why = (
                f"the request was cancelled while {self.model} was answering; what the "
                "call cost is unknown (the provider may bill it)"
            )
        else:
            latency = self.call_ms
            why = f"the request was cancelled while the tests ran on {self.model}'s edit"
        return Attempt(
            self.model, "error", self.cost_usd, latency, f"{CANCELLED}: {why}", counted=False
        )


def total_cost(attempts: Sequence[Attempt]) -> float | None:
    """The attempts' summed cost; unknown if any one's is."""
    costs = [a.cost_usd for a in attempts]
    return None if any(c is None for c in costs) else float(sum(c for c in costs if c is not None))
