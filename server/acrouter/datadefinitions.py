"""What a data file defines: the keys of a JSON, TOML, YAML, INI or dotenv file and the
items of its lists (a pip requirements file: its lines; a Makefile: its targets and
variables; a ``.gitignore``, ``CODEOWNERS`` or ``MANIFEST.in``: its lines), counted, for the guard that no
edit drops what nobody asked to remove (``definitions.dropped_definitions``).

A configuration file is code no test reaches: an edit of ``pyproject.toml`` that adds a
dependency and drops ``[tool.ruff]``, of ``package.json`` that drops a script, of a
workflow that drops a step, passes every test.  So each file is read whole (``json``
also with comments and trailing commas, as ``tsconfig.json`` and VS Code's settings
are written; ``tomllib``; YAML with PyYAML's base loader: every scalar a string, any
tag, every document; ``configparser`` for INI, a value of several lines as the list of
its lines) and every node is counted by its path:

- a mapping's key by the keys above it: ``tool.ruff.line-length``;
- a list's item as ``[]`` below the list's path (``jobs.test.steps[]``), so one of three
  steps gone is one fewer; a string item by what it names (``project.dependencies[]
  =attrs`` for ``"attrs>=23"``: a requirement by its project's name, so a new version
  is no loss; another string without spaces whole; prose and numbers only counted).

What a path counted before and counts less after is lost, once, at its topmost path
(``tool.ruff``, not also its ``line-length``), unless it moved (its last key appears
at a path the file had not had: ``tool.ruff.select`` to ``tool.ruff.lint.select``).
A file that read before and does not read after the edit is refused by the guard too.
"""

from __future__ import annotations

import itertools
import json
import re
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import Any

import attrs

from .pytrees import cached

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

_SUFFIXES = {
    ".json": "json",
    ".jsonc": "json",
    ".toml": "toml",
    ".yml": "yaml",
    ".yaml": "yaml",
    ".ini": "ini",
    ".cfg": "ini",
    ".mk": "make",
}
_LANGUAGES = {
    "json": "json",
    "jsonc": "json",
    "toml": "toml",
    "yaml": "yaml",
    "ini": "ini",
    "dotenv": "env",
    "pip-requirements": "requirements",
    "makefile": "make",
}
#: files no suffix tells (``.eslintrc``, ``.flake8``, ``.env``)
_NAMES = {
    **dict.fromkeys((".eslintrc", ".babelrc", ".prettierrc", ".jshintrc", ".swcrc"), "json"),
    **dict.fromkeys(
        (".flake8", ".pylintrc", "pylintrc", ".coveragerc", ".editorconfig", ".gitmodules"), "ini"
    ),
    **dict.fromkeys((".gitconfig", ".pypirc"), "ini"),
    **dict.fromkeys(("makefile", "gnumakefile"), "make"),
    **dict.fromkeys(
        (
            ".gitignore",
            ".dockerignore",
            ".npmignore",
            ".prettierignore",
            ".eslintignore",
            ".gitattributes",
            "codeowners",
            "manifest.in",
        ),
        "lines",
    ),
}
#: pip's requirement files: ``requirements.txt``, ``requirements-dev.txt``,
#: ``dev-requirements.txt``, ``requirements/base.txt``, ``constraints.txt``
_REQUIREMENTS = re.compile(
    r"(?:^|/)(?:[\w.-]*requirements[\w.-]*|constraints[\w.-]*|requirements/[\w.-]+)\.(?:txt|in)$",
    re.IGNORECASE,
)


class DataError(ValueError):
    """The text does not read as its format; the message says where."""


def data_format(path: str, language: str | None = None) -> str | None:
    """The format of a data file: ``"json"``, ``"toml"``, ``"yaml"``, ``"ini"``
    (``setup.cfg``, ``tox.ini``, ``.flake8``, ``.editorconfig``), ``"env"`` (``.env``,
    ``.env.example``), ``"requirements"`` (pip's), ``"make"`` (``Makefile``, ``*.mk``)
    or ``"lines"`` (``.gitignore``, ``CODEOWNERS``, ``MANIFEST.in``); by its suffix or
    name, else the editor's language id; None for any other file."""
    posix = path.replace("\\", "/")
    p = PurePosixPath(posix)
    name = p.name.lower()
    found = _SUFFIXES.get(p.suffix.lower()) or _NAMES.get(name)
    if found is None and (name == ".env" or name.startswith(".env.") or name.endswith(".env")):
        found = "env"
    if found is None and _REQUIREMENTS.search(posix):
        found = "requirements"
    if found is None and language:
        found = _LANGUAGES.get(language.lower())
    return found


