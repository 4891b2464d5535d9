"""How the guard reads documents (``acrouter.docdefinitions``: the sections of Markdown,
reStructuredText and AsciiDoc files, by their headings), judged on real files: it must
never refuse an edit that keeps every section, and must refuse a section deleted.

For the files under the folders given whose suffix is a document's (at most 400 KB, at
least 2 sections, the same text once; ``--max`` a format, drawn at random with
``--seed``), each edit is judged by ``definitions.guard`` as an edit asked to "Fix the
typo" (a ``ParseError`` is a refusal):

- benign edits, never to be refused: (a) two adjacent letters of a word swapped in a
  random prose line (not a heading, not code); (b) a random heading retitled by one
  character (one letter replaced, deleted or inserted; an rst underline lengthened with
  its title); (c) a new section appended; (d) two adjacent sections swapped (but for a
  section holding a code fence never closed moved above another, whose heading would
  then be code: a loss indeed); (e) with ``--prettier``, a Markdown file as the
  repository's own ``node_modules/.bin/prettier --parser markdown`` writes it, and with
  ``--prose-wrap always`` (run on copies, 200 files a call);
- a loss, to be refused: a random section deleted, its heading and all up to the next
  heading.  A deletion let through is a miss "body elsewhere" when half of the section's
  lines are still in the file, each as many times as before (as the design lets go: the
  text is there), "title still
  read" when the file still has as many headings of its title, else a real miss;
- for information: the heading alone deleted (a setext or rst heading's underline and
  overline too), its text kept: by design refused only for a section with almost no
  text ("of it with text": those refused although they have text of their own);
- the time to read a document: ``doc_sections`` of the file and of the file with the
  section deleted, in ms per 100 KB.

Columns: files read (at most ``--max``), files seen to find them, those with fewer than
2 sections and those whose text was seen already.

    .venv/bin/python benchmarks/doc_sections.py /work/main/node_modules /usr/share/doc \
        /root/.pyenv [--max 600] [--seed 0] [--prettier]

Prints one row a format (each edit's cell: refused/edits), the first false refusals and
misses, and the command run.  Reads the files given and writes nothing there (prettier
runs on copies in a temporary folder).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import re
import shlex
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "server"))

from acrouter.definitions import guard
from acrouter.docdefinitions import Section, doc_format, doc_sections, normal
from acrouter.errors import ParseError
from acrouter.pytrees import shared_trees

FORMATS = ("markdown", "rst", "asciidoc")
BENIGN = ("typo", "retitle", "append", "swap", "prettier", "prettier-wrap")
MISSES = ("body elsewhere", "title still read", "real")
LIMIT = 400_000

_ATX = re.compile(r"^ {0,3}#{1,6}(?:[ \t]|$)")
_SETEXT = re.compile(r"^ {0,3}(?:=+|-+)[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})(.*)$")
_ADORNMENT = re.compile(r"^([!-/:-@\[-`{-~])\1+\s*$")  # an rst underline, a setext one
_ADOC_BLOCK = re.compile(r"^(-{4,}|\.{4,}|\+{4,}|/{4,}|_{4,})\s*$")
_WORD = re.compile(r"[A-Za-z]{4,}")


def candidates(folders: list[Path]) -> dict[str, list[Path]]:
    """Every document under the folders (at most 400 KB), by format, in path order."""
    found: dict[str, list[Path]] = defaultdict(list)
    for folder in folders:
        for dirpath, dirnames, filenames in os.walk(folder):
            dirnames.sort()
            for name in sorted(filenames):
                fmt = doc_format(name)
                path = Path(dirpath) / name
                if fmt is None or not path.is_file():
                    continue
                try:
                    if path.stat().st_size > LIMIT:
                        continue
                except OSError:
                    continue
                found[fmt].append(path)
    return found


def refused(old: str, new: str, rel: str) -> str | None:
    """The guard's refusal of the edit old -> new asked to fix a typo, or None."""
    try:
        with shared_trees():
            guard({rel: old}, {rel: new}, language_of=lambda _r: None, instruction="Fix the typo")
    except ParseError as exc:
        return str(exc)
    return None


# --------------------------------------------------------------------------- the edits


def heading_span(lines: list[str], s: Section, fmt: str) -> tuple[int, int]:
    """The lines [start, end) of a section's heading: a setext title's lines and its
    underline, an rst title's overline and underline."""
    if fmt == "markdown":
        if _ATX.match(lines[s.line]):
            return s.line, s.line + 1
        end = next((j for j in range(s.line + 1, len(lines)) if _SETEXT.match(lines[j])), s.line)
        return s.line, end + 1
    if fmt == "rst":
        under = lines[s.line + 1].rstrip()
        if s.line > 0 and lines[s.line - 1].rstrip() == under:
            return s.line - 1, s.line + 2
        return s.line, s.line + 2
    return s.line, s.line + 1


