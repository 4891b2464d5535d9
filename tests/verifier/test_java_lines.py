"""Java's changed lines: which of them the tests ran, from our JVMTI agent in every JVM of
the run (``lines_javacov``).

Before, a pass of ``mvn test`` (or of any command running java) after an edit that broke
a method no test calls was counted, with only "which lines of src/main/java/calc/Calc.java
the tests ran is not known: Java is not measured line by line" said: javac opens every
file it compiles.  Needs a JDK (javac and its headers) and a C compiler; the Maven test
needs Maven and Debian's JUnit 4 too (``.ci/run`` installs them all)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from acrouter.domain import Verdict
from acrouter.verifier.lines_javacov import (
    AGENT,
    LIB_DIR,
    LIST,
    RESET,
    agent,
    code_lines,
    cover_env,
    read_javacov,
    source_key,
    suspect,
)
from acrouter.verifier.lines_run import asked

from .helpers import MODES, needs_bwrap, verify_files, write_tree
from .java_calc import DEBIAN_REPO
from .test_gradle import BUILD as GRADLE_BUILD
from .test_gradle import _gradle_or_skip
from .test_maven import POM, _maven_or_skip

CALC = """\
package calc;

/** Adds. */
public class Calc {
    // adds
    public static int add(int a, int b) {
        return a + b;
    }

    public static int never(int x) {
        int y = x * 2;
        return y;
    }
}
"""
#: ``never``'s first line, which no test runs
NEVER_LINE = CALC.split("\n").index("        int y = x * 2;") + 1
NEVER_BROKEN = CALC.replace("int y = x * 2;", "int y = x * 3;")
ADD_SWAPPED = CALC.replace("return a + b;", "return b + a;")
ADD_BROKEN = CALC.replace("return a + b;", "return a - b;")
#: a test of our own making: no runner, its exit code says
RUN_TEST = """\
package calc;

