"""A parameter dropped from a PHP function or method the edit keeps is refused, as a
dropped method is: PHP ignores the arguments a user-defined function does not take, so
every caller that passes it runs as if it had not, and one dropped before others hands
each caller's arguments to the wrong parameters.

Before, an edit asked to fix a bug in ``parse($text, $encoding = 'UTF-8')`` that also
dropped ``$encoding`` passed ``acrouter verify`` on a project whose test calls
``parse(' a ')``.  A rename, a parameter added, a variadic or ``func_get_args()`` now
taking every argument, and an unused last parameter dropped are no loss."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from acrouter.definitions import dropped_definitions
from acrouter.domain import Edit
from acrouter.phpparameters import signatures
from acrouter.verifier.cli import verify_edit

from .helpers import OVERLAY_AND_NONE, verifier, write_tree

SOURCE = """\
<?php
namespace App;

class Calc
{
    public function __construct(private int $base, $log = null) {}

    public function add(int $a, int $b): int
    {
        return $a + $b + $this->base;
    }

    public function tidy($a, $unused)
    {
        return $a;
    }

    public function join(string $sep, string ...$parts): string
    {
        return implode($sep, $parts);
    }

    public function pack($a, $b): array
    {
        return compact('a', 'b');
    }

    public static function unsupported($type, $code)
    {
        return "The type '$type' is not supported ({$code}).";
    }
}

interface Runner
{
    public function run(array $opts = ['a, b'], ?int $timeout = null): void;
}