def spans(lines: list[str], sections: tuple[Section, ...], fmt: str) -> list[tuple[int, int]]:
    """Each section's lines [start, end): its heading up to the next heading."""
    starts = [heading_span(lines, s, fmt)[0] for s in sections]
    return [(a, starts[k + 1] if k + 1 < len(starts) else len(lines)) for k, a in enumerate(starts)]


def not_text(lines: list[str], fmt: str) -> tuple[set[int], int | None]:
    """Lines that are code or metadata, not prose (fenced and delimited blocks, front
    matter, HTML comments; indented lines are left out by the caller), and the line of a
    Markdown code fence never closed."""
    out: set[int] = set()
    unclosed: int | None = None
    n = len(lines)
    i = 0
    if fmt == "markdown" and lines and lines[0].rstrip() in ("---", "+++"):
        end = next((j for j in range(1, n) if lines[j].rstrip() in ("---", "...", "+++")), None)
        if end is not None:
            out.update(range(end + 1))
            i = end + 1
    while i < n:
        line = lines[i]
        if fmt == "markdown" and (fence := _FENCE.match(line)):
            mark = fence.group(1)
            close = re.compile(rf"^ {{0,3}}{re.escape(mark[0])}{{{len(mark)},}}[ \t]*$")
            end = next((j for j in range(i + 1, n) if close.match(lines[j])), None)
            if end is None:
                unclosed, end = i, n - 1
            out.update(range(i, end + 1))
            i = end + 1
            continue
        if fmt == "markdown" and line.lstrip().startswith("<!--"):
            end = next((j for j in range(i, n) if "-->" in lines[j]), n - 1)
            out.update(range(i, end + 1))
            i = end + 1
            continue
        if fmt == "asciidoc" and _ADOC_BLOCK.match(line):
            end = next((j for j in range(i + 1, n) if lines[j].rstrip() == line.rstrip()), n - 1)
            out.update(range(i, end + 1))
            i = end + 1
            continue
        i += 1
    return out, unclosed


def typo(text: str, fmt: str, sections: tuple[Section, ...], rng: random.Random) -> str | None:
    """Two adjacent letters of a word swapped on a prose line (one that starts with a
    letter in the first column, is no heading's and is followed by no underline), the
    headings read the same after; None when the file has no such line."""
    lines = text.splitlines(keepends=True)
    code, _ = not_text(lines, fmt)
    heads = {j for s in sections for j in range(*heading_span(lines, s, fmt))}
    prose = [
        i
        for i, line in enumerate(lines)
        if i not in code
        and i not in heads
        and line[:1].isalpha()
        and _WORD.search(line)
        and not (i + 1 < len(lines) and _ADORNMENT.match(lines[i + 1].rstrip("\r\n")))
    ]
    titles = [s.title for s in sections]
    for _ in range(10):
        if not prose:
            return None
        i = rng.choice(prose)
        word = rng.choice(list(_WORD.finditer(lines[i])))
        places = [k for k in range(word.start(), word.end() - 1) if lines[i][k] != lines[i][k + 1]]
        if not places:
            prose.remove(i)
            continue
        k = rng.choice(places)
        line = lines[i]
        new = "".join(
            lines[:i] + [line[:k] + line[k + 1] + line[k] + line[k + 2 :]] + lines[i + 1 :]
        )
        if [s.title for s in doc_sections(new, fmt)] == titles:
            return new
        prose.remove(i)
    return None


def retitle(text: str, fmt: str, sections: tuple[Section, ...], rng: random.Random) -> str | None:
    """A random heading's title changed by one letter: replaced, deleted or inserted."""
    lines = text.splitlines(keepends=True)
    s = rng.choice(sections)
    line = lines[s.line]
    first = line.strip()
    if fmt == "markdown" and _ATX.match(line) or fmt == "asciidoc":
        first = s.title
    at = line.find(first)
    letters = [at + k for k, c in enumerate(first) if c.isalpha()] if at >= 0 else []
    if not letters:
        return None
    k = rng.choice(letters)
    how = rng.choice(("replace", "delete", "insert"))
    if how == "delete" and len(letters) < 2:
        how = "replace"
    other = rng.choice([c for c in "aeiourstnl" if c != line[k].lower()])
    if how == "replace":
        line = line[:k] + other + line[k + 1 :]
    elif how == "delete":
        line = line[:k] + line[k + 1 :]
    else:
        line = line[:k] + other + line[k:]
    lines[s.line] = line
    if fmt == "rst":  # an underline (and overline) as long as the title, as docutils wants
        start, end = heading_span(text.splitlines(), s, fmt)
        width = len(line.rstrip("\r\n").rstrip())
        for j in {start, end - 1} - {s.line}:
            mark = lines[j].rstrip("\r\n").rstrip()
            if len(mark) < width:
                lines[j] = mark + mark[0] * (width - len(mark)) + "\n"
    return "".join(lines)


