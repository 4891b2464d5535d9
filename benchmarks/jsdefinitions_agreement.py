"""Does ``jsdefinitions.py`` list what a JavaScript module defines as a real parser does?

The guard that no edit drops code reads a JS/TS module's class members, ``exports.x =``
assignments, exported object keys and the functions of a wrapped module
(``(function () {…})()``, UMD) from its tokens (:mod:`acrouter.jsdefinitions`), with no
parser.  A name it misses is a drop it cannot see; a name it invents, or one it reads
differently from one formatting of a file to another, is an edit refused for nothing.
This script measures both on real files against acorn (the parser of webpack, rollup,
eslint's espree), whose syntax tree gives the same list by the same rules:

    .venv/bin/python benchmarks/jsdefinitions_agreement.py FOLDER [--acorn PATH] [--limit N]
    .venv/bin/python benchmarks/jsdefinitions_agreement.py FOLDER --reformat [--limit N]

FOLDER: any tree of .js/.cjs/.mjs files (``npm install`` of a few packages gives
thousands); acorn is looked up under FOLDER unless given.  Prints the files acorn read,
those the tokens read (the rest fall back to the line patterns), and those where the two
lists differ (named, with the difference); exits 1 on any difference.

``--cost`` prints what the guard costs on the request path: the CPU seconds of
``dropped_definitions`` (both texts read from their tokens) on the five largest files
of FOLDER, each compared with itself plus one comment line, beside their lines.

``--reformat`` measures instead what an edit that only reformats costs: each readable
.js/.cjs/.mjs/.ts file of FOLDER (not minified, not ``.d.ts``) is reformatted by the
prettier found under FOLDER (no semicolons, lines of 50 columns, single quotes: imports
and signatures break over lines), and the guard compares the two texts.  Prints how many
such edits it would refuse, with the line patterns alone (the guard before
``jsdefinitions``: an import split over lines reads as dropped) and as it is; exits 1 if
it still refuses any.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from acrouter.definitions import definitions, dropped_definitions
from acrouter.jsdefinitions import js_definitions

#: acorn's list of each file's definitions by the rules of jsdefinitions (null where
#: acorn reads the file neither as a module nor as a script)
ACORN = r"""
const acorn = require(process.argv[1]);
const fs = require('fs');
const out = {};
function chain(e) {
  if (e.type === 'Identifier') return e.name;
  if (e.type === 'ThisExpression') return 'this';
  if (e.type === 'MemberExpression' && !e.computed && !e.optional && e.property.type === 'Identifier') {
    const left = chain(e.object);
    return left === null ? null : left + '.' + e.property.name;
  }
  return null;
}
function keyName(k, computed) {
  if (computed) return null;
  if (k.type === 'Identifier') return k.name;
  if (k.type === 'PrivateIdentifier') return '#' + k.name;
  if (k.type === 'Literal') return String(k.value);
  return null;
}
function list(text, ast) {
  const found = [];
  const keys = (obj, owner) => {
    for (const p of obj.properties) {
      if (p.type !== 'Property') continue;
      const k = keyName(p.key, p.computed);
      if (k !== null) found.push(owner + '.' + k);
    }
  };
  const cls = (c, owner) => {
    for (const m of c.body.body) {
      if (m.type !== 'MethodDefinition' && m.type !== 'PropertyDefinition') continue;
      const k = keyName(m.key, m.computed);
      if (k !== null) found.push(owner + '.' + k);
    }
  };
  const functionsOf = (node, visit) => {
    // the functions of an expression, not those nested in another function's body
    if (!node || typeof node !== 'object') return;
    if (Array.isArray(node)) { node.forEach((n) => functionsOf(n, visit)); return; }
    if ((node.type === 'FunctionExpression' || node.type === 'ArrowFunctionExpression')
        && node.body.type === 'BlockStatement') { visit(node.body.body); return; }
    for (const key of Object.keys(node)) {
      if (key === 'type' || key === 'start' || key === 'end') continue;
      const v = node[key];
      if (v && typeof v === 'object') functionsOf(v, visit);
    }
  };
  const bound = (p) => {
    // the names a declarator's target binds: a name, or a destructuring pattern's
    if (p === null) return;  // an array pattern's hole
    if (p.type === 'Identifier') found.push(p.name);
    else if (p.type === 'ObjectPattern') for (const q of p.properties) bound(q.type === 'RestElement' ? q.argument : q.value);
    else if (p.type === 'ArrayPattern') for (const q of p.elements) bound(q);
    else if (p.type === 'AssignmentPattern') bound(p.left);
    else if (p.type === 'RestElement') bound(p.argument);
  };
  const scope = (body) => { for (const s of body) statement(s); };
  const statement = (st) => {
    let s = st;
    if (s.type === 'ImportDeclaration') { found.push('import ' + s.source.value); return; }
    if (s.type === 'ExportNamedDeclaration') {
      if (!s.declaration) {
        for (const sp of s.specifiers) found.push('export ' + (sp.exported.name ?? sp.exported.value));
        return;
      }
      s = s.declaration;
    }
    if (s.type === 'ExportDefaultDeclaration') {
      const d = s.declaration;
      if (d.type === 'ObjectExpression') keys(d, 'export default');
      else if (d.type === 'FunctionDeclaration' && d.id) found.push(d.id.name);
      else if (d.type === 'ClassDeclaration') { if (d.id) found.push(d.id.name); cls(d, d.id ? d.id.name : 'default'); }
      return;
    }
    if (s.type === 'FunctionDeclaration') { found.push(s.id.name); return; }
    if (s.type === 'ClassDeclaration') { found.push(s.id.name); cls(s, s.id.name); return; }
    if (s.type === 'VariableDeclaration') {
      for (const d of s.declarations) bound(d.id);
      return;
    }
    if (s.type !== 'ExpressionStatement' || s.directive) return;
    const e = s.expression;
    if (e.type === 'AssignmentExpression' && e.operator === '=') {
      const name = chain(e.left);
      if (name !== null && name.includes('.')) {
        if (name !== 'module.exports') found.push(name);
        else if (e.right.type === 'ObjectExpression') keys(e.right, name);
        return;
      }
    }
    const first = text[s.start];
    if ('(!~+-'.includes(first) || text.startsWith('void', s.start)) functionsOf(e, scope);
  };
  scope(ast.body);
  return found;
}
for (const f of fs.readFileSync(0, 'utf8').split('\n').filter(Boolean)) {
  const text = fs.readFileSync(f, 'utf8');
  out[f] = null;
  for (const sourceType of ['module', 'script']) {
    try {
      const options = { ecmaVersion: 'latest', sourceType, allowHashBang: true,
        allowReturnOutsideFunction: true, allowAwaitOutsideFunction: true };
      out[f] = list(text, acorn.parse(text, options));
      break;
    } catch (e) {}
  }
}
process.stdout.write(JSON.stringify(out));
"""


#: each file of stdin reformatted by prettier (null where prettier cannot read it)
PRETTIER = r"""
const prettier = require(process.argv[1]);
const fs = require('fs');
(async () => {
  const out = {};
  for (const f of fs.readFileSync(0, 'utf8').split('\n').filter(Boolean)) {
    try {
      out[f] = await prettier.format(fs.readFileSync(f, 'utf8'), { filepath: f, semi: false,
        printWidth: 50, singleQuote: true, trailingComma: 'none' });
    } catch (e) { out[f] = null; }
  }
  process.stdout.write(JSON.stringify(out));
})();
"""


def _reformat(folder: Path, limit: int, show: int) -> int:
    """What the guard makes of edits that only reformat (see the module docstring)."""
    prettier = next(iter(sorted(folder.rglob("node_modules/prettier/package.json"))), None)
    if prettier is None:
        sys.exit(f"no prettier under {folder}: npm install prettier there")
    files = sorted(
        str(p)
        for suffix in ("*.js", "*.cjs", "*.mjs", "*.ts")
        for p in folder.rglob(suffix)
        if p.is_file()
        and p.stat().st_size < 500_000
        and not p.name.endswith((".d.ts", ".min.js"))
        and "/min/" not in str(p)
    )[:limit]
    done = subprocess.run(
        ["node", "-e", PRETTIER, str(prettier.parent)],
        input="\n".join(files),
        capture_output=True,
        text=True,
        check=True,
    )
    formatted: dict[str, str | None] = json.loads(done.stdout)
    edits = by_lines = by_guard = 0
    for path, new in formatted.items():
        if new is None:
            continue
        old = Path(path).read_text(encoding="utf-8", errors="replace")
        edits += 1
        before = {d.name for d in definitions(old, path)}
        if before - {d.name for d in definitions(new, path)}:
            by_lines += 1
        lost = dropped_definitions(old, new, path)
        if lost:
            by_guard += 1
            if by_guard <= show:
                print(f"  {path}: {lost[:6]}")
    print(f"files: {len(files)}, reformatted by prettier: {edits}")
    print(f"refused by the line patterns alone: {by_lines}")
    print(f"refused by the guard: {by_guard}")
    return 1 if by_guard else 0


def _cost(folder: Path) -> int:
    """The guard's CPU time on the five largest .js/.ts files of ``folder``."""
    files = sorted(
        (p for suffix in ("*.js", "*.ts") for p in folder.rglob(suffix) if p.is_file()),
        key=lambda p: p.stat().st_size,
        reverse=True,
    )
    shown = 0
    for path in files:
        if shown == 5:
            break
        old = path.read_text(encoding="utf-8", errors="replace")
        if ".min." in path.name or js_definitions(old) is None:
            continue
        new = old + "\n// a comment\n"
        start = time.process_time()
        lost = dropped_definitions(old, new, str(path))
        spent = time.process_time() - start
        print(f"{path}: {len(old.splitlines())} lines, {spent:.3f} s CPU, lost {lost}")
        shown += 1
    return 0


