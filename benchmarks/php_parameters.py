"""How the guard reads the parameters of PHP functions and methods
(``acrouter.phpparameters``), judged on real files: a parameter deleted from a function
the edit keeps, or moved by one put before it, must be refused, and an edit that keeps
what callers can pass must never be.

For every ``.php`` file under the folders given (in sorted path order, at most 300 KB,
UTF-8; ``--max`` files in all, default 2000; a path with a part named by ``--exclude``
is left out), PHP's own tokenizer is the oracle: a PHP script this one writes to a
temporary folder (run by ``--php``, default ``php``, one process for each batch of 50
files, JSON lines in and out) tokenizes each file with ``PhpToken::tokenize(…,
TOKEN_PARSE)``; a file that does not lint is left out (counted).  It lists each
``function NAME(`` (with the class, interface, trait or enum whose braces hold it, by
brace depth; an anonymous class's ``new class … {`` too), each closure ``function (`` and
arrow function ``fn (``, with its parameters (each one's span from its first token --
an attribute ``#[…]``, a modifier -- to its last, its comma, its type's span, whether it
is variadic or promoted: ``private int $x``), its body (the tokens between its braces;
an arrow function's expression; none for an abstract or interface method) and, for
each parameter, whether the body references it: a ``T_VARIABLE`` ``$name``, a
``"${name}"`` in a string, or a string ``'name'`` in a ``compact(…)`` call.  Up to 3
functions with a parameter are drawn at random (``--seed``, default 0), and each is
edited by slicing its bytes at the offsets the tokens give.  Each edit is judged by
``definitions.dropped_definitions(old, new, rel, instruction="Fix the bug")`` inside
``pytrees.shared_trees()`` (``rel``: the path under its folder):

- to be refused: ``deleted``, one parameter the function needs deleted with its comma:
  one its body references, a promoted one (a property), or any of a function without a
  body (an interface's, an abstract one: what callers pass is the contract); and
  ``shifted``, one no body references deleted when a later one is kept (each caller's
  later arguments go to the wrong parameters).  The guard must report ``parameter NAME
  of FUNCTION`` (``NAME`` without its ``$``, ``...NAME`` for a variadic; ``FUNCTION`` as
  ``Calc::add``, or ``parse`` at the top level).  Also to be refused: ``moved``, a new
  ``$extra = null`` put before the first parameter (of any function without a parameter
  ``$extra``; before a required one PHP takes it for required, with a deprecation
  notice, and compiles the file), reported as ``parameter NAME of FUNCTION (moved from
  1st to 2nd place)`` for that first one (the lines for the later ones are not looked
  at);
- never to be refused (any loss the guard reports is a false refusal): ``added``, a new
  last parameter ``$extra = null`` (not where a variadic is last); ``renamed``, one
  parameter renamed ``$NAME_renamed`` in every ``T_VARIABLE`` of the parameter list and
  the body (not a promoted one, nor where the body has ``compact``, ``extract``,
  ``get_defined_vars``, ``parse_str``, ``func_get_args``/``func_get_arg``/
  ``func_num_args``, ``$$``/``${``, ``eval``, ``include``/``require`` or ``global``: a
  name held in a string); ``unused dropped``, the last parameter deleted when nothing
  references it and it is not promoted (where the function has a body); ``typed``, one
  parameter's type removed, or ``mixed`` given to one without.

A deletion or a move the guard does not refuse is a miss, but for these, by design
(counted by reason, in this order): one of a ``closure`` or an arrow function; a method of an
``anonymous class``; a function ``in a function body`` (nested in a function's,
a method's or a closure's body, a method of a class declared there); one ``defined
twice`` in the file by that name (``Calc::add``, ``parse``); one ``absorbed`` (another
parameter is variadic, or the body calls ``func_get_args()``, ``func_get_arg()`` or
``func_num_args()``: the function still takes every argument; not for a move, which
still hands each argument to another parameter); one ``not listed`` (the
function is not in ``phpparameters.signatures(old)``: ``phpdefinitions.php_members`` does
not list it, or its signature is not read; shown apart: what the guard does not
protect).  An ``unused dropped`` edit of a function whose body is empty (``{}``) that
the guard refuses is counted apart too: it reads the parameters of an empty body as read,
by design.

An edit whose new text does not lint is skipped (counted).  The lint is what ``php -l``
checks: ``TOKEN_PARSE`` (a syntax error) and ``opcache_compile_file()`` in the same
oracle process, a batch's edits in one request (the file compiled, not run: a
compile-time error such as a magic method's arity, a parameter defined twice or a
readonly promoted property without a type).  Compiling binds the functions a file
declares outside classes in the process that compiles it, so such a file (and each of
its edits) is compiled in a forked child.  Where PHP has no OPcache, or with ``--lint
php-l``, ``php -l`` is run on each edit that tokenizes instead (slower; on 4,779 edits of
``/usr/share/php`` and Debian's packages of Laravel the two agreed on every one, 20 not
linting).  Prints one row an edit kind, how the edits to be refused that were not
divide, and the first false refusals, misses and functions not listed, with file:line and
the guard's message; then the command line.

    .venv/bin/python benchmarks/php_parameters.py /usr/share/php

Reads the folders given, writes nothing there (the oracle and the edits go to a
temporary folder, removed at the end).
"""

