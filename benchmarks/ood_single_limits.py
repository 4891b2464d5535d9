"""What limits the `single` protocol on an OOD stream (issue #15): evidence, not a test.

Usage (from the repository root)::

    .venv/bin/python benchmarks/ood_single_limits.py --data DIR [--split ood_dev]
        [--seeds 10] [--orders 7] [--set NAME=VALUE ...]

Prints four things, all on the split's stream, cold start (priors: the bundled probing
split), single protocol (one model per task, cost weight 0.1):

1. **The hindsight references per part** (a part is a source: the SWE-bench tasks, then
   the FeatureBench/LongCLI/SWE-CI ones): each model's CumReg if it were always called.
2. **How much of a figure is the draw**: the acrouter policy's CumReg for seeds
   0..N-1 on the stream in its own order and on reorderings within each part (the parts
   keep their order; task ``k`` of a reordering is a fixed shuffle per ``k``).
3. **What a cold start costs anyway**: simple learners that know nothing but the outcomes
   of their own calls (an independent Beta(a, a)-Bernoulli posterior of each model's pass
   rate, over the whole stream or per part; a model's cost known once it was called,
   before that the mean of the known ones): Thompson sampling, greedy, and UCB, on the
   same streams.  The policy should be compared with these, not only with the bound.
4. **Where acrouter's regret goes**: per part, its first 15 tasks and the rest, per model
   called (seeds 0..N-1, the stream's own order).

``--escalate`` adds, for comparison, the escalate protocol on the same orders (the policy
takes no samples there, so one run per order).  ``--bayes`` adds two Bayesian learners
(:mod:`bayes_learners`: models exchangeable, or deviating from the benchmark priors'
ranking) on the same orders, seeds 0..2 (a few minutes).
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import sys
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path

import attrs

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "server"))

import policy_eval as pe
from acrouter.bench.metrics import TaskRecord, summarize
from acrouter.bench.replay import bench_models
from acrouter.coderouterbench import Dataset
from acrouter.policy.params import parse_override

CW = pe.COST_WEIGHT
HEAD = 15  # "first tasks" of a part in section 4


def reward(ds: Dataset, task_id: str, j: int) -> float:
    return ds.scores[task_id][j] - CW * ds.costs[task_id][j]


def oracle(ds: Dataset, task_id: str) -> float:
    return max(reward(ds, task_id, j) for j in range(len(ds.models)))


def parts(ds: Dataset) -> dict[str, list[str]]:
    out: dict[str, list[str]] = defaultdict(list)
    for bt in ds.tasks:
        out[bt.source].append(bt.task_id)
    return dict(out)


def reordered(ds: Dataset, k: int) -> Dataset:
    """Order 0 is the stream's own; order k shuffles the tasks within each part."""
    if k == 0:
        return ds
    rng = random.Random(k)
    order: list[str] = []
    for ids in parts(ds).values():
        ids = list(ids)
        rng.shuffle(ids)
        order.extend(ids)
    pos = {t: i for i, t in enumerate(order)}
    return attrs.evolve(ds, tasks=tuple(sorted(ds.tasks, key=lambda bt: pos[bt.task_id])))


def references(ds: Dataset) -> None:
    print("1. Always one model: CumReg per part (lower is better; * = the part's best)")
    ps = parts(ds)
    print("   " + f"{'model':20s}" + "".join(f"{p:>10s}" for p in ps) + f"{'all':>10s}")
    table = {
        m: [sum(oracle(ds, t) - reward(ds, t, j) for t in ids) for ids in ps.values()]
        for j, m in enumerate(ds.models)
    }
    best = [min(v[i] for v in table.values()) for i in range(len(ps))]
    for m, regs in table.items():
        cells = "".join(f"{r:9.1f}{'*' if r == b else ' '}" for r, b in zip(regs, best))
        print(f"   {m:20s}{cells}{sum(regs):9.1f}")
    print(f"   best model per part in hindsight: {sum(best):.1f}")


