"""Maven end to end: ``mvn test`` is read per test from Surefire's reports, so a test
deleted, ``@Ignore``d or no longer run by the edit is not a pass.  Before, ``mvn test``
was judged by its exit code only (weak): all of these passed.  Needs Maven and JUnit 4
from Debian (CI installs ``maven``, ``junit4``, ``libsurefire-java``,
``libmaven-compiler-plugin-java`` and ``libmaven-resources-plugin-java``); the project
builds offline from Debian's repository (``/usr/share/maven-repo``) through its
``.mvn/maven.config``."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest
from acrouter.domain import Edit
from acrouter.verifier import environment, runners
from acrouter.verifier.environment import settings_without_credentials
from acrouter.verifier.offline import network_line
from acrouter.verifier.reports import FAILED, PASSED
from acrouter.verifier.reports.surefire import parse_surefire, surefire_printed_counts
from acrouter.verifier.results import closing_line, last_line
from acrouter.verifier.runners import plan_command

from .helpers import needs_bwrap, task_for, verifier, write_tree
from .java_calc import (
    CALC,
    DEBIAN_REPO,
    MAIN,
    MORE,
    MORE_TEST,
    NEG,
    NOT_RUN,
    NOT_RUN_IDS,
    SOURCES,
    TAMPER_TEST,
)

#: the dependency of ``sparse_repo``'s project that the repository holds without its POM
EXTRA = (
    "<dependency><groupId>t</groupId><artifactId>extra</artifactId><version>1</version>"
    "<scope>test</scope></dependency>"
)

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


def _maven_or_skip() -> None:
    """Skip without Maven or Debian's JUnit 4 (a developer's machine; ``.ci/run``
    installs both and fails when these tests skip)."""
    if shutil.which("mvn") is None:
        pytest.skip("mvn is not installed")
    if not (DEBIAN_REPO / "junit/junit/4.x").is_dir():
        pytest.skip("junit is not installed (Debian's junit4)")


def _linked_repo(repo: Path) -> Path:
    """``repo``, a local repository holding Debian's, linked group by group (so that
    what a run adds there is not in Debian's)."""
    repo.mkdir(parents=True)
    for group in DEBIAN_REPO.iterdir():
        (repo / group.name).symlink_to(group)
    return repo


@pytest.fixture
def maven_project(tmp_path: Path) -> Path:
    _maven_or_skip()
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


@needs_bwrap
def test_a_new_test_class_in_a_project_built_before_is_verified(maven_project: Path) -> None:
    """With ``target/`` from an earlier ``mvn test``, the compiler plugin, seeing a
    source added, compiles every test class again; the run without the edit compiled
    nothing.  That was "not verified" (the tests' run rewrote target/test-classes/…);
    the run without the edit with the new file empty compiles them again too."""
    subprocess.run(["mvn", "-q", "test"], cwd=maven_project, check=True, capture_output=True)
    v = _verify(maven_project, "mvn test", {MORE: MORE_TEST})
    assert v.verdict == "pass" and v.counted and not v.weak, v.detail
    assert "with its changes to src/test/java/calc/MoreTest.java: 4 passed" in v.detail, v.detail
    # what the new class's code writes as the tests run is still the edit's
    tamper = _verify(maven_project, "mvn test", {MORE: TAMPER_TEST})
    assert tamper.verdict == "fail" and not tamper.counted, tamper.detail
    assert "rewrote src/test/java/calc/CalcTest.java" in tamper.detail, tamper.detail


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


def test_a_count_with_flakes_is_still_a_count() -> None:
    """With ``-Dsurefire.rerunFailingTestsCount=2``, a test that failed and then passed
    when run again is run and passed, and the count says ``Flakes: 1``.  Before, that
    count was not read: a run in which a test flaked "printed no count of its tests",
    failed as a report the tests' process may have written."""
    flaked = (
        "[WARNING] Flakes: \n[WARNING] calc.FlakyTest.sometimes\n"
        "[ERROR]   Run 1: FlakyTest.sometimes:6 first call fails\n"
        "[WARNING] Tests run: 4, Failures: 0, Errors: 0, Skipped: 0, Flakes: 1\n"
        "[INFO] BUILD SUCCESS\n"
    )
    assert surefire_printed_counts(flaked) == (4, 0)
    assert closing_line(flaked).endswith("Skipped: 0, Flakes: 1")


@pytest.fixture
def sparse_repo(tmp_path: Path) -> Path:
    """A local repository like a user's ``~/.m2``: Debian's (linked, group by group) plus
    a jar whose POM was never downloaded (``t:extra:1``), which Maven offline only warns
    about."""
    _maven_or_skip()
    repo = _linked_repo(tmp_path / "m2")
    jar = repo / "t/extra/1/extra-1.jar"
    jar.parent.mkdir(parents=True)
    with zipfile.ZipFile(jar, "w") as z:
        z.writestr("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\n")
    return repo


