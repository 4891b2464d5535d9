"""A new domain (an editor workspace, a source the benchmark never saw): the policy learns
its cost scale, pass-after-failure rate and failing scores from its first calls there, and
says so in the why."""

from __future__ import annotations

import math
from pathlib import Path

import attrs
import pytest
from acrouter.app import EditorApp, PriorStore
from acrouter.config import Settings
from acrouter.domain import Attempt, Document, ModelSpec, Outcome, Task
from acrouter.memory import InMemoryMemory
from acrouter.policy import DEFAULT_PARAMS, ACRouterPolicy, make_policy
from acrouter.policy.calibration import Calibration, fit_level
from acrouter.policy.stats import HierStats

from .helpers import FakeGateway, FakePrompts, FakeVerifier, make_dataset

BENCH = ("bench-cheap", "bench-strong", "bench-mid")
BENCH_COST = 0.002  # every benchmark call costs this
HERE_COST = 0.6  # every call in the replayed workspace: 300x the benchmark


def prior():
    """Bug fixing on the benchmark: cheap passes 7 tasks in 10, strong and mid 6 in 10."""
    rows = []
    for i in range(60):
        cheap = 1.0 if i % 10 < 7 else 0.0
        strong = 1.0 if 3 <= i % 10 < 9 else 0.0
        mid = 1.0 if i % 10 < 6 else 0.0
        rows.append((f"dim3_fix_{i}", "bug_fixing", (cheap, strong, mid)))
    return make_dataset(rows, BENCH, costs={m: BENCH_COST for m in BENCH})


SPECS = tuple(
    ModelSpec(
        n,
        f"openai/{n}",
        benchmark_model=f"bench-{n}",
        input_cost_per_1m=1.0,
        output_cost_per_1m=2.0,
    )
    for n in ("cheap", "strong", "mid")
)


# --------------------------------------------------------------------------- the math


def test_the_prior_weight_falls_when_outcomes_are_unlikely_under_it_and_not_otherwise():
    # the prior says 2% pass; 6 of 10 passed: a conflict, the prior's effective n falls
    k_conflict, _ = fit_level([(6.0, 10.0, 0.02), (5.0, 8.0, 0.03)], 8.0, shift=False)
    # outcomes as the prior expects: the weight stays at its default or grows
    k_agree, _ = fit_level([(1.0, 10.0, 0.1), (1.0, 8.0, 0.12)], 8.0, shift=False)
    assert k_conflict < 2.0
    assert k_agree >= 8.0
    assert fit_level([], 8.0) == (8.0, 0.0)  # no evidence: the default
    # with a level shift: every model passing far more than the prior says is one shift up
    _, delta = fit_level([(6.0, 10.0, 0.1), (5.0, 8.0, 0.1), (7.0, 10.0, 0.2)], 8.0)
    assert delta > 1.0


def test_the_cost_scale_is_a_ratio_of_sums_pooled_over_models_and_shrunk_toward_one():
    cal = Calibration(cost_shrink=0.25)
    ws = [("workspace", "w:bug_fixing")]
    assert cal.cost_ratio(ws) == 1.0
    cal.add_call(ws, 0.6, 0.002)  # 300x
    one = cal.cost_ratio(ws)
    assert 50 < one < 300  # one call: most of the way (log space, 1 / (1 + 0.25))
    cal.add_call(ws, 1.2, 0.002)  # another model, 600x
    cal.add_call(ws, 0.0, 0.002)  # a call that cost nothing counts too
    ratio = cal.cost_ratio(ws)
    assert ratio == pytest.approx(math.exp((3 / 3.25) * math.log(1.8 / 0.006)))


def test_passes_after_a_failure_are_learned_as_observed_over_predicted():
    cal = Calibration(after_fail_shrink=3.0)
    dom = [("source", "agentic")]
    for _ in range(6):
        cal.add_after_fail(dom, True, 0.1)  # predicted 10%, all passed
    assert cal.after_fail(dom) == pytest.approx((6 + 3) / (0.6 + 3))


# --------------------------------------------------------------------------- the editor


def workspace_doc(root: Path, i: int) -> Document:
    path = root / f"mod{i}.py"
    path.write_text("def add(a, b):\n    return a - b\n")
    return Document(uri=path.as_uri(), path=str(path), text=path.read_text(), language_id="python")


