"""The line plugin on Python 3.12 and newer (``sys.monitoring``): it reads the same lines
as its ``sys.settrace`` tracer, sits beside other tools and tracers, stops once every
statement ran, and falls back to ``sys.settrace`` when no tool id is free.  These need
an interpreter with ``sys.monitoring`` and pytest (``tests/pythons.py``)."""

from __future__ import annotations

import ast
import subprocess
import textwrap
from pathlib import Path

import pytest
from acrouter.verifier.lines import (
    Traced,
    monitored,
    plugin_env,
    read_traced,
    statement_ranges,
    tracer_suspect,
)

from tests.pythons import OTHER_PYTHON_REASON, other_python

PYTHON = other_python()
pytestmark = pytest.mark.skipif(PYTHON is None, reason=OTHER_PYTHON_REASON)

MOD = textwrap.dedent(
    """\
    import threading


    def clamp(x, lo, hi):
        if x < lo:
            return lo
        if x > hi:
            return hi
        return x


    def gen(n):
        for i in range(n):
            if i % 2:
                yield i
            else:
                yield -i


    class K:
        def m(self, a,
              b):
            total = (a +
                     b)
            return total

        @property
        def p(self):
            return 1


    def in_thread(box):
        box.append(clamp(1, 0, 2))


    def unused():
        return 42


    async def co(x):
        return x + 1
    """
)

TESTS = textwrap.dedent(
    """\
    import asyncio
    import threading

    from mod import K, clamp, co, gen, in_thread


    def test_clamp():
        assert clamp(-1, 0, 10) == 0
        assert clamp(5, 0, 10) == 5


    def test_gen():
        assert list(gen(3)) == [0, 1, -2]


    def test_k():
        assert K().m(1, 2) == 3


    def test_thread():
        box = []
        t = threading.Thread(target=in_thread, args=(box,))
        t.start()
        t.join()
        assert box == [1]


    def test_co():
        assert asyncio.run(co(1)) == 2
    """
)

#: the lines the tests run: every statement's but clamp's ``return hi`` (8), K.p's body
#: (29) and unused's (37); a statement of two lines may report both (21-22 and 23-24 do)
RAN = frozenset({1, 4, 5, 6, 7, 9, 12, 13, 14, 15, 17, 20, 21, 23, 24, 25, 27, 28, 32, 33})
RAN = RAN | {36, 40, 41}


STATEMENTS = statement_ranges(ast.parse(MOD))


def _statements_run(t: Traced | None) -> set[tuple[int, int]]:
    """The statements that ran (the two tracers may report different lines of a
    statement of several lines)."""
    assert t is not None
    ran = t.lines.get("mod.py", frozenset())
    return {r for r in STATEMENTS if any(r[0] <= n <= r[1] for n in ran)}


def _project(root: Path, conftest: str = "") -> Path:
    root.mkdir()
    (root / "mod.py").write_text(MOD)
    (root / "test_mod.py").write_text(TESTS)
    if conftest:
        (root / "conftest.py").write_text(textwrap.dedent(conftest))
    return root


def _run(
    root: Path,
    out: Path,
    ranges: list[tuple[int, int]] | None = None,
    *,
    tracer: str = "",
    first_path: Path | None = None,
    expect: int = 0,
    said: list[str] | None = None,
) -> Traced | None:
    out.mkdir()
    env = {"PATH": "/usr/bin:/bin", "PYTHONDONTWRITEBYTECODE": "1"}
    if first_path is not None:
        env["PYTHONPATH"] = str(first_path)
    if tracer:
        env["ACROUTER_LINES_TRACER"] = tracer
    every = statement_ranges(ast.parse(MOD)) if ranges is None else ranges
    env.update(plugin_env(str(out), {str(root / "mod.py"): every}, env))
    assert PYTHON is not None
    res = subprocess.run(
        [PYTHON, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(root)],
        cwd=root,
        env=env,
        check=False,
        capture_output=True,
        text=True,
    )
    assert res.returncode == expect, res.stdout[-3000:] + res.stderr[-2000:]
    if said is not None:
        said.append(res.stdout + res.stderr)
    return read_traced(out, str(root))


def test_monitoring_reads_the_lines_settrace_reads(tmp_path: Path) -> None:
    root = _project(tmp_path / "proj")
    watched = _run(root, tmp_path / "mon")
    traced = _run(root, tmp_path / "st", tracer="settrace")
    assert watched == Traced({"mod.py": RAN}, True)
    assert monitored(tmp_path / "mon") and not monitored(tmp_path / "st")
    assert traced is not None and traced.intact
    assert _statements_run(traced) == _statements_run(watched)
    assert len(_statements_run(watched)) == len(STATEMENTS) - 3


