"""What a verified request reads twice, counted and timed: the workspace before its tests
run (the editor's fingerprint and the key of the verifier's cached run without the edit)
and, in an escalation, the document once per attempt.

    .venv/bin/python benchmarks/request_reads.py [--rev main] [--small 200] [--large 15000]
        [--outside 2000] [--requests 5] [--rounds 3] [--lines 10000]

Generates, in a temporary folder, two git workspaces of ``--small`` and ``--large``
files (Python modules in packages, and one test file of a quick pytest test) and a
sibling folder of ``--outside`` ``.py`` files on the PYTHONPATH the tests inherit (what
``fingerprint.outside_stats`` stats).  For each workspace, ``EditorApp.route`` (the
editor's path, ``build_editor_app``'s wiring: ``ProjectVerifier`` with a shared
``BaselineCache``, the fingerprint kept for ``changedSince``; sandbox ``none``, a model
that answers at once with a one-line fix) runs one cold request, then ``--requests``
warm ones (the run without the edit cached), timed: the whole request, and its part
before the model is called (the fingerprint and the pre-flight: with the run cached,
the reading of the workspace and the key).  Counted per warm request (instrumented):
``scan_workspace`` calls (the workspace listed and stat'ed) and ``outside_stats`` calls
(the files beside it stat'ed), in all and before the model is called (the run with the
edit reads the workspace again after the model's reply).

Escalation: ``Orchestrator.run`` with ``ChatPrompts`` (the excerpt, the guard that no
definition is dropped) and a verifier that fails every edit, three attempts on a
generated module of ``--lines`` lines; counted: ``ast.parse`` calls on the document;
timed: the request.

``--rev REV`` runs the same in another process with ``server/acrouter`` as it is at git
revision REV (``git archive``, in a temporary folder), the two sides one after the other
in each of ``--rounds`` rounds (which goes first alternates), and prints both sides' counts,
medians, and the ratios REV / now.  No network, no model, no sandbox.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sides import server_sides

REPO = Path(__file__).resolve().parent.parent

CALC = "def add(a, b):\n    return a - b\n"
CALC_FIXED = "def add(a, b):\n    return a + b\n"
TEST = "from calc import add\n\n\ndef test_add():\n    assert add(2, 3) == 5\n"


# --------------------------------------------------------------------------- generated inputs
def workspace(root: Path, files: int) -> Path:
    """A git workspace of ``files`` files: ``calc.py``, one test, and modules in packages
    of 100 (not imported by the test: what the scan stats, the copy holds)."""
    (root / "tests").mkdir(parents=True)
    (root / "calc.py").write_text(CALC)
    (root / "tests" / "test_calc.py").write_text(TEST)
    (root / "pytest.ini").write_text("[pytest]\npythonpath = .\n")
    for i in range(max(0, files - 3)):
        pkg = root / "pkg" / f"p{i // 100:03d}"
        if i % 100 == 0:
            pkg.mkdir(parents=True)
        (pkg / f"m{i % 100:02d}.py").write_text(f"X = {i}\n")
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    return root


def sibling(root: Path, files: int) -> Path:
    """A folder of ``files`` ``.py`` files beside the workspaces (on the PYTHONPATH)."""
    for i in range(files):
        pkg = root / f"s{i // 100:03d}"
        if i % 100 == 0:
            pkg.mkdir(parents=True)
        (pkg / f"m{i % 100:02d}.py").write_text(f"Y = {i}\n")
    return root


def module(lines: int) -> str:
    return "".join(f"def f{i}(x):\n    return x + {i}\n\n\n" for i in range(lines // 4))


# --------------------------------------------------------------------------- one side
def _worker(job: Path, out: Path) -> int:
    """Runs the cases of ``job`` with the ``acrouter`` first on sys.path (PYTHONPATH)."""
    spec = json.loads(job.read_text("utf-8"))
    os.environ["PYTHONPATH"] = spec["lib"]  # what the tests inherit (acrouter is imported)
    result = {
        name: _requests(Path(ws), spec["requests"]) for name, ws in spec["workspaces"].items()
    }
    result["escalation"] = _escalation(Path(spec["document"]), spec["requests"])
    out.write_text(json.dumps(result), "utf-8")
    return 0


def _requests(root: Path, n: int) -> dict:
    from acrouter.app import EditorApp, PriorStore
    from acrouter.config import Settings
    from acrouter.domain import Completion, Decision, Document, Edit, ModelSpec
    from acrouter.memory import InMemoryMemory
    from acrouter.verifier import (
        BaselineCache,
        ProjectVerifier,
        ScratchPool,
        core,
        fingerprint,
        preflight,
        take_fingerprint,
    )

    log: list[str] = []
    marks: dict[str, float] = {}

    def counting(what: str, f):
        def counted(*args, **kw):
            log.append(what)
            return f(*args, **kw)

        return counted

    for mod in (fingerprint, preflight):
        mod.scan_workspace = counting("scan", mod.scan_workspace)  # type: ignore[attr-defined]
    fingerprint.outside_stats = counting("outside", fingerprint.outside_stats)  # type: ignore[attr-defined]
    core.run_tests = counting("run", core.run_tests)  # type: ignore[attr-defined]

    class Gateway:
        def context_window(self, spec):
            return None

        def complete(self, spec, messages, task, cancel=None):
            marks["model"] = time.perf_counter()
            log.append("model")
            return Completion(model=spec.name, text="fixed", cost_usd=0.0)

    class Prompts:
        def messages(self, task, context):
            return [{"role": "user", "content": task.text}]

        def parse(self, task, completion, context):
            return Edit(files={"calc.py": CALC_FIXED})

    class First:
        name = "first"

        def plan(self, task, models, tried):
            return Decision(model=None if tried else models[0], reason="the one model")

        def learn(self, task, outcome):
            return None

    env = {**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    cache, pool = BaselineCache(), ScratchPool()
    command = f"{shlex.quote(sys.executable)} -m pytest -q -p no:cacheprovider tests"
    app = EditorApp(
        Settings(models=(ModelSpec(name="m", model="openai/m"),), max_attempts=1),
        memory=InMemoryMemory(),
        priors=PriorStore(loader=lambda: None),
        gateway_factory=lambda s: Gateway(),
        verifier_factory=lambda s: ProjectVerifier(
            test_command=command,
            sandbox="none",
            env=env,
            scratch_pool=pool,
            baseline_cache=cache,
            confirm_fixes=False,
        ),
        prompts=Prompts(),
        policy_factory=lambda prior, specs, s: First(),
        fingerprint=take_fingerprint,
    )
    calc = root / "calc.py"
    doc = Document(uri=calc.as_uri(), path=str(calc), text=CALC, language_id="python")
    whole: list[float] = []
    before_model: list[float] = []
    counts: list[dict[str, int]] = []
    for i in range(n + 1):  # the first one cold (the run without the edit not cached)
        log.clear()
        t0 = time.perf_counter()
        result = app.route(doc, "fix add", folders=[root])
        t1 = time.perf_counter()
        if not result.verified:
            raise SystemExit(f"not verified: {result.why}")
        if i == 0:
            continue
        whole.append(t1 - t0)
        before_model.append(marks["model"] - t0)
        called = log.index("model")
        counts.append(
            {
                "scans": log.count("scan"),
                "outside": log.count("outside"),
                "runs": log.count("run"),
                "scans_before_model": log[:called].count("scan"),
                "outside_before_model": log[:called].count("outside"),
            }
        )
    pool.close()
    return {"whole": whole, "before_model": before_model, "counts": counts[-1]}


def _escalation(document: Path, n: int) -> dict:
    import ast
    from collections import Counter

    from acrouter import pytrees
    from acrouter.context import build_task
    from acrouter.domain import Baseline, Completion, Decision, Document, ModelSpec, Verdict
    from acrouter.memory import InMemoryMemory
    from acrouter.orchestrator import Orchestrator
    from acrouter.prompts import ChatPrompts

    text = document.read_text()
    seen: Counter[str] = Counter()
    real = ast.parse

    def counting(source, *args, **kwargs):
        if isinstance(source, str):
            seen[source] += 1
        return real(source, *args, **kwargs)

    pytrees.ast.parse = counting  # type: ignore[attr-defined]

    class Gateway:
        def context_window(self, spec):
            return None

        def complete(self, spec, messages, task, cancel=None):
            i = int(spec.name[1:])
            reply = (
                f"{document.name}\n```python\n<<<<<<< SEARCH\n    return x + {i}\n=======\n"
                f"    return {i} + x\n>>>>>>> REPLACE\n```\n"
            )
            return Completion(model=spec.name, text=reply, cost_usd=0.0)

    class Failing:
        def prepare(self, task, cancel=None):
            return Baseline()

        def verify(self, task, edit, model, cancel=None):
            return Verdict("fail", detail="the tests fail")

    class InTurn:
        name = "in-turn"

        def plan(self, task, models, tried):
            done = {a.model for a in tried}
            left = [m for m in models if m not in done]
            return Decision(model=left[0] if left else None, reason="next")

        def learn(self, task, outcome):
            return None

    doc = Document(uri=document.as_uri(), path=str(document), text=text, language_id="python")
    task = build_task(doc, "Swap the operands", folders=[document.parent])
    specs = tuple(ModelSpec(name=f"m{i}", model=f"openai/m{i}") for i in (1, 2, 3))
    times: list[float] = []
    parses = 0
    for _ in range(n):
        seen.clear()
        orch = Orchestrator(
            specs, InTurn(), Gateway(), ChatPrompts(), Failing(), InMemoryMemory(), max_attempts=3
        )
        t0 = time.perf_counter()
        result = orch.run(task)
        times.append(time.perf_counter() - t0)
        if len(result.attempts) != 3:
            raise SystemExit(f"expected 3 attempts: {result.why}")
        parses = seen[text]
    return {"whole": times, "parses": parses}


# --------------------------------------------------------------------------- both sides
def _side(server: Path, job: Path, out: Path) -> dict:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", str(job), str(out)]
    subprocess.run(cmd, env={**os.environ, "PYTHONPATH": str(server)}, check=True)
    return json.loads(out.read_text("utf-8"))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rev", help="also run server/acrouter of this git revision, compare")
    ap.add_argument("--small", type=int, default=200, help="files of the small workspace")
    ap.add_argument("--large", type=int, default=15000, help="files of the large workspace")
    ap.add_argument("--outside", type=int, default=2000, help=".py files on the PYTHONPATH")
    ap.add_argument("--requests", type=int, default=5, help="warm requests per round")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--lines", type=int, default=10000, help="lines of the escalated module")
    ap.add_argument("--worker", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        return _worker(*args.worker)
    with tempfile.TemporaryDirectory(prefix="acrouter-reads-") as name:
        tmp = Path(name)
        lib = sibling(tmp / "lib", args.outside)
        spaces = {
            f"small ({args.small} files)": workspace(tmp / "small", args.small),
            f"large ({args.large} files)": workspace(tmp / "large", args.large),
        }
        document = tmp / "doc" / "big.py"
        document.parent.mkdir()
        (document.parent / ".git").mkdir()
        document.write_text(module(args.lines))
        job = tmp / "job.json"
        job.write_text(
            json.dumps(
                {
                    "workspaces": {k: str(v) for k, v in spaces.items()},
                    "document": str(document),
                    "lib": str(lib),
                    "requests": args.requests,
                }
            ),
            "utf-8",
        )
        sides = server_sides(REPO, args.rev, tmp)
        runs: dict[str, list[dict]] = {side: [] for side in sides}
        for r in range(args.rounds):
            # one side after the other, the first one in turn (the same load for both)
            for side, server in list(sides.items())[:: -1 if r % 2 else 1]:
                runs[side].append(_side(server, job, tmp / "out.json"))
            print(f"round {r + 1} of {args.rounds} done", file=sys.stderr)
    _report(runs, [*spaces, "escalation"], args)
    return 0


def _median(runs: list[dict], case: str, what: str) -> float:
    return statistics.median(x for run in runs for x in run[case][what])


def _report(runs: dict[str, list[dict]], cases: list[str], args: argparse.Namespace) -> None:
    sides = list(runs)
    print(
        f"load average at the end: {os.getloadavg()[0]:.1f}; {args.rounds} rounds x "
        f"{args.requests} warm requests per side; {args.outside} .py files on the PYTHONPATH"
    )
    for case in cases:
        print(f"\n{case}")
        for side in sides:
            last = runs[side][-1][case]
            if case == "escalation":
                counted = f"ast.parse of the document: {last['parses']} per request (3 attempts)"
                timed = f"request {_median(runs[side], case, 'whole') * 1000:8.1f} ms"
            else:
                c = last["counts"]
                counted = (
                    f"scans {c['scans']} ({c['scans_before_model']} before the model), "
                    f"outside stats {c['outside']} ({c['outside_before_model']} before), "
                    f"test runs {c['runs']}"
                )
                timed = (
                    f"request {_median(runs[side], case, 'whole') * 1000:8.1f} ms, "
                    f"before the model {_median(runs[side], case, 'before_model') * 1000:8.1f} ms"
                )
            print(f"  {side:>6}: {counted}; median {timed}")
        if len(sides) == 2:
            rev, now = sides
            parts = ["whole"] if case == "escalation" else ["whole", "before_model"]
            ratios = ", ".join(
                f"{p}: {_median(runs[rev], case, p) / _median(runs[now], case, p):.2f}x"
                for p in parts
            )
            print(f"  {rev} / now: {ratios}")


if __name__ == "__main__":
    sys.exit(main())
