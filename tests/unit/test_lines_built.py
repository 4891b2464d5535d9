"""Which file node's tests ran in place of an edited one (``verifier.lines_built``): a
build named by a source map or by ``tsc``'s folders, a copy in ``node_modules``, the
user's own file behind a link; and what the run's writes change of that."""

from __future__ import annotations

import json
from pathlib import Path

import attrs
from acrouter.verifier.lines_built import find, settle
from acrouter.verifier.lines_js import COVERAGE_DIR, Scripts, SourceMap, read_coverage, read_scripts
from acrouter.verifier.lines_mapped import mapped_lines, segments
from acrouter.verifier.lines_trace import Loads, Traced

TS = {"src/calc.ts": "export const x: number = 1;\n"}


def _scripts(paths: list[str], sources: dict[str, frozenset[str]]) -> Scripts:
    maps = {p: SourceMap(tuple(sorted(s)), "", ()) for p, s in sources.items()}
    return Scripts(tuple((p, []) for p in paths), maps)


def _found(files: dict[str, str], paths: list[str], sources: dict[str, frozenset[str]]):  # type: ignore[no-untyped-def]
    full = [f"/ws/{p}" if not p.startswith("/") else p for p in paths]
    return find("/ws", files, _scripts(full, sources))


def test_a_build_by_tscs_folders() -> None:
    for build in ("dist/calc.js", "lib/calc.js", "dist/src/calc.js", "build/calc.cjs"):
        loads, instead = _found(TS, ["test/t.js", build], sources={})
        assert instead == {"src/calc.ts": build}, build
        assert loads == Loads(frozenset({"src/calc.ts"}), frozenset({"test/t.js", build}))
    # a TypeScript source folder named lib/ (rootDir lib, outDir dist)
    _, instead = _found({"lib/calc.ts": "x\n"}, ["t.js", "dist/calc.js"], sources={})
    assert instead == {"lib/calc.ts": "dist/calc.js"}
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
        _, instead = _found(edited, ["t.js", str(copy)], {})
        assert instead == {"packages/calc/index.js": str(copy)}, package
        copy.write_text("// another package's index\nmodule.exports = require('./lib');\n")
        assert _found(edited, ["t.js", str(copy)], {})[1] == {}
    # inside the workspace: said relative to it
    ws = tmp_path / "ws"
    (ws / "node_modules" / "calc").mkdir(parents=True)
    (ws / "node_modules" / "calc" / "index.js").write_text(code)
    paths = [f"{ws}/t.js", f"{ws}/node_modules/calc/index.js"]
    assert find(str(ws), {"packages/calc/index.js": code}, _scripts(paths, {}))[1] == {  # type: ignore[index]
        "packages/calc/index.js": "node_modules/calc/index.js"
    }


def test_the_users_own_file_behind_a_copys_link() -> None:
    edited = {"packages/calc/index.js": "x\n"}
    paths = ["/copy/t.js", "/home/me/p/packages/calc/index.js"]
    _, instead = find("/copy", edited, _scripts(paths, {}), origin="/home/me/p")  # type: ignore[misc]
    assert instead == {"packages/calc/index.js": "/home/me/p/packages/calc/index.js"}
    assert find("/copy", edited, _scripts(paths, {}))[1] == {}  # type: ignore[index]


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
            "file:///ws/dist/calc.js": {
                "lineLengths": [3, 0],
                "data": {"sources": ["file:///ws/src/calc%20x.ts", "webpack://x"], "mappings": ";"},
            },
            "file:///ws/dist/other.js": {"data": None},
        },
    }
    (tmp_path / COVERAGE_DIR / "coverage-1.json").write_text(json.dumps(data))
    (tmp_path / COVERAGE_DIR / "coverage-2.json").write_text("{not json")
    scripts = read_scripts(tmp_path)
    assert scripts.functions == (("/ws/dist/calc.js", []),)
    assert scripts.sources == {"/ws/dist/calc.js": frozenset({"/ws/src/calc x.ts"})}
    assert scripts.maps["/ws/dist/calc.js"] == SourceMap(("/ws/src/calc x.ts", None), ";", (3, 0))


def _vlq(n: int) -> str:
    chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    v = (-n << 1) | 1 if n < 0 else n << 1
    out = ""
    while True:
        digit, v = v & 31, v >> 5
        out += chars[digit | (32 if v else 0)]
        if not v:
            return out


def test_segments_decode_the_mappings() -> None:
    # genCol, source, line, column: relative, the column from the line's start
    text = ";" + _vlq(2) + "AAA," + _vlq(5) + "A" + _vlq(3) + "A;" + _vlq(0) + "C" + _vlq(-2) + "A"
    assert list(segments(text)) == [(1, 2, 0, 0), (1, 7, 0, 3), (2, 0, 1, 1)]
    assert list(segments(";;!!,AAAA")) == [(2, 0, 0, 0)]  # a broken segment is skipped


