"""PHP's changed lines: which of them the tests ran, from the pcov extension in every php
of the run (``lines_phpcov``).

Before, a pass of ``phpunit`` (or of a plain ``php tests/run.php``) after an edit that
broke a function no test calls was counted, with only "which lines of src/Calc.php the
tests ran is not known: PHP is not measured line by line" said.  Needs php, phpunit and
pcov (Debian: ``apt-get install php-cli phpunit php-pcov``)."""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import attrs
import pytest
from acrouter.domain import Verdict
from acrouter.verifier.lines_opened import blind_sentence
from acrouter.verifier.lines_phpcov import (
    RESET,
    code_lines,
    cover_env,
    loading_lines,
    read_phpcov,
)
from acrouter.verifier.lines_run import asked, suspect, traced_spec, untraced
from acrouter.verifier.runtypes import RunOutcome, RunSpec

from .helpers import MODES, OVERLAY_AND_NONE, verify_files, write_tree
from .test_phpunit import BOOTSTRAP
from .test_phpunit import CONFIG as PHPUNIT_CONFIG

CALC = """\
<?php
declare(strict_types=1);

namespace App;

/**
 * Adds.
 */
final class Calc
{
    // adds
    public static function add(int $a, int $b): int
    {
        return $a + $b;
    }

    public static function never(int $x): int
    {
        $y = $x * 2;
        return $y;
    }
}
"""
#: ``never``'s first line, which no test runs
NEVER_LINE = CALC.split("\n").index("        $y = $x * 2;") + 1
NEVER_BROKEN = CALC.replace("$y = $x * 2;", "$y = $x * 3;")
ADD_SWAPPED = CALC.replace("return $a + $b;", "return $b + $a;")
ADD_BROKEN = CALC.replace("return $a + $b;", "return $a - $b;")
RUN = """\
<?php
require __DIR__ . '/../src/Calc.php';
if (\\App\\Calc::add(2, 3) !== 5) {
    echo "not ok: add\\n";
    exit(1);
}
echo "ok\\n";
"""
CALC_TEST = """\
<?php
use PHPUnit\\Framework\\TestCase;

final class CalcTest extends TestCase
{
    public function testAdds(): void
    {
        self::assertSame(5, \\App\\Calc::add(2, 3));
    }
}
"""
#: the configuration, with a coverage filter (its reports only with ``--coverage-*``)
CONFIG = PHPUNIT_CONFIG.replace(
    "</phpunit>",
    '    <coverage><include><directory suffix=".php">src</directory></include></coverage>\n'
    "</phpunit>",
)
RUN_COMMAND = "php tests/run.php"


@pytest.fixture
def php() -> None:
    if shutil.which("php") is None:
        pytest.skip("php is not installed (Debian: apt-get install php-cli)")


@pytest.fixture
def pcov(php: None) -> None:
    loaded = subprocess.run(["php", "-m"], capture_output=True, text=True, check=False).stdout
    if "pcov" not in loaded.split():
        pytest.skip("php-pcov is not installed (Debian: apt-get install php-pcov)")


@pytest.fixture
def project(tmp_path: Path, pcov: None) -> Path:
    files = {
        "src/Calc.php": CALC,
        "tests/run.php": RUN,
        "tests/CalcTest.php": CALC_TEST,
        "tests/bootstrap.php": BOOTSTRAP,
        "phpunit.xml": CONFIG,
    }
    return write_tree(tmp_path / "calc", files)


@pytest.fixture
def phpunit() -> None:
    if shutil.which("phpunit") is None:
        pytest.skip("phpunit is not installed (Debian: apt-get install phpunit)")


def _verify(root: Path, files: dict[str, str], command: str = RUN_COMMAND, **kw: object) -> Verdict:
    kw.setdefault("timeout_s", 120)
    return verify_files(root, files, command, **kw)


