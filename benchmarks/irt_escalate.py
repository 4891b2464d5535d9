"""Does modelling task difficulty (item response theory) fix escalate's dependence on
the order of an OOD stream?  A prototype yardstick for issue #15, not the policy.

Usage (from the repository root)::

    .venv/bin/python benchmarks/irt_escalate.py --data DIR [--split ood_dev] [--orders 15]
        [--learners pbeta4,irt-exch] [--draws 256] [--draw-seed 0] [--policy]

Replays the split's stream in its own order and ``--orders`` shuffles within each part
(the same orders as ``ood_single_limits.py --escalate``), cold start (priors: the bundled
probing split), escalate protocol, cost weight 0.1, with stand-alone learners that
differ ONLY in how they predict P(model m passes | the models F failed on this task):

- ``betaN``: a Beta posterior per model of its own calls in the domain (every call, the
  first one and those after failures), prior Beta(N q_m, N (1 - q_m)), q_m the
  benchmark pass rate of m on the task's kind.  The failures F are ignored.  ``pbetaN``:
  the same with q_m the domain's pooled pass rate so far (every model's calls, Beta(1, 1)),
  for every model (the benchmark's ranking ignored).
- ``irt`` (a Rasch model with a random effect per task): P(m passes t) =
  sigmoid(theta_m - b_t), b_t ~ N(0, sigma^2).  theta_m ~ N(a + lam (z_m - mean z),
  tau^2), z_m = logit q_m; the level a ~ N(mean z, 2^2) is learned; ``irt`` keeps
  lam = 1 (the benchmark's ranking moved by a shared shift), ``irt-slope`` learns
  lam ~ N(1, 1) (lam near 0: the benchmark's ranking says nothing here), ``irt-exch``
  keeps lam = 0 (models exchangeable, their common level learned).  theta, a and
  lam are fitted by maximum a posteriori with every task's b_t integrated out
  (Gauss-Hermite, 20 nodes), so a pass after other models failed on the same task counts
  as evidence the model is above a hard task, and an early pass on an easy task less.
  sigma and tau are averaged over a grid by their Laplace evidence.  The conditional is
  E[sigmoid(theta_m - b) prod_F (1 - sigmoid(theta_f - b))] / E[prod_F (...)], the
  expectation over b and over theta's Laplace posterior (``--draws`` fixed normal draws;
  0: theta at its MAP).

Shared by every learner: a domain is a part of the stream (a source, as the policy's
calibration domain); a model's cost is the mean of its own calls there, else its
benchmark cost times the stream's observed / benchmark cost ratio so far; a call costs
0.1 x USD + min(1.5 x USD, 0.03) + 0.003 (the policy's ``Escalation.call_cost``); among
the models whose P(pass | F) exceeds that cost the one with the highest reservation value
1 - cost / P is called (Weitzman's index for a pass/fail call), else the loop stops (the
first call is always made).  Bandit feedback: a learner sees only its own calls.
Regret as the benchmark's: the oracle's reward minus (final score - 0.1 x the USD of
every call).  ``--policy`` also runs the acrouter policy on the same orders.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "server"))

import bayes_learners as bl
import ood_single_limits as osl
import policy_eval as pe
from acrouter.coderouterbench import Dataset

CW = pe.COST_WEIGHT
TIME_WEIGHT, TIME_CAP, CALL_PENALTY = 1.5, 0.03, 0.003  # PolicyParams' defaults
GH_X, GH_W = np.polynomial.hermite.hermgauss(20)
SIGMA_GRID = (0.5, 1.0, 2.0, 3.0, 4.0)
TAU_GRID = (0.5, 1.0, 2.0, 4.0)
LEVEL_SD = 2.0
#: draws of theta from its Laplace posterior in the predictions (0: the MAP only)
DRAWS = 64
STD_NORMAL = np.random.default_rng(0).standard_normal((16, 1024))


def call_cost(usd: float) -> float:
    return CW * usd + min(TIME_WEIGHT * usd, TIME_CAP) + CALL_PENALTY


def logit(p: float) -> float:
    return math.log(p / (1.0 - p))


class BetaModel:
    """Per model, a Beta posterior of its own calls; failures on the task ignored."""

    def __init__(self, n0: float, pooled: bool) -> None:
        self.n0, self.pooled = n0, pooled
        self.rec: dict[str, np.ndarray] = {}  # domain -> (M, 2) passes, calls

    def predict(self, dom: str, q: np.ndarray, failed: Sequence[int]) -> np.ndarray:
        r = self.rec.get(dom, np.zeros((len(q), 2)))
        if self.pooled:  # every model starts at the domain's pass rate so far (Beta(1, 1))
            q = np.full(len(q), (1.0 + r[:, 0].sum()) / (2.0 + r[:, 1].sum()))
        return (self.n0 * q + r[:, 0]) / (self.n0 + r[:, 1])

    def update(self, dom: str, q: np.ndarray, calls: Sequence[tuple[int, int]]) -> None:
        r = self.rec.setdefault(dom, np.zeros((len(q), 2)))
        for m, y in calls:
            r[m, 0] += y
            r[m, 1] += 1


class _Fit:
    """One (sigma, tau) grid point: MAP of x = (theta_1..M, a, lam), its log evidence."""

    def __init__(self, sigma: float, tau: float, slope: tuple[float, float], z: np.ndarray) -> None:
        self.sigma, self.tau = sigma, tau
        self.slope, self.slope_sd = slope
        c = z - z.mean()
        self.x = np.concatenate([z.mean() + self.slope * c, [float(z.mean()), self.slope]])
        self.cov = np.zeros((len(z) + 2, len(z) + 2))
        self.log_ev = 0.0
        self.nodes = math.sqrt(2.0) * sigma * GH_X
        self.logw = np.log(GH_W / math.sqrt(math.pi))

    def _prior(self, x: np.ndarray, c: np.ndarray, zbar: float):
        m, tau2 = len(c), self.tau**2
        th, a, lam = x[:m], x[m], x[m + 1]
        r = th - a - lam * c
        lp = -0.5 * (r @ r) / tau2 - 0.5 * ((a - zbar) / LEVEL_SD) ** 2
        lp -= 0.5 * ((lam - self.slope) / self.slope_sd) ** 2 + m * math.log(self.tau)
        g = np.concatenate([-r / tau2, [r.sum() / tau2 - (a - zbar) / LEVEL_SD**2]])
        g = np.append(g, (r @ c) / tau2 - (lam - self.slope) / self.slope_sd**2)
        h = np.zeros((m + 2, m + 2))
        h[:m, :m] = -np.eye(m) / tau2
        h[:m, m] = h[m, :m] = 1.0 / tau2
        h[:m, m + 1] = h[m + 1, :m] = c / tau2
        h[m, m] = -m / tau2 - 1.0 / LEVEL_SD**2
        h[m, m + 1] = h[m + 1, m] = c.sum() / tau2
        h[m + 1, m + 1] = -(c @ c) / tau2 - 1.0 / self.slope_sd**2
        return lp, g, h

    def _lik(self, th: np.ndarray, y: np.ndarray, called: np.ndarray):
        p = 1.0 / (1.0 + np.exp(-np.clip(th[:, None] - self.nodes[None, :], -50, 50)))  # (M, K)
        p = np.clip(p, 1e-12, 1.0 - 1e-12)
        ll_tk = (called * y) @ np.log(p) + (called * (1.0 - y)) @ np.log(1.0 - p)  # (T, K)
        z = ll_tk + self.logw
        top = z.max(axis=1, keepdims=True)
        lse = top[:, 0] + np.log(np.exp(z - top).sum(axis=1))
        post = np.exp(z - lse[:, None])  # (T, K)
        gk = called[:, :, None] * (y[:, :, None] - p[None, :, :])  # (T, M, K)
        g = np.einsum("tk,tmk->m", post, gk)
        gbar = np.einsum("tk,tmk->tm", post, gk)
        h = np.einsum("tk,tmk,tnk->mn", post, gk, gk) - gbar.T @ gbar
        h -= np.diag(np.einsum("tk,tm,mk->m", post, called, p * (1.0 - p)))
        return lse.sum(), g, h

    def fit(self, y: np.ndarray, called: np.ndarray, c: np.ndarray, zbar: float) -> None:
        m = len(c)
        x = self.x.copy()

        def total(x: np.ndarray):
            lp, gp, hp = self._prior(x, c, zbar)
            ll, gl, hl = self._lik(x[:m], y, called)
            gp[:m] += gl
            hp[:m, :m] += hl
            return ll + lp, gp, hp

        f, g, h = total(x)
        for _ in range(50):
            step = np.linalg.solve(h - 1e-9 * np.eye(m + 2), -g)
            t = 1.0
            while t > 1e-4:
                f2, g2, h2 = total(x + t * step)
                if f2 >= f - 1e-10:
                    break
                t /= 2.0
            x, done = x + t * step, abs(f2 - f) < 1e-8
            f, g, h = f2, g2, h2
            if done:
                break
        self.x = x
        sign, logdet = np.linalg.slogdet(-h)
        self.log_ev = f - 0.5 * logdet if sign > 0 else -math.inf
        if sign > 0:
            self.cov = np.linalg.inv(-h)

    def joint(self, failed: Sequence[int], m: int) -> tuple[np.ndarray, float]:
        """E[pass_m prod_F fail_f] for every m, and E[prod_F fail_f], over b and (with
        ``DRAWS`` > 0) theta's Laplace posterior."""
        th = self.x[:m, None]
        if DRAWS:
            cov = self.cov[:m, :m]
            vals, vecs = np.linalg.eigh(cov)
            root = vecs * np.sqrt(np.clip(vals, 0.0, None))
            th = th + root @ STD_NORMAL[:m, :DRAWS]  # (M, S)
        p = 1.0 / (1.0 + np.exp(-np.clip(th[:, :, None] - self.nodes[None, None, :], -50, 50)))
        w = np.broadcast_to(GH_W / math.sqrt(math.pi), p.shape[1:]) / p.shape[1]
        for f in failed:
            w = w * (1.0 - p[f])
        return np.einsum("msk,sk->m", p, w), float(w.sum())


