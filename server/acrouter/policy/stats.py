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
many outcomes are learned.  The arithmetic of one estimate (the chain of means, the
per-level pseudo-counts, the result) is :mod:`.shrinkage`.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence

from .features import Group
from .shrinkage import Cell, Chain, Estimate, LevelK, Trace, weighted

#: Levels whose emptiness says nothing about uncertainty: a new workspace starts from
#: the kind's statistics without being treated as unknown territory.
SILENT_LEVELS = frozenset({"workspace"})
#: The level of a team's shared outcomes (``teamPriors``): right below the kind, so the
#: team's outcomes shrink toward the benchmark and the user's own toward the team's.
TEAM_LEVEL = "team"
TEAM_WEIGHT = 0.5  # one teammate's outcome = half of one of your own
TEAM_CAP = 200.0  # a team cell counts at most this much (a shared file can be large)


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
        self,
        model: str,
        group: Group,
        n: float,
        score: float,
        passes: float,
        cost: float,
        cost_n: float | None = None,
    ) -> None:
        """Sums of ``n`` observations; ``cost`` is over ``cost_n`` of them (default: all)."""
        row = self._online_row(group)
        cell = row.get(model)
        if cell is None:
            cell = row[model] = Cell()
        w = self.online_weight
        cell.n += n * w
        cell.score += score * w
        cell.passes += passes * w
        cell.cost += cost * w
        cell.cost_n += (n if cost_n is None else cost_n) * w

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
        chain = Chain(base_score, base_pass, base_cost)
        tr = Trace(self.shrink)
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
                sums = weighted(team, min(TEAM_WEIGHT, TEAM_CAP / team.n))
                tr.team_n, tr.team_passes, tr.team_group = team.n, team.passes, g
            if p is not None and p.n > 0:
                sums = weighted(p, self.prior_cap / p.n if p.n > self.prior_cap else 1.0)
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
                if override is not None:
                    # what the other models did here narrows the estimate as much as it moves it
                    tr.n_eff += override.pool_k_width
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