@needs_bwrap
def test_maven_runs_offline_in_the_sandbox(sparse_repo: Path) -> None:
    """``mvn test`` gets ``-o`` in the sandbox: else Maven tries the network for the
    missing POM, cannot even write its lock file in the read-only repository, and every
    Maven project whose ~/.m2 lacks a POM was "the tests cannot run even without the
    edit" (a user's real ~/.m2 lacked one of surefire 3.2.5's).  What it lacks outright
    is the network, said so."""
    root = write_tree(
        sparse_repo.parent / "calc",
        {
            "pom.xml": POM.replace("<dependencies>", f"<dependencies>\n    {EXTRA}"),
            ".mvn/maven.config": f"-Dmaven.repo.local={sparse_repo}\n",
            **SOURCES,
        },
    )
    v = _verify(root, "mvn test", {MAIN: "// adds\n" + CALC})
    assert v.verdict == "pass" and not v.weak, v.detail
    assert (v.tests_passed_before, v.tests_passed) == (3, 3), v.detail
    (root / "pom.xml").write_text(
        POM.replace("<dependencies>", f"<dependencies>\n    {EXTRA.replace('extra', 'absent')}")
    )
    v = _verify(root, "mvn test", {MAIN: "// adds\n" + CALC})
    assert v.verdict == "error" and not v.counted, v.detail
    assert "needed the network" in v.detail and "t:absent:jar:1 has not been downloaded" in v.detail


def test_maven_is_told_batch_mode_to_go_on_past_failures_and_offline_in_the_sandbox() -> None:
    line = plan_command("mvn test", "/out").argv[-1]
    assert line.startswith("{ mvn test -B -Dmaven.test.failure.ignore=true -o;"), line
    online = plan_command("mvn test", "/out", offline=False).argv[-1]
    assert online.startswith("{ mvn test -B -Dmaven.test.failure.ignore=true;"), online
    kept = plan_command(
        "./mvnw --batch-mode --offline -Dmaven.test.failure.ignore=false test -pl core", "/out"
    ).argv[-1]
    assert kept.startswith(
        "{ ./mvnw --batch-mode --offline -Dmaven.test.failure.ignore=false test -pl core;"
    ), kept


#: the end of ``mvn test`` when a plugin could not be resolved, coloured
MAVEN_FAILURE = (
    "[INFO] BUILD FAILURE\n"
    "[\x1b[1;31mERROR\x1b[m] Failed to execute goal org.apache.maven.plugins:maven-surefire-"
    "plugin:3.2.5:test (default-test) on project calc: Execution default-test failed -> "
    "[Help 1]\n[ERROR] \n"
    "[ERROR] To see the full stack trace of the errors, re-run Maven with the -e switch.\n"
    "[ERROR] Re-run Maven using the -X switch to enable full debug logging.\n[ERROR] \n"
    "[ERROR] For more information about the errors and possible solutions, please read the "
    "following articles:\n"
    "[ERROR] [Help 1] http://cwiki.apache.org/confluence/display/MAVEN/PluginResolutionException\n"
    "\x1b[0m\x1b[0m\n"
)


def test_the_message_quotes_mavens_error_not_its_advice_or_colours() -> None:
    """Before, "the tests cannot run even without the edit (exit code 1): " ended with
    the escape codes Maven prints last."""
    assert last_line(MAVEN_FAILURE) == (
        "[ERROR] Failed to execute goal org.apache.maven.plugins:maven-surefire-plugin:3.2.5:"
        "test (default-test) on project calc: Execution default-test failed -> [Help 1]"
    )


def test_an_artifact_missing_offline_is_the_network_and_the_quote_names_it() -> None:
    artifact = "org.example:gone:jar:1.2.3"
    line = (
        "[ERROR] Failed to execute goal on project calc: Could not resolve dependencies for "
        "project t:calc:jar:1.0-SNAPSHOT: The following artifacts could not be resolved: "
        + ", ".join(f"org.example:dep{i}:jar:1.0" for i in range(12))
        + ": Cannot access central (https://repo.maven.apache.org/maven2) in offline mode "
        f"and the artifact {artifact} has not been downloaded from it before. -> [Help 1]"
    )
    quoted = network_line(f"[INFO] Scanning for projects...\n{line}\n")
    assert quoted is not None and len(quoted) <= 301 and artifact in quoted, quoted
    gradle = "   > No cached version of junit:junit:4.13.2 available for offline mode."
    assert network_line(gradle) == gradle.strip()


