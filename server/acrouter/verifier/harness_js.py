"""The tripwire of ``harness`` for JavaScript and TypeScript: what a module of the code
under test does with its test runner or the tests' assertions.

The code under test runs in the tests' process, and node caches every module, so the
``assert`` (or ``chai``) a test requires is the object the code under test required:
``require("assert").strictEqual = () => {}`` from the package makes every comparison
pass.  Found, as a finding each:

- a runner's globals assigned (``global.it = ...``, ``globalThis["describe"] = ...``, a
  bare ``expect = ...`` where the module declares no ``expect``) or a runner loaded
  (``require("mocha")``, ``tape``, ``jest``, ``vitest``, ``node:test``, ...);
- a runner's hook or test function called where the module declares no such name
  (``beforeEach(...)``, ``after(...)``, ``it(...)``), and mocha's ``currentTest``: a
  ``beforeEach`` that the code under test registers at its import runs before every
  test, and ``this.currentTest.fn = ...`` swallowed each test's exception (verified
  with a function broken, ``tests/verifier/test_redteam_js_files.py``);
- an assertion library loaded that only tests use (``chai``, ``should``, ``expect.js``,
  ``power-assert``, ...), or one changed: a member assigned or deleted on
  ``require("assert")`` or a name bound to it (``const assert = require("node:assert");
  assert.equal = ...``, ``import assert from "assert/strict"``, ``const { assert } =
  require("chai")``), or the object passed to ``Object.assign`` / ``defineProperty``;
- what assertions rely on: ``Object.prototype`` (``should``'s getter), ``Object.is``
  and the other statics of ``Object``, a prototype through ``__proto__``;
- node's coverage, which says which changed lines the tests ran (:mod:`.lines_js`):
  ``NODE_V8_COVERAGE`` (where it is written), ``v8.takeCoverage`` / ``stopCoverage``
  and the inspector's ``Profiler.*PreciseCoverage`` (code that forged or reset it would
  hide lines no test ran), and jest's and vitest's (:mod:`.lines_istanbul`): their
  report ``coverage-final.json``, the options naming where it goes
  (``coverageDirectory``, ``reportsDirectory``) and istanbul's ``__coverage__``;
- what ``node --test`` sends its results through: each test file runs in a child
  process (node's default isolation, whatever ``--test-concurrency``) whose reporter
  writes them to its stdout as V8-serialized messages, which the parent reads for the
  reporters; code under test wrapping ``process.stdout.write`` to rewrite ``test:fail``
  into ``test:pass`` (with ``v8``'s ``DefaultDeserializer`` / ``DefaultSerializer``) was
  verified with ``add`` broken (node 20,
  ``tests/verifier/test_parallel_node.py``).  So a member of ``process.stdout`` /
  ``process.stderr`` assigned or defined, and in a module that names ``v8``, its
  ``Serializer`` / ``Deserializer`` / ``serialize`` / ``deserialize``;
- the module loader: ``Module._load`` / ``Module.prototype.require`` (what lets code hand
  a test another ``assert``), ``require.cache[...] = ...``, ``require.extensions``, and
  its hooks: a ``register(...)`` call in a module that names ``node:module`` (a
  ``resolve`` hook made the ``node:assert`` of the test files mocha imports after it a
  no-op, verified with a function broken) and ``registerHooks(...)``.

Read with regular expressions, not a parser: a string or comment that looks like one of
these counts too (only what an edit adds counts, so this costs a false alarm only on an
edit that adds it), and code that builds the names at run time is not seen.
"""

from __future__ import annotations

import re
from collections import Counter

from .lines_js import COVERAGE_VAR

