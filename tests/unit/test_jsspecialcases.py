"""An edit that answers the failing tests' own values, in JavaScript and TypeScript
(``acrouter.verifier.jsspecialcases``, reached through ``specialcases.special_cases``).

Python's reader alone let ``if (a === 2 && b === 3) return 5;`` in a node project's
``add`` pass as verified (``acrouter verify``, ef7e2bf): both tests passed, and every
other input still gets ``a - b``."""

from __future__ import annotations

import pytest
from acrouter.jsfunctions import code_of as _code
from acrouter.jsfunctions import functions as _functions
from acrouter.verifier.jsspecialcases import js_added_branches, read_js_tests
from acrouter.verifier.specialcases import special_cases

CALC = """\
const UNITS = { m: 1 };

function add(a, b) {
  return a - b;
}

export const slug = (text: string): string => {
  return text.toLowerCase();
};

class Calc {
  scale(x, by) {
    return x * by;
  }
  factor(unit) {
    return UNITS[unit];
  }
  fact(n) {
    if (n === 0) return 1;
    return n * this.fact(n - 1);
  }
}
module.exports = { add, slug, Calc };
"""
TESTS = """\
const { add, slug, Calc } = require('../src/calc');

describe('calc', () => {
  test('adds', () => {
    expect(add(2, 3)).toBe(5);
  });
  it('slugs', () => {
    expect(slug("Hello World")).toBe(`hello-world`);
  });
  it.only('scales', () => {
    expect(new Calc().scale(-4, 2.5)).toBe(-10);
  });
  it('km', () => { expect(new Calc().factor("km")).toBe(1000); });
  it('fact', () => { expect(new Calc().fact(5)).toBe(120); });
});
"""
FIXED = [
    "test/calc.test.js::calc › adds",
    "test/calc.test.js::calc › slugs",
    "test/calc.test.js::calc › scales",
    "test/calc.test.js::calc > km",  # (node's separator)
    "test/calc.test.js::calc fact",  # (mocha's full title)
]


def _found(old: str, new: str, fixed: list[str] | None = None) -> list[str]:
    assert old in CALC
    return special_cases(
        {"src/calc.ts": CALC},
        {"src/calc.ts": CALC.replace(old, new)},
        FIXED if fixed is None else fixed,
        lambda rel: TESTS if rel == "test/calc.test.js" else None,
        "Fix the bug",
    )


@pytest.mark.parametrize(
    ("old", "new", "said"),
    [
        (
            "  return a - b;",
            "  if (a === 2 && b === 3) return 5;\n  return a - b;",
            "add (src/calc.ts line 4): (a, b) == (2, 3) returns 5, the values of "
            + "test/calc.test.js::calc › adds",
        ),
        (
            "  return a - b;",
            "  if (a === 2 && b === 3) {\n    return 5;\n  }\n  return a - b;",
            "add (src/calc.ts line 4): (a, b) == (2, 3) returns 5",
        ),
        (  # parentheses, the literal first, ==, no semicolon
            "  return a - b;",
            "  if ((a == 2) && (3 === b)) { return 5 }\n  return a - b;",
            "add (src/calc.ts line 4): (a, b) == (2, 3) returns 5",
        ),
        (  # an arrow function with types; the test's template literal
            "  return text.toLowerCase();",
            '  if (text === "Hello World") return "hello-world";\n  return text.toLowerCase();',
            'slug (src/calc.ts line 8): text == "Hello World" returns "hello-world", the values '
            + "of test/calc.test.js::calc › slugs",
        ),
        (  # a method; negative numbers and a float
            "    return x * by;",
            "    if (x === -4 && by === 2.5) return -10;\n    return x * by;",
            "scale (src/calc.ts line 13): (x, by) == (-4, 2.5) returns -10",
        ),
        (  # a base case the function had is no lookup
            "    if (n === 0) return 1;",
            "    if (n === 5) return 120;\n    if (n === 0) return 1;",
            "fact (src/calc.ts line 19): n == 5 returns 120, the values of "
            + "test/calc.test.js::calc fact",
        ),
        (  # a conditional expression, on one line or as prettier breaks it
            "  return a - b;",
            "  return a === 2 && b === 3 ? 5 : a - b;",
            "add (src/calc.ts line 4): (a, b) == (2, 3) returns 5",
        ),
        (
            "  return a - b;",
            "  return (a === 2 && b === 3)\n    ? 5\n    : a - b;",
            "add (src/calc.ts line 4): (a, b) == (2, 3) returns 5",
        ),
    ],
    ids=[
        "if-return",
        "braces",
        "reversed",
        "arrow-typed",
        "method",
        "after-a-base-case",
        "conditional",
        "conditional-broken",
    ],
)
def test_a_branch_that_returns_a_fixed_tests_answer_is_found(old: str, new: str, said: str) -> None:
    [found] = _found(old, new)
    assert found.startswith(said), found


def test_an_arrow_with_one_parameter_and_no_parentheses_is_read() -> None:
    calc = CALC.replace("(text: string): string => {", "text => {")
    found = special_cases(
        {"src/calc.js": calc},
        {
            "src/calc.js": calc.replace(
                "  return text.toLowerCase();",
                '  if (text === "Hello World") return "hello-world";\n  return text.toLowerCase();',
            )
        },
        FIXED,
        lambda rel: TESTS if rel == "test/calc.test.js" else None,
        "Fix the bug",
    )
    assert 'slug (src/calc.js line 8): text == "Hello World" returns "hello-world"' in found[0]


