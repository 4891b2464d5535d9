"""A parameter dropped from a JavaScript or TypeScript function the edit keeps is
refused, as a dropped function is: JavaScript ignores the arguments a function does not
take, so every caller that passes it runs as if it had not, and one dropped before
others hands each caller's arguments to the wrong parameters.

Before, an edit asked to fix a bug in ``parse(text, encoding)`` that also dropped
``encoding`` passed ``acrouter verify`` on a ``node --test`` project: the guard compared
which functions a module defines, not what they take, and the tests call
``parse(text)``.  A rename, a parameter added, a rest parameter taking the others, an
unused last parameter dropped, and a parameter the instruction asks to remove are no
loss."""

from __future__ import annotations

from pathlib import Path

import pytest
from acrouter.definitions import dropped_definitions, guard
from acrouter.domain import Edit
from acrouter.errors import ParseError
from acrouter.jsdefinitions import js_definitions
from acrouter.verifier.cli import verify_edit

from .helpers import OVERLAY_AND_NONE, needs_node, verifier, write_tree

SOURCE = """\
export function parse(text, encoding = 'utf-8') {
  return decode(text, encoding);
}

function over(a: string): string;
function over(a: number, b: number): number;
function over(a: any, b?: any) {
  return a + b;
}

export class Calc {
  constructor(private readonly base: number, @Inject(LOG) log) {}

  add(a, b) {
    return a + b + this.base;
  }

  tidy(a, unused) {
    return a;
  }

  scaled<T>(x: number, unit: T): Map<T, number> {
    return new Map([[unit, x * this.base]]);
  }

  onEvent = (event, context) => {
    this.last = [event, context];
  };

  get value() {
    return this.base;
  }
}

export const scale = (a, b) => a * b;
const square = x => x * x;
const join = function (sep, ...parts) {
  return parts.join(sep);
};
exports.pick = function (obj, keys) {
  return keys.map((k) => obj[k]);
};
Calc.prototype.mul = (a, b) => a * b;
module.exports = {
  fmt(value, digits) {
    return value.toFixed(digits);
  },
  id: (v) => v,
};

interface Runner {
  run(name: string, timeout?: number): void;
}

function bound(this: Window, delay: number) {
  return delay;
}
"""


def lost(new: str, instruction: str = "Fix the bug in parse", **kw: object) -> list[str]:
    return dropped_definitions(SOURCE, new, "src/calc.ts", instruction=instruction, **kw)  # type: ignore[arg-type]


def test_each_function_s_parameters_are_read_with_what_its_code_reads() -> None:
    found = {d.name: d.signature for d in js_definitions(SOURCE) or []}
    sig = found["parse"]
    assert sig is not None and sig.params == ("text", "encoding") and all(sig.used)
    ctor = found["Calc.constructor"]  # a parameter property is a field: read as this.base
    assert ctor is not None and ctor.params == ("base", "log") and ctor.used == (True, False)
    tidy = found["Calc.tidy"]
    assert tidy is not None and tidy.used == (True, False)
    read = {
        "Calc.scaled": ("x", "unit"),  # (a return type's comma ends nothing)
        "Calc.onEvent": ("event", "context"),
        "scale": ("a", "b"),
        "square": ("x",),
        "join": ("sep", "...parts"),
        "exports.pick": ("obj", "keys"),
        "Calc.prototype.mul": ("a", "b"),
        "module.exports.fmt": ("value", "digits"),
        "module.exports.id": ("v",),
        "Runner.run": ("name", "timeout"),  # a signature alone: all it declares is read
        "bound": ("delay",),  # TypeScript's this parameter is not passed
    }
    for name, params in read.items():
        got = found[name]
        assert got is not None and got.params == params, name
    assert found["Calc.value"] is None  # an accessor
    assert found["Calc"] is None


