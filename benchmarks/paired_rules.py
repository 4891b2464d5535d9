"""Two policy settings compared pair by pair (issue #15): evidence, not a test.

Usage (from the repository root)::

    .venv/bin/python benchmarks/paired_rules.py single --data DIR --runs 48 \\
        --b explore_index=gittins --b explore_discount=0.98 --b explore_concentration=0.5
    .venv/bin/python benchmarks/paired_rules.py lodo --runs 13 --b ...

``A`` is the defaults with every ``--a NAME=VALUE`` applied, ``B`` the defaults with every
``--b``.  A figure of one run is mostly the draw (which tasks come first, which samples
are drawn), so the two settings are run on the same draws and their difference per
draw is averaged, with its standard error:

- ``single``: the ``ood_dev`` stream of ``--data`` in its own order and ``--runs - 1``
  reorderings within each part (``ood_single_limits.reordered``; ``--start S``: orders
  S..S+runs-1, fresh ones); on each order, the mean CumReg of ``--seeds`` seeds (0..N-1,
  or from ``--seed-start``) of each setting (a setting without random draws,
  such as the Gittins index, gives the same figure for every seed).
- ``lodo``: every dimension of the bundled probing split held out in turn (priors: the
  other eight, the whole dimension streamed), in the file's order (run 0) and shuffled by
  ``random.Random(run)`` (as ``policy_eval.py lodo --lodo-shuffle``; ``--start S``: runs
  from S); one seed per run,
  the run's number, for both settings.  CumReg over the first 100 tasks of each dimension,
  summed, and over the whole dimensions.

Prints a line per run and the running paired mean every few runs; a gain is A minus B
(positive: B has less regret).
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "server"))

import ood_single_limits as osl
import policy_eval as pe
from acrouter.bench.metrics import TaskRecord
from acrouter.bench.replay import bench_models
from acrouter.coderouterbench import Dataset, load_bundled
from acrouter.domain import DIMENSIONS
from acrouter.policy import DEFAULT_PARAMS, PolicyParams, make_policy
from acrouter.policy.params import parse_override

FIRST = 100  # lodo: the first tasks of each held-out dimension


def params_of(items: Sequence[str]) -> PolicyParams:
    p = DEFAULT_PARAMS
    for item in items:
        p = parse_override(p, item)
    return p


def regret(params: PolicyParams, prior: Dataset, stream: Dataset, seed: int) -> list[TaskRecord]:
    pol = make_policy(
        prior, bench_models(stream), cost_weight=pe.COST_WEIGHT, seed=seed, params=params
    )
    recs, _, _ = pe.run(pol, prior, stream, budget=1, seed=seed)
    return recs


def paired(label: str, a: list[float], b: list[float]) -> str:
    gains = [x - y for x, y in zip(a, b, strict=True)]
    se = statistics.stdev(gains) / math.sqrt(len(gains)) if len(gains) > 1 else float("nan")
    return (
        f"{label}: A {statistics.mean(a):7.2f}  B {statistics.mean(b):7.2f}  "
        f"gain (A - B) {statistics.mean(gains):+6.2f}  se {se:5.2f}  runs {len(gains)}"
    )


def single(
    a: PolicyParams, b: PolicyParams, runs: int, seeds: int, start: int = 0, seed0: int = 0
) -> None:
    prior, stream = pe.splits("ood_dev")
    ra: list[float] = []
    rb: list[float] = []
    seed_list = range(seed0, seed0 + seeds)
    for k in range(start, start + runs):
        order = osl.reordered(stream, k)
        ra.append(
            statistics.mean(sum(r.regret for r in regret(a, prior, order, s)) for s in seed_list)
        )
        rb.append(
            statistics.mean(sum(r.regret for r in regret(b, prior, order, s)) for s in seed_list)
        )
        print(f"order {k:3d}: A {ra[-1]:6.2f}  B {rb[-1]:6.2f}", flush=True)
        if (k + 1 - start) % 8 == 0 or k + 1 == start + runs:
            print(paired(f"single, orders {start}..{k}", ra, rb), flush=True)


def lodo(a: PolicyParams, b: PolicyParams, runs: int, start: int = 0) -> None:
    ds = load_bundled()
    firsts: tuple[list[float], list[float]] = ([], [])
    wholes: tuple[list[float], list[float]] = ([], [])
    for run in range(start, start + runs):
        tot = [[0.0, 0.0], [0.0, 0.0]]  # per setting: first FIRST, whole
        for dim in DIMENSIONS:
            stream = ds.where(lambda t, d=dim: t.dimension == d)
            if not len(stream):
                continue
            prior = ds.where(lambda t, d=dim: t.dimension != d)
            order = pe.shuffled(stream, run, True)
            for i, params in enumerate((a, b)):
                recs = regret(params, prior, order, run)
                tot[i][0] += sum(r.regret for r in recs[:FIRST])
                tot[i][1] += sum(r.regret for r in recs)
        for i in (0, 1):
            firsts[i].append(tot[i][0])
            wholes[i].append(tot[i][1])
        print(
            f"run {run:3d}: first {FIRST} A {tot[0][0]:6.1f}  B {tot[1][0]:6.1f} | "
            f"whole A {tot[0][1]:6.1f}  B {tot[1][1]:6.1f}",
            flush=True,
        )
        if run >= start + 1:
            print(paired(f"lodo first {FIRST}, runs {start}..{run}", *firsts), flush=True)
            print(paired(f"lodo whole,     runs {start}..{run}", *wholes), flush=True)


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("protocol", choices=("single", "lodo"))
    ap.add_argument("--data", type=Path, help="folder holding the ood_dev split (single)")
    ap.add_argument("--runs", type=int, default=16, help="orders (single) or streams (lodo)")
    ap.add_argument("--seeds", type=int, default=3, help="single: seeds per order and setting")
    ap.add_argument(
        "--start",
        type=int,
        default=0,
        help="the first order (single) or stream (lodo): "
        "fresh draws for a test set up after earlier runs (0: the own order / file order)",
    )
    ap.add_argument("--seed-start", type=int, default=0, help="single: the first seed")
    ap.add_argument("--a", action="append", default=[], metavar="NAME=VALUE")
    ap.add_argument("--b", action="append", default=[], metavar="NAME=VALUE")
    args = ap.parse_args(argv)
    if args.runs < 2:
        ap.error("--runs must be at least 2 (a paired standard error needs two)")
    try:
        a, b = params_of(args.a), params_of(args.b)
    except ValueError as exc:
        ap.error(str(exc))
    print(f"A: defaults {' '.join(args.a)}\nB: defaults {' '.join(args.b)}")
    if args.protocol == "single":
        if args.data is None:
            ap.error("single needs --data DIR (a folder holding the ood_dev split)")
        pe.DATA = args.data
        single(a, b, args.runs, args.seeds, args.start, args.seed_start)
    else:
        lodo(a, b, args.runs, args.start)


if __name__ == "__main__":
    main()
