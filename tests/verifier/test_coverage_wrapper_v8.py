"""Changed JavaScript lines measured under a coverage wrapper that points
``NODE_V8_COVERAGE`` at a folder of its own (``verifier.lines_js``' keeper).

c8 given ``--temp-directory`` and borp's ``--coverage`` send the tests' V8 coverage to
their own folder (borp: a ``mkdtemp`` one under ``os.tmpdir()``, the sandbox's private
``/tmp``, deleted after its report), so the run's out folder got nothing and an edit of a
line no test runs was a counted pass, "which lines of index.js the tests ran is not
known".  Found with the real packages (c8 12.0.0, borp 0.21.0, ``acrouter verify``).  The
wrappers are not installed here (no network in tests): ``node_modules`` holds stand-ins
that do what they do with the variable and their folder (c8: its temp folder emptied,
the variable pointed at it, the command run, the folder read for a function-coverage
gate and left there; borp: ``mkdtemp``, node's ``run()``, the gate, then ``rm`` of the
folder imported from ``node:fs/promises``).  The gate must see the same coverage with
the keeper as without it: an edit adding a function no test calls fails it.
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

#: what the wrappers' gate checks: every function of index.js ran (its coverage read
#: from the wrapper's own folder)
GATE = r"""
function gate (dir) {
  let seen = 0
  let missed = 0
  for (const name of fs.readdirSync(dir)) {
    const data = JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8'))
    for (const script of data.result) {
      if (!script.url.endsWith('/index.js') || script.url.includes('node_modules')) continue
      seen++
      for (const f of script.functions) if (f.functionName && f.ranges[0].count === 0) missed++
    }
  }
  if (seen === 0) { console.error('ERROR: no coverage of index.js'); return 1 }
  if (missed) { console.error('ERROR: Coverage for functions does not meet 100%'); return 1 }
  return 0
}
"""
#: c8 12's handling of its temp folder (bin/c8.js, lib/parse-args.js)
C8 = (
    r"""#!/usr/bin/env node
'use strict'
const fs = require('fs')
const path = require('path')
const { spawnSync } = require('child_process')
let args = process.argv.slice(2)
let temp = process.env.NODE_V8_COVERAGE || 'coverage/tmp'
let check = false
while (args[0] && args[0].startsWith('-')) {
  if (args[0] === '--temp-directory') { temp = args[1]; args = args.slice(2); continue }
  if (args[0] === '--check-coverage') check = true
  args = args.slice(1)
}
temp = path.resolve(temp)
fs.rmSync(temp, { recursive: true, force: true })
fs.mkdirSync(temp, { recursive: true })
process.env.NODE_V8_COVERAGE = temp
"""
    + GATE
    + r"""
const child = spawnSync(args[0], args.slice(1), { stdio: 'inherit', env: process.env })
let code = child.status === null ? 1 : child.status
if (check && code === 0) code = gate(temp)
process.exitCode = code
"""
)
#: borp 0.21's coverage (its mkdtemp folder, its gate, its rm) around node's run()
BORP = (
    r"""#!/usr/bin/env node
import { run } from 'node:test'
import Reporters from 'node:test/reporters'
import { createWriteStream } from 'node:fs'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { mkdtemp, rm } from 'node:fs/promises'
import { finished } from 'node:stream/promises'
import { parseArgs } from 'node:util'
import { join, resolve } from 'node:path'

const args = parseArgs({
  args: process.argv.slice(2),
  options: {
    reporter: { type: 'string', short: 'r', default: ['spec'], multiple: true },
    coverage: { type: 'boolean', short: 'C' },
    'check-coverage': { type: 'boolean' }
  },
  allowPositionals: true
})
"""
    + GATE
    + r"""
