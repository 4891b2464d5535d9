"""Whether the guard refuses Rust files that rustfmt only reformatted (it must not).

Takes ``--max`` ``.rs`` files under the folders given (shuffled with seed 0, at most
200 KB each), writes each as ``rustfmt --edition 2021`` does and asks the guard
(``definitions.dropped_definitions``) what the reformatted file drops; every file it
refuses is a false refusal and is listed.  rustfmt breaks a long ``use`` over lines:
before the guard read a ``use`` to its ``;``, the broken one imported nothing.

    .venv/bin/python benchmarks/rustfmt_guard.py /tmp/rs-research/corpus [--max 600]

To compare with another revision's server, run the same with ``PYTHONPATH`` set to its
``server`` folder (``git archive REV server | tar -x -C DIR``).  Writes nothing.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if not os.environ.get("PYTHONPATH"):
    sys.path.insert(0, str(ROOT / "server"))

from acrouter.definitions import dropped_definitions


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("folders", nargs="+", type=Path)
    ap.add_argument("--max", type=int, default=600, help="files at most (default 600)")
    args = ap.parse_args()
    if not shutil.which("rustfmt"):
        print("rustfmt is not on PATH (rustup component add rustfmt)")
        return 2
    files = sorted(p for folder in args.folders for p in folder.rglob("*.rs") if p.is_file())
    random.Random(0).shuffle(files)
    changed = refused = 0
    listed: list[str] = []
    for path in files[: args.max]:
        text = path.read_text(errors="replace")
        if len(text) > 200_000:
            continue
        done = subprocess.run(
            ["rustfmt", "--edition", "2021", "--emit", "stdout", "--quiet"],
            input=text,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0 or not done.stdout.strip() or done.stdout == text:
            continue
        changed += 1
        lost = dropped_definitions(text, done.stdout, path.name)
        if lost:
            refused += 1
            listed.append(f"{path}: {lost[:3]}")
    print(f"files rustfmt reformats {changed}, refused {refused}")
    for line in listed[:20]:
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
