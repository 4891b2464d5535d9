"""Per-user routing memory: both implementations, the file format, locking, corruption,
compaction and privacy.  Multi-process stress lives in tests/stress/."""

from __future__ import annotations

import json
import logging
import math
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest
from acrouter.domain import Aggregate, Attempt, Outcome
from acrouter.memory import (
    INSTRUCTION_MAX_CHARS,
    InMemoryMemory,
    MemoryBusyError,
    TinyDBMemory,
    compacted_size,
    default_memory_path,
    fold,
    outcome_from_dict,
    outcome_to_dict,
)
from acrouter.memory.team import team_priors

T0 = 1_750_000_000.0


def outcome(
    i: int,
    *,
    kind: str = "bug_fixing",
    attempts: tuple[Attempt, ...] | None = None,
    instruction: str | None = "Fix the pagination helper",
    t: float | None = None,
) -> Outcome:
    if attempts is None:
        attempts = (
            Attempt("gpt-5.4", "fail", 0.002, 1500.5, "1 passed, 2 failed", 1, 2, 0.25),
            Attempt("claude-sonnet-4-6", "pass", 0.01, 2500.0, "3 passed", 3, 0, 1.0),
        )
    return Outcome(
        request_id=f"req-{i}",
        time=T0 + i if t is None else t,
        kind=kind,
        attempts=attempts,
        final_model=attempts[-1].model if attempts else None,
        verified=bool(attempts) and attempts[-1].verdict == "pass",
        why="claude-sonnet-4-6 after gpt-5.4 failed 2 tests",
        workspace_id="ab12cd34ef56",
        instruction=instruction,
        features=(3, 17, 123456),
        meta={"source": "editor", "language": "python"},
    )


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "acrouter" / "memory.json"


@pytest.fixture(params=["in-memory", "tinydb"])
def memory(request: pytest.FixtureRequest, path: Path) -> Iterator[InMemoryMemory | TinyDBMemory]:
    if request.param == "in-memory":
        yield InMemoryMemory(cap=10)
    else:
        m = TinyDBMemory(path, cap=10)
        yield m
        m.close()


_HOLD_LOCK = """
import fcntl, sys, time
f = open(sys.argv[1], "a")
fcntl.flock(f, fcntl.LOCK_EX)
print("locked", flush=True)
time.sleep(60)
"""


