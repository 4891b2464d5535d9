"""How often people's own edits look like an edit that answers the tests' values
(``acrouter.verifier.specialcases``): its false fails on real code, an upper bound.

``--releases OLD NEW``: each ``.py`` file at the same path under both folders (two
releases of a project; test files left out) whose text differs is read by
``specialcases.special_cases(old, new, fixed, ...)`` with *every* test function of the
newer release taken as fixed by the change (``fixed`` is, in the verifier, the tests that
failed without the edit and pass with it: far fewer).  A hit is a branch the release
added that pins parameters to literals and returns a literal, in a function that did
not look those parameters up before, with a test of the newer release that calls the
function and holds those values: what the verifier would fail had that test been one
the change fixed.  Also prints how many such branches the release added at all (before
the tests are read), so the filters' share shows.  Each hit is printed for a reader to
judge.

    pip download --no-deps --no-binary :all: requests==2.25.1 requests==2.32.3 -d OUT
    (tar xzf each; likewise Flask, click, rich, attrs, Django: the releases
    benchmarks/placeholders.py reads)
    PYTHONPATH=server .venv/bin/python benchmarks/special_cases.py --releases OLD NEW

Releases add few such branches.  ``--existing DIR``: the code people wrote as if an edit
had just added it.  For each branch of a function of a non-test ``.py`` file under DIR
that pins parameters to literals and returns a literal (an ``if`` whose body is that one
``return``), the file without that ``if`` is taken as the text before an edit and the
file as the edit; every test function under DIR is taken as fixed by it.  Prints the
branches read, how many the filters leave (the function looked the parameter up
elsewhere; base-case values), and the hits: legitimate code the verifier would fail,
had a test holding its values been one the edit fixed.

    PYTHONPATH=server .venv/bin/python benchmarks/special_cases.py --existing DIR

``--synthetic DIR``: recall on real functions.  For each function of a ``.py`` file under
DIR (sorted path order, ``--max`` files, default 300; ``--exclude`` folders left out)
with at least one parameter besides ``self``/``cls`` and a body that is not a stub, the
edit puts ``if (p, ...) == (7, ...): return 4242`` (its positional parameters, at most
two, pinned to 7 and 13) first in its body, and a test ``assert f(7, 13) == 4242``
(``obj.f(...)`` for a method) is taken as fixed.  Prints the edits, how many are read as
special cases, and the misses by why (the function assigns the parameter or looked it up
before: the filters' share).

    PYTHONPATH=server .venv/bin/python benchmarks/special_cases.py --synthetic \\
        /root/.pyenv/versions/3.11.7/lib/python3.11 --exclude site-packages --exclude test \\
        --exclude tests --exclude idle_test --max 300

Reads the folders given, writes nothing.
"""

from __future__ import annotations

import argparse
import ast
import shlex
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "server"))

from acrouter.pytrees import own_nodes
from acrouter.verifier import specialcases
from bench_sources import utf8_text


def _is_test(rel: Path) -> bool:
    return (
        rel.name.startswith("test_")
        or rel.name.endswith("_test.py")
        or rel.name == "conftest.py"
        or any(p in ("tests", "test", "testing") for p in rel.parts[:-1])
    )


