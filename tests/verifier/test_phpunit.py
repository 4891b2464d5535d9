"""PHPUnit end to end: ``phpunit``, ``vendor/bin/phpunit`` and ``php vendor/bin/phpunit``
are read per test from the JUnit report PHPUnit writes as its run ends
(``--log-junit``), with its printed count as the second witness.  Before, PHPUnit was
judged by its exit code only (weak): an edit whose code under test called ``exit(0)``
ended the run early with exit code 0 and was a counted pass.  ``*Test.php``,
``phpunit.xml(.dist)``, ``composer.json`` and Composer's class loader are the user's
tests now, and an edit that drops a PHP method is refused like one that drops a Python
function.  Needs PHP and PHPUnit (Debian: ``apt-get install php-cli phpunit``)."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

import pytest
from acrouter.definitions import dropped_definitions
from acrouter.domain import Edit, Verdict
from acrouter.verifier import harness
from acrouter.verifier.cli import verify_edit
from acrouter.verifier.detection import detect_test_command, php_tests
from acrouter.verifier.harness_php import php_harness_uses
from acrouter.verifier.reports.phpunit import parse_phpunit, phpunit_printed_counts
from acrouter.verifier.runners import WEAK_REASON, plan_command
from acrouter.verifier.testnames import is_test_file

from .helpers import OVERLAY_AND_NONE, verifier, verify_files, write_tree

CALC = """\
<?php
namespace App;

final class Calc
{
    public static function add(int $a, int $b): int
    {
        return $a + $b;
    }

    public static function sub(int $a, int $b): int
    {
        return $a - $b;
    }
}
"""
CALC_TEST = """\
<?php
namespace App\\Tests;

use App\\Calc;
use PHPUnit\\Framework\\TestCase;

final class CalcTest extends TestCase
{
    public function testAdds(): void
    {
        self::assertSame(5, Calc::add(2, 3));
    }

    /** @dataProvider differences */
    public function testSubtracts(int $a, int $b, int $c): void
    {
        self::assertSame($c, Calc::sub($a, $b));
    }

    public static function differences(): array
    {
        return [[5, 3, 2], 'zero' => [1, 1, 0]];
    }
}
"""
BOOTSTRAP = "<?php\nrequire __DIR__ . '/../src/Calc.php';\n"
CONFIG = """\
<?xml version="1.0" encoding="UTF-8"?>
<phpunit bootstrap="tests/bootstrap.php">
    <testsuites>
        <testsuite name="all"><directory>tests</directory></testsuite>
    </testsuites>
