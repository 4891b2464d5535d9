"""Data files the tests read: what the tests compare against belongs to the tests.

A test that compares with an expected output kept in a file (``expected/add.json``,
``golden/report.txt``) is judged by that file as much as by its ``assert``.  An edit that
breaks the code and rewrites that file to what the broken code now gives passes the
tests; when the file is in a folder the tests' rules know (``tests/``, ``testdata/``,
``fixtures/``, ``__snapshots__/``: ``testnames.TEST_DIRS``) it belongs to the tests and
the edit is first judged with it as it was, but ``expected/``, ``golden/``, ``data/`` are
any project's folders.  So a file of the edit that is not code (no Python, JavaScript,
... source) belongs to the tests too when a test file of the workspace names it: its
name (``add.json``), or one of its folders as a path part in a string (``"expected"``,
``"golden/"``).  Such files are then judged as the tests' are: the edit's other changes
first with them as they were.  A document with doctest examples (``doc/tutorial.rst`` run
by a ``DocFileSuite``) is the doctest rule's (``doctests``), as before.  A heuristic: a path built from pieces named nowhere in the
tests (``DIR + "/" + name``) is not seen.
"""

from __future__ import annotations

import doctest
import glob
import os
import re
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path, PurePosixPath

from .testcommand import command_patterns
from .testnames import CODE_SUFFIXES, is_test_file
from .workspace import HEAVY_DIRS

#: test files read for names (the tests' own source), at most this many, this big
MAX_TEST_FILES = 5000
MAX_TEST_BYTES = 1_000_000


def patterns_of_the_tests(
    command: str, root: Path, buffers: Mapping[str, str], texts: Mapping[str, str]
) -> tuple[str, ...]:
    """Patterns for more of the tests' files (:func:`.testfiles.is_test_file`'s): those
    of the command (:func:`.testcommand.command_patterns`), and one per file of the edit
    (``texts`` by workspace-relative path; the path, escaped) that is no code nor already
    the tests' and that a test file of the workspace (on disk, or an unsaved editor
    buffer in ``buffers``) names."""
    patterns = command_patterns(command, root, buffers)
    data = [
        rel
        for rel in sorted(texts)
        if PurePosixPath(rel).suffix.lower() not in CODE_SUFFIXES
        and not is_test_file(rel, patterns)
        and not _has_examples(root / rel)
    ]
    if not data:
        return patterns
    wanted = {rel: _naming(rel) for rel in data}
    found: set[str] = set()
    for text in _test_sources(root, patterns, buffers):
        found.update(rel for rel, named in wanted.items() if rel not in found and named(text))
        if len(found) == len(wanted):
            break
    return patterns + tuple(glob.escape(rel) for rel in sorted(found))


def _has_examples(path: Path) -> bool:
    """Whether the file had doctest examples before the edit: a document the doctest
    rule judges (``doctests.doctests_as_they_were`` puts its examples back), a rename
    across code and tests included."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    try:
        return bool(doctest.DocTestParser().get_examples(text))
    except ValueError:  # a malformed example: doctest would run it, and fail
        return True


def _naming(rel: str) -> Callable[[str], bool]:
    """A test of whether a source text names the file ``rel``: its name anywhere, or a
    folder of it as a path part in a string (``"expected"``, ``'golden/'``, ``/data/``)."""
    parts = PurePosixPath(rel).parts
    name = parts[-1]
    folders = "|".join(re.escape(p) for p in parts[:-1])
    folder_re = re.compile(rf"""["'/\\]({folders})["'/\\]""") if folders else None

    def named(text: str) -> bool:
        return name in text or bool(folder_re and folder_re.search(text))

    return named


def _test_sources(
    root: Path, patterns: tuple[str, ...], buffers: Mapping[str, str]
) -> Iterator[str]:
    """The texts of the workspace's test files that are source code (unsaved buffers
    first)."""
    seen = 0
    for rel, text in buffers.items():
        if PurePosixPath(rel).suffix.lower() in CODE_SUFFIXES and is_test_file(rel, patterns):
            yield text
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d not in HEAVY_DIRS and not d.startswith(".")]
        for f in files:
            if PurePosixPath(f).suffix.lower() not in CODE_SUFFIXES:
                continue
            path = Path(folder, f)
            rel = path.relative_to(root).as_posix()
            if rel in buffers or not is_test_file(rel, patterns):
                continue
            seen += 1
            if seen > MAX_TEST_FILES:
                return
            try:
                if path.stat().st_size <= MAX_TEST_BYTES:
                    yield path.read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
