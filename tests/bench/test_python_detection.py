"""``benchmarks/python_detection.py`` checks the Python test-command detection on real PyPI
projects, with a ``python3`` that has pytest and one that has not, and runs a unittest
command it picks against pytest's collection: its pure parts are checked here, offline —
the table's rows (unittest running fewer tests than pytest collects flagged, a project
not fetched, none detected), the summary's counts, the reading of unittest's ``Ran N
tests`` and result line and of pytest's ``N tests collected``, the sdist unpacked once (pip replaced by a fake: no network), a failed download
becoming a row; and a made-up unittest project run through it whole, with two made-up
Pythons (one whose package folders show pytest, one whose do not)."""

from __future__ import annotations

import importlib
import io
import sys
import tarfile
from pathlib import Path
from types import ModuleType

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    sys.path.insert(0, str(BENCHMARKS))
    try:
        return importlib.import_module("python_detection")
    finally:
        sys.path.remove(str(BENCHMARKS))


UNITTEST = "python3 -m unittest discover -s tests -t ."


def rows(bench: ModuleType) -> list:
    Row = bench.Row
    return [
        Row("same", "1.0", "python3 -m pytest", UNITTEST, 480, "OK", 480),
        Row("more", "2.0", "python3 -m pytest", UNITTEST, 929, "OK (skipped=2)", 765),
        Row(
            "fewer", "3.0", "python3 -m pytest", "python3 -m unittest", 5, "FAILED (errors=1)", 7, 1
        ),
        Row("pytest", "4.0", "python3 -m pytest", "python3 -m pytest"),
        Row("none", "5.0", None, None),
        Row("gone", "6.0", error="not fetched: pip download failed (1):"),
    ]


def test_the_rows(bench: ModuleType) -> None:
    lines = [bench.format_row(r) for r in rows(bench)]
    assert lines == [
        (
            "| same | 1.0 | `python3 -m pytest` | `python3 -m unittest discover -s tests -t .` "
            "| 480 OK | 480 |  |"
        ),
        # more under unittest (a load_tests adding doctests): not flagged
        (
            "| more | 2.0 | `python3 -m pytest` | `python3 -m unittest discover -s tests -t .` "
            "| 929 OK (skipped=2) | 765 |  |"
        ),
        (
            "| fewer | 3.0 | `python3 -m pytest` | `python3 -m unittest` "
            "| 5 FAILED (errors=1) | 7 (1 error) | FEWER |"
        ),
        "| pytest | 4.0 | `python3 -m pytest` | `python3 -m pytest` | - | - |  |",
        "| none | 5.0 | (none) | (none) | - | - |  |",
        (
            "| gone | 6.0 | (not fetched) | (not fetched) | - | - "
            "| not fetched: pip download failed (1): |"
        ),
    ]
    assert all(line.count(" | ") == bench.HEADER.count(" | ") for line in lines)
    assert [r.unittest for r in rows(bench)] == [True, True, True, False, False, False]


def test_a_timed_out_run_is_shown(bench: ModuleType) -> None:
    row = bench.Row("slow", "1", "python3 -m pytest", UNITTEST, None, "timeout (300 s)", 10)
    assert "| - timeout (300 s) | 10 |  |" in bench.format_row(row)
    assert not row.fewer  # (no count to hold against pytest's)


def test_the_summary(bench: ModuleType) -> None:
    assert bench.summary(rows(bench)) == (
        "projects: 6; detected with pytest: 4; detected without pytest: 4; "
        "unittest commands: 3; unittest fewer than pytest: 1 (fewer); "
        "none detected: 1 (none); not fetched or crashed: 1"
    )
    assert bench.summary(rows(bench)[:2]) == (
        "projects: 2; detected with pytest: 2; detected without pytest: 2; "
        "unittest commands: 2; unittest fewer than pytest: 0; none detected: 0"
    )
    assert bench.table(rows(bench)).splitlines()[0] == bench.HEADER