@pytest.mark.parametrize(
    ("before", "after", "gone"),
    [
        ("parse(text, encoding = 'utf-8')", "parse(text)", "parameter encoding of parse"),
        ("add(a, b) {\n    return a + b", "add(b) {\n    return 2 * b", "parameter a of Calc.add"),
        ("(a, b) => a * b;\nconst", "(b) => b;\nconst", "parameter a of scale"),
        ("join = function (sep, ...parts)", "join = function (sep)", "parameter ...parts of join"),
        ("(obj, keys)", "(obj)", "parameter keys of exports.pick"),
        ("fmt(value, digits)", "fmt(value)", "parameter digits of module.exports.fmt"),
        ("onEvent = (event, context)", "onEvent = (event)", "parameter context of Calc.onEvent"),
        ("private readonly base: number, ", "", "parameter base of Calc.constructor"),
        (
            "run(name: string, timeout?: number)",
            "run(name: string)",
            "parameter timeout of Runner.run",
        ),
        # an unused parameter dropped before one kept shifts the callers' arguments
        ("tidy(a, unused)", "tidy(unused)", "parameter a of Calc.tidy"),
        # two arguments taken as one object: the second is no longer read
        ("(obj, keys)", "({ obj, keys })", "parameter keys of exports.pick"),
        ("scaled<T>(x: number, unit: T)", "scaled<T>(unit: T)", "parameter x of Calc.scaled"),
        # not a service: a constructor's callers pass it by its place
        (
            "constructor(private readonly base: number, @Inject(LOG) log)",
            "constructor(private readonly base: number, unit: string, @Inject(LOG) log)",
            "parameter log of Calc.constructor (moved from 2nd to 3rd place)",
        ),
        # a parameter put before one kept hands each caller's argument to the new one
        (
            "parse(text, encoding = 'utf-8')",
            "parse(text, strict = false, encoding = 'utf-8')",
            "parameter encoding of parse (moved from 2nd to 3rd place)",
        ),
    ],
)
def test_a_parameter_gone_is_lost(before: str, after: str, gone: str) -> None:
    assert before in SOURCE
    assert lost(SOURCE.replace(before, after, 1)) == [gone]


def test_what_callers_still_pass_as_before_is_no_loss() -> None:
    same = [
        # a constructor's service put first: Angular and NestJS inject each by its type
        SOURCE.replace(
            "constructor(private readonly base",
            "constructor(private http: HttpClient, private readonly base",
        ),
        SOURCE.replace("add(a, b) {\n    return a + b", "add(x, y) {\n    return x + y"),  # renamed
        SOURCE.replace(
            "parse(text, encoding = 'utf-8')", "parse(text, encoding = 'utf-8', strict)"
        ),
        SOURCE.replace(
            "add(a, b) {\n    return a + b", "add(...xs) {\n    return xs.reduce((p, q) => p + q)"
        ),  # a rest parameter takes every argument
        SOURCE.replace("tidy(a, unused)", "tidy(a)"),  # unused, and last: no call changes
        SOURCE.replace("fmt(value, digits) {", "fmt() {\n    const [value, digits] = arguments;"),
        SOURCE.replace("parse(text, encoding = 'utf-8')", "parse(text: string, encoding: string)"),
        # an overloaded function is not compared (its signatures differ by design)
        SOURCE.replace("function over(a: number, b: number)", "function over(a: number)"),
    ]
    for new in same:
        assert lost(new) == [], new
    # a function gone is the guard's other loss, not its parameters
    gone = SOURCE.replace("const square = x => x * x;\n", "")
    assert lost(gone) == ["square"]


def test_a_parameter_may_go_when_asked_for() -> None:
    new = SOURCE.replace("parse(text, encoding = 'utf-8')", "parse(text)")
    assert lost(new, "Remove the encoding parameter of parse") == []
    assert lost(new, "Drop encoding") == []
    assert lost(new, "Make parse take only the text") == []
    assert lost(new, "parse should accept just a string") == []
    # the parameters asked for in one object
    together = SOURCE.replace("parse(text, encoding = 'utf-8')", "parse({ text, encoding })")
    assert lost(together) == ["parameter encoding of parse"]
    assert lost(together, "Use an options object for parse") == []
    line = SOURCE.splitlines().index("export function parse(text, encoding = 'utf-8') {")
    assert lost(new, exempt_lines=(line, line + 2)) == []
    # how long it takes is not what it takes; another function's name says nothing
    assert lost(new, "Make parse take less time") == ["parameter encoding of parse"]
    assert lost(new, "Make scale take a list") == ["parameter encoding of parse"]
    assert lost(new, "Document encoding") == ["parameter encoding of parse"]


