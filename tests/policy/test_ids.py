"""Information-directed sampling (:mod:`acrouter.policy.ids`) and the one-call choice
that uses it (``explore_index="ids"``, measured in docs/adaptation.md, not the default)."""

from __future__ import annotations

import random
from collections import Counter

import attrs
from acrouter.policy import DEFAULT_PARAMS, ids
from acrouter.policy.shrinkage import Estimate

from .helpers import held_out_single_calls

MAX_N = 20.0


def est(score: float, n: float) -> Estimate:
    return Estimate(
        score=score,
        pass_rate=score,
        fail_score=0.0,
        cost=0.0,
        n_prior=n,
        n_online=0.0,
        n_eff=n,
        level="test",
        prior_pass=score,
        prior_fail_score=0.0,
    )


def picks(ests: list[Estimate], costs: list[float] | None = None, runs: int = 200) -> Counter:
    costs = costs or [0.0] * len(ests)
    return Counter(ids.choose(ests, costs, 1.0, MAX_N, random.Random(seed)) for seed in range(runs))


def test_nothing_uncertain_is_no_choice():
    assert (
        ids.choose([est(0.5, 100.0), est(0.7, 50.0)], [0.0, 0.0], 1.0, MAX_N, random.Random(0))
        is None
    )


def test_a_model_that_cannot_be_the_best_is_not_called():
    """A leader known at 0.9 and a model at 0.05 on 15 calls' evidence, whose draws
    almost never reach 0.9: nothing it could teach pays for its regret."""
    got = picks([est(0.9, 100.0), est(0.05, 15.0)])
    assert got[0] >= 195


def test_a_model_that_may_be_the_best_is_tried():
    """The same leader against a model at 0.8 on one call's evidence: it may well be the
    better one, and a call tells: it is called on a good share of the draws."""
    got = picks([est(0.9, 100.0), est(0.8, 1.0)])
    assert 20 <= got[1] <= 200


def test_its_cost_counts():
    """The same uncertain model, priced at half a task's worth: not worth trying."""
    cheap = picks([est(0.9, 100.0), est(0.8, 1.0)])
    dear = picks([est(0.9, 100.0), est(0.8, 1.0)], costs=[0.0, 0.5])
    assert dear[1] < cheap[1]
    assert dear[1] <= 5


def test_a_choice_is_the_same_for_the_same_draw():
    ests = [est(0.5, 1.0), est(0.5, 1.0), est(0.5, 1.0)]  # alike: any may be called
    first = [ids.choose(ests, [0.0] * 3, 1.0, MAX_N, random.Random(s)) for s in range(20)]
    again = [ids.choose(ests, [0.0] * 3, 1.0, MAX_N, random.Random(s)) for s in range(20)]
    assert first == again
    assert len(set(first)) > 1


def test_the_choice_in_the_orchestrator_explores_and_says_why():
    """Through the production Orchestrator on a held-out kind: the calls depend on the
    seed only through the draws, more than one model is tried, and a choice that is not
    the best expected value says it is information-directed."""
    params = attrs.evolve(DEFAULT_PARAMS, explore_index="ids")

    def run(seed):
        return held_out_single_calls(params, seed)

    calls, reasons = run(0)
    assert run(0)[0] == calls
    assert len(set(calls)) > 1
    assert any("information-directed sampling" in r for r in reasons)
