"""The tripwire of ``harness`` for what only jest and vitest offer the code under test.

jest runs the code under test in the test file's module context, where its ``expect``
and ``jest`` are globals; vitest keeps its ``expect`` at
``globalThis[Symbol.for("expect-global")]`` and its worker's state at
``globalThis.__vitest_worker__``.  Both write the per-test report the verifier reads
(``--outputFile``) from the process the code under test runs in (jest runs one test
file in-band).  Found by ``benchmarks/verify_trust.py`` on no-case 3.0.4 (jest): a
function made to return a wrong result, with ``expect.extend`` making ``toEqual``
always pass, was verified; so was a broken function whose module wrote a report of
every test passed to the ``--outputFile`` path (read from ``/proc/<pid>/cmdline``) and
called ``process.exit(0)``.  Found, as a finding each, in a JavaScript / TypeScript
file of the code under test:

- the runner's objects: ``expect.<anything>`` (``extend``, ``getState``, ...),
  ``jest.<anything>``, ``expect`` or ``jest`` taken as a value (``var e = expect``),
  ``globalThis.expect`` (``jest``, ``vi``, ``it``, ``test``, ``describe``),
  ``vi.mock`` and vitest's other module / global stubs, ``Symbol.for(...)`` keys of
  jest's or vitest's state, ``__vitest_worker__`` and the like;
- the runner's report: its keys (``assertionResults``, ``testResults``,
  ``numFailedTests``, ...) and where it goes (``outputFile``), a process's command
  line (``/proc/<pid>/cmdline``, where that path is given);
- a way out of jest's module context into the runner's own process: a function's
  ``constructor("return process")`` (or ``this`` / ``globalThis``), and
  ``process.reallyExit``;
- a worker's channel to the runner, ``process.send`` / ``_send`` / ``channel``, and a
  worker thread's (``MessagePort``, a ``postMessage`` assigned): in mocha's ``--parallel``
  mode a test file's worker sends its results to the reporter with ``process.send``, and
  code under test wrapping it turned a failure into a pass (verified with ``add`` broken,
  real mocha 12; the verifier now runs mocha ``--no-parallel``); vitest's forks (its
  default pool) send theirs through ``process._send``, and wrapping it did the same
  (real vitest 4.1.12: ``tests/verifier/test_parallel_runners.py``,
  ``test_parallel_vitest.py``).

Regular expressions, not a parser, as for the runners' globals: only what an edit adds counts,
and code that builds the names at run time is not seen.
"""

from __future__ import annotations

import re
from collections import Counter

_Q = "['\"`]"
_FREE = r"(?<![\w$.])"  # not a member (``x.expect``) nor part of a longer name

_PATTERNS = (
    (re.compile(rf"{_FREE}expect\s*\.\s*([A-Za-z_$][\w$]*)"), "uses expect.{}"),
    (  # the runner's objects taken as values: ``var e = expect``, ``f(jest)``
        re.compile(r"(?:[=(,:?]|\breturn)\s*(expect|jest)(?=\s*(?:[;,)}:?]|$))", re.MULTILINE),
        "takes jest's {}",
    ),
    (  # read from the global object: ``globalThis.expect``, ``global["jest"]``
        re.compile(
            rf"\b(?:global|globalThis|window|self)\s*(?:\.\s*|\[\s*{_Q})"
            r"(expect|jest|vi|it|test|describe)\b(?![$\w])"
        ),
        "uses global.{}",
    ),
    (re.compile(rf"{_FREE}jest\s*\.\s*([A-Za-z_$][\w$]*)"), "uses jest.{}"),
    (
        re.compile(
            rf"{_FREE}vi\s*\.\s*(mock|doMock|unmock|hoisted|fn|spyOn|stubGlobal|stubEnv"
            r"|unstubAllGlobals|useFakeTimers|setConfig|importActual|importMock|mocked)\b"
        ),
        "uses vi.{}",
    ),
    (
        re.compile(
            rf"\bSymbol\s*\.\s*for\s*\(\s*{_Q}([^'\"`\n]*(?:expect|matchers|jest|vitest)"
            rf"[^'\"`\n]*){_Q}"
        ),
        'uses Symbol.for("{}")',
    ),
    (re.compile(r"\b(__vitest_\w*__|__vite_ssr_\w+__)"), "uses {}"),
    (
        re.compile(
            r"\b(assertionResults|testResults|numFailedTests|numPassedTests|numTotalTests"
            r"|numFailedTestSuites|numPendingTests|numTodoTests|outputFile)\b"
        ),
        "names the runner's report ({})",
    ),
    (re.compile(r"/(cmdline)\b"), "reads a process's command line (/proc/<pid>/{})"),
    (
        re.compile(rf"\bconstructor\s*\(\s*{_Q}\s*return\s+(process|this|globalThis|global)\b"),
        'reaches the runner\'s process (constructor("return {}"))',
    ),
    (re.compile(r"\b(reallyExit)\b"), "uses process.{}"),
    (  # a worker's channel to the runner: the results it sends (mocha --parallel, jest's
        # and vitest's forked workers: vitest binds process.send at start, _send is read
        # at each call) rewritten on their way
        re.compile(rf"\bprocess\s*(?:\.\s*|\[\s*{_Q})(send|_send|channel|_channel)\b"),
        "uses process.{} (a worker's channel to the runner)",
    ),
    (  # a worker thread's (vitest's threads and vmThreads pools)
        re.compile(r"\b(MessagePort)\b|\.\s*(postMessage)\s*=(?![=>])"),
        "changes a worker thread's channel to the runner ({})",
    ),
)


def jest_harness_uses(text: str) -> Counter[str]:
    """What the JavaScript / TypeScript module ``text`` does with jest's or vitest's
    objects, its report, or the runner's process."""
    found: Counter[str] = Counter()
    for pattern, what in _PATTERNS:
        for m in pattern.finditer(text):
            found[what.format(next(g for g in m.groups() if g))] += 1
    return found