def _newest_acorn(folder: Path) -> Path | None:
    """The newest acorn under ``folder`` (8 or later: older ones read no recent syntax)."""
    found = []
    for package in folder.rglob("node_modules/acorn/package.json"):
        version = json.loads(package.read_text(encoding="utf-8")).get("version", "0")
        major = version.split(".")[0]
        if major.isdigit() and int(major) >= 8:
            found.append((tuple(int(p) for p in version.split(".") if p.isdigit()), package.parent))
    return max(found)[1] if found else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--acorn", type=Path, help="acorn's package folder (8 or later)")
    parser.add_argument("--limit", type=int, default=5000, help="at most this many files")
    parser.add_argument("--show", type=int, default=10, help="differences to print")
    parser.add_argument(
        "--reformat", action="store_true", help="the guard on edits that only reformat"
    )
    parser.add_argument("--cost", action="store_true", help="the guard's CPU time")
    args = parser.parse_args(argv)
    if args.reformat:
        return _reformat(args.folder, args.limit, args.show)
    if args.cost:
        return _cost(args.folder)
    acorn = args.acorn or _newest_acorn(args.folder)
    if acorn is None:
        sys.exit(f"no acorn 8+ under {args.folder}: give --acorn (npm install acorn)")
    files = sorted(
        str(p)
        for suffix in ("*.js", "*.cjs", "*.mjs")
        for p in args.folder.rglob(suffix)
        if p.is_file() and p.stat().st_size < 2_000_000
    )[: args.limit]
    done = subprocess.run(
        ["node", "-e", ACORN, str(acorn)],
        input="\n".join(files),
        capture_output=True,
        text=True,
        check=True,
    )
    truth: dict[str, list[str] | None] = json.loads(done.stdout)
    by_acorn = read = 0
    differ: list[tuple[str, Counter[str], Counter[str]]] = []
    for path, expected in truth.items():
        if expected is None:
            continue
        by_acorn += 1
        text = Path(path).read_text(encoding="utf-8", errors="replace")
        ours = js_definitions(text)
        if ours is None:
            continue
        read += 1
        want, got = Counter(expected), Counter(d.name for d in ours)
        if want != got:
            differ.append((path, want - got, got - want))
    print(f"files: {len(files)}, read by acorn: {by_acorn}, read by the tokens: {read}")
    print(f"refused (the guard keeps to line patterns): {by_acorn - read}")
    for path, missed, invented in differ[: args.show]:
        print(f"  {path}: missed {sorted(missed)[:6]} invented {sorted(invented)[:6]}")
    print(f"disagreements: {len(differ)}")
    return 1 if differ else 0


if __name__ == "__main__":
    raise SystemExit(main())