def editor_app(gateway: FakeGateway, verifier: FakeVerifier) -> EditorApp:
    settings = Settings(models=SPECS, max_attempts=3, cost_weight=0.1, test_command="true")
    return EditorApp(
        settings,
        memory=InMemoryMemory(),
        priors=PriorStore(loader=prior),
        gateway_factory=lambda s: gateway,
        verifier_factory=lambda s: verifier,
        prompts=FakePrompts(),
    )


def only_strong_passes(task: Task, model: str) -> float:
    return 1.0 if model == "strong" else 0.0


def test_a_workspace_that_disagrees_with_the_priors_stops_following_them_within_ten_requests(
    tmp_path: Path,
):
    """Replayed stream through the EditorApp: in this workspace every call costs 300x the
    benchmark's and the benchmark's favourite (cheap) always fails while strong passes."""
    gateway = FakeGateway({m.name: HERE_COST for m in SPECS})
    app = editor_app(gateway, FakeVerifier(only_strong_passes))
    results = []
    for i in range(12):
        results.append(
            app.route(
                workspace_doc(tmp_path, i), f"Fix the bug in add number {i}", folders=[tmp_path]
            )
        )
    firsts = [r.attempts[0].model for r in results]
    assert firsts[0] == "cheap"  # the prior's choice, before any evidence
    switched = firsts.index("strong")
    assert switched <= 10 and set(firsts[switched:]) == {"strong"}  # and it sticks
    assert all(r.verified and r.final_model == "strong" for r in results[switched:])
    # the why says when and why: costs here are ~300x the benchmark's
    why = results[switched].why
    assert "costs here are" in why and "the benchmark's" in why and "after " in why
    ratio = float(why.split("costs here are ")[1].split("x")[0])
    assert 100 <= ratio <= 400
    # mid was never called here, yet it is priced at this workspace's scale, not at $0.002
    outcome = app.memory.get(results[-1].request_id)
    assert outcome is not None and outcome.workspace_id
    policy = app.policy()
    path = policy._path("bug_fixing", "probe", {"workspace_id": outcome.workspace_id})  # type: ignore[attr-defined]
    est = policy.estimate("mid", path)  # type: ignore[attr-defined]
    assert "mid" not in gateway.calls
    assert est.cost is not None and est.cost > 50 * BENCH_COST


def test_without_domain_learning_the_untried_model_keeps_benchmark_prices():
    """The control for the test above: the same stream with the mechanism switched off."""
    params = attrs.evolve(DEFAULT_PARAMS, adapt_domains=False)
    policy = make_policy(prior(), SPECS, cost_weight=0.1, seed=0, params=params)
    meta = {"workspace_id": "ws"}
    for i in range(5):
        attempts = (Attempt("strong", "pass", HERE_COST, 0.1, score=1.0),)
        policy.learn(
            Task(f"r{i}", "bug_fixing", meta=meta),
            Outcome(f"r{i}", 0.0, "bug_fixing", attempts, "strong", True),
        )
    path = policy._path("bug_fixing", "probe", meta)
    assert policy.estimate("mid", path).cost == pytest.approx(BENCH_COST, rel=0.5)
    adapted = make_policy(prior(), SPECS, cost_weight=0.1, seed=0)
    for i in range(5):
        attempts = (Attempt("strong", "pass", HERE_COST, 0.1, score=1.0),)
        adapted.learn(
            Task(f"r{i}", "bug_fixing", meta=meta),
            Outcome(f"r{i}", 0.0, "bug_fixing", attempts, "strong", True),
        )
    assert adapted.estimate("mid", path).cost > 100 * BENCH_COST


def prior_mid_rarely_passes():
    """cheap passes 7 tasks in 10, strong 6 in 10, mid 1 in 50 (and costs the same)."""
    rows = []
    for i in range(100):
        cheap = 1.0 if i % 10 < 7 else 0.0
        strong = 1.0 if 3 <= i % 10 < 9 else 0.0
        mid = 1.0 if i % 50 == 0 else 0.0
        rows.append((f"dim3_fix_{i}", "bug_fixing", (cheap, strong, mid)))
    return make_dataset(rows, BENCH, costs={m: BENCH_COST for m in BENCH})