@pytest.mark.parametrize("mode", MODES)
def test_a_function_no_test_calls_broken_is_not_counted(
    project: Path, mode: dict[str, object]
) -> None:
    v = _verify(project, {"src/Calc.php": NEVER_BROKEN}, **mode)
    assert v.verdict == "pass" and not v.counted, v.detail
    said = f"no test ran 1 of the 1 statements the edit changes: src/Calc.php line {NEVER_LINE}"
    assert said in v.detail, v.detail
    covered = _verify(project, {"src/Calc.php": ADD_SWAPPED}, **mode)
    assert covered.verdict == "pass" and covered.counted and not covered.unrun, covered.detail


@pytest.mark.parametrize("mode", OVERLAY_AND_NONE)
def test_phpunit_runs_are_measured(project: Path, phpunit: None, mode: dict[str, object]) -> None:
    v = _verify(project, {"src/Calc.php": NEVER_BROKEN}, command="phpunit", **mode)
    assert v.verdict == "pass" and not v.counted, v.detail
    assert f"src/Calc.php line {NEVER_LINE}" in v.detail, v.detail
    ran = _verify(project, {"src/Calc.php": ADD_SWAPPED}, command="phpunit", **mode)
    assert ran.verdict == "pass" and ran.counted and not ran.unrun, ran.detail
    broken = _verify(project, {"src/Calc.php": ADD_BROKEN}, command="phpunit", **mode)
    assert broken.verdict == "fail" and broken.counted, broken.detail
    assert "CalcTest::testAdds" in broken.detail, broken.detail


def test_a_test_phpunit_runs_in_a_process_of_its_own_is_measured(
    project: Path, phpunit: None
) -> None:
    """``@runInSeparateProcess``: the php PHPUnit starts for the test reads our ini too,
    and its lines count."""
    isolated = CALC_TEST.replace(
        "    public function testAdds",
        "    /** @runInSeparateProcess */\n    public function testNever(): void\n    {\n"
        "        self::assertSame(4, \\App\\Calc::never(2));\n    }\n\n"
        "    public function testAdds",
    )
    write_tree(project, {"tests/CalcTest.php": isolated})
    v = _verify(project, {"src/Calc.php": NEVER_BROKEN.replace("* 3", "* 2 ")}, command="phpunit")
    assert v.verdict == "pass" and v.counted and not v.unrun, v.detail
    assert v.tests_passed == 2, v.detail


def test_a_comment_or_docblock_change_says_nothing_of_lines(project: Path) -> None:
    """No statement changed: the file was measured (nothing said of its opening), and
    nothing is said of its lines."""
    edited = CALC.replace(" * Adds.", " * Adds two numbers.").replace("// adds", "// a + b")
    v = _verify(project, {"src/Calc.php": edited})
    assert v.verdict == "pass" and v.counted and not v.unrun, v.detail
    assert "src/Calc.php" not in v.detail, v.detail


def test_a_file_no_php_loaded_is_left_to_the_opened_files(project: Path) -> None:
    other = CALC.replace("class Calc", "class Other")
    write_tree(project, {"src/Other.php": other})
    v = _verify(project, {"src/Other.php": other.replace("$x * 2", "$x * 3")})
    assert v.verdict == "pass" and not v.counted, v.detail
    assert "no process of the tests' run opened src/Other.php" in v.detail, v.detail


def test_a_destructor_run_as_the_process_ends_counts(project: Path) -> None:
    """An object kept until the end (a static) is destroyed after every shutdown function:
    our last write waits for it."""
    kept = CALC.replace(
        "final class Calc\n{\n",
        "final class Calc\n{\n    public static $kept;\n\n    public function __destruct()\n"
        "    {\n        $z = 1;\n    }\n\n",
    )
    write_tree(project, {"src/Calc.php": kept})
    run = RUN.replace('echo "ok', '\\App\\Calc::$kept = new \\App\\Calc();\necho "ok')
    write_tree(project, {"tests/run.php": run})
    v = _verify(project, {"src/Calc.php": kept.replace("$z = 1;", "$z = 2;")})
    assert v.verdict == "pass" and v.counted and not v.unrun, v.detail