def test_monitoring_leaves_settrace_to_the_tests(tmp_path: Path) -> None:
    # a test that wants no tracer passes while statements are still asked about, and a
    # tracer the tests set (what pytest --cov's does) takes nothing from the plugin
    root = _project(tmp_path / "proj", "import sys\nsys.settrace(lambda *a: None)\n")
    (root / "test_no_tracer.py").write_text(
        "import sys\n\n\ndef test_none():\n    sys.settrace(None)\n"
        "    assert sys.gettrace() is None\n"
    )
    assert _run(root, tmp_path / "out") == Traced({"mod.py": RAN}, True)
    # the same under settrace: the tracer that took over is reported
    st = _run(root, tmp_path / "st", tracer="settrace")
    assert st is not None and not st.intact


def test_monitoring_sits_beside_another_tool(tmp_path: Path) -> None:
    # coverage.py's tool id (1) watching lines too: both see them
    other = """\
        import os, sys
        M = sys.monitoring
        SEEN = set()
        M.use_tool_id(M.COVERAGE_ID, "other")

        def line(code, n):
            if code.co_filename.endswith("mod.py"):
                SEEN.add(n)
            return M.DISABLE

        M.register_callback(M.COVERAGE_ID, M.events.LINE, line)
        M.set_events(M.COVERAGE_ID, M.events.LINE)

        def pytest_unconfigure(config):
            with open(os.path.join(os.path.dirname(__file__), "other.txt"), "w") as f:
                f.write(" ".join(map(str, sorted(SEEN))))
        """
    root = _project(tmp_path / "proj", other)
    assert _run(root, tmp_path / "out") == Traced({"mod.py": RAN}, True)
    other_seen = {int(n) for n in (root / "other.txt").read_text().split()}
    assert RAN - {1} <= other_seen  # (the module's first line ran before conftest)


def test_monitoring_stops_once_every_statement_ran(tmp_path: Path) -> None:
    root = _project(tmp_path / "proj")
    (root / "test_zz_later.py").write_text(
        "import sys\n\n\ndef test_no_tool_any_more():\n"
        "    assert sys.monitoring.get_tool(3) is None\n"
        "    assert sys.monitoring.get_tool(4) is None\n"
    )
    # asked only about clamp's first branch, which test_clamp runs
    assert _run(root, tmp_path / "out", [(5, 5), (6, 6)]) == Traced(
        {"mod.py": frozenset({5, 6})}, True
    )
    # asked also about a statement no test runs: the tool stays until the end
    _run(root, tmp_path / "out2", [(5, 5), (8, 8)], expect=1)


def test_no_free_tool_id_falls_back_to_settrace(tmp_path: Path) -> None:
    # tools of some other kind hold both ids the plugin may take, from before pytest
    early = tmp_path / "early"
    early.mkdir()
    (early / "sitecustomize.py").write_text(
        "import sys\nsys.monitoring.use_tool_id(3, 'x')\nsys.monitoring.use_tool_id(4, 'y')\n"
    )
    root = _project(tmp_path / "proj")
    (root / "test_zz_tracer.py").write_text(
        "import sys\n\n\ndef test_settrace_in_place():\n    assert sys.gettrace() is not None\n"
    )
    t = _run(root, tmp_path / "out", first_path=early)
    assert t is not None and t.intact
    assert _statements_run(t) == _statements_run(Traced({"mod.py": RAN}, True))


def test_a_tool_id_taken_away_is_reported(tmp_path: Path) -> None:
    conftest = """\
        import sys
        for tool in (3, 4):
            if sys.monitoring.get_tool(tool) == "acrouter_lines":
                sys.monitoring.free_tool_id(tool)
        """
    root = _project(tmp_path / "proj", conftest)
    t = _run(root, tmp_path / "out")
    assert t is not None and not t.intact


def test_a_tool_of_the_tests_wanting_our_id_fails_and_is_said(tmp_path: Path) -> None:
    # the tests claim id 4 after the plugin took it: they fail with words the verifier
    # reads as the tracer's doing (tracer_suspect), and redoes the run untraced
    root = _project(tmp_path / "proj")
    (root / "test_zz_tool.py").write_text(
        "import sys\n\n\ndef test_claims_4():\n    sys.monitoring.use_tool_id(4, 'mine')\n"
    )
    said: list[str] = []
    _run(root, tmp_path / "out", STATEMENTS, expect=1, said=said)
    assert "already in use" in said[0]
    assert monitored(tmp_path / "out")
    assert tracer_suspect(1, False, said[0], monitored(tmp_path / "out"))
