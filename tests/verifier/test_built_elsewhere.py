"""A pass from node tests that ran another form of the edited file is no pass
(``verifier.lines_built``, ``verifier.lines_shadow``): a TypeScript project whose tests
run ``dist/``, built before the edit; a monorepo whose tests load a copy of the edited
package from ``node_modules``; without a sandbox, a workspace package linked into
``node_modules``, which leads back to the user's own file.  A build the test command
makes itself holds the edit: its verdict stands.  Through ``ProjectVerifier.verify`` with
the real ``node --test``, under the overlay, on the scratch copy and without a sandbox."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from acrouter.domain import Edit

from .helpers import MODES, committed, task_for, verifier, write_tree

pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")


TS = """\
export function add(a: number, b: number): number {
  return a + b;
}

export function sub(a: number, b: number): number {
  return a - b;
}
"""
#: what tsc makes of TS (CommonJS), with or without its source map comment
BUILT = """\
"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.add = add;
exports.sub = sub;
function add(a, b) {
    return a + b;
}
function sub(a, b) {
    return a - b;
}
"""
MAP = (
    '{"version":3,"file":"calc.js","sourceRoot":"","sources":["../src/calc.ts"],'
    '"names":[],"mappings":";;AAAA"}'
)
TEST = """\
const test = require("node:test");
const assert = require("node:assert");
const { add, sub } = require("../dist/calc.js");
test("add", () => { assert.strictEqual(add(2, 3), 5); });
test("sub", () => { assert.strictEqual(sub(5, 3), 2); });
"""
#: a build step: strips the types from src/calc.ts into dist/calc.js, as tsc would
BUILD = """\
const fs = require("node:fs");
const src = fs.readFileSync("src/calc.ts", "utf8");
const js = src
  .replace(/: number/g, "")
  .replace(/export function (\\w+)/g, (m, n) => `exports.${n} = ${n};\\nfunction ${n}`);
