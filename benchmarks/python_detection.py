"""Python test-command detection on real PyPI projects we did not write.

``detect_test_command`` picks ``python3 -m unittest [discover -s tests [-t .]]`` for a
project whose Python has no pytest installed (``pytest_installed``: read from its package
folders, without running it) and whose tests are unittest's whole (``unittest_tests``),
and ``python3 -m pytest`` otherwise; a Python distribution (``pyproject.toml``,
``setup.py``, ``setup.cfg``) whose tests are in a package's ``tests`` folder
(``simplejson/tests``) is pytest's too.  The unittest fallback must never leave a test
out of a verdict: this script checks both on the source releases of :data:`PROJECTS`.

For each project, its sdist downloaded from PyPI (``pip download --no-deps --no-binary
:all: NAME==VERSION``, with this virtualenv's pip) and unpacked into the work folder (once;
later runs reuse it; no virtualenv is made in it, so the detection looks for ``python3``
on the PATH): the command ``detect_test_command`` finds with a ``python3`` that has pytest
(a temporary bin folder, first on the PATH, whose ``python3`` links to this virtualenv's
Python: the link resolves to its base interpreter, which has pytest here) and with one
that has not (its ``python3`` links to ``/usr/bin/python3``, Debian's, without pytest
here).  Before the projects, both Pythons are checked: ``pytest_installed`` must agree
with whether ``python3 -c "import pytest"`` works there (a warning line otherwise).

Where the second command is unittest's, it is run for real, in the project's folder, with
``PYTHONPATH=src:.`` (src layouts import; C extensions are not built, their pure-Python
fallbacks run) and the Python without pytest, for at most :data:`TIMEOUT` seconds, and
unittest's ``Ran N tests`` and ``OK`` / ``FAILED`` line are read; then this virtualenv's
pytest collects from the top folder, as the ``python3 -m pytest`` detected with pytest
would run them (``python -m pytest --collect-only -q -p no:cacheprovider``, the same
PYTHONPATH), and its ``N tests collected`` is read.  A
row is flagged ``FEWER`` when unittest runs fewer tests than pytest collects: the
fallback would leave tests out.  More is expected where a ``load_tests`` adds doctests
(more-itertools).  These runs are outside any sandbox: acceptable here only because the
code run is released PyPI sources, not a model's output (the product runs tests in its
bubblewrap sandbox).

Prints a markdown row per project (name, version, the command with pytest and without,
unittest's tests run and its result line, pytest's tests collected, the flag; an error,
such as a failed download, is a row saying why), then a summary line: projects, commands
detected with pytest and without, unittest commands, unittest running fewer tests than
pytest collects (should be 0), none detected (named).

The projects: popular pure-Python (or pure-Python-fallback) libraries whose sdists ship
their tests, at the versions PyPI served on 2026-12-06.  The network is used only to
download them, from PyPI.

Measured 2026-12-06 (Debian bookworm's python3 3.11.2 without pytest; the link to this
virtualenv's Python runs its base, pyenv's 3.11.7, with pytest 9.0.3; the collection is
this virtualenv's pytest 9.2.0), 20 s once downloaded (90 s from nothing): 35 of 36
detected either way, ``python3 -m pytest`` with pytest; without it, unittest for
cachetools (480 run, 480 collected), certifi (``discover -s certifi/tests -t .``, 3 and
3), idna (6431 and 6430: test_idna_properties needs hypothesis, a failed import under
both), more-itertools (929 and 765: doctests its ``load_tests`` adds), simplejson
(``discover -s simplejson/tests -t .``, 283 and 282) and typing-extensions
(``discover -s src``, as its tox.ini runs it: 576 and 573); none fewer.  docutils keeps
pytest: ``tools/test/test_buildhtml.py`` lies outside ``test/`` in folders that are not
packages, and ``discover -s test`` would leave its tests out.  None detected for
decorator (``tests/test.py``, run as a script, which pytest does not collect).

Usage::

    nice -n 10 .venv/bin/python benchmarks/python_detection.py [--work DIR] [--only NAME ...]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import attrs
from acrouter.verifier.detection import detect_test_command, pytest_installed
from real_projects import Project, prepare_work, sh

#: the default work folder (downloads and unpacked projects, reused by later runs)
WORK = Path("/tmp/pydetect")

#: the Python with pytest (this virtualenv's) and the one without (Debian's)
WITH_PYTEST = str(Path(__file__).resolve().parents[1] / ".venv" / "bin" / "python")
WITHOUT_PYTEST = "/usr/bin/python3"

#: seconds a unittest run (or pytest's collection) may take
TIMEOUT = 300.0

#: the file that marks a project unpacked whole (it names the sdist)
READY = ".acrouter-bench-ready"

#: the real projects (see the module's docstring), their exact releases
PROJECTS: tuple[Project, ...] = tuple(
    Project(name, "pypi", version=version)
    for name, version in (
        ("attrs", "26.1.0"),
        ("cachetools", "8.0.3"),
        ("cattrs", "26.2.1"),
        ("certifi", "2026.10.18"),
        ("charset-normalizer", "3.5.3"),
        ("click", "8.5.1"),
        ("decorator", "5.3.2"),
        ("docutils", "0.23.1"),
        ("flask", "3.1.3"),
        ("idna", "3.21"),
        ("iniconfig", "2.3.1"),
        ("itsdangerous", "2.2.0"),
        ("jinja2", "3.1.6"),
        ("jmespath", "1.1.0"),
        ("markupsafe", "3.0.4"),
        ("marshmallow", "4.4.0"),
        ("mock", "5.2.0"),
        ("more-itertools", "11.2.1"),
        ("packaging", "26.4"),
        ("pluggy", "1.7.0"),
        ("pygments", "2.21.0"),
        ("pyparsing", "3.3.3"),
        ("python-dateutil", "4.0.0"),
        ("pytz", "2026.6"),
        ("pyyaml", "6.0.4"),
        ("requests", "2.34.2"),
        ("simplejson", "4.3.0"),
        ("six", "1.17.0"),
        ("tabulate", "0.10.0"),
        ("toml", "0.10.2"),
        ("typing-extensions", "4.16.0"),
        ("urllib3", "2.8.0"),
        ("werkzeug", "3.1.9"),
        ("wrapt", "2.5.2"),
        ("zipp", "4.1.2"),
        ("networkx", "3.6.1"),
    )
)


@attrs.frozen
class Row:
    """What one project gave."""

    name: str
    version: str
    #: the command detected with a python3 that has pytest (None: none detected; "":
    #: not reached, the project could not be fetched)
    with_pytest: str | None = ""
    #: the command detected with a python3 without pytest (the same conventions)
    without_pytest: str | None = ""
    #: the tests unittest ran (None: not run, or no ``Ran`` line) and its result line
    #: (``OK``, ``OK (skipped=2)``, ``FAILED (failures=1)``, ``timeout``, ...)
    ran: int | None = None
    result: str = ""
    #: the tests pytest collected from the same start folder, and its collection errors
    collected: int | None = None
    collect_errors: int = 0
    #: why the row stopped short (a failed download, a crash)
    error: str = ""

    @property
    def unittest(self) -> bool:
        """The command without pytest is unittest's."""
        return bool(self.without_pytest) and " -m unittest" in f" {self.without_pytest}"

    @property
    def fewer(self) -> bool:
        """unittest ran fewer tests than pytest collects: the fallback leaves some out."""
        return self.ran is not None and self.collected is not None and self.ran < self.collected


