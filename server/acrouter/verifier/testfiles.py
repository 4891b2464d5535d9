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
unittest`` command loads, from the folder it runs in: :func:`command_patterns`),
lies in a test folder, or configures a test runner.
"""

from __future__ import annotations

import configparser
import itertools
import os
import re
import sys
from collections.abc import Callable, Iterable, Mapping
from fnmatch import fnmatchcase
from pathlib import Path, PurePosixPath

import attrs

from ..domain import Task, Verdict
from .commandline import parse_segment, python_module, runner_of, simple_command_spans
from .detection import read_text
from .doctests import doctests_as_they_were, rename_reaches_strings
from .renames import renames_in_tests

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

#: folders whose files are the tests' (fixtures, helpers, data, the tests themselves,
#: what they compare against: jest's and syrupy's snapshots, Go's testdata)
TEST_DIRS = frozenset(
    {
        "test",
        "tests",
        "testing",
        "__tests__",
        "spec",
        "specs",
        "__snapshots__",
        "__fixtures__",
        "fixtures",
        "testdata",
    }
)
#: files that configure a test runner, or how the tests are run
CONFIG_FILES = frozenset(
    {
        "conftest.py",
        "pytest.ini",
        "tox.ini",
        "setup.cfg",
        "pyproject.toml",
        "noxfile.py",
        ".coveragerc",
        "package.json",
        ".mocharc.json",
        ".mocharc.js",
        ".mocharc.cjs",
        ".mocharc.yml",
        ".mocharc.yaml",
        ".taprc",
        # what runs the tests when the command is `make test`, `just test`, `task test`
        "makefile",
        "gnumakefile",
        "justfile",
        ".justfile",
        "taskfile.yml",
        "taskfile.yaml",
    }
)
#: ... and what transforms or resolves the tests' code as they load (vite's aliases for
#: vitest, babel's and swc's transforms for jest, TypeScript's paths)
_CONFIG_RE = re.compile(
    r"^((jest|vitest|vite|karma|ava|playwright|babel)\.config\.[a-z]+"
    r"|\.babelrc(\.[a-z]+)?|\.swcrc|tsconfig(\.[\w-]+)?\.json)$"
)
_TEST_NAME_RE = re.compile(
    r"^(test_.*\.py|.*_test\.py|tests?\.py|.*_tests\.py|.*_test\.go"
    r"|.*\.(test|spec)\.(js|jsx|ts|tsx|mjs|cjs|mts|cts)|.*\.snap|.*\.approved\.\w+|test.*\.txt)$"
)


def is_test_file(rel: str, patterns: Iterable[str] = ()) -> bool:
    """Whether the workspace-relative path ``rel`` belongs to the tests; ``patterns``
    (from :func:`command_patterns`) are more of them: a pattern without ``/`` is matched
    against the file's name (as unittest's ``-p``), one with ``/`` against the path."""
    posix = rel.replace("\\", "/")
    parts = PurePosixPath(posix).parts
    if not parts:
        return False
    name = parts[-1].lower()
    if name in CONFIG_FILES or _CONFIG_RE.match(name) or _TEST_NAME_RE.match(name):
        return True
    if any(fnmatchcase(posix if "/" in p else parts[-1], p) for p in patterns):
        return True
    return any(p.lower() in TEST_DIRS for p in parts[:-1])


def command_patterns(
    command: str, root: Path | None = None, buffers: Mapping[str, str] | None = None
) -> tuple[str, ...]:
    """Patterns for the files a ``python -m unittest`` in ``command`` loads as tests:
    its discovery pattern (``-p``, ``test*.py`` by default: ``testing.py`` too), or the
    files of the modules it names (``tests`` -> ``tests.py``, ``tests/*``).  A test
    module can change how its tests run (``load_tests``, ``setUpModule``, a patched
    ``TestCase``), so whatever the runner loads is judged as the tests'.  After a ``cd
    sub`` (or ``pushd``) in the line, the patterns are also given under ``sub/`` (the
    modules are named from there); ``root``, the workspace, places an absolute ``cd``.
    ``buffers``: the editor's unsaved texts by workspace-relative path; a pytest
    configuration among them is read too (the tests run with it)."""
    out: list[str] = []
    folder: str | None = ""  # where the command runs, from the workspace (None: unknown)
    for span in simple_command_spans(command):
        seg = parse_segment(command, span)
        if seg is None or not seg.tokens:
            continue
        if seg.tokens[0] in ("cd", "pushd"):
            folder = _moved(folder, seg.tokens[1:], root)
            continue
        out += _script_of(seg.tokens, folder, root)
        module, _py, after = python_module(seg.tokens)
        if module == "unittest":
            patterns = _unittest_patterns(seg.tokens[after:])
            out += patterns  # by name, and as if from the workspace: never fewer files
            if folder:
                out += [f"{folder}/{p}" for p in patterns]
        elif runner_of(seg.tokens) == "pytest":
            out += pytest_patterns(seg.tokens, folder, root, buffers)
            out += _named_test_files(seg.tokens, folder, root, buffers or {})
    return tuple(dict.fromkeys(out))


def _script_of(tokens: tuple[str, ...], folder: str | None, root: Path | None) -> list[str]:
    """The workspace's script a command runs (``./run_tests.sh``, ``bash ci/test.sh``):
    whatever it does is how the tests run.  Its path from the workspace, as a pattern."""
    if root is None or folder is None:
        return []
    prog = (
        tokens[1] if tokens[0] in ("sh", "bash", "zsh", "dash") and len(tokens) > 1 else tokens[0]
    )
    if "/" not in prog or prog.startswith("-"):
        return []
    path = Path(os.path.normpath(root / folder / prog))
    try:
        rel = path.relative_to(root).as_posix()
    except ValueError:
        return []
    return [rel] if path.is_file() else []


#: pytest options whose value is the next word
_VALUED = frozenset({"-o", "--override-ini", "-c", "-k", "-m", "-p", "--rootdir", "--confcutdir"})
#: a file that defines tests pytest or unittest would run
_DEFINES_TESTS = re.compile(
    r"^\s*(?:async\s+)?def\s+test|^\s*class\s+Test|\bTestCase\b", re.MULTILINE
)


def _named_test_files(
    tokens: tuple[str, ...], folder: str | None, root: Path | None, buffers: Mapping[str, str]
) -> list[str]:
    """The files a pytest command names (``pytest checks.py``, ``checks.py::test_add``):
    pytest collects a file it is given whatever its name.  A code file named for its
    doctests (``--doctest-modules calc.py``) is not one of them unless it defines tests
    too.  As patterns for :func:`is_test_file` (their paths from the workspace)."""
    if root is None or folder is None:
        return []
    doctests = "--doctest-modules" in tokens
    out: list[str] = []
    for before, tok in itertools.pairwise(tokens):
        name = tok.split("::")[0]
        if tok.startswith("-") or before in _VALUED or not name.endswith(".py"):
            continue
        path = Path(os.path.normpath(root / folder / name))
        try:
            rel = path.relative_to(root).as_posix()
        except ValueError:
            continue
        if rel not in buffers and not path.is_file():
            continue
        text = buffers.get(rel) or read_text(path)
        if not doctests or _DEFINES_TESTS.search(text):
            out.append(re.sub(r"([*?\[])", r"[\1]", rel))
    return out


#: where pytest reads its ``python_files`` from: file -> section
_PYTEST_CONFIGS = {
    "pytest.ini": "pytest",
    ".pytest.ini": "pytest",
    "tox.ini": "pytest",
    "setup.cfg": "tool:pytest",
}


def pytest_patterns(
    tokens: tuple[str, ...],
    folder: str | None,
    root: Path | None,
    buffers: Mapping[str, str] | None = None,
) -> list[str]:
    """The file names a pytest command collects beyond its defaults: ``python_files``
    from ``-o python_files=...`` and from every configuration file pytest could read
    (``pytest.ini``, ``.pytest.ini``, ``tox.ini``, ``setup.cfg``, ``pyproject.toml``) in
    the folder it runs in (``folder``, from the workspace ``root``), the folders of its
    path arguments and their parents up to the workspace, on disk and in the editor's
    unsaved ``buffers``.  Every one found counts: more files judged as the tests', never
    fewer."""
    out: list[str] = []
    for i, tok in enumerate(tokens):
        if tok in ("-o", "--override-ini"):
            value = tokens[i + 1] if i + 1 < len(tokens) else ""
        elif tok.startswith("--override-ini="):
            value = tok.partition("=")[2]
        elif tok.startswith("-o"):
            value = tok[2:]
        else:
            continue
        key, _, names = value.partition("=")
        if key.strip() == "python_files":
            out += names.split()
    if root is None or folder is None:
        return out
    base = root / folder
    starts = {Path(os.path.normpath(base / t)) for t in ("", *tokens[1:]) if not t.startswith("-")}
    seen: set[Path] = set()
    for start in starts:
        here = start if start.is_dir() else start.parent
        while here not in seen and (here == root or root in here.parents):
            seen.add(here)
            out += _configured_python_files(here, root, buffers or {})
            here = here.parent
    return list(dict.fromkeys(out))


def _configured_python_files(folder: Path, root: Path, buffers: Mapping[str, str]) -> list[str]:
    def texts(name: str) -> list[str]:  # on disk, and as the editor has it when unsaved
        rel = (folder / name).relative_to(root).as_posix()
        return [read_text(folder / name), *([buffers[rel]] if rel in buffers else [])]

    out: list[str] = []
    for name, section in _PYTEST_CONFIGS.items():
        for text in texts(name):
            if f"[{section}]" not in text:
                continue
            parser = configparser.ConfigParser(interpolation=None, strict=False)
            try:
                parser.read_string(text)
            except configparser.Error:
                continue
            out += parser.get(section, "python_files", fallback="").split()
    for text in texts("pyproject.toml"):
        if "python_files" not in text:
            continue
        try:
            options = tomllib.loads(text).get("tool", {}).get("pytest", {})
        except tomllib.TOMLDecodeError:
            continue
        for table in (options.get("ini_options", {}), options):  # pytest 9: [tool.pytest]
            value = table.get("python_files", []) if isinstance(table, dict) else []
            out += value.split() if isinstance(value, str) else [str(v) for v in value]
    return out


def _moved(folder: str | None, args: tuple[str, ...], root: Path | None) -> str | None:
    """The folder (from the workspace) after ``cd ARGS`` in ``folder``; None when it is
    not known (``cd`` home, ``cd -``, a variable, a folder outside the workspace)."""
    target = next((a for a in args if not a.startswith("-") or a == "-"), None)
    if folder is None or target is None or target == "-" or target.startswith(("~", "$")):
        return None
    if os.path.isabs(target):
        if root is None:
            return None
        try:
            where = os.path.relpath(os.path.realpath(target), os.path.realpath(root))
        except ValueError:
            return None
    else:
        where = os.path.normpath(os.path.join(folder or ".", target))
    where = PurePosixPath(where.replace(os.sep, "/")).as_posix()
    if where == ".." or where.startswith("../"):
        return None
    return "" if where == "." else where


def _unittest_patterns(args: tuple[str, ...]) -> list[str]:
    names = [a for a in args if not a.startswith("-")]
    if not names or names[0] == "discover":
        rest = list(args[args.index("discover") + 1 :] if names else args)
        flag = next((i for i, a in enumerate(rest) if a in ("-p", "--pattern")), None)
        if flag is not None and flag + 1 < len(rest):
            return [rest[flag + 1]]
        valued = {"-s", "--start-directory", "-t", "--top-level-directory"}
        positional = [
            a
            for i, a in enumerate(rest)
            if not a.startswith("-") and (i == 0 or rest[i - 1] not in valued)
        ]
        return [positional[1] if len(positional) > 1 else "test*.py"]
    out: list[str] = []
    for name in names:  # modules, test classes or methods, or files
        if name.endswith(".py"):
            out.append(name.removeprefix("./"))
            continue
        # which prefix is the module is not known; a first part that is a package
        # (``pkg.tests``) is the code under test, not its tests
        parts = name.split(".")
        out.append(parts[0] + ".py")
        for n in range(min(2, len(parts)), len(parts) + 1):
            out += ["/".join(parts[:n]) + ".py", "/".join(parts[:n]) + "/*"]
    return out


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
    it changed, with those as they were (:mod:`.doctests`)."""
    tests = files_of_the_tests(texts, patterns)
    renamed = renames_in_tests(tests, texts, olds)
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
    (:mod:`.renames`): the renamed tests are the user's.  ``restored``: code files whose
    docstring examples the edit changed, with those docstrings as they were
    (:mod:`.doctests`): the user's doctests."""
    named = _names(tests)
    pairs = ", ".join(f"{a} to {b}" for a, b in sorted((renamed or {}).items()))
    users_files = {r: t for r, t in texts.items() if renamed or r not in set(tests)}
    users_files.update(restored or {})
    if users_files == dict(texts):  # the tests, renamed, are the user's: one judgement
        whole = verdict_with(texts)
        return attrs.evolve(
            whole,
            detail=f"with your tests, {pairs} renamed in {named} as in the code: {whole.detail}",
        )
    aside = (
        [
            f"{pairs} renamed in {named} as in the code"
            if renamed
            else f"the edit's changes to {named} set aside"
        ]
        if tests
        else []
    )
    if restored:
        aside.append(f"the doctests of {_names(sorted(restored))} as they were")
    users = verdict_with(users_files)
    if users.verdict != "pass":
        return attrs.evolve(users, detail=f"with your tests ({'; '.join(aside)}): {users.detail}")
    whole = verdict_with(texts)
    changes = _names([*tests, *sorted(set(restored or {}) - set(tests))])
    if whole.verdict != "pass":
        return attrs.evolve(whole, detail=f"with its own changes to {changes}: {whole.detail}")
    return attrs.evolve(
        whole,
        detail=f"with your tests: {users.detail}; with its changes to {changes}: {whole.detail}",
    )