def acrouter_runs(
    prior: Dataset, stream: Dataset, seeds: int, orders: int
) -> dict[int, list[list[TaskRecord]]]:
    specs = bench_models(stream)
    runs: dict[int, list[list[TaskRecord]]] = {}
    for k in range(orders + 1):
        st = reordered(stream, k)
        runs[k] = []
        for seed in range(seeds):
            pol = pe.acrouter_factory(seed)(prior, specs)
            recs, _, _ = pe.run(pol, prior, st, budget=1, seed=seed)
            runs[k].append(recs)
    return runs


def cum(recs: Sequence[TaskRecord]) -> float:
    return sum(r.regret for r in recs)


def draw(runs: dict[int, list[list[TaskRecord]]]) -> None:
    own = [cum(r) for r in runs[0]]
    print("2. acrouter: CumReg by seed, the stream's own order and reorderings within parts")
    print(f"   own order, seeds 0..{len(own) - 1}: " + " ".join(f"{x:.1f}" for x in own))
    print(f"   own order: mean {statistics.fmean(own):.1f}", end="")
    if len(own) >= 10:
        print(
            f" (seeds 0..4: {statistics.fmean(own[:5]):.1f}, seeds 5..9: {statistics.fmean(own[5:10]):.1f})",
            end="",
        )
    print()
    others = [statistics.fmean(cum(r) for r in rs) for k, rs in runs.items() if k]
    if others:
        every = [cum(r) for rs in runs.values() for r in rs]
        sd = statistics.pstdev(every)
        print(
            "   reorderings: " + " ".join(f"{x:.1f}" for x in others) + f"; mean of all "
            f"{len(every)} runs {statistics.fmean(every):.1f} (sd of one run {sd:.1f})"
        )


Learner = Callable[[list[list[float]], int, random.Random], float]


def _ts(cell: list[float], total: int, rng: random.Random) -> float:
    return rng.betavariate(cell[0], cell[1])


def _greedy(cell: list[float], total: int, rng: random.Random) -> float:
    return cell[0] / (cell[0] + cell[1])


def _ucb(cell: list[float], total: int, rng: random.Random) -> float:
    n = cell[0] + cell[1]
    return cell[0] / n + 0.5 * math.sqrt(2.0 * math.log(1 + total) / n)


LEARNERS: dict[str, Callable[[list[float], int, random.Random], float]] = {
    "Thompson": _ts,
    "greedy": _greedy,
    "UCB": _ucb,
}


def simple_learner(
    ds: Dataset,
    index: Callable[[list[float], int, random.Random], float],
    a: float,
    *,
    per_part: bool,
    seed: int,
) -> float:
    """CumReg of a learner that sees only its own calls: per model [a + passes, a + fails,
    cost sum, calls]; value = index - cost weight x cost (known cost, else the mean known)."""
    rng = random.Random(seed)
    m = len(ds.models)
    cells: dict[str, list[list[float]]] = {}
    total = 0.0
    for bt in ds.tasks:
        st = cells.setdefault(bt.source if per_part else "*", [[a, a, 0.0, 0] for _ in range(m)])
        known = [c[2] / c[3] for c in st if c[3]]
        default = statistics.fmean(known) if known else 0.0
        calls = sum(int(c[3]) for c in st)
        values = [index(c, calls, rng) - CW * (c[2] / c[3] if c[3] else default) for c in st]
        j = max(range(m), key=lambda i: (values[i], -i))
        score, cost = ds.scores[bt.task_id][j], ds.costs[bt.task_id][j]
        st[j][0] += score
        st[j][1] += 1.0 - score
        st[j][2] += cost
        st[j][3] += 1
        total += oracle(ds, bt.task_id) - (score - CW * cost)
    return total


