"""Baseline routers for the replay (built by name in :mod:`.registry`).

Every router implements :class:`acrouter.domain.Policy` and runs through the production
Orchestrator.  Routers fitted on priors keep only statistics of the prior Dataset and,
during the stream, learn only from the Outcomes the Orchestrator hands them (bandit
feedback by construction).  Two routers read the stream's ground truth and are marked
``uses_truth = True``: ``oracle`` and the hindsight bounds (``hindsight-source``,
``hindsight-model``).  They are reference points, not routers one could deploy.

One-shot routers make exactly one call per task in every protocol; the escalation
baselines (``cascade2``, ``cascade3``, ``paper-ood-cascade``) keep calling until the
verifier says pass or their plan is exhausted.  In the ``single`` protocol (one call per
task) a cascade reduces to its first choice, so the cascades are only in the default
router list for ``escalate``.

Mid-task a router only sees the verdicts (and OOD patch flags) of its own calls, never
their scores, so when it stops without a pass it cannot know which failed attempt scored
best.  The stop decisions here accept the first attempt (the router's own top choice);
the benchmark accounts the final of a run without a pass by the protocol's
"best-verified attempt" rule (see :mod:`acrouter.bench.metrics`), identically for all
routers.
"""

from __future__ import annotations

import functools
import random
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence

from acrouter.coderouterbench import Dataset
from acrouter.domain import Attempt, Decision, Outcome, Task

from .replay import parse_flags

#: The paper's released ID policy breaks ties in this order.
PAPER_TIE_ORDER = (
    "claude-sonnet-4-6",
    "claude-opus-4-6",
    "kimi-k2.5",
    "gpt-5.4",
    "MiniMax-M2.7",
    "qwen3.5-plus",
    "glm-5",
    "Qwen3-Max",
)
#: The paper's OOD cascade: these in order, then claude-opus-4-6 as a rescue.
PAPER_OOD_ORDER = ("MiniMax-M2.7", "kimi-k2.5", "gpt-5.4", "glm-5")
PAPER_OOD_RESCUE = "claude-opus-4-6"


# --------------------------------------------------------------------------- helpers


def argmax_first(values: Sequence[float]) -> int:
    """Index of the largest value; the first one on ties."""
    best = 0
    for i in range(1, len(values)):
        if values[i] > values[best]:
            best = i
    return best


def rewards(data: Dataset, task_id: str, cost_weight: float) -> list[float]:
    return [s - cost_weight * c for s, c in zip(data.scores[task_id], data.costs[task_id])]


def group_means(
    data: Dataset, key: Callable[[str, str, str], str], values: Callable[[str], Sequence[float]]
) -> tuple[dict[str, list[float]], dict[str, int]]:
    """Per-group mean of ``values(task_id)`` (one per model); ``key(task_id, dim, source)``."""
    sums: dict[str, list[float]] = {}
    counts: dict[str, int] = defaultdict(int)
    n_models = len(data.models)
    for t in data.tasks:
        k = key(t.task_id, t.dimension, t.source)
        acc = sums.setdefault(k, [0.0] * n_models)
        for i, v in enumerate(values(t.task_id)):
            acc[i] += v
        counts[k] += 1
    return {k: [v / counts[k] for v in acc] for k, acc in sums.items()}, dict(counts)


def accept_of(tried: Sequence[Attempt]) -> str | None:
    """The attempt a router accepts when it stops: the first pass, else its first call."""
    for a in tried:
        if a.verdict == "pass":
            return a.model
    return tried[0].model if tried else None


def _stop(tried: Sequence[Attempt], reason: str) -> Decision:
    return Decision(model=None, reason=reason, accept=accept_of(tried))


class Router:
    """Base: a one-shot router; subclasses implement :meth:`choose`."""

    name = "router"
    uses_truth = False

    def plan(self, task: Task, models: Sequence[str], tried: Sequence[Attempt]) -> Decision:
        if tried or not models:
            return _stop(tried, "one call per task")
        model, reason = self.choose(task, models)
        return Decision(model=model, reason=reason)

    def choose(self, task: Task, models: Sequence[str]) -> tuple[str, str]:
        raise NotImplementedError

    def learn(self, task: Task, outcome: Outcome) -> None:
        pass


class _ByModel:
    """Per-model values in the prior's model order -> the best name among ``models``."""

    def __init__(self, prior_models: Sequence[str]) -> None:
        self.pos = {m: i for i, m in enumerate(prior_models)}

    def best(self, values: Sequence[float], models: Sequence[str]) -> str:
        known = [m for m in models if m in self.pos]
        if not known:
            return models[0]
        return known[argmax_first([values[self.pos[m]] for m in known])]


# --------------------------------------------------------------------------- truth-based


