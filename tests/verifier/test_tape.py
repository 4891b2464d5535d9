"""tape suites end to end: per-test results from its TAP, so a suite that never ran
is not a pass.

Found by ``benchmarks/verify_trust.py`` on minimist (``npm run tests-only``: ``nyc tape
'test/**/*.js'``): judged by the exit code only, ``process.exit(0)`` at the top of
index.js and an emptied test file were verified.  tape itself is not installed here
(no network in tests): ``node_modules`` holds a stand-in that prints TAP the way tape 5
does (``# name``, ``ok N msg``, the YAML block of a failure, the plan ``1..N``).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from acrouter.domain import Edit

from .helpers import needs_bwrap, task_for, verifier, write_tree

pytestmark = needs_bwrap

TAPE = r"""
const tests = [];
let n = 0;
let failed = 0;
function test(name, fn) {
  if (!tests.length) setImmediate(run);
  tests.push([name, fn]);
}
function run() {
  console.log('TAP version 13');
  for (const [name, fn] of tests) {
    console.log('# ' + name);
    fn({
      equal(actual, expected, msg) {
        n += 1;
        const ok = actual === expected;
        console.log(`${ok ? 'ok' : 'not ok'} ${n} ${msg || 'should be strictly equal'}`);
        if (!ok) {
          failed += 1;
          console.log(`  ---\n    operator: equal\n    expected: ${expected}\n    actual:   ${actual}\n  ...`);
        }
      },
      end() {},
    });
  }
  console.log(`\n1..${n}\n# tests ${n}\n# pass  ${n - failed}`);
  console.log(failed ? `# fail  ${failed}\n` : '\n# ok\n');
  process.exitCode = failed ? 1 : 0;
}
module.exports = test;
"""
TAPE_BIN = """#!/usr/bin/env node
const path = require('path');
for (const file of process.argv.slice(2)) require(path.resolve(file));
"""
INDEX = "module.exports = function (a, b) { return a + b; };\n"
TEST_ADD = """\
var test = require('tape');
var add = require('../');

test('adds', function (t) {
  t.equal(add(2, 3), 5);
  t.equal(add(0, 0), 0, 'zero');
  t.end();
});
"""
TEST_MORE = """\
var test = require('tape');
var add = require('../');

test('negative', function (t) {
  t.equal(add(-2, -3), -5);
  t.end();
});
"""


#: tape's stand-in in a sample project's node_modules (its bin made executable by
#: :func:`tape_installed`)
TAPE_MODULES = {
    "node_modules/tape/package.json": json.dumps({"name": "tape", "main": "index.js"}),
    "node_modules/tape/index.js": TAPE,
    "node_modules/.bin/tape": TAPE_BIN,
}


def tape_installed(root: Path, files: dict[str, str]) -> Path:
    """A sample project of ``files`` with tape's stand-in; skipped without node and npm
    (the JavaScript verifier needs them; CI installs them)."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("node and npm are not installed")
    root = write_tree(root, TAPE_MODULES | files)
    for bin_ in (root / "node_modules/.bin").iterdir():
        bin_.chmod(0o755)
    return root


@pytest.fixture
def tape_project(tmp_path: Path) -> Path:
    return tape_installed(
        tmp_path / "adder",
        {
            "package.json": json.dumps(
                {"name": "adder", "version": "1.0.0", "scripts": {"tests-only": "tape test/*.js"}}
            ),
            "index.js": INDEX,
            "test/add.js": TEST_ADD,
            "test/more.js": TEST_MORE,
        },
    )


def _verify(root: Path, files: dict[str, str]):  # type: ignore[no-untyped-def]
    return verifier(timeout_s=60, cache_dir=root.parent / "cache").verify(
        task_for(root, "npm run tests-only"), Edit(files=files), "m"
    )


def test_a_correct_edit_passes_with_tapes_counts(tape_project: Path) -> None:
    v = _verify(tape_project, {"index.js": "// adds\n" + INDEX})
    assert v.verdict == "pass" and not v.weak, v.detail
    assert (v.tests_passed_before, v.tests_passed, v.tests_failed) == (3, 3, 0)
    broken = _verify(tape_project, {"index.js": INDEX.replace("a + b", "a - b")})
    assert broken.verdict == "fail", broken.detail
    assert "adds #1" in broken.detail and "expected: 5; actual: -1" in broken.detail


@pytest.mark.parametrize(
    ("files", "why"),
    [
        ({"index.js": "process.exit(0);\n" + INDEX}, "no test report"),
        ({"test/more.js": "'use strict';\n"}, "no longer ran: negative #1"),
        (
            {"test/more.js": TEST_MORE.replace("t.end();", "process.exit(0);")},
            "tape could not run (the TAP output has no plan line",
        ),
        ({"package.json": json.dumps({"scripts": {"tests-only": "exit 0"}})}, "no test report"),
    ],
    ids=["exit-in-index", "emptied-test-file", "exit-in-a-test", "script-made-a-no-op"],
)
def test_a_suite_that_did_not_run_is_not_a_pass(
    tape_project: Path, files: dict[str, str], why: str
) -> None:
    v = _verify(tape_project, files)
    assert v.verdict == "fail" and why in v.detail, v.detail


def test_under_a_script_an_edit_that_exits_before_tape_prints_its_summary_fails(
    tape_project: Path,
) -> None:
    """``./run.sh`` running tape is read by its exit code (weak).  An edit that makes the
    tests' process exit before any test ran exits 0 like a pass; the run without the edit
    printed TAP's summary (``# tests 3``) and this one none: it fails."""
    script = tape_project / "run.sh"
    script.write_text('#!/bin/sh\nset -e\ncd "$(dirname "$0")"\nnode_modules/.bin/tape test/*.js\n')
    script.chmod(0o755)

    def verify(files: dict[str, str]):  # type: ignore[no-untyped-def]
        return verifier(timeout_s=60, cache_dir=tape_project.parent / "cache").verify(
            task_for(tape_project, "./run.sh"), Edit(files=files), "m"
        )

    v = verify({"index.js": "process.exit(0);\n" + INDEX})
    assert v.verdict == "fail" and v.weak and v.counted, v.detail
    assert "printed no closing line of its runner (exit code 0)" in v.detail
    assert "'# tests 3'" in v.detail
    ok = verify({"index.js": "// adds\n" + INDEX})
    assert ok.verdict == "pass" and ok.weak, ok.detail
