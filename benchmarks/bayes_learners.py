"""Two Bayesian learners for the `single` protocol, as yardsticks (issue #15): what a
principled model of "eight models in a new domain" reaches on an OOD stream.

Both see only the outcomes of their own calls (bandit feedback), pick one model per task
by a posterior sample of its pass rate minus cost weight x cost (a model's cost: the
mean of its own calls, else its benchmark cost times the stream's observed/benchmark
cost ratio so far), and learn per part of the stream (a part is a source).

- **exchangeable**: the models' pass rates in a part are draws from one
  Beta(mu k, (1 - mu) k); mu and k unknown (grid posterior from the beta-binomial
  likelihood of every model's record; uniform mu, log-normal k around 4). The models
  borrow strength from each other, but nothing says which model is strong.
- **around the priors**: model m's pass rate is sigmoid(logit q_m + delta + u_m), q_m its
  benchmark pass rate on the task's kind, delta a shift shared by the models (the part
  is harder or easier than the benchmark), u_m ~ N(0, s^2) the model's own deviation;
  delta and s unknown (grid posterior, priors N(0, 2^2) and log-normal s). The
  benchmark's ranking holds unless a model's own calls contradict it.

Used by ``ood_single_limits.py --bayes``.
"""

from __future__ import annotations

import math
import random
import statistics
from collections import defaultdict
from collections.abc import Callable

from acrouter.coderouterbench import Dataset

MU_GRID = tuple((i + 0.5) / 20 for i in range(20))
K_GRID = tuple(2 ** (i / 2) for i in range(-2, 15))  # 0.5 .. 128
DELTA_GRID = tuple(i / 4 for i in range(-16, 17))  # -4 .. 4
S_GRID = (0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0)
U_GRID = tuple(i / 4 for i in range(-24, 25))  # -6 .. 6
T_GRID = tuple(i / 4 for i in range(-40, 41))  # delta + u: -10 .. 10
P_FLOOR = 0.005

Oracle = Callable[[Dataset, str], float]


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


def _log_bb(k: float, n: float, a: float, b: float) -> float:
    lg = math.lgamma
    return lg(a + b) - lg(a + b + n) + lg(a + k) - lg(a) + lg(b + n - k) - lg(b)


def _draw(rng: random.Random, logs: list[float]) -> int:
    top = max(logs)
    return rng.choices(range(len(logs)), weights=[math.exp(x - top) for x in logs])[0]


def prior_rates(prior: Dataset) -> dict[tuple[str, str], tuple[float, float]]:
    """(kind, model) -> (benchmark pass rate, mean cost)."""
    sums: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    for bt in prior.tasks:
        for j, m in enumerate(prior.models):
            cell = sums[(bt.dimension, m)]
            cell[0] += 1
            cell[1] += prior.scores[bt.task_id][j] >= 1.0
            cell[2] += prior.costs[bt.task_id][j]
    return {
        key: (min(max(c[1] / c[0], P_FLOOR), 1.0 - P_FLOOR), c[2] / c[0]) for key, c in sums.items()
    }


def _exchangeable(rng: random.Random, rec: list[list[float]], z: list[float]) -> list[float]:
    points = [(mu, k) for mu in MU_GRID for k in K_GRID]
    logs = []
    for mu, k in points:
        lp = -0.5 * ((math.log2(k) - 2.0) / 3.0) ** 2
        lp += sum(_log_bb(c[0], c[0] + c[1], mu * k, (1.0 - mu) * k) for c in rec)
        logs.append(lp)
    mu, k = points[_draw(rng, logs)]
    return [rng.betavariate(mu * k + c[0], (1.0 - mu) * k + c[1]) for c in rec]


def _around_priors(rng: random.Random, rec: list[list[float]], z: list[float]) -> list[float]:
    # log-likelihood of each model's record at logit z_m + t, t on T_GRID
    like = []
    for c, zm in zip(rec, z):
        row = []
        for t in T_GRID:
            p = min(max(_sigmoid(zm + t), 1e-9), 1.0 - 1e-9)
            row.append(c[0] * math.log(p) + c[1] * math.log(1.0 - p))
        like.append(row)
    off = T_GRID.index(0.0)
    points, logs, conds = [], [], []
    for d in DELTA_GRID:
        di = round(d * 4)
        for s in S_GRID:
            w = [-0.5 * (u / s) ** 2 for u in U_GRID]
            norm = math.log(sum(math.exp(x) for x in w))
            lp = -0.5 * (d / 2.0) ** 2 - 0.5 * (math.log(s) / 1.0) ** 2
            per_model = []
            for row in like:
                terms = [w[i] + row[off + di + round(u * 4)] for i, u in enumerate(U_GRID)]
                top = max(terms)
                lp += top + math.log(sum(math.exp(x - top) for x in terms)) - norm
                per_model.append(terms)
            points.append(d)
            logs.append(lp)
            conds.append(per_model)
    i = _draw(rng, logs)
    d = points[i]
    return [_sigmoid(zm + d + U_GRID[_draw(rng, terms)]) for zm, terms in zip(z, conds[i])]


LEARNERS = {"exchangeable": _exchangeable, "around the priors": _around_priors}


def run(
    ds: Dataset,
    prior: dict[tuple[str, str], tuple[float, float]],
    learner: str,
    seed: int,
    oracle: Oracle,
    cost_weight: float,
) -> float:
    """CumReg of one learner on ``ds`` (one model per task)."""
    rng = random.Random(seed)
    sample = LEARNERS[learner]
    models = ds.models
    parts: dict[str, list[list[float]]] = {}
    cost_obs = cost_exp = 0.0
    total = 0.0
    for bt in ds.tasks:
        rec = parts.setdefault(bt.source, [[0.0, 0.0, 0.0, 0.0] for _ in models])
        q = [prior[(bt.dimension, m)] for m in models]
        z = [math.log(p / (1.0 - p)) for p, _ in q]
        scale = cost_obs / cost_exp if cost_exp > 0 else 1.0
        draws = sample(rng, rec, z)
        values = [
            v - cost_weight * (c[2] / c[3] if c[3] else q[j][1] * scale)
            for j, (v, c) in enumerate(zip(draws, rec))
        ]
        j = max(range(len(models)), key=lambda i: (values[i], -i))
        score, cost = ds.scores[bt.task_id][j], ds.costs[bt.task_id][j]
        rec[j][0] += score
        rec[j][1] += 1.0 - score
        rec[j][2] += cost
        rec[j][3] += 1
        cost_obs += cost
        cost_exp += q[j][1]
        total += oracle(ds, bt.task_id) - (score - cost_weight * cost)
    return total


def report(
    prior_ds: Dataset,
    streams: list[Dataset],
    seeds: int,
    oracle: Oracle,
    cost_weight: float,
) -> None:
    prior = prior_rates(prior_ds)
    print("6. Bayesian learners (see bayes_learners.py), mean CumReg over the same streams")
    for name in LEARNERS:
        regs = [
            run(ds, prior, name, s, oracle, cost_weight) for ds in streams for s in range(seeds)
        ]
        print(
            f"   {name:18s} {statistics.fmean(regs):5.1f}  (sd of one run {statistics.pstdev(regs):.1f}, {len(regs)} runs)"
        )