def hold_lock(path: Path) -> subprocess.Popen[str]:
    """Start another process that holds the memory file's lock (until killed)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    proc = subprocess.Popen(
        [sys.executable, "-c", _HOLD_LOCK, f"{path}.lock"], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "locked"
    return proc


def stored_json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- both kinds


def test_record_and_read_back_newest_first(memory: InMemoryMemory | TinyDBMemory) -> None:
    assert memory.count() == 0 and memory.outcomes() == []
    for i in (2, 0, 1):  # recorded out of time order
        assert memory.record(outcome(i)) is True
    assert [o.request_id for o in memory.outcomes()] == ["req-2", "req-1", "req-0"]
    assert [o.request_id for o in memory.outcomes(limit=2)] == ["req-2", "req-1"]
    assert memory.outcomes(limit=0) == []
    assert memory.count() == 3
    assert memory.get("req-1") == outcome(1)
    assert memory.get("nope") is None


def test_generation_changes_on_every_write(memory: InMemoryMemory | TinyDBMemory) -> None:
    seen = {memory.generation()}
    for i in range(15):  # quicker than a coarse filesystem clock tick
        memory.record(outcome(i))
        seen.add(memory.generation())
    memory.reset()
    seen.add(memory.generation())
    assert len(seen) == 17


def test_reset_removes_records_and_aggregates(memory: InMemoryMemory | TinyDBMemory) -> None:
    for i in range(14):  # cap 10: compaction leaves aggregates behind
        memory.record(outcome(i))
    assert memory.aggregates()
    kept = memory.count()
    assert memory.reset() == kept
    assert memory.count() == 0 and memory.outcomes() == [] and memory.aggregates() == []
    assert memory.reset() == 0


def test_compaction_bounds_count_and_folds_oldest(memory: InMemoryMemory | TinyDBMemory) -> None:
    kinds = ["bug_fixing", "code_generation"]
    recorded = []
    for i in range(37):
        attempts = (
            Attempt("glm-5", "fail" if i % 3 else "pass", 0.001 * i, 100.0, score=None),
            Attempt("gpt-5.4", "pass", None, 200.0, score=0.5 + (i % 2) * 0.25),
        )[: 1 + i % 2]
        recorded.append(outcome(i, kind=kinds[i % 2], attempts=attempts))
        assert memory.record(recorded[-1])
        assert memory.count() <= 10
    kept = memory.outcomes()
    assert [o.request_id for o in kept] == [o.request_id for o in recorded[::-1][: len(kept)]]
    assert compacted_size(10) <= len(kept) <= 10

    expected: dict[tuple[str, str], list[float]] = {}  # n, score_sum, passes, cost
    for o in recorded[: len(recorded) - len(kept)]:
        for a in o.attempts:
            e = expected.setdefault((a.model, o.kind), [0, 0.0, 0, 0.0])
            e[0] += 1
            e[1] += a.score if a.score is not None else float(a.verdict == "pass")
            e[2] += a.verdict == "pass"
            e[3] += a.cost_usd or 0.0
    got = {(a.model, a.kind): a for a in memory.aggregates()}
    assert got.keys() == expected.keys()
    for key, (n, score_sum, passes, cost) in expected.items():
        assert (got[key].n, got[key].passes) == (n, passes)
        assert math.isclose(got[key].score_sum, score_sum)
        assert math.isclose(got[key].cost_usd_sum, cost, abs_tol=1e-12)
    attempts_total = sum(len(o.attempts) for o in recorded)
    assert sum(a.n for a in got.values()) + sum(len(o.attempts) for o in kept) == attempts_total


@pytest.mark.parametrize("kind", ["in-memory", "tinydb"])
def test_aggregate_rule(kind: str, path: Path) -> None:
    """score if known else 1/0 by verdict; passes by verdict; an unknown cost is left out
    of the cost sum and its count (``cost_n``), never taken for $0; set-up errors
    (missing key, ...) are not evidence about a model."""
    m = InMemoryMemory(cap=1) if kind == "in-memory" else TinyDBMemory(path, cap=1)
    first = (
        Attempt("glm-5", "pass", None, 1.0, score=None),
        Attempt("gpt-5.4", "fail", 0.5, 1.0, score=None),
        Attempt("kimi-k2.5", "error", 0.25, 1.0, "timeout: no reply", score=0.4),
        Attempt("glm-5", "error", 0.0, 1.0, "auth: key not set", counted=False),  # set-up fault
    )
    m.record(outcome(1, kind="algorithm", attempts=first))
    assert m.aggregates() == []
    m.record(outcome(2, attempts=()))
    assert m.aggregates() == [
        Aggregate("glm-5", "algorithm", 1, 1.0, 1, 0.0, cost_n=0),
        Aggregate("gpt-5.4", "algorithm", 1, 0.0, 0, 0.5, cost_n=1),
        Aggregate("kimi-k2.5", "algorithm", 1, 0.4, 0, 0.25, cost_n=1),
    ]
    assert [o.request_id for o in m.outcomes()] == ["req-2"]
    if kind == "tinydb":  # and so they read back, after a restart
        assert TinyDBMemory(path, cap=1).aggregates() == m.aggregates()
    # a team export counts the known costs only
    assert [(t.model, t.cost_n) for t in team_priors(m)] == [
        ("glm-5", 0),
        ("gpt-5.4", 1),
        ("kimi-k2.5", 1),
    ]


def test_export_shape(memory: InMemoryMemory | TinyDBMemory) -> None:
    for i in range(12):
        memory.record(outcome(i))
    exported = memory.export()
    assert exported["version"] == 1
    assert [r["requestId"] for r in exported["records"]] == [
        o.request_id for o in memory.outcomes()
    ]
    assert {a["model"] for a in exported["aggregates"]} == {"gpt-5.4", "claude-sonnet-4-6"}
    json.dumps(exported, allow_nan=False)  # JSON-safe


def test_store_instructions_false_keeps_no_instruction(path: Path) -> None:
    secret = "Refactor the SECRET_TOKEN parser"
    with_text = outcome(1, instruction=secret)
    m = TinyDBMemory(path, store_instructions=False)
    assert m.record(with_text)
    assert "SECRET_TOKEN" not in path.read_text(encoding="utf-8")
    assert m.get("req-1") is not None and m.get("req-1").instruction is None  # type: ignore[union-attr]
    mem = InMemoryMemory(store_instructions=False)
    mem.record(with_text)
    assert mem.get("req-1").instruction is None  # type: ignore[union-attr]


# --------------------------------------------------------------------------- codec


def test_outcome_round_trip_including_attempts() -> None:
    o = outcome(5)
    d = outcome_to_dict(o)
    assert list(d) == [
        "requestId", "time", "kind", "attempts", "finalModel", "verified", "why",
        "workspaceId", "instruction", "features", "meta",
    ]  # fmt: skip
    assert json.loads(json.dumps(d, allow_nan=False)) == d
    assert outcome_from_dict(json.loads(json.dumps(d))) == o
    bare = Outcome("r", T0, "algorithm", (), None, False)
    assert outcome_from_dict(outcome_to_dict(bare)) == bare


def test_counted_is_stored_and_old_records_derive_it() -> None:
    setup = Attempt(
        "m", "error", 0.0, 1.0, "unreachable: cannot reach http://127.0.0.1:9", counted=False
    )
    d = outcome_to_dict(outcome(1, attempts=(setup,)))
    assert d["attempts"][0]["counted"] is False
    assert outcome_from_dict(d).attempts[0].counted is False
    # records written before ``counted`` existed: the rule of that time decides
    old = outcome_to_dict(outcome(2))
    old["attempts"] = [
        {"model": "a", "verdict": "fail", "detail": "1 failed"},
        {"model": "b", "verdict": "error", "detail": "timeout: no reply within 120 s"},
        {"model": "c", "verdict": "error", "detail": "auth: environment variable K is not set"},
        {"model": "d", "verdict": "error", "detail": "verifier: bubblewrap (bwrap) is required"},
    ]
    assert [a.counted for a in outcome_from_dict(old).attempts] == [True, True, False, False]


def test_the_providers_passing_trouble_recorded_as_counted_before_is_read_as_not() -> None:
    """Records written when a rate limit, a 5xx or a broken connection still counted
    against the model: read with today's rule, so an old outage is not learned."""
    old = outcome_to_dict(outcome(3))
    details = [
        "rate_limited: 429 after one retry",
        "provider_error: 503 Service Unavailable: The engine is currently overloaded.",
        "provider_error: 500 Internal Server Error",
        "provider_error: the connection to http://127.0.0.1:9/v1 broke (Connection reset)",
        "provider_error: 400 Bad Request: The response was filtered.",  # a content filter
        "timeout: no reply within 120 s",  # stays: which timeout was first is unknown
        "bad_reply: the provider's reply is not a valid chat completion (...)",
    ]
    old["attempts"] = [
        {"model": "m", "verdict": "error", "detail": d, "counted": True} for d in details
    ]
    old["attempts"].append({"model": "m", "verdict": "error", "detail": "rate_limit: 429"})
    counted = [a.counted for a in outcome_from_dict(old).attempts]
    assert counted == [False, False, False, False, True, True, True, False]
    aggs: dict = {}
    fold(aggs, outcome_from_dict(old))
    assert aggs[("m", old["kind"])].n == 3


