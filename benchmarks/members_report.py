"""What the ``*_members.py`` benchmarks print the same way: a count of differences and
the first of them, and the comparison of a guard's reading with a parser's."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
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
    return rows(run_script(program, script, suffix, files, args))


def run_script(
    program: str, script: str, suffix: str, files: list[Path], args: Sequence[str] = ()
) -> str:
    """What ``program`` running ``script`` (written to a temporary ``suffix`` file, given
    ``args`` after it) prints, the paths of ``files`` on its standard input."""
    with tempfile.NamedTemporaryFile("w", suffix=suffix, delete=False) as f:
        f.write(script)
    try:
        return subprocess.run(
            [program, f.name, *args],
            input="".join(f"{p}\n" for p in files),
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        Path(f.name).unlink()


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


def tree_sitter_main(
    argv: list[str] | None,
    doc: str,
    *,
    language: str,
    suffix: str,
    grammar: str,
    pins: str,
    script: str,
    members: Callable[[str], Iterable[Any]],
    separator: str = ".",
) -> int:
    """The command line of a judge that compares a guard's reader ``members`` with
    tree-sitter's ``grammar`` (a module of that name, run by ``script`` in ``--python``,
    an interpreter where ``pins`` are installed) on a folder's ``suffix`` files."""
    p = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    p.add_argument("--sources", type=Path, required=True, help=f"a folder of {language} files")
    p.add_argument(
        "--python",
        default=sys.executable,
        help=f"a python with tree_sitter and {grammar} (default: this one)",
    )
    p.add_argument("--show", type=int, default=25, help="differences listed of each kind")
    args = p.parse_args(argv)
    if not args.sources.is_dir():
        p.error(f"{args.sources} is not a folder")
    try:
        ran = subprocess.run(
            [args.python, "-c", f"import tree_sitter, {grammar}"], capture_output=True, check=False
        ).returncode
    except OSError:
        ran = -1
    if ran != 0:
        p.error(
            f"{args.python} cannot import tree_sitter and {grammar}: give --python an "
            f"interpreter with them (pip install {pins})"
        )
    return compare_members(
        args.sources,
        suffix,
        lambda files: parsed_rows(args.python, script, ".py", files),
        members,
        judge="tree-sitter-" + grammar.removeprefix("tree_sitter_").replace("_", "-"),
        show=args.show,
        separator=separator,
    )
