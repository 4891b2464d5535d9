"""From a finished run to a ``TestRun``: its per-test results (the first report of the
plan that exists), the last line of its output, and which resource limit it hit."""

from __future__ import annotations

import os
import re
import signal
from collections.abc import Mapping

from .limits import Limits, fmt_bytes
from .offline import network_line
from .reports import PARSERS, Report, automake_printed_counts, parse_junit, prove_printed_counts
from .reports.common import ANSI
from .reports.jest import printed_counts
from .reports.minitest import minitest_printed_counts
from .reports.phpunit import phpunit_printed_counts
from .reports.rspec import rspec_printed_counts
from .reports.surefire import surefire_printed_counts
from .runners import TestPlan
from .runtypes import RunOutcome
from .stale_build import compile_errors
from .testrun import NO_ADDRESS_SPACE, TestRun


def read_test_run(
    outcome: RunOutcome, plan: TestPlan, root: str, limits: Limits, timeout_s: float
) -> TestRun:
    """What the run of ``plan`` produced; its reports name files under ``root``."""
    parsed = None
    if not (outcome.timed_out or outcome.killed):
        parsed = read_results(plan, root)
    messages = parsed.messages if parsed else {}
    return TestRun(
        exit_code=outcome.exit_code,
        outcomes=parsed.outcomes if parsed else None,
        expects_report=plan.expects_report,
        timed_out=outcome.timed_out,
        killed=outcome.killed,
        low_space=outcome.low_space,
        resource=resource_hint(outcome.exit_code, outcome.output, messages, limits),
        messages=messages,
        last_line=last_line(outcome.output),
        network=network_line(outcome.output) or "",
        compile_errors=compile_errors(outcome.output),
        error_lines=error_lines(outcome.output, root) if parsed is None else (),
        timeout_s=timeout_s,
        broken=parsed.broken if parsed else {},
        process_bound=outcome.process_bound,
        summary=summary_check(plan, parsed, outcome.output),
        assertions=parsed.assertions if parsed else {},
        closing=closing_line(outcome.output) if plan.weak else "",
    )


#: the closing lines of the runners a command without per-test results may run:
#: unittest's ``Ran 12 tests in 0.003s``, pytest's ``== 3 passed, 1 skipped in 0.12s ==``
#: (``no tests ran in 0.01s``), TAP's summary (tape, ``node --test``: ``# tests 12``; its spec reporter's ``ℹ tests 12``),
#: mocha's ``12 passing (34ms)``, jest's ``Tests:       3 passed, 3 total``, vitest's
#: ``Tests  3 passed (3)``, cargo's ``test result: ok. 3 passed; 0 failed; ...``,
#: go's ``ok  	example.com/calc	0.003s``, RSpec's ``3 examples, 0 failures`` and
#: minitest's ``3 runs, 3 assertions, 0 failures, 0 errors, 0 skips`` and Maven
#: Surefire's ``[INFO] Tests run: 3, Failures: 0, Errors: 0, Skipped: 1`` (not Maven's
#: ``BUILD SUCCESS``, printed by a build that ran no test as well) and Perl's harness's
#: ``Files=9, Tests=33,  0 wallclock secs ...`` and PHPUnit's ``OK (3 tests, 5 assertions)``
#: or ``Tests: 9, Assertions: 4, Failures: 2.``
_CLOSING = re.compile(
    r"^(?:Ran \d+ tests? in [\d.]+s"
    r"|=*\s*(?:(?:\d+ (?:passed|failed|skipped|deselected|xfailed|xpassed|warnings?|errors?"
    r"|rerun)(?:, )?)+|no tests ran) in [\d.]+s(?: \([\d:]+\))?\s*=*"
    r"|(?:#|\u2139) tests \d+"
    r"|\d+ passing \(\d+(?:\.\d+)?m?s\)"
    r"|Tests:\s+(?:\d+ \w+, )*\d+ total"
    r"|Tests\s+(?:\d+ \w+\s*(?:\|\s*)?)+\(\d+\)"
    r"|test result: (?:ok|FAILED)\. \d+ passed; \d+ failed;.*"
    r"|ok\s+\S+\s+(?:[\d.]+s|\(cached\)).*"
    r"|\d+ examples?, \d+ failures?.*"
    r"|\d+ runs, \d+ assertions, \d+ failures, \d+ errors, \d+ skips"
    r"|(?:\[\w+\]\s+)?Tests run: \d+, Failures: \d+, Errors: \d+, Skipped: \d+(?:, Flakes: \d+)?"
    r"|Files=\d+, Tests=\d+, .*"
    r"|OK \(\d+ tests?, \d+ assertions?\)|Tests: \d+, Assertions: \d+(?:, [\w ]+: \d+)*\.?)$"
)