class IRTModel:
    """A Rasch model with a random effect per task, fitted per domain (see the module doc)."""

    def __init__(self, slope: tuple[float, float]) -> None:
        self.slope = slope
        self.data: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {}
        self.fits: dict[str, list[_Fit]] = {}

    def _grid(self, dom: str, q: np.ndarray) -> list[_Fit]:
        if dom not in self.fits:
            z = np.log(q / (1.0 - q))
            self.fits[dom] = [_Fit(s, t, self.slope, z) for s in SIGMA_GRID for t in TAU_GRID]
        return self.fits[dom]

    def predict(self, dom: str, q: np.ndarray, failed: Sequence[int]) -> np.ndarray:
        fits = self._grid(dom, q)
        ev = np.array([f.log_ev for f in fits])
        wts = np.exp(ev - ev.max())
        num, den = np.zeros(len(q)), 0.0
        for w, f in zip(wts, fits):
            jm, jf = f.joint(failed, len(q))
            num += w * jm
            den += w * jf
        return num / den

    def update(self, dom: str, q: np.ndarray, calls: Sequence[tuple[int, int]]) -> None:
        y, called = np.zeros(len(q)), np.zeros(len(q))
        for m, out in calls:
            y[m], called[m] = out, 1.0
        rows = self.data.setdefault(dom, [])
        rows.append((y, called))
        z = np.log(q / (1.0 - q))
        ys, cs = np.array([r[0] for r in rows]), np.array([r[1] for r in rows])
        for f in self._grid(dom, q):
            f.fit(ys, cs, z - z.mean(), float(z.mean()))