TS_SRC = "interface O {\n  r?: boolean;\n}\nexport function add(a: number) {\n  return a + 1;\n}\nexport function mul(a: number) {\n  return a * 2;\n}\n"
#: the build: a header line, then lines 4-9 of TS_SRC, one for one (the interface: nothing)
BUILD = (
    '"use strict";\nfunction add(a) {\n  return a + 1;\n}\nfunction mul(a) {\n  return a * 2;\n}\n'
)


def _build_scripts(ran_mul: bool) -> Scripts:
    lengths = tuple(len(x) for x in BUILD.split("\n"))
    mappings = ";AAGA;AACA;AACA;AACA;AACA;AACA"
    size = len(BUILD)
    add_at, mul_at = BUILD.index("function add"), BUILD.index("function mul")
    functions = [
        {"ranges": [{"startOffset": 0, "endOffset": size, "count": 1}]},
        {"ranges": [{"startOffset": add_at, "endOffset": mul_at, "count": 1}]},
        {"ranges": [{"startOffset": mul_at, "endOffset": size - 1, "count": int(ran_mul)}]},
    ]
    source_map = SourceMap(("/ws/src/calc.ts",), mappings, lengths)
    return Scripts((("/ws/dist/calc.js", functions),), {"/ws/dist/calc.js": source_map})


def test_the_lines_a_build_ran_read_through_its_source_map() -> None:
    # the interface's lines made no code: counted as run; mul (its header, in its own
    # range, as node's coverage of a file reads it) did not run; lines of only "}" are
    # no code lines
    assert mapped_lines("/ws/src/calc.ts", TS_SRC, _build_scripts(False)) == {1, 2, 4, 5}
    assert mapped_lines("/ws/src/calc.ts", TS_SRC, _build_scripts(True)) == {1, 2, 4, 5, 7, 8}
    assert mapped_lines("/ws/src/other.ts", TS_SRC, _build_scripts(True)) is None
    stale = _build_scripts(True)
    wrong = attrs.evolve(stale.maps["/ws/dist/calc.js"], line_lengths=(1, 2))
    assert (
        mapped_lines(
            "/ws/src/calc.ts", TS_SRC, attrs.evolve(stale, maps={"/ws/dist/calc.js": wrong})
        )
        is None
    )


def test_a_build_the_run_wrote_gives_its_mapped_lines() -> None:
    scripts = _build_scripts(False)
    loads, instead = find("/ws", {"src/calc.ts": TS_SRC}, scripts)
    assert instead == {"src/calc.ts": "dist/calc.js"}
    assert loads.mapped == {"src/calc.ts": frozenset({1, 2, 4, 5})}
    traced = Traced({"src/calc.ts": frozenset()}, True, elsewhere=instead, loads=loads)
    built = settle(traced, {"dist/calc.js": "rewrote"})
    assert built is not None and built.elsewhere == {} and not built.unmeasured
    assert built.lines == {"src/calc.ts": frozenset({1, 2, 4, 5})}


def test_a_package_loaded_through_a_link_it_kept_is_the_file_it_leads_to(tmp_path: Path) -> None:
    # node --preserve-symlinks: V8 names node_modules/calc/index.js, a link to the
    # workspace's package, which is the edited file itself (no copy)
    ws = tmp_path / "ws"
    (ws / "packages" / "calc").mkdir(parents=True)
    (ws / "packages" / "calc" / "index.js").write_text("exports.one = 1;\n")
    (ws / "node_modules").mkdir()
    (ws / "node_modules" / "calc").symlink_to("../packages/calc")
    paths = [f"{ws}/t.js", f"{ws}/node_modules/calc/index.js"]
    edited = {"packages/calc/index.js": "exports.one = 2;\n"}
    assert find(str(ws), edited, _scripts(paths, {})) is None  # every edited file loaded


def test_the_lines_of_a_package_loaded_through_a_link_it_kept(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    (ws / "packages" / "calc").mkdir(parents=True)
    text = "exports.one = 1;\n"
    (ws / "packages" / "calc" / "index.js").write_text(text)
    (ws / "node_modules").mkdir()
    (ws / "node_modules" / "calc").symlink_to("../packages/calc")
    (tmp_path / "out" / COVERAGE_DIR).mkdir(parents=True)
    ranges = [{"startOffset": 0, "endOffset": len(text), "count": 1}]
    result = [
        {"url": f"file://{ws}/t.js", "functions": [{"ranges": ranges}]},
        {"url": f"file://{ws}/node_modules/calc/index.js", "functions": [{"ranges": ranges}]},
    ]
    (tmp_path / "out" / COVERAGE_DIR / "c.json").write_text(json.dumps({"result": result}))
    traced = read_coverage(tmp_path / "out", str(ws), {"packages/calc/index.js": text})
    assert traced is not None and traced.lines == {"packages/calc/index.js": frozenset({1})}
