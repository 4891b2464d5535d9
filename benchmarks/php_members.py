"""How well the guard against dropped code reads what a PHP file declares, against
nikic/PHP-Parser's syntax tree of the same file.

The guard (``acrouter.phpdefinitions.php_members``) reads a file's classes, interfaces,
traits and enums, its functions, constants and ``define()`` calls, at the top level (in
namespaces and top-level ``if``/``try``/loop blocks too), and the methods, constants,
properties (those its constructor promotes too), enum cases and used traits of each
class body, from its lines with brackets counted.  This compares, file by file, what it reads with the same declarations of
PHP-Parser's tree, each with the class that holds it:

- read but not parsed: something the guard would report as dropped if it went, though
  the parser sees no such declaration there (a false refusal waiting to happen);
- parsed but not read: a declaration the guard does not protect.

The parser is PHP-Parser 4 as Debian packages it (``apt-get install php-parser``, which
brings PHP's command line), run by ``--php`` on the files, its PHP 7/8 grammar::

    .venv/bin/python benchmarks/php_members.py --sources /usr/share/php

(Debian's PHP libraries, ``/usr/share/php``, are a corpus).  It prints the counts and
the first differences, and exits 0; files the parser cannot parse (a syntax error, or
syntax newer than PHP 8.2) are left out, and counted.
"""

from __future__ import annotations

import argparse
import subprocess
from pathlib import Path

from acrouter.phpdefinitions import php_members
from members_report import compare_members, parsed_rows

#: where Debian's php-parser package puts PHP-Parser's autoloader
AUTOLOAD = Path("/usr/share/php/PhpParser/autoload.php")

#: the declarations of each file named on standard input, a JSON line per file:
#: [[owner, name, kind], ...], or null when the file does not parse; its argument is
#: PHP-Parser's autoload.php.  Top-level places are the file's top level, namespaces and
#: the bodies of top-level control statements (PHP-Parser 4 flattens a bare ``{ }`` block
#: into the statements around it); nothing in a function's, method's or closure's body,
#: and no anonymous class, is read
PARSER = r"""<?php
ini_set('display_errors', 'stderr');
require $argv[1];

use PhpParser\Node;
use PhpParser\Node\Stmt;
use PhpParser\ParserFactory;

function unslashed(string $name): string {
    return strncmp($name, '\\', 1) === 0 ? substr($name, 1) : $name;
}

function members(Stmt\ClassLike $class, string $owner, array &$out): void {
    foreach ($class->stmts as $s) {
        if ($s instanceof Stmt\ClassMethod) {
            $out[] = [$owner, $s->name->toString(), 'method'];
            if ($s->name->toLowerString() === '__construct') {
                foreach ($s->params as $p) {  // a promoted property
                    if ($p->flags !== 0 && $p->var instanceof Node\Expr\Variable) {
                        $out[] = [$owner, '$' . $p->var->name, 'variable'];
                    }
                }
            }
        } elseif ($s instanceof Stmt\ClassConst) {
            foreach ($s->consts as $c) {
                $out[] = [$owner, $c->name->toString(), 'variable'];
            }
        } elseif ($s instanceof Stmt\Property) {
            foreach ($s->props as $p) {
                $out[] = [$owner, '$' . $p->name->toString(), 'variable'];
            }
        } elseif ($s instanceof Stmt\EnumCase) {
            $out[] = [$owner, $s->name->toString(), 'variable'];
        } elseif ($s instanceof Stmt\TraitUse) {
            foreach ($s->traits as $t) {
                $out[] = [$owner, 'use ' . unslashed($t->toCodeString()), 'variable'];
            }
        }
    }
}

function is_call(Node $expr, string $name): bool {
    return $expr instanceof Node\Expr\FuncCall && $expr->name instanceof Node\Name
        && strtolower($expr->name->toString()) === $name;
}

// a define() call, alone or after "defined('X') or" ("||", "!defined('X') and", "&&")
function defined_call(Node $expr): ?Node\Expr\FuncCall {
    while ($expr instanceof Node\Expr\BinaryOp\BooleanOr || $expr instanceof Node\Expr\BinaryOp\LogicalOr
        || $expr instanceof Node\Expr\BinaryOp\BooleanAnd || $expr instanceof Node\Expr\BinaryOp\LogicalAnd) {
        $left = $expr->left instanceof Node\Expr\BooleanNot ? $expr->left->expr : $expr->left;
        if (!is_call($left, 'defined')) {
            return null;
        }
        $expr = $expr->right;
    }
    return is_call($expr, 'define') ? $expr : null;
}

function top(?array $stmts, array &$out): void {
    foreach ($stmts ?? [] as $s) {
        if ($s instanceof Stmt\Namespace_ || $s instanceof Stmt\Declare_
            || $s instanceof Stmt\While_ || $s instanceof Stmt\Do_
            || $s instanceof Stmt\For_ || $s instanceof Stmt\Foreach_
            || (class_exists(Stmt\Block::class) && $s instanceof Stmt\Block)) {
            top($s->stmts, $out);
        } elseif ($s instanceof Stmt\If_) {
            top($s->stmts, $out);
            foreach ($s->elseifs as $e) {
                top($e->stmts, $out);
            }
            top($s->else ? $s->else->stmts : null, $out);
        } elseif ($s instanceof Stmt\TryCatch) {
            top($s->stmts, $out);
            foreach ($s->catches as $c) {
                top($c->stmts, $out);
            }
            top($s->finally ? $s->finally->stmts : null, $out);
        } elseif ($s instanceof Stmt\Switch_) {
            foreach ($s->cases as $c) {
                top($c->stmts, $out);
            }
        } elseif ($s instanceof Stmt\Function_) {
            $out[] = ['', $s->name->toString(), 'method'];
        } elseif ($s instanceof Stmt\ClassLike) {
            if ($s->name !== null) {
                $name = $s->name->toString();
                $out[] = ['', $name, 'type'];
                members($s, $name, $out);
            }
        } elseif ($s instanceof Stmt\Const_) {
            foreach ($s->consts as $c) {
                $out[] = ['', $c->name->toString(), 'variable'];
            }
        } elseif ($s instanceof Stmt\Expression && ($call = defined_call($s->expr)) !== null) {
            $first = $call->args[0] ?? null;
            if ($first instanceof Node\Arg && $first->name === null && !$first->unpack
                && $first->value instanceof Node\Scalar\String_) {
                $out[] = ['', $first->value->value, 'variable'];
            }
        }
    }
}

$factory = new ParserFactory();
$parser = method_exists($factory, 'createForNewestSupportedVersion')
    ? $factory->createForNewestSupportedVersion()  // PHP-Parser 4.18 and 5
    : $factory->create(ParserFactory::ONLY_PHP7);
while (($path = fgets(STDIN)) !== false) {
    $path = rtrim($path, "\n");
    try {
        $code = file_get_contents($path);
        $stmts = $code === false ? null : $parser->parse($code);
    } catch (PhpParser\Error $e) {
        $stmts = null;
    } catch (Throwable $e) {
        fwrite(STDERR, "$path: " . get_class($e) . ': ' . $e->getMessage() . "\n");
        $stmts = null;
    }
    if ($stmts === null) {
        echo "null\n";
        continue;
    }
    $out = [];
    top($stmts, $out);
    echo json_encode($out, JSON_INVALID_UTF8_SUBSTITUTE | JSON_UNESCAPED_SLASHES), "\n";
}
"""


