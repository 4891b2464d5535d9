"""``benchmarks/ruby_detection.py`` runs the Ruby test-command detection and the verifier
on real Ruby projects: its pure parts are checked here, offline, on made-up results —
the table's rows (a command found or not, read per test or by the exit code, a project
not fetched), the summary's counts, the harmless edit (a comment put first, after a
``#!`` or a ``coding:`` line), which lib file it edits, and a failed fetch becoming a
row instead of stopping the run."""

from __future__ import annotations

import importlib
import sys
import urllib.error
from pathlib import Path
from types import ModuleType

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    sys.path.insert(0, str(BENCHMARKS))
    try:
        return importlib.import_module("ruby_detection")
    finally:
        sys.path.remove(str(BENCHMARKS))


def rows(bench: ModuleType) -> list:
    Row = bench.Row
    return [
        Row("per-test", "1.0", "rspec", "pass", True, False, 78, 0, 78, 0, 1.24, "lib/a.rb: ok"),
        Row("old-fail", "2.0", "rake test", "fail", False, False, 112, 1, 112, 1, 1.0, "x"),
        Row("weak", "3.0", "make test", "pass", True, True, None, 0, None, None, 2.0, "y"),
        Row("no-gem", "4.0", "rspec", "error", False, False, 0, 0, 0, 0, 0.5, "a | b"),
        Row("none", "5.0", None, "error", False, detail="no test command found"),
        Row("gone", "6.0", "", "fetch failed", detail="HTTP Error 404: Not Found"),
    ]


def test_the_rows(bench: ModuleType) -> None:
    lines = [bench.format_row(r) for r in rows(bench)]
    assert lines == [
        "| per-test | 1.0 | `rspec` | pass | per test | 78/0 | 78/0 | 1.2 | lib/a.rb: ok |",
        (
            "| old-fail | 2.0 | `rake test` | fail (not counted) | per test | 112/1 | 112/1 "
            "| 1.0 | x |"
        ),
        "| weak | 3.0 | `make test` | pass | weak (exit code) | -/0 | -/- | 2.0 | y |",
        # a set-up error: no reading; the detail's bar escaped so the table keeps its columns
        "| no-gem | 4.0 | `rspec` | error | - | 0/0 | 0/0 | 0.5 | a \\| b |",
        "| none | 5.0 | (none) | error | - | -/- | -/- | 0.0 | no test command found |",
        (
            "| gone | 6.0 | (not fetched) | fetch failed | - | -/- | -/- | 0.0 "
            "| HTTP Error 404: Not Found |"
        ),
    ]
    assert all(line.count(" | ") == bench.HEADER.count(" | ") for line in lines)


def test_the_summary(bench: ModuleType) -> None:
    # 5 fetched, 4 with a command, 2 read per test (both with passing tests), 1 weak
    assert bench.summary(rows(bench)) == (
        "projects: 6; fetched: 5; command detected: 4 of 5; ran per test: 2 "
        "(2 with a test passing before the edit); weak (exit code): 1; verdict pass: 2"
    )
    assert bench.table(rows(bench)).splitlines()[0] == bench.HEADER


def test_the_harmless_edit(bench: ModuleType) -> None:
    c = bench.COMMENT
    assert bench.commented("require 'x'\n") == f"{c}\nrequire 'x'\n"
    assert bench.commented("#!/usr/bin/env ruby\nputs 1\n") == (
        f"#!/usr/bin/env ruby\n{c}\nputs 1\n"
    )
    # a magic encoding comment counts on the first line only: it stays there
    assert bench.commented("# -*- coding: utf-8 -*-\nx = 1") == (
        f"# -*- coding: utf-8 -*-\n{c}\nx = 1"
    )
    assert bench.commented("") == f"{c}\n"


def test_the_edited_file(bench: ModuleType, tmp_path: Path) -> None:
    assert bench.edit_target(tmp_path) is None  # no lib/
    (tmp_path / "lib" / "dotenv" / "x").mkdir(parents=True)
    (tmp_path / "lib" / "dotenv" / "x" / "deep.rb").write_text("")
    assert bench.edit_target(tmp_path) == "lib/dotenv/x/deep.rb"  # no top-level file
    for name in ("dotenv-rails.rb", "dotenv.rb", "zz.rb"):
        (tmp_path / "lib" / name).write_text("")
    assert bench.edit_target(tmp_path) == "lib/zz.rb"  # the shortest name
    (tmp_path / "lib" / "zz.rb").unlink()
    assert bench.edit_target(tmp_path) == "lib/dotenv.rb"  # the entry, not dotenv-rails


def test_versions(bench: ModuleType) -> None:
    by_label = {p.label: p for p in bench.PROJECTS}
    assert bench.version_of(by_label["ruby-builder"]) == "3.2.4"
    assert bench.version_of(by_label["minitest"]) == "5.15.0"  # libruby3.1's bundled gem
    assert len(by_label) == len(bench.PROJECTS)  # --only names each one


@pytest.mark.parametrize(
    ("error", "detail"),
    [
        (
            urllib.error.HTTPError("http://mirror/x.orig.tar.gz", 404, "Not Found", {}, None),  # type: ignore[arg-type]
            "HTTP Error 404: Not Found (http://mirror/x.orig.tar.gz)",
        ),
        # real_projects.sh stops with SystemExit when apt-get download fails
        (SystemExit("apt-get download -q nope failed (100):\nE: no such package"), None),
    ],
)
def test_a_failed_fetch_is_a_row(
    bench: ModuleType, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, error, detail
) -> None:
    def fetch(project, work):  # no network in the tests
        raise error

    monkeypatch.setattr(bench, "fetch", fetch)
    row = bench.run_project(bench.PROJECTS[0], tmp_path, 10, "bwrap")
    assert (row.name, row.verdict, row.command) == ("ruby-hashie", "fetch failed", "")
    assert row.detail == (detail or "apt-get download -q nope failed (100):")
    assert "(not fetched)" in bench.format_row(row)
