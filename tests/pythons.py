"""The Python other than the repository's that sample projects' tests can run with.

The verifier runs the user's test command in the user's interpreter, and our pytest
plugins and harness code run inside it; every other test runs projects with this
repository's venv interpreter.  ``.ci/python313`` builds CPython 3.13 with pytest in a
venv and prints that venv's python; CI exports it as ``ACROUTER_TEST_PYTHON``.
"""

from __future__ import annotations

import functools
import os
import subprocess
from pathlib import Path

#: why a test that needs the other Python is skipped
OTHER_PYTHON_REASON = (
    "no Python 3.13 with pytest to run the sample projects' tests with: run "
    "`export ACROUTER_TEST_PYTHON=$(.ci/python313)` (builds CPython 3.13 from Debian's "
    "source tarball into ~/.cache/acrouter-py313, 2 to 5 minutes on 2 cores) and run the tests again"
)


def default_python() -> Path:
    """Where ``.ci/python313`` puts the venv's python by default."""
    home = os.environ.get("ACROUTER_PY313_HOME") or Path.home() / ".cache" / "acrouter-py313"
    return Path(home) / "venv" / "bin" / "python"


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
    use it, never skips them), else the default venv of ``.ci/python313`` when it exists
    and runs with pytest, else None."""
    chosen = os.environ.get("ACROUTER_TEST_PYTHON")
    if chosen:
        return chosen
    default = default_python()
    return str(default) if default.exists() and _runs(str(default)) else None