def test_without_pcov_the_file_is_not_measured_and_said_so(project: Path) -> None:
    """pcov off (as when php-pcov is not installed: see
    :func:`test_a_php_without_pcov_writes_nothing`): nothing is measured, the pass is
    counted and says why."""
    v = _verify(
        project, {"src/Calc.php": NEVER_BROKEN}, command="php -d pcov.enabled=0 tests/run.php"
    )
    assert v.verdict == "pass" and v.counted, v.detail
    assert (
        "which lines of src/Calc.php the tests ran is not known: no php of the run reported "
        "which of its lines ran (PHP is measured with the pcov extension" in v.detail
    ), v.detail
    assert "no test ran" not in v.detail, v.detail


def test_a_process_killed_before_it_wrote_says_nothing_did_not_run(project: Path) -> None:
    """A php the tests start ran ``never`` and was killed: what it ran is not known, so
    no changed line is said not to have run."""
    child = (
        "<?php\nrequire __DIR__ . '/../src/Calc.php';\n\\App\\Calc::never(2);\n"
        "posix_kill(posix_getpid(), 9);\n"
    )
    run = RUN.replace('echo "ok', "passthru(PHP_BINARY . ' ' . __DIR__ . '/child.php');\necho \"ok")
    write_tree(project, {"tests/child.php": child, "tests/run.php": run})
    v = _verify(project, {"src/Calc.php": NEVER_BROKEN})
    assert v.verdict == "pass" and v.counted, v.detail
    assert "a test process ended before it wrote the lines it ran" in v.detail, v.detail
    assert "no test ran" not in v.detail, v.detail


def test_phpunits_own_coverage_makes_the_lines_not_known(project: Path, phpunit: None) -> None:
    """``--coverage-text``: PHPUnit starts, stops and clears pcov around each test, so
    what ran is gone from its record: not known, never "did not run"."""
    command = "phpunit --coverage-text"
    v = _verify(project, {"src/Calc.php": NEVER_BROKEN}, command=command)
    assert v.verdict == "pass" and v.counted, v.detail
    assert f"which lines of src/Calc.php the tests ran is not known: {RESET}" in v.detail
    assert "no test ran" not in v.detail and "only opened" not in v.detail, v.detail


def test_the_projects_own_prepend_file_still_runs(project: Path) -> None:
    """Our ini's auto_prepend_file replaces the one of the project's ini (here its own
    php.ini, ``php -c``): ours requires it, at the top level (its variables are global)."""
    files = {
        "php.ini": "auto_prepend_file = ${PWD}/tests/prepend.php\n",
        "tests/prepend.php": "<?php\n$prepended = 'yes';\n",
        "tests/run.php": RUN.replace("<?php\n", "<?php\nif ($prepended !== 'yes') exit(3);\n", 1),
    }
    write_tree(project, files)
    command = "php -c php.ini tests/run.php"
    v = _verify(project, {"src/Calc.php": NEVER_BROKEN}, command=command)
    assert v.verdict == "pass" and not v.counted, v.detail
    assert f"src/Calc.php line {NEVER_LINE}" in v.detail, v.detail
    ran = _verify(project, {"src/Calc.php": ADD_SWAPPED}, command=command)
    assert ran.verdict == "pass" and ran.counted and not ran.unrun, ran.detail


#: one of each kind of line: which of them pcov holds as executable (its -1 or 1)
KINDS = """\
<?php
declare(strict_types=1);

namespace App;

use InvalidArgumentException;

require_once __DIR__ . '/Calc.php';
define('App\\\\LIMIT', 3);

/**
 * A docblock.
 */
#[\\Attribute]
final class Kinds
{
    public const TWO = 2;
    private int $n = 0;

    public function __construct(
        private int $w = 3,
    ) {
        $this->n = $w;
    }

    // a comment
    public function run(int $x): int
    {
        if ($x < 0) {
            throw new InvalidArgumentException('negative');
        } else {
            $x++;
        }
        switch ($x) {
            case 1:
                $x = 10;
                break;
            default:
                $x = 20;
        }
        try {
            $x = intdiv($x, 1);
        } catch (\\Throwable $e) {
            $x = -1;
        }
        $y = $x
            * 2;
        return $y;
    }

    public function idle(): void
    {
        $this->n = 0;
    }
}

function helper(int $a): int
{
    return $a;
}

(new Kinds())->run(1);
"""


