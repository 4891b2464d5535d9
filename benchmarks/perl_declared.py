"""How the guard reads Perl's constants and package variables (``use constant``, ``our``),
judged on real modules: a module reformatted by perltidy must never be refused, and a
declaration's line deleted must be.

For every ``.pm`` file under the folders given:

- ``tidied``: the file as ``perltidy`` (Debian's ``perltidy``) writes it, with its
  defaults; any loss the guard reports is a false refusal (of the whole Perl reading:
  ``sub``, ``package``, ``use`` lines too);
- ``deleted``: for each constant and variable the guard reads (``constant PI``, ``our
  $VERSION``), the line that names it deleted (a line of one ``use constant`` or
  ``our``; a ``NAME => …`` line of a ``use constant {…}`` block); where the rest still
  declares the name (twice declared), the deletion is not counted.  The guard must
  report it.

    .venv/bin/python benchmarks/perl_declared.py /usr/share/perl5 [/usr/lib/x86_64-linux-gnu/perl5]

Prints the counts and the first false refusals and misses.  Reads the folders, writes
nothing there (perltidy writes to standard output).
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "server"))

from acrouter.definitions import definitions, dropped_definitions


def tidied(text: str) -> str | None:
    done = subprocess.run(
        ["perltidy", "-st", "-se"],
        input=text,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    return done.stdout if done.returncode == 0 and done.stdout.strip() else None


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("folders", nargs="+", type=Path)
    args = ap.parse_args()
    if not shutil.which("perltidy"):
        print("perltidy is not on PATH (Debian: apt-get install perltidy)")
        return 2
    files = sorted(p for folder in args.folders for p in folder.rglob("*.pm") if p.is_file())
    counts = {"files": 0, "tidied": 0, "false": 0, "declared": 0, "deleted": 0, "refused": 0}
    shown: list[str] = []
    for path in files:
        text = path.read_text(errors="replace")
        counts["files"] += 1
        rel = path.name
        new = tidied(text)
        if new is not None and new != text:
            counts["tidied"] += 1
            lost = dropped_definitions(text, new, rel)
            if lost:
                counts["false"] += 1
                if len(shown) < 10:
                    shown.append(f"false refusal (perltidy) {path}: {lost[:3]}")
        lines = text.splitlines(keepends=True)
        declared = [d for d in definitions(text, rel) if d.name.startswith(("constant ", "our "))]
        counts["declared"] += len(declared)
        for d in declared:
            word = d.name.split()[1]
            plain = word.lstrip("$@%")
            # the line that names it: the declaration's own, or a NAME => line of its block
            at = next(
                (
                    j
                    for j in range(d.line, min(d.line + 200, len(lines)))
                    if re.search(rf"(?<![\w$@%]){re.escape(word)}\b", lines[j])
                    or (d.name.startswith("constant ") and re.match(rf"\s*{plain}\s*=>", lines[j]))
                ),
                None,
            )
            if at is None:
                continue
            edited = "".join(lines[:at] + lines[at + 1 :])
            if any(e.name == d.name for e in definitions(edited, rel)):
                continue  # (declared again elsewhere)
            counts["deleted"] += 1
            if d.name in dropped_definitions(text, edited, rel):
                counts["refused"] += 1
            elif len(shown) < 20:
                shown.append(f"missed {path} line {at + 1}: {lines[at].strip()[:100]}")
    print(
        f"files {counts['files']}, reformatted by perltidy {counts['tidied']}, refused "
        f"{counts['false']}; constants and variables read {counts['declared']}, their line "
        f"deleted {counts['deleted']}, refused {counts['refused']}"
    )
    for line in shown:
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
