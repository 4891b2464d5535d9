"""Maven end to end: ``mvn test`` is read per test from Surefire's reports, so a test
deleted, ``@Ignore``d or no longer run by the edit is not a pass.  Before, ``mvn test``
was judged by its exit code only (weak): all of these passed.  Needs Maven and JUnit 4
from Debian (CI installs ``maven``, ``junit4``, ``libsurefire-java``,
``libmaven-compiler-plugin-java`` and ``libmaven-resources-plugin-java``); the project
builds offline from Debian's repository (``/usr/share/maven-repo``) through its
``.mvn/maven.config``."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from acrouter.domain import Edit
from acrouter.verifier.reports.surefire import surefire_printed_counts
from acrouter.verifier.results import closing_line

from .helpers import needs_bwrap, task_for, verifier, write_tree
from .java_calc import CALC, DEBIAN_REPO, MAIN, NEG, NOT_RUN, NOT_RUN_IDS, SOURCES

POM = """\
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>t</groupId><artifactId>calc</artifactId><version>1</version>
  <properties>
    <maven.compiler.source>17</maven.compiler.source>
    <maven.compiler.target>17</maven.compiler.target>
    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
  </properties>
  <dependencies>
    <dependency>
      <groupId>junit</groupId><artifactId>junit</artifactId><version>4.x</version>
      <scope>test</scope>
    </dependency>
  </dependencies>
  <build><plugins>
    <plugin><groupId>org.apache.maven.plugins</groupId>
      <artifactId>maven-resources-plugin</artifactId><version>3.3.0</version></plugin>
    <plugin><groupId>org.apache.maven.plugins</groupId>
      <artifactId>maven-compiler-plugin</artifactId><version>3.10.1</version></plugin>
    <plugin><groupId>org.apache.maven.plugins</groupId>
      <artifactId>maven-surefire-plugin</artifactId><version>2.22.3</version></plugin>
  </plugins></build>
</project>
"""


@pytest.fixture
def maven_project(tmp_path: Path) -> Path:
    if shutil.which("mvn") is None:
        pytest.skip("mvn is not installed")
    if not (DEBIAN_REPO / "junit/junit/4.x").is_dir():
        pytest.skip("junit is not installed (Debian's junit4)")
    return write_tree(
        tmp_path / "calc",
        {
            "pom.xml": POM,
            ".mvn/maven.config": f"-o\n-B\n-Dmaven.repo.local={DEBIAN_REPO}\n",
            **SOURCES,
        },
    )


def _verify(root: Path, command: str, files: dict[str, str]):  # type: ignore[no-untyped-def]
    return verifier(timeout_s=240, cache_dir=root.parent / "cache").verify(
        task_for(root, command), Edit(files=files), "m"
    )


@needs_bwrap
def test_a_correct_edit_passes_with_counts_and_a_broken_one_fails(maven_project: Path) -> None:
    v = _verify(maven_project, "mvn test", {MAIN: "// adds\n" + CALC})
    assert v.verdict == "pass" and not v.weak, v.detail
    assert (v.tests_passed_before, v.tests_passed, v.tests_failed) == (3, 3, 0)
    broken = _verify(maven_project, "mvn test", {MAIN: CALC.replace("a + b", "a - b")})
    assert broken.verdict == "fail" and not broken.weak, broken.detail
    assert "calc.CalcTest::adds" in broken.detail, broken.detail


@needs_bwrap
@pytest.mark.parametrize(("files", "why"), NOT_RUN, ids=NOT_RUN_IDS)
def test_a_test_that_no_longer_runs_is_not_a_pass(
    maven_project: Path, files: dict[str, str], why: str
) -> None:
    v = _verify(maven_project, "mvn test", files)
    assert v.verdict == "fail" and not v.weak and why in v.detail, v.detail


@needs_bwrap
def test_a_stale_report_in_the_users_target_does_not_count(maven_project: Path) -> None:
    """A report left in ``target/`` by an earlier build (of a test class the edit
    deletes) is not the run's: its test no longer ran."""
    reports = maven_project / "target/surefire-reports"
    reports.mkdir(parents=True)
    (reports / "TEST-calc.NegTest.xml").write_text(
        '<?xml version="1.0"?><testsuite name="calc.NegTest" tests="1">'
        '<testcase name="addsNegatives" classname="calc.NegTest"/></testsuite>\n'
    )
    v = _verify(maven_project, "mvn -q test", {NEG: "package calc;\n"})
    assert v.verdict == "fail" and not v.weak and "no longer ran" in v.detail, v.detail


#: what ``mvn test`` prints at its end, two modules (the per-class lines go on with the
#: time and the class)
PRINTED = """\
[INFO] Running calc.CalcTest
[ERROR] Tests run: 3, Failures: 1, Errors: 0, Skipped: 1, Time elapsed: 0.1 s <<< FAILURE! - in calc.CalcTest
[INFO] Results:
[ERROR] Tests run: 3, Failures: 1, Errors: 0, Skipped: 1
[INFO] Tests run: 4, Failures: 0, Errors: 1, Skipped: 0
[INFO] ------------------------------------------------------------------------
[INFO] BUILD FAILURE
"""


def test_surefire_counts_witness_its_reports_and_close_a_weak_run() -> None:
    """Surefire's count under ``Results:`` is Maven's closing line (a weak command that
    runs ``mvn test`` and prints it no longer is an early exit) and the second witness
    of the reports, summed over the modules; ``mvn -q`` prints none."""
    assert surefire_printed_counts(PRINTED) == (1 + 3, 1 + 1)
    assert surefire_printed_counts("[INFO] BUILD SUCCESS\n") is None
    assert closing_line(PRINTED) == "[INFO] Tests run: 4, Failures: 0, Errors: 1, Skipped: 0"