def append(text: str, fmt: str, sections: tuple[Section, ...]) -> str:
    """A new section at the end of the file (in rst, at the last section's level)."""
    text = text if text.endswith("\n") or not text else text + "\n"
    title = "Notes added later"
    if fmt == "markdown":
        head = f"## {title}\n"
    elif fmt == "asciidoc":
        head = f"== {title}\n"
    else:
        lines = text.splitlines()
        start, end = heading_span(lines, sections[-1], fmt)
        mark = lines[end - 1].strip()[0]
        head = f"{title}\n{mark * len(title)}\n"
        if end - start == 3:
            head = f"{mark * len(title)}\n{head}"
    return f"{text}\n{head}\nA paragraph that the edit added, with nothing else in it.\n"


def swap(text: str, fmt: str, sections: tuple[Section, ...], rng: random.Random) -> str | None:
    """Two adjacent sections swapped (a move), each ending with a blank line; not a
    section holding a code fence never closed moved above another (whose heading would
    then be code)."""
    lines = text.splitlines(keepends=True)
    parts = spans(text.splitlines(), sections, fmt)
    _, unclosed = not_text(text.splitlines(), fmt)
    pairs = [
        k
        for k in range(len(parts) - 1)
        if unclosed is None or not parts[k + 1][0] <= unclosed < parts[k + 1][1]
    ]
    if not pairs:
        return None
    k = rng.choice(pairs)
    (a, b), (_, c) = parts[k], parts[k + 1]

    def block(lo: int, hi: int) -> list[str]:
        out = lines[lo:hi]
        if out and not out[-1].endswith("\n"):
            out[-1] += "\n"
        if out and out[-1].strip():
            out.append("\n")
        return out

    return "".join(lines[:a] + block(b, c) + block(a, b) + lines[c:])


def prettier(texts: dict[Path, str], wrap: bool) -> dict[Path, str]:
    """Each Markdown text as prettier writes it (copies in a temporary folder); {} when
    the repository has no prettier."""
    exe = ROOT / "node_modules" / ".bin" / "prettier"
    if not exe.exists() or not texts:
        return {}
    out: dict[Path, str] = {}
    with tempfile.TemporaryDirectory() as tmp:
        copies: dict[Path, Path] = {}
        for i, (path, text) in enumerate(texts.items()):
            copy = Path(tmp) / f"f{i}.md"
            copy.write_text(text)
            copies[copy] = path
        options = ["--parser", "markdown", "--no-config", "--no-editorconfig"]
        if wrap:
            options += ["--prose-wrap", "always"]
        names = list(copies)
        for batch in range(0, len(names), 200):
            subprocess.run(
                [str(exe), "--write", "--log-level", "silent", *options]
                + [str(c) for c in names[batch : batch + 200]],
                cwd=tmp,
                check=False,
                capture_output=True,
            )
        for copy, path in copies.items():
            out[path] = copy.read_text()
    return out


