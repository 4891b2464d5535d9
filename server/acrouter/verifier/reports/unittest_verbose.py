"""``python -m unittest -v`` output."""

from __future__ import annotations

import os
import re

from .common import FAILED, PASSED, SKIPPED, Builder, Report, read_report

_UT_START = re.compile(r"^(\S+) \(([\w.]+)\)")
#: a doctest's own line (after its description: a file's path for ``DocFileSuite``)
_UT_DOCTEST = re.compile(r"^Doctest: (\S+)")
_UT_RESULT = re.compile(r"\.\.\. (ok|FAIL|ERROR|skipped.*|expected failure|unexpected success)\s*$")
_UT_FAILHDR = re.compile(r"^(FAIL|ERROR): (\S+) \(([\w.]+)\)")
#: the result on a line of its own: what the test wrote to stderr (a warning, a log
#: line) came between ``test_x (m.T.test_x) ... `` and it
_UT_ALONE = re.compile(r"^(ok|FAIL|ERROR|skipped.*|expected failure|unexpected success)\s*$")
#: where the list of results ends: the failures' details, or the summary
_UT_END = re.compile(r"^(={20,}|-{20,})$")


def parse_unittest(path: str | os.PathLike[str], root: str | None = None) -> Report | None:
    """``python -m unittest -v`` output: ``test_add (tests.test_calc.T.test_add) ... ok``
    (a docstring's first line may stand between the name and the result, and what the
    test writes to stderr between ``...`` and a result on its own line: the last such
    line before the next test is the result).  Ids are ``module.Class.test``; a test
    printed again under the same name (instances of one method that a ``load_tests``
    adds with other parameters, testscenarios' scenarios of a plain ``TestCase``: unittest
    prints ``str(test)``, the method's name alone) is ``module.Class.test #K`` the K-th
    time, so each is a test of its own: one that no longer runs is missed.  None when
    no ``Ran N tests`` line was printed."""
    text = read_report(path)
    if text is None or not re.search(r"^Ran \d+ tests? in", text, re.MULTILINE):
        return None
    out = Builder()
    seen: dict[str, int] = {}  # how often each name was given a result
    pending: str | None = None
    result: str | None = None
    for line in text.splitlines():
        m = _UT_START.match(line)
        d = _UT_DOCTEST.match(line) if pending is None else None
        if m or d or _UT_END.match(line):
            _add(out, seen, pending, result)
            pending = _ut_id(m.group(1), m.group(2)) if m else d.group(1) if d else None
            result = None
        r = _UT_RESULT.search(line) if pending else None
        if r:
            _add(out, seen, pending, r.group(1))
            pending = None
        elif pending and _UT_ALONE.match(line):
            result = line.strip()
        f = _UT_FAILHDR.match(line)
        if f:
            test_id = _ut_id(f.group(2), f.group(3))
            if not any(out.outcomes.get(t) == FAILED for t in _numbered(test_id, seen)):
                out.add(test_id, FAILED)  # its result line was not read
    _add(out, seen, pending, result)
    _ut_messages(text, out)
    return out.report()


def _add(out: Builder, seen: dict[str, int], test_id: str | None, result: str | None) -> None:
    if test_id is None or result is None:
        return
    seen[test_id] = seen.get(test_id, 0) + 1
    if seen[test_id] > 1:
        test_id = f"{test_id} #{seen[test_id]}"
    outcome = (
        PASSED
        if result in ("ok", "expected failure")
        else SKIPPED
        if result.startswith("skipped")
        else FAILED
    )
    out.add(test_id, outcome, result)


def _numbered(test_id: str, seen: dict[str, int]) -> list[str]:
    """The ids ``test_id``'s results were given: itself, then ``test_id #2``, ..."""
    return [test_id, *(f"{test_id} #{k}" for k in range(2, seen.get(test_id, 0) + 1))]


def _ut_id(name: str, where: str) -> str:
    if "._FailedTest" in where:  # a module that could not be imported: its name
        return name
    # Python >= 3.11 prints (module.Class.test), older ones (module.Class)
    return where if where.endswith("." + name) else f"{where}.{name}"


def _ut_messages(text: str, out: Builder) -> None:
    blocks = re.split(r"^={20,}$", text, flags=re.MULTILINE)
    for block in blocks[1:]:
        block = re.split(r"^-{20,}\nRan \d+ tests? in", block, flags=re.MULTILINE)[0]
        head = block.strip().splitlines()
        if not head:
            continue
        f = _UT_FAILHDR.match(head[0])
        d = _UT_DOCTEST.match(head[1]) if len(head) > 1 else None
        if not f and d and d.group(1) in out.outcomes:  # a document's doctest
            out.messages[d.group(1)] = _doctest_message(head) or "a doctest failed"
        if not f:
            continue
        test_id = _ut_id(f.group(2), f.group(3))
        body = [ln for ln in head[1:] if ln.strip() and not ln.startswith("-" * 10)]
        last = next((ln for ln in reversed(body) if not ln.startswith(" ")), None)
        if last and test_id in out.outcomes:
            out.messages[test_id] = (_doctest_message(head) or last.strip())[:200]
        if "._FailedTest" in f.group(3):  # a module that could not be imported
            out.broken[test_id] = out.messages.get(test_id) or "the test module failed to import"


def _doctest_message(lines: list[str]) -> str | None:
    """'add(2, 3): expected 5, got -1' from a doctest's failure report, else None."""
    try:
        k = lines.index("Failed example:")
    except ValueError:
        return None

    def after(label: str) -> str:
        i = lines.index(label, k) if label in lines[k:] else -1
        return lines[i + 1].strip() if 0 <= i < len(lines) - 1 else ""

    example = lines[k + 1].strip() if k + 1 < len(lines) else ""
    if "Exception raised:" in lines[k:]:
        raised = [
            ln.strip() for ln in lines[lines.index("Exception raised:", k) + 1 :] if ln.strip()
        ]
        return f"{example}: raised {raised[-1] if raised else 'an exception'}"[:200]
    got = after("Got:") or ("nothing" if "Got nothing" in lines[k:] else "")
    return f"{example}: expected {after('Expected:')}, got {got}"[:200]
