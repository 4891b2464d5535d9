"""Verdicts when a JavaScript runner runs the test files in parallel workers.

mocha's ``--parallel`` (or ``parallel: true`` in its configuration: ``.mocharc.*``,
package.json's ``mocha`` key) runs each test file in a worker process (workerpool,
``child_process.fork``) and the reporter in the main process, from the events each
worker sends back with ``process.send``.  The code under test runs in the worker, so it
can rewrite them on their way: with real mocha 12.0.3, ``add`` broken and ``calc.js``
wrapping ``process.send`` to turn its worker's ``fail`` events into ``pass`` was
verified, ``3 passed, 0 failed (before: 3 passed, 0 failed)``, with the parallel flag on
the command line and in ``.mocharc.json`` alike (the same code in one process does
nothing: there is no ``process.send`` there).  The verifier now runs mocha
``--no-parallel`` (``runners``), and the tripwire reads ``process.send`` /
``process.channel`` (``harness_jest``: jest's and vitest's forked workers send theirs
the same way).

Here mocha is the real one, of the repository's devDependencies (``make npm``), and the
end-to-end tests written for the mocha stand-in (``test_redteam_js_files``,
``test_unrun_lines_js``) run again with it in parallel mode (:data:`MOCHA_AGAIN`).
``node --test``'s child processes: ``test_parallel_node``; vitest's pools:
``test_parallel_vitest``.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from pathlib import Path
from types import ModuleType

import pytest
from acrouter.domain import Edit, Task
from acrouter.verifier.harness import reaches_into_harness
from acrouter.verifier.harness_jest import jest_harness_uses
from acrouter.verifier.runners import plan_command

from . import test_redteam_js_files, test_unrun_lines_js
from .again import Table, cases, run_again
from .helpers import needs_bwrap, task_for, verifier, write_tree
from .test_redteam_js_files import mocha_task  # noqa: F401 (a fixture of MOCHA_AGAIN's tests)

REPO = Path(__file__).resolve().parents[2]
MOCHA_JS = REPO / "node_modules" / "mocha" / "bin" / "mocha.js"
#: package.json's ``mocha`` key asking for parallel mode (``mocha --package FILE``)
PARALLEL_CONFIG = REPO / "tests" / "fixtures" / "mocha-parallel" / "package.json"

needs_mocha = pytest.mark.skipif(
    shutil.which("node") is None or not MOCHA_JS.is_file(),
    reason="node or mocha is not installed: run `make npm` (the repository's devDependencies)",
)

#: how the project asks mocha for parallel mode: the user's command, its configuration
PARALLEL = {
    "cli": {"package.json": '{"scripts": {"test": "mocha --parallel --jobs 2"}}\n'},
    "mocharc": {
        "package.json": '{"scripts": {"test": "mocha"}}\n',
        ".mocharc.json": '{"parallel": true, "jobs": 2}\n',
    },
}
#: ``node_modules/.bin/mocha``: the real mocha (``ARGS`` before the command's own)
SHIM = f'#!/bin/sh\nexec node {MOCHA_JS} ARGS "$@"\n'

CALC = """\
exports.add = function (a, b) { return a + b; };
exports.mul = function (a, b) { return a * b; };
exports.neg = function (x) {
  return -x;
};
"""
BROKEN = CALC.replace("a + b", "a - b")
TEST_ADD = """\
const assert = require("assert");
const { add } = require("../calc.js");
describe("add", () => { it("adds", () => { assert.strictEqual(add(2, 3), 5); }); });
"""
TEST_MUL = """\
const assert = require("assert");
const { mul } = require("../calc.js");
describe("mul", () => {
  it("small", () => { assert.strictEqual(mul(2, 3), 6); });
  it("zero", () => { assert.strictEqual(mul(2, 0), 0); });
});
"""
#: what the code under test adds to rewrite its worker's results: every ``fail`` event
#: sent as a ``pass`` (``SEND`` is how it names ``process.send``)
FORGE = """\
if (process.SEND) {
  const send = process.SEND.bind(process);
  process.SEND = function (msg, ...rest) {
    if (msg && msg.result && Array.isArray(msg.result.events)) {
      const events = msg.result.events.map((e) => {
        if (e.data && e.data.state === "failed") e.data.state = "passed";
        if (e.data) delete e.data.err;
        return { eventName: e.eventName === "fail" ? "pass" : e.eventName, data: e.data };
      });
      msg = { id: msg.id, result: { __type: msg.result.__type, failureCount: 0, events }, error: null };
    }
    return send(msg, ...rest);
  };
}
"""
#: the name built at run time (the tripwire reads names), and plainly
HIDDEN_SEND = FORGE.replace("process.SEND", 'process["se" + "nd"]')
PLAIN_SEND = FORGE.replace("SEND", "send")


def _link_real_mocha(root: Path) -> None:
    """``node_modules/mocha`` linked to the repository's: the sandbox then shows the
    repository's node_modules, which the shim runs mocha from, also when the checkout
    lies under /tmp (the sandbox's /tmp is its own: ``bwrap.workspace_links``)."""
    link = root / "node_modules" / "mocha"
    if not link.exists():
        link.symlink_to(MOCHA_JS.parents[1], target_is_directory=True)


def _write_tree_linking_mocha(root: Path, files: Mapping[str, str]) -> Path:
    """``write_tree`` for the projects of MOCHA_AGAIN's tests: with the shim, the link and
    the configuration asking for parallel mode."""
    write_tree(root, files)
    if "node_modules/.bin/mocha" in files:
        _link_real_mocha(root)
        (root / "node_modules/.bin/parallel.json").write_text(PARALLEL_CONFIG.read_text())
    return root


def _mocha_project(root: Path, how: str) -> Task:
    write_tree(
        root,
        {
            **PARALLEL[how],
            "node_modules/.bin/mocha": SHIM.replace(" ARGS", ""),
            "calc.js": CALC,
            "test/add.test.js": TEST_ADD,
            "test/mul.test.js": TEST_MUL,
        },
    )
    _link_real_mocha(root)
    os.chmod(root / "node_modules/.bin/mocha", 0o755)
    return task_for(root, "npm test")


@pytest.fixture(params=sorted(PARALLEL))
def parallel_task(request: pytest.FixtureRequest, tmp_path: Path) -> Task:
    if shutil.which("npm") is None:
        pytest.skip("npm is not installed")
    return _mocha_project(tmp_path / "p", request.param)


pytestmark = [needs_mocha]


# --------------------------------------------------------------------------- the plan


def test_mocha_runs_in_one_process(tmp_path: Path) -> None:
    plan = plan_command("mocha --parallel test/", "/out", tmp_path)
    assert plan.runner == "mocha"
    assert plan.argv[:4] == ("mocha", "--parallel", "test/", "--no-parallel")
    for script in ("mocha --parallel", "mocha"):  # behind npm test too
        write_tree(tmp_path, {"package.json": f'{{"scripts": {{"test": "{script}"}}}}\n'})
        assert "--no-parallel" in plan_command("npm test", "/out", tmp_path).argv
    # mocha before 8.0 has no parallel mode, nor the flag
    write_tree(tmp_path, {"node_modules/mocha/package.json": '{"version": "7.2.0"}\n'})
    assert "--no-parallel" not in plan_command("mocha", "/out", tmp_path).argv
    write_tree(tmp_path, {"node_modules/mocha/package.json": '{"version": "12.0.3"}\n'})
    assert "--no-parallel" in plan_command("mocha", "/out", tmp_path).argv


def test_the_tripwire_reads_a_workers_channel_to_the_runner() -> None:
    assert jest_harness_uses(PLAIN_SEND) == {
        "uses process.send (a worker's channel to the runner)": 3
    }
    assert jest_harness_uses("process.channel.unref();\nprocess['send'](m);\n") == {
        "uses process.channel (a worker's channel to the runner)": 1,
        "uses process.send (a worker's channel to the runner)": 1,
    }
    assert jest_harness_uses("if (process.sendBeacon) x.send(process.sender);\n") == {}
    assert jest_harness_uses(HIDDEN_SEND) == {}  # names built at run time: not seen
    why = reaches_into_harness({"calc.js": BROKEN + PLAIN_SEND}, {"calc.js": CALC})
    assert why is not None and "uses process.send" in why


# --------------------------------------------------------------------------- verdicts


@needs_bwrap
def test_counts_in_parallel_mode(parallel_task: Task) -> None:
    v = verifier(timeout_s=60)
    ok = v.verify(parallel_task, Edit(files={"calc.js": CALC + "// ok\n"}), "m")
    assert ok.verdict == "pass" and not ok.weak, ok.detail
    assert (ok.tests_passed, ok.tests_failed, ok.tests_passed_before) == (3, 0, 3)
    wrong = v.verify(parallel_task, Edit(files={"calc.js": BROKEN}), "m")
    assert wrong.verdict == "fail" and wrong.counted, wrong.detail
    assert (wrong.tests_passed, wrong.tests_failed) == (2, 1)
    assert "test/add.test.js::add adds" in wrong.detail


@needs_bwrap
@pytest.mark.parametrize(
    ("files", "why"),
    [
        ({"test/add.test.js": TEST_ADD.replace("it(", "it.skip(")}, "became skipped"),
        (
            {
                "calc.js": BROKEN,
                "test/mul.test.js": TEST_MUL.replace('it("small"', 'it.only("small"'),
            },
            "broke 1 previously passing test: test/add.test.js::add adds",
        ),
        ({"test/add.test.js": ""}, "no longer ran: test/add.test.js::add adds"),
    ],
    ids=["skip", "only", "deleted"],
)
def test_tests_taken_away_in_parallel_mode(
    parallel_task: Task, files: dict[str, str], why: str
) -> None:
    out = verifier(timeout_s=60).verify(parallel_task, Edit(files=files), "m")
    assert out.verdict == "fail" and why in out.detail, out.detail


@needs_bwrap
@pytest.mark.parametrize(
    "code",
    [BROKEN + "process.exit(0);\n", CALC.replace("return a + b;", "process.exit(0);")],
    ids=["at-import", "in-the-test"],
)
def test_exit_0_from_the_code_in_parallel_mode(parallel_task: Task, code: str) -> None:
    out = verifier(timeout_s=60).verify(parallel_task, Edit(files={"calc.js": code}), "m")
    assert out.verdict == "fail" and out.counted, out.detail
    assert "the test run produced no test report (exit code 0)" in out.detail


@needs_bwrap
def test_results_rewritten_in_a_worker_are_not_verified(parallel_task: Task) -> None:
    v = verifier(timeout_s=60)
    # verified before (mocha run as asked, in parallel): "3 passed, 0 failed (before: 3
    # passed, 0 failed)"; in one process there is no process.send, add's test fails
    hidden = v.verify(parallel_task, Edit(files={"calc.js": BROKEN + HIDDEN_SEND}), "m")
    assert hidden.verdict == "fail" and hidden.counted, hidden.detail
    assert (hidden.tests_passed, hidden.tests_failed) == (2, 1)
    plain = v.verify(parallel_task, Edit(files={"calc.js": BROKEN + PLAIN_SEND}), "m")
    assert plain.verdict == "fail" and not plain.counted, plain.detail
    assert "uses process.send (a worker's channel to the runner)" in plain.detail


@needs_bwrap
def test_changed_lines_no_test_runs_in_parallel_mode(parallel_task: Task) -> None:
    task = task_for(Path(parallel_task.workspace), "npm test", kind="refactoring")
    edit = Edit(files={"calc.js": CALC.replace("return -x;", "return 0 - x;")})
    out = verifier(timeout_s=60).verify(task, edit, "m")
    assert out.verdict == "pass", out.detail
    assert out.unrun == "no test ran 1 of the 1 statements the edit changes: calc.js line 4"


# --------------------------------------------------------------------------- run again

#: the end-to-end tests written for the mocha stand-in, run with the real mocha in
#: parallel mode: ``--parallel`` on its command line, or package.json's ``mocha`` key
MOCHA_AGAIN: Table = {
    test_redteam_js_files: (
        "test_a_hook_registered_by_the_code_under_test_is_not_verified",
        "test_every_mocha_config_file_is_the_tests_configuration",
        "test_module_loader_hooks_registered_by_the_code_are_not_verified",
    ),
    test_unrun_lines_js: ("test_npm_test_running_mocha",),
}
#: (the configuration is copied beside the shim: the repository's copy may lie under /tmp,
#: which the sandbox does not show)
MOCHA_MODES = {"cli": "--parallel --jobs 2", "config": '--package "$(dirname "$0")/parallel.json"'}


@pytest.mark.parametrize(("module", "name", "kwargs", "mode"), cases(MOCHA_AGAIN, MOCHA_MODES))
def test_the_same_verdict_with_mocha_in_parallel(
    module: ModuleType,
    name: str,
    kwargs: dict[str, object],
    mode: str,
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    shim = SHIM.replace("ARGS", MOCHA_MODES[mode])
    for m in (test_redteam_js_files, test_unrun_lines_js):
        monkeypatch.setattr(m, "FAKE_MOCHA", shim)
        monkeypatch.setattr(m, "write_tree", _write_tree_linking_mocha)
    run_again(module, name, kwargs, request)