from __future__ import annotations

import argparse
import json
import random
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "server"))

from acrouter.definitions import dropped_definitions
from acrouter.phpparameters import signatures
from acrouter.pytrees import shared_trees
from bench_sources import read_sources, source_arguments, unread_line, utf8_bytes

INSTRUCTION = "Fix the bug"
KINDS = ("deleted", "shifted", "moved", "added", "renamed", "unused dropped", "typed")
REFUSED = ("deleted", "shifted", "moved")
#: why a deletion may go unrefused by design, in the order they are looked for
WHYS = (
    "closure",
    "anonymous class",
    "in a function body",
    "defined twice",
    "absorbed",
    "not listed",
)
ALL_ARGUMENTS = {"func_get_args", "func_get_arg", "func_num_args"}
BATCH = 50

#: the oracle: reads JSON requests, a line each, from standard input, and answers each
#: with a JSON line: {"files": [path, …]} -> {"files": [{"functions": […]} or
#: {"error": why}, …]}; {"lint": [path, …]} -> {"lint": [whether each compiles, …]}
ORACLE = r"""<?php
namespace PhpParametersOracle;  // (its functions' names are the files' to declare)

use PhpToken;
use Throwable;

ini_set('memory_limit', '2G');
ini_set('display_errors', '0');
ini_set('log_errors', '0');
error_reporting(0);

const OPENERS = [40 => 1, 91 => 1, 123 => 1];  // ( [ {
// what a body calls that takes every argument, or reads or writes variables by a name
// held in a string (a rename cannot follow it)
const ALL_ARGUMENTS = ['func_get_args' => 1, 'func_get_arg' => 1, 'func_num_args' => 1];
const BY_NAME = ['compact' => 1, 'extract' => 1, 'get_defined_vars' => 1, 'parse_str' => 1];

// what `php -l` checks: the syntax (TOKEN_PARSE throws a ParseError) and the compile,
// without running the file (opcache_compile_file() fails on a compile-time error).  A
// file that declares a function outside classes ($alone) is compiled in a child
// process: compiling binds its functions in this one, and the next file that declares
// them (the same file edited) could not be compiled
function compiles(string $path, bool $alone): bool
{
    try {
        PhpToken::tokenize(file_get_contents($path), TOKEN_PARSE);
    } catch (Throwable $e) {
        return false;
    }
    if (!function_exists('opcache_compile_file')) {
        return true;  // (the caller runs `php -l` then)
    }
    if (!$alone) {
        return compiled($path);
    }
    if (!function_exists('pcntl_fork')) {
        exec(escapeshellarg(PHP_BINARY) . ' -l ' . escapeshellarg($path) . ' 2>&1', $out, $code);
        return $code === 0;
    }
    $pid = pcntl_fork();
    if ($pid === 0) {
        exit(compiled($path) ? 0 : 1);
    }
    pcntl_waitpid($pid, $status);
    return pcntl_wifexited($status) && pcntl_wexitstatus($status) === 0;
}

function compiled(string $path): bool
{
    try {
        return (bool) @opcache_compile_file($path);
    } catch (Throwable $e) {
        return false;
    }
}

// whether $t is the punctuation $c (its id: a string's text may be "{" too)
function is(PhpToken $t, string $c): bool
{
    return $t->id === ord($c);
}

function opener(PhpToken $t): bool
{
    return isset(OPENERS[$t->id]) || $t->id === T_CURLY_OPEN
        || $t->id === T_DOLLAR_OPEN_CURLY_BRACES || $t->id === T_ATTRIBUTE;
}

function brace(PhpToken $t): bool
{
    return is($t, '{') || $t->id === T_CURLY_OPEN || $t->id === T_DOLLAR_OPEN_CURLY_BRACES;
}

// the index of each opening bracket's closing one
function matches(array $t): array
{
    $match = [];
    $stack = [];
    foreach ($t as $i => $tok) {
        if (opener($tok)) {
            $stack[] = $i;
        } elseif (is($tok, ')') || is($tok, ']') || is($tok, '}')) {
            $match[array_pop($stack)] = $i;
        }
    }
    return $match;
}

// the first index from $i (back from $i) of a token not whitespace nor a comment
function sig(array $t, int $i): int
{
    $n = count($t);
    while ($i < $n && $t[$i]->isIgnorable()) {
        $i++;
    }
    return $i;
}

function prev_sig(array $t, int $i): int
{
    while ($i >= 0 && $t[$i]->isIgnorable()) {
        $i--;
    }
    return $i;
}

function end_of(PhpToken $t): int
{
    return $t->pos + strlen($t->text);
}

// the function a call at $t[$i] calls, lowercased: compact, \compact ("" if none)
function called(array $t, int $i): string
{
    $tok = $t[$i];
    if ($tok->id !== T_STRING && $tok->id !== T_NAME_FULLY_QUALIFIED) {
        return '';
    }
    $j = sig($t, $i + 1);
    if ($j >= count($t) || !is($t[$j], '(')) {
        return '';
    }
    $k = prev_sig($t, $i - 1);  // (not $x->compact(), X::compact(), function compact()
    $not = [T_OBJECT_OPERATOR, T_NULLSAFE_OBJECT_OPERATOR, T_DOUBLE_COLON, T_FUNCTION, T_NEW];
    if ($k >= 0 && in_array($t[$k]->id, $not, true)) {
        return '';
    }
    return strtolower(ltrim($tok->text, '\\'));
}

// one parameter: the significant tokens $s..$e of its part of the list
function parameter(array $t, array $match, int $s, int $e): array
{
    $k = $s;
    while ($k <= $e && $t[$k]->id === T_ATTRIBUTE) {
        $k = sig($t, $match[$k] + 1);
    }
    $promoted = false;
    while ($k <= $e && in_array($t[$k]->id, [T_PUBLIC, T_PROTECTED, T_PRIVATE, T_READONLY], true)) {
        $promoted = true;
        $k = sig($t, $k + 1);
    }
    $typeAt = $t[$k]->pos;
    $typeEnd = null;
    $bound = [T_AMPERSAND_FOLLOWED_BY_VAR_OR_VARARG, T_ELLIPSIS, T_VARIABLE];
    while ($k <= $e && !in_array($t[$k]->id, $bound, true)) {
        $k = $match[$k] ?? $k;  // (a DNF type's parentheses)
        $typeEnd = end_of($t[$k]);
        $k = sig($t, $k + 1);
    }
    if ($k <= $e && $t[$k]->id === T_AMPERSAND_FOLLOWED_BY_VAR_OR_VARARG) {
        $k = sig($t, $k + 1);
    }
    $variadic = $k <= $e && $t[$k]->id === T_ELLIPSIS;
    if ($variadic) {
        $k = sig($t, $k + 1);
    }
    return [
        'name' => substr($t[$k]->text, 1),
        'variadic' => $variadic,
        'promoted' => $promoted,
        'start' => $t[$s]->pos,
        'end' => end_of($t[$e]),
        'comma' => null,
        'type' => $typeEnd === null ? null : [$typeAt, $typeEnd],
        'type_at' => $typeAt,
    ];
}

// where the body of the function whose parameter list closes at $t[$close] starts and
// ends (token indices, its braces left out; an arrow function's expression), or null
// (an abstract method, an interface's)
function body(array $t, array $match, int $close, bool $arrow): ?array
{
    $n = count($t);
    $k = sig($t, $close + 1);
    while ($k < $n) {
        $tok = $t[$k];
        if ($arrow && $tok->id === T_DOUBLE_ARROW) {
            $start = sig($t, $k + 1);
            $j = $start;
            while ($j < $n) {
                $x = $t[$j];
                if (in_array($x->id, [59, 44, 41, 93, 125], true) || $x->id === T_CLOSE_TAG) {
                    break;
                }
                $j = (opener($x) ? $match[$j] : $j) + 1;
            }
            return [$start, $j];
        }
        if (!$arrow && is($tok, '{')) {
            return [$k + 1, $match[$k]];
        }
        if (is($tok, ';')) {
            return null;
        }
        $k = (opener($tok) ? $match[$k] : $k) + 1;  // (use (…), a return type's (A&B)|null)
    }
    return null;
}

// the function whose keyword is $t[$i] (null for `use function x;`), in the classes and
// functions of $stack
function described(array $t, array $match, int $i, array $stack): ?array
{
    $arrow = $t[$i]->id === T_FN;
    $j = sig($t, $i + 1);
    if ($t[$j]->id === T_AMPERSAND_NOT_FOLLOWED_BY_VAR_OR_VARARG) {
        $j = sig($t, $j + 1);
    }
    $name = null;
    $line = $t[$i]->line;
    if (!$arrow && $t[$j]->id === T_STRING) {
        $name = $t[$j]->text;
        $line = $t[$j]->line;
        $j = sig($t, $j + 1);
    }
    if (!is($t[$j], '(')) {
        return null;
    }
    $open = $j;
    $close = $match[$open];
    $params = [];  // the list split at its commas outside brackets
    $k = $open + 1;
    $from = $k;
    while ($k <= $close) {
        $tok = $t[$k];
        if (is($tok, ',') || $k === $close) {
            $s = sig($t, $from);
            $e = prev_sig($t, $k - 1);
            if ($s < $k && $e >= $s) {
                $p = parameter($t, $match, $s, $e);
                if (is($tok, ',')) {
                    $p['comma'] = end_of($tok);
                }
                $params[] = $p;
            }
            $from = $k + 1;
            $k++;
            continue;
        }
        $k = (opener($tok) ? $match[$k] : $k) + 1;
    }
    $body = body($t, $match, $close, $arrow);
    $seen = [];  // name -> how often the body references $name
    $markers = [];
    $places = [];  // name -> the offset of each T_VARIABLE $name of the list and the body
    $scan = function (int $from, int $to, bool $inBody) use ($t, $match, &$seen, &$markers, &$places): void {
        for ($k = $from; $k < $to; $k++) {
            $tok = $t[$k];
            if ($tok->id === T_VARIABLE) {
                $v = substr($tok->text, 1);
                $places[$v][] = $tok->pos;
                if ($inBody) {
                    $seen[$v] = ($seen[$v] ?? 0) + 1;
                    if ($k > 0 && is($t[$k - 1], '$')) {
                        $markers['$$'] = 1;
                    }
                }
                continue;
            }
            if (!$inBody) {
                continue;
            }
            if ($tok->id === T_STRING_VARNAME && $t[$k - 1]->id === T_DOLLAR_OPEN_CURLY_BRACES) {
                $seen[$tok->text] = ($seen[$tok->text] ?? 0) + 1;  // "${name}"
            } elseif ($tok->id === T_DOLLAR_OPEN_CURLY_BRACES || is($tok, '$')) {
                $markers['$$'] = 1;
            } elseif (in_array($tok->id, [T_EVAL, T_INCLUDE, T_INCLUDE_ONCE, T_REQUIRE, T_REQUIRE_ONCE, T_GLOBAL], true)) {
                $markers[strtolower($tok->text)] = 1;
            } else {
                $f = called($t, $k);
                if (isset(ALL_ARGUMENTS[$f]) || isset(BY_NAME[$f])) {
                    $markers[$f] = 1;
                }
                if ($f === 'compact') {  // compact('a', ['b']) references $a and $b
                    $paren = sig($t, $k + 1);
                    for ($q = $paren + 1; $q < $match[$paren]; $q++) {
                        if ($t[$q]->id === T_CONSTANT_ENCAPSED_STRING) {
                            $v = substr($t[$q]->text, 1, -1);
                            $seen[$v] = ($seen[$v] ?? 0) + 1;
                        }
                    }
                }
            }
        }
    };
    $scan($open + 1, $close, false);
    if ($body !== null) {
        $scan($body[0], $body[1], true);
    }
    foreach ($params as &$p) {
        $p['referenced'] = ($seen[$p['name']] ?? 0) > 0;
        $p['places'] = $places[$p['name']] ?? [];
    }
    unset($p);
    // where it stands: in the innermost class or function around it
    $owner = '';
    $anonymous = false;
    $inFunction = false;
    $method = false;
    for ($q = count($stack) - 1; $q >= 0; $q--) {
        [$kind, $label] = $stack[$q];
        if ($kind === 'function') {
            $inFunction = true;
            break;
        }
        if ($kind === 'class' && !$method) {
            $method = true;
            $owner = $label ?? '';
            $anonymous = $label === null;
        }
    }
    return [
        'name' => $name,
        'kind' => $arrow ? 'arrow' : ($name === null ? 'closure' : 'function'),
        'owner' => $owner,
        'method' => $method,
        'anonymous' => $anonymous,
        'in_function' => $inFunction,
        'line' => $line,
        'params' => $params,
        'bodiless' => $body === null,
        'empty' => $body !== null && sig($t, $body[0]) >= $body[1],
        'markers' => array_keys($markers),
        'brace' => $body === null || $arrow ? null : $body[0] - 1,
    ];
}

function read_file(string $path): array
{
    try {
        $t = PhpToken::tokenize(file_get_contents($path), TOKEN_PARSE);
    } catch (Throwable $e) {
        return ['error' => 'does not lint'];
    }
    $match = matches($t);
    $marks = [];  // the index of a class's or a function's opening brace -> what it opens
    $stack = [];
    $out = [];
    $n = count($t);
    for ($i = 0; $i < $n; $i++) {
        $tok = $t[$i];
        if (brace($tok)) {
            $stack[] = $marks[$i] ?? ['other', null];
        } elseif (is($tok, '}')) {
            array_pop($stack);
        } elseif ($tok->id === T_FUNCTION || $tok->id === T_FN) {
            $f = described($t, $match, $i, $stack);
            if ($f !== null) {
                if ($f['brace'] !== null) {
                    $marks[$f['brace']] = ['function', $f['name']];
                }
                unset($f['brace']);
                $out[] = $f;
            }
        } elseif (in_array($tok->id, [T_CLASS, T_INTERFACE, T_TRAIT, T_ENUM], true)) {
            $p = prev_sig($t, $i - 1);
            if ($p >= 0 && $t[$p]->id === T_DOUBLE_COLON) {
                continue;  // X::class
            }
            $j = sig($t, $i + 1);
            $label = $t[$j]->id === T_STRING ? $t[$j]->text : null;  // null: new class (…) {
            while ($j < $n && !is($t[$j], '{')) {
                $j = (opener($t[$j]) ? $match[$j] : $j) + 1;
            }
            $marks[$j] = ['class', $label];
        }
    }
    $alone = false;  // (a function outside classes)
    foreach ($out as $f) {
        $alone = $alone || ($f['kind'] === 'function' && !$f['method'] && !$f['in_function']);
    }
    if (!compiles($path, $alone)) {
        return ['error' => 'does not lint'];
    }
    return ['functions' => $out, 'alone' => $alone];
}

while (($line = fgets(STDIN)) !== false) {
    $request = json_decode($line, true);
    if (isset($request['files'])) {
        $answer = ['files' => array_map(__NAMESPACE__ . '\\read_file', $request['files'])];
    } else {
        $answer = ['lint' => array_map(fn($l) => compiles($l[0], $l[1]), $request['lint'])];
    }
    echo json_encode($answer, JSON_INVALID_UTF8_SUBSTITUTE), "\n";
    fflush(STDOUT);
}
"""


