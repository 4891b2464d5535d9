"""A project of node's own test runner with no test script (npm init's, which fails):
``node --test`` is detected and read per test.  Before, no command was found, and every
request ended in "no test command found"."""

from __future__ import annotations

import json
from pathlib import Path

from acrouter.domain import Edit
from acrouter.verifier import detect_test_command

from .helpers import needs_bwrap, needs_node, task_for, verifier, write_tree

pytestmark = [needs_bwrap, needs_node]

CALC = "exports.add = (a, b) => a + b;\n"
TEST = """\
const test = require("node:test");
const assert = require("node:assert");
const { add } = require("./calc");

test("adds", () => assert.strictEqual(add(2, 3), 5));
test("adds zero", () => assert.strictEqual(add(0, 0), 0));
"""
NPM_INIT = {
    "name": "calc",
    "version": "1.0.0",
    "scripts": {"test": 'echo "Error: no test specified" && exit 1'},
}


def test_with_no_command_set_node_test_files_are_found_and_read_per_test(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path / "calc",
        {"package.json": json.dumps(NPM_INIT), "calc.js": CALC, "calc.test.js": TEST},
    )
    assert detect_test_command(root) == "node --test"
    check = verifier(timeout_s=60, cache_dir=tmp_path / "cache")
    good = check.verify(task_for(root), Edit(files={"calc.js": "// add\n" + CALC}), "m")
    assert good.verdict == "pass" and not good.weak, good.detail
    assert (good.tests_passed_before, good.tests_passed, good.tests_failed) == (2, 2, 0)
    bad = check.verify(task_for(root), Edit(files={"calc.js": CALC.replace("a + b", "a - b")}), "m")
    assert bad.verdict == "fail" and not bad.weak, bad.detail
    assert "adds" in bad.detail, bad.detail