class OracleRouter(Router):
    """Calls the model with the best reward on each task (reads the truth: a bound)."""

    name = "oracle"
    uses_truth = True

    def __init__(self, truth: Dataset, cost_weight: float) -> None:
        self.truth = truth
        self.cost_weight = cost_weight
        self.by_model = _ByModel(truth.models)

    def choose(self, task: Task, models: Sequence[str]) -> tuple[str, str]:
        r = rewards(self.truth, task.task_id, self.cost_weight)
        return self.by_model.best(r, models), "oracle: best reward on this task (uses truth)"


class HindsightSourceRouter(Router):
    """Best single model per source benchmark, chosen in hindsight on the stream (a bound)."""

    name = "hindsight-source"
    uses_truth = True

    def __init__(self, truth: Dataset, cost_weight: float) -> None:
        self.means, _ = group_means(
            truth, lambda _i, _d, s: s, lambda i: rewards(truth, i, cost_weight)
        )
        self.by_model = _ByModel(truth.models)

    def choose(self, task: Task, models: Sequence[str]) -> tuple[str, str]:
        source = str(task.meta.get("source", ""))
        return self.by_model.best(self.means[source], models), f"hindsight best on {source}"


class HindsightModelRouter(Router):
    """The single model with the best total reward on the stream, in hindsight (a bound)."""

    name = "hindsight-model"
    uses_truth = True

    def __init__(self, truth: Dataset, cost_weight: float) -> None:
        means, _ = group_means(truth, lambda *_: "", lambda i: rewards(truth, i, cost_weight))
        self.values = means.get("", [0.0] * len(truth.models))
        self.by_model = _ByModel(truth.models)

    def choose(self, task: Task, models: Sequence[str]) -> tuple[str, str]:
        return self.by_model.best(self.values, models), "hindsight best single model"


# --------------------------------------------------------------------------- fixed baselines


class RandomRouter(Router):
    """Uniform choice, seeded per (seed, task id): reproducible and order-independent."""

    name = "random"

    def __init__(self, seed: int) -> None:
        self.seed = seed

    def choose(self, task: Task, models: Sequence[str]) -> tuple[str, str]:
        rng = random.Random(f"{self.seed}:{task.task_id}")
        return models[rng.randrange(len(models))], "uniform at random"


class AlwaysRouter(Router):
    def __init__(self, model: str) -> None:
        self.model = model
        self.name = f"always:{model}"

    def choose(self, task: Task, models: Sequence[str]) -> tuple[str, str]:
        if self.model not in models:
            return models[0], f"{self.model} not configured"
        return self.model, "always the same model"


class DimensionBestRouter(Router):
    """Per dimension, the model with the best mean prior reward (global best if unseen)."""

    name = "dimension-best"

    def __init__(self, prior: Dataset, cost_weight: float) -> None:
        def reward(i: str) -> list[float]:
            return rewards(prior, i, cost_weight)

        self.means, _ = group_means(prior, lambda _i, d, _s: d, reward)
        overall, _ = group_means(prior, lambda *_: "", reward)
        self.overall = overall.get("", [0.0] * len(prior.models))
        self.by_model = _ByModel(prior.models)

    def choose(self, task: Task, models: Sequence[str]) -> tuple[str, str]:
        values = self.means.get(task.kind)
        if values is None:
            return self.by_model.best(
                self.overall, models
            ), f"no prior for {task.kind}: global best"
        return self.by_model.best(values, models), f"best prior reward on {task.kind}"


def _paper_level(level: int, task_id: str, dimension: str, _source: str) -> str:
    return _paper_levels(task_id, dimension)[level]


def _paper_levels(task_id: str, dimension: str) -> tuple[str, str, str]:
    parts = task_id.split("_")
    return "_".join(parts[:3]), (parts[1] if len(parts) > 1 else ""), dimension


class PaperIdRouter(Router):
    """The paper's released hierarchical ID policy (see docs/benchmark-protocol.md).

    Levels, in order: first three ``_`` parts of the task id, the second part alone,
    the dimension.  A group with >= 50 prior tasks maps to the argmax over models of
    ``(sum of scores + 500 x global mean score) / (n + 500)`` (score, not reward), ties
    in :data:`PAPER_TIE_ORDER`.  Else: the best global mean score.
    """

    name = "paper-id"
    MIN_GROUP = 50
    SHRINK = 500.0

    def __init__(self, prior: Dataset) -> None:
        models = list(prior.models)
        order = [m for m in PAPER_TIE_ORDER if m in models] + [
            m for m in models if m not in PAPER_TIE_ORDER
        ]
        self.tie_order = order
        n_all = max(1, len(prior.tasks))
        global_mean = [0.0] * len(models)
        for t in prior.tasks:
            for i, s in enumerate(prior.scores[t.task_id]):
                global_mean[i] += s
        global_mean = [v / n_all for v in global_mean]
        self.global_best = self._best({m: global_mean[i] for i, m in enumerate(models)})
        self.maps: list[dict[str, str]] = []
        for level in range(3):
            sums, counts = group_means(
                prior,
                functools.partial(_paper_level, level),
                lambda i: prior.scores[i],
            )
            mapping: dict[str, str] = {}
            for key, mean in sums.items():
                n = counts[key]
                if n < self.MIN_GROUP:
                    continue
                values = {
                    m: (mean[i] * n + self.SHRINK * global_mean[i]) / (n + self.SHRINK)
                    for i, m in enumerate(models)
                }
                mapping[key] = self._best(values)
            self.maps.append(mapping)

    def _best(self, values: Mapping[str, float]) -> str:
        best = self.tie_order[0]
        for m in self.tie_order[1:]:
            if values[m] > values[best]:
                best = m
        return best

    def choose(self, task: Task, models: Sequence[str]) -> tuple[str, str]:
        keys = _paper_levels(task.task_id, task.kind)
        for level, (key, mapping) in enumerate(zip(keys, self.maps), start=1):
            model = mapping.get(key)
            if model is not None and model in models:
                return model, f"paper ID policy: level {level} group {key}"
        model = self.global_best if self.global_best in models else models[0]
        return model, "paper ID policy: global best"


