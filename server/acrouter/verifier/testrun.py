"""What one test run produced: ``TestRun`` (its exit code, per-test results when a
report was read, why it stopped early, the runner's messages), the exit codes that say
the tests could not run at all, and ``failures_of``, its failing tests as a verdict
names them.  ``results`` builds a ``TestRun`` from a finished run; ``verdict`` compares
two of them."""

from __future__ import annotations

import signal
from collections.abc import Mapping

import attrs

from ..domain import TestFailure
from .lines import Traced
from .reports import FAILED, PASSED, SKIPPED

#: pytest's exit codes that mean "could not run the tests at all".
PYTEST_CANNOT_RUN = {3: "internal error", 4: "usage error", 5: "no tests collected"}
#: Exit codes of a shell for a command that is missing / not executable.
COMMAND_MISSING = {126: "not executable", 127: "not found"}
#: how ``TestRun.resource`` starts when V8 could not reserve the address space of a new
#: isolate (a worker thread) under the sandbox's limit: the sandbox's doing, not the edit's
NO_ADDRESS_SPACE = "node could not reserve the address space of a new thread"


@attrs.frozen
class TestRun:
    """What one run of the test command produced."""

    __test__ = False  # not a pytest test class

    exit_code: int | None  # None: never finished (killed)
    outcomes: Mapping[str, str] | None = None  # per-test results, when a report exists
    expects_report: bool = False  # the runner is pytest: a missing report is a failure
    timed_out: bool = False
    killed: str | None = None  # why the sandbox stopped the run early, e.g. too many processes
    #: ``killed`` for the machine's free space (``RunOutcome.low_space``): not the edit's doing
    low_space: bool = False
    resource: str | None = None  # a resource limit the run hit, e.g. "memory limit (8 GiB)"
    messages: Mapping[str, str] = attrs.field(factory=dict)  # test id -> failure message
    last_line: str = ""  # last non-empty line of the output, for error details
    #: the output's first line telling the command needed the network (:mod:`.offline`)
    network: str = ""
    timeout_s: float = 0.0
    #: files / packages / binaries that could not run (collection or build errors) ->
    #: the runner's message; they are among ``outcomes`` as failed
    broken: Mapping[str, str] = attrs.field(factory=dict)
    #: how the sandbox bounded the run's processes (``RunOutcome.process_bound``)
    process_bound: str = ""
    #: a jest / vitest report against the runner's printed count
    #: (``results.summary_check``): "agrees", "missing", the difference, or "" (unchecked)
    summary: str = ""
    #: test id -> the assertions each passed test made, where the report says (PHPUnit):
    #: a test that makes fewer with the edit stopped early without failing
    #: (:func:`.verdict.fewer_assertions`)
    assertions: Mapping[str, int] = attrs.field(factory=dict)
    #: the closing line a known runner printed (unittest's ``Ran 6442 tests in 3.6s``,
    #: pytest's ``198 passed in 1.2s``), read for a command without per-test results
    #: (``results.closing_line``): a run that stopped before its tests prints none
    closing: str = ""
    #: what the run wrote into the workspace that could change its own results, by
    #: workspace-relative path: "wrote", "rewrote", "deleted" ... (:mod:`.written`)
    wrote: Mapping[str, str] = attrs.field(factory=dict)
    #: the extension modules among ``wrote`` written byte for byte as the workspace held
    #: them: copied again, not built (:func:`.stale_build.copies`)
    copied: frozenset[str] = frozenset()
    #: a C or C++ compiler's error lines in the output (:func:`.stale_build.compile_errors`)
    compile_errors: tuple[str, ...] = ()
    #: the first lines of the output that read as errors (a linter's before the runner:
    #: ``results.error_lines``), named where the run left no per-test results
    error_lines: tuple[str, ...] = ()
    #: the lines of the edited Python files the tests ran (:mod:`.lines`), when traced
    traced: Traced | None = None

    @property
    def cannot_run(self) -> bool:
        """The tests could not run at all: no per-test results where some were
        expected, or collection / build errors."""
        if self.timed_out or self.killed:
            return False
        if self.outcomes is None:
            return self.expects_report or self.exit_code in COMMAND_MISSING
        return bool(self.broken)

    @property
    def signalled(self) -> bool:
        """The run died of a signal (exit code 128 + n) without leaving its report, and
        not by the sandbox's own doing (a timeout, the process watcher, the CPU-time or
        file-size limit): killed from outside, or by the code under test."""
        code = self.exit_code
        return (
            self.outcomes is None
            and not (self.timed_out or self.killed)
            and code is not None
            and 128 < code <= 128 + 64
            and code - 128 not in (signal.SIGXCPU, signal.SIGXFSZ)
        )

    def why_not(self) -> str:
        """The runner's own words for why the tests could not run."""
        if self.broken:
            entry = min(self.broken)
            more = f" (and {len(self.broken) - 1} more)" if len(self.broken) > 1 else ""
            return f"{entry}: {self.broken[entry]}{more}"
        return self.last_line

    def _count(self, outcome: str) -> int | None:
        """Tests with ``outcome``; broken files are not tests (as in the runners' counts)."""
        if self.outcomes is None:
            return None
        return sum(o == outcome and t not in self.broken for t, o in self.outcomes.items())

    @property
    def passed(self) -> int | None:
        return self._count(PASSED)

    @property
    def failed(self) -> int | None:
        return self._count(FAILED)

    @property
    def skipped(self) -> int | None:
        return self._count(SKIPPED)

    def failing(self) -> set[str]:
        return {t for t, o in (self.outcomes or {}).items() if o == FAILED}


#: At most this many failing tests are named in a verdict's ``failures``.
MAX_FAILURES = 10


def failures_of(run: TestRun | None, limit: int = MAX_FAILURES) -> tuple[TestFailure, ...]:
    """The failing tests of ``run`` (sorted by id, at most ``limit``) with the first
    line of each one's failure message."""
    if run is None:
        return ()
    return tuple(
        TestFailure(t, run.messages.get(t) or run.broken.get(t, ""))
        for t in sorted(run.failing())[:limit]
    )