def _line(text: str, words: str) -> int:
    return next(n for n, line in enumerate(text.split("\n"), 1) if words in line)


def _run_php(
    tmp_path: Path, files: dict[str, str], script: str = "tests/run.php", **env: str
) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """``php <script>`` run in a workspace of ``files`` under our ini, measuring those
    under ``src/`` (``env``: the run's own variables): its out folder and how it ended."""
    ws, out = tmp_path / "ws", tmp_path / "out"
    write_tree(ws, files)
    out.mkdir()
    measured = {rel: (text, text) for rel, text in files.items() if rel.startswith("src/")}
    ours = cover_env(str(out), str(ws), measured, env)
    assert ours is not None
    done = subprocess.run(
        ["php", script],
        cwd=ws,
        env={**os.environ, **env, **ours},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return out, done


def _written(out: Path) -> list[dict[str, object]]:
    return [
        json.loads(p.read_text(encoding="utf-8")) for p in sorted(out.glob("acrouter-php-*.json"))
    ]


def test_what_pcov_holds_for_each_kind_of_line(tmp_path: Path, pcov: None) -> None:
    out, done = _run_php(tmp_path, {"src/Kinds.php": KINDS, "src/Calc.php": CALC}, "src/Kinds.php")
    assert done.returncode == 0, done.stderr
    [data] = _written(out)
    assert data["reset"] is False
    held = data["files"]["src/Kinds.php"]  # type: ignore[index]
    statements, ran = set(held["statements"]), set(held["ran"])
    at = functools.partial(_line, KINDS)
    # what runs: the top level's require, define and call, the statements of the bodies,
    # a multi-line statement's every line, a case (not default:), a catch
    code = {
        at("require_once"),
        at("define("),
        at("(new Kinds())->run(1)"),
        at("$this->n = $w;"),
        at("if ($x < 0)"),
        at("throw new"),
        at("$x++;"),
        at("case 1:"),
        at("$x = 10;"),
        at("break;"),
        at("$x = 20;"),
        at("$x = intdiv"),
        at("} catch"),
        at("$x = -1;"),
        at("$y = $x"),
        at("* 2;"),
        at("return $y;"),
        at("$this->n = 0;"),
        at("return $a;"),
    }
    # pcov's own extras: a promoted parameter's assignment at the signature, the
    # implicit return of a void function at its closing brace, the file's at its end
    extras = {
        at("public function __construct("),
        at("$this->n = $w;") + 1,
        at("$this->n = 0;") + 1,
        KINDS.count("\n") + 1,
    }
    assert statements == code | extras
    # none of: declare, namespace, use, class, const, property, function signature, brace,
    # comment, docblock, attribute, else, switch, default:, try
    assert statements & code_lines(KINDS) == code
    assert ran == {
        at("require_once"),
        at("define("),
        at("(new Kinds())->run(1)"),
        at("$this->n = $w;"),
        at("if ($x < 0)"),
        at("$x++;"),
        at("case 1:"),  # (compared, not taken)
        at("$x = 20;"),
        at("$x = intdiv"),
        at("$y = $x"),
        at("* 2;"),
        at("return $y;"),
        at("public function __construct("),
        at("$this->n = $w;") + 1,
        KINDS.count("\n") + 1,
    }, sorted(ran)
    assert loading_lines(KINDS) & code == {at("require_once"), at("define(")}


@pytest.mark.parametrize(
    ("how", "reset"),
    [("", False), ("\\pcov\\stop();", True), ("\\pcov\\clear();", True), ("exit(0);", False)],
)
def test_a_record_stopped_or_cleared_by_other_code_is_said_reset(
    tmp_path: Path, pcov: None, how: str, reset: bool
) -> None:
    """Our script's own lines tell whether other code stopped or cleared pcov; ``exit``
    in a shutdown function skips ours, not the destructor that writes last."""
    run = RUN.replace('echo "ok', f'register_shutdown_function(function () {{ {how} }});\necho "ok')
    out, done = _run_php(tmp_path, {"src/Calc.php": CALC, "tests/run.php": run})
    assert done.returncode == 0, done.stderr
    [data] = _written(out)
    assert data["reset"] is reset
    # (what ran before a clear is gone: why the changed lines are then not known)
    kept = _line(CALC, "return $a + $b;") in data["files"]["src/Calc.php"]["ran"]  # type: ignore[index]
    assert kept is ("clear" not in how)


def test_a_php_without_pcov_writes_nothing(tmp_path: Path, php: None) -> None:
    """The run's own ``PHP_INI_SCAN_DIR`` is empty (php reads no folder): ours alone is
    read, so pcov, loaded from Debian's folder, is not, as when php-pcov is not
    installed.  Our script runs, and writes nothing: the file is left to the opened
    files, which say why."""
    files = {
        "src/Calc.php": CALC,
        "tests/run.php": RUN.replace(
            "<?php\n", "<?php\necho extension_loaded('pcov') ? 'pcov' : 'none', \"\\n\";\n", 1
        ),
    }
    out, done = _run_php(tmp_path, files, PHP_INI_SCAN_DIR="")
    assert done.returncode == 0 and done.stdout == "none\nok\n", (done.stdout, done.stderr)
    assert not list(out.glob("acrouter-php-*")), list(out.iterdir())
    assert read_phpcov(out, {"src/Calc.php": (CALC, NEVER_BROKEN)}) is None
    said = blind_sentence({"src/Calc.php": True}, 3)
    assert said.startswith("which lines of src/Calc.php the tests ran is not known: no php")
    assert "pcov extension: Debian's php-pcov" in said


def test_what_each_php_wrote_is_merged(tmp_path: Path) -> None:
    files = {"src/Calc.php": (CALC, NEVER_BROKEN)}
    add, never = _line(CALC, "return $a + $b;"), NEVER_LINE
    end = CALC.count("\n") + 1
    held = [add, never, never + 1, never + 2, end]  # (the brace after never's return too)
    for pid, ran in ((1, [add, end]), (2, [end])):
        data = {"files": {"src/Calc.php": {"statements": held, "ran": ran}}, "reset": False}
        (tmp_path / f"acrouter-php-{pid}.json").write_text(json.dumps(data), encoding="utf-8")
    traced = read_phpcov(tmp_path, files)
    assert traced is not None and not traced.cut and not traced.unmeasured and not traced.unknown
    assert traced.lines["src/Calc.php"] == frozenset({add})  # (the file's end is no code)
    [change] = traced.changes
    assert change.statements == ((never, never),)
    (tmp_path / "acrouter-php-3.start").write_text("", encoding="utf-8")  # never wrote
    again = read_phpcov(tmp_path, {**files, "src/Other.php": ("<?php\n", "<?php\n1;\n")})
    assert again is not None and again.cut and again.unmeasured == {"src/Other.php"}
    # a process whose record was cleared: a changed line none held as run is not known
    cleared = {"files": {"src/Calc.php": {"statements": held, "ran": []}}, "reset": True}
    (tmp_path / "acrouter-php-4.json").write_text(json.dumps(cleared), encoding="utf-8")
    reset = read_phpcov(tmp_path, files)
    assert reset is not None and reset.unknown == {"src/Calc.php": RESET}
    assert "src/Calc.php" not in reset.lines and reset.changes == traced.changes
    # ... one some process held as run did run
    swapped = read_phpcov(tmp_path, {"src/Calc.php": (CALC, ADD_SWAPPED)})
    assert swapped is not None and not swapped.unknown
    assert swapped.lines["src/Calc.php"] == frozenset({add})
    assert read_phpcov(tmp_path / "none", files) is None


def test_the_lines_with_code_and_how_the_run_is_measured(tmp_path: Path) -> None:
    assert code_lines(CALC) == {_line(CALC, "return $a + $b;"), NEVER_LINE, NEVER_LINE + 1}
    assert code_lines("<?php\n/* one\n * two */\n$a = 1; /* x */\n/** y */ $b = 2;\n") == {4, 5}
    assert code_lines("<?php\n$files = glob($dir . '/*.php');\nreturn $files;\n") == {2, 3}
    assert code_lines("<?php\nfunction f() { return 1; }\n#[Attr]\n# note\n") == {2, 3}
    measured = {"src/Calc.php": (CALC, NEVER_BROKEN)}
    env = cover_env(str(tmp_path), "/w s", measured, {})
    folder = tmp_path / "acrouter-phpcov"
    assert env == {"PHP_INI_SCAN_DIR": f":{folder}"}  # (php's own folder, then ours)
    assert (folder / "phpcov.php").is_file()
    assert json.loads((folder / "files.json").read_text(encoding="utf-8")) == {
        "out": str(tmp_path),
        "files": [["src/Calc.php", "/w s/src/Calc.php"]],
    }
    ini = (folder / "acrouter-phpcov.ini").read_text(encoding="utf-8")
    assert f"auto_prepend_file = '{folder}/phpcov.php'" in ini
    assert "pcov.enabled = 1\npcov.directory = '/'\n" in ini
    exclude = re.search(r"pcov.exclude = '~(.*)~'", ini)
    assert exclude is not None
    pattern = re.compile(exclude.group(1))  # (PCRE and Python read it alike)
    assert not pattern.match("/w s/src/Calc.php") and not pattern.match(f"{folder}/phpcov.php")
    assert pattern.match("/w s/vendor/x.php") and pattern.match("/w sx/a.php")
    assert pattern.match("/usr/share/php/PHPUnit/Framework/TestCase.php")
    assert cover_env(str(tmp_path), "/w", measured, {"PHP_INI_SCAN_DIR": "/a"}) == {
        "PHP_INI_SCAN_DIR": f"/a:{folder}"
    }
    assert cover_env(str(tmp_path), "/w", measured, {"PHP_INI_SCAN_DIR": ""}) == {
        "PHP_INI_SCAN_DIR": str(folder)
    }
    assert cover_env("/a:b", "/w", measured, {}) is None
    assert cover_env(str(tmp_path), "/it's", measured, {}) is None
    assert cover_env(str(tmp_path), "/w", {}, {}) is None


def test_the_run_with_the_edit_is_measured_and_redone_when_suspect(tmp_path: Path) -> None:
    ask = asked({"src/Calc.php": NEVER_BROKEN, "README.md": "x"}, {"src/Calc.php": CALC})
    assert ask.php == {"src/Calc.php": (CALC, NEVER_BROKEN)}
    assert ask.opened == ("README.md", "src/Calc.php")  # (a file no php compiled: opened)
    spec = RunSpec(("php", "tests/run.php"), "/w", {"PATH": "/usr/bin"}, 60)
    traced, still = traced_spec(spec, None, str(tmp_path), "/w", ask)
    assert still is not None and still.php == ask.php
    assert traced.env["PHP_INI_SCAN_DIR"] == f":{tmp_path}/acrouter-phpcov"
    failed = RunOutcome(1, False, None, "PHP Fatal error: in ACRouter\\PhpCov\\Cov", 10, 1.0, 1)
    assert suspect(ask, failed)
    assert not suspect(ask, attrs.evolve(failed, output="Failed asserting that 4 is 5"))
    assert untraced(ask).unknown.keys() == {"src/Calc.php"}
    # a workspace our ini cannot name: not measured, only whether it was opened
    _, none = traced_spec(spec, None, str(tmp_path), "/it's", ask)
    assert none is not None and not none.php and none.opened == ask.opened