def test_the_refusal_names_parameters_as_such() -> None:
    new = SOURCE.replace("parse(text, encoding = 'utf-8')", "parse(text)").replace(
        "fmt(value, digits)", "fmt(value)"
    )
    with pytest.raises(ParseError) as caught:
        guard(
            {"src/calc.ts": SOURCE},
            {"src/calc.ts": new},
            language_of=lambda _r: None,
            instruction="Fix the bug in parse",
        )
    assert str(caught.value) == (
        "the edit would delete 2 parameter(s) of src/calc.ts that the instruction did not ask "
        "to remove: encoding of parse, digits of module.exports.fmt"
    )


CALC = """\
function parse(text, encoding) {
  const e = encoding || 'utf8';
  return Buffer.from(text, e).toString('utf8').trim();
}

module.exports = { parse };
"""
TEST = """\
const test = require('node:test');
const assert = require('node:assert');
const { parse } = require('../calc.js');

test('parse trims', () => {
  assert.strictEqual(parse(' a '), 'a');
});
"""


@needs_node
@pytest.mark.parametrize("mode", OVERLAY_AND_NONE)
def test_acrouter_verify_refuses_the_dropped_parameter_before_node_test_passes_it(
    tmp_path: Path, mode: dict[str, object]
) -> None:
    root = write_tree(tmp_path / "ws", {"calc.js": CALC, "test/calc.test.js": TEST})
    ver = verifier(cache_dir=tmp_path / "cache", **mode)
    command = "node --test test/"
    dropped = CALC.replace(
        "parse(text, encoding) {\n  const e = encoding || 'utf8';",
        "parse(text) {\n  const e = 'utf8';",
    )
    edit = Edit(files={"calc.js": dropped})
    v = verify_edit(ver, str(root), edit, command)
    assert v.verdict == "error" and not v.counted, v.detail
    assert (
        "delete 1 parameter(s) of calc.js that the instruction did not ask to remove: "
        "encoding of parse" in v.detail
    )
    # the tests cannot tell: with the removal allowed they run, and pass
    allowed = verify_edit(ver, str(root), edit, command, allow_removal=True)
    assert allowed.verdict == "pass" and "1 passed" in allowed.detail, allowed.detail
    renamed = CALC.replace("encoding", "charset")
    kept = verify_edit(ver, str(root), Edit(files={"calc.js": renamed}), command)
    assert kept.verdict == "pass", kept.detail


def test_a_generic_arrow_and_a_pattern_after_a_parameter() -> None:
    """Found on node_modules by ``benchmarks/js_parameters.py``: a declarator's generic
    arrow was split at its type parameters' comma (``<T, U>(…) => …`` read as two
    declarators, neither a function), and a parameter dropped before a destructuring
    pattern was named by the pattern's position (``#2``), not by its name."""
    old = (
        "export const invoke = <T extends Array<any>, U>(fn: (...a: T) => U, name: string) => {\n"
        "  return (...a: T): U => fn(...a, name);\n"
        "};\n"
        "export function configItem(value, { dirname = '.', type } = {}) {\n"
        "  return [value, dirname, type];\n"
        "}\n"
    )

    def gone(before: str, after: str) -> list[str]:
        assert before in old
        new = old.replace(before, after)
        return dropped_definitions(old, new, "a.ts", instruction="Fix the bug")

    assert gone(", name: string) =>", ") =>") == ["parameter name of invoke"]
    assert gone("configItem(value, {", "configItem({") == ["parameter value of configItem"]
    assert gone("(value, { dirname = '.', type } = {})", "(value)") == [
        "parameter #2 of configItem"
    ]
    assert gone("configItem(value, {", "configItem(item, {") == []


def test_an_arrow_s_only_parameter_read_once_is_read() -> None:
    """Found by ``benchmarks/js_parameters.py`` on node_modules (wrap-ansi's
    ``wordLengths = string => string.split(' ')…``, babel's ``exports.ensure = name =>
    {…}``): the binding of an arrow's unparenthesised parameter was not counted, so a
    parameter its body reads once was taken for unused, and dropping it passed."""
    old = (
        "const lengths = text => text.split(' ');\nexports.ensure = name => {\n  load(name);\n};\n"
    )
    fix = "Fix the bug"
    new = old.replace("text => text.split", "() => input.split")
    assert dropped_definitions(old, new, "a.js", instruction=fix) == ["parameter text of lengths"]
    new = old.replace("name => {", "() => {")
    assert dropped_definitions(old, new, "a.js", instruction=fix) == [
        "parameter name of exports.ensure"
    ]
    unused = "const one = x => 1;\n"
    assert dropped_definitions(unused, "const one = () => 1;\n", "a.js", instruction=fix) == []