#: the globals a JS test runner (or assertion library) defines, which code under test has
#: no business replacing
_GLOBALS = (
    "it|xit|fit|describe|xdescribe|fdescribe|context|specify|suite|test|expect"
    "|before|after|beforeEach|afterEach|beforeAll|afterAll|assert|should|chai"
)
#: of those, the ones distinctive enough to count when assigned bare (an implicit global)
_BARE_GLOBALS = (
    "it|xit|fit|describe|xdescribe|fdescribe|expect|beforeEach|afterEach|beforeAll|afterAll"
)
#: the runner's functions that register hooks or tests, which code under test has no
#: business calling
_RUNNER_CALLS = (
    "it|xit|fit|describe|xdescribe|fdescribe|context|specify|suite|test"
    "|before|after|beforeEach|afterEach|beforeAll|afterAll"
)
#: packages only tests load: the runners, and assertion libraries other than node's
_TEST_ONLY = (
    "mocha|tape|tap|jest|vitest|ava|node:test|@jest/globals|@jest/core|jest-circus"
    "|@vitest/runner|@jest/expect|chai|should|expect|expect\\.js|power-assert|unexpected"
    "|uvu/assert"
)
#: packages that code may load but not change: node's assert, the module loader
_NOT_CHANGED = "(?:node:)?assert(?:/strict)?|(?:node:)?module|" + _TEST_ONLY
#: the global object's names (``self`` only where the module does not declare its own)
_GLOBAL_OBJECTS = "global|globalThis|window|self"
_Q = "['\"`]"
_NAME = r"[A-Za-z_$][\w$]*"
#: a member chain: ``.a.b``, ``["a"]``
_CHAIN = r"(?:\s*(?:\.\s*[\w$]+|\[[^\]\n]*\]))+"
#: an assignment operator (not ``==`` / ``=>``)
_ASSIGN = r"\s*(?:[-+*/%&|^]|\*\*|<<|>>>?|&&|\|\||\?\?)?=(?![=>])"
_REQUIRE = rf"require\s*\(\s*{_Q}(?:{_NOT_CHANGED}){_Q}\s*\)"

