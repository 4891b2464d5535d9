"""Attacks on the JS/TS rename rule (verifier/jsrenames.py): a broken function hidden
behind edits to the tests that look like a rename.  Each would be a false pass under a
rule that read the tests as loosely as a word-for-word diff does (layout ignored, any
name that follows the code's rename renamed); the rule refuses them, so the edit is
judged with the tests as they were, and fails.  The honest rename still passes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from acrouter.domain import Edit
from acrouter.verifier.jsrenames import edited_module, js_renaming

from .helpers import needs_bwrap, needs_node, task_for, verifier, write_tree

#: a project's own comparison, named like node's assertion
EQ = "function strictEqual(a, b) {\n  return a === b;\n}\n\nmodule.exports = { strictEqual };\n"
TEST_EQ = """\
const test = require('node:test');
const assert = require('node:assert');
const { strictEqual } = require('../eq.js');

test('tells different values apart', () => {
  assert.strictEqual(strictEqual(1, 2), false);
});
"""
#: renamed ok, and broken: every two values are "equal"
OK_BROKEN = EQ.replace("strictEqual", "ok").replace("a === b", "true")


def test_a_harness_property_named_like_the_code_is_not_renamed() -> None:
    # renamed with the code's name, node's assert.strictEqual becomes assert.ok, which
    # checks only that its first argument is truthy: the broken ok(1, 2) is true
    weakened = TEST_EQ.replace("strictEqual", "ok")
    assert js_renaming(TEST_EQ, weakened, {"strictEqual"}, {"ok"}) is None
    honest = TEST_EQ.replace("{ strictEqual }", "{ ok }").replace("(strictEqual(", "(ok(")
    assert js_renaming(TEST_EQ, honest, {"strictEqual"}, {"ok"}) == {"strictEqual": "ok"}


CALC = "function add(a, b) {\n  return a + b;\n}\n\nmodule.exports = { add };\n"
TEST_CALC = """\
const test = require('node:test');
const assert = require('node:assert');
const { add } = require('../calc.js');

test('adds', () => {
  return assert.strictEqual(add(2, 3), 5);
});
"""
PLUS_BROKEN = CALC.replace("add", "plus").replace("a + b", "a - b")
#: the same tokens, a line break after return: automatic semicolon insertion makes it
#: "return;" and the assertion never runs
RETURNS_EARLY = TEST_CALC.replace("{ add }", "{ plus }").replace(
    "return assert.strictEqual(add(", "return\n  assert.strictEqual(plus("
)


def test_a_line_break_that_changes_a_statement_is_no_renaming() -> None:
    assert js_renaming(TEST_CALC, RETURNS_EARLY, {"add"}, {"plus"}) is None


#: add, checking its arguments
CHECKED = """\
function add(a, b) {
  if (typeof a !== 'number' || typeof b !== 'number') throw new TypeError('numbers only');
  return a + b;
}

module.exports = { add };
"""
#: renamed plus, and no longer checking: plus('2', 3) is '23'
UNCHECKED = "function plus(a, b) {\n  return a + b;\n}\n\nmodule.exports = { plus };\n"
TEST_NS = """\
const test = require('node:test');
const assert = require('node:assert');
const calc = require('../calc.js');

test('adds', () => {
  assert.strictEqual(calc.add(2, 3), 5);
});
test('rejects strings', () => {
  assert.throws(() => calc.add('2', 3), TypeError);
});
"""
#: one calc.add renamed, the other left: calc.add is gone from the code, so calling it
#: throws "calc.add is not a function", a TypeError
HALF_RENAMED = TEST_NS.replace("calc.add(2,", "calc.plus(2,")
TEST_TABLE = """\
const test = require('node:test');
const assert = require('node:assert');
const { add } = require('../calc.js');

const bad = [
  { name: 'a string', run: () => add('2', 3) },
  { name: 'null', run: () => add(null, 3) },
];

