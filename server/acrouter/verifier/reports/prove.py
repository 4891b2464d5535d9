"""Perl's test harness (``prove``, and ``make test`` of a MakeMaker build, both
``TAP::Harness``): each test script prints TAP, and the harness reads it.  The harness
keeps a copy of every script's TAP where ``PERL_TEST_HARNESS_DUMP_TAP`` says (a folder
of ours: ``DIR/t/basic.t`` for the script ``t/basic.t``); its own closing report, on
the run's output, says which scripts exited with an error or broke the protocol::

    Test Summary Report
    -------------------
    t/die.t  (Wstat: 65280 (exited 255) Tests: 1 Failed: 0)
      Non-zero exit status: 255
    Files=5, Tests=8,  0 wallclock secs ( ... )
    Result: FAIL

A test is one assertion of a script, named by the script and its number
(``t/basic.t #2``; a numbered test's description may hold a time or a path, so it goes
in the message only).  A skipped assertion (``ok 3 # skip no db``) or one marked TODO
counts as skipped; a script skipped whole (``1..0 # SKIP no network``) is one skipped
entry, named by the script.  A script whose TAP has no plan, a plan it did not keep, a
``Bail out!``, or that exited with an error after its assertions passed (it died after
its last test) did not finish: a broken entry named by the script.  An assertion of a
``subtest`` is part of the one top-level assertion that reports it.  The harness's
``Files=5, Tests=8`` and the failures of its summary report are the second witness
(:func:`prove_printed_counts`)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import attrs

from .common import ANSI, FAILED, PASSED, SKIPPED, Builder, Report, read_report

#: the file the run's whole output is written to, beside the TAP folder (runners)
OUTPUT_NAME = "output.log"
#: the environment variable that asks TAP::Harness for a copy of each script's TAP
DUMP_VAR = "PERL_TEST_HARNESS_DUMP_TAP"
#: a script's TAP files gathered at most (a run of more is read as far as this)
MAX_SCRIPTS = 20000

_POINT = re.compile(r"^(not ok|ok)\b\s*(\d+)?\s*(?:-\s*)?(.*?)\s*$")
#: a directive: an unescaped ``#`` followed by SKIP or TODO (``\\#`` is a literal)
_DIRECTIVE = re.compile(r"(?<!\\)#\s*(skip|todo)\b\s*(.*)$", re.IGNORECASE)
_PLAN = re.compile(r"^1\.\.(\d+)\s*(?:#\s*(.*))?$")
_SKIP_ALL = re.compile(r"^skip\w*\s*(.*)$", re.IGNORECASE)
#: the head of a script's entry in the harness's summary report
_SUMMARY_HEAD = re.compile(
    r"^(\S.*?)\s+\(Wstat: (\d+)(?: \(([^)]*)\))? Tests: (\d+) Failed: (\d+)\)\s*$"
)
_TOTALS = re.compile(r"^Files=(\d+), Tests=(\d+),")
#: Test::More's diagnostics of a failed assertion (on stderr, merged in the output)
_DIAG = re.compile(
    r"^#\s+Failed test (?:'(.*)'|at (\S+) line (\d+)\.)\s*$"
    r"(?:\n#\s+at (\S+) line (\d+)\.\s*$)?"
    r"(?:\n#\s+got: (.*)$\n#\s+expected: (.*)$)?",
    re.MULTILINE,
)


@attrs.define
class _Summary:
    """A script's entry in the harness's summary report."""

    wstat: int
    failed: int
    lines: list[str] = attrs.field(factory=list)


def _tap_files(folder: Path) -> list[tuple[str, Path]]:
    """(the script's name as the harness ran it, its TAP copy), sorted by name."""
    found: list[tuple[str, Path]] = []
    for here, dirs, files in os.walk(folder):
        dirs.sort()
        for name in sorted(files):
            path = Path(here) / name
            found.append((path.relative_to(folder).as_posix(), path))
            if len(found) >= MAX_SCRIPTS:
                return found
    return found


def summary_report(output: str) -> dict[str, _Summary]:
    """The scripts of the harness's ``Test Summary Report``, by name."""
    entries: dict[str, _Summary] = {}
    current: _Summary | None = None
    inside = False
    for raw in output.splitlines():
        line = ANSI.sub("", raw).rstrip()
        if line.startswith("Test Summary Report"):
            inside = True
            continue
        if not inside:
            continue
        if _TOTALS.match(line) or line.startswith("Result: "):
            inside, current = False, None
            continue
        if m := _SUMMARY_HEAD.match(line):
            current = entries[m.group(1)] = _Summary(int(m.group(2)), int(m.group(5)))
        elif current is not None and line.startswith((" ", "\t")) and line.strip():
            current.lines.append(" ".join(line.split()))
    return entries


def _diagnostics(output: str) -> dict[tuple[str, str], str]:
    """Test::More's account of each failed assertion, by (script, description): where
    it failed and what it got."""
    found: dict[tuple[str, str], str] = {}
    for m in _DIAG.finditer(output):
        desc = m.group(1) or ""
        script = m.group(4) or m.group(2) or ""
        where = (
            f" at {script} line {m.group(5) or m.group(3)}" if (m.group(5) or m.group(3)) else ""
        )
        got = f": got {m.group(6).strip()}, expected {m.group(7).strip()}" if m.group(6) else ""
        found.setdefault((script, desc), f"failed{where}{got}")
    return found


def _read_script(
    out: Builder, script: str, text: str, diags: dict[tuple[str, str], str]
) -> tuple[int, int, str]:
    """One script's TAP into ``out``: (assertions, failed ones, why it did not finish)."""
    plan: int | None = None
    points = failed = 0
    why = ""
    for line in text.splitlines():
        if line.startswith((" ", "\t")):  # a subtest's own TAP, reported by its parent
            continue
        if m := _POINT.match(line):
            points += 1
            number = m.group(2) or str(points)
            desc = m.group(3)
            test_id = f"{script} #{number}"
            directive = _DIRECTIVE.search(desc)
            if directive:
                out.add(test_id, SKIPPED)
            elif m.group(1) == "ok":
                out.add(test_id, PASSED)
            else:
                failed += 1
                said = desc.replace("\\#", "#")
                detail = diags.get((script, said)) or diags.get(("", said)) or ""
                message = f"not ok {number}" + (f" - {said}" if said else "")
                out.add(test_id, FAILED, f"{message}: {detail}" if detail else message)
        elif (m := _PLAN.match(line)) and plan is None:
            plan = int(m.group(1))
            skip = _SKIP_ALL.match(m.group(2) or "")
            if plan == 0 and skip:
                out.add(script, SKIPPED)
        elif line.startswith("Bail out!"):
            why = line.strip()
    if why:
        return points, failed, why
    if plan is None:
        return points, failed, "its TAP has no plan (1..N): the script ended early"
    if plan and plan != points:
        return points, failed, f"it planned {plan} tests but ran {points}"
    return points, failed, ""


def parse_prove(path: str | os.PathLike[str], root: str | None = None) -> Report | None:
    """Every assertion of every script the harness ran, from the TAP copies in the
    folder ``path`` and the run's output beside it (:data:`OUTPUT_NAME`); None when the
    harness ran no script (the folder is missing or empty)."""
    folder = Path(path)
    if not folder.is_dir():
        return None
    scripts = _tap_files(folder)
    if not scripts:
        return None
    output = ANSI.sub("", read_report(folder.parent / OUTPUT_NAME) or "")
    summaries = summary_report(output)
    diags = _diagnostics(output)
    out = Builder()
    total_points = total_failed = 0
    for script, file in scripts:
        text = read_report(file)
        if text is None:
            out.add_broken(script, "its TAP could not be read")
            continue
        points, failed, why = _read_script(out, script, text, diags)
        total_points += points
        total_failed += failed
        entry = summaries.get(script)
        if not why and entry is not None and entry.wstat and not failed:
            exited = next((s for s in entry.lines if s.startswith("Non-zero")), "")
            why = f"it exited with an error after its tests ({exited or f'wstat {entry.wstat}'})"
        if why:
            out.add_broken(script, why)
    return attrs.evolve(out.report(), counts=(total_points - total_failed, total_failed))


def prove_printed_counts(output: str) -> tuple[int, int] | None:
    """(passed, failed) as the harness printed them: its ``Tests=N`` less the failures
    of its summary report, and those; None when it printed no totals."""
    text = ANSI.sub("", output)
    totals = [m for line in text.splitlines() if (m := _TOTALS.match(line.strip()))]
    if not totals:
        return None
    failed = sum(entry.failed for entry in summary_report(text).values())
    tests = int(totals[-1].group(2))
    return tests - failed, failed
