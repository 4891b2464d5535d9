"""What the coverage of the lines an edit changes costs a real JavaScript test suite, and
what it finds there: V8's (``NODE_V8_COVERAGE``, :mod:`acrouter.verifier.lines_js`) for
node's own loader, jest's and vitest's (:mod:`acrouter.verifier.lines_istanbul`: the
arguments the verifier adds, ``coverage_args``) for those runners.

For npm projects of ``real_projects`` (fetched from npm once per work folder), the
suite runs without and with the coverage (into a fresh folder), alternately,
``--repeat`` times each, directly (no sandbox: its cost is the same with and without).
It prints the median wall time of each, their ratio, and how many of the code lines of
the project's ``edit_file`` the suite ran (what a pass would name as unrun if an edit
changed all of them), or "not measured" when the runner compiles the file from other
text (nyc's instrumentation) so V8's coverage cannot be mapped to its lines; a jest or
vitest run the verifier asks for no coverage (jest 24 has no v8 provider) is "not traced".  minimist runs twice: its
own ``npm run tests-only`` (``nyc tape``) and ``tape`` alone; no-case twice: with its
own jest 24 and with jest 30.5.2 (and ts-jest 29.4.15, its config's transform) installed
over it (``--no-save``, in ``<work>/jest30``, where dist/index.js loses its
``sourceMappingURL`` comment: through it jest would report src/index.ts, which the tarball
lacks, and nothing of dist/index.js);
zod with @vitest/coverage-v8 4.1.12 beside its vitest (in ``<work>/coverage``).

    .venv/bin/python benchmarks/lines_cost_js.py [--work DIR] [--repeat 3] [--only minimist ...]
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import statistics
import sys
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "server"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import attrs
from acrouter.verifier.lines import Traced
from acrouter.verifier.lines_istanbul import COVERAGE_DIR as JS_COVERAGE_DIR
from acrouter.verifier.lines_istanbul import REPORT, coverage_args, read_istanbul
from acrouter.verifier.lines_js import COVERAGE_DIR, COVERAGE_VAR, code_chars, read_coverage
from real_projects import PROJECTS, default_work, fetch, prepare_work, timed

#: (project, command, npm packages installed over the project's, in a work subfolder):
#: the project's own command, minimist's tape without nyc, no-case on a jest with v8
#: coverage, zod with vitest's coverage package
RUNS: tuple[tuple[str, str | None, tuple[str, ...]], ...] = (
    ("minimist", None, ()),
    ("minimist", "npx tape 'test/**/*.js'", ()),
    ("sprintf-js", None, ()),
    ("no-case", None, ()),
    ("no-case", None, ("ts-jest@29.4.15", "jest@30.5.2")),
    ("zod", None, ("vite@8.3.8", "vitest@4.1.12", "@vitest/coverage-v8@4.1.12")),
)


Reader = Callable[[str, str, Mapping[str, str]], "Traced | None"]


def _drop_source_map(path: Path) -> None:
    """Take the ``sourceMappingURL`` comment off a compiled file (no-case's dist/index.js):
    through it jest reports the coverage on the source the map names (src/index.ts, not
    in the tarball), and says nothing of the file itself."""
    text = path.read_text(encoding="utf-8")
    kept = "".join(
        line for line in text.splitlines(keepends=True) if "sourceMappingURL=" not in line
    )
    if kept != text:
        path.write_text(kept, encoding="utf-8")


def _reported(out: str, base: str) -> list[str]:
    """The files jest's or vitest's coverage report names (relative to ``base``)."""
    try:
        data = json.loads((Path(out) / JS_COVERAGE_DIR / REPORT).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return sorted(k[len(base) + 1 :] if k.startswith(base + "/") else k for k in data)


def _traced_run(
    root: Path, runner: str, command: str, edit_file: str, text: str, out: str
) -> tuple[str, dict[str, str], Reader | None]:
    """The command and environment of the traced run, as the verifier makes them, and
    how to read what it found: jest's or vitest's own coverage when the verifier asks
    them for it (None: it asks them for nothing, and their run is not traced), else V8's."""
    env = {k: v for k, v in os.environ.items() if k != COVERAGE_VAR}
    if runner in ("jest", "vitest"):
        extra = coverage_args(runner, tuple(shlex.split(command)), root, (edit_file,), out)
        if extra:
            return f"{command} {shlex.join(extra)}", env, read_istanbul
        return command, env, None
    (Path(out) / COVERAGE_DIR).mkdir()
    env[COVERAGE_VAR] = str(Path(out) / COVERAGE_DIR)
    return command, env, read_coverage


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
        f"{'project':12} {'command':44} {'plain s':>8} {'traced s':>9} {'ratio':>6}  edit file's code lines run"
    )
    for name, command, over in RUNS:
        if args.only and name not in args.only:
            continue
        project = by_name[name]
        command = command or project.command
        label = command + (f" ({over[-1]})" if over else "")
        print(f"fetching {name} ...", file=sys.stderr, flush=True)
        if over:
            sub = prepare_work(work / ("jest30" if project.runner == "jest" else "coverage"))
            root = fetch(attrs.evolve(project, test_deps=over), sub)
        else:
            root = fetch(project, work)
        root = root.resolve()  # (the runners report real paths)
        if over and project.runner == "jest":
            _drop_source_map(root / project.edit_file)
        times: dict[str, list[float]] = {"plain": [], "traced": []}
        found: Traced | None = None
        reported: list[str] | None = None
        text = (root / project.edit_file).read_text(encoding="utf-8")
        for _ in range(args.repeat):
            for kind in ("plain", "traced"):
                env = {k: v for k, v in os.environ.items() if k != COVERAGE_VAR}
                with tempfile.TemporaryDirectory() as out:
                    line, read = command, None
                    if kind == "traced":
                        line, env, read = _traced_run(
                            root, project.runner, command, project.edit_file, text, out
                        )
                    times[kind].append(timed(root, line, env))
                    if read is not None:
                        found = read(out, str(root), {project.edit_file: text})
                        reported = _reported(out, str(root)) if read is read_istanbul else None
        med = {k: statistics.median(v) for k, v in times.items()}
        total = len(code_chars(text))
        if project.runner in ("jest", "vitest") and reported is None:
            seen = "not traced (the verifier asks this runner for no coverage)"
        elif found is None:
            seen = "not measured (no workspace script in the coverage)"
        elif project.edit_file in found.unmeasured and reported is not None:
            # (a compiled file's source map leads the runner to the file it was made from)
            seen = f"not measured (the runner's report has {', '.join(reported) or 'no file'})"
        elif project.edit_file in found.unmeasured:
            seen = "not measured (the runner compiled other text)"
        else:
            seen = f"{len(found.lines[project.edit_file])} of {total} in {project.edit_file}"
        print(
            f"{name:12} {label[:44]:44} {med['plain']:8.2f} {med['traced']:9.2f}"
            f" {med['traced'] / med['plain']:5.2f}x  {seen}",
            flush=True,
        )


if __name__ == "__main__":
    main()
