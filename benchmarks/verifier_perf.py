"""Verifier overhead on a generated 2,000-file repository with a ~1 s pytest suite.

Prints the wall time of ``ProjectVerifier.verify`` (copy + sandbox start + test run +
report parsing + comparison) divided by the wall time of the same test command run
directly in the repository.  The baseline run (tests without the edit) is cached per
workspace state, so the figure that matters in the editor is the *warm* one (baseline
already cached); the *cold* ones (copies + baseline run + edited run, side by side
or one after the other) are printed too, and how long a run takes to stop once it is
cancelled or past its deadline (the tests assert that it stops, not how fast).

    .venv/bin/python benchmarks/verifier_perf.py [--files 2000] [--repeat 7] [--sandbox bwrap]
        [--copy]

``--copy`` runs the tests on a scratch copy (as with bubblewrap 0.8, which has no
overlay): the bound on what a run writes then walks the whole copy while the tests run
(the row "walk of a scratch copy" is one such walk).

Both the direct runs and the verifier's runs use PYTEST_DISABLE_PLUGIN_AUTOLOAD=1:
this repository's venv autoloads heavy plugins (2+ s) that would hide the overhead.
"""

from __future__ import annotations

import argparse
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from acrouter.domain import Cancelled, Edit, Task
from acrouter.verifier import ProjectVerifier
from acrouter.verifier.limits import Limits
from acrouter.verifier.sandbox import RunSpec, run_command
from acrouter.verifier.scratch import Scratch, ScratchPool, scan_workspace, scratch_parent

try:  # absent before the bound on what a run writes (to time the code before it)
    from acrouter.verifier.writebound import usage
except ImportError:  # pragma: no cover
    usage = None  # type: ignore[assignment]

TEST_FILES = 20
TESTS_PER_FILE = 5
IMPORTED_MODULES = 60


def generate(root: Path, n_files: int) -> None:
    """``pkg/`` modules, ``tests/`` (40 files x 5 tests, ~5 ms each), docs and data."""
    n_tests = TEST_FILES
    n_other = 100
    n_modules = n_files - n_tests - n_other - 4
    (root / "pkg").mkdir(parents=True)
    (root / "tests").mkdir()
    (root / "docs").mkdir()
    (root / "data").mkdir()
    (root / ".gitignore").write_text("__pycache__/\n*.pyc\n.pytest_cache/\n")
    (root / "pytest.ini").write_text("[pytest]\npythonpath = .\ntestpaths = tests\n")
    (root / "README.md").write_text("# generated\n")
    imports = "\n".join(f"from . import mod_{i:04d}" for i in range(IMPORTED_MODULES))
    (root / "pkg" / "__init__.py").write_text(imports + "\n")
    for i in range(n_modules - 1):
        body = [f'"""Module {i}."""', "", "import math", "", ""]
        for f in range(12):
            body += [f"def f{f}(x):", f"    return math.sqrt(x * x + {i + f}) - {i + f}", "", ""]
        body += ["def bug(x):", "    return x - 1  # should be x + 1", ""]
        (root / "pkg" / f"mod_{i:04d}.py").write_text("\n".join(body))
    for t in range(n_tests):
        lines = ["import time", "", "import pkg", "", ""]
        for k in range(TESTS_PER_FILE):
            mod = (t * TESTS_PER_FILE + k) % IMPORTED_MODULES
            lines += [
                f"def test_{k}():",
                "    time.sleep(0.002)",
                f"    assert pkg.mod_{mod:04d}.f{k}(3.0) > -1e9",
                "",
                "",
            ]
        if t == 0:
            lines += ["def test_bug():", "    assert pkg.mod_0000.bug(1) == 2", ""]
        (root / "tests" / f"test_{t:03d}.py").write_text("\n".join(lines))
    for d in range(n_other):
        target = root / ("docs" if d % 2 else "data") / f"item_{d:03d}.{'md' if d % 2 else 'csv'}"
        target.write_text(
            ("value,other\n" + "1,2\n" * 40) if d % 2 == 0 else f"# Item {d}\n\ntext\n" * 20
        )
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)


