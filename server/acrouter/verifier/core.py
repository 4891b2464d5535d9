"""``ProjectVerifier``: run the project's own tests on a scratch copy with the edit
applied, in a sandbox, and compare with a (cached) run without the edit."""

from __future__ import annotations

import functools
import logging
import os
import time
from collections.abc import Mapping
from pathlib import Path

import attrs

from ..domain import Baseline, Cancelled, CancelToken, Edit, Task, Verdict, check_cancelled
from ..errors import PreflightError, VerifyError
from ..pytrees import shared_trees
from .baseline import (
    BaselineCache,
    baseline_summary,
    buffers_key,
    environment_key,
    shared_stamp,
)
from .bwrap import BWRAP_MISSING, bwrap_problem, overlay_works
from .bwrap_exe import BwrapExe, find_bwrap
from .compare import Comparison
from .detection import detect_test_command
from .edits import checked_buffers, edit_texts, texts_before, write_edits
from .environment import project_env
from .harness import reaches_into_harness
from .limits import NODE_WASM_OPTION, Limits, without_wasm_option
from .lines import Traced, with_lines
from .lines_run import Asked, asked, read_run, suspect, traced_spec
from .renames import with_old_names
from .results import read_test_run
from .runners import TestPlan, plan_command
from .runspec import run_spec
from .sandbox import run_command
from .scratch import Scan, Scratch, ScratchPool, scan_workspace
from .syntax import project_version, syntax_error, unreadable
from .testdata import patterns_of_the_tests
from .testfiles import (
    asks_for_tests,
    judge_with_users_tests,
    touched_tests,
)
from .testrun import TestRun
from .unsandboxed import link_shared, refuse_unrewritable
from .verdict import judge
from .written import run_writes

log = logging.getLogger(__name__)

#: Bumped when the way a baseline is computed changes (invalidates cached baselines).
CACHE_VERSION = "6"
SANDBOX_MODES = ("bwrap", "none")


# --------------------------------------------------------------------------- the verifier


