"""A rename across JavaScript code and its tests (``add`` to ``plus`` in calc.js and in its
node:test/jest/mocha tests) is verified on the tests renamed, as in Python.  Before, the
code was judged first with the tests as they were, which still import ``add``: every
model's rename failed, was held against it, and the request escalated through every
model.  Anything more than a renaming of what the code renamed is judged as before."""

from __future__ import annotations

from pathlib import Path

import pytest
from acrouter.domain import Edit
from acrouter.verifier.edits import texts_before
from acrouter.verifier.jsrenames import js_code_renames, js_renaming
from acrouter.verifier.renames import renames_in_tests

from .helpers import needs_bwrap, needs_node, task_for, verifier, write_tree

CALC = """\
function add(a, b) {
  return a + b;
}

function mul(a, b) {
  return a * b;
}

module.exports = { add, mul };
"""
PLUS = CALC.replace("add", "plus")
TEST = """\
const test = require('node:test');
const assert = require('node:assert');
const { add, mul } = require('../calc.js');

test.describe('calc', () => {
  // add adds
  test.it('adds', () => { assert.strictEqual(add(2, 3), 5); });
  test.it('multiplies', () => { assert.strictEqual(mul(2, 3), 6); });
});
"""
RENAMED = TEST.replace("{ add,", "{ plus,").replace("(add(", "(plus(")
GONE, MADE = {"add"}, {"plus"}


def test_a_renaming_is_read_from_the_tokens() -> None:
    assert js_renaming(TEST, RENAMED, GONE, MADE) == {"add": "plus"}
    # a comment may follow the rename, or stay
    assert js_renaming(TEST, RENAMED.replace("// add adds", "// plus adds"), GONE, MADE)
    assert js_renaming(TEST, RENAMED.replace("// add adds", "// fine"), GONE, MADE) is None
    # ES modules: a named import, a namespace's member, a default import
    esm = (
        "import * as calc from './calc';\nimport { add } from './calc';\n"
        "test('adds', () => { expect(calc.add(1, 2) + add(1, 1)).toBe(5); });\n"
    )
    renamed = esm.replace("calc.add", "calc.plus").replace("{ add }", "{ plus }")
    assert js_renaming(esm, renamed.replace("+ add(", "+ plus("), GONE, MADE) == {"add": "plus"}
    default = "import add from '../src/add.js';\nit('adds', () => expect(add(1, 2)).toBe(3));\n"
    assert js_renaming(
        default, default.replace("add(", "plus(").replace("import add", "import plus"), GONE, MADE
    )
    # the namespace of a require, read as a member
    cjs = "const calc = require('./calc');\nit('adds', () => expect(calc.add(1, 2)).toBe(3));\n"
    assert js_renaming(cjs, cjs.replace("calc.add", "calc.plus"), GONE, MADE) == {"add": "plus"}


def test_the_code_renames_are_definitions_gone_and_new() -> None:
    assert js_code_renames({"calc.js": CALC}, {"calc.js": PLUS}) == (GONE, MADE)
    esm = "export function add(a, b) { return a + b }\nexport const mul = (a, b) => a * b\n"
    assert js_code_renames({"calc.mjs": esm}, {"calc.mjs": esm.replace("add", "plus")}) == (
        GONE,
        MADE,
    )
    cjs = "exports.add = (a, b) => a + b;\n"
    assert js_code_renames({"calc.js": cjs}, {"calc.js": cjs.replace("add", "plus")}) == (
        GONE,
        MADE,
    )
    # add still named in the code after (a Set's add, a string): not gone; a comment
    # naming it changes nothing
    for kept in ("seen.add(1)", "Object.defineProperty(exports, 'add', {})"):
        assert js_code_renames({"calc.js": CALC}, {"calc.js": PLUS + kept + "\n"})[0] == set()
    assert js_code_renames({"calc.js": CALC}, {"calc.js": PLUS + "// add\n"}) == (GONE, MADE)
    # an alias that keeps the old name exported is no rename (nor one the other way)
    esm_plus = esm.replace("add", "plus")
    kept = {"calc.mjs": esm_plus + "export { plus as add }\n"}
    assert js_code_renames({"calc.mjs": esm}, kept)[0] == set()
    alias = {"calc.mjs": esm + "export { add as plus }\n"}
    assert js_code_renames({"calc.mjs": esm}, alias) == (set(), set())
    # plus named in the code before: not new
    assert js_code_renames({"calc.js": CALC + "x['plus']\n"}, {"calc.js": PLUS})[1] == set()
    # a method is no definition here: reached through objects whose type is not seen
    cls = "class Calc {\n  add(a, b) { return a + b }\n}\nmodule.exports = { Calc }\n"
    assert js_code_renames({"c.js": cls}, {"c.js": cls.replace("add", "plus")}) == (set(), set())


