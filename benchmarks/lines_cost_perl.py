"""What measuring which Perl lines ran costs a real suite, and what it finds there.

The run with an edit of a Perl module loads :mod:`acrouter.verifier.lines_perlcov`'s
module into every perl of the tests as its debugger (``PERL5OPT=-d:ACRouterCov``,
``HARNESS_PERL_SWITCHES``): perl then calls ``DB::DB`` before every statement it runs,
of every file.  This runs a Perl distribution of ``real_projects`` (by default Debian's
Text::Diff 1.45 under ``prove -lr t``, fetched into ``--work`` once) plain and with the
measurement of its edited module (``Project.edit_file``, unchanged), in turn,
``--repeat`` times each, directly (no sandbox: its cost is the same with and without),
and prints the median wall time of each, their ratio, and how many of the module's
statement lines the suite ran (what a pass would name as unrun if an edit changed all
of them).  The network is used only to fetch the project, from Debian's mirror.

    .venv/bin/python benchmarks/lines_cost_perl.py [--work DIR] [--only NAME] [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "server"))

from acrouter.verifier.lines_perlcov import PREFIX, cover_env, read_perlcov
from acrouter.verifier.lines_trace import Traced
from acrouter.verifier.runners import plan_command
from real_projects import PROJECTS, Project, fetch, prepare_work, project_arguments, timed


def main() -> None:
    cost_main(
        __doc__,
        "lines-cost-perl",
        ("libtext-diff-perl", "prove"),
        ("prove", "prove is not installed (Debian: apt-get install perl)"),
        ["perl", "-e", "print 'perl ', $^V"],
        (cover_env, read_perlcov, PREFIX),
    )


def cost_main(
    doc: str | None,
    slug: str,
    default: tuple[str, str],
    needs: tuple[str, str],
    version: list[str],
    measurement: tuple[
        Callable[..., Mapping[str, str] | None],
        Callable[[str, Mapping[str, tuple[str, str]]], Traced | None],
        str,
    ],
) -> None:
    """The command line of a lines-cost benchmark (this one's, ``lines_cost_php``'s):
    ``default`` is the project measured when ``--only`` names none, and its runner (the
    projects of that runner only); ``needs``, the program it needs and what to say when
    it is missing; ``version``, what prints the interpreter's version;
    ``measurement``, :func:`measure`'s."""
    ap = argparse.ArgumentParser(
        description=doc, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    project_arguments(ap, slug)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    if shutil.which(needs[0]) is None:
        sys.exit(needs[1])
    names = set(args.only or [default[0]])
    projects = [p for p in PROJECTS if p.name in names and p.runner == default[1]]
    if not projects:
        sys.exit(f"no {default[1]} project named {sorted(names)} in real_projects")
    work = prepare_work(args.work)
    printed = subprocess.run(version, check=True, capture_output=True, text=True).stdout
    print(f"{printed}; median of {args.repeat} runs each, no sandbox")
    for project in projects:
        measure(project, work, args.repeat, *measurement)


def measure(
    project: Project,
    work: Path,
    repeat: int,
    cover_env: Callable[..., Mapping[str, str] | None],
    read: Callable[[str, Mapping[str, tuple[str, str]]], Traced | None],
    prefix: str,
) -> None:
    """Run ``project``'s suite plain and measured (``cover_env``: the measurement's
    variables; ``read``: what it found; ``prefix``: its per-process files), ``repeat``
    times each in turn, and print the medians, their ratio and the statement lines the
    suite ran of its edited file (the Perl and PHP measurements: ``lines_cost_php``)."""
    root = fetch(project, work)
    rel = project.edit_file
    text = (root / rel).read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory(prefix="lines-cost-") as out:
        plan = plan_command(project.command, out, root)
        base = {**os.environ, **plan.env}
        measured = cover_env(out, str(root), {rel: (text, text)}, base)
        assert measured is not None
        kinds = {"plain": base, "measured": {**base, **measured}}
        times: dict[str, list[float]] = {k: [] for k in kinds}
        for _ in range(repeat):
            for kind, env in kinds.items():
                times[kind].append(timed(root, plan.command, env))
        found = read(out, {rel: (text, text)})
        statements = _statements(Path(out), rel, prefix)
    medians = {k: statistics.median(v) for k, v in times.items()}
    print(f"{project.label}: {plan.command}")
    print(f"{'':9} {'median s':>9} {'ratio':>6}  runs")
    for kind, took in medians.items():
        each = ", ".join(f"{t:.2f}" for t in times[kind])
        print(f"{kind:9} {took:9.2f} {took / medians['plain']:5.2f}x  {each}")
    if found is None or rel in found.unmeasured:
        print(f"{rel}: not measured")
        return
    print(f"{rel}: the suite ran {len(found.lines[rel])} of its {statements} statement lines")


def _statements(out: Path, rel: str, prefix: str) -> int:
    """How many statement lines of ``rel`` the run's processes held (their
    ``statements``, as :func:`read_perlcov` reads them)."""
    lines: set[int] = set()
    for path in out.glob(f"{prefix}*.json"):
        held = json.loads(path.read_text(encoding="utf-8")).get("files", {})
        lines.update(held.get(rel, {}).get("statements", []))
    return len(lines)


if __name__ == "__main__":
    main()
