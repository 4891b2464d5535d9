"""How far the benchmark priors hold in a new domain, learned from the first calls there.

A *domain* is where the priors may stop describing the work: the first group of a
task's path that the benchmark knows nothing about (a new source such as an agentic
SWE stream, a held-out kind) and the user's workspace.  Per domain the policy learns,
from the calls it made there and nothing else (bandit feedback):

- **a cost scale shared by every model**: observed cost over what the benchmark prior
  expected for the same calls, pooled across models (request size is common to all
  models: per-task costs correlate 0.7-0.84 between models), a ratio of sums shrunk in
  log space toward 1 (``cost_shrink`` pseudo-calls).  A model never called there is
  priced at its prior cost times this scale, not at benchmark prices.
- **the prior's weight** (a prior-data conflict check): every call's outcome is compared
  with what the benchmark prior alone predicted for it (squared Pearson residuals of the
  pass and of the score, pooled over models).  Their mean is the *dispersion*: about 1
  when the prior describes the domain, 10 when outcomes stray ten times as far (a model
  the benchmark says passes 2% of the time passes here).  As in quasi-likelihood, the
  prior's effective number of tasks there is divided by the dispersion (at least
  ``K_MIN``), and the share of it that is lost is taken by the domain's own pooled
  means over every model called there, so a model never called in a domain whose
  priors are discredited starts from what the others did there, not from the benchmark.
  (A beta-binomial fit of the prior's effective n, optionally with a logit level shift,
  is kept as ``domain_prior_weight="beta-binomial"``; it measured worse.)
- **pass-after-failure**: passes of the calls made after a failed attempt, over the
  pass probability the escalation predicted for them (observed / expected), shrunk
  toward 1.  It multiplies the conditional pass rates of the next escalations.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Iterable, Sequence

import attrs

from .features import Group
from .shrinkage import LevelK, logit, shift_logit

#: grid of prior pseudo-counts (the prior's effective number of tasks in the domain)
K_GRID = tuple(2.0**i for i in range(-2, 10))  # 0.25 .. 512
K_PRIOR_SD = 2.0  # sd of log2 k around the level's default k
DELTA_GRID = tuple(i / 2 for i in range(-8, 9))  # logit shifts -4 .. 4
DELTA_PRIOR_SD = 1.5
P_FLOOR = 0.005  # prior means are kept inside [P_FLOOR, 1 - P_FLOOR]
MAX_DOMAINS = 512
RESID_FLOOR = 0.02  # predictions are kept inside [RESID_FLOOR, 1 - RESID_FLOOR] for residuals


@attrs.frozen
class DomainFit:
    """What the policy currently believes about one domain."""

    group: Group
    k_score: float  # the prior's effective n for mean scores in this domain
    k_pass: float  # ... for pass rates
    k_default: float  # what k would be without any evidence
    score_shift: float  # the domain's level against the prior (logit), mean scores
    pass_shift: float  # ... pass rates
    cost_ratio: float  # observed / benchmark-expected cost (shrunk), shared by all models
    after_fail: float  # observed / predicted passes after a failure (shrunk)
    fail_worth: float  # observed / expected score of a failed attempt (shrunk)
    calls: float  # calls observed in the domain
    cost_calls: float  # calls with a known cost
    dispersion: float = 1.0  # Pearson dispersion of pass outcomes around the prior (shrunk)
    pool_share: float = 0.0  # share of the prior's means replaced by the domain's pooled means
    pool_score: float = 0.0  # mean score of every call in the domain
    pool_pass: float = 0.0  # pass rate of every call in the domain
    pool_k_pass: float = 0.0  # pseudo-calls of the pooled pass rate (0: none)
    pool_k_width: float = 0.0  # ... added to the evidence behind an estimate (0: none)
    #: per model, the pooled pass rate its price predicts (:mod:`.price`; empty: flat)
    pool_by: tuple[tuple[str, float], ...] = ()
    price_slope: float = 0.0  # the fitted slope on log price (logit per log-unit)

    @property
    def weight(self) -> float:
        """The prior's weight relative to its default (1 = trusted as usual)."""
        return min(self.k_pass, self.k_score) / self.k_default if self.k_default > 0 else 1.0

    def level_k(self, cost_shrink: float, model: str | None = None) -> LevelK:
        pool_score, pool_pass = self.pool_score, self.pool_pass
        if model is not None and self.pool_by:
            pm = dict(self.pool_by).get(model)
            if pm is not None:
                # the model's score moves from the pooled one as far as its pass rate
                d = logit(pm, P_FLOOR) - logit(pool_pass, P_FLOOR)
                pool_score, pool_pass = shift_logit(pool_score, d), pm
        return LevelK(
            self.k_score,
            self.k_pass,
            cost_shrink,
            self.score_shift,
            self.pass_shift,
            self.pool_share,
            pool_score,
            pool_pass,
            self.pool_k_pass,
            self.pool_k_width,
        )

    def describe(self) -> str:
        """One line for the why: when and why the priors are trusted less (or more)."""
        bits = []
        if self.cost_calls > 0 and not 0.5 <= self.cost_ratio <= 2.0:
            bits.append(f"costs here are {_times(self.cost_ratio)} the benchmark's")
        w = self.weight
        if self.calls > 0 and (w < 0.5 or w > 2.0):
            verb = "disagree with" if w < 1.0 else "agree with"
            spread = ""
            if self.dispersion > 2.0:
                spread = f" ({self.dispersion:.0f}x the spread they predict)"
            bits.append(f"outcomes {verb} the benchmark priors{spread}; priors weighted {w:.2g}")
        if self.fail_worth < 0.5:
            bits.append(
                f"a failed attempt is worth {self.fail_worth:.2g}x the benchmark's partial credit"
            )
        if self.pool_by and self.pool_share >= 0.5 and abs(self.price_slope) >= 0.3:
            odds = math.exp(self.price_slope * math.log(2.0))
            bits.append(
                f"models' pass rates here follow their price: each doubling of the price "
                f"multiplies the odds of a pass by {odds:.2g}"
            )
        if abs(self.after_fail - 1.0) > 0.25:
            bits.append(f"passes after a failure {self.after_fail:.2g}x the benchmark's")
        if not bits:
            return ""
        return f"after {self.calls:.0f} call(s) in this domain: " + "; ".join(bits)