# --------------------------------------------------------------------------- escalation


class CascadeRouter:
    """Per source benchmark, models in order of prior mean reward; stop at the first pass.

    At most ``max_calls`` calls.  Sources without a prior use the dimension's order, then
    the global order.  This is the reference table's 2-/3-call cascade.
    """

    uses_truth = False

    def __init__(self, prior: Dataset, cost_weight: float, max_calls: int) -> None:
        self.name = f"cascade{max_calls}"
        self.max_calls = max_calls
        models = list(prior.models)

        def reward(i: str) -> list[float]:
            return rewards(prior, i, cost_weight)

        def order(values: Sequence[float]) -> list[str]:
            return [models[i] for i in sorted(range(len(models)), key=lambda i: (-values[i], i))]

        by_source, _ = group_means(prior, lambda _i, _d, s: s, reward)
        by_dim, _ = group_means(prior, lambda _i, d, _s: d, reward)
        overall, _ = group_means(prior, lambda *_: "", reward)
        self.by_source = {k: order(v) for k, v in by_source.items()}
        self.by_dim = {k: order(v) for k, v in by_dim.items()}
        self.overall = order(overall.get("", [0.0] * len(models)))

    def order_for(self, task: Task) -> tuple[list[str], str]:
        source = str(task.meta.get("source", ""))
        if source in self.by_source:
            return self.by_source[source], f"prior order on {source}"
        if task.kind in self.by_dim:
            return self.by_dim[task.kind], f"prior order on {task.kind}"
        return self.overall, "global prior order"

    def plan(self, task: Task, models: Sequence[str], tried: Sequence[Attempt]) -> Decision:
        if any(a.verdict == "pass" for a in tried):
            return _stop(tried, "passed")
        if not models or len(tried) >= self.max_calls:
            return _stop(tried, f"{self.max_calls} calls made")
        done = {a.model for a in tried}
        order, why = self.order_for(task)
        for m in order:
            if m in models and m not in done:
                return Decision(model=m, reason=f"{why}, call {len(tried) + 1}")
        return _stop(tried, "no model left")

    def learn(self, task: Task, outcome: Outcome) -> None:
        pass


class PaperOodCascadeRouter:
    """The paper's OOD cascade: MiniMax-M2.7, kimi-k2.5, gpt-5.4, glm-5 in order, stop at
    the first pass; if none passed and at least 2 of the patches applied, also call
    claude-opus-4-6.

    "Applied" is the verifier's ``apply_ok`` flag of the router's own calls (OOD rows).
    Data without that flag (ID) counts an attempt as applied unless it errored.
    """

    name = "paper-ood-cascade"
    uses_truth = False
    MIN_APPLIED = 2

    def plan(self, task: Task, models: Sequence[str], tried: Sequence[Attempt]) -> Decision:
        if any(a.verdict == "pass" for a in tried):
            return _stop(tried, "resolved")
        if not models:
            return _stop(tried, "no model left")
        done = {a.model for a in tried}
        for m in PAPER_OOD_ORDER:
            if m in models and m not in done:
                return Decision(model=m, reason=f"OOD cascade step {len(tried) + 1}")
        applied = sum(1 for a in tried if _applied(a))
        if (
            applied >= self.MIN_APPLIED
            and PAPER_OOD_RESCUE in models
            and PAPER_OOD_RESCUE not in done
        ):
            return Decision(model=PAPER_OOD_RESCUE, reason=f"{applied} patches applied: rescue")
        return _stop(tried, f"none resolved, {applied} applied")

    def learn(self, task: Task, outcome: Outcome) -> None:
        pass


def _applied(attempt: Attempt) -> bool:
    flag = parse_flags(attempt.detail).get("apply_ok")
    if flag is None:
        return attempt.verdict != "error"
    return flag not in ("0", "None", "")
