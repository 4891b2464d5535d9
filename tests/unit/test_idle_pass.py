"""A pass whose tests passed before the edit too and ran none of the code it
changes is not learned (``verifier.lines.with_lines``): any edit there that left the code
importable would have passed, so the pass says nothing about the model that wrote it.
It is still offered (with the warning naming the lines), and the why, the terminal, the
memory and the history say it was not learned, not that the set-up failed."""

from __future__ import annotations

from pathlib import Path

import attrs
from acrouter.context import build_task
from acrouter.domain import Attempt, Verdict
from acrouter.explain import not_held, setup_reason
from acrouter.memory import fold
from acrouter.verifier.lines import Traced, changes, with_lines
from acrouter.verifier.lines_idle import IDLE_PASS, exercised

from .test_core import doc, scripted, sr

OLD = "def add(a, b):\n    return a + b\n\n\ndef mul(a, b):\n    return a * b\n"
NEW = OLD.replace("a * b", "b * a")  # line 6 changes
PASS = Verdict(
    "pass",
    "2 passed, 0 failed",
    tests_passed_before=2,
    tests_failed_before=0,
    tests_passed=2,
    tests_failed=0,
    score=1.0,
)


def _change():
    c = changes("calc.py", OLD, NEW)
    assert c is not None and c.statements == ((6, 6),)
    return c


def test_a_pass_the_tests_never_reached_is_not_counted() -> None:
    c = _change()
    v = with_lines(PASS, [c], [Traced({"calc.py": frozenset({2})}, intact=True)])
    assert v.verdict == "pass" and not v.counted
    assert v.unrun == "no test ran 1 of the 1 statements the edit changes: calc.py line 6"
    assert v.detail == f"2 passed, 0 failed; {IDLE_PASS}; {v.unrun}"


def test_a_pass_that_ran_some_fixed_tests_or_could_not_tell_is_counted() -> None:
    c = _change()
    ran = [Traced({"calc.py": frozenset({6})}, intact=True)]
    assert with_lines(PASS, [c], ran) == PASS  # nothing to say: every changed line ran
    none = [Traced({}, intact=True)]
    fixed = attrs.evolve(PASS, tests_failed_before=1, tests_passed_before=1)
    v = with_lines(fixed, [c], none)  # the edit fixed a failing test: it mattered
    assert v.counted and v.unrun and IDLE_PASS not in v.detail
    unknown_before = attrs.evolve(PASS, tests_failed_before=None)  # e.g. exit code only
    assert with_lines(unknown_before, [c], none).counted
    # which lines ran is not known: another tracer took over, a process never wrote
    assert with_lines(PASS, [c], [Traced({}, intact=False)]).counted
    assert with_lines(PASS, [c], [Traced({}, intact=True, cut=True)]).counted
    # two runs (a confirmation): a line either of them ran was run
    both = [Traced({}, intact=True), Traced({"calc.py": frozenset({6})}, intact=True)]
    assert exercised([c], None) and exercised([c], both[1])
    assert with_lines(PASS, [c], both) == PASS


def test_an_idle_pass_is_offered_but_not_learned_and_the_why_says_so(tmp_path: Path) -> None:
    idle = with_lines(PASS, [_change()], [Traced({}, intact=True)])
    o, mem = scripted({"a": sr("x")}, {"a": idle}, ["a"])
    r = o.run(build_task(doc(tmp_path), "refactor", folders=[tmp_path]))
    assert r.verified and r.final_model == "a" and r.edit is not None
    (a,) = r.attempts
    assert a.verdict == "pass" and not a.counted and a.unrun == idle.unrun
    assert [x.counted for x in mem.outcomes()[0].attempts] == [False]
    aggs: dict = {}
    fold(aggs, mem.outcomes()[0])
    assert aggs == {}  # nothing learned about "a"
    assert IDLE_PASS in r.why and "No model is at fault" not in r.why
    assert f"But {idle.unrun}: read those lines yourself." in r.why
    assert not_held(a).startswith("not learned for a: its edit passed, but the tests passed")
    assert "set-up" not in setup_reason(a)


