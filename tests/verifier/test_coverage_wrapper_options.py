"""A coverage wrapper whose options take values (``c8 --include index.js tape ...``):
the runner is the word after the options *and their values*.

Found by ``benchmarks/verify_trust.py`` on @fastify/deepmerge 3.2.4, whose "test:unit" is
``c8 --all --include index.js --check-coverage --100 tape test/*.js``: the verifier took
``index.js`` (the value of ``--include``) for the program c8 runs, read no runner, and
judged the command by its exit code alone (*weak*); the package.json script made ``exit
0`` was then verified (*pass (weak)*: "tests exited with code 0"), in both sandbox
modes.  With tape read below c8, that edit runs no test and fails.  c8 and tape are
stand-ins here (no network in tests): c8 skips its options the way the real one does
and runs the rest; tape is ``test_tape``'s.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from acrouter.domain import Edit
from acrouter.verifier.commandline import runner_of

from .helpers import OVERLAY_AND_NONE, task_for, verifier
from .test_tape import INDEX, TEST_ADD, TEST_MORE, tape_installed

#: c8's stand-in: its options (the value-taking ones with their values) skipped, the
#: rest run as a child whose exit code it passes on
C8_BIN = """#!/usr/bin/env node
const { spawnSync } = require('child_process');
const valued = new Set(['--include', '-n', '--exclude', '-x', '--reporter', '-r']);
const args = process.argv.slice(2);
let i = 0;
while (i < args.length && args[i].startsWith('-')) i += valued.has(args[i]) ? 2 : 1;
const res = spawnSync(args[i], args.slice(i + 1), { stdio: 'inherit', shell: false });
process.exit(res.status === null ? 1 : res.status);
"""
SCRIPT = "c8 --all --include index.js --check-coverage --100 tape test/*.js"


@pytest.mark.parametrize(
    ("tokens", "runner"),
    [
        ("c8 --all --include index.js --check-coverage --100 tape test/*.js", "tape"),
        ("c8 --include=index.js tape test/*.js", "tape"),
        ("nyc --reporter text -x dist mocha", "mocha"),
        ("c8 -r lcov --100 node --test", "node"),
        ("nyc tape test/*.js", "tape"),
        # through npx: npx's own options go, the wrapper's stay with their values (before,
        # every option went and c8 took coverage/tmp2 for the runner: judged by exit code)
        ("npx c8 --temp-directory coverage/tmp2 tape test/*.js", "tape"),
        ("npx --yes c8 -r lcov mocha", "mocha"),
        ("npx -p c8 c8 --include index.js node --test", "node"),
        ("npx jest --ci", "jest"),
        ("npx -c jest", None),
    ],
)
def test_the_runner_after_the_wrappers_options_and_values(tokens: str, runner: str | None) -> None:
    assert runner_of(tuple(tokens.split())) == runner


@pytest.fixture
def c8_project(tmp_path: Path) -> Path:
    return tape_installed(
        tmp_path / "merge",
        {
            "package.json": json.dumps(
                {"name": "merge", "version": "1.0.0", "scripts": {"test:unit": SCRIPT}}
            ),
            "index.js": INDEX,
            "test/add.test.js": TEST_ADD,
            "test/more.test.js": TEST_MORE,
            "node_modules/.bin/c8": C8_BIN,
        },
    )


@pytest.mark.parametrize("mode", OVERLAY_AND_NONE)
def test_tape_below_c8s_valued_options_is_read_per_test(
    c8_project: Path, mode: dict[str, object]
) -> None:
    def verify(files: dict[str, str]):  # type: ignore[no-untyped-def]
        ver = verifier(timeout_s=60, cache_dir=c8_project.parent / "cache", **mode)
        return ver.verify(task_for(c8_project, "npm run test:unit"), Edit(files=files), "m")

    ok = verify({"index.js": "// adds\n" + INDEX})
    assert ok.verdict == "pass" and not ok.weak, ok.detail
    assert (ok.tests_passed_before, ok.tests_passed) == (3, 3)
    no_op = verify({"package.json": json.dumps({"scripts": {"test:unit": "exit 0"}})})
    assert no_op.verdict == "fail", no_op.detail
    assert "no test report" in no_op.detail, no_op.detail


@pytest.mark.parametrize("mode", OVERLAY_AND_NONE)
def test_a_baseline_cached_by_a_weaker_reading_is_not_reused(
    c8_project: Path, mode: dict[str, object], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The baseline cache kept the run of the command read by its exit code alone (as
    the verifier before this fix read it); the verifier that reads tape below c8 must
    not compare its per-test results with that baseline, which names no test: a test
    file's tests taken out would go unseen (the run with the edit was a pass, "2 passed,
    0 failed (before: exit code 0)")."""
    cache = c8_project.parent / "cache"

    def verify(files: dict[str, str]):  # type: ignore[no-untyped-def]
        ver = verifier(timeout_s=60, cache_dir=cache, **mode)
        return ver.verify(task_for(c8_project, "npm run test:unit"), Edit(files=files), "m")

    with monkeypatch.context() as m:  # the reading before the fix: no runner found
        m.setattr("acrouter.verifier.runners.runner_of", lambda tokens: None)
        weak = verify({"index.js": "// adds\n" + INDEX})
        assert weak.verdict == "pass" and weak.weak, weak.detail
    gone = verify({"test/more.test.js": "var test = require('tape');\nvar add = require('../');\n"})
    assert gone.verdict == "fail", gone.detail
    assert "no longer ran: negative #1" in gone.detail, gone.detail
