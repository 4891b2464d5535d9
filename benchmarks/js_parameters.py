"""How the guard reads the parameters of JavaScript and TypeScript functions
(``acrouter.jsparameters``), judged on real files: a parameter deleted from a function
the edit keeps, or moved by one put before it, must be refused, and an edit that keeps
what callers can pass must never be.

For every ``.js``, ``.mjs``, ``.cjs``, ``.jsx``, ``.ts``, ``.mts``, ``.cts``, ``.tsx`` file
under the folders given (declaration files ``.d.ts`` too: they are API), in sorted path
order, at most 300 KB, UTF-8 (``--max`` files in all, default 2000; a path with a part
named by ``--exclude`` is left out), the TypeScript compiler under this repository's
``node_modules`` is the oracle: a node script this one writes to a temporary folder
reads the files a batch at a time (one process for the run, JSON lines in and out), a
file TypeScript reports syntax errors in is left out (counted), and it lists each
function of the others with its parameters (their spans, what references each: the
identifiers whose symbol the checker resolves to it, in a program of the batch's files
with no library), its name as the guard names it and, when the guard does not read it
by design, why.  Up to 3 functions with a parameter (other than TypeScript's ``this``)
are drawn at random (``--seed``, default 0), and each is edited by slicing its text at
the positions TypeScript gives.  Each edit is judged by
``definitions.dropped_definitions(old, new, rel, instruction="Fix the bug")``
(``rel``: the path under its folder):

- ``deleted``, to be refused: one parameter (a name, not a destructuring pattern nor
  TypeScript's ``this``) that the function's code reads (its body, a later parameter's
  default: an identifier whose symbol is the parameter, not in a type but ``typeof
  x``), deleted with its comma and decorators (``x => x`` becomes ``() => x``).  The
  guard must report ``parameter NAME of FUNCTION`` (``parameter ...NAME of FUNCTION``
  for a rest parameter); another loss it reports instead (``parameter #2 of
  FUNCTION``) is a refusal under another name, counted apart;
- ``moved``, to be refused: a new parameter ``extra`` (``extra: unknown`` in TypeScript)
  put before the first one callers pass (after TypeScript's ``this``; ``x => x``
  becomes ``(extra, x) => x``), so that each caller's arguments go to the next one.
  The guard must report the first parameter with a name it goes before (after any
  destructuring patterns before it: a function with patterns only is not edited) as
  ``parameter NAME of FUNCTION (moved from 1st to 2nd place)`` (``...NAME`` for a rest
  parameter; its lines for the later ones are not looked at).  No default: every
  JavaScript parameter is ``undefined`` when not passed, a default would make the list
  non-simple and a ``"use strict"`` body a syntax error, and in TypeScript an optional
  parameter before a required one is an error, neither of which TypeScript's parser
  reports.  Not made (counted skipped): a setter's (it takes one parameter).  Not
  counted as misses, by design, the functions the guard does not read (below) and
  those defined twice; a rest parameter or ``arguments`` is no reason: the arguments
  still go to other parameters;
- never to be refused (any loss the guard reports is a false refusal): ``added``, a new
  last parameter ``extra`` (``extra?: unknown`` in TypeScript; not where a rest parameter
  is last); ``renamed``, a parameter renamed ``renamedParam`` with every reference to it
  (``{x}`` becomes ``{x: renamedParam}``; not a parameter property); ``unused dropped``,
  the last parameter deleted when nothing references it (harmless in JavaScript: an
  argument too many is ignored; only where the function has a body: a declaration's is
  API); ``prettier``, the whole file as ``node_modules/.bin/prettier --stdin-filepath
  FILE`` writes it (prettier's API in the same node process, with the configuration it
  resolves for FILE), when that changes it and prettier does not fail.

The functions the guard reads, and its names for them: those of the module's scope --
and of the body of a function a statement that starts like an immediately invoked one
(``(``, ``!``, ``~``, ``+``, ``-``, ``void``) defines at its own level, the module wrapped
in it (an IIFE, the UMD wrapper's factory), and of a namespace, under its path
(``namespace N {…}``: ``N.f``; ``namespace A.B``: ``A.B.f``; ``declare module 'x'``:
``module x.f``; ``declare global``: ``global.f``) -- ``function NAME(…)`` declarations
(``export``, ``default``, ``declare``, ``async`` modifiers: ``NAME``), the members of a
class declaration with a parameter list (methods and the constructor: ``Class.method``,
``Class.constructor``; ``default.method`` in ``export default class {…}``), its fields
whose value is a function or an arrow (``Class.field``), ``const``/``let``/``var NAME =``
a function or an arrow (``NAME``), ``a.b.c =`` one (``exports.f``,
``Calc.prototype.mul``, ``module.exports``), and the keys of ``module.exports = {…}`` and
``export default {…}`` whose value is one or a method (``module.exports.key``, ``export
default.key``).  A deletion or a move the guard does not refuse is a miss, but for
these, by design (counted by reason): a function ``inside a function`` (but the
wrapper); ``not named`` (callbacks, other anonymous functions, other object literals'
methods, class expressions); ``in a block`` (a module's ``if``, ``try``, ``for``); an ``accessor``
(``get``/``set``); one ``defined twice`` (two functions of one name in the file:
TypeScript's overloads, a branch each); a ``rest parameter`` (the function still takes
what callers passed); ``reads arguments`` (its body reads ``arguments``).  (Interfaces'
and object types' method signatures, which the guard reads too, are not drawn.)

An edit whose text TypeScript no longer parses is skipped (counted).  Prints one row an
edit kind (the files edited, the edits, how many the guard refused -- reported any loss
--, did not refuse, and skipped), how the deletions and then the moves divide (those to
refuse: refused, refused under another name, missed; those not refused by design, by
reason; those refused although not read by design), the false refusals, then the first
(``--show``, default 10) false refusals, misses, refusals under another name and
refusals by design with file:line and the guard's message (``(moved)`` for a move's),
then the command line.

    .venv/bin/python benchmarks/js_parameters.py vscode-client/src
    .venv/bin/python benchmarks/js_parameters.py node_modules --max 2000
    .venv/bin/python benchmarks/js_parameters.py DIR [--exclude NAME] [--seed N] [--show N]

Reads the folders given, writes nothing there (its node script goes to a temporary
folder, removed at the end).
"""