@pytest.mark.parametrize(
    "new",
    [
        RENAMED.replace("), 5)", "), 6)"),  # an expected value changed alongside
        RENAMED.replace("plus(2, 3)", "plus(2, 2)"),  # an extra token changed
        RENAMED.replace("'adds'", "'plus'"),  # a test's name (a string)
        RENAMED.replace("'../calc.js'", "'../plus.js'"),  # a module specifier (a file renamed)
        RENAMED.replace("test.it('multiplies'", "test.skip('multiplies'"),  # a harness name
        RENAMED.replace("assert.strictEqual(mul", "assert.ok(mul"),
        RENAMED.replace(
            "{ assert.strictEqual(plus", "{\n  assert.strictEqual(plus"
        ),  # a line break
        RENAMED + "test.it('more', () => {});\n",  # more tokens
        RENAMED.replace("// add adds", "// @jest-environment plus"),
    ],
)
def test_anything_more_than_the_renaming_is_not_one(new: str) -> None:
    assert js_renaming(TEST, new, GONE, MADE) is None


def test_only_names_the_code_renamed_count() -> None:
    # mul -> times in the tests, but the code kept mul
    other = RENAMED.replace("mul }", "times }").replace("(mul(", "(times(")
    assert js_renaming(TEST, other, GONE, MADE) is None
    assert js_renaming(TEST, other, {"add", "mul"}, {"plus", "times"}) == {
        "add": "plus",
        "mul": "times",
    }


def test_two_names_never_become_one() -> None:
    both = RENAMED.replace("{ plus, mul }", "{ plus }").replace("(mul(", "(plus(")
    assert js_renaming(TEST, both, {"add", "mul"}, {"plus"}) is None


def test_the_new_name_must_be_new_to_the_test_file() -> None:
    # plus already names something in the old tests (here only in a string: the test
    # ids are translated back word by word, so it would be read as add's)
    old = TEST.replace("'multiplies'", "'plus multiplies'")
    assert (
        js_renaming(old, RENAMED.replace("'multiplies'", "'plus multiplies'"), GONE, MADE) is None
    )
    local = TEST + "const plus = () => 0;\n"
    assert js_renaming(local, RENAMED + "const plus = () => 0;\n", GONE, MADE) is None


@pytest.mark.parametrize(
    ("old_name", "new_name"),
    [("describe", "group"), ("expect", "check"), ("toBe", "toEqual"), ("add", "require"),
     ("add", "Object"), ("add", "then"), ("add", "vi"), ("add", "context")],
)  # fmt: skip
def test_names_of_the_language_the_host_or_the_harness_are_never_renamed(
    old_name: str, new_name: str
) -> None:
    # the code defining describe (or toBe) does not make the tests' describe its own
    old = f"const {{ {old_name} }} = require('./calc');\nit('x', () => {old_name}(1));\n"
    new = old.replace(old_name, new_name)
    assert js_renaming(old, new, {old_name}, {new_name}) is None


def test_a_property_of_something_else_is_never_renamed() -> None:
    # add renamed in the code: a Set's add in the tests is the Set's
    old = (
        "const { add } = require('./calc');\nit('x', () => {\n  const s = new Set();\n"
        "  s.add(add(1, 2));\n  expect(s.has(3)).toBe(true);\n});\n"
    )
    ok = old.replace("{ add }", "{ plus }").replace("(add(", "(plus(")
    assert js_renaming(old, ok, GONE, MADE) == {"add": "plus"}
    assert js_renaming(old, ok.replace("s.add(", "s.plus("), GONE, MADE) is None
    # a member of the code's namespace bound twice is read as the code's only when the
    # receiver is that namespace, not a property of it (calc.default.add)
    deep = "import * as calc from './calc';\nit('x', () => calc.default.add(1));\n"
    assert js_renaming(deep, deep.replace(".add", ".plus"), GONE, MADE) is None
    # the namespace's name bound again (a parameter): there it is something else
    shadow = (
        "const calc = require('./calc');\nit('x', () => [new Set()].map((calc) => calc.add(1)));\n"
    )
    assert js_renaming(shadow, shadow.replace("calc.add", "calc.plus"), GONE, MADE) is None
    # a module not of the code (no relative specifier)
    lib = "import { add } from 'mathlib';\nit('x', () => add(1));\n"
    assert js_renaming(lib, lib.replace("add", "plus"), GONE, MADE) is None