@dataclass
class Param:
    """A parameter as the oracle reads it (offsets in bytes)."""

    name: str
    variadic: bool
    promoted: bool
    start: int
    end: int
    comma: int | None  # where the comma after it ends
    type: tuple[int, int] | None
    type_at: int  # where its type starts, or would
    referenced: bool
    places: list[int]  # each T_VARIABLE $name of the list and the body

    @property
    def written(self) -> str:
        return ("..." if self.variadic else "") + self.name


@dataclass
class Function:
    """A function, closure or arrow function as the oracle reads it."""

    name: str | None
    kind: str  # function, closure, arrow
    owner: str
    method: bool
    anonymous: bool
    in_function: bool
    line: int
    params: list[Param]
    bodiless: bool
    empty: bool
    markers: list[str]

    @property
    def path(self) -> str:
        """Its name as the guard gives it: ``Calc::add``, ``parse``."""
        if self.kind == "closure":
            return "{closure}"
        if self.kind == "arrow":
            return "{fn}"
        if self.anonymous:
            return f"class@anonymous::{self.name}"
        return f"{self.owner}::{self.name}" if self.method else str(self.name)

    def needs(self, p: Param) -> bool:
        """Whether callers' argument for ``p`` matters: its body references it, it is a
        property, or there is no body to tell (an interface's, an abstract method)."""
        return p.referenced or p.promoted or self.bodiless


