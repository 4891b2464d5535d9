"""One test run's ``RunSpec``: the command, its environment (the project's virtualenv,
a report request for a pytest anywhere below the command), and either the sandbox's
mounts at the workspace path or, without a sandbox, everything pointed at the copy."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from .bwrap import SANDBOX_TMP, Mount, mounts_for, tool_mounts, workspace_links
from .commandline import script_tokens
from .detection import poetry_venv
from .environment import (
    build_env,
    gradle_dependency_cache,
    gradle_home,
    hidden_home_paths,
    maven_repository,
    maven_settings,
    project_env,
    tool_env_dirs,
    tox_pass_env,
)
from .inline_env import keeping_ours
from .junit_own import plugin_env
from .limits import Limits, node_options
from .pytest_plugins import TAILS, appended
from .runners import TestPlan, pytest_addopts
from .runtypes import RunSpec
from .unsandboxed import NO_SYNC, editable_paths, to_scratch, to_scratch_text
from .written import upper_dirs

#: what every JVM in the sandbox gets (see run_spec)
JAVA_IN_SANDBOX = "-XX:-UseContainerSupport"


def run_spec(
    plan: TestPlan,
    root: Path,
    ws: Path,
    shared: tuple[str, ...],
    dirs: tuple[Path, Path, Path],
    *,
    sandbox: str,
    overlay: bool,
    edits: list[tuple[str, str]],
    source_env: Mapping[str, str],
    timeout_s: float,
    limits: Limits,
) -> RunSpec:
    """How to run ``plan``: in bubblewrap at the workspace path (over the copy ``ws``
    or, with ``overlay``, the workspace itself with ``edits`` bound over it), or
    without a sandbox on the copy.  ``shared``: the venv / node_modules folders the
    copy does not hold; ``dirs``: the run's out, home and tmp folders (beside them, the
    overlay's upper and work folders: what the run wrote, :mod:`.written`).  Python
    writes no bytecode: an honest run then writes no ``.pyc`` a forged one could hide
    among."""
    out, home, tmp = dirs
    extra = project_env(root, source_env)
    named = _environment_of(plan.interpreter)
    if "VIRTUAL_ENV" not in extra and named is not None:
        # a virtualenv's or a conda environment's Python the command names (the editor's,
        # ~/.virtualenvs/x/bin/python): its tests' own ``python`` and tools are that
        # environment's, as when it is active
        path = source_env.get("PATH", "/usr/bin:/bin")
        extra.update({named[1]: named[0], "PATH": f"{named[0]}/bin{os.pathsep}{path}"})
    extra.update(gradle_home(str(home), source_env))
    ruby_lib = extra.get("RUBYLIB") or source_env.get("RUBYLIB")
    extra.update(plan.env)
    if "RUBYLIB" in plan.env and ruby_lib:  # our minitest plugin before the project's own
        extra["RUBYLIB"] = f"{plan.env['RUBYLIB']}:{ruby_lib}"
    extra["PYTHONDONTWRITEBYTECODE"] = "1"
    wasm = node_options(
        limits, extra.get("NODE_OPTIONS"), extra.get("PATH") or source_env.get("PATH"), str(root)
    )
    if wasm:
        extra["NODE_OPTIONS"] = wasm
    if not any(a.startswith("--junitxml=") for a in plan.argv):
        # a pytest below another program (npm, make, a shell line) reports too
        now = {"PYTEST_ADDOPTS": source_env.get("PYTEST_ADDOPTS", "")}
        extra.update(appended(now, "PYTEST_ADDOPTS", pytest_addopts(None, str(out))))
    if plan.runner in (None, "pytest"):  # ours beside the project's own --junit-xml
        now = {k: extra.get(k) or source_env.get(k) or "" for k in TAILS}
        now.update({tail: extra.get(tail, "") for tail, _sep in TAILS.values()})  # not the source's
        extra.update(plugin_env(str(out), f"{out}/report.xml", {k: v for k, v in now.items() if v}))
    if "tox" in (os.path.basename(word) for word in plan.command.split()):  # .venv/bin/tox
        extra["TOX_OVERRIDE"] = tox_pass_env(extra)
    if sandbox == "bwrap":
        extra = {**tool_env_dirs(source_env), **extra}
        # Java's view of its container read the sandbox's cgroups and failed (JDK 17 on
        # cgroup v1: a NullPointerException in CgroupV1Subsystem when Gradle asked for
        # the machine's memory): the sandbox bounds the run's memory itself
        extra["JAVA_TOOL_OPTIONS"] = JAVA_IN_SANDBOX
        env = build_env(source_env, home=str(home), tmp=SANDBOX_TMP, extra=extra)
        settings = maven_settings(str(home))  # Maven's, without its credentials
        # the user's caches under overlays: what the run writes there lands in its scratch
        caches = (
            (*_gradle_cache(plan, home, source_env), *_maven_repo(plan, home)) if overlay else ()
        )
        mounts = mounts_for(
            root,
            scratch=None if overlay else ws,
            shared=shared,
            edits=edits,
            tools=tool_mounts(
                (*plan.argv, *script_tokens(plan.argv, root), *workspace_links(root)), root
            ),
            extra=(
                Mount(str(out), str(out), True),
                Mount(str(home), str(home), True),
                *([Mount(*settings, False)] if settings else []),
                *caches,
            ),
            upper=upper_dirs(out.parent) if overlay else None,
        )
        real_home = source_env.get("HOME") or os.path.expanduser("~")
        hide = tuple(p for p in hidden_home_paths(real_home) if not str(root).startswith(p))
        return RunSpec(
            keeping_ours(plan.argv),
            str(root),
            env,
            timeout_s,
            mounts,
            hide,
            limits,
            capture=plan.capture,
            write_root=str(out.parent),
        )
    if "VIRTUAL_ENV" not in extra and "poetry" in plan.command.split():
        # poetry finds its virtualenv by the project's path, which the copy does not have
        found = poetry_venv(root, source_env)
        if found is not None:
            extra["VIRTUAL_ENV"] = str(found)
            path = extra.get("PATH") or source_env.get("PATH", "/usr/bin:/bin")
            extra["PATH"] = f"{found}/bin{os.pathsep}{path}"
    # a virtualenv outside the workspace (poetry's or pipenv's for it, the user's active
    # one, the one whose Python the command names) whose editable install names the
    # workspace: the copy's folders first
    venvs = (extra.get("VIRTUAL_ENV") or source_env.get("VIRTUAL_ENV"), named and named[0])
    outside = tuple(v for v in dict.fromkeys(venvs) if v and to_scratch(v, root, ws) == v)
    extra.update(
        editable_paths(
            root,
            ws,
            (*shared, *outside),
            extra.get("PYTHONPATH") or source_env.get("PYTHONPATH"),
        )
    )
    extra.update(NO_SYNC)
    if "VIRTUAL_ENV" in extra:
        extra["VIRTUAL_ENV"] = to_scratch(extra["VIRTUAL_ENV"], root, ws)
        extra["PATH"] = to_scratch_text(extra["PATH"], root, ws)
    env = build_env(source_env, home=str(home), tmp=str(tmp), extra=extra)
    argv = tuple(to_scratch_text(a, root, ws) for a in keeping_ours(plan.argv))
    return RunSpec(
        argv,
        str(ws),
        env,
        timeout_s,
        limits=limits,
        capture=plan.capture,
        write_root=str(out.parent),
    )


def _runs(plan: TestPlan, *programs: str) -> bool:
    """Whether the command names one of ``programs`` (``./gradlew``, ``/usr/bin/mvn``)."""
    return any(os.path.basename(w) in programs for w in plan.command.split())


def _maven_repo(plan: TestPlan, home: Path) -> tuple[Mount, ...]:
    """The user's Maven repository under an overlay at its own path, for a command that
    runs Maven: ``mvn install`` writes the project's artifacts there (into the run's
    scratch folder), where it was read-only and every install failed after the tests."""
    repo = maven_repository() if _runs(plan, "mvn", "mvnw") else None
    if repo is None:
        return ()
    scratch = home.parent
    return (
        Mount(
            repo, repo, overlay=True, upper=str(scratch / "m2-upper"), work=str(scratch / "m2-work")
        ),
    )


def _environment_of(interpreter: str | None) -> tuple[str, str] | None:
    """The environment whose ``bin/`` holds ``interpreter`` (a path) and the variable
    that names it when it is active: a virtualenv's (``pyvenv.cfg``: ``VIRTUAL_ENV``) or
    a conda environment's (``conda-meta/``: ``CONDA_PREFIX``); None in neither."""
    if not interpreter or not os.path.isabs(interpreter):
        return None
    prefix = os.path.dirname(os.path.dirname(interpreter))
    if os.path.isfile(os.path.join(prefix, "pyvenv.cfg")):
        return prefix, "VIRTUAL_ENV"
    if os.path.isdir(os.path.join(prefix, "conda-meta")):
        return prefix, "CONDA_PREFIX"
    return None


def _gradle_cache(plan: TestPlan, home: Path, source_env: Mapping[str, str]) -> tuple[Mount, ...]:
    """The user's Gradle dependency cache under an overlay at the run's own Gradle home
    (``home/.gradle/caches/modules-2``; what Gradle writes there, its locks and anything
    new, lands in the run's scratch folder), for a command that runs Gradle.  Gradle 6.2
    and later also read it as ``GRADLE_RO_DEP_CACHE``; an older one did not, and in the
    sandbox, offline, found none of the dependencies the user's builds had downloaded
    ("No cached version of junit:junit:4.13.2 available for offline mode")."""
    if not _runs(plan, "gradle", "gradlew"):
        return ()
    cache = gradle_dependency_cache(source_env)
    if cache is None:
        return ()
    dest = home / ".gradle" / "caches" / "modules-2"
    dest.mkdir(parents=True, exist_ok=True)
    scratch = home.parent
    return (
        Mount(
            cache,
            str(dest),
            overlay=True,
            upper=str(scratch / "gradle-upper"),
            work=str(scratch / "gradle-work"),
        ),
    )
