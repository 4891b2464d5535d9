"""``benchmarks/ts_members.py`` compares what the guard reads of TypeScript's containers
(interfaces, enums, object types, namespaces) with what TypeScript's own parser lists:
checked here on a small folder of our own, with the typescript package of this
repository's ``node_modules`` (``npm ci`` installs it)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from .helpers import script_output

REPO = Path(__file__).resolve().parents[2]

SHAPES = """\
export interface Options<T = string> extends Base {
  timeout?: number
  onError(e: Error): void
  onError(e: string): void
  (x: number): void
  [key: string]: unknown
}
export enum Color { Red, Green = 2 }
type Point = { x: number, y: number }
export namespace Util {
  export function helper(): number { return 1 }
  export var low: number, high: number
  export const { top, rest: [first, ...others] } = limits
  // a class's constructor, as a top-level class's, and a name TypeScript does not have
  export class Box { constructor(public side: number) {} }
}
declare module 'lib' {
  interface Options
    extends Base
  {
    verbose: boolean
  }
}
declare global {
  var appVersion: string
}
"""


def test_the_reading_is_compared_with_typescripts_parser(tmp_path: Path) -> None:
    if shutil.which("node") is None or not (REPO / "node_modules" / "typescript").is_dir():
        pytest.skip("no node, or no typescript in node_modules: run `npm ci` at the root")
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "shapes.ts").write_text(SHAPES)
    (tmp_path / "src" / "broken.ts").write_text("export interface Broken {\n  a: \n")
    out = script_output("ts_members.py", "--sources", str(tmp_path / "src"))
    lines = [line.strip() for line in out.splitlines()]
    # every rule read as TypeScript reads it, overloads counted, the broken file left out
    assert lines == [
        (
            "files: 2; compared: 1 (1 with containers); TypeScript could not parse 1;"
            " the guard's tokens could not read 0"
        ),
        "members read by the guard: 18; listed by TypeScript: 18",
        "each name as many times as it is declared (as the guard counts them):",
        "read but not parsed (false refusals waiting to happen): 0",
        "parsed but not read (not protected): 0",
        "each name of a file once (differences of names, not of counts):",
        "read but not parsed: 0",
        "parsed but not read: 0",
    ], out
    # TypeScript's own list, by the rules of the script's docstring
    listing = script_output("ts_members.py", "--sources", str(tmp_path / "src"), "--names")
    for name in (
        "Options.onError",
        "Color.Green",
        "Point.y",
        "Util.high",
        "Util.Box.constructor",
        "Util.top",
        "Util.others",
        "module lib.Options.verbose",
        "global.appVersion",
    ):
        assert name in listing, listing
