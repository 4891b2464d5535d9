"""Gradle end to end: ``gradle test`` and ``./gradlew test`` are read per test from the
JUnit XML of the build's ``Test`` tasks, so a test deleted, ``@Ignore``d or no longer run
by the edit is not a pass.  Before, Gradle was no runner of ours, and in the sandbox
every Gradle build failed: Java takes the user's home from the password database, so
Gradle wrote its caches in the real ``~/.gradle``, read-only there.  Needs Debian's
``gradle`` (4.4.1, which CI installs) and JUnit 4 from ``/usr/share/maven-repo``
(``junit4``); the project builds offline from that repository."""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from acrouter.verifier.bwrap import overlay_works
from acrouter.verifier.bwrap_exe import find_bwrap
from acrouter.verifier.commandline import gradle_runs_tests, runner_of
from acrouter.verifier.detection import detect_test_command
from acrouter.verifier.environment import gradle_home
from acrouter.verifier.runners import GRADLE_INIT_NAME, plan_command
from acrouter.verifier.testnames import is_test_file

from .helpers import needs_bwrap, verify_files, write_tree
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

#: a Gradle run starts a JVM or two (no daemon) and compiles: seconds, minutes when loaded
GRADLE_TIMEOUT_S = 240
BUILD = """\
apply plugin: 'java'
repositories { maven { url 'file:///usr/share/maven-repo' } }
dependencies { testCompile 'junit:junit:4.x' }
"""


def _gradle_or_skip() -> str:
    gradle = shutil.which("gradle")
    if gradle is None:
        pytest.skip("gradle is not installed")
    if not (DEBIAN_REPO / "junit/junit/4.x").is_dir():
        pytest.skip("junit is not installed (Debian's junit4)")
    return gradle


@pytest.fixture
def gradle_project(tmp_path: Path) -> Path:
    _gradle_or_skip()
    return write_tree(
        tmp_path / "calc",
        {
            "settings.gradle": "rootProject.name = 'calc'\n",
            "build.gradle": BUILD,
            **SOURCES,
        },
    )


def _host_gradle(
    root: Path, *args: str, program: str = "gradle", env: dict[str, str] | None = None
) -> None:
    """``gradle ARGS`` (or ``./gradlew``) in ``root`` outside the sandbox: the user's own
    build, its Gradle home beside ``root`` (not the home of whoever runs the tests)."""
    home = {"GRADLE_USER_HOME": str(root.parent / "user-gradle-home")}
    done = subprocess.run(
        [program, *args],
        check=False,
        cwd=root,
        env={**os.environ, **home, **(env or {})},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]


@needs_bwrap
def test_a_correct_edit_passes_with_counts_and_a_broken_one_fails(gradle_project: Path) -> None:
    v = verify_files(
        gradle_project, {MAIN: "// adds\n" + CALC}, "gradle test", timeout_s=GRADLE_TIMEOUT_S
    )
    assert v.verdict == "pass" and not v.weak, v.detail
    assert (v.tests_passed_before, v.tests_passed, v.tests_failed) == (3, 3, 0)
    broken = verify_files(
        gradle_project,
        {MAIN: CALC.replace("a + b", "a - b")},
        "gradle test",
        timeout_s=GRADLE_TIMEOUT_S,
    )
    assert broken.verdict == "fail" and not broken.weak, broken.detail
    assert "calc.CalcTest::adds" in broken.detail, broken.detail


@needs_bwrap
@pytest.mark.parametrize(
    ("files", "why"),
    [
        *NOT_RUN,
        # the build's own script is the tests' configuration: set aside, then judged whole
        (
            {"build.gradle": BUILD + "test { exclude '**/NegTest*' }\n"},
            "no longer ran",
        ),
    ],
    ids=[*NOT_RUN_IDS, "excluded-in-build-gradle"],
)
def test_a_test_that_no_longer_runs_is_not_a_pass(
    gradle_project: Path, files: dict[str, str], why: str
) -> None:
    v = verify_files(gradle_project, files, "gradle test", timeout_s=GRADLE_TIMEOUT_S)
    assert v.verdict == "fail" and not v.weak and why in v.detail, v.detail


