"""Cooldowns after the provider's passing trouble (``acrouter.cooldown``) and how the
Orchestrator uses them: not learned, spend still recorded, the model skipped until its
pause ends, a timeout counted when it repeats.  End to end: tests/gateway/
test_passing_failures.py."""

from __future__ import annotations

import pytest
from acrouter.context import build_task
from acrouter.cooldown import Cooldowns, repeated_timeout
from acrouter.domain import Attempt, ModelSpec, Outcome
from acrouter.errors import CoolingDown, GatewayError
from acrouter.memory import InMemoryMemory
from acrouter.orchestrator import Orchestrator
from acrouter.prompts import ChatPrompts

from tests.unit.test_core import Gw, OfferedPolicy, Vf, doc, sr


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def test_backoff_doubles_up_to_fifteen_minutes_and_a_reply_clears_it() -> None:
    clock = Clock()
    cool = Cooldowns(clock=clock)
    waits = []
    for _ in range(6):
        pause = cool.failed("m", "provider error 503")
        waits.append(pause.until - clock.now)
        clock.now = pause.until + 1  # called again once usable, fails again
    assert waits == [60, 120, 240, 480, 900, 900]
    cool.succeeded("m")
    assert cool.failed("m", "provider error 503").until - clock.now == 60


def test_the_providers_retry_after_sets_the_pause() -> None:
    clock = Clock()
    cool = Cooldowns(clock=clock)
    pause = cool.failed("m", "rate limited", retry_after=30)
    assert pause.until == clock.now + 30
    assert "rate limited at " in pause.describe()
    assert "(provider asks to wait 30 s); usable again at " in pause.describe()
    assert cool.failed("n", "rate limited", retry_after=86_400).until == clock.now + 3600
    clock.now += 29
    assert set(cool.paused(["m", "n", "other"])) == {"m", "n"}
    clock.now += 2
    assert set(cool.paused(["m", "n", "other"])) == {"n"}


def test_a_quiet_spell_starts_the_backoff_again() -> None:
    clock = Clock()
    cool = Cooldowns(clock=clock)
    first = cool.failed("m", "provider error 500")
    clock.now = first.until + 1
    assert cool.failed("m", "provider error 500").until - clock.now == 120
    clock.now += 120 + 900 + 1  # quiet for longer than the longest pause
    assert cool.failed("m", "provider error 500").until - clock.now == 60


def test_every_model_cooling_down_names_when_each_is_usable() -> None:
    clock = Clock()
    cool = Cooldowns(clock=clock)
    cool.failed("a", "provider error 503 Service Unavailable")
    cool.check_usable(["a", "b"])  # b is usable: no error
    cool.failed("b", "rate limited", retry_after=30)
    with pytest.raises(CoolingDown) as refused:
        cool.check_usable(["a", "b"])
    message = str(refused.value)
    assert "a: provider error 503 Service Unavailable at " in message and "(in 60 s)" in message
    assert "b: rate limited at " in message and "(in 30 s)" in message


def attempt(model: str, detail: str, verdict: str = "error") -> Attempt:
    return Attempt(model, verdict, 0.0, 1.0, detail, counted=False)


def outcome(i: int, *attempts: Attempt) -> Outcome:
    return Outcome(f"r{i}", float(i), "bug_fixing", attempts, None, False)


def test_repeated_timeout_reads_the_models_newest_attempt_in_memory() -> None:
    mem = InMemoryMemory()
    assert not repeated_timeout(mem, "slow")
    mem.record(outcome(1, attempt("slow", "timeout: no reply within 120 s")))
    mem.record(outcome(2, attempt("other", "unavailable: provider error 503")))
    assert repeated_timeout(mem, "slow") and not repeated_timeout(mem, "other")
    mem.record(outcome(3, attempt("slow", "1 passed", verdict="pass")))
    assert not repeated_timeout(mem, "slow")  # it answered since


def orchestrator(replies, mem, cool, order=("flaky", "good")):
    return Orchestrator(
        [ModelSpec(n, "x/" + n) for n in order],
        OfferedPolicy(list(order)),
        Gw(replies),
        ChatPrompts(),
        Vf(),
        mem,
        max_attempts=2,
        cooldowns=cool,
    )


def test_a_passing_failure_is_not_learned_but_its_spend_is_and_the_model_is_skipped(
    tmp_path,
) -> None:
    billed = GatewayError("unavailable: provider error 502 Bad Gateway", "unavailable", 0.003)
    mem, cool = InMemoryMemory(), Cooldowns()
    task = build_task(doc(tmp_path), "fix", folders=[tmp_path])
    first = orchestrator({"flaky": billed, "good": sr("good")}, mem, cool).run(task)
    assert [(a.model, a.verdict, a.counted, a.cost_usd) for a in first.attempts] == [
        ("flaky", "error", False, 0.003),
        ("good", "pass", True, 0.01),
    ]
    assert mem.outcomes()[0].attempts[0].cost_usd == 0.003  # spend is still spend
    assert first.cost_usd == pytest.approx(0.013)
    assert mem.aggregates() == [] and set(cool.paused(["flaky", "good"])) == {"flaky"}

    orch = orchestrator({"flaky": sr("good"), "good": sr("good")}, mem, cool)
    result = orch.run(task)  # the same app's next request: flaky is not offered
    assert [a.model for a in result.attempts] == ["good"]
    assert len(orch.gateway.messages) == 1  # one call, to good
    assert "- skipped flaky: provider error 502 Bad Gateway at " in result.why
    assert mem.outcomes()[0].meta["skipped"]["flaky"].startswith("provider error 502 Bad Gateway")


def test_when_every_model_cools_down_nothing_runs(tmp_path) -> None:
    mem, cool = InMemoryMemory(), Cooldowns()
    cool.failed("flaky", "provider error 503")
    cool.failed("good", "rate limited", retry_after=20)
    orch = orchestrator({"flaky": sr("good"), "good": sr("good")}, mem, cool)
    prepared = []
    orch.verifier.prepare = lambda task, cancel=None: prepared.append(task)  # type: ignore[method-assign]
    with pytest.raises(CoolingDown):
        orch.run(build_task(doc(tmp_path), "fix", folders=[tmp_path]))
    assert prepared == [] and mem.outcomes() == []  # no tests ran, nothing recorded


def test_a_timeout_counts_when_the_models_previous_call_timed_out_too(tmp_path) -> None:
    slow = GatewayError("timeout: no reply within 120 s", "timeout")
    mem = InMemoryMemory()
    task = build_task(doc(tmp_path), "fix", folders=[tmp_path])
    replies = {"flaky": slow, "good": sr("good")}
    [first, _] = orchestrator(replies, mem, Cooldowns()).run(task).attempts
    assert (first.counted, first.detail) == (False, "timeout: no reply within 120 s")
    [again, _] = orchestrator(replies, mem, Cooldowns()).run(task).attempts  # a new process
    assert again.counted
    assert again.detail.endswith("(the previous call timed out too: counted against the model)")