fs.writeFileSync("dist/calc.js", '"use strict";\\n' + js);
"""
BROKEN_TS = {"src/calc.ts": TS.replace("return a + b;", "return a - b;")}
#: only a comment and a type: the build is the same
HARMLESS_TS = {
    "src/calc.ts": TS.replace("export function sub", "// subtracts\nexport function sub")
}


def _ts_project(root: Path, source_map: bool = True) -> Path:
    files = {"src/calc.ts": TS, "test/calc.test.js": TEST, "build.js": BUILD}
    if source_map:
        files["dist/calc.js"] = BUILT + "//# sourceMappingURL=calc.js.map\n"
        files["dist/calc.js.map"] = MAP
    else:
        files["dist/calc.js"] = BUILT
    return committed(write_tree(root, files))


def _verify(root: Path, mode: dict[str, object], edit: dict[str, str], command: str):  # type: ignore[no-untyped-def]
    task = task_for(root, command, kind="bug_fixing")
    return verifier(**mode).verify(task, Edit(files=edit), "m")


@pytest.mark.parametrize("source_map", [True, False], ids=["source-map", "by-name"])
@pytest.mark.parametrize("mode", MODES)
def test_tests_that_run_a_build_made_before_the_edit_are_no_pass(
    tmp_path: Path, mode: dict[str, object], source_map: bool
) -> None:
    root = _ts_project(tmp_path / "p", source_map)
    v = _verify(root, dict(mode), BROKEN_TS, "node --test test/")
    # add is broken; the tests passed on dist/calc.js, built from the code before it
    assert v.verdict == "error", v.detail
    assert not v.counted and v.score is None
    assert v.untested and "dist/calc.js, built from src/calc.ts before the edit" in v.detail
    assert "npm run build && npm test" in v.detail


@pytest.mark.parametrize("mode", MODES)
def test_a_build_the_test_command_makes_holds_the_edit(
    tmp_path: Path, mode: dict[str, object]
) -> None:
    root = _ts_project(tmp_path / "p")
    command = "node build.js && node --test test/"
    broken = _verify(root, dict(mode), BROKEN_TS, command)
    assert broken.verdict == "fail", broken.detail
    assert "test/calc.test.js::add" in broken.detail
    harmless = _verify(root, dict(mode), HARMLESS_TS, command)
    assert harmless.verdict == "pass", harmless.detail
    assert harmless.counted and not harmless.untested
    assert "never ran" not in harmless.detail


PKG = """\
"use strict";
function add(a, b) {
  return a + b;
}
function sub(a, b) {
  return a - b;
}
module.exports = { add, sub };
"""
PKG_TEST = """\
const test = require("node:test");
const assert = require("node:assert");
const { add } = require("calc");
test("add", () => { assert.strictEqual(add(2, 3), 5); });
"""
BROKEN_PKG = {"packages/calc/index.js": PKG.replace("a + b", "a - b")}


def _monorepo(root: Path, linked: bool) -> Path:
    manifest = '{"name": "calc", "version": "1.0.0", "main": "index.js"}\n'
    files = {
        "package.json": '{"name": "mono", "private": true}\n',
        "packages/calc/index.js": PKG,
        "packages/calc/package.json": manifest,
        "test/calc.test.js": PKG_TEST,
    }
    if not linked:  # installed from the registry, or an old tarball of the package
        files |= {"node_modules/calc/index.js": PKG, "node_modules/calc/package.json": manifest}
    write_tree(root, files)
    if linked:  # an npm workspace: node_modules/calc -> ../packages/calc
        (root / "node_modules").mkdir()
        os.symlink("../packages/calc", root / "node_modules" / "calc")
    return committed(root)


@pytest.mark.parametrize("mode", MODES)
def test_tests_that_load_a_copy_from_node_modules_are_no_pass(
    tmp_path: Path, mode: dict[str, object]
) -> None:
    v = _verify(
        _monorepo(tmp_path / "p", linked=False), dict(mode), BROKEN_PKG, "node --test test/"
    )
    assert v.verdict == "error", v.detail
    assert not v.counted and v.untested
    assert "they loaded node_modules/calc/index.js instead of packages/calc/index.js" in v.detail
    assert "npm link" in v.detail


@pytest.mark.parametrize("mode", MODES)
def test_a_workspace_package_linked_into_node_modules_runs_the_edit_or_says_it_did_not(
    tmp_path: Path, mode: dict[str, object]
) -> None:
    root = _monorepo(tmp_path / "p", linked=True)
    v = _verify(root, dict(mode), BROKEN_PKG, "node --test test/")
    if mode.get("sandbox") == "none":
        # the copy's node_modules is a link to the user's, and its link to the package
        # leads back to the user's own, unedited packages/calc
        assert v.verdict == "error", v.detail
        assert f"they ran {root}/packages/calc/index.js instead of packages/calc/index.js" in (
            v.detail
        )
        assert 'sandbox ("bwrap")' in v.detail and not v.counted
    else:  # the sandbox puts the edited copy at the workspace's path: the link reaches it
        assert v.verdict == "fail", v.detail
        assert "test/calc.test.js::add" in v.detail


@pytest.mark.parametrize("mode", MODES)
def test_typescript_no_process_loaded_in_any_form_is_code_no_test_ran(
    tmp_path: Path, mode: dict[str, object]
) -> None:
    # src/extra.ts is never built nor loaded: its change ran nowhere, and the tests
    # passed before too: an idle pass, offered with what no test ran, not learned
    root = tmp_path / "p"
    write_tree(root, {"src/extra.ts": "export const one: number = 1;\n"})
    _ts_project(root)
    edit = {"src/extra.ts": "export const one: number = 1;\nexport const two: number = 2;\n"}
    v = _verify(root, dict(mode), edit, "node --test test/")
    assert v.verdict == "pass", v.detail
    assert not v.counted and not v.untested
    assert "no test ran 1 of the 1 statements the edit changes: src/extra.ts line 2" in v.detail


MAPPED_TS = """\
export interface Opts {
  round?: boolean;
}

export function add(a: number, b: number): number {
  return a + b;
}

