"""Joint conditional outcomes, reservation values and escalation decisions."""

from __future__ import annotations

import attrs
import pytest
from acrouter.domain import Attempt, ModelSpec, Task
from acrouter.policy import DEFAULT_PARAMS, make_policy
from acrouter.policy.joint import GroupJoint
from acrouter.policy.reservation import Option, reservation_value

from .helpers import make_dataset

MODELS = ("a", "b", "c")


def test_joint_conditional_counts_by_hand():
    rows = [
        # a     b     c
        (1.0, 0.0, 1.0),
        (0.0, 1.0, 0.0),
        (0.0, 0.0, 0.5),
        (0.0, 0.3, 0.0),
    ]
    j = GroupJoint.build(MODELS, rows)
    c = j.cond(())
    assert c.n == 4 and c.best == 0.0
    assert c.models["a"].k == 1 and c.models["b"].k == 1 and c.models["c"].k == 1
    assert c.oracle == pytest.approx(1.0 + 1.0 + 0.5 + 0.3)
    f = j.cond(("a",))  # tasks 2, 3, 4
    assert f.n == 3
    assert f.models["b"].k == 1 and f.models["b"].nf == 2
    assert f.models["c"].k == 0 and f.models["c"].nf == 3
    assert f.models["c"].own == pytest.approx(0.5)  # c's scores on a's failures: 0, .5, 0
    assert f.best == pytest.approx(0.0)  # a scored 0 on all of them
    ab = j.cond(("a", "b"))  # tasks 3, 4
    assert ab.n == 2 and ab.best == pytest.approx(0.3)
    # max(best of a and b, c) over tasks 3, 4 = 0.5 + 0.3
    assert ab.models["c"].fmax == pytest.approx(0.8)
    assert j.cond(("a", "b")) is ab  # cached


def test_reservation_value_by_hand():
    # X = 1 w.p. 0.5 else 0; cost 0.1: 0.5 (1 - s) = 0.1 -> s = 0.8
    assert reservation_value([(1.0, 0.5), (0.0, 0.5)], 0.1) == pytest.approx(0.8)
    # a cost above what the upper value alone can repay: below every value, E[X] - s = cost
    assert reservation_value([(1.0, 0.5), (0.6, 0.5)], 0.4) == pytest.approx(0.8 - 0.4)
    cheap = Option("cheap", q=0.5, fail_score=0.0, fail_max=0.0, cost=0.01)
    dear = Option("dear", q=0.6, fail_score=0.0, fail_max=0.0, cost=0.2)
    assert cheap.reservation(0.0) > dear.reservation(0.0)  # try the cheap box first
    # but under noisy verdicts a false pass forfeits the future: risk favours reliable passes
    risky = Option("risky", q=0.2, fail_score=0.0, fail_max=0.0, cost=0.001, risk=0.08)
    sure = Option("sure", q=0.9, fail_score=0.0, fail_max=0.0, cost=0.01, risk=0.01)
    assert sure.reservation(0.1) > risky.reservation(0.1)


def test_gain_counts_false_passes_and_hidden_passes():
    o = Option("m", q=0.5, fail_score=0.2, fail_max=0.4, cost=0.05)
    assert o.value(0.0) == pytest.approx(0.5 + 0.5 * 0.4)
    assert o.gain(0.3, 0.0, 0.0) == pytest.approx(0.7 - 0.3 - 0.05)
    # noise: 10% of failures are reported as passes and end the loop with 0.2
    assert o.value(0.1) == pytest.approx(0.5 + 0.05 * 0.2 + 0.45 * 0.4)
    # an earlier attempt may have truly passed: more calls can only lose it
    assert o.gain(0.3, 0.1, 1.0) == pytest.approx(-0.05 * 0.8 - 0.05)


# --------------------------------------------------------------------------- policy decisions


def policy_for(rows, costs=None, cost_weight=0.1, time=0.0, explore=False, budget=3, penalty=0.0):
    data = make_dataset(rows, MODELS, costs=costs)
    specs = [ModelSpec(m, "x/" + m, benchmark_model=m) for m in MODELS]
    params = attrs.evolve(DEFAULT_PARAMS, explore=explore, time_weight=time, call_penalty=penalty)
    pol = make_policy(data, specs, cost_weight=cost_weight, params=params)
    pol.configure_budget(budget)
    return pol


def rows_for(pattern, n=40, source="dim1_x"):
    return [(f"{source}_{i}", "code_generation", pattern(i)) for i in range(n)]


def task(i=999, source="dim1_x"):
    return Task(f"{source}_{i}", "code_generation", meta={"source": source})


def fail(m):
    return Attempt(m, "fail", 0.001, 0.0)


