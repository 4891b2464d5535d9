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
A new Java file the edit adds is there empty (a compilation unit that declares
nothing): Maven's compiler plugin, seeing a source added, compiles all of its sources
again, as it did with the edit; before, an edit adding a test class to a project built
once was "not verified" for the test classes that build rewrote.  What that run writes
is the build's, and is judged as the run without the edit's writes are; what the edit's code wrote as the tests ran, the unedited code does not write, and
it is still refused, by name.  The run is made only then, and kept with the run without
the edit (cached per set of files), so a second model's edit of the same files does not
run it again.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping

import attrs

from .lines_javacov import source_key
from .testrun import TestRun
from .written import CREATED


def unexplained(before: TestRun | None, after: TestRun) -> list[str]:
    """What the run with the edit (``after``) wrote that ``before`` did not."""
    if before is None:
        return []
    return sorted(p for p in after.wrote if p not in before.wrote)


#: new files that the run without the edit may hold empty: an empty Java file is a
#: compilation unit that declares nothing
EMPTY_IS_NOTHING = ".java"
#: the reports a runner writes of a class, named after it (``TEST-calc.MoreTest.xml``)
REPORT_SUFFIXES = (".xml", ".html", ".txt")


def rebuild_key(key: str, olds: Mapping[str, str | None], files: Mapping[str, str]) -> str:
    """The cache key of the run that writes again the files of ``files`` as they were
    (``olds``: their texts before the edit; None for a new one; :func:`as_they_were`),
    beside the run without the edit's ``key``."""
    names = "\0".join(sorted(as_they_were(olds, dict.fromkeys(files, ""))))
    return f"{key}-touched-{hashlib.sha256(names.encode()).hexdigest()[:16]}"


def as_they_were(olds: Mapping[str, str | None], files: Mapping[str, str]) -> dict[str, str]:
    """The files of the edit ``files`` that existed, with their texts before it and a
    newline more (a build that goes by content sees them changed), and its new Java
    files empty: a build that recompiles what it has when a source is added (Maven's
    compiler plugin) recompiles it as it did with the edit, while no code is added."""
    again = {r: old + "\n" for r in files if (old := olds.get(r)) is not None}
    new = {r: "" for r in files if olds.get(r) is None and r.lower().endswith(EMPTY_IS_NOTHING)}
    return {**again, **new}


def new_class_outputs(
    olds: Mapping[str, str | None], files: Mapping[str, str], wrote: Mapping[str, str]
) -> dict[str, str]:
    """What of ``wrote`` (a run's writes) the run made, not changed, for a Java file the
    edit adds (``olds``: None for a new file): the classes compiled from it
    (``calc/MoreTest.class``, ``calc/MoreTest$1.class``, under any output folder) and
    the runner's reports of its class (``TEST-calc.MoreTest.xml``, ``calc.MoreTest.html``;
    XML, HTML or text files named after it).
    They are the edit's own, as its source is: Gradle writes them in
    ``build/classes/java/test/``, which reads as a test folder."""
    keys = [
        source_key(r, text).removesuffix(".java")
        for r, text in files.items()
        if olds.get(r) is None and r.lower().endswith(EMPTY_IS_NOTHING)
    ]
    if not keys:
        return {}
    classes = [re.compile(rf"(?:^|.*/){re.escape(k)}(?:\$[\w$]*)?\.class") for k in keys]
    reports = [re.compile(rf"(?:^|[^\w$.]){re.escape(k.replace('/', '.'))}(?![\w$])") for k in keys]
    return {
        p: kind
        for p, kind in wrote.items()
        if kind == CREATED
        and (
            any(c.fullmatch(p) for c in classes)
            or (
                p.endswith(REPORT_SUFFIXES) and any(r.search(p.rsplit("/", 1)[-1]) for r in reports)
            )
        )
    }


def explained(
    before: TestRun | None,
    after: TestRun,
    rebuild: Callable[[], TestRun | None],
    own: Mapping[str, str] | None = None,
) -> TestRun | None:
    """``before`` (the run without the edit) with the writes of ``rebuild()`` (the run
    without the edit, its files written again as they were; None when the edit made new
    files only) added, when ``after`` wrote files ``before`` did not; else ``before`` as
    it is.  ``own``: what the run with the edit wrote that is the new files' own
    (:func:`new_class_outputs`), counted as written without the edit too."""
    if before is not None and own:
        before = attrs.evolve(before, wrote={**own, **before.wrote})
    if before is None or not unexplained(before, after):
        return before
    again = rebuild()
    if again is None:
        return before
    return attrs.evolve(before, wrote={**again.wrote, **before.wrote})
