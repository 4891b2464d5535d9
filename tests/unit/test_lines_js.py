"""``verifier.lines_js``: the code lines of a JavaScript file, what an edit changed in
them, and V8's coverage read back into lines (with the guard against a transformed
script); the node runs themselves: tests/verifier/test_unrun_lines_js.py."""

from __future__ import annotations

import json
from pathlib import Path

from acrouter.verifier.lines import NO_COVERAGE, Change, Traced, summarise
from acrouter.verifier.lines_js import (
    COVERAGE_DIR,
    KEEPER,
    code_chars,
    js_change,
    keeper_option,
    read_coverage,
)
from acrouter.verifier.lines_run import Asked, asked, read_run, suspect, trace_env
from acrouter.verifier.runtypes import RunOutcome

SRC = """\
// a comment
/* a block
   comment */
const url = "http://x//y"; // trailing
function f(a) {
  if (a) {
    return `two
// lines`;
  }
  return a; /* c */
}
"""


def _text(src: str, offsets: list[int]) -> str:
    return "".join(src[u] for u in offsets)


def test_code_lines_leave_out_comments_blanks_and_closing_brackets() -> None:
    chars = code_chars(SRC)
    assert sorted(chars) == [4, 5, 6, 7, 8, 10]
    assert _text(SRC, chars[4]) == 'consturl="http://x//y";'
    assert _text(SRC, chars[8]) == "// lines`;"  # inside the template: code
    assert _text(SRC, chars[10]) == "returna;"
    # offsets are UTF-16 code units, V8's: an astral character counts two
    src = 'const s = "\U0001f600";\nf();\n'
    assert code_chars(src)[2] == [len('const s = "\U0001f600";\n') + 1 + i for i in range(4)]


def test_changed_lines_and_removals() -> None:
    old = "function f(a) {\n  a += 1;\n  a *= 2;\n  return a;\n}\n"
    c = js_change("f.js", old, old.replace("a *= 2", "a *= 3"))
    assert c == Change("f.js", ((3, 3),))
    # a comment-only change is no statement; a removal sits beside ``return a``
    assert js_change("f.js", old, old.replace("{\n", "{ // doc\n", 1)) is not None
    assert js_change("f.js", old, old + "// more\n") is None
    gone = js_change("f.js", old, old.replace("  a *= 2;\n", ""))
    assert gone == Change("f.js", (), (((3, 3), (3, 3)),))
    # lines as JavaScript breaks them: a form feed is no line break (str.splitlines's is)
    assert js_change("f.js", "f();\f g();\nh();\n", "f();\f g();\nh(1);\n") == Change(
        "f.js", ((2, 2),)
    )
    texts = {"f.js": old.replace("a *= 2", "a *= 3"), "g.ts": "x", "h.py": "x = 2\n"}
    ask = asked(texts, {"f.js": old, "g.ts": "y", "h.py": "x = 1\n"})
    # TypeScript: measured only by jest and vitest (.lines_istanbul), not by node's own
    assert [c.path for c in ask.changes] == ["h.py", "f.js", "g.ts"]
    assert dict(ask.py) == {"h.py": [(1, 1)]} and list(ask.js) == ["f.js", "g.ts"]
    assert list(ask.v8()) == ["f.js"]


FILE = "exports.f = function (a) {\n  if (a) {\n    return 1;\n  }\n  return 2;\n};\n"


def _coverage(out: Path, scripts: list[tuple[str, list[list[tuple[int, int, int]]]]]) -> None:
    folder = out / COVERAGE_DIR
    folder.mkdir(exist_ok=True)
    result = [
        {
            "url": url,
            "functions": [
                {"ranges": [{"startOffset": a, "endOffset": b, "count": n} for a, b, n in f]}
                for f in funcs
            ],
        }
        for url, funcs in scripts
    ]
    name = f"coverage-{len(list(folder.iterdir()))}.json"
    (folder / name).write_text(json.dumps({"result": result}))


def test_coverage_becomes_lines_by_the_innermost_range(tmp_path: Path) -> None:
    body = FILE.index("function")
    block = FILE.index("{\n    return 1")
    after = FILE.index("  return 2")
    top = [(0, len(FILE), 1)]
    f = [(body, len(FILE) - 2, 1), (block, block + 20, 0)]
    _coverage(tmp_path, [("file:///ws/f.js", [top, f]), ("node:internal/x", [[(0, 5, 1)]])])
    t = read_coverage(tmp_path, "/ws", {"f.js": FILE})
    assert t == Traced({"f.js": frozenset({1, 2, 5})}, True)  # ``return 1`` never ran
    assert after > block
    # another process ran the branch: merged
    _coverage(tmp_path, [("file:///ws/f.js", [top, [(body, len(FILE) - 2, 1)]])])
    t = read_coverage(tmp_path, "/ws", {"f.js": FILE})
    assert t is not None and t.lines["f.js"] == frozenset({1, 2, 3, 5})


def test_a_transformed_script_is_not_measured(tmp_path: Path) -> None:
    # a wrapper (jest's) or a transform: the top-level range is not the file's length
    _coverage(tmp_path, [("file:///ws/f.js", [[(0, len(FILE) + 62, 1)]])])
    _coverage(tmp_path, [("file:///ws/test/f.test.js", [[(0, 10, 1)]])])
    t = read_coverage(tmp_path, "/ws", {"f.js": FILE, "g.js": "g();\n"})
    # g.js was loaded by no process: none of its lines ran
    assert t == Traced({"g.js": frozenset()}, True, frozenset({"f.js"}))
    c = [Change("f.js", ((2, 2),)), Change("g.js", ((1, 1),))]
    said, warn = summarise(c, t)
    assert warn and said == "no test ran 1 of the 1 statements the edit changes: g.js line 1"


