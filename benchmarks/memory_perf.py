"""Write and load timings of the per-user routing memory (TinyDBMemory).

Records ``--records`` realistic outcomes one by one through ``TinyDBMemory.record``
(so compaction runs whenever the store passes ``--cap``), then times a cold load: a
fresh ``TinyDBMemory`` opening the file and reading ``outcomes()``.  Prints figures
and whether they meet the targets (write p95 <= 50 ms, load <= 300 ms); it is a
measurement, not a test.

    .venv/bin/python benchmarks/memory_perf.py             # 20,000 records, default cap
    .venv/bin/python benchmarks/memory_perf.py --cap 5000  # the cap first asked for
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from acrouter.domain import BENCHMARK_MODELS, DIMENSIONS, Attempt, Outcome
from acrouter.memory import DEFAULT_CAP, TinyDBMemory, outcome_to_dict

WRITE_P95_TARGET_MS = 50.0
LOAD_TARGET_MS = 300.0


def synthetic_outcome(i: int, rng: random.Random) -> Outcome:
    """An outcome shaped like an editor request's: 1-3 attempts, a why, an instruction."""
    models = rng.sample(BENCHMARK_MODELS, rng.choice((1, 1, 1, 2, 2, 3)))
    attempts = []
    for j, model in enumerate(models):
        passed = j == len(models) - 1 and rng.random() < 0.8
        n_pass, n_fail = (5, 0) if passed else (rng.randint(0, 4), rng.randint(1, 3))
        attempts.append(
            Attempt(
                model=model,
                verdict="pass" if passed else rng.choice(("fail", "fail", "error")),
                cost_usd=rng.uniform(0.0002, 0.03),
                latency_ms=rng.uniform(800, 40000),
                detail=f"{n_pass} passed, {n_fail} failed"
                + ("" if passed else ": test_edge_cases"),
                tests_passed=n_pass,
                tests_failed=n_fail,
                score=n_pass / (n_pass + n_fail),
            )
        )
    kind = rng.choice(DIMENSIONS)
    return Outcome(
        request_id=f"req-{i:06d}-{rng.getrandbits(32):08x}",
        time=time.time(),
        kind=kind,
        attempts=tuple(attempts),
        final_model=attempts[-1].model,
        verified=attempts[-1].verdict == "pass",
        why=(
            f"{models[0]} ranked first for {kind}: prior n=412 mean score 0.71, "
            f"personal 3 of 4 passed; expected reward 0.64 at $0.004"
        ),
        workspace_id=hashlib.sha256(f"/home/u/project{i % 7}".encode()).hexdigest()[:16],
        instruction="Fix the off-by-one error in the pagination helper so the last page shows",
        features=tuple(rng.getrandbits(20) for _ in range(16)),
        meta={"source": "editor", "language": rng.choice(("python", "typescript", "go"))},
    )


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def summary(name: str, ms: list[float]) -> str:
    return (
        f"{name:<28} n={len(ms):>6}  p50={pct(ms, 0.50):7.1f}  p95={pct(ms, 0.95):7.1f}  "
        f"p99={pct(ms, 0.99):7.1f}  max={max(ms):7.1f} ms"
    )


def json_mb_per_s() -> float:
    """This machine's json.loads speed, to scale the figures to another machine."""
    doc = json.dumps(
        {str(i): {"a": [1.5, 2, "xyz" * 10], "b": "hello", "c": i} for i in range(20000)}
    )
    best = min(_timed(lambda: json.loads(doc)) for _ in range(5))
    return len(doc) / 1e6 / best


def _timed(fn: Callable[[], object]) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--records", type=int, default=20000, help="outcomes recorded in total")
    ap.add_argument("--cap", type=int, default=DEFAULT_CAP, help="TinyDBMemory cap")
    ap.add_argument("--loads", type=int, default=5, help="cold loads to time")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--dir", type=Path, default=None, help="where to put the file (default: tmp)")
    args = ap.parse_args(argv)

    rng = random.Random(args.seed)
    outcomes = [synthetic_outcome(i, rng) for i in range(args.records)]
    size = statistics.mean(len(json.dumps(outcome_to_dict(o))) for o in outcomes[:500])
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        path = Path(tmp) / "memory.json"
        memory = TinyDBMemory(path, cap=args.cap)
        writes: list[float] = []
        cpu: list[float] = []
        t_all = time.perf_counter()
        for o in outcomes:
            t0, c0 = time.perf_counter(), time.process_time()
            if not memory.record(o):
                print("record() returned False", file=sys.stderr)
                return 1
            writes.append((time.perf_counter() - t0) * 1000.0)
            cpu.append((time.process_time() - c0) * 1000.0)
        total_s = time.perf_counter() - t_all
        memory.close()

        loads: list[float] = []
        for _ in range(args.loads):
            t0 = time.perf_counter()
            fresh = TinyDBMemory(path, cap=args.cap)
            n = len(fresh.outcomes())
            loads.append((time.perf_counter() - t0) * 1000.0)
        t0 = time.perf_counter()
        fresh.outcomes()
        cached_ms = (time.perf_counter() - t0) * 1000.0
        aggregates = fresh.aggregates()
        file_mb = path.stat().st_size / 1e6

    print(
        f"python {sys.version.split()[0]}  records={args.records}  cap={args.cap}  "
        f"(this machine: json.loads {json_mb_per_s():.0f} MB/s, load avg {_loadavg()})"
    )
    print(
        f"record JSON ~{size:.0f} bytes; final file {file_mb:.2f} MB, {n} records kept, "
        f"{len(aggregates)} aggregates holding {sum(a.n for a in aggregates)} attempts"
    )
    print(f"recording took {total_s:.1f} s")
    print(summary("write (all)", writes))
    steady = writes[min(args.cap, len(writes) - 1) :]
    print(summary("write (after cap reached)", steady))
    print(summary("write CPU time (all)", cpu))
    print(summary("cold load + outcomes()", loads))
    print(f"{'cached outcomes()':<28} {cached_ms:.2f} ms")
    w95, l50 = pct(writes, 0.95), pct(loads, 0.5)
    ok_w, ok_l = w95 <= WRITE_P95_TARGET_MS, l50 <= LOAD_TARGET_MS
    print(
        f"target write p95 <= {WRITE_P95_TARGET_MS:.0f} ms: {'OK' if ok_w else 'MISSED'} ({w95:.1f})"
    )
    print(
        f"target load (median) <= {LOAD_TARGET_MS:.0f} ms: {'OK' if ok_l else 'MISSED'} ({l50:.1f})"
    )
    return 0


def _loadavg() -> str:
    try:
        return " ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "n/a"


if __name__ == "__main__":
    raise SystemExit(main())