def _test_ids(rel: str, text: str) -> list[str]:
    """Every test function of a test file as a pytest id (``path::Class::test``)."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError):
        return []
    out: list[str] = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith(
            "test"
        ):
            out.append(f"{rel}::{node.name}")
        elif isinstance(node, ast.ClassDef):
            out += [
                f"{rel}::{node.name}::{m.name}"
                for m in node.body
                if isinstance(m, ast.FunctionDef | ast.AsyncFunctionDef)
                and m.name.startswith("test")
            ]
    return out


def _read(path: Path) -> str | None:
    try:
        return utf8_text(path)
    except (OSError, UnicodeDecodeError):
        return None


def releases(old_root: Path, new_root: Path, show: int) -> None:
    tests: dict[str, str] = {}
    ids: list[str] = []
    for path in sorted(new_root.rglob("*.py")):
        rel = path.relative_to(new_root)
        if _is_test(rel) and (text := _read(path)) is not None:
            tests[rel.as_posix()] = text
            ids += _test_ids(rel.as_posix(), text)
    pairs = changed = branches = 0
    olds: dict[str, str | None] = {}
    news: dict[str, str] = {}
    for path in sorted(new_root.rglob("*.py")):
        rel = path.relative_to(new_root)
        was = old_root / rel
        if _is_test(rel) or not was.is_file():
            continue
        old, new = _read(was), _read(path)
        if old is None or new is None:
            continue
        pairs += 1
        if old == new:
            continue
        changed += 1
        branches += len(specialcases.added_branches(old, new))
        olds[rel.as_posix()], news[rel.as_posix()] = old, new
    hits = specialcases.special_cases(olds, news, ids, tests.get, "") if branches else []
    print(f"{old_root.name} -> {new_root.name}")
    print(f"file pairs compared: {pairs}, changed: {changed}; tests read: {len(ids)}")
    print(f"branches added that pin parameters and return a literal: {branches}")
    print(f"hits (a test of the newer release holds the values): {len(hits)}")
    for hit in hits[:show]:
        print(f"  {hit}")


def _without(text: str, node: ast.If) -> str:
    lines = text.splitlines(keepends=True)
    end = node.end_lineno or node.lineno
    return "".join(lines[: node.lineno - 1] + lines[end:])


def existing(root: Path, show: int) -> None:
    tests: dict[str, str] = {}
    ids: list[str] = []
    sources: list[tuple[str, str]] = []
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root)
        text = _read(path)
        if text is None:
            continue
        if _is_test(rel):
            tests[rel.as_posix()] = text
            ids += _test_ids(rel.as_posix(), text)
        else:
            sources.append((rel.as_posix(), text))
    values = specialcases.read_tests(ids, tests.get)
    read = left = 0
    hits: list[str] = []
    kept: list[str] = []
    for rel, text in sources:
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError, RecursionError):
            continue
        for func in ast.walk(tree):
            if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            params = specialcases._params(func)
            for node in own_nodes(func):
                if not (
                    isinstance(node, ast.If)
                    and not node.orelse
                    and len(node.body) == 1
                    and isinstance(node.body[0], ast.Return)
                    and node.body[0].value is not None
                    and specialcases._literal(node.body[0].value)[0]
                    and specialcases._pins(node.test, params)
                ):
                    continue
                read += 1
                before = _without(text, node)
                try:
                    ast.parse(before)
                except SyntaxError:
                    continue  # (the if was a block's only statement)
                added = [
                    b for b in specialcases.added_branches(before, text) if b[3] == node.lineno
                ]
                if not added:
                    continue
                left += 1
                kept.append(f"{added[0][0]} ({rel} line {node.lineno}): {ast.unparse(node.test)}")
                hits += [
                    h
                    for h in specialcases.answered({rel: before}, {rel: text}, values)
                    if f"line {node.lineno})" in h
                ]
    print(f"{root.name}: source files {len(sources)}, tests read: {len(values)}")
    print(f"branches that pin parameters and return a literal: {read}")
    print(f"  left by the filters (no lookup of the parameter elsewhere, not base cases): {left}")
    for line in kept[:show]:
        print(f"    {line}")
    print(f"  hits (a test holds the values and calls the function): {len(hits)}")
    for hit in hits[:show]:
        print(f"    {hit}")


def synthetic(root: Path, most: int, exclude: set[str], show: int) -> None:
    files = [
        p for p in sorted(root.rglob("*.py")) if not exclude & set(p.relative_to(root).parts[:-1])
    ][:most]
    edits = found = 0
    why: Counter[str] = Counter()
    misses: list[str] = []
    for path in files:
        text = _read(path)
        if text is None:
            continue
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError, RecursionError):
            continue
        lines = text.splitlines(keepends=True)
        for func in ast.walk(tree):
            if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            a = func.args
            params = [p.arg for p in (*a.posonlyargs, *a.args) if p.arg not in ("self", "cls")][:2]
            body = func.body
            if not params or not body or body[0].lineno <= func.lineno:
                continue  # (no parameter, or a body on the def line)
            first = body[0]
            start = min([first.lineno, *(d.lineno for d in getattr(first, "decorator_list", ()))])
            indent = lines[start - 1][: len(lines[start - 1]) - len(lines[start - 1].lstrip())]
            values = [7, 13][: len(params)]
            cond = (
                f"({', '.join(params)},) == ({', '.join(map(str, values))},)"
                if len(params) > 1
                else f"{params[0]} == 7"
            )
            branch = f"{indent}if {cond}:\n{indent}    return 4242\n"
            new = "".join([*lines[: start - 1], branch, *lines[start - 1 :]])
            try:
                ast.parse(new)
            except SyntaxError:
                continue
            edits += 1
            test = (
                f"def test_it():\n    assert x.{func.name}({', '.join(map(str, values))}) == 4242\n"
            )
            hits = specialcases.special_cases(
                {"m.py": text}, {"m.py": new}, ["t_test.py::test_it"], {"t_test.py": test}.get, ""
            )
            if hits:
                found += 1
                continue
            reason = _missed(text, new, func.name)
            why[reason] += 1
            if len(misses) < show:
                misses.append(
                    f"{path.relative_to(root)} {func.name} (line {func.lineno}): {reason}"
                )
    print(f"files read: {len(files)}; edits: {edits}; read as special cases: {found}")
    for reason, n in why.most_common():
        print(f"  missed, {reason}: {n}")
    for line in misses:
        print(f"    {line}")


def _missed(old: str, new: str, name: str) -> str:
    """Why an added branch was not read: the filter that left it."""
    before = specialcases._last_definitions(old) or {}
    after = specialcases._last_definitions(new) or {}
    for path, func in after.items():
        if path.rsplit(".", 1)[-1] != name or path not in before:
            continue
        was = before[path]
        branches = specialcases._branches(func)
        pinned = {p for _, pins, _, _ in branches for p in pins}
        if any(pins.keys() & specialcases._assigned(func, line) for _, pins, _, line in branches):
            return "the function assigns the parameter before the branch"
        if pinned & specialcases._looked_up(was):
            return "the function looked the parameter up before"
    return "a function defined in another function (not read)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--releases", type=Path, nargs=2, metavar=("OLD", "NEW"))
    mode.add_argument("--existing", type=Path, metavar="DIR")
    mode.add_argument("--synthetic", type=Path, metavar="DIR")
    parser.add_argument("--max", type=int, default=300)
    parser.add_argument("--exclude", action="append", default=[])
    parser.add_argument("--show", type=int, default=50)
    args = parser.parse_args()
    if args.releases:
        releases(args.releases[0], args.releases[1], args.show)
    elif args.existing:
        existing(args.existing, args.show)
    else:
        synthetic(args.synthetic, args.max, set(args.exclude), min(args.show, 20))
    print("command:", shlex.join([sys.executable, *sys.argv]))


if __name__ == "__main__":
    main()