def test_the_function_a_module_exports_is_compared() -> None:
    """Found by ``benchmarks/js_parameters.py`` on node_modules: ``module.exports =
    function (path) {…}``, a CommonJS package's whole API (slash, has-flag, is-number…),
    was not read, so a parameter it dropped passed.  The statement is still no definition
    of its own: an ES module's ``export default`` in its place drops nothing."""
    old = "'use strict';\nmodule.exports = function slash(path) {\n  return path.replace(/\\\\/g, '/');\n};\n"
    fix = "Fix the bug"
    new = old.replace("slash(path)", "slash()")
    assert dropped_definitions(old, new, "index.js", instruction=fix) == [
        "parameter path of module.exports"
    ]
    renamed = old.replace("slash(path)", "slash(p)").replace("return path", "return p")
    assert dropped_definitions(old, renamed, "index.js", instruction=fix) == []
    esm = "export default function slash(path) {\n  return path.replace(/\\\\/g, '/');\n}\n"
    assert dropped_definitions(old, esm, "index.js", instruction="Make it an ES module") == []


def test_a_function_sharing_its_name_with_a_type_is_compared() -> None:
    """A type, an interface or a namespace of the function's name is no second function
    (TypeScript keeps types and values apart): before, ``parse`` counted as defined twice
    and its dropped parameter passed (5 of the misses on all of node_modules: typebox,
    zod, @jridgewell, rolldown)."""
    source = (
        "export type parse = (text: string, encoding: string) => string;\n"
        "export function parse(text: string, encoding: string): string {\n"
        "  return text + encoding;\n}\n"
        "export interface Box { x: number }\n"
        "export function Box(x: number, y: number): number {\n  return x + y;\n}\n"
    )
    for before, after, gone in (
        (
            "parse(text: string, encoding: string): string",
            "parse(text: string): string",
            "encoding",
        ),
        ("Box(x: number, y: number): number", "Box(x: number): number", "y"),
    ):
        new = source.replace(before, after)
        found = dropped_definitions(source, new, "src/calc.ts", instruction="Fix the bug in parse")
        assert found == [f"parameter {gone} of {before.split('(')[0]}"], found


NEST = """\
@Controller('items')
export class ItemsController {
  constructor(private readonly items: ItemsService) {}

  @Get()
  findAll(@Query('skip') skip = 0, @Query('limit') limit = 10) {
    return this.items.list(skip, limit);
  }

  @Get(':id')
  findOne(@Param('id') id: string) {
    return this.items.get(id);
  }

  count(kind: string, all = false) {
    return this.items.count(kind, all);
  }
}
"""


def test_a_handler_whose_parameters_each_have_a_decorator_may_take_them_elsewhere() -> None:
    """NestJS passes a handler's ``@Query('skip') skip`` by what its decorator names, not
    by its place: a new decorated parameter put first moves nothing.  Before, "filter
    the items by name" made ``findAll(@Query('q') q = '', @Query('skip') skip = 0, …)``
    and was refused as ``skip`` and ``limit`` moved.  A parameter without a decorator,
    before or after, is passed by position, and the places count again."""

    def nest_lost(before: str, after: str) -> list[str]:
        assert before in NEST
        new = NEST.replace(before, after, 1)
        return dropped_definitions(NEST, new, "src/items.controller.ts", instruction="Tidy")

    q = "findAll(@Query('q') q = '', @Query('skip') skip = 0,"
    assert nest_lost("findAll(@Query('skip') skip = 0,", q) == []
    full = "findOne(@Query('full') full: boolean, @Param('id') id: string)"
    assert nest_lost("findOne(@Param('id') id: string)", full) == []
    plain = "findOne(full: boolean, @Param('id') id: string)"
    assert nest_lost("findOne(@Param('id') id: string)", plain) == [
        "parameter id of ItemsController.findOne (moved from 1st to 2nd place)"
    ]
    assert nest_lost("count(kind: string,", "count(ns: string, kind: string,") == [
        "parameter kind of ItemsController.count (moved from 1st to 2nd place)",
        "parameter all of ItemsController.count (moved from 2nd to 3rd place)",
    ]
    # a decorated parameter dropped is still lost: a client's ?limit= is ignored
    assert nest_lost(", @Query('limit') limit = 10)", ")") == [
        "parameter limit of ItemsController.findAll"
    ]
