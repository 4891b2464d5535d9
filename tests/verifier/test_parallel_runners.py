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

``node --test`` runs each test file in a child process of its own (node 20's only
isolation, whatever ``--test-concurrency``): the child's reporter writes its results to
its stdout as V8-serialized messages, and the parent reads them for the reporters (ours
among them).  ``calc.js`` wrapping ``process.stdout.write`` in the child to rewrite
``test:fail`` into ``test:pass`` (and setting the exit code to 0) was verified, ``add``
broken, ``1 passed, 0 failed (before: 1 passed, 0 failed)``, with and without
``--test-concurrency=2``.  The tripwire now reads ``process.stdout`` / ``stderr`` members
assigned and v8's serializer in the code under test (``harness_js``); with the names
built at run time it is not seen (as every name the tripwire reads).

Here mocha is the real one, of the repository's devDependencies (``make npm``), and the
end-to-end tests written for the mocha stand-in (``test_redteam_js_files``,
``test_unrun_lines_js``) run again with it in parallel mode (:data:`MOCHA_AGAIN`); those of
``node --test`` run again with ``--test-concurrency=2`` (:data:`NODE_AGAIN`: node runs
each test file in a process of its own by default, and reports from the parent).
"""

from __future__ import annotations

import inspect
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType

import pytest
from acrouter.domain import Edit, Task
from acrouter.verifier.harness import reaches_into_harness
from acrouter.verifier.harness_jest import jest_harness_uses
from acrouter.verifier.harness_js import js_harness_uses
from acrouter.verifier.runners import plan_command

from . import (
    test_harness,
    test_js_renames,
    test_redteam_js_files,
    test_runner_results,
    test_unrun_lines_js,
)
from .helpers import needs_bwrap, task_for, verifier, write_tree
from .test_js_renames import proj  # noqa: F401 (a fixture of NODE_AGAIN's tests)
from .test_python313 import _parameters
from .test_redteam_js_files import mocha_task  # noqa: F401 (a fixture of MOCHA_AGAIN's tests)
from .test_runner_results import node_project  # noqa: F401 (a fixture of NODE_AGAIN's tests)

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


# --------------------------------------------------------------------------- node --test

#: ``node --test`` with more than one test file's process at a time (2 cores here: node's
#: default is one)
NODE_FLAGS = "--test --test-concurrency=2"

NODE_CALC = "exports.add = function (a, b) { return a + b; };\n"
NODE_TEST = """\
const test = require("node:test");
const assert = require("node:assert");
const { add } = require("../calc.js");
test("adds", () => { assert.strictEqual(add(2, 3), 5); });
"""
#: the test file's process rewriting what its reporter writes to the parent: every
#: ``test:fail`` message sent as a ``test:pass``, and the process's exit code made 0
NODE_FORGE = """\
const v8 = require("v8");
const write = process.stdout.write.bind(process.stdout);
process.on("exit", () => { process.exitCode = 0; });
process.stdout.write = function (chunk, ...rest) {
  try {
    if (Buffer.isBuffer(chunk) && chunk.length > 8) {
      const d = new v8.DefaultDeserializer(chunk.subarray(6));
      d.readHeader();
      const m = d.readValue();
      if (m && m.type === "test:fail") {
        m.type = "test:pass";
        delete m.data.details.error;
        const s = new v8.DefaultSerializer();
        s.writeHeader();
        s.writeValue(m);
        const body = s.releaseBuffer(), size = Buffer.alloc(4);
        size.writeUInt32BE(body.length);
        chunk = Buffer.concat([chunk.subarray(0, 2), size, body]);
      }
    }
  } catch (e) {}
  return write(chunk, ...rest);
};
"""


def test_the_tripwire_reads_what_node_test_sends_results_through() -> None:
    assert js_harness_uses(NODE_FORGE) == {
        "changes process.stdout (node --test's results)": 1,
        "uses v8's DefaultDeserializer (node --test's results)": 1,
        "uses v8's DefaultSerializer (node --test's results)": 1,
    }
    assert js_harness_uses(
        "Object.defineProperty(process.stderr, 'write', { value: f });\n"
        "const { serialize } = require('node:v8');\n"
    ) == {
        "changes process.stderr (node --test's results)": 1,
        "uses v8's serialize (node --test's results)": 1,
    }
    ordinary = (
        "process.stdout.write('x\\n');\nconst w = process.stdout.write;\n"
        "if (process.stdout.isTTY) {}\nJSON.stringify(x);\nserializer.serialize(o);\n"
    )
    assert js_harness_uses(ordinary) == {}


@needs_bwrap
@pytest.mark.parametrize("command", ["node --test test/", f"node {NODE_FLAGS} test/"])
def test_node_results_rewritten_in_a_test_files_process_are_not_verified(
    tmp_path: Path, command: str
) -> None:
    root = write_tree(tmp_path / "p", {"calc.js": NODE_CALC, "test/add.test.js": NODE_TEST})
    task, v = task_for(root, command), verifier(timeout_s=60)
    broken = NODE_CALC.replace("a + b", "a - b")
    wrong = v.verify(task, Edit(files={"calc.js": broken}), "m")
    assert wrong.verdict == "fail" and wrong.counted and wrong.tests_failed == 1, wrong.detail
    # verified before: "1 passed, 0 failed (before: 1 passed, 0 failed)"
    out = v.verify(task, Edit(files={"calc.js": broken + NODE_FORGE}), "m")
    assert out.verdict == "fail" and not out.counted, out.detail
    assert "changes process.stdout (node --test's results)" in out.detail


# --------------------------------------------------------------------------- run again

#: the end-to-end tests written for the mocha stand-in, run with the real mocha in
#: parallel mode: ``--parallel`` on its command line, or package.json's ``mocha`` key
MOCHA_AGAIN: dict[ModuleType, tuple[str, ...]] = {
    test_redteam_js_files: (
        "test_a_hook_registered_by_the_code_under_test_is_not_verified",
        "test_every_mocha_config_file_is_the_tests_configuration",
        "test_module_loader_hooks_registered_by_the_code_are_not_verified",
    ),
    test_unrun_lines_js: ("test_npm_test_running_mocha",),
}
MOCHA_MODES = {"cli": "--parallel --jobs 2", "config": f"--package {PARALLEL_CONFIG}"}
#: the end-to-end tests of ``node --test``, run with ``--test-concurrency=2``
NODE_AGAIN: dict[ModuleType, tuple[str, ...]] = {
    test_harness: (
        "test_js_code_under_test_wrapping_the_runners_it_is_not_verified",
        "test_js_code_under_test_making_node_assert_a_no_op_is_not_verified",
    ),
    test_redteam_js_files: ("test_node_tests_own_names_for_test_files_belong_to_the_tests",),
    test_unrun_lines_js: (
        "test_a_change_no_test_runs_is_named",
        "test_a_change_the_tests_run_says_nothing_more",
        "test_an_es_module_branch_no_test_takes_and_a_removal",
        "test_the_coverage_never_fails_an_edit",
        "test_a_python_and_a_js_change_together",
    ),
    test_js_renames: (
        "test_a_js_rename_across_code_and_tests_is_verified",
        "test_a_js_rename_that_also_breaks_the_code_fails",
        "test_a_js_rename_with_an_expectation_changed_is_judged_with_the_tests_as_they_were",
        "test_a_test_named_after_the_function_keeps_its_old_name",
    ),
    test_runner_results: ("test_node_cheats_fail",),
}


def _cases(table: dict[ModuleType, tuple[str, ...]], modes: tuple[str, ...]) -> list[object]:
    cases = []
    for module, names in table.items():
        short = module.__name__.rpartition(".")[2].removeprefix("test_")
        for name in names:
            for i, kwargs in enumerate(_parameters(getattr(module, name))):
                for mode in modes:
                    cases.append(
                        pytest.param(module, name, kwargs, mode, id=f"{mode}-{short}::{name}-{i}")
                    )
    return cases


def _run(
    module: ModuleType, name: str, kwargs: dict[str, object], request: pytest.FixtureRequest
) -> None:
    test: Callable[..., None] = getattr(module, name)
    fixtures = [p for p in inspect.signature(test).parameters if p not in kwargs]
    test(**kwargs, **{f: request.getfixturevalue(f) for f in fixtures})


@pytest.mark.parametrize(
    ("module", "name", "kwargs", "mode"), _cases(MOCHA_AGAIN, tuple(MOCHA_MODES))
)
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
    _run(module, name, kwargs, request)


@pytest.fixture
def node_commands(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """``node --test`` in the tasks of NODE_AGAIN's modules made ``NODE_FLAGS``; the
    commands they verified."""
    seen: list[str] = []

    def rewritten(root: Path, command: str | None = None, **kw: object) -> Task:
        if command is not None and "node --test" in command:
            command = command.replace("node --test", f"node {NODE_FLAGS}")
        seen.append(str(command))
        return task_for(root, command, **kw)

    for module in NODE_AGAIN:
        monkeypatch.setattr(module, "task_for", rewritten)
    yield seen


@pytest.mark.parametrize(("module", "name", "kwargs", "mode"), _cases(NODE_AGAIN, ("concurrency",)))
def test_the_same_verdict_with_node_test_concurrency(
    module: ModuleType,
    name: str,
    kwargs: dict[str, object],
    mode: str,
    request: pytest.FixtureRequest,
    node_commands: list[str],
) -> None:
    _run(module, name, kwargs, request)
    assert any(NODE_FLAGS in c for c in node_commands), node_commands