def function(d: dict[str, Any]) -> Function:
    params = [
        Param(
            p["name"],
            p["variadic"],
            p["promoted"],
            p["start"],
            p["end"],
            p["comma"],
            None if p["type"] is None else (p["type"][0], p["type"][1]),
            p["type_at"],
            p["referenced"],
            p["places"],
        )
        for p in d["params"]
    ]
    return Function(
        name=d["name"],
        kind=d["kind"],
        owner=d["owner"],
        method=d["method"],
        anonymous=d["anonymous"],
        in_function=d["in_function"],
        line=d["line"],
        params=params,
        bodiless=d["bodiless"],
        empty=d["empty"],
        markers=d["markers"],
    )


class Oracle:
    """One PHP process of the oracle (a batch of files), JSON lines in and out."""

    def __init__(self, php: str, script: Path, errors: Path) -> None:
        self.errors = errors
        with errors.open("ab") as err:
            self.proc = subprocess.Popen(
                [php, "-d", "opcache.enable=1", "-d", "opcache.enable_cli=1", str(script)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=err,
                text=True,
            )

    def ask(self, request: dict[str, Any]) -> Any:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            tail = self.errors.read_text(errors="replace")[-2000:]
            raise SystemExit(f"the PHP oracle stopped: {tail}")
        return json.loads(line)[next(iter(request))]

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=60)


