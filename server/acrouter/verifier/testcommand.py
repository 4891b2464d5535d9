"""Which files a test command loads as tests, read from the command and the
configuration it reads: the files a ``python -m unittest`` loads (its discovery pattern,
the modules it names), pytest's ``python_files`` and the files a pytest command names,
and a script of the project's that the command runs.  :func:`command_patterns` gives
them as patterns for ``testfiles.is_test_file``."""

from __future__ import annotations

import configparser
import itertools
import os
import re
import sys
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path, PurePosixPath

from .commandline import (
    django_test,
    parse_segment,
    python_module,
    runner_of,
    simple_command_spans,
)
from .detection import read_text

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib


def command_patterns(
    command: str, root: Path | None = None, buffers: Mapping[str, str] | None = None
) -> tuple[str, ...]:
    """Patterns for the files a ``python -m unittest`` (or Django's ``test``) in
    ``command`` loads as tests:
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
        django = django_test(seg.tokens)
        if module == "unittest" or django is not None:
            patterns = (
                _unittest_patterns(seg.tokens[after:])
                if django is None
                else _django_patterns(seg.tokens[django:])
            )
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


def pytest_option(option: str, texts: Callable[[str], Iterable[str]]) -> list[str]:
    """The words of pytest's ini ``option`` (e.g. ``python_files``, ``pythonpath``) in
    every configuration file pytest reads at one folder: ``texts(name)`` gives each text
    of the file ``name`` there (on disk, as the editor or an edit has it)."""
    out: list[str] = []
    for name, section in _PYTEST_CONFIGS.items():
        for text in texts(name):
            if option not in text or f"[{section}]" not in text:
                continue
            parser = configparser.ConfigParser(interpolation=None, strict=False)
            try:
                parser.read_string(text)
            except configparser.Error:
                continue
            out += parser.get(section, option, fallback="").split()
    for name in ("pyproject.toml", "pytest.toml", ".pytest.toml"):  # (pytest 9: [pytest])
        for text in texts(name):
            if option not in text:
                continue
            try:
                data = tomllib.loads(text)
            except tomllib.TOMLDecodeError:
                continue
            options = data.get("tool", {}).get("pytest", {}) if name == "pyproject.toml" else {}
            tables = (options.get("ini_options", {}), options, data.get("pytest", {}))
            for table in tables if name == "pyproject.toml" else tables[2:]:
                value = table.get(option, []) if isinstance(table, dict) else []
                out += value.split() if isinstance(value, str) else [str(v) for v in value]
    return out


def pytest_patterns(
    tokens: tuple[str, ...],
    folder: str | None,
    root: Path | None,
    buffers: Mapping[str, str] | None = None,
) -> list[str]:
    """The file names a pytest command collects beyond its defaults: ``python_files``
    from ``-o python_files=...`` and from every configuration file pytest could read
    (``pytest.ini``, ``.pytest.ini``, ``tox.ini``, ``setup.cfg``, ``pyproject.toml``,
    pytest 9's ``pytest.toml`` and ``.pytest.toml``) in
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

    return pytest_option("python_files", texts)


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


def _django_patterns(args: tuple[str, ...]) -> list[str]:
    """Django's ``test`` discovers, below each label (a package of the code under test
    too), the modules its pattern names (``-p``, ``test*.py`` by default); ``manage.py``
    is how the tests start."""
    pattern = "test*.py"
    for i, arg in enumerate(args):
        if arg in ("-p", "--pattern") and i + 1 < len(args):
            pattern = args[i + 1]
        elif arg.startswith("--pattern="):
            pattern = arg.split("=", 1)[1]
    return [pattern, "manage.py"]


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
