"""What the ``*_members.py`` benchmarks print the same way: a count of differences and
the first of them, and the comparison of a guard's reading with a parser's."""

from __future__ import annotations

import json
import subprocess
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

#: a definition as a parser lists it and a reader reads it: (owner, name, kind)
Row = tuple[str, str, str]


def rows(out: str) -> list[list[Row] | None]:
    """A parser's output, a JSON line per file: its rows, or None (it did not parse)."""
    return [
        None if row is None else [tuple(x) for x in row]  # type: ignore[misc]
        for row in map(json.loads, out.splitlines())
    ]


def parsed_rows(
    program: str, script: str, suffix: str, files: list[Path], args: Sequence[str] = ()
) -> list[list[Row] | None]:
    """The rows of each of ``files`` as ``program`` running ``script`` (written to a
    temporary ``suffix`` file, given ``args`` after it) lists them, the files' paths on
    its standard input."""
    with tempfile.NamedTemporaryFile("w", suffix=suffix, delete=False) as f:
        f.write(script)
    try:
        out = subprocess.run(
            [program, f.name, *args],
            input="".join(f"{p}\n" for p in files),
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        Path(f.name).unlink()
    return rows(out)


def listed(title: str, items: list[str], show: int) -> None:
    """``title``: how many ``items``, and the first ``show`` of them."""
    print(f"{title}: {len(items)}")
    for line in items[:show]:
        print("   ", line)


def compare_parsed(
    sources: Path,
    files: list[Path],
    parsed: list[list[Row] | None],
    read: Callable[[str], Iterable[Row]],
    *,
    judge: str,
    noun: str,
    owners: str,
    shown: Callable[[str, str, str], str],
    show: int,
) -> int:
    """Prints, file by file, what the guard reads (``read`` of a file's text) against
    what the parser ``judge`` lists (``parsed``: a file's rows, None when it could not
    parse it): by name, as the guard counts them, then by owner (``owners`` says how the
    owner is named).  ``noun``: what the rows are ("definitions")."""
    read_only: list[str] = []
    parsed_only: list[str] = []
    names_read_only: list[str] = []
    names_parsed_only: list[str] = []
    total_read = total_parsed = compared = unparsed = 0
    for f, found in zip(files, parsed, strict=True):
        if found is None:
            unparsed += 1
            continue
        compared += 1
        mine = Counter(read(f.read_text(encoding="utf-8", errors="replace")))
        have = Counter(found)
        total_read += sum(mine.values())
        total_parsed += sum(have.values())
        rel = f.relative_to(sources)
        read_only += [f"{rel}: {shown(o, n, k)}" for (o, n, k) in (mine - have).elements()]
        parsed_only += [f"{rel}: {shown(o, n, k)}" for (o, n, k) in (have - mine).elements()]
        # what the guard compares: the file's definitions by name, wherever they are
        named = Counter(n for (_o, n, _k) in mine.elements())
        parsed_names = Counter(n for (_o, n, _k) in have.elements())
        names_read_only += [f"{rel}: {n}" for n in (named - parsed_names).elements()]
        names_parsed_only += [f"{rel}: {n}" for n in (parsed_names - named).elements()]
    print(f"files compared: {compared} ({judge} could not parse {unparsed})")
    print(f"{noun} read by the guard: {total_read}; parsed by {judge}: {total_parsed}")
    print(f"by name, as the guard counts them (a file's {noun} of a name together):")
    listed("  read but not parsed (false refusals waiting to happen)", names_read_only, show)
    listed("  parsed but not read (not protected)", names_parsed_only, show)
    print(owners)
    listed("read but not parsed (false refusals waiting to happen)", read_only, show)
    listed(f"parsed but not read ({noun} the guard does not protect)", parsed_only, show)
    return 0


def compare_members(
    sources: Path,
    suffix: str,
    parse: Callable[[list[Path]], list[list[Row] | None]],
    members: Callable[[str], Iterable[Any]],
    *,
    judge: str,
    show: int,
    separator: str = ".",
) -> int:
    """:func:`compare_parsed` of the ``suffix`` files under ``sources``: what the guard's
    reader ``members`` reads in each (its ``Member`` list) against what ``parse`` lists
    of them, a member shown by its class and name joined by ``separator``."""
    files = sorted(f for f in sources.rglob("*" + suffix) if f.is_file())

    def shown(owner: str, name: str, kind: str) -> str:
        return f"{owner}{separator}{name} ({kind})" if owner else f"{name} ({kind})"

    return compare_parsed(
        sources,
        files,
        parse(files),
        lambda text: ((m.owner, m.name, m.kind) for m in members(text)),
        judge=judge,
        noun="declarations",
        owners="by the class that holds each (how a loss is named):",
        shown=shown,
        show=show,
    )


def grammar_error(python: str, grammar: str, pins: str) -> str | None:
    """Why ``python`` cannot run a tree-sitter judge (it cannot import ``tree_sitter``
    and ``grammar``, or does not run), or None when it can; ``pins``: what to install."""
    try:
        ran = subprocess.run(
            [python, "-c", f"import tree_sitter, {grammar}"], capture_output=True, check=False
        ).returncode
    except OSError:
        ran = -1
    if ran == 0:
        return None
    return (
        f"{python} cannot import tree_sitter and {grammar}: give --python an interpreter "
        f"with them (pip install {pins})"
    )
