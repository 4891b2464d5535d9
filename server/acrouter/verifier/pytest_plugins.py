"""How a pytest plugin of ours reaches the tests' pytest: its module written into a
folder of the run's out folder, that folder last on ``PYTHONPATH`` and ``-p MODULE`` in
``PYTEST_ADDOPTS`` (the line tracer's, :mod:`.lines_trace`; the JUnit report beside the
project's own, :mod:`.junit_own`; the subset of tests a confirmation reruns,
:mod:`.subset`).  What we append to either variable is also kept, alone, in a variable
of its own (:data:`TAILS`), which a command that sets ``PYTHONPATH`` or
``PYTEST_ADDOPTS`` itself is rewritten to append (:mod:`.inline_env`)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

#: what the verifier appended to ``PYTHONPATH``, alone
PATH_TAIL = "ACROUTER_PYTHONPATH_TAIL"
#: what the verifier appended to ``PYTEST_ADDOPTS``, alone
ADDOPTS_TAIL = "ACROUTER_ADDOPTS_TAIL"
#: the variables we append to -> (the variable that holds what we appended, the separator)
TAILS = {"PYTHONPATH": (PATH_TAIL, os.pathsep), "PYTEST_ADDOPTS": (ADDOPTS_TAIL, " ")}


def appended(env: Mapping[str, str], name: str, value: str) -> dict[str, str]:
    """``name`` (``PYTHONPATH`` or ``PYTEST_ADDOPTS``) of a run whose environment is
    ``env`` with ``value`` appended, and its tail (:data:`TAILS`) too."""
    tail, sep = TAILS[name]
    old, ours = env.get(name), env.get(tail)
    return {
        name: f"{old}{sep}{value}" if old else value,
        tail: f"{ours}{sep}{value}" if ours else value,
    }


def plugin_vars(folder: Path, module: str, source: str, env: Mapping[str, str]) -> dict[str, str]:
    """``source`` written as ``folder/module.py``; the ``PYTHONPATH`` and
    ``PYTEST_ADDOPTS`` (and their tails) of a run whose environment is ``env`` that load
    it."""
    folder.mkdir(exist_ok=True)
    (folder / f"{module}.py").write_text(source, encoding="utf-8")
    return {
        **appended(env, "PYTHONPATH", str(folder)),
        **appended(env, "PYTEST_ADDOPTS", f"-p {module}"),
    }