public class RunTest {
    public static void main(String[] args) {
        if (Calc.add(2, 3) != 5) {
            System.out.println("not ok: add");
            System.exit(1);
        }
        System.out.println("ok");
    }
}
"""
RUN_SH = "set -e\njavac -d build src/calc/*.java test/calc/*.java\njava -cp build calc.RunTest\n"
COMMAND = "sh run.sh"
MAIN = "src/calc/Calc.java"
#: the Maven and Gradle projects' test
JUNIT_TEST = """\
package calc;
import org.junit.Test;
import static org.junit.Assert.assertEquals;
public class CalcTest {
  @Test public void adds() { assertEquals(5, Calc.add(2, 3)); }
}
"""


@pytest.fixture
def jdk() -> None:
    if shutil.which("javac") is None:
        pytest.skip("javac is not installed (Debian: apt-get install default-jdk-headless)")
    if shutil.which("cc") is None:
        pytest.skip("cc is not installed (Debian: apt-get install gcc)")


@pytest.fixture
def project(tmp_path: Path, jdk: None) -> Path:
    files = {MAIN: CALC, "test/calc/RunTest.java": RUN_TEST, "run.sh": RUN_SH}
    return write_tree(tmp_path / "calc", files)


def _verify(root: Path, files: dict[str, str], command: str = COMMAND, **kw: object) -> Verdict:
    kw.setdefault("timeout_s", 120)
    return verify_files(root, files, command, **kw)


@pytest.mark.parametrize("mode", MODES)
def test_a_method_no_test_calls_broken_is_not_counted(
    project: Path, mode: dict[str, object]
) -> None:
    v = _verify(project, {MAIN: NEVER_BROKEN}, **mode)
    assert v.verdict == "pass" and not v.counted, v.detail
    said = f"no test ran 1 of the 1 statements the edit changes: {MAIN} line {NEVER_LINE}"
    assert said in v.detail, v.detail
    covered = _verify(project, {MAIN: ADD_SWAPPED}, **mode)
    assert covered.verdict == "pass" and covered.counted and not covered.unrun, covered.detail
    broken = _verify(project, {MAIN: ADD_BROKEN}, **mode)
    assert broken.verdict == "fail", broken.detail


#: Maven's and Gradle's build files, offline from Debian's repository
BUILDS = {
    "mvn test": {
        "pom.xml": POM,
        ".mvn/maven.config": f"-o\n-B\n-Dmaven.repo.local={DEBIAN_REPO}\n",
    },
    "gradle test": {"settings.gradle": "rootProject.name = 'calc'\n", "build.gradle": GRADLE_BUILD},
}


@needs_bwrap
@pytest.mark.parametrize("command", list(BUILDS), ids=["maven", "gradle"])
def test_maven_and_gradle_runs_are_measured(tmp_path: Path, jdk: None, command: str) -> None:
    """Maven's JVM and the one Surefire forks for the tests, Gradle's client, the daemon
    it starts for the build and its test worker: each reads ``JAVA_TOOL_OPTIONS``.  The
    file is known by its package, whatever folder the build compiled it from."""
    _maven_or_skip() if command == "mvn test" else _gradle_or_skip()
    main = "src/main/java/calc/Calc.java"
    files = {**BUILDS[command], main: CALC, "src/test/java/calc/CalcTest.java": JUNIT_TEST}
    root = write_tree(tmp_path / "calc", files)
    v = _verify(root, {main: NEVER_BROKEN}, command=command, timeout_s=300)
    assert v.verdict == "pass" and not v.counted, v.detail
    said = f"no test ran 1 of the 1 statements the edit changes: {main} line {NEVER_LINE}"
    assert said in v.detail, v.detail
    ran = _verify(root, {main: ADD_SWAPPED}, command=command, timeout_s=300)
    assert ran.verdict == "pass" and ran.counted and not ran.unrun, ran.detail


def test_a_comment_or_javadoc_change_says_nothing_of_lines(project: Path) -> None:
    edited = CALC.replace("/** Adds. */", "/** Adds two numbers. */").replace("// adds", "// a+b")
    v = _verify(project, {MAIN: edited})
    assert v.verdict == "pass" and v.counted and not v.unrun, v.detail
    assert MAIN not in v.detail, v.detail


def test_a_nested_class_and_a_lambda_count_as_their_files(project: Path) -> None:
    """A nested class and a lambda's body are classes and methods of their own, of the
    same source file: what they run counts for it, what they do not is said."""
    nested = CALC.replace(
        "    public static int never",
        "    static class Twice {\n        int of(int x) {\n            return x * 2;\n"
        "        }\n    }\n\n    public static int viaLambda(int x) {\n"
        "        java.util.function.IntUnaryOperator f = v -> v + 1;\n"
        "        return f.applyAsInt(x);\n    }\n\n    public static int never",
    )
    run = RUN_TEST.replace(
        '        System.out.println("ok");',
        "        if (new Calc.Twice().of(2) != 4 || Calc.viaLambda(1) != 2) System.exit(1);\n"
        '        System.out.println("ok");',
    )
    write_tree(project, {MAIN: nested, "test/calc/RunTest.java": run})
    ran = _verify(project, {MAIN: nested.replace("x * 2;\n        }", "2 * x;\n        }")})
    assert ran.verdict == "pass" and ran.counted and not ran.unrun, ran.detail
    lam = _verify(project, {MAIN: nested.replace("v -> v + 1", "v -> 1 + v")})
    assert lam.verdict == "pass" and lam.counted and not lam.unrun, lam.detail
    never = _verify(project, {MAIN: nested.replace("int y = x * 2;", "int y = 2 * x;")})
    assert never.verdict == "pass" and not never.counted, never.detail
    assert (
        f"{MAIN} line {nested.split(chr(10)).index('        int y = x * 2;') + 1}" in never.detail
    )


def test_a_statements_later_line_counts_as_its_first(project: Path) -> None:
    """javac gives ``* 2;`` on a statement's second line no entry of its own: a change
    there is the statement's, which ran or did not."""
    split = CALC.replace("int y = x * 2;", "int y = x\n            * 2;").replace(
        "return a + b;", "return a\n            + b;"
    )
    write_tree(project, {MAIN: split})
    lines = split.split("\n")
    never = _verify(project, {MAIN: split.replace("* 2;", "* 3;")})
    assert never.verdict == "pass" and not never.counted, never.detail
    line = lines.index("            * 2;") + 1
    said = f"no test ran 1 of the 1 statements the edit changes: {MAIN} line {line}"
    assert said in never.detail, never.detail
    ran = _verify(project, {MAIN: split.replace("+ b;", "+ b + 0;")})
    assert ran.verdict == "pass" and ran.counted and not ran.unrun, ran.detail


