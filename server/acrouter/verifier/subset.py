"""Running only some of pytest's tests, for the confirmation of a fix (:mod:`.confirm`).

The test command stays as the user wrote it (its paths, ``-k``, ``-m``, ``-n``, its
configuration): a pytest plugin of ours, loaded as the line tracer's is (its folder,
in the run's out folder, last on ``PYTHONPATH``; ``-p acrouter_select`` in
``PYTEST_ADDOPTS``), deselects every collected test but those asked for, after every
other plugin has ordered and deselected them (``trylast``), so they keep their order and
their module and session fixtures.  The ids asked for are read from a file: no length
limit and no quoting on a command line.  The plugin names each test as our reading of
its JUnit report does (``reports/junit.py``: pytest's ``classname`` and ``name`` from
the node id, its ``file`` from the test's location), so an id read from the first run's
report selects the test it came from.

Nothing here is trusted: a run whose tests are not exactly those asked for (the plugin
not loaded: a script that sets its own ``PYTHONPATH`` or ``PYTEST_ADDOPTS``, whereas the
test command's own keeps ours, :mod:`.inline_env`; an id named
differently, ``-x`` stopping early) is not a subset run, and the confirmation falls back
to the whole suite (:func:`.confirm.confirm_subset`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from pathlib import Path

import attrs

from .pytest_plugins import plugin_vars
from .runners import TestPlan
from .runtypes import RunOutcome, RunSpec
from .testrun import TestRun

#: the plugin's module, and the folder in the run's out folder that holds it
MODULE = "acrouter_select"
FOLDER = "_acrouter_select"
#: the variable naming the file of the ids to keep (a JSON list)
IDS_VAR = "ACROUTER_SELECT_IDS"
#: a subset larger than this share of the suite's tests is not worth selecting
MAX_SHARE = 0.5
#: pytest options that stop the run early: with more than one test selected, the ones
#: after the first failure would not run (a whole-suite confirmation, then)
STOPS_EARLY = ("-x", "--exitfirst", "--maxfail", "--sw", "--stepwise")

PLUGIN = r'''"""ACRouter's confirmation of a fix: keep only the tests named in $ACROUTER_SELECT_IDS."""
import json
import os
import re

import pytest


def _junit_id(nodeid, file):
    """The id ACRouter reads from the test's xunit1 JUnit entry (reports/junit.py)."""
    path, bracket, params = nodeid.partition("[")
    names = path.split("::")
    names[0] = re.sub(r"\.py$", "", names[0].replace("/", "."))
    names[-1] += bracket + params
    classname, name = ".".join(names[:-1]), names[-1]
    if file and file.endswith(".py"):
        module = file[:-3].replace("/", ".").replace(os.sep, ".")
        if not classname:
            return file
        if classname == module or classname.endswith("." + module) or module.endswith("." + classname):
            return file + "::" + name
        if classname.startswith(module + "."):
            return file + "::" + classname[len(module) + 1 :].replace(".", "::") + "::" + name
        tail = classname.rsplit(".", 1)[-1]
        if tail and tail[0].isupper():
            return file + "::" + tail + "::" + name
        return file + "::" + name
    return classname + "::" + name if classname else name


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(session, config, items):
    path = os.environ.get("ACROUTER_SELECT_IDS")
    if not path:
        return
    with open(path, encoding="utf-8") as f:
        wanted = set(json.load(f))
    keep, drop = [], []
    for item in items:
        file = item.location[0] if item.location else ""
        (keep if _junit_id(item.nodeid, file) in wanted else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep
'''


def selectable(plan: TestPlan, fixed: int) -> bool:
    """Whether the command's tests can be selected: pytest (directly, in a shell line or
    an npm script), not told to stop at the first failure when more than one is kept."""
    if not plan.pytest:
        return False
    words = plan.command.split()
    return fixed <= 1 or not any(w.split("=")[0] in STOPS_EARLY for w in words)


def worth(fixed: frozenset[str], after: TestRun) -> bool:
    """Whether running only ``fixed`` is worth it: at most ``MAX_SHARE`` of the tests
    the run with the edit ran."""
    total = len(after.outcomes or {})
    return bool(fixed) and len(fixed) <= total * MAX_SHARE


def worth_for(plan: TestPlan, renamed: bool) -> Callable[[frozenset[str], TestRun], bool]:
    """``worth(fixed, after)`` for a run of ``plan``: the fixed tests can be selected
    (:func:`selectable`), the edit renamed no test (their ids differ with it), and
    running them alone is :func:`worth` it."""
    return lambda fixed, after: not renamed and selectable(plan, len(fixed)) and worth(fixed, after)


def subset_key(key: str, tests: frozenset[str]) -> str:
    """The cache key of the run without the edit of ``tests`` only, beside ``key``."""
    digest = hashlib.sha256("\0".join(sorted(tests)).encode()).hexdigest()[:16]
    return f"{key}-again-only-{digest}"


def select_env(out_dir: Path, tests: frozenset[str], env: Mapping[str, str]) -> dict[str, str]:
    """The variables that load the plugin (written into ``out_dir``) keeping ``tests``,
    in a run whose environment is ``env``."""
    folder = out_dir / FOLDER
    loads = plugin_vars(folder, MODULE, PLUGIN, env)
    ids = folder / "ids.json"
    ids.write_text(json.dumps(sorted(tests)), encoding="utf-8")
    return {**loads, IDS_VAR: str(ids)}


def selecting(
    start: Callable[[RunSpec], RunOutcome], tests: frozenset[str], out_dir: Path
) -> Callable[[RunSpec], RunOutcome]:
    """``start`` running only ``tests`` (every time it is called: a run made again)."""

    def start_only(spec: RunSpec) -> RunOutcome:
        env = {**spec.env, **select_env(out_dir, tests, spec.env)}
        return start(attrs.evolve(spec, env=env))

    return start_only
