"""What the benchmark scripts' tests share."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


def script_output(name: str, *args: str) -> str:
    """What ``benchmarks/NAME`` prints with ``args`` (it must exit 0: its error output
    is the assertion's message)."""
    out = subprocess.run(
        [sys.executable, str(BENCHMARKS / name), *args],
        check=False,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr
    return out.stdout