def _times(ratio: float) -> str:
    if ratio >= 10:
        return f"{ratio:.0f}x"
    if ratio >= 1:
        return f"{ratio:.1f}x"
    return f"{ratio:.2g}x"


class _Sums:
    __slots__ = (
        "af_exp",
        "af_obs",
        "calls",
        "cost_calls",
        "cost_exp",
        "cost_obs",
        "fs_exp",
        "fs_n",
        "fs_obs",
        "r2_n",
        "r2_pass",
        "r2_score",
    )

    def __init__(self) -> None:
        self.calls = 0.0
        self.cost_obs = self.cost_exp = self.cost_calls = 0.0
        self.af_obs = self.af_exp = 0.0
        self.fs_obs = self.fs_exp = self.fs_n = 0.0
        self.r2_pass = self.r2_score = self.r2_n = 0.0


def pearson2(y: float, p: float) -> float:
    """Squared Pearson residual of an outcome y in [0, 1] predicted with mean p."""
    p = min(max(p, RESID_FLOOR), 1.0 - RESID_FLOOR)
    return (y - p) ** 2 / (p * (1.0 - p))


def log_beta_binomial(k: float, n: float, kappa: float, p: float) -> float:
    """log P(k successes of n | Beta(kappa p, kappa (1 - p))), without the binomial
    coefficient (constant in kappa); k and n may be fractional (scores)."""
    a = kappa * p
    b = kappa * (1.0 - p)
    lg = math.lgamma
    return lg(kappa) - lg(kappa + n) + lg(a + k) - lg(a) + lg(b + n - k) - lg(b)


def fit_level(
    obs: Iterable[tuple[float, float, float]], k_default: float, shift: bool = True
) -> tuple[float, float]:
    """The prior's effective n and the domain's level shift, from per-model (successes,
    trials, prior mean) observed in the domain.

    Model m's rate in the domain is Beta(k q_m, k (1 - q_m)) with q_m = the prior mean
    moved by ``delta`` on the logit scale (one shift shared by every model: a domain
    where every model passes more, or costs more, than the benchmark says).  Posterior
    means of log2 k and delta over a grid, from the beta-binomial likelihood of the
    observations, with a log-normal prior on k around ``k_default`` and a normal prior on
    delta around 0.  No observation: (k_default, 0)."""
    cells = [(k, n, min(max(p, P_FLOOR), 1.0 - P_FLOOR)) for k, n, p in obs if n > 0]
    if not cells:
        return k_default, 0.0
    centre = math.log2(max(k_default, 1e-6))
    points: list[tuple[float, float, float]] = []  # (log posterior, log2 k, delta)
    logits = [(k, n, math.log(p / (1.0 - p))) for k, n, p in cells]
    for delta in DELTA_GRID if shift else (0.0,):
        shifted = [(k, n, _sigmoid(z + delta)) for k, n, z in logits]
        base = -0.5 * (delta / DELTA_PRIOR_SD) ** 2
        for kappa in K_GRID:
            lk = math.log2(kappa)
            lp = base - 0.5 * ((lk - centre) / K_PRIOR_SD) ** 2
            lp += sum(log_beta_binomial(k, n, kappa, q) for k, n, q in shifted)
            points.append((lp, lk, delta))
    top = max(pt[0] for pt in points)
    ws = [math.exp(pt[0] - top) for pt in points]
    total = sum(ws)
    mean_lk = sum(w * pt[1] for w, pt in zip(ws, points)) / total
    mean_delta = sum(w * pt[2] for w, pt in zip(ws, points)) / total
    return 2.0**mean_lk, mean_delta


