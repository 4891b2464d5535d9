"""How often the harness tripwire fires on ordinary code: its findings over the Python
and JavaScript files that are installed here (packages' code, not their tests).

``verifier.harness`` refuses an edit whose code (not the tests') gains what only a test
harness needs; a finding in ordinary library code is what an edit adding such code would
be refused for (a false alarm, unless the library really patches a runner, the module
loader or ``Object.prototype``).  Only the findings this tripwire's kinds produce are
counted for Python (``changes ...``, ``setattr(...)``, ``patches ...``); the older
``uses NAME`` rule is listed apart, and the files with a finding of the doctest rule (an
assignment to ``__doc__`` or ``__test__`` whose value may hold examples) and of the rule
on what a documented name holds (``verifier.docnames``: a name documented with examples
bound again, decorated, written into a namespace, a docstring copied) are counted apart
too: a line for the files with a finding of the other rules, one for each of these two,
one for either of them.  The rule for runners whose report is what they print
(unittest's ``-v`` lines, Django's: ``harness_py.output_uses``, a stream of ``sys``
replaced, ``os.dup2``, ...), which applies to those commands only, is counted apart too.
Packages that are test tools themselves (pytest and
its plugins, mocha, tape, jest, chai, ...) and minified files (a line over 1,000
characters) are left out.

    .venv/bin/python benchmarks/tripwire_alarms.py [--site DIR] [--node-modules DIR ...]

Defaults: this virtualenv's site-packages and ``vscode-client/node_modules``.  Prints
the files read, the files with a finding, and each finding with a file it came from.
"""

from __future__ import annotations

import argparse
import os
import sysconfig
from collections import Counter
from pathlib import Path

from acrouter.jsdefinitions import JS_SUFFIXES
from acrouter.verifier.docnames import doctest_name_changes
from acrouter.verifier.harness_js import js_harness_uses
from acrouter.verifier.harness_py import DOCTEST_NAMES, harness_uses, output_uses
from acrouter.verifier.testfiles import is_test_file

#: packages that are test tools: their harness code is what they are for
TEST_TOOLS = ("pytest", "_pytest", "pluggy", "hypothesis", "coverage", "py", "xdist", "execnet")
JS_TEST_TOOLS = ("mocha", "tape", "tap", "jest", "vitest", "chai", "should", "ava", "nyc")


def _tool(folder: str, tools: tuple[str, ...]) -> bool:
    """Whether the folder ``folder`` is (a version of) a test tool's package."""
    name = folder.lower().lstrip("@_")
    return any(name == t or name.startswith((f"{t}-", f"{t}_", f"{t}.")) for t in tools)


def _files(root: Path, suffixes: tuple[str, ...], tools: tuple[str, ...]) -> list[Path]:
    out = []
    for folder, dirs, files in os.walk(root):
        rel_dir = Path(folder).relative_to(root)
        if any(_tool(p, tools) for p in rel_dir.parts):
            dirs[:] = []
            continue
        out += [
            Path(folder) / f
            for f in files
            if f.endswith(suffixes) and not f.endswith(".d.ts") and ".min." not in f
        ]
    return sorted(out)


def _doctest_rule(kind: str) -> bool:
    """A finding of the rule about what doctest runs (``changes add.__doc__``)."""
    return any(name in kind for name in DOCTEST_NAMES)


def scan(
    root: Path, suffixes: tuple[str, ...], tools: tuple[str, ...], python: bool
) -> tuple[int, int, int, int, int, int, Counter[str], dict[str, str]]:
    """(files read, files with a finding of the assertion and runner rules, files with
    one of the doctest rule, of the rule on what a documented name holds, of either of
    those two, of the printed-output rule, findings, a file per finding)."""
    read = hit = doc_hit = names_hit = either = printed_hit = 0
    found: Counter[str] = Counter()
    where: dict[str, str] = {}
    for path in _files(root, suffixes, tools):
        rel = path.relative_to(root).as_posix()
        if is_test_file(rel):
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        if max((len(line) for line in text.splitlines()), default=0) > 1000:
            continue  # minified
        read += 1
        uses = harness_uses(text) if python else js_harness_uses(text)
        kinds = {("older rule: " + k if python and k.startswith("uses ") else k) for k in uses}
        # what may change what a documented name holds (add = _add, @swap, globals())
        names = (
            {f"doctest names: {k}" for k in doctest_name_changes(None, text)} if python else set()
        )
        if any(not k.startswith("older rule: ") and not _doctest_rule(k) for k in kinds):
            hit += 1
        if python and any(_doctest_rule(k) for k in kinds):
            doc_hit += 1
        if names:
            names_hit += 1
        if python and (names or any(_doctest_rule(k) for k in kinds)):
            either += 1
        kinds |= names
        printed = {f"printed output: {k}" for k in output_uses(text)} if python else set()
        printed_hit += bool(printed)
        kinds |= printed
        for k in kinds:
            found[k] += 1
            where.setdefault(k, rel)
    return read, hit, doc_hit, names_hit, either, printed_hit, found, where


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    here = Path(__file__).resolve().parent.parent
    ap.add_argument("--site", type=Path, default=Path(sysconfig.get_paths()["purelib"]))
    ap.add_argument(
        "--node-modules", type=Path, nargs="*", default=[here / "vscode-client" / "node_modules"]
    )
    args = ap.parse_args()
    runs = [(args.site, (".py",), TEST_TOOLS, True)]
    runs += [(nm, JS_SUFFIXES, JS_TEST_TOOLS, False) for nm in args.node_modules]
    for root, suffixes, tools, python in runs:
        if not root.is_dir():
            print(f"{root}: not a folder, skipped")
            continue
        read, hit, doc_hit, names_hit, either, printed, found, where = scan(
            root, suffixes, tools, python
        )
        print(f"{root}: {read} files read, {hit} with a finding of this tripwire")
        if python:
            print(f"  and {doc_hit} with a finding of its doctest rule (__doc__, __test__)")
            print(
                f"  and {names_hit} with a finding of its rule on what a documented name holds"
                " (rebinding, decorators, namespace writes, copied docstrings)"
            )
            print(f"  and {either} with a finding of either of these two")
            print(f"  and {printed} with a finding of its rule for runners read from their output")
        for kind, n in found.most_common():
            print(f"  {n:4d}  {kind}  (e.g. {where[kind]})")


if __name__ == "__main__":
    main()