def test_a_run_with_no_workspace_script_is_not_measured(tmp_path: Path) -> None:
    # npm's own process, a runner in node_modules (c8 sends its children's elsewhere)
    _coverage(tmp_path, [("file:///usr/lib/npm/index.js", [[(0, 10, 1)]])])
    _coverage(tmp_path, [("file:///ws/node_modules/c8/bin/c8.js", [[(0, 10, 1)]])])
    assert read_coverage(tmp_path, "/ws", {"f.js": FILE}) is None
    assert read_coverage(tmp_path / "none", "/ws", {"f.js": FILE}) is None
    ask = Asked((Change("f.js", ((2, 2),)),), {}, {"f.js": FILE})
    # not measured: which of its lines ran is not known, and the pass says so
    unknown = {"f.js": NO_COVERAGE}
    assert read_run(tmp_path, "/ws", ask) == Traced({}, True, unknown=unknown)
    # with a Python file the pytest plugin measured: the JS file still not known
    (tmp_path / "lines-1.json").write_text(json.dumps({"intact": True, "lines": {"/ws/a.py": [1]}}))
    both = Asked(ask.changes, {"a.py": [(1, 1)]}, ask.js)
    t = read_run(tmp_path, "/ws", both)
    assert t == Traced({"a.py": frozenset({1})}, True, unknown=unknown)


def test_the_environment_and_what_makes_a_run_suspect(tmp_path: Path) -> None:
    ask = Asked((), {}, {"f.js": FILE})
    env = trace_env(str(tmp_path), "/ws", ask, {"PATH": "/bin"})
    keeper = tmp_path / KEEPER  # a coverage wrapper's files copied into ours (lines_js)
    assert env == {
        "NODE_V8_COVERAGE": str(tmp_path / COVERAGE_DIR),
        "NODE_OPTIONS": f"--require={keeper}",
    }
    assert (tmp_path / COVERAGE_DIR).is_dir()
    assert json.dumps(str(tmp_path / COVERAGE_DIR)) in keeper.read_text(encoding="utf-8")
    # the run's own NODE_OPTIONS (node's reporters) are kept, ours after them
    with_reporter = trace_env(str(tmp_path), "/ws", ask, {"NODE_OPTIONS": "--test-reporter=spec"})
    assert with_reporter["NODE_OPTIONS"] == f"--test-reporter=spec --require={keeper}"
    assert keeper_option('/a b/"k".cjs') == '--require "/a b/\\"k\\".cjs"'
    assert not trace_env(str(tmp_path), "/ws", Asked(), {})

    def run(
        code: int | None, output: str = "", timed_out: bool = False, killed: str | None = None
    ) -> RunOutcome:
        return RunOutcome(code, timed_out, killed, output, len(output), 1.0, 1)

    assert suspect(ask, run(None, timed_out=True))
    assert suspect(ask, run(None, killed="they wrote more than 2 GiB into the workspace"))
    assert suspect(ask, run(1, f"actual: '{tmp_path}/{COVERAGE_DIR}'"))
    assert not suspect(ask, run(1, "AssertionError: 3 !== 5"))
    assert not suspect(ask, run(0, "NODE_V8_COVERAGE"))
    # Python's: lines.tracer_suspect
    assert suspect(Asked((), {"a.py": [(1, 1)]}), run(1, "sys.gettrace() is not None"))
    assert not suspect(Asked((), {"a.py": [(1, 1)]}), run(1, f"{COVERAGE_DIR}"))


def test_code_touching_the_coverage_trips_the_harness_wire() -> None:
    from acrouter.verifier.harness_js import js_harness_uses

    assert js_harness_uses('require("v8").takeCoverage();\n') == {
        "uses node's coverage: takeCoverage": 1
    }
    forge = (
        "const dir = process.env.NODE_V8_COVERAGE;\nsession.post('Profiler.takePreciseCoverage');\n"
    )
    assert js_harness_uses(forge) == {
        "uses node's coverage: NODE_V8_COVERAGE": 1,
        "uses node's coverage: takePreciseCoverage": 1,
    }
    assert js_harness_uses("const coverage = takeCoverageOf(x);\n") == {}


def test_the_ran_mask_is_the_innermost_range_at_every_offset() -> None:
    import random

    from acrouter.verifier.lines_js import _ran_mask

    def innermost(spans: list[tuple[int, int, int]], u: int) -> bool:
        best = None
        for r in spans:  # the later of two ranges with the same extent is the inner one
            if r[0] <= u < r[1] and (best is None or r[1] - r[0] <= best[1] - best[0]):
                best = r
        return best is not None and best[2] > 0

    rng = random.Random(7)
    for _ in range(200):
        length = rng.randint(0, 60)
        spans = [(0, length, rng.randint(0, 2))]
        for _ in range(rng.randint(0, 8)):  # V8's ranges nest: each inside an earlier one
            a, b, _c = rng.choice(spans)
            if b > a:
                s = rng.randint(a, b - 1)
                spans.append((s, rng.randint(s + 1, b), rng.randint(0, 2)))
        ran = _ran_mask(spans, length).to_bytes(length, "little")  # a byte per offset
        assert [bool(ran[u]) for u in range(length)] == [innermost(spans, u) for u in range(length)]