function parse(string $text, string $encoding = 'UTF-8'): string
{
    return mb_convert_encoding($text, 'UTF-8', $encoding);
}
"""


def lost(new: str, instruction: str = "Fix the bug in parse") -> list[str]:
    return dropped_definitions(SOURCE, new, "src/Calc.php", instruction=instruction)


def test_each_function_s_parameters_are_read_with_what_its_body_reads() -> None:
    sigs = {name: (s.params, s.used) for name, (_line, s) in signatures(SOURCE).items()}
    assert sigs == {
        "Calc::__construct": (("base", "log"), (True, True)),  # (an empty body: all read)
        "Calc::add": (("a", "b"), (True, True)),
        "Calc::tidy": (("a", "unused"), (True, False)),
        "Calc::join": (("sep", "...parts"), (True, True)),
        "Calc::pack": (("a", "b"), (True, True)),  # compact('a', 'b') reads them
        "Calc::unsupported": (("type", "code"), (True, True)),  # a string interpolates them
        "Runner::run": (("opts", "timeout"), (True, True)),  # a signature alone
        "parse": (("text", "encoding"), (True, True)),
    }


@pytest.mark.parametrize(
    ("before", "after", "gone"),
    [
        (
            "(string $text, string $encoding = 'UTF-8')",
            "(string $text)",
            "parameter encoding of parse",
        ),
        ("tidy($a, $unused)", "tidy($unused)", "parameter a of Calc::tidy"),
        ("string $sep, string ...$parts", "string $sep", "parameter ...parts of Calc::join"),
        (", ?int $timeout = null", "", "parameter timeout of Runner::run"),
        ("pack($a, $b)", "pack($a)", "parameter b of Calc::pack"),
        # a parameter put before one kept hands each caller's argument to the new one
        (
            "(string $text, string $encoding = 'UTF-8')",
            "(string $text, bool $strict = false, string $encoding = 'UTF-8')",
            "parameter encoding of parse (moved from 2nd to 3rd place)",
        ),
    ],
)
def test_a_parameter_gone_is_lost(before: str, after: str, gone: str) -> None:
    assert before in SOURCE
    assert lost(SOURCE.replace(before, after, 1)) == [gone]


def test_a_required_parameter_added_is_changed() -> None:
    # PHP throws ArgumentCountError at a call that passes too few arguments to a
    # function of the file: parse($text) fails once parse($text, $sep)
    required = SOURCE.replace(
        "(string $text, string $encoding = 'UTF-8')",
        "(string $text, string $encoding = 'UTF-8', ?string $sep = null)",
    ).replace("tidy($a, $unused)", "tidy($a, $unused, $limit)")
    assert lost(required) == ["parameter limit of Calc::tidy (added, required)"]
    # spelled out of a variadic it no longer takes (its loss is named), or renamed
    spelled = SOURCE.replace("string ...$parts)", "string $first, string $second)")
    assert lost(spelled) == ["parameter ...parts of Calc::join"]
    renamed = SOURCE.replace(
        "pack($a, $b): array\n    {\n        return compact('a', 'b');",
        "pack($a, $c): array\n    {\n        return compact('a', 'c');",
    )
    assert lost(renamed) == []
    assert lost(required, "Let tidy stop at a limit") == []
    # a constructor's new service (typed with a class or an interface): autowiring
    # (Symfony's, Laravel's) passes it by its type, not its place
    service = SOURCE.replace(
        "(private int $base,", "(private LoggerInterface $logger, private int $base,"
    )
    assert lost(service) == []
    scalar = SOURCE.replace("(private int $base,", "(int $scale, private int $base,")
    assert lost(scalar) == [
        "parameter base of Calc::__construct (moved from 1st to 2nd place)",
        "parameter log of Calc::__construct (moved from 2nd to 3rd place)",
        "parameter scale of Calc::__construct (added, required)",
    ]


def test_what_callers_still_pass_as_before_is_no_loss() -> None:
    same = [
        SOURCE.replace(
            "add(int $a, int $b): int\n    {\n        return $a + $b",
            "add(int $x, int $y): int\n    {\n        return $x + $y",
        ),
        SOURCE.replace("tidy($a, $unused)", "tidy($a)"),
        SOURCE.replace(
            "pack($a, $b): array\n    {\n        return compact('a', 'b');",
            "pack(...$ab): array\n    {\n        return $ab;",
        ),
        SOURCE.replace(
            "tidy($a, $unused)\n    {\n        return $a;",
            "tidy()\n    {\n        return func_get_args()[0];",
        ),
        SOURCE.replace(
            "string $encoding = 'UTF-8')", "string $encoding = 'UTF-8', bool $strict = false)"
        ),
    ]
    for new in same:
        assert lost(new) == [], new
    assert (
        lost(
            SOURCE.replace("(string $text, string $encoding = 'UTF-8')", "(string $text)"),
            "Remove the encoding parameter",
        )
        == []
    )


READER = """\
<?php
function parse($text, $encoding = 'UTF-8')
{
    return $encoding === 'UTF-8' ? ltrim($text) : ltrim(strtolower($text));
}
"""
TEST = """\
<?php
require __DIR__ . '/../src/reader.php';
if (parse(' a ') !== 'a') {
    fwrite(STDERR, "parse(' a ') is not 'a'\\n");
    exit(1);
}
echo "ok\\n";
"""


@pytest.mark.skipif(
    shutil.which("php") is None, reason="php is not installed (Debian: apt-get install php-cli)"
)
@pytest.mark.parametrize("mode", OVERLAY_AND_NONE)
def test_acrouter_verify_refuses_the_dropped_parameter_before_the_tests_pass_it(
    tmp_path: Path, mode: dict[str, object]
) -> None:
    root = write_tree(tmp_path / "ws", {"src/reader.php": READER, "tests/run.php": TEST})
    ver = verifier(cache_dir=tmp_path / "cache", **mode)
    command = "php tests/run.php"
    dropped = READER.replace("($text, $encoding = 'UTF-8')", "($text)").replace(
        "$encoding === 'UTF-8' ? ltrim($text) : ltrim(strtolower($text))", "trim($text)"
    )
    edit = Edit(files={"src/reader.php": dropped})
    v = verify_edit(ver, str(root), edit, command)
    assert v.verdict == "error" and not v.counted, v.detail
    assert (
        "delete 1 parameter(s) of src/reader.php that the instruction did not ask to remove: "
        "encoding of parse" in v.detail
    )
    # the tests cannot tell: with the removal allowed they run, and pass
    allowed = verify_edit(ver, str(root), edit, command, allow_removal=True)
    assert allowed.verdict == "pass", allowed.detail


def test_a_function_of_any_length_is_compared() -> None:
    """Found by ``benchmarks/php_parameters.py`` on /usr/share/php: a function whose body
    ran past 400 lines (phpunit's ``Builder::fromParameters``) was never compared."""
    body = "".join(f"    $x{i} = {i};\n" for i in range(450))
    old = "<?php\nfunction big($a, $b)\n{\n" + body + "    return $a + $b;\n}\n"
    new = old.replace("big($a, $b)", "big($a)")
    assert dropped_definitions(old, new, "big.php", instruction="Fix the bug") == [
        "parameter b of big"
    ]