# --------------------------------------------------------------------------- reading


def _without_comments(text: str) -> str:
    """JSON with comments (``//``, ``/* */``) and trailing commas made plain JSON; the
    line breaks stay where they were, so an error's line is the file's."""
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            out.append(text[i : j + 1])
            i = j + 1
        elif text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append("\n" * text.count("\n", i, j))
            i = j
        else:
            out.append(c)
            i += 1
    plain = "".join(out)
    # a comma before a closing bracket (outside strings: strings were copied whole, and
    # this pattern needs the comma to be followed by blanks only)
    return re.sub(r",(\s*[}\]])", r"\1", plain)


def _json(text: str) -> Any:
    """The JSON value; with comments and trailing commas too (their error is the one
    reported: the lines are the file's, and a comment is no error)."""
    try:
        return json.loads(text)
    except ValueError:
        try:
            return json.loads(_without_comments(text))
        except ValueError as exc:
            raise DataError(_json_error(exc)) from None


#: JSON files whose readers take comments and trailing commas (TypeScript's, VS Code's,
#: Babel's, ESLint's, SWC's, dev containers'; and any ``.jsonc``)
_JSONC = re.compile(
    r"(?:^|/)(?:[jt]sconfig[\w.-]*\.json|\.vscode/[^/]+\.json|[^/]*\.jsonc|"
    r"\.?devcontainer(?:/devcontainer)?\.json|\.eslintrc(?:\.json)?|\.babelrc(?:\.json)?|"
    r"\.swcrc|api-extractor\.json|turbo\.json|biome\.json)$",
    re.IGNORECASE,
)


def json_made_loose(old: str, new: str, path: str) -> str | None:
    """Why ``new`` breaks a file that was plain JSON: it reads only with comments or
    trailing commas allowed (what npm, Composer and most readers refuse), where ``old``
    read without them; None when ``old`` was not plain JSON, ``new`` is, or the file is
    one whose readers take them (``tsconfig.json``, ``.vscode/settings.json``)."""
    if _JSONC.search(path.replace("\\", "/")):
        return None
    try:
        json.loads(old.removeprefix("\ufeff"))
    except ValueError:
        return None
    try:
        json.loads(new.removeprefix("\ufeff"))
    except ValueError as exc:
        return f"{_json_error(exc)}; plain JSON before: no comments, no trailing commas"
    return None


def _json_error(exc: ValueError) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"line {exc.lineno}: {exc.msg}"
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def _toml(text: str) -> Any:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DataError(str(exc).splitlines()[0]) from None


def _yaml(text: str) -> Any:
    import yaml  # type: ignore[import-untyped]  # (PyYAML, imported when a YAML file is edited)

    loader = getattr(yaml, "CBaseLoader", yaml.BaseLoader)
    try:
        docs = [d for d in yaml.load_all(text, Loader=loader) if d is not None]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}: " if mark is not None else ""
        raise DataError(f"{where}{exc.problem or exc.context or 'not YAML'}") from None
    except (yaml.YAMLError, TypeError, RecursionError) as exc:  # (TypeError: a list as a key)
        raise DataError(str(exc).splitlines()[0] if str(exc) else type(exc).__name__) from None
    docs = [_merged(d, 0) for d in docs]
    return docs[0] if len(docs) == 1 else docs