# --------------------------------------------------------------------------- the run


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("folders", nargs="+", type=Path)
    ap.add_argument("--max", type=int, default=600, help="files a format (default 600)")
    ap.add_argument("--seed", type=int, default=0, help="of the random choices (default 0)")
    ap.add_argument("--prettier", action="store_true", help="also reformat Markdown with prettier")
    args = ap.parse_args()
    started = time.perf_counter()
    rng = random.Random(args.seed)
    found = candidates(args.folders)
    rows: list[list[str]] = []
    examples: dict[str, list[str]] = defaultdict(list)

    def note(kind: str, line: str, most: int = 5) -> None:
        if len(examples[kind]) < most:
            examples[kind].append(line)

    for fmt in FORMATS:
        paths = list(found.get(fmt, []))
        rng.shuffle(paths)
        counts: Counter[str] = Counter()
        seen: set[str] = set()
        chosen: dict[Path, str] = {}
        for path in paths:
            if len(chosen) >= args.max:
                break
            counts["seen"] += 1
            try:
                text = path.read_text(errors="replace")
            except OSError:
                continue
            digest = hashlib.sha1(text.encode()).hexdigest()
            if digest in seen:
                counts["same"] += 1
                continue
            seen.add(digest)
            if len(doc_sections(text, fmt)) < 2:
                counts["few"] += 1
                continue
            chosen[path] = text
        pretty: dict[str, dict[Path, str]] = {}
        if args.prettier and fmt == "markdown":
            pretty = {
                "prettier": prettier(chosen, wrap=False),
                "prettier-wrap": prettier(chosen, wrap=True),
            }
        seconds = 0.0
        size = 0
        for path, text in chosen.items():
            rel = f"{path.parent.name}/{path.name}"
            mine = random.Random(f"{args.seed}:{path}")
            sections = doc_sections(text, fmt)
            lines = text.splitlines(keepends=True)

            edits: list[tuple[str, str | None]] = [
                ("typo", typo(text, fmt, sections, mine)),
                ("retitle", retitle(text, fmt, sections, mine)),
                ("append", append(text, fmt, sections)),
                ("swap", swap(text, fmt, sections, mine)),
            ]
            for how, by in pretty.items():
                if path in by and by[path] != text:
                    edits.append((how, by[path]))
            for how, new in edits:
                if new is None or new == text:
                    continue
                counts[how] += 1
                why = refused(text, new, rel)
                if why:
                    counts[f"{how} refused"] += 1
                    note(f"{fmt}: false refusal ({how})", f"{path}: {why[:240]}")

            # a whole section deleted
            parts = spans(text.splitlines(), sections, fmt)
            k = mine.randrange(len(sections))
            s, (a, b) = sections[k], parts[k]
            new = "".join(lines[:a] + lines[b:])
            counts["deleted"] += 1
            start = time.perf_counter()
            doc_sections(text, fmt)  # (outside shared_trees(): read, not cached)
            after = doc_sections(new, fmt)
            seconds += time.perf_counter() - start
            size += len(text.encode()) + len(new.encode())
            if refused(text, new, rel):
                counts["deleted refused"] += 1
            else:
                key = normal(s.title)
                left = Counter(line.strip() for line in new.splitlines())
                had = Counter(line.strip() for line in text.splitlines())
                kept = sum(1 for line in s.body if left[line] >= had[line])
                if sum(normal(t.title) == key for t in after) >= sum(
                    normal(t.title) == key for t in sections
                ):
                    miss = "title still read"
                elif s.body and 2 * kept >= len(s.body):
                    miss = "body elsewhere"
                else:
                    miss = "real"
                counts[miss] += 1
                note(
                    f"{fmt}: missed deletion ({miss})",
                    f"{path} line {s.line + 1} {s.title[:60]!r}: {b - a} lines, "
                    f"{kept}/{len(s.body)} of its text still in the file "
                    f"{[line[:50] for line in s.body if left[line] >= had[line]][:3]}",
                    8,
                )

            # the heading alone deleted, its text kept
            a, b = heading_span(text.splitlines(), s, fmt)
            new = "".join(lines[:a] + lines[b:])
            counts["heading"] += 1
            why = refused(text, new, rel)
            if why:
                counts["heading refused"] += 1
                kind = "with text" if s.body else "no text"
                counts[f"heading refused {kind}"] += 1
                note(
                    f"{fmt}: heading alone deleted, refused ({kind} of its own)",
                    f"{path} line {s.line + 1} {s.title[:60]!r} "
                    f"({len(s.body)} lines of text): {why[:160]}",
                )
        ms = seconds * 1000 / max(size / 100_000, 1e-9)
        cells: list[object] = (
            [fmt, len(chosen), counts["seen"], counts["few"], counts["same"]]
            + [f"{counts[f'{h} refused']}/{counts[h]}" for h in BENIGN]
            + [f"{counts['deleted refused']}/{counts['deleted']}"]
            + [counts[m] for m in MISSES]
            + [f"{counts['heading refused']}/{counts['heading']}"]
            + [counts["heading refused with text"], f"{ms:.1f}"]
        )
        rows.append([str(c) for c in cells])
    header = ["format", "files", "seen", "<2 sections", "same text", *BENIGN, "deleted"]
    header += [f"miss: {m}" for m in MISSES] + ["heading only", "of it with text", "ms/100KB"]
    widths = [max(len(c) for c in column) for column in zip(header, *rows)]
    for row in [header, *rows]:
        print(
            "  ".join(
                f"{c:<{w}}" if k == 0 else f"{c:>{w}}" for k, (c, w) in enumerate(zip(row, widths))
            ).rstrip()
        )
    for kind, lines_ in examples.items():
        print(f"-- {kind}:")
        for line in lines_:
            print(f"   {line}")
    print(f"({time.perf_counter() - started:.0f} s)")
    print("command:", shlex.join([sys.executable, *sys.argv]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