def test_classes_built_before_the_edit_are_not_the_edits(project: Path) -> None:
    """A command that runs the classes a build before the edit left (here ``build/``; a
    Maven told ``-Dmaven.main.skip``) never compiles the edit: the JVM's lines are the old
    text's, so a change on a line the old ``add`` ran must not read as run.  No process
    opened the file: that is what is said, and the pass is not learned."""
    subprocess.run(["sh", "run.sh"], cwd=project, check=True, capture_output=True)
    write_tree(project, {"run.sh": "set -e\njava -cp build calc.RunTest\n"})
    v = _verify(project, {MAIN: ADD_BROKEN})
    assert v.verdict == "pass" and not v.counted, v.detail
    assert f"no process of the tests' run opened {MAIN}" in v.detail, v.detail


def test_a_file_no_jvm_loaded_is_left_to_the_opened_files(project: Path) -> None:
    """javac compiles ``Other``, no test loads it: which of its lines ran is not known
    (javac opened it), and the sentence says how Java is measured."""
    other = CALC.replace("class Calc", "class Other")
    write_tree(project, {"src/calc/Other.java": other})
    v = _verify(project, {"src/calc/Other.java": other.replace("x * 2", "x * 3")})
    assert v.verdict == "pass" and v.counted, v.detail
    assert (
        "which lines of src/calc/Other.java the tests ran is not known: no JVM of the run "
        "reported which of its lines ran" in v.detail
    ), v.detail
    assert "no test ran" not in v.detail, v.detail


CHILD = """\
package calc;

public class Child {
    public static void main(String[] args) throws Exception {
        Calc.never(2);
        String pid = String.valueOf(ProcessHandle.current().pid());
        new ProcessBuilder("sh", "-c", "kill -9 " + pid).start().waitFor();
    }
}
"""


def test_a_jvm_killed_before_it_wrote_says_nothing_did_not_run(project: Path) -> None:
    """A JVM the tests start ran ``never`` and was killed (no death, where the agent
    writes; ``Runtime.halt`` still has one): what it ran is not known, so no changed line
    is said not to have run."""
    run = RUN_TEST.replace(
        "    public static void main(String[] args) {",
        "    public static void main(String[] args) throws Exception {\n"
        '        new ProcessBuilder("java", "-cp", "build", "calc.Child").inheritIO().start().waitFor();',
    )
    write_tree(project, {"test/calc/RunTest.java": run, "test/calc/Child.java": CHILD})
    v = _verify(project, {MAIN: NEVER_BROKEN})
    assert v.verdict == "pass" and v.counted, v.detail
    assert "a test process ended before it wrote the lines it ran" in v.detail, v.detail
    assert "no test ran" not in v.detail, v.detail
    # killed before it loaded a class of the file (a build tool's daemon): nothing lost
    write_tree(project, {"test/calc/Child.java": CHILD.replace("Calc.never(2);", "")})
    v = _verify(project, {MAIN: NEVER_BROKEN})
    assert v.verdict == "pass" and not v.counted, v.detail
    assert (
        f"no test ran 1 of the 1 statements the edit changes: {MAIN} line {NEVER_LINE}" in v.detail
    )


AGENT_JAVA = """\
package rt;

import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;

public class Agent {
    public static void premain(String args, Instrumentation inst) throws Exception {
        Agent.inst = inst;
    }

    public static Instrumentation inst;

    public static void retransform(Class<?> c) throws Exception {
        inst.addTransformer(new ClassFileTransformer() {}, true);
        inst.retransformClasses(c);
    }
}
"""