def test_escalates_when_the_next_model_is_worth_its_cost():
    # a passes half the tasks; b passes exactly the other half
    pol = policy_for(rows_for(lambda i: (1.0, 0.0, 0.0) if i % 2 else (0.0, 1.0, 0.0)))
    d = pol.plan(task(), MODELS, (fail("a"),))
    assert d.model == "b"
    assert "P(pass | earlier failed)" in d.reason
    # conditioning on a's failure: b passed on all of them
    best = d.candidates[0]
    assert best.model == "b" and best.expected_score > 0.95
    assert "P(pass | earlier failed) 1.00" in best.evidence


def test_stops_when_no_gain_exceeds_the_cost():
    # b and c never pass where a failed (and score 0): a ~1% chance (shrinkage) is not
    # worth 0.1 x $0.2
    pattern = lambda i: (1.0, 1.0, 1.0) if i % 2 else (0.0, 0.0, 0.0)
    pol = policy_for(rows_for(pattern), costs={"a": 0.2, "b": 0.2, "c": 0.2})
    d = pol.plan(task(), MODELS, (fail("a"),))
    assert d.model is None
    assert "gain" in d.reason and d.accept == "a"
    assert all(c.expected_score < 0.02 for c in d.candidates)
    # the same chance at a negligible price is worth a call...
    pol_cheap = policy_for(rows_for(pattern), costs={"a": 1e-5, "b": 1e-5, "c": 1e-5})
    assert pol_cheap.plan(task(), MODELS, (fail("a"),)).model in ("b", "c")
    # ...unless each call also costs the user's time
    pol_slow = policy_for(rows_for(pattern), costs={"a": 1e-5, "b": 1e-5, "c": 1e-5}, penalty=0.02)
    assert pol_slow.plan(task(), MODELS, (fail("a"),)).model is None


def test_cost_weight_decides_between_stopping_and_escalating():
    pattern = lambda i: (1.0, 0.0, 0.0) if i % 4 else (0.0, 1.0, 0.0)
    costs = {"a": 0.001, "b": 0.5, "c": 0.5}
    cheap_money = policy_for(rows_for(pattern), costs=costs, cost_weight=0.1)
    assert cheap_money.plan(task(), MODELS, (fail("a"),)).model == "b"  # 0.1*0.5 < P(pass) ~ 1
    dear_money = policy_for(rows_for(pattern), costs=costs, cost_weight=4.0)
    assert dear_money.plan(task(), MODELS, (fail("a"),)).model is None  # 4*0.5 > 1


def test_first_call_prefers_a_cheap_model_that_often_passes_when_escalation_is_allowed():
    # a: passes 80% for $0.001; c: passes 85% for $0.05 (and passes whenever a fails)
    pattern = lambda i: (1.0 if i % 5 else 0.0, 0.0, 1.0 if i % 5 or i % 10 else 0.0)
    costs = {"a": 0.001, "b": 0.001, "c": 0.05}
    pol = policy_for(rows_for(pattern), costs=costs, time=1.0)
    assert pol.plan(task(), MODELS, ()).model == "a"
    pol.configure_budget(1)  # one call only: the best expected reward
    assert pol.plan(task(), MODELS, ()).model == "c"


def test_accepts_the_attempt_most_likely_right_under_noise():
    # a: fractional scores around 0.6 (never passes); b: 0/1
    pol = policy_for(rows_for(lambda i: (0.6, float(i % 2), 0.0)))
    pol.flips, pol.flip_n = 20.0, 100.0  # the verifier was seen to be wrong 20% of the time
    d = pol.plan(task(), (), (fail("b"), fail("a")))
    assert d.model is None
    assert d.accept == "a"  # 0.6 beats b's P(hidden pass) ~ 0.2
    pol.flips = 0.0
    d2 = pol.plan(task(), (), (fail("b"), fail("a")))
    assert d2.accept == "a"
    # with the tests' pass fractions reported, the better attempt wins
    attempts = (
        Attempt("a", "fail", 0.0, 0.0, tests_passed=1, tests_failed=9),
        Attempt("b", "fail", 0.0, 0.0, tests_passed=8, tests_failed=2),
    )
    assert pol.plan(task(), (), attempts).accept == "b"


def test_noise_estimate_comes_from_revealed_scores():
    from acrouter.domain import Outcome

    pol = policy_for(rows_for(lambda i: (1.0, 0.0, 0.0)))
    before = pol.noise
    for i in range(50):
        flipped = i % 5 == 0
        verdict = "fail" if flipped else "pass"
        outcome = Outcome(
            f"t{i}",
            0.0,
            "code_generation",
            (Attempt("a", verdict, 0.001, 0.0, score=1.0),),
            "a",
            not flipped,
        )
        pol.learn(task(i), outcome)
    assert before < 0.01
    assert pol.noise == pytest.approx((10 + 0.1) / (50 + 20))


