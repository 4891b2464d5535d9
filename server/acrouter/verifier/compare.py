"""Run the tests with the edit and without it, and judge: the Feedback stage's
comparison.

The run without the edit (the baseline) comes from the cache when the workspace state
was seen before; otherwise it runs at the same time as the run with the edit, in its own
folder and sandbox, and is cached (one run at a time per state, even across requests).
A pass that counts tests as fixed is confirmed by a second pair of runs
(:mod:`.confirm`): of the fixed tests only where the runner can select them
(``subset``, :mod:`.subset`), falling back to the whole suite when that pair cannot
confirm it.  Commands without per-test results (``weak``) run the baseline only
when the edited run fails, to tell the edit's failures from the set-up's, wrote files
that matter (:mod:`.written`), to tell its writes from the tests' own, or passed in a
way only the baseline can judge (``doubtful``): without running any of the changed code,
to tell whether it passed before too (then the pass says nothing about the model:
:mod:`.lines_idle`), after a compiler error in an edited source (:mod:`.stale_build`),
or without per-test results, to tell whether the command left them without the edit (a
``./run_tests.sh`` running pytest: then the run with the edit stopped before its tests).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from ..domain import CancelToken, Verdict
from ..errors import SandboxStartError
from .baseline import BaselineCache
from .confirm import (
    confirm,
    confirm_subset,
    failed_alone,
    fixed_tests,
    regressions,
    reordered,
    unrepeated,
)
from .subset import subset_key
from .testrun import NO_ADDRESS_SPACE, TestRun
from .verdict import judge

log = logging.getLogger(__name__)

#: ``run(edited, cancel)``: one run of the tests, with the edit or without it
Run = Callable[[bool, CancelToken | None], TestRun]
#: ``subset(edited, cancel, tests)``: one run of ``tests`` only (:mod:`.subset`)
Subset = Callable[[bool, CancelToken | None, frozenset[str]], TestRun]
#: ``worth(fixed, after)``: whether confirming ``fixed`` on their own is worth it
Worth = Callable[[frozenset[str], TestRun], bool]


class Comparison:
    """The runs with and without the edit for one verifier, and their baselines."""

    def __init__(
        self, cache: BaselineCache, *, parallel: bool, refresh: bool, confirm: bool
    ) -> None:
        self.cache = cache
        self.parallel = parallel  # the baseline beside the edited run (else before it)
        #: run every baseline again (once for this verifier) and replace the cached entry
        self.refresh = refresh
        self._fresh: set[str] = set()  # the keys run afresh here: cached from then on
        self.confirm = confirm  # confirm passes that count tests as fixed
        self.baseline_runs = 0  # how many baselines were actually run (not cached)

    def compare(
        self,
        key: str,
        run: Run,
        weak: str | None,
        cancel: CancelToken | None,
        judge: Callable[..., Verdict] = judge,
        doubtful: Callable[[TestRun], bool] = lambda after: False,
        subset: tuple[Subset, Worth] | None = None,
    ) -> Verdict:
        """Run the tests with the edit (``run(True, ...)``) and without it (from the
        cache, else side by side), and ``judge``.  ``doubtful(after)``: a pass of
        the run with the edit that only the baseline can judge (for a ``weak`` command,
        the baseline then runs even after a pass).  ``subset``: how to run only some
        tests, and whether it is worth it for the fixed ones, for the confirmation of a
        fix."""
        run = once_more_if_signalled(run)
        if weak:
            # exit code only: a baseline matters only to tell whether a failure is the
            # edit's or the set-up's
            after = run(True, cancel)
            if after.killed or (
                after.exit_code == 0
                and after.outcomes is not None
                and not after.wrote
                and not doubtful(after)
            ):
                return judge(None, after, weak)
            # (a pass without per-test results: the baseline tells whether the command
            # left them without the edit, i.e. whether this run stopped before its tests)
            before = self._cached_baseline(key, lambda: run(False, cancel))
            return judge(before, after, weak)
        before, after = self._both(key, run, cancel)
        first = judge(before, after)
        broke = regressions(before, after)
        if (
            self.confirm
            and first.verdict == "fail"
            and first.counted
            and broke
            and reordered(before, after)
        ):
            # another order may be what broke them: the edit's run once more (.confirm)
            log.info("the tests ran in another order and broke %d tests: once more", len(broke))
            return unrepeated(first, broke, judge(before, run(True, cancel)))
        fixed = fixed_tests(before, after)
        if first.verdict != "pass" or not fixed or not self.confirm:
            return first
        alone = subset_key(key, fixed)
        cached = self._get(alone)
        # (a cached run of them alone that cannot confirm: no need to run them with the edit)
        if subset and subset[1](fixed, after) and (cached is None or failed_alone(cached, fixed)):
            log.info("confirming the %d fixed tests with a second run of them alone", len(fixed))
            only = once_more_if_signalled(lambda edited, c: subset[0](edited, c, fixed))
            pair = self._again(alone, only, cancel)
            done = confirm_subset(first, fixed, before, pair, judge)
            if done is not None:
                return done
            log.info("the fixed tests alone did not confirm the fix: the whole suite again")
        log.info("confirming the fixed tests with a second run with and without the edit")
        again = self._again(f"{key}-again", run, cancel)
        return confirm(first, fixed, (before, again[0]), (after, again[1]), judge)

    def _both(
        self,
        key: str,
        run: Run,
        cancel: CancelToken | None,
    ) -> tuple[TestRun, TestRun]:
        """The run without the edit (from the cache, else side by side) and with it."""
        cached = self._get(key)
        if cached is not None:
            return cached, run(True, cancel)
        lock = self.cache.lock(key)
        if not lock.acquire(blocking=False):
            # another verification is running this baseline: run ours meanwhile
            after = run(True, cancel)
            with lock:
                before = self.cache.get(key) or self._baseline(key, lambda: run(False, cancel))
            return before, after
        try:
            if not self.parallel:
                before = self._baseline(key, lambda: run(False, cancel))
                return before, run(True, cancel)
            return self._side_by_side(key, run, cancel)
        finally:
            lock.release()

    def _again(
        self,
        key2: str,
        run: Run,
        cancel: CancelToken | None,
    ) -> tuple[TestRun, TestRun]:
        """A second run without the edit (cached too, under ``key2``) and with it."""
        cached = self._get(key2)
        if cached is not None:
            return cached, run(True, cancel)
        with self.cache.lock(key2):
            if not self.parallel:
                return self._baseline(key2, lambda: run(False, cancel)), run(True, cancel)
            return self._side_by_side(key2, run, cancel)

    def _side_by_side(
        self,
        key: str,
        run: Run,
        cancel: CancelToken | None,
    ) -> tuple[TestRun, TestRun]:
        """The baseline for ``key`` and the run with the edit, in separate folders and
        sandboxes at the same time."""
        abort = threading.Event()
        with ThreadPoolExecutor(1, thread_name_prefix="acrouter-baseline") as pool:
            baseline = pool.submit(self._baseline, key, lambda: run(False, _Either(cancel, abort)))
            try:
                after = run(True, cancel)
            except BaseException:
                abort.set()
                raise
            return baseline.result(), after

    def cached_baseline(self, key: str, run: Callable[[], TestRun]) -> TestRun:
        """The cached run without the edit, else ``run`` now (one at a time per key; made
        once more if it died of a signal, see ``once_more_if_signalled``)."""
        again = once_more_if_signalled(lambda edited, cancel: run())
        return self._cached_baseline(key, lambda: again(False, None))

    def _cached_baseline(self, key: str, run: Callable[[], TestRun]) -> TestRun:
        before = self._get(key)
        if before is None:
            with self.cache.lock(key):
                before = self._get(key) or self._baseline(key, run)
        return before

    def _get(self, key: str) -> TestRun | None:
        """The cached run without the edit for ``key``; none while ``refresh`` asks for
        a fresh one that this verifier has not run yet."""
        if self.refresh and key not in self._fresh:
            return None
        return self.cache.get(key)

    def _baseline(self, key: str, run: Callable[[], TestRun]) -> TestRun:
        log.info("running the tests without the edit (baseline)")
        before = run()
        self.baseline_runs += 1
        # a thread's address space refused (vitest's thread pools) happens or not at
        # random: such a run is not kept for the next edits
        lost = (before.resource or "").startswith(NO_ADDRESS_SPACE)
        # nor is one whose set-up needed the network (an artifact ~/.m2 or Gradle's cache
        # lacks, a package index): the user fixes that outside what the key covers (a
        # first build with the network), and the cached failure would outlive the fix
        fetch = before.outcomes is None and bool(before.network)
        if not (before.timed_out or before.killed or lost or fetch):
            self.cache.put(key, before)
            self._fresh.add(key)
        return before


def once_more_if_signalled(run: Run) -> Run:
    """``run``, made once more when it died of a signal without its report
    (``TestRun.signalled``: killed from outside, e.g. by the OOM killer or a user, or by
    the code under test), or the sandbox could not start it (``SandboxStartError``, e.g.
    no namespace left for a moment): only a second death is judged, so one kill is never
    held against the model nor leaves a baseline without per-test results, and a second
    failure to start is the verifier's error."""

    def again_if_killed(edited: bool, cancel: CancelToken | None) -> TestRun:
        try:
            done = run(edited, cancel)
        except SandboxStartError as exc:
            log.warning("%s; trying once more", exc)
            return run(edited, cancel)
        if not done.signalled:
            return done
        log.warning(
            "the tests %s the edit died of a signal (exit code %s) without a report; "
            "running them once more",
            "with" if edited else "without",
            done.exit_code,
        )
        return run(edited, cancel)

    return again_if_killed


class _Either:
    """Cancelled when the user cancels or when ``abort`` is set."""

    def __init__(self, cancel: CancelToken | None, abort: threading.Event) -> None:
        self._cancel = cancel
        self._abort = abort

    @property
    def cancelled(self) -> bool:
        return self._abort.is_set() or (self._cancel is not None and self._cancel.cancelled)
