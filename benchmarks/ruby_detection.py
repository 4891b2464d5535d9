"""Ruby test-command detection on real Ruby projects we did not write.

For each project of :data:`PROJECTS`, unpacked into the work folder by
``real_projects.fetch`` (once; later runs reuse it): the command ``detect_test_command``
finds for it (``verifier.detection.ruby_tests``: RSpec where ``.rspec`` is, else ``rake
test`` where the Rakefile defines a ``test`` task, else RSpec where ``spec/`` holds
``*_spec.rb``), then the product's own path with it: ``ProjectVerifier.verify`` on a
harmless edit (a comment line put at the top of one ``lib/*.rb`` file) of a task that
has no test command, so that the verifier detects the command itself, runs the tests
without the edit (the baseline) and with it, in its sandbox, as the editor does.  The
task is a refactoring (a comment fixes nothing: a test failing before it too is not
held against it).  A fresh verifier per project, its baselines kept in memory only:
every baseline is run.

Prints a row per project: its name, version, the detected command, the verdict (and
whether it is counted), whether the tests were read per test or by the command's exit
code alone (weak), the tests passed/failed before the edit and with it, the seconds
``verify`` took and the first line of the verdict's detail (a set-up error such as a
missing gem is an honest outcome: printed as it is; the whole detail goes to stderr);
then a summary line.  A project that cannot be fetched is a row saying why.

The projects: pure-Ruby libraries of Debian bookworm (its versions as its index had them
on 2026-12-06), from their source packages' upstream tarballs (``.orig.tar.*`` in the
mirror's pool; the binary packages ship no tests): hashie 5.0.0 (``.rspec``), dotenv
2.4.0 and awesome_print 1.9.2 (``spec/``; Rakefiles with RSpec's ``spec`` task), builder
3.2.4 (minitest; its test task in ``rakelib/testing.rake``) and ansi 1.5.0
(``test/case_*.rb``, written for rubytest and lemon); and minitest 5.15.0 as bookworm's
``libruby3.1`` bundles it, tests included (``apt-get download``; a Hoe Rakefile).  Four
more are RSpec and minitest libraries of bookworm (rainbow 3.1.1, public_suffix 4.0.6,
rack-test 2.0.2, i18n 1.10.0) whose upstream tarballs the Debian mirror reached from here
does not serve (404): their rows say so, and they run wherever a mirror has them.  The
network is used only to fetch, from Debian's mirror.  What the projects' tests load is
theirs to install: hashie's spec helper loads simplecov (under ``CI``, which the
verifier's runs set), pry and rspec-pending_for (Debian's ``ruby-simplecov``, ``pry``,
``ruby-rspec-pending-for``), awesome_print's nokogiri (``ruby-nokogiri``); without them
their rows are set-up errors naming the gem.  dotenv's specs include dotenv-rails's
(rails), minitest's Rakefile needs Hoe (``ruby-hoe``).

Measured 2026-12-06 (Debian bookworm, ruby 3.1.2, with the four packages above):
hashie ``rspec`` 698 passed per test, awesome_print ``rspec`` 173, builder ``rake
test`` (from ``rakelib/testing.rake``) 112 passed and 1 failing before the edit too;
dotenv and minitest set-up errors naming rails and hoe; ansi none detected.

Usage::

    nice -n 10 .venv/bin/python benchmarks/ruby_detection.py [--work DIR] [--only NAME ...]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import attrs
from acrouter.domain import Edit, Task
from acrouter.verifier import ProjectVerifier
from acrouter.verifier.detection import detect_test_command
from real_projects import Project, fetch, prepare_work

#: the default work folder (downloads and unpacked projects, reused by later runs)
WORK = Path("/tmp/rbdetect")

#: the comment the harmless edit puts at the top of a lib/*.rb file
COMMENT = "# acrouter ruby_detection: a harmless comment"

#: the real Ruby projects (see the module's docstring)
PROJECTS: tuple[Project, ...] = (
    Project("ruby-hashie", "debian-source", version="5.0.0"),
    Project("ruby-dotenv", "debian-source", version="2.4.0"),
    Project("ruby-awesome-print", "debian-source", version="1.9.2"),
    Project("ruby-builder", "debian-source", version="3.2.4"),
    Project("ruby-ansi", "debian-source", version="1.5.0"),
    Project(
        "libruby3.1",
        "debian",
        folder="minitest",
        debian_path="usr/lib/ruby/gems/3.1.0/gems/minitest-5.15.0",
    ),
    # not served by the Debian mirror reached here (their rows say so)
    Project("ruby-rainbow", "debian-source", version="3.1.1"),
    Project("ruby-public-suffix", "debian-source", version="4.0.6+ds", orig="xz"),
    Project("ruby-rack-test", "debian-source", version="2.0.2"),
    Project("ruby-i18n", "debian-source", version="1.10.0"),
)


@attrs.frozen
class Row:
    """What one project gave."""

    name: str
    version: str
    #: the detected command (None: none detected; "": not reached, the fetch failed)
    command: str | None = ""
    verdict: str = ""  # pass | fail | error, or "fetch failed"
    #: the verdict is evidence about the edit (False: the set-up's fault, or failures
    #: that were there before it)
    counted: bool = True
    weak: bool = False
    passed_before: int | None = None
    failed_before: int | None = None
    passed: int | None = None
    failed: int | None = None
    seconds: float = 0.0
    detail: str = ""  # the first line of the verdict's detail (or why the fetch failed)

    @property
    def per_test(self) -> bool:
        """The tests were read one by one (not by the exit code alone)."""
        return self.verdict in ("pass", "fail") and not self.weak and self.passed_before is not None


def version_of(project: Project) -> str:
    """The release a project row names: Debian's upstream version, or a bundled gem's
    (the last part of its folder's name, ``minitest-5.15.0``)."""
    if project.version:
        return project.version
    return Path(project.debian_path).name.rpartition("-")[2] or "?"


def edit_target(root: Path) -> str | None:
    """The ``lib`` file the harmless edit changes: the ``lib/*.rb`` of the shortest name
    (the library's entry file, usually: ``dotenv.rb``, not ``dotenv-rails.rb``), else the
    first ``.rb`` file under ``lib``; None without one."""
    lib = root / "lib"
    found = sorted(lib.glob("*.rb"), key=lambda p: (len(p.name), p.name))
    found = found or sorted(lib.rglob("*.rb"))
    return found[0].relative_to(root).as_posix() if found else None


def commented(text: str) -> str:
    """``text`` with :data:`COMMENT` as its first line; after a ``#!`` line or a magic
    ``coding:`` comment on the first line, which Ruby reads only there."""
    first, sep, rest = text.partition("\n")
    if first.startswith("#!") or ("coding" in first and first.lstrip().startswith("#")):
        return f"{first}{sep or chr(10)}{COMMENT}\n{rest}"
    return f"{COMMENT}\n{text}"


def first_line(text: str) -> str:
    """The first non-blank line of ``text``, stripped ("" when none)."""
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


def _count(value: int | None) -> str:
    return "-" if value is None else str(value)


HEADER = (
    "| project | version | detected command | verdict | read | passed/failed before "
    "| with the edit | s | detail |"
)


def format_row(row: Row) -> str:
    """One line of the table."""
    if row.command == "":
        command = "(not fetched)"
    elif row.command is None:
        command = "(none)"
    else:
        command = f"`{row.command}`"
    verdict = row.verdict
    if verdict in ("pass", "fail"):
        read = "weak (exit code)" if row.weak else "per test"
        verdict += "" if row.counted else " (not counted)"
    else:
        read = "-"
    before = f"{_count(row.passed_before)}/{_count(row.failed_before)}"
    after = f"{_count(row.passed)}/{_count(row.failed)}"
    detail = row.detail.replace("|", "\\|")
    return (
        f"| {row.name} | {row.version} | {command} | {verdict} | {read} | {before} "
        f"| {after} | {row.seconds:.1f} | {detail} |"
    )


def summary(rows: Sequence[Row]) -> str:
    """How many projects were fetched, had a command detected, ran per test."""
    fetched = [r for r in rows if r.command != ""]
    detected = [r for r in fetched if r.command]
    per_test = [r for r in detected if r.per_test]
    weak = [r for r in detected if r.weak and r.verdict in ("pass", "fail")]
    some_passed = [r for r in per_test if (r.passed_before or 0) > 0]
    return (
        f"projects: {len(rows)}; fetched: {len(fetched)}; command detected: "
        f"{len(detected)} of {len(fetched)}; ran per test: {len(per_test)} "
        f"({len(some_passed)} with a test passing before the edit); weak (exit code): "
        f"{len(weak)}; verdict pass: {sum(r.verdict == 'pass' for r in detected)}"
    )


def table(rows: Sequence[Row]) -> str:
    """The table and its summary line."""
    sep = "|" + "---|" * 9
    return "\n".join([HEADER, sep, *map(format_row, rows), "", summary(rows)])


def run_project(project: Project, work: Path, timeout: float, bwrap: str) -> Row:
    """The row of one project: fetched (or why not), its detected command, and the
    verdict on the harmless edit with the command left to the verifier to detect."""
    version = version_of(project)
    try:
        root = fetch(project, work).resolve()
    except (Exception, SystemExit) as exc:  # noqa: BLE001 - real_projects.sh exits; a row says why
        url = getattr(exc, "url", "")  # an HTTP error's: the tarball asked for
        why = first_line(str(exc)) + (f" ({url})" if url else "")
        return Row(project.label, version, "", "fetch failed", detail=why)
    command = detect_test_command(root)
    rel = edit_target(root)
    if rel is None:
        return Row(project.label, version, command, "error", detail="no lib/*.rb file to edit")
    edit = Edit(files={rel: commented((root / rel).read_text(encoding="utf-8"))})
    # a comment asks to fix nothing: tests failing before it are not its to fix
    task = Task(task_id="ruby-detection", kind="code_refactoring", workspace=str(root))
    verifier = ProjectVerifier(test_command=None, timeout_s=timeout, bwrap=bwrap)
    t0 = time.perf_counter()
    try:
        v = verifier.verify(task, edit, "ruby-detection")
    except Exception as exc:  # noqa: BLE001 - a crash is a row, the next project still runs
        took = time.perf_counter() - t0
        return Row(project.label, version, command, "crashed", seconds=took, detail=repr(exc))
    took = time.perf_counter() - t0
    print(f"{project.label}: {v.verdict}: {v.detail}", file=sys.stderr)  # the whole detail
    return Row(
        project.label,
        version,
        command,
        v.verdict,
        v.counted,
        v.weak,
        v.tests_passed_before,
        v.tests_failed_before,
        v.tests_passed,
        v.tests_failed,
        took,
        f"{rel}: {first_line(v.detail)}",
    )


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
    ap.add_argument("--timeout", type=float, default=600, help="seconds per test run")
    ap.add_argument("--bwrap", default="bwrap", help="the verifier's bubblewrap")
    args = ap.parse_args(argv)
    work = prepare_work(args.work)
    rows = []
    t0 = time.perf_counter()
    for project in PROJECTS:
        if args.only and project.label not in args.only:
            continue
        row = run_project(project, work, args.timeout, args.bwrap)
        print(format_row(row), file=sys.stderr, flush=True)
        rows.append(row)
    print(table(rows))
    print(f"wall time: {time.perf_counter() - t0:.0f} s; work folder: {work}")


if __name__ == "__main__":
    main()
