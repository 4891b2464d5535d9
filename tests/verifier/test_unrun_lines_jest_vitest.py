"""A pass says which of the lines an edit changes no test ran under jest and vitest
(``verifier.lines_istanbul``: the coverage they map back to the sources), JavaScript and
TypeScript, through ``ProjectVerifier.verify`` in the sandbox with the real jest 30,
ts-jest, vitest 4 and @vitest/coverage-v8 of the repository's lock (``make npm``): the
sample project's ``node_modules`` is a symlink to the repository's.  A vitest project
without @vitest/coverage-v8 gets a ``node_modules`` of links to the repository's
packages without it."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from acrouter.domain import Edit, Verdict
from acrouter.verifier.lines import UNTRACED

from .helpers import needs_bwrap, task_for, verifier, write_tree
from .test_unrun_lines_js import CALC  # the same module: the tests call add only

MODULES = Path(__file__).resolve().parents[2] / "node_modules"


def _has(package: str) -> bool:
    return (MODULES / package / "package.json").is_file()


pytestmark = [
    needs_bwrap,
    pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed"),
    pytest.mark.skipif(
        not (_has("jest") and _has("vitest") and _has("@vitest/coverage-v8") and _has("ts-jest")),
        reason="jest or vitest is not installed (with ts-jest and @vitest/coverage-v8): run "
        "`make npm` (the repository's devDependencies)",
    ),
]

#: ``clamp`` changed: no test calls it (its lines 7-8 in the new text)
UNCALLED = CALC.replace("if (x < lo) {\n    return lo;", "if (x <= lo) {\n    return lo + 0;")
#: add's body (which the test calls) and a comment: nothing to say
CALLED = CALC.replace("return a + b;", "return b + a; // commutes")
UNRUN = "no test ran 2 of the 2 statements the edit changes: {} lines 7-8"

JEST_TEST = (
    'const { add } = require("../calc.js");\ntest("adds", () => { expect(add(2, 3)).toBe(5); });\n'
)
VITEST_TEST = (
    'import { test, expect } from "vitest";\nimport { add } from "../calc.js";\n'
    'test("adds", () => { expect(add(2, 3)).toBe(5); });\n'
)

#: the same as an ES module (vitest)
CALC_ESM = (
    CALC.replace("exports.add = function (a, b)", "export function add(a, b)")
    .replace("exports.clamp = function (x, lo, hi)", "export function clamp(x, lo, hi)")
    .replace("\n};\n", "\n}\n")
)
UNCALLED_ESM = CALC_ESM.replace(
    "if (x < lo) {\n    return lo;", "if (x <= lo) {\n    return lo + 0;"
)

CALC_TS = """\
// calc, typed: the tests call add only
export function add(a: number, b: number): number {
  return a + b;
}

