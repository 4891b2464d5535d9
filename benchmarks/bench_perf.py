"""Wall time of the CodeRouterBench replay: every router, ``single`` protocol, 3,000 tasks.

Stream = the first 3,000 tasks of the bundled probing split (file order); priors = the
other 4,080 tasks (disjoint, so nothing is fitted on the stream).  Each router runs
through the production Orchestrator with a fresh in-memory Memory, exactly as
``acrouter bench`` does; the time per router includes fitting it on the priors.
Target: <= 30 s in total on a 2-core machine.

    .venv/bin/python benchmarks/bench_perf.py [--tasks N] [--protocol single|escalate]
"""

from __future__ import annotations

import argparse
import sys
import time

from acrouter.bench.protocols import run_router
from acrouter.bench.registry import default_routers
from acrouter.coderouterbench import load_bundled


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tasks", type=int, default=3000)
    parser.add_argument("--protocol", choices=("single", "escalate"), default="single")
    args = parser.parse_args(argv)

    t0 = time.perf_counter()
    data = load_bundled()
    load_s = time.perf_counter() - t0
    stream_ids = {t.task_id for t in data.tasks[: args.tasks]}
    stream = data.where(lambda t: t.task_id in stream_ids)
    prior = data.where(lambda t: t.task_id not in stream_ids)
    routers = default_routers(args.protocol, data.models)
    print(f"load bundled probing split: {load_s:.2f} s ({len(data.tasks)} tasks)")
    print(
        f"stream {len(stream.tasks)} tasks, priors {len(prior.tasks)} tasks, "
        f"protocol {args.protocol}, {len(routers)} routers"
    )
    total = 0.0
    cpu0 = time.process_time()
    for name in routers:
        t = time.perf_counter()
        run = run_router(name, prior, stream, protocol=args.protocol)
        dt = time.perf_counter() - t
        total += dt
        print(
            f"  {name:26s} {dt:6.2f} s  {len(stream.tasks) / dt:8,.0f} tasks/s  "
            f"CumReg {run.summary.cum_reg:8.1f}"
        )
    n = len(stream.tasks) * len(routers)
    cpu = time.process_time() - cpu0
    print(
        f"total routing: {total:.2f} s wall, {cpu:.2f} s CPU, for {n:,} task replays "
        f"({total / n * 1e6:.0f} us each)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