def first_line(text: str) -> str:
    """The first non-blank line of ``text``, stripped ("" when none)."""
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


_RAN = re.compile(r"^Ran (\d+) tests? in ", re.MULTILINE)
_RESULT = re.compile(r"^(OK\b.*|FAILED\b.*|NO TESTS RAN\b.*)$", re.MULTILINE)


def unittest_result(output: str) -> tuple[int | None, str]:
    """unittest's ``Ran N tests`` (None without one) and its result line after it
    (``OK``, ``OK (skipped=3)``, ``FAILED (failures=1, errors=2)``; "" without one)."""
    ran = list(_RAN.finditer(output))
    if not ran:
        return None, ""
    last = ran[-1]
    result = _RESULT.search(output, last.end())
    return int(last.group(1)), result.group(1).strip() if result else ""


_COLLECTED = re.compile(r"^(?:no tests|(\d+)(?:/\d+)? tests?) collected\b(.*)$", re.MULTILINE)
_ERRORS = re.compile(r"(\d+) errors?\b")


def collected(output: str) -> tuple[int | None, int]:
    """pytest's ``N tests collected`` of ``--collect-only -q`` (``5/9 tests collected``
    with some deselected: 5; ``no tests collected``: 0; None when there is no such line)
    and its collection errors (``..., 2 errors in 0.3s``, or ``2 errors in 0.3s`` alone)."""
    found = list(_COLLECTED.finditer(output))
    if found:
        last = found[-1]
        errors = _ERRORS.search(last.group(2))
        return int(last.group(1) or 0), int(errors.group(1)) if errors else 0
    alone = re.search(r"^=*\s*(\d+) errors? in [\d.]+s", output, re.MULTILINE)
    return (0, int(alone.group(1))) if alone else (None, 0)


@contextmanager
def python3_bin(target: str) -> Iterator[Path]:
    """A temporary bin folder whose ``python3`` is a link to ``target``."""
    with tempfile.TemporaryDirectory(prefix="pydetect-bin-") as tmp:
        (Path(tmp) / "python3").symlink_to(target)
        yield Path(tmp)


