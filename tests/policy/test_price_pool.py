"""Where a new domain discredits the benchmark prior, the pooled means an untried model
gives way to follow the models' prices, as far as the calls made there show price
matters (:mod:`acrouter.policy.price`)."""

from __future__ import annotations

import math
from pathlib import Path

import attrs
import pytest
from acrouter.app import EditorApp, PriorStore
from acrouter.config import Settings
from acrouter.domain import Attempt, Document, ModelSpec, Outcome, Task
from acrouter.memory import InMemoryMemory
from acrouter.policy import DEFAULT_PARAMS, make_policy
from acrouter.policy.price import fit, log_price, pooled_by_price

from .helpers import FakeGateway, FakePrompts, FakeVerifier, make_dataset

NAMES = ("dear", "dear2", "cheap", "cheap2")
BENCH = tuple(f"bench-{n}" for n in NAMES)
PRICES = {"dear": (5.0, 25.0), "dear2": (3.0, 15.0), "cheap": (0.3, 1.2), "cheap2": (0.4, 2.4)}
SPECS = tuple(
    ModelSpec(
        n,
        f"openai/{n}",
        benchmark_model=f"bench-{n}",
        input_cost_per_1m=PRICES[n][0],
        output_cost_per_1m=PRICES[n][1],
    )
    for n in NAMES
)
NOVEL = ("novel", "*")


# --------------------------------------------------------------------------- the fit


def test_the_fit_finds_the_slope_the_outcomes_show_and_none_where_they_show_none():
    # dearer (x > 0) passes 9 in 10, cheaper 1 in 10: a clear positive slope
    a, b = fit([(9.0, 10.0, 1.0), (1.0, 10.0, -1.0)], slope_sd=4.0, base=0.5)
    assert b > 1.5 and abs(a) < 0.2
    assert 1.0 / (1.0 + math.exp(-(a + b))) > 0.8
    # the other way round
    assert fit([(1.0, 10.0, 1.0), (9.0, 10.0, -1.0)], slope_sd=4.0, base=0.5)[1] < -1.5
    # price says nothing: both pass half the time
    assert fit([(5.0, 10.0, 1.0), (5.0, 10.0, -1.0)], slope_sd=4.0, base=0.5)[1] == pytest.approx(
        0.0, abs=1e-9
    )
    # the prior on the slope holds it back on little evidence
    few = fit([(1.0, 1.0, 1.0), (0.0, 1.0, -1.0)], slope_sd=1.0, base=0.5)[1]
    many = fit([(10.0, 10.0, 1.0), (0.0, 10.0, -1.0)], slope_sd=1.0, base=0.5)[1]
    assert 0.0 < few < many


def test_models_without_a_price_keep_the_flat_pool_and_a_zero_sd_turns_it_off():
    prices = {"a": log_price(5.0, 25.0), "b": log_price(0.3, 1.2), "local": log_price(0.0, 0.0)}
    assert prices["local"] is None and log_price(None, 1.0) is None
    by, slope = pooled_by_price({"a": (8.0, 8.0), "b": (0.0, 8.0)}, prices, 1.0, 0.5)
    assert set(by) == {"a", "b"} and by["a"] > 0.5 > by["b"] and slope > 0
    assert pooled_by_price({"a": (8.0, 8.0)}, prices, 0.0, 0.5) == ({}, 0.0)


# --------------------------------------------------------------------------- the policy


def bench():
    """The benchmark: the cheap models are its favourites (7 in 10), the dear ones pass
    1 in 10."""
    rows = []
    for i in range(60):
        cheap = float(i % 10 < 7)
        dear = float(i % 10 == 0)
        rows.append((f"dim3_fix_{i}", "bug_fixing", (dear, dear, cheap, cheap)))
    return make_dataset(rows, BENCH, costs={m: 0.002 for m in BENCH})


def after_new_source(slope_sd: float, sharpens: bool = True):
    """A new source where the benchmark is wrong: over 8 tasks ``cheap`` (its favourite)
    always fails and ``dear`` always passes; ``dear2`` and ``cheap2`` are never called."""
    params = attrs.evolve(
        DEFAULT_PARAMS, price_slope_sd=slope_sd, pool_sharpens=sharpens, explore=False
    )
    policy = make_policy(bench(), SPECS, cost_weight=0.1, seed=0, params=params)
    policy.configure_budget(1)
    for i in range(8):
        task = Task(f"agentA::{i}", "bug_fixing", meta={"source": "agentA"})
        attempts = (
            Attempt("cheap", "fail", 0.3, 0.1, score=0.0),
            Attempt("dear", "pass", 0.9, 0.1, score=1.0),
        )
        policy.learn(task, Outcome(task.task_id, 0.0, "bug_fixing", attempts, "dear", True))
    task = Task("agentA::8", "bug_fixing", meta={"source": "agentA"})
    path = policy._path(task.kind, task.task_id, task.meta)
    return policy, task, path