def test_a_pass_keeps_its_unrun_lines(path: Path) -> None:
    """The history's attempt row reads them back from the memory file; a record
    without them (an older one, or a pass whose changed lines all ran) has none."""
    unrun = "no test ran 1 of the 1 statements the edit changes: calc.py line 6"
    a = Attempt("m", "pass", 0.0, 1.0, f"2 passed, 0 failed; {unrun}", 2, 0, 1.0, unrun=unrun)
    d = outcome_to_dict(outcome(1, attempts=(a,)))
    assert d["attempts"][0]["unrun"] == unrun
    assert "unrun" not in outcome_to_dict(outcome(2))["attempts"][0]
    TinyDBMemory(path).record(outcome(1, attempts=(a,)))
    assert TinyDBMemory(path).get("req-1").attempts[0].unrun == unrun  # type: ignore[union-attr]
    d["attempts"][0]["unrun"] = 3  # not a string: ignored
    assert outcome_from_dict(d).attempts[0].unrun == ""


def test_round_trip_through_the_file(path: Path) -> None:
    o = outcome(7)
    TinyDBMemory(path).record(o)
    fresh = TinyDBMemory(path)
    assert fresh.get("req-7") == o
    assert fresh.get("req-7").attempts[0].tests_failed == 2  # type: ignore[union-attr]


