"""Information-directed sampling for the one-call choice (``explore_index="ids"``;
measured in docs/adaptation.md, not the default).

Posterior samples (Thompson sampling, the default) call a model as often as it is
likely to be the best.  Information-directed sampling (Russo & Van Roy, 2018, the
variance-based form) weighs what a call costs now against what it teaches about which
model is the best:

- ``K`` joint draws of every model's value (its score drawn from the same Beta
  posterior the samples are drawn from, minus its cost; a model whose evidence exceeds
  ``explore_max_n`` at its mean);
- the *regret* of a model, ``Delta = E[max value] - E[its value]``;
- its *information*, ``v = sum_a P(A* = a) (E[its value | A* = a] - E[its value])^2``:
  how far its value moves with which model is the best (``A*``, the best of a draw);
- the choice is a draw from the distribution over at most two models that minimises
  ``(q Delta_i + (1 - q) Delta_j)^2 / (q v_i + (1 - q) v_j)`` (``q`` on a grid).

A model unlikely to be the best is called only while what it would teach is worth the
regret; a leader whose value is known is called once the others' information no longer
pays for theirs.  Deterministic for a given ``random.Random`` (the task's own).
"""

from __future__ import annotations

import random
from collections.abc import Sequence

import numpy as np

from .shrinkage import Estimate

K = 512  # joint draws per choice
Q_GRID = np.linspace(0.0, 1.0, 21)


def choose(
    ests: Sequence[Estimate],
    costs: Sequence[float],
    concentration: float,
    max_n: float,
    rng: random.Random,
) -> int | None:
    """The index of the model to call, or None when no model's value is uncertain
    (every evidence beyond ``max_n``: the best expected value is the choice)."""
    g = np.random.default_rng(rng.getrandbits(63))
    cols = []
    wide = False
    for est, cost in zip(ests, costs, strict=True):
        if est.n_eff < max_n:
            n = est.n_eff * concentration
            a = max(est.score * n, 1e-3)
            b = max((1.0 - est.score) * n, 1e-3)
            cols.append(g.beta(a, b, size=K) - cost)
            wide = True
        else:
            cols.append(np.full(K, est.score - cost))
    if not wide:
        return None
    vals = np.stack(cols, axis=1)  # draws x models
    best_of_draw = vals.argmax(axis=1)
    mean = vals.mean(axis=0)
    delta = np.maximum(vals.max(axis=1).mean() - mean, 0.0)
    info = np.zeros(len(ests))
    for a in np.unique(best_of_draw):
        sel = best_of_draw == a
        info += sel.mean() * (vals[sel].mean(axis=0) - mean) ** 2
    pick, q = _min_ratio(delta, info)
    if pick is None:
        return int(mean.argmax())
    i, j = pick
    return i if g.random() < q else j


def _min_ratio(delta: np.ndarray, info: np.ndarray) -> tuple[tuple[int, int] | None, float]:
    """The pair and mixing weight with the least information ratio."""
    best: tuple[int, int] | None = None
    best_q, best_ratio = 1.0, float("inf")
    m = len(delta)
    for i in range(m):
        for j in range(i, m):
            num = (Q_GRID * delta[i] + (1.0 - Q_GRID) * delta[j]) ** 2
            den = Q_GRID * info[i] + (1.0 - Q_GRID) * info[j]
            ratio = np.full_like(num, np.inf)
            ok = den > 0
            ratio[ok] = num[ok] / den[ok]
            ratio[(~ok) & (num <= 0)] = 0.0  # no regret, nothing to learn: a free call
            t = int(ratio.argmin())
            if ratio[t] < best_ratio:
                best, best_q, best_ratio = (i, j), float(Q_GRID[t]), float(ratio[t])
    return best, best_q
