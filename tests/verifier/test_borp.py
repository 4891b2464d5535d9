"""borp (node's test runner started through ``node:test``'s ``run()`` in borp's own
process) end to end: per-test results from our reporter given as one of borp's
``--reporter NAME:DESTINATION`` options, so a suite that never ran is not a pass.

Found by ``benchmarks/verify_trust.py`` on pino-abstract-transport 3.0.0 (``npx borp
--check-coverage 'test/*.test.js'``) and pino-std-serializers 7.1.0 (``npm test``:
``borp -p 'test/**/*.js'``): borp was no runner the verifier knew, so the run was judged
by its exit code (weak), and ``process.exit(0)`` at the top of a test file (its tests
never ran, borp exits 0) was verified.  ``NODE_OPTIONS``' ``--test-reporter`` does not
reach ``run()``: only the ``node --test`` command line reads it.  borp is not installed
here (no network in tests): ``node_modules`` holds a stand-in that does what borp 0.20
does with its files and reporters (``run()``, ``stream.compose(reporter)``, exit code 1
on a failed test).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from acrouter.domain import Edit

from .borp_standin import REPORTERS
from .helpers import needs_bwrap, task_for, verifier, write_tree

pytestmark = needs_bwrap

#: borp 0.20's handling of files and reporters, on node's own run() and reporters
BORP = (
    r"""#!/usr/bin/env node
import { run } from 'node:test'
import Reporters from 'node:test/reporters'
import { createWriteStream } from 'node:fs'
import { finished } from 'node:stream/promises'
import { parseArgs } from 'node:util'
import { join, resolve } from 'node:path'

const args = parseArgs({
  args: process.argv.slice(2),
  options: { reporter: { type: 'string', short: 'r', default: ['spec'], multiple: true } },
  allowPositionals: true
})
const stream = run({ files: args.positionals.map((f) => resolve(f)) })
stream.on('test:fail', () => { process.exitCode = 1 })
"""
    + REPORTERS
    + r"""await finished(stream)
"""
)
INDEX = "module.exports = function add (a, b) {\n  return a + b\n}\n"
TEST_ADD = """\
const { test } = require('node:test')
const assert = require('node:assert')
const add = require('..')

test('adds', () => {
  assert.strictEqual(add(2, 3), 5)
})
"""
TEST_MORE = """\
const { test } = require('node:test')
const assert = require('node:assert')
const add = require('..')

test('negative', () => {
  assert.strictEqual(add(-2, -3), -5)
})

test('zero', () => {
  assert.strictEqual(add(0, 0), 0)
})
"""


@pytest.fixture
def borp_project(tmp_path: Path) -> Path:
    """A sample project whose ``test`` script runs the borp stand-in; skipped without
    node and npm (the JavaScript verifier needs them; CI installs them)."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("node and npm are not installed")
    root = write_tree(
        tmp_path / "adder",
        {
            "package.json": json.dumps(
                {"name": "adder", "version": "1.0.0", "scripts": {"test": "borp test/*.test.js"}}
            ),
            "index.js": INDEX,
            "test/add.test.js": TEST_ADD,
            "test/more.test.js": TEST_MORE,
            "node_modules/borp/package.json": json.dumps(
                {"name": "borp", "type": "module", "bin": {"borp": "borp.js"}}
            ),
            "node_modules/borp/borp.js": BORP,
        },
    )
    (root / "node_modules/.bin").mkdir()
    (root / "node_modules/.bin/borp").symlink_to("../borp/borp.js")
    (root / "node_modules/borp/borp.js").chmod(0o755)
    return root


def _verify(root: Path, files: dict[str, str], command: str):  # type: ignore[no-untyped-def]
    return verifier(timeout_s=60, cache_dir=root.parent / "cache").verify(
        task_for(root, command), Edit(files=files), "m"
    )


COMMANDS = ["npm test", "npx borp test/*.test.js"]


@pytest.mark.parametrize("command", COMMANDS)
def test_a_correct_edit_passes_with_borps_tests_counted(borp_project: Path, command: str) -> None:
    v = _verify(borp_project, {"index.js": "// adds\n" + INDEX}, command)
    assert v.verdict == "pass" and not v.weak, v.detail
    assert (v.tests_passed_before, v.tests_passed, v.tests_failed) == (3, 3, 0)
    broken = _verify(borp_project, {"index.js": INDEX.replace("a + b", "a - b")}, command)
    assert broken.verdict == "fail" and "adds" in broken.detail, broken.detail


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize(
    ("files", "why"),
    [
        ({"test/more.test.js": "process.exit(0)\n" + TEST_MORE}, "no longer ran"),
        ({"index.js": "process.exit(0)\n" + INDEX}, "no longer ran"),
    ],
    ids=["exit-in-a-test-file", "exit-in-index"],
)
def test_a_suite_that_did_not_run_is_not_a_pass(
    borp_project: Path, command: str, files: dict[str, str], why: str
) -> None:
    v = _verify(borp_project, files, command)
    assert v.verdict == "fail" and why in v.detail, v.detail


#: the stand-in's loop as it runs on a loaded machine: importing a reporter module (ours)
#: takes a while, during which the reporters composed before it already consume the run
SLOW_IMPORT = "  } else {\n    await new Promise((r) => setTimeout(r, 400))\n    try {"


def test_our_reporter_misses_no_test_when_its_import_is_slow(borp_project: Path) -> None:
    """borp composes each ``--reporter`` onto the run's stream as its loop reaches it,
    importing a module reporter first.  With spec before ours, the stream flowed while
    ours loaded and its report missed the tests that ended then (CI, under load: 2 of 3
    tests before the edit); ours goes first now."""
    slow = BORP.replace("  } else {\n    try {", SLOW_IMPORT)
    assert slow != BORP
    (borp_project / "node_modules/borp/borp.js").write_text(slow, encoding="utf-8")
    v = _verify(borp_project, {"index.js": "// adds\n" + INDEX}, "npx borp test/*.test.js")
    assert v.verdict == "pass" and not v.weak, v.detail
    assert (v.tests_passed_before, v.tests_passed, v.tests_failed) == (3, 3, 0)