@needs_bwrap
def test_the_users_own_build_neither_skips_the_tests_nor_counts_its_reports(
    gradle_project: Path,
) -> None:
    """The workspace holds the user's last build (``build/``, ``.gradle/``): Gradle
    took the ``test`` task as up to date without the edit, ran no test and left no new
    report; and a report of that build (of a test class the edit deletes) is stale."""
    _host_gradle(gradle_project, "test", "--offline", "--no-daemon", "-q")
    assert (gradle_project / "build/test-results/test/TEST-calc.NegTest.xml").is_file()
    v = verify_files(
        gradle_project, {MAIN: "// adds\n" + CALC}, "gradle test", timeout_s=GRADLE_TIMEOUT_S
    )
    assert v.verdict == "pass" and not v.weak, v.detail
    assert (v.tests_passed_before, v.tests_passed) == (3, 3), v.detail
    deleted = verify_files(
        gradle_project, {NEG: "package calc;\n"}, "gradle -q test", timeout_s=GRADLE_TIMEOUT_S
    )
    assert deleted.verdict == "fail" and "no longer ran" in deleted.detail, deleted.detail


@needs_bwrap
def test_a_new_test_class_is_verified(gradle_project: Path) -> None:
    """Gradle writes the new class's classes and reports in ``build/``, under folders
    named ``test`` (test folders by their rules), which the run without the edit did not
    write: that was "not verified" for every edit adding a test class.  They are the new
    file's own now; what its code rewrites as the tests run is still the edit's."""
    _host_gradle(gradle_project, "test", "--offline", "--no-daemon", "-q")
    v = verify_files(gradle_project, {MORE: MORE_TEST}, "gradle test", timeout_s=GRADLE_TIMEOUT_S)
    assert v.verdict == "pass" and v.counted and not v.weak, v.detail
    assert f"with its changes to {MORE}: 4 passed" in v.detail, v.detail
    tamper = verify_files(
        gradle_project, {MORE: TAMPER_TEST}, "gradle test", timeout_s=GRADLE_TIMEOUT_S
    )
    assert tamper.verdict == "fail" and not tamper.counted, tamper.detail
    assert "rewrote src/test/java/calc/CalcTest.java" in tamper.detail, tamper.detail


@needs_bwrap
def test_reports_written_elsewhere_are_a_set_up_error_not_a_pass(gradle_project: Path) -> None:
    """A build whose ``Test`` task writes its JUnit XML outside a ``test-results``
    folder leaves no report we find, without the edit too: the tests cannot judge it."""
    (gradle_project / "build.gradle").write_text(
        BUILD + 'test { reports.junitXml.destination = file("$buildDir/junit") }\n'
    )
    v = verify_files(
        gradle_project, {MAIN: "// adds\n" + CALC}, "gradle test", timeout_s=GRADLE_TIMEOUT_S
    )
    assert v.verdict == "error" and not v.counted, v.detail
    assert "cannot run even without the edit (exit code 0, no test report)" in v.detail, v.detail


@needs_bwrap
def test_the_wrapper_finds_the_gradle_it_unpacked_without_the_network(
    gradle_project: Path, tmp_path: Path
) -> None:
    """``./gradlew`` unpacks its Gradle into ``~/.gradle/wrapper/dists`` once, from its
    ``distributionUrl``; in the sandbox (no network, a home of its own) it finds that
    one.  The distribution here is Debian's Gradle zipped, served from a ``file:`` URL
    that is gone by the time the verifier runs, as the network is in the sandbox."""
    _host_gradle(gradle_project, "wrapper", "--offline", "--no-daemon", "-q")
    dist = tmp_path / "dist"
    zipped = dist / "gradle-4.4.1-bin.zip"
    _zip_gradle(Path(_gradle_or_skip()), zipped)
    props = gradle_project / "gradle/wrapper/gradle-wrapper.properties"
    props.write_text(
        "distributionBase=GRADLE_USER_HOME\ndistributionPath=wrapper/dists\n"
        f"distributionUrl=file\\:{zipped}\n"
        "zipStoreBase=GRADLE_USER_HOME\nzipStorePath=wrapper/dists\n"
    )
    users = tmp_path / "user-gradle-home"
    _host_gradle(
        gradle_project, "--version", program="./gradlew", env={"GRADLE_USER_HOME": str(users)}
    )
    shutil.rmtree(dist)
    env = {**os.environ, "GRADLE_USER_HOME": str(users)}
    assert detect_test_command(gradle_project) == "./gradlew test"
    v = verify_files(
        gradle_project,
        {MAIN: CALC.replace("a + b", "b + a")},
        "./gradlew test",
        timeout_s=GRADLE_TIMEOUT_S,
        env=env,
    )
    assert v.verdict == "pass" and not v.weak and v.tests_passed == 3, v.detail


