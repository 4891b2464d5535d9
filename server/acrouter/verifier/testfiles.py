"""Which files of an edit belong to the tests that judge it.

An edit is judged by the user's tests.  An edit may also change them (new tests, a test
that was wrong, a renamed function), but then the tests it passes are partly its own: a
"fix" that rewrites the failing assertion to expect the bug, or a ``conftest.py`` hook
that reports every test as passed, passes its own tests.  So the verifier judges the
edit's other files with the tests as they were, and then the whole edit (see
``ProjectVerifier``), unless the request is about the tests themselves and the edit
changes nothing else (:func:`asks_for_tests`).  A file belongs to the tests when it is a test file by its
runner's naming rules (pytest's ``test_*.py``, ``*_test.py`` and its configured
``python_files``; ``test.py``, ``tests.py``, ``*_tests.py``; the files a ``python -m
unittest`` command loads, from the folder it runs in, and more: ``testcommand.command_patterns``),
lies in a test folder, or configures a test runner.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

import attrs

from ..domain import Task, Verdict
from .doctests import doctests_as_they_were, rename_reaches_strings
from .renames import renames_in_tests
from .testnames import is_source, is_test_file


def asks_for_tests(task: Task, root: Path) -> bool:
    """Whether the request is about the tests themselves: new tests (a test-generation
    request), or a request made on a test file.  An edit of such a request that changes
    only the tests' files is judged on them: the user asked for those changes."""
    if task.kind == "test_generation":
        return True
    doc = task.document
    if doc is None:
        return False
    try:
        rel = Path(os.path.realpath(doc.path)).relative_to(root).as_posix()
    except ValueError:
        return False
    return is_test_file(rel)


def files_of_the_tests(paths: Iterable[str], patterns: Iterable[str] = ()) -> list[str]:
    """The paths among ``paths`` that belong to the tests (``patterns``: see
    :func:`is_test_file`), sorted."""
    patterns = tuple(patterns)
    return sorted(p for p in paths if is_test_file(p, patterns))


def _names(paths: list[str], limit: int = 3) -> str:
    shown = ", ".join(paths[:limit])
    return f"{shown} and {len(paths) - limit} more" if len(paths) > limit else shown


def touched_tests(
    texts: Mapping[str, str], patterns: Iterable[str], olds: Mapping[str, str | None]
) -> tuple[list[str], dict[str, str] | None, dict[str, str]]:
    """What an edit (new texts by path; ``olds``: before it) does to the user's tests:
    the tests' files it changes, the names it renamed across code and tests when that is
    all it changed in them (:mod:`.renames`), and its code files whose docstring examples
    it changed, with those as they were (:mod:`.doctests`).  The rename is read in the
    tests' source files alone: the tests' files that are no source (a changelog or a
    document a test names, an expected output) are set aside in the first judgement
    whether or not they rename too (:func:`judge_with_users_tests`)."""
    tests = files_of_the_tests(texts, patterns)
    data = {rel for rel in tests if not is_source(rel)}
    renamed = renames_in_tests(
        [rel for rel in tests if rel not in data],
        {r: t for r, t in texts.items() if r not in data},
        olds,
    )
    code = {r: t for r, t in texts.items() if r not in set(tests)}
    if renamed and rename_reaches_strings(code, olds, renamed):
        renamed = None  # (an example that names it in a string: judged as before)
    return tests, renamed, doctests_as_they_were(code, olds, renamed)


def judge_with_users_tests(
    tests: list[str],
    texts: Mapping[str, str],
    verdict_with: Callable[[Mapping[str, str]], Verdict],
    renamed: Mapping[str, str] | None = None,
    restored: Mapping[str, str] | None = None,
) -> Verdict:
    """The verdict on an edit that changes the tests' files ``tests``: its other files
    judged with the tests as they were (``verdict_with(files)`` verifies ``files``), and,
    when that passes, the whole edit.  Both must pass.  ``renamed``: the names the edit
    renamed in its code, when its only change to the tests renames them too
    (:mod:`.renames`): the renamed tests are the user's, and its changes to the tests'
    files that are no source (:func:`is_source`: data a test names) are set aside.
    ``restored``: code files whose docstring examples the edit changed, with those
    docstrings as they were (:mod:`.doctests`): the user's doctests."""
    pairs = ", ".join(f"{a} to {b}" for a, b in sorted((renamed or {}).items()))
    aside_files = [rel for rel in tests if not renamed or not is_source(rel)]
    users_files = {r: t for r, t in texts.items() if r not in set(aside_files)}
    users_files.update(restored or {})
    in_rename = _names([rel for rel in tests if rel not in set(aside_files)])
    if users_files == dict(texts):  # the tests, renamed, are the user's: one judgement
        whole = verdict_with(texts)
        return attrs.evolve(
            whole,
            detail=f"with your tests, {pairs} renamed in {in_rename} as in the code: "
            f"{whole.detail}",
        )
    aside = [f"{pairs} renamed in {in_rename} as in the code"] if renamed else []
    if aside_files:
        aside.append(f"the edit's changes to {_names(aside_files)} set aside")
    if restored:
        aside.append(f"the doctests of {_names(sorted(restored))} as they were")
    users = verdict_with(users_files)
    if users.verdict != "pass":
        return attrs.evolve(users, detail=f"with your tests ({'; '.join(aside)}): {users.detail}")
    whole = verdict_with(texts)
    changes = _names([*aside_files, *sorted(set(restored or {}) - set(aside_files))])
    if whole.verdict != "pass":
        return attrs.evolve(whole, detail=f"with its own changes to {changes}: {whole.detail}")
    yours = f"with your tests ({aside[0]})" if renamed else "with your tests"
    return attrs.evolve(
        whole,
        detail=f"{yours}: {users.detail}; with its changes to {changes}: {whole.detail}",
    )
