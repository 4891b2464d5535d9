"""Evaluate the ACRouter policy on the probing data through the production Orchestrator.

Usage (from the repository root)::

    .venv/bin/python benchmarks/policy_eval.py single
    .venv/bin/python benchmarks/policy_eval.py escalate [--noise 0.1]
    .venv/bin/python benchmarks/policy_eval.py lodo
    .venv/bin/python benchmarks/policy_eval.py all            # every target, one table
    .venv/bin/python benchmarks/policy_eval.py single --split holdout --seeds 0,1,2
    .venv/bin/python benchmarks/policy_eval.py escalate --set time_weight=1.0

Splits: ``val`` fits on the probing ``train`` part and streams ``val`` (the protocol's
reference setting); ``holdout`` never touches val: it fits on ~75% of train and streams
the other ~25% (md5 buckets of the task id), to check that hyper-parameters carry over.

Verdict noise draws: ``--noise-draw brief`` (default, see below) or ``bench`` (the
generator of ``acrouter bench``).  Accounting is the benchmark's (:mod:`acrouter.bench.metrics`): the final of a task is
the first passing attempt, else the best-scoring attempt ("best-verified").  ``acc``
columns use the policy's own accepted attempt instead.  Verdict noise flips each verdict
with probability p, drawn from ``random.Random`` seeded by
``sha256(f"{seed}|{task_id}|{model}")`` (the same draw for every router).

Baselines run through the same Orchestrator and replay: DimensionBest, the paper's ID
policy, the hindsight bounds, the reference cascades and the paper's OOD cascade.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "server"))

import attrs
from acrouter.app import build_replay_orchestrator
from acrouter.bench.metrics import TaskRecord, account, summarize
from acrouter.bench.registry import make_router
from acrouter.bench.replay import (
    VERIFIER_FLAGS,
    ReplayGateway,
    ReplayPrompts,
    bench_models,
    flip_draw,
)
from acrouter.coderouterbench import Dataset, load_bundled, load_dataset, to_task
from acrouter.domain import DIMENSIONS, Baseline, Edit, ModelSpec, Policy, Task, Verdict
from acrouter.memory import InMemoryMemory
from acrouter.policy import DEFAULT_PARAMS, PolicyParams, make_policy
from acrouter.policy.params import parse_override

COST_WEIGHT = 0.1
#: the policy's hyper-parameters for this run (``--set NAME=VALUE`` evolves them)
PARAMS: PolicyParams = DEFAULT_PARAMS


#: "brief": sha256(f"{seed}|{task_id}|{model}"); "bench": acrouter bench's own draw
NOISE_DRAW = "brief"


class NoisyVerifier:
    """pass iff score >= 1, flipped with probability ``noise`` (seeded per task and model)."""

    def __init__(self, truth: Dataset, noise: float, seed: int) -> None:
        self.truth = truth
        self.idx = {m: i for i, m in enumerate(truth.models)}
        self.noise = noise
        self.seed = seed

    def draw(self, task_id: str, model: str) -> float:
        if NOISE_DRAW == "bench":
            return flip_draw(self.seed, task_id, model)
        h = hashlib.sha256(f"{self.seed}|{task_id}|{model}".encode()).digest()
        return random.Random(int.from_bytes(h[:8], "big")).random()

    def prepare(self, task: Task, cancel: object = None) -> Baseline:
        return Baseline()  # replayed results need no pre-flight

    def verify(self, task: Task, edit: Edit, model: str, cancel: object = None) -> Verdict:
        score = self.truth.scores[task.task_id][self.idx[model]]
        ok = score >= 1.0
        if self.noise > 0 and self.draw(task.task_id, model) < self.noise:
            ok = not ok
        extras = self.truth.extras[task.task_id][self.idx[model]]  # OOD patch flags, as bench
        detail = " ".join(f"{k}={extras[k]}" for k in VERIFIER_FLAGS if extras.get(k) is not None)
        return Verdict("pass" if ok else "fail", detail=detail, score=score)


def run(
    policy: Policy,
    prior: Dataset,
    stream: Dataset,
    *,
    budget: int,
    noise: float = 0.0,
    seed: int = 0,
) -> tuple[list[TaskRecord], float, float]:
    """Records, seconds, and the CumReg under the policy's own accepted attempt."""
    specs = bench_models(stream)
    orch = build_replay_orchestrator(
        specs,
        policy,
        ReplayGateway(stream, specs),
        ReplayPrompts(),
        NoisyVerifier(stream, noise, seed),
        InMemoryMemory(),
        max_attempts=budget,
    )
    pos = {m: i for i, m in enumerate(stream.models)}
    records: list[TaskRecord] = []
    acc_reg = 0.0
    t0 = time.perf_counter()
    for bt in stream.tasks:
        result = orch.run(to_task(bt))
        rec = account(stream, result, COST_WEIGHT)
        records.append(rec)
        own = result.final_model or rec.final_model
        s_own = stream.scores[bt.task_id][pos[own]] if own else 0.0
        acc_reg += rec.oracle_reward - (s_own - COST_WEIGHT * rec.cost_usd)
    return records, time.perf_counter() - t0, acc_reg