test('adds', () => {
  assert.strictEqual(add(2, 3), 5);
});
for (const c of bad) {
  test(`rejects ${c.name}`, () => {
    assert.throws(c.run);
  });
}
"""
#: the calls inside the object literals left as they were (read as keys, they were
#: never to be renamed): add is no longer defined, and the ReferenceError is a throw
TABLE_HALF = TEST_TABLE.replace("{ add }", "{ plus }").replace("(add(2,", "(plus(2,")


def test_every_reference_inside_an_object_literal_and_every_member_is_renamed() -> None:
    gone, made = {"add"}, {"plus"}
    assert js_renaming(TEST_NS, HALF_RENAMED, gone, made) is None
    assert js_renaming(TEST_NS, TEST_NS.replace("calc.add", "calc.plus"), gone, made)
    assert js_renaming(TEST_TABLE, TABLE_HALF, gone, made) is None
    assert js_renaming(TEST_TABLE, re.sub(r"\badd\b", "plus", TEST_TABLE), gone, made)
    # a shorthand property is a key and a reference at once: no renaming keeps both
    short = "const { add } = require('./calc');\nconst fns = { add };\n"
    assert js_renaming(short, short.replace("add", "plus"), gone, made) is None
    assert js_renaming(short, short.replace("{ add } =", "{ plus } ="), gone, made) is None
    # keys stay keys: a method, a getter, a generator, a key
    keys = "const { add } = require('./calc');\nconst o = { add: 1, get add() {}, *add() {} };\n"
    assert js_renaming(keys, keys.replace("{ add } =", "{ plus } ="), gone, made)


TEST_FIELDS = """\
const test = require('node:test');
const assert = require('node:assert');
const { add } = require('../calc.js');

class Bad {
  string = () => add('2', 3);
  nothing = () => add();
}

test('adds', () => {
  assert.strictEqual(add(2, 3), 5);
});
test('rejects a string', () => {
  assert.throws(new Bad().string);
});
test('rejects nothing', () => {
  assert.throws(new Bad().nothing);
});
"""
#: the class fields' values left as they were (read as members' names): ReferenceErrors
FIELDS_HALF = TEST_FIELDS.replace("{ add }", "{ plus }").replace("(add(2,", "(plus(2,")


IMPORT = "const { add } = require('./calc');\n"
RENAMED = "const { plus } = require('./calc');\n"


@pytest.mark.parametrize(
    ("old", "attack"),
    [
        (TEST_FIELDS, FIELDS_HALF),
        # a default value in a pattern: a reference, not a key
        ("const { run = () => add('2') } = {};\n", "const { run = () => add('2') } = {};\n"),
        # another object's add bound (read as a key), its uses renamed: they escape to
        # the code's plus
        ("function f(o) { const { add } = o; add(1); }\n", "function f(o) { const { add } = o; plus(1); }\n"),
        ("function f(o) { const { x: add } = o; add(1); }\n", "function f(o) { const { x: add } = o; plus(1); }\n"),
        ("function f() { add(1); }\nimport { a as add } from 'lib';\n", "function f() { plus(1); }\nimport { a as add } from 'lib';\n"),
        # a ternary's branch read as a label
        ("const n = c ? 1 + add : 0;\n", "const n = c ? 1 + add : 0;\n"),
    ],
)  # fmt: skip
def test_names_in_patterns_fields_and_ternaries_are_never_half_renamed(
    old: str, attack: str
) -> None:
    if not old.startswith("const test"):
        old, attack = IMPORT + old, RENAMED + attack
    assert js_renaming(old, attack, {"add"}, {"plus"}) is None
    assert js_renaming(old, re.sub(r"\badd\b(?!s)", "plus", old), {"add"}, {"plus"}) is None


TEST_CATCH = """\
const test = require('node:test');
const assert = require('node:assert');
const { add } = require('../calc.js');

