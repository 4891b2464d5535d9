"""What V8's coverage (``NODE_V8_COVERAGE``, :mod:`acrouter.verifier.lines_js`) costs a
real JavaScript test suite, and what it finds there.

For npm projects of ``real_projects`` (fetched from npm once per work folder), the
suite runs without and with ``NODE_V8_COVERAGE`` pointed at a fresh folder, alternately,
``--repeat`` times each, directly (no sandbox: its cost is the same with and without).
It prints the median wall time of each, their ratio, and how many of the code lines of
the project's ``edit_file`` the suite ran (what a pass would name as unrun if an edit
changed all of them), or "not measured" when the runner compiles the file from other
text (nyc's instrumentation, jest's wrapper and transform) so the coverage cannot be
mapped to its lines.  minimist runs twice: its own ``npm run tests-only`` (``nyc
tape``) and ``tape`` alone.

    .venv/bin/python benchmarks/lines_cost_js.py [--work DIR] [--repeat 3] [--only minimist ...]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "server"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from acrouter.verifier.lines_js import COVERAGE_DIR, COVERAGE_VAR, code_chars, read_coverage
from real_projects import PROJECTS, default_work, fetch, prepare_work, timed

#: (project, command): the project's own command, and minimist's tape without nyc
RUNS = (
    ("minimist", None),
    ("minimist", "npx tape 'test/**/*.js'"),
    ("sprintf-js", None),
    ("no-case", None),
)


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--work", type=Path, default=default_work("lines-cost-js"))
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--only", nargs="*", default=None)
    args = ap.parse_args()
    work = prepare_work(args.work)
    by_name = {p.name: p for p in PROJECTS}
    print(
        f"{'project':12} {'command':28} {'plain s':>8} {'traced s':>9} {'ratio':>6}  edit file's code lines run"
    )
    for name, command in RUNS:
        if args.only and name not in args.only:
            continue
        project = by_name[name]
        command = command or project.command
        print(f"fetching {name} ...", file=sys.stderr, flush=True)
        root = fetch(project, work)
        times: dict[str, list[float]] = {"plain": [], "traced": []}
        found = None
        text = (root / project.edit_file).read_text(encoding="utf-8")
        for _ in range(args.repeat):
            for kind in ("plain", "traced"):
                env = {k: v for k, v in os.environ.items() if k != COVERAGE_VAR}
                with tempfile.TemporaryDirectory() as out:
                    if kind == "traced":
                        (Path(out) / COVERAGE_DIR).mkdir()
                        env[COVERAGE_VAR] = str(Path(out) / COVERAGE_DIR)
                    times[kind].append(timed(root, command, env))
                    if kind == "traced":
                        found = read_coverage(out, str(root), {project.edit_file: text})
        med = {k: statistics.median(v) for k, v in times.items()}
        total = len(code_chars(text))
        if found is None:
            seen = "not measured (no workspace script in the coverage)"
        elif project.edit_file in found.unmeasured:
            seen = "not measured (the runner compiled other text)"
        else:
            seen = f"{len(found.lines[project.edit_file])} of {total} in {project.edit_file}"
        print(
            f"{name:12} {command[:28]:28} {med['plain']:8.2f} {med['traced']:9.2f}"
            f" {med['traced'] / med['plain']:5.2f}x  {seen}",
            flush=True,
        )


if __name__ == "__main__":
    main()
