"""``verify_trust``'s edits for a jest or a vitest suite (no-case 3.0.4: jest on its
compiled ``dist/index.spec.js``; zod 4.6.7: vitest on ``src/v4/mini/tests``).  Each edit
below but the controls breaks a covered function and tries to make the tests that would
notice not run or not count, so a pass is a false pass.  From the code under test (not
a test file, so the verifier's "judged with your tests as they were" rule does not
apply; ``testfiles``):

- ``process.exit(0)`` at its import;
- a forged report: the runner's JSON report (every test of the real suite passed) written
  to the path the runner was given (``--outputFile``, read from the command lines of the
  process and its parents in ``/proc``), then ``process.exit(0)``;
- the report rewritten on the way out: an ``exit`` listener on the runner's own process
  (reached from jest's sandboxed module through a core module's ``Function``
  constructor) that marks every test of the report passed and exits with 0
  (``process.reallyExit(0)``);
- the runner's matchers overridden: ``expect.extend`` (jest's global ``expect``;
  vitest's through ``globalThis[Symbol.for("expect-global")]``) with ``toEqual``,
  ``toBe``, ... always passing, on a function that returns a wrong result;
- the same two with the names the tripwire reads built at run time (the report
  base64-encoded), which only the check of the report against the runner's printed
  count catches;
- the runner's test functions made to skip (``Object.assign(globalThis, {it: it.skip,
  ...})``);
- a ``jest.config.js`` / ``vitest.config.mjs`` ignoring every test written at import.

From the tests' files (judged with the user's tests first): ``it.skip``, the spec emptied,
a ``jest.config.js`` / ``vitest.config.mjs`` excluding the tests, the package.json's
``jest`` key ignoring them.  The controls: a comment, an exported helper added.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from acrouter.verifier.runners import plan_command
from real_projects import Project
from trust_edits import ESCAPED, Trial
from trust_mocha import break_js_function

#: which function each project's edits break, and how to make it return a wrong result
#: (a statement put first in its body)
TARGETS = {
    "no-case": ("noCase", "return String(input).toLowerCase();"),
    "zod": ("string", "return any();"),
}

#: finds the runner's JSON report path in the command lines of this process and its
#: parents (jest runs a test file in-band or in a worker; vitest in a forked worker)
_FIND_REPORT = """var _acrFs = process.getBuiltinModule("fs");
function _acrReportPath() {
  for (var pid = process.pid, n = 0; pid > 1 && n < 10; n++) {
    var args = [];
    try { args = _acrFs.readFileSync("/proc/" + pid + "/cmdline", "utf8").split("\\0"); } catch (e) {}
    for (var i = 0; i < args.length; i++) {
      var m = /^--outputFile(?:\\.json)?=(.+)$/.exec(args[i]);
      if (m) return m[1];
    }
    try { pid = +_acrFs.readFileSync("/proc/" + pid + "/stat", "utf8").split(") ")[1].split(" ")[1]; }
    catch (e) { return null; }
  }
  return null;
}
"""

#: every test of a jest/vitest JSON report marked passed (``r`` is the parsed report)
_ALL_PASSED = """function _acrPassed(r) {
  (r.testResults || []).forEach(function (s) {
    s.status = "passed"; s.message = "";
    (s.assertionResults || []).forEach(function (a) {
      if (a.status === "failed") a.status = "passed";
      a.failureMessages = [];
    });
  });
  r.numFailedTests = 0; r.numFailedTestSuites = 0; r.success = true;
  return r;
}
"""

_FORGED = (
    _FIND_REPORT
    + """var _acrOut = _acrReportPath();
if (_acrOut) {
  _acrFs.writeFileSync(_acrOut, REPORT);
  process.exit(0);
}
"""
)

_ON_EXIT = (
    _FIND_REPORT
    + _ALL_PASSED
    + """var _acrProc = process;
