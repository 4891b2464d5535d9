"""Contextual-bandit baselines: LinUCB, linear Thompson sampling and an online k-NN.

Features (:class:`Featurizer`): a bias, a one-hot dimension, a one-hot source benchmark
(vocabulary = the prior's sources; unseen sources are hashed into a small extra block)
and hashed tokens of the task id and prompt (CRC-32 into ``TOKEN_DIMS`` buckets, weight
1/sqrt(#tokens) so the block has unit norm).  Reward = score - cost_weight x cost.

The linear models are per-arm ridge regressions (lambda = 1) whose sufficient statistics
start from the prior split (every prior task is a full-information observation for every
arm) and are then updated, Sherman-Morrison style, only with the calls the router made.
"""

from __future__ import annotations

import math
import re
import zlib
from collections.abc import Sequence

import numpy as np

from acrouter.coderouterbench import Dataset, source_of, to_task
from acrouter.domain import DIMENSIONS, Attempt, Decision, Outcome, Task

from .routers import Router, argmax_first

TOKEN_DIMS = 256
UNSEEN_SOURCE_DIMS = 16
_TOKEN_RE = re.compile(r"[a-z0-9]+")
_MAX_TEXT = 20_000  # characters of prompt text hashed (long OOD issues are truncated)


class Featurizer:
    def __init__(self, prior_sources: Sequence[str]) -> None:
        self.sources = {s: i for i, s in enumerate(sorted(set(prior_sources)))}
        self.dims = {d: i for i, d in enumerate(DIMENSIONS)}
        self.o_dim = 1
        self.o_src = self.o_dim + len(DIMENSIONS) + 1
        self.o_unseen = self.o_src + len(self.sources)
        self.o_tok = self.o_unseen + UNSEEN_SOURCE_DIMS
        self.size = self.o_tok + TOKEN_DIMS

    def __call__(self, task: Task) -> np.ndarray:
        x = np.zeros(self.size)
        x[0] = 1.0
        x[self.o_dim + self.dims.get(task.kind, len(DIMENSIONS))] = 1.0
        source = str(task.meta.get("source") or source_of(task.task_id))
        if source in self.sources:
            x[self.o_src + self.sources[source]] = 1.0
        else:
            x[self.o_unseen + zlib.crc32(source.encode()) % UNSEEN_SOURCE_DIMS] = 1.0
        tokens = set(_TOKEN_RE.findall(f"{task.task_id} {task.text[:_MAX_TEXT]}".lower()))
        if tokens:
            w = 1.0 / math.sqrt(len(tokens))
            for tok in tokens:
                x[self.o_tok + zlib.crc32(tok.encode()) % TOKEN_DIMS] += w
        return x


def _prior_matrix(
    prior: Dataset, featurize: Featurizer, cost_weight: float
) -> tuple[np.ndarray, np.ndarray]:
    n, d, k = len(prior.tasks), featurize.size, len(prior.models)
    x = np.zeros((n, d))
    r = np.zeros((n, k))
    for row, t in enumerate(prior.tasks):
        x[row] = featurize(to_task(t))
        r[row] = np.asarray(prior.scores[t.task_id]) - cost_weight * np.asarray(
            prior.costs[t.task_id]
        )
    return x, r


def _attempt_rewards(outcome: Outcome, cost_weight: float) -> list[tuple[str, float]]:
    out = []
    for a in outcome.attempts:
        if a.score is None:
            continue
        out.append((a.model, a.score - cost_weight * (a.cost_usd or 0.0)))
    return out