def test_a_failed_set_up_still_reads_as_not_held() -> None:
    a = Attempt("b", "error", 0.0, 1.0, "auth: the gateway rejected the key", counted=False)
    assert not_held(a) == "not held against b: the gateway rejected the key"


ADDED = """\
import re
from os import path


def slug(s):
    return re.sub("-", "_", s)


class Box:
    import json

    size = 3

    @staticmethod
    def dump(x=1):
        def inner():
            return x

        return inner()


if path:
    def spare():
        return 1
"""


def _loading(text: str) -> list[int]:
    c = changes("m.py", "", text)
    assert c is not None
    return sorted(r[0] for r in c.loading)


def test_the_lines_that_only_define_or_import_as_the_module_loads() -> None:
    # imports at module and class level, def / class headers (a decorator's line first),
    # also under a module-level ``if``; not ``size = 3``, not what runs inside a function
    assert _loading(ADDED) == [1, 2, 5, 9, 10, 14, 23]


def test_a_new_function_no_test_calls_with_its_import_is_not_exercised() -> None:
    old = "def add(a, b):\n    return a + b\n"
    new = "import re\n\n\n" + old + "\n\ndef slug(s):\n    return re.sub('-', '_', s)\n"
    c = changes("m.py", old, new)
    assert c is not None and c.statements == ((1, 1), (8, 8), (9, 9))
    at_import = Traced({"m.py": frozenset({1, 4, 8})}, intact=True)  # what loading runs
    assert not exercised([c], at_import)
    v = with_lines(PASS, [c], [at_import])
    assert not v.counted and v.unrun == (
        "no test ran 1 of the 3 statements the edit changes: m.py line 9"
    )
    called = Traced({"m.py": frozenset({1, 4, 8, 9})}, intact=True)
    assert exercised([c], called) and with_lines(PASS, [c], [called]) == PASS


def test_a_changed_constant_or_only_a_header_counts_as_exercised() -> None:
    old = "RATE = 1\n\n\ndef f(x=1):\n    return x * RATE\n"
    const = changes("m.py", old, old.replace("RATE = 1", "RATE = 2"))
    assert const is not None and not const.loading
    assert exercised([const], Traced({"m.py": frozenset({1, 4})}, intact=True))
    header = changes("m.py", old, old.replace("x=1", "x=2"))  # tests may call f(): not seen
    assert header is not None and header.loading == {(4, 4)}
    assert exercised([header], Traced({"m.py": frozenset({1, 4})}, intact=True))


JS = """\
const util = require("node:util");
import { a } from "./a.js";
import("./x.js").then(f);
exports.sub = function (a, b) {
  return a - b;
};
module.exports.mul = (a, b) => a * b;
const k = async x => x;
export default class A {}
export { a, k };
const RATE = 2;
exports.RATE = 3;
function h() {
  const inner = () => 1;
}
module.exports = { sub, mul };
let x = y();
"""


def test_the_javascript_lines_that_only_define_or_import_at_the_top_level() -> None:
    from acrouter.verifier.lines_idle import js_loading_lines

    # not: a dynamic import() call, values assigned (RATE), what a function holds, a call
    assert sorted(js_loading_lines(JS.splitlines())) == [1, 2, 4, 7, 8, 9, 10, 13, 16]


def test_a_new_javascript_function_no_test_calls_is_not_exercised() -> None:
    from acrouter.verifier.lines_js import js_change

    old = "exports.add = function (a, b) {\n  return a + b;\n};\n"
    new = old + "\nexports.sub = function (a, b) {\n  return a - b;\n};\n"
    c = js_change("calc.js", old, new)
    assert c is not None and c.statements == ((5, 5), (6, 6)) and c.loading == {(5, 5)}
    at_load = Traced({"calc.js": frozenset({1, 5})}, intact=True)
    assert not exercised([c], at_load)
    assert exercised([c], Traced({"calc.js": frozenset({1, 5, 6})}, intact=True))
