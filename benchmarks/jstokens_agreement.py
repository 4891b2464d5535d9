"""Does ``jstokens.py`` read JavaScript as a real parser does?

The JS/TS rename rule compares test files token for token, so a misread token (a
regular expression read as a division, its words as names) is a change it could miss.
The tokenizer refuses what the tokens before cannot decide; this script measures, on
real files, how often it refuses and whether what it reads is what acorn (the parser
of webpack, rollup, eslint's espree) reads: the same names, strings, numbers and
regular expressions, in the same order.

    .venv/bin/python benchmarks/jstokens_agreement.py FOLDER [--acorn PATH] [--limit N]

FOLDER: any tree of .js/.cjs/.mjs files (``node_modules`` of a project set up by
``verify_trust.py`` has thousands); acorn is looked up under FOLDER unless given.
Prints the files read by acorn, by the tokenizer, and those where the two disagree
(named); exits 1 on any disagreement.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

from acrouter.jstokens import NAME, NUMBER, REGEX, STRING, tokens

#: acorn's tokens of each file (null where acorn cannot read it as a module or a script)
ACORN = r"""
const acorn = require(process.argv[1]);
const fs = require('fs');
const out = {};
const kept = new Set(['name', 'string', 'regexp', 'num']);
for (const f of fs.readFileSync(0, 'utf8').split('\n').filter(Boolean)) {
  const text = fs.readFileSync(f, 'utf8');
  out[f] = null;
  for (const sourceType of ['module', 'script']) {
    try {
      const words = [];
      const options = { ecmaVersion: 'latest', sourceType, allowHashBang: true,
        allowReturnOutsideFunction: true, allowAwaitOutsideFunction: true };
      for (const t of acorn.tokenizer(text, options)) {
        if (kept.has(t.type.label) || t.type.keyword) words.push(text.slice(t.start, t.end));
      }
      out[f] = words;
      break;
    } catch (e) {}
  }
}
process.stdout.write(JSON.stringify(out));
"""


def _newest_acorn(folder: Path) -> Path | None:
    """The newest acorn under ``folder`` (8 or later: older ones read no recent syntax)."""
    found = []
    for package in folder.rglob("node_modules/acorn/package.json"):
        version = json.loads(package.read_text(encoding="utf-8")).get("version", "0")
        major = int(version.split(".")[0]) if version.split(".")[0].isdigit() else 0
        if major >= 8:
            found.append((tuple(int(x) for x in version.split(".") if x.isdigit()), package.parent))
    return max(found)[1] if found else None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("folder", type=Path)
    ap.add_argument("--acorn", type=Path, help="acorn's package folder")
    ap.add_argument("--limit", type=int, default=5000, help="files compared at most")
    args = ap.parse_args()
    acorn = args.acorn or _newest_acorn(args.folder)
    if acorn is None:
        raise SystemExit(f"no node_modules/acorn 8 or later under {args.folder}: give --acorn")
    files = sorted(
        p
        for suffix in ("*.js", "*.cjs", "*.mjs")
        for p in args.folder.rglob(suffix)
        if p.is_file() and ".min." not in p.name
    )
    step = max(1, -(-len(files) // args.limit))  # an even sample of at most --limit files
    files = files[::step]
    texts = {}
    for p in files:
        try:
            texts[str(p)] = p.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
    run = subprocess.run(
        ["node", "-e", ACORN, str(acorn.resolve())],
        input="\n".join(texts),
        capture_output=True,
        text=True,
        check=True,
    )
    theirs = json.loads(run.stdout)
    read = 0
    disagree = []
    for path, words in theirs.items():
        if words is None:
            continue
        mine = tokens(texts[path])
        if mine is None:
            continue
        read += 1
        if [t.text for t in mine if t.kind in (NAME, STRING, NUMBER, REGEX)] != words:
            disagree.append(path)
    by_acorn = sum(w is not None for w in theirs.values())
    print(f"files: {len(texts)}, read by acorn: {by_acorn}, read by jstokens: {read}")
    print(f"refused by jstokens: {by_acorn - read} ({(by_acorn - read) / max(by_acorn, 1):.1%})")
    print(f"disagreements: {len(disagree)}")
    for path in disagree[:20]:
        print(f"  {path}")
    sys.exit(1 if disagree else 0)


if __name__ == "__main__":
    main()
