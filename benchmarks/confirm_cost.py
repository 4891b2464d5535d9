"""What confirming a fix costs: the fixed tests alone again (``verifier.subset``) against
the whole suite again, on a sizeable pytest suite.

Builds a project (no download): ``--modules`` test modules of ``--tests`` tests each,
every test doing about ``--work-ms`` of arithmetic and every module a module-scoped
fixture, plus ``tests/test_add.py``, whose one test fails because ``calc.add``
subtracts.  The edit fixes ``add``: a pass that counts one test as fixed, which the
verifier confirms by a second run with and without the edit.  Each round verifies that
edit with a fresh ``ProjectVerifier`` (an empty baseline cache, as the first request on
a workspace state) three ways, in turn:

- **none**: ``confirm_fixes=False``, no confirmation (the floor: the run without the
  edit and the run with it, side by side);
- **whole**: the confirmation before ``verifier.subset``: the whole suite again, with
  and without the edit (``verifier.subset.worth`` made to say no);
- **subset**: the confirmation as it is: ``test_add`` alone again, with and without it.

and prints each one's median wall time of ``ProjectVerifier.verify``, the ratios
whole / none, subset / none and subset / whole, and the suite's own run time (pytest
directly, no verifier).  Every verdict is checked: a pass, confirmed the way asked.

    .venv/bin/python benchmarks/confirm_cost.py [--modules 60] [--tests 20] [--work-ms 3]
        [--repeat 3] [--sandbox bwrap|none] [--keep DIR]
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

from acrouter.domain import Edit, Task
from acrouter.verifier import ProjectVerifier, subset

CALC = "def add(a, b):\n    return a - b\n\n\ndef mul(a, b):\n    return a * b\n"
FIXED = CALC.replace("a - b", "a + b")
MODULE = """\
import pytest

from calc import mul


def _work(n):
    return sum(i * i for i in range(n))


@pytest.fixture(scope="module")
def table():
    return [_work({loop}) for _ in range(3)]


@pytest.mark.parametrize("k", range({tests}))
def test_case(table, k):
    assert _work({loop}) == table[0]
    assert mul(k, 1) == k
"""
ADD = "from calc import add\n\n\ndef test_add():\n    assert add(2, 3) == 5\n"
WHOLE = "; confirmed by a second run with and without the edit"
SUBSET = "; confirmed by a second run of the fixed test with and without the edit"


def _loop_for(ms: float) -> int:
    """How many squares ``_work`` adds up in about ``ms`` milliseconds here."""
    n = 100_000
    t0 = time.perf_counter()
    sum(i * i for i in range(n))
    per = (time.perf_counter() - t0) / n
    return max(1, int(ms / 1000 / per))


def build(root: Path, modules: int, tests: int, work_ms: float) -> None:
    loop = _loop_for(work_ms)
    (root / "tests").mkdir(parents=True)
    (root / "calc.py").write_text(CALC)
    (root / "pytest.ini").write_text("[pytest]\npythonpath = .\n")
    (root / "tests" / "test_add.py").write_text(ADD)
    for i in range(modules):
        text = MODULE.format(loop=loop, tests=tests)
        (root / "tests" / f"test_mod_{i:03d}.py").write_text(text)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--modules", type=int, default=60)
    ap.add_argument("--tests", type=int, default=20, help="tests per module")
    ap.add_argument("--work-ms", type=float, default=3.0, help="each test's work")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--sandbox", choices=("bwrap", "none"), default="bwrap")
    ap.add_argument("--keep", type=Path, help="build the project here and keep it")
    args = ap.parse_args()

    base = args.keep or Path(tempfile.mkdtemp(prefix="acrouter-confirm-cost-"))
    root = base / "proj"
    if root.exists():
        shutil.rmtree(root)
    build(root, args.modules, args.tests, args.work_ms)
    # the sample suite runs without the repository venv's autoloaded pytest plugins
    env = {**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    command = f"{sys.executable} -m pytest -q -p no:cacheprovider tests"
    t0 = time.monotonic()
    subprocess.run(command.split(), cwd=root, env=env, capture_output=True, check=False)
    bare = time.monotonic() - t0
    total = args.modules * args.tests + 1
    print(f"suite: {total} tests in {args.modules + 1} modules; pytest directly: {bare:.2f} s")
    print(f"sandbox: {args.sandbox}; {args.repeat} rounds; 2 cores shared with other work\n")

    task = Task(task_id="bench", workspace=str(root), test_command=command, kind="bug_fixing")
    edit = Edit(files={"calc.py": FIXED})
    real_worth = subset.worth
    times: dict[str, list[float]] = {"none": [], "whole": [], "subset": []}
    for r in range(args.repeat):
        ways = ["none", "whole", "subset"]
        if r % 2:
            ways.reverse()  # alternate, so a load that drifts does not favour one
        for way in ways:
            subset.worth = real_worth if way == "subset" else lambda fixed, after: False
            ver = ProjectVerifier(
                timeout_s=600, sandbox=args.sandbox, env=env, confirm_fixes=way != "none"
            )
            t0 = time.monotonic()
            v = ver.verify(task, edit, "bench")
            took = time.monotonic() - t0
            want = {"none": "failed)", "whole": WHOLE, "subset": SUBSET}[way]
            if v.verdict != "pass" or not v.detail.endswith(want):
                raise SystemExit(f"{way}: unexpected verdict {v.verdict}: {v.detail}")
            times[way].append(took)
            print(f"round {r + 1} {way:>6}: {took:6.2f} s  ({v.detail})")
    subset.worth = real_worth

    med = {k: statistics.median(v) for k, v in times.items()}
    print()
    for way in ("none", "whole", "subset"):
        print(f"{way:>6}: median {med[way]:6.2f} s")
    print(f"whole / none:   {med['whole'] / med['none']:.2f}x")
    print(f"subset / none:  {med['subset'] / med['none']:.2f}x")
    print(f"subset / whole: {med['subset'] / med['whole']:.2f}x")
    if not args.keep:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
