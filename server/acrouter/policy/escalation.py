"""Verify and escalate: which model to call next after failures, and when to stop.

The next model is the one with the highest reservation value (:mod:`.reservation`)
among those whose expected gain exceeds their cost.  Pass rates are conditioned on the
models that already failed on this task, from the joint benchmark outcomes
(:mod:`.joint`), weighted by the chance that those fail verdicts were true (a fail
verdict of a model that nearly always passes is often a flipped pass under a noisy
verifier), and multiplied by how far passes after a failure beat that prediction in the
task's domain (:mod:`.calibration`).  A call costs its money (cost weight x USD) and the
user's time: a share that grows with the size of the call (its price is the proxy for its
tokens) up to a cap, plus a small fixed overhead (:meth:`Escalation.call_cost`).  Without
it a cost weight of 0.1 buys a 1% chance of a pass with a $0.10 call, every time.

Only judged, counted failures condition the choice: a set-up failure (an unreachable
gateway, a missing key, tests failing without the edit) says nothing about which models
fail the task.  When no call is worth making, the loop stops and accepts the
best-verified attempt (:meth:`Escalation.accept`).
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence

import attrs

from ..domain import Attempt, Decision
from ..explain import fmt_usd
from .estimator import Estimator, TaskContext, beta_sample, clip01
from .features import Group
from .joint import CondEstimate
from .params import PolicyParams
from .reservation import Option
from .shrinkage import Estimate
from .why import candidate

#: (expected gain, ranking index, option, estimate) of one remaining model
Scored = tuple[float, float, Option, Estimate]


@attrs.frozen
class Failures:
    """What the failed attempts of a task say about the models left."""

    informative: tuple[Attempt, ...]  # judged, counted fail verdicts
    failed_bm: tuple[str, ...]  # their benchmark models
    cond: CondEstimate | None  # the joint outcomes given that those failed


class Escalation:
    """Chooses the next call of the verify-and-escalate loop."""

    def __init__(self, est: Estimator, params: PolicyParams, cost_weight: float) -> None:
        self.est = est
        self.params = params
        self.cost_weight = cost_weight

    def call_cost(self, cost_usd: float | None) -> float:
        """What one more call in the escalation loop costs, in score points: its money
        (cost weight x USD) plus the user's time, which grows with the size of the call
        (its price stands in for its tokens) up to a cap, plus a fixed overhead."""
        usd = cost_usd or 0.0
        pp = self.params
        time = min(pp.time_weight * usd, pp.time_cap)
        return self.cost_weight * usd + time + pp.call_penalty

    def failures(self, path: Sequence[Group], tried: Sequence[Attempt]) -> Failures:
        # only failures the tests judged say which models fail this task (not a set-up
        # failure, not a reply without a usable edit: that says nothing about the task)
        informative = tuple(a for a in tried if a.verdict == "fail" and a.counted and a.tested)
        prior = self.est.prior_model
        failed_bm = tuple(sorted({bm for a in informative if (bm := prior(a.model)) is not None}))
        return Failures(informative, failed_bm, self.est.conditional(path, failed_bm))

    # ------------------------------------------------------------ the decision
    def decide(
        self,
        remaining: Sequence[str],
        tried: Sequence[Attempt],
        ests: Mapping[str, Estimate],
        ctx: TaskContext,
        *,
        eps: float,
        budget: int,
        rng: random.Random | None,
    ) -> Decision:
        """The next model to call (None: stop), ranked candidates and the reason.

        ``eps``: the estimated verifier noise; ``budget``: calls allowed per task;
        ``rng``: posterior sampling of pass rates where evidence is thin (None: off)."""
        fl = self.failures(ctx.path, tried)
        # what stopping now is worth: the best-verified attempt so far
        accept, best_now, p_have_pass = self.accept(ctx.path, tried, ests, fl.cond, eps)
        w_fail = 1.0 - p_have_pass if self.params.soft_condition else 1.0
        options = self._options(remaining, tried, ests, ctx, fl, eps, best_now, w_fail, rng)
        calls_left = budget - len(tried)
        scored: list[Scored] = []
        for opt, est in options:
            gain = opt.gain(best_now, eps, p_have_pass)
            index = gain if calls_left <= 1 else opt.reservation(eps)
            scored.append((gain, index, opt, est))
        worth = [s for s in scored if s[0] > 0.0]
        chosen: Scored | None
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
            candidate(
                self.est.prior_model(s[2].model),
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
        reason = self._reason(chosen, tried, ests, fl, w_fail, eps)
        return Decision(chosen[2].model, cands, reason, accept=accept)

    def _options(
        self,
        remaining: Sequence[str],
        tried: Sequence[Attempt],
        ests: Mapping[str, Estimate],
        ctx: TaskContext,
        fl: Failures,
        eps: float,
        best_now: float,
        w_fail: float,
        rng: random.Random | None,
    ) -> list[tuple[Option, Estimate]]:
        """Each remaining model as a box to open: P(pass | the failures so far), its
        failing score, the best failing score with it, its cost and its risk."""
        pp = self.params
        cond, failed_bm = fl.cond, fl.failed_bm
        future = cond.oracle if cond is not None else 1.0
        lifts: list[float] = []
        if cond is not None and failed_bm:
            for m in remaining:
                bm = self.est.prior_model(m)
                est = ests[m]
                if bm is not None and bm in cond.models and est.prior_pass > 0:
                    lifts.append(cond.models[bm][0] / est.prior_pass)
        avg_lift = sum(lifts) / len(lifts) if lifts else (0.5 if fl.informative else 1.0)
        # how far passes after a failure in this domain beat the prediction (learned)
        fits = list(ctx.fits.values())
        af = fits[-1].after_fail if fits and fl.informative else 1.0
        options: list[tuple[Option, Estimate]] = []
        for m in remaining:
            est = ests[m]
            p = est.pass_rate
            if rng is not None and est.n_eff < pp.explore_max_n:
                p = beta_sample(rng, p, est.n_eff * pp.explore_concentration)
            bm = self.est.prior_model(m)
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
            q = min(max(q, pp.min_q), 1.0 - pp.min_q)
            own = clip01(own)
            risk = pp.risk_scale * (1.0 - q) * eps * max(0.0, future - own)
            options.append((Option(m, q, own, clip01(fmax), self.call_cost(est.cost), risk), est))
        return options

    def _reason(
        self,
        chosen: Scored,
        tried: Sequence[Attempt],
        ests: Mapping[str, Estimate],
        fl: Failures,
        w_fail: float,
        eps: float,
    ) -> str:
        gain, _, opt, _ = chosen
        if not tried:
            # (a kind the benchmark scores by partial credit, code understanding: hardly a
            # pass, but a score; "P(pass) 0.00" alone reads as a choice that cannot work)
            partial = (
                f", expected score {opt.q + (1.0 - opt.q) * opt.fail_score:.2f} (partial credit)"
                if opt.q < 0.05 and opt.fail_score >= 0.05
                else ""
            )
            return (
                f"chose {opt.model}: P(pass) {opt.q:.2f}{partial} for "
                f"{fmt_usd(ests[opt.model].cost, unknown='unknown')} "
                f"(best reservation value; escalates on failure)"
            )
        reason = (
            f"escalated to {opt.model}: P(pass | earlier failed) {opt.q:.2f}, "
            f"expected gain {gain:+.3f} after cost"
        )
        if fl.informative and w_fail < 0.9:
            reason += (
                f" (P(the fail verdicts so far were all right) {w_fail:.2f}, with an "
                f"estimated verifier error rate of {eps:.1%})"
            )
        return reason

    # ------------------------------------------------------------ stopping
    def accept(
        self,
        path: Sequence[Group],
        tried: Sequence[Attempt],
        ests: Mapping[str, Estimate],
        cond: CondEstimate | None,
        eps: float,
    ) -> tuple[str | None, float, float]:
        """If stopping now: the attempt to accept, the expected best failing score (all
        attempts truly failed), and the probability that some attempt truly passed
        although its verdict said fail (verifier noise)."""
        if not tried:
            return None, 0.0, 0.0
        for a in tried:
            if a.verdict == "pass":
                return a.model, 1.0, 0.0
        best_name: str | None = None
        best_val = -1.0
        best_fail = 0.0
        no_pass = 1.0
        before: list[str] = []  # benchmark models that failed before this attempt
        for a in tried:
            est = ests.get(a.model)
            bm = self.est.prior_model(a.model)
            if not a.tested or not a.counted or est is None:
                continue  # no edit the tests judged: nothing to accept, no hidden pass
            q = est.pass_rate
            if before and bm is not None:
                c = self.est.conditional(path, tuple(sorted(set(before))))
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
            if self.est.domains(path):
                # in a domain the benchmark does not know, its best failing score moves
                # as far as the failed models' failing scores moved there
                shifts = [
                    e.fail_score - e.prior_fail_score
                    for a in tried
                    if (e := ests.get(a.model)) is not None and a.verdict != "error"
                ]
                shift = sum(shifts) / len(shifts) if shifts else 0.0
            best_fail = max(best_fail, clip01(cond.best + shift))
        return best_name, best_fail, 1.0 - no_pass