</phpunit>
"""
BROKEN_SUB = CALC.replace("return $a - $b;", "return $a + $b;")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    if shutil.which("php") is None:
        pytest.skip("php is not installed (Debian: apt-get install php-cli)")
    if shutil.which("phpunit") is None:
        pytest.skip("phpunit is not installed (Debian: apt-get install phpunit)")
    files = {
        "src/Calc.php": CALC,
        "tests/CalcTest.php": CALC_TEST,
        "tests/bootstrap.php": BOOTSTRAP,
        "phpunit.xml.dist": CONFIG,
    }
    return write_tree(tmp_path / "calc", files)


def _verify(root: Path, files: dict[str, str], command: str = "phpunit", **kw: object) -> Verdict:
    kw.setdefault("timeout_s", 120)
    return verify_files(root, files, command, **kw)


@pytest.mark.parametrize("mode", OVERLAY_AND_NONE)
def test_a_harmless_edit_passes_per_test_and_a_broken_one_names_its_tests(
    project: Path, mode: dict[str, object]
) -> None:
    v = _verify(project, {"src/Calc.php": CALC.replace("$a + $b", "$b + $a")}, **mode)
    assert v.verdict == "pass" and not v.weak, v.detail
    assert (v.tests_passed_before, v.tests_passed, v.tests_failed) == (3, 3, 0)
    broken = _verify(project, {"src/Calc.php": BROKEN_SUB}, **mode)
    assert broken.verdict == "fail" and broken.counted and not broken.weak, broken.detail
    assert "tests/CalcTest.php::CalcTest::testSubtracts with data set #0" in broken.detail
    assert "testAdds" not in broken.detail
    messages = {f.test_id: f.message for f in broken.failures}
    assert messages["tests/CalcTest.php::CalcTest::testSubtracts with data set #0"] == (
        "Failed asserting that 8 is identical to 2. (tests/CalcTest.php:17)"
    ), messages


def test_code_that_ends_the_run_with_exit_0_is_not_a_pass(project: Path) -> None:
    """``exit(0)`` in the code under test ends PHPUnit's run before it writes its
    report, with exit code 0: by its exit code alone this was a counted pass."""
    files = {"src/Calc.php": BROKEN_SUB.replace("return $a + $b;\n    }\n}", "exit(0);\n    }\n}")}
    assert "exit(0);" in files["src/Calc.php"]
    v = _verify(project, files)
    assert v.verdict == "fail" and not v.weak, v.detail
    assert "no test report" in v.detail, v.detail


def test_the_edits_skip_of_a_test_is_set_aside(project: Path) -> None:
    """The test file is the user's: an edit breaking ``sub`` and skipping the test that
    catches it is judged with the user's test, which fails."""
    skipped = CALC_TEST.replace(
        "self::assertSame($c, Calc::sub($a, $b));", "self::markTestSkipped('later');"
    )
    v = _verify(project, {"src/Calc.php": BROKEN_SUB, "tests/CalcTest.php": skipped})
    assert v.verdict == "fail" and "tests/CalcTest.php" in v.detail and "set aside" in v.detail


def test_a_narrowed_configuration_is_set_aside(project: Path) -> None:
    """``phpunit.xml.dist`` says which tests run: an edit that runs none of them (a
    folder with no tests) and breaks ``sub`` is judged with the user's configuration."""
    narrowed = CONFIG.replace("<directory>tests</directory>", "<directory>src</directory>")
    v = _verify(project, {"src/Calc.php": BROKEN_SUB, "phpunit.xml.dist": narrowed})
    assert v.verdict == "fail" and "phpunit.xml.dist set aside" in v.detail, v.detail


#: code under test that forges PHPUnit's results: its report rewritten as the process
#: ends (the path is on the command line), its closing count printed anew, its exit
#: status 0
FORGE = r"""
ob_start(function (string $out): string {
    return preg_replace('/FAILURES!\s+Tests: (\d+).*/s', "OK ($1 tests, 3 assertions)\n", $out);
});
register_shutdown_function(function (): void {
    $args = $_SERVER['argv'];
    $i = array_search('--log-junit', $args, true);
    if ($i !== false) {
        $f = $args[$i + 1];
        $xml = preg_replace('#<failure[^>]*>.*?</failure>#s', '', file_get_contents($f));
        file_put_contents($f, $xml);
    }
    exit(0);
});
"""