def test_a_workspace_where_the_priors_are_badly_wrong_weighs_them_down_and_says_so(tmp_path: Path):
    """Here only mid passes, the model the benchmark says almost never does: its pass at
    p = 0.02 is far outside what the priors predict, so their weight falls and mid is
    called first within a few requests, although its own record here is short."""
    gateway = FakeGateway({m.name: BENCH_COST for m in SPECS})
    settings = Settings(models=SPECS, max_attempts=3, cost_weight=0.1, test_command="true")
    app = EditorApp(
        settings,
        memory=InMemoryMemory(),
        priors=PriorStore(loader=prior_mid_rarely_passes),
        gateway_factory=lambda s: gateway,
        verifier_factory=lambda s: FakeVerifier(lambda t, m: 1.0 if m == "mid" else 0.0),
        prompts=FakePrompts(),
    )
    results = [
        app.route(workspace_doc(tmp_path, i), f"Fix the bug in add number {i}", folders=[tmp_path])
        for i in range(10)
    ]
    calls = [[a.model for a in r.attempts] for r in results]
    assert calls[0] == ["cheap", "strong", "mid"]  # the priors' order, before any evidence
    switched = next(i for i, c in enumerate(calls) if c[0] == "mid")
    assert switched <= 5 and all(c == ["mid"] for c in calls[switched:])
    why = results[switched].why
    assert "outcomes disagree with the benchmark priors" in why and "priors weighted" in why
    weight = float(why.split("priors weighted ")[1].split()[0].rstrip(";.,"))
    assert weight < 0.5


def test_dispersion_is_about_one_when_the_prior_predicts_the_outcomes():
    cal = Calibration()
    dom = [("source", "new")]
    for i in range(200):  # a model the prior says passes half the time, and does
        cal.add_residual(dom, i % 2 == 0, 1.0 if i % 2 == 0 else 0.0, 0.5, 0.5)
    assert cal.dispersion(dom, 4.0) == pytest.approx((1.0, 1.0), rel=0.05)
    surprised = Calibration()
    for _ in range(5):  # a model the prior says passes 2% of the time passes every time
        surprised.add_residual(dom, True, 1.0, 0.02, 0.02)
    d_pass, _ = surprised.dispersion(dom, 4.0)
    assert d_pass > 20


# --------------------------------------------------------------------------- new domains


def learn_new_source(policy, source: str, n: int) -> None:
    """``n`` tasks of a source the benchmark never saw, where calls cost 300x the
    benchmark's and only strong passes (cheap, the benchmark's favourite, fails)."""
    for i in range(n):
        task = Task(f"{source}::{i}", "bug_fixing", meta={"source": source})
        attempts = (
            Attempt("cheap", "fail", HERE_COST, 0.1, score=0.0),
            Attempt("strong", "pass", HERE_COST, 0.1, score=1.0),
        )
        policy.learn(task, Outcome(task.task_id, 0.0, "bug_fixing", attempts, "strong", True))


@pytest.mark.parametrize("novel_pool", [True, False])
def test_a_second_new_source_starts_from_what_the_first_one_taught(novel_pool: bool):
    """Work the benchmark does not describe is alike: after a first new source where the
    benchmark's favourite always failed, a second new source starts from that (strong
    first, at this work's prices); without the pool it starts from the benchmark again."""
    params = attrs.evolve(DEFAULT_PARAMS, novel_pool=novel_pool, explore=False)
    policy = make_policy(prior(), SPECS, cost_weight=0.1, seed=0, params=params)
    policy.configure_budget(1)
    learn_new_source(policy, "agentA", 8)
    task = Task("agentB::0", "bug_fixing", meta={"source": "agentB"})
    decision = policy.plan(task, [m.name for m in SPECS], ())
    path = policy._path(task.kind, task.task_id, task.meta)
    cheap, strong = (policy.estimate(m, path) for m in ("cheap", "strong"))
    if novel_pool:
        assert ("novel", "*") in path and path.index(("novel", "*")) < path.index(
            ("source", "agentB")
        )
        assert decision.model == "strong"
        assert strong.score > 0.8 and cheap.score < 0.3
        assert cheap.cost is not None and cheap.cost > 50 * BENCH_COST  # this work's prices
        evidence = decision.candidates[0].evidence
        assert "observed on work the benchmark does not describe: 8 of 8 passed" in evidence
    else:
        assert ("novel", "*") not in path
        # cheap failed 8 of 8 on agentA, yet agentB sees it much as the benchmark does
        assert cheap.score > 0.5
        assert cheap.cost is not None and cheap.cost < HERE_COST / 5  # mostly benchmark prices


