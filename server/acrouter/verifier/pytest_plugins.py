"""How a pytest plugin of ours reaches the tests' pytest: its module written into a
folder of the run's out folder, that folder last on ``PYTHONPATH`` and ``-p MODULE`` in
``PYTEST_ADDOPTS`` (the line tracer's, :mod:`.lines_trace`; the JUnit report beside the
project's own, :mod:`.junit_own`; the subset of tests a confirmation reruns,
:mod:`.subset`)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path


def plugin_vars(folder: Path, module: str, source: str, env: Mapping[str, str]) -> dict[str, str]:
    """``source`` written as ``folder/module.py``; the ``PYTHONPATH`` and
    ``PYTEST_ADDOPTS`` of a run whose environment is ``env`` that load it."""
    folder.mkdir(exist_ok=True)
    (folder / f"{module}.py").write_text(source, encoding="utf-8")
    path = env.get("PYTHONPATH")
    opts = env.get("PYTEST_ADDOPTS")
    return {
        "PYTHONPATH": f"{path}{os.pathsep}{folder}" if path else str(folder),
        "PYTEST_ADDOPTS": f"{opts} -p {module}" if opts else f"-p {module}",
    }
