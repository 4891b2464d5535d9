"""``verifier.lines``: the statements an edit changes, the plugin that traces which of
them the tests ran, and the sentence a pass then carries."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import attrs
from acrouter.domain import Verdict
from acrouter.verifier.harness_py import harness_uses
from acrouter.verifier.lines import (
    CUT,
    NO_TRACER,
    UNTRACED,
    Traced,
    changes,
    merge,
    plugin_env,
    python_changes,
    read_traced,
    statement_ranges,
    summarise,
    with_lines,
)

OLD = textwrap.dedent(
    '''\
    """A module."""
    import math


    def area(r):
        """The area."""
        return math.pi * r * r


    def clamp(x, lo, hi):
        if x < lo:
            return lo
        if x > hi:
            return hi
        return x
    '''
)


def test_statement_ranges_skip_what_never_reports_a_line() -> None:
    import ast

    tree = ast.parse(
        textwrap.dedent(
            '''\
            @deco(
                1)
            def f(a,
                  b):
                """doc"""
                try:
                    pass
                except ValueError:
                    ...
                global g
                return {
                    "a": a,
                }
            '''
        )
    )
    # the decorated header (lines 1-4), the except clause, the multi-line return
    assert statement_ranges(tree) == [(1, 4), (8, 8), (11, 13)]
    typed = ast.parse(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import os\nelse:\n    os = None\n"
        "def f():\n    x: int\n    y: int = 1\n"
    )
    # the import, the if, the else's assignment, the def, the annotated assignment
    assert statement_ranges(typed) == [(1, 1), (2, 2), (5, 5), (6, 6), (8, 8)]


def test_changed_statements_not_comments_or_blank_lines() -> None:
    new = OLD.replace("return math.pi * r * r", "# the area\n    return math.pi * r**2")
    c = changes("geo.py", OLD, new)
    assert c is not None
    assert c.statements == ((8, 8),)  # the return, not the comment on line 7
    assert (
        changes("geo.py", OLD, OLD.replace('"""The area."""', '"""The area of a circle."""'))
        is None
    )
    assert changes("geo.py", OLD, OLD + "\n# a comment\n") is None
    assert changes("geo.py", OLD, "def broken(:\n") is None  # not a pass: nothing to say


def test_a_removal_is_judged_by_the_statement_beside_it() -> None:
    new = OLD.replace("    if x > hi:\n        return hi\n", "")
    c = changes("geo.py", OLD, new)
    assert c is not None and c.statements == ()
    # the removed ``if`` sat before ``return x`` (line 13 now), at the same indentation
    assert c.removals == (((13, 13), (13, 14)),)
    # removed at the end of a block: the statement before it
    new = OLD.replace("        return hi\n    return x\n", "        return hi\n")
    c = changes("geo.py", OLD, new)
    assert c is not None and c.removals == (((14, 14), (15, 15)),)


def test_summary_names_the_unrun_statements_and_what_was_lost() -> None:
    new = OLD.replace("    if x > hi:\n        return hi\n", "").replace("* r * r", "* r**2")
    c = changes("geo.py", OLD, new)
    assert c is not None
    assert c.statements == ((7, 7),) and c.removals == (((13, 13), (13, 14)),)
    ran_all = Traced({"geo.py": frozenset({7, 11, 13})}, intact=True)
    assert summarise([c], ran_all) == ("the tests ran every statement the edit changes (2)", False)
    ran_some = Traced({"geo.py": frozenset({11})}, intact=True)
    said, warn = summarise([c], ran_some)
    assert warn
    assert said == (
        "no test ran 2 of the 2 statements the edit changes: geo.py line 7; "
        "what geo.py lost (old lines 13-14)"
    )
    lost = Traced({"geo.py": frozenset({11, 12, 13})}, intact=False)
    assert summarise([c], lost)[0].startswith("which changed lines the tests ran is not known")
    assert summarise([c], None) == ("", False)  # not a pytest run: nothing is claimed


def test_with_lines_marks_only_a_pass_with_a_warning() -> None:
    c = changes("geo.py", OLD, OLD.replace("return lo", "return lo - 1"))
    assert c is not None
    none_ran = [Traced({}, intact=True)]
    v = with_lines(Verdict("pass", detail="2 passed, 0 failed"), [c], none_ran)
    assert v.unrun == "no test ran 1 of the 1 statements the edit changes: geo.py line 12"
    assert v.detail == f"2 passed, 0 failed; {v.unrun}"
    failed = Verdict("fail", detail="1 failed")
    assert with_lines(failed, [c], none_ran) is failed
    ran = [Traced({"geo.py": frozenset({12})}, intact=True)]
    ok = Verdict("pass", detail="2 passed, 0 failed")
    assert with_lines(ok, [c], ran) is ok


def test_the_summary_stays_short_for_an_edit_of_many_places() -> None:
    # 500 one-line functions changed, none run: the first runs of lines, then a count
    new = "".join(f"def f{i}():\n    return {i}\n\n\n" for i in range(500))
    old = new.replace("return", "return -")
    change = changes("m.py", old, new)
    assert change is not None and change.size == 500
    text, warn = summarise([change], Traced({"m.py": frozenset()}, True))
    assert warn and text == (
        "no test ran 500 of the 500 statements the edit changes: m.py lines 2, 6, 10, 14,"
        " 18, 22, 26, 30 and 492 more"
    )


def test_runs_are_merged_and_python_changes_skip_other_files() -> None:
    a = Traced({"x.py": frozenset({1})}, True)
    b = Traced({"x.py": frozenset({2}), "y.py": frozenset({3})}, False)
    m = merge([a, b])
    assert m == Traced({"x.py": frozenset({1, 2}), "y.py": frozenset({3})}, False)
    assert merge([]) is None
    texts = {
        "geo.py": OLD.replace("return x", "return x + 1"),
        "README.md": "new",
        "same.py": "x = 1\n",
    }
    olds = {"geo.py": OLD, "README.md": "old", "same.py": "x = 1\n"}
    assert [c.path for c in python_changes(texts, olds)] == ["geo.py"]
    assert [c.path for c in python_changes({"new.py": "x = 1\n"}, {"new.py": None})] == ["new.py"]


def test_read_traced_merges_processes_and_keeps_the_workspace_files(tmp_path: Path) -> None:
    (tmp_path / "lines-1.json").write_text(
        json.dumps({"intact": True, "lines": {"/ws/a.py": [1, 2], "/elsewhere/b.py": [5]}})
    )
    (tmp_path / "lines-2.json").write_text(json.dumps({"intact": True, "lines": {"/ws/a.py": [3]}}))
    (tmp_path / "lines-3.json").write_text("{broken")
    (tmp_path / "report.xml").write_text("<x/>")
    t = read_traced(tmp_path, "/ws")
    assert t == Traced({"a.py": frozenset({1, 2, 3})}, True)
    assert read_traced(tmp_path / "missing", "/ws") is None
    empty = tmp_path / "empty"
    empty.mkdir()
    assert read_traced(empty, "/ws") is None


def test_a_traced_process_that_never_wrote_cuts_what_is_known(tmp_path: Path) -> None:
    # every traced pytest process says it started (lines-<pid>.start) and, at its end,
    # what it saw (lines-<pid>.json); one that never ended (a pytest-xdist worker that
    # crashed, replaced by another) took its lines with it
    (tmp_path / "lines-1.start").write_text("settrace")
    (tmp_path / "lines-1.json").write_text(json.dumps({"intact": True, "lines": {"/ws/a.py": [1]}}))
    assert read_traced(tmp_path, "/ws") == Traced({"a.py": frozenset({1})}, True)
    (tmp_path / "lines-2.start").write_text("settrace")
    cut = read_traced(tmp_path, "/ws")
    assert cut == Traced({"a.py": frozenset({1})}, True, cut=True)
    change = changes("a.py", "x = 1\ny = 2\n", "x = 3\ny = 4\n")
    assert change is not None
    assert summarise([change], cut) == (CUT, True)  # line 2 may have run there
    assert summarise([change], attrs.evolve(cut, lines={"a.py": frozenset({1, 2})}))[1] is False
    # processes that started and none wrote (os._exit after the tests): cut, not None
    only = tmp_path / "only"
    only.mkdir()
    (only / "lines-7.start").write_text("settrace")
    assert read_traced(only, "/ws") == Traced({}, True, cut=True)
    assert summarise([change], read_traced(only, "/ws")) == (CUT, True)


def test_files_whose_lines_are_not_known_are_named_with_why() -> None:
    # a.py: measured, its changed line ran; b.py: no process of the run traced it
    a = changes("a.py", "x = 1\n", "x = 2\n")
    b = changes("b.py", "def f():\n    return 1\n", "def f():\n    return 2\n")
    assert a is not None and b is not None
    traced = Traced({"a.py": frozenset({1})}, True, unknown={"b.py": NO_TRACER})
    said, warn = summarise([a, b], traced)
    assert warn and said == (
        "the tests ran every statement the edit changes (1); "
        f"which lines of b.py the tests ran is not known: {NO_TRACER}"
    )
    # not known is not "not run": such a pass is still learned
    v = with_lines(Verdict("pass", "1 passed", tests_failed_before=0), [a, b], [traced])
    assert v.counted and v.unrun == said
    # only b.py changed, the whole run redone without tracing
    alone = summarise([b], Traced({}, True, unknown={"b.py": UNTRACED}))
    assert alone == (f"which lines of b.py the tests ran is not known: {UNTRACED}", True)
    # merged with a confirmation run that measured b.py: known
    other = Traced({"b.py": frozenset({2})}, True)
    assert merge([traced, other]) == Traced({"a.py": frozenset({1}), "b.py": frozenset({2})}, True)
    assert summarise([b], merge([traced, other])) == (
        "the tests ran every statement the edit changes (1)",
        False,
    )


def _project(root: Path, conftest: str = "") -> Path:
    root.mkdir()
    (root / "geo.py").write_text(OLD)
    (root / "test_geo.py").write_text(
        "from geo import clamp\n\n\ndef test_low():\n    assert clamp(-1, 0, 5) == 0\n"
    )
    if conftest:
        (root / "conftest.py").write_text(conftest)
    return root


def _run_plugin(root: Path, out: Path, tracer: str = "") -> Traced | None:
    out.mkdir()
    env = {"PATH": "/usr/bin:/bin", "PYTHONDONTWRITEBYTECODE": "1"}
    if tracer:
        env["ACROUTER_LINES_TRACER"] = tracer
    import ast

    every = statement_ranges(ast.parse(OLD))
    env.update(plugin_env(str(out), {str(root / "geo.py"): every}, env))
    subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(root)],
        cwd=root,
        env=env,
        check=True,
        capture_output=True,
    )
    return read_traced(out, str(root))


def test_the_plugin_traces_the_lines_pytest_runs(tmp_path: Path) -> None:
    root = _project(tmp_path / "proj")
    t = _run_plugin(root, tmp_path / "out")
    assert t is not None and t.intact
    # the import, the defs, clamp's first branch; not area's body nor the branches
    # test_low never takes
    assert t.lines["geo.py"] == {2, 5, 10, 11, 12}


def test_the_plugin_stops_once_every_statement_ran(tmp_path: Path) -> None:
    # asked only about what test_low runs: once it ran, tracing stops (the next test
    # sees no tracer), and the run still counts as traced
    root = _project(tmp_path / "proj")
    (root / "test_later.py").write_text(
        "import sys\n\n\ndef test_no_tracer_any_more():\n    assert sys.gettrace() is None\n"
    )
    out = tmp_path / "out"
    out.mkdir()
    # the sys.settrace tracer, whatever the Python (3.12+: test_lines_monitoring.py)
    env = {
        "PATH": "/usr/bin:/bin",
        "PYTHONDONTWRITEBYTECODE": "1",
        "ACROUTER_LINES_TRACER": "settrace",
    }
    env.update(plugin_env(str(out), {str(root / "geo.py"): [(11, 11), (12, 12)]}, env))
    argv = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    subprocess.run([*argv, "test_geo.py", "test_later.py"], cwd=root, env=env, check=True)
    assert read_traced(out, str(root)) == Traced({"geo.py": frozenset({11, 12})}, True)
    # asked also about a statement no test runs: the tracer stays
    env.update(plugin_env(str(out), {str(root / "geo.py"): [(11, 11), (13, 13)]}, env))
    res = subprocess.run(
        [*argv, "test_geo.py", "test_later.py"], check=False, cwd=root, env=env, capture_output=True
    )
    assert res.returncode == 1


def test_an_edit_of_every_line_of_a_long_module_is_traced(tmp_path: Path) -> None:
    # 12,000 statements asked about: more than an environment variable may hold (128 KiB
    # on Linux: the run could not even start), so they are written beside the plugin
    root = tmp_path / "proj"
    root.mkdir()
    n = 12_000
    (root / "big.py").write_text("".join(f"v{i} = {i}\n" for i in range(n)))
    (root / "test_big.py").write_text("import big\n\n\ndef test_last():\n    assert big.v11999\n")
    out = tmp_path / "out"
    out.mkdir()
    env = {"PATH": "/usr/bin:/bin", "PYTHONDONTWRITEBYTECODE": "1"}
    env.update(plugin_env(str(out), {str(root / "big.py"): [(i, i) for i in range(1, n + 1)]}, env))
    assert sum(len(v) for v in env.values()) < 4096
    argv = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(root)]
    subprocess.run(argv, cwd=root, env=env, check=True, capture_output=True)
    assert read_traced(out, str(root)) == Traced({"big.py": frozenset(range(1, n + 1))}, True)


def test_a_tracer_that_takes_over_is_reported(tmp_path: Path) -> None:
    # what ``pytest --cov`` does: coverage.py's tracer replaces the plugin's
    # (the sys.settrace tracer, whatever the Python: sys.monitoring sits beside it)
    root = _project(tmp_path / "proj", "import sys\nsys.settrace(lambda *a: None)\n")
    t = _run_plugin(root, tmp_path / "out", tracer="settrace")
    assert t is not None and not t.intact


def test_a_failed_run_naming_the_tracer_is_suspect_only_when_it_was_traced(
    tmp_path: Path,
) -> None:
    from acrouter.verifier.lines import monitored, tracer_suspect

    says = "assert sys.gettrace() is None"
    assert not tracer_suspect(0, False, says)
    assert tracer_suspect(1, False, says)
    assert tracer_suspect(None, True, "")  # a timeout, however it traced
    assert tracer_suspect(1, False, "ModuleNotFoundError: No module named 'acrouter_lines'")
    # the plugin watched with sys.monitoring (Python 3.12+): settrace is the tests' own,
    # and a timeout is the edit's (it costs about nothing)
    assert not tracer_suspect(1, False, says, monitored=True)
    assert not tracer_suspect(None, True, "", monitored=True)
    assert tracer_suspect(1, False, "acrouter_lines.py, line 3", monitored=True)
    # ... but it holds a tool id the tests' own tool may want
    assert tracer_suspect(1, False, "ValueError: tool 4 is already in use", monitored=True)

    assert not monitored(tmp_path)  # nothing written: the plugin never started
    (tmp_path / "lines-1.start").write_text("monitoring")
    assert monitored(tmp_path)
    (tmp_path / "lines-2.start").write_text("settrace")  # a second process that traced
    assert not monitored(tmp_path)
    assert not monitored(tmp_path / "missing")


def test_code_naming_the_tracer_trips_the_harness_wire() -> None:
    found = harness_uses('import sys\nsys.modules["acrouter_lines"]._SEEN.clear()\n')
    assert found["uses acrouter_lines"] == 1
    assert harness_uses('import os\nos.environ["ACROUTER_LINES_OUT"]\n')
    # the plugin that keeps only the fixed tests in a fix's confirmation (verifier.subset)
    assert harness_uses('import os\nif os.environ.get("ACROUTER_SELECT_IDS"):\n    pass\n')
    assert harness_uses('import sys\nsys.modules["acrouter_select"]\n')


def test_line_opcodes_cover_every_change_exactly_or_by_the_heuristic(monkeypatch) -> None:
    import random

    from acrouter import linediff
    from acrouter.verifier import lines

    def rebuilt(a: list[str], b: list[str]) -> list[str]:
        out, i = [], 0
        for _op, i1, i2, j1, j2 in lines.line_opcodes(a, b):
            out += a[i:i1] + b[j1:j2]
            i = i2
        return out + a[i:]

    rng = random.Random(3)
    words = ["", "    return x", "    y = x * 2", "def f(x):", "pass", "# note"]
    for exact_lines in (1000, 3):  # the exact match, and difflib's heuristic on the middle
        monkeypatch.setattr(linediff, "EXACT_LINES", exact_lines)
        for _ in range(200):
            a = [rng.choice(words) for _ in range(rng.randint(0, 300))]
            b = list(a)
            for _ in range(rng.randint(0, 5)):
                k = rng.randint(0, len(b))
                b[k : k + rng.randint(0, 3)] = [
                    rng.choice(words) + "!" for _ in range(rng.randint(0, 3))
                ]
            assert rebuilt(a, b) == b  # every line the opcodes leave alone is the same in both


def test_a_large_edit_is_cut_at_lines_found_once_on_each_side() -> None:
    from acrouter.linediff import line_opcodes

    # 4,000 functions, every return changed: each changed line, and no other, is named
    # (difflib on the whole 20,000-line middle took about 10 s: benchmarks/lines_diff.py)
    old = "".join(f"def f{i}(x):\n    y = x + {i}\n    return y * 2\n\n\n" for i in range(4000))
    new = old.replace("return y * 2", "return y * 3")
    ops = line_opcodes(old.splitlines(), new.splitlines())
    assert [(i1, i2) for _, i1, i2, _, _ in ops] == [(5 * k + 2, 5 * k + 3) for k in range(4000)]
    assert {op for op, *_ in ops} == {"replace"}
    # a tenth of the file moved to its end: the moved lines, not the other nine tenths
    a = old.splitlines()
    b = a[2000:] + a[:2000]
    ops = line_opcodes(a, b)
    assert sum(i2 - i1 for _, i1, i2, _, _ in ops) == 2000
    out, i = [], 0
    for _op, i1, i2, j1, j2 in ops:
        out += a[i:i1] + b[j1:j2]
        i = i2
    assert out + a[i:] == b
