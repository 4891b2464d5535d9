"""Decision latency of the ACRouter policy with a large learned memory.

Usage (from the repository root)::

    .venv/bin/python benchmarks/policy_perf.py [--records 20000] [--decisions 3000]

Fits the policy on the bundled probing train part, then learns ``--records`` outcomes
(benchmark tasks with 1-3 attempts, and editor-like requests with instruction text in
200 workspaces, so the online cells and the retrieval memory fill up), then times
``plan()``: the first call (one-call budget and escalation budget) and escalation
steps after 1-2 failed attempts, on tasks it has not seen.  Prints p50/p99/max in ms
(wall clock, and thread CPU time, which a busy shared machine disturbs less), the
start-up (fit) time and the size of the online state.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "server"))

from acrouter.bench.replay import bench_models
from acrouter.coderouterbench import load_bundled, to_task
from acrouter.domain import Attempt, Outcome, Task
from acrouter.policy import make_policy

WORDS = [
    "fix",
    "the",
    "failing",
    "test",
    "in",
    "parser",
    "add",
    "a",
    "function",
    "that",
    "returns",
    "sorted",
    "unique",
    "values",
    "refactor",
    "this",
    "class",
    "to",
    "use",
    "dataclasses",
    "handle",
    "empty",
    "input",
    "raise",
    "ValueError",
    "when",
    "negative",
    "write",
    "unit",
    "tests",
    "for",
    "the",
    "cache",
    "layer",
    "optimise",
    "the",
    "loop",
    "rename",
    "variable",
    "async",
    "await",
    "http",
    "client",
    "retry",
    "json",
    "schema",
    "validation",
    "pandas",
    "dataframe",
    "groupby",
    "sql",
    "query",
    "index",
]
KINDS = ("bug_fixing", "code_generation", "code_refactoring", "test_generation")


def editor_task(rng: random.Random, i: int) -> Task:
    text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 30)))
    text += f"\n```python\ndef f(x):\n    return x + {rng.randint(0, 9)}\n```"
    return Task(
        task_id=f"req{i}",
        kind=rng.choice(KINDS),
        text=text,
        language="python",
        meta={"workspace_id": f"ws{rng.randrange(200)}", "kind_cue": "default"},
    )


def percentile(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(p / 100.0 * len(xs)))]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=20_000)
    ap.add_argument("--decisions", type=int, default=3_000)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    rng = random.Random(args.seed)

    ds = load_bundled()
    train = ds.where(lambda t: t.source_split == "train")
    val = ds.where(lambda t: t.source_split == "val")
    specs = bench_models(ds)
    names = [s.name for s in specs]

    t0 = time.perf_counter()
    policy = make_policy(train, specs, cost_weight=0.1, seed=args.seed)
    fit_s = time.perf_counter() - t0

    # ------------------------------------------------------------ learn N records
    t0 = time.perf_counter()
    bench_tasks = [to_task(bt) for bt in train.tasks]
    for i in range(args.records):
        if i % 2 == 0:
            task = bench_tasks[rng.randrange(len(bench_tasks))]
            task = Task(task_id=task.task_id, kind=task.kind, meta=task.meta)
        else:
            task = editor_task(rng, i)
        called = rng.sample(names, rng.randint(1, 3))
        attempts = []
        for m in called:
            score = rng.random() if rng.random() < 0.4 else float(rng.random() < 0.5)
            attempts.append(
                Attempt(m, "pass" if score >= 1 else "fail", rng.random() * 0.01, 0.0, score=score)
            )
        outcome = Outcome(
            request_id=task.task_id,
            time=float(i),
            kind=task.kind,
            attempts=tuple(attempts),
            final_model=attempts[-1].model,
            verified=attempts[-1].verdict == "pass",
            workspace_id=task.meta.get("workspace_id"),  # type: ignore[arg-type]
        )
        policy.learn(task, outcome)
    learn_s = time.perf_counter() - t0

    # ------------------------------------------------------------ time decisions
    fresh = [to_task(bt) for bt in val.tasks] + [editor_task(rng, 10**6 + i) for i in range(500)]
    timings: dict[str, list[float]] = {"single": [], "first": [], "escalate1": [], "escalate2": []}
    cpu: list[float] = []  # thread CPU time of every decision (robust to a busy machine)
    by_type: dict[str, list[float]] = {"benchmark task": [], "editor request": []}
    for i in range(args.decisions):
        task = fresh[i % len(fresh)]
        policy._ctx = None  # time a new request: nothing cached
        policy.configure_budget(1)
        t, c = time.perf_counter(), time.thread_time()
        policy.plan(task, names, ())
        timings["single"].append((time.perf_counter() - t) * 1000)
        cpu.append((time.thread_time() - c) * 1000)
        by_type["editor request" if task.text else "benchmark task"].append(timings["single"][-1])
        policy.configure_budget(len(names))
        policy._ctx = None  # time the escalation budget's first call from scratch too
        t, c = time.perf_counter(), time.thread_time()
        d = policy.plan(task, names, ())
        timings["first"].append((time.perf_counter() - t) * 1000)
        cpu.append((time.thread_time() - c) * 1000)
        tried: list[Attempt] = []
        for step in ("escalate1", "escalate2"):
            if d.model is None:
                break
            tried.append(Attempt(d.model, "fail", 0.001, 0.0))
            t, c = time.perf_counter(), time.thread_time()
            d = policy.plan(task, names, tuple(tried))
            timings[step].append((time.perf_counter() - t) * 1000)
            cpu.append((time.thread_time() - c) * 1000)

    print(f"fit (make_policy on {len(train)} tasks): {fit_s * 1000:.0f} ms")
    print(
        f"learned {args.records} outcomes in {learn_s:.1f} s ({learn_s / args.records * 1e6:.0f} us each)"
    )
    print(f"online groups: {len(policy.stats.online)}, retrieval records: {len(policy.retrieval)}")
    for name, xs in timings.items():
        if not xs:
            continue
        print(
            f"plan {name:10s} n={len(xs):5d}  p50 {statistics.median(xs):6.3f} ms  "
            f"p99 {percentile(xs, 99):6.3f} ms  max {max(xs):6.3f} ms"
        )
    for name, xs in by_type.items():
        print(
            f"single, {name:15s} n={len(xs):5d}  p50 {statistics.median(xs):6.3f} ms  "
            f"p99 {percentile(xs, 99):6.3f} ms"
        )
    allx = [x for xs in timings.values() for x in xs]
    print(
        f"plan all        n={len(allx):5d}  p50 {statistics.median(allx):6.3f} ms  p99 {percentile(allx, 99):6.3f} ms  (wall clock)"
    )
    print(
        f"plan all        n={len(cpu):5d}  p50 {statistics.median(cpu):6.3f} ms  p99 {percentile(cpu, 99):6.3f} ms  (thread CPU time)"
    )


if __name__ == "__main__":
    main()
