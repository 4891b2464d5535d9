"""Fit the ACRouter policy's priors from a CodeRouterBench split (probing data)."""

from __future__ import annotations

import itertools
import logging
from collections import defaultdict
from collections.abc import Sequence

import attrs

from ..coderouterbench import Dataset
from ..domain import ModelSpec
from .acrouter import ACRouterPolicy
from .features import Group, task_path
from .joint import GroupJoint
from .params import DEFAULT_PARAMS, PolicyParams
from .stats import HierStats

log = logging.getLogger(__name__)

MIN_JOINT_TASKS = 5  # smaller groups get no joint table (their parent's is used)


@attrs.frozen
class Priors:
    stats: HierStats
    joints: dict[Group, GroupJoint]
    aliases: frozenset[Group]


def fit_priors(prior: Dataset, params: PolicyParams = DEFAULT_PARAMS) -> Priors:
    """Per (benchmark model, group): score/pass/cost cells, and joint outcome bitmasks."""
    stats = HierStats(
        shrink=params.shrink,
        prior_cap=params.prior_cap,
        online_weight=params.online_weight,
        level_shrink=dict(params.level_shrink),
        frontier_shrink=params.frontier_shrink,
    )
    models = prior.models
    members: dict[Group, list[int]] = defaultdict(list)
    parents: dict[Group, Group] = {}
    rows: list[tuple[float, ...]] = []
    for i, bt in enumerate(prior.tasks):
        meta = {"source": bt.source, **{k: v for k, v in bt.meta.items() if k == "bench"}}
        path = task_path(bt.dimension, bt.task_id, meta, None)
        scores = prior.scores[bt.task_id]
        costs = prior.costs[bt.task_id]
        rows.append(tuple(scores))
        for g in path:
            members[g].append(i)
        for parent, child in itertools.pairwise(path):
            parents.setdefault(child, parent)
        for j, m in enumerate(models):
            stats.add_prior(m, path, scores[j], costs[j])
    # a group with exactly its parent's tasks adds nothing but double counting
    aliases = frozenset(
        g
        for g, parent in parents.items()
        if g[0] in ("shape", "sub") and len(members[g]) == len(members[parent])
    )
    for g in aliases:
        stats.prior.pop(g, None)
    joints = {
        g: GroupJoint.build(models, [rows[i] for i in idx])
        for g, idx in members.items()
        if len(idx) >= MIN_JOINT_TASKS and g not in aliases
    }
    log.debug(
        "priors: %d groups, %d aliases, %d joint tables", len(members), len(aliases), len(joints)
    )
    return Priors(stats, joints, aliases)


def make_policy(
    prior: Dataset,
    models: Sequence[ModelSpec],
    cost_weight: float = 0.1,
    seed: int = 0,
    params: PolicyParams = DEFAULT_PARAMS,
) -> ACRouterPolicy:
    """The product policy, fitted on ``prior``, for the configured ``models``."""
    fitted = fit_priors(prior, params)
    scale: dict[str, float] = {}
    for m in models:
        bm = m.benchmark_model
        if bm and bm in prior.prices and m.input_cost_per_1m is not None:
            bin_, bout = prior.prices[bm]
            ref = bin_ + 3 * bout
            if ref > 0:
                scale[m.name] = (m.input_cost_per_1m + 3 * (m.output_cost_per_1m or 0.0)) / ref
    return ACRouterPolicy(
        models,
        fitted.stats,
        cost_weight=cost_weight,
        seed=seed,
        joints=fitted.joints,
        aliases=fitted.aliases,
        cost_scale=scale,
        params=params,
    )