def test_the_pool_of_new_work_never_takes_a_known_source_or_the_benchmark_s_own_kinds():
    policy = make_policy(prior(), SPECS, cost_weight=0.1, seed=0)
    known = policy._path("bug_fixing", "dim3_fix_1", {"source": "dim3_fix"})
    editor = policy._path("bug_fixing", "r1", {"workspace_id": "ws"})
    assert ("novel", "*") not in known and ("novel", "*") not in editor
    new_kind = policy._path("sql_tuning", "r2", {"workspace_id": "ws"})
    assert new_kind[:3] == [("all", "*"), ("novel", "*"), ("kind", "sql_tuning")]
    # no prior at all: every group is new, and a pool would only count the same calls twice
    bare = ACRouterPolicy(SPECS, HierStats())
    assert ("novel", "*") not in bare._path("bug_fixing", "r3", {"source": "agentA"})


def lucky_mid(pool_fit: bool, strong_passes: int):
    """A new source where the benchmark is wrong (it says cheap passes 7 in 10, strong
    and mid 1 in 10): over 8 tasks cheap always fails, strong passes ``strong_passes``
    times; then mid is called once and passes.  Returns the fit and mid's pass rate."""
    params = attrs.evolve(DEFAULT_PARAMS, domain_pool_fit=pool_fit, explore=False)
    rows = [
        (f"dim3_fix_{i}", "bug_fixing", (float(i % 10 < 7), float(i % 10 == 0), float(i % 10 == 1)))
        for i in range(60)
    ]
    bench = make_dataset(rows, BENCH, costs={m: BENCH_COST for m in BENCH})
    policy = make_policy(bench, SPECS, cost_weight=0.1, seed=0, params=params)
    for i in range(8):
        task = Task(f"agentA::{i}", "bug_fixing", meta={"source": "agentA"})
        ok = i < strong_passes
        attempts = (
            Attempt("cheap", "fail", HERE_COST, 0.1, score=0.0),
            Attempt("strong", "pass" if ok else "fail", HERE_COST, 0.1, score=float(ok)),
        )
        policy.learn(task, Outcome(task.task_id, 0.0, "bug_fixing", attempts, "strong", ok))
    task = Task("agentA::8", "bug_fixing", meta={"source": "agentA"})
    lucky = (Attempt("mid", "pass", HERE_COST, 0.1, score=1.0),)
    policy.learn(task, Outcome(task.task_id, 0.0, "bug_fixing", lucky, "mid", True))
    path = policy._path(task.kind, "agentA::9", task.meta)
    fit = policy.est.domain_fits(path)[("novel", "*")]
    return fit, policy.estimate("mid", path).pass_rate, policy.estimate("strong", path)


def test_one_lucky_call_does_not_decide_a_pass_rate_in_a_discredited_domain():
    """Where the prior is discredited, the weight it lost on pass rates goes to the pooled
    pass rate, as much as the models' spread around it allows: a model that passed its
    only call sits nearer what every model did there, while a model with many calls keeps
    its own record.  Without it one call decides (and the escalation loop then keeps
    calling whichever model passed first)."""
    for strong_passes in (8, 3):
        fit, mid, strong = lucky_mid(True, strong_passes)
        off, mid_off, _ = lucky_mid(False, strong_passes)
        assert fit.weight < 0.5 and off.pool_k_pass == 0.0  # the prior is discredited
        assert fit.pool_k_pass > 0.0 and mid < mid_off - 0.02
        assert mid > fit.pool_pass  # the pass still counts
        if strong_passes == 8:
            assert strong.pass_rate > 0.9  # 8 of 8: its own record, whatever the pool
    # models alike (strong 3 of 8, cheap 0 of 8) pool more than models far apart (8 and 0)
    assert lucky_mid(True, 3)[0].pool_k_pass > lucky_mid(True, 8)[0].pool_k_pass