#: ``--data DIR``: a folder holding further splits (e.g. CodeRouterBench's ``ood_dev``)
DATA: Path | None = None


def splits(name: str) -> tuple[Dataset, Dataset]:
    ds = load_bundled()
    if name not in ("val",) and not name.startswith("holdout"):
        # another split of --data (cold start: priors = the whole bundled probing split)
        if DATA is None:
            raise SystemExit(f"split {name!r} needs --data DIR")
        return ds, load_dataset(DATA, name)
    train = ds.where(lambda t: t.source_split == "train")
    if name == "val":
        return train, ds.where(lambda t: t.source_split == "val")
    if name.startswith("holdout"):
        salt = name[len("holdout") :]  # holdout, holdout1, holdout2...: other random splits

        def bucket(task_id: str) -> int:
            digest = hashlib.md5(f"{task_id}|holdout{salt}".encode()).hexdigest()
            return int(digest[:8], 16) % 100

        return (
            train.where(lambda t: bucket(t.task_id) >= 25),
            train.where(lambda t: bucket(t.task_id) < 25),
        )
    raise SystemExit(f"unknown split {name!r}")


def acrouter_factory(seed: int) -> Callable[[Dataset, Sequence[ModelSpec]], Policy]:
    def build(prior: Dataset, specs: Sequence[ModelSpec]) -> Policy:
        return make_policy(prior, specs, cost_weight=COST_WEIGHT, seed=seed, params=PARAMS)

    return build


def baseline_factory(name: str, seed: int, truth: Dataset | None = None) -> Callable[..., Policy]:
    def build(prior: Dataset, specs: Sequence[ModelSpec]) -> Policy:
        return make_router(name, prior, specs, seed, COST_WEIGHT, truth=truth)

    return build


def line(label: str, recs: list[TaskRecord], secs: float, acc: float | None = None) -> str:
    s = summarize(recs)
    extra = f"  acc-CumReg {acc:6.1f}" if acc is not None else ""
    firsts = "/".join(f"{sum(r.regret for r in recs[:k]):.1f}" for k in (10, 25, 50))
    return (
        f"{label:34s} AvgPerf {s.avg_perf:6.2f}  CumReg {s.cum_reg:6.1f} [10/25/50: {firsts}]  "
        f"USD {s.total_usd:6.2f}  "
        f"calls {s.calls_per_task:4.2f}{extra}  ({secs:4.1f}s)"
    )


def eval_single(args: argparse.Namespace) -> None:
    prior, stream = splits(args.split)
    print(f"== single  split={args.split}  prior={len(prior)}  stream={len(stream)}")
    if args.baselines:
        for name in ("dimension-best", "paper-id", "hindsight-source"):
            truth = stream if name.startswith("hindsight") else None
            recs, secs, _ = run(
                baseline_factory(name, 0, truth)(prior, bench_models(stream)),
                prior,
                stream,
                budget=1,
            )
            print(line(name, recs, secs))
    regs = []
    for seed in args.seed_list:
        pol = acrouter_factory(seed)(prior, bench_models(stream))
        recs, secs, _ = run(pol, prior, stream, budget=1, seed=seed)
        regs.append(summarize(recs).cum_reg)
        print(line(f"acrouter seed={seed}", recs, secs))
    if len(regs) > 1:
        print(
            f"acrouter CumReg over seeds: mean {sum(regs) / len(regs):.1f}  min {min(regs):.1f}  max {max(regs):.1f}"
        )


def eval_escalate(args: argparse.Namespace) -> None:
    prior, stream = splits(args.split)
    n_models = len(stream.models)
    print(f"== escalate  split={args.split}  noise={args.noise}  stream={len(stream)}")
    if args.baselines:
        for name in ("cascade2", "cascade3", "paper-ood-cascade"):
            for seed in args.seed_list if args.noise > 0 else args.seed_list[:1]:
                recs, secs, acc = run(
                    baseline_factory(name, seed)(prior, bench_models(stream)),
                    prior,
                    stream,
                    budget=n_models,
                    noise=args.noise,
                    seed=seed,
                )
                print(line(f"{name} seed={seed}", recs, secs, acc))
    regs = []
    for seed in args.seed_list:
        pol = acrouter_factory(seed)(prior, bench_models(stream))
        recs, secs, acc = run(pol, prior, stream, budget=n_models, noise=args.noise, seed=seed)
        regs.append(summarize(recs).cum_reg)
        print(line(f"acrouter seed={seed}", recs, secs, acc))
    if len(regs) > 1:
        print(
            f"acrouter CumReg over seeds: mean {sum(regs) / len(regs):.1f}  min {min(regs):.1f}  max {max(regs):.1f}"
        )


def shuffled(stream: Dataset, seed: int, shuffle: bool) -> Dataset:
    """``--lodo-shuffle``: seed ``s`` > 0 streams the held-out dimension in an order
    shuffled by ``random.Random(s)`` (seed 0 keeps the file's order), so that a policy
    that takes no random draws is measured over as many orders as another over seeds."""
    if not shuffle or seed == 0:
        return stream
    tasks = list(stream.tasks)
    random.Random(seed).shuffle(tasks)
    return attrs.evolve(stream, tasks=tuple(tasks))


