"""Per-model estimates for one task: benchmark priors, the team's and the user's own
outcomes, and how far the priors still hold in the task's domain.

:class:`Estimator` is what the policy knows (the *Context* of the Context -> Action ->
Feedback loop): for a model and the groups of a task (all > kind > source > id shape >
workspace; work the benchmark does not describe above the first group without a prior)
the expected score, pass rate, failing score and cost (:mod:`.stats`),
with each *domain* of the path fitted from the calls made there (:mod:`.calibration`):
the prior's weight, a cost scale shared by all models and the after-failure lift.
:class:`TaskContext` holds what the policy computed for one task, cached until the next
update.  Everything here is learned from the calls that were made (bandit feedback).
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence

import attrs

from ..domain import Attempt, ModelSpec
from .calibration import Calibration, DomainFit, fit_level
from .features import Group, task_path
from .joint import CondEstimate, GroupJoint, JointTables
from .params import PolicyParams
from .price import log_price, pooled_by_price
from .retrieval import Correction
from .shrinkage import Estimate, LevelK
from .stats import SILENT_LEVELS, HierStats

#: levels too fine to be a domain of their own (see :meth:`Estimator.domains`)
FINE_LEVELS = frozenset({"shape"})
#: the group of all work the benchmark does not describe (see :meth:`Estimator.path`)
NOVEL: Group = ("novel", "*")
K_MIN = 0.25  # the least weight (effective tasks) a prior keeps in a domain
#: a typical request when a model has no benchmark prior: ~1.5k tokens in, ~600 out
TYPICAL_TOKENS_IN, TYPICAL_TOKENS_OUT = 1500, 600


@attrs.frozen
class TaskContext:
    """What plan() needs about a task, computed once per task."""

    path: tuple[Group, ...]
    features: tuple[int, ...]
    corrections: Mapping[str, Correction]
    fits: Mapping[Group, DomainFit] = attrs.field(factory=dict)
    estimates: dict[str, Estimate] = attrs.field(factory=dict)  # filled lazily
    evidence: dict[str, str] = attrs.field(factory=dict)


class Estimator:
    """Estimates per model on a task's groups, with the task's domains applied."""

    def __init__(
        self,
        specs: Mapping[str, ModelSpec],
        stats: HierStats,
        params: PolicyParams,
        *,
        joints: Mapping[Group, GroupJoint] | None = None,
        aliases: frozenset[Group] = frozenset(),
        cost_scale: Mapping[str, float] | None = None,
    ) -> None:
        self.specs = specs
        self.stats = stats
        self.params = params
        self.joints = JointTables(joints or {})
        self.aliases = aliases
        self.cost_scale = dict(cost_scale or {})
        self.calibration = Calibration(params.domain_cost_shrink, params.after_fail_shrink)
        self._fits: dict[tuple[Group, ...], tuple[int, dict[Group, DomainFit]]] = {}
        self.version = 0  # bumped by every update; keys the caches

    def changed(self) -> None:
        """Something was learned: cached fits and task contexts are stale."""
        self.version += 1

    # ------------------------------------------------------------ groups
    def prior_model(self, name: str) -> str | None:
        """The benchmark model whose outcomes are ``name``'s prior (None: no prior)."""
        spec = self.specs.get(name)
        return spec.benchmark_model if spec is not None else None

    def path(self, kind: str, task_id: str, meta: Mapping[str, object]) -> list[Group]:
        """The task's groups, coarse to fine, with :data:`NOVEL` (when
        ``params.novel_pool``) right above the first group the benchmark knows nothing
        about: work outside the benchmark (an agentic SWE stream after another one, a
        held-out kind) learns from the other work outside it, not only from the
        benchmark's description of its kind, which every earlier new domain contradicted
        just as much."""
        ws = meta.get("workspace_id")
        path = task_path(kind, task_id, meta, ws if isinstance(ws, str) else None, self.aliases)
        if self.params.novel_pool:
            for i, g in enumerate(path):
                if g[0] not in SILENT_LEVELS and g not in self.stats.prior:
                    # without any prior (not even "all") every group is new: nothing to pool
                    return [*path[:i], NOVEL, *path[i:]] if i > 0 else path
        return path

    def domains(self, path: Sequence[Group]) -> list[Group]:
        """The groups of ``path`` where the priors may stop holding: the first one the
        benchmark knows nothing about (a new source or kind) and the workspace."""
        if not self.params.adapt_domains:
            return []
        out: list[Group] = []
        frontier = False
        for g in path:
            if g[0] in SILENT_LEVELS:
                out.append(g)
            elif not frontier and g not in self.stats.prior:
                frontier = True
                if g[0] not in FINE_LEVELS:  # a new id shape of a known source is no new work
                    out.append(g)
        return out

    # ------------------------------------------------------------ domains
    def _default_k(self, g: Group) -> float:
        st = self.stats
        if g[0] in st.level_shrink:
            return st.level_shrink[g[0]]
        return st.frontier_shrink

    def domain_fits(self, path: Sequence[Group]) -> dict[Group, DomainFit]:
        """Per domain group of ``path``: the prior's weight there (a prior-data conflict
        check over the models called there), the shared cost scale and the after-failure
        lift (cached until the next update)."""
        key = tuple(path)
        hit = self._fits.get(key)
        if hit is not None and hit[0] == self.version:
            return hit[1]
        fits: dict[Group, DomainFit] = {}
        doms = self.domains(path)
        for g in doms:
            fits[g] = self._fit_domain(g, path, doms[: doms.index(g) + 1], fits)
        if len(self._fits) > 256:
            self._fits.clear()
        self._fits[key] = (self.version, fits)
        return fits

    def _fit_domain(
        self,
        g: Group,
        path: Sequence[Group],
        upto: Sequence[Group],
        outer: Mapping[Group, DomainFit],
    ) -> DomainFit:
        """The fit of domain ``g`` (``upto``: the domains of ``path`` down to ``g``;
        ``outer``: the fits of the domains above it)."""
        pp = self.params
        cal = self.calibration
        k0 = self._default_k(g)
        row = self.stats.online.get(g) or {}
        calls, cost_calls = cal.calls(g)
        k_score, score_shift = k0, 0.0
        k_pass, pass_shift = k0, 0.0
        rule = pp.domain_prior_weight
        disp_pass, disp_score = cal.dispersion(upto, pp.dispersion_shrink)
        if rule == "beta-binomial":
            i = list(path).index(g)
            pass_obs, score_obs = [], []
            level_k = {d: f.level_k(pp.domain_model_cost_k) for d, f in outer.items()}
            for name, cell in row.items():
                if cell.n <= 0 or name not in self.specs:
                    continue
                parent = self.raw_estimate(name, path[:i], level_k, 1.0)
                pass_obs.append((cell.passes, cell.n, parent.pass_rate))
                score_obs.append((cell.score, cell.n, parent.score))
            k_score, score_shift = fit_level(score_obs, k0, pp.domain_shift)
            k_pass, pass_shift = fit_level(pass_obs, k0, pp.domain_shift)
        elif rule == "dispersion":
            # quasi-likelihood: outcomes phi times as dispersed as the prior predicts
            # make it worth 1/phi of its tasks
            k_pass = max(K_MIN, k0 / max(1.0, disp_pass))
            k_score = max(K_MIN, k0 / max(1.0, disp_score))
        share = pool_score = pool_pass = pool_k_pass = slope = 0.0
        pool_by: tuple[tuple[str, float], ...] = ()
        n_all = sum(c.n for c in row.values())
        if pp.domain_pool and rule != "off" and n_all > 0 and k0 > 0:
            # one weight for the prior's whole description of a model here: the part
            # of it that is discredited gives way to what every model did here
            share = max(0.0, 1.0 - min(k_pass, k_score) / k0)
            pool_score = sum(c.score for c in row.values()) / n_all
            pool_pass = sum(c.passes for c in row.values()) / n_all
            if pp.price_slope_sd > 0:
                # pooled per model by its price, where the calls here show price matters
                prices = {
                    m: log_price(s.input_cost_per_1m, s.output_cost_per_1m)
                    for m, s in self.specs.items()
                }
                cells_by = {m: (c.passes, c.n) for m, c in row.items()}
                by, slope = pooled_by_price(cells_by, prices, pp.price_slope_sd, pool_pass)
                pool_by = tuple(sorted(by.items()))
            if pp.domain_pool_fit:
                # the weight the prior lost on pass rates goes to the pooled pass rate, as
                # many pseudo-calls as the models' spread around it allows (a beta-binomial
                # fit): one or two calls of a model no longer decide its pass rate alone
                pm = dict(pool_by)
                cells = [(c.passes, c.n, pm.get(m, pool_pass)) for m, c in row.items() if c.n > 0]
                pool_k_pass = share * fit_level(cells, k0, False)[0]
        return DomainFit(
            group=g,
            k_score=k_score,
            k_pass=k_pass,
            k_default=k0,
            score_shift=score_shift,
            pass_shift=pass_shift,
            cost_ratio=cal.cost_ratio(upto),
            after_fail=cal.after_fail(upto),
            fail_worth=cal.fail_ratio(upto) if pp.domain_fail_worth else 1.0,
            dispersion=disp_pass,
            pool_share=share,
            pool_score=pool_score,
            pool_pass=pool_pass,
            pool_k_pass=pool_k_pass,
            pool_k_width=pool_k_pass if pp.pool_sharpens else 0.0,
            pool_by=pool_by,
            price_slope=slope,
            calls=calls,
            cost_calls=cost_calls,
        )

    # ------------------------------------------------------------ estimates
    def raw_estimate(
        self,
        name: str,
        path: Sequence[Group],
        level_k: Mapping[Group, LevelK] | None,
        domain_cost: float,
    ) -> Estimate:
        """``name``'s estimate with the given per-domain weights and cost scale."""
        prior_model = self.prior_model(name)
        spec = self.specs.get(name)
        base_cost = None
        if prior_model is None and spec is not None and spec.input_cost_per_1m is not None:
            base_cost = (
                TYPICAL_TOKENS_IN * spec.input_cost_per_1m
                + TYPICAL_TOKENS_OUT * (spec.output_cost_per_1m or 0.0)
            ) / 1e6
            base_cost *= domain_cost
        return self.stats.estimate(
            name,
            path,
            prior_model=prior_model,
            base_score=self.params.neutral_score,
            base_pass=self.params.neutral_pass,
            base_cost=base_cost,
            prior_cost_scale=self.cost_scale.get(name, 1.0) * domain_cost,
            level_k=level_k,
        )

    def estimate(self, name: str, path: Sequence[Group]) -> Estimate:
        """Model ``name``'s estimates on a task with groups ``path`` (domains applied)."""
        fits = self.domain_fits(path)
        if not fits:
            return self.raw_estimate(name, path, None, 1.0)
        kc = self.params.domain_model_cost_k
        level_k = {g: f.level_k(kc, name) for g, f in fits.items()}
        last = list(fits.values())[-1]
        est = self.raw_estimate(name, path, level_k, last.cost_ratio)
        if last.fail_worth != 1.0:
            est = attrs.evolve(est, fail_score=clip01(est.fail_score * last.fail_worth))
        return est

    def estimates(self, names: Sequence[str], ctx: TaskContext) -> dict[str, Estimate]:
        """Estimates of ``names`` on the task, with the retrieval corrections (cached)."""
        cache = ctx.estimates
        out: dict[str, Estimate] = {}
        for m in names:
            est = cache.get(m)
            if est is None:
                est = self.estimate(m, ctx.path)
                c = ctx.corrections.get(m)
                if c is not None:
                    est = attrs.evolve(
                        est,
                        score=clip01(est.score + c.score),
                        pass_rate=clip01(est.pass_rate + c.pass_rate),
                    )
                cache[m] = est
            out[m] = est
        return out

    # ------------------------------------------------------------ after a failure
    def conditional(self, path: Sequence[Group], failed_bm: tuple[str, ...]) -> CondEstimate | None:
        """The joint benchmark outcomes given that the models ``failed_bm`` failed."""
        return self.joints.conditional(path, failed_bm, self.params.cond_shrink)

    def conditional_q(
        self, name: str, est: Estimate, path: Sequence[Group], failed_bm: tuple[str, ...]
    ) -> float:
        """P(pass) of ``name`` given that the benchmark models ``failed_bm`` failed on the
        task (exact verdicts), before any domain correction."""
        cond = self.conditional(path, failed_bm)
        bm = self.prior_model(name)
        p = est.pass_rate
        if cond is not None and bm is not None and bm in cond.models and est.prior_pass > 0:
            p *= cond.models[bm][0] / est.prior_pass
        return min(max(p, 0.0), 1.0)

    # ------------------------------------------------------------ learning a domain
    def learn_domains(self, path: Sequence[Group], attempts: Sequence[Attempt]) -> None:
        """Calibration sums of the task's domains, from predictions made before this
        task's outcomes are learned: each call's cost against the benchmark prior's,
        and each call after a failed attempt against its predicted pass probability."""
        doms = self.domains(path)
        if not doms:
            return
        ests: dict[str, Estimate] = {}
        failed_bm: list[str] = []
        calls: list[tuple[float | None, float | None, float | None, bool]] = []
        failures: list[tuple[float, float]] = []
        residuals: list[tuple[bool, float, float, float]] = []
        for a in attempts:
            if not a.counted:
                continue  # e.g. a missing API key: says nothing about the model
            est = ests.get(a.model)
            if est is None:
                est = ests[a.model] = self.estimate(a.model, path)
            raw = self.raw_estimate(a.model, path, None, 1.0)
            passed = (a.score >= 1.0) if a.score is not None else a.verdict == "pass"
            predicted = None
            if failed_bm:
                predicted = self.conditional_q(a.model, est, path, tuple(sorted(set(failed_bm))))
            calls.append((a.cost_usd, raw.prior_cost, predicted, passed))
            p_pass = raw.prior_pass
            p_score = p_pass + (1.0 - p_pass) * raw.prior_fail_score
            score = a.score if a.score is not None else (1.0 if passed else 0.0)
            residuals.append((passed, score, p_pass, p_score))
            if not passed:
                failures.append((a.score if a.score is not None else 0.0, raw.fail_score))
            bm = self.prior_model(a.model)
            if a.verdict == "fail" and a.tested and bm is not None:
                failed_bm.append(bm)
        cal = self.calibration
        for cost, expected, predicted, passed in calls:
            cal.add_call(doms, cost, expected)
            if predicted is not None:
                cal.add_after_fail(doms, passed, predicted)
        for score, expected in failures:
            cal.add_failure(doms, score, expected)
        for passed, score, p_pass, p_score in residuals:
            cal.add_residual(doms, passed, score, p_pass, p_score)

    def reset_online(self) -> None:
        self.stats.clear_online()
        self.calibration.clear()
        self.changed()


def clip01(x: float) -> float:
    return 0.0 if x < 0.0 else min(x, 1.0)


def beta_sample(rng: random.Random, mean: float, n: float) -> float:
    """A draw from Beta(mean * n, (1 - mean) * n): a posterior sample of a rate."""
    a = max(mean * n, 1e-3)
    b = max((1.0 - mean) * n, 1e-3)
    x = rng.betavariate(a, b)
    return x if math.isfinite(x) else mean
