"""What tracing the edited files' lines costs a real test suite, and what it finds there.

For each Python project of ``real_projects`` (its own pytest suite, or its
``python -m unittest`` suite in a venv without pytest: jsonpointer, simplejson; fetched
from PyPI once per work folder), the suite runs without the verifier's line tracer and
with it (``verifier.lines_trace.plugin_env``: our ``sitecustomize`` starts it in every
Python process, and pytest's ``-p acrouter_lines`` finds it started), alternately, ``--repeat`` times each,
directly (no sandbox: the sandbox's cost is the same with and without).  The tracer
asks about: ``ran``, the statements of the project's ``edit_file`` that the suite runs
(an edit whose changed statements all run: tracing stops once they all ran); ``file``,
every statement of ``edit_file`` (as if an edit changed them all, some no test runs:
tracing goes on to the end); ``package``, every statement of every module of its
package.  It prints the plain run's median wall time, each traced median as a ratio to
it, and how many of ``edit_file``'s statements the suite ran.

``--python PATH`` sets the projects up with another interpreter (their ``.venv`` is made
with it, in a work folder of its own).  On Python 3.12 and newer the plugin watches with
``sys.monitoring``; there each row is measured twice, as the plugin runs (``monitoring``)
and with the ``sys.settrace`` tracer of older Pythons (``ACROUTER_LINES_TRACER=settrace``),
alternately in the same loop, so the two compare on the same machine load.

Every Python process of the run starts the tracer (a test's ``subprocess`` too): first it
prints what that costs a process, the median wall time of ``--starts`` runs of ``python
-c pass`` plain and traced (asked about one file's statements), alternately: with the
tracer's modules compiled by each process (``PYTHONDONTWRITEBYTECODE``) and with their
bytecode cached beside them.

    .venv/bin/python benchmarks/lines_cost.py [--work DIR] [--repeat 3] [--only tinydb ...]
        [--python /path/to/python3.13] [--starts 40]
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
from real_projects import PROJECTS, default_work, fetch, prepare_work, timed


def _package_modules(root: Path, edit_file: str) -> list[str]:
    package = (root / edit_file).parent
    return sorted(str(p.relative_to(root)) for p in package.rglob("*.py"))


def _statements(root: Path, rel: str) -> list[tuple[int, int]]:
    """Every statement of the file: as if the edit changed them all."""
    try:
        tree = ast.parse((root / rel).read_text(encoding="utf-8"))
    except (SyntaxError, ValueError, OSError):
        return []
    return statement_ranges(tree)


ASKED = ("ran", "file", "package")


def _has_monitoring(python: str) -> bool:
    probe = [python, "-c", "import sys; sys.exit(0 if hasattr(sys, 'monitoring') else 1)"]
    return subprocess.run(probe, check=False).returncode == 0


def _version(python: str) -> str:
    probe = [python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"]
    return subprocess.run(probe, capture_output=True, text=True, check=True).stdout.strip()


def _starts(python: str, n: int, tracer: str, cached: bool) -> tuple[float, float]:
    """The median wall time (ms) of ``python -c pass``, plain and traced; ``cached``: with
    bytecode written (the tracer's modules compiled once, into their folder, as in a run
    without ``PYTHONDONTWRITEBYTECODE``), else compiled by every process."""
    plain: list[float] = []
    traced: list[float] = []
    with tempfile.TemporaryDirectory() as out:
        base = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
        if not cached:
            base["PYTHONDONTWRITEBYTECODE"] = "1"
        env = {**base, **plugin_env(out, {f"{out}/mod.py": [(1, 1), (3, 5)]}, base)}
        if tracer == "settrace":
            env["ACROUTER_LINES_TRACER"] = "settrace"
        for _ in range(n):
            for times, e in ((plain, base), (traced, env)):
                t0 = time.perf_counter()
                subprocess.run([python, "-c", "pass"], env=e, check=True)
                times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(plain), statistics.median(traced)


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--work", type=Path, default=None)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--only", nargs="*", default=None)
    ap.add_argument("--python", default=sys.executable, help="the projects' interpreter")
    ap.add_argument("--starts", type=int, default=40, help="python -c pass runs, each way")
    args = ap.parse_args()
    version = _version(args.python)
    own = os.path.realpath(args.python) == os.path.realpath(sys.executable)
    work = prepare_work(args.work or default_work("lines-cost" if own else f"lines-cost-{version}"))
    tracers = ("monitoring", "settrace") if _has_monitoring(args.python) else ("settrace",)
    print(f"Python {version}: {', '.join(tracers)}")
    for tracer in tracers:
        for cached in (False, True):
            plain_ms, traced_ms = _starts(args.python, args.starts, tracer, cached)
            print(
                f"a process's start ({tracer}, {'bytecode cached' if cached else 'compiled'}): "
                f"{plain_ms:.1f} ms plain, {traced_ms:.1f} ms traced "
                f"(+{traced_ms - plain_ms:.1f} ms, {traced_ms / plain_ms:.2f}x)",
                flush=True,
            )
    projects = [
        p
        for p in PROJECTS
        if p.kind == "pypi"
        and p.runner in ("pytest", "unittest")
        and (not args.only or p.name in args.only)
    ]
    print(
        f"{'project':16} {'tracer':10} {'plain s':>8} {'ran':>7} {'file':>7} {'package':>8}"
        "  edit file's statements run"
    )
    for project in projects:
        print(f"fetching {project.name} ...", file=sys.stderr, flush=True)
        root = fetch(project, work, args.python)
        base = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
        base.pop("PYTHONPATH", None)
        if project.name == "humanize":  # its suite needs these plugins; loaded by name
            base["PYTEST_ADDOPTS"] = "-p freezegun -p pytest_benchmark.plugin"
        every = _statements(root, project.edit_file)
        # which of them the suite runs: one traced run asking about every statement
        with tempfile.TemporaryDirectory() as out:
            env = {**base, **plugin_env(out, {str(root / project.edit_file): every}, base)}
            timed(root, project.command, env, ok=(0, 1))
            found = read_traced(out, str(root))
        ran_lines = found.lines.get(project.edit_file, frozenset()) if found else frozenset()
        ran = [r for r in every if any(r[0] <= n <= r[1] for n in ran_lines)]
        asked = {
            "ran": {str(root / project.edit_file): ran},
            "file": {str(root / project.edit_file): every},
            "package": {
                str(root / f): _statements(root, f)
                for f in _package_modules(root, project.edit_file)
            },
        }
        kinds = [("plain", "")] + [(k, t) for t in tracers for k in ASKED]
        times: dict[tuple[str, str], list[float]] = {k: [] for k in kinds}
        for _ in range(args.repeat):
            for kind, tracer in kinds:
                with tempfile.TemporaryDirectory() as out:
                    env = dict(base)
                    if kind != "plain":
                        env.update(plugin_env(out, asked[kind], env))
                        if tracer == "settrace":
                            env["ACROUTER_LINES_TRACER"] = "settrace"
                    times[(kind, tracer)].append(timed(root, project.command, env, ok=(0, 1)))
        med = {k: statistics.median(v) for k, v in times.items()}
        plain = med[("plain", "")]
        intact = (
            "" if found and found.intact else " (tracer lost!)" if found else " (no lines written!)"
        )
        for tracer in tracers:
            print(
                f"{project.name:16} {tracer:10} {plain:8.2f} "
                + " ".join(f"{med[(k, tracer)] / plain:6.2f}x" for k in ASKED)
                + f"  {len(ran)} of {len(every)} in {project.edit_file}{intact}",
                flush=True,
            )


if __name__ == "__main__":
    main()