def test_a_class_another_agent_retransformed_makes_the_lines_not_known(project: Path) -> None:
    """A Java agent of the tests (as Mockito's inline mock maker does for a class it
    mocks) retransforms ``Calc`` after a test called ``add``: the JVM clears our marks on
    its lines, so ``never``, run after, would read as not run.  Not known instead."""
    run = RUN_TEST.replace(
        '        System.out.println("ok");',
        "        try { rt.Agent.retransform(Calc.class); } catch (Exception e) { System.exit(2); }\n"
        "        if (Calc.never(2) != 4) System.exit(1);\n"
        '        System.out.println("ok");',
    )
    script = (
        "set -e\njavac -d build src/calc/*.java test/calc/*.java test/rt/*.java\n"
        "printf 'Premain-Class: rt.Agent\\nCan-Retransform-Classes: true\\n' > build/m.txt\n"
        "jar cfm build/agent.jar build/m.txt -C build rt\n"
        "java -javaagent:build/agent.jar -cp build calc.RunTest\n"
    )
    write_tree(
        project, {"test/calc/RunTest.java": run, "test/rt/Agent.java": AGENT_JAVA, "run.sh": script}
    )
    v = _verify(project, {MAIN: NEVER_BROKEN.replace("x * 3", "x * 2 ")})
    assert v.verdict == "pass" and v.counted, v.detail
    assert f"which lines of {MAIN} the tests ran is not known: {RESET}" in v.detail, v.detail
    assert "no test ran" not in v.detail, v.detail


#: one of each kind of line: which of them are statements (the agent's line tables,
#: less :func:`code_lines`' exclusions)
KINDS = """\
package calc;

import java.util.List;

/**
 * A Javadoc.
 */
@SuppressWarnings("unused")
public final class Kinds implements Runnable {
    static final int TWO = 2;
    private static final List<Integer> NUMS = List.of(1, 2);
    private int n = 3;

    public Kinds() {
        n = 4;
    }

    // a comment
    @Override
    public void run() {
        if (n < 0) {
            throw new IllegalStateException("negative");
        } else {
            n++;
        }
        for (int i : NUMS) {
            n += i;
        }
    }

    enum Color { RED, GREEN }

    public record Point(int x, int y) {}
}
"""


def test_what_the_agent_holds_for_each_kind_of_line(tmp_path: Path, jdk: None) -> None:
    """Compiled and run (``new Kinds().run()``): the statements are the code lines of the
    line tables; the class's header (its implicit constructor) and ``run``'s closing
    brace (its implicit return) are not, nor a constant javac inlines."""
    src = write_tree(
        tmp_path / "k",
        {
            "calc/Kinds.java": KINDS,
            "Main.java": "public class Main {\n  public static void main(String[] a) { new calc.Kinds().run(); new calc.Kinds.Point(1, 2); }\n}\n",
        },
    )
    out = tmp_path / "out"
    out.mkdir()
    env = cover_env(str(out), {"calc/Kinds.java": (KINDS, KINDS)}, {"PATH": "/usr/bin:/bin"})
    assert env is not None
    subprocess.run(["javac", "-d", "build", "calc/Kinds.java", "Main.java"], cwd=src, check=True)
    subprocess.run(
        ["java", "-cp", "build", "Main"], cwd=src, check=True, env={"PATH": "/usr/bin:/bin", **env}
    )
    (written,) = out.glob("acrouter-java-*.json")
    held = json.loads(written.read_text())["files"]["calc/Kinds.java"]
    lines = KINDS.split("\n")

    def at(text: str) -> int:
        return next(n for n, line in enumerate(lines, 1) if line.strip() == text)

    statements = set(held["statements"]) & code_lines(KINDS)
    ran = set(held["ran"]) & statements
    expected_ran = {
        at(t)
        for t in (
            "private static final List<Integer> NUMS = List.of(1, 2);",
            "private int n = 3;",
            "public Kinds() {",
            "n = 4;",
            "if (n < 0) {",
            "n++;",
            "for (int i : NUMS) {",
            "n += i;",
        )
    }
    assert ran == expected_ran, (sorted(ran), held)
    assert statements - ran == {at('throw new IllegalStateException("negative");')}, held
    # javac puts the implicit constructor at the header of the class that lacks one
    header = at("public record Point(int x, int y) {}")
    assert header in held["statements"] and header not in code_lines(KINDS)
    closing = next(n for n in held["statements"] if lines[n - 1].strip() == "}")
    assert closing not in code_lines(KINDS)
    assert at("static final int TWO = 2;") not in held["statements"]  # inlined
    assert held["reset"] is False


