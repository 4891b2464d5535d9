"""``benchmarks/js_parameters.py`` judges how the guard reads the parameters of
JavaScript and TypeScript functions with edits of real files, TypeScript's compiler its
oracle: checked here on a tiny corpus of our own (the typescript and prettier packages
of this repository's ``node_modules``: ``npm ci`` installs them).  Each file has at most
3 functions with a parameter, and each function at most one parameter its code reads
(but ``add`` and the wrapper, where either choice has one fate), so every function is
edited whatever the seed, and the figures do not depend on it.

The deletions the guard must refuse (13): one of each form of name it reads -- ``add``,
``exports.neg``, ``Calc.prototype.scale``, ``Reader.constructor`` (beside a parameter
property), ``outer`` (in the UMD wrapper's factory), ``export default.greet``, ``export
default.wave``, ``shout``, ``module.exports.wrap``, ``square``, ``Shapes.area`` (in a
namespace), a rest parameter (``parameter ...parts of log``) and one after TypeScript's
``this`` (``lookup``).  Those it does not read, by design (8): ``inner`` (inside a
function), the wrapper and a callback (not named), a function in an ``if`` (in a block),
a setter, the implementation of ``pick``'s overloads (defined twice), ``Reader.read``'s
``count`` (a rest parameter follows) and ``total``'s ``first`` (it reads ``arguments``).
The edits never to refuse: a parameter added, one renamed (``{ value }`` becomes ``{
value: renamedParam }``), an unreferenced last one dropped (``factor``, and the rest
parameter ``...rest``), and the two files prettier changes reformatted."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from .helpers import script_output

REPO = Path(__file__).resolve().parents[2]

FILES = {
    # prettier changes this one ("{ return -n }" on one line)
    "a_calc.js": """\
function add(a, b) {
  return a + b;
}
exports.neg = function (n) { return -n };
Calc.prototype.scale = (x, factor) => x * 2;
""",
    "b_reader.ts": """\
export class Reader {
  constructor(private path: string, size: number) {
    this.size = size;
  }

  read(count: number, ...rest: string[]): string {
    return this.path.slice(0, count);
  }

  set length(value: number) {
    this.size = value;
  }
}
""",
    "c_wrapped.js": """\
(function (root, factory) {
  root.lib = factory();
})(this, function () {
  function outer(o) {
    return function inner(i) {
      return i + o;
    };
  }

  return { outer: outer };
});
""",
    "d_overloads.ts": """\
export function pick(key: string): string;
export function pick(key: number): number;
export function pick(key: any): any {
  return key;
}
""",
    "e_misc.js": """\
function total(first) {
  return first + arguments.length;
}

if (typeof window !== "undefined") {
  function inBlock(flag) {
    return !flag;
  }
}

[1, 2].map(function (item) {
  return item * 2;
});
""",
    "f_default.mjs": """\
export default {
  greet(name) {
    return `hi ${name}`;
  },
  wave: (who) => who,
};

export const shout = (text) => text.toUpperCase();
""",
    "g_short.js": """\
module.exports = {
  wrap(value) {
    return { value };
  },
};

const square = (x) => x * x;
""",
    "h_space.ts": """\
namespace Shapes {
  export function area(r: number) {
    return r * r;
  }
}
""",
    "i_rest.ts": """\
export function log(level: string, ...parts: string[]): number {
  return parts.length;
}

export function lookup(this: Record<string, number>, key: string): number {
  return this[key];
}
""",
    "j_broken.js": "function broken( {\n",
}


def test_the_edits_are_judged(tmp_path: Path) -> None:
    modules = REPO / "node_modules"
    # (CI fails when these skip: .ci/run looks for "... is not installed" of each)
    if shutil.which("node") is None:
        pytest.skip("node is not installed: the benchmark's oracle is TypeScript's compiler")
    for package in ("typescript", "prettier"):
        if not (modules / package).is_dir():
            pytest.skip(f"{package} is not installed in node_modules: run `make npm`")
    src = tmp_path / "src"
    src.mkdir()
    for name, text in FILES.items():
        (src / name).write_text(text)
    (src / "skipped").mkdir()
    (src / "skipped" / "z.js").write_text("function z(a) {\n  return a;\n}\n")
    args = (str(src), "--exclude", "skipped", "--seed", "1")
    out = script_output("js_parameters.py", *args).splitlines()
    assert out[:15] == [
        "files read: 9 (not read: not parsed 1)",
        "edit            files   edits  refused  not refused  skipped",
        "deleted             9      21       13            8        0",
        "moved               9      22       15            7        1",
        "added               9      21        0           21        0",
        "renamed             9      23        0           23        0",
        "unused dropped      2       2        0            2        0",
        "prettier            2       2        0            2        0",
        "deletions to refuse: 13: refused 13, refused under another name 0, missed 0",
        (
            "deletions not refused, by design: 1 inside a function, 2 not named, 1 in a "
            "block, 1 accessor, 1 defined twice, 1 rest parameter, 1 reads arguments"
        ),
        "deletions refused although not read by design: 0",
        "moved edits to refuse: 15: refused 15, refused under another name 0, missed 0",
        (
            "moved edits not refused, by design: 1 inside a function, 2 not named, 1 in a"
            " block, 0 accessor, 3 defined twice, 0 rest parameter, 0 reads arguments"
        ),
        "moved edits refused although not read by design: 0",
        "false refusals: 0 (added 0, renamed 0, unused dropped 0, prettier 0)",
    ], "\n".join(out)
    assert out[15].startswith("command: ") and out[15].endswith(" ".join(args))
    assert len(out) == 16
