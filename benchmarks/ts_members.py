"""Does ``jsdefinitions.py`` read the members of TypeScript's containers as TypeScript's
own parser does?

The guard that no edit drops code reads a TypeScript module's definitions from its
tokens (:func:`acrouter.jsdefinitions.js_definitions`), with no parser.  Besides the
top-level declarations (which ``jsdefinitions_agreement.py`` judges), it reads what
TypeScript's containers hold: the members of interfaces, enums and object type aliases,
and what namespaces declare.  A member it misses is a drop it cannot see; one it invents
is an edit refused for nothing.  This compares, file by file, what it reads with what
the TypeScript compiler's syntax tree (``ts.createSourceFile``, of the typescript
package under this repository's ``node_modules`` unless ``--typescript`` says another)
lists by these rules:

1. ``interface I { … }`` (whatever its modifiers, type parameters, heritage): each
   property signature (``a: T``, ``a?: T``, ``readonly a: T``), method signature (each
   overload: two ``m`` signatures give ``I.m`` twice), get/set accessor signature, as
   ``I.a``; a string or numeric key as written without its quotes (``'a-b': T`` gives
   ``I.a-b``).  Not index, call or construct signatures, nor computed names.
2. ``enum E { … }`` (``const enum``, ``declare enum``): each member, ``E.Red``.
3. ``type T = { … }``, only where the alias's type is itself an object type literal
   (not an intersection, a union, a mapped type): its members as an interface's.
4. ``namespace N { … }`` / ``module N { … }`` with an identifier name (``namespace A.B
   { … }`` is the container ``A.B``), ``declare module "x" { … }`` (the container
   ``module x``) and ``declare global { … }`` (``global``): what its statements
   declare, each under the namespace's path: functions
   (``N.f``, each overload signature), classes (``N.C``) and their methods, properties
   and accessors (``N.C.m``, each overload, ``N.C.#x``; its constructor as
   ``N.C.constructor``, as a top-level class's is read; not computed names, index
   signatures), each name a variable statement declares (``const a = 1, b = 2``:
   ``N.a``, ``N.b``; a destructuring pattern's names too), interfaces, enums and
   type aliases (``N.I``, and their members ``N.I.a`` by rules 1-3), namespaces
   (``N.M``, and recursively ``N.M.f``).  Not imports, ``export {…}``, ``export =``.

At the top level only the containers' members and the namespaces' contents are listed,
not the containers themselves (``I.a``, ``N.f``, not ``I`` nor ``N``, nor ``A.B``).
The guard's list is kept to the names of a dot whose part before the first dot is the
name of one of the file's top-level containers (so a class or function of the same
name merged with a namespace counts in its namespace), less the containers themselves
and less what the guard reads there by its JavaScript rules: the members of a
top-level class of that name (``class C {}`` beside ``namespace C {}``, each overload,
its constructor too) and ``C.x = …`` assignments (as TypeScript lists them: what the
guard reads wrongly in such a class still shows, under the namespace's name).  The two
lists are compared as multisets, file by file:

- read but not parsed: a name the guard would report as dropped if it went, though
  TypeScript sees no such member there (a false refusal waiting to happen);
- parsed but not read: a member the guard does not protect.

then once more with each file's names counted once (an overload read too few or too
many times then no longer counts: how many differences are of names, not counts).

Usage, on any folder of TypeScript files (``.ts``, ``.mts``, ``.cts``; ``--dts`` adds
the declaration files ``.d.ts``, full of interfaces and namespaces)::

    .venv/bin/python benchmarks/ts_members.py --sources node_modules/zod
    .venv/bin/python benchmarks/ts_members.py --sources node_modules/@azure --dts
    .venv/bin/python benchmarks/ts_members.py --sources DIR [--dts] [--limit N] [--show N]
    .venv/bin/python benchmarks/ts_members.py --sources DIR --names  # TypeScript's lists

(``--typescript PATH``: another typescript package folder.)

Files over 1 MB and minified ones (a line over 5,000 characters) are skipped; files
TypeScript reports parse errors in, and those the guard's tokens cannot read, are left
out and counted.  It prints the counts and the first differences, and exits 0.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

from acrouter.jsdefinitions import js_definitions
from members_report import listed, run_script

#: the default TypeScript compiler: the one under this repository's node_modules
TYPESCRIPT = Path(__file__).resolve().parent.parent / "node_modules" / "typescript"

#: for each file named on standard input, a JSON line: null when TypeScript reports a
#: parse error in it, else {"names": the members by the rules of the docstring,
#: "containers": the top-level containers' full names ("I", "N", "A.B"), "others":
#: what the guard reads under those names by its JavaScript rules (a same-named class's
#: members, "C.x = …" assignments)}
PARSER = r"""
const ts = require(process.argv[2]);
const fs = require('fs');
const K = ts.SyntaxKind;
function main() {
  const paths = fs.readFileSync(0, 'utf8').split('\n').filter(Boolean);
  const lines = [];
  for (const path of paths) {
    let text;
    try { text = fs.readFileSync(path, 'utf8'); } catch (e) { lines.push('null'); continue; }
    const sf = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
    if (sf.parseDiagnostics.length > 0) { lines.push('null'); continue; }
    lines.push(JSON.stringify(listFile(sf)));
  }
  process.stdout.write(lines.map((l) => l + '\n').join(''));
}
// a member's name as written (a string's without its quotes); null if computed
function keyName(name, sf) {
  if (!name) return null;
  switch (name.kind) {
    case K.Identifier: case K.PrivateIdentifier: case K.NumericLiteral: case K.BigIntLiteral:
      return name.getText(sf);
    case K.StringLiteral: case K.NoSubstitutionTemplateLiteral:
      return name.getText(sf).slice(1, -1);
  }
  return null;
}
function typeMembers(members, owner, sf, out) {
  for (const m of members) {
    switch (m.kind) {
      case K.PropertySignature: case K.MethodSignature:
      case K.GetAccessor: case K.SetAccessor: {
        const k = keyName(m.name, sf);
        if (k !== null) out.push(owner + '.' + k);
      }
    }
  }
}
function classMembers(c, owner, sf, out, constructors) {
  for (const m of c.members) {
    switch (m.kind) {
      case K.MethodDeclaration: case K.PropertyDeclaration:
      case K.GetAccessor: case K.SetAccessor: {
        const k = keyName(m.name, sf);
        if (k !== null) out.push(owner + '.' + k);
        break;
      }
      case K.Constructor:
        if (constructors) out.push(owner + '.constructor');
    }
  }
}
// a namespace's identifier name: the ModuleDeclaration's path ("A.B" for namespace A.B)
// and its block; null for declare module "x", declare global
function namespacePath(d) {
  // declare global {…}: "global"; declare module 'x' {…}: "module x" (as the guard names them)
  let path;
  if (d.flags & ts.NodeFlags.GlobalAugmentation) path = 'global';
  else if (d.name.kind === K.StringLiteral) path = 'module ' + d.name.text;
  else if (d.name.kind === K.Identifier) path = d.name.text;
  else return null;
  let body = d.body;
  while (body && body.kind === K.ModuleDeclaration) {
    path += '.' + body.name.text;
    body = body.body;
  }
  return [path, body && body.kind === K.ModuleBlock ? body : null];
}
// what one declaration holds, under `name`: an interface's, an enum's, an object type's
// members, a namespace's contents; true if it is such a container
function container(s, name, sf, out) {
  switch (s.kind) {
    case K.InterfaceDeclaration:
      typeMembers(s.members, name, sf, out);
      return true;
    case K.EnumDeclaration:
      for (const m of s.members) {
        const k = keyName(m.name, sf);
        if (k !== null) out.push(name + '.' + k);
      }
      return true;
    case K.TypeAliasDeclaration:
      if (s.type.kind !== K.TypeLiteral) return false;
      typeMembers(s.type.members, name, sf, out);
      return true;
  }
  return false;
}
// the names a declarator binds: its name, or a destructuring pattern's names
function bound(n, prefix, out) {
  if (n.kind === K.Identifier) out.push(prefix + '.' + n.text);
  else if (n.kind === K.ObjectBindingPattern || n.kind === K.ArrayBindingPattern) {
    for (const e of n.elements) if (e.kind === K.BindingElement) bound(e.name, prefix, out);
  }
}
function namespaceBody(block, prefix, sf, out) {
  if (!block) return;
  for (const s of block.statements) {
    switch (s.kind) {
      case K.FunctionDeclaration:
        if (s.name) out.push(prefix + '.' + s.name.text);
        break;
      case K.ClassDeclaration:
        if (s.name) {
          out.push(prefix + '.' + s.name.text);
          classMembers(s, prefix + '.' + s.name.text, sf, out, true);
        }
        break;
      case K.VariableStatement:
        for (const d of s.declarationList.declarations) bound(d.name, prefix, out);
        break;
      case K.InterfaceDeclaration: case K.EnumDeclaration: case K.TypeAliasDeclaration:
        out.push(prefix + '.' + s.name.text);
        container(s, prefix + '.' + s.name.text, sf, out);
        break;
      case K.ModuleDeclaration: {
        const found = namespacePath(s);
        if (found === null) break;
        out.push(prefix + '.' + found[0]);
        namespaceBody(found[1], prefix + '.' + found[0], sf, out);
        break;
      }
    }
  }
}
function chain(e) {
  if (e.kind === K.Identifier) return e.text;
  if (e.kind === K.ThisKeyword) return 'this';
  if (e.kind === K.PropertyAccessExpression && !e.questionDotToken && e.name.kind === K.Identifier) {
    const left = chain(e.expression);
    return left === null ? null : left + '.' + e.name.text;
  }
  return null;
}
function listFile(sf) {
  const names = [];
  const containers = [];
  for (const s of sf.statements) {
    if (s.kind === K.ModuleDeclaration) {
      const found = namespacePath(s);
      if (found === null) continue;
      containers.push(found[0]);
      namespaceBody(found[1], found[0], sf, names);
    } else if (s.name && s.name.kind === K.Identifier && container(s, s.name.text, sf, names)) {
      containers.push(s.name.text);
    }
  }
  const roots = new Set(containers.map((c) => c.split('.')[0]));
  const others = [];
  for (const s of sf.statements) {
    if (s.kind === K.ClassDeclaration && s.name && roots.has(s.name.text)) {
      classMembers(s, s.name.text, sf, others, true);
    } else if (s.kind === K.ExpressionStatement && s.expression.kind === K.BinaryExpression
               && s.expression.operatorToken.kind === K.EqualsToken) {
      const name = chain(s.expression.left);
      if (name !== null && name.includes('.') && roots.has(name.split('.')[0])) others.push(name);
    }
  }
  return { names, containers, others };
}
main();
"""

#: a file's names as TypeScript lists them (see PARSER), None when it does not parse
Parsed = dict[str, list[str]]


def parsed(files: list[Path], typescript: Path) -> list[Parsed | None]:
    """What TypeScript lists of each of ``files`` (see :data:`PARSER`)."""
    out = run_script("node", PARSER, ".js", files, [str(typescript)])
    found = [json.loads(line) for line in out.splitlines()]
    if len(found) != len(files):
        sys.exit(f"TypeScript listed {len(found)} files of {len(files)}")
    return found


def read(text: str, found: Parsed) -> Counter[str] | None:
    """What the guard reads of ``text`` under the top-level containers TypeScript
    ``found`` there (see the docstring); None when its tokens cannot read it."""
    definitions = js_definitions(text)
    if definitions is None:
        return None
    roots = {c.split(".")[0] for c in found["containers"]}
    itself = set(found["containers"])
    mine = Counter(
        d.name
        for d in definitions
        if "." in d.name and d.name.split(".")[0] in roots and d.name not in itself
    )
    return mine - Counter(found["others"])


def _minified(path: Path) -> bool:
    with path.open("rb") as f:
        return any(len(line) > 5000 for line in f)


def sources(folder: Path, dts: bool, limit: int | None) -> list[Path]:
    """The TypeScript files under ``folder`` (``.d.ts`` ones too with ``dts``), not over
    1 MB nor minified, sorted, at most ``limit``."""
    suffixes = (".ts", ".mts", ".cts")
    declarations = (".d.ts", ".d.mts", ".d.cts")
    files = sorted(
        p
        for p in folder.rglob("*")
        if p.name.endswith(suffixes)
        and (dts or not p.name.endswith(declarations))
        and p.is_file()
        and p.stat().st_size < 1_000_000
        and not _minified(p)
    )
    return files[:limit] if limit is not None else files


def compare(folder: Path, files: list[Path], typescript: Path, show: int) -> int:
    read_only: list[str] = []
    parsed_only: list[str] = []
    distinct_read_only: list[str] = []
    distinct_parsed_only: list[str] = []
    total_read = total_parsed = compared = unparsed = unread = with_containers = 0
    for f, found in zip(files, parsed(files, typescript), strict=True):
        if found is None:
            unparsed += 1
            continue
        mine = read(f.read_text(encoding="utf-8", errors="replace"), found)
        if mine is None:
            unread += 1
            continue
        compared += 1
        with_containers += bool(found["containers"])
        have = Counter(found["names"])
        total_read += sum(mine.values())
        total_parsed += sum(have.values())
        rel = f.relative_to(folder)
        read_only += [f"{rel}: {n}" for n in sorted((mine - have).elements())]
        parsed_only += [f"{rel}: {n}" for n in sorted((have - mine).elements())]
        distinct_read_only += [f"{rel}: {n}" for n in sorted(set(mine) - set(have))]
        distinct_parsed_only += [f"{rel}: {n}" for n in sorted(set(have) - set(mine))]
    print(
        f"files: {len(files)}; compared: {compared} ({with_containers} with containers); "
        f"TypeScript could not parse {unparsed}; the guard's tokens could not read {unread}"
    )
    print(f"members read by the guard: {total_read}; listed by TypeScript: {total_parsed}")
    print("each name as many times as it is declared (as the guard counts them):")
    listed("  read but not parsed (false refusals waiting to happen)", read_only, show)
    listed("  parsed but not read (not protected)", parsed_only, show)
    print("each name of a file once (differences of names, not of counts):")
    listed("  read but not parsed", distinct_read_only, show)
    listed("  parsed but not read", distinct_parsed_only, show)
    return 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sources", type=Path, required=True, help="a folder of TypeScript files")
    p.add_argument("--limit", type=int, help="at most this many files (the first, sorted)")
    p.add_argument("--dts", action="store_true", help="also the declaration files (.d.ts)")
    p.add_argument("--show", type=int, default=25, help="differences listed of each kind")
    p.add_argument(
        "--typescript", type=Path, default=TYPESCRIPT, help="the typescript package's folder"
    )
    p.add_argument("--names", action="store_true", help="print TypeScript's lists, no comparison")
    args = p.parse_args(argv)
    if not args.sources.is_dir():
        p.error(f"{args.sources} is not a folder")
    if not (args.typescript / "package.json").is_file():
        p.error(f"no typescript package at {args.typescript}: give --typescript")
    files = sources(args.sources, args.dts, args.limit)
    if args.names:
        for f, found in zip(files, parsed(files, args.typescript), strict=True):
            print(f"{f}: {json.dumps(found)}")
        return 0
    return compare(args.sources, files, args.typescript, args.show)


if __name__ == "__main__":
    raise SystemExit(main())