test('adds', () => {
  assert.strictEqual(add(2, 3), 5);
});
test('rejects strings after a parse error', () => {
  assert.throws(() => {
    try {
      JSON.parse('{');
    } catch {
      add('2', 3);
    }
  });
});
"""
#: the braces after a catch without a binding were read as an object, the call at
#: their head as a method's name (never renamed): left as add, a ReferenceError
CATCH_HALF = TEST_CATCH.replace("{ add }", "{ plus }").replace("(add(2,", "(plus(2,")


def test_a_call_at_the_head_of_a_block_is_a_reference() -> None:
    gone, made = {"add"}, {"plus"}
    assert js_renaming(TEST_CATCH, CATCH_HALF, gone, made) is None
    assert js_renaming(TEST_CATCH, re.sub(r"\badd\b", "plus", TEST_CATCH), gone, made)
    # a case's block and a TypeScript return type's read as objects: the call there is
    # a reference all the same; a method is a key
    for body in ("switch (k) {\n  case 1: {\n    add('2', 3);\n  }\n}\n",
                 "function f(): void {\n  add('2', 3);\n}\n"):  # fmt: skip
        old = IMPORT + body
        assert js_renaming(old, RENAMED + body, gone, made) is None
        assert js_renaming(old, old.replace("add", "plus"), gone, made) == {"add": "plus"}
    method = IMPORT + "const o = { add(a) { return a; }, b: 1 };\n"
    assert js_renaming(method, method.replace("{ add } =", "{ plus } ="), gone, made)


TEST_ENUM = """\
const test = require('node:test');
const assert = require('node:assert');
const { add } = require('../calc.js');

const sums = { type: 'number', enum: [5] };

const rejects = (input) => new Promise(() => {
  add(input, 3);
});

