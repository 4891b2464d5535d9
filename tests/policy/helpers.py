"""Small hand-made priors and replay stages for the policy tests."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from acrouter.coderouterbench import BenchTask, Dataset, source_of
from acrouter.domain import Baseline, Completion, Edit, ModelSpec, PromptContext, Task, Verdict
from acrouter.memory import InMemoryMemory
from acrouter.orchestrator import Orchestrator


def make_dataset(
    rows: Sequence[tuple[str, str, Sequence[float]]],
    models: Sequence[str],
    costs: Mapping[str, float] | None = None,
    prices: Mapping[str, tuple[float, float]] | None = None,
) -> Dataset:
    """``rows``: (task_id, dimension, scores in ``models`` order)."""
    costs = costs or {}
    tasks = tuple(
        BenchTask(
            task_id=t, dimension=d, source_split="train", source=source_of(t), meta={}, line=i + 1
        )
        for i, (t, d, _) in enumerate(rows)
    )
    return Dataset(
        split="tiny",
        root=Path("."),
        models=tuple(models),
        prices=dict(prices or {m: (1.0, 2.0) for m in models}),
        tasks=tasks,
        scores={t: tuple(s) for t, _, s in rows},
        costs={t: tuple(costs.get(m, 0.001) for m in models) for t, _, _ in rows},
        extras={t: tuple({} for _ in models) for t, _, _ in rows},
    )


class FakeGateway:
    def __init__(self, cost: Mapping[str, float] | None = None) -> None:
        self.cost = dict(cost or {})
        self.calls: list[str] = []

    def context_window(self, spec: ModelSpec) -> int | None:
        return None

    def complete(self, spec: ModelSpec, messages, task: Task, cancel=None) -> Completion:
        self.calls.append(spec.name)
        return Completion(model=spec.name, text="reply", cost_usd=self.cost.get(spec.name, 0.001))


class FakePrompts:
    def messages(self, task: Task, context: PromptContext) -> list[dict[str, str]]:
        return [{"role": "user", "content": task.text}]

    def parse(self, task: Task, completion: Completion, context: PromptContext) -> Edit:
        return Edit(files={}, replacement=completion.text)


class FakeVerifier:
    """``score(task, model)`` decides; pass iff the score is 1."""

    def __init__(self, score: Callable[[Task, str], float]) -> None:
        self.score = score

    def prepare(self, task: Task, cancel=None) -> Baseline:
        return Baseline()

    def verify(self, task: Task, edit: Edit, model: str, cancel=None) -> Verdict:
        s = self.score(task, model)
        return Verdict("pass" if s >= 1.0 else "fail", score=s)


def orchestrator(specs, policy, score, *, max_attempts: int = 3, cost=None) -> Orchestrator:
    return Orchestrator(
        specs,
        policy,
        FakeGateway(cost),
        FakePrompts(),
        FakeVerifier(score),
        InMemoryMemory(),
        max_attempts=max_attempts,
        accept_unverified=True,
    )


def held_out_single_calls(params, seed: int, tasks: int = 30) -> tuple[list[str], list[str]]:
    """The one-call choices (models called, whys) of the first ``tasks`` tasks of the
    bundled probing data's test generation (val part), held out: priors from the other
    kinds, outcomes the benchmark's, through the production Orchestrator."""
    from acrouter.bench.replay import bench_models
    from acrouter.coderouterbench import load_bundled, to_task
    from acrouter.policy import make_policy

    ds = load_bundled()
    prior = ds.where(lambda t: t.dimension != "test_generation")
    stream = ds.where(lambda t: t.dimension == "test_generation" and t.source_split == "val")
    specs = bench_models(stream)
    idx = {m: i for i, m in enumerate(stream.models)}
    policy = make_policy(prior, specs, cost_weight=0.1, seed=seed, params=params)
    orch = orchestrator(
        specs, policy, lambda t, m: stream.scores[t.task_id][idx[m]], max_attempts=1
    )
    results = [orch.run(to_task(bt)) for bt in list(stream.tasks)[:tasks]]
    return [r.attempts[0].model for r in results], [r.why for r in results]
