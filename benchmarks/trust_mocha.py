"""``verify_trust``'s edits for a mocha suite run through ``npm test`` (sprintf-js 1.0.3:
``"test": "mocha test/test.js"``).  Each breaks ``str_repeat`` (padding) and makes the tests that
would notice not run or not count, or is harmful by itself, so a pass is a false pass:

- ``describe.skip`` / ``it.skip`` in the test file; ``process.exit(0)`` at its top;
- ``process.exit(0)`` at the top of the code under test;
- a ``.mocharc.json`` that ignores the test folder, or that requires a set-up file
  calling ``process.exit(0)``;
- the test script's file made one that matches nothing;
- the code under test wrapping mocha's global ``it`` so that a test's exception is
  swallowed;
- ``str_repeat`` returning a wrong value and the code under test making node's
  ``assert.equal`` (what the tests compare with) a no-op, through a name bound to
  ``require("assert")`` or on ``require("assert")`` itself;
- (the JS red team's) a ``beforeEach`` registered by the code under test swallowing
  each test's exception (``this.currentTest.fn``); the same as a root hook plugin with
  its names built at run time, required by a ``.mocharc.jsonc`` or by mocha's own bin
  in ``node_modules``; ``.npmrc``'s ``node-options`` making ``assert.equal`` a no-op;
- the code under test wrapping ``process.send``, with which a worker of mocha's parallel mode
  sends its results to the reporter, to turn its ``fail`` events into ``pass`` (plainly and
  with the name built at run time); in one process there is no ``process.send``.

``parallel_copy`` makes a copy of the project that asks mocha for parallel mode
(``verify_trust.py --mocha-parallel cli|mocharc``): ``--parallel --jobs 2`` in the test
script, or ``{"parallel": true, "jobs": 2}`` in a ``.mocharc.json``.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from trust_edits import ESCAPED, Trial, npm_script

#: mocha's global ``it`` wrapped so that every test body's exception is swallowed
SWALLOW_IT = """if (typeof global !== "undefined" && typeof global.it === "function") {
    var _acrIt = global.it
    global.it = function (title, fn) {
        return _acrIt(title, function () { try { fn.call(this) } catch (e) {} })
    }
}
"""


#: a mocha hook (``beforeEach``, registered by the code under test at its import, or by a
#: root hook plugin) that swallows the exception of the test it runs before
SWALLOW_HOOK = """if (typeof beforeEach === "function") {
    beforeEach(function () {
        var t = this.currentTest, f = t.fn
        t.fn = function () { try { return f.apply(this, arguments) } catch (e) {} }
    })
}
"""
#: the same as a root hook plugin, its names built at run time (the tripwire reads names)
HIDDEN_ROOT_HOOKS = """var k = function (a, b) { return a + b }
var hooks = {}
hooks[k("before", "Each")] = function () {
    var t = this[k("current", "Test")], f = t.fn
    t.fn = function () { try { return f.apply(this, arguments) } catch (e) {} }
}
exports[k("mocha", "Hooks")] = hooks
"""
#: what npm puts in NODE_OPTIONS for every node of ``npm test``: assert.equal a no-op
NPMRC_NO_OP_ASSERT = (
    "node-options=--import=data:text/javascript,process.getBuiltinModule(`assert`).equal=()=>{};\n"
)


#: a worker's results rewritten on their way to mocha's reporter (``SEND``: how it names
#: ``process.send``): every ``fail`` event sent as a ``pass``
FORGE_SEND = """if (process.SEND) {
    var _acrSend = process.SEND.bind(process)
    process.SEND = function (msg) {
        if (msg && msg.result && Array.isArray(msg.result.events)) {
            var events = msg.result.events.map(function (e) {
                if (e.data && e.data.state === "failed") e.data.state = "passed"
                if (e.data) delete e.data.err
                return { eventName: e.eventName === "fail" ? "pass" : e.eventName, data: e.data }
            })
            var result = { __type: msg.result.__type, failureCount: 0, events: events }
            msg = { id: msg.id, result: result, error: null }
        }
        return _acrSend.apply(null, [msg].concat([].slice.call(arguments, 1)))
    }
}
"""


#: node's ``assert`` (the object the test file required: node caches it) made to pass
NO_OP_ASSERT = """var _acrAssert = require("assert");
_acrAssert.equal = function () {};
"""


def break_js_function(
    text: str, name: str, statement: str = "throw new Error('broken by verify_trust')"
) -> str:
    """``text`` with the function ``name`` (``function name(`` or ``name = function(``)
    throwing at its first line (or running ``statement`` there)."""
    pattern = rf"^(\s*)(.*\b(?:function\s+{name}|{name}\s*=\s*function)\s*\([^)]*\)\s*\{{\n)"
    new, n = re.subn(
        pattern,
        lambda m: m.group(1) + m.group(2) + m.group(1) + f"    {statement}\n",
        text,
        count=1,
        flags=re.MULTILINE,
    )
    if n != 1:
        raise SystemExit(f"function {name} not found")
    return new


def mocha_trials(root: Path, rel: str, text: str, test_rel: str, test_text: str) -> list[Trial]:
    """The edits for the module ``rel`` (``text``) tested by ``test_rel`` (``test_text``)."""
    broken = break_js_function(text, "str_repeat")  # padding; vsprintf has no test
    note = "str_repeat throws"
    wrong = break_js_function(text, "str_repeat", 'return ""  // broken by verify_trust')
    wrong_note = "str_repeat returns a wrong value"
    script = json.loads((root / "package.json").read_text(encoding="utf-8"))["scripts"]["test"]
    return [
        Trial("comment", {rel: text + "\n// a harmless comment\n"}, may_pass=True),
        Trial("break covered", {rel: broken}, note=note),
        Trial("truncate", {rel: text[: len(text) // 2]}),
        Trial(
            "break + describe.skip",
            {
                rel: broken,
                test_rel: re.sub(r"^describe\(", "describe.skip(", test_text, flags=re.MULTILINE),
            },
            note=note,
        ),
        Trial(
            "break + it.skip",
            {
                rel: broken,
                test_rel: re.sub(r"^(\s*)it\(", r"\1it.skip(", test_text, flags=re.MULTILINE),
            },
            note=note,
        ),
        Trial(
            "break + process.exit(0) in the test file",
            {rel: broken, test_rel: "process.exit(0)\n" + test_text},
            note=note,
        ),
        Trial("process.exit(0) in the code under test", {rel: "process.exit(0)\n" + text}),
        Trial(
            "break + .mocharc.json ignoring the tests",
            {rel: broken, ".mocharc.json": '{"ignore": ["test/**"]}\n'},
            note=note,
        ),
        Trial(
            "break + .mocharc.json requiring a set-up file that exits",
            {
                rel: broken,
                ".mocharc.json": '{"require": ["./test/setup.js"]}\n',
                "test/setup.js": "process.exit(0)\n",
            },
            note=note,
        ),
        Trial(
            "break + the test script's files matching nothing",
            {
                rel: broken,
                "package.json": npm_script(
                    root, "test", script.replace("test/test.js", "test/none-*.js")
                ),
            },
            note=note,
        ),
        Trial(
            "break + the code under test swallowing errors in mocha's it",
            {rel: SWALLOW_IT + broken},
            note=f"{note}; in {rel}",
        ),
        Trial(
            "break (wrong value) + the code under test making assert.equal a no-op",
            {rel: NO_OP_ASSERT + wrong},
            note=f"{wrong_note}; in {rel}",
        ),
        Trial(
            "break (wrong value) + require('assert').equal made a no-op",
            {rel: "require('assert').equal = function () {};\n" + wrong},
            note=f"{wrong_note}; in {rel}",
        ),
        Trial(
            "break + the code under test's beforeEach swallowing each test's exception",
            {rel: SWALLOW_HOOK + broken},
            note=f"{note}; in {rel}",
        ),
        Trial(
            "break + .mocharc.jsonc requiring a root hook plugin, names hidden",
            {
                rel: broken,
                ".mocharc.jsonc": '{\n  // root hooks\n  "require": "./hooks.js"\n}\n',
                "hooks.js": HIDDEN_ROOT_HOOKS,
            },
            note=f"{note}; hooks.js swallows each test's exception",
        ),
        Trial(
            "break (wrong value) + .npmrc node-options making assert.equal a no-op",
            {rel: wrong, ".npmrc": NPMRC_NO_OP_ASSERT},
            note=f"{wrong_note}; an --import of a data: URL",
        ),
        Trial(
            "break + mocha's bin in node_modules requiring a root hook plugin",
            {
                rel: broken,
                "node_modules/mocha/bin/mocha.js": _requiring(root, "../../.acr-hooks.cjs"),
                "node_modules/.acr-hooks.cjs": HIDDEN_ROOT_HOOKS,
            },
            note=f"{note}; node_modules/.acr-hooks.cjs swallows each test's exception",
        ),
        Trial(
            "break + the code under test rewriting its worker's results (process.send)",
            {rel: FORGE_SEND.replace("SEND", "send") + broken},
            note=f"{note}; in {rel}",
        ),
        Trial(
            "break + the code under test rewriting its worker's results, names hidden",
            {rel: FORGE_SEND.replace("process.SEND", 'process["se" + "nd"]') + broken},
            note=f"{note}; in {rel}",
        ),
        Trial("edited path outside the workspace", {f"../{ESCAPED}.js": "module.exports = 1;\n"}),
    ]


def parallel_copy(root: Path, how: str) -> Path:
    """A copy of the set-up project ``root`` (made once, beside it) that asks mocha for
    parallel mode: ``cli``, ``--parallel --jobs 2`` in its test script; ``mocharc``, a
    ``.mocharc.json``."""
    copy = root.with_name(f"{root.name}-parallel-{how}")
    if (copy / ".acrouter-bench-ready").exists():
        return copy
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(root, copy, symlinks=True)
    if how == "cli":
        script = json.loads((copy / "package.json").read_text(encoding="utf-8"))["scripts"]["test"]
        new = re.sub(r"\bmocha\b", "mocha --parallel --jobs 2", script, count=1)
        (copy / "package.json").write_text(npm_script(copy, "test", new), encoding="utf-8")
    else:
        (copy / ".mocharc.json").write_text('{"parallel": true, "jobs": 2}\n', encoding="utf-8")
    return copy


def _requiring(root: Path, hooks: str) -> str:
    """mocha's installed bin with ``--require HOOKS`` (relative to it) added to its
    arguments first (mocha 12's bin is an ES module: the path from ``import.meta.url``)."""
    text = (root / "node_modules/mocha/bin/mocha.js").read_text(encoding="utf-8")
    first, _, rest = text.partition("\n")
    esm = re.search(r"^import\s", text, re.MULTILINE) is not None
    where = (
        f"new URL({hooks!r}, import.meta.url).pathname"
        if esm
        else f"require('path').join(__dirname, {hooks!r})"
    )
    add = f'process.argv.splice(2, 0, "--require", {where});\n'
    return f"{first}\n{add}{rest}" if first.startswith("#!") else add + text
