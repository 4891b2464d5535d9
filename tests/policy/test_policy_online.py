"""The policy end to end through the Orchestrator: editor memory, explanations,
online updates, retrieval, and bandit feedback."""

from __future__ import annotations

import random

import attrs
from acrouter.bench.replay import bench_models
from acrouter.coderouterbench import load_bundled, to_task
from acrouter.domain import Aggregate, Attempt, ModelSpec, Outcome, Task
from acrouter.policy import DEFAULT_PARAMS, make_policy

from .helpers import make_dataset, orchestrator

BENCH = ("bench-cheap", "bench-strong")
NO_EXPLORE = attrs.evolve(DEFAULT_PARAMS, explore=False)


def editor_prior():
    """On bug fixing, bench-cheap passes more often than bench-strong and costs less;
    bench-strong passes 2 of the 3 tasks in 10 that bench-cheap fails."""
    rows = []
    for i in range(60):
        cheap = 1.0 if i % 10 < 7 else 0.0
        strong = 1.0 if 3 <= i % 10 < 9 else 0.0
        rows.append((f"dim3_fix_{i}", "bug_fixing", (cheap, strong)))
        rows.append((f"dim1_gen_{i}", "code_generation", (strong, cheap)))
    return make_dataset(rows, BENCH, costs={"bench-cheap": 0.002, "bench-strong": 0.002})


SPECS = (
    ModelSpec(
        "cheap",
        "openai/cheap",
        benchmark_model="bench-cheap",
        input_cost_per_1m=0.1,
        output_cost_per_1m=0.2,
    ),
    ModelSpec(
        "strong",
        "openai/strong",
        benchmark_model="bench-strong",
        input_cost_per_1m=1.0,
        output_cost_per_1m=2.0,
    ),
)


def request(i: int, workspace: str = "ws1", text: str = "Fix the bug in add") -> Task:
    return Task(
        f"req{i}", "bug_fixing", text=text, language="python", meta={"workspace_id": workspace}
    )


def only_strong_passes(task: Task, model: str) -> float:
    return 1.0 if model == "strong" else 0.5


def test_personal_memory_beats_the_prior_fast_and_reset_brings_it_back():
    policy = make_policy(editor_prior(), SPECS, cost_weight=0.1, seed=0)
    orch = orchestrator(SPECS, policy, only_strong_passes, max_attempts=3)
    first = orch.run(request(0))
    assert [a.model for a in first.attempts] == ["cheap", "strong"]  # the prior's choice first
    for i in range(1, 3):
        res = orch.run(request(i))
        assert res.final_model == "strong" and res.verified
    fourth = orch.run(request(3))
    assert fourth.attempts[0].model == "strong"
    assert "observed on this workspace: 3 of 3 passed" in fourth.why
    # another workspace, another request: the prior's choice
    other = orch.run(request(4, workspace="ws2", text="Add a docstring to parse"))
    assert other.attempts[0].model == "cheap"
    policy.reset_online()
    again = orch.run(request(5))
    assert again.attempts[0].model == "cheap"


def test_personal_memory_alone_overrides_the_prior_after_three_outcomes():
    """Different instructions (no similar past request): the workspace statistics decide."""
    policy = make_policy(editor_prior(), SPECS, cost_weight=0.1, seed=0)
    orch = orchestrator(SPECS, policy, only_strong_passes, max_attempts=3)
    texts = (
        "Fix the off-by-one in the pager",
        "Handle None in parse_date",
        "Repair the CSV export",
    )
    orders = [[a.model for a in orch.run(request(i, text=t)).attempts] for i, t in enumerate(texts)]
    assert orders[0] == ["cheap", "strong"]
    fourth = orch.run(request(3, text="Make the retry loop stop after 5 attempts"))
    assert fourth.attempts[0].model == "strong"