#: a user's ~/.m2/settings.xml: a deploy server's password, a proxy's, a profile the
#: build reads, and Maven's template's examples in comments
SETTINGS = """\
<?xml version="1.0" encoding="UTF-8"?>
<settings xmlns="http://maven.apache.org/SETTINGS/1.2.0">
  <localRepository>/srv/m2</localRepository>
  <!-- <servers> <server><id>example</id></server> </servers> -->
  <servers>
    <server><id>corp</id><username>deployer</username><password>hunter2</password></server>
  </servers>
  <proxies><proxy><id>p</id><host>proxy.corp</host><password>proxy-hunter2</password></proxy></proxies>
  <mirrors><mirror><id>corp-mirror</id><mirrorOf>*</mirrorOf><url>https://m.corp</url></mirror></mirrors>
  <profiles><profile><id>p1</id><properties><calc.greeting>hi</calc.greeting></properties></profile></profiles>
</settings>
"""


def test_mavens_settings_lose_their_credentials_and_keep_the_rest() -> None:
    kept = settings_without_credentials(SETTINGS)
    assert "hunter2" not in kept and "<servers" not in kept and "<proxies" not in kept
    for part in ("<localRepository>/srv/m2<", "<id>corp-mirror</id>", "calc.greeting"):
        assert part in kept, kept
    ET.fromstring(kept.split("?>", 1)[1])  # still XML
    assert (
        settings_without_credentials("<settings><servers/></settings>") == "<settings></settings>"
    )