def make(name: str):
    if "beta" in name:
        return BetaModel(float(name.split("beta")[1]), name.startswith("p"))
    slopes = {"irt": (1.0, 1e-3), "irt-slope": (1.0, 1.0), "irt-exch": (0.0, 1e-3)}
    return IRTModel(slopes[name])


@dataclass
class Run:
    reg: float = 0.0  # CumReg
    usd: float = 0.0
    calls: int = 0
    #: first calls on the stream's first part (the SWE-bench tasks of ood_dev), per model
    firsts: Counter[str] = field(default_factory=Counter)


class Costs:
    """A model's cost: the mean of its own calls in the domain, else its benchmark cost
    times the stream's observed / benchmark cost ratio so far."""

    def __init__(self, prior: dict) -> None:
        self.prior = prior
        self.seen = self.bench = 0.0
        self.own: dict[tuple[str, str], list[float]] = {}

    def expected(self, dom: str, kind: str, models: Sequence[str]) -> np.ndarray:
        scale = self.seen / self.bench if self.bench > 0 else 1.0
        return np.array(
            [
                statistics.fmean(self.own[(dom, m)])
                if (dom, m) in self.own
                else self.prior[(kind, m)][1] * scale
                for m in models
            ]
        )

    def add(self, dom: str, kind: str, model: str, usd: float) -> None:
        self.own.setdefault((dom, model), []).append(usd)
        self.seen += usd
        self.bench += self.prior[(kind, model)][1]