def eval_lodo(args: argparse.Namespace) -> None:
    prior_all, stream_all = splits(args.split)
    if args.lodo_stream == "all":  # the whole held-out dimension (train + val)
        ds = load_bundled()
        prior_all, stream_all = ds, ds
    print(
        f"== lodo  split={args.split}  stream={args.lodo_stream}  (first {args.first} tasks of each dimension in brackets)"
    )
    header = f"{'dimension':20s} {'n':>4s} | {'acrouter':>15s} | {'dim-best(8)':>15s} | {'hindsight-model':>15s}"
    print(header)
    tot = {"acrouter": [0.0, 0.0], "dimension-best": [0.0, 0.0], "hindsight-model": [0.0, 0.0]}
    per_seed = [[0.0, 0.0] for _ in args.seed_list]  # acrouter's totals per seed
    for dim in DIMENSIONS:
        stream = stream_all.where(lambda t, d=dim: t.dimension == d)
        prior = prior_all.where(lambda t, d=dim: t.dimension != d)
        if not len(stream):
            continue
        specs = bench_models(stream)
        cells = []
        for name in ("acrouter", "dimension-best", "hindsight-model"):
            regs_full, regs_first = [], []
            seeds = args.seed_list if name == "acrouter" else args.seed_list[:1]
            for seed in seeds:
                if name == "acrouter":
                    pol = acrouter_factory(seed)(prior, specs)
                else:
                    pol = baseline_factory(
                        name, seed, stream if name == "hindsight-model" else None
                    )(prior, specs)
                recs, _, _ = run(
                    pol, prior, shuffled(stream, seed, args.lodo_shuffle), budget=1, seed=seed
                )
                regs_full.append(sum(r.regret for r in recs))
                regs_first.append(sum(r.regret for r in recs[: args.first]))
                if name == "acrouter":
                    i = args.seed_list.index(seed)
                    per_seed[i][0] += regs_full[-1]
                    per_seed[i][1] += regs_first[-1]
            full = sum(regs_full) / len(regs_full)
            first = sum(regs_first) / len(regs_first)
            tot[name][0] += full
            tot[name][1] += first
            cells.append(f"{full:6.1f} [{first:6.1f}]")
        print(f"{dim:20s} {len(stream):4d} | " + " | ".join(cells))
    print(
        f"{'total':20s} {'':4s} | " + " | ".join(f"{v[0]:6.1f} [{v[1]:6.1f}]" for v in tot.values())
    )
    if len(args.seed_list) > 1:
        # the spread over seeds is the yardstick for any change to the policy
        firsts = sorted(v[1] for v in per_seed)
        print(
            f"acrouter per seed {args.seed_list}: "
            + ", ".join(f"{v[0]:.1f} [{v[1]:.1f}]" for v in per_seed)
            + f"; first {args.first}: min {firsts[0]:.1f}, max {firsts[-1]:.1f}"
        )


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("protocol", choices=("single", "escalate", "lodo", "all"))
    ap.add_argument("--noise", type=float, default=0.0)
    ap.add_argument(
        "--noise-draw",
        choices=("brief", "bench"),
        default="brief",
        help="flip draws: sha256('seed|task|model') or acrouter bench's own generator",
    )
    ap.add_argument(
        "--split",
        default="val",
        help="val, holdout / holdout1 / holdout2 ..., or a split of --data (e.g. ood_dev)",
    )
    ap.add_argument("--data", type=Path, help="folder with further splits (NAME_tasks.jsonl ...)")
    ap.add_argument("--seeds", default="0")
    ap.add_argument("--no-baselines", dest="baselines", action="store_false")
    ap.add_argument("--lodo-stream", choices=("split", "all"), default="split")
    ap.add_argument(
        "--lodo-shuffle",
        action="store_true",
        help="lodo: seed s > 0 also shuffles each held-out dimension's stream (baselines: "
        "the first seed's order)",
    )
    ap.add_argument("--first", type=int, default=100)
    ap.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override a policy hyper-parameter (a field of acrouter.policy.PolicyParams, "
        "VALUE a Python literal)",
    )
    args = ap.parse_args(argv)
    args.seed_list = [int(s) for s in args.seeds.split(",")]
    global NOISE_DRAW, PARAMS, DATA
    NOISE_DRAW = args.noise_draw
    DATA = args.data
    for item in args.set:
        try:
            PARAMS = parse_override(PARAMS, item)
        except (ValueError, SyntaxError) as exc:
            raise SystemExit(str(exc)) from exc
        key = item.partition("=")[0].strip().lower()
        print(f"set {key} = {getattr(PARAMS, key)!r}")
    if args.protocol in ("single", "all"):
        eval_single(args)
    if args.protocol in ("escalate", "all"):
        eval_escalate(args)
        if args.protocol == "all":
            args.noise = 0.1
            eval_escalate(args)
            args.noise = 0.0
    if args.protocol in ("lodo", "all"):
        eval_lodo(args)


if __name__ == "__main__":
    main()