def timed(fn: object, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()  # type: ignore[operator]
        out.append(time.perf_counter() - t0)
    return out


class CancelAt:
    """A cancel token that turns on ``delay_s`` after it is made."""

    def __init__(self, delay_s: float) -> None:
        self.at = time.monotonic() + delay_s

    @property
    def cancelled(self) -> bool:
        return time.monotonic() >= self.at


def stop_latencies(mode: str, repeat: int) -> tuple[list[float], list[float]]:
    """Seconds from the cancel token turning on, and from the deadline passing, until
    ``run_command`` is back with the whole tree killed: a program whose child sleeps."""
    py = os.path.realpath(sys.executable)
    code = (
        "import subprocess, sys, time; "
        "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(300)']); "
        "time.sleep(300)"
    )

    def sleeper(timeout_s: float) -> RunSpec:
        return RunSpec((py, "-c", code), "/", {"PATH": "/usr/bin:/bin"}, timeout_s, limits=Limits())

    cancel_s, timeout_s = [], []
    for _ in range(repeat):
        token = CancelAt(1.0)
        try:
            run_command(sleeper(60), mode=mode, cancel=token)
        except Cancelled:
            cancel_s.append(time.monotonic() - token.at)
        t0 = time.monotonic()
        run_command(sleeper(1.0), mode=mode)
        timeout_s.append(time.monotonic() - t0 - 1.0)
    return cancel_s, timeout_s


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--files", type=int, default=2000)
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--sandbox", choices=("bwrap", "none"), default="bwrap")
    ap.add_argument("--copy", action="store_true", help="a scratch copy, never an overlay")
    args = ap.parse_args()

    env = dict(os.environ, PYTEST_DISABLE_PLUGIN_AUTOLOAD="1")
    command = f"{shlex.quote(sys.executable)} -m pytest -q -p no:cacheprovider"
    with tempfile.TemporaryDirectory(prefix="acrouter-perf-") as tmp:
        root = Path(tmp) / "repo"
        generate(root, args.files)
        n_files = sum(len(f) for _d, _s, f in os.walk(root) if ".git" not in _d)
        fixed = (
            (root / "pkg" / "mod_0000.py").read_text().replace("x - 1  # should be x + 1", "x + 1")
        )
        edit = Edit(files={"pkg/mod_0000.py": fixed})
        task = Task(task_id="perf", kind="bug_fixing", workspace=str(root), test_command=command)

        def direct() -> None:
            subprocess.run(
                shlex.split(command), cwd=root, env=env, capture_output=True, check=False
            )

        direct()  # warm the OS cache of the real repository, as in daily use

        def fresh(cache: Path, parallel: bool = True) -> ProjectVerifier:
            """A verifier with its own baseline cache and its own scratch pool."""
            return ProjectVerifier(
                timeout_s=120,
                sandbox=args.sandbox,
                env=env,
                cache_dir=cache,
                scratch_pool=ScratchPool(),
                parallel_baseline=parallel,
                overlay=not args.copy,
            )

        caches = Path(tmp) / "caches"
        cold_s, cold_seq_s = [], []  # nothing cached: copies, baseline run, edited run
        for i in range(max(args.repeat // 2, 2)):
            for parallel, out in ((True, cold_s), (False, cold_seq_s)):
                t0 = time.perf_counter()
                fresh(caches / f"cold{i}-{parallel}", parallel).verify(task, edit, "perf")
                out.append(time.perf_counter() - t0)
        new_copy_s = []  # baseline cached on disk, but a new process: the copy is made anew
        for _ in range(max(args.repeat // 2, 2)):
            t0 = time.perf_counter()
            fresh(caches / "cold0-True").verify(task, edit, "perf")
            new_copy_s.append(time.perf_counter() - t0)
        verifier = fresh(caches / "warm")
        verifier.verify(task, edit, "perf")  # caches the baseline, leaves a copy to reuse
        # interleaved, so that the machine's load drifts affect both alike
        direct_s, warm_s = [], []
        for _ in range(args.repeat):
            direct_s += timed(direct, 1)
            warm_s += timed(lambda: verifier.verify(task, edit, "perf"), 1)
        last = verifier.verify(task, edit, "perf")

        # where the overhead goes
        scan_s = timed(lambda: scan_workspace(root), args.repeat)
        scan = scan_workspace(root)
        parent = scratch_parent(scan.total_bytes)

        def copy_once() -> None:
            scratch = Scratch(
                Path(tempfile.mkdtemp(prefix="acrouter-perf-copy-", dir=parent)), root
            )
            try:
                scratch.sync(scan)
            finally:
                scratch.destroy()

        copy_s = timed(copy_once, args.repeat)
        reused = Scratch(Path(tempfile.mkdtemp(prefix="acrouter-perf-copy-", dir=parent)), root)
        reused.sync(scan)
        resync_s = timed(lambda: reused.sync(scan_workspace(root), edit.files), args.repeat)
        walk_s = timed(lambda: usage(str(reused.base)), args.repeat) if usage else []
        reused.destroy()
        spec = RunSpec(("true",), "/", {"PATH": "/usr/bin:/bin"}, 10, limits=Limits())
        sandbox_s = timed(lambda: run_command(spec, mode=args.sandbox), args.repeat)
        cancel_s, timeout_over_s = stop_latencies(args.sandbox, args.repeat)

    med = statistics.median
    base = med(direct_s)

    def row(label: str, seconds: list[float], ratio: bool = True) -> None:
        tail = f"   ratio {med(seconds) / base:.2f}" if ratio else ""
        print(f"{label:<48} {med(seconds):7.3f} s{tail}")

    print(
        f"repository: {n_files} files, {TEST_FILES * TESTS_PER_FILE + 1} tests; "
        f"sandbox={args.sandbox}{' on a scratch copy' if args.copy else ''}; python {sys.version.split()[0]}; medians of {args.repeat}"
    )
    print(f"verdict: {last.verdict} ({last.detail})")
    row("direct test run", direct_s, ratio=False)
    row("verify, warm (baseline cached, copy reused)", warm_s)
    row("verify, baseline cached, copy made anew", new_copy_s)
    row("verify, cold: both runs side by side (default)", cold_s)
    row("verify, cold: baseline run, then edited run", cold_seq_s)
    row("  list the workspace (git ls-files + lstat)", scan_s, ratio=False)
    row(f"  first copy into {parent}", copy_s, ratio=False)
    row("  re-sync of a reused copy + the edit", resync_s, ratio=False)
    row("  sandbox start + stop ('true')", sandbox_s, ratio=False)
    if walk_s:
        row("  walk of a scratch copy (the write bound's look)", walk_s, ratio=False)
    row("  stop on cancel: token on -> tree killed", cancel_s, ratio=False)
    row("  stop on timeout: deadline -> tree killed", timeout_over_s, ratio=False)
    print("target: warm ratio <= 1.3 (the editor's steady state: same workspace, baseline cached)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
