"""A pass says which of the lines an edit changes in JavaScript files no test ran
(``verifier.lines_js``: V8's block coverage through ``NODE_V8_COVERAGE``), through
``ProjectVerifier.verify`` with the real ``node --test`` (under the overlay, on the
scratch copy, without a sandbox), ``npm test`` running a mocha stand-in (mocha itself
is not here without the network; what is measured is node's loading of the files, which
the stand-in does as mocha does: ``import()`` of the test files, ``require`` of the
code), and a jest-like stand-in that wraps the code as jest does (not measured)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from acrouter.domain import Edit
from acrouter.verifier.lines import NO_TRACER, UNTRACED

from .helpers import MODES, needs_bwrap, task_for, verifier, write_tree
from .test_jest_harness import FAKE_JEST
from .test_redteam_js_files import FAKE_MOCHA

pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")

CALC = """\
// calc: the tests call add only
exports.add = function (a, b) {
  return a + b;
};

exports.clamp = function (x, lo, hi) {
  if (x < lo) {
    return lo;
  }
  if (x > hi) {
    return hi;
  }
  return x;
};
"""
TEST = """\
const test = require("node:test");
const assert = require("node:assert");
const { add } = require("../calc.js");

test("adds", () => { assert.strictEqual(add(2, 3), 5); });
"""
#: ``clamp`` changed: no test calls it (its lines 7-8 in the new text)
UNCALLED = CALC.replace("if (x < lo) {\n    return lo;", "if (x <= lo) {\n    return lo + 0;")


def _node_project(root: Path, test: str = TEST, calc: str = CALC) -> Path:
    return write_tree(root, {"calc.js": calc, "test/calc.test.js": test})


@pytest.mark.parametrize("mode", MODES)
def test_a_change_no_test_runs_is_named(tmp_path: Path, mode: dict[str, object]) -> None:
    root = _node_project(tmp_path / "proj")
    edit = Edit(files={"calc.js": UNCALLED})
    v = verifier(**mode).verify(task_for(root, "node --test", kind="refactoring"), edit, "m")
    assert v.verdict == "pass", v.detail
    assert v.unrun == "no test ran 2 of the 2 statements the edit changes: calc.js lines 7-8"
    assert v.detail.endswith("; " + v.unrun)


@pytest.mark.parametrize("mode", MODES)
def test_a_change_the_tests_run_says_nothing_more(tmp_path: Path, mode: dict[str, object]) -> None:
    root = _node_project(tmp_path / "proj")
    # add's body (which the test calls) and a comment: nothing to say
    edit = Edit(files={"calc.js": CALC.replace("return a + b;", "return b + a; // commutes")})
    v = verifier(**mode).verify(task_for(root, "node --test", kind="refactoring"), edit, "m")
    assert v.verdict == "pass", v.detail
    assert v.unrun == "" and "no test ran" not in v.detail


@needs_bwrap
def test_an_es_module_branch_no_test_takes_and_a_removal(tmp_path: Path) -> None:
    esm = CALC.replace("exports.add = function", "export function add").replace(
        "exports.clamp = function", "export function clamp"
    )
    esm = esm.replace("};\n\nexport", "}\n\nexport").replace(
        "  return x;\n};\n", "  return x;\n}\n"
    )
    test = (
        'import test from "node:test";\nimport assert from "node:assert";\n'
        'import { clamp } from "../calc.mjs";\n\n'
        'test("low", () => { assert.strictEqual(clamp(-1, 0, 5), 0); });\n'
    )
    root = write_tree(tmp_path / "proj", {"calc.mjs": esm, "test/calc.test.mjs": test})
    # the upper branch changed (never taken) and add's body changed (never called); the
    # lower branch changed too (taken)
    new = (
        esm.replace("return hi;", "return hi - 0;")
        .replace("return a + b;", "return b + a;")
        .replace("return lo;", "return lo + 0;")
    )
    task = task_for(root, "node --test", kind="refactoring")
    v = verifier().verify(task, Edit(files={"calc.mjs": new}), "m")
    assert v.verdict == "pass", v.detail
    assert v.unrun == "no test ran 2 of the 3 statements the edit changes: calc.mjs lines 3, 11"
    # "tidy clamp" dropping the upper bound: the removed branch sat before ``return x``,
    # which the one test never reaches
    gone = esm.replace("  if (x > hi) {\n    return hi;\n  }\n", "")
    v = verifier().verify(task, Edit(files={"calc.mjs": gone}), "m")
    assert v.verdict == "pass", v.detail
    assert v.unrun == (
        "no test ran 1 of the 1 statements the edit changes: what calc.mjs lost (old lines 10-12)"
    )


def _npm_project(root: Path, runner: str, bin_text: str, test: str) -> Path:
    if shutil.which("npm") is None:
        pytest.skip("npm is not installed")
    write_tree(
        root,
        {
            "package.json": f'{{"name": "calc", "version": "1.0.0", "scripts": {{"test": "{runner}"}}}}\n',
            f"node_modules/.bin/{runner}": bin_text,
            "calc.js": CALC,
            "test/calc.test.js": test,
        },
    )
    os.chmod(root / f"node_modules/.bin/{runner}", 0o755)
    return root


@needs_bwrap
def test_npm_test_running_mocha(tmp_path: Path) -> None:
    test = (
        'const assert = require("assert");\nconst { add } = require("../calc.js");\n'
        'describe("calc", () => { it("adds", () => { assert.strictEqual(add(2, 3), 5); }); });\n'
    )
    root = _npm_project(tmp_path / "proj", "mocha", FAKE_MOCHA, test)
    task = task_for(root, "npm test", kind="refactoring")
    v = verifier().verify(task, Edit(files={"calc.js": UNCALLED}), "m")
    assert v.verdict == "pass", v.detail
    assert v.unrun == "no test ran 2 of the 2 statements the edit changes: calc.js lines 7-8"


#: what jest does with a module: its text compiled inside a function of jest's own
WRAP = """\
const Module = require("module"), vm = require("vm"), wpath = require("path");
Module.prototype._compile = function (content, filename) {
  const src = "(function (exports, require, module, __filename, __dirname) {" + content + "\\n})";
  const fn = vm.runInThisContext(src, { filename });
  const req = (id) => this.require(id);
  return fn.call(this.exports, this.exports, req, this, filename, wpath.dirname(filename));
};
"""


@needs_bwrap
def test_a_runner_that_wraps_the_code_is_not_measured(tmp_path: Path) -> None:
    jest = FAKE_JEST.replace("#!/usr/bin/env node\n", "#!/usr/bin/env node\n" + WRAP, 1)
    test = 'const { add } = require("../calc.js");\ntest("adds", () => { expect(add(2, 3)).toBe(5); });\n'
    root = _npm_project(tmp_path / "proj", "jest", jest, test)
    v = verifier().verify(
        task_for(root, "npm test", kind="refactoring"), Edit(files={"calc.js": UNCALLED}), "m"
    )
    assert v.verdict == "pass", v.detail
    assert v.unrun == "", v.detail  # the offsets are the wrapper's: nothing is claimed


@needs_bwrap
def test_the_coverage_never_fails_an_edit(tmp_path: Path) -> None:
    # a suite that wants no coverage variable: the run is redone without it
    test = TEST + (
        'test("plain env", () => { assert.strictEqual(process.env.NODE_V8_COVERAGE, undefined); });\n'
    )
    root = _node_project(tmp_path / "proj", test)
    v = verifier().verify(
        task_for(root, "node --test", kind="refactoring"), Edit(files={"calc.js": UNCALLED}), "m"
    )
    assert v.verdict == "pass" and v.counted, v.detail
    assert v.unrun == f"which lines of calc.js the tests ran is not known: {UNTRACED}"


@needs_bwrap
def test_a_python_and_a_js_change_together(tmp_path: Path) -> None:
    # a node suite: the JS file's statements are measured; no Python process ran, so the
    # Python file's are not known (said)
    root = _node_project(tmp_path / "proj")
    (root / "tool.py").write_text("def f():\n    return 1\n")
    edit = Edit(files={"calc.js": UNCALLED, "tool.py": "def f():\n    return 2\n"})
    v = verifier().verify(task_for(root, "node --test", kind="refactoring"), edit, "m")
    assert v.verdict == "pass", v.detail
    assert v.unrun == (
        "no test ran 2 of the 2 statements the edit changes: calc.js lines 7-8; "
        f"which lines of tool.py the tests ran is not known: {NO_TRACER}"
    )