def test_code_that_rewrites_phpunits_report_and_count_is_not_verified(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The broken ``sub`` with the forgery: without the tripwire the report and the
    printed count agree on three passes, and the edit was verified."""
    files = {"src/Calc.php": BROKEN_SUB.replace("namespace App;\n", "namespace App;\n" + FORGE)}
    v = _verify(project, files)
    assert v.verdict != "pass" and "reaches into the test harness" in v.detail, v.detail
    assert "register_shutdown_function" in v.detail and "$_SERVER['argv'" in v.detail
    monkeypatch.setattr(harness, "php_harness_uses", lambda text: Counter())
    forged = _verify(project, files)  # what the tripwire stands for
    assert (forged.verdict, forged.tests_passed, forged.tests_failed) == ("pass", 3, 0), forged


def test_a_test_that_passes_with_fewer_assertions_is_not_counted(project: Path) -> None:
    """A test that checks each of a list's items: an edit that empties the list passes
    it with one assertion where it made three.  A test stops at its first failing
    assertion, so one that stops early and passes may have had its failure swallowed
    (code under test can silence PHPUnit's result from inside the run, as
    ``benchmarks/trust_php.py`` does from pieces no tripwire reads)."""
    parts = "    public static function parts(): array\n    {\n        return [1, 2];\n    }\n}\n"
    calc = CALC.removesuffix("}\n") + "\n" + parts
    check = (
        "    public function testParts(): void\n    {\n        self::assertIsArray(Calc::parts());\n"
        "        foreach (Calc::parts() as $p) {\n            self::assertGreaterThan(0, $p);\n"
        "        }\n    }\n}\n"
    )
    write_tree(
        project, {"src/Calc.php": calc, "tests/CalcTest.php": CALC_TEST.removesuffix("}\n") + check}
    )
    same = _verify(project, {"src/Calc.php": calc.replace("[1, 2]", "[2, 1]")})
    assert same.verdict == "pass" and same.counted, same.detail
    v = _verify(project, {"src/Calc.php": calc.replace("[1, 2]", "[]")})
    assert v.verdict == "pass" and not v.counted, v.detail
    assert "1 test passed with fewer assertions than before the edit: " in v.detail
    assert "tests/CalcTest.php::CalcTest::testParts (1, 3 before)" in v.detail, v.detail
    assert v.unrun.startswith("1 test passed with fewer assertions"), v.unrun  # the prompt warns


def test_php_vendor_bin_phpunit_is_read_too(project: Path) -> None:
    """A Composer project's own PHPUnit, started by ``php``: here a copy of the
    system's launcher in ``vendor/bin``."""
    launcher = Path(shutil.which("phpunit") or "")
    write_tree(project, {"vendor/bin/phpunit": launcher.read_text(encoding="utf-8")})
    v = _verify(project, {"src/Calc.php": BROKEN_SUB}, command="php vendor/bin/phpunit")
    assert v.verdict == "fail" and not v.weak and "testSubtracts" in v.detail, v.detail


def test_composer_test_is_read_through_its_script(project: Path) -> None:
    """``composer test`` runs composer.json's ``test`` script: PHPUnit gets our report's
    flag after ``--``, which Composer passes on to the script's command."""
    if shutil.which("composer") is None:
        pytest.skip("composer is not installed (Debian: apt-get install composer)")
    launcher = shutil.which("phpunit") or ""
    write_tree(project, {"composer.json": json.dumps({"scripts": {"test": f"@php {launcher}"}})})
    assert detect_test_command(project) == "composer test"
    v = _verify(project, {"src/Calc.php": BROKEN_SUB}, command="composer test")
    assert v.verdict == "fail" and not v.weak and "testSubtracts" in v.detail, v.detail
    ok = _verify(
        project, {"src/Calc.php": CALC.replace("$a + $b", "$b + $a")}, command="composer test"
    )
    assert ok.verdict == "pass" and not ok.weak and ok.tests_passed == 3, ok.detail


def test_a_dropped_method_is_refused() -> None:
    without_sub = CALC.replace(
        "\n    public static function sub(int $a, int $b): int\n    {\n        return $a - $b;\n    }\n",
        "",
    )
    assert "function sub" not in without_sub
    assert dropped_definitions(CALC, without_sub, "src/Calc.php") == ["Calc::sub"]
    renamed = CALC.replace("function sub(", "function subtract(")
    assert dropped_definitions(CALC, renamed, "src/Calc.php") == ["Calc::sub"]
    # a method body rewritten keeps its name
    assert dropped_definitions(CALC, CALC.replace("$a - $b", "-$b + $a"), "src/Calc.php") == []
    # an indented "function" of another language is not a method
    js = "class A {\n  m() {\n    function inner() {}\n  }\n}\n"
    assert dropped_definitions(js, js.replace("function inner() {}", ""), "a.js") == []


#: Calc with a constant, a property and a method no test reaches, and a Bag whose
#: size() no test calls either
MEMBERS = (
    CALC.replace(
        "final class Calc\n{\n",
        "final class Calc\n{\n    private const LIMIT = 100;\n\n    /** @var int[] */\n"
        "    private array $cache = [];\n\n    public function size(): int\n    {\n"
        "        return min(count($this->cache), self::LIMIT);\n    }\n\n",
    )
    + "\nfinal class Bag\n{\n    public function size(): int\n    {\n        return 0;\n    }\n}\n"
)


@pytest.mark.parametrize("mode", OVERLAY_AND_NONE)
def test_a_member_no_test_reaches_dropped_is_refused_before_phpunit_passes_it(
    project: Path, mode: dict[str, object], tmp_path: Path
) -> None:
    """Before, the guard read a PHP method by its name alone and no property or constant:
    each of these edits passed PHPUnit (3 passed), verified."""
    (project / "src/Calc.php").write_text(MEMBERS)
    ver = verifier(cache_dir=tmp_path / "cache", timeout_s=120, **mode)
    bag_size = "    public function size(): int\n    {\n        return 0;\n    }\n"
    for part, lost in (
        (bag_size, "Bag::size"),  # while Calc::size keeps the name
        ("    /** @var int[] */\n    private array $cache = [];\n", "Calc::$cache"),
        ("    private const LIMIT = 100;\n", "Calc::LIMIT"),
    ):
        start = MEMBERS.rindex(part) if lost == "Bag::size" else MEMBERS.index(part)
        edit = Edit(files={"src/Calc.php": MEMBERS[:start] + MEMBERS[start + len(part) :]})
        v = verify_edit(ver, str(project), edit, "phpunit")
        assert v.verdict == "error" and not v.counted, v.detail
        assert f"did not ask to remove: {lost} " in v.detail, v.detail
        # with the removal allowed the tests run, and pass: none reaches what went
        allowed = verify_edit(ver, str(project), edit, "phpunit", allow_removal=True)
        assert allowed.verdict == "pass" and allowed.tests_passed == 3, allowed.detail


#: PHPUnit 9.6's report and console for one class with every kind of outcome
REPORT = """\
<?xml version="1.0" encoding="UTF-8"?>
<testsuites>
  <testsuite name="/w/tests" tests="9" assertions="4" errors="3" warnings="0" failures="2" skipped="2">
    <testsuite name="App\\Tests\\CalcTest" file="/w/tests/CalcTest.php" tests="9">
      <testcase name="testAdds" class="App\\Tests\\CalcTest" classname="App.Tests.CalcTest" file="/w/tests/CalcTest.php" line="6" assertions="1"/>
      <testcase name="testFails" class="App\\Tests\\CalcTest" classname="App.Tests.CalcTest" file="/w/tests/CalcTest.php" line="7" assertions="1">
        <failure type="PHPUnit\\Framework\\ExpectationFailedException">App\\Tests\\CalcTest::testFails
Failed asserting that 3 is identical to 4.

/w/tests/CalcTest.php:7</failure>
      </testcase>
      <testcase name="testErrors" class="App\\Tests\\CalcTest" classname="App.Tests.CalcTest" file="/w/tests/CalcTest.php" line="8" assertions="0">
        <error type="RuntimeException">App\\Tests\\CalcTest::testErrors
RuntimeException: boom

/w/tests/CalcTest.php:8</error>
      </testcase>
      <testcase name="testSkipped" class="App\\Tests\\CalcTest" classname="App.Tests.CalcTest" file="/w/tests/CalcTest.php" line="9" assertions="0">
        <skipped/>
      </testcase>
      <testcase name="testIncomplete" class="App\\Tests\\CalcTest" classname="App.Tests.CalcTest" file="/w/tests/CalcTest.php" line="10" assertions="0">
        <skipped/>
      </testcase>
      <testcase name="testRisky" class="App\\Tests\\CalcTest" classname="App.Tests.CalcTest" file="/w/tests/CalcTest.php" line="11" assertions="0">
        <error type="PHPUnit\\Framework\\RiskyTestError">App\\Tests\\CalcTest::testRisky
This test did not perform any assertions

/w/tests/CalcTest.php:11</error>
      </testcase>
      <testcase name="testWarns" class="App\\Tests\\CalcTest" classname="App.Tests.CalcTest" file="/w/tests/CalcTest.php" line="12" assertions="1">
        <warning type="PHPUnit\\Framework\\Warning">App\\Tests\\CalcTest::testWarns
careful</warning>
      </testcase>
      <testsuite name="App\\Tests\\CalcTest::testPairs" tests="2">
        <testcase name="testPairs with data set #0" class="App\\Tests\\CalcTest" classname="App.Tests.CalcTest" file="/w/tests/CalcTest.php" line="13" assertions="1"/>
        <testcase name="testPairs with data set &quot;named&quot;" class="App\\Tests\\CalcTest" classname="App.Tests.CalcTest" file="/w/tests/CalcTest.php" line="13" assertions="1">
          <failure type="PHPUnit\\Framework\\ExpectationFailedException">App\\Tests\\CalcTest::testPairs with data set "named" (2, 2, 5)
Failed asserting that 4 is identical to 5.

/w/tests/CalcTest.php:13</failure>
        </testcase>
      </testsuite>
      <testsuite name="App\\Tests\\CalcTest::testBrokenProvider" tests="1">
        <testcase name="Error" assertions="0">
          <error type="PHPUnit\\Framework\\Error">Error
The data provider specified for App\\Tests\\CalcTest::testBrokenProvider is invalid.
Exception: no data
/w/tests/CalcTest.php:17</error>
        </testcase>
      </testsuite>
    </testsuite>
  </testsuite>
</testsuites>
"""
CONSOLE = """\
PHPUnit 9.6.7 by Sebastian Bergmann and contributors.

.FESIRW.FE                                                         10 / 10 (100%)

ERRORS!
Tests: 10, Assertions: 5, Errors: 2, Failures: 2, Warnings: 1, Skipped: 1, Incomplete: 1, Risky: 1.
"""


def test_every_outcome_of_the_report_and_the_printed_count(tmp_path: Path) -> None:
    (tmp_path / "phpunit.xml").write_text(REPORT, encoding="utf-8")
    report = parse_phpunit(tmp_path / "phpunit.xml", "/w")
    assert report is not None
    f = "tests/CalcTest.php::CalcTest::"
    assert report.outcomes == {
        f + "testAdds": "passed",
        f + "testFails": "failed",
        f + "testErrors": "failed",
        f + "testSkipped": "skipped",
        f + "testIncomplete": "skipped",
        f + "testRisky": "failed",  # it asserted nothing
        f + "testWarns": "passed",  # a warning fails the run only with failOnWarning
        f + "testPairs with data set #0": "passed",
        f + 'testPairs with data set "named"': "failed",
        "App\\Tests\\CalcTest::testBrokenProvider": "failed",
    }
    assert report.messages[f + "testFails"] == (
        "Failed asserting that 3 is identical to 4. (tests/CalcTest.php:7)"
    )
    assert report.messages[f + "testErrors"] == "RuntimeException: boom (tests/CalcTest.php:8)"
    assert report.broken == {
        "App\\Tests\\CalcTest::testBrokenProvider": (
            "The data provider specified for App\\Tests\\CalcTest::testBrokenProvider is "
            "invalid. (tests/CalcTest.php:17)"
        )
    }
    # (what ran less the failed, the failed: a risky test's error is not counted, as
    # PHPUnit 10 and 11 write it as passed)
    assert report.counts == (4, 4) == phpunit_printed_counts(CONSOLE)
    assert report.assertions == {  # what each passed test made
        f + "testAdds": 1,
        f + "testWarns": 1,
        f + "testPairs with data set #0": 1,
    }


def test_the_printed_counts_and_no_report(tmp_path: Path) -> None:
    assert phpunit_printed_counts("\nOK (1012 tests, 1036 assertions)\n") == (1012, 0)
    assert phpunit_printed_counts("OK (1 test, 1 assertion)\n") == (1, 0)
    ok_but = "OK, but incomplete, skipped, or risky tests!\nTests: 4, Assertions: 3, Skipped: 1.\n"
    assert phpunit_printed_counts(ok_but) == (3, 0)
    assert phpunit_printed_counts("No tests executed!\n") is None
    assert parse_phpunit(tmp_path / "missing.xml") is None
    (tmp_path / "cut.xml").write_text("<testsuites><testsuite", encoding="utf-8")
    assert parse_phpunit(tmp_path / "cut.xml") is None


def test_which_commands_run_phpunit(tmp_path: Path) -> None:
    for command in (
        "phpunit",
        "vendor/bin/phpunit --testsuite unit",
        "php vendor/bin/phpunit",
        "php -d memory_limit=-1 ./vendor/bin/phpunit tests",
        "cd app && vendor/bin/phpunit",
    ):
        plan = plan_command(command, "/o", tmp_path)
        assert plan.runner == "phpunit" and not plan.weak, command
        assert plan.reports == (("phpunit", "/o/phpunit.xml"),)
        assert plan.argv[-2:] == ("--log-junit", "/o/phpunit.xml") or plan.argv[-1].endswith(
            " --log-junit /o/phpunit.xml"
        ), plan
    for command in ("phpunit --list-tests", "php artisan test", "php -r 'echo 1;'"):
        plan = plan_command(command, "/o", tmp_path)
        assert plan.runner is None and plan.weak == WEAK_REASON, command
    scripts = {"test": "phpunit --colors=never", "both": "phpcs && phpunit", "cb": "App\\Ci::run"}
    write_tree(tmp_path, {"composer.json": json.dumps({"scripts": scripts})})
    plan = plan_command("composer test", "/o", tmp_path)
    assert plan.runner == "phpunit" and plan.argv == (
        "composer",
        "test",
        "--",
        "--log-junit",
        "/o/phpunit.xml",
    )
    assert plan_command("composer run-script both", "/o", tmp_path).runner == "phpunit"
    callback = plan_command("composer run cb", "/o", tmp_path)
    assert callback.weak == f"{WEAK_REASON} (composer script 'cb': App\\Ci::run)"
    assert plan_command("composer install", "/o", tmp_path).weak == WEAK_REASON


def test_a_php_project_is_detected(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "p", {"src/Calc.php": CALC, "tests/CalcTest.php": CALC_TEST})
    assert php_tests(root) is None  # no configuration, no Composer project
    write_tree(root, {"composer.json": "{}"})
    assert detect_test_command(root) == "phpunit tests"
    write_tree(root, {"vendor/autoload.php": "<?php\n"})
    assert detect_test_command(root) == "phpunit --bootstrap vendor/autoload.php tests"
    write_tree(root, {"phpunit.xml.dist": CONFIG})  # it names its bootstrap
    assert detect_test_command(root) == "phpunit"
    write_tree(root, {"vendor/bin/phpunit": "#!/usr/bin/env php\n"})
    assert detect_test_command(root) == "vendor/bin/phpunit"


def test_phpunits_files_are_the_tests() -> None:
    for rel in (
        "tests/CalcTest.php",
        "src/Calc/CalcTest.php",  # PHPUnit's suffix, wherever it is
        "phpunit.xml.dist",
        "phpunit.xml",
        "composer.json",
        "vendor/autoload.php",
        "vendor/composer/autoload_psr4.php",
    ):
        assert is_test_file(rel), rel
    for rel in ("src/Calc.php", "src/Latest.php", "vendor/acme/lib/autoload.php"):
        assert not is_test_file(rel), rel


def test_the_php_tripwire_reads_code_not_comments() -> None:
    text = (
        "<?php\n// register_shutdown_function is not used here\n/** @see PHPUnit\\Framework */\n"
        "# $argv\n#[Attribute]\nfinal class A { public function f() { ob_start(); } }\n"
    )
    assert php_harness_uses(text) == Counter()
    code = (
        "<?php\n$x = \\PHPUnit\\Framework\\Assert::class; ob_start('strrev'); $n = count($argv);\n"
    )
    assert sorted(php_harness_uses(code)) == [
        "PHPUnit named: \\PHPUnit\\",
        "the process's end or its output rewritten: ob_start('",
        "the report or the command line: $argv",
    ]


def test_a_comparisons_message_says_what_was_expected_and_got(tmp_path: Path) -> None:
    case = (
        '<testsuites><testsuite name="InflectorTest" file="/w/tests/InflectorTest.php">'
        '<testcase name="testTableize" class="Doctrine\\Tests\\InflectorTest" '
        'file="/w/tests/InflectorTest.php" assertions="1">'
        '<failure type="PHPUnit\\Framework\\ExpectationFailedException">'
        "Doctrine\\Tests\\InflectorTest::testTableize\n"
        "Failed asserting that two strings are identical.\n--- Expected\n+++ Actual\n@@ @@\n"
        "-'model_name'\n+'modelname'\n\n/w/tests/InflectorTest.php:25</failure>"
        "</testcase></testsuite></testsuites>"
    )
    (tmp_path / "r.xml").write_text(case, encoding="utf-8")
    report = parse_phpunit(tmp_path / "r.xml", "/w")
    assert report is not None
    assert report.messages == {
        "tests/InflectorTest.php::InflectorTest::testTableize": (
            "Failed asserting that two strings are identical: expected 'model_name', got "
            "'modelname' (tests/InflectorTest.php:25)"
        )
    }


#: the same class (without testWarns) under PHPUnit 11.5 (Debian trixie's): a risky test
#: passed, the data provider's error in no <testcase> but among the printed errors
REPORT_11 = """\
<?xml version="1.0" encoding="UTF-8"?>
<testsuites>
  <testsuite name="CLI Arguments" tests="8" assertions="4" errors="1" failures="2" skipped="2" time="0.009590">
    <testsuite name="App\\Tests\\CalcTest" file="/w/tests/CalcTest.php" tests="8" assertions="4" errors="1" failures="2" skipped="2" time="0.009590">
      <testcase name="testAdds" file="/w/tests/CalcTest.php" line="6" class="App\\Tests\\CalcTest" classname="App.Tests.CalcTest" assertions="1" time="0.002539"/>
      <testcase name="testFails" file="/w/tests/CalcTest.php" line="7" class="App\\Tests\\CalcTest" classname="App.Tests.CalcTest" assertions="1" time="0.005259">
        <failure type="PHPUnit\\Framework\\ExpectationFailedException">App\\Tests\\CalcTest::testFails
Failed asserting that 3 is identical to 4.

/w/tests/CalcTest.php:7</failure>
      </testcase>
      <testcase name="testErrors" file="/w/tests/CalcTest.php" line="8" class="App\\Tests\\CalcTest" classname="App.Tests.CalcTest" assertions="0" time="0.000394">
        <error type="RuntimeException">App\\Tests\\CalcTest::testErrors
RuntimeException: boom

/w/tests/CalcTest.php:8</error>
      </testcase>
      <testcase name="testSkipped" file="/w/tests/CalcTest.php" line="9" class="App\\Tests\\CalcTest" classname="App.Tests.CalcTest" assertions="0" time="0.000354">
        <skipped/>
      </testcase>
      <testcase name="testIncomplete" file="/w/tests/CalcTest.php" line="10" class="App\\Tests\\CalcTest" classname="App.Tests.CalcTest" assertions="0" time="0.000343">
        <skipped/>
      </testcase>
      <testcase name="testRisky" file="/w/tests/CalcTest.php" line="11" class="App\\Tests\\CalcTest" classname="App.Tests.CalcTest" assertions="0" time="0.000151"/>
      <testsuite name="App\\Tests\\CalcTest::testPairs" tests="2" assertions="2" errors="0" failures="1" skipped="0" time="0.000550">
        <testcase name="testPairs with data set #0" file="/w/tests/CalcTest.php" line="13" class="App\\Tests\\CalcTest" classname="App.Tests.CalcTest" assertions="1" time="0.000217"/>
        <testcase name="testPairs with data set &quot;named&quot;" file="/w/tests/CalcTest.php" line="13" class="App\\Tests\\CalcTest" classname="App.Tests.CalcTest" assertions="1" time="0.000333">
          <failure type="PHPUnit\\Framework\\ExpectationFailedException">App\\Tests\\CalcTest::testPairs with data set "named"
Failed asserting that 4 is identical to 5.

/w/tests/CalcTest.php:13</failure>
        </testcase>
      </testsuite>
    </testsuite>
  </testsuite>
</testsuites>
"""
CONSOLE_11 = """\
PHPUnit 11.5.19 by Sebastian Bergmann and contributors.

Runtime:       PHP 8.2.36

.FESIR.F                                                            8 / 8 (100%)

Time: 00:00.021, Memory: 8.00 MB

There was 1 PHPUnit error:

1) App\\Tests\\CalcTest::testBrokenProvider
The data provider specified for App\\Tests\\CalcTest::testBrokenProvider is invalid
no data

/w/tests/CalcTest.php:16

--

There was 1 error:

1) App\\Tests\\CalcTest::testErrors
RuntimeException: boom

/w/tests/CalcTest.php:8

--

There were 2 failures:

1) App\\Tests\\CalcTest::testFails
Failed asserting that 3 is identical to 4.

/w/tests/CalcTest.php:7

2) App\\Tests\\CalcTest::testPairs with data set "named" (2, 2, 5)
Failed asserting that 4 is identical to 5.

/w/tests/CalcTest.php:13

--

There was 1 risky test:

1) App\\Tests\\CalcTest::testRisky
This test did not perform any assertions

/w/tests/CalcTest.php:11

ERRORS!
Tests: 8, Assertions: 4, Errors: 2, Failures: 2, PHPUnit Deprecations: 2, Skipped: 1, Incomplete: 1, Risky: 1.
"""


def test_phpunit_11s_report_and_count(tmp_path: Path) -> None:
    (tmp_path / "phpunit.xml").write_text(REPORT_11, encoding="utf-8")
    report = parse_phpunit(tmp_path / "phpunit.xml", "/w")
    assert report is not None
    f = "tests/CalcTest.php::CalcTest::"
    assert report.outcomes == {
        f + "testAdds": "passed",
        f + "testFails": "failed",
        f + "testErrors": "failed",
        f + "testSkipped": "skipped",
        f + "testIncomplete": "skipped",
        f + "testRisky": "passed",  # PHPUnit 11 writes no error for it
        f + "testPairs with data set #0": "passed",
        f + 'testPairs with data set "named"': "failed",
    }  # (testBrokenProvider: no <testcase>; its tests no longer ran)
    assert report.broken == {}
    # Errors: 2 counts the data provider's "PHPUnit error", which is no test's
    assert report.counts == (3, 3) == phpunit_printed_counts(CONSOLE_11)
    # the run's output beside the report names the method that could not run
    (tmp_path / "output.log").write_text(CONSOLE_11, encoding="utf-8")
    with_output = parse_phpunit(tmp_path / "phpunit.xml", "/w")
    assert with_output is not None
    assert with_output.broken == {
        "App\\Tests\\CalcTest::testBrokenProvider": (
            "The data provider specified for App\\Tests\\CalcTest::testBrokenProvider is "
            "invalid: no data (tests/CalcTest.php:16)"
        )
    }
    assert with_output.counts == report.counts  # (it is in no count of the report's)
