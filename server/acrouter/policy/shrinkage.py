"""One estimate, built level by level: the arithmetic behind :mod:`.stats`.

A task's groups run from coarse to fine (all > kind > source > id shape > workspace).
Each level's evidence (:class:`Cell`: sums of scores, passes and costs; the benchmark
prior's capped, the team's weighted, the user's own) is shrunk toward the means of the
level above: ``mean_l = (sum_l + k * mean_{l-1}) / (n_l + k)`` (:class:`Chain`, with the
same chain over the prior alone beside it).  :class:`LevelK` overrides a level's
pseudo-counts in a domain whose outcomes disagree with the prior (:mod:`.calibration`).
:class:`Trace` keeps where the evidence came from, for the uncertainty and the why; the
result is an :class:`Estimate`.
"""

from __future__ import annotations

import math

import attrs

from .features import Group


class Cell:
    """Sums over observations of one model in one group."""

    __slots__ = ("cost", "cost_n", "n", "passes", "score")

    def __init__(self) -> None:
        self.n = 0.0
        self.score = 0.0
        self.passes = 0.0
        self.cost = 0.0
        self.cost_n = 0.0  # observations with a known cost

    def add(self, score: float, passed: bool, cost: float | None, w: float = 1.0) -> None:
        self.n += w
        self.score += w * score
        if passed:
            self.passes += w
        if cost is not None:
            self.cost += w * cost
            self.cost_n += w

    def add_sums(self, other: Cell) -> None:
        self.n += other.n
        self.score += other.score
        self.passes += other.passes
        self.cost += other.cost
        self.cost_n += other.cost_n

    def __repr__(self) -> str:
        return (
            f"Cell(n={self.n:g}, score={self.score:g}, passes={self.passes:g}, cost={self.cost:g})"
        )


@attrs.frozen
class Estimate:
    score: float  # expected score in [0,1]
    pass_rate: float  # probability of a passing verdict (score >= 1)
    fail_score: float  # expected score of an attempt that does not pass
    cost: float | None  # expected USD per call, None = unknown
    n_prior: float  # benchmark evidence (capped) at the finest level that has some
    n_online: float  # observed evidence at the finest level that has some
    n_eff: float  # effective sample size behind the estimate (for uncertainty, see below)
    level: str  # finest level with any evidence
    prior_pass: float  # the same estimates from the benchmark prior alone
    prior_fail_score: float
    prior_cost: float | None = None  # the benchmark prior's cost alone (cost-scaled)
    prior_group: Group | None = None  # finest group with prior evidence
    prior_score: float = 0.0  # mean score of the prior at that group
    online_group: Group | None = None  # finest group with observed evidence
    online_passes: float = 0.0  # passes observed there
    team_n: float = 0.0  # the team's shared outcomes behind the estimate (teamPriors)
    team_passes: float = 0.0
    team_group: Group | None = None


@attrs.frozen
class LevelK:
    """Pseudo-counts of one group toward its parent, per estimated quantity."""

    score: float
    pass_: float
    cost: float
    score_shift: float = 0.0  # logit shift of the parent's mean score (a domain's level)
    pass_shift: float = 0.0  # ... of its pass rate
    #: share of the parent's mean score and pass rate replaced by the group's own pooled
    #: means over all models (a prior discredited in this group gives way to what every
    #: model did here)
    pool_share: float = 0.0
    pool_score: float = 0.0
    pool_pass: float = 0.0
    #: pseudo-calls of the pooled pass rate itself (the weight the prior lost on pass
    #: rates, given to it); they move the pass rate
    pool_k_pass: float = 0.0
    #: pseudo-calls added to the evidence behind the estimate (the width of exploration
    #: samples): the same, where the pool narrows the estimate too
    pool_k_width: float = 0.0


def logit(p: float, floor: float = 0.005) -> float:
    """log(p / (1 - p)) with ``p`` kept inside [floor, 1 - floor]."""
    p = min(max(p, floor), 1.0 - floor)
    return math.log(p / (1.0 - p))


def shift_logit(p: float, delta: float) -> float:
    """``p`` moved by ``delta`` on the logit scale (0 and 1 stay put)."""
    if delta == 0.0 or p <= 0.0 or p >= 1.0:
        return p
    z = math.log(p / (1.0 - p)) + delta
    return 1.0 / (1.0 + math.exp(-z))


def _clip01(x: float) -> float:
    return 0.0 if x < 0.0 else min(x, 1.0)


