"""``benchmarks/php_members.py`` compares what the guard reads in PHP files with what
nikic/PHP-Parser finds in them: checked here on a small folder of our own."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from .helpers import script_output

AUTOLOAD = Path("/usr/share/php/PhpParser/autoload.php")

CART = """\
<?php
namespace App;

const LIMIT = 10, DEPTH = 2;
\\define('APP_ROOT', __DIR__);
// a define in an if without braces
if (!defined('APP_DEBUG')) define('APP_DEBUG', false);

if (!function_exists('App\\\\helper')) {
    function helper(): int { return 1; }
}

final class Cart
{
    use Sized, \\App\\Traits\\Loggable { log as protected; }

    public const EMPTY = 0;
    private int $total = 0;
    private $a, $b;

    public function __construct(private array $items = []) {}

    public function add(int $n): void
    {
        $f = function () { return new class { public $hidden; }; };
        $this->total += $n;
    }
}

enum Suit: string
{
    case Hearts = 'H';
}

// a class on one line
class Tiny { public $x; }
"""

#: PHP-Parser's rows of CART: LIMIT, DEPTH, APP_ROOT, APP_DEBUG, helper, Cart, use Sized,
#: use App\Traits\Loggable, EMPTY, $total, $a, $b, __construct, add, Suit, Hearts,
#: $items (promoted by the constructor), Tiny, $x (not $hidden, in an anonymous class)
PARSED = 19

#: the guard reads all of CART as PHP-Parser does (the braceless if's define too)
EXPECTED = [
    "files compared: 1 (PHP-Parser could not parse 1)",
    f"declarations read by the guard: {PARSED}; parsed by PHP-Parser: {PARSED}",
    "by name, as the guard counts them (a file's declarations of a name together):",
    "read but not parsed (false refusals waiting to happen): 0",
    "parsed but not read (not protected): 0",
    "by the class that holds each (how a loss is named):",
    "read but not parsed (false refusals waiting to happen): 0",
    "parsed but not read (declarations the guard does not protect): 0",
]


def test_the_reading_is_compared_with_php_parser(tmp_path: Path) -> None:
    if shutil.which("php") is None or not AUTOLOAD.is_file():
        pytest.skip(
            f"php or PHP-Parser ({AUTOLOAD}) is not installed (Debian: apt-get install php-parser)"
        )
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "cart.php").write_text(CART)
    (tmp_path / "src" / "broken.php").write_text(
        "<?php\nclass Broken {\n    public function x( {\n}\n"
    )
    out = script_output("php_members.py", "--sources", str(tmp_path / "src"))
    lines = [line.strip() for line in out.splitlines()]
    # PHP-Parser's side, whatever the guard reads
    assert lines[0] == "files compared: 1 (PHP-Parser could not parse 1)"
    assert lines[1].endswith(f"; parsed by PHP-Parser: {PARSED}")
    assert lines == EXPECTED
