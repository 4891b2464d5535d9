"""Code under test that reaches into jest's or vitest's objects, or forges their report,
is not verified (``verifier.harness_jest``).

Found by ``benchmarks/verify_trust.py`` on no-case 3.0.4, whose suite is jest on its
compiled ``dist/index.spec.js``: verified were (1) ``noCase`` made to return a wrong
result while the module called ``expect.extend`` with a ``toEqual`` that always passes
(jest's ``expect`` is a global of the module context the code under test runs in), and
(2) ``noCase`` broken while the module wrote a report of every test passed to the path
jest was given (``--outputFile``, read from ``/proc/<pid>/cmdline``) and exited with 0;
(3) ``noCase`` broken while the module, through a core module's ``Function``
constructor, reached jest's own ``process`` and, on its ``exit``, rewrote the report
(every test passed) and exited with 0 (``process.reallyExit(0)``).

The sample project runs a small stand-in for jest (``node_modules/.bin/jest``, node
only: no jest is installed for the tests): it runs ``test/*.test.js`` with a global
``test`` and ``expect`` (``toBe``, ``expect.extend``) and writes jest's ``--json``
report to ``--outputFile`` and prints jest's closing count, as jest does, so the
verifier reads it as jest's.

The tripwire reads names.  The same attacks with the names built at run time get past
it; the report is then checked against the count the runner printed last
(``results.summary_check``): a report forged before the runner printed anything, or
rewritten after it printed its count, does not match it.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from acrouter.domain import Edit
from acrouter.verifier.harness_jest import jest_harness_uses
from acrouter.verifier.reports.jest import printed_counts
from acrouter.verifier.testrun import TestRun
from acrouter.verifier.verdict import judge

from .helpers import needs_bwrap, task_for, verifier, write_tree

FAKE_JEST = """\
#!/usr/bin/env node
// a stand-in for jest: test/*.test.js with global test/expect; jest's --json report
const fs = require("fs"), path = require("path");
const flag = process.argv.find((a) => a.startsWith("--outputFile="));
const matchers = {
  toBe(a, b) { return { pass: Object.is(a, b), message: () => `expected ${b}, got ${a}` }; },
};
global.expect = (actual) => new Proxy({}, { get: (_, name) => (...args) => {
  const r = matchers[name].call({ isNot: false }, actual, ...args);
  if (!r.pass) throw new Error(r.message());
} });
global.expect.extend = (more) => Object.assign(matchers, more);
const tests = [];
global.test = (title, fn) => tests.push([title, fn]);
const suites = [];
for (const name of fs.readdirSync("test").filter((n) => n.endsWith(".test.js")).sort()) {
  const file = path.resolve("test", name);
  tests.length = 0;
  require(file);
  const cases = tests.map(([title, fn]) => {
    try { fn(); return { title, ancestorTitles: [], status: "passed", failureMessages: [] }; }
    catch (e) { return { title, ancestorTitles: [], status: "failed", failureMessages: [String(e)] }; }
  });
  suites.push({ name: file, status: cases.some((c) => c.status === "failed") ? "failed" : "passed",
    assertionResults: cases });
}
const failed = suites.flatMap((s) => s.assertionResults).filter((c) => c.status === "failed");
const all = suites.flatMap((s) => s.assertionResults).length;
console.error(`Tests:       ${failed.length} failed, ${all - failed.length} passed, ${all} total`);
if (flag) fs.writeFileSync(flag.slice("--outputFile=".length),
  JSON.stringify({ success: !failed.length, numFailedTests: failed.length, testResults: suites }));
process.exit(failed.length ? 1 : 0);
"""

CASE_JS = "exports.lower = function lower(s) {\n  return s.toLowerCase();\n};\n"
WRONG = CASE_JS.replace("return s.toLowerCase();", "return s;")
TEST_JS = """\
const { lower } = require("../case.js");
test("lowers", () => { expect(lower("AbC")).toBe("abc"); });
test("keeps lower", () => { expect(lower("abc")).toBe("abc"); });
"""

#: noCase's attack (1): every toBe passes
MATCHERS_PASS = """\
expect.extend({ toBe: function () { return { pass: true, message: function () { return ""; } }; } });
"""


def forged_report(root: Path) -> str:
    """Attack (2): the report of every test passed, written where the runner was told to
    write it, then an exit with 0 before any test runs."""
    test = root / "test" / "case.test.js"
    return f"""\
