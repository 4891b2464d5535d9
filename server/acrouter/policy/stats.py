"""Hierarchical outcome statistics: priors from CodeRouterBench plus what was observed.

A task sits in a path of groups from coarse to fine (see :func:`.features.task_path`).
For each (model, group) we keep sums of scores, passes and costs.  An estimate at a
level shrinks the level's own mean toward the estimate of the level above, so sparse
groups borrow strength instead of overfitting:

    est_l = (sum_l + k_l * est_{l-1}) / (n_l + k_l)

Prior (benchmark) counts are capped per group (``prior_cap``) because the user's work
is not the benchmark; observed outcomes count with weight ``online_weight``.  Online
cells are keyed by group only (never by task) and the number of groups is bounded
(least recently updated groups are forgotten first), so memory stays bounded however
many outcomes are learned.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence

import attrs

from .features import Group

#: Levels whose emptiness says nothing about uncertainty: a new workspace starts from
#: the kind's statistics without being treated as unknown territory.
SILENT_LEVELS = frozenset({"workspace"})
#: The level of a team's shared outcomes (``teamPriors``): right below the kind, so the
#: team's outcomes shrink toward the benchmark and the user's own toward the team's.
TEAM_LEVEL = "team"
TEAM_WEIGHT = 0.5  # one teammate's outcome = half of one of your own
TEAM_CAP = 200.0  # a team cell counts at most this much (a shared file can be large)


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
    #: shares of the parent's mean score and pass rate replaced by the group's own
    #: pooled means over all models (a prior discredited in this group gives way to
    #: what every model did here)
    pool_score_share: float = 0.0
    pool_pass_share: float = 0.0
    pool_score: float = 0.0
    pool_pass: float = 0.0
    #: pseudo-calls of the pooled pass rate itself (the weight the prior lost on pass
    #: rates, given to it); it moves the pass rate, not the width of exploration samples
    pool_k_pass: float = 0.0


def shift_logit(p: float, delta: float) -> float:
    """``p`` moved by ``delta`` on the logit scale (0 and 1 stay put)."""
    if delta == 0.0 or p <= 0.0 or p >= 1.0:
        return p
    z = math.log(p / (1.0 - p)) + delta
    return 1.0 / (1.0 + math.exp(-z))


def _clip01(x: float) -> float:
    return 0.0 if x < 0.0 else min(x, 1.0)


def group_label(g: Group | None) -> str:
    if g is None:
        return "nothing"
    level, key = g
    if level == "workspace":
        return "this workspace"
    if level == "all":
        return "all tasks"
    if level == "novel":
        return "work the benchmark does not describe"
    return f"{level} {key}"


class HierStats:
    """Per (model, group) cells for priors and for online observations."""

    def __init__(
        self,
        *,
        shrink: float = 8.0,
        prior_cap: float = 400.0,
        online_weight: float = 1.0,
        level_shrink: Mapping[str, float] | None = None,
        max_online_groups: int = 4096,
        frontier_shrink: float | None = None,
    ) -> None:
        self.shrink = shrink
        self.frontier_shrink = shrink if frontier_shrink is None else frontier_shrink
        self.level_shrink = dict(level_shrink or {})
        self.prior_cap = prior_cap
        self.online_weight = online_weight
        self.max_online_groups = max_online_groups
        self.prior: dict[Group, dict[str, Cell]] = {}
        #: the team's shared outcomes per ("team", kind) group and configured model name
        self.team: dict[Group, dict[str, Cell]] = {}
        self.online: OrderedDict[Group, dict[str, Cell]] = OrderedDict()

    # -------------------------------------------------------------- updates
    def add_prior(
        self, model: str, groups: Iterable[Group], score: float, cost: float | None
    ) -> None:
        passed = score >= 1.0
        for g in groups:
            row = self.prior.get(g)
            if row is None:
                row = self.prior[g] = {}
            cell = row.get(model)
            if cell is None:
                cell = row[model] = Cell()
            cell.add(score, passed, cost)

    def _online_row(self, g: Group) -> dict[str, Cell]:
        row = self.online.get(g)
        if row is None:
            row = self.online[g] = {}
            while len(self.online) > self.max_online_groups:
                self.online.popitem(last=False)
        else:
            self.online.move_to_end(g)
        return row

    def add_online(
        self, model: str, groups: Iterable[Group], score: float, passed: bool, cost: float | None
    ) -> None:
        for g in groups:
            row = self._online_row(g)
            cell = row.get(model)
            if cell is None:
                cell = row[model] = Cell()
            cell.add(score, passed, cost, self.online_weight)

    def add_online_sums(
        self, model: str, group: Group, n: float, score: float, passes: float, cost: float
    ) -> None:
        row = self._online_row(group)
        cell = row.get(model)
        if cell is None:
            cell = row[model] = Cell()
        w = self.online_weight
        cell.n += n * w
        cell.score += score * w
        cell.passes += passes * w
        cell.cost += cost * w
        cell.cost_n += n * w

    def add_team_sums(
        self,
        model: str,
        kind: str,
        n: float,
        score: float,
        passes: float,
        cost: float,
        cost_n: float,
    ) -> None:
        """Add a team's aggregate for ``model`` on ``kind`` (summed over team files)."""
        row = self.team.setdefault((TEAM_LEVEL, kind), {})
        cell = row.get(model)
        if cell is None:
            cell = row[model] = Cell()
        cell.n += n
        cell.score += score
        cell.passes += passes
        cell.cost += cost
        cell.cost_n += cost_n

    def clear_team(self) -> None:
        self.team.clear()

    def _with_team(self, model: str, path: Sequence[Group]) -> tuple[Sequence[Group], Cell | None]:
        """``path`` with the team level after the kind when the team has data for ``model``."""
        if not self.team:
            return path, None
        for i, g in enumerate(path):
            if g[0] == "kind":
                row = self.team.get((TEAM_LEVEL, g[1]))
                cell = row.get(model) if row is not None else None
                if cell is None or cell.n <= 0:
                    return path, None
                return [*path[: i + 1], (TEAM_LEVEL, g[1]), *path[i + 1 :]], cell
        return path, None

    def clear_online(self) -> None:
        self.online.clear()

    def prior_n(self, g: Group) -> float:
        row = self.prior.get(g)
        if not row:
            return 0.0
        return max(c.n for c in row.values())

    # -------------------------------------------------------------- estimates
    def estimate(
        self,
        model: str,
        path: Sequence[Group],
        *,
        prior_model: str | None,
        base_score: float,
        base_pass: float,
        base_cost: float | None,
        prior_cost_scale: float = 1.0,
        level_k: Mapping[Group, LevelK] | None = None,
    ) -> Estimate:
        """Shrinkage estimate along ``path`` (coarse to fine).

        ``prior_model`` is the benchmark model whose prior cells stand in for this
        model (None = no benchmark prior: the model starts from the base values).
        ``level_k`` overrides the pseudo-counts of some groups (a domain whose outcomes
        disagree with the prior, see :mod:`.calibration`): (score, pass, cost).
        """
        chain = _Chain(base_score, base_pass, base_cost)
        tr = _Trace(self.shrink)
        frontier = False  # reached a level the benchmark prior knows nothing about
        path, team = self._with_team(model, path)
        for g in path:
            k = self.level_shrink.get(g[0], self.shrink)
            override = level_k.get(g) if level_k else None
            at_team = g[0] == TEAM_LEVEL
            p = None
            if prior_model is not None and not at_team:
                row = self.prior.get(g)
                if row is not None:
                    p = row.get(prior_model)
            # with a team level, the user's own outcomes of the kind move to it: above the team's
            own_group = ("kind", g[1]) if at_team else g
            orow = self.online.get(own_group)
            o = orow.get(model) if orow is not None else None
            if team is not None and g[0] == "kind":
                o = None
            sums = Cell()  # this level's evidence
            if at_team and team is not None:
                sums = _weighted(team, min(TEAM_WEIGHT, TEAM_CAP / team.n))
                tr.team_n, tr.team_passes, tr.team_group = team.n, team.passes, g
            if p is not None and p.n > 0:
                sums = _weighted(p, self.prior_cap / p.n if p.n > self.prior_cap else 1.0)
                sums.cost *= prior_cost_scale
                tr.n_prior, tr.prior_group, tr.prior_score = sums.n, g, p.score / p.n
                chain.shrink_prior(sums, k)
            if o is not None and o.n > 0:
                sums.add_sums(o)
                tr.n_online, tr.online_group, tr.online_passes = o.n, own_group, o.passes
            if not frontier and p is None and g[0] not in SILENT_LEVELS and not at_team:
                # the first level the prior knows nothing about (a new kind or source):
                # its own shrinkage, and the uncertainty of the estimate stays this level's
                frontier = True
                k = self.frontier_shrink if override is None else override.score
                tr.n_eff = (o.n if o is not None else 0.0) + k
            ks = kp = kc = k
            if override is not None:
                ks, kp, kc = override.score, override.pass_, override.cost
                kp += override.pool_k_pass
                chain.toward_domain(override)
            if sums.n <= 0:
                continue
            chain.shrink(sums, ks, kp, kc)
            if at_team:
                # the team's outcomes add certainty; they never make the estimate less sure
                tr.n_eff = max(tr.n_eff, sums.n + k)
            elif not frontier and g[0] not in SILENT_LEVELS:
                tr.n_eff = sums.n + k
            tr.level = g[0]
        return chain.estimate(tr)


def _weighted(cell: Cell, w: float) -> Cell:
    """``cell``'s sums times ``w``."""
    out = Cell()
    out.n = cell.n * w
    out.score = cell.score * w
    out.passes = cell.passes * w
    out.cost = cell.cost * w
    out.cost_n = cell.cost_n * w
    return out


class _Trace:
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


class _Chain:
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
        if lk.pool_score_share > 0.0 or lk.pool_pass_share > 0.0:
            us, up = lk.pool_score_share, lk.pool_pass_share
            self.score = (1.0 - us) * self.score + us * lk.pool_score
            self.pss = min((1.0 - up) * self.pss + up * lk.pool_pass, self.score)
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

    def estimate(self, tr: _Trace) -> Estimate:
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