def _merged(value: Any, depth: int, done: dict[int, Any] | None = None) -> Any:
    """``value`` with YAML's merge keys applied (``<<: *defaults``: the mapping's own keys
    win), as a reader of the file sees it: an anchor inlined is the same file.  The base
    loader leaves ``<<`` a key.  A node an alias shares is merged once (``done``, by
    identity), so nested aliases cost what their text does."""
    if depth > 200:
        raise DataError("nested too deeply to read")
    if not isinstance(value, (dict, list)):
        return value
    done = {} if done is None else done
    if id(value) in done:
        return done[id(value)]
    if isinstance(value, list):
        merged_list = [_merged(v, depth + 1, done) for v in value]
        done[id(value)] = merged_list
        return merged_list
    out = {k: _merged(v, depth + 1, done) for k, v in value.items() if k != "<<"}
    merge = value.get("<<")
    for source in merge if isinstance(merge, list) else [merge]:
        if isinstance(source, dict):
            for k, v in _merged(source, depth + 1, done).items():
                out.setdefault(k, v)
    done[id(value)] = out
    return out


#: a section's name in an INI file for the keys above its first section
_TOP = "\x00top"


def _ini(text: str) -> Any:
    """Sections and their keys (as written: not lower-cased); a value of several lines
    (``install_requires =`` then a requirement a line) is the list of its lines."""
    import configparser

    parser = configparser.RawConfigParser(
        strict=False, allow_no_value=True, default_section="\x00default", delimiters=("=", ":")
    )
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    try:
        parser.read_string(f"[{_TOP}]\n" + text)
    except (configparser.Error, AttributeError, ValueError) as exc:
        # (AttributeError: configparser's own, on an indented line after a key without a
        # value)
        raise DataError(str(exc).splitlines()[0] if str(exc) else type(exc).__name__) from None
    out: dict[str, Any] = {}
    for section in parser.sections():
        keys: dict[str, Any] = {}
        for key, value in parser.items(section, raw=True):
            lines = [v.strip() for v in (value or "").splitlines() if v.strip()]
            keys[key] = lines if "\n" in (value or "") else value
        if section == _TOP:
            out.update(keys)
        else:
            out[section] = keys
    return out


_ENV_LINE = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][\w.-]*)\s*=")


def _env(text: str) -> Any:
    """A dotenv file's variables (``KEY=value``, ``export KEY=value``)."""
    return {m.group(1): "" for line in text.splitlines() if (m := _ENV_LINE.match(line))}


def _requirements(text: str) -> Any:
    """A pip requirements file's lines, joined where a line ends in ``\\``, without
    comments and ``--hash`` options; an option line as one word (``-r=base.txt``)."""
    out: list[str] = []
    for line in re.sub(r"\\\r?\n", " ", text).splitlines():
        line = re.sub(r"(^|\s)#.*", "", line).strip()
        line = re.sub(r"\s--hash[=\s]\S+", "", line).strip()
        if not line:
            continue
        if line.startswith("-"):
            line = re.sub(r"\s+", "=", line, count=1)
        out.append(line)
    return out


#: a Makefile's rule: its targets before one or two colons (not ``:=``)
_MAKE_RULE = re.compile(r"^([^\s:=#][^:=#]*?)\s*::?(?!=)")
#: a Makefile's variable: ``NAME = …``, ``:=``, ``::=``, ``?=``, ``+=``, ``!=``, ``define NAME``
_MAKE_VARIABLE = re.compile(
    r"^(?:(?:export|override|private)\s+)*(?:define\s+([A-Za-z_][\w.-]*)|"
    r"([A-Za-z_][\w.-]*)\s*(?::{1,3}=|\?=|\+=|!=|=))"
)


def _make(text: str) -> Any:
    """A Makefile's targets and variables, each as a key (special targets such as
    ``.PHONY`` left out; a recipe's lines, after a tab, are not read)."""
    out: dict[str, str] = {}
    lines = re.sub(r"\\\r?\n", " ", text).splitlines()
    defining = False
    for line in lines:
        if defining:
            defining = not re.match(r"^\s*endef\b", line)
            continue
        if line.startswith("\t") or not line.strip() or line.lstrip().startswith("#"):
            continue
        if m := _MAKE_VARIABLE.match(line):
            name = m.group(1) or m.group(2)
            defining = m.group(1) is not None
            out[name] = ""
            continue
        if (m := _MAKE_RULE.match(line)) and not line.startswith(("ifeq", "ifneq", "ifdef")):
            for target in m.group(1).split():
                if not target.startswith(".") and "$" not in target:
                    out[target] = ""
    return out


