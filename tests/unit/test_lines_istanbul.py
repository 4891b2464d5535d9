"""jest's and vitest's coverage (istanbul's ``coverage-final.json``) read back into the
lines an edit changed (``verifier.lines_istanbul``), when the run asks for it, and what
makes a traced run be redone without it."""

from __future__ import annotations

import json
from pathlib import Path

from acrouter.verifier.harness_js import js_harness_uses
from acrouter.verifier.lines import Traced
from acrouter.verifier.lines_istanbul import COVERAGE_DIR, REPORT, coverage_args, read_istanbul
from acrouter.verifier.lines_run import asked, read_run, suspect, trace_env
from acrouter.verifier.lines_trace import Loads
from acrouter.verifier.runners import plan_command
from acrouter.verifier.runtypes import RunOutcome

FILE = (
    "// f\nexport function f(a) {\n  if (a) {\n    return 1;\n  }\n  return g(\n    a,\n  );\n}\n"
)


def _pos(line: int, col: int) -> dict[str, int]:
    return {"line": line, "column": col}


def _report(out: Path, entries: dict[str, dict[str, object]]) -> None:
    (out / COVERAGE_DIR).mkdir(exist_ok=True)
    (out / COVERAGE_DIR / REPORT).write_text(json.dumps(entries))


def test_statements_become_lines_by_the_innermost(tmp_path: Path) -> None:
    # babel's statements: the ``if`` (lines 3-5) ran, its ``return 1`` did not; the
    # ``return g(...)`` over three lines ran; the function (2-9) ran
    entry = {
        "statementMap": {
            "0": {"start": _pos(3, 2), "end": _pos(5, 3)},
            "1": {"start": _pos(4, 4), "end": _pos(4, 13)},
            "2": {"start": _pos(6, 2), "end": _pos(8, 4)},
        },
        "s": {"0": 1, "1": 0, "2": 1},
        "fnMap": {"0": {"loc": {"start": _pos(2, 7), "end": _pos(9, 1)}}},
        "f": {"0": 1},
    }
    _report(tmp_path, {"/ws/f.js": entry})
    t = read_istanbul(tmp_path, "/ws", {"f.js": FILE, "gone.ts": "x;\n"})
    # gone.ts: not in the report (a test file, excluded by the config): not measured
    assert t == Traced({"f.js": frozenset({2, 3, 6, 7})}, True, frozenset({"gone.ts"}))
    # the function never called: its header and body did not run (as V8's ranges say)
    entry = {**entry, "s": {"0": 0, "1": 0, "2": 0}, "f": {"0": 0}}
    _report(tmp_path, {"/ws/f.js": entry})
    assert read_istanbul(tmp_path, "/ws", {"f.js": FILE}) == Traced({"f.js": frozenset()}, True)
    # v8-to-istanbul's statements are lines (jest's v8 provider); a bad entry is skipped
    lines = {str(n): {"start": _pos(n, 0), "end": _pos(n, 40)} for n in range(1, 10)}
    ran = {str(n): int(n not in (4,)) for n in range(1, 10)}
    _report(tmp_path, {"/ws/f.js": {"statementMap": {**lines, "x": {}}, "s": ran}})
    t = read_istanbul(tmp_path, "/ws", {"f.js": FILE})
    assert t is not None and t.lines["f.js"] == frozenset({2, 3, 6, 7})


def test_no_report_is_not_measured(tmp_path: Path) -> None:
    assert read_istanbul(tmp_path, "/ws", {"f.js": FILE}) is None
    (tmp_path / COVERAGE_DIR).mkdir()
    (tmp_path / COVERAGE_DIR / REPORT).write_text("{not json")
    assert read_istanbul(tmp_path, "/ws", {"f.js": FILE}) is None


def _modules(root: Path, **versions: str) -> Path:
    for name, version in versions.items():
        folder = root / "node_modules" / name.replace("__", "/")
        folder.mkdir(parents=True)
        (folder / "package.json").write_text(json.dumps({"name": name, "version": version}))
    return root


