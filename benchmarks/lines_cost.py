"""What tracing the edited files' lines costs a real test suite, and what it finds there.

For each Python project of ``real_projects`` (its own pytest suite, fetched from PyPI
once per work folder), the suite runs without and with the verifier's line tracer
(``verifier.lines``: ``-p acrouter_lines`` asking about every statement of the
project's ``edit_file``, as if an edit had changed them all, and of every module of its
package), alternately, ``--repeat`` times each, directly
(no sandbox: the sandbox's cost is the same with and without).  It prints the median
wall time of each, their ratio, and how many of ``edit_file``'s statements the suite
ran (what a pass would name as unrun if an edit changed all of them).

    .venv/bin/python benchmarks/lines_cost.py [--work DIR] [--repeat 3] [--only tinydb ...]
"""

from __future__ import annotations

import argparse
import ast
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "server"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from acrouter.verifier.lines import plugin_env, read_traced, statement_ranges
from real_projects import PROJECTS, default_work, fetch, prepare_work


def _run(root: Path, command: str, env: dict[str, str]) -> float:
    t0 = time.perf_counter()
    res = subprocess.run(
        command, shell=True, cwd=root, env=env, capture_output=True, text=True, check=False
    )
    took = time.perf_counter() - t0
    if res.returncode not in (0, 1):
        raise SystemExit(f"{command} in {root} exited {res.returncode}:\n{res.stdout[-2000:]}")
    return took


def _package_modules(root: Path, edit_file: str) -> list[str]:
    package = (root / edit_file).parent
    return sorted(str(p.relative_to(root)) for p in package.rglob("*.py"))


def _every_statement(root: Path, rel: str) -> list[int]:
    """Every line of every statement of the file: as if the edit changed them all."""
    try:
        tree = ast.parse((root / rel).read_text(encoding="utf-8"))
    except (SyntaxError, ValueError, OSError):
        return []
    return sorted({n for a, b in statement_ranges(tree) for n in range(a, b + 1)})


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--work", type=Path, default=default_work("lines-cost"))
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--only", nargs="*", default=None)
    args = ap.parse_args()
    work = prepare_work(args.work)
    projects = [
        p
        for p in PROJECTS
        if p.kind == "pypi" and p.runner == "pytest" and (not args.only or p.name in args.only)
    ]
    print(
        f"{'project':16} {'plain s':>8} {'edit file':>10} {'package':>8}  ratio (file / package)  edit file's statements run"
    )
    for project in projects:
        print(f"fetching {project.name} ...", file=sys.stderr, flush=True)
        root = fetch(project, work)
        base = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
        base.pop("PYTHONPATH", None)
        if project.name == "humanize":  # its suite needs these plugins; loaded by name
            base["PYTEST_ADDOPTS"] = "-p freezegun -p pytest_benchmark.plugin"
        times: dict[str, list[float]] = {"plain": [], "file": [], "package": []}
        found = None
        for _ in range(args.repeat):
            for kind in ("plain", "file", "package"):
                env = dict(base)
                with tempfile.TemporaryDirectory() as out:
                    if kind != "plain":
                        files = (
                            [project.edit_file]
                            if kind == "file"
                            else _package_modules(root, project.edit_file)
                        )
                        asked = {str(root / f): _every_statement(root, f) for f in files}
                        env.update(plugin_env(out, asked, env))
                    times[kind].append(_run(root, project.command, env))
                    if kind == "file":
                        found = read_traced(out, str(root))
        med = {k: statistics.median(v) for k, v in times.items()}
        tree = ast.parse((root / project.edit_file).read_text(encoding="utf-8"))
        ranges = statement_ranges(tree)
        ran = found.lines.get(project.edit_file, frozenset()) if found else frozenset()
        hit = sum(1 for r in ranges if any(r[0] <= n <= r[1] for n in ran))
        intact = (
            "" if found and found.intact else " (tracer lost!)" if found else " (no lines written!)"
        )
        print(
            f"{project.name:16} {med['plain']:8.2f} {med['file']:10.2f} {med['package']:8.2f}"
            f"  {med['file'] / med['plain']:.2f}x / {med['package'] / med['plain']:.2f}x"
            f"            {hit} of {len(ranges)} in {project.edit_file}{intact}",
            flush=True,
        )


if __name__ == "__main__":
    main()
