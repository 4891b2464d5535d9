"""Before any test runs: the edit's texts, and whether they can be judged at all.  A
Python syntax error fails the edit; an edit reaching into the test harness, or files our
interpreter cannot read, fail it uncounted (not evidence about the model)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import attrs

from ..domain import Edit, Verdict
from .edits import edit_texts, texts_before
from .harness import reaches_into_harness
from .runners import TestPlan, plan_command
from .shadows import stdlib_modules
from .syntax import project_stdlib, project_version, syntax_error, unreadable
from .testdata import patterns_of_the_tests


@attrs.frozen
class Screened:
    """An edit that can be judged by running the tests."""

    texts: dict[str, str]  #: the edit's files' new texts, by workspace-relative path
    olds: dict[str, str | None]  #: what the edit was made from (None: a new file)
    patterns: tuple[str, ...]  #: the tests' files (:func:`.testdata.patterns_of_the_tests`)
    probe: TestPlan  #: the command planned with a stand-in output folder


def screen_edit(
    root: Path, command: str, edit: Edit, buffers: Mapping[str, str]
) -> Screened | Verdict:
    """The edit's texts (the unsaved ``buffers`` in place of the files), or the verdict
    that no test run is needed for."""
    texts = edit_texts(root, edit, buffers)
    probe = plan_command(command, "/acrouter-out", root)  # the real folder comes later
    syntax = syntax_error(texts, probe, root)
    if syntax:
        return Verdict("fail", detail=syntax, score=0.0)
    patterns = patterns_of_the_tests(command, root, buffers, texts)
    olds = texts_before(root, texts, buffers)  # what the edit was made from
    harness = unreadable(texts, olds, probe, root) or reaches_into_harness(
        texts,
        olds,
        patterns,
        root,
        project_version(probe, root),
        probe.printed_report,
        stdlib_modules(project_stdlib(probe, root)),
    )
    if harness:  # not evidence about the model: an edit we cannot judge
        return Verdict("fail", detail=harness, score=0.0, counted=False)
    return Screened(texts, olds, patterns, probe)
