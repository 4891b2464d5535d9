"""What measuring which Java lines ran costs a real suite, and what it finds there.

The run with an edit of a Java file loads :mod:`acrouter.verifier.lines_javacov`'s JVMTI
agent into every JVM of the tests (``JAVA_TOOL_OPTIONS=-agentpath:...``): Maven's own,
where javac compiles in process, and the JVM Surefire forks for the tests.  The agent
sets a breakpoint on each line of the edited file's classes as a JVM prepares them and
clears it when it fires.  This runs a real project's own JUnit suite, Apache Commons Codec
1.15 (Debian's source package libcommons-codec-java: its upstream tarball
``libcommons-codec-java_1.15.orig.tar.xz`` from the pool of apt's mirror, fetched into
``--work`` once by ``real_projects.fetch``), plain and with the measurement of
``src/main/java/org/apache/commons/codec/binary/Base64.java`` (unchanged: old == new),
in turn, ``--repeat`` times each, directly (no sandbox), and prints the median wall time
of each, their ratio, the JVMs of each measured run (ended, prepared a class of the file,
started it and never ended), the tests Surefire reported, and how many of Base64.java's
statement lines the suite ran (what a pass would name as unrun if an edit changed all of
them), with those it did not run.

The sources (72 files) and tests (71 files: 1156 JUnit 4 tests) are the project's; the
build file is ours: its own pom.xml inherits commons-parent 52, whose build binds plugins
that no repository on this machine holds (maven-remote-resources-plugin first), so
``real_projects.CODEC_POM`` (the project is one of :data:`real_projects.PROJECTS`)
replaces it with the same coordinates, test dependencies (JUnit 4,
commons-lang3) and Surefire excludes (``*AbstractTest``, ``*PerformanceTest``), built
with ``--release 8`` against Debian's Maven repository (``/usr/share/maven-repo``: the
packages junit4, libhamcrest-java, libcommons-lang3-java, libsurefire-java with its JUnit
4 provider, libmaven-compiler-plugin-java, libmaven-resources-plugin-java) as the
``central`` ``file://`` repository: the set-up's first ``mvn test`` copies what it needs
into ``.m2/repository`` in the project, and every timed run is offline (``-o``, as the
verifier adds it).  Surefire's fork gets ``-Xmx2g``: five tests (Base64Test.testCodec265,
two of BaseNCodecTest's, one each of MurmurHash3Test and XXHash32OverflowTest) allocate
arrays of a GiB or more when their own ``Assume`` finds enough free memory, which the
JVM's default heap here (a quarter of 24 GiB) passes while testCodec265 may still fail
with OutOfMemoryError; with 2 GiB they skip themselves (6 skipped: those and an
``@Ignore``).  Each run starts with no ``target/`` (``rm -rf target``, a fresh
checkout's build: Maven compiles the sources and the tests, then runs them);
``--keep-target`` keeps the set-up's, so Maven compiles nothing and the times are the
tests'.  The command is run as the verifier plans it
(:func:`~acrouter.verifier.runners.plan_command`: ``-B``,
``-Dmaven.test.failure.ignore=true``, ``-o``, Surefire's reports copied out, read here
for the tests' counts).  Needs Debian's ``maven`` and ``default-jdk`` (javac, the JDK's
headers), a C compiler and the packages above.  The network is used only to fetch the
project, from Debian's mirror.

    .venv/bin/python benchmarks/lines_cost_java.py [--work DIR] [--repeat 5] [--keep-target]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from pathlib import Path

import attrs

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "server"))

from acrouter.verifier.lines_javacov import PREFIX, code_lines, cover_env, read_javacov
from acrouter.verifier.runners import plan_command
from real_projects import CODEC_MVN as MVN
from real_projects import DEBIAN_MAVEN_REPO as DEBIAN_REPO
from real_projects import PROJECTS, Project, default_work, fetch, prepare_work, timed

#: Apache Commons Codec 1.15 from Debian's source package (``real_projects``' set-up:
#: the tarball unpacks to commons-codec-rel-commons-codec-1.15/), under Maven and
#: Surefire's JUnit 4 provider; each run from no ``target/`` (a fresh checkout's build)
PROJECT = attrs.evolve(
    next(p for p in PROJECTS if p.name == "libcommons-codec-java"),
    command=f"rm -rf target && {MVN} test",
)

_COLOUR = re.compile(r"\x1b\[[0-9;]*m")


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "--work",
        type=Path,
        default=default_work("lines-cost-java"),
        help="folder for the download and set-up, reused by later runs "
        "(default: %(default)s, yours alone)",
    )
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument(
        "--keep-target",
        action="store_true",
        help="keep target/ between runs: Maven compiles nothing, the times are the tests'",
    )
    args = ap.parse_args()
    for tool, package in (("mvn", "maven"), ("javac", "default-jdk")):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} is not installed (Debian: apt-get install {package})")
    if not Path(DEBIAN_REPO, "org/apache/maven/surefire/surefire-junit4").is_dir():
        sys.exit(f"no Surefire JUnit 4 provider in {DEBIAN_REPO} (Debian: libsurefire-java)")
    work = prepare_work(args.work)
    print(f"{_versions()}; median of {args.repeat} runs each, no sandbox")
    project = attrs.evolve(PROJECT, command=f"{MVN} test") if args.keep_target else PROJECT
    load = os.getloadavg()[0]
    measure(project, work, args.repeat)
    print(f"load average (1 min) before: {load:.2f}, after: {os.getloadavg()[0]:.2f}")


def _versions() -> str:
    """The JDK's and Maven's versions, as they print them."""
    java = subprocess.run(["java", "-version"], capture_output=True, text=True, check=True)
    mvn = subprocess.run(["mvn", "-v"], capture_output=True, text=True, check=True)
    first = (java.stderr or java.stdout).splitlines()[0]
    return f"{first}; {_COLOUR.sub('', mvn.stdout.splitlines()[0])}"


def measure(project: Project, work: Path, repeat: int) -> None:
    """Run ``project``'s suite as the verifier plans it, plain and with the agent,
    ``repeat`` times each in turn; print the medians, their ratio, the JVMs, the tests'
    counts and the statement lines of its edited file the suite ran."""
    root = fetch(project, work)
    rel = project.edit_file
    text = (root / rel).read_text(encoding="utf-8")
    files = {rel: (text, text)}
    with tempfile.TemporaryDirectory(prefix="lines-cost-java-") as out:
        plan = plan_command(project.command, out, root)
        command = shlex.join(plan.argv)
        base = {**os.environ, **plan.env}
        measured = cover_env(out, files, base)
        if measured is None:
            sys.exit("the agent could not be built or loaded (a C compiler, the JDK's headers)")
        kinds = {"plain": base, "measured": {**base, **measured}}
        times: dict[str, list[float]] = {k: [] for k in kinds}
        tests: dict[str, set[tuple[int, int, int, int]]] = {k: set() for k in kinds}
        jvms: list[tuple[int, int, int]] = []
        for _ in range(repeat):
            for kind, env in kinds.items():
                _fresh_reports(Path(out), plan.files)
                before = _jvm_files(Path(out))
                times[kind].append(timed(root, command, env))
                tests[kind].add(_surefire_counts(Path(out) / "surefire"))
                if kind == "measured":
                    jvms.append(_new_jvms(Path(out), before))
        found = read_javacov(out, files)
        table = _line_table(Path(out), rel)
        every = _all_ran(Path(out), files)
    medians = {k: statistics.median(v) for k, v in times.items()}
    print(f"{project.label} {project.version}: {project.command}")
    print(f"  run as: {plan.argv[-1] if plan.argv[:2] == ('/bin/sh', '-c') else command}")
    print(f"{'':9} {'median s':>9} {'ratio':>6}  runs")
    for kind, took in medians.items():
        each = ", ".join(f"{t:.2f}" for t in times[kind])
        print(f"{kind:9} {took:9.2f} {took / medians['plain']:5.2f}x  {each}")
    for kind, counts in tests.items():
        said = "; ".join(
            f"{n} tests, {f} failures, {e} errors, {s} skipped" for n, f, e, s in sorted(counts)
        )
        print(f"{kind} runs' Surefire reports: {said}")
    print(
        "JVMs of each measured run (ended / prepared a class of the file / did not end): "
        + ", ".join(f"{e}/{p}/{c}" for e, p, c in jvms)
        + ("" if not any(c for _, _, c in jvms) else "  <- a JVM did not end normally")
    )
    if found is None or rel in found.unmeasured:
        print(f"{rel}: not measured")
        return
    print(
        f"{rel}: the suite ran {len(found.lines.get(rel, ()))} of its {len(every)} statement lines "
        f"({len(table)} lines in its classes' line tables, {len(code_lines(text))} lines of "
        f"code; cut: {found.cut}, unknown: {sorted(found.unknown)})"
    )
    unrun = sorted(every - found.lines.get(rel, frozenset()))
    lines = text.split("\n")
    for n in unrun[:20]:
        print(f"  not run: {n}: {lines[n - 1].strip()}")


def _fresh_reports(out: Path, files: Mapping[str, str]) -> None:
    """The run's report folder emptied and the files its plan writes before it
    (``surefire.start``, which the copy of the reports compares against) written anew."""
    shutil.rmtree(out / "surefire", ignore_errors=True)
    for path, content in files.items():
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_text(content, encoding="utf-8")


def _jvm_files(out: Path) -> set[str]:
    """The agent's files in ``out`` so far: each JVM's ``.json`` as it ended, its ``.start``
    as it prepared the first class of the measured file."""
    return {p.name for p in out.glob(f"{PREFIX}*") if p.suffix in (".json", ".start")}


def _new_jvms(out: Path, before: set[str]) -> tuple[int, int, int]:
    """Of the JVMs of the run that just ended (their files not in ``before``): how many
    ended (a ``.json``), how many prepared a class of the measured file (a ``.start``), and
    how many of those wrote no ``.json`` (killed or halted: the run is then cut)."""
    new = _jvm_files(out) - before
    ended = {n.rsplit(".", 1)[0] for n in new if n.endswith(".json")}
    prepared = {n.rsplit(".", 1)[0] for n in new if n.endswith(".start")}
    return len(ended), len(prepared), len(prepared - ended)


def _surefire_counts(folder: Path) -> tuple[int, int, int, int]:
    """Tests, failures, errors and skipped tests in the Surefire reports of a run."""
    total = [0, 0, 0, 0]
    for path in folder.glob("*.xml"):
        suite = ET.parse(path).getroot()
        for i, key in enumerate(("tests", "failures", "errors", "skipped")):
            total[i] += int(suite.get(key, "0"))
    return total[0], total[1], total[2], total[3]


def _all_ran(out: Path, files: Mapping[str, tuple[str, str]]) -> frozenset[int]:
    """The statement lines of the measured file, as :func:`read_javacov` counts them: what
    it reads from the run's JVMs' files copied with every statement marked as run."""
    (rel,) = files
    with tempfile.TemporaryDirectory(prefix="lines-cost-java-all-") as every:
        for path in out.glob(f"{PREFIX}*.json"):
            data = json.loads(path.read_text(encoding="utf-8"))
            for seen in data.get("files", {}).values():
                seen["ran"] = seen.get("statements", [])
            Path(every, path.name).write_text(json.dumps(data), encoding="utf-8")
        found = read_javacov(every, files)
    return found.lines.get(rel, frozenset()) if found is not None else frozenset()


def _line_table(out: Path, rel: str) -> set[int]:
    """The lines of ``rel`` the JVMs' line tables named (its ``statements`` in the
    agent's files, before :func:`code_lines` leaves out those with no code of their own)."""
    lines: set[int] = set()
    for path in out.glob(f"{PREFIX}*.json"):
        held = json.loads(path.read_text(encoding="utf-8")).get("files", {})
        lines.update(held.get(rel, {}).get("statements", []))
    return lines


if __name__ == "__main__":
    main()
