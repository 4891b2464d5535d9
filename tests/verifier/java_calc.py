"""The Java project of the Maven and Gradle verdict tests: ``calc.Calc.add`` and three
JUnit 4 tests in two classes, laid out as both build tools expect (``src/main/java``,
``src/test/java``), built offline from Debian's repository of Java packages."""

from __future__ import annotations

from pathlib import Path

#: Debian's repository of the Java packages it ships (``junit4`` puts JUnit there)
DEBIAN_REPO = Path("/usr/share/maven-repo")
CALC = "package calc;\npublic class Calc {\n  public static int add(int a, int b) { return a + b; }\n}\n"
CALC_TEST = """\
package calc;
import org.junit.Test;
import static org.junit.Assert.assertEquals;
public class CalcTest {
  @Test public void adds() { assertEquals(5, Calc.add(2, 3)); }
  @Test public void addsZero() { assertEquals(0, Calc.add(0, 0)); }
}
"""
NEG_TEST = """\
package calc;
import org.junit.Test;
import static org.junit.Assert.assertEquals;
public class NegTest {
  @Test public void addsNegatives() { assertEquals(-5, Calc.add(-2, -3)); }
}
"""
MAIN = "src/main/java/calc/Calc.java"
NEG = "src/test/java/calc/NegTest.java"
#: the project's sources by their paths
SOURCES = {MAIN: CALC, "src/test/java/calc/CalcTest.java": CALC_TEST, NEG: NEG_TEST}
#: edits after which a test no longer runs, and what the verdict names (with their ids)
NOT_RUN = [
    ({NEG: "package calc;\n"}, "no longer ran"),
    (
        {NEG: NEG_TEST.replace("@Test public", "@org.junit.Ignore @Test public")},
        "calc.NegTest::addsNegatives",
    ),
]
NOT_RUN_IDS = ["deleted-test-class", "ignored-test"]
#: a test class an edit adds
MORE = "src/test/java/calc/MoreTest.java"
MORE_TEST = NEG_TEST.replace("NegTest", "MoreTest").replace("addsNegatives", "addsMore")
#: ... and one whose code rewrites a test's source as the tests run
TAMPER_TEST = MORE_TEST.replace(
    "  @Test public void addsMore()",
    "  static { try { java.nio.file.Files.writeString(java.nio.file.Path.of("
    '"src/test/java/calc/CalcTest.java"), "package calc;\\n"); }'
    " catch (java.io.IOException e) { } }\n  @Test public void addsMore()",
)