def cold_start(stream: Dataset, seeds: int, orders: int) -> None:
    print("3. Learners that know only their own calls (mean CumReg over the same streams)")
    for name, index in LEARNERS.items():
        reps = seeds if name == "Thompson" else 1
        for per_part in (False, True):
            cells = []
            for a in (0.5, 1.0, 2.0):
                regs = [
                    simple_learner(reordered(stream, k), index, a, per_part=per_part, seed=s)
                    for k in range(orders + 1)
                    for s in range(reps)
                ]
                cells.append(f"Beta({a:g},{a:g}) {statistics.fmean(regs):5.1f}")
            scope = "per part" if per_part else "whole stream"
            print(f"   {name:8s} {scope:12s} " + "   ".join(cells))


def where(stream: Dataset, runs: list[list[TaskRecord]]) -> None:
    print(
        f"4. acrouter's CumReg by part, its first {HEAD} tasks / the rest, per model called "
        f"(mean per seed; calls in brackets)"
    )
    src = {bt.task_id: bt.source for bt in stream.tasks}
    agg: dict[tuple[str, str, str], list[float]] = defaultdict(lambda: [0.0, 0.0])
    for recs in runs:
        seen: dict[str, int] = defaultdict(int)
        for r in recs:
            p = src[r.task_id]
            phase = "first" if seen[p] < HEAD else "rest"
            seen[p] += 1
            cell = agg[(p, phase, r.final_model or "none")]
            cell[0] += r.regret / len(runs)
            cell[1] += 1 / len(runs)
    for p in parts(stream):
        for phase in ("first", "rest"):
            rows = sorted(
                ((v[0], v[1], m) for (pp, ph, m), v in agg.items() if pp == p and ph == phase),
                reverse=True,
            )
            total = sum(r[0] for r in rows)
            detail = ", ".join(f"{m} {reg:.1f} ({n:.1f})" for reg, n, m in rows)
            print(f"   {p:8s} {phase:5s} {total:5.1f}: {detail}")


def escalate(prior: Dataset, stream: Dataset, orders: int) -> None:
    print("5. escalate on the same orders (CumReg / $): own order, then the reorderings")
    specs = bench_models(stream)
    regs, usd = [], []
    for k in range(orders + 1):
        pol = pe.acrouter_factory(0)(prior, specs)
        recs, _, _ = pe.run(pol, prior, reordered(stream, k), budget=len(stream.models))
        s = summarize(recs)
        regs.append(s.cum_reg)
        usd.append(s.total_usd)
    print("   " + " ".join(f"{r:.1f}/${u:.0f}" for r, u in zip(regs, usd)))
    print(f"   mean {statistics.fmean(regs):.1f} / ${statistics.fmean(usd):.2f}")


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--data", type=Path, required=True)
    ap.add_argument("--split", default="ood_dev")
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--orders", type=int, default=7, help="reorderings besides the own order")
    ap.add_argument("--set", action="append", default=[], metavar="NAME=VALUE")
    ap.add_argument("--escalate", action="store_true", help="also escalate on the same orders")
    ap.add_argument("--bayes", action="store_true", help="also two Bayesian learners (slow)")
    args = ap.parse_args(argv)
    pe.DATA = args.data
    for item in args.set:
        pe.PARAMS = parse_override(pe.PARAMS, item)
        print(f"set {item}")
    prior, stream = pe.splits(args.split)
    references(stream)
    print()
    runs = acrouter_runs(prior, stream, args.seeds, args.orders)
    draw(runs)
    print()
    cold_start(stream, args.seeds, args.orders)
    print()
    where(stream, runs[0])
    if args.escalate:
        print()
        escalate(prior, stream, args.orders)
    if args.bayes:
        import bayes_learners

        print()
        orders = [reordered(stream, k) for k in range(args.orders + 1)]
        bayes_learners.report(prior, orders, min(args.seeds, 3), oracle, CW)


if __name__ == "__main__":
    main()
