"""Hierarchical statistics: priors, shrinkage, caps, online updates (hand-computed)."""

from __future__ import annotations

import pytest
from acrouter.policy.features import ALL
from acrouter.policy.stats import HierStats

KIND = ("kind", "bug_fixing")
SRC = ("source", "dim3_debugbench")


def est(stats: HierStats, path, model: str = "m", prior_model: str | None = "m", **kw):
    kw.setdefault("base_score", 0.5)
    kw.setdefault("base_pass", 0.5)
    kw.setdefault("base_cost", None)
    return stats.estimate(model, path, prior_model=prior_model, **kw)


def test_shrinkage_along_the_path_by_hand():
    s = HierStats(shrink=2.0, prior_cap=1000.0)
    for score in (1.0, 0.0, 1.0, 1.0):
        s.add_prior("m", [ALL], score, 0.01)
    for score in (0.0, 0.0):
        s.add_prior("m", [KIND], score, 0.03)
    e = est(s, [ALL, KIND])
    # all:  (3 + 2*0.5) / (4 + 2) = 2/3 ; kind: (0 + 2*(2/3)) / (2 + 2) = 1/3
    assert e.score == pytest.approx(1 / 3)
    # passes follow the same chain (scores are 0/1 here)
    assert e.pass_rate == pytest.approx(1 / 3)
    # cost: all = 0.04/4 = 0.01 (first known cost), kind = (0.06 + 2*0.01) / (2+2) = 0.02
    assert e.cost == pytest.approx(0.02)
    assert e.n_prior == 2 and e.level == "kind"
    assert e.prior_group == KIND and e.prior_score == 0.0


def test_failing_score_is_the_mean_score_of_non_passing_attempts():
    s = HierStats(shrink=1.0, prior_cap=1000.0)
    for score in (1.0, 0.4, 0.6, 0.2):
        s.add_prior("m", [ALL], score, None)
    e = est(s, [ALL], base_score=0.5, base_pass=0.5)
    # base fail score = (0.5 - 0.5) / (1 - 0.5) = 0 ; fails: 0.4+0.6+0.2 = 1.2 over 3
    assert e.fail_score == pytest.approx((1.2 + 1 * 0.0) / (3 + 1))


def test_prior_counts_are_capped_per_group():
    s = HierStats(shrink=2.0, prior_cap=2.0)
    for _ in range(10):
        s.add_prior("m", [ALL], 1.0, None)
    e = est(s, [ALL])
    # 10 tasks count as 2: (2*1 + 2*0.5) / (2 + 2)
    assert e.score == pytest.approx(0.75)
    assert e.n_prior == 2


def test_online_observations_add_to_the_prior_and_workspace_shrinks_less():
    s = HierStats(shrink=4.0, prior_cap=1000.0, level_shrink={"workspace": 1.0})
    for _ in range(4):
        s.add_prior("m", [ALL], 1.0, None)
    ws = ("workspace", "w1:bug_fixing")
    s.add_online("m", [ALL, ws], 0.0, False, 0.002)
    s.add_online("m", [ALL, ws], 0.0, False, 0.002)
    e = est(s, [ALL, ws])
    all_score = (4 + 0 + 4 * 0.5) / (4 + 2 + 4)  # prior 4 passes + 2 observed fails
    assert e.score == pytest.approx((0.0 + 1.0 * all_score) / (2 + 1.0))
    assert e.n_online == 2 and e.online_passes == 0
    assert e.online_group == ws


def test_a_model_without_prior_starts_neutral_and_unknown_price_stays_unknown():
    s = HierStats(shrink=8.0)
    s.add_prior("other", [ALL, KIND], 1.0, 0.01)
    e = est(s, [ALL, KIND], model="mine", prior_model=None, base_score=0.5, base_pass=0.3)
    assert e.score == 0.5 and e.pass_rate == 0.3
    assert e.cost is None
    assert e.n_prior == 0


def test_uncertainty_is_that_of_the_first_level_without_prior():
    s = HierStats(shrink=8.0, prior_cap=400.0)
    for _ in range(1000):
        s.add_prior("m", [ALL], 1.0, None)
    # kind has no prior (a held-out dimension): evidence there is what counts
    e = est(s, [ALL, KIND, SRC])
    assert e.n_eff == 8.0
    s.add_online("m", [ALL, KIND, SRC], 1.0, True, None)
    s.add_online("m", [ALL, KIND, SRC], 1.0, True, None)
    assert est(s, [ALL, KIND, SRC]).n_eff == 10.0
    # with prior at every level, the capped prior count makes it certain
    s.add_prior("m", [KIND, SRC], 1.0, None)
    assert est(s, [ALL, KIND, SRC]).n_eff == 1 + 2 + 8
    # an empty workspace level does not make a known kind uncertain
    s2 = HierStats(shrink=8.0, prior_cap=400.0)
    for _ in range(50):
        s2.add_prior("m", [ALL, KIND], 1.0, None)
    ws = ("workspace", "w:bug_fixing")
    assert est(s2, [ALL, KIND, ws]).n_eff == 58.0
    # nor do a few outcomes observed in it (they move the mean, not the uncertainty)
    s2.add_online("m", [ALL, KIND, ws], 0.0, False, None)
    assert est(s2, [ALL, KIND, ws]).n_eff == 59.0


def test_online_memory_is_bounded_by_groups_and_clear_forgets():
    s = HierStats(max_online_groups=3)
    for i in range(10):
        s.add_online("m", [ALL, ("workspace", f"w{i}")], 1.0, True, None)
    assert len(s.online) == 3
    assert ALL in s.online  # updated every time: never the least recent
    assert ("workspace", "w9") in s.online and ("workspace", "w0") not in s.online
    s.clear_online()
    assert not s.online


def test_aggregate_sums_count_like_outcomes():
    a, b = HierStats(), HierStats()
    for score in (1.0, 0.5, 0.0):
        a.add_online("m", [ALL], score, score >= 1, 0.01)
    b.add_online_sums("m", ALL, 3, 1.5, 1, 0.03)
    ea, eb = est(a, [ALL], prior_model=None), est(b, [ALL], prior_model=None)
    assert ea.score == pytest.approx(eb.score)
    assert ea.pass_rate == pytest.approx(eb.pass_rate)
    assert ea.cost == pytest.approx(eb.cost)