def test_instruction_is_one_short_line_and_detail_no_test_output() -> None:
    long_first = "x" * 300
    d = outcome_to_dict(outcome(1, instruction=f"\n  {long_first}\nsecond line with code()"))
    assert d["instruction"] == "x" * INSTRUCTION_MAX_CHARS
    traceback = "2 failed\nTraceback:\n  def secret_code(): ..."
    a = Attempt("m", "fail", 0.0, 1.0, traceback)
    d = outcome_to_dict(outcome(1, attempts=(a,)))
    assert d["attempts"][0]["detail"] == "2 failed"
    assert outcome_to_dict(outcome(1, instruction="   \n "))["instruction"] is None


def test_odd_values_are_made_json_safe() -> None:
    a = Attempt("m", "error", float("nan"), float("inf"), score=float("nan"))
    o = outcome(1, attempts=(a,))
    o = attrs.evolve(o, meta={"p": Path("/x"), "n": float("inf"), "t": (1, 2)})
    d = json.loads(json.dumps(outcome_to_dict(o), allow_nan=False))
    assert d["attempts"][0]["costUsd"] is None and d["attempts"][0]["score"] is None
    assert d["meta"] == {"p": "/x", "n": None, "t": [1, 2]}


@pytest.mark.parametrize(
    "bad",
    [{}, {"requestId": 1, "time": 1.0, "kind": "k"}, {"requestId": "r", "time": "x", "kind": "k"}],
)
def test_outcome_from_dict_rejects_wrong_shape(bad: dict) -> None:
    with pytest.raises(ValueError):
        outcome_from_dict(bad)


# --------------------------------------------------------------------------- file store


def test_file_is_a_tinydb_store(path: Path) -> None:
    from tinydb import TinyDB  # the store must stay readable by tinydb itself

    m = TinyDBMemory(path, cap=10)
    for i in range(12):
        m.record(outcome(i))
    db = TinyDB(path, access_mode="r")
    try:
        assert len(db.table("records")) == m.count()
        assert {d["model"] for d in db.table("aggregates")} == {"gpt-5.4", "claude-sonnet-4-6"}
    finally:
        db.close()


def test_aggregates_survive_reload(path: Path) -> None:
    m = TinyDBMemory(path, cap=5)
    for i in range(9):
        m.record(outcome(i))
    fresh = TinyDBMemory(path, cap=5)
    assert fresh.aggregates() == m.aggregates() != []
    assert fresh.outcomes() == m.outcomes()


