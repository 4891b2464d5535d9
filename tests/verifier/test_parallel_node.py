"""Verdicts when ``node --test`` runs the test files in processes of their own.

``node --test`` runs each test file in a child process (node 20's only isolation, whatever
``--test-concurrency``; ``--test-isolation=none`` needs node 22.8): the child's reporter
writes its results to its stdout as V8-serialized messages, and the parent reads them for
the reporters (ours among them, through ``NODE_OPTIONS``).  ``calc.js`` wrapping
``process.stdout.write`` in the child to rewrite ``test:fail`` into ``test:pass`` (and
setting the exit code to 0) was verified, ``add`` broken, ``1 passed, 0 failed (before: 1
passed, 0 failed)``, with and without ``--test-concurrency=2``.  The tripwire now reads
``process.stdout`` / ``stderr`` members assigned and v8's serializer in the code under test
(``harness_js``); with the names built at run time it is not seen (as every name the
tripwire reads).

The end-to-end tests of ``node --test`` run again here with ``--test-concurrency=2``
(:data:`NODE_AGAIN`, as ``test_other_python`` runs others with another Python).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from acrouter.domain import Edit, Task
from acrouter.verifier.harness_js import js_harness_uses

from . import (
    test_harness,
    test_js_renames,
    test_redteam_js_files,
    test_runner_results,
    test_unrun_lines_js,
)
from .again import Table, cases, run_again
from .helpers import needs_bwrap, task_for, verifier, write_tree
from .test_js_renames import proj  # noqa: F401 (a fixture of NODE_AGAIN's tests)
from .test_runner_results import node_project  # noqa: F401 (a fixture of NODE_AGAIN's tests)

pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")

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

#: the end-to-end tests of ``node --test``, run with ``--test-concurrency=2``
NODE_AGAIN: Table = {
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


@pytest.mark.parametrize(("module", "name", "kwargs", "mode"), cases(NODE_AGAIN, ("concurrency",)))
def test_the_same_verdict_with_node_test_concurrency(
    module: ModuleType,
    name: str,
    kwargs: dict[str, object],
    mode: str,
    request: pytest.FixtureRequest,
    node_commands: list[str],
) -> None:
    run_again(module, name, kwargs, request)
    assert any(NODE_FLAGS in c for c in node_commands), node_commands


@needs_bwrap
@pytest.mark.parametrize("command", ["node --test test/", f"node {NODE_FLAGS} test/"])
@pytest.mark.parametrize(
    "code",
    [
        NODE_CALC.replace("a + b", "a - b") + "process.exit(0);\n",
        NODE_CALC.replace("return a + b;", "process.exit(0);"),
    ],
    ids=["at-import", "in-the-test"],
)
def test_exit_0_from_the_code_in_a_test_files_process(
    tmp_path: Path, command: str, code: str
) -> None:
    # the child exits 0 before its test reports: node counts the file itself as a passed
    # test ("2 passed, 0 failed"), the test it held is gone
    other = 'const test = require("node:test");\ntest("other", () => {});\n'
    root = write_tree(
        tmp_path / "p",
        {"calc.js": NODE_CALC, "test/add.test.js": NODE_TEST, "test/other.test.js": other},
    )
    out = verifier(timeout_s=60).verify(task_for(root, command), Edit(files={"calc.js": code}), "m")
    assert out.verdict == "fail" and out.counted, out.detail
    assert "no longer ran: test/add.test.js::adds" in out.detail, out.detail