from __future__ import annotations

import argparse
import bisect
import json
import random
import shlex
import subprocess
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "server"))

from acrouter.definitions import dropped_definitions  # type: ignore[import-untyped]
from acrouter.parameters import ordinal
from bench_sources import read_sources, source_arguments, unread_line, utf8_exact

INSTRUCTION = "Fix the bug"
KINDS = ("deleted", "moved", "added", "renamed", "unused dropped", "prettier")
#: the edits the guard must refuse; the others must pass
REFUSED = ("deleted", "moved")
BENIGN = tuple(k for k in KINDS if k not in REFUSED)
SUFFIXES = (".js", ".mjs", ".cjs", ".jsx", ".ts", ".mts", ".cts", ".tsx")
TYPED = (".ts", ".mts", ".cts", ".tsx")
#: why the guard does not read a function, in the order they are printed
REASONS = (
    "inside a function",
    "not named",
    "in a block",
    "accessor",
    "defined twice",
    "rest parameter",
    "reads arguments",
)
EXTRA = "extra"
RENAMED = "renamedParam"
TYPESCRIPT = ROOT / "node_modules" / "typescript"
PRETTIER = ROOT / "node_modules" / "prettier"
BATCH = 40  # files a request to node

#: A JSON request a line on standard input, its answer a line on standard output:
#: {"op": "analyze", "files": [{"path", "text"}]}: for each file, null (it does not
#: parse) or {"functions": [...], "prettier": formatted text or null, "prettierParses"};
#: {"op": "parse", "path", "texts": [...]}: whether each text parses.  Positions are
#: UTF-16 offsets.
ORACLE = r"""
'use strict';
const ts = require(process.argv[2]);
let prettier = null;
try { prettier = require(process.argv[3]); } catch (e) { prettier = null; }
const readline = require('readline');
const K = ts.SyntaxKind;

function scriptKind(path) {
  const p = path.toLowerCase();
  if (p.endsWith('.tsx')) return ts.ScriptKind.TSX;
  if (p.endsWith('.jsx')) return ts.ScriptKind.JSX;
  if (p.endsWith('.ts') || p.endsWith('.mts') || p.endsWith('.cts')) return ts.ScriptKind.TS;
  return ts.ScriptKind.JS;
}
function sourceFile(path, text) {
  return ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true, scriptKind(path));
}
function parses(path, text) {
  try { return sourceFile(path, text).parseDiagnostics.length === 0; } catch (e) { return false; }
}
function program(files) {
  const texts = new Map(files.map((f) => [f.path, f.text]));
  const options = {
    allowJs: true, checkJs: false, noLib: true, noResolve: true, noEmit: true, types: [],
    target: ts.ScriptTarget.Latest, jsx: ts.JsxEmit.Preserve, allowNonTsExtensions: true,
  };
  const host = {
    getSourceFile: (name) => texts.has(name) ? sourceFile(name, texts.get(name)) : undefined,
    getDefaultLibFileName: () => '/lib.d.ts',
    writeFile: () => {},
    getCurrentDirectory: () => '/',
    getCanonicalFileName: (f) => f,
    useCaseSensitiveFileNames: () => true,
    getNewLine: () => '\n',
    fileExists: (f) => texts.has(f),
    readFile: (f) => texts.get(f),
  };
  return ts.createProgram([...texts.keys()], options, host);
}

const FUNCTIONS = new Set([K.FunctionDeclaration, K.FunctionExpression, K.ArrowFunction,
  K.MethodDeclaration, K.Constructor, K.GetAccessor, K.SetAccessor]);
const isFunction = (n) => FUNCTIONS.has(n.kind);
const isValue = (n) => n !== undefined && (ts.isFunctionExpression(n) || ts.isArrowFunction(n));

// a member's or a key's name as the guard writes it (a string's without its quotes); null
// if computed
function keyName(name, sf) {
  if (!name) return null;
  switch (name.kind) {
    case K.Identifier: case K.PrivateIdentifier: case K.NumericLiteral:
      return name.getText(sf);
    case K.StringLiteral: case K.NoSubstitutionTemplateLiteral:
      return name.getText(sf).slice(1, -1);
  }
  return null;
}
// a.b.c (this.a too), or null
function chain(e) {
  if (e.kind === K.Identifier) return e.text;
  if (e.kind === K.ThisKeyword) return 'this';
  if (e.kind === K.PropertyAccessExpression && !e.questionDotToken && e.name.kind === K.Identifier) {
    const left = chain(e.expression);
    return left === null ? null : left + '.' + e.name.text;
  }
  return null;
}
function exportsDefault(s) {
  const mods = s.modifiers || [];
  return mods.some((m) => m.kind === K.ExportKeyword) && mods.some((m) => m.kind === K.DefaultKeyword);
}

// every function-like of the file with its guard name, or null and why it is not read
function functionsOf(sf) {
  const found = [];
  const add = (node, name, reason) => found.push({ node, name, reason });
  function unread(node, reason) {
    if (isFunction(node)) {
      add(node, null, reason);
      ts.forEachChild(node, (c) => unread(c, 'inside a function'));
      return;
    }
    ts.forEachChild(node, (c) => unread(c, reason));
  }
  function read(node, name) {
    add(node, name, null);
    ts.forEachChild(node, (c) => unread(c, 'inside a function'));
  }
  function objectKeys(o, owner) {
    for (const p of o.properties) {
      const key = keyName(p.name, sf);
      if (key !== null && ts.isPropertyAssignment(p) && isValue(p.initializer)) {
        read(p.initializer, owner + '.' + key);
      } else if (key !== null && ts.isMethodDeclaration(p)) {
        read(p, owner + '.' + key);
      } else if (key !== null && (ts.isGetAccessor(p) || ts.isSetAccessor(p))) {
        found.push({ node: p, name: owner + '.' + key, reason: 'accessor' });
        ts.forEachChild(p, (c) => unread(c, 'inside a function'));
      } else {
        unread(p, 'not named');
      }
    }
  }
  function classBody(c, owner) {
    ts.forEachChild(c, (child) => {
      if (child.parent === c && c.members.indexOf(child) >= 0) return;
      unread(child, 'not named');
    });
    for (const m of c.members) {
      const key = ts.isConstructorDeclaration(m) ? 'constructor' : keyName(m.name, sf);
      if (owner === null || key === null) {
        unread(m, 'not named');
      } else if (ts.isMethodDeclaration(m) || ts.isConstructorDeclaration(m)) {
        read(m, owner + '.' + key);
      } else if (ts.isGetAccessor(m) || ts.isSetAccessor(m)) {
        found.push({ node: m, name: owner + '.' + key, reason: 'accessor' });
        ts.forEachChild(m, (c2) => unread(c2, 'inside a function'));
      } else if (ts.isPropertyDeclaration(m) && isValue(m.initializer)) {
        read(m.initializer, owner + '.' + key);
      } else {
        unread(m, 'not named');
      }
    }
  }
  // the functions a statement that starts like an immediately invoked one defines at its
  // own level: their bodies are the module's scope
  function wrappers(n, prefix) {
    if (isValue(n) && ts.isBlock(n.body)) {
      add(n, null, 'not named');
      for (const p of n.parameters) unread(p, 'inside a function');
      scope(n.body.statements, prefix);
      return;
    }
    if (isFunction(n)) { unread(n, 'not named'); return; }
    ts.forEachChild(n, (c) => wrappers(c, prefix));
  }
  // a namespace's path as the guard names it (namespace A.B: "A.B"; declare module 'x':
  // "module x"; declare global: "global") and its block
  function namespace(d) {
    let path;
    if (d.flags & ts.NodeFlags.GlobalAugmentation) path = 'global';
    else if (d.name.kind === K.StringLiteral) path = 'module ' + d.name.text;
    else path = d.name.text;
    let body = d.body;
    while (body && body.kind === K.ModuleDeclaration) {
      path += '.' + body.name.text;
      body = body.body;
    }
    return [path, body && body.kind === K.ModuleBlock ? body : null];
  }
  function statement(s, prefix) {
    switch (s.kind) {
      case K.FunctionDeclaration:
        if (s.name) read(s, prefix + s.name.text); else unread(s, 'not named');
        return;
      case K.ClassDeclaration:
        classBody(s, s.name ? prefix + s.name.text : exportsDefault(s) ? 'default' : null);
        return;
      case K.VariableStatement:
        for (const d of s.declarationList.declarations) {
          if (ts.isIdentifier(d.name) && isValue(d.initializer)) {
            read(d.initializer, prefix + d.name.text);
          } else {
            unread(d, 'not named');
          }
        }
        return;
      case K.ExportAssignment:
        if (!s.isExportEquals && ts.isObjectLiteralExpression(s.expression)) {
          objectKeys(s.expression, 'export default');
        } else {
          unread(s, 'not named');
        }
        return;
      case K.ExpressionStatement: {
        const e = s.expression;
        if (ts.isBinaryExpression(e) && e.operatorToken.kind === K.EqualsToken) {
          const name = chain(e.left);
          if (name !== null && name.includes('.')) {
            if (name === 'module.exports' && ts.isObjectLiteralExpression(e.right)) {
              objectKeys(e.right, prefix + name);
              return;
            }
            if (isValue(e.right)) { read(e.right, prefix + name); return; }
          }
        }
        const head = sf.text.slice(s.getStart(sf), s.getStart(sf) + 5);
        if ('(!~+-'.includes(head[0]) || /^void\b/.test(head)) {
          wrappers(e, prefix);
          return;
        }
        unread(s, 'not named');
        return;
      }
      case K.ModuleDeclaration: {
        const [path, block] = namespace(s);
        if (block !== null) scope(block.statements, prefix + path + '.');
        return;
      }
    }
    unread(s, 'in a block');
  }
  function scope(statements, prefix) {
    for (const s of statements) statement(s, prefix);
  }
  scope(sf.statements, '');
  return found;
}

// which identifiers reference which parameter: symbol by symbol, with the checker
function references(sf, checker) {
  const refs = new Map(); // parameter node -> [[start, end, shorthand]]
  function skipped(id) {
    const p = id.parent;
    if (!p) return true;
    if ((ts.isPropertyAccessExpression(p) || ts.isQualifiedName(p)) && (p.name === id || p.right === id)) return true;
    if ((ts.isPropertyAssignment(p) || ts.isPropertyDeclaration(p) || ts.isMethodDeclaration(p)
         || ts.isPropertySignature(p) || ts.isMethodSignature(p) || ts.isGetAccessor(p)
         || ts.isSetAccessor(p) || ts.isEnumMember(p) || ts.isJsxAttribute(p)) && p.name === id) return true;
    if (ts.isBindingElement(p) && p.propertyName === id) return true;
    if ((ts.isLabeledStatement(p) || ts.isBreakOrContinueStatement(p)) && p.label === id) return true;
    if ((ts.isImportSpecifier(p) || ts.isExportSpecifier(p)) && p.propertyName === id) return true;
    return false;
  }
  function visit(n) {
    // (not in a type: a type parameter T and a parameter T are one symbol; typeof x is read)
    if (n.kind === K.Identifier && !skipped(n) && !ts.isPartOfTypeNode(n)) {
      let sym;
      let shorthand = false;
      try {
        if (ts.isShorthandPropertyAssignment(n.parent) && n.parent.name === n) {
          sym = checker.getShorthandAssignmentValueSymbol(n.parent);
          shorthand = true;
        } else {
          sym = checker.getSymbolAtLocation(n);
        }
      } catch (e) { sym = undefined; }
      const decl = sym && sym.valueDeclaration;
      if (decl && decl.kind === K.Parameter && decl.name !== n) {
        if (!refs.has(decl)) refs.set(decl, []);
        refs.get(decl).push([n.getStart(sf), n.end, shorthand]);
      }
    }
    ts.forEachChild(n, visit);
  }
  visit(sf);
  return refs;
}

function mentions(node, words) {
  const seen = new Set();
  (function visit(n) {
    if (n.kind === K.Identifier && words.has(n.text)) {
      const p = n.parent;
      if (!(p && ts.isPropertyAccessExpression(p) && p.name === n)) seen.add(n.text);
    }
    ts.forEachChild(n, visit);
  })(node);
  return seen;
}

const WORDS = new Set(['extra', 'renamedParam']);

function describe(f, sf, refs) {
  const node = f.node;
  const params = node.parameters.map((p) => {
    const named = ts.isIdentifier(p.name);
    return {
      name: named ? p.name.text : null,
      start: p.getStart(sf),
      end: p.end,
      nameStart: p.name.getStart(sf),
      nameEnd: p.name.end,
      rest: !!p.dotDotDotToken,
      this: named && p.name.text === 'this',
      property: ts.isParameterPropertyDeclaration(p, node),
      refs: refs.get(p) || [],
    };
  });
  let comma = null;
  if (node.parameters.hasTrailingComma && params.length > 0) {
    const at = ts.skipTrivia(sf.text, params[params.length - 1].end);
    if (sf.text[at] === ',') comma = at + 1;
  }
  const parens = !ts.isArrowFunction(node)
    || node.getChildren(sf).some((c) => c.kind === K.OpenParenToken);
  const used = mentions(node, WORDS);
  return {
    name: f.name,
    reason: f.reason,
    line: sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1,
    body: !!node.body,
    arguments: node.body ? mentions(node.body, new Set(['arguments'])).size > 0 : false,
    parens,
    comma,
    params,
    extra: used.has('extra'),
    renamed: used.has('renamedParam'),
  };
}

async function format(path, text) {
  if (prettier === null) return null;
  try {
    const config = (await prettier.resolveConfig(path, { editorconfig: true })) || {};
    return await prettier.format(text, { ...config, filepath: path });
  } catch (e) {
    return null;
  }
}

async function analyze(files) {
  const good = files.filter((f) => parses(f.path, f.text));
  let prog = null;
  try { prog = program(good); } catch (e) { prog = null; }
  const checker = prog && prog.getTypeChecker();
  const out = [];
  for (const f of files) {
    const sf = prog && prog.getSourceFile(f.path);
    if (!sf || sf.parseDiagnostics.length > 0) { out.push(null); continue; }
    let functions;
    let names;
    try {
      const refs = references(sf, checker);
      const all = functionsOf(sf);
      const named = (p) => !(ts.isIdentifier(p.name) && p.name.text === 'this');
      functions = all.filter((g) => g.node.parameters.some(named)).map((g) => describe(g, sf, refs));
      // (the names of those without a parameter count too: a name defined twice)
      names = all.filter((g) => g.name !== null).map((g) => g.name);
    } catch (e) {
      out.push({ error: String(e && e.stack || e) });
      continue;
    }
    const formatted = await format(f.path, f.text);
    const changed = formatted !== null && formatted !== f.text;
    out.push({
      functions,
      names,
      prettier: changed ? formatted : null,
      prettierParses: changed ? parses(f.path, formatted) : false,
    });
  }
  return out;
}

async function main() {
  const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of rl) {
    if (!line) continue;
    const req = JSON.parse(line);
    let answer;
    if (req.op === 'analyze') answer = await analyze(req.files);
    else if (req.op === 'parse') answer = req.texts.map((t) => parses(req.path, t));
    else answer = null;
    process.stdout.write(JSON.stringify(answer) + '\n');
  }
}
main();
"""