class ProjectVerifier:
    """``domain.Verifier`` for real projects.

    ``verify`` rejects unsafe edits (verdict "error"), fails fast on a Python syntax
    error, then runs the test command on a scratch copy with the edit applied and
    compares with a run without it (cached per workspace state; when not cached, both
    runs go side by side in separate copies and sandboxes).

    - ``test_command``: used when the task has none; else the command is detected.
    - ``timeout_s``: wall-clock limit per test run.
    - ``sandbox``: "bwrap" (required unless "none" is chosen explicitly: unprotected).
    - ``bwrap``: a path to the bwrap executable, or "bwrap" to find one (see ``bwrap_exe``).
    - ``cache_dir``: where baselines are kept across processes; None = in memory.
    - ``baseline_cache``: a cache shared with other verifiers (the editor's composition
      root, app.py, gives every request's verifier the same one); overrides ``cache_dir``.
    - ``scratch_pool``: where copies are kept for reuse (the composition root shares one;
      default: this verifier's own).
    - ``overlay``: run on the workspace itself under an overlay when bubblewrap
      can (False: always on a scratch copy).
    - ``refresh_cache``: run every baseline again (once per key for this verifier) and
      replace the cached entry.
    - ``confirm_fixes``: confirm a pass that counts tests as fixed with a second run with
      and without the edit (:mod:`.confirm`).
    - ``trace_lines``: record which changed lines the run with the edit ran, so a pass
      names those no test ran (:mod:`.lines_run`); False: no run is traced.
    """

    def __init__(
        self,
        test_command: str | None = None,
        timeout_s: float = 120,
        sandbox: str = "bwrap",
        cache_dir: Path | None = None,
        *,
        limits: Limits | None = None,
        bwrap: str = "bwrap",
        env: Mapping[str, str] | None = None,
        scratch_pool: ScratchPool | None = None,
        baseline_cache: BaselineCache | None = None,
        reuse_scratch: bool = True,
        parallel_baseline: bool = True,
        overlay: bool = True,
        refresh_cache: bool = False,
        confirm_fixes: bool = True,
        trace_lines: bool = True,
    ) -> None:
        if sandbox not in SANDBOX_MODES:
            raise ValueError(f"sandbox must be one of {SANDBOX_MODES}, not {sandbox!r}")
        self.test_command = test_command.strip() if test_command and test_command.strip() else None
        self.timeout_s = float(timeout_s)
        self.sandbox = sandbox
        self.limits = limits or Limits()
        self.bwrap = bwrap
        self.env = env
        if baseline_cache is None:
            baseline_cache = BaselineCache(Path(cache_dir) if cache_dir is not None else None)
        self.comparison = Comparison(
            baseline_cache, parallel=parallel_baseline, refresh=refresh_cache, confirm=confirm_fixes
        )
        self.pool = scratch_pool if scratch_pool is not None else ScratchPool()
        self.reuse_scratch = reuse_scratch
        self.overlay = overlay
        self.trace_lines = trace_lines

    @property
    def baseline_runs(self) -> int:
        """How many baselines this verifier actually ran (not from the cache)."""
        return self.comparison.baseline_runs

    # ------------------------------------------------------------------ public
    def verify(
        self, task: Task, edit: Edit, model: str, cancel: CancelToken | None = None
    ) -> Verdict:
        t0 = time.monotonic()
        sandbox = ""  # which sandbox the tests ran in: none when they never ran
        try:
            with shared_trees():  # the texts' Python trees, parsed once
                verdict, bound = self._verify(task, edit, cancel)
            sandbox = self.describe_sandbox(bound)
        except Cancelled:
            raise
        except VerifyError as exc:  # refused or could not run: no test ran
            verdict = Verdict("error", detail=str(exc))
        except OSError as exc:
            log.exception("verification of %s's edit failed", model)
            verdict = Verdict("error", detail=f"the verifier failed: {exc}")
        verdict = attrs.evolve(
            verdict,
            duration_ms=(time.monotonic() - t0) * 1000.0,
            counted=verdict.counted and verdict.verdict != "error",
            sandbox=sandbox,
        )
        log.info(
            "verified %s's edit for %s: %s (%s)",
            model,
            task.task_id,
            verdict.verdict,
            verdict.detail,
        )
        return verdict

    def prepare(self, task: Task, cancel: CancelToken | None = None) -> Baseline:
        """Pre-flight: the test command, the sandbox, and the run without the edit (from
        the cache, else run now and cached for ``verify``).  Raises ``PreflightError``
        when no edit could be verified, so that no model is called."""
        try:
            root = self._root(task)
        except VerifyError as exc:
            raise PreflightError(str(exc)) from None
        command = task.test_command or self.test_command or detect_test_command(root)
        if not command:
            raise PreflightError(
                f"no test command found for {root}, so no edit could be verified", "testCommand"
            )
        try:
            self._check_sandbox(command, root, task.workspace)
        except VerifyError as exc:
            raise PreflightError(str(exc), "sandbox") from None
        probe = plan_command(command, "/acrouter-out", root)
        _check_cancel(cancel)
        try:  # the unsaved buffers, and a sandbox that could not start the run
            buffers = checked_buffers(root, task)
            scan, key, overlay = self._state(root, command, probe, cancel, buffers)
            before = self.comparison.cached_baseline(
                key, lambda: self._run_once(command, root, scan, buffers, cancel, overlay)
            )
        except VerifyError as exc:
            raise PreflightError(str(exc)) from None
        return baseline_summary(command, before)

    def bwrap_exe(self) -> BwrapExe | None:
        """The bwrap the tests run under (None with sandbox "none")."""
        return find_bwrap(self.bwrap) if self.sandbox == "bwrap" else None

    def _bwrap_path(self) -> str:
        exe = self.bwrap_exe()
        return exe.path if exe is not None and exe.path else self.bwrap

    def describe_sandbox(self, process_bound: str = "") -> str:
        """One line for the why: which sandbox the tests ran in, and how the run's
        processes were bounded (``RunOutcome.process_bound``, when known)."""
        exe = self.bwrap_exe()
        if exe is None:
            return 'no sandbox (sandbox "none"): the tests ran unprotected'
        return f"{exe.describe()}; {process_bound}" if process_bound else exe.describe()

    # ------------------------------------------------------------------ steps
    def _verify(self, task: Task, edit: Edit, cancel: CancelToken | None) -> tuple[Verdict, str]:
        """The verdict, and how the run with the edit was bounded (for the why)."""
        root = self._root(task)
        command = task.test_command or self.test_command or detect_test_command(root)
        if not command:
            raise VerifyError(
                f"no test command found for {root}: set testCommand (acrouter.testCommand in "
                'VS Code; --test-command or config.toml on the command line), e.g. "python -m pytest"'
            )
        self._check_sandbox(command, root, task.workspace)
        buffers = checked_buffers(root, task)  # in both runs: the workspace the user sees
        texts = edit_texts(root, edit, buffers)
        probe = plan_command(command, "/acrouter-out", root)  # the real folder comes later
        syntax = syntax_error(texts, probe, root)
        if syntax:
            return Verdict("fail", detail=syntax, score=0.0), ""
        patterns = patterns_of_the_tests(command, root, buffers, texts)
        olds = texts_before(root, texts, buffers)  # what the edit was made from
        harness = unreadable(texts, olds, probe, root) or reaches_into_harness(
            texts, olds, patterns, root, project_version(probe, root)
        )
        if harness:  # not evidence about the model: an edit we cannot judge
            return Verdict("fail", detail=harness, score=0.0, counted=False), ""
        _check_cancel(cancel)
        scan, key, overlay = self._state(root, command, probe, cancel, buffers)
        bound: list[str] = []
        fix = task.kind == "bug_fixing"  # failing tests are then what the edit should fix
        judging = functools.partial(judge, fix_requested=fix)
        tests, renamed, restored = touched_tests(texts, patterns, olds)
        # which of them the tests ran: .lines_run
        changed = asked(texts, olds) if self.trace_lines else Asked()
        traced: list[Traced] = []

        def verdict_with(files: Mapping[str, str]) -> Verdict:
            found: list[Traced] = []  # these files' lines, traced once (not in a confirmation)

            def run(edited: bool, token: CancelToken | None) -> TestRun:
                result = self._run_once(
                    command,
                    root,
                    scan,
                    {**buffers, **files} if edited else buffers,
                    token,
                    overlay,
                    edited,
                    changed if edited and not found else None,
                )
                if edited:
                    bound.append(result.process_bound)
                    found.extend([result.traced] if result.traced else [])
                    traced.extend([result.traced] if result.traced else [])
                return with_old_names(result, renamed) if edited and renamed else result

            if not files and not probe.weak:  # nothing changes: the run without the edit
                before = self.comparison.cached_baseline(key, lambda: run(False, cancel))
                return judging(before, before)
            return self.comparison.compare(key, run, probe.weak, cancel, judging)

        if not (tests or restored) or (asks_for_tests(task, root) and len(tests) == len(texts)):
            verdict = verdict_with(texts)  # (the tests asked for: what else could judge them?)
        else:
            verdict = judge_with_users_tests(tests, texts, verdict_with, renamed, restored)
        return with_lines(verdict, changed.changes, traced), bound[-1] if bound else ""

    def _state(
        self,
        root: Path,
        command: str,
        probe: TestPlan,
        cancel: CancelToken | None,
        buffers: Mapping[str, str],
    ) -> tuple[Scan, str, bool]:
        """The workspace scan, the baseline cache key (the files, the unsaved ``buffers``
        in their place, the command and its environment) and whether runs use an
        overlay."""
        overlay = (
            self.sandbox == "bwrap"
            and self.overlay
            and overlay_works(self._bwrap_path(), str(root))
        )
        scan = scan_workspace(root, functools.partial(_check_cancel, cancel))
        source_env = self._source_env()
        tests_env = project_env(root, source_env)
        env_key = environment_key(probe.argv, {**source_env, **tests_env}, root)
        key = scan.state_key(
            CACHE_VERSION,
            command,
            self.sandbox,
            "overlay" if overlay else "copy",
            shared_stamp(root, scan),
            env_key,
            *([buffers_key(buffers)] if buffers else []),
        )
        return scan, key, overlay

    def _check_sandbox(self, command: str, root: Path, workspace: str | None) -> None:
        """``VerifyError`` when the tests cannot run: no usable bwrap, or (without a
        sandbox) a command that would reach the user's folder."""
        exe = self.bwrap_exe()
        if exe is None:
            refuse_unrewritable(command, root, workspace)
            return
        if exe.path is None:
            raise VerifyError(f"{BWRAP_MISSING} ({exe.note})" if exe.note else BWRAP_MISSING)
        problem = bwrap_problem(exe.path)
        if problem:
            raise VerifyError(f"{problem} [{exe.describe()}]")

    def _run_once(
        self,
        command: str,
        root: Path,
        scan: Scan,
        texts: Mapping[str, str],
        cancel: CancelToken | None,
        overlay: bool,
        edited: bool = False,
        trace: Asked | None = None,
    ) -> TestRun:
        """One test run with ``texts`` in place of the files (the unsaved buffers, and the
        edit's files when ``edited``; under an overlay, else on a copy), and what it wrote;
        which of the statements ``trace`` asks about it ran, when pytest, node or go test
        ran them."""
        # copies are reused only after sandboxed runs: without a sandbox, a process the
        # tests left behind could still change the copy after the checks
        reusable = self.sandbox == "bwrap" and self.reuse_scratch
        scratch = self.pool.acquire(root, 0 if overlay else scan.total_bytes)
        try:
            edits: list[tuple[str, str]] = []
            if overlay:
                edits = write_edits(scratch.base / "edit", root, texts or {})
            else:
                scratch.sync(scan, texts, check=functools.partial(_check_cancel, cancel))
                if self.sandbox == "none":
                    link_shared(scratch.ws, root, scan.shared_dirs)
            log.info(
                "running the tests %s the edit in %s",
                "with" if edited else "without",
                root if overlay else scratch.ws,
            )
            run = self._run(command, root, scratch, scan, cancel, overlay, edits, trace)
            return attrs.evolve(run, wrote=run_writes(root, scratch, overlay, edits, texts))
        except BaseException:
            reusable = False
            raise
        finally:
            self.pool.release(scratch, reusable)

    def _source_env(self) -> dict[str, str]:
        """The environment the tests' environment is built from."""
        return dict(os.environ if self.env is None else self.env)

    def _root(self, task: Task) -> Path:
        if not task.workspace:
            raise VerifyError("the request has no workspace folder, so there are no tests to run")
        root = Path(os.path.realpath(task.workspace))
        if not root.is_dir():
            raise VerifyError(f"the workspace folder {task.workspace} does not exist")
        return root

    def _run(
        self,
        command: str,
        root: Path,
        scratch: Scratch,
        scan: Scan,
        cancel: CancelToken | None,
        overlay: bool,
        edits: list[tuple[str, str]],
        trace: Asked | None = None,
    ) -> TestRun:
        """Plan the command, run it in the sandbox and read what it left."""
        dirs = scratch.run_dirs()
        # jest and vitest cover the edited files themselves (.lines_istanbul)
        plan = plan_command(command, str(dirs[0]), root, trace.covered if trace else ())
        for path, text in plan.files.items():
            Path(path).write_text(text, encoding="utf-8")
        if not overlay:
            scratch.settle()
        spec_of = functools.partial(
            run_spec,
            root=root,
            ws=scratch.ws,
            shared=scan.shared_dirs,
            dirs=dirs,
            sandbox=self.sandbox,
            overlay=overlay,
            edits=edits,
            source_env=self._source_env(),
            timeout_s=self.timeout_s,
            limits=self.limits,
        )
        spec = spec_of(plan)
        seen = str(root) if overlay or self.sandbox == "bwrap" else str(scratch.ws)
        untraced = spec_of(plan_command(command, str(dirs[0]), root)) if plan.covered else spec
        covered = plan.covered
        if trace:
            spec, trace = traced_spec(spec, plan.runner, str(dirs[0]), seen, trace, covered)
        start = functools.partial(
            run_command, mode=self.sandbox, bwrap=self._bwrap_path(), cancel=cancel
        )
        outcome = start(spec)
        if trace and suspect(trace, outcome, dirs[0], covered):
            log.info(
                "the run with the line tracer failed in a way it may have caused: again without"
            )
            spec, trace = untraced, None
            outcome = start(spec)
        plain = without_wasm_option(spec.env, outcome.output)
        ours = NODE_WASM_OPTION not in self._source_env().get("NODE_OPTIONS", "").split()
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
        run = read_test_run(outcome, plan, seen, self.limits, self.timeout_s)
        traced = read_run(dirs[0], seen, trace, covered, plan.runner) if trace else None
        return attrs.evolve(run, traced=traced) if trace else run


# --------------------------------------------------------------------------- helpers


def _check_cancel(cancel: CancelToken | None) -> None:
    check_cancelled(cancel, "verification cancelled")
