"""How the guard reads data files (``acrouter.datadefinitions``: JSON, TOML, YAML, INI,
dotenv and pip's requirements), judged
on real files: it must never refuse a reformatted file, and must refuse a key's line
deleted.

For every file under the folders given (``--max`` per format, at most 400 KB each) that
reads as its format:

- reformatted: JSON written again by ``json.dumps`` (sorted keys, another indent), YAML
  by PyYAML's ``dump`` of what the base loader read, INI by ``configparser`` (without
  its comments), and JSON and YAML by prettier
  (``--prettier``: the repository's own ``node_modules/.bin/prettier``).  Any loss the
  guard reports there, or a file it says no longer reads, is a false refusal;
- one line deleted (``--deletions`` random lines a file, seed 0): where the text still
  reads and holds fewer paths than before (a key or an item gone), the guard must report
  a loss; where it does not read, the guard must say so.  Misses are listed;
- the time to read each file (both sides of a comparison are read once).

    .venv/bin/python benchmarks/data_keys.py /work/main/node_modules /usr/share [--prettier]

Prints one row a format and the first misses and false refusals.  Reads and writes
nothing in the folders given (prettier runs on copies in a temporary folder).
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "server"))

from acrouter.datadefinitions import data_format, data_paths
from acrouter.definitions import dropped_definitions, guard
from acrouter.errors import ParseError
from acrouter.pytrees import shared_trees

FORMATS = ("json", "toml", "yaml", "ini", "env", "requirements", "make", "lines")


def files(folders: list[Path], most: int) -> dict[str, list[Path]]:
    found: dict[str, list[Path]] = defaultdict(list)
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if not data_format(str(path)) or not path.is_file():
                continue
            try:
                if path.stat().st_size > 400_000:
                    continue
            except OSError:
                continue
            fmt = data_format(str(path))
            if fmt and len(found[fmt]) < most:
                found[fmt].append(path)
    return found


def refused(old: str, new: str, rel: str) -> str | None:
    """The guard's refusal of the edit old -> new, or None."""
    try:
        guard({rel: old}, {rel: new}, language_of=lambda _r: None, instruction="")
    except ParseError as exc:
        return str(exc)
    return None


def reformats(text: str, fmt: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    if fmt == "json":
        from acrouter.datadefinitions import read_data

        value = read_data(text, "json")
        out.append(("json.dumps", json.dumps(value, indent=4, sort_keys=True)))
    elif fmt == "yaml":
        import yaml  # type: ignore[import-untyped]

        docs = list(yaml.load_all(text, Loader=yaml.CBaseLoader))
        out.append(("yaml.dump", yaml.dump_all(docs, sort_keys=True, width=60)))
    elif fmt == "ini":
        import configparser
        import io

        parser = configparser.RawConfigParser(
            strict=False, allow_no_value=True, default_section="\x00default"
        )
        parser.optionxform = str  # type: ignore[assignment,method-assign]
        try:
            parser.read_string(text)
        except (configparser.Error, AttributeError, ValueError):
            return out  # (keys above the first section: not written back here)
        written = io.StringIO()
        parser.write(written)
        out.append(("configparser", written.getvalue()))
    return out


def prettier(paths: list[Path], fmt: str) -> dict[Path, str]:
    """Each file as prettier writes it (copies in a temporary folder); {} without it."""
    exe = ROOT / "node_modules" / ".bin" / "prettier"
    if not exe.exists() or fmt not in ("json", "yaml"):
        return {}
    out: dict[Path, str] = {}
    with tempfile.TemporaryDirectory() as tmp:
        copies = {}
        for i, path in enumerate(paths):
            copy = Path(tmp) / f"f{i}{path.suffix}"
            copy.write_bytes(path.read_bytes())
            copies[copy] = path
        for batch in range(0, len(copies), 200):
            names = [str(c) for c in list(copies)[batch : batch + 200]]
            subprocess.run(
                [str(exe), "--write", "--log-level", "silent", "--no-config", *names],
                cwd=tmp,
                check=False,
                capture_output=True,
            )
        for copy, path in copies.items():
            out[path] = copy.read_text(errors="replace")
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("folders", nargs="+", type=Path)
    ap.add_argument("--max", type=int, default=600, help="files a format (default 600)")
    ap.add_argument("--deletions", type=int, default=5, help="lines deleted a file (default 5)")
    ap.add_argument("--prettier", action="store_true", help="also reformat with prettier")
    args = ap.parse_args()
    rng = random.Random(0)
    found = files(args.folders, args.max)
    print(
        "format  files  unread  reformats  false-refusals  deletions(paths fewer)  "
        "refused  missed  unreadable(refused/all)  read ms/100KB"
    )
    examples: list[str] = []
    for fmt in FORMATS:
        paths = found.get(fmt, [])
        counts: Counter[str] = Counter()
        seconds = 0.0
        size = 0
        readable: list[Path] = []
        texts: dict[Path, str] = {}
        for path in paths:
            text = path.read_text(errors="replace")
            start = time.perf_counter()
            with shared_trees():
                read = data_paths(text, fmt)
            seconds += time.perf_counter() - start
            size += len(text)
            if read is None or not read:
                counts["unread"] += 1
                continue
            readable.append(path)
            texts[path] = text
        pretty = prettier(readable, fmt) if args.prettier else {}
        for path in readable:
            text = texts[path]
            rel = f"{path.parent.name}/{path.name}"  # (requirements/base.txt)
            variants = reformats(text, fmt)
            if path in pretty and pretty[path] != text:
                variants.append(("prettier", pretty[path]))
            for how, new in variants:
                counts["reformats"] += 1
                why = refused(text, new, rel)
                if why:
                    counts["false"] += 1
                    if len(examples) < 12:
                        examples.append(f"false refusal ({how}) {path}: {why[:200]}")
            lines = text.splitlines(keepends=True)
            before = data_paths(text, fmt)
            assert before is not None
            for _ in range(min(args.deletions, len(lines))):
                i = rng.randrange(len(lines))
                new = "".join(lines[:i] + lines[i + 1 :])
                after = data_paths(new, fmt)
                if after is None:
                    counts["unreadable"] += 1
                    if refused(text, new, rel):
                        counts["unreadable_refused"] += 1
                    continue
                if not any(after[p] < n for p, n in before.items()):
                    continue
                counts["deletions"] += 1
                lost = dropped_definitions(text, new, rel)
                if lost:
                    counts["refused"] += 1
                else:
                    counts["missed"] += 1
                    if len(examples) < 24:
                        examples.append(f"missed {path} line {i + 1}: {lines[i].strip()[:100]}")
        ms = seconds * 1000 / max(size / 100_000, 1e-9)
        print(
            f"{fmt:<6}  {len(paths):>5}  {counts['unread']:>6}  {counts['reformats']:>9}  "
            f"{counts['false']:>14}  {counts['deletions']:>22}  {counts['refused']:>7}  "
            f"{counts['missed']:>6}  {counts['unreadable_refused']:>10}/{counts['unreadable']:<12}  "
            f"{ms:>8.1f}"
        )
    for line in examples:
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
