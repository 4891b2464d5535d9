"""The ACRouter policy: hierarchical priors + online learning + cost-aware escalation.

One implementation serves ``acrouter serve``, ``acrouter complete`` and
``acrouter bench``.  It only ever sees the task's metadata and the outcomes of the
calls that were made (through ``learn``): bandit feedback by construction.

How a decision is made
----------------------
1. *Estimates* per model (:mod:`.stats`): expected score, pass rate, failing score and
   cost, shrunk along the task's groups (all > kind > source > id shape > workspace),
   mixing the benchmark prior with what was observed; plus a correction from similar
   past requests when the task has text (:mod:`.retrieval`).
2. *One call per task* (``configure_budget(1)``): the model with the best expected
   reward = score - cost_weight x cost.  Where the evidence is thin (a kind or group
   without prior) the expected score is a Thompson sample of its posterior, so the
   policy explores exactly where it is uncertain and nowhere else.
3. *Verify and escalate*: the next model is the one with the highest reservation value
   (:mod:`.escalation`) among those whose expected gain exceeds their cost; pass rates
   are conditioned on the models that already failed on this task, from the joint
   benchmark outcomes (:mod:`.joint`), weighted by the chance that those fail verdicts
   were true (a fail verdict of a model that nearly always passes is often a flipped
   pass under a noisy verifier); the estimated verifier noise discounts verdicts.
   A call in the loop costs its money (cost_weight x USD) and the user's time: a share
   that grows with the size of the call (its price is the proxy for its tokens) up to a
   cap, plus a small fixed overhead (:meth:`ACRouterPolicy.call_cost`).  Without it a
   cost weight of 0.1 buys a 1% chance of a pass with a $0.10 call, every time.
   The loop takes no posterior samples: a failure already calls the next model, so the
   loop explores by itself, and sampling there only added calls.
4. *A new domain* (:mod:`.calibration`): where the benchmark knows nothing (a new source
   or kind, the user's workspace) the policy learns from its first calls there a cost
   scale shared by all models, so a model never called there is not priced at benchmark
   prices; how far outcomes stray from what the priors predict (their weight there is
   divided by that dispersion, and what they lose goes to the domain's pooled means);
   and how often a call after a failure passes against what the joint benchmark
   outcomes predicted.  The why says when and why it stopped trusting the priors
   ("after 4 call(s) in this domain: costs here are 214x the benchmark's; outcomes
   disagree with the benchmark priors (12x the spread they predict); priors weighted
   0.25").  Hyper-parameters: :class:`.PolicyParams`.
"""

from __future__ import annotations

import hashlib
import math
import random
import threading
from collections.abc import Mapping, Sequence

import attrs

from ..domain import (
    Aggregate,
    Attempt,
    Candidate,
    Decision,
    ModelSpec,
    Outcome,
    Task,
    TeamPrior,
)
from ..explain import fmt_usd
from .calibration import Calibration, DomainFit, fit_level
from .escalation import Option
from .features import ALL, Group, task_path, text_features
from .joint import CondEstimate, GroupJoint, JointTables
from .params import DEFAULT_PARAMS, PolicyParams
from .retrieval import Correction, RetrievalMemory
from .stats import SILENT_LEVELS, Estimate, HierStats, LevelK, group_label

__all__ = ["ACRouterPolicy", "task_path"]


#: levels too fine to be a domain of their own (see :meth:`ACRouterPolicy.domains`)
FINE_LEVELS = frozenset({"shape"})
K_MIN = 0.25  # the least weight (effective tasks) a prior keeps in a domain


@attrs.frozen
class _Ctx:
    """What plan() needs about a task, computed once per task."""

    path: tuple[Group, ...]
    features: tuple[int, ...]
    corrections: Mapping[str, Correction]
    fits: Mapping[Group, DomainFit] = attrs.field(factory=dict)
    estimates: dict[str, Estimate] = attrs.field(factory=dict)  # filled lazily
    evidence: dict[str, str] = attrs.field(factory=dict)