@pytest.mark.parametrize(
    "old",
    [
        # an object's key: the code's output compared, a mock's export, a fixture
        "const { add } = require('./calc');\nit('x', () => expect(add(1, 2)).toEqual({ add: 3 }));\n",
        "const { add } = require('./calc');\nit('x', () => expect(add(1, 2)).toEqual({ add }));\n",
        "const { add } = require('./calc');\njest.mock('./calc', () => ({ add: jest.fn() }));\nit('x', () => add(1));\n",
        "const { add } = require('./calc');\ntest('x', ({ add }) => add(1));\n",
        # a class's member, a label
        "const { add } = require('./calc');\nclass F { add() { return add(1) } }\n",
        "const { add } = require('./calc');\nadd: for (;;) { add(1); break add; }\n",
        # a name never imported from the code (a global a setup file gave)
        "it('x', () => expect(add(1, 2)).toBe(3));\n",
        # names looked up at run time
        "const { add } = require('./calc');\nit('x', () => eval('add')(1));\n",
    ],
)
def test_properties_keys_and_names_not_from_the_code_are_never_renamed(old: str) -> None:
    assert js_renaming(old, old.replace("add", "plus"), GONE, MADE) is None


def test_a_test_file_it_cannot_read_is_no_renaming() -> None:
    old = "const { add } = require('./calc');\nif (add(1, 1)) /x/.test('y');\n"
    assert js_renaming(old, old.replace("add", "plus"), GONE, MADE) is None


def test_renames_in_tests_for_js_files(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"calc.js": CALC, "test/calc.test.js": TEST})
    tests = ["test/calc.test.js"]

    def renames(edit: dict[str, str]) -> dict[str, str] | None:
        return renames_in_tests(tests, edit, texts_before(root, edit, {}))

    assert renames({"calc.js": PLUS, "test/calc.test.js": RENAMED}) == {"add": "plus"}
    # the code keeps add beside plus: the tests' change is a real change
    both = CALC.replace("module.exports", "function plus(a, b) { return a + b }\nmodule.exports")
    assert renames({"calc.js": both, "test/calc.test.js": RENAMED}) is None
    # a Python rename does not make a JS test's rename one
    assert renames({"calc.py": "def plus():\n    pass\n", "test/calc.test.js": RENAMED}) is None


# --------------------------------------------------------------------------- end to end


@pytest.fixture
def proj(tmp_path: Path) -> Path:
    return write_tree(tmp_path / "js", {"calc.js": CALC, "test/calc.test.js": TEST})


def _verify(root: Path, files: dict[str, str]):  # type: ignore[no-untyped-def]
    task = task_for(root, "node --test test/", kind="refactoring")
    return verifier(timeout_s=60).verify(task, Edit(files=files), "m")


@needs_bwrap
@needs_node
def test_a_js_rename_across_code_and_tests_is_verified(proj: Path) -> None:
    v = _verify(proj, {"calc.js": PLUS, "test/calc.test.js": RENAMED})
    assert v.verdict == "pass", v.detail
    assert v.detail.startswith(
        "with your tests, add to plus renamed in test/calc.test.js as in the code: 2 passed, 0 failed"
    ), v.detail


@needs_bwrap
@needs_node
def test_a_js_rename_that_also_breaks_the_code_fails(proj: Path) -> None:
    v = _verify(proj, {"calc.js": PLUS.replace("a + b", "a - b"), "test/calc.test.js": RENAMED})
    assert v.verdict == "fail" and "adds" in v.detail, v.detail
    assert v.detail.startswith("with your tests, add to plus renamed in test/calc.test.js"), (
        v.detail
    )


@needs_bwrap
@needs_node
def test_a_js_rename_with_an_expectation_changed_is_judged_with_the_tests_as_they_were(
    proj: Path,
) -> None:
    broken = PLUS.replace("a + b", "a - b")
    weakened = RENAMED.replace("plus(2, 3), 5)", "plus(2, 3), -1)")
    v = _verify(proj, {"calc.js": broken, "test/calc.test.js": weakened})
    assert v.verdict == "fail", v.detail
    assert v.detail.startswith(
        "with your tests (the edit's changes to test/calc.test.js set aside)"
    )


@needs_bwrap
@needs_node
def test_a_test_named_after_the_function_keeps_its_old_name(tmp_path: Path) -> None:
    # describe(add.name) names the suite "add", then "plus": the same tests, named as
    # before (with_old_names), not two that stopped running and two new ones
    named = TEST.replace("test.describe('calc'", "test.describe(add.name")
    root = write_tree(tmp_path / "js", {"calc.js": CALC, "test/calc.test.js": named})
    renamed = named.replace("{ add,", "{ plus,").replace("(add(", "(plus(")
    renamed = renamed.replace("(add.name", "(plus.name")
    v = _verify(root, {"calc.js": PLUS, "test/calc.test.js": renamed})
    assert v.verdict == "pass", v.detail
    assert "2 passed, 0 failed (before: 2 passed, 0 failed)" in v.detail, v.detail
    v = _verify(root, {"calc.js": PLUS.replace("a + b", "a - b"), "test/calc.test.js": renamed})
    assert v.verdict == "fail" and "calc.test.js::add > adds" in v.detail, v.detail
