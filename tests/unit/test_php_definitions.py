"""The guard against dropped code reads what a PHP file's classes declare
(``phpdefinitions``).

Before, the guard read a PHP method by its name alone and no class constant, property
or enum case at all: ``dropped_definitions`` of a ``Calc.php`` without ``Calc::size()``
(``Bag::size()`` kept in the same file), without a property or without a class constant
was ``[]``, and PHPUnit passed such edits, verified (tests/verifier/test_phpunit.py
shows it end to end)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from acrouter.definitions import dropped_definitions, guard
from acrouter.errors import ParseError
from acrouter.phpdefinitions import code_view, is_php, php_classes, php_members
from acrouter.verifier.cli import dropped_code, load_edit

CALC_PHP = """\
<html><?php if ($debug) { ?><b>{</b><?php } ?>
<?php
namespace App;

use Foo\\Bar;

const VERSION = "1.0", CODES = [1, 2];
define('LIMIT', 10);

if (!function_exists('helper')) {
    function helper($a, $b) {
        return $a + $b;
    }
}

#[Immutable(1)]
final readonly class Point {
    public function __construct(public int $x) {}
}

trait Sized {
    abstract protected function &refs(array $a = [1, 2]);
}

enum Suit: string {
    case Hearts = 'H';
    case Spades = 'S';
    public function label(): string { return ucfirst($this->value); }
}

class Calc extends Base {
    use Sized, \\Other\\Logs { Sized::refs insteadof Logs; }
    const LIMIT = 10, MAX = 20;
    private int $total = 0;
    public static ?array $cache = null, $other;
    protected $rules = [
        'a' => 1, // a comment's } brace
        "b{$x["c"]}" => <<<EOT
          class Fake { function notCode() {} }
          EOT,
    ];
    #[Pure]
    public function add(int $a): int { return $a; }
    public function size(): int {
        $f = function () { return new class { public function inner() {} }; };
        /* function commented() {} */
        return 1;
    }
}

class Bag {
    public function size(): int { return 2; }
}
?>
<p>function html() {}</p>
"""
BAG_SIZE = "    public function size(): int { return 2; }\n"


def _without(text: str, part: str) -> str:
    assert part in text
    return text.replace(part, "", 1)


def test_what_a_php_file_declares_is_read_with_its_class() -> None:
    read = [(m.owner, m.name, m.kind) for m in php_members(CALC_PHP)]
    assert read == [
        ("", "VERSION", "variable"),
        ("", "CODES", "variable"),
        ("", "LIMIT", "variable"),
        ("", "helper", "method"),  # (in the top level's if block)
        ("", "Point", "type"),
        ("Point", "__construct", "method"),
        ("Point", "$x", "variable"),  # (a property its constructor promotes)
        ("", "Sized", "type"),
        ("Sized", "refs", "method"),
        ("", "Suit", "type"),
        ("Suit", "Hearts", "variable"),
        ("Suit", "Spades", "variable"),
        ("Suit", "label", "method"),
        ("", "Calc", "type"),
        ("Calc", "use Sized", "variable"),
        ("Calc", "use Other\\Logs", "variable"),
        ("Calc", "LIMIT", "variable"),
        ("Calc", "MAX", "variable"),
        ("Calc", "$total", "variable"),
        ("Calc", "$cache", "variable"),
        ("Calc", "$other", "variable"),
        ("Calc", "$rules", "variable"),  # (its heredoc is text)
        ("Calc", "add", "method"),
        ("Calc", "size", "method"),  # (its closure's anonymous class is its body's)
        ("", "Bag", "type"),
        ("Bag", "size", "method"),
    ]
    lines = {m.name: m.line for m in php_members(CALC_PHP)}
    source = CALC_PHP.splitlines()
    # (a declaration's line is its keyword's, after its attributes)
    assert lines["Point"] == source.index("final readonly class Point {")
    assert lines["add"] == source.index("    public function add(int $a): int { return $a; }")
    assert php_classes(CALC_PHP) == {"", "Point", "Sized", "Suit", "Calc", "Bag"}
    assert code_view(CALC_PHP)[0] == " if ($debug) { ; } ;"  # (the HTML is no code)
    assert is_php("src/Calc.php") and is_php("views/a.phtml") and is_php("x", "php")
    assert not is_php("Calc.java")


def test_a_dropped_member_is_refused_by_its_class() -> None:
    path = "src/Calc.php"
    # Bag::size gone while Calc::size stays: the name is still defined in the file
    assert dropped_definitions(CALC_PHP, _without(CALC_PHP, BAG_SIZE), path) == ["Bag::size"]
    total = "    private int $total = 0;\n"
    assert dropped_definitions(CALC_PHP, _without(CALC_PHP, total), path) == ["Calc::$total"]
    cache = "public static ?array $cache = null, $other;"
    no_other = CALC_PHP.replace(cache, "public static ?array $cache = null;")
    assert dropped_definitions(CALC_PHP, no_other, path) == ["Calc::$other"]
    max_ = CALC_PHP.replace("const LIMIT = 10, MAX = 20;", "const LIMIT = 10;")
    assert dropped_definitions(CALC_PHP, max_, path) == ["Calc::MAX"]
    spades = "    case Spades = 'S';\n"
    assert dropped_definitions(CALC_PHP, _without(CALC_PHP, spades), path) == ["Suit::Spades"]
    logs = CALC_PHP.replace("use Sized, \\Other\\Logs {", "use Sized {")
    assert dropped_definitions(CALC_PHP, logs, path) == ["Calc: use Other\\Logs"]
    promoted = CALC_PHP.replace("__construct(public int $x)", "__construct(int $x)")
    assert dropped_definitions(CALC_PHP, promoted, path) == ["Point::$x"]
    point = "final readonly class Point {\n    public function __construct(public int $x) {}\n}\n"
    assert dropped_definitions(CALC_PHP, _without(CALC_PHP, point), path) == ["Point"]


def test_what_was_asked_for_moved_or_changed_is_no_loss() -> None:
    path = "Calc.php"
    no_total = _without(CALC_PHP, "    private int $total = 0;\n")
    assert dropped_definitions(CALC_PHP, no_total, path, instruction="remove total") == []
    asked = "drop the unused $total property"
    assert dropped_definitions(CALC_PHP, no_total, path, instruction=asked) == []
    no_bag_size = _without(CALC_PHP, BAG_SIZE)
    assert dropped_definitions(CALC_PHP, no_bag_size, path, instruction="remove size") == []
    moved = no_bag_size.replace("class Bag {\n", "class Bag {\n" + BAG_SIZE.replace("2", "3"))
    assert dropped_definitions(CALC_PHP, moved, path) == []
    # what a comment, a heredoc or the HTML holds changed: no code
    text = CALC_PHP.replace("commented", "x").replace("notCode", "y").replace("html()", "z()")
    assert dropped_definitions(CALC_PHP, text, path) == []
    # the class removed as asked takes its members with it
    start, end = CALC_PHP.index("class Calc extends"), CALC_PHP.index("class Bag {")
    no_calc = CALC_PHP[:start] + CALC_PHP[end:]
    assert dropped_definitions(CALC_PHP, no_calc, path, instruction="remove the Calc class") == []
    assert dropped_definitions(CALC_PHP, no_calc, path) == ["Calc"]


def test_strings_and_heredocs_that_span_lines_hold_no_code() -> None:
    text = (
        "<?php\n"
        "class Query {\n"
        "    const SQL = 'SELECT a\n"
        "        FROM t; } function notAMethod() {';\n"
        '    private $doc = <<<"HTML"\n'
        "        <?php } class NotAClass {\n"
        "        HTML;\n"
        "    public function run() { return self::SQL; }\n"
        "}\n"
    )
    read = [(m.owner, m.name, m.kind) for m in php_members(text)]
    assert read == [
        ("", "Query", "type"),
        ("Query", "SQL", "variable"),
        ("Query", "$doc", "variable"),
        ("Query", "run", "method"),
    ]


def test_acrouter_verify_and_the_editor_refuse_an_edit_that_drops_a_method(
    tmp_path: Path,
) -> None:
    (tmp_path / "ws").mkdir()
    (tmp_path / "ws/Calc.php").write_text(CALC_PHP)
    edit = {"files": {"Calc.php": _without(CALC_PHP, BAG_SIZE).replace("$a + $b", "$b + $a")}}
    (tmp_path / "drop.json").write_text(json.dumps(edit))
    assert dropped_code(str(tmp_path / "ws"), load_edit(str(tmp_path / "drop.json"))) == (
        "the edit would delete 1 definition(s), method(s) or import(s) of Calc.php that the "
        "instruction did not ask to remove: Bag::size (pass --allow-removal if the removal "
        "is meant)"
    )
    with pytest.raises(ParseError, match="did not ask to remove: Bag::size"):
        guard(
            {"Calc.php": CALC_PHP},
            {"Calc.php": _without(CALC_PHP, BAG_SIZE)},
            language_of=lambda _rel: "php",
            instruction="make helper commutative",
        )


def test_guarded_defines_blocks_names_past_ascii_and_a_halted_file() -> None:
    """WordPress's ``if (!defined('X')) define('X', …);`` and ``defined('X') or
    define(…)`` define constants as a bare ``define`` does; a bare ``{ … }`` block of the
    top level is the top level's; a name may hold any letter past ASCII; what follows
    ``__halt_compiler();`` (a PHAR's stub) is data."""
    text = (
        "<?php\n"
        "if (!defined('CRLF')) define('CRLF', \"\\r\\n\");\n"
        "if (!defined('ABSPATH'))\n"
        "    define('ABSPATH', __DIR__ . '/');\n"
        "defined('WPINC') or define('WPINC', 'wp-includes');\n"
        "!defined('DEBUG') && define('DEBUG', false);\n"
        "foo() or define('NOT_READ', 1);\n"
        "{\n"
        "    function in_block() {}\n"
        "}\n"
        "class Café { public $résumé = 1; }\n"
        "__halt_compiler(); class Data { function notCode() {} }\n"
    )
    read = [(m.owner, m.name, m.kind) for m in php_members(text)]
    assert read == [
        ("", "CRLF", "variable"),
        ("", "ABSPATH", "variable"),
        ("", "WPINC", "variable"),
        ("", "DEBUG", "variable"),
        ("", "in_block", "method"),
        ("", "Café", "type"),
        ("Café", "$résumé", "variable"),
    ]
    no_abspath = text.replace("    define('ABSPATH', __DIR__ . '/');\n", "    $x = 1;\n")
    assert dropped_definitions(text, no_abspath, "wp-config.php") == ["ABSPATH"]
