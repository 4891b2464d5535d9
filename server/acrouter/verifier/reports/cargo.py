"""``cargo test`` output in libtest's pretty format."""

from __future__ import annotations

import os
import re

from .common import FAILED, PASSED, SKIPPED, Builder, Report, read_report

_CARGO_RUNNING = re.compile(r"^\s*Running (?:unittests )?(\S+)")
_CARGO_DOC = re.compile(r"^\s*Doc-tests (\S+)")
_CARGO_TEST = re.compile(r"^test (.+?) \.\.\. (ok|FAILED|ignored(?:, .*)?)$")
_CARGO_BLOCK = re.compile(r"^---- (.+?) stdout ----$")
_CARGO_DOC_LINE = re.compile(r" \(line \d+\)$")
_CARGO_RESULT = re.compile(r"^test result: \w+\. (\d+) passed; (\d+) failed; (\d+) ignored")


def parse_cargo(path: str | os.PathLike[str], root: str | None = None) -> Report | None:
    """``cargo test`` output (libtest's pretty format), prefixed by the test binary's
    source (``src/lib.rs::tests::adds``, ``tests/integ.rs::adds``,
    ``doc:calc::src/lib.rs - add``; a doc test's line number is dropped, so moving
    code does not look like a test disappearing).  A crate that does not compile is
    one failed entry with the compiler's first error.  None when nothing ran."""
    text = read_report(path)
    if text is None:
        return None
    out = Builder()
    unit = ""
    binaries = 0
    failing: str | None = None  # inside a "---- name stdout ----" block
    error: str | None = None
    for line in text.splitlines():
        if m := _CARGO_RUNNING.match(line):
            unit, binaries = m.group(1), binaries + 1
        elif m := _CARGO_DOC.match(line):
            unit, binaries = f"doc:{m.group(1)}", binaries + 1
        elif m := _CARGO_TEST.match(line):
            name, result = _CARGO_DOC_LINE.sub("", m.group(1)), m.group(2)
            outcome = PASSED if result == "ok" else FAILED if result == "FAILED" else SKIPPED
            out.add(f"{unit}::{name}" if unit else name, outcome, None)
        elif m := _CARGO_BLOCK.match(line):
            failing = f"{unit}::{_CARGO_DOC_LINE.sub('', m.group(1))}" if unit else m.group(1)
        elif failing and line.strip() and "panicked at" not in line:
            if failing in out.outcomes and failing not in out.messages:
                out.messages[failing] = line.strip()[:200]
            failing = None
        elif (
            line.startswith("error") and error is None and not line.startswith("error: test failed")
        ):
            error = line.strip()
    if not binaries and not out.outcomes:
        if error:  # the crate did not compile: no test binary ran
            out.add_broken("cargo build", error)
            return out.report()
        return None
    return out.report()


def cargo_counts(text: str) -> tuple[int, int, int]:
    """(passed, failed, ignored) summed over libtest's ``test result:`` lines."""
    totals = [0, 0, 0]
    for line in text.splitlines():
        if m := _CARGO_RESULT.match(line.strip()):
            for i in range(3):
                totals[i] += int(m.group(i + 1))
    return totals[0], totals[1], totals[2]
