"""``acrouter bench``: replay CodeRouterBench through the Orchestrator and report regret.

Data selection:

- no ``--data``: the bundled probing split; priors = its ``train`` part, stream = its
  ``val`` part (``lodo``: the whole split, one dimension held out at a time);
- ``--data DIR --split NAME``: stream = that split; priors = the whole bundled probing
  split unless ``--prior-data DIR [--prior-split NAME]`` is given.  Prior tasks that also
  appear in the stream are dropped from the prior.

Routers: all by default (the escalation cascades only with ``--protocol escalate``; asked
for explicitly in ``single`` they make their first call only).  Outputs go to ``--out``.
This module is the only one in the bench that writes to stdout (the final table).
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path
from typing import IO, TYPE_CHECKING

from acrouter.errors import AcrouterError

from . import PROTOCOLS

if TYPE_CHECKING:  # the bench modules are imported when the command runs, not at start-up
    from acrouter.coderouterbench import Dataset

log = logging.getLogger(__name__)


class ProgressBar:
    """Router name, tasks done/total and rate on stderr.

    On a terminal the line is redrawn in place; otherwise one line per finished stream.
    """

    WIDTH = 24

    def __init__(self, stream: IO[str] | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.current: str | None = None
        self.started = 0.0

    def __call__(self, name: str, done: int, total: int) -> None:
        now = time.perf_counter()
        if name != self.current:
            self.current, self.started = name, now
        elapsed = max(now - self.started, 1e-9)
        rate = done / elapsed
        if self.tty:
            filled = int(self.WIDTH * done / total) if total else self.WIDTH
            bar = "#" * filled + "-" * (self.WIDTH - filled)
            end = "\n" if done >= total else ""
            self.stream.write(f"\r{name[:34]:<34} [{bar}] {done}/{total} {rate:,.0f} tasks/s{end}")
            self.stream.flush()
        elif done >= total:
            self.stream.write(
                f"{name}: {done}/{total} tasks in {elapsed:.1f}s ({rate:,.0f} tasks/s)\n"
            )
            self.stream.flush()


DESCRIPTION = (
    "Replay CodeRouterBench through the production Orchestrator and report regret. "
    "Without --data: bundled probing data, priors = its train part, stream = its val part."
)


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "bench",
        help="replay CodeRouterBench through the router and report regret",
        description=DESCRIPTION,
    )
    configure(p)
    p.set_defaults(func=run)
    return p


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--data",
        type=Path,
        metavar="DIR",
        help="folder with NAME_tasks.jsonl, NAME_results_long.csv, models.json (.gz accepted)",
    )
    p.add_argument("--split", metavar="NAME", help="split NAME in --data (default: probing)")
    p.add_argument(
        "--protocol",
        choices=PROTOCOLS,
        default="single",
        help="single: one model per task; escalate: verify and escalate; "
        "lodo: leave one dimension out (default: single)",
    )
    p.add_argument(
        "--router",
        action="append",
        metavar="NAME",
        help="router to run (repeatable or comma-separated; default: all). "
        "Names: oracle, hindsight-source, hindsight-model, acrouter, random, always:<model>, "
        "dimension-best, paper-id, linucb, lints, knn, cascade2, cascade3, paper-ood-cascade",
    )
    p.add_argument("--prior-data", type=Path, metavar="DIR", help="folder of the prior split")
    p.add_argument("--prior-split", metavar="NAME", help="prior split NAME (default: probing)")
    p.add_argument("--seed", type=int, default=0, help="seed of random routers and noise")
    p.add_argument(
        "--verifier-noise",
        type=float,
        default=0.0,
        metavar="P",
        help="escalate: flip each verdict with probability P",
    )
    p.add_argument(
        "--cost-weight", type=float, default=0.1, metavar="W", help="reward = score - W x cost"
    )
    p.add_argument("--limit", type=int, metavar="N", help="only the first N tasks of the stream")
    p.add_argument(
        "--out",
        type=Path,
        default=Path("bench-out"),
        metavar="DIR",
        help="where the reports (report.md, report.html, summary.json) go (default: bench-out)",
    )


def _describe(data: Dataset, what: str) -> str:
    return f"{what} ({len(data.tasks)} tasks)"


LODO_PRIOR = ", minus the held-out dimension"


def select_data(args: argparse.Namespace) -> tuple[Dataset, Dataset, str, str, int]:
    """(prior, stream, prior description, stream description, skipped)."""
    from acrouter.coderouterbench import bundled_root, load_bundled, load_dataset

    lodo = args.protocol == "lodo"
    if args.data is None:
        if args.split not in (None, "probing"):
            raise AcrouterError("--split needs --data (the bundled data has only 'probing')")
        full = load_bundled()
        if lodo:
            stream, prior = full, full
            s_desc, p_desc = "bundled probing split", "bundled probing split"
        else:
            stream = full.where(lambda t: t.source_split == "val")
            prior = full.where(lambda t: t.source_split == "train")
            s_desc, p_desc = (
                "bundled probing, source_split=val",
                "bundled probing, source_split=train",
            )
        skipped = full.skipped
    else:
        split = args.split or "probing"
        stream = load_dataset(args.data, split)
        skipped = stream.skipped
        s_desc = f"{args.data} split {split}"
        if args.prior_data is not None or args.prior_split is not None:
            root = args.prior_data if args.prior_data is not None else bundled_root()
            prior = load_dataset(root, args.prior_split or "probing")
            p_desc = f"{root} split {args.prior_split or 'probing'}"
        else:
            prior = load_bundled()
            p_desc = "bundled probing split"
    if args.limit is not None:
        keep = {t.task_id for t in stream.tasks[: max(0, args.limit)]}
        stream = stream.where(lambda t: t.task_id in keep)
        s_desc += f", first {len(keep)}"
    if set(prior.models) != set(stream.models):
        raise AcrouterError(
            f"prior models {list(prior.models)} differ from the stream's {list(stream.models)}"
        )
    p_desc = _describe(prior, p_desc) + (LODO_PRIOR if lodo else "")
    return prior, stream, p_desc, _describe(stream, s_desc), skipped


def select_routers(args: argparse.Namespace, models: tuple[str, ...]) -> list[str]:
    from .registry import ESCALATION_ROUTERS, default_routers, router_names

    if not args.router:
        return default_routers(args.protocol, models)
    names = [n.strip() for item in args.router for n in item.split(",") if n.strip()]
    known = router_names(models)
    unknown = [n for n in names if n not in known]
    if unknown:
        raise AcrouterError(f"unknown router(s) {', '.join(unknown)}; known: {', '.join(known)}")
    if args.protocol != "escalate":
        for n in names:
            if n in ESCALATION_ROUTERS:
                log.warning(
                    "%s escalates; with --protocol %s it makes its first call only",
                    n,
                    args.protocol,
                )
    return list(dict.fromkeys(names))


def run(args: argparse.Namespace, stdout: IO[str] | None = None) -> int:
    from .chart import INSTALL_HINT
    from .protocols import run_all
    from .report import text_table, write_report
    from .tables import RunInfo, adaptation_table, lodo_matrix, results_table

    out = stdout if stdout is not None else sys.stdout
    try:
        if not 0.0 <= args.verifier_noise <= 1.0:
            raise AcrouterError(f"--verifier-noise must be in [0, 1], got {args.verifier_noise}")
        if args.verifier_noise and args.protocol != "escalate":
            log.warning("--verifier-noise only applies to --protocol escalate: ignored")
        prior, stream, p_desc, s_desc, skipped = select_data(args)
        if not stream.tasks:
            raise AcrouterError("the stream has no tasks")
        routers = select_routers(args, stream.models)
        runs = run_all(
            routers,
            prior,
            stream,
            protocol=args.protocol,
            seed=args.seed,
            cost_weight=args.cost_weight,
            noise=args.verifier_noise,
            progress=ProgressBar(),
        )
        info = RunInfo(
            protocol=args.protocol,
            stream=s_desc,
            prior=p_desc,
            seed=args.seed,
            cost_weight=args.cost_weight,
            noise=args.verifier_noise,
            skipped=skipped,
        )
        out.write(f"\nCodeRouterBench replay, protocol {args.protocol}: {s_desc}\n\n")
        out.write(text_table(results_table(runs)) + "\n\n")
        adapt = adaptation_table(runs)
        out.write(f"{adapt.title}: CumReg over the first tasks beside the whole stream\n\n")
        out.write(text_table(adapt) + "\n\n")
        if args.protocol == "lodo":
            matrix = lodo_matrix(runs, stream, args.cost_weight)
            out.write(f"{matrix.title}: {matrix.caption}\n\n")
            out.write(text_table(matrix) + "\n\n")
        out.flush()
        paths = write_report(args.out, runs, info, stream)
    except AcrouterError as exc:
        sys.stderr.write(f"acrouter bench: {exc}\n")
        return 2
    if "chart" not in paths:  # the bench extra is optional: everything else was written
        out.write(f"chart not drawn: {INSTALL_HINT}\n")
    out.write(f"report: {paths['html'].resolve()}\n")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Stand-alone entry point (``acrouter bench`` is the usual one)."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    parser = argparse.ArgumentParser(prog="acrouter bench", description=DESCRIPTION)
    configure(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