var fs = require("fs");
var args = fs.readFileSync("/proc/" + process.pid + "/cmdline", "utf8").split("\\0");
var flag = args.find(function (a) {{ return a.indexOf("--outputFile=") === 0; }});
if (flag) {{
  fs.writeFileSync(flag.slice(13), JSON.stringify({{ success: true, numFailedTests: 0,
    testResults: [{{ name: {str(test)!r}, status: "passed", assertionResults: [
      {{ title: "lowers", ancestorTitles: [], status: "passed", failureMessages: [] }},
      {{ title: "keeps lower", ancestorTitles: [], status: "passed", failureMessages: [] }}
    ] }}] }}));
  process.exit(0);
}}
"""


#: attack (3): on the runner's exit, the report rewritten and the exit code made 0
ON_EXIT = """\
var fs = require("fs");
process.on("exit", function () {
  var args = fs.readFileSync("/proc/" + process.pid + "/cmdline", "utf8").split("\\0");
  var flag = args.find(function (a) { return a.indexOf("--outputFile=") === 0; });
  var r = JSON.parse(fs.readFileSync(flag.slice(13), "utf8"));
  r.testResults.forEach(function (s) { s.assertionResults.forEach(function (a) { a.status = "passed"; }); });
  fs.writeFileSync(flag.slice(13), JSON.stringify(r));
  process.reallyExit(0);
});
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    if shutil.which("node") is None:
        pytest.skip("node is not installed")
    root = write_tree(
        tmp_path / "proj",
        {
            "case.js": CASE_JS,
            "test/case.test.js": TEST_JS,
            "node_modules/.bin/jest": FAKE_JEST,
            "package.json": '{"name": "proj", "version": "1.0.0"}\n',
        },
    )
    os.chmod(root / "node_modules/.bin/jest", 0o755)
    return root


def test_what_counts_as_reaching_into_jest_or_vitest() -> None:
    assert jest_harness_uses(MATCHERS_PASS) == {"uses expect.extend": 1}
    assert jest_harness_uses(
        'var e = globalThis[Symbol.for("expect-global")]\nglobalThis.__vitest_worker__\n'
        "jest.retryTimes(3)\nvi.mock('./x')\n"
    ) == {
        'uses Symbol.for("expect-global")': 1,
        "uses __vitest_worker__": 1,
        "uses jest.retryTimes": 1,
        "uses vi.mock": 1,
    }
    forged = jest_harness_uses(forged_report(Path("/p")))
    assert forged["names the runner's report (testResults)"] == 1
    assert forged["names the runner's report (assertionResults)"] == 1
    assert forged["reads a process's command line (/proc/<pid>/cmdline)"] == 1
    escape = 'var p = fs.readFileSync.constructor("return process")()\np.reallyExit(0)\n'
    assert jest_harness_uses(escape) == {
        'reaches the runner\'s process (constructor("return process"))': 1,
        "uses process.reallyExit": 1,
    }
    aliased = "var e = typeof expect !== 'undefined' ? expect : null\nfn(jest)\nglobalThis.expect\n"
    assert jest_harness_uses(aliased) == {
        "takes jest's expect": 1,
        "takes jest's jest": 1,
        "uses global.expect": 1,
    }
    ordinary = (
        "var results = []\nobj.expect.extend = 1\nlist.extend(x)\nvar vi = 6; vi.toFixed()\n"
        "class A { constructor(x) { return this } }\nSymbol.for('app.key')\n"
        "// we expect a string here\nvar expected = f(expectation, jester)\n"
    )
    assert jest_harness_uses(ordinary) == {}


@needs_bwrap
def test_the_stand_in_runs_as_jest(project: Path) -> None:
    v = verifier(timeout_s=60)
    task = task_for(project, "node_modules/.bin/jest")
    ok = v.verify(task, Edit(files={"case.js": CASE_JS + "// a comment\n"}), "m")
    assert ok.verdict == "pass" and ok.tests_passed == 2, ok.detail
    wrong = v.verify(task, Edit(files={"case.js": WRONG}), "m")
    assert wrong.verdict == "fail" and wrong.tests_failed == 1, wrong.detail


@needs_bwrap
def test_matchers_overridden_by_the_code_under_test_are_not_verified(project: Path) -> None:
    v = verifier(timeout_s=60)
    task = task_for(project, "node_modules/.bin/jest")
    out = v.verify(task, Edit(files={"case.js": MATCHERS_PASS + WRONG}), "m")
    assert out.verdict == "fail" and not out.counted, out.detail
    assert "case.js (not one of the tests' files) reaches into the test harness" in out.detail
    assert "uses expect.extend" in out.detail


@needs_bwrap
def test_a_report_forged_by_the_code_under_test_is_not_verified(project: Path) -> None:
    v = verifier(timeout_s=60)
    task = task_for(project, "node_modules/.bin/jest")
    broken = CASE_JS.replace("return s.toLowerCase();", 'throw new Error("broken");')
    out = v.verify(task, Edit(files={"case.js": forged_report(project) + broken}), "m")
    assert out.verdict == "fail" and not out.counted, out.detail
    assert "names the runner's report" in out.detail