def one_task(
    ds: Dataset, bt, prior: dict, model, costs: Costs
) -> tuple[list[tuple[int, int]], float, float]:
    """The escalate loop on one task: its calls (model index, passed), score and USD."""
    models, dom = ds.models, bt.source
    q = np.array([prior[(bt.dimension, m)][0] for m in models])
    cc = np.array([call_cost(c) for c in costs.expected(dom, bt.dimension, models)])
    failed: list[int] = []
    calls: list[tuple[int, int]] = []
    score = spent = 0.0
    while len(calls) < len(models):
        p = model.predict(dom, q, failed)
        left = [j for j in range(len(models)) if j not in failed]
        worth = [j for j in left if p[j] > cc[j]]
        if not worth and calls:
            break  # no call is worth its cost: accept the best attempt
        j = max(worth or left, key=lambda i: (1.0 - cc[i] / max(p[i], 1e-9), -i))
        s, c = ds.scores[bt.task_id][j], ds.costs[bt.task_id][j]
        costs.add(dom, bt.dimension, models[j], c)
        spent += c
        score = max(score, s)
        calls.append((j, int(s >= 1.0)))
        if s >= 1.0:
            break
        failed.append(j)
    model.update(dom, q, calls)
    return calls, score, spent


def replay(ds: Dataset, prior: dict, name: str) -> Run:
    """One learner on one order of the stream."""
    model, costs, run = make(name), Costs(prior), Run()
    first_part = ds.tasks[0].source
    for bt in ds.tasks:
        calls, score, spent = one_task(ds, bt, prior, model, costs)
        run.reg += osl.oracle(ds, bt.task_id) - (score - CW * spent)
        run.usd += spent
        run.calls += len(calls)
        if bt.source == first_part:
            run.firsts[ds.models[calls[0][0]]] += 1
    return run


def report(name: str, runs: list[Run], first: list[float], base: str, n_tasks: int) -> None:
    regs = [r.reg for r in runs]
    print(f"{name:10s} " + " ".join(f"{r.reg:.1f}/${r.usd:.0f}" for r in runs))
    paired = ""
    if first and len(regs) > 1:
        d = [a - b for a, b in zip(regs, first)]
        se = statistics.stdev(d) / math.sqrt(len(d))
        paired = f"; minus {base} per order: {statistics.fmean(d):+.1f} (se {se:.1f})"
    print(
        f"{'':10s} mean {statistics.fmean(regs):.1f} (sd {statistics.pstdev(regs):.1f}) / "
        f"${statistics.fmean(r.usd for r in runs):.2f}, "
        f"{statistics.fmean(r.calls for r in runs) / n_tasks:.2f} calls/task{paired}"
    )
    leads = Counter(r.firsts.most_common(1)[0][0] for r in runs)
    print(f"{'':10s} most frequent first call on the first part, orders: {dict(leads)}")


def main(argv: Sequence[str] | None = None) -> None:
    global DRAWS
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--data", type=Path, required=True)
    ap.add_argument("--split", default="ood_dev")
    ap.add_argument("--orders", type=int, default=15, help="shuffles besides the own order")
    ap.add_argument("--learners", default="beta1,beta4,pbeta1,pbeta4,irt,irt-slope,irt-exch")
    ap.add_argument("--policy", action="store_true", help="also the acrouter policy")
    ap.add_argument("--draws", type=int, default=256, help="theta draws (0: MAP only, <= 1024)")
    ap.add_argument("--draw-seed", type=int, default=0, help="seed of the fixed theta draws")
    args = ap.parse_args(argv)
    DRAWS = args.draws
    if args.draw_seed:
        STD_NORMAL[:] = np.random.default_rng(args.draw_seed).standard_normal(STD_NORMAL.shape)
    pe.DATA = args.data
    prior_ds, stream = pe.splits(args.split)
    prior = bl.prior_rates(prior_ds)
    orders = [osl.reordered(stream, k) for k in range(args.orders + 1)]
    print(f"escalate, {args.split}, own order + {args.orders} shuffles: CumReg/$ per order")
    names = args.learners.split(",")
    first: list[float] = []
    for name in names:
        runs = [replay(ds, prior, name) for ds in orders]
        report(name, runs, first, names[0], len(stream.tasks))
        first = first or [r.reg for r in runs]
    if args.policy:
        osl.escalate(prior_ds, stream, args.orders)


if __name__ == "__main__":
    main()
