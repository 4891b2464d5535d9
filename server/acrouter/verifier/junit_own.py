"""Our JUnit report from a pytest that is asked for the project's own too.

pytest keeps the last ``--junitxml`` it is given (ini ``addopts`` first, then
``PYTEST_ADDOPTS``, then the command line), and writes one report.  A project whose own
command line passes ``--junit-xml=own.xml`` (wcwidth 0.9.4's ``tox.ini``) overrode the
report ``PYTEST_ADDOPTS`` asks for, and the verdict fell back to the exit code; ours on
the argv of a direct ``pytest`` run overrode the project's, which then was not written.

A pytest plugin of ours (``-p acrouter_junit`` in ``PYTEST_ADDOPTS``, its folder in the
run's out folder last on ``PYTHONPATH``, as the line tracer's is) writes whichever of the
two pytest did not keep, with a second ``_pytest.junitxml.LogXML`` made as pytest makes
its own (the same ini options: ``junit_family=xunit1`` we ask for): ours (its path in
``$ACROUTER_JUNIT_XML``) and the project's (the last value it gave, read from ini
``addopts``, ``PYTEST_ADDOPTS`` and the command line in pytest's order).  Not in a
pytest-xdist worker: the controller writes the reports.

A run that failed naming the plugin (it could not be imported: a script that sets its
own ``PYTHONPATH``; a test command that does is rewritten to keep ours,
:mod:`.inline_env`) is run again without it (:func:`without_plugin`), as it ran before."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from .pytest_plugins import ADDOPTS_TAIL, plugin_vars

#: the plugin's module (``-p acrouter_junit``); the tripwire reads it as a harness name
MODULE = "acrouter_junit"
#: the folder, in the run's out folder, that holds it (on ``PYTHONPATH``)
FOLDER = "_acrouter_junit"
#: the variable naming the report we read
OUT_VAR = "ACROUTER_JUNIT_XML"

PLUGIN = r'''"""ACRouter's JUnit report ($ACROUTER_JUNIT_XML) beside the project's own."""
import os
import shlex

_ADDED = []
_FLAGS = ("--junitxml", "--junit-xml")


def _path(value):
    value = os.path.expanduser(os.path.expandvars(str(value)))
    return os.path.normpath(os.path.abspath(value))


def _values(args):
    """The --junitxml values of ``args``, in order."""
    args = [str(a) for a in args]
    found = []
    for i, arg in enumerate(args):
        if arg == "--":
            break
        for flag in _FLAGS:
            if arg == flag and i + 1 < len(args):
                found.append(args[i + 1])
            elif arg.startswith(flag + "="):
                found.append(arg[len(flag) + 1 :])
    return [v for v in found if v]


def _asked(config):
    """Every --junitxml value pytest read, in its order: ini addopts, PYTEST_ADDOPTS,
    the command line."""
    args = []
    try:
        args += list(config.getini("addopts"))
    except Exception:
        pass
    try:
        args += shlex.split(os.environ.get("PYTEST_ADDOPTS", ""))
    except ValueError:
        pass
    params = getattr(config, "invocation_params", None)
    args += list(getattr(params, "args", ()) or ())
    return _values(args)


def _ini(config, name, default):
    try:
        return config.getini(name)
    except (ValueError, KeyError):  # junitxml disabled (-p no:junitxml)
        return default


def pytest_configure(config):
    ours = os.environ.get("ACROUTER_JUNIT_XML")
    if not ours or hasattr(config, "workerinput"):  # xdist: the controller writes
        return
    from _pytest.junitxml import LogXML

    ours = _path(ours)
    kept = getattr(config.option, "xmlpath", None)
    kept = _path(kept) if kept else None
    theirs = [p for p in (_path(v) for v in _asked(config)) if p != ours]
    for path in [ours] + theirs[-1:]:
        if path == kept:
            continue
        xml = LogXML(
            path,
            getattr(config.option, "junitprefix", None),
            _ini(config, "junit_suite_name", "pytest"),
            _ini(config, "junit_logging", "no"),
            _ini(config, "junit_duration_report", "total"),
            _ini(config, "junit_family", "xunit1"),
            _ini(config, "junit_log_passing_tests", True),
        )
        config.pluginmanager.register(xml)
        _ADDED.append(xml)


def pytest_unconfigure(config):
    while _ADDED:
        xml = _ADDED.pop()
        if config.pluginmanager.is_registered(xml):
            config.pluginmanager.unregister(xml)
'''


def plugin_env(out_dir: str, report: str, env: Mapping[str, str]) -> dict[str, str]:
    """The variables that load the plugin (written into ``out_dir``) writing ``report``,
    in a run whose environment is ``env``: ``PYTHONPATH`` gains its folder last,
    ``PYTEST_ADDOPTS`` gains ``-p acrouter_junit``."""
    return {**plugin_vars(Path(out_dir) / FOLDER, MODULE, PLUGIN, env), OUT_VAR: report}


def without_plugin(
    env: Mapping[str, str], exit_code: int | None, output: str
) -> dict[str, str] | None:
    """``env`` without the plugin when the run failed naming it (pytest could not import
    it: a script that sets its own ``PYTHONPATH``); else None."""
    if (
        exit_code == 0
        or MODULE not in output
        or f"-p {MODULE}" not in env.get("PYTEST_ADDOPTS", "")
    ):
        return None
    return unloaded(env)


def unloaded(env: Mapping[str, str]) -> dict[str, str]:
    """``env`` with ``-p acrouter_junit`` out of its ``PYTEST_ADDOPTS`` (and of what we
    appended to it: :data:`.pytest_plugins.ADDOPTS_TAIL`)."""
    out = {k: v for k, v in env.items() if k != OUT_VAR}
    for name in ("PYTEST_ADDOPTS", ADDOPTS_TAIL):
        rest = " ".join(env.get(name, "").replace(f"-p {MODULE}", " ").split())
        if rest:
            out[name] = rest
        else:
            out.pop(name, None)
    return out
