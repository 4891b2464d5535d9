"""Gittins indices of a Bernoulli rate with a Beta posterior: the one-call choice's
exploration without random draws.

For a model whose pass rate has the posterior Beta(mean * n, (1 - mean) * n), the
Gittins index with discount ``gamma`` is the constant reward per call at which one is
indifferent between retiring on it for ever and calling the model (and retiring later,
at the best time, on what its outcomes taught).  Choosing the largest index is the
optimal policy of a discounted bandit with independent arms (Gittins 1979); unlike a
posterior sample it is deterministic, and unlike an upper confidence bound its bonus
comes from the horizon ``1 / (1 - gamma)`` rather than from a confidence level.  A
model's price per call is known (its estimate), so its index as a reward is the index
of its pass rate minus the call's cost: a known constant shift of every reward shifts
the index by the same amount.

Indices are computed by the calibration method (a retirement value found by bisection,
the optimal-stopping value by backward induction over the posterior's states, cut at
``DEPTH`` calls, where the posterior is taken as fixed) on a grid of means and
evidences, once per discount, and read by bilinear interpolation in (mean, log n).  A
discount's table is computed on its first use (10-20 s of CPU) and kept for the process:
fine for the benchmark, which is where this choice is measured (it is not the default;
see docs/adaptation.md).
"""

from __future__ import annotations

import functools
import math

import numpy as np

DEPTH = 160  # calls looked ahead; beyond them the posterior is taken as fixed
N_GRID = np.geomspace(0.05, 2000.0, 57)  # evidence (pseudo-calls), log-spaced
MEAN_GRID = np.linspace(0.0, 1.0, 101)
_ITERATIONS = 22  # bisection steps: the index to ~3e-7


def _indices_at(n: float, gamma: float) -> np.ndarray:
    """The index of every mean of :data:`MEAN_GRID` at evidence ``n``."""
    mu = np.clip(MEAN_GRID, 1e-6, 1.0 - 1e-6)
    a0 = mu * n
    lo = mu.copy()  # the index is at least the mean ...
    hi = np.ones_like(mu)  # ... and at most the best rate there is
    depth = DEPTH
    ks = [np.arange(d + 1, dtype=float) for d in range(depth + 1)]
    for _ in range(_ITERATIONS):
        lam = 0.5 * (lo + hi)
        retire = lam / (1.0 - gamma)
        m = (a0[:, None] + ks[depth][None, :]) / (n + depth)
        v = np.maximum(retire[:, None], m / (1.0 - gamma))
        for d in range(depth - 1, -1, -1):
            m = (a0[:, None] + ks[d][None, :]) / (n + d)
            cont = m + gamma * (m * v[:, 1:] + (1.0 - m) * v[:, :-1])
            if d == 0:
                go_on = cont[:, 0] > retire
                break
            v = np.maximum(retire[:, None], cont)
        lo = np.where(go_on, lam, lo)
        hi = np.where(go_on, hi, lam)
    return 0.5 * (lo + hi)


@functools.lru_cache(maxsize=4)
def table(gamma: float) -> np.ndarray:
    """Indices on the grid, shape (len(N_GRID), len(MEAN_GRID))."""
    if not 0.0 < gamma < 1.0:
        raise ValueError(f"the discount must lie in (0, 1), not {gamma}")
    return np.stack([_indices_at(float(n), gamma) for n in N_GRID])


def index(mean: float, n: float, gamma: float) -> float:
    """The Gittins index of a rate whose posterior is Beta(mean * n, (1 - mean) * n)."""
    mean = min(max(float(mean), 0.0), 1.0)
    if not math.isfinite(n) or n >= N_GRID[-1]:
        return mean  # evidence this large leaves no bonus worth a call
    tab = table(gamma)
    x = math.log(max(n, N_GRID[0]))
    logs = np.log(N_GRID)
    i = min(int(np.searchsorted(logs, x, side="right")) - 1, len(N_GRID) - 2)
    i = max(i, 0)
    t = (x - logs[i]) / (logs[i + 1] - logs[i])
    j = min(int(mean * (len(MEAN_GRID) - 1)), len(MEAN_GRID) - 2)
    u = mean * (len(MEAN_GRID) - 1) - j
    g = (
        (1 - t) * (1 - u) * tab[i, j]
        + (1 - t) * u * tab[i, j + 1]
        + t * (1 - u) * tab[i + 1, j]
        + t * u * tab[i + 1, j + 1]
    )
    return float(max(g, mean))
