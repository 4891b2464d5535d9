"""Does ``jsdefinitions.py`` list what a JavaScript module defines as a real parser does?

The guard that no edit drops code reads a JS/TS module's class members, ``exports.x =``
assignments, exported object keys and the functions of a wrapped module
(``(function () {…})()``, UMD) from its tokens (:mod:`acrouter.jsdefinitions`), with no
parser.  A name it misses is a drop it cannot see; a name it invents, or one it reads
differently from one formatting of a file to another, is an edit refused for nothing.
This script measures both on real files against acorn (the parser of webpack, rollup,
eslint's espree), whose syntax tree gives the same list by the same rules:

    .venv/bin/python benchmarks/jsdefinitions_agreement.py FOLDER [--acorn PATH] [--limit N]

FOLDER: any tree of .js/.cjs/.mjs files (``npm install`` of a few packages gives
thousands); acorn is looked up under FOLDER unless given.  Prints the files acorn read,
those the tokens read (the rest fall back to the line patterns), and those where the two
lists differ (named, with the difference); exits 1 on any difference.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

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
  const scope = (body) => { for (const s of body) statement(s); };
  const statement = (st) => {
    let s = st;
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
      const d = s.declarations[0];
      if (d.id.type === 'Identifier') found.push(d.id.name);
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
    args = parser.parse_args(argv)
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
