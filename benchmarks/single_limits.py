"""What limits the `single` protocol on the development data: evidence for the note on #4.

Usage (from the repository root)::

    .venv/bin/python benchmarks/single_limits.py

Prints three things, all measured on the probing split:

1. **Is val different from train?**  For every (source benchmark, model) cell: the
   z-score of val's mean score against train's.  If val were drawn from the same
   distribution as train, z would be ~N(0, 1) (mean z^2 ~ 1, or lower since the two
   means share the pooled variance); a shift of the models' strengths would show as
   mean z^2 well above 1 and |z| > 3 cells.
2. **Static choices fitted on the prior part vs the hindsight bounds**, on val and on
   three train-internal holdouts (``holdout*``: fit on ~75% of train, stream the rest,
   the splits of ``benchmarks/policy_eval.py``): DimensionBest, the best model per source
   and per id shape chosen on the prior part, and the same chosen in hindsight on the
   stream.  Then the acrouter policy, and which share of the DimensionBest -> hindsight
   per source gap it closes.
3. **Where the policy's regret on val exceeds the per-source hindsight bound**, by source.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "server"))

import policy_eval as pe
from acrouter.bench.metrics import summarize
from acrouter.bench.replay import bench_models
from acrouter.coderouterbench import Dataset
from acrouter.policy.features import id_shape

CW = pe.COST_WEIGHT


def reward(ds: Dataset, task_id: str, j: int) -> float:
    return ds.scores[task_id][j] - CW * ds.costs[task_id][j]


def best_model(ds: Dataset, ids: list[str]) -> int:
    sums = [sum(reward(ds, t, j) for t in ids) for j in range(len(ds.models))]
    return max(range(len(sums)), key=lambda j: (sums[j], -j))  # ties: first listed


def static_regret(prior: Dataset, stream: Dataset, *keys) -> float:
    """CumReg of the rule 'the best model of the task's group on `prior`' on `stream`
    (`prior` is the stream itself for the hindsight bounds); `keys` finest first, a task
    whose group `prior` lacks falls back to the next key."""
    choices = []
    for key in keys:
        groups: dict[str, list[str]] = defaultdict(list)
        for bt in prior.tasks:
            groups[key(bt)].append(bt.task_id)
        choices.append((key, {g: best_model(prior, ids) for g, ids in groups.items()}))
    total = 0.0
    for bt in stream.tasks:
        j = next(c[key(bt)] for key, c in choices if key(bt) in c)
        oracle = max(reward(stream, bt.task_id, k) for k in range(len(stream.models)))
        total += oracle - reward(stream, bt.task_id, j)
    return total


def shape_key(bt) -> str:
    return f"{bt.source}:{id_shape(bt.task_id, bt.source)}"


def drift(prior: Dataset, stream: Dataset) -> None:
    by_p: dict[str, list[str]] = defaultdict(list)
    by_s: dict[str, list[str]] = defaultdict(list)
    for bt in prior.tasks:
        by_p[bt.source].append(bt.task_id)
    for bt in stream.tasks:
        by_s[bt.source].append(bt.task_id)
    zs = []
    for src, sids in by_s.items():
        pids = by_p.get(src, [])
        if len(pids) < 2 or len(sids) < 2:
            continue
        for j, m in enumerate(stream.models):
            a = [prior.scores[t][j] for t in pids]
            b = [stream.scores[t][j] for t in sids]
            var = statistics.pvariance(a + b)
            if var < 1e-12:
                continue
            z = (statistics.fmean(b) - statistics.fmean(a)) / math.sqrt(var / len(a) + var / len(b))
            zs.append((z, src, m))
    mean_z2 = sum(z * z for z, _, _ in zs) / len(zs)
    top = sorted(zs, key=lambda x: -abs(x[0]))[:5]
    print(
        f"1. val vs train, mean score per (source, model): {len(zs)} cells, mean z^2 = {mean_z2:.2f}, "
        f"|z| > 2: {sum(abs(z) > 2 for z, _, _ in zs)}, |z| > 3: {sum(abs(z) > 3 for z, _, _ in zs)}"
    )
    print("   largest shifts: " + ", ".join(f"{s} {m} z={z:+.2f}" for z, s, m in top))


def main(argv: list[str] | None = None) -> None:
    argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    ).parse_args(argv)  # no options: --help describes the run instead of starting it
    prior, stream = pe.splits("val")
    drift(prior, stream)
    print()
    print("2. CumReg on the stream (single protocol; prior = the fit part)")
    head = f"   {'split':9s} {'n':>5s} {'DimBest':>8s} {'src-fit':>8s} {'shape-fit':>9s} | {'hind-src':>8s} {'hind-shape':>10s} | {'acrouter':>8s} {'gap closed':>10s}"
    print(head)
    excess = None
    for split in ("val", "holdout", "holdout1", "holdout2"):
        p, s = pe.splits(split)
        dim = static_regret(p, s, lambda bt: bt.dimension)
        src = static_regret(p, s, lambda bt: bt.source, lambda bt: bt.dimension)
        shp = static_regret(p, s, shape_key, lambda bt: bt.source, lambda bt: bt.dimension)
        h_src = static_regret(s, s, lambda bt: bt.source)
        h_shp = static_regret(s, s, shape_key)
        pol = pe.acrouter_factory(0)(p, bench_models(s))
        recs, _, _ = pe.run(pol, p, s, budget=1)
        acr = summarize(recs).cum_reg
        closed = (dim - acr) / (dim - h_src) if dim > h_src else float("nan")
        print(
            f"   {split:9s} {len(s):5d} {dim:8.1f} {src:8.1f} {shp:9.1f} | {h_src:8.1f} {h_shp:10.1f} | {acr:8.1f} {100 * closed:9.0f}%"
        )
        if split == "val":
            excess = recs, s
    print()
    assert excess is not None
    recs, s = excess
    src_of = {bt.task_id: bt.source for bt in s.tasks}
    ours: dict[str, float] = defaultdict(float)
    for r in recs:
        ours[src_of[r.task_id]] += r.regret
    rows = []
    for src, regret in ours.items():
        sub = s.where(lambda bt, x=src: bt.source == x)
        rows.append((regret - static_regret(sub, sub, lambda bt: bt.source), src, regret))
    rows.sort(reverse=True)
    total = sum(r[0] for r in rows)
    print(
        f"3. acrouter's CumReg on val above the per-source hindsight bound: {total:.1f} in all; largest:"
    )
    for ex, src, own in rows[:6]:
        print(f"   {src:18s} acrouter {own:6.1f}  hindsight {own - ex:6.1f}  excess {ex:+6.1f}")


if __name__ == "__main__":
    main()