def closing_line(output: str) -> str:
    """The last closing line of a known runner in ``output`` (its tail), or ""."""
    for raw in reversed(output.splitlines()[-200:]):
        line = ANSI.sub("", raw).strip()  # (pytest --color=yes)
        if _CLOSING.match(line):
            return line.strip("= ")[:120]
    return ""


#: a line a linter, a compiler or a script prints for an error: ``calc.py:1:8: F401 ...``
#: (ruff, flake8, mypy, cc), ``12:5  error  Expected ...`` (eslint, below the file it
#: names), ``npm error ...``, ``ModuleNotFoundError: ...``
_PRINTED_ERROR = re.compile(r"^\S+:\d+(?::\d+)?:?\s|\berror\b|\w*Error:", re.IGNORECASE)
#: eslint's row of an error, and the file heading the rows below it
_ESLINT_ROW = re.compile(r"^\d+:\d+\s+error\s")
#: a warning (eslint's rows, a compiler's, Python's ``DeprecationWarning``): not what
#: stopped the run
_WARNING = re.compile(r"warn(?:ing)?\b", re.IGNORECASE)
_FILE_HEADING = re.compile(r"^[\w./@+-]+\.\w+$")
#: how many error lines a verdict names, and how much of each
MAX_ERROR_LINES = 3
MAX_ERROR_CHARS = 200


def error_lines(output: str, root: str) -> tuple[str, ...]:
    """The first lines of ``output`` (its head and tail) that read as errors, the
    workspace path ``root`` taken out; an eslint row gains the file it is under."""
    found: list[str] = []
    heading = ""
    prefix = root.rstrip("/") + "/"
    for raw in output.splitlines():
        line = " ".join(ANSI.sub("", raw).replace(prefix, "").split())
        if _FILE_HEADING.match(line):
            heading = line
        elif _PRINTED_ERROR.search(line) and not (
            _WARNING.search(line) and "error" not in line.lower()
        ):
            if heading and _ESLINT_ROW.match(line):
                line = f"{heading}:{line}"
            found.append(line[:MAX_ERROR_CHARS])
            if len(found) >= MAX_ERROR_LINES:
                break
    return tuple(found)


def summary_check(plan: TestPlan, parsed: Report | None, output: str) -> str:
    """Whether a jest / vitest / RSpec / minitest / Surefire / Automake / Perl harness /
    PHPUnit report agrees with the closing count the runner printed: "agrees", "missing"
    (nothing printed), a description of the difference, or "" (not checked: another
    runner, no report, a minitest run that never reported: a failure of its own).  The report is a file the
    tests' process could write; what the runner printed last is a second witness."""
    counter = _PRINTED_COUNTS.get(plan.runner or "")
    if counter is None or parsed is None or parsed.counts is None or "minitest" in parsed.broken:
        return ""
    printed = counter(output)
    if printed is None:
        return "missing"
    if printed == parsed.counts:
        return "agrees"
    return (
        f"its report has {parsed.counts[0]} passed, {parsed.counts[1]} failed; "
        f"it printed {printed[0]} passed, {printed[1]} failed"
    )


