"""Differential check of the JavaScript rename rule (``verifier.jsrenames``): does every
renaming it accepts keep what the test does?

For each snippet (a test body that uses ``add``, imported from the code or read from its
namespace) and every subset of its ``add``s (up to 8 places) renamed to ``plus``, the rule
is asked whether the new text is a renaming of the old one.  Each accepted text is run
under node with the code's function under the new name (and a global ``add`` that a
renaming must never reach), and its trace (calls, logs, what was thrown) is compared
with the old text's under the old name.  A difference is a hole: an edit renaming the
tests so would be judged on tests that do something else.  Prints each hole and the
counts.  Needs ``node`` on PATH; runs one node process per accepted text (~20 s).

    .venv/bin/python benchmarks/js_rename_fuzz.py

The snippets are the red team's (the session that hardened the rule): object literals,
class fields, patterns, labels, ``catch``, ``case``, templates, shadowing, hoisting.
"""

from __future__ import annotations

import argparse
import itertools
import json
import re
import subprocess
import sys

from acrouter.verifier.jsrenames import js_renaming

HEAD = "const { add } = require('./calc.js');\n"
NS = "const calc = require('./calc.js');\n"

SNIPS = [
    "const o = { run: () => add(1) };\nlog(o.run());",
    "const o = { add: 1, b: add(2) };\nlog(o.add, o.b);",
    "class A { x = add(1); m() { return add(2); } static s = add(3); }\nconst a = new A(); log(a.x, a.m(), A.s);",
    "class A { static { log(add(1)); } }",
    "label: { log(add(1)); break label; }",
    "switch (1) { case 1: { log(add(1)); } }",
    "try { throw 1; } catch { log(add(1)); } finally { log(add(2)); }",
    "if (true) { log(add(1)); } else { log(add(2)); }",
    "do { log(add(1)); } while (false);",
    "const f = function () { log(add(1)); };\nf();",
    "const f = async () => { log(add(1)); };\nf();",
    "function* g() { yield add(1); }\nlog([...g()]);",
    "const t = `${add(1)} and ${ { a: add(2) }.a }`;\nlog(t);",
    "const x = 1 ? add(1) : add(2);\nlog(x);",
    "const x = (0, add)(5);\nlog(x);",
    "const arr = [add(1), { k: add(2) }];\nlog(arr[0], arr[1].k);",
    "log(((x) => ({ v: add(x) }))(3).v);",
    "const { v = add(9) } = {};\nlog(v);",
    "const [w = add(8)] = [];\nlog(w);",
    "function f(p = add(7)) { return p; }\nlog(f());",
    "for (const i of [1]) { log(add(i)); }",
    "for (let i = 0; i < 1; i++) log(add(i));",
    "while (true) { log(add(1)); break; }",
    "const o = { get g() { return add(1); }, set s(v) { log(add(v)); } };\nlog(o.g); o.s = 2;",
    "const o = { m() { return add(1); }, async n() { return add(2); } };\nlog(o.m());",
    "const o = { [add(1)]: 2 };\nlog(Object.keys(o));",
    "log(typeof add, add.length);",
    "const f = add;\nlog(f(1));",
    "log(add?.(1), add?.call(null, 2));",
    "const n = { enum: 1, class: 2 };\nconst g = () => { log(add(1)); };\ng();",
    "const o = { a: 1,\n  add2: 2 };\nlog(add(o.a));",
    "x: for (const i of [1]) { log(add(i)); continue x; }",
    "new Promise(() => { log(add(1)); });",
    "(function () { log(add(1)); })();",
    "void (() => { log(add(1)); })();",
    "log(add`t${1}`);",
    "if (true) log(add(1)); else log(add(2));",
    "const o = {\n  a: 1 }\n{ log(add(1)); }",
    "const o = () => {}\n;[1].forEach(() => { log(add(1)); });",
    "const p = { x: 1 }, q = { y: add(1) };\nlog(q.y);",
    "class B extends Object { constructor() { super(); log(add(1)); } }\nnew B();",
    "const o = { 'k': add(1), 2: add(2), [`z`]: add(3) };\nlog(o.k, o[2], o.z);",
    "log({ ...{ a: add(1) } }.a);",
    "const c = class { f = () => add(1) };\nlog(new c().f());",
    "const o = { a: 1 };\nwith_ = 0;\nlog(add(1));",
]
SNIPS2 = [
    "function f(add) { return add; }\nlog(f(1), add(2));",
    "{ const add = (x) => 'L' + x; log(add(1)); }\nlog(add(2));",
    "try { throw (x) => 'E'; } catch (add) { log(add(1)); }\nlog(add(2));",
    "function g() { log(add(1)); var add = (x) => 'V'; }\ng();",
    "function g() { log(add(1)); function add() { return 'H'; } }\ng();",
    "if (true) { function add() { return 'B'; } }\nlog(add(1));",
    "const h = ({ add }) => add(1);\nlog(h({ add: () => 'P' }), add(2));",
    "const h = ({ k: add }) => add(1);\nlog(h({ k: () => 'P' }), add(2));",
    "const [add2, ...rest] = [add];\nlog(add2(1));",
    "class add2 extends Object {}\nlog(add(1));",
    "const o = { add };\nlog(o.add(1));",
    "const o = { add: add };\nlog(o.add(1));",
    "let x;\n({ x = add } = {});\nlog(x(1));",
    "export_ = 1;\nlog(add(1));",
    "log([1].map(add));",
    "const f = (a = add) => a(1);\nlog(f());",
]
RUN = r"""
const calls = [];
const mod = { %s: (x) => { calls.push(['code', x]); return 'r' + x; } };
const log = (...a) => calls.push(['log', ...a.map(String)]);
const require = () => mod;
globalThis.add = (x) => { calls.push(['GLOBAL', x]); return 'g' + x; };
try { (function () { %s })(); } catch (e) { calls.push(['throw', e.constructor.name]); }
setTimeout(() => console.log(JSON.stringify(calls)), 20);
"""


def run(src: str, name: str) -> str:
    """The trace of ``src`` run with the code's function called ``name``."""
    script = RUN % (name, src.replace("require('./calc.js')", "require()"))
    out = subprocess.run(
        ["node", "-e", script], check=False, capture_output=True, text=True, timeout=20
    )
    return out.stdout.strip() + out.stderr.strip()[:200]


def main() -> int:
    argparse.ArgumentParser(
        prog="js_rename_fuzz.py",
        description="Differential check of the JavaScript rename rule: every renaming it "
        "accepts is run under node beside the original; prints each hole and the counts.",
    ).parse_args()
    cases = [HEAD + s for s in SNIPS + SNIPS2] + [
        NS + s.replace("add(", "calc.add(") for s in SNIPS
    ]
    accepted = holes = 0
    for old in cases:
        spots = [m.start() for m in re.finditer(r"(?<![\w$'])add(?![\w$])", old)][:8]
        base = run(old, "add")
        for k in range(1, len(spots) + 1):
            for combo in itertools.combinations(spots, k):
                new = old
                for pos in sorted(combo, reverse=True):
                    new = new[:pos] + "plus" + new[pos + 3 :]
                if js_renaming(old, new, {"add"}, {"plus"}) is None:
                    continue
                accepted += 1
                got = run(new, "plus")
                if got != base:
                    holes += 1
                    print("HOLE", json.dumps(new), "\n  old:", base, "\n  new:", got)
    print(f"snippets {len(cases)}, renamings accepted {accepted}, holes {holes}")
    return 1 if holes else 0


if __name__ == "__main__":
    sys.exit(main())