_PATTERNS = (
    (  # global.it = ..., globalThis["describe"] = ...
        re.compile(
            rf"\b(?P<obj>{_GLOBAL_OBJECTS})\s*(?:\.\s*|\[\s*{_Q})(?P<name>{_GLOBALS})\b"
            rf"(?:{_Q}\s*\])?{_ASSIGN}"
        ),
        "changes global.{}",
    ),
    (  # Object.defineProperty(global, "it", ...)
        re.compile(
            rf"\bdefineProperty\s*\(\s*(?P<obj>{_GLOBAL_OBJECTS})\s*,\s*{_Q}(?P<name>{_GLOBALS}){_Q}"
        ),
        "changes global.{}",
    ),
    (re.compile(rf"\brequire\s*\(\s*{_Q}({_TEST_ONLY}){_Q}\s*\)"), "requires {}"),
    (re.compile(rf"\b(?:from|import)\s*\(?\s*{_Q}({_TEST_ONLY}){_Q}"), "imports {}"),
    (  # require("assert").equal = ...
        re.compile(rf"(?<![\w$.])({_REQUIRE}{_CHAIN}){_ASSIGN}"),
        "changes {}",
    ),
    (  # Object.prototype.should = ..., Object.defineProperty(Object.prototype, ...)
        re.compile(
            rf"\bObject\s*\.\s*prototype{_CHAIN}{_ASSIGN}"
            r"|\b(?:Object|Reflect)\s*\.\s*(?:defineProperty|defineProperties|assign|set"
            r"|setPrototypeOf|deleteProperty)\s*\(\s*Object\s*\.\s*prototype\b"
        ),
        "changes Object.prototype",
    ),
    (re.compile(rf"\bObject\s*\.\s*([\w$]+){_ASSIGN}"), "changes Object.{}"),
    (re.compile(rf"\.\s*__proto__{_CHAIN}{_ASSIGN}"), "changes a prototype through __proto__"),
    (  # Module._load = ..., module.constructor.prototype.require = ...
        re.compile(
            r"\b(?:Module|module\s*\.\s*constructor)\s*\.\s*(_load|_resolveFilename|_extensions"
            rf"|prototype\s*\.\s*(?:require|_compile))\b(?:\s*\[[^\]\n]*\])?{_ASSIGN}"
        ),
        "changes Module.{}",
    ),
    (re.compile(rf"\brequire\s*\.\s*(cache|extensions){_CHAIN}{_ASSIGN}"), "changes require.{}"),
    (re.compile(r"\b(currentTest)\b"), "uses mocha's {}"),  # the test a hook runs before
    (re.compile(r"\b(registerHooks)\s*\("), "uses the module loader's {}"),
    (  # the coverage the verifier reads the lines run from (:mod:`.lines_js`)
        re.compile(
            rf"\b({COVERAGE_VAR}|takeCoverage|stopCoverage"
            r"|(?:take|stop|start)PreciseCoverage)\b"
        ),
        "uses node's coverage: {}",
    ),
    (  # jest's and vitest's coverage, where the verifier reads it (:mod:`.lines_istanbul`)
        re.compile(r"\b(coverage-final\.json|coverageDirectory|reportsDirectory|__coverage__)"),
        "uses the runner's coverage: {}",
    ),
)
#: a member of the process's output streams assigned or defined (``process.stdout.write =
#: ...``, ``Object.defineProperty(process.stdout, "write", ...)``): node's test runner
#: sends a test file's results to the parent through its child's stdout
_STREAMS = re.compile(
    rf"\bprocess\s*\.\s*(stdout|stderr)(?:{_CHAIN}){_ASSIGN}"
    r"|\b(?:Object|Reflect)\s*\.\s*(?:defineProperty|defineProperties|assign|set)\s*\(\s*"
    r"process\s*\.\s*(stdout|stderr)\b"
)
#: V8's serialization (how the child's results are written), in a module naming ``v8``
_V8 = re.compile(rf"{_Q}(?:node:)?v8{_Q}")
_V8_SERDES = re.compile(r"\b((?:Default)?(?:Serializer|Deserializer)|serialize|deserialize)\b")
#: the module loader's hooks for ``import`` (``register`` from ``node:module``): a
#: ``resolve`` hook hands the later test files another ``node:assert``
_MODULE = re.compile(rf"{_Q}(?:node:)?module{_Q}")
_REGISTER = re.compile(r"(?<![\w$])register\s*\(|\.\s*register\s*\(")

#: names bound to a package of ``_NOT_CHANGED``: ``const a = require("assert")``,
#: ``import a from "assert"``, ``import * as a from ...``, ``import a = require(...)``,
#: ``const a = await import("assert")``
_BOUND = re.compile(
    rf"(?<![\w$.])({_NAME})\s*=\s*(?:{_REQUIRE}|(?:await\s+)?import\s*\(\s*{_Q}(?:{_NOT_CHANGED}){_Q})"
    rf"|\bimport\s+(?:\*\s*as\s+)?({_NAME})\s*(?:,\s*\{{[^}}]*\}}\s*)?from\s*{_Q}(?:{_NOT_CHANGED}){_Q}"
)
#: names destructured from one: ``const { assert: a } = require("chai")``,
#: ``import { strict as a } from "assert"``
_DESTRUCTURED = re.compile(
    rf"\{{([^}}]*)\}}\s*=\s*{_REQUIRE}"
    rf"|\bimport\s+(?:{_NAME}\s*,\s*)?\{{([^}}]*)\}}\s*from\s*{_Q}(?:{_NOT_CHANGED}){_Q}"
)


def _bound_names(text: str) -> set[str]:
    names = {m.group(1) or m.group(2) for m in _BOUND.finditer(text)}
    for m in _DESTRUCTURED.finditer(text):
        for part in (m.group(1) or m.group(2)).split(","):
            local = re.split(r"\s*(?::|\bas\b)\s*", part.split("=")[0].strip())[-1].strip()
            if re.fullmatch(_NAME, local):
                names.add(local)
    return names