def php_l(php: str, path: str) -> bool:
    done = subprocess.run([php, "-l", path], capture_output=True, check=False, timeout=120)
    return done.returncode == 0


def has_opcache(php: str) -> bool:
    done = subprocess.run(
        [
            php,
            "-d",
            "opcache.enable_cli=1",
            "-r",
            "echo (int) function_exists('opcache_compile_file');",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout.strip() == "1"


def cut(data: bytes, params: list[Param], i: int) -> bytes:
    """``data`` without the parameter ``params[i]`` and its comma."""
    p = params[i]
    if i + 1 < len(params):
        return data[: p.start] + data[params[i + 1].start :]
    if p.comma is not None:
        return data[: p.start] + data[p.comma :]
    if i > 0:
        return data[: params[i - 1].end] + data[p.end :]
    return data[: p.start] + data[p.end :]


def added(data: bytes, f: Function) -> bytes:
    last = f.params[-1]
    return data[: last.end] + b", $extra = null" + data[last.end :]


def moved(data: bytes, f: Function) -> bytes:
    """``$extra = null`` put before the first parameter."""
    first = f.params[0]
    return data[: first.start] + b"$extra = null, " + data[first.start :]


def renamed(data: bytes, p: Param, new: str) -> bytes:
    old = ("$" + p.name).encode()
    out = data
    for at in sorted(p.places, reverse=True):
        assert out[at : at + len(old)] == old
        out = out[:at] + ("$" + new).encode() + out[at + len(old) :]
    return out


def typed(data: bytes, p: Param) -> bytes:
    """``data`` with ``p``'s type removed, or ``mixed`` given to ``p`` without one."""
    if p.type is None:
        return data[: p.type_at] + b"mixed " + data[p.type_at :]
    start, end = p.type
    rest = data[end:]
    return data[:start] + rest[len(rest) - len(rest.lstrip()) :]


@dataclass
class Edit:
    kind: str
    new: bytes
    f: Function
    p: Param | None  # the parameter deleted (of a deletion), moved (of a move)
    what: str  # the parameter the edit is about, for the messages
    change: str = ""  # (moved) what the guard must say of ``p``: `` (moved from …)``


def edits(rng: random.Random, data: bytes, found: list[Function]) -> list[Edit]:
    """The edits of up to 3 functions with a parameter drawn from ``found``."""
    chosen = [f for f in found if f.params]
    out: list[Edit] = []
    for f in rng.sample(chosen, min(3, len(chosen))):
        ps = f.params
        needed = [i for i, p in enumerate(ps) if f.needs(p)]
        if needed:
            i = rng.choice(needed)
            out.append(Edit("deleted", cut(data, ps, i), f, ps[i], ps[i].written))
        free = [i for i, p in enumerate(ps[:-1]) if not f.needs(p)]
        if free:
            i = rng.choice(free)
            out.append(Edit("shifted", cut(data, ps, i), f, ps[i], ps[i].written))
        if all(p.name != "extra" for p in ps):
            change = " (moved from 1st to 2nd place)"
            out.append(Edit("moved", moved(data, f), f, ps[0], ps[0].written, change))
        if not ps[-1].variadic and all(p.name != "extra" for p in ps):
            out.append(Edit("added", added(data, f), f, None, "$extra"))
        dynamic = {"compact", "extract", "get_defined_vars", "parse_str", "$$", "eval"}
        dynamic |= {"include", "include_once", "require", "require_once", "global"}
        names = [p for p in ps if not p.promoted]
        if names and not (dynamic | ALL_ARGUMENTS) & set(f.markers):
            p = rng.choice(names)
            new = f"{p.name}_renamed"
            while f"${new}".encode() in data:
                new += "_"
            out.append(Edit("renamed", renamed(data, p, new), f, None, p.written))
        last = ps[-1]
        if not f.bodiless and not f.needs(last):
            out.append(Edit("unused dropped", cut(data, ps, len(ps) - 1), f, None, last.written))
        p = rng.choice(ps)
        out.append(Edit("typed", typed(data, p), f, None, p.written))
    return out


def why_not(
    f: Function, p: Param, counts: Counter[str], listed: set[str], absorbs: bool = True
) -> str | None:
    """Why the deletion of ``p`` (without ``absorbs``: an edit that moves it) may go
    unrefused by design (see the docstring), or None."""
    if f.kind != "function":
        return "closure"
    if f.anonymous:
        return "anonymous class"
    if f.in_function:
        return "in a function body"
    if counts[f.path] > 1:
        return "defined twice"
    absorbed = any(q.variadic for q in f.params if q is not p) or ALL_ARGUMENTS & set(f.markers)
    if absorbs and absorbed:
        return "absorbed"
    if f.path not in listed:
        return "not listed"
    return None


class Judge:
    def __init__(self) -> None:
        self.rows: dict[str, Counter[str]] = {k: Counter() for k in KINDS}
        self.deletions: Counter[tuple[str, str]] = Counter()
        self.empty_refused = 0
        self.false: list[str] = []
        self.misses: list[str] = []
        self.unlisted: list[str] = []

    def judge(
        self, e: Edit, old: str, rel: str, where: str, counts: Counter[str], listed: set[str]
    ) -> None:
        row = self.rows[e.kind]
        row["edits"] += 1
        lost = dropped_definitions(old, e.new.decode("utf-8"), rel, instruction=INSTRUCTION)
        about = f"{e.what} of {e.f.path}"
        if e.p is None:  # never to be refused
            if not lost:
                row["not refused"] += 1
                return
            row["refused"] += 1
            if e.kind == "unused dropped" and e.f.empty:
                self.empty_refused += 1
            else:
                self.false.append(f"false refusal ({e.kind}) {where} {about}: {lost[:4]}")
            return
        why = why_not(e.f, e.p, counts, listed, absorbs=e.kind != "moved")
        name = f"parameter {e.p.written} of {e.f.path}{e.change}"
        if name in lost or (why == "closure" and lost):
            row["refused"] += 1
            if why is not None:
                self.deletions[e.kind, f"refused although {why}"] += 1
                self.false.append(f"false refusal ({e.kind}, {why}) {where} {about}: {lost[:4]}")
            return
        row["not refused"] += 1
        self.deletions[e.kind, why or "missed"] += 1
        if why is None:
            self.misses.append(f"missed ({e.kind}) {where} {about}; guard: {lost[:3]}")
        elif why == "not listed":
            self.unlisted.append(f"not listed ({e.kind}) {where} {about}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    source_arguments(ap, 12)
    ap.add_argument("--php", default="php", help="PHP's command line (default php)")
    ap.add_argument(
        "--lint",
        choices=("compile", "php-l"),
        default="compile",
        help="lint the edits in the oracle (default) or with php -l on each",
    )
    args = ap.parse_args()
    if shutil.which(args.php) is None:
        ap.error(
            f"{args.php} cannot be run: give --php PHP's command line (Debian: apt-get install php-cli)"
        )
    rng = random.Random(args.seed)
    lint = args.lint if has_opcache(args.php) else "php-l"
    unread: Counter[str] = Counter()
    files = read_sources(
        args.folders, "*.php", set(args.exclude), unread, read=utf8_bytes, unreadable="not readable"
    )
    judge = Judge()
    read = 0
    with tempfile.TemporaryDirectory(prefix="php_parameters.") as tmp:
        work = Path(tmp)
        script = work / "oracle.php"
        script.write_text(ORACLE)
        numbered = 0
        while read < args.max:
            batch = [f for _, f in zip(range(min(BATCH, args.max - read)), files, strict=False)]
            if not batch:
                break
            oracle = Oracle(args.php, script, work / "errors.txt")
            answers = oracle.ask({"files": [str(path) for path, _, _ in batch]})
            todo: list[tuple[str, str, bytes, list[Function], list[Edit]]] = []
            paths: list[tuple[str, bool]] = []  # (the edit's file, compiled alone)
            for (path, rel, data), answer in zip(batch, answers, strict=True):
                if "error" in answer:
                    unread[answer["error"]] += 1
                    continue
                read += 1
                found = [function(d) for d in answer["functions"]]
                made = edits(rng, data, found)
                for e in made:
                    numbered += 1
                    (work / f"edit{numbered}.php").write_bytes(e.new)
                    paths.append((str(work / f"edit{numbered}.php"), answer["alone"]))
                todo.append((str(path), rel, data, found, made))
            ok = oracle.ask({"lint": paths})
            oracle.close()
            if lint == "php-l":
                ok = [good and php_l(args.php, p) for good, (p, _) in zip(ok, paths, strict=True)]
            for p, _ in paths:
                Path(p).unlink()
            lints = iter(ok)
            for shown, rel, data, found, made in todo:
                old = data.decode("utf-8")
                # the functions the guard may read, by name (not closures, not nested)
                counts = Counter(
                    f.path
                    for f in found
                    if f.kind == "function" and not f.anonymous and not f.in_function
                )
                with shared_trees():
                    listed = set(signatures(old))
                    for e in made:
                        if not next(lints):
                            judge.rows[e.kind]["skipped"] += 1
                            continue
                        judge.judge(e, old, rel, f"{shown}:{e.f.line}", counts, listed)
    return report(judge, read, unread, lint, args)


def report(
    judge: Judge, read: int, unread: Counter[str], lint: str, args: argparse.Namespace
) -> int:
    print(unread_line(read, unread))
    how = (
        "TOKEN_PARSE and opcache_compile_file() in the oracle"
        if lint == "compile"
        else "TOKEN_PARSE in the oracle, then php -l on each"
    )
    print(f"edits linted with {how}")
    print(f"{'edit':<14}  {'edits':>6}  {'refused':>7}  {'not refused':>11}  {'skipped':>7}")
    for kind in KINDS:
        row = judge.rows[kind]
        print(
            f"{kind:<14}  {row['edits']:>6}  {row['refused']:>7}  {row['not refused']:>11}  "
            f"{row['skipped']:>7}"
        )
    d = judge.deletions
    for kind in REFUSED:
        print(
            f"{kind} not refused: {d[kind, 'absorbed']} absorbed (a variadic or "
            f"func_get_args()), {d[kind, 'defined twice']} of a function defined twice, "
            f"{d[kind, 'in a function body']} in a function body, {d[kind, 'closure']} of a "
            f"closure or arrow function, {d[kind, 'anonymous class']} of an anonymous "
            f"class, {d[kind, 'not listed']} not listed by the guard, {d[kind, 'missed']} missed"
        )
    by_design = sum(n for (_, why), n in d.items() if why.startswith("refused although"))
    print(f"refused although not compared by design: {by_design}")
    print(
        f"unused dropped refused from an empty body (read as all used, by design): {judge.empty_refused}"
    )
    for line in [
        *judge.false[: args.show],
        *judge.misses[: args.show],
        *judge.unlisted[: args.show],
    ]:
        print(line)
    print("command:", shlex.join([sys.executable, *sys.argv]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
