"""The replay protocols: ``single``, ``escalate`` and ``lodo`` (docs/benchmark-protocol.md).

Every router runs through the production :class:`acrouter.orchestrator.Orchestrator`
with replay stages, a fresh :class:`acrouter.memory.InMemoryMemory` and
``accept_unverified=True``; ``single`` allows one attempt per task, ``escalate`` as many as
there are models.  Only the replay stages (the environment) and the truth-based bounds
hold the stream's ground truth.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable, Sequence

import attrs

from acrouter.app import build_replay_orchestrator
from acrouter.coderouterbench import BenchTask, Dataset, to_task
from acrouter.domain import DIMENSIONS, Attempt, BudgetedPolicy, Decision, Outcome, Policy, Task
from acrouter.memory import InMemoryMemory

from . import PROTOCOLS
from .metrics import Summary, TaskRecord, account, summarize
from .registry import make_router, uses_truth
from .replay import ReplayGateway, ReplayPrompts, ReplayVerifier, bench_models

log = logging.getLogger(__name__)

#: progress(router, tasks done, tasks total)
ProgressFn = Callable[[str, int, int], None]


@attrs.frozen
class RouterRun:
    router: str
    records: tuple[TaskRecord, ...]
    summary: Summary
    uses_truth: bool
    seconds: float  # wall time (never written to decision files)
    groups: tuple[tuple[str, int, int], ...] = ()  # lodo: (held-out dimension, start, end)
    group_summaries: tuple[tuple[str, Summary], ...] = ()


class _Recording:
    """Transparent Policy proxy that keeps the reason of every decision of the current task."""

    def __init__(self, inner: Policy) -> None:
        self.inner = inner
        self.name = inner.name
        self.reasons: list[str] = []

    def plan(self, task: Task, models: Sequence[str], tried: Sequence[Attempt]) -> Decision:
        decision = self.inner.plan(task, models, tried)
        if decision.reason:
            self.reasons.append(decision.reason)
        return decision

    def learn(self, task: Task, outcome: Outcome) -> None:
        self.inner.learn(task, outcome)

    def configure_budget(self, max_attempts: int) -> None:
        if isinstance(self.inner, BudgetedPolicy):
            self.inner.configure_budget(max_attempts)


class _Clock:
    """Deterministic outcome timestamps: one second per task."""

    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        self.t += 1.0
        return self.t


def drop_overlap(prior: Dataset, stream: Dataset) -> Dataset:
    """The prior without any task of the stream (so no router is fitted on its test)."""
    ids = set(stream.scores)
    if not any(t.task_id in ids for t in prior.tasks):
        return prior
    kept = prior.where(lambda t: t.task_id not in ids)
    log.warning(
        "%d prior task(s) are also in the stream: dropped from the prior",
        len(prior.tasks) - len(kept.tasks),
    )
    return kept


def run_stream(
    router: str,
    prior: Dataset,
    stream: Dataset,
    *,
    protocol: str = "single",
    seed: int = 0,
    cost_weight: float = 0.1,
    noise: float = 0.0,
    progress: ProgressFn | None = None,
    label: str | None = None,
) -> tuple[list[TaskRecord], float]:
    """Replay ``stream`` through the Orchestrator with router ``router`` fitted on ``prior``."""
    if protocol not in ("single", "escalate"):
        raise ValueError(f"unknown protocol {protocol!r}")
    started = time.perf_counter()
    total = len(stream.tasks)
    name = label or router
    if progress is not None:
        progress(name, 0, total)
    specs = bench_models(stream)
    truth = stream if uses_truth(router) else None
    policy = _Recording(make_router(router, prior, specs, seed, cost_weight, truth=truth))
    orchestrator = build_replay_orchestrator(
        specs,
        policy,
        ReplayGateway(stream, specs),
        ReplayPrompts(),
        ReplayVerifier(stream, specs, noise=noise if protocol == "escalate" else 0.0, seed=seed),
        InMemoryMemory(),
        max_attempts=1 if protocol == "single" else len(specs),
        clock=_Clock(),
    )
    records: list[TaskRecord] = []
    every = max(1, total // 100)
    for i, bt in enumerate(stream.tasks, start=1):
        policy.reasons = []
        result = orchestrator.run(to_task(bt))
        records.append(account(stream, result, cost_weight, policy.reasons))
        if progress is not None and (i % every == 0 or i == total):
            progress(name, i, total)
    return records, time.perf_counter() - started


def run_router(
    router: str,
    prior: Dataset,
    stream: Dataset,
    *,
    protocol: str,
    seed: int = 0,
    cost_weight: float = 0.1,
    noise: float = 0.0,
    progress: ProgressFn | None = None,
) -> RouterRun:
    """One router under one protocol.  ``lodo`` runs the 9 held-out dimensions in turn."""
    if protocol in ("single", "escalate"):
        records, seconds = run_stream(
            router,
            drop_overlap(prior, stream),
            stream,
            protocol=protocol,
            seed=seed,
            cost_weight=cost_weight,
            noise=noise,
            progress=progress,
        )
        return RouterRun(router, tuple(records), summarize(records), uses_truth(router), seconds)
    if protocol != "lodo":
        raise ValueError(f"unknown protocol {protocol!r}; known: {', '.join(PROTOCOLS)}")
    all_records: list[TaskRecord] = []
    groups: list[tuple[str, int, int]] = []
    summaries: list[tuple[str, Summary]] = []
    seconds = 0.0
    for dim in held_out_dimensions(stream):
        sub_stream = stream.where(functools.partial(_in_dimension, dim, True))
        sub_prior = drop_overlap(
            prior.where(functools.partial(_in_dimension, dim, False)), sub_stream
        )
        records, secs = run_stream(
            router,
            sub_prior,
            sub_stream,
            protocol="single",
            seed=seed,
            cost_weight=cost_weight,
            progress=progress,
            label=f"{router} [{dim}]",
        )
        seconds += secs
        groups.append((dim, len(all_records), len(all_records) + len(records)))
        summaries.append((dim, summarize(records)))
        all_records.extend(records)
    return RouterRun(
        router,
        tuple(all_records),
        summarize(all_records),
        uses_truth(router),
        seconds,
        tuple(groups),
        tuple(summaries),
    )


def _in_dimension(dim: str, inside: bool, task: BenchTask) -> bool:
    return (task.dimension == dim) == inside


def held_out_dimensions(stream: Dataset) -> list[str]:
    """The dimensions of the stream, in the canonical order (unknown ones last, sorted)."""
    present = {t.dimension for t in stream.tasks}
    return [d for d in DIMENSIONS if d in present] + sorted(present - set(DIMENSIONS))


def run_all(
    routers: Sequence[str],
    prior: Dataset,
    stream: Dataset,
    *,
    protocol: str,
    seed: int = 0,
    cost_weight: float = 0.1,
    noise: float = 0.0,
    progress: ProgressFn | None = None,
) -> list[RouterRun]:
    return [
        run_router(
            r,
            prior,
            stream,
            protocol=protocol,
            seed=seed,
            cost_weight=cost_weight,
            noise=noise,
            progress=progress,
        )
        for r in routers
    ]
