"""Edits of TypeScript whose tests run a build: what the verifier says, on real builds.

Usage (from the repository root; needs node and npm, and reaches the npm registry)::

    .venv/bin/python benchmarks/stale_builds.py [--work DIR] [--sandbox bwrap|none]

Two set-ups, made once in ``--work`` and reused:

- **rxjs 7.8.1** as npm packs it: ``src/`` (TypeScript) beside ``dist/cjs`` (its
  release's build, with source maps), and a ``node --test`` file of ours that uses
  ``map`` and ``filter`` through the package's ``main``.  The tests run ``dist/``, which
  no test command here rebuilds: an edit of ``src/internal/operators/map.ts`` never
  reaches them.
- **a small TypeScript project** compiled by TypeScript 5.6.3's own ``tsc`` (``sourceMap``
  on, ``rootDir`` src, ``outDir`` dist), its tests on ``dist/`` with ``node --test``,
  run as ``npm test`` (``dist/`` as last built) and as ``npm run build && npm test``.

Each edit goes through ``verifier.cli.verify_edit`` (what ``acrouter verify`` runs) and
the table prints the verdict, whether it would be learned (``counted``) and the start of
its detail (of a pass, what no test ran, if anything), beside what a user should get.  Nothing here is timed.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tarfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "server"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from acrouter.verifier import ProjectVerifier
from acrouter.verifier.cli import verify_edit
from real_projects import default_work, git_commit_all, prepare_work, replacing, sh

RXJS = "rxjs@7.8.1"
TYPESCRIPT = "typescript@5.6.3"
RX_TEST = """\
const test = require("node:test");
const assert = require("node:assert");
const { of, map, filter, lastValueFrom, toArray } = require("..");
const all = (source) => lastValueFrom(source.pipe(toArray()));
test("map doubles", async () => assert.deepStrictEqual(await all(of(1, 2).pipe(map((x) => x * 2))), [2, 4]));
test("map passes the index", async () => assert.deepStrictEqual(await all(of("a", "b").pipe(map((x, i) => x + i))), ["a0", "b1"]));
test("filter", async () => assert.deepStrictEqual(await all(of(1, 2, 3).pipe(filter((x) => x > 1))), [2, 3]));
"""
CALC = """\
export function add(a: number, b: number): number {
  return a + b;
}

export interface Opts {
  round?: boolean;
}

export function mul(a: number, b: number, opts?: Opts): number {
  const r = a * b;
  return opts?.round ? Math.round(r) : r;
}
"""
CALC_TEST = """\
const test = require("node:test");
const assert = require("node:assert");
const { add } = require("../dist/calc.js");
test("add", () => assert.strictEqual(add(2, 3), 5));
"""
TSCONFIG = {
    "compilerOptions": {
        "target": "es2020",
        "module": "commonjs",
        "rootDir": "src",
        "outDir": "dist",
        "sourceMap": True,
        "strict": True,
    },
    "include": ["src"],
}


def _rxjs(work: Path) -> Path:
    root = work / "rxjs"
    if (root / ".ready").exists():
        return root
    shutil.rmtree(root, ignore_errors=True)
    dl = work / "downloads"
    dl.mkdir(parents=True, exist_ok=True)
    name = sh(["npm", "pack", "--silent", RXJS], cwd=dl).strip().splitlines()[-1]
    with tarfile.open(dl / name) as tar:
        tar.extractall(dl / "rxjs", filter="data")
    shutil.move(str(dl / "rxjs" / "package"), root)
    npm = ["npm", "install", "--no-audit", "--no-fund", "--ignore-scripts", "--omit=dev"]
    sh([*npm, "--legacy-peer-deps"], cwd=root)  # its dev tools conflict; only tslib is needed
    (root / "test").mkdir()
    (root / "test" / "map.test.js").write_text(RX_TEST)
    git_commit_all(root)
    (root / ".ready").write_text(RXJS + "\n")
    return root


def _calc(work: Path) -> Path:
    root = work / "tscalc"
    if (root / ".ready").exists():
        return root
    shutil.rmtree(root, ignore_errors=True)
    (root / "src").mkdir(parents=True)
    (root / "test").mkdir()
    (root / "src" / "calc.ts").write_text(CALC)
    (root / "test" / "calc.test.js").write_text(CALC_TEST)
    (root / "tsconfig.json").write_text(json.dumps(TSCONFIG, indent=2) + "\n")
    scripts = {"build": "tsc", "test": "node --test test/"}
    (root / "package.json").write_text(json.dumps({"name": "tscalc", "scripts": scripts}))
    (root / ".gitignore").write_text("node_modules/\ndist/\n")
    sh(["npm", "install", "--no-audit", "--no-fund", "--save-exact", "-D", TYPESCRIPT], cwd=root)
    sh(["npx", "tsc"], cwd=root)
    git_commit_all(root)
    (root / ".ready").write_text(TYPESCRIPT + "\n")
    return root


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--work", type=Path, default=default_work("stale-builds"))
    ap.add_argument("--sandbox", choices=("bwrap", "none"), default="bwrap")
    args = ap.parse_args()
    if not (shutil.which("node") and shutil.which("npm")):
        raise SystemExit("node and npm are needed")
    work = prepare_work(args.work)
    rx, calc = _rxjs(work), _calc(work)
    built = "npm run build && npm test"
    map_ts = "src/internal/operators/map.ts"
    map_js = "dist/cjs/internal/operators/map.js"
    rows = [
        ("rxjs", rx, "node --test test/", "src map.ts: index++ -> ++index", replacing(rx, map_ts, "index++", "++index"), "error: never ran"),
        ("rxjs", rx, "node --test test/", "dist map.js: index++ -> ++index", replacing(rx, map_js, "index++", "++index"), "fail"),
        ("tsc", calc, "npm test", "add broken", replacing(calc, "src/calc.ts", "a + b", "a - b"), "error: never ran"),
        ("tsc", calc, built, "add broken", replacing(calc, "src/calc.ts", "a + b", "a - b"), "fail"),
        ("tsc", calc, built, "mul (no test calls it)", replacing(calc, "src/calc.ts", "a * b", "b * a"), "pass, line 10 unrun"),
        ("tsc", calc, built, "an interface field", replacing(calc, "src/calc.ts", "round?: boolean;", "round?: boolean;\n  digits?: number;"), "pass"),
    ]  # fmt: skip
    verifier = ProjectVerifier(sandbox=args.sandbox, timeout_s=300)
    print(f"{'project':8} {'command':28} {'edit':34} {'expected':20} verdict / counted / detail")
    for name, root, command, what, edit, expected in rows:
        verdict = verify_edit(verifier, str(root), edit, command)
        detail = (verdict.unrun or verdict.detail).replace("\n", " ")[:120]
        said = f"{verdict.verdict} / {verdict.counted} / {detail}"
        print(f"{name:8} {command:28} {what:34} {expected:20} {said}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
