"""What a build in the test command writes again because the edit changed its sources:
the build's doing, not the edit's code's.

The verdict refuses a run with the edit that wrote code, or the tests' files, which the
run without it did not write (:func:`.verdict._rewritten`, :mod:`.written`): the code
under test may have rewritten the tests before they ran.  A test command whose build is
incremental does that on every edit: ``make test`` on a C project built before rebuilt
nothing without the edit and ``calc.o`` and ``test_calc`` with it; ``cargo test`` with
the ``target/`` of an earlier build, and ``python setup.py build_ext --inplace &&
pytest``, rewrote their binaries.  Every edit, a harmless one too, was "not verified".

So when the run with the edit wrote files the run without it did not, the tests run
once more without the edit, but with the files the edit changes written again as they
were plus a newline at the end: a new time and a new text, so a build that goes by
file times (make, cargo, setuptools) or by their content (``tsc --incremental``, ``tsc
-b``) rebuilds from them as it did from the edit, while the code means what it meant.
What that run writes is the build's, and is judged as the run without the edit's writes
are; what the edit's code wrote as the tests ran, the unedited code does not write, and
it is still refused, by name.  The run is made only then, and kept with the run without
the edit (cached per set of files), so a second model's edit of the same files does not
run it again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping

import attrs

from .testrun import TestRun


def unexplained(before: TestRun | None, after: TestRun) -> list[str]:
    """What the run with the edit (``after``) wrote that ``before`` did not."""
    if before is None:
        return []
    return sorted(p for p in after.wrote if p not in before.wrote)


def rebuild_key(key: str, olds: Mapping[str, str | None], files: Mapping[str, str]) -> str:
    """The cache key of the run that writes again the files of ``files`` that existed
    (``olds``: their texts before the edit; None for a new one) as they were
    (:func:`as_they_were`), beside the run without the edit's ``key``."""
    names = "\0".join(sorted(r for r in files if olds.get(r) is not None))
    return f"{key}-touched-{hashlib.sha256(names.encode()).hexdigest()[:16]}"


def as_they_were(olds: Mapping[str, str | None], files: Mapping[str, str]) -> dict[str, str]:
    """The files of the edit ``files`` that existed, with their texts before it and a
    newline more (a build that goes by content sees them changed)."""
    return {r: old + "\n" for r in files if (old := olds.get(r)) is not None}


def explained(
    before: TestRun | None, after: TestRun, rebuild: Callable[[], TestRun | None]
) -> TestRun | None:
    """``before`` (the run without the edit) with the writes of ``rebuild()`` (the run
    without the edit, its files written again as they were; None when the edit made new
    files only) added, when ``after`` wrote files ``before`` did not; else ``before`` as
    it is."""
    if before is None or not unexplained(before, after):
        return before
    again = rebuild()
    if again is None:
        return before
    return attrs.evolve(before, wrote={**again.wrote, **before.wrote})