test('adds', () => {
  assert.ok(sums.enum.includes(add(2, 3)));
});
test('rejects strings', () => assert.rejects(rejects('2')));
"""
#: the key "enum" was read as an enum's declaration: the next braces as its members,
#: and the call at their head as a member's name (never renamed): a ReferenceError
ENUM_HALF = TEST_ENUM.replace("{ add }", "{ plus }").replace("(add(2,", "(plus(2,")


#: a module the edit leaves alone: the code's functions re-exported, and a plus of its own
LIB = "module.exports = { ...require('./calc.js'), plus: (a, b) => a + b };\n"
TEST_LIB = TEST_CALC.replace("'../calc.js'", "'../lib.js'")
#: renamed as a rename would be: plus now comes from lib.js, whose own plus wins
LIB_RENAMED = TEST_LIB.replace("{ add }", "{ plus }").replace("(add(2", "(plus(2")


def test_a_name_imported_from_a_module_the_edit_left_alone_is_not_the_codes() -> None:
    gone, made = {"add"}, {"plus"}
    edit = ["calc.js", "test/calc.test.js"]
    lib = edited_module("test/calc.test.js", edit)
    assert js_renaming(TEST_LIB, LIB_RENAMED, gone, made, lib) is None
    calc = TEST_CALC.replace("{ add }", "{ plus }").replace("(add(2", "(plus(2")
    assert js_renaming(TEST_CALC, calc, gone, made, lib) == {"add": "plus"}
    # the same renaming, read without knowing which files the edit changed, is one
    assert js_renaming(TEST_LIB, LIB_RENAMED, gone, made) == {"add": "plus"}
    # how node and TypeScript name a file: with or without its suffix, a folder's index,
    # a .js specifier for the .ts file
    assert lib("../calc") and lib("../calc.js") and not lib("../lib.js")
    assert edited_module("test/a.test.ts", ["src/index.ts"])("../src")
    assert edited_module("test/a.test.ts", ["src/calc.ts"])("../src/calc.js")
    assert not edited_module("test/a.test.js", ["src/calc.json"])("../src/calc.json")


@needs_bwrap
@needs_node
@pytest.mark.parametrize(
    ("files", "edit"),
    [
        (
            {"eq.js": EQ, "test/eq.test.js": TEST_EQ},
            {"eq.js": OK_BROKEN, "test/eq.test.js": TEST_EQ.replace("strictEqual", "ok")},
        ),
        (
            {"calc.js": CALC, "test/calc.test.js": TEST_CALC},
            {"calc.js": PLUS_BROKEN, "test/calc.test.js": RETURNS_EARLY},
        ),
        (
            {"calc.js": CHECKED, "test/calc.test.js": TEST_NS},
            {"calc.js": UNCHECKED, "test/calc.test.js": HALF_RENAMED},
        ),
        (
            {"calc.js": CHECKED, "test/calc.test.js": TEST_TABLE},
            {"calc.js": UNCHECKED, "test/calc.test.js": TABLE_HALF},
        ),
        (
            {"calc.js": CHECKED, "test/calc.test.js": TEST_FIELDS},
            {"calc.js": UNCHECKED, "test/calc.test.js": FIELDS_HALF},
        ),
        (
            {"calc.js": CHECKED, "test/calc.test.js": TEST_CATCH},
            {"calc.js": UNCHECKED, "test/calc.test.js": CATCH_HALF},
        ),
        (
            {"calc.js": CHECKED, "test/calc.test.js": TEST_ENUM},
            {"calc.js": UNCHECKED, "test/calc.test.js": ENUM_HALF},
        ),
        (
            {"calc.js": CALC, "lib.js": LIB, "test/calc.test.js": TEST_LIB},
            {"calc.js": PLUS_BROKEN, "test/calc.test.js": LIB_RENAMED},
        ),
    ],
    ids=[
        "assert.strictEqual renamed assert.ok",
        "a line break after return",
        "one calc.add of two renamed",
        "a call in an object literal left unrenamed",
        "calls in class fields left unrenamed",
        "a call in a catch block left unrenamed",
        "a call after an object's key named enum left unrenamed",
        "plus imported from a module the edit left alone",
    ],
)
def test_a_broken_function_behind_a_rename_lookalike_fails(
    tmp_path: Path, files: dict[str, str], edit: dict[str, str]
) -> None:
    root = write_tree(tmp_path / "js", files)
    task = task_for(root, "node --test test/", kind="refactoring")
    v = verifier(timeout_s=60).verify(task, Edit(files=edit), "m")
    assert v.verdict == "fail", v.detail
    assert v.detail.startswith("with your tests (the edit's changes to test/"), v.detail
    # the edit's tests, were they the user's, pass the broken code: only the rule
    # stands between
    tests = {rel: text for rel, text in edit.items() if rel.startswith("test/")}
    theirs = write_tree(tmp_path / "theirs", {**files, **tests})
    code = {rel: text for rel, text in edit.items() if rel not in tests}
    task = task_for(theirs, "node --test test/", kind="refactoring")
    whole = verifier(timeout_s=60).verify(task, Edit(files=code), "m")
    assert whole.verdict == "pass", whole.detail


def test_a_regular_expression_in_a_template_never_changes() -> None:
    # read as a division, /add/ in a substitution showed add as a name to rename
    old = "const { add } = require('./calc');\nconst s = `${/add/.source}`;\n"
    whole = old.replace("add", "plus")
    assert js_renaming(old, whole, {"add"}, {"plus"}) is None
    kept = old.replace("{ add }", "{ plus }")
    assert js_renaming(old, kept, {"add"}, {"plus"}) == {"add": "plus"}


def test_a_name_bound_only_inside_a_function_is_no_binding_of_the_file() -> None:
    # add is f's local; at the top level it is a global (a setup file's, globalThis's):
    # renamed plus, it would be another global, not the code's renamed add
    old = "function f() { const add = (x) => x; return add(1); }\nlog(f(), add(2));\n"
    assert js_renaming(old, old.replace("add", "plus"), {"add"}, {"plus"}) is None
    # bound at the top level, the same uses are the module's
    top = "const { add } = require('./calc');\n" + old
    assert js_renaming(top, top.replace("add", "plus"), {"add"}, {"plus"}) == {"add": "plus"}