def test_the_source_key_is_the_package_and_the_name() -> None:
    text = "/* package not.this; */\n// package nor.this;\npackage  com . x ;\nclass A {}\n"
    assert source_key("src/main/java/com/x/A.java", text) == "com/x/A.java"
    assert source_key("A.java", "class A {}\n") == "A.java"


def test_two_files_of_one_package_and_name_and_an_unusable_folder_are_not_measured(
    tmp_path: Path, jdk: None
) -> None:
    a = ("", "package p;\nclass A {}\n")
    env = cover_env(str(tmp_path), {"x/p/A.java": a, "y/p/A.java": a}, {"PATH": "/usr/bin:/bin"})
    assert env is None
    blank = tmp_path / "a b"
    blank.mkdir()
    assert cover_env(str(blank), {"x/p/A.java": a}, {"PATH": "/usr/bin:/bin"}) is None
    env = cover_env(str(tmp_path), {"x/p/A.java": a}, {"JAVA_TOOL_OPTIONS": "-Xmx1g"})
    assert env is not None
    listed = (tmp_path / LIB_DIR / LIST).read_text().split("\n")
    assert listed[:2] == [str(tmp_path), "p/A.java\tx/p/A.java"]
    assert (
        env["JAVA_TOOL_OPTIONS"]
        == f"-Xmx1g -agentpath:{tmp_path / LIB_DIR / AGENT}={tmp_path / LIB_DIR / LIST}"
    )


def test_without_a_compiler_java_is_not_measured(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no cc, gcc nor clang
    assert agent({"PATH": str(tmp_path)}) is None
    assert cover_env(str(tmp_path), {"A.java": ("", "class A {}\n")}, {}) is None


def test_a_failed_run_names_the_agent_only_when_it_failed_to_load() -> None:
    picked = (
        "Picked up JAVA_TOOL_OPTIONS: -agentpath:/o/acrouter-javacov/libacrouter-javacov.so=/o/l\n"
    )
    assert not suspect(picked + "[ERROR] Tests run: 1, Failures: 1\n")
    assert not suspect(f"[ERROR] {picked}[ERROR] Tests run: 1, Failures: 1\n")
    failed = picked + (
        "Error occurred during initialization of VM\nCould not find agent library "
        "/o/acrouter-javacov/libacrouter-javacov.so in absolute path\n"
    )
    assert suspect(failed)
    ask = asked({"A.java": "class A { int f() { return 1; } }\n"}, {"A.java": "class A {}\n"})
    assert ask.java and "A.java" in ask.opened


def test_a_jvm_that_wrote_nothing_of_the_file_leaves_it_unmeasured(tmp_path: Path) -> None:
    (tmp_path / "acrouter-java-7.json").write_text('{"files": {}}')
    (tmp_path / "acrouter-java-7.start").write_text("")
    t = read_javacov(tmp_path, {MAIN: (CALC, NEVER_BROKEN)})
    assert t is not None and t.unmeasured == {MAIN} and not t.cut and not t.lines
    (tmp_path / "nothing").mkdir()
    assert read_javacov(tmp_path / "nothing", {MAIN: (CALC, NEVER_BROKEN)}) is None


def test_a_killed_jvm_cuts_the_run_and_a_reset_makes_the_file_unknown(tmp_path: Path) -> None:
    record = {"statements": [NEVER_LINE, NEVER_LINE + 1], "ran": [], "reset": True}
    (tmp_path / "acrouter-java-8.json").write_text(json.dumps({"files": {MAIN: record}}))
    (tmp_path / "acrouter-java-9.start").write_text("")
    (tmp_path / "acrouter-java-8.start").write_text("")
    t = read_javacov(tmp_path, {MAIN: (CALC, NEVER_BROKEN)})
    assert t is not None and t.cut and t.unknown == {MAIN: RESET} and MAIN not in t.lines
    record["reset"] = False
    (tmp_path / "acrouter-java-8.json").write_text(json.dumps({"files": {MAIN: record}}))
    t = read_javacov(tmp_path, {MAIN: (CALC, NEVER_BROKEN)})
    assert t is not None and t.lines == {MAIN: frozenset()} and not t.unknown
    (change,) = t.changes
    assert change.statements == ((NEVER_LINE, NEVER_LINE),)
