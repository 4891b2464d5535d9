"""What verifying an edit costs on real projects' own suites, against running the suite.

Sets up tinydb, more-itertools, python-slugify, cachetools and humanize from PyPI and
minimist from npm as their developers would (``real_projects``; the projects added for
``verify_trust.py``'s runners only with ``--only``), then measures, per project:

- **bare**: the test command run directly in the project folder;
- **warm**: ``acrouter verify`` with a no-op edit when the baseline (the run without the
  edit) is already cached: one sandboxed run;
- **cold**: the same with an empty cache: the baseline and the edited run side by side.

and prints the medians and the ratios verify / bare (targets: warm <= 1.2x, cold <= 1.6x).
Each verification is a fresh ``ProjectVerifier`` (as the editor makes one per request).

    .venv/bin/python benchmarks/verify_cost.py [--work DIR] [--repeat 5] [--bwrap PATH] [--xdist N]

``--xdist N`` runs the pytest projects' suites with pytest-xdist (``-n N`` in their
command, bare and verified): the cost of a parallel suite against the plain one.

``--bwrap`` picks the bubblewrap (default: ``bwrap`` on PATH).  Whether the workspace is
overlaid (bubblewrap >= 0.9) or copied is printed per row.  Downloads and set-up are
kept in ``--work`` and reused by later runs (default: ``acrouter-verify-cost-<uid>`` in
the temporary directory, the current user's own; a folder another user owns is refused).
The network is used only here, at benchmark time, and only to reach PyPI and npm.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from acrouter.domain import Edit, Task
from acrouter.verifier import ProjectVerifier
from acrouter.verifier.bwrap import overlay_works
from real_projects import (
    PROJECTS,
    Project,
    fetch,
    prepare_work,
    project_arguments,
    release,
    with_xdist,
)


def bare(project: Project, root: Path) -> float:
    t0 = time.perf_counter()
    res = subprocess.run(
        project.command,
        shell=True,
        cwd=root,
        capture_output=True,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    elapsed = time.perf_counter() - t0
    if res.returncode != 0:
        tail = (
            res.stdout.decode(errors="replace")[-1500:] + res.stderr.decode(errors="replace")[-500:]
        )
        raise SystemExit(f"{project.name}: the suite fails without any edit:\n{tail}")
    return elapsed


def verify(
    project: Project, root: Path, cache: Path, bwrap: str, timeout: float
) -> tuple[float, str]:
    text = (root / project.edit_file).read_text(encoding="utf-8")
    verifier = ProjectVerifier(
        test_command=project.command, timeout_s=timeout, cache_dir=cache, bwrap=bwrap
    )
    task = Task(
        task_id="bench", kind="bug_fixing", workspace=str(root), test_command=project.command
    )
    t0 = time.perf_counter()
    v = verifier.verify(task, Edit(files={project.edit_file: text}), "bench")
    elapsed = time.perf_counter() - t0
    if v.verdict != "pass":
        raise SystemExit(f"{project.name}: a no-op edit did not pass: {v.verdict}: {v.detail}")
    return elapsed, v.detail


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    project_arguments(ap, "verify-cost")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument(
        "--xdist",
        default="",
        metavar="N",
        help="run the pytest suites with pytest-xdist: -n N added to their command "
        "(bare and verified alike; xdist installed into the project's .venv)",
    )
    args = ap.parse_args()
    prepare_work(args.work)
    rows = []
    for project in PROJECTS:
        if (args.only and project.name not in args.only) or (not args.only and not project.cost):
            continue
        root = fetch(project, args.work)
        project = with_xdist(project, root, args.xdist)
        version = release(root)
        mode = "overlay" if overlay_works(args.bwrap, str(root)) else "copy"
        bare(project, root)  # warm the page cache and the interpreter's bytecode
        bares, warms, colds = [], [], []
        detail = ""
        for _ in range(args.repeat):
            bares.append(bare(project, root))
            with tempfile.TemporaryDirectory(prefix="acr-cold-") as cache:
                elapsed, detail = verify(project, root, Path(cache), args.bwrap, args.timeout)
                colds.append(elapsed)
                warms.append(verify(project, root, Path(cache), args.bwrap, args.timeout)[0])
        b, w, c = (statistics.median(x) for x in (bares, warms, colds))
        rows.append((project.name, version, mode, b, w, c, detail))
        print(
            f"{project.name}: bare {b:.2f}s warm {w:.2f}s cold {c:.2f}s ({mode}; {detail})",
            file=sys.stderr,
            flush=True,
        )
    print()
    xdist = f"; pytest-xdist -n {args.xdist}" if args.xdist else ""
    print(
        f"bwrap: {args.bwrap}; median of {args.repeat} runs; no-op edit; a fresh verifier per run"
        + xdist
    )
    print()
    print(
        "| project | release | workspace | bare suite | verify warm | verify cold | warm / bare | cold / bare | tests (verdict detail) |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for name, version, mode, b, w, c, detail in rows:
        print(
            f"| {name} | {version} | {mode} | {b:.2f} s | {w:.2f} s | {c:.2f} s | "
            f"{w / b:.2f}x | {c / b:.2f}x | {detail} |"
        )
    if rows:
        gw = statistics.geometric_mean([r[4] / r[3] for r in rows])
        gc = statistics.geometric_mean([r[5] / r[3] for r in rows])
        print(
            f"| geometric mean | | | | | | {gw:.2f}x | {gc:.2f}x | targets: warm <= 1.2x, cold <= 1.6x |"
        )
    print(json.dumps({"rows": [r[:6] for r in rows]}), file=sys.stderr)


if __name__ == "__main__":
    main()