def _zip_gradle(gradle: Path, zipped: Path) -> None:
    """A Gradle distribution (``gradle-4.4.1/bin``, ``lib``) made of the installed one
    (its links followed; folders as entries of their own, as the wrapper unzips them)."""
    home = Path(os.path.realpath(gradle)).parent.parent
    tree = zipped.parent / "tree"
    for folder in ("bin", "lib"):
        shutil.copytree(home / folder, tree / "gradle-4.4.1" / folder, symlinks=False)
    shutil.make_archive(str(zipped.with_suffix("")), "zip", tree)


# ----------------------------------------------------------------- without Gradle


@pytest.mark.parametrize(
    ("command", "runs"),
    [
        ("gradle test", True),
        ("./gradlew clean build", True),
        ("./gradlew :core:test --tests calc.CalcTest", True),
        ("gradle check --offline", True),
        ("gradle integrationTest", True),
        ("gradle -p sub test", True),
        ("gradle build -x test", False),
        ("gradle build --exclude-task :test", False),
        ("gradle assemble", False),
        ("gradle testClasses", False),
        ("gradle test --dry-run", False),
        ("gradle --stop", False),
        ("gradle -x test", False),
    ],
)
def test_which_gradle_commands_run_tests(command: str, runs: bool) -> None:
    tokens = tuple(command.split())
    assert gradle_runs_tests(tokens) is runs
    assert runner_of(tokens) == ("gradle" if runs else None)


def test_the_plan_runs_every_test_task_offline_and_gathers_the_reports() -> None:
    plan = plan_command("cd app && ./gradlew test", "/out")
    assert plan.runner == "gradle" and plan.weak is None
    line = plan.argv[-1]
    assert (
        f"./gradlew test --init-script /out/{GRADLE_INIT_NAME} --continue --offline --no-daemon;"
        in line
    )
    assert line.startswith("cd app && { ") and "-newer /out/gradle.start" in line
    assert "Specs.SATISFIES_NONE" in plan.files[f"/out/{GRADLE_INIT_NAME}"]
    assert plan.reports == (("gradle", "/out/gradle"),)
    # the command's own choices are kept
    kept = plan_command("gradle test --daemon --offline", "/out").argv[-1]
    assert "--no-daemon" not in kept and kept.count("--offline") == 1
    # without the sandbox (its network) Gradle may still download
    online = plan_command("gradle test", "/out", offline=False).argv[-1]
    assert "--offline" not in online and "--continue --no-daemon;" in online
    # weak where it runs no test
    assert plan_command("gradle assemble", "/out").weak


def test_detection_prefers_the_wrapper_then_gradle_then_maven(tmp_path: Path) -> None:
    write_tree(tmp_path / "g", {"build.gradle.kts": "plugins { java }\n"})
    write_tree(tmp_path / "w", {"settings.gradle": "", "gradlew": "#!/bin/sh\n"})
    write_tree(tmp_path / "m", {"pom.xml": "<project/>\n"})
    write_tree(tmp_path / "mw", {"pom.xml": "<project/>\n", "mvnw": "#!/bin/sh\n"})
    assert detect_test_command(tmp_path / "g") == "gradle test"
    assert detect_test_command(tmp_path / "w") == "./gradlew test"
    assert detect_test_command(tmp_path / "m") == "mvn test"
    assert detect_test_command(tmp_path / "mw") == "./mvnw test"


def test_the_builds_files_belong_to_the_tests() -> None:
    for rel in ("build.gradle", "app/build.gradle.kts", "settings.gradle", "pom.xml"):
        assert is_test_file(rel), rel
    assert is_test_file("buildSrc/src/main/groovy/conventions.gradle")
    assert not is_test_file("src/main/java/calc/Calc.java")
    # Maven's options for every build: -Dmaven.main.skip there tested the classes a
    # build before the edit left in target/ (verify_trust's Java catalogue)
    assert is_test_file(".mvn/maven.config") and is_test_file(".mvn/jvm.config")