@needs_bwrap
def test_a_report_rewritten_on_exit_by_the_code_under_test_is_not_verified(
    project: Path,
) -> None:
    v = verifier(timeout_s=60)
    task = task_for(project, "node_modules/.bin/jest")
    out = v.verify(task, Edit(files={"case.js": ON_EXIT + WRONG}), "m")
    assert out.verdict == "fail" and not out.counted, out.detail
    assert "uses process.reallyExit" in out.detail or "names the runner's report" in out.detail


#: attack (2) with the names built at run time: no name the tripwire reads
HIDDEN_FORGED = """\
var fs = require("fs"), k = function (a, b) { return a + b; };
var flag = process.argv.find(function (a) { return a.indexOf(k("--output", "File=")) === 0; });
if (flag) {
  var r = {}; r[k("test", "Results")] = [];
  var suite = { name: TEST_PATH, status: "passed" };
  suite[k("assertion", "Results")] = ["lowers", "keeps lower"].map(function (t) {
    return { title: t, ancestorTitles: [], status: "passed", failureMessages: [] };
  });
  r[k("test", "Results")].push(suite);
  fs.writeFileSync(flag.slice(13), JSON.stringify(r));
  process.exit(0);
}
"""

#: attack (3) with the names built at run time
HIDDEN_ON_EXIT = """\
var fs = require("fs"), k = function (a, b) { return a + b; };
process.on("exit", function () {
  var flag = process.argv.find(function (a) { return a.indexOf(k("--output", "File=")) === 0; });
  var text = fs.readFileSync(flag.slice(13), "utf8").split('"failed"').join('"passed"');
  fs.writeFileSync(flag.slice(13), text);
  process[k("really", "Exit")](0);
});
"""


def test_the_hidden_attacks_get_past_the_tripwire() -> None:
    assert jest_harness_uses(HIDDEN_FORGED) == {}
    assert jest_harness_uses(HIDDEN_ON_EXIT) == {}


@needs_bwrap
def test_a_report_the_runners_count_does_not_back_is_not_verified(project: Path) -> None:
    v = verifier(timeout_s=60)
    task = task_for(project, "node_modules/.bin/jest")
    test_path = repr(str(project / "test" / "case.test.js"))
    forged = HIDDEN_FORGED.replace("TEST_PATH", test_path)
    broken = CASE_JS.replace("return s.toLowerCase();", 'throw new Error("broken");')
    out = v.verify(task, Edit(files={"case.js": forged + broken}), "m")
    assert out.verdict == "fail" and not out.counted, out.detail
    assert out.detail.startswith("the runner printed no count of its tests"), out.detail
    out = v.verify(task, Edit(files={"case.js": HIDDEN_ON_EXIT + WRONG}), "m")
    assert out.verdict == "fail" and not out.counted, out.detail
    differs = (
        "the runner's count differs from its report (its report has 2 passed, 0 failed; "
        "it printed 1 passed, 1 failed)"
    )
    assert differs in out.detail, out.detail


def test_the_counts_jest_and_vitest_print() -> None:
    jest = "PASS dist/x.spec.js\nTests:       1 failed, 1 skipped, 29 passed, 31 total\nTime: 2s\n"
    assert printed_counts(jest) == (29, 1)
    vitest = (
        "\x1b[2m Test Files \x1b[22m \x1b[1m\x1b[32m17 passed\x1b[39m\x1b[22m\x1b[90m (17)\x1b[39m\n"
        "\x1b[2m      Tests \x1b[22m \x1b[1m\x1b[31m1 failed\x1b[39m\x1b[22m\x1b[2m | \x1b[22m"
        "\x1b[1m\x1b[32m204 passed\x1b[39m\x1b[22m\x1b[90m (205)\x1b[39m\n"
    )
    assert printed_counts(vitest) == (204, 1)
    assert printed_counts("Tests: a line of a test's own\nok\n") is None


def _run(summary: str, failed: bool = False) -> TestRun:
    outcomes = {"t::a": "passed", "t::b": "failed" if failed else "passed"}
    return TestRun(exit_code=int(failed), outcomes=outcomes, expects_report=True, summary=summary)


def test_the_count_is_required_only_where_the_run_without_the_edit_printed_one() -> None:
    # a project whose reporters print no count (a config of its own): judged by its report
    assert judge(_run("missing", failed=True), _run("missing")).verdict == "pass"
    assert judge(_run("agrees", failed=True), _run("agrees")).verdict == "pass"
    out = judge(_run("agrees"), _run("missing"))
    assert out.verdict == "fail" and not out.counted
    assert judge(_run("agrees"), _run("its report has 2 passed")).verdict == "fail"
    assert judge(_run(""), _run("")).verdict == "pass"  # another runner: not checked
