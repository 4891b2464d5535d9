"""A JavaScript or TypeScript edit that drops what a module defines below column 0 is
refused before any test runs, as Python's is.

The guard read JS/TS by line patterns at column 0 only (``function f``, ``class C``,
``const x``).  Tried on a node --test project whose one test calls ``Calc.add``: an edit
deleting the method ``Calc.sub``, the assignment ``Calc.prototype.mul = …`` and the export
``exports.square = …``, none of which a test reaches, was verified (``acrouter verify``:
*pass*, 1 passed, 0 failed).  The guard now also reads a module's tokens
(:mod:`acrouter.jsdefinitions`): class members, ``a.b = …`` at the top level, the keys of
``module.exports = {…}`` and ``export default {…}``, ``export {…}`` lists, and what a
wrapped module (``(function () {…})()``, ``!function () {…}()``, UMD) defines.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from acrouter.definitions import dropped_definitions, guard
from acrouter.domain import Edit
from acrouter.errors import ParseError
from acrouter.jsdefinitions import js_definitions
from acrouter.verifier.cli import verify_edit

from .helpers import OVERLAY_AND_NONE, needs_node, verifier, write_tree

CALC = """\
'use strict'

class Calc {
  add (a, b) {
    return a + b
  }

  sub (a, b) {
    return a - b
  }
}

Calc.prototype.mul = function (a, b) {
  return a * b
}

exports.square = function (x) {
  return x * x
}

exports.Calc = Calc
"""
SUB = "\n  sub (a, b) {\n    return a - b\n  }\n"
MUL = "Calc.prototype.mul = function (a, b) {\n  return a * b\n}\n\n"
SQUARE = "exports.square = function (x) {\n  return x * x\n}\n\n"
WITHOUT = CALC.replace(SUB, "").replace(MUL, "").replace(SQUARE, "")
TEST = """\
const test = require('node:test')
const assert = require('node:assert')
const { Calc } = require('../calc')