def test_memory_warm_up_from_stored_outcomes_and_aggregates():
    policy = make_policy(editor_prior(), SPECS, cost_weight=0.1, seed=0)
    for i in range(3):
        outcome = Outcome(
            f"old{i}",
            float(i),
            "bug_fixing",
            (
                Attempt("cheap", "fail", 0.001, 0.0, score=0.5),
                Attempt("strong", "pass", 0.01, 0.0, score=1.0),
            ),
            "strong",
            True,
            workspace_id="ws1",
        )
        policy.learn_outcome(outcome)
    policy.configure_budget(3)
    assert policy.plan(request(9), ("cheap", "strong"), ()).model == "strong"
    # compacted history of a kind: counts like outcomes, without workspace
    fresh = make_policy(editor_prior(), SPECS, cost_weight=0.1, seed=0)
    fresh.configure_budget(1)
    fresh.learn_aggregate(
        Aggregate("cheap", "bug_fixing", n=500, score_sum=0.0, passes=0, cost_usd_sum=0.5)
    )
    assert fresh.plan(request(9, workspace="new"), ("cheap", "strong"), ()).model == "strong"


def test_compacted_attempts_of_unknown_cost_do_not_make_a_model_look_free():
    """Compacted history whose costs were unknown (a provider that reports no usage)
    says nothing about the price: the expected cost stays where it was."""

    def expected_cost(aggregate: Aggregate | None) -> float:
        policy = make_policy(editor_prior(), SPECS, cost_weight=0.1, seed=0)
        policy.configure_budget(1)
        if aggregate is not None:
            policy.learn_aggregate(aggregate)
        d = policy.plan(request(9, workspace="new"), ("cheap", "strong"), ())
        cost = next(c.expected_cost_usd for c in d.candidates if c.model == "strong")
        assert cost is not None
        return cost

    untold = expected_cost(None)
    unknown = Aggregate("strong", "bug_fixing", 50, 25.0, 25, 0.0, cost_n=0)
    assert expected_cost(unknown) == untold
    known_free = Aggregate("strong", "bug_fixing", 50, 25.0, 25, 0.0, cost_n=50)
    assert expected_cost(known_free) < 0.9 * untold  # a known $0 does move it


def test_candidates_explain_with_counts_expected_score_and_cost():
    policy = make_policy(editor_prior(), SPECS, cost_weight=0.1, seed=0)
    policy.configure_budget(1)
    d = policy.plan(request(0), ("cheap", "strong"), ())
    assert d.model == "cheap"
    by = {c.model: c for c in d.candidates}
    cheap = by["cheap"]
    assert 0.6 < cheap.expected_score < 0.75
    assert cheap.expected_cost_usd is not None and cheap.expected_cost_usd > 0
    assert cheap.expected_reward == cheap.expected_score - 0.1 * cheap.expected_cost_usd
    assert cheap.n_prior == 60 and cheap.n_personal == 0
    assert f"exp. score {cheap.expected_score:.2f}" in cheap.evidence
    assert "exp. cost $" in cheap.evidence
    assert "benchmark bench-cheap on kind bug_fixing: n=60, mean score 0.70" in cheap.evidence
    assert "highest expected value" in d.reason
    # a model without a benchmark prior starts neutral and says so
    mine = ModelSpec("mine", "ollama/mine", input_cost_per_1m=None)
    p2 = make_policy(editor_prior(), (*SPECS, mine), cost_weight=0.1, seed=0)
    p2.configure_budget(1)
    c = {c.model: c for c in p2.plan(request(0), ("cheap", "strong", "mine"), ()).candidates}[
        "mine"
    ]
    assert "no benchmark prior (neutral start)" in c.evidence
    assert c.expected_cost_usd is None and "exp. cost unknown" in c.evidence


def test_user_prices_scale_the_benchmark_cost():
    policy = make_policy(editor_prior(), SPECS, cost_weight=0.1, seed=0)
    policy.configure_budget(1)
    by = {c.model: c for c in policy.plan(request(0), ("cheap", "strong"), ()).candidates}
    # bench prices are (1, 2) per 1M for both: cheap's user price is 1/10 of that
    assert abs(by["cheap"].expected_cost_usd - 0.002 * (0.1 + 0.6) / (1 + 6)) < 1e-12


def test_online_updates_move_estimates_by_the_observed_outcomes():
    policy = make_policy(editor_prior(), SPECS, cost_weight=0.1, seed=0)
    policy.configure_budget(1)
    path = policy._path("bug_fixing", "r", {"workspace_id": "ws1"})
    before = policy.estimate("cheap", path)
    outcome = Outcome(
        "r", 0.0, "bug_fixing", (Attempt("cheap", "fail", 0.002, 0.0, score=0.0),), "cheap", False
    )
    policy.learn(request(0), outcome)
    after = policy.estimate("cheap", path)
    assert after.score < before.score and after.pass_rate < before.pass_rate
    assert after.n_online == 1
    # the kind-level estimate moved by one observation against 60 prior tasks (k = params.shrink)
    kind = policy.estimate("cheap", path[:2])
    assert abs(kind.score - before_kind(policy)) > 0
    # only the called model learned
    assert policy.estimate("strong", path).n_online == 0