@needs_bwrap
def test_the_sandbox_shows_maven_its_settings_without_credentials(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Maven reads ``settings.xml`` in the home Java takes from the password database;
    in the sandbox that file is now a copy without ``<servers>`` and ``<proxies>``.
    Before, the code under test could read the passwords (and print them into a
    failure message the next model is shown); hidden outright, as an empty file, it
    would stop Maven ("Non-readable settings")."""
    home = tmp_path / "javahome"
    (home / ".m2").mkdir(parents=True)
    settings = home / ".m2/settings.xml"
    settings.write_text(SETTINGS)
    monkeypatch.setattr(environment, "java_user_home", lambda: str(home))
    root = write_tree(tmp_path / "ws", {"x.txt": "1\n"})
    check = f"grep -q calc.greeting {settings} && ! grep -q hunter2 {settings}"
    v = _verify(root, f"sh -c {shlex.quote(check)}", {"x.txt": "2\n"})
    assert v.verdict == "pass", v.detail
    assert "hunter2" in settings.read_text()  # the user's own file is as it was


def _module_pom(name: str, depends: str = "") -> str:
    dep = (
        f"<dependencies><dependency><groupId>t</groupId><artifactId>{depends}</artifactId>"
        "<version>1</version></dependency></dependencies>"
        if depends
        else ""
    )
    return (
        '<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>'
        "<parent><groupId>t</groupId><artifactId>calc</artifactId><version>1</version></parent>"
        f"<artifactId>{name}</artifactId>{dep}</project>\n"
    )


#: ``core``'s ``half`` is wrong before any edit (its test fails); ``app`` uses ``add``
HALF = "package calc;\npublic class Half {\n  public static int half(int a) { return a / 3; }\n}\n"
HALF_TEST = """\
package calc;
import org.junit.Test;
import static org.junit.Assert.assertEquals;
public class HalfTest {
  @Test public void halves() { assertEquals(2, Half.half(4)); }
}
"""
APP = "package app;\npublic class App {\n  public static int four() { return calc.Calc.add(2, 2); }\n}\n"
APP_TEST = """\
package app;
import org.junit.Test;
import static org.junit.Assert.assertEquals;
public class AppTest {
  @Test public void four() { assertEquals(4, App.four()); }
}
"""


@needs_bwrap
def test_a_module_whose_tests_fail_does_not_hide_the_next_modules_tests(
    maven_project: Path,
) -> None:
    """Two modules, ``app`` built on ``core``, and a test of ``core`` failing before the
    edit.  Maven stopped at ``core``: ``app``'s tests ran in neither run, and an edit
    breaking ``app`` was the same verdict as a harmless one ("1 failing test:
    calc.HalfTest::halves ... (before: 3 passed, 1 failed)").  With
    ``-Dmaven.test.failure.ignore=true`` every module's tests run."""
    root = maven_project
    for rel in list(SOURCES):
        (root / "core" / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).rename(root / "core" / rel)
    pom = POM.replace(
        "<artifactId>calc</artifactId><version>1</version>",
        "<artifactId>calc</artifactId><version>1</version><packaging>pom</packaging>"
        "<modules><module>core</module><module>app</module></modules>",
    )
    write_tree(
        root,
        {
            "pom.xml": pom,
            "core/pom.xml": _module_pom("core"),
            "core/src/main/java/calc/Half.java": HALF,
            "core/src/test/java/calc/HalfTest.java": HALF_TEST,
            "app/pom.xml": _module_pom("app", "core"),
            "app/src/main/java/app/App.java": APP,
            "app/src/test/java/app/AppTest.java": APP_TEST,
        },
    )
    app = "app/src/main/java/app/App.java"
    broken = _verify(root, "mvn test", {app: APP.replace("add(2, 2)", "add(2, 3)")})
    assert broken.verdict == "fail", broken.detail
    assert "broke 1 previously passing test: app.AppTest::four" in broken.detail, broken.detail
    assert "(before: 4 passed, 1 failed)" in broken.detail, broken.detail
    fixed = _verify(root, "mvn test", {"core/src/main/java/calc/Half.java": HALF.replace("3", "2")})
    assert fixed.verdict == "pass" and (fixed.tests_passed, fixed.tests_failed) == (5, 0), (
        fixed.detail
    )


def test_failsafes_reports_are_gathered_with_surefires(tmp_path: Path) -> None:
    """``mvn verify`` runs integration tests with Failsafe, which writes its reports in
    ``target/failsafe-reports``.  Since the run ignores test failures (so that a
    module's failing tests do not stop the next module's), a failing integration test
    no longer fails the build: only its report says so, and it is read.  (The run's
    shell here stands in for Maven: no Failsafe plugin is on this machine.)"""
    out = tmp_path / "out"
    out.mkdir()
    (out / "surefire.start").write_text("")
    ws = tmp_path / "ws"
    stale = ws / "app/target/failsafe-reports/TEST-app.OldIT.xml"
    stale.parent.mkdir(parents=True)
    stale.write_text("<testsuite/>")  # the user's last build
    os.utime(stale, (1, 1))
    reports = {
        "core/target/surefire-reports/TEST-calc.CalcTest.xml": (
            '<testsuite><testcase classname="calc.CalcTest" name="adds"/></testsuite>'
        ),
        "app/target/failsafe-reports/TEST-app.AppIT.xml": (
            '<testsuite><testcase classname="app.AppIT" name="starts">'
            '<failure message="refused"/></testcase></testsuite>'
        ),
    }
    build = " && ".join(
        f"mkdir -p {shlex.quote(str(Path(rel).parent))} && printf %s {shlex.quote(xml)} > {rel}"
        for rel, xml in reports.items()
    )
    done = subprocess.run(["/bin/sh", "-c", runners._maven(build, str(out))], cwd=ws, check=False)
    assert done.returncode == 0
    report = parse_surefire(out / "surefire")
    assert report is not None
    assert report.outcomes == {"calc.CalcTest::adds": PASSED, "app.AppIT::starts": FAILED}


#: the plugins ``mvn install`` runs after the tests, as Debian ships them
INSTALL_PLUGINS = (
    "<plugin><groupId>org.apache.maven.plugins</groupId><artifactId>maven-jar-plugin</artifactId>"
    "<version>3.3.0</version></plugin>"
    "<plugin><groupId>org.apache.maven.plugins</groupId>"
    "<artifactId>maven-install-plugin</artifactId><version>3.1.0</version></plugin>"
)


@needs_bwrap
def test_mvn_install_writes_into_the_sandboxs_overlay_not_the_users_repository(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``mvn install`` puts the project's artifacts in the user's ``~/.m2/repository``,
    read-only in the sandbox: every install failed after its tests had passed ("Failed
    to install artifact t:calc:pom:1 … (No such file or directory)"), "every reported
    test passed but the run exited with code 1", never a pass.  The repository is now
    under an overlay at its own path: the install writes into the run's scratch folder,
    and the user's repository is as it was."""
    _maven_or_skip()
    if not (DEBIAN_REPO / "org/apache/maven/plugins/maven-install-plugin/3.1.0").is_dir():
        pytest.skip("maven-install-plugin is not installed (Debian's libmaven-install-plugin-java)")
    home = tmp_path / "javahome"
    repo = _linked_repo(home / ".m2/repository")
    monkeypatch.setattr(environment, "java_user_home", lambda: str(home))
    root = write_tree(
        tmp_path / "calc",
        {
            "pom.xml": POM.replace("</plugins>", INSTALL_PLUGINS + "</plugins>"),
            ".mvn/maven.config": f"-Dmaven.repo.local={repo}\n",
            **SOURCES,
        },
    )
    v = _verify(root, "mvn install", {MAIN: "// adds\n" + CALC})
    assert v.verdict == "pass" and not v.weak, v.detail
    assert (v.tests_passed_before, v.tests_passed) == (3, 3), v.detail
    assert not (repo / "t").exists()
