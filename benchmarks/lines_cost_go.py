"""What ``go test``'s coverage (``-coverprofile -coverpkg=<the changed package>``, as
:mod:`acrouter.verifier.lines_go` adds it to the run with an edit) costs a Go module's
suite, and what it finds there; beside it, ``-coverpkg=./...`` (every package of the
module), which the verifier does not use.

No Go module proxy is reachable from this machine, so the module is generated: no
dependencies, ``--packages`` packages in a chain (each imports the one before it), each
with ``--files`` files of ``--funcs`` functions (a loop, a branch, a switch) and a test
file that calls the even-numbered ones and the package before it.  The command is
planned as the verifier plans it (``go test ./...`` gets ``-json``; the traced run also
the coverage flags, :func:`~acrouter.verifier.lines_gotrace.cover_argv`, through the script that
first asks ``go list`` where the changed package comes from, for an edit of
``p0/f0.go``, the package every other imports) and runs plain, traced, and with
``-coverpkg=./...``, in turn, ``--repeat`` times each, directly (no sandbox: its cost is
the same with and without), each with an empty ``GOCACHE`` as in the verifier (every
run gets a fresh home, so go neither reuses a build nor replays a test's result).  It prints the median wall time of each,
their ratios to the plain run, the profiles' sizes, and how many of the statement
lines of ``p0/f0.go`` the suite ran (what a pass would name as unrun if an edit changed
all of them).

    .venv/bin/python benchmarks/lines_cost_go.py [--packages 8] [--files 4] [--funcs 12] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "server"))

from acrouter.verifier.lines_go import packages, read_profile
from acrouter.verifier.lines_gotrace import LISTER, PROFILE, cover_argv, lister
from acrouter.verifier.runners import plan_command

FUNC = """\
// F{n} sums what it is given, by a rule of its own.
func F{n}(xs []int) int {{
	total := {n}
	for i, x := range xs {{
		if x%2 == 0 {{
			total += x * i
		}} else {{
			total -= x
		}}
	}}
	switch {{
	case total > 100:
		return total / 2
	case total < 0:
		return -total
	}}
	return total{prev}
}}
"""


def generate(root: Path, packages: int, files: int, funcs: int) -> None:
    """The module: p0 .. p{packages-1}, each importing the one before it."""
    (root / "go.mod").write_text("module example.com/bench\n\ngo 1.19\n")
    for p in range(packages):
        pkg = root / f"p{p}"
        pkg.mkdir()
        imp = f'import "example.com/bench/p{p - 1}"\n\n' if p else ""
        prev = f" + p{p - 1}.F0(xs)" if p else ""
        tests = [f'package p{p}\n\nimport "testing"\n']
        for f in range(files):
            body = "".join(
                FUNC.format(n=f * funcs + k, prev=prev if f == k == 0 else "") for k in range(funcs)
            )
            (pkg / f"f{f}.go").write_text(f"package p{p}\n\n{imp if f == 0 else ''}{body}")
            for k in range(0, funcs, 2):
                n = f * funcs + k
                tests.append(
                    f"\nfunc TestF{n}(t *testing.T) {{\n"
                    f'\tif F{n}([]int{{1, 2, 3, {n}}}) == -1 {{\n\t\tt.Fatal("F{n}")\n\t}}\n}}\n'
                )
        (pkg / f"p{p}_test.go").write_text("".join(tests))


def run(argv: tuple[str, ...], root: Path, cache: Path) -> float:
    shutil.rmtree(cache, ignore_errors=True)
    env = {**os.environ, "GOCACHE": str(cache), "GOFLAGS": "-mod=mod", "GOPROXY": "off"}
    start = time.perf_counter()
    done = subprocess.run(argv, check=False, cwd=root, env=env, capture_output=True, text=True)
    took = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"{' '.join(argv)} failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    return took


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--packages", type=int, default=8)
    ap.add_argument("--files", type=int, default=4)
    ap.add_argument("--funcs", type=int, default=12)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    if shutil.which("go") is None:
        sys.exit("go is not installed")
    version = subprocess.run(
        ["go", "version"], check=True, capture_output=True, text=True
    ).stdout.strip()
    with tempfile.TemporaryDirectory(prefix="lines-cost-go-") as tmp:
        root, out, cache = Path(tmp, "mod"), Path(tmp, "out"), Path(tmp, "gocache")
        root.mkdir()
        out.mkdir()
        generate(root, args.packages, args.files, args.funcs)
        plan = plan_command("go test ./...", str(out), root)
        edited = "p0/f0.go"
        pkgs = packages(root, [edited])
        traced = cover_argv(plan.argv, plan.runner, str(out), {}, pkgs)
        assert traced is not None
        # the script that asks go list where the package comes from first (as traced_spec)
        (out / LISTER).write_text(lister(str(out), pkgs), encoding="utf-8")
        every = tuple(
            a.replace("-coverpkg=example.com/bench/p0", "-coverpkg=./...") for a in traced
        )
        kinds = {"plain": plan.argv, "traced": traced, "./...": every}
        times: dict[str, list[float]] = {k: [] for k in kinds}
        sizes: dict[str, int] = {}
        for _ in range(args.repeat):
            for kind, argv in kinds.items():
                times[kind].append(run(argv, root, cache))
                if kind != "plain":
                    sizes[kind] = (out / PROFILE).stat().st_size
        text = (root / edited).read_text()
        found = read_profile(out, str(root), {edited: ("", text)})  # the ./... profile
        assert found is not None and found.changes
        lines = sum(len(c.statements) for c in found.changes)
        ran = len(found.lines[edited])
    medians = {k: statistics.median(v) for k, v in times.items()}
    functions = args.packages * args.files * args.funcs
    print(f"{version}; {args.packages} packages, {functions} functions, ", end="")
    print(f"an empty build cache, median of {args.repeat}")
    print(f"command: {' '.join(plan.argv)}")
    print(f"traced:  {' '.join(traced)}")
    print(f"{'':8} {'median s':>9} {'ratio':>6} {'profile':>10}  runs")
    for kind, took in medians.items():
        size = f"{sizes[kind] / 1024:7.0f} KB" if kind in sizes else ""
        each = ", ".join(f"{t:.2f}" for t in times[kind])
        print(f"{kind:8} {took:9.2f} {took / medians['plain']:5.2f}x {size:>10}  {each}")
    print(f"{edited}: the suite ran {ran} of its {lines} statement lines")


if __name__ == "__main__":
    main()