def before_kind(policy) -> float:
    fresh = make_policy(editor_prior(), SPECS, cost_weight=0.1, seed=0)
    return fresh.estimate("cheap", fresh._path("bug_fixing", "r", {})[:2]).score


def test_retrieval_routes_similar_requests_to_the_model_that_did_well_on_them():
    policy = make_policy(editor_prior(), SPECS, cost_weight=0.1, seed=0, params=NO_EXPLORE)
    policy.configure_budget(1)
    sql = "Fix the SQL query builder: the JOIN clause drops the WHERE filter on {} rows"
    ui = "Fix the React component: the button state does not update after {} clicks"

    def outcome(i, model, score):
        return Outcome(
            f"o{i}",
            0.0,
            "bug_fixing",
            (Attempt(model, "pass" if score >= 1 else "fail", 0.001, 0.0, score=score),),
            model,
            score >= 1,
        )

    rng = random.Random(0)
    for i in range(30):
        # strong is right on SQL requests, cheap on UI requests (all in new workspaces)
        t = Task(
            f"s{i}",
            "bug_fixing",
            text=sql.format(rng.randint(2, 99)),
            meta={"workspace_id": f"w{i}"},
        )
        policy.learn(t, outcome(i, "strong", 1.0))
        policy.learn(t, outcome(i, "cheap", 0.0))
        u = Task(
            f"u{i}",
            "bug_fixing",
            text=ui.format(rng.randint(2, 99)),
            meta={"workspace_id": f"v{i}"},
        )
        policy.learn(u, outcome(i, "strong", 0.0))
        policy.learn(u, outcome(i, "cheap", 1.0))
    new_sql = Task("q1", "bug_fixing", text=sql.format(7), meta={"workspace_id": "fresh"})
    new_ui = Task("q2", "bug_fixing", text=ui.format(7), meta={"workspace_id": "fresh"})
    d_sql = policy.plan(new_sql, ("cheap", "strong"), ())
    d_ui = policy.plan(new_ui, ("cheap", "strong"), ())
    assert d_sql.model == "strong" and d_ui.model == "cheap"
    assert any("similar past request" in c.evidence for c in d_sql.candidates)
    # unrelated text: no neighbours, no correction
    other = Task(
        "q3", "bug_fixing", text="Rename variables in the tokenizer", meta={"workspace_id": "fresh"}
    )
    assert not any(
        "similar past request" in c.evidence
        for c in policy.plan(other, ("cheap", "strong"), ()).candidates
    )


def test_benchmark_runs_never_depend_on_cells_the_policy_did_not_call():
    """Bandit feedback: randomise every (task, model) cell the policy never called and
    re-run with the same seed; every decision must be identical."""
    ds = load_bundled()
    train = ds.where(lambda t: t.source_split == "train")
    stream = ds.where(
        lambda t: t.source_split == "val" and t.dimension in ("algorithm", "bug_fixing")
    )
    specs = bench_models(stream)
    idx = {m: i for i, m in enumerate(stream.models)}

    def run(scores):
        policy = make_policy(train, specs, cost_weight=0.1, seed=3)
        orch = orchestrator(
            specs, policy, lambda t, m: scores[t.task_id][idx[m]], max_attempts=len(specs)
        )
        calls = []
        for bt in stream.tasks:
            res = orch.run(to_task(bt))
            calls.append(tuple((a.model, a.verdict) for a in res.attempts))
        return calls

    first = run(stream.scores)
    rng = random.Random(1)
    shuffled = {}
    for bt, called in zip(stream.tasks, first):
        used = {m for m, _ in called}
        shuffled[bt.task_id] = tuple(
            s if m in used else rng.choice((0.0, 1.0, rng.random()))
            for m, s in zip(stream.models, stream.scores[bt.task_id])
        )
    assert run(shuffled) == first
    assert sum(len(c) for c in first) > len(first)  # it did escalate