def _sigmoid(z: float) -> float:
    q = 1.0 / (1.0 + math.exp(-z))
    return min(max(q, P_FLOOR), 1.0 - P_FLOOR)


class Calibration:
    """Per-domain sums of costs and pass-after-failure, bounded in number of domains."""

    def __init__(self, cost_shrink: float = 0.25, after_fail_shrink: float = 3.0) -> None:
        self.cost_shrink = cost_shrink
        self.after_fail_shrink = after_fail_shrink
        self._sums: OrderedDict[Group, _Sums] = OrderedDict()

    def clear(self) -> None:
        self._sums.clear()

    def _cell(self, g: Group) -> _Sums:
        cell = self._sums.get(g)
        if cell is None:
            cell = self._sums[g] = _Sums()
            while len(self._sums) > MAX_DOMAINS:
                self._sums.popitem(last=False)
        else:
            self._sums.move_to_end(g)
        return cell

    def add_call(
        self, domains: Sequence[Group], cost: float | None, expected: float | None
    ) -> None:
        for g in domains:
            cell = self._cell(g)
            cell.calls += 1
            if cost is not None and expected is not None and expected > 0:
                cell.cost_obs += cost
                cell.cost_exp += expected
                cell.cost_calls += 1

    def add_after_fail(self, domains: Sequence[Group], passed: bool, predicted: float) -> None:
        for g in domains:
            cell = self._cell(g)
            cell.af_obs += 1.0 if passed else 0.0
            cell.af_exp += predicted

    def add_residual(
        self, domains: Sequence[Group], passed: bool, score: float, p_pass: float, p_score: float
    ) -> None:
        """One call's outcome against the benchmark prior's prediction for it: squared
        Pearson residuals of the pass and of the score (Bernoulli variance)."""
        rp = pearson2(1.0 if passed else 0.0, p_pass)
        rs = pearson2(score, p_score)
        for g in domains:
            cell = self._cell(g)
            cell.r2_pass += rp
            cell.r2_score += rs
            cell.r2_n += 1

    def dispersion(self, domains: Sequence[Group], shrink: float) -> tuple[float, float]:
        """Pearson dispersion of the outcomes around the prior's predictions (pass, score),
        coarse to fine, each level shrunk toward the one above with ``shrink`` pseudo-calls
        of its value (1 = the outcomes vary as the prior predicts; 10 = ten times more)."""
        dp = ds = 1.0
        for g in domains:
            cell = self._sums.get(g)
            if cell is None or cell.r2_n <= 0:
                continue
            dp = (cell.r2_pass + shrink * dp) / (cell.r2_n + shrink)
            ds = (cell.r2_score + shrink * ds) / (cell.r2_n + shrink)
        return dp, ds

    def add_failure(self, domains: Sequence[Group], score: float, expected: float) -> None:
        """A call that did not pass: its score against the failing score expected."""
        for g in domains:
            cell = self._cell(g)
            cell.fs_obs += score
            cell.fs_exp += expected
            cell.fs_n += 1

    def fail_ratio(self, domains: Sequence[Group]) -> float:
        """Observed / expected failing score (what a failed attempt is worth here),
        shrunk toward 1 with one pseudo-failure of the expected worth."""
        ratio = 1.0
        for g in domains:
            cell = self._sums.get(g)
            if cell is None or cell.fs_exp <= 0:
                continue
            mean_exp = cell.fs_exp / cell.fs_n
            ratio = (cell.fs_obs + ratio * mean_exp) / (cell.fs_exp + mean_exp)
        return ratio

    def cost_ratio(self, domains: Sequence[Group]) -> float:
        """Observed / expected cost, coarse to fine, each level shrunk toward the one above
        in log space (a level with c calls has weight c / (c + cost_shrink))."""
        log_r = 0.0
        for g in domains:
            cell = self._sums.get(g)
            if cell is None or cell.cost_calls <= 0 or cell.cost_exp <= 0:
                continue
            ratio = min(max(cell.cost_obs / cell.cost_exp, 1e-3), 1e4)
            w = cell.cost_calls / (cell.cost_calls + self.cost_shrink)
            log_r = w * math.log(ratio) + (1.0 - w) * log_r
        return math.exp(log_r)

    def after_fail(self, domains: Sequence[Group]) -> float:
        lift = 1.0
        c = self.after_fail_shrink
        for g in domains:
            cell = self._sums.get(g)
            if cell is None or cell.af_exp <= 0:
                continue
            lift = (cell.af_obs + c * lift) / (cell.af_exp + c)
        return lift

    def calls(self, g: Group) -> tuple[float, float]:
        cell = self._sums.get(g)
        return (cell.calls, cell.cost_calls) if cell is not None else (0.0, 0.0)