let covDir
if (args.values.coverage) {
  covDir = await mkdtemp(join(os.tmpdir(), 'coverage-'))
  process.env.NODE_V8_COVERAGE = covDir
}
try {
  const stream = run({ files: args.positionals.map((f) => resolve(f)) })
  stream.on('test:fail', () => { process.exitCode = 1 })
"""
    + REPORTERS
    + r"""  await finished(stream)
  if (covDir && args.values['check-coverage'] && gate(covDir)) process.exitCode = 1
} finally {
  if (covDir) await rm(covDir, { recursive: true, maxRetries: 10, retryDelay: 100 })
}
"""
)
#: ``scale`` no test calls (line 6)
INDEX = """\
'use strict'
function add (a, b) {
  return a + b
}
function scale (a, k) {
  return a * k
}
module.exports = { add, scale }
"""
TEST = """\
'use strict'
const { test } = require('node:test')
const assert = require('node:assert')
const { add } = require('../index.js')

test('adds', () => {
  assert.strictEqual(add(2, 3), 5)
})
"""
UNTESTED = INDEX.replace("return a * k", "return a * k + 1")
TESTED = INDEX.replace("return a + b", "return b + a")
#: every function tested, for the gate
GATED = "'use strict'\nfunction add (a, b) {\n  return a + b\n}\nmodule.exports = { add }\n"


def _project(root: Path, script: str, index: str = INDEX) -> Path:
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("node and npm are not installed")
    write_tree(
        root,
        {
            "package.json": json.dumps(
                {"name": "calc", "version": "1.0.0", "scripts": {"test": script}}
            ),
            "index.js": index,
            "test/add.test.js": TEST,
            "node_modules/c8/package.json": json.dumps({"name": "c8", "bin": {"c8": "c8.js"}}),
            "node_modules/c8/c8.js": C8,
            "node_modules/borp/package.json": json.dumps(
                {"name": "borp", "type": "module", "bin": {"borp": "borp.js"}}
            ),
            "node_modules/borp/borp.js": BORP,
        },
    )
    (root / "node_modules/.bin").mkdir()
    for name in ("c8", "borp"):
        (root / f"node_modules/.bin/{name}").symlink_to(f"../{name}/{name}.js")
        (root / f"node_modules/{name}/{name}.js").chmod(0o755)
    return root


def _verify(root: Path, files: dict[str, str]):  # type: ignore[no-untyped-def]
    return verifier(timeout_s=60, cache_dir=root.parent / "cache").verify(
        task_for(root, "npm test", kind="refactoring"), Edit(files=files), "m"
    )


SCRIPTS = [
    "c8 --temp-directory coverage/own node --test test/",
    "c8 --temp-directory coverage/own --check-coverage node --test test/",
    "borp --coverage test/*.test.js",
    "borp --coverage --check-coverage test/*.test.js",
]


@pytest.mark.parametrize("script", SCRIPTS)
def test_a_changed_line_no_test_runs_is_named_under_the_wrapper(
    tmp_path: Path, script: str
) -> None:
    root = _project(tmp_path / "calc", script, GATED if "check" in script else INDEX)
    if "check" in script:  # the gate fails an added function no test calls, as without us
        added = GATED.replace(
            "module.exports", "function scale (a, k) {\n  return a * k\n}\nmodule.exports"
        )
        v = _verify(root, {"index.js": added})
        assert v.verdict == "fail", v.detail
        # and still sees the tests' coverage: a change of tested code passes it
        v = _verify(root, {"index.js": GATED.replace("return a + b", "return b + a")})
        assert v.verdict == "pass" and v.counted, v.detail
        assert v.unrun == "", v.detail
        return
    v = _verify(root, {"index.js": UNTESTED})
    assert v.verdict == "pass", v.detail
    # before: "which lines of index.js the tests ran is not known: ...", counted
    assert v.unrun == "no test ran 1 of the 1 statements the edit changes: index.js line 6"
    assert not v.counted, v.detail
    v = _verify(root, {"index.js": TESTED})
    assert v.verdict == "pass" and v.counted, v.detail
    assert v.unrun == "", v.detail


def test_c8_on_its_default_folder_already_writes_into_ours(tmp_path: Path) -> None:
    # c8 takes the NODE_V8_COVERAGE it finds as its temp folder: nothing is copied
    root = _project(tmp_path / "calc", "c8 node --test test/")
    v = _verify(root, {"index.js": UNTESTED})
    assert v.verdict == "pass" and not v.counted, v.detail
    assert v.unrun == "no test ran 1 of the 1 statements the edit changes: index.js line 6"
