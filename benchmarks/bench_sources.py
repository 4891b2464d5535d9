"""What the ``*_parameters.py`` benchmarks (``py``, ``js``, ``rb``, ``php``) share in
choosing the files they judge: the walk of the folders given, the arguments that name
them and the line that counts the files read and why others were not.

A script parses what :func:`read_sources` yields its own way (counting ``not parsed``)
and stops at its ``--max`` itself: the walk is lazy, so a file past the last one taken
is neither read nor counted.
"""

from __future__ import annotations

import argparse
from collections import Counter
from collections.abc import Callable, Collection, Iterator
from pathlib import Path
from typing import TypeVar

T = TypeVar("T", str, bytes)

#: a file over this many bytes is not read (``over 300 KB``)
LARGEST = 300_000


def utf8_text(path: Path) -> str:
    """The file as UTF-8 text, its line ends read as ``\\n`` (``Path.read_text``)."""
    return path.read_text(encoding="utf-8")


def utf8_exact(path: Path) -> str:
    """The file as UTF-8 text, its line ends as they are."""
    return path.read_bytes().decode("utf-8")


def utf8_bytes(path: Path) -> bytes:
    """The file's bytes, once they are known to be UTF-8."""
    data = path.read_bytes()
    data.decode("utf-8")
    return data


def read_sources(
    folders: list[Path],
    pattern: str,
    exclude: set[str],
    unread: Counter[str],
    *,
    read: Callable[[Path], T],
    suffixes: Collection[str] | None = None,
    unreadable: str = "not UTF-8",
) -> Iterator[tuple[Path, str, T]]:
    """``(path, rel, read(path))`` of each file to judge, folder by folder in the order
    given, in sorted path order within one (``rel``: the path under its folder).

    The files are those ``folder.rglob(pattern)`` finds (and, with ``suffixes``, only
    those whose suffix, lowercased, is one of them).  Left out without a count: what is
    not a file, and a path with a folder named in ``exclude``.  Counted in ``unread``:
    ``over 300 KB``, ``not UTF-8`` (``read`` raised ``UnicodeDecodeError``) and
    ``unreadable`` (an ``OSError``; it is ``not UTF-8`` too unless given).
    """
    for folder in folders:
        found = folder.rglob(pattern)
        for path in sorted(p for p in found if suffixes is None or p.suffix.lower() in suffixes):
            rel = path.relative_to(folder)
            if exclude & set(rel.parts[:-1]) or not path.is_file():
                continue
            try:
                if path.stat().st_size > LARGEST:
                    unread["over 300 KB"] += 1
                    continue
                data = read(path)
            except OSError:
                unread[unreadable] += 1
                continue
            except UnicodeDecodeError:
                unread["not UTF-8"] += 1
                continue
            yield path, str(rel), data


def source_arguments(
    ap: argparse.ArgumentParser,
    show_default: int,
    show_help: str = "false refusals and misses shown",
) -> None:
    """Add the arguments every script takes: ``folders``, ``--max`` (files in all),
    ``--seed``, ``--exclude`` (repeated) and ``--show`` (``show_default``)."""
    ap.add_argument("folders", nargs="+", type=Path)
    ap.add_argument("--max", type=int, default=2000, help="files in all (default 2000)")
    ap.add_argument("--seed", type=int, default=0, help="of the random choices (default 0)")
    ap.add_argument(
        "--exclude", action="append", default=[], help="leave out paths with a part so named"
    )
    ap.add_argument("--show", type=int, default=show_default, help=show_help)


def unread_line(read: int, unread: Counter[str]) -> str:
    """``files read: N (not read: WHY N, ...)``, the reasons in sorted order (or ``none``)."""
    left = ", ".join(f"{why} {n}" for why, n in sorted(unread.items())) or "none"
    return f"files read: {read} (not read: {left})"