#: what each runner whose report is checked printed as its closing count
_PRINTED_COUNTS = {
    "jest": printed_counts,
    "vitest": printed_counts,
    "rspec": rspec_printed_counts,
    "minitest": minitest_printed_counts,
    "maven": surefire_printed_counts,
    "automake": automake_printed_counts,
    "prove": prove_printed_counts,
    "phpunit": phpunit_printed_counts,
}


def read_results(plan: TestPlan, root: str) -> Report | None:
    """The run's per-test results: the first of the plan's reports that exists."""
    for parser, path in plan.reports:
        if not os.path.exists(path):
            continue
        report = parse_junit(path) if parser == "junit" else PARSERS[parser](path, root)
        if report is not None:
            return report
    return None


#: a line that names an error (node's ``Error: EROFS: ...``, Python's ``...Error: ...``)
_ERROR_LINE = re.compile(r"\b\w*(?:Error|Exception)\b|\berror:", re.IGNORECASE)
#: how far up from the end an error line is looked for when the last line says nothing
_LOOK_BACK = 40


#: the advice Maven prints below the error that stopped it (``[ERROR] [Help 1] http://…``,
#: ``[ERROR] Re-run Maven using the -X switch …``): not what went wrong
_MAVEN_TRAILER = re.compile(
    r"^\[ERROR\]\s*(?:$|\[Help \d+\]|To see the full stack trace|Re-run Maven"
    r"|For more information about the errors|-> \[Help)"
)


#: what rake prints before the error that stopped it (then a backtrace, then advice)
_RAKE_ABORTED = "rake aborted!"


def last_line(output: str) -> str:
    """The output's last line, for the messages, colours taken out; when it says nothing
    (only brackets or punctuation: the ``}`` that ends node's dump of an error object),
    the last line above it that names an error, else the last one with words.  Maven's
    advice below its error does not count; after rake's ``rake aborted!``, the error
    below it (not its backtrace, nor ``(See full trace by running task with --trace)``)."""
    lines = [
        s
        for line in output.splitlines()
        if (s := ANSI.sub("", line).strip())
        and not line.startswith("[... ")
        and not _MAVEN_TRAILER.match(s)
    ]
    if not lines:
        return ""
    if _RAKE_ABORTED in lines[-_LOOK_BACK:-1]:  # (rake's error, before its backtrace)
        at = len(lines) - 1 - lines[::-1].index(_RAKE_ABORTED)
        return lines[at + 1][:200]
    if any(c.isalnum() for c in lines[-1]):
        return lines[-1][:200]
    tail = lines[-_LOOK_BACK:]
    for line in reversed(tail):
        if _ERROR_LINE.search(line):
            return line[:200]
    for line in reversed(tail):
        if sum(c.isalpha() for c in line) >= 3:
            return line[:200]
    return lines[-1][:200]


def resource_hint(
    code: int | None, output: str, messages: Mapping[str, str], lim: Limits
) -> str | None:
    """Which resource limit the run hit, as the output or the failure messages show."""
    text = output + "\n" + "\n".join(messages.values())
    if "Failed to reserve virtual memory" in text:  # V8: "# Fatal process OOM in ..."
        return (
            f"{NO_ADDRESS_SPACE} (V8's fatal OOM: Failed to reserve virtual memory) under the "
            f"sandbox's limit of {fmt_bytes(lim.address_space_bytes)} of address space per "
            "process: worker threads (vitest's threads and vmThreads pools) cannot start "
            "there; run the tests in processes (vitest --pool=forks or vmForks)"
        )
    if "MemoryError" in text or "Cannot allocate memory" in text:
        return f"a test ran out of memory (limit {fmt_bytes(lim.address_space_bytes)} per process)"
    if code == 128 + signal.SIGXFSZ or "File too large" in text:
        return f"a test hit the file size limit ({fmt_bytes(lim.file_size_bytes)})"
    if code == 128 + signal.SIGXCPU:
        return "a test hit the CPU time limit"
    if "Too many open files" in text:
        return f"a test hit the open files limit ({lim.open_files})"
    if "Resource temporarily unavailable" in text and "fork" in text:
        return "a test hit the process limit"
    return None