class ACRouterPolicy:
    """Ranks models by expected reward = expected score - costWeight x expected cost."""

    name = "acrouter"

    def __init__(
        self,
        models: Sequence[ModelSpec],
        stats: HierStats,
        *,
        cost_weight: float = 0.1,
        seed: int = 0,
        joints: Mapping[Group, GroupJoint] | None = None,
        aliases: frozenset[Group] = frozenset(),
        cost_scale: Mapping[str, float] | None = None,
        params: PolicyParams = DEFAULT_PARAMS,
    ) -> None:
        self.params = params
        self.specs = {m.name: m for m in models}
        self.stats = stats
        self.cost_weight = cost_weight
        self.seed = seed
        self.joints = JointTables(joints or {})
        self.aliases = aliases
        self.cost_scale = dict(cost_scale or {})
        self.explore = params.explore
        self.retrieval = RetrievalMemory(params.retrieval_capacity)
        self.calibration = Calibration(params.domain_cost_shrink, params.after_fail_shrink)
        self._fits: dict[tuple[Group, ...], tuple[int, dict[Group, DomainFit]]] = {}
        self.budget = 1
        self.flips = 0.0
        self.flip_n = 0.0
        self._version = 0  # bumped by every update; keys the per-task cache
        self._ctx: tuple[tuple[str, int], _Ctx] | None = None
        # the editor may route two requests at once: plan and learn take turns
        self._lock = threading.RLock()

    # ------------------------------------------------------------ configuration
    def configure_budget(self, max_attempts: int) -> None:
        """How many calls the orchestrator allows per task (1 = single protocol)."""
        self.budget = max(1, max_attempts)

    @property
    def noise(self) -> float:
        """Estimated rate at which verdicts disagree with the revealed outcome."""
        a, b = self.params.noise_prior
        return (self.flips + a) / (self.flip_n + b)

    def call_cost(self, cost_usd: float | None) -> float:
        """What one more call in the escalation loop costs, in score points: its money
        (cost weight x USD) plus the user's time, which grows with the size of the call
        (its price stands in for its tokens) up to a cap, plus a fixed overhead."""
        usd = cost_usd or 0.0
        pp = self.params
        time = min(pp.time_weight * usd, pp.time_cap)
        return self.cost_weight * usd + time + pp.call_penalty

    # ------------------------------------------------------------ task context
    def _prior_model(self, name: str) -> str | None:
        spec = self.specs.get(name)
        return spec.benchmark_model if spec is not None else None

    def _path(self, kind: str, task_id: str, meta: Mapping[str, object]) -> list[Group]:
        ws = meta.get("workspace_id")
        return task_path(kind, task_id, meta, ws if isinstance(ws, str) else None, self.aliases)

    def _context(self, task: Task) -> _Ctx:
        key = (task.task_id, self._version)
        cached = self._ctx
        if cached is not None and cached[0] == key:
            return cached[1]
        path = tuple(self._path(task.kind, task.task_id, task.meta))
        feats = task_features(task)
        corr = self.retrieval.query(feats) if feats else {}
        ctx = _Ctx(path, feats, corr, self.domain_fits(path))
        self._ctx = (key, ctx)
        return ctx

    # ------------------------------------------------------------ domains
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
        if hit is not None and hit[0] == self._version:
            return hit[1]
        fits: dict[Group, DomainFit] = {}
        doms = self.domains(path)
        cal = self.calibration
        for g in doms:
            i = path.index(g)
            k0 = self._default_k(g)
            upto = doms[: doms.index(g) + 1]
            row = self.stats.online.get(g) or {}
            calls, cost_calls = cal.calls(g)
            k_score, score_shift = k0, 0.0
            k_pass, pass_shift = k0, 0.0
            rule = self.params.domain_prior_weight
            disp_pass, disp_score = cal.dispersion(upto, self.params.dispersion_shrink)
            if rule == "beta-binomial":
                pass_obs, score_obs = [], []
                level_k = {d: f.level_k(self.params.domain_model_cost_k) for d, f in fits.items()}
                for name, cell in row.items():
                    if cell.n <= 0 or name not in self.specs:
                        continue
                    parent = self._raw_estimate(name, path[:i], level_k, 1.0)
                    pass_obs.append((cell.passes, cell.n, parent.pass_rate))
                    score_obs.append((cell.score, cell.n, parent.score))
                k_score, score_shift = fit_level(score_obs, k0, self.params.domain_shift)
                k_pass, pass_shift = fit_level(pass_obs, k0, self.params.domain_shift)
            elif rule == "dispersion":
                # quasi-likelihood: outcomes phi times as dispersed as the prior predicts
                # make it worth 1/phi of its tasks
                k_pass = max(K_MIN, k0 / max(1.0, disp_pass))
                k_score = max(K_MIN, k0 / max(1.0, disp_score))
            share_s = share_p = pool_score = pool_pass = 0.0
            n_all = sum(c.n for c in row.values())
            if self.params.domain_pool and rule != "off" and n_all > 0 and k0 > 0:
                # one weight for the prior's whole description of a model here: the part
                # of it that is discredited gives way to what every model did here
                share_s = share_p = max(0.0, 1.0 - min(k_pass, k_score) / k0)
                pool_score = sum(c.score for c in row.values()) / n_all
                pool_pass = sum(c.passes for c in row.values()) / n_all
            fits[g] = DomainFit(
                group=g,
                k_score=k_score,
                k_pass=k_pass,
                k_default=k0,
                score_shift=score_shift,
                pass_shift=pass_shift,
                cost_ratio=cal.cost_ratio(upto),
                after_fail=cal.after_fail(upto),
                fail_worth=cal.fail_ratio(upto) if self.params.domain_fail_worth else 1.0,
                dispersion=disp_pass,
                pool_score_share=share_s,
                pool_pass_share=share_p,
                pool_score=pool_score,
                pool_pass=pool_pass,
                calls=calls,
                cost_calls=cost_calls,
            )
        if len(self._fits) > 256:
            self._fits.clear()
        self._fits[key] = (self._version, fits)
        return fits

    def domain_note(self, path: Sequence[Group]) -> str:
        """Why the priors are (not) followed in this task's domain, for the why."""
        notes = [f.describe() for f in self.domain_fits(path).values()]
        return "; ".join(n for n in notes if n)

    # ------------------------------------------------------------ estimates
    def _raw_estimate(
        self,
        name: str,
        path: Sequence[Group],
        level_k: Mapping[Group, LevelK] | None,
        domain_cost: float,
    ) -> Estimate:
        prior_model = self._prior_model(name)
        spec = self.specs.get(name)
        base_cost = None
        if prior_model is None and spec is not None and spec.input_cost_per_1m is not None:
            # a typical request: ~1.5k tokens in, ~600 out
            base_cost = (
                1500 * spec.input_cost_per_1m + 600 * (spec.output_cost_per_1m or 0.0)
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
            return self._raw_estimate(name, path, None, 1.0)
        kc = self.params.domain_model_cost_k
        level_k = {g: f.level_k(kc) for g, f in fits.items()}
        last = list(fits.values())[-1]
        est = self._raw_estimate(name, path, level_k, last.cost_ratio)
        if last.fail_worth != 1.0:
            est = attrs.evolve(est, fail_score=_clip(est.fail_score * last.fail_worth))
        return est

    def _estimates(self, names: Sequence[str], ctx: _Ctx) -> dict[str, Estimate]:
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
                        score=_clip(est.score + c.score),
                        pass_rate=_clip(est.pass_rate + c.pass_rate),
                    )
                cache[m] = est
            out[m] = est
        return out

    # ------------------------------------------------------------ explanations
    def _evidence(self, name: str, est: Estimate, ctx: _Ctx) -> str:
        """Where an estimate comes from, with counts (cached per task)."""
        text = ctx.evidence.get(name)
        if text is not None:
            return text
        prior_model = self._prior_model(name)
        bits = []
        if prior_model is not None and est.n_prior > 0:
            bits.append(
                f"benchmark {prior_model} on {group_label(est.prior_group)}: "
                f"n={est.n_prior:.0f}, mean score {est.prior_score:.2f}"
            )
        elif prior_model is None:
            bits.append("no benchmark prior (neutral start)")
        if est.team_n > 0 and est.team_group is not None:
            bits.append(
                f"team on {est.team_group[1].replace('_', ' ')}: "
                f"{est.team_passes:.0f} of {est.team_n:.0f} passed"
            )
        if est.n_online > 0:
            bits.append(
                f"observed on {group_label(est.online_group)}: "
                f"{est.online_passes:.0f} of {est.n_online:.0f} passed"
            )
        c = ctx.corrections.get(name)
        if c is not None and c.n > 0:
            bits.append(f"{c.n} similar past request(s): {c.score:+.2f} vs expected")
        text = ctx.evidence[name] = "; ".join(bits)
        return text

    def _candidate(
        self, name: str, est: Estimate, score: float, value: float, ctx: _Ctx, note: str = ""
    ) -> Candidate:
        head = f"exp. score {score:.2f}, exp. cost {fmt_usd(est.cost, unknown='unknown')}; "
        tail = f"; {note}" if note else ""
        return Candidate(
            model=name,
            expected_score=score,
            expected_cost_usd=est.cost,
            expected_reward=value,
            evidence=head + self._evidence(name, est, ctx) + tail,
            n_prior=est.n_prior,
            n_personal=round(est.n_online),
        )

    def _rng(self, task_id: str, step: int) -> random.Random:
        h = hashlib.blake2b(f"{self.seed}|{task_id}|{step}".encode(), digest_size=8).digest()
        return random.Random(int.from_bytes(h, "big"))

    # ------------------------------------------------------------ the decision
    def plan(self, task: Task, models: Sequence[str], tried: Sequence[Attempt]) -> Decision:
        with self._lock:
            return self._plan(task, models, tried)

    def _plan(self, task: Task, models: Sequence[str], tried: Sequence[Attempt]) -> Decision:
        ctx = self._context(task)
        tried_names = [a.model for a in tried]
        remaining = [m for m in dict.fromkeys(models) if m not in tried_names]
        ests = self._estimates(list(dict.fromkeys([*remaining, *tried_names])), ctx)
        if not tried:
            if not remaining:
                return Decision(None, (), "no model is configured")
            if self.budget <= 1 or len(remaining) == 1:
                first = self._single(task, remaining, ests, ctx)
            else:
                first = self._escalate(task, remaining, (), ests, ctx)
            note = "; ".join(n for f in ctx.fits.values() if (n := f.describe()))
            if note:
                first = attrs.evolve(first, reason=f"{first.reason}. Domain: {note}")
            return first
        return self._escalate(task, remaining, tried, ests, ctx)

    def _single(
        self, task: Task, models: Sequence[str], ests: Mapping[str, Estimate], ctx: _Ctx
    ) -> Decision:
        """One call: the best expected reward (a posterior sample where evidence is thin)."""
        cw = self.cost_weight
        rng = self._rng(task.task_id, 0) if self.explore else None
        ranked = []
        for m in models:
            est = ests[m]
            score = est.score
            if rng is not None and est.n_eff < self.params.explore_max_n:
                score = _beta_sample(rng, est.score, est.n_eff * self.params.explore_concentration)
            value = score - cw * (est.cost or 0.0)
            cand = self._candidate(m, est, est.score, est.score - cw * (est.cost or 0.0), ctx)
            ranked.append((value, -(est.cost or 0.0), cand))
        ranked.sort(key=lambda x: (-x[0], -x[1]))
        cands = tuple(r[2] for r in ranked)
        best = cands[0]
        reason = f"chose {best.model}: highest expected value {best.expected_reward:.3f}"
        if ranked[0][0] != best.expected_reward:
            reason = f"chose {best.model}: best posterior sample (thin evidence, exploring)"
        if len(cands) > 1:
            reason += f" (next: {cands[1].model} {cands[1].expected_reward:.3f})"
        return Decision(best.model, cands, reason)

    # ------------------------------------------------------------ escalation
    def _conditional(
        self, path: Sequence[Group], failed_bm: tuple[str, ...]
    ) -> CondEstimate | None:
        return self.joints.conditional(path, failed_bm, self.params.cond_shrink)

    def _escalate(
        self,
        task: Task,
        remaining: Sequence[str],
        tried: Sequence[Attempt],
        ests: Mapping[str, Estimate],
        ctx: _Ctx,
    ) -> Decision:
        eps = self.noise
        failed = [a for a in tried if a.verdict != "pass"]
        # only judged failures say which models fail this task (not a set-up failure)
        informative = [a for a in failed if a.verdict == "fail" and a.counted]
        failed_bm = tuple(
            sorted({bm for a in informative if (bm := self._prior_model(a.model)) is not None})
        )
        cond = self._conditional(ctx.path, failed_bm)
        future = cond.oracle if cond is not None else 1.0

        # what stopping now is worth: the best-verified attempt so far
        accept, best_now, p_have_pass = self._accept(ctx.path, tried, ests, cond)

        w_fail = 1.0 - p_have_pass if self.params.soft_condition else 1.0
        sample = self.explore and self.params.explore_escalation
        rng = self._rng(task.task_id, len(tried)) if sample else None
        options: list[tuple[Option, Estimate]] = []
        lifts: list[float] = []
        if cond is not None and failed_bm:
            for m in remaining:
                bm = self._prior_model(m)
                est = ests[m]
                if bm is not None and bm in cond.models and est.prior_pass > 0:
                    lifts.append(cond.models[bm][0] / est.prior_pass)
        avg_lift = sum(lifts) / len(lifts) if lifts else (0.5 if informative else 1.0)
        # how far passes after a failure in this domain beat the prediction (learned)
        fits = list(ctx.fits.values())
        af = fits[-1].after_fail if fits and informative else 1.0
        for m in remaining:
            est = ests[m]
            p = est.pass_rate
            if rng is not None and est.n_eff < self.params.explore_max_n:
                p = _beta_sample(rng, p, est.n_eff * self.params.explore_concentration)
            bm = self._prior_model(m)
            if failed_bm and cond is not None and bm is not None and bm in cond.models:
                cq, cown, cmax = cond.models[bm]
                lift = cq / est.prior_pass if est.prior_pass > 0 else 1.0
                # the conditional holds only if the failed verdicts were true fails
                q = p * (w_fail * lift * af + (1.0 - w_fail))
                shift = est.fail_score - est.prior_fail_score
                own = w_fail * (cown + shift) + (1.0 - w_fail) * est.fail_score
                fmax = max(best_now, w_fail * (cmax + shift) + (1.0 - w_fail) * est.fail_score)
            else:
                q = p * (w_fail * avg_lift * af + (1.0 - w_fail))
                own = est.fail_score
                fmax = max(best_now, own) if tried else own
            q = min(max(q, self.params.min_q), 1.0 - self.params.min_q)
            own = _clip(own)
            risk = self.params.risk_scale * (1.0 - q) * eps * max(0.0, future - own)
            opt = Option(m, q, own, _clip(fmax), self.call_cost(est.cost), risk)
            options.append((opt, est))

        calls_left = self.budget - len(tried)
        scored = []
        for opt, est in options:
            gain = opt.gain(best_now, eps, p_have_pass)
            index = gain if calls_left <= 1 else opt.reservation(eps)
            scored.append((gain, index, opt, est))
        worth = [s for s in scored if s[0] > 0.0]
        chosen: tuple[float, float, Option, Estimate] | None
        if not tried and not worth:
            # first call: something must be tried; the best expected reward
            cw = self.cost_weight
            scored.sort(key=lambda s: -(s[3].score - cw * (s[3].cost or 0.0)))
            chosen = scored[0]
            ranked = scored
        else:
            ranked = sorted(scored, key=lambda s: (-(s[0] > 0.0), -s[1], s[2].cost))
            chosen = ranked[0] if worth else None
        cands = tuple(
            self._candidate(
                s[2].model,
                s[3],
                s[2].value(eps),
                s[2].value(eps) - self.cost_weight * (s[3].cost or 0.0),
                ctx,
                note=f"P(pass{' | earlier failed' if tried else ''}) {s[2].q:.2f}, gain {s[0]:+.3f}",
            )
            for s in ranked
        )
        if chosen is None:
            if not tried:
                return Decision(None, cands, "no model left")
            why = "no remaining model's expected gain exceeds its cost"
            if ranked:
                why += f" (best: {ranked[0][2].model} {ranked[0][0]:+.3f})"
            if not remaining:
                why = "no model left to try"
            return Decision(None, cands, why, accept=accept)
        gain, _, opt, _ = chosen
        if not tried:
            reason = (
                f"chose {opt.model}: P(pass) {opt.q:.2f} for {fmt_usd(ests[opt.model].cost, unknown='unknown')} "
                f"(best reservation value; escalates on failure)"
            )
        else:
            reason = (
                f"escalated to {opt.model}: P(pass | earlier failed) {opt.q:.2f}, "
                f"expected gain {gain:+.3f} after cost"
            )
            if informative and w_fail < 0.9:
                reason += (
                    f" (P(the fail verdicts so far were all right) {w_fail:.2f}, with an "
                    f"estimated verifier error rate of {eps:.1%})"
                )
        return Decision(opt.model, cands, reason, accept=accept)

    def _accept(
        self,
        path: Sequence[Group],
        tried: Sequence[Attempt],
        ests: Mapping[str, Estimate],
        cond: CondEstimate | None,
    ) -> tuple[str | None, float, float]:
        """If stopping now: the attempt to accept, the expected best failing score (all
        attempts truly failed), and the probability that some attempt truly passed
        although its verdict said fail (verifier noise)."""
        if not tried:
            return None, 0.0, 0.0
        for a in tried:
            if a.verdict == "pass":
                return a.model, 1.0, 0.0
        eps = self.noise
        best_name: str | None = None
        best_val = -1.0
        best_fail = 0.0
        no_pass = 1.0
        before: list[str] = []  # benchmark models that failed before this attempt
        for a in tried:
            est = ests.get(a.model)
            bm = self._prior_model(a.model)
            if a.verdict == "error" or not a.counted or est is None:
                continue
            q = est.pass_rate
            if before and bm is not None:
                c = self._conditional(path, tuple(sorted(set(before))))
                if c is not None and bm in c.models and est.prior_pass > 0:
                    q = min(1.0, q * c.models[bm][0] / est.prior_pass)
            post = eps * q / (eps * q + (1.0 - eps) * (1.0 - q) + 1e-12)
            no_pass *= 1.0 - post
            fs = est.fail_score
            best_fail = max(best_fail, fs)
            val = post + (1.0 - post) * fs
            if a.tests_passed is not None and a.tests_failed is not None:
                total = a.tests_passed + a.tests_failed
                if total > 0:
                    val = a.tests_passed / total
            if val > best_val:
                best_name, best_val = a.model, val
            if bm is not None:
                before.append(bm)
        if best_name is None:
            return tried[0].model, 0.0, 0.0
        if cond is not None and before:
            shift = 0.0
            if self.domains(path):
                # in a domain the benchmark does not know, its best failing score moves
                # as far as the failed models' failing scores moved there
                shifts = [
                    e.fail_score - e.prior_fail_score
                    for a in tried
                    if (e := ests.get(a.model)) is not None and a.verdict != "error"
                ]
                shift = sum(shifts) / len(shifts) if shifts else 0.0
            best_fail = max(best_fail, _clip(cond.best + shift))
        return best_name, best_fail, 1.0 - no_pass

    # ------------------------------------------------------------ learning
    def learn(self, task: Task, outcome: Outcome) -> None:
        meta = dict(task.meta)
        if outcome.workspace_id and "workspace_id" not in meta:
            meta["workspace_id"] = outcome.workspace_id
        feats = task_features(task)
        with self._lock:
            self._learn(outcome.kind, outcome.request_id, meta, outcome.attempts, feats)

    def learn_outcome(self, outcome: Outcome) -> None:
        """Learn from a stored outcome (memory warm-up): no Task at hand."""
        meta = dict(outcome.meta)
        if outcome.workspace_id:
            meta["workspace_id"] = outcome.workspace_id
        with self._lock:
            self._learn(
                outcome.kind, outcome.request_id, meta, outcome.attempts, tuple(outcome.features)
            )

    def learn_aggregate(self, agg: Aggregate) -> None:
        """Learn compacted history (many old outcomes of one model on one kind)."""
        with self._lock:
            for g in (ALL, ("kind", agg.kind)):
                self.stats.add_online_sums(
                    agg.model, g, agg.n, agg.score_sum, agg.passes, agg.cost_usd_sum
                )
            self._version += 1

    def _learn(
        self,
        kind: str,
        task_id: str,
        meta: Mapping[str, object],
        attempts: Sequence[Attempt],
        features: Sequence[int] = (),
    ) -> None:
        path = self._path(kind, task_id, meta)
        observed: list[tuple[str, float, bool, float | None]] = []
        for a in attempts:
            if not a.counted:
                continue  # a set-up failure (e.g. a missing API key): not the model's
            if a.score is not None:
                score = float(a.score)
                passed = score >= 1.0
                self.flip_n += 1
                if passed != (a.verdict == "pass"):
                    self.flips += 1
            else:
                passed = a.verdict == "pass"
                score = 1.0 if passed else 0.0
            observed.append((a.model, score, passed, a.cost_usd))
        if self.params.adapt_domains and observed:
            self._learn_domains(path, attempts)
        if features and observed:
            residuals = {}
            for m, score, passed, _ in observed:
                est = self.estimate(m, path)
                residuals[m] = (score - est.score, (1.0 if passed else 0.0) - est.pass_rate)
            self.retrieval.add(features, residuals)
        for m, score, passed, cost in observed:
            self.stats.add_online(m, path, score, passed, cost)
        self._version += 1

    def _learn_domains(self, path: Sequence[Group], attempts: Sequence[Attempt]) -> None:
        """Calibration sums of the task's domains, from predictions made before this
        task's outcomes are learned: each call's cost against the benchmark prior's,
        and each call after a failed attempt against its predicted pass probability."""
        doms = self.domains(path)
        if not doms:
            return
        ests: dict[str, Estimate] = {}
        failed_bm: list[str] = []
        events: list[tuple[str, float | None, float | None, float | None, bool]] = []
        fail_events: list[tuple[float, float]] = []
        resid_events: list[tuple[bool, float, float, float]] = []
        for a in attempts:
            if not a.counted:
                continue  # e.g. a missing API key: says nothing about the model
            est = ests.get(a.model)
            if est is None:
                est = ests[a.model] = self.estimate(a.model, path)
            raw = self._raw_estimate(a.model, path, None, 1.0)
            passed = (a.score >= 1.0) if a.score is not None else a.verdict == "pass"
            predicted = None
            if failed_bm:
                predicted = self._conditional_q(a.model, est, path, tuple(sorted(set(failed_bm))))
            events.append((a.model, a.cost_usd, raw.prior_cost, predicted, passed))
            p_pass = raw.prior_pass
            p_score = p_pass + (1.0 - p_pass) * raw.prior_fail_score
            score = a.score if a.score is not None else (1.0 if passed else 0.0)
            resid_events.append((passed, score, p_pass, p_score))
            if not passed:
                fail_events.append((a.score if a.score is not None else 0.0, raw.fail_score))
            bm = self._prior_model(a.model)
            if a.verdict == "fail" and bm is not None:
                failed_bm.append(bm)
        cal = self.calibration
        for _m, cost, expected, predicted, passed in events:
            cal.add_call(doms, cost, expected)
            if predicted is not None:
                cal.add_after_fail(doms, passed, predicted)
        for score, expected in fail_events:
            cal.add_failure(doms, score, expected)
        for passed, score, p_pass, p_score in resid_events:
            cal.add_residual(doms, passed, score, p_pass, p_score)

    def _conditional_q(
        self, name: str, est: Estimate, path: Sequence[Group], failed_bm: tuple[str, ...]
    ) -> float:
        """P(pass) of ``name`` given that the benchmark models ``failed_bm`` failed on the
        task (exact verdicts), before any domain correction."""
        cond = self._conditional(path, failed_bm)
        bm = self._prior_model(name)
        p = est.pass_rate
        if cond is not None and bm is not None and bm in cond.models and est.prior_pass > 0:
            p *= cond.models[bm][0] / est.prior_pass
        return min(max(p, 0.0), 1.0)

    def set_team_priors(self, priors: Sequence[TeamPrior]) -> None:
        """A team's shared outcomes (``teamPriors`` files), replacing any earlier ones: per
        (model, kind), between the benchmark prior and the user's own outcomes."""
        with self._lock:
            self.stats.clear_team()
            for t in priors:
                if t.model in self.specs and t.n > 0:
                    self.stats.add_team_sums(
                        t.model, t.kind, t.n, t.score_sum, t.passes, t.cost_usd_sum, t.cost_n
                    )
            self._version += 1

    def reset_online(self) -> None:
        """Forget everything learned online (the priors stay)."""
        with self._lock:
            self.stats.clear_online()
            self.retrieval.clear()
            self.calibration.clear()
            self.flips = self.flip_n = 0.0
            self._version += 1


def task_features(task: Task) -> tuple[int, ...]:
    """Hashed features of a task for retrieval (empty for benchmark tasks without text)."""
    if not task.text:
        return ()
    return text_features(task.text, task.language, task.meta)


def _clip(x: float) -> float:
    return 0.0 if x < 0.0 else min(x, 1.0)


def _beta_sample(rng: random.Random, mean: float, n: float) -> float:
    a = max(mean * n, 1e-3)
    b = max((1.0 - mean) * n, 1e-3)
    x = rng.betavariate(a, b)
    return x if math.isfinite(x) else mean