def test_an_untried_dear_model_starts_above_an_untried_cheap_one_where_dear_models_pass():
    policy, task, path = after_new_source(DEFAULT_PARAMS.price_slope_sd)
    flat, _, flat_path = after_new_source(0.0)
    fit_ = policy.est.domain_fits(path)[NOVEL]
    assert fit_.weight < 0.5 and fit_.price_slope > 0.3  # prior discredited; price matters
    dear2, cheap2 = (policy.estimate(m, path).pass_rate for m in ("dear2", "cheap2"))
    flat_dear2, flat_cheap2 = (flat.estimate(m, flat_path).pass_rate for m in ("dear2", "cheap2"))
    # pooled flat, the untried cheap model (the benchmark's favourite) starts higher; by
    # price, the dearer one does
    assert flat_cheap2 > flat_dear2
    assert dear2 > flat_dear2 and cheap2 < flat_cheap2 and dear2 - cheap2 > 0.2
    # the models called keep their own records
    assert policy.estimate("dear", path).pass_rate > 0.8
    assert policy.estimate("cheap", path).pass_rate < 0.2
    why = policy.plan(task, list(NAMES), ()).reason
    assert "pass rates here follow their price" in why
    assert "pass rates here follow their price" not in flat.plan(task, list(NAMES), ()).reason


def test_the_pool_narrows_an_untried_model_s_estimate_as_much_as_it_moves_it():
    """The pseudo-calls the pooled pass rate gets (the models' spread around it) count as
    evidence behind an untried model's estimate, so its exploration samples are as wide as
    that spread, not as wide as a model nothing is known about."""
    policy, _, path = after_new_source(DEFAULT_PARAMS.price_slope_sd)
    wide, _, _ = after_new_source(DEFAULT_PARAMS.price_slope_sd, sharpens=False)
    fit_ = policy.est.domain_fits(path)[NOVEL]
    assert fit_.pool_k_pass > 1.0 and fit_.pool_k_width == fit_.pool_k_pass
    for m in ("dear2", "cheap2"):
        narrow, broad = policy.estimate(m, path), wide.estimate(m, path)
        assert narrow.n_eff == pytest.approx(broad.n_eff + fit_.pool_k_pass)
        assert narrow.pass_rate == pytest.approx(broad.pass_rate)  # the mean does not move


def test_where_price_does_not_tell_the_models_apart_the_pool_stays_flat():
    """dear and cheap both pass half their calls: no slope, and the untried models'
    estimates are those of the flat pool."""
    policy = learn_even(DEFAULT_PARAMS.price_slope_sd)
    flat = learn_even(0.0)
    path = policy._path("bug_fixing", "agentA::8", {"source": "agentA"})
    fit_ = policy.est.domain_fits(path)[NOVEL]
    assert fit_.weight < 1.0 and abs(fit_.price_slope) < 0.05
    for m in ("dear2", "cheap2"):
        assert policy.estimate(m, path).pass_rate == pytest.approx(
            flat.estimate(m, path).pass_rate, abs=0.01
        )


def learn_even(slope_sd: float):
    params = attrs.evolve(DEFAULT_PARAMS, price_slope_sd=slope_sd, explore=False)
    policy = make_policy(bench(), SPECS, cost_weight=0.1, seed=0, params=params)
    for i in range(8):
        task = Task(f"agentA::{i}", "bug_fixing", meta={"source": "agentA"})
        ok = i % 2 == 0
        attempts = (
            Attempt("cheap", "pass" if ok else "fail", 0.3, 0.1, score=float(ok)),
            Attempt("dear", "pass" if ok else "fail", 0.9, 0.1, score=float(ok)),
        )
        policy.learn(task, Outcome(task.task_id, 0.0, "bug_fixing", attempts, "dear", ok))
    return policy


# --------------------------------------------------------------------------- the editor


def test_in_the_editor_a_workspace_where_the_dear_models_pass_says_so_and_leads_with_one(
    tmp_path: Path,
):
    """Replayed through the EditorApp: the benchmark's favourites (the cheap models) fail
    every request in this workspace and the dear ones pass; calls cost as their prices."""
    gateway = FakeGateway({"dear": 0.02, "dear2": 0.012, "cheap": 0.001, "cheap2": 0.0015})
    settings = Settings(models=SPECS, max_attempts=3, cost_weight=0.1, test_command="true")
    app = EditorApp(
        settings,
        memory=InMemoryMemory(),
        priors=PriorStore(loader=bench),
        gateway_factory=lambda s: gateway,
        verifier_factory=lambda s: FakeVerifier(lambda t, m: 1.0 if m.startswith("dear") else 0.0),
        prompts=FakePrompts(),
    )
    results = []
    for i in range(10):
        path = tmp_path / f"mod{i}.py"
        path.write_text("def add(a, b):\n    return a - b\n")
        doc = Document(
            uri=path.as_uri(), path=str(path), text=path.read_text(), language_id="python"
        )
        results.append(app.route(doc, f"Fix the bug in add number {i}", folders=[tmp_path]))
    firsts = [r.attempts[0].model for r in results]
    assert firsts[0].startswith("cheap")  # the priors' choice, before any evidence
    switched = next(i for i, m in enumerate(firsts) if m.startswith("dear"))
    assert switched <= 6 and all(m.startswith("dear") for m in firsts[switched:])
    assert all(r.verified for r in results[switched:])
    why = " ".join(r.why for r in results[switched:])
    assert "pass rates here follow their price" in why