test('add', () => {
  assert.strictEqual(new Calc().add(1, 2), 3)
})
"""


def names(text: str) -> list[str]:
    found = js_definitions(text)
    assert found is not None
    return [d.name for d in found]


def test_the_three_drops_are_losses() -> None:
    assert dropped_definitions(CALC, WITHOUT, "calc.js") == [
        "Calc.sub",
        "Calc.prototype.mul",
        "exports.square",
    ]
    assert dropped_definitions(CALC, CALC.replace(SUB, ""), "calc.ts") == ["Calc.sub"]
    assert dropped_definitions(CALC, CALC.replace(SUB, ""), "x", language="javascript") == [
        "Calc.sub"
    ]


def test_what_the_instruction_or_the_selection_names_may_go() -> None:
    assert (
        dropped_definitions(CALC, WITHOUT, "calc.js", instruction="remove sub, mul and square")
        == []
    )
    assert dropped_definitions(CALC, WITHOUT, "calc.js", instruction="remove sub") == [
        "Calc.prototype.mul",
        "exports.square",
    ]
    # a selection of lines 3..17 (0-based: the class and mul) holds sub and mul
    assert dropped_definitions(CALC, WITHOUT, "calc.js", exempt_lines=(2, 15)) == ["exports.square"]


def test_harmless_edits_lose_nothing() -> None:
    body = CALC.replace("return a - b", "return a - b - 0")
    added = CALC.replace("class Calc {\n", "class Calc {\n  neg (a) {\n    return -a\n  }\n\n")
    semicolons = (
        CALC.replace("'use strict'", "'use strict';")
        .replace("return a + b", "return a + b;")
        .replace("return a * b\n}", "return a * b;\n};")
        .replace("exports.Calc = Calc", "exports.Calc = Calc;")
    )
    reordered = CALC.replace(SQUARE, "").replace(
        "exports.Calc = Calc\n", "exports.Calc = Calc\n\n" + SQUARE
    )
    one_line = CALC.replace(SUB, "\n  sub (a, b) { return a - b }\n")
    for new in (body, added, semicolons, reordered, one_line):
        assert dropped_definitions(CALC, new, "calc.js") == [], new


def test_a_member_moved_is_not_a_loss() -> None:
    # to another class of the module
    moved = CALC.replace(SUB, "") + "\nclass Minus {\n  sub (a, b) {\n    return a - b\n  }\n}\n"
    assert dropped_definitions(CALC, moved, "calc.js") == []
    # to another file of the same edit
    edit = {"calc.js": CALC.replace(SUB, ""), "minus.js": "exports.sub = (a, b) => a - b\n"}
    guard({"calc.js": CALC}, edit, language_of=lambda _: None, instruction="tidy up")
    # nowhere: refused, naming it
    with pytest.raises(ParseError, match="Calc.sub"):
        guard(
            {"calc.js": CALC},
            {"calc.js": CALC.replace(SUB, "")},
            language_of=lambda _: None,
            instruction="",
        )


def test_a_class_that_went_is_one_loss() -> None:
    gone = CALC.replace(CALC[CALC.index("class Calc") : CALC.index("Calc.prototype")], "")
    lost = dropped_definitions(CALC, gone, "calc.js")
    assert "Calc" in lost and "Calc.add" not in lost and "Calc.sub" not in lost


#: a module wrapped in a function, as sprintf-js and UMD bundles are
WRAPPED = """\
!function () {
  'use strict'
  var re = { digit: /[0-9]/ }

  function sprintf (key) {
    return format(parse(key), arguments)
  }

  function vsprintf (fmt, argv) {
    return sprintf.apply(null, [fmt].concat(argv || []))
  }

  function format (tree, argv) { return tree }
  function parse (fmt) { return fmt }

  if (typeof exports !== 'undefined') {
    exports.sprintf = sprintf
    exports.vsprintf = vsprintf
  }
}()
"""
UMD = """\
(function (root, factory) {
  if (typeof define === 'function' && define.amd) define([], factory)
  else if (typeof module === 'object')
    module.exports = factory()
  else root.lib = factory()
}(this, function () {
  function helper (x) { return x + 1 }
  function unused (x) { return x - 1 }
  return { helper: helper }
}))
"""


def test_a_wrapped_module_defines_what_its_function_does() -> None:
    assert names(WRAPPED) == ["re", "sprintf", "vsprintf", "format", "parse"]
    dropped = WRAPPED.replace(
        "  function vsprintf (fmt, argv) {\n    return sprintf.apply(null, [fmt].concat(argv || []))\n  }\n\n",
        "",
    )
    assert dropped_definitions(WRAPPED, dropped, "sprintf.js") == ["vsprintf"]
    # the branch's assignment (below an if) is not read as the module's
    assert names(UMD) == ["helper", "unused"]
    assert dropped_definitions(
        UMD, UMD.replace("  function unused (x) { return x - 1 }\n", ""), "u.js"
    ) == ["unused"]


EXPORTS = """\
const parse = require('./parse')
const stringify = require('./stringify')

module.exports = {
  parse,
  stringify: stringify,
  'formats': require('./formats'),
  get version () { return '1' },
  ...require('./extra'),
}
"""
ESM = """\
function a () {}
function b () {}
export { a, b as bee }
export default {
  name: 'x',
  data () { return {} },
}
"""


def test_exported_keys_and_lists() -> None:
    assert names(EXPORTS) == [
        "parse",
        "stringify",
        "module.exports.parse",
        "module.exports.stringify",
        "module.exports.formats",
        "module.exports.version",
    ]
    assert dropped_definitions(
        EXPORTS, EXPORTS.replace("  stringify: stringify,\n", ""), "i.js"
    ) == ["module.exports.stringify"]
    assert names(ESM) == [
        "a",
        "b",
        "export a",
        "export bee",
        "export default.name",
        "export default.data",
    ]
    assert dropped_definitions(ESM, ESM.replace(", b as bee", ""), "m.mjs") == ["export bee"]
    # CommonJS made an ES module: every export moved
    esm = EXPORTS.replace("module.exports = {", "export {").replace(
        "stringify: stringify", "stringify"
    )
    esm = esm.replace("  'formats': require('./formats'),\n  get version () { return '1' },\n", "")
    esm = (
        esm.replace("  ...require('./extra'),\n", "")
        + "export { formats, version } from './more'\n"
    )
    assert dropped_definitions(EXPORTS, esm, "i.js") == [], esm


TS = """\
import { Injectable } from './di'

export interface Shape { area(): number }
export type Point = { x: number; y: number }
export enum Color { Red, Green }