class _LinearRouter(Router):
    """Shared ridge-regression state: A^-1 and theta per arm."""

    def __init__(self, prior: Dataset, cost_weight: float) -> None:
        self.cost_weight = cost_weight
        self.models = list(prior.models)
        self.pos = {m: i for i, m in enumerate(self.models)}
        self.featurize = Featurizer([t.source for t in prior.tasks])
        x, r = _prior_matrix(prior, self.featurize, cost_weight)
        a = np.eye(self.featurize.size) + x.T @ x
        a_inv = np.linalg.inv(a)
        a_inv = (a_inv + a_inv.T) / 2.0
        self.a_inv = np.repeat(a_inv[None, :, :], len(self.models), axis=0)
        self.b = (x.T @ r).T.copy()  # (k, d)
        self.theta = np.einsum("kij,kj->ki", self.a_inv, self.b)
        self._cache: tuple[str, np.ndarray] | None = None

    def _x(self, task: Task) -> np.ndarray:
        if self._cache is None or self._cache[0] != task.task_id:
            self._cache = (task.task_id, self.featurize(task))
        return self._cache[1]

    def _mean_and_width(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        nz = np.flatnonzero(x)
        xs = x[nz]
        mean = self.theta[:, nz] @ xs
        sub = self.a_inv[:, nz[:, None], nz]  # (k, nnz, nnz): x is sparse
        var = (sub @ xs) @ xs
        return mean, np.sqrt(np.maximum(var, 0.0))

    def _scores(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def choose(self, task: Task, models: Sequence[str]) -> tuple[str, str]:
        values = self._scores(self._x(task))
        known = [m for m in models if m in self.pos]
        if not known:
            return models[0], "no model with a prior"
        best = known[argmax_first([float(values[self.pos[m]]) for m in known])]
        return best, f"{self.name}: index {float(values[self.pos[best]]):.3f}"

    def learn(self, task: Task, outcome: Outcome) -> None:
        x = self._x(task)
        nz = np.flatnonzero(x)
        xs = x[nz]
        for model, reward in _attempt_rewards(outcome, self.cost_weight):
            k = self.pos.get(model)
            if k is None:
                continue
            a_inv = self.a_inv[k]
            u = xs @ a_inv[nz]  # = A^-1 x (A^-1 is symmetric)
            a_inv -= np.outer(u, u) / (1.0 + float(u[nz] @ xs))
            self.b[k, nz] += reward * xs
            self.theta[k] = a_inv @ self.b[k]
        self._cache = None


class LinUcbRouter(_LinearRouter):
    name = "linucb"

    def __init__(self, prior: Dataset, cost_weight: float, alpha: float = 1.0) -> None:
        super().__init__(prior, cost_weight)
        self.alpha = alpha

    def _scores(self, x: np.ndarray) -> np.ndarray:
        mean, width = self._mean_and_width(x)
        return mean + self.alpha * width


class LinTsRouter(_LinearRouter):
    """Thompson sampling: per arm, a draw of x.theta ~ N(x.theta_hat, v^2 x'A^-1 x)."""

    name = "lints"

    def __init__(self, prior: Dataset, cost_weight: float, v: float = 0.35, seed: int = 0) -> None:
        super().__init__(prior, cost_weight)
        self.v = v
        self.rng = np.random.default_rng(seed)

    def _scores(self, x: np.ndarray) -> np.ndarray:
        mean, width = self._mean_and_width(x)
        return mean + self.v * width * self.rng.standard_normal(len(mean))


class KnnRouter(Router):
    """Online k-NN: among the ``k`` most similar past stream tasks (cosine over the
    features), the model with the highest mean observed reward; round-robin over the
    models for the first ``len(models)`` tasks.  Uses no prior outcomes (the prior only
    fixes the source vocabulary of the features)."""

    name = "knn"

    def __init__(self, prior: Dataset, cost_weight: float, k: int = 8) -> None:
        self.cost_weight = cost_weight
        self.k = k
        self.featurize = Featurizer([t.source for t in prior.tasks])
        self.vectors = np.zeros((64, self.featurize.size))
        self.observed: list[dict[str, float]] = []
        self.routed = 0  # tasks routed so far (for the round-robin start)
        self._cache: tuple[str, np.ndarray] | None = None

    def _x(self, task: Task) -> np.ndarray:
        if self._cache is None or self._cache[0] != task.task_id:
            x = self.featurize(task)
            self._cache = (task.task_id, x / np.linalg.norm(x))
        return self._cache[1]

    def plan(self, task: Task, models: Sequence[str], tried: Sequence[Attempt]) -> Decision:
        decision = super().plan(task, models, tried)
        if not tried and models:
            self.routed += 1
        return decision

    def choose(self, task: Task, models: Sequence[str]) -> tuple[str, str]:
        if self.routed < len(models) or not self.observed:
            return models[self.routed % len(models)], "k-NN warm-up: round robin"
        x = self._x(task)
        nz = np.flatnonzero(x)
        n = len(self.observed)
        sims = self.vectors[:n, nz] @ x[nz]
        nearest = np.argsort(-sims, kind="stable")[: self.k]
        sums: dict[str, float] = {}
        counts: dict[str, int] = {}
        for j in nearest:
            for model, reward in self.observed[int(j)].items():
                sums[model] = sums.get(model, 0.0) + reward
                counts[model] = counts.get(model, 0) + 1
        candidates = [m for m in models if m in counts]
        if not candidates:
            return models[0], "k-NN: no neighbour observed a configured model"
        means = [sums[m] / counts[m] for m in candidates]
        best = candidates[argmax_first(means)]
        return best, f"k-NN: mean reward {max(means):.3f} over {counts[best]} neighbour(s)"

    def learn(self, task: Task, outcome: Outcome) -> None:
        rewards = dict(_attempt_rewards(outcome, self.cost_weight))
        if not rewards:
            return
        n = len(self.observed)
        if n == len(self.vectors):
            self.vectors = np.concatenate([self.vectors, np.zeros_like(self.vectors)])
        self.vectors[n] = self._x(task)
        self.observed.append(rewards)
        self._cache = None