@pytest.mark.parametrize(
    ("output", "expected"),
    [
        ("....\n------\nRan 4 tests in 0.01s\n\nOK\n", (4, "OK")),
        ("Ran 1 test in 0.0s\n\nOK (skipped=1)\n", (1, "OK (skipped=1)")),
        (
            "ERROR: test_x\nTraceback...\nRan 6431 tests in 9.1s\n\nFAILED (errors=1, skipped=1)\n",
            (6431, "FAILED (errors=1, skipped=1)"),
        ),
        ("Ran 0 tests in 0.000s\n\nNO TESTS RAN\n", (0, "NO TESTS RAN")),  # (Python 3.12+)
        # a test printing a Ran line of its own: the last one is unittest's
        (
            "Ran 2 tests in 1s\nOK\nRan 9 tests in 2.0s\n\nFAILED (failures=2)\n",
            (9, "FAILED (failures=2)"),
        ),
        ("Ran 3 tests in 0.1s\n", (3, "")),  # (cut short)
        ("/usr/bin/python3: No module named pytest\n", (None, "")),
    ],
)
def test_unittests_result(bench: ModuleType, output: str, expected: tuple) -> None:
    assert bench.unittest_result(output) == expected


@pytest.mark.parametrize(
    ("output", "expected"),
    [
        ("tests/test_a.py::T::test_x\n\n123 tests collected in 0.52s\n", (123, 0)),
        ("t.py::test_x\n\n1 test collected in 0.01s\n", (1, 0)),
        ("\nno tests collected in 0.01s\n", (0, 0)),
        ("E ModuleNotFoundError\n6430 tests collected, 1 error in 2.10s\n", (6430, 1)),
        ("5/9 tests collected (4 deselected) in 0.1s\n", (5, 0)),
        ("ERROR tests/test_a.py\n!!! Interrupted !!!\n==== 2 errors in 0.31s ====\n", (0, 2)),
        ("/usr/bin/python3: No module named pytest\n", (None, 0)),
    ],
)
def test_pytests_collection(bench: ModuleType, output: str, expected: tuple) -> None:
    assert bench.collected(output) == expected


def test_the_projects_are_pinned(bench: ModuleType) -> None:
    labels = [p.label for p in bench.PROJECTS]
    assert len(set(labels)) == len(labels) == 36  # --only names each one
    assert all(p.kind == "pypi" and p.version for p in bench.PROJECTS)
    by_label = {p.label: p for p in bench.PROJECTS}
    assert by_label["more-itertools"].spec == "more-itertools==11.2.1"
    assert by_label["simplejson"].spec == "simplejson==4.3.0"


def _sdist(folder: Path, top: str, files: dict[str, str]) -> Path:
    archive = folder / f"{top}.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        for rel, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(f"{top}/{rel}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return archive