def weighted(cell: Cell, w: float) -> Cell:
    """``cell``'s sums times ``w``."""
    out = Cell()
    out.n = cell.n * w
    out.score = cell.score * w
    out.passes = cell.passes * w
    out.cost = cell.cost * w
    out.cost_n = cell.cost_n * w
    return out


class Trace:
    """Where an estimate's evidence came from (for uncertainty and the why)."""

    __slots__ = (
        "level",
        "n_eff",
        "n_online",
        "n_prior",
        "online_group",
        "online_passes",
        "prior_group",
        "prior_score",
        "team_group",
        "team_n",
        "team_passes",
    )

    def __init__(self, n_eff: float) -> None:
        self.n_eff = n_eff
        self.level = "neutral"
        self.n_prior = self.n_online = 0.0
        self.prior_group: Group | None = None
        self.online_group: Group | None = None
        self.prior_score = self.online_passes = 0.0
        self.team_n = self.team_passes = 0.0
        self.team_group: Group | None = None


class Chain:
    """The running means of an estimate, shrunk level by level from coarse to fine:
    ``mean_l = (sum_l + k * mean_{l-1}) / (n_l + k)``; beside it the same chain over the
    benchmark prior alone (``p_*``: the lift of conditional pass rates divides by it)."""

    __slots__ = ("cost", "fs", "p_cost", "p_fs", "p_pss", "pss", "score")

    def __init__(self, base_score: float, base_pass: float, base_cost: float | None) -> None:
        self.score = base_score
        self.pss = base_pass
        self.fs = max(0.0, (base_score - base_pass) / max(1e-9, 1.0 - base_pass))
        self.p_pss, self.p_fs = base_pass, self.fs
        self.cost: float | None = base_cost
        self.p_cost: float | None = base_cost

    def shrink_prior(self, prior: Cell, k: float) -> None:
        """The prior-only chain, one level down (``prior``: the level's capped prior)."""
        self.p_pss = (prior.passes + k * self.p_pss) / (prior.n + k)
        self.p_fs = ((prior.score - prior.passes) + k * self.p_fs) / (prior.n - prior.passes + k)
        if prior.cost_n > 0:
            c, cn, pc = prior.cost, prior.cost_n, self.p_cost
            self.p_cost = c / cn if pc is None else (c + k * pc) / (cn + k)

    def toward_domain(self, lk: LevelK) -> None:
        """Move the parent's means before shrinking to them, in a domain whose outcomes
        disagree with the prior: toward the domain's pooled means, by its level shift."""
        if lk.pool_share > 0.0:
            u = lk.pool_share
            self.score = (1.0 - u) * self.score + u * lk.pool_score
            self.pss = min((1.0 - u) * self.pss + u * lk.pool_pass, self.score)
            self.fs = (
                _clip01((self.score - self.pss) / (1.0 - self.pss)) if self.pss < 1.0 else self.fs
            )
        if lk.score_shift or lk.pass_shift:
            self.score = shift_logit(self.score, lk.score_shift)
            self.pss = min(shift_logit(self.pss, lk.pass_shift), self.score)
            self.fs = (
                _clip01((self.score - self.pss) / (1.0 - self.pss)) if self.pss < 1.0 else self.fs
            )

    def shrink(self, sums: Cell, ks: float, kp: float, kc: float) -> None:
        """One level down: the level's sums shrunk toward the means so far."""
        n, s, ps = sums.n, sums.score, sums.passes
        self.score = (s + ks * self.score) / (n + ks)
        self.pss = (ps + kp * self.pss) / (n + kp)
        self.fs = ((s - ps) + kp * self.fs) / ((n - ps) + kp)
        if sums.cost_n > 0:
            c, cn, cost = sums.cost, sums.cost_n, self.cost
            self.cost = c / cn if cost is None else (c + kc * cost) / (cn + kc)

    def estimate(self, tr: Trace) -> Estimate:
        return Estimate(
            score=self.score,
            pass_rate=self.pss,
            fail_score=self.fs,
            cost=self.cost,
            n_prior=tr.n_prior,
            n_online=tr.n_online,
            n_eff=tr.n_eff,
            level=tr.level,
            prior_pass=self.p_pss,
            prior_fail_score=self.p_fs,
            prior_cost=self.p_cost,
            prior_group=tr.prior_group,
            prior_score=tr.prior_score,
            online_group=tr.online_group,
            online_passes=tr.online_passes,
            team_n=tr.team_n,
            team_passes=tr.team_passes,
            team_group=tr.team_group,
        )