def _p_pass(decision, model):
    cand = next(c for c in decision.candidates if c.model == model)
    return float(cand.evidence.split("P(pass | earlier failed) ")[1].split(",")[0])


def test_a_fail_verdict_conditions_the_next_pass_rate_only_as_far_as_it_is_believed():
    # a passes 90% of the tasks; b passes all the others but half of those a failed
    pattern = lambda i: (0.0, 1.0 if i % 20 else 0.0, 0.0) if i % 10 == 0 else (1.0, 1.0, 0.0)
    pol = policy_for(rows_for(pattern))
    exact = pol.plan(task(), MODELS, (fail("a"),))
    # an honest verifier: b's rate given that a truly failed (2 of 4 tasks, shrunk)
    p_exact = _p_pass(exact, "b")
    assert p_exact < 0.75
    # a noisy verifier: a's fail verdict is often a flipped pass (a passes 90%), so b's
    # rate moves back toward its rate on all tasks (~0.95): P(a's pass was flipped)
    # = 0.17 x 0.9 / (0.17 x 0.9 + 0.83 x 0.1) ~ 0.64
    pol.flips, pol.flip_n = 20.0, 100.0
    noisy = pol.plan(task(), MODELS, (fail("a"),))
    p_noisy = _p_pass(noisy, "b")
    assert p_exact + 0.15 < p_noisy < 0.95
    # ...and the why says so
    assert "were all right) 0.3" in noisy.reason and "error rate of 16.8%" in noisy.reason, (
        noisy.reason
    )
    assert "all right" not in exact.reason


def test_a_fail_the_verifier_blames_on_the_set_up_does_not_condition_the_next_model():
    # b passes exactly where a fails: a judged fail of a says b will pass
    pol = policy_for(rows_for(lambda i: (1.0, 0.0, 0.0) if i % 2 else (0.0, 1.0, 0.0)))
    judged = pol.plan(task(), MODELS, (fail("a"),))
    assert "P(pass | earlier failed) 1.00" in judged.candidates[0].evidence
    # the same fail, but the tests also fail without the edit: no evidence about a, so b
    # keeps its unconditional chance, as after a set-up error
    setup_fail = Attempt("a", "fail", 0.001, 0.0, "the tests fail without the edit", counted=False)
    setup_error = Attempt(
        "a", "error", 0.0, 0.0, "auth: the gateway rejected the key", counted=False
    )
    after_fail = pol.plan(task(), MODELS, (setup_fail,))
    after_error = pol.plan(task(), MODELS, (setup_error,))
    assert [(c.model, c.expected_score) for c in after_fail.candidates] == [
        (c.model, c.expected_score) for c in after_error.candidates
    ]
    assert _p_pass(after_fail, "b") < 0.6  # b's rate on all tasks (0.5), not 1.00


def test_a_reply_without_a_usable_edit_does_not_condition_the_next_model():
    # b passes exactly where a fails: a fail the tests judged says b will pass
    pol = policy_for(rows_for(lambda i: (1.0, 0.0, 0.0) if i % 2 else (0.0, 1.0, 0.0)))
    judged = pol.plan(task(), MODELS, (fail("a"),))
    assert _p_pass(judged, "b") > 0.95
    # a's reply had no usable edit (it would have dropped code): nothing was tested, so
    # nothing is known about how hard the task is; it still counts against a
    unusable = Attempt("a", "fail", 0.001, 0.0, "unusable reply: the edit would delete 2 top-level")
    assert unusable.counted and not unusable.tested and fail("a").tested
    after = pol.plan(task(), MODELS, (unusable,))
    assert _p_pass(after, "b") < 0.6  # b's rate on all tasks (0.5), not conditioned on a
    assert after.model == "b"  # and it escalates: there is no edit to accept


def test_a_first_choice_on_partial_credit_states_its_expected_score():
    """Code understanding is scored by partial credit: hardly any task passes, so the
    first call's P(pass) is 0.00 and the why read as a choice that cannot work; it now
    states the score the choice expects too."""
    partial = policy_for(rows_for(lambda i: (0.4, 0.2, 0.1)))
    reason = partial.plan(task(), MODELS, ()).reason
    assert reason.startswith("chose a: P(pass) 0.00, expected score 0.4"), reason
    assert "(partial credit)" in reason
    # where models pass, P(pass) says it
    passing = policy_for(rows_for(lambda i: (1.0, 0.0, 0.0)))
    reason = passing.plan(task(), MODELS, ()).reason
    assert reason.startswith("chose a: P(pass) 1.00 for") and "partial" not in reason, reason