def test_the_sdist_is_unpacked_once(
    bench: ModuleType, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    calls: list[list[str]] = []

    def pip(argv: list[str], cwd=None, env=None) -> str:  # no network in the tests
        calls.append(argv)
        _sdist(
            Path(argv[argv.index("-d") + 1]), "demo-1.0", {"tests/test_a.py": "import unittest\n"}
        )
        return ""

    monkeypatch.setattr(bench, "sh", pip)
    project = bench.Project("demo", "pypi", version="1.0")
    root = bench.unpacked(project, tmp_path, "/venv/bin/python")
    assert root == tmp_path / "demo"
    assert (root / "tests/test_a.py").read_text() == "import unittest\n"
    assert (root / bench.READY).read_text() == "demo-1.0.tar.gz\n"
    assert calls == [
        [
            "/venv/bin/python", "-m", "pip", "download", "-q", "--no-deps", "--no-binary",
            ":all:", "demo==1.0", "-d", str(tmp_path / "downloads" / "demo"),
        ]
    ]  # fmt: skip
    assert not (root / ".venv").exists()  # (the detection must look for python3 on the PATH)
    assert bench.unpacked(project, tmp_path, "/venv/bin/python") == root
    assert len(calls) == 1  # reused


def test_a_failed_download_is_a_row(
    bench: ModuleType, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def pip(argv, cwd=None, env=None):  # real_projects.sh stops with SystemExit
        raise SystemExit("pip download -q nope==1 failed (1):\nERROR: No matching distribution")

    monkeypatch.setattr(bench, "sh", pip)
    row = bench.run_project(bench.PROJECTS[0], tmp_path, tmp_path, tmp_path)
    assert (row.name, row.version, row.with_pytest, row.without_pytest) == (
        "attrs",
        "26.1.0",
        "",
        "",
    )
    assert row.error == "not fetched: pip download -q nope==1 failed (1):"
    assert "(not fetched)" in bench.format_row(row)


def _python(prefix: Path, *, pytest_too: bool) -> Path:
    """A made-up Python prefix: ``bin/pythonX.Y`` (a script that runs this Python, so its
    version shows in its name) and ``lib/pythonX.Y/site-packages``, with a ``pytest``
    folder there when ``pytest_too``."""
    xy = f"python{sys.version_info[0]}.{sys.version_info[1]}"
    python = prefix / "bin" / xy
    python.parent.mkdir(parents=True)
    python.write_text(f'#!/bin/sh\nexec {sys.executable} "$@"\n')
    python.chmod(0o755)
    site = prefix / "lib" / xy / "site-packages"
    site.mkdir(parents=True)
    if pytest_too:
        (site / "pytest").mkdir()
    return python


CALC = "def mean(xs):\n    return sum(xs) / len(xs)\n"
CASES = """\
import unittest

from calc import mean


class MeanTest(unittest.TestCase):
    def test_mean(self):
        self.assertEqual(mean([1, 2, 3]), 2)

    def test_one(self):
        self.assertEqual(mean([4]), 4)
"""
#: a class of pytest's beside the TestCase: pytest collects it, unittest never runs it
PLAIN_CLASS = "\n\nclass TestPlain:\n    def test_more(self):\n        assert mean([2]) == 2\n"


#: (the test module, unittest's command or None where pytest stays the command)
@pytest.mark.parametrize(
    ("module", "unittest"),
    # a class of pytest's: before 2026-12-06's fix, unittest was picked and the row was
    # flagged FEWER (2 run, 3 collected); now pytest stays the command
    [(CASES, UNITTEST), (CASES + PLAIN_CLASS, None)],
)
def test_a_made_up_project_run_whole(
    bench: ModuleType,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    module: str,
    unittest: str | None,
) -> None:
    root = tmp_path / "demo"
    (root / "tests").mkdir(parents=True)
    (root / "calc.py").write_text(CALC)
    (root / "tests" / "__init__.py").write_text("")
    (root / "tests" / "test_calc.py").write_text(module)
    monkeypatch.setattr(bench, "unpacked", lambda project, work: root)
    with_pytest = _python(tmp_path / "with", pytest_too=True)
    without = _python(tmp_path / "without", pytest_too=False)
    with bench.python3_bin(str(with_pytest)) as wb, bench.python3_bin(str(without)) as nb:
        # both made-up Pythons run this one, which has pytest: the reading of the second's
        # package folders is not what its interpreter does
        assert bench.python_warning(wb, True) is None
        warning = bench.python_warning(nb, False)
        assert warning is not None and "pytest_installed says False, import pytest works" in warning
        project = bench.Project("demo", "pypi", version="1.0")
        row = bench.run_project(project, tmp_path, wb, nb, sys.executable, 60)
    if unittest is None:
        assert (row.with_pytest, row.without_pytest) == ("python3 -m pytest",) * 2
        assert (row.ran, row.collected) == (None, None)  # (nothing of unittest's to run)
        return
    assert (row.with_pytest, row.without_pytest) == ("python3 -m pytest", unittest)
    assert (row.ran, row.result, row.collect_errors, row.error) == (2, "OK", 0, "")
    assert row.collected == 2
    assert bench.format_row(row).endswith("|  |")