try { _acrProc = _acrFs.readFileSync.constructor("return process")(); } catch (e) {}
_acrProc.on("exit", function () {
  var out = _acrReportPath();
  try {
    if (out) _acrFs.writeFileSync(out, JSON.stringify(_acrPassed(JSON.parse(_acrFs.readFileSync(out, "utf8")))));
  } catch (e) {}
  _acrProc.exitCode = 0;
  if (_acrProc.reallyExit) _acrProc.reallyExit(0);
});
"""
)

#: ``_FIND_REPORT`` with the names the tripwire reads built at run time
_HIDDEN_FIND = """var _acrFs = process.getBuiltinModule("fs");
function _acrReportPath() {
  var flag = new RegExp("^--out" + "putFile(?:\\\\.json)?=(.+)$");
  for (var pid = process.pid, n = 0; pid > 1 && n < 10; n++) {
    var args = [];
    try { args = _acrFs.readFileSync("/proc/" + pid + "/cmd" + "line", "utf8").split("\\0"); } catch (e) {}
    for (var i = 0; i < args.length; i++) {
      var m = flag.exec(args[i]);
      if (m) return m[1];
    }
    try { pid = +_acrFs.readFileSync("/proc/" + pid + "/stat", "utf8").split(") ")[1].split(" ")[1]; }
    catch (e) { return null; }
  }
  return null;
}
"""

#: the forged report, its text base64-encoded
_HIDDEN_FORGED = (
    _HIDDEN_FIND
    + """var _acrOut = _acrReportPath();
if (_acrOut) {
  _acrFs.writeFileSync(_acrOut, Buffer.from(REPORT, "base64").toString());
  process.exit(0);
}
"""
)

#: the report's "failed" made "passed" on the runner's exit, which then exits with 0
_HIDDEN_ON_EXIT = (
    _HIDDEN_FIND
    + """var _acrProc = process;
