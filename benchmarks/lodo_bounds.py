"""How low can lodo's first-100 CumReg go?  Bounds that read the truth, for scale.

Usage (from the repository root)::

    .venv/bin/python benchmarks/lodo_bounds.py [--first 100] [--explore 5,10,14,20]

In ``acrouter bench --protocol lodo`` each dimension is streamed to a router that has no
prior for it.  Per held-out dimension, over its first ``--first`` tasks (stream order,
the whole bundled probing split, as the bench does), this prints the CumReg of:

- ``hindsight``: the best single model for those tasks, chosen on them (the report's
  "best single model in hindsight");
- ``explore E``: a genie that calls a uniformly random model (its expected regret) on the
  first E tasks and then, from task E+1 on, the hindsight-best model, as if E tasks had
  told it for sure which of the 8 models wins.  No learner can do this well: after E
  tasks it has seen one outcome per task, about E/8 per model, and still has to pay for
  its doubts afterwards.  The smallest E whose total reaches a target says how fast a
  router would have to identify the best model.

Bounds read the truth; they are no router (docs/benchmark-protocol.md, bandit feedback).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "server"))

from acrouter.coderouterbench import load_bundled
from acrouter.domain import DIMENSIONS

COST_WEIGHT = 0.1


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--first", type=int, default=100)
    ap.add_argument("--explore", default="5,10,14,20")
    args = ap.parse_args(argv)
    explore = [int(e) for e in args.explore.split(",")]
    ds = load_bundled()
    k = len(ds.models)
    header = f"{'dimension':20s} {'hindsight':>10s} " + " ".join(
        f"{'explore ' + str(e):>10s}" for e in explore
    )
    print(f"lodo, first {args.first} tasks of each held-out dimension (CumReg)")
    print(header)
    totals = [0.0] * (1 + len(explore))
    for dim in DIMENSIONS:
        tasks = [t for t in ds.tasks if t.dimension == dim][: args.first]
        if not tasks:
            continue
        rewards = [
            [s - COST_WEIGHT * c for s, c in zip(ds.scores[t.task_id], ds.costs[t.task_id])]
            for t in tasks
        ]
        oracle = [max(r) for r in rewards]
        best = max(range(k), key=lambda j: (sum(r[j] for r in rewards), -j))
        regret_best = [o - r[best] for o, r in zip(oracle, rewards)]
        regret_uniform = [o - sum(r) / k for o, r in zip(oracle, rewards)]
        row = [sum(regret_best)]
        for e in explore:
            row.append(sum(regret_uniform[:e]) + sum(regret_best[e:]))
        totals = [a + b for a, b in zip(totals, row)]
        print(f"{dim:20s} " + " ".join(f"{v:10.1f}" for v in row))
    print(f"{'total':20s} " + " ".join(f"{v:10.1f}" for v in totals))


if __name__ == "__main__":
    main()