def _changes_to(name: str, text: str) -> Counter[str]:
    """Members of the object bound to ``name`` assigned or deleted, and the object
    passed to ``Object.assign`` / ``defineProperty`` / ``Reflect.set``."""
    found: Counter[str] = Counter()
    n = re.escape(name)
    for m in re.finditer(rf"(?<![\w$.])({n}{_CHAIN}){_ASSIGN}|\bdelete\s+({n}{_CHAIN})", text):
        found["changes " + re.sub(r"\s+", "", m.group(1) or m.group(2))] += 1
    mutators = r"(?:Object|Reflect)\s*\.\s*(?:assign|defineProperty|defineProperties|set|setPrototypeOf|deleteProperty)"
    for _m in re.finditer(rf"\b{mutators}\s*\(\s*{n}\s*[,)]", text):
        found[f"changes {name}"] += 1
    return found


def _declares(name: str, text: str, braces: str = "") -> bool:
    """Whether the module declares ``name`` (a variable, function, class or parameter;
    ``braces="{}"``: or a name destructured, ``const { after } = ...``), so that it is
    not the runner's global."""
    o, c = braces[:1], braces[1:]
    declared = rf"\b(?:var|let|const|function|class)\s+{name}\b|[({o},]\s*{name}\s*[,){c}=]"
    return re.search(declared, text) is not None


def _bare_globals(text: str) -> Counter[str]:
    """``expect = ...`` at the start of a statement, where the module declares no
    ``expect`` (an implicit global in sloppy code); and a call of the runner's hooks or
    test functions (``beforeEach(function () { this.currentTest.fn = ... })``: mocha
    runs a hook the code under test registers at its import before every test, with
    the test in reach)."""
    found: Counter[str] = Counter()
    for m in re.finditer(rf"(?:^|[;{{}}])[ \t]*({_BARE_GLOBALS}){_ASSIGN}", text, re.MULTILINE):
        if not _declares(m.group(1), text):
            found[f"changes global {m.group(1)}"] += 1
    for m in _CALL.finditer(_COMMENT.sub(" ", text)):
        if not _declares(m.group(1), text, "{}"):
            found[f"calls the runner's {m.group(1)}"] += 1
    return found


#: comments (``//`` after a blank or at a line's start, not a URL's): prose such as
#: "it (see below)" is no call
_COMMENT = re.compile(r"/\*.*?\*/|(?:^|(?<=\s))//[^\n]*", re.DOTALL)
#: a call ``it(...)``: the name right before its parenthesis (not a method's
#: definition or TypeScript signature, ``test(path) {``, ``describe(d: string): this``)
_CALL = re.compile(rf"(?<![\w$.])({_RUNNER_CALLS})\((?![^()\n]*\)\s*[{{:])")


def js_harness_uses(text: str) -> Counter[str]:
    """What the JavaScript / TypeScript module ``text`` does with its test runner and
    the tests' assertions (see the module's docstring)."""
    found: Counter[str] = Counter()
    own_self = re.search(r"\b(?:var|let|const)\s+self\b", text) is not None  # self = this
    for pattern, what in _PATTERNS:
        for m in pattern.finditer(text):
            named = m.groupdict()
            if named.get("obj") == "self" and own_self:
                continue
            group = named.get("name") or next((g for g in m.groups() if g), "")
            found[what.format(re.sub(r"\s+", "", group))] += 1
    for name in _bound_names(text):
        found += _changes_to(name, text)
    if _MODULE.search(text):
        found["uses the module loader's register"] += len(_REGISTER.findall(text))
    for m in _STREAMS.finditer(text):
        found[f"changes process.{m.group(1) or m.group(2)} (node --test's results)"] += 1
    if _V8.search(text):
        for m in _V8_SERDES.finditer(text):
            found[f"uses v8's {m.group(1)} (node --test's results)"] += 1
    found += _bare_globals(text)
    return found