@Injectable()
export abstract class Base<T extends { id: string }> implements Shape {
  static count = 0
  private readonly items: T[] = []
  #secret = 1
  protected handler = (e: Event): void => {
    console.log(e)
  }

  static {
    Base.count = 1
  }

  constructor (private name: string) {
    super()
  }

  abstract area(): number

  get size (): number { return this.items.length }
  set size (n: number) { this.items.length = n }

  find (id: string): T | undefined
  find (id: number): T | undefined
  find (id: string | number): T | undefined {
    return this.items.find((i) => i.id === String(id))
  }

  async load (): Promise<{ ok: boolean }> {
    return { ok: true }
  }

  [Symbol.iterator] () { return this.items[Symbol.iterator]() }
}

export function make (): Base<{ id: string }> | null { return null }
"""


def test_typescript_members() -> None:
    assert names(TS) == [
        "import ./di",
        "Shape",
        "Shape.area",
        "Point",
        "Point.x",
        "Point.y",
        "Color",
        "Color.Red",
        "Color.Green",
        "Base",
        "Base.count",
        "Base.items",
        "Base.#secret",
        "Base.handler",
        "Base.constructor",
        "Base.area",
        "Base.size",
        "Base.size",
        "Base.find",
        "Base.find",
        "Base.find",
        "Base.load",
        "make",
    ]
    # one of a getter/setter pair, or an overload, is a loss too: counted
    no_setter = TS.replace("  set size (n: number) { this.items.length = n }\n", "")
    assert dropped_definitions(TS, no_setter, "base.ts") == ["Base.size"]
    no_load = TS.replace(
        "  async load (): Promise<{ ok: boolean }> {\n    return { ok: true }\n  }\n\n", ""
    )
    assert dropped_definitions(TS, no_load, "base.ts") == ["Base.load"]


#: TypeScript's containers: an interface, an enum, an object type and a namespace
TYPES = """\
export interface Options<T extends { id: string }> extends Base {
  timeout?: number
  readonly retries: number
  onError(e: Error): void
  onError(e: string): void
  [key: string]: unknown
  new (x: number): Options<T>
  (x: number): void
  'quoted-key': string
}

export const enum Dir { Up = 'UP', Down = 'DOWN' }
export type Shape = { kind: string; area(): number }
export type Mixed = { a: number } & Base

export namespace Util {
  export function helper(): number { return 1 }
  export const LIMIT = 3
  export class Inner { go() { return 1 } }
  export interface Cfg { depth: number }
}

