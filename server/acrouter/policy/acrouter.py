"""The ACRouter policy: hierarchical priors + online learning + cost-aware escalation.

One implementation serves ``acrouter serve``, ``acrouter complete`` and
``acrouter bench``.  It only ever sees the task's metadata and the outcomes of the
calls that were made (through ``learn``): bandit feedback by construction.

How a decision is made
----------------------
1. *Estimates* per model (:mod:`.stats`): expected score, pass rate, failing score and
   cost, shrunk along the task's groups (all > kind > source > id shape > workspace),
   mixing the benchmark prior with what was observed; plus a correction from similar
   past requests when the task has text (:mod:`.retrieval`); all in :mod:`.estimator`,
   and where each estimate comes from, in words, in :mod:`.why`.
2. *One call per task* (``configure_budget(1)``): the model with the best expected
   reward = score - cost_weight x cost.  Where the evidence is thin (a kind or group
   without prior) the expected score is a Thompson sample of its posterior, so the
   policy explores exactly where it is uncertain and nowhere else (or, with
   ``explore_index="gittins"``, its Gittins index, :mod:`.gittins`: no draws).
3. *Verify and escalate*: the next model is the one with the highest reservation value
   (:mod:`.reservation`, the loop: :mod:`.escalation`) among those whose expected gain exceeds their cost; pass rates
   are conditioned on the models that already failed on this task, from the joint
   benchmark outcomes (:mod:`.joint`), weighted by the chance that those fail verdicts
   were true (a fail verdict of a model that nearly always passes is often a flipped
   pass under a noisy verifier); the estimated verifier noise discounts verdicts.
   A call in the loop costs its money and the user's time
   (:meth:`.escalation.Escalation.call_cost`).
   The loop takes no posterior samples: a failure already calls the next model, so the
   loop explores by itself, and sampling there only added calls.
4. *A new domain* (:mod:`.calibration`): where the benchmark knows nothing (a new source
   or kind, the user's workspace) the policy learns from its first calls there a cost
   scale shared by all models, so a model never called there is not priced at benchmark
   prices; how far outcomes stray from what the priors predict (their weight there is
   divided by that dispersion, and what they lose goes to the domain's pooled means);
   and how often a call after a failure passes against what the joint benchmark
   outcomes predicted.  Every new domain sits under one group of work the benchmark
   does not describe (:data:`.estimator.NOVEL`), so a second new source starts from what
   the first taught.  The why says when and why it stopped trusting the priors
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
    Decision,
    ModelSpec,
    Outcome,
    Task,
    TeamPrior,
)
from . import gittins, ids
from .escalation import Escalation
from .estimator import Estimator, TaskContext, beta_sample
from .features import ALL, Group, task_path, text_features
from .joint import GroupJoint
from .params import DEFAULT_PARAMS, PolicyParams
from .retrieval import RetrievalMemory
from .shrinkage import Estimate
from .stats import HierStats
from .why import candidate

__all__ = ["ACRouterPolicy", "task_path"]


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
        self.est = Estimator(
            self.specs, stats, params, joints=joints, aliases=aliases, cost_scale=cost_scale
        )
        self.escalation = Escalation(self.est, params, cost_weight)
        self.retrieval = RetrievalMemory(params.retrieval_capacity)
        self.budget = 1
        self.flips = 0.0
        self.flip_n = 0.0
        self._ctx: tuple[tuple[str, int], TaskContext] | None = None
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

    # ------------------------------------------------------------ task context
    def _path(self, kind: str, task_id: str, meta: Mapping[str, object]) -> list[Group]:
        return self.est.path(kind, task_id, meta)

    def _context(self, task: Task) -> TaskContext:
        key = (task.task_id, self.est.version)
        cached = self._ctx
        if cached is not None and cached[0] == key:
            return cached[1]
        path = tuple(self._path(task.kind, task.task_id, task.meta))
        feats = task_features(task)
        corr = self.retrieval.query(feats) if feats else {}
        ctx = TaskContext(path, feats, corr, self.est.domain_fits(path))
        self._ctx = (key, ctx)
        return ctx

    def estimate(self, name: str, path: Sequence[Group]) -> Estimate:
        """Model ``name``'s estimates on a task with groups ``path`` (domains applied)."""
        return self.est.estimate(name, path)

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
        ests = self.est.estimates(list(dict.fromkeys([*remaining, *tried_names])), ctx)
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
        self, task: Task, models: Sequence[str], ests: Mapping[str, Estimate], ctx: TaskContext
    ) -> Decision:
        """One call: the best expected reward (a posterior sample where evidence is thin)."""
        cw = self.cost_weight
        pp = self.params
        gittins_index = pp.explore and pp.explore_index == "gittins"
        thompson = pp.explore and pp.explore_index == "thompson"
        rng = self._rng(task.task_id, 0) if thompson else None
        directed = None  # the model information-directed sampling chose
        if pp.explore and pp.explore_index == "ids":
            k = ids.choose(
                [ests[m] for m in models],
                [cw * (ests[m].cost or 0.0) for m in models],
                pp.explore_concentration,
                pp.explore_max_n,
                self._rng(task.task_id, 0),
            )
            directed = None if k is None else models[k]
        ranked = []
        for m in models:
            est = ests[m]
            score = est.score
            if gittins_index and est.n_eff < pp.explore_max_n:
                score = gittins.index(
                    est.score, est.n_eff * pp.explore_concentration, pp.explore_discount
                )
            elif rng is not None and est.n_eff < pp.explore_max_n:
                score = beta_sample(rng, est.score, est.n_eff * pp.explore_concentration)
            value = score - cw * (est.cost or 0.0)
            expected = est.score - cw * (est.cost or 0.0)
            if directed is not None:
                value = math.inf if m == directed else expected
            cand = candidate(self.est.prior_model(m), m, est, est.score, expected, ctx)
            ranked.append((value, -(est.cost or 0.0), cand))
        ranked.sort(key=lambda x: (-x[0], -x[1]))
        cands = tuple(r[2] for r in ranked)
        best = cands[0]
        reason = f"chose {best.model}: highest expected value {best.expected_reward:.3f}"
        if directed is not None:
            if best.expected_reward < max(c.expected_reward for c in cands):
                reason = (
                    f"chose {best.model}: information-directed sampling, its expected value"
                    f" {best.expected_reward:.3f} plus what a call would teach about which"
                    " model is best (thin evidence, exploring)"
                )
        elif ranked[0][0] != best.expected_reward:
            if gittins_index:
                reason = (
                    f"chose {best.model}: highest Gittins index {ranked[0][0]:.3f}, its expected"
                    f" value {best.expected_reward:.3f} plus what a call would teach (thin"
                    " evidence, exploring)"
                )
            else:
                reason = f"chose {best.model}: best posterior sample (thin evidence, exploring)"
        if len(cands) > 1:
            reason += f" (next: {cands[1].model} {cands[1].expected_reward:.3f})"
        return Decision(best.model, cands, reason)

    def _escalate(
        self,
        task: Task,
        remaining: Sequence[str],
        tried: Sequence[Attempt],
        ests: Mapping[str, Estimate],
        ctx: TaskContext,
    ) -> Decision:
        sample = self.params.explore and self.params.explore_escalation
        return self.escalation.decide(
            remaining,
            tried,
            ests,
            ctx,
            eps=self.noise,
            budget=self.budget,
            rng=self._rng(task.task_id, len(tried)) if sample else None,
        )

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
                    agg.model, g, agg.n, agg.score_sum, agg.passes, agg.cost_usd_sum, agg.cost_n
                )
            self.est.changed()

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
            self.est.learn_domains(path, attempts)
        if features and observed:
            residuals = {}
            for m, score, passed, _ in observed:
                est = self.est.estimate(m, path)
                residuals[m] = (score - est.score, (1.0 if passed else 0.0) - est.pass_rate)
            self.retrieval.add(features, residuals)
        for m, score, passed, cost in observed:
            self.stats.add_online(m, path, score, passed, cost)
        self.est.changed()

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
            self.est.changed()

    def reset_online(self) -> None:
        """Forget everything learned online (the priors stay)."""
        with self._lock:
            self.est.reset_online()
            self.retrieval.clear()
            self.flips = self.flip_n = 0.0


def task_features(task: Task) -> tuple[int, ...]:
    """Hashed features of a task for retrieval (empty for benchmark tasks without text)."""
    if not task.text:
        return ()
    return text_features(task.text, task.language, task.meta)