def _lines(text: str) -> Any:
    """A file of one pattern a line (``.gitignore``, ``CODEOWNERS``, ``MANIFEST.in``):
    each line but blanks and ``#`` comments, as a key, its blanks made one space."""
    out: dict[str, str] = {}
    for line in text.splitlines():
        line = " ".join(line.split())
        if line and not line.startswith("#"):
            out[line] = ""
    return out


_READERS = {
    "json": _json,
    "toml": _toml,
    "yaml": _yaml,
    "ini": _ini,
    "env": _env,
    "requirements": _requirements,
    "make": _make,
    "lines": _lines,
}


def read_data(text: str, fmt: str) -> Any:
    """The file's value (a YAML stream of several documents: their list); raises
    ``DataError`` when it does not read."""
    text = text.removeprefix("\ufeff")
    if not text.strip():
        return None
    try:
        return _READERS[fmt](text)
    except RecursionError:
        raise DataError("nested too deeply to read") from None


# --------------------------------------------------------------------------- counting

_NAME = r"@?[A-Za-z0-9][\w.\-]*(?:/[\w.\-]+)?"
#: a requirement (PEP 508, npm's ``name@range``): its project's name, then extras and a
#: version, a marker, or nothing
_REQUIREMENT = re.compile(rf"^({_NAME})\s*(?:\[[^\]]*\]\s*)?(?:===|==|~=|!=|>=|<=|>|<|\^|~|@|;|$)")


