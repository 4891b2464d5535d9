"""Which file node's tests ran in place of an edited one (``verifier.lines_built``): a
build named by a source map or by ``tsc``'s folders, a copy in ``node_modules``, the
user's own file behind a link; and what the run's writes change of that."""

from __future__ import annotations

import json
from pathlib import Path

from acrouter.verifier.lines_built import find, settle
from acrouter.verifier.lines_js import COVERAGE_DIR, read_scripts
from acrouter.verifier.lines_trace import Loads, Traced

TS = {"src/calc.ts": "export const x: number = 1;\n"}


def _found(files: dict[str, str], paths: list[str], **kw: object):  # type: ignore[no-untyped-def]
    return find("/ws", files, [f"/ws/{p}" if not p.startswith("/") else p for p in paths], **kw)  # type: ignore[arg-type]


def test_a_build_by_tscs_folders() -> None:
    for build in ("dist/calc.js", "lib/calc.js", "dist/src/calc.js", "build/calc.cjs"):
        loads, instead = _found(TS, ["test/t.js", build], sources={})
        assert instead == {"src/calc.ts": build}, build
        assert loads == Loads(frozenset({"src/calc.ts"}), frozenset({"test/t.js", build}))
    nested = {"packages/a/src/x/calc.ts": "x\n"}
    _, instead = _found(nested, ["packages/a/dist/x/calc.js", "t.js"], sources={})
    assert instead == {"packages/a/src/x/calc.ts": "packages/a/dist/x/calc.js"}


def test_a_file_of_the_same_name_elsewhere_is_no_build() -> None:
    # a test of the same name, another package's file, the folder's own
    for other in ("test/calc.js", "other/dist/calc.js", "src/calc.js", "dist/calc.test.js"):
        loads, instead = _found(TS, ["t.js", other], sources={})
        assert instead == {} and loads.unloaded == {"src/calc.ts"}, other
    # JavaScript is told a build of only by a source map (lib/ is often a source folder)
    _, instead = _found({"src/calc.js": "x\n"}, ["t.js", "lib/calc.js"], sources={})
    assert instead == {}
    mapped = {"/ws/lib/calc.js": frozenset({"/ws/src/calc.js"})}
    _, instead = _found({"src/calc.js": "x\n"}, ["t.js", "lib/calc.js"], sources=mapped)
    assert instead == {"src/calc.js": "lib/calc.js"}


def test_a_bundle_whose_source_map_names_the_file() -> None:
    sources = {"/ws/dist/bundle.js": frozenset({"/ws/src/a.ts", "/ws/src/calc.ts"})}
    _, instead = _found(TS, ["t.js", "dist/bundle.js"], sources=sources)
    assert instead == {"src/calc.ts": "dist/bundle.js"}


def test_nothing_is_said_unless_node_loaded_the_workspaces_own_scripts() -> None:
    assert _found(TS, ["node_modules/x/index.js", "/elsewhere/t.js"], sources={}) is None
    assert _found(TS, ["t.js", "src/calc.ts"], sources={}) is None  # loaded itself (tsx)


def test_a_copy_in_node_modules(tmp_path: Path) -> None:
    code = "function add(a, b) {\n  return a + b;\n}\nmodule.exports = { add };\n"
    edited = {"packages/calc/index.js": code.replace("a + b", "a - b")}
    for package in ("calc", "@me/calc"):
        copy = tmp_path / "node_modules" / package / "index.js"
        copy.parent.mkdir(parents=True)
        copy.write_text(code)
        _, instead = find("/ws", edited, ["/ws/t.js", str(copy)], {})
        assert instead == {"packages/calc/index.js": str(copy)}, package
        copy.write_text("// another package's index\nmodule.exports = require('./lib');\n")
        assert find("/ws", edited, ["/ws/t.js", str(copy)], {})[1] == {}  # type: ignore[index]
    # inside the workspace: said relative to it
    ws = tmp_path / "ws"
    (ws / "node_modules" / "calc").mkdir(parents=True)
    (ws / "node_modules" / "calc" / "index.js").write_text(code)
    paths = [f"{ws}/t.js", f"{ws}/node_modules/calc/index.js"]
    assert find(str(ws), {"packages/calc/index.js": code}, paths, {})[1] == {  # type: ignore[index]
        "packages/calc/index.js": "node_modules/calc/index.js"
    }


def test_the_users_own_file_behind_a_copys_link() -> None:
    edited = {"packages/calc/index.js": "x\n"}
    paths = ["/copy/t.js", "/home/me/p/packages/calc/index.js"]
    _, instead = find("/copy", edited, paths, {}, origin="/home/me/p")  # type: ignore[misc]
    assert instead == {"packages/calc/index.js": "/home/me/p/packages/calc/index.js"}
    assert find("/copy", edited, paths, {})[1] == {}  # type: ignore[index]


def test_the_runs_writes_settle_the_stand_ins() -> None:
    loads = Loads(frozenset({"src/calc.ts"}), frozenset({"test/t.js", "dist/calc.js"}))
    traced = Traced(
        {"src/calc.ts": frozenset(), "a.py": frozenset({1})},
        True,
        elsewhere={"src/calc.ts": "dist/calc.js", "a.py": ".venv/site/a.py"},
        loads=loads,
    )
    assert settle(traced, {}) is traced
    assert settle(traced, {"notes.txt": "wrote"}) is traced
    # the run built dist/calc.js (tsc in the test command): it ran the edit, in a form
    # whose lines are not known
    built = settle(traced, {"dist/calc.js": "rewrote"})
    assert built is not None
    assert built.elsewhere == {"a.py": ".venv/site/a.py"}
    assert built.lines == {"a.py": frozenset({1})} and built.unmeasured == {"src/calc.ts"}
    # a copy the run installed (pip install . in the test command) holds the edit too
    installed = settle(traced, {".venv/site/a.py": "rewrote"})
    assert installed is not None and installed.elsewhere == {"src/calc.ts": "dist/calc.js"}
    assert installed.lines == traced.lines


def test_read_scripts_resolves_the_source_maps_node_cached(tmp_path: Path) -> None:
    (tmp_path / COVERAGE_DIR).mkdir()
    data = {
        "result": [{"url": "file:///ws/dist/calc.js", "functions": []}, {"url": "node:fs"}],
        "source-map-cache": {
            "file:///ws/dist/calc.js": {"data": {"sources": ["file:///ws/src/calc%20x.ts"]}},
            "file:///ws/dist/other.js": {"data": None},
        },
    }
    (tmp_path / COVERAGE_DIR / "coverage-1.json").write_text(json.dumps(data))
    (tmp_path / COVERAGE_DIR / "coverage-2.json").write_text("{not json")
    scripts = read_scripts(tmp_path)
    assert scripts.functions == (("/ws/dist/calc.js", []),)
    assert scripts.sources == {"/ws/dist/calc.js": frozenset({"/ws/src/calc x.ts"})}
