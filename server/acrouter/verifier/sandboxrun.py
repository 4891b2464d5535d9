"""One run of the test command in a prepared copy (or under an overlay): planned, traced
when asked, run again when the line tracer, our JUnit plugin or the node option we added
may have failed it, and read.  ``ProjectVerifier._run_once`` prepares the copy and passes ``start``, the
sandbox's :func:`.sandbox.run_command` bound to its mode, bwrap and cancel token, and
``read_lines``, :func:`.lines_run.read_run` (both looked up in ``core``, where tests of
the line tracer spy on them)."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Mapping
from pathlib import Path

import attrs

from .junit_own import MODULE as JUNIT_MODULE
from .junit_own import unloaded, without_plugin
from .limits import NODE_WASM_OPTION, Limits, without_wasm_option
from .lines import Traced
from .lines_ccov import settle as c_settle
from .lines_opened import GIT_MARKS, OpenWatch, git_env
from .lines_run import Asked, suspect, traced_spec, untraced
from .lines_rust import View, combine, read_builds
from .lines_rustcov import read_cover
from .results import read_test_run
from .runners import plan_command
from .runspec import run_spec
from .runtypes import RunOutcome, RunSpec
from .scratch import Scan, Scratch
from .testrun import TestRun
from .workspace import resolve_edit_path
from .written import upper_dirs

log = logging.getLogger(__name__)


def run_tests(
    command: str,
    root: Path,
    scratch: Scratch,
    scan: Scan,
    overlay: bool,
    edits: list[tuple[str, str]],
    trace: Asked | None,
    *,
    start: Callable[[RunSpec], RunOutcome],
    read_lines: Callable[[Path, str, Asked, str | None, str | None, str | None], Traced | None],
    sandbox: str,
    source_env: Mapping[str, str],
    timeout_s: float,
    limits: Limits,
) -> TestRun:
    """Plan the command, run it with ``start`` and read what it left (the traced lines
    with ``read_lines``)."""
    dirs = scratch.run_dirs()
    # jest and vitest cover the edited files themselves (.lines_istanbul)
    offline = sandbox == "bwrap"  # (the sandbox has no network)
    plan = plan_command(
        command, str(dirs[0]), root, trace.covered if trace else (), offline=offline
    )
    for path, text in plan.files.items():
        Path(path).parent.mkdir(parents=True, exist_ok=True)  # (minitest/acrouter_plugin.rb)
        Path(path).write_text(text, encoding="utf-8")
    if not overlay:
        scratch.settle()
    spec_of = functools.partial(
        run_spec,
        root=root,
        ws=scratch.ws,
        shared=scan.shared_dirs,
        dirs=dirs,
        sandbox=sandbox,
        overlay=overlay,
        edits=edits,
        source_env=source_env,
        timeout_s=timeout_s,
        limits=limits,
    )
    spec = spec_of(plan)
    seen = str(root) if overlay or sandbox == "bwrap" else str(scratch.ws)
    uncovered = plan_command(command, str(dirs[0]), root, offline=offline) if plan.covered else None
    untraced_spec = spec_of(uncovered) if uncovered is not None else spec
    covered = plan.covered
    watch = _watch(trace, root, scratch, overlay, edits) if trace else None
    if watch is not None:  # every run of the command below, the edited files watched
        start = functools.partial(_watched, watch, start)
    if trace:
        spec, trace = traced_spec(spec, plan.runner, str(dirs[0]), seen, trace, covered, str(root))
    if watch is not None and (marked := git_env(str(dirs[0]), spec.env)):
        # a git of the run marks when it runs: its opens of the edited files are no test's
        watch.marks = str(Path(dirs[0], GIT_MARKS))
        spec = attrs.evolve(spec, env={**spec.env, **marked})
        untraced_spec = attrs.evolve(
            untraced_spec, env={**untraced_spec.env, **git_env(str(dirs[0]), untraced_spec.env)}
        )
    outcome = start(spec)
    bare = without_plugin(spec.env, outcome.exit_code, outcome.output)
    if bare is not None:  # pytest could not import our JUnit plugin (.junit_own)
        log.info("the tests' pytest could not load %s: running them without it", JUNIT_MODULE)
        spec = attrs.evolve(spec, env=bare)
        untraced_spec = attrs.evolve(untraced_spec, env=unloaded(untraced_spec.env))
        outcome = start(spec)
    lost = None  # what was asked of a traced run redone without tracing
    if trace and suspect(trace, outcome, dirs[0], covered):
        log.info("the run with the line tracer failed in a way it may have caused: again without")
        spec, trace, lost = untraced_spec, None, trace
        outcome = start(spec)
    plain = without_wasm_option(spec.env, outcome.output)
    ours = NODE_WASM_OPTION not in source_env.get("NODE_OPTIONS", "").split()
    if plain is not None and ours:  # a node older than 20.15 refused the option we added
        log.info("the tests' node does not take %s: running them without it", NODE_WASM_OPTION)
        spec = attrs.evolve(spec, env=plain)
        outcome = start(spec)
    log.debug(
        "test run: exit %s, %d bytes of output, %.0f ms; tail:\n%s",
        outcome.exit_code,
        outcome.output_bytes,
        outcome.duration_ms,
        outcome.output[-2000:],
    )
    run = read_test_run(outcome, plan, seen, limits, timeout_s)
    origin = None if seen == str(root) else str(root)  # the run saw a copy elsewhere
    traced = read_lines(dirs[0], seen, trace, covered, plan.runner, origin) if trace else None
    if trace and trace.rs and plan.runner == "cargo":  # what cargo built: .lines_rust
        base = root if overlay else scratch.ws
        upper = upper_dirs(scratch.base)[0] if overlay else None
        view = View(seen, base, upper, outside=sandbox == "none")
        output = _output(plan.capture, outcome)
        built = read_builds(view, trace.rs, output)
        if trace.rust_cover:  # which lines of the files it built ran: .lines_rustcov
            known = set(built.lines) | set(built.elsewhere) | built.unmeasured if built else set()
            rest = {k: v for k, v in trace.rs.items() if k not in known}
            built = combine(built, read_cover(dirs[0], view, rest, output) if rest else None)
        traced = combine(traced, built)
    if lost is not None:
        traced = untraced(lost)
    opened = watch.opened() if watch is not None else None
    if trace and trace.java and opened and traced is not None:
        traced = _stale_java(traced, set(trace.java), opened)
    if trace and trace.c:  # C and C++ files whose lines were not measured, and why: .lines_ccov
        traced, opened = c_settle(traced, opened, trace.c, trace.c_why, dirs[0], seen)
    if opened and traced is not None:
        # measured line by line (.lines_rubycov, .lines_perlcov, .lines_phpcov, .lines_javacov,
        # .lines_ccov), or opened and its changed lines said not known, with why
        # (.lines_phpcov: the run's own coverage cleared pcov's record; .lines_javacov:
        # another agent retransformed a class of the file)
        told = {c.path for c in traced.changes if c.path in traced.unknown}
        opened = {
            k: v for k, v in opened.items() if k not in traced.lines and not (v and k in told)
        }
    if opened:
        by_git = watch.by_git() if watch is not None else frozenset()
        traced = attrs.evolve(
            traced or Traced({}, True), opened=opened, by_git=by_git & set(opened)
        )
    return attrs.evolve(run, traced=traced) if trace or lost is not None else run


def _stale_java(traced: Traced, java: set[str], opened: Mapping[str, bool]) -> Traced:
    """``traced`` without the lines of the edited Java files no process of the run opened:
    the classes a JVM ran were not compiled from the edit (a build told to skip compiling
    ran those a build before it left in ``target/``), so their lines are not the edit's;
    the files are left to the opened files' sentence ("no process of the tests' run
    opened ...", :mod:`.lines_opened`)."""
    stale = {rel for rel in java if opened.get(rel) is False and rel in traced.lines}
    if not stale:
        return traced
    return attrs.evolve(
        traced,
        lines={k: v for k, v in traced.lines.items() if k not in stale},
        unmeasured=traced.unmeasured | stale,
        changes=tuple(c for c in traced.changes if c.path not in stale),
    )


def _watched(watch: OpenWatch, start: Callable[[RunSpec], RunOutcome], spec: RunSpec) -> RunOutcome:
    return watch.during(lambda: start(spec))


def _watch(
    ask: Asked, root: Path, scratch: Scratch, overlay: bool, edits: list[tuple[str, str]]
) -> OpenWatch | None:
    """A watch on the run's copies of the edited files no tracer measures: the files
    bound over the overlaid workspace, else the scratch copy's (:mod:`.lines_opened`)."""
    if not ask.opened:
        return None
    bound = {rel: host for host, rel in edits}
    files: dict[str, str] = {}
    for rel in ask.opened:
        if overlay:
            try:
                real = resolve_edit_path(root, rel).relative_to(root).as_posix()
            except (ValueError, OSError):
                continue
            if real in bound:
                files[bound[real]] = rel
        else:
            files[str(scratch.ws / rel)] = rel
    return OpenWatch(files) if files else None


def _output(capture: str | None, outcome: RunOutcome) -> str:
    """The run's whole output (its capture file, which the runner's report is read
    from), else the head and tail the outcome kept."""
    try:
        return (
            Path(capture).read_text(encoding="utf-8", errors="replace")
            if capture
            else outcome.output
        )
    except OSError:
        return outcome.output