export function clamp(x: number, lo: number, hi: number): number {
  if (x < lo) {
    return lo;
  }
  if (x > hi) {
    return hi;
  }
  return x;
}
"""
UNCALLED_TS = CALC_TS.replace("if (x < lo) {\n    return lo;", "if (x <= lo) {\n    return lo + 0;")
TS_TEST = (
    'import { test, expect } from "@jest/globals";\nimport { add } from "../calc";\n'
    'test("adds", () => { expect(add(2, 3)).toBe(5); });\n'
)


def _project(root: Path, files: dict[str, str], package: dict[str, object]) -> Path:
    write_tree(root, {**files, "package.json": json.dumps({"name": "calc", **package}) + "\n"})
    (root / "node_modules").symlink_to(MODULES, target_is_directory=True)
    return root


def _jest(root: Path, **package: object) -> Path:
    return _project(
        root,
        {"calc.js": CALC, "test/calc.test.js": JEST_TEST},
        {"scripts": {"test": "jest"}, **package},
    )


def _vitest(root: Path, config: str = "") -> Path:
    files = {"calc.js": CALC_ESM, "test/calc.test.js": VITEST_TEST}
    command = "vitest run"
    if config:  # (vite would bundle it into node_modules, read-only in the sandbox)
        files["vitest.config.mjs"] = config
        command += " --configLoader runner"
    return _project(root, files, {"type": "module", "scripts": {"test": command}})


def _verify(root: Path, edit: dict[str, str], command: str = "npm test") -> Verdict:
    task = task_for(root, command, kind="refactoring")
    return verifier(timeout_s=120).verify(task, Edit(files=edit), "m")


# --------------------------------------------------------------------------- jest


def test_jest_names_a_change_no_test_runs(tmp_path: Path) -> None:
    root = _jest(tmp_path / "proj")
    v = _verify(root, {"calc.js": UNCALLED})
    assert v.verdict == "pass", v.detail
    assert v.unrun == UNRUN.format("calc.js")
    v = _verify(root, {"calc.js": CALLED}, "npx jest")  # directly too: every line ran
    assert v.verdict == "pass", v.detail
    assert v.unrun == "" and "no test ran" not in v.detail


def test_jest_a_users_coverage_threshold_never_fails_the_edit(tmp_path: Path) -> None:
    # 100% of lines wanted: jest would exit 1 with the coverage the verifier asks for
    root = _jest(tmp_path / "proj", jest={"coverageThreshold": {"global": {"lines": 100}}})
    v = _verify(root, {"calc.js": UNCALLED})
    assert v.verdict == "pass", v.detail
    assert v.unrun == UNRUN.format("calc.js")


def test_jest_typescript_through_ts_jest(tmp_path: Path) -> None:
    root = _project(
        tmp_path / "proj",
        {
            "calc.ts": CALC_TS,
            "test/calc.test.ts": TS_TEST,
            "tsconfig.json": '{"compilerOptions": {"types": [], "strict": false}}\n',
        },
        {
            "scripts": {"test": "jest"},
            "jest": {"preset": "ts-jest", "testEnvironment": "node"},
        },
    )
    v = _verify(root, {"calc.ts": UNCALLED_TS})
    assert v.verdict == "pass", v.detail
    assert v.unrun == UNRUN.format("calc.ts")


# --------------------------------------------------------------------------- vitest


def test_vitest_names_a_change_no_test_runs_and_says_nothing_when_all_ran(tmp_path: Path) -> None:
    root = _vitest(tmp_path / "proj")
    v = _verify(root, {"calc.js": UNCALLED_ESM})
    assert v.verdict == "pass", v.detail
    assert v.unrun == UNRUN.format("calc.js")
    v = _verify(root, {"calc.js": CALC_ESM.replace("return a + b;", "return b + a;")})
    assert v.verdict == "pass", v.detail
    assert v.unrun == "" and "no test ran" not in v.detail


def test_vitest_a_users_coverage_thresholds_never_fail_the_edit(tmp_path: Path) -> None:
    # one threshold the command line can set, and one on a glob it cannot: run again
    # without the coverage (its lines then not known, and said), never a fail
    config = (
        'export default { test: { coverage: { thresholds: { "**/*.js": { lines: 100 } } } } };\n'
    )
    root = _vitest(tmp_path / "proj", config)
    v = _verify(root, {"calc.js": UNCALLED_ESM})
    assert v.verdict == "pass", v.detail
    assert v.unrun == f"which lines of calc.js the tests ran is not known: {UNTRACED}"
    (root / "vitest.config.mjs").write_text(
        "export default { test: { coverage: { thresholds: { lines: 100 } } } };\n"
    )
    v = _verify(root, {"calc.js": UNCALLED_ESM})
    assert v.verdict == "pass", v.detail
    assert v.unrun == UNRUN.format("calc.js")


def test_vitest_typescript(tmp_path: Path) -> None:
    test = TS_TEST.replace("@jest/globals", "vitest")
    root = _project(
        tmp_path / "proj",
        {"calc.ts": CALC_TS, "test/calc.test.ts": test},
        {"type": "module", "scripts": {"test": "vitest run"}},
    )
    v = _verify(root, {"calc.ts": UNCALLED_TS})
    assert v.verdict == "pass", v.detail
    assert v.unrun == UNRUN.format("calc.ts")


def test_vitest_without_the_coverage_package_says_nothing(tmp_path: Path) -> None:
    root = _vitest(tmp_path / "proj")
    (root / "node_modules").unlink()
    (root / "node_modules").mkdir()
    for entry in MODULES.iterdir():  # every package but @vitest/coverage-v8
        if entry.name == "@vitest":
            (root / "node_modules/@vitest").mkdir()
            for sub in entry.iterdir():
                if sub.name != "coverage-v8":
                    (root / "node_modules/@vitest" / sub.name).symlink_to(sub)
        else:
            (root / "node_modules" / entry.name).symlink_to(entry)
    assert not (root / "node_modules/@vitest/coverage-v8").exists()
    v = _verify(root, {"calc.js": UNCALLED_ESM})
    assert v.verdict == "pass", v.detail
    assert v.unrun == "", v.detail
    assert os.path.isdir(root / "node_modules/vitest")