namespace A.B { export function deep() {} }
"""


def test_what_typescripts_containers_hold_is_read() -> None:
    """An interface's or an object type's members (each overload's signature; not an
    index, call or construct signature), an enum's members and what a namespace's
    statements define, each named after what holds it."""
    assert names(TYPES) == [
        "Options",
        "Options.timeout",
        "Options.retries",
        "Options.onError",
        "Options.onError",
        "Options.quoted-key",
        "Dir",
        "Dir.Up",
        "Dir.Down",
        "Shape",
        "Shape.kind",
        "Shape.area",
        "Mixed",
        "Util",
        "Util.helper",
        "Util.LIMIT",
        "Util.Inner",
        "Util.Inner.go",
        "Util.Cfg",
        "Util.Cfg.depth",
        "A.B",
        "A.B.deep",
    ]


def test_typescript_container_shapes_read_as_typescript_reads_them() -> None:
    """What ``benchmarks/ts_members.py`` found the reader got wrong against TypeScript's
    own parser: a type parameter's default before the alias's "=", members separated by
    commas (not the commas of ``Map<K, V>`` nor of a call signature's parameters), an
    object type after ``extends`` in a method's type parameters, an enum member named
    ``get``, a call or construct signature."""
    text = (
        "type T<U = string, V extends Map<K, W> = X> = { a: U; b: V }\n"
        "export interface Cache { add(x: number): void, get: number,\n"
        "  m: Map<string, number>, n: number }\n"
        "export interface I { f<T extends { id: string }, U>(x: T): U; g: number }\n"
        'enum E { async = "async", get = 1, set }\n'
        "export interface Callback {\n"
        "  (level: number, message: string): void\n"
        "  <T>(a: T, b: number): T\n"
        "  new (x: number, y: string): Callback\n"
        "  extends<T>(x: T): void\n"
        "  z: number\n"
        "}\n"
    )
    assert [n for n in names(text) if "." in n] == [
        "T.a",
        "T.b",
        "Cache.add",
        "Cache.get",
        "Cache.m",
        "Cache.n",
        "I.f",
        "I.g",
        "E.async",
        "E.get",
        "E.set",
        "Callback.extends",
        "Callback.z",
    ]
    # a class's method named new is one (chromium-bidi's SessionProcessor.new)
    assert names("class Session { new (a, b) { return a } }\n") == ["Session", "Session.new"]


@pytest.mark.parametrize(
    ("old", "new", "lost"),
    [
        ("  readonly retries: number\n", "", ["Options.retries"]),
        ("  onError(e: string): void\n", "", ["Options.onError"]),  # one overload
        (", Down = 'DOWN'", "", ["Dir.Down"]),
        ("; area(): number", "", ["Shape.area"]),
        ("  export function helper(): number { return 1 }\n", "", ["Util.helper"]),
        ("  export const LIMIT = 3\n", "", ["Util.LIMIT"]),
        (" go() { return 1 } ", " ", ["Util.Inner.go"]),
        ("namespace A.B { export function deep() {} }\n", "", ["A.B"]),
    ],
)
def test_what_a_typescript_container_held_dropped_is_lost(
    old: str, new: str, lost: list[str]
) -> None:
    """Before, only the container's name was read: a member of an interface, an enum or
    a namespace no test needs could go (a test runner that strips types, as vitest's
    esbuild does, never checks an interface at all)."""
    edited = TYPES.replace(old, new)
    assert edited != TYPES
    assert dropped_definitions(TYPES, edited, "types.ts") == lost
    name = lost[0].split(".")[-1]
    assert dropped_definitions(TYPES, edited, "types.ts", instruction=f"Remove {name}") == []


def test_a_typescript_container_reshaped_loses_nothing() -> None:
    same = [
        # members on one line, in another order
        TYPES.replace(
            "  timeout?: number\n  readonly retries: number\n",
            "  readonly retries: number; timeout?: number\n",
        ),
        TYPES.replace("Up = 'UP', Down = 'DOWN'", "Down = 'DOWN', Up = 'UP'"),
        # an object type made an interface, and an intersection (its members unread)
        TYPES.replace(
            "export type Shape = { kind: string; area(): number }",
            "export interface Shape { kind: string; area(): number }",
        ),
        TYPES.replace("{ a: number } & Base", "Base & { a: number; b: string }"),
        # a member moved into the interface it extends
        TYPES.replace("  timeout?: number\n", "") + "interface Base { timeout?: number }\n",
    ]
    for edited in same:
        assert edited != TYPES
        assert dropped_definitions(TYPES, edited, "types.ts") == [], edited
    # the whole interface gone is one loss, not one per member
    start, stop = TYPES.index("export interface"), TYPES.index("export const enum")
    assert dropped_definitions(TYPES, TYPES[:start] + TYPES[stop:], "types.ts") == ["Options"]


def test_statements_split_as_javascript_does() -> None:
    # no semicolons; a declaration over lines; a call that continues on the next line; a
    # function declaration followed by a parenthesised expression (no ASI needed)
    text = (
        "var\n  a = 1,\n  b = 2\n"
        "const c = Symbol.for('x')\n\nexports.d = d\n"
        "foo\n  .bar = 3\n"
        "function e () {}\n(function (e) {\n  e.f = 1\n})(e || (e = {}))\n"
        "if (x)\n  module.exports.g = 1\n"
        "const h = `t ${ `u ${1}` } v`\nexports.i = (a + b) / 2\nexports.j = /re/.test('x')\n"
        "exports.k = k\n\n/* export */ function l () {}\n"  # the break is before the comment
        "const\n  m = require('path'),\n  n = 2\n"  # eslint's style
        "const o = p!\nconst q = r! /\n  2\n"  # TypeScript's non-null assertion
    )
    assert names(text) == [
        "a",
        "b",  # each declarator of a declaration
        "c",
        "exports.d",
        "foo.bar",
        "e",
        "e.f",
        "h",
        "exports.i",
        "exports.j",
        "exports.k",
        "l",
        "m",
        "n",
        "o",
        "q",
    ]


def test_each_declarator_of_a_declaration_is_a_definition() -> None:
    """``var fs = require('fs'), path = require('path')``: the second declarator dropped
    was no loss to the reader, which read a declaration's first name only."""
    text = (
        "var fs = require('fs'), path = require('path')\n"
        "export const m: Map<string, number> = new Map(), n = 1\n"
        "const f = <A, B>(x: A) => x, g = 2\n"
        "const { p, q } = obj, r = 3\n"
    )
    assert names(text) == ["fs", "path", "m", "n", "f", "g", "p", "q", "r"]
    dropped = text.replace(", path = require('path')", "")
    assert dropped_definitions(text, dropped, "calc.ts") == ["path"]
    # split over lines, or one declaration a line: nothing lost
    for same in (
        text.replace(", n = 1", ",\n  n = 1"),
        text.replace("var fs = require('fs'), path", "var fs = require('fs')\nvar path"),
    ):
        assert dropped_definitions(text, same, "calc.ts") == [], same


def test_a_destructuring_patterns_names_are_definitions() -> None:
    """``const { format, parse } = require('./util')``: dropping ``parse`` from the
    pattern leaves every use of it a ReferenceError that a suite not reaching them
    passes; the reader read no name of a pattern."""
    text = (
        "const { format, parse: read, level = 1, ['x' + y]: z, ...others } = require('./util')\n"
        "let [first, , { deep: [inner] }, ...tail] = list, plain = 2\n"
        "export const { a }: Options = defaults, { b = { c: 1 } } = more\n"
    )
    assert names(text) == [
        *("format", "read", "level", "z", "others"),
        *("first", "inner", "tail", "plain"),
        *("a", "b"),
    ]
    assert dropped_definitions(text, text.replace(" parse: read,", ""), "m.ts") == ["read"]
    assert dropped_definitions(text, text.replace(", ...tail", ""), "m.ts") == ["tail"]
    # the same names bound another way, or the pattern over lines: nothing lost
    for same in (
        text.replace(
            "let [first, , { deep: [inner] }, ...tail] = list, plain = 2",
            "let first = list[0], inner = list[2].deep[0], tail = list.slice(3)\nlet plain = 2",
        ),
        text.replace("{ format, parse: read,", "{\n  format,\n  parse: read,\n "),
    ):
        assert dropped_definitions(text, same, "m.ts") == [], same


def test_a_required_name_goes_when_the_instruction_removes_imports() -> None:
    """``const fs = require('fs')`` is CommonJS's import: "remove unused imports" may
    drop it, or a name of its pattern, as an ES ``import`` may go; any other
    instruction may not."""
    text = (
        "const fs = require('fs')\n"
        "const { join, resolve } = require('path').posix\n"
        "const helper = make('fs')\n"
        "module.exports = () => join('a', 'b')\n"
    )
    tidy = text.replace("const fs = require('fs')\n", "").replace(", resolve", "")
    assert dropped_definitions(text, tidy, "m.js", instruction="remove the unused imports") == []
    assert dropped_definitions(text, tidy, "m.js", instruction="tidy this up") == [
        "fs",
        "resolve",
    ]
    # a value that is not a require() is no import
    unhelped = text.replace("const helper = make('fs')\n", "")
    assert dropped_definitions(text, unhelped, "m.js", instruction="remove the unused imports") == [
        "helper"
    ]


def test_commonjs_and_es_imports_are_one_kind() -> None:
    """A module converted from ``require`` to ``import`` (or back) keeps what it imports:
    the names an ES import binds stand for the required ones, and a ``require`` for the
    ES import of its module; a name neither binds any more is still lost."""
    common = (
        "const fs = require('fs')\n"
        "const { join, sep: separator } = require('node:path')\n"
        "module.exports = () => fs.readFileSync(join('a', separator))\n"
    )
    es = (
        "import fs from 'fs'\n"
        "import { join, sep as separator } from 'node:path'\n"
        "export default () => fs.readFileSync(join('a', separator))\n"
    )
    assert dropped_definitions(common, es, "m.js", instruction="use ES modules") == []
    assert dropped_definitions(es, common, "m.js", instruction="use require") == []
    narrower = es.replace("import { join, sep as separator }", "import { join }")
    assert dropped_definitions(common, narrower, "m.js", instruction="use ES modules") == [
        "separator"
    ]
    # the module is the string after ``from``, not a name the clause quotes
    found = js_definitions("import { 'a-b' as ab, c } from 'lib'\n")
    assert found is not None
    assert [(d.name, d.binds) for d in found] == [("import lib", ("ab", "c"))]


def test_ambient_modules_and_global_augmentations_are_read() -> None:
    """``declare module 'express' {…}`` and ``declare global {…}`` hold types no test
    runs (vitest strips them): what they declare counts, each under ``module express``
    or ``global``; an interface whose body opens on a line of its own (as
    ``@types/node`` writes a long heading) is read whole."""
    text = (
        "import 'express'\n"
        "declare module 'express' {\n"
        "  interface Request<P = unknown>\n"
        "    extends Base\n"
        "  {\n"
        "    user: string\n"
        "    id: number\n"
        "  }\n"
        "  export function f(): void\n"
        "}\n"
        "declare module 'shorthand';\n"
        "declare global {\n"
        "  interface Window { app: number }\n"
        "  var x: number\n"
        "}\n"
        "export {}\n"
    )
    assert names(text) == [
        "import express",
        *("module express", "module express.Request", "module express.Request.user"),
        *("module express.Request.id", "module express.f", "module shorthand"),
        *("global", "global.Window", "global.Window.app", "global.x"),
    ]
    gone = text.replace("    id: number\n", "").replace("  var x: number\n", "")
    assert dropped_definitions(text, gone, "types.d.ts") == [
        "module express.Request.id",
        "global.x",
    ]
    # the module's quotes changed, or the file reformatted: nothing lost
    same = text.replace("'express' {", '"express" {').replace(
        "Window { app: number }", "Window {\n    app: number\n  }"
    )
    assert dropped_definitions(text, same, "types.d.ts") == []


def test_names_outside_ascii_are_read() -> None:
    """qs's tests hold ``{ 県: '大阪府' }``: the tokens refused the file, and the line
    patterns, comparing it with a reformatted copy, took imports prettier had moved to
    the next line for dropped.  JavaScript's names are Unicode: the tokens read it."""
    text = "const café = { 県: '大阪府' }\u3000\nexport function f () {}\n"
    assert names(text) == ["café", "f"]
    assert dropped_definitions(text, text.replace("export function f () {}\n", ""), "a.js") == ["f"]


def test_what_the_tokens_cannot_read_falls_back_to_line_patterns() -> None:
    unreadable = CALC + "const s = 'never closed\n"
    assert js_definitions(unreadable) is None
    # compared like with like: the line patterns see neither side's members
    assert dropped_definitions(CALC, unreadable.replace(SUB, ""), "calc.js") == []
    assert dropped_definitions(
        CALC, unreadable.replace("class Calc", "class Other"), "calc.js"
    ) == ["Calc"]


def calc_project(tmp_path: Path) -> Path:
    """A node --test project whose one test calls ``Calc.add``."""
    files = {"calc.js": CALC, "test/calc.test.js": TEST, "package.json": PACKAGE}
    return write_tree(tmp_path / "calc", files)


PACKAGE = '{"name": "calc", "version": "1.0.0"}\n'


@pytest.mark.parametrize("mode", OVERLAY_AND_NONE)
def test_acrouter_verify_refuses_the_drops(tmp_path: Path, mode: dict[str, object]) -> None:
    root = calc_project(tmp_path)
    ver = verifier(cache_dir=tmp_path / "cache", **mode)
    v = verify_edit(ver, str(root), Edit(files={"calc.js": WITHOUT}), "node --test test/")
    assert v.verdict == "error" and not v.counted, v.detail
    for name in ("Calc.sub", "Calc.prototype.mul", "exports.square"):
        assert name in v.detail, v.detail


@needs_node
@pytest.mark.parametrize("mode", OVERLAY_AND_NONE)
def test_the_tests_alone_would_pass_the_drops(tmp_path: Path, mode: dict[str, object]) -> None:
    """Why the guard has to stop them: with the removal allowed the project's tests run,
    and pass."""
    root = calc_project(tmp_path)
    ver = verifier(cache_dir=tmp_path / "cache", **mode)
    allowed = verify_edit(
        ver, str(root), Edit(files={"calc.js": WITHOUT}), "node --test test/", allow_removal=True
    )
    assert allowed.verdict == "pass", allowed.detail


UTIL_USER = """\
'use strict'
const { format, parse } = require('./util')

exports.show = (x) => format(x)
exports.read = (s) => parse(s)
"""
UTIL = "exports.format = (x) => `<${x}>`\nexports.parse = (s) => s.slice(1, -1)\n"
UTIL_TEST = """\
const test = require('node:test')
const assert = require('node:assert')
const { show } = require('../shown')

test('show', () => {
  assert.strictEqual(show(1), '<1>')
})
"""


@needs_node
@pytest.mark.parametrize("mode", OVERLAY_AND_NONE)
def test_a_name_dropped_from_a_pattern_is_refused(tmp_path: Path, mode: dict[str, object]) -> None:
    """``parse`` dropped from the pattern, ``exports.read`` left calling it: the suite,
    which reaches ``show`` only, passes the edit; ``acrouter verify`` refuses it."""
    files = {
        "shown.js": UTIL_USER,
        "util.js": UTIL,
        "test/shown.test.js": UTIL_TEST,
        "package.json": PACKAGE,
    }
    root = write_tree(tmp_path / "shown", files)
    ver = verifier(cache_dir=tmp_path / "cache", **mode)
    broken = Edit(files={"shown.js": UTIL_USER.replace("{ format, parse }", "{ format }")})
    v = verify_edit(ver, str(root), broken, "node --test test/")
    assert v.verdict == "error" and not v.counted, v.detail
    assert "parse" in v.detail, v.detail
    allowed = verify_edit(ver, str(root), broken, "node --test test/", allow_removal=True)
    assert allowed.verdict == "pass", allowed.detail


#: a TypeScript module and the same reformatted as prettier does with no semicolons and
#: short lines (found by ``benchmarks/jsdefinitions_agreement.py --reformat``: the line
#: patterns read the split import as dropped, and a signature's closing ``>``, ``void``
#: or ``as const`` at a line's end as a statement going on)
TIDY = """\
import { Observable, OperatorFunction, SchedulerLike } from '../types';

export const ERROR = 'error' as const;
export type Pair<T> = Map<string, Set<T>>;
export function endWith<T>(scheduler: SchedulerLike): OperatorFunction<T, T>;
export function endWith<T, A extends unknown[] = T[]>(...values: A): OperatorFunction<T, T | A>;
export function endWith<T>(...values: Array<T>): OperatorFunction<T, T> {
  return (source) => source;
}
type Clear = (handle: number) => void;
interface Provider { clear: Clear }
"""
REFORMATTED = """\
import {
  Observable,
  OperatorFunction,
  SchedulerLike
} from '../types'

export const ERROR = 'error' as const
export type Pair<T> = Map<
  string,
  Set<T>
>
export function endWith<T>(
  scheduler: SchedulerLike
): OperatorFunction<T, T>
export function endWith<
  T,
  A extends unknown[] = T[]
>(...values: A): OperatorFunction<T, T | A>
export function endWith<T>(
  ...values: Array<T>
): OperatorFunction<T, T> {
  return (source) => source
}
type Clear = (
  handle: number
) => void
interface Provider {
  clear: Clear
}
"""


def test_reformatting_loses_nothing() -> None:
    assert names(TIDY) == names(REFORMATTED)
    assert names(TIDY).count("endWith") == 3
    assert dropped_definitions(TIDY, REFORMATTED, "end.ts") == []
    assert dropped_definitions(REFORMATTED, TIDY, "end.ts") == []
    # one overload fewer is still a loss
    fewer = REFORMATTED.replace(
        "export function endWith<T>(\n  scheduler: SchedulerLike\n): OperatorFunction<T, T>\n", ""
    )
    assert dropped_definitions(TIDY, fewer, "end.ts") == ["endWith"]


def test_a_selection_in_a_file_with_a_hashbang_excuses_only_what_it_covers() -> None:
    old = "#!/usr/bin/env node\nfunction a() {}\nfunction b() {}\nrun()\n"
    new = "#!/usr/bin/env node\nrun()\n"
    # the selection is b's line (2, 0-based): b may go, a may not
    assert dropped_definitions(old, new, "cli.js", exempt_lines=(2, 2)) == ["a"]
    assert dropped_definitions(old, new, "cli.js", exempt_lines=(1, 2)) == []