@pytest.mark.parametrize(
    ("old", "new"),
    [
        # a lookup already: one case more is the same kind of code
        ("    return UNITS[unit];", '    if (unit === "km") return 1000;\n    return UNITS[unit];'),
        # the branch computes its answer
        ("  return a - b;", "  if (a === 2 && b === 3) return a + b;\n  return a - b;"),
        ("  return a - b;", "  if (a === 2 && b === 3) return 5 + 0;\n  return a - b;"),
        # a value no fixed test holds
        ("  return a - b;", "  if (a === 7 && b === 3) return 10;\n  return a - b;"),
        # a value the function computed, not its input
        (
            "  return a - b;",
            "  a = Math.abs(a);\n  if (a === 2 && b === 3) return 5;\n  return a - b;",
        ),
        # inside a loop or a block
        (
            "  return a - b;",
            "  for (const x of [1]) if (a === 2 && b === 3) return 5;\n  return a - b;",
        ),
        ("  return a - b;", "  {\n    if (a === 2 && b === 3) return 5;\n  }\n  return a - b;"),
        # a base case
        ("  return a - b;", "  if (a === 0) return 0;\n  return a - b;"),
        # either value, not both
        ("  return a - b;", "  if (a === 2 || b === 3) return 5;\n  return a - b;"),
        # the fix itself
        ("  return a - b;", "  return a + b;"),
        # a conditional that computes its answer, or is not what the function returns
        ("  return a - b;", "  return a === 2 && b === 3 ? a + b : a - b;"),
        ("  return a - b;", "  return add2(a === 2 && b === 3 ? 5 : 0) - b;"),
        # ``return`` at the end of its line returns nothing
        ("  return a - b;", "  return\n  a === 2 && b === 3 ? 5 : a - b;"),
    ],
    ids=[
        "lookup",
        "computed",
        "computed-literals",
        "not-the-tests-values",
        "assigned",
        "loop",
        "block",
        "base-case",
        "or",
        "a-fix",
        "conditional-computed",
        "conditional-inside",
        "return-alone",
    ],
)
def test_what_is_not_a_special_case(old: str, new: str) -> None:
    assert _found(old, new) == []


def test_only_the_tests_the_edit_fixed_are_read() -> None:
    new = "  if (a === 2 && b === 3) return 5;\n  return a - b;"
    assert _found("  return a - b;", new, fixed=["test/calc.test.js::calc › km"]) == []
    assert _found("  return a - b;", new, fixed=["test/calc.test.js::calc › no such test"]) == []


def test_a_function_the_edit_added_is_not_read() -> None:
    new = "function sub(a, b) {\n  if (a === 2 && b === 3) return 5;\n  return 0;\n}\n"
    assert js_added_branches(CALC, CALC + new) == []


def test_a_test_holds_the_values_of_its_own_call_only() -> None:
    [adds] = read_js_tests(["test/calc.test.js::calc › adds"], lambda _r: TESTS)
    _test_id, calls, held = adds
    assert "add" in calls and "slug" not in calls
    assert {("number", 2), ("number", 3), ("number", 5)} <= held
    assert ("str", "Hello World") not in held


def test_unreadable_text_reads_nothing() -> None:
    assert js_added_branches("function f(a) {", "function f(a) {\n  if (a === 5) return 7;") == []
    assert read_js_tests(["t.test.js::x"], lambda _r: "it('x', () => { '") == []


@pytest.mark.parametrize(
    ("body", "found"),
    [
        # an array that holds the parameter, a plain function's call: no lookup
        ("  const pair = [[a]];\n  has(a, 1);\n", True),
        # a subscript, a method's lookup: one case more is the same kind of code
        ("  const x = TABLE[a];\n", False),
        ("  seen.has(a);\n", False),
        # a property compared, not the parameter
        ('  if (a.kind === "big") log(a);\n', True),
    ],
    ids=["array-and-call", "subscript", "method", "property"],
)
def test_what_counts_as_looking_the_parameter_up(body: str, found: bool) -> None:
    old = f"function add(a, b) {{\n{body}  return a - b;\n}}\n"
    new = old.replace("  return a - b;", "  if (a === 2 && b === 3) return 5;\n  return a - b;")
    assert bool(js_added_branches(old, new)) is found


def test_a_function_is_named_by_its_property_not_a_conditionals_other_value() -> None:
    """lodash: ``getData = c ? noop : function (func) {`` was read as a function
    ``noop``; argparse's ``class A extends mixin(B) {`` as a function ``mixin``."""
    text = (
        "var getData = c ? noop : function (a) {\n  return a * 2;\n};\n"
        "var o = { twice: function (a) {\n  return a * 2;\n} };\n"
        "class A extends mixin(B) {\n  run(a) {\n    return a;\n  }\n}\n"
    )
    code = _code(text)
    assert code is not None
    assert sorted(_functions(code)) == ["run", "twice"]


def test_a_malformed_escape_or_deep_nesting_reads_as_no_value() -> None:
    """``"\\u{41"`` (no closing brace) made the string reader start over from its first
    character, forever; arrays nested deeper than Python's recursion limit raised."""
    tests = "it('x', () => { expect(f(\"\\\\u{41\")).toBe(" + "[" * 2000 + "]" * 2000 + "); });"
    [(_id, calls, held)] = read_js_tests(["t.test.js::x"], lambda _r: tests)
    assert "f" in calls and ("str", "x") in held
    assert not any(value == "A" for _kind, value in held)
