"""``ProjectVerifier``: run the project's own tests on a scratch copy with the edit
applied, in a sandbox, and compare with a (cached) run without the edit.

The stages it puts together: ``preflight`` (the workspace, the test command, the
sandbox, the state that keys the cached baseline), ``screening`` (the edit's texts, and
a verdict without running when they cannot be judged), ``sandboxrun`` (one run in a
prepared copy or overlay, read), ``compare`` and ``verdict`` (the runs compared and
judged)."""

from __future__ import annotations

import functools
import logging
import os
import time
from collections.abc import Mapping
from pathlib import Path

import attrs

from ..domain import Baseline, Cancelled, CancelToken, Edit, Task, Verdict
from ..errors import PreflightError, VerifyError
from ..pytrees import shared_trees
from .baseline import BaselineCache, baseline_summary
from .bwrap import overlay_works
from .bwrap_exe import BwrapExe, find_bwrap
from .compare import Comparison
from .detection import example_test_command, pyenv_shown
from .edits import checked_buffers, write_edits
from .fingerprint import Snapshot, WorkspaceFingerprint, fingerprint_of, take_snapshot
from .limits import Limits
from .lines import Traced, idle, printed_cut, with_lines
from .lines_built import settle
from .lines_run import Asked, asked, read_run
from .preflight import (
    check_cancel,
    check_sandbox,
    command_for,
    workspace_root,
    workspace_state,
)
from .rebuilt import as_they_were, explained, new_class_outputs, rebuild_key
from .renames import with_old_names
from .runners import TestPlan, plan_command
from .sandbox import run_command
from .sandboxrun import run_tests
from .scratch import Scan, ScratchPool
from .screening import screen_edit
from .specialcases import special_cased, workspace_tests
from .stale_build import copies, named_errors, uncompiled, with_stale_builds
from .subset import selecting, worth_for
from .testfiles import (
    asks_for_tests,
    judge_with_users_tests,
    touched_tests,
)
from .testrun import TestRun
from .unsandboxed import link_shared
from .verdict import fewer_assertions, judge
from .written import run_writes