def test_other_writer_is_seen_and_reads_are_cached(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import acrouter.memory.store as memory_module

    mine, other = TinyDBMemory(path), TinyDBMemory(path)  # two editor windows
    mine.record(outcome(1))
    reads: list[Path] = []
    real_read = memory_module.read_file

    def counting_read(p: Path) -> tuple[dict, str]:
        reads.append(p)
        return real_read(p)

    monkeypatch.setattr(memory_module, "read_file", counting_read)
    assert mine.count() == 1
    assert mine.outcomes() and mine.get("req-1") and reads == []  # own write: nothing to read
    gen = mine.generation()
    other.record(outcome(2))
    assert mine.generation() != gen
    before = len(reads)
    assert [o.request_id for o in mine.outcomes()] == ["req-2", "req-1"]
    assert len(reads) == before + 1
    mine.outcomes(), mine.count(), mine.aggregates()
    assert len(reads) == before + 1  # generation unchanged: served from the cache
    assert mine.record(outcome(3))  # re-read under the lock: nothing of other's is lost
    assert {o.request_id for o in TinyDBMemory(path).outcomes()} == {"req-1", "req-2", "req-3"}


def test_corrupt_file_is_moved_aside(path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path.parent.mkdir(parents=True)
    path.write_text('{"records": {"1": {"requestId": "r", "ti', encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="acrouter.memory"):
        m = TinyDBMemory(path)
        assert m.outcomes() == []
    aside = list(path.parent.glob("memory.json.corrupt-*"))
    assert len(aside) == 1 and aside[0].name.split("corrupt-")[1].isdigit()
    assert aside[0].read_text(encoding="utf-8").startswith('{"records": {"1"')
    assert any("corrupt" in r.getMessage() and r.levelno == logging.WARNING for r in caplog.records)
    assert m.record(outcome(1))
    assert len(stored_json(path)["records"]) == 1


@pytest.mark.parametrize(
    "content",
    ["[1, 2]", '{"records": {"1": "x"}}', '{"records": {"a": {}}}', '{"records": {"1": {}}}'],
)
def test_wrong_shape_is_moved_aside_on_write(
    path: Path, content: str, caplog: pytest.LogCaptureFixture
) -> None:
    path.parent.mkdir(parents=True)
    path.write_text(content, encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="acrouter.memory"):
        assert TinyDBMemory(path).record(outcome(1))  # the write path finds it first
    (aside,) = path.parent.glob("memory.json.corrupt-*")
    assert aside.read_text(encoding="utf-8") == content  # never overwritten
    assert [r["requestId"] for r in stored_json(path)["records"].values()] == ["req-1"]
    assert "corrupt" in caplog.text


def test_file_corrupted_later_keeps_state_then_moves_aside(path: Path) -> None:
    m = TinyDBMemory(path)
    m.record(outcome(1))
    path.write_text("garbage", encoding="utf-8")
    assert m.outcomes() == []  # moved aside: a fresh store, not the stale cache
    assert len(list(path.parent.glob("memory.json.corrupt-*"))) == 1
    m.record(outcome(2))
    assert [o.request_id for o in TinyDBMemory(path).outcomes()] == ["req-2"]


def test_empty_file_is_an_empty_store(path: Path) -> None:
    path.parent.mkdir(parents=True)
    path.write_bytes(b"")
    m = TinyDBMemory(path)
    assert m.outcomes() == [] and m.record(outcome(1)) and m.count() == 1
    assert not list(path.parent.glob("memory.json.corrupt-*"))


def test_the_default_lock_timeout_is_two_seconds(path: Path) -> None:
    assert TinyDBMemory(path).lock_timeout_s == 2.0


def test_locked_file_record_returns_false_while_held_and_succeeds_after_release(
    path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    m = TinyDBMemory(path, lock_timeout_s=0.05)
    holder = hold_lock(path)
    try:
        with caplog.at_level(logging.WARNING, logger="acrouter.memory"):
            assert m.record(outcome(1)) is False  # gave up: the lock is still held
        assert holder.poll() is None  # ... by the other process, which never let go
        assert "locked" in caplog.text
        assert not path.exists()
    finally:
        holder.kill()
        holder.wait()
    assert m.record(outcome(1)) is True  # released: the same write goes through
    assert [o.request_id for o in TinyDBMemory(path).outcomes()] == ["req-1"]


def test_locked_file_reads_keep_last_state_and_writes_resume(path: Path) -> None:
    m = TinyDBMemory(path, lock_timeout_s=0.3)
    m.record(outcome(1))
    other = TinyDBMemory(path, lock_timeout_s=0.3)
    holder = hold_lock(path)
    try:
        # a writer thread waiting for the lock does not hold up reads in this process
        waiting = TinyDBMemory(path, lock_timeout_s=120)
        waiting.outcomes()
        asked = threading.Event()
        acquire = waiting._lock.acquire

        def observed_acquire(timeout_s: float) -> bool:
            asked.set()  # the writer is now waiting for the file lock
            return acquire(timeout_s)

        waiting._lock.acquire = observed_acquire  # type: ignore[method-assign]
        writer = threading.Thread(target=waiting.record, args=(outcome(9),))
        writer.start()
        assert asked.wait(60)
        assert [o.request_id for o in waiting.outcomes()] == ["req-1"]
        assert writer.is_alive()  # the read finished while the writer still waits for the lock
        assert other.record(outcome(2)) is False
        assert [o.request_id for o in m.outcomes()] == ["req-1"]
        assert other.get("req-1") == outcome(1)
        with pytest.raises(MemoryBusyError):
            m.reset()
    finally:
        holder.kill()
        holder.wait()
    writer.join()  # the lock is free: the waiting writer goes through
    assert other.record(outcome(2)) is True
    assert [o.request_id for o in m.outcomes()] == ["req-9", "req-2", "req-1"]


def test_failed_write_leaves_file_intact(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    m = TinyDBMemory(path)
    m.record(outcome(1))
    before = path.read_bytes()

    def broken_replace(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    assert m.record(outcome(2)) is False
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert not list(path.parent.glob(".memory.json.*.tmp"))
    assert [o.request_id for o in m.outcomes()] == ["req-1"]  # the failed one is not shown
    assert m.record(outcome(3))
    assert [o.request_id for o in TinyDBMemory(path).outcomes()] == ["req-3", "req-1"]


def test_temp_files_of_killed_writers_are_swept(path: Path) -> None:
    path.parent.mkdir(parents=True)
    leftover = path.parent / ".memory.json.abc123.tmp"
    leftover.write_text("{half", encoding="utf-8")
    unrelated = path.parent / "notes.tmp"
    unrelated.write_text("mine", encoding="utf-8")
    TinyDBMemory(path).record(outcome(1))
    assert not leftover.exists() and unrelated.exists()


def test_threads_sharing_an_instance_and_a_file(path: Path) -> None:
    shared, second = TinyDBMemory(path, lock_timeout_s=30), TinyDBMemory(path, lock_timeout_s=30)
    results: list[bool] = []

    def write(m: TinyDBMemory, base: int) -> None:
        for i in range(15):
            results.append(m.record(outcome(base + i)))

    threads = [
        threading.Thread(target=write, args=(m, k * 100))
        for k, m in enumerate([shared, shared, second, second])
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [True] * 60
    assert TinyDBMemory(path).count() == 60
    assert len(stored_json(path)["records"]) == 60


def test_cap_must_be_positive(path: Path) -> None:
    with pytest.raises(ValueError):
        TinyDBMemory(path, cap=0)


# --------------------------------------------------------------------------- location


def test_default_memory_path_precedence(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert default_memory_path({"ACROUTER_HOME": "/a", "XDG_DATA_HOME": "/x"}) == Path(
        "/a/memory.json"
    )
    assert default_memory_path({"ACROUTER_HOME": "", "XDG_DATA_HOME": "/x"}) == Path(
        "/x/acrouter/memory.json"
    )
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("ACROUTER_HOME", raising=False)
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    assert default_memory_path() == tmp_path / ".local" / "share" / "acrouter" / "memory.json"
    monkeypatch.setenv("ACROUTER_HOME", str(tmp_path / "home"))
    assert default_memory_path() == tmp_path / "home" / "memory.json"


def test_incremental_encoder_writes_what_json_would() -> None:
    from acrouter.memory import Encoder  # the one hand-rolled piece of the file format

    records = {str(i): outcome_to_dict(outcome(i)) for i in range(1, 30)}
    data: dict = {"records": records, "aggregates": {"1": {"model": "m", "n": 1}}}
    encoder = Encoder()

    def same() -> bool:
        expected = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
        return encoder.encode(data) == expected

    assert same() and same()
    records["30"] = outcome_to_dict(outcome(30, instruction="naïve ünïcode"))  # appended
    assert same()
    del records["3"]  # compacted
    assert same()
    data["records"] = records = json.loads(json.dumps(records))  # re-read from disk
    assert same()
    records["7"] = {**records["7"], "kind": "algorithm"}  # replaced by another writer
    assert same()
    data.clear()
    assert encoder.encode(data) == b"{}"