def _parsed(
    files: list[Path], php: str = "php", autoload: Path = AUTOLOAD
) -> list[list[tuple[str, str, str]] | None]:
    return parsed_rows(php, PARSER, ".php", files, args=[str(autoload)])


def compare(sources: Path, php: str = "php", autoload: Path = AUTOLOAD, show: int = 25) -> int:
    return compare_members(
        sources,
        ".php",
        lambda files: _parsed(files, php, autoload),
        php_members,
        judge="PHP-Parser",
        show=show,
        separator="::",
    )


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sources", type=Path, required=True, help="a folder of PHP files")
    p.add_argument("--php", default="php", help="the PHP command line to parse with")
    p.add_argument(
        "--autoload",
        type=Path,
        default=AUTOLOAD,
        help=f"PHP-Parser 4's autoload.php (default: Debian's, {AUTOLOAD})",
    )
    p.add_argument("--show", type=int, default=25, help="differences listed of each kind")
    args = p.parse_args(argv)
    if not args.sources.is_dir():
        p.error(f"{args.sources} is not a folder")
    try:
        ran = subprocess.run(
            [args.php, "-r", "exit(0);"], capture_output=True, check=False
        ).returncode
    except OSError:
        ran = -1
    if ran != 0:
        p.error(
            f"{args.php} cannot be run: give --php PHP's command line "
            "(Debian: apt-get install php-parser, which brings it)"
        )
    if not args.autoload.is_file():
        p.error(
            f"{args.autoload} does not exist: give --autoload PHP-Parser 4's autoload.php "
            "(Debian: apt-get install php-parser)"
        )
    return compare(args.sources, args.php, args.autoload, args.show)


if __name__ == "__main__":
    raise SystemExit(main())