def test_which_runs_are_asked_for_coverage(tmp_path: Path) -> None:
    files = ("src/calc.ts", "README.md", "odd[1].js")
    jest = _modules(tmp_path / "j", jest="30.5.2")
    args = coverage_args("jest", ("jest",), jest, files, "/out")
    assert args == [
        "--coverage",
        "--coverageProvider=v8",
        "--coverageReporters=json",
        "--coverageDirectory=/out/jscov",
        "--collectCoverageFrom=**/calc.ts",  # a name a glob would misread is left out
        "--coverageThreshold={}",
    ]
    old = _modules(tmp_path / "old", jest="24.9.0")  # no v8 provider: instrumented code
    assert coverage_args("jest", ("jest",), old, files, "/out") == []
    old = _modules(tmp_path / "25", jest="25.5.4")  # its v8 provider counted no line run
    assert coverage_args("jest", ("jest",), old, files, "/out") == []
    # the user's run collects coverage already: their thresholds would see other numbers
    assert coverage_args("jest", ("jest", "--coverage"), jest, files, "/out") == []
    (jest / "package.json").write_text('{"jest": {"collectCoverage": true}}')
    assert coverage_args("jest", ("jest",), jest, files, "/out") == []
    (jest / "package.json").write_text('{"jest": {"collectCoverageFrom": ["src/**"]}}')
    assert coverage_args("jest", ("jest",), jest, files, "/out") != []
    assert coverage_args("jest", ("jest", "--watch"), jest, files, "/out") == []
    assert coverage_args("jest", ("jest",), jest, ("README.md",), "/out") == []

    vitest = _modules(tmp_path / "v", vitest="4.1.12")
    assert coverage_args("vitest", ("vitest",), vitest, files, "/out") == []  # no package
    _modules(vitest, **{"@vitest__coverage-v8": "4.1.11"})
    assert coverage_args("vitest", ("vitest",), vitest, files, "/out") == []  # not its version
    (vitest / "node_modules/@vitest/coverage-v8/package.json").write_text('{"version": "4.1.12"}')
    args = coverage_args("vitest", ("vitest", "run"), vitest, files, "/out")
    assert args[:5] == [
        "--coverage.enabled=true",
        "--coverage.provider=v8",
        "--coverage.reporter=json",
        "--coverage.reportsDirectory=/out/jscov",
        "--coverage.include=**/calc.ts",
    ]
    assert "--coverage.thresholds.lines=0" in args
    (vitest / "vitest.config.ts").write_text("export default {test: {coverage: {enabled: true}}}")
    assert coverage_args("vitest", ("vitest",), vitest, files, "/out") == []


def test_the_plan_asks_for_it_also_through_npm_test(tmp_path: Path) -> None:
    root = _modules(tmp_path, jest="29.7.0")
    (root / "package.json").write_text('{"scripts": {"test": "jest --ci"}}')
    plan = plan_command("npm test", "/out", root, ("calc.js",))
    assert plan.covered == "jest" and plan.runner == "jest"
    assert "--collectCoverageFrom=**/calc.js" in plan.argv
    assert "'--coverageThreshold={}'" in plan.argv[-1] or "--coverageThreshold={}" in plan.argv
    asked = plan_command("npm test -- --coverage", "/out", root, ("calc.js",))
    assert asked.covered is None  # the user's own coverage: not narrowed to the edit's files
    plain = plan_command("npm test", "/out", root)
    assert plain.covered is None and not any("coverage" in a for a in plain.argv)
    direct = plan_command("npx jest", "/out", root, ("calc.js",))
    assert direct.covered == "jest" and "--coverageProvider=v8" in direct.argv
    assert plan_command("node --test", "/out", root, ("calc.js",)).covered is None


