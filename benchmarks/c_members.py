"""How well the guard against dropped code reads what a C or C++ file defines, against
Universal Ctags' reading of the same files.

The guard (``acrouter.cdefinitions.c_members``) reads a file's functions, prototypes,
types, macros, fields and enum constants from its code, braces counted.  This compares, file by file and by
name (as the guard counts them: a file's definitions of a name together), each kind
with ctags' tags of that kind:

- functions (ctags ``function``): read but not tagged is a false refusal waiting to
  happen when it goes; tagged but not read is a function the guard does not protect;
- prototypes (``prototype``), types (``struct``, ``union``, ``enum``, ``typedef``,
  ``class``), macros (``macro``, an include guard's left out) and a struct's or
  class's fields and an enum's constants (``member``, ``enumerator``) likewise.

Usage, on any folder of C or C++ code (numpy's sources, a Debian source package)::

    .venv/bin/python benchmarks/c_members.py --sources DIR

It prints the counts and the first differences of each kind, and exits 0.  Needs
Universal Ctags (Debian: ``apt-get install universal-ctags``).  Where ctags loses its
way (SQLite's amalgamation), the compiler judges one C file's function definitions:
``--gcc FILE`` runs ``gcc -fsyntax-only -aux-info``, which lists every function the
file defines as it compiles here (one branch of each conditional, the one its macros
select: the guard reads every branch, so what it reads beyond gcc's list is not judged)::

    .venv/bin/python benchmarks/c_members.py --gcc sqlite3.c
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

from acrouter.cdefinitions import C_SUFFIXES, c_members
from members_report import listed

#: the guard's kinds, and the ctags kinds each is compared with
KINDS = {
    "method": ("function",),
    "declaration": ("prototype",),
    "type": ("struct", "union", "enum", "typedef", "class"),
    "macro": ("macro",),
    "variable": ("enumerator", "member"),
}


def _ctags(files: list[Path], ctags: str) -> dict[str, Counter[tuple[str, str]]]:
    """ctags' (kind, name) tags of each file, by its path."""
    out = subprocess.run(
        [ctags, "--output-format=json", "--fields=+nK", "--kinds-C=+p", "--kinds-C++=+p"]
        + ["-f", "-", "-L", "-"],
        input="".join(f"{f}\n" for f in files),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    found: dict[str, Counter[tuple[str, str]]] = {}
    for line in out.splitlines():
        tag = json.loads(line)
        if tag.get("_type") != "tag" or tag["name"].startswith("__anon"):
            continue
        name = re.sub(r"\s+", "", tag["name"])  # ctags' "operator ==": the guard's operator==
        found.setdefault(tag["path"], Counter())[(tag["kind"], name)] += 1
    return found


def _guards(text: str) -> set[str]:
    """The include guards of ``text``: ``#ifndef X`` followed by ``#define X``."""
    return set(re.findall(r"#\s*ifndef\s+(\w+)\s*\n\s*#\s*define\s+\1\b", text))


def compare(sources: Path, ctags: str = "ctags", show: int = 10) -> int:
    files = sorted(f for f in sources.rglob("*") if f.suffix.lower() in C_SUFFIXES and f.is_file())
    tags = _ctags(files, ctags)
    totals = {kind: [0, 0] for kind in KINDS}
    read_only: dict[str, list[str]] = {kind: [] for kind in KINDS}
    tagged_only: dict[str, list[str]] = {kind: [] for kind in KINDS}
    for f in files:
        text = f.read_text(encoding="utf-8", errors="replace")
        mine = Counter((m.kind, m.name) for m in c_members(text))
        theirs = tags.get(str(f), Counter())
        guards = _guards(text)
        rel = f.relative_to(sources)
        for kind, their_kinds in KINDS.items():
            read = Counter({n: c for (k, n), c in mine.items() if k == kind})
            tagged: Counter[str] = Counter()
            for (k, n), c in theirs.items():
                if k in their_kinds and not (k == "macro" and n in guards):
                    tagged[n] += c
            if kind != "method":  # kept while named at all: compared as sets
                read, tagged = Counter(set(read)), Counter(set(tagged))
            totals[kind][0] += sum(read.values())
            totals[kind][1] += sum(tagged.values())
            read_only[kind] += [f"{rel}: {n}" for n in (read - tagged).elements()]
            tagged_only[kind] += [f"{rel}: {n}" for n in (tagged - read).elements()]
    print(f"files compared: {len(files)}")
    for kind, their_kinds in KINDS.items():
        read, tagged = totals[kind]
        print(f"{kind} ({', '.join(their_kinds)}): read {read}; tagged {tagged}")
        listed("  read but not tagged (false refusals waiting to happen)", read_only[kind], show)
        listed("  tagged but not read (not protected)", tagged_only[kind], show)
    return 0


#: C's words before a function's name in gcc's listing (``static void (*f (…))(void)``)
_C_WORDS = frozenset(
    (
        *("void", "char", "short", "int", "long", "float", "double", "signed", "unsigned"),
        *("const", "volatile", "static", "extern", "inline", "struct", "union", "enum"),
        "_Bool",
    )
)


def compare_gcc(source: Path, gcc: str = "gcc", flags: tuple[str, ...] = (), show: int = 10) -> int:
    """The functions ``source`` defines as gcc compiles it, against the guard's."""
    with tempfile.TemporaryDirectory(prefix="acrouter-c-members-") as tmp:
        aux = Path(tmp) / "aux.txt"
        run = subprocess.run(
            [gcc, "-fsyntax-only", "-aux-info", str(aux), *flags, str(source)],
            capture_output=True,
            text=True,
            check=False,
        )
        if not aux.is_file():
            print(run.stderr, file=sys.stderr)
            return 2
        listing = aux.read_text(errors="replace").splitlines()
    defined: Counter[str] = Counter()
    where = re.compile(rf"/\* {re.escape(str(source))}:\d+:.F \*/ (.*)$")
    for line in listing:
        if m := where.match(line):
            name = next((n for n in re.findall(r"(\w+)\s*\(", m.group(1)) if n not in _C_WORDS), "")
            defined[name] += 1
    text = source.read_text(encoding="utf-8", errors="replace")
    read = Counter(m.name for m in c_members(text) if m.kind == "method")
    print(f"functions gcc compiled from {source.name}: {sum(defined.values())}")
    print(f"read by the guard: {sum(read.values())} (every branch of each conditional)")
    listed("compiled but not read (not protected)", list((defined - read).elements()), show)
    print(
        f"read but not compiled here (other branches, not judged): {sum((read - defined).values())}"
    )
    return 0 if run.returncode == 0 else 1


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sources", type=Path, help="a folder of C or C++ code")
    p.add_argument("--gcc", type=Path, help="a C file gcc compiles alone (-aux-info)")
    p.add_argument("--ctags", default="ctags", help="Universal Ctags")
    p.add_argument("--show", type=int, default=10, help="differences listed of each kind")
    args = p.parse_args(argv)
    if args.gcc:
        return compare_gcc(args.gcc, show=args.show)
    if args.sources is None:
        p.error("give --sources DIR or --gcc FILE")
    if shutil.which(args.ctags) is None:
        p.error("ctags is not installed (Debian: apt-get install universal-ctags)")
    version = subprocess.run(
        [args.ctags, "--version"], capture_output=True, text=True, check=False
    ).stdout
    if "Universal Ctags" not in version:
        print(f"{args.ctags} is not Universal Ctags", file=sys.stderr)
        return 2
    if not args.sources.is_dir():
        p.error(f"{args.sources} is not a folder")
    return compare(args.sources, args.ctags, args.show)


if __name__ == "__main__":
    raise SystemExit(main())
