"""The Python other than the repository's that sample projects' tests can run with.

The verifier runs the user's test command in the user's interpreter, and our pytest
plugins and harness code run inside it; every other test runs projects with this
repository's venv interpreter.  ``.ci/cpython [3.13|3.14]`` builds that CPython with
pytest in a venv and prints that venv's python; CI exports 3.14's as
``ACROUTER_TEST_PYTHON`` (and runs ``tests/verifier/test_other_python.py`` again with
3.13's).
"""

from __future__ import annotations

import functools
import os
import subprocess
from pathlib import Path

#: the release ``.ci/cpython`` builds when given none
DEFAULT_SERIES = "3.14"

#: why a test that needs the other Python is skipped
OTHER_PYTHON_REASON = (
    "no Python newer than the server's with pytest to run the sample projects' tests with: "
    "run `export ACROUTER_TEST_PYTHON=$(.ci/cpython)` (builds CPython 3.14 from Debian's "
    "source tarball into ~/.cache/acrouter-pythons, 2 to 5 minutes on 2 cores) and run the "
    "tests again"
)


def default_python() -> Path:
    """Where ``.ci/cpython`` puts the venv's python by default."""
    home = os.environ.get("ACROUTER_PYTHONS_HOME") or Path.home() / ".cache" / "acrouter-pythons"
    return Path(home) / DEFAULT_SERIES / "venv" / "bin" / "python"


@functools.cache
def _runs(python: str) -> bool:
    try:
        done = subprocess.run(
            [python, "-c", "import pytest"], capture_output=True, timeout=60, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return done.returncode == 0


def other_python() -> str | None:
    """``ACROUTER_TEST_PYTHON`` when it is set (as it is: a broken one fails the tests that
    use it, never skips them), else the default venv of ``.ci/cpython`` when it exists
    and runs with pytest, else None."""
    chosen = os.environ.get("ACROUTER_TEST_PYTHON")
    if chosen:
        return chosen
    default = default_python()
    return str(default) if default.exists() and _runs(str(default)) else None


@functools.cache
def version_of(python: str) -> tuple[int, int]:
    """(major, minor) of ``python``."""
    done = subprocess.run(
        [python, "-c", "import sys; print(*sys.version_info[:2])"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    major, minor = done.stdout.split()
    return int(major), int(minor)