def test_the_runs_gradle_home_is_its_own_with_the_users_downloads(tmp_path: Path) -> None:
    """The run's Gradle home is in its scratch home; the user's dependency cache is
    Gradle's read-only cache; each unpacked wrapper distribution is linked, its marker
    copied, its zip and lock left; ``gradle.properties`` (credentials) is not brought."""
    real = tmp_path / "real/.gradle"
    unpacked = real / "wrapper/dists/gradle-8.7-bin/abc123/gradle-8.7"
    (unpacked / "bin").mkdir(parents=True)
    (unpacked.parent / "gradle-8.7-bin.zip.ok").write_text("")
    (unpacked.parent / "gradle-8.7-bin.zip").write_bytes(b"PK" * 5000)
    (unpacked.parent / "gradle-8.7-bin.zip.lck").write_text("")
    (real / "caches/modules-2").mkdir(parents=True)
    (real / "gradle.properties").write_text("repoPassword=hunter2\n")
    (real / "jdks/temurin-21").mkdir(parents=True)
    home = tmp_path / "scratch-home"
    env = gradle_home(str(home), {"HOME": str(tmp_path / "real")})
    assert env == {
        "GRADLE_USER_HOME": str(home / ".gradle"),
        "GRADLE_RO_DEP_CACHE": str(real / "caches"),
    }
    mine = home / ".gradle/wrapper/dists/gradle-8.7-bin/abc123"
    assert (mine / "gradle-8.7").is_symlink() and (mine / "gradle-8.7/bin").is_dir()
    assert (mine / "gradle-8.7-bin.zip.ok").is_file()
    assert not (mine / "gradle-8.7-bin.zip").exists()
    assert not (mine / "gradle-8.7-bin.zip.lck").exists()
    assert not (home / ".gradle/gradle.properties").exists()
    assert (home / ".gradle/jdks/temurin-21").is_dir()
    # the user's own GRADLE_USER_HOME is where the downloads are; none: nothing to bring
    assert gradle_home(str(tmp_path / "h2"), {"HOME": str(tmp_path / "nobody")}) == {
        "GRADLE_USER_HOME": str(tmp_path / "h2/.gradle")
    }


@contextlib.contextmanager
def _serving(folder: Path) -> Iterator[str]:
    """``folder`` served over HTTP on 127.0.0.1 (a repository the user's build downloads
    from, as from Maven Central), until the block ends."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@needs_bwrap
def test_what_the_users_builds_downloaded_is_found_offline(tmp_path: Path) -> None:
    """The user's build downloaded JUnit from a repository into its Gradle home's
    ``caches/modules-2``; in the sandbox, with no network, the run's own Gradle home has
    that cache under an overlay.  Before, Gradle 4.4.1 (older than 6.2, which reads
    ``GRADLE_RO_DEP_CACHE``) failed without the edit: "No cached version of
    junit:junit:4.x available for offline mode".  Without an overlay (bubblewrap 0.8, a
    filesystem the kernel will not overlay) only the read-only cache is left: with such a
    Gradle that is the network error, said so, not counted."""
    _gradle_or_skip()
    with _serving(DEBIAN_REPO) as url:
        build = BUILD.replace("file:///usr/share/maven-repo", url)
        root = write_tree(
            tmp_path / "calc",
            {"settings.gradle": "rootProject.name = 'calc'\n", "build.gradle": build, **SOURCES},
        )
        _host_gradle(root, "test", "--no-daemon", "-q")  # the user's build, online
    user_home = tmp_path / "user-gradle-home"
    assert (user_home / "caches/modules-2/files-2.1/junit").is_dir()
    env = {**os.environ, "GRADLE_USER_HOME": str(user_home)}
    cache = user_home / "caches/modules-2"
    as_it_was = {p: p.stat().st_mtime_ns for p in cache.rglob("*")}
    v = verify_files(
        root, {MAIN: "// adds\n" + CALC}, "gradle test", timeout_s=GRADLE_TIMEOUT_S, env=env
    )
    if overlay_works(find_bwrap().path or "bwrap", str(root)):
        assert v.verdict == "pass" and not v.weak, v.detail
        assert (v.tests_passed_before, v.tests_passed) == (3, 3), v.detail
    else:
        offline = v.verdict == "error" and "No cached version of junit:junit" in v.detail
        assert v.verdict == "pass" or offline, v.detail
    # the runs wrote in the overlay's upper folder, not in the user's cache
    assert {p: p.stat().st_mtime_ns for p in cache.rglob("*")} == as_it_was