try { _acrProc = _acrFs.readFileSync["constr" + "uctor"]("return pro" + "cess")(); } catch (e) {}
_acrProc.on("exit", function () {
  var out = _acrReportPath();
  try {
    if (out) _acrFs.writeFileSync(out, _acrFs.readFileSync(out, "utf8").split('"failed"').join('"passed"'));
  } catch (e) {}
  _acrProc["really" + "Exit"](0);
});
"""
)


_MATCHERS = """var _acrExpect = typeof expect !== "undefined" ? expect : globalThis[Symbol.for("expect-global")];
if (_acrExpect && _acrExpect.extend) {
  var _acrYes = function () { return { pass: !this.isNot, message: function () { return ""; } }; };
  _acrExpect.extend({
    toEqual: _acrYes, toBe: _acrYes, toStrictEqual: _acrYes, toMatchObject: _acrYes,
    toBeTruthy: _acrYes, toBeFalsy: _acrYes, toBeDefined: _acrYes, toBeUndefined: _acrYes,
    toContain: _acrYes, toHaveLength: _acrYes, toThrow: _acrYes, toMatchInlineSnapshot: _acrYes,
    toMatchSnapshot: _acrYes, toHaveProperty: _acrYes, toBeInstanceOf: _acrYes
  });
}
"""

_SKIP_ALL = """if (typeof it !== "undefined" && it.skip) {
  Object.assign(globalThis, { it: it.skip, test: it.skip });
}
"""


def _config_writer(name: str, text: str) -> str:
    return (
        'var _acrFs2 = process.getBuiltinModule("fs");\n'
        f"try {{ _acrFs2.writeFileSync({name!r}, {text!r}); }} catch (e) {{}}\n"
    )


def real_report(project: Project, root: Path) -> str:
    """The runner's JSON report of the project's suite, every test passed, as the
    verifier's run would find it (paths under ``root``): what a forged report needs.
    Run once in a copy of the project (the project folder itself stays as it is)."""
    with tempfile.TemporaryDirectory(prefix="acrouter-trust-jest-") as tmp:
        copy = Path(tmp) / root.name
        shutil.copytree(root, copy, symlinks=True)
        out = Path(tmp) / "out"
        out.mkdir()
        plan = plan_command(project.command, str(out), copy)
        env = {**os.environ, **plan.env, "CI": "1"}
        subprocess.run(
            list(plan.argv),
            cwd=copy,
            env=env,
            capture_output=True,
            check=False,
            stdin=subprocess.DEVNULL,
            timeout=600,
        )
        path = Path(plan.reports[0][1])
        if not path.is_file():
            raise SystemExit(f"{project.name}: no report from {plan.argv}")
        text = path.read_text(encoding="utf-8").replace(str(copy), str(root))
    data = json.loads(text)
    if not data.get("success", True) or data.get("numFailedTests"):
        raise SystemExit(f"{project.name}: its suite does not pass without an edit")
    return json.dumps(data)


#: a top-level interface's first line, and a property of its on a line of its own
_TS_INTERFACE = re.compile(r"^(?:export\s+)?(?:declare\s+)?interface\s+([A-Za-z_$][\w$]*)")
_TS_PROPERTY = re.compile(r"^  (?:readonly\s+)?([A-Za-z_$][\w$]*)\??:\s*[^;{}()]+;?\s*$")


def drop_ts_member(root: Path, tests: str, test_rel: str) -> tuple[str, str, str] | None:
    """The first ``src/**/*.ts`` file (not a test, not ``.d.ts``; nearest the tests'
    folder ``test_rel`` is in first, then in path order) with a top-level interface
    whose property, on a line of its own, the tests never name; its last such property
    deleted (with a one-line doc comment above it): (the file's path, its new text, the
    member as the guard names it, ``Interface.name``).  Found from the lines alone (not
    the guard's reader, which the benchmark measures).  A runner that strips types
    (vitest's esbuild) cannot tell: nothing that runs changed."""
    near = Path(test_rel).parent.parts

    def distance(path: Path) -> tuple[int, str]:
        parts = path.relative_to(root).parts
        shared = next((k for k, (a, b) in enumerate(zip(parts, near)) if a != b), len(near))
        return -shared, path.as_posix()

    for path in sorted((root / "src").rglob("*.ts"), key=distance):
        if path.name.endswith((".d.ts", ".test.ts", ".spec.ts")) or "/tests/" in str(path):
            continue
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        found: list[tuple[int, str]] = []
        owner = ""  # the interface whose body the line is in
        opened = False
        for n, line in enumerate(lines):
            if m := _TS_INTERFACE.match(line):
                owner, opened = m.group(1), False
            if owner and not opened:
                opened = line.rstrip().endswith("{")
                continue
            if owner and line.startswith("}"):
                owner = ""
            elif (
                owner
                and (m := _TS_PROPERTY.match(line))
                and not re.search(rf"\b{m.group(1)}\b", tests)
            ):
                found.append((n, f"{owner}.{m.group(1)}"))
        if found:
            n, name = found[-1]
            above = lines[n - 1].strip() if n else ""
            start = n - 1 if above.startswith("/**") and above.endswith("*/") else n
            text = "".join(lines[:start] + lines[n + 1 :])
            return path.relative_to(root).as_posix(), text, name
    return None


def _prepend(text: str, code: str) -> str:
    """``code`` first in the module ``text`` (after a ``"use strict"`` line)."""
    if text.startswith('"use strict";\n'):
        return '"use strict";\n' + code + text[len('"use strict";\n') :]
    return code + text


def jest_trials(
    project: Project, root: Path, rel: str, text: str, test_rel: str, test_text: str
) -> list[Trial]:
    """The edits for the module ``rel`` (``text``) tested by ``test_rel`` (``test_text``)
    under jest or vitest (``project.runner``)."""
    name, statement = TARGETS[project.name]
    broken = break_js_function(text, name)
    wrong = break_js_function(text, name, statement)
    note = f"{name} throws"
    esm = "export " in text or "import " in text.split("\n", 1)[0]
    helper = (
        "\nexport function acrouterHelper(x) {\n    return x;\n}\n"
        if esm
        else "\nexports.acrouterHelper = function (x) { return x; };\n"
    )
    vitest = project.runner == "vitest"
    config_name = "vitest.config.mjs" if vitest else "jest.config.js"
    config_text = (
        'export default { test: { include: ["none/**"] } };\n'
        if vitest
        else 'module.exports = { testPathIgnorePatterns: ["/"] };\n'
    )
    report = real_report(project, root)
    forged = _FORGED.replace("REPORT", json.dumps(report))
    encoded = base64.b64encode(report.encode()).decode()
    hidden_forged = _HIDDEN_FORGED.replace("REPORT", json.dumps(encoded))
    trials = [
        Trial("comment", {rel: text + "\n// a harmless comment\n"}, may_pass=True),
        Trial("an exported helper added", {rel: text + helper}, may_pass=True),
        Trial("break covered", {rel: broken}, note=note),
        Trial("wrong result", {rel: wrong}, note=f"{name}: {statement}"),
        Trial("truncate", {rel: text[: len(text) // 2]}),
        Trial("process.exit(0) at the code's import", {rel: _prepend(text, "process.exit(0);\n")}),
        Trial(
            "break + process.exit(0) at import",
            {rel: _prepend(broken, "process.exit(0);\n")},
            note=note,
        ),
        Trial(
            "break + a forged report at --outputFile, exit 0",
            {rel: _prepend(broken, forged)},
            note=f"{note}; in {rel}",
        ),
        Trial(
            "break + report rewritten in an exit listener, exit code 0",
            {rel: _prepend(broken, _ON_EXIT)},
            note=f"{note}; in {rel}",
        ),
        Trial(
            "break + a forged report, names hidden from the tripwire",
            {rel: _prepend(broken, hidden_forged)},
            note=f"{note}; in {rel}, base64",
        ),
        Trial(
            "break + report rewritten on exit, names hidden from the tripwire",
            {rel: _prepend(broken, _HIDDEN_ON_EXIT)},
            note=f"{note}; in {rel}",
        ),
        Trial(
            "wrong result + expect.extend: matchers always pass",
            {rel: _prepend(wrong, _MATCHERS)},
            note=f"{name}: {statement}; in {rel}",
        ),
        Trial(
            "break + it/test made it.skip from the code",
            {rel: _prepend(broken, _SKIP_ALL)},
            note=f"{note}; in {rel}",
        ),
        Trial(
            f"break + the code writing a {config_name} at import",
            {rel: _prepend(broken, _config_writer(config_name, config_text))},
            note=f"{note}; in {rel}",
        ),
        Trial(
            "break + it.skip in the test file",
            {
                rel: broken,
                test_rel: re.sub(r"\b(it|test)\(", r"\1.skip(", test_text),
            },
            note=note,
        ),
        Trial("break + the test file emptied", {rel: broken, test_rel: "\n"}, note=note),
        Trial(
            f"break + a {config_name} ignoring the tests",
            {rel: broken, config_name: config_text},
            note=note,
        ),
        Trial("edited path outside the workspace", {f"../{ESCAPED}.js": "module.exports = 1;\n"}),
    ]
    if vitest and (dropped := drop_ts_member(root, test_text, test_rel)) is not None:
        ts_rel, ts_text, member = dropped
        trials.insert(
            -1,
            Trial(
                "drop a TypeScript interface member no test names (vitest strips types)",
                {ts_rel: ts_text},
                note=member,
            ),
        )
    if not vitest:
        data = json.loads((root / "package.json").read_text(encoding="utf-8"))
        data.setdefault("jest", {})["testPathIgnorePatterns"] = ["/"]
        trials.insert(
            -1,
            Trial(
                "break + package.json's jest key ignoring the tests",
                {rel: broken, "package.json": json.dumps(data, indent=2) + "\n"},
                note=note,
            ),
        )
    return trials
