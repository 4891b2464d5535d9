"""``benchmarks/php_parameters.py`` judges how the guard reads the parameters of PHP
functions and methods with edits of real files, PHP's tokenizer the oracle: checked here
on a tiny corpus of our own, whose edits (with the default seed) have each fate: a
deletion refused (a method's, an interface's, one that shifts the later parameters),
absorbed by a variadic, of a function defined twice (a branch each), of a function in a
function body, of a closure and an arrow function, of an anonymous class's method; an
unused parameter dropped from an empty body (refused by design, counted apart); edits
that do not compile (``__get`` takes exactly one parameter) skipped; a file that does not
lint and one not in UTF-8 left out."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from .helpers import script_output

FILES = {
    "a_calc.php": """\
<?php
namespace App;

class Calc
{
    public function add(int $a, int $b): int
    {
        return $a + $b;
    }

    public function tidy($a, $unused, $b)
    {
        return $a + $b;
    }

    public function handle($event) {}
}
""",
    # a function outside classes: compiled by a child of the oracle
    "b_helpers.php": """\
<?php
if (PHP_OS_FAMILY === 'Windows') {
    function pick($list, $i) { return $list[$i]; }
} else {
    function pick($list, $i) { return $list[$i] ?? null; }
}

function join_all($sep, ...$parts)
{
    return implode($sep, $parts);
}
""",
    "c_closures.php": """\
<?php
class Box
{
    public function map(array $items)
    {
        $f = function ($x) use ($items) { return $x * 2; };
        $g = fn($y) => $y + 1;
        return array_map($f, $items);
    }
}
""",
    "d_nested.php": """\
<?php
function outer($n)
{
    function inner($m) { return $m; }
    return inner($n);
}
""",
    "e_magic.php": """\
<?php
class Bag
{
    private array $data = [];

    public function __get($name)
    {
        return $this->data[$name];
    }

    public function make()
    {
        return new class {
            public function get($k) { return $k; }
        };
    }
}
""",
    "f_runner.php": """\
<?php
interface Runner
{
    public function run(array $opts, ?int $timeout = null): void;
}
""",
    "g_broken.php": "<?php\nfunction broken( {\n",
}

#: a_calc: add's and tidy's deletions refused, tidy's $unused (before $b) too, handle's
#: $event dropped from its empty body refused by design; b_helpers: pick defined twice,
#: join_all's $sep absorbed by ...$parts (no parameter added after a variadic);
#: c_closures: map's refused, the closure's and the arrow function's not compared;
#: d_nested: outer's refused, inner's in a function body; e_magic: __get() without its
#: parameter, or with a second one, does not compile, the anonymous class's get not
#: compared; f_runner: the interface's method (no body: all read) refused
#: (php -l on each edit where PHP has no OPcache: the same edits skipped)
LINTED = "edits linted with TOKEN_PARSE and opcache_compile_file() in the oracle"
EXPECTED = [
    "files read: 6 (not read: does not lint 1, not UTF-8 1)",
    LINTED,
    "edit             edits  refused  not refused  skipped",
    "deleted             12        5            7        1",
    "shifted              1        1            0        0",
    "moved               13        7            6        1",
    "added               12        0           12        1",
    "renamed             14        0           14        0",
    "unused dropped       1        1            0        0",
    "typed               14        0           14        0",
    (
        "deleted not refused: 1 absorbed (a variadic or func_get_args()), 2 of a function"
        " defined twice, 1 in a function body, 2 of a closure or arrow function, 1 of an "
        "anonymous class, 0 not listed by the guard, 0 missed"
    ),
    (
        "shifted not refused: 0 absorbed (a variadic or func_get_args()), 0 of a function"
        " defined twice, 0 in a function body, 0 of a closure or arrow function, 0 of an "
        "anonymous class, 0 not listed by the guard, 0 missed"
    ),
    (
        "moved not refused: 0 absorbed (a variadic or func_get_args()), 2 of a function "
        "defined twice, 1 in a function body, 2 of a closure or arrow function, 1 of an "
        "anonymous class, 0 not listed by the guard, 0 missed"
    ),
    "refused although not compared by design: 0",
    "unused dropped refused from an empty body (read as all used, by design): 1",
]


def test_the_edits_are_judged(tmp_path: Path) -> None:
    if shutil.which("php") is None:
        pytest.skip("php is not installed (Debian: apt-get install php-cli)")
    src = tmp_path / "src"
    src.mkdir()
    for name, text in FILES.items():
        (src / name).write_text(text)
    (src / "h_latin1.php").write_bytes(b"<?php\n// caf\xe9\nfunction cafe($x) { return $x; }\n")
    (src / "skipped").mkdir()
    (src / "skipped" / "z.php").write_text("<?php\nfunction z($a) { return $a; }\n")
    args = (str(src), "--exclude", "skipped")
    out = script_output("php_parameters.py", *args).splitlines()
    if out[1] == "edits linted with TOKEN_PARSE in the oracle, then php -l on each":
        out[1] = LINTED
    assert out[:15] == EXPECTED
    assert out[15].startswith("command: ") and out[15].endswith(" ".join(args))
    assert len(out) == 16