def test_typescript_is_measured_only_by_the_runners_that_cover_it(tmp_path: Path) -> None:
    ask = asked({"a.ts": "f(1);\n", "b.js": "g(1);\n"}, {"a.ts": "f(0);\n", "b.js": "g(0);\n"})
    assert list(ask.js) == ["a.ts", "b.js"] and list(ask.v8()) == ["b.js"]
    # node's own coverage measures b.js; a.ts, which node loaded itself (tsx, or node's
    # type stripping), compiled, is not measured
    ranges = [{"startOffset": 0, "endOffset": 6, "count": 1}]
    scripts = [
        {"url": f"file:///ws/{n}", "functions": [{"ranges": ranges}]} for n in ("b.js", "a.ts")
    ]
    (tmp_path / "v8cov").mkdir()
    (tmp_path / "v8cov" / "c.json").write_text(json.dumps({"result": scripts}))
    assert read_run(tmp_path, "/ws", ask) == Traced(
        {"b.js": frozenset({1})}, True, frozenset({"a.ts"})
    )
    # loaded in no form of its own (no build of it either): none of its lines ran
    (tmp_path / "v8cov" / "c.json").write_text(json.dumps({"result": scripts[:1]}))
    loads = Loads(frozenset({"a.ts"}), frozenset({"b.js"}))
    assert read_run(tmp_path, "/ws", ask) == Traced(
        {"b.js": frozenset({1}), "a.ts": frozenset()}, True, loads=loads
    )
    (tmp_path / "v8cov" / "c.json").unlink()
    lines = {"statementMap": {"0": {"start": _pos(1, 0), "end": _pos(1, 5)}}, "s": {"0": 0}}
    _report(tmp_path, {"/ws/a.ts": lines})
    assert read_run(tmp_path, "/ws", ask, "vitest") == Traced(
        {"a.ts": frozenset()}, True, frozenset({"b.js"})
    )


def test_a_failure_the_coverage_may_have_caused_is_redone_without_it() -> None:
    ask = asked({"b.js": "g(1);\n"}, {"b.js": "g(0);\n"})

    def out(text: str, code: int = 1) -> RunOutcome:
        return RunOutcome(code, False, None, text, len(text), 1.0, 1)

    said = 'Jest: Coverage for lines (40%) does not meet "global" threshold (100%)'
    assert suspect(ask, out(said), None, "jest")
    assert suspect(ask, out("Error: Failed to load coverage provider"), None, "vitest")
    assert not suspect(ask, out("expected 5, got 4"), None, "jest")  # the edit's failure
    assert not suspect(ask, out(said, 0), None, "jest")
    assert not suspect(ask, out(said), None, None)  # no coverage asked of the runner


def test_the_tripwire_reads_the_names_of_the_runners_coverage() -> None:
    # code of the edit that finds the report's folder on jest's command line and forges it
    forged = (
        'const arg = argv.find((a) => a.startsWith("--coverageDirectory="));\n'
        'fs.writeFileSync(path.join(dir, "coverage-final.json"), "{}");\n'
    )
    assert js_harness_uses(forged) == {
        "uses the runner's coverage: coverageDirectory": 1,
        "uses the runner's coverage: coverage-final.json": 1,
    }
    assert js_harness_uses("globalThis.__coverage__ = {};\n") == {
        "uses the runner's coverage: __coverage__": 1
    }
    assert js_harness_uses("const coverage = finalCoverage(x);\n") == {}


def test_a_runner_that_compiles_the_code_unasked_is_not_traced(tmp_path: Path) -> None:
    # jest 24, vitest without its coverage package: V8's offsets would be the compiled
    # code's, so node's coverage is not asked for (it cost no-case's jest 24 suite 1.27x)
    ask = asked({"b.js": "g(1);\n"}, {"b.js": "g(0);\n"})
    assert trace_env(str(tmp_path), "/ws", ask, {}, None, "jest") == {}
    assert trace_env(str(tmp_path), "/ws", ask, {}, None, "vitest") == {}
    assert "NODE_V8_COVERAGE" in trace_env(str(tmp_path), "/ws", ask, {}, None, "mocha")
    assert read_run(tmp_path, "/ws", ask, None, "jest") is None  # nothing said
    both = asked({"b.js": "g(1);\n", "t.py": "x = 2\n"}, {"b.js": "g(0);\n", "t.py": "x = 1\n"})
    (tmp_path / "lines-1.json").write_text('{"lines": {"/ws/t.py": [1]}, "intact": true}')
    assert read_run(tmp_path, "/ws", both, None, "jest") == Traced(
        {"t.py": frozenset({1})}, True, frozenset({"b.js"})
    )