export function mul(a: number, b: number): number {
  return a * b;
}
"""
#: a build step that keeps the lines (types out, an interface's lines blank) and writes
#: its source map, as tsc does with sourceMap on: dist/calc.js's line n + 1 is line n
MAPPED_BUILD = """\
const fs = require("node:fs");
const chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const vlq = (n) => {
  let v = n < 0 ? (-n << 1) | 1 : n << 1, out = "";
  do { let d = v & 31; v >>= 5; out += chars[d | (v ? 32 : 0)]; } while (v);
  return out;
};
let inType = false, prev = 0;
const lines = fs.readFileSync("src/calc.ts", "utf8").split("\\n").map((l) => {
  if (l.startsWith("export interface")) inType = true;
  const out = inType ? "" : l.replace(/: number/g, "").replace(/^export function (\\w+)/, "exports.$1 = $1;function $1");
  if (inType && l.startsWith("}")) inType = false;
  return out;
});
const mappings = lines.map((l, i) => {
  if (!l.trim()) return "";
  const seg = "A" + "A" + vlq(i - prev) + "A";
  prev = i;
  return seg;
});
const map = { version: 3, file: "calc.js", sources: ["../src/calc.ts"], names: [], mappings: ";" + mappings.join(";") };
fs.mkdirSync("dist", { recursive: true });
fs.writeFileSync("dist/calc.js", '"use strict";\\n' + lines.join("\\n") + "//# sourceMappingURL=calc.js.map\\n");
fs.writeFileSync("dist/calc.js.map", JSON.stringify(map));
"""
MAPPED_TEST = TEST.replace(
    'test("sub", () => { assert.strictEqual(sub(5, 3), 2); });\n', ""
).replace("{ add, sub }", "{ add }")


@pytest.mark.parametrize("mode", MODES)
def test_a_build_the_run_made_tells_the_lines_through_its_source_map(
    tmp_path: Path, mode: dict[str, object]
) -> None:
    files = {"src/calc.ts": MAPPED_TS, "test/calc.test.js": MAPPED_TEST, "build.js": MAPPED_BUILD}
    root = write_tree(tmp_path / "p", files)
    subprocess.run(["node", "build.js"], cwd=root, check=True)
    committed(root)
    command = "node build.js && node --test test/"
    # mul, which no test calls
    uncalled = _verify(
        root, dict(mode), {"src/calc.ts": MAPPED_TS.replace("a * b", "b * a")}, command
    )
    assert uncalled.verdict == "pass", uncalled.detail
    assert (
        "no test ran 1 of the 1 statements the edit changes: src/calc.ts line 10" in uncalled.detail
    )
    assert not uncalled.counted  # the tests passed before too, and never ran it: not learned
    # a field of the interface: no code of the build, nothing left unrun
    typed = MAPPED_TS.replace("  round?: boolean;\n", "  round?: boolean;\n  digits?: number;\n")
    field = _verify(root, dict(mode), {"src/calc.ts": typed}, command)
    assert field.verdict == "pass" and field.counted, field.detail
    assert "no test ran" not in field.detail and "not known" not in field.detail
    broken = _verify(
        root, dict(mode), {"src/calc.ts": MAPPED_TS.replace("a + b", "a - b")}, command
    )
    assert broken.verdict == "fail", broken.detail


@pytest.mark.parametrize("mode", MODES[:2])
def test_a_workspace_package_loaded_through_a_link_node_kept_is_the_edit(
    tmp_path: Path, mode: dict[str, object]
) -> None:
    # node --preserve-symlinks names node_modules/calc/index.js, the link, not the file
    # it leads to: the edited file ran, its lines are read there
    root = _monorepo(tmp_path / "p", linked=True)
    command = "node --preserve-symlinks --test test/"
    harmless = {"packages/calc/index.js": PKG.replace("a + b", "b + a")}
    v = _verify(root, dict(mode), harmless, command)
    assert v.verdict == "pass" and v.counted and not v.untested, v.detail
    assert v.unrun == "" and "no test ran" not in v.detail  # its one changed line ran
    broken = _verify(root, dict(mode), BROKEN_PKG, command)
    assert broken.verdict == "fail", broken.detail