log = logging.getLogger(__name__)

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
        #: the workspace ``take_state`` read for a request (its id, the reading), used
        #: once by that request's ``prepare`` instead of reading it again
        self._taken: tuple[str, Snapshot] | None = None

    @property
    def baseline_runs(self) -> int:
        """How many baselines this verifier actually ran (not from the cache)."""
        return self.comparison.baseline_runs

    # ------------------------------------------------------------------ public
    def verify(
        self, task: Task, edit: Edit, model: str, cancel: CancelToken | None = None
    ) -> Verdict:
        t0 = time.monotonic()
        self._taken = None  # take_state's reading is for the pre-flight called next only
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

    def take_state(self, task: Task, cancel: CancelToken | None = None) -> WorkspaceFingerprint:
        """The workspace the request's tests will run on (``domain.StateTakingVerifier``),
        read now, before any of them runs: its fingerprint for the caller, and the scan
        (with the stats of the Python files beside the workspace) that the request's
        ``prepare``, called next, keys its cached run without the edit on instead of
        reading the workspace again.  ``verify`` reads it again (a model was called
        meanwhile: the workspace the edit is tested on is the one then)."""
        root = workspace_root(task)
        snapshot = take_snapshot(root, self._source_env(), functools.partial(check_cancel, cancel))
        self._taken = (task.task_id, snapshot)
        return fingerprint_of(snapshot, task.buffers, self.env)

    def prepare(self, task: Task, cancel: CancelToken | None = None) -> Baseline:
        """Pre-flight: the test command, the sandbox, and the run without the edit (from
        the cache, else run now and cached for ``verify``).  Raises ``PreflightError``
        when no edit could be verified, so that no model is called."""
        taken, self._taken = self._taken, None
        try:
            root = workspace_root(task)
        except VerifyError as exc:
            raise PreflightError(str(exc)) from None
        # the workspace ``take_state`` read for this request, if it did: not read again
        snapshot = taken[1] if taken is not None and taken[0] == task.task_id else None
        command = command_for(task, self.test_command, root)
        if not command:
            example = example_test_command(task.document.path if task.document else None)
            raise PreflightError(
                f"no test command found for {root}, so no edit could be verified "
                f'(set one, e.g. "{example}")',
                "testCommand",
            )
        try:
            check_sandbox(self.bwrap_exe(), command, root, task.workspace)
        except VerifyError as exc:
            raise PreflightError(str(exc), "sandbox") from None
        probe = plan_command(command, "/acrouter-out", root)
        check_cancel(cancel)
        try:  # the unsaved buffers, and a sandbox that could not start the run
            buffers = checked_buffers(root, task)
            scan, key, overlay = self._state(root, command, probe, cancel, buffers, snapshot)
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
        root = workspace_root(task)
        command = command_for(task, self.test_command, root)
        if not command:
            raise VerifyError(
                f"no test command found for {root}: set testCommand (acrouter.testCommand in "
                "VS Code; --test-command or config.toml on the command line), e.g. "
                f'"{example_test_command(task.document.path if task.document else None)}"'
            )
        check_sandbox(self.bwrap_exe(), command, root, task.workspace)
        buffers = checked_buffers(root, task)  # in both runs: the workspace the user sees
        screened = screen_edit(root, command, edit, buffers)
        if isinstance(screened, Verdict):  # no test run needed: a verdict already
            return screened, ""
        texts, olds, probe = screened.texts, screened.olds, screened.probe
        check_cancel(cancel)
        scan, key, overlay = self._state(root, command, probe, cancel, buffers)
        bound: list[str] = []
        fix = task.kind == "bug_fixing"  # failing tests are then what the edit should fix
        judging = functools.partial(judge, fix_requested=fix)
        tests, renamed, restored = touched_tests(texts, screened.patterns, olds)
        # which of them the tests ran: .lines_run
        changed = asked(texts, olds) if self.trace_lines else Asked()
        traced: list[Traced] = []
        wrote: set[str] = set()  # what the runs with the edit wrote (.stale_build)
        tests_of = workspace_tests(root, buffers)  # the fixed tests' own values (.specialcases)

        def verdict_with(files: Mapping[str, str]) -> Verdict:
            found: list[Traced] = []  # these files' lines, traced once (not in a confirmation)

            def run(
                edited: bool, token: CancelToken | None, only: frozenset[str] | None = None
            ) -> TestRun:
                result = self._run_once(
                    command,
                    root,
                    scan,
                    {**buffers, **files} if edited else buffers,
                    token,
                    overlay,
                    edited,
                    changed if edited and not found and only is None else None,
                    only,
                )
                if edited:
                    wrote.update(p for p in result.wrote if p not in result.copied)
                    bound.append(result.process_bound)
                    found.extend([result.traced] if result.traced else [])
                    traced.extend([result.traced] if result.traced else [])
                return with_old_names(result, renamed) if edited and renamed else result

            if not files and not probe.weak:  # nothing changes: the run without the edit
                before = self.comparison.cached_baseline(key, lambda: run(False, cancel))
                return judging(before, before)

            def rebuild() -> TestRun | None:
                """The run without the edit, its files written again as they were (.rebuilt)."""
                same = as_they_were(olds, files)
                if not same:
                    return None
                again = functools.partial(
                    self._run_once, command, root, scan, {**buffers, **same}, cancel, overlay, True
                )
                return self.comparison.cached_baseline(rebuild_key(key, olds, files), again)

            def judged(before: TestRun | None, after: TestRun, *weak: str | None) -> Verdict:
                own = new_class_outputs(olds, files, after.wrote)
                verdict = judging(explained(before, after, rebuild, own), after, *weak)
                verdict = fewer_assertions(verdict, before, after, files)
                verdict = special_cased(verdict, before, after, olds, files, tests_of, task.text)
                old = before.compile_errors if before is not None else None
                return uncompiled(verdict, old, after.compile_errors, files)

            def doubtful(after: TestRun) -> bool:
                """The run with the edit ran none of the code it changes, or printed a
                compiler error in an edited source: the baseline tells what it means."""
                uncompiled_edit = named_errors(after.compile_errors, files)
                return idle(changed.changes, after.traced) or bool(uncompiled_edit)

            # the confirmation of a fix runs the fixed tests alone where pytest can
            subset = (run, worth_for(probe, bool(renamed)))
            return self.comparison.compare(key, run, probe.weak, cancel, judged, doubtful, subset)

        if not (tests or restored) or (asks_for_tests(task, root) and len(tests) == len(texts)):
            verdict = verdict_with(texts)  # (the tests asked for: what else could judge them?)
        else:
            verdict = judge_with_users_tests(tests, texts, verdict_with, renamed, restored)
        verdict = with_lines(verdict, changed.changes, traced)
        verdict = printed_cut(verdict, traced, probe.printed_report)
        verdict = attrs.evolve(
            with_stale_builds(verdict, root, texts, wrote),
            test_command=command,
            test_python=pyenv_shown(probe.interpreter, root),
        )
        return verdict, bound[-1] if bound else ""

    def _state(
        self,
        root: Path,
        command: str,
        probe: TestPlan,
        cancel: CancelToken | None,
        buffers: Mapping[str, str],
        snapshot: Snapshot | None = None,
    ) -> tuple[Scan, str, bool]:
        """The workspace scan, the baseline cache key (the files, the unsaved ``buffers``
        in their place, the command and its environment) and whether runs use an
        overlay; ``snapshot``: the workspace as ``take_state`` read it (else read now)."""
        overlay = (
            self.sandbox == "bwrap"
            and self.overlay
            and overlay_works(self._bwrap_path(), str(root))
        )
        scan, key = workspace_state(
            root,
            command,
            probe,
            cancel,
            buffers,
            sandbox=self.sandbox,
            overlay=overlay,
            source_env=self._source_env(),
            snapshot=snapshot,
        )
        return scan, key, overlay

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
        only: frozenset[str] | None = None,
    ) -> TestRun:
        """One test run with ``texts`` in place of the files (the unsaved buffers, and the
        edit's files when ``edited``; under an overlay, else on a copy), and what it wrote;
        which of the statements ``trace`` asks about it ran, when pytest, node or go test
        ran them.  ``only``: the pytest tests to run, the others deselected
        (:mod:`.subset`)."""
        # copies are reused only after sandboxed runs: without a sandbox, a process the
        # tests left behind could still change the copy after the checks
        reusable = self.sandbox == "bwrap" and self.reuse_scratch
        scratch = self.pool.acquire(root, 0 if overlay else scan.total_bytes)
        try:
            edits: list[tuple[str, str]] = []
            if overlay:
                edits = write_edits(scratch.base / "edit", root, texts or {})
            else:
                scratch.sync(scan, texts, check=functools.partial(check_cancel, cancel))
                if self.sandbox == "none":
                    link_shared(scratch.ws, root, scan.shared_dirs)
            log.info(
                "running the tests %s the edit in %s",
                "with" if edited else "without",
                root if overlay else scratch.ws,
            )
            start = functools.partial(
                run_command, mode=self.sandbox, bwrap=self._bwrap_path(), cancel=cancel
            )
            # the run's out folder (Scratch.out_dir) holds the plugin that selects ``only``
            begin = start if only is None else selecting(start, only, scratch.out_dir)
            run = run_tests(
                command,
                root,
                scratch,
                scan,
                overlay,
                edits,
                trace,
                start=begin,
                read_lines=read_run,
                sandbox=self.sandbox,
                source_env=self._source_env(),
                timeout_s=self.timeout_s,
                limits=self.limits,
            )
            copied: set[str] = set()  # modules written again as they were (.stale_build)
            look = None if not edited else lambda at, w: copied.update(copies(root, at, w))
            wrote = run_writes(root, scratch, overlay, edits, texts, look)
            traced = settle(run.traced, wrote)
            return attrs.evolve(run, wrote=wrote, traced=traced, copied=frozenset(copied))
        except BaseException:
            reusable = False
            raise
        finally:
            self.pool.release(scratch, reusable)

    def _source_env(self) -> dict[str, str]:
        """The environment the tests' environment is built from."""
        return dict(os.environ if self.env is None else self.env)