@contextmanager
def on_path(folder: Path) -> Iterator[None]:
    """``folder`` first on this process's PATH (where the detection looks for
    ``python3``), the PATH as it was afterwards."""
    old = os.environ.get("PATH")
    os.environ["PATH"] = os.pathsep.join(p for p in (str(folder), old) if p)
    try:
        yield
    finally:
        if old is None:
            del os.environ["PATH"]
        else:
            os.environ["PATH"] = old


def run_env(folder: Path) -> dict[str, str]:
    """The environment of the runs: ``folder`` first on the PATH, ``PYTHONPATH=src:.``,
    no bytecode written into the projects."""
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join(p for p in (str(folder), env.get("PATH")) if p)
    env["PYTHONPATH"] = "src:."
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.pop("VIRTUAL_ENV", None)
    return env


def python_warning(folder: Path, has_pytest: bool) -> str | None:
    """A warning when ``pytest_installed`` on the ``python3`` of ``folder`` does not say
    ``has_pytest`` or the interpreter disagrees (``import pytest``); None when all agree."""
    with on_path(folder):
        read = pytest_installed("python3")
    probe = subprocess.run(
        ["python3", "-c", "import pytest"],
        env=run_env(folder),
        capture_output=True,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    real = probe.returncode == 0
    if read == real == has_pytest:
        return None
    target = os.path.realpath(folder / "python3")
    return (
        f"warning: python3 -> {target}: pytest_installed says {read}, import pytest "
        f"{'works' if real else 'fails'}, expected a Python {'with' if has_pytest else 'without'}"
        " pytest"
    )


def unpacked(project: Project, work: Path, python: str = sys.executable) -> Path:
    """The project's sdist unpacked into ``work/NAME`` (downloaded with ``python``'s pip
    into ``work/downloads/NAME`` first); reused when a run before has done it.
    (``real_projects.fetch`` also makes a virtualenv in the project and installs it there:
    the detection would then take that Python, not the ``python3`` on the PATH.)"""
    root = work / project.label
    if (root / READY).is_file():
        return root
    shutil.rmtree(root, ignore_errors=True)
    dl = work / "downloads" / project.label
    shutil.rmtree(dl, ignore_errors=True)
    dl.mkdir(parents=True)
    pip = [python, "-m", "pip", "download", "-q", "--no-deps", "--no-binary", ":all:"]
    sh([*pip, project.spec, "-d", str(dl)])
    archive = next(p for p in sorted(dl.iterdir()) if p.is_file())
    out = dl / "x"
    if zipfile.is_zipfile(archive):
        with zipfile.ZipFile(archive) as z:
            z.extractall(out)
    else:
        with tarfile.open(archive) as tar:
            tar.extractall(out, filter="data")
    tops = list(out.iterdir())
    if len(tops) != 1 or not tops[0].is_dir():
        raise RuntimeError(f"{archive.name} does not hold one top folder")
    shutil.move(str(tops[0]), root)
    shutil.rmtree(out)
    (root / READY).write_text(archive.name + "\n")
    return root


def _output(res: subprocess.CompletedProcess[str]) -> str:
    return f"{res.stdout}\n{res.stderr}"


def _timed_out(exc: subprocess.TimeoutExpired) -> str:
    out = exc.stdout or b""
    err = exc.stderr or b""
    return (out.decode() if isinstance(out, bytes) else out) + (
        err.decode() if isinstance(err, bytes) else err
    )


def _run(args: str | list[str], root: Path, folder: Path, timeout: float) -> tuple[str, int | None]:
    """Its output and exit code (None when it ran past ``timeout`` seconds: the output so
    far), run in ``root`` with the ``python3`` of ``folder`` first on the PATH (a string
    through the shell)."""
    try:
        res = subprocess.run(
            args,
            shell=isinstance(args, str),
            cwd=root,
            env=run_env(folder),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired as exc:
        return _timed_out(exc), None
    return _output(res), res.returncode


def run_unittest(root: Path, command: str, folder: Path, timeout: float) -> tuple[int | None, str]:
    """The detected unittest ``command`` run in ``root`` with the ``python3`` of
    ``folder``: its tests run and result line (``timeout`` when it ran too long; the last
    line of its output when it gave no result)."""
    output, code = _run(command, root, folder, timeout)
    ran, result = unittest_result(output)
    if code is None:
        return ran, f"timeout ({timeout:.0f} s)"
    if not result:
        tail = [line.strip() for line in output.splitlines() if line.strip()]
        result = f"no result (exit {code}): {tail[-1] if tail else ''}"
    return ran, result


def collect(root: Path, folder: Path, python: str, timeout: float) -> tuple[int | None, int]:
    """The tests ``python``'s pytest collects in ``root`` from the top folder, as the
    ``python3 -m pytest`` detected with pytest runs them, and its collection errors."""
    argv = [python, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider"]
    return collected(_run(argv, root, folder, timeout)[0])


def run_project(
    project: Project,
    work: Path,
    with_bin: Path,
    without_bin: Path,
    collector: str = WITH_PYTEST,
    timeout: float = TIMEOUT,
) -> Row:
    """The row of one project: fetched (or why not), its commands detected with the
    ``python3`` of ``with_bin`` and of ``without_bin``, and a unittest command's run set
    against pytest's collection (``collector``'s pytest)."""
    name, version = project.label, project.version
    try:
        root = unpacked(project, work).resolve()
    except (Exception, SystemExit) as exc:  # noqa: BLE001 - a failed download is a row
        return Row(name, version, error=f"not fetched: {first_line(str(exc))}")
    try:
        with on_path(with_bin):
            with_pytest = detect_test_command(root)
        with on_path(without_bin):
            without_pytest = detect_test_command(root)
        row = Row(name, version, with_pytest, without_pytest)
        if not row.unittest:
            return row
        assert without_pytest is not None
        ran, result = run_unittest(root, without_pytest, without_bin, timeout)
        n, errors = collect(root, without_bin, collector, timeout)
        return attrs.evolve(row, ran=ran, result=result, collected=n, collect_errors=errors)
    except Exception as exc:  # noqa: BLE001 - a crash is a row, the next project still runs
        return Row(name, version, error=f"crashed: {exc!r}")


def _command(command: str | None) -> str:
    if command == "":
        return "(not fetched)"
    return "(none)" if command is None else f"`{command}`"


HEADER = (
    "| project | version | command with pytest | command without pytest | unittest ran "
    "| pytest collected | flag |"
)


def format_row(row: Row) -> str:
    """One line of the table."""
    ran = "-" if row.ran is None and not row.result else f"{_count(row.ran)} {row.result}".strip()
    got = _count(row.collected)
    if row.collect_errors:
        got += f" ({row.collect_errors} error{'s' if row.collect_errors > 1 else ''})"
    flag = "FEWER" if row.fewer else ""
    if row.error:
        flag = f"{flag} {row.error}".strip()
    return (
        f"| {row.name} | {row.version} | {_command(row.with_pytest)} "
        f"| {_command(row.without_pytest)} | {ran} | {got} | {flag} |".replace("\n", " ")
    )


def _count(value: int | None) -> str:
    return "-" if value is None else str(value)


def summary(rows: Sequence[Row]) -> str:
    """The counts of the table's rows."""
    fetched = [r for r in rows if r.with_pytest != "" or r.without_pytest != ""]
    none = [r.name for r in fetched if r.with_pytest is None or r.without_pytest is None]
    fewer = [r.name for r in rows if r.fewer]
    text = (
        f"projects: {len(rows)}; detected with pytest: {sum(bool(r.with_pytest) for r in rows)}; "
        f"detected without pytest: {sum(bool(r.without_pytest) for r in rows)}; "
        f"unittest commands: {sum(r.unittest for r in rows)}; "
        f"unittest fewer than pytest: {len(fewer)}"
        + (f" ({', '.join(fewer)})" if fewer else "")
        + f"; none detected: {len(none)}"
        + (f" ({', '.join(none)})" if none else "")
    )
    if len(fetched) < len(rows):
        text += f"; not fetched or crashed: {len(rows) - len(fetched)}"
    return text


def table(rows: Sequence[Row]) -> str:
    """The table and its summary line."""
    sep = "|" + "---|" * 7
    return "\n".join([HEADER, sep, *map(format_row, rows), "", summary(rows)])


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "--work",
        type=Path,
        default=WORK,
        help="folder for the downloads and unpacked projects, reused by later runs "
        "(default: %(default)s)",
    )
    ap.add_argument("--only", nargs="*", default=None, help="project names to run")
    ap.add_argument(
        "--timeout", type=float, default=TIMEOUT, help="seconds per unittest run (and collection)"
    )
    args = ap.parse_args(argv)
    work = prepare_work(args.work)
    rows = []
    t0 = time.perf_counter()
    with python3_bin(WITH_PYTEST) as with_bin, python3_bin(WITHOUT_PYTEST) as without_bin:
        for folder, has in ((with_bin, True), (without_bin, False)):
            warning = python_warning(folder, has)
            if warning:
                print(warning, flush=True)
        for project in PROJECTS:
            if args.only and project.label not in args.only:
                continue
            row = run_project(project, work, with_bin, without_bin, WITH_PYTEST, args.timeout)
            print(format_row(row), file=sys.stderr, flush=True)
            rows.append(row)
    print(table(rows))
    print(f"wall time: {time.perf_counter() - t0:.0f} s; work folder: {work}")


if __name__ == "__main__":
    main()