def normal(name: str) -> str:
    """A name as compared: lower case, runs of ``-``, ``_`` and ``.`` one ``-`` (PEP
    503's project names)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def item_name(value: str) -> str | None:
    """What a string item of a list names (compared by :func:`normal`): a requirement's
    project (``attrs`` for ``attrs>=23``), else the string when it has no blank and is at
    most 100 characters, else None.  None too for what starts with a digit (a version, a number: YAML's
    scalars are all read as strings): such an item is a value, counted only."""
    value = value.strip()
    if not value or value[0].isdigit() or value.lower() in ("true", "false", "null", "~"):
        return None
    if m := _REQUIREMENT.match(value):
        return m.group(1)
    if len(value) <= 100 and not any(c.isspace() for c in value):
        return value
    return None


Path = tuple[str, ...]
#: the most paths a file is read for (a package-lock.json of 1 MB holds about 40,000)
MAX_PATHS = 500_000


def _walk(value: Any, path: Path, read: _Read) -> Iterator[Path]:
    if isinstance(value, dict):
        for key, inner in value.items():
            here = (*path, str(key))
            yield here
            yield from _walk(inner, here, read)
    elif isinstance(value, list):
        for inner in value:
            if isinstance(inner, str) and (name := item_name(inner)) is not None:
                here = (*path, f"[]={normal(name)}")
                read.written.setdefault(here, name)
                yield here
                continue
            here = (*path, "[]")
            yield here
            if isinstance(inner, (dict, list)):
                yield from _walk(inner, here, read)
            elif inner is not None:
                read.values.setdefault(here, Counter())[str(inner)] += 1


@attrs.define
class _Read:
    """What a data file holds: how many times each path occurs, each named item's name
    as the file first writes it, and the values of the items counted only (``3.10`` of
    a matrix's ``python-version``: which one went, for the instruction to name)."""

    paths: Counter[Path] = attrs.field(factory=Counter)
    written: dict[Path, str] = attrs.field(factory=dict)
    values: dict[Path, Counter[str]] = attrs.field(factory=dict)


def data_paths(text: str, fmt: str) -> Counter[Path] | None:
    """How many times each path occurs in the file (see the module docstring); None when
    it does not read; once per text inside ``shared_trees()``."""
    read = _read_paths(text, fmt)
    return None if read is None else read.paths


def _read_paths(text: str, fmt: str) -> _Read | None:
    """What the file holds (:class:`_Read`); None when it does not read."""

    def read() -> _Read | None:
        value, error = _read(text, fmt)
        if error is not None:
            return None
        found = _Read()
        # (YAML's aliases share a node: nested ones, a "billion laughs", would make paths
        # without end of a short text; past the bound the file is not compared)
        found.paths = Counter(itertools.islice(_walk(value, (), found), MAX_PATHS + 1))
        return None if found.paths.total() > MAX_PATHS else found

    return cached(f"data.paths.{fmt}", text, read)


def what_counts(fmt: str) -> str:
    """What the guard's refusal calls the things a file of ``fmt`` holds."""
    if fmt == "make":
        return "target(s) or variable(s)"
    return "line(s)" if fmt == "lines" else "key(s) or list item(s)"


def data_error(text: str, fmt: str) -> str | None:
    """Why the text does not read as ``fmt``, or None when it does; once per text inside
    ``shared_trees()``."""

    return _read(text, fmt)[1]


def _read(text: str, fmt: str) -> tuple[Any, str | None]:
    """(the file's value, None), or (None, why it does not read); once per text inside
    ``shared_trees()``."""

    def read() -> tuple[Any, str | None]:
        try:
            return read_data(text, fmt), None
        except DataError as exc:
            return None, str(exc)

    return cached(f"data.value.{fmt}", text, read)


def leaf(path: Path) -> str:
    """The name a user would write for a path: its last key (``select`` for
    ``tool.ruff.select``; a list's for its items; an item's own name)."""
    for part in reversed(path):
        if part.startswith("[]="):
            return part[3:]
        if part != "[]":
            return part
    return ""


def shown(path: Path, written: dict[Path, str] | None = None) -> str:
    """A lost path as the guard names it: ``tool.ruff.line-length``, ``an item of
    jobs.test.steps``, ``attrs in project.dependencies`` (an item's name as ``written``
    holds it)."""
    keys = ".".join(p for p in path if not p.startswith("[]=")).replace(".[]", "[]")
    # (a stream of YAML documents, a file that is a list: its items' keys by their own)
    keys = keys[3:] if keys.startswith("[].") else keys.removeprefix("[]")
    if path and path[-1] == "[]":
        return f"an item of {keys.removesuffix('[]') or 'the file'}"
    if path and path[-1].startswith("[]="):
        name = (written or {}).get(path, path[-1][3:])
        return f"{name} in {keys}" if keys else name
    return keys


def lost_paths(
    old: Counter[Path], new: Counter[Path], elsewhere: frozenset[str] = frozenset()
) -> list[Path]:
    """The paths ``new`` counts fewer times than ``old``, topmost only (a table gone is
    one loss, not one per key), in the order ``old`` holds them, but for those that
    moved: a key or named item whose name ``new`` gained at a path ``old`` did not have
    (``tool.ruff.select`` to ``tool.ruff.lint.select``) or that ``elsewhere`` (another
    file of the edit) holds, and a key or list item whose contents all went there
    (``jest``'s settings moved from ``package.json`` to their own file).  A key renamed
    in place is lost: whatever reads the file looks for the old name."""
    fewer = [p for p, count in old.items() if new[p] < count]
    if not fewer:
        return []
    gone = set(fewer)
    top = [p for p in fewer if not any(p[:i] in gone for i in range(1, len(p)))]
    gained = Counter(normal(leaf(p)) for p, count in new.items() if old[p] < count)

    def moved(name: str) -> bool:
        if normal(name) in elsewhere:
            return True
        if gained[normal(name)] > 0:
            gained[normal(name)] -= 1
            return True
        return False

    out: list[Path] = []
    for p in top:
        if p[-1] != "[]" and moved(leaf(p)):
            continue
        if elsewhere:  # (only then: a scan of the file's paths for each loss)
            inside = [q for q in old if len(q) > len(p) and q[: len(p)] == p and q[-1] != "[]"]
            if inside and all(normal(leaf(q)) in elsewhere for q in inside):
                continue
        out.append(p)
    return out


# --------------------------------------------------------------------------- in the text

_KEY_ON_LINE = (
    re.compile(r'"((?:[^"\\]|\\.)*)"\s*:'),  # JSON
    re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?"),  # a TOML table's header
    re.compile(r"^\s*([\w\-\"'. ]+?)\s*="),  # a TOML key
    re.compile(r"^\s*(?:-\s+)*([^\s:#'\"\-][^:#]*?|'[^']*'|\"[^\"]*\")\s*:(?:\s|$)"),  # YAML
)


def keys_on_lines(lines: list[str]) -> set[str]:
    """The key names written on ``lines`` (each part of a dotted TOML key too)."""
    out: set[str] = set()
    for line in lines:
        for pattern in _KEY_ON_LINE:
            for m in pattern.finditer(line):
                written = m.group(1).strip()
                out.add(written.strip("\"'"))
                out.update(part.strip().strip("\"'") for part in written.split("."))
    return out


# --------------------------------------------------------------------------- the guard


def _spoken(instruction: str) -> set[str]:
    """The names an instruction writes, compared as :func:`_said` compares them: each
    word, each pair of words (``line length`` for ``line-length``), a plural's singular."""
    words = [normal(w).strip("-") for w in re.findall(r"[\w@./\-]+", instruction)]
    words = [w.rstrip(".") for w in words if w]
    said = {re.sub(r"[^a-z0-9@/]", "", w) for w in words}
    said |= {re.sub(r"[^a-z0-9@/]", "", a + b) for a, b in itertools.pairwise(words)}
    return said | {w[:-1] for w in said if w.endswith("s")}


def _said(name: str, said: set[str]) -> bool:
    key = re.sub(r"[^a-z0-9@/]", "", normal(name))
    return bool(key) and (key in said or (key.endswith("s") and key[:-1] in said))


def dropped_keys(
    old: str,
    new: str,
    fmt: str,
    *,
    instruction: str,
    removal: bool,
    exempt_lines: tuple[int, int] | None,
    defined_elsewhere: set[str],
) -> list[str]:
    """The keys and list items of ``old`` that ``new`` lacks (:func:`lost_paths`) and
    that nobody asked to remove, as :func:`shown` names them; empty when either text
    does not read (the guard refuses a text that read before and no longer does).

    Asked for: a key or item written on a line of the selection (``exempt_lines``), one
    another file of the edit has (a move), or one the instruction names beside a word
    like remove (``removal``): by its key, its name (``attrs``) or, for a list's item, the
    list's key (``remove the lint step``, ``drop unused dependencies``)."""
    read_before, read_after = _read_paths(old, fmt), _read_paths(new, fmt)
    if read_before is None or read_after is None:
        return []
    before, after = read_before.paths, read_after.paths
    elsewhere = frozenset(normal(n) for n in defined_elsewhere)
    lost = lost_paths(before, after, elsewhere)
    if not lost:
        return []
    said = _spoken(instruction) if removal else set()
    selected: set[str] = set()
    items_selected = False  # (a list's item starts on a selected line: ``- name: lint``, ``{``)
    if exempt_lines is not None:
        lines = old.splitlines()[exempt_lines[0] : exempt_lines[1] + 1]
        selected = _spoken("\n".join(lines)) | _spoken(" ".join(keys_on_lines(lines)))
        items_selected = any(re.match(r"\s*(?:-(?:\s|$)|\{|\[\[)", line) for line in lines)
    out: list[str] = []
    for path in lost:
        names = [leaf(path)]
        gone: list[str] = []
        if path[-1].startswith("[]"):
            names.append(leaf(path[:-1]))  # the list's own key
        if path[-1] == "[]":
            # the values gone (``3.10``: "drop Python 3.10" names it)
            was = read_before.values.get(path, Counter())
            gone = sorted((was - read_after.values.get(path, Counter())).elements())
            names += gone
            if items_selected:
                continue
        if any(_said(n, selected) or _said(n, said) for n in names):
            continue
        if gone and len(gone) == before[path] - after[path]:
            out.append(f"{', '.join(gone)} in {shown(path[:-1])}")
        else:
            out.append(shown(path, read_before.written))
    return out


def data_names(text: str, fmt: str) -> set[str]:
    """The last keys and item names a data file holds (for another file's moves)."""
    return {leaf(p) for p in data_paths(text, fmt) or ()}