class Oracle:
    """The node process that runs :data:`ORACLE`."""

    def __init__(self, typescript: Path = TYPESCRIPT, prettier: Path = PRETTIER) -> None:
        self.folder = tempfile.TemporaryDirectory(prefix="js_parameters")
        script = Path(self.folder.name) / "oracle.js"
        script.write_text(ORACLE)
        self.proc = subprocess.Popen(
            ["node", str(script), str(typescript), str(prettier)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )

    def ask(self, request: dict[str, Any]) -> Any:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            sys.exit("the TypeScript oracle (node) stopped")
        return json.loads(line)

    def close(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        self.proc.wait(timeout=60)
        self.folder.cleanup()


@dataclass
class Param:
    name: str | None  # None: a destructuring pattern
    start: int
    end: int
    name_start: int
    name_end: int
    rest: bool
    this: bool
    parameter_property: bool  # a constructor's ``private x``: a field too
    refs: list[tuple[int, int, bool]]  # (start, end, a shorthand property ``{x}``)

    @property
    def written(self) -> str:
        return ("..." if self.rest else "") + (self.name or "")


@dataclass
class Function:
    name: str | None  # as the guard names it; None: not named
    reason: str | None  # why the guard does not read it (by design); None: it does
    line: int
    body: bool
    arguments: bool  # its body reads ``arguments``
    parens: bool  # its parameters are in parentheses (not ``x => …``)
    comma: int | None  # where a trailing comma after the last parameter ends
    params: list[Param]
    has_extra: bool  # it mentions ``extra`` already
    has_renamed: bool  # ... ``renamedParam``


class Offsets:
    """TypeScript's UTF-16 offsets as indexes of a Python string."""

    def __init__(self, text: str) -> None:
        astral = [i for i, c in enumerate(text) if ord(c) > 0xFFFF]
        self.units = [i + k for k, i in enumerate(astral)]  # where each starts, in UTF-16

    def __call__(self, unit: int) -> int:
        return unit - bisect.bisect_left(self.units, unit)


def function_of(raw: dict[str, Any], at: Offsets) -> Function:
    params = [
        Param(
            p["name"],
            at(p["start"]),
            at(p["end"]),
            at(p["nameStart"]),
            at(p["nameEnd"]),
            p["rest"],
            p["this"],
            p["property"],
            [(at(s), at(e), short) for s, e, short in p["refs"]],
        )
        for p in raw["params"]
    ]
    comma = None if raw["comma"] is None else at(raw["comma"])
    return Function(
        raw["name"],
        raw["reason"],
        raw["line"],
        raw["body"],
        raw["arguments"],
        raw["parens"],
        comma,
        params,
        raw["extra"],
        raw["renamed"],
    )


def deleted(text: str, f: Function, i: int) -> str:
    """``text`` without parameter ``i`` of ``f`` and its comma."""
    ps, p = f.params, f.params[i]
    if not f.parens:  # x => x: () => x
        return text[: p.start] + "()" + text[p.end :]
    if i + 1 < len(ps):
        return text[: p.start] + text[ps[i + 1].start :]
    if f.comma is not None:
        return text[: p.start] + text[f.comma :]
    if i > 0:
        return text[: ps[i - 1].end] + text[p.end :]
    return text[: p.start] + text[p.end :]


def added(text: str, f: Function, typed: bool) -> str:
    extra = f"{EXTRA}?: unknown" if typed else EXTRA
    last = f.params[-1]
    if not f.parens:
        return f"{text[: last.start]}({text[last.start : last.end]}, {extra}){text[last.end :]}"
    if f.comma is not None:
        return f"{text[: f.comma]} {extra},{text[f.comma :]}"
    return f"{text[: last.end]}, {extra}{text[last.end :]}"


def moved(text: str, f: Function, typed: bool) -> tuple[str, str] | None:
    """``extra`` (``extra: unknown`` in TypeScript) put before the first parameter
    callers pass (after TypeScript's ``this``): (what the guard must report, the text);
    None where no parameter with a name follows it (destructuring patterns only)."""
    passed = [p for p in f.params if not p.this]
    named = next((k for k, p in enumerate(passed) if p.name), None)
    if named is None:
        return None
    first, q = passed[0], passed[named]
    extra = f"{EXTRA}: unknown" if typed else EXTRA
    if f.parens:
        new = f"{text[: first.start]}{extra}, {text[first.start :]}"
    else:  # x => x: (extra, x) => x
        new = f"{text[: first.start]}({extra}, {text[first.start : first.end]}){text[first.end :]}"
    change = f"(moved from {ordinal(named + 1)} to {ordinal(named + 2)} place)"
    return f"parameter {q.written} of {f.name} {change}", new


def renamed(text: str, p: Param) -> str:
    spans = [(p.name_start, p.name_end, False), *p.refs]
    for start, end, shorthand in sorted(spans, reverse=True):
        name = f"{text[start:end]}: {RENAMED}" if shorthand else RENAMED
        text = text[:start] + name + text[end:]
    return text


@dataclass
class Edit:
    kind: str
    new: str
    where: str
    what: str
    expected: str | None = None  # (deleted, moved) what the guard must report
    why: str | None = None  # (deleted, moved) why it need not, by design
    legal: bool = True  # False: not made (JavaScript would not take it), counted skipped


class Judge:
    def __init__(self) -> None:
        self.rows: dict[str, Counter[str]] = {k: Counter() for k in KINDS}
        self.files: dict[str, set[str]] = {k: set() for k in KINDS}
        self.deletions: dict[str, Counter[str]] = {k: Counter() for k in REFUSED}
        self.false: list[str] = []
        self.misses: list[str] = []
        self.by_design: list[str] = []
        self.misnamed: list[str] = []

    def judge(self, edit: Edit, old: str, path: Path, rel: str, parsed: bool) -> None:
        row = self.rows[edit.kind]
        if not parsed or not edit.legal:
            row["skipped"] += 1
            return
        row["edits"] += 1
        self.files[edit.kind].add(str(path))
        lost = dropped_definitions(old, edit.new, rel, instruction=INSTRUCTION)
        tag = "" if edit.kind == "deleted" else f" ({edit.kind})"
        deletions = self.deletions.get(edit.kind)
        if deletions is None:
            row["refused" if lost else "not refused"] += 1
            if lost:
                self.false.append(
                    f"false refusal ({edit.kind}) {edit.where} {edit.what}: {lost[:4]}"
                )
            return
        if lost:
            row["refused"] += 1
            if edit.why is not None:
                deletions[f"refused although {edit.why}"] += 1
                self.by_design.append(
                    f"refused although {edit.why}{tag}: {edit.where} {edit.what}: {lost[:4]}"
                )
            elif edit.expected in lost:
                deletions["refused"] += 1
            else:
                deletions["another name"] += 1
                self.misnamed.append(
                    f"refused under another name{tag} {edit.where} {edit.what}: {lost[:4]}"
                )
            return
        row["not refused"] += 1
        deletions[edit.why or "missed"] += 1
        if edit.why is None:
            self.misses.append(f"missed{tag} {edit.where} {edit.what}; guard: {lost[:4]}")


def edits_of(
    rng: random.Random, text: str, functions: list[Function], names: Counter[str], shown: str
) -> list[Edit]:
    typed = shown.lower().endswith(TYPED)
    out: list[Edit] = []
    chosen = [f for f in functions if any(not p.this for p in f.params)]
    for f in rng.sample(chosen, min(3, len(chosen))):
        where = f"{shown}:{f.line}"
        named = f.name or "(not named)"
        rest = any(p.rest for p in f.params)
        can_delete = [i for i, p in enumerate(f.params) if p.name and not p.this and p.refs]
        if can_delete:
            i = rng.choice(can_delete)
            p = f.params[i]
            why = f.reason
            if why is None and names[f.name or ""] > 1:
                why = "defined twice"
            if why is None and rest and not p.rest:
                why = "rest parameter"
            if why is None and f.arguments:
                why = "reads arguments"
            expected = f"parameter {p.written} of {f.name}"
            edit = Edit("deleted", deleted(text, f, i), where, f"{p.written} of {named}")
            edit.expected, edit.why = expected, why
            out.append(edit)
        shift = None if f.has_extra else moved(text, f, typed)
        if shift is not None:
            edit = Edit("moved", shift[1], where, f"{EXTRA} put first in {named}")
            edit.expected = shift[0]
            edit.why = f.reason
            if edit.why is None and names[f.name or ""] > 1:
                edit.why = "defined twice"
            edit.legal = f.reason != "accessor"  # (a setter takes one parameter)
            out.append(edit)
        if not (f.params[-1].rest or f.has_extra):
            out.append(Edit("added", added(text, f, typed), where, named))
        can_rename = [p for p in f.params if p.name and not p.this and not p.parameter_property]
        if can_rename and not f.has_renamed:
            q = rng.choice(can_rename)
            out.append(Edit("renamed", renamed(text, q), where, f"{q.written} of {named}"))
        last = f.params[-1]
        if f.body and last.name and not last.this and not last.parameter_property and not last.refs:
            new = deleted(text, f, len(f.params) - 1)
            out.append(Edit("unused dropped", new, where, f"{last.written} of {named}"))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    source_arguments(ap, 10)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    unread: Counter[str] = Counter()
    sources = read_sources(
        args.folders, "*", set(args.exclude), unread, read=utf8_exact, suffixes=SUFFIXES
    )
    files = list(islice(sources, max(args.max, 0)))
    judge = Judge()
    oracle = Oracle()
    read = 0
    try:
        for b in range(0, len(files), BATCH):
            batch = files[b : b + BATCH]
            request = {"op": "analyze", "files": [{"path": str(p), "text": t} for p, _, t in batch]}
            for (path, rel, text), found in zip(batch, oracle.ask(request), strict=True):
                if found is None:
                    unread["not parsed"] += 1
                    continue
                if "error" in found:
                    unread["TypeScript failed"] += 1
                    continue
                read += 1
                at = Offsets(text)
                functions = [function_of(f, at) for f in found["functions"]]
                edits = edits_of(rng, text, functions, Counter(found["names"]), str(path))
                if found["prettier"] is not None:
                    edits.append(Edit("prettier", found["prettier"], str(path), ""))
                texts = [e.new for e in edits]
                ok = oracle.ask({"op": "parse", "path": str(path), "texts": texts}) if texts else []
                for edit, parsed in zip(edits, ok, strict=True):
                    judge.judge(edit, text, path, rel, parsed)
    finally:
        oracle.close()
    report(judge, read, unread, args.show)
    return 0


def report(judge: Judge, read: int, unread: Counter[str], show: int) -> None:
    print(unread_line(read, unread))
    print(
        f"{'edit':<14}  {'files':>5}  {'edits':>6}  {'refused':>7}  {'not refused':>11}  {'skipped':>7}"
    )
    for kind in KINDS:
        row = judge.rows[kind]
        print(
            f"{kind:<14}  {len(judge.files[kind]):>5}  {row['edits']:>6}  {row['refused']:>7}  "
            f"{row['not refused']:>11}  {row['skipped']:>7}"
        )
    for kind, d in judge.deletions.items():
        edits = "deletions" if kind == "deleted" else f"{kind} edits"
        print(
            f"{edits} to refuse: {d['refused'] + d['another name'] + d['missed']}: refused "
            f"{d['refused']}, refused under another name {d['another name']}, missed "
            f"{d['missed']}"
        )
        print(f"{edits} not refused, by design: " + ", ".join(f"{d[w]} {w}" for w in REASONS))
        by_design = sum(n for w, n in d.items() if w.startswith("refused although"))
        print(f"{edits} refused although not read by design: {by_design}")
    benign = sum(judge.rows[k]["refused"] for k in BENIGN)
    print(
        f"false refusals: {benign} ("
        + ", ".join(f"{k} {judge.rows[k]['refused']}" for k in BENIGN)
        + ")"
    )
    shown = [judge.false, judge.misses, judge.misnamed, judge.by_design]
    for line in [line for lines in shown for line in lines[:show]]:
        print(line)
    print("command:", shlex.join([sys.executable, *sys.argv]))


if __name__ == "__main__":
    raise SystemExit(main())
