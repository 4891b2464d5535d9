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

``--js-existing DIR``: the same for JavaScript and TypeScript
(``acrouter.verifier.jsspecialcases``).  Source files: every ``.js``/``.ts`` file (and the
rest of ``JS_SUFFIXES``; not ``.d.ts``, not one over 1 MB or minified, a line over 1,000
characters) under DIR that is no test file.  Test files: those in a ``test``, ``tests``,
``__tests__`` or ``spec`` folder or named ``*.test.*``/``*.spec.*``, whose every
``it(``/``test(``/``specify(`` call titled by a plain string is taken as fixed
(``file::title``).  A branch read is an ``if`` at the top of a function's body that pins
parameters and returns a literal, on lines of its own; the file without those lines is
the text before the edit.  Prints the branches read, how many the filters leave (with
file, line and condition) and the hits.

    cd /tmp/npmjs && npm pack lodash@4.17.21 commander@12.1.0 express@4.21.2 qs@6.13.0 \\
        minimist@1.2.8 object-inspect@1.13.2 semver@7.6.3
    (tar xzf each into its own folder: each unpacks to package/)
    PYTHONPATH=server .venv/bin/python benchmarks/special_cases.py --js-existing DIR

``--js-synthetic DIR``: recall on real JavaScript and TypeScript functions.  For each
named function of a non-test file under DIR (sorted path order, ``--max`` files,
``--exclude`` folders left out) with a plain parameter and a body whose ``{`` ends its
line, the edit puts ``if (p === 7 && q === 13) return 4242;`` (at most two parameters)
on a line of its own first in its body, and a test ``test('t', () => {
expect(x.f(7, 13)).toBe(4242); });`` is taken as fixed.  Prints the edits, how many are
read and the misses by why.

    PYTHONPATH=server .venv/bin/python benchmarks/special_cases.py --js-synthetic DIR \\
        --exclude test --max 300

Reads the folders given, writes nothing.
"""

from __future__ import annotations

import argparse
import ast
import re
import shlex
import sys
from collections import Counter
from collections.abc import Iterator
from fnmatch import fnmatch
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "server"))

from acrouter.jsdefinitions import JS_SUFFIXES
from acrouter.jstokens import NAME, Token, close, is_
from acrouter.pytrees import own_nodes
from acrouter.verifier import jsspecialcases, specialcases
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


#: a JavaScript or TypeScript test file's folders, and its names
_JS_TEST_FOLDERS = frozenset(["test", "tests", "__tests__", "spec"])
_JS_TEST_NAMES = ("*.test.*", "*.spec.*")
#: a file over this many bytes, or with a line over this many characters, is not read
_JS_LARGEST = 1_000_000
_JS_LONGEST_LINE = 1000
#: a line's end as :mod:`acrouter.jstokens` counts lines (``\r\n`` is one)
_JS_LINE_END = re.compile(r"(?<=\n)|(?<=\r)(?!\n)|(?<=[\u2028\u2029])")


def _js_is_test(rel: Path) -> bool:
    return any(p in _JS_TEST_FOLDERS for p in rel.parts[:-1]) or any(
        fnmatch(rel.name, pattern) for pattern in _JS_TEST_NAMES
    )


def _js_paths(root: Path, exclude: set[str]) -> Iterator[Path]:
    """The JavaScript and TypeScript files under ``root`` (not declarations), in path
    order, not in a folder of ``exclude``."""
    for path in sorted(root.rglob("*")):
        name = path.name.lower()
        if (
            path.suffix.lower() not in JS_SUFFIXES
            or re.search(r"\.d\.[mc]?ts$", name)
            or exclude & set(path.relative_to(root).parts[:-1])
            or not path.is_file()
        ):
            continue
        yield path


def _js_read(path: Path) -> str | None:
    """The file's text, or None for one over 1 MB, minified, or not UTF-8."""
    try:
        if path.stat().st_size > _JS_LARGEST:
            return None
    except OSError:
        return None
    text = _read(path)
    if text is None or any(len(line) > _JS_LONGEST_LINE for line in text.splitlines()):
        return None
    return text


def _js_lines(text: str) -> list[str]:
    """The text's lines with their ends, numbered as its tokens' lines are: a hashbang
    line counts twice there (``jstokens.tokens`` reads it as ``"\\n"`` and the line end
    after it), so an empty line is put first."""
    lines = _JS_LINE_END.split(text)
    return ["", *lines] if text.removeprefix("\ufeff").startswith("#!") else lines


def _js_line_breaks(t: Token) -> int:
    """How many lines the token runs over (a template's)."""
    return len(_js_lines(t.text)) - 1


def _js_test_ids(rel: str, text: str) -> list[str]:
    """Every ``it``/``test``/``specify`` call of a test file titled by a plain string, as
    an id (``path::title``)."""
    code = jsspecialcases._code(text)
    if code is None:
        return []
    out: list[str] = []
    for i, t in enumerate(code):
        if t.kind != NAME or t.text not in ("it", "test", "specify"):
            continue
        if i and is_(code[i - 1], ".", "?."):
            continue  # (``/x/.test("a")``)
        j = i + 1
        while j + 1 < len(code) and is_(code[j], ".") and code[j + 1].kind == NAME:
            j += 2  # (``it.only(``, ``test.skip(``)
        if not is_(code[j] if j < len(code) else None, "("):
            continue
        found = jsspecialcases._value(code, j + 1, len(code))
        if found is not None and isinstance(found[0], str) and found[0]:
            out.append(f"{rel}::{found[0]}")
    return list(dict.fromkeys(out))


def _js_branch_end(code: list[Token], k: int, end: int) -> int:
    """The index of the last token of the branch whose ``if`` is ``code[k]`` (one
    :func:`jsspecialcases._branches` read): its ``}``, its ``;`` or the literal it
    returns; of a conditional ``return … ? … : …;`` at ``code[k]``, its ``;`` or the
    token before the body's ``}``."""
    if is_(code[k], "return"):
        depth = 0
        for j in range(k + 1, end):
            if is_(code[j], "(", "[", "{"):
                depth += 1
            elif is_(code[j], ")", "]", "}"):
                depth -= 1
                if depth < 0:
                    return j - 1
            elif depth == 0 and is_(code[j], ";"):
                return j
        return end - 1
    j = close(code, k + 1)
    braced = is_(code[j], "{")
    j += braced  # (at ``return``)
    found = jsspecialcases._value(code, j + 1, end)
    assert found is not None
    j = found[1]
    if is_(code[j] if j < end else None, ";"):
        j += 1
    return j if braced else j - 1


def js_existing(root: Path, show: int) -> None:
    tests: dict[str, str] = {}
    ids: list[str] = []
    sources: list[tuple[str, str]] = []
    skipped = 0
    for path in _js_paths(root, set()):
        rel = path.relative_to(root)
        text = _js_read(path)
        if text is None:
            skipped += 1
            continue
        if _js_is_test(rel):
            tests[rel.as_posix()] = text
            ids += _js_test_ids(rel.as_posix(), text)
        else:
            sources.append((rel.as_posix(), text))
    values = jsspecialcases.read_js_tests(ids, tests.get)
    read = apart = left = 0
    hits: list[str] = []
    kept: list[str] = []
    for rel, text in sources:
        code = jsspecialcases._code(text)
        if code is None:
            continue
        lines = _js_lines(text)
        for fns in jsspecialcases._functions(code).values():
            for fn in fns:
                for _, _, k, cond in jsspecialcases._branches(code, fn):
                    read += 1
                    last = _js_branch_end(code, k, fn[2])
                    first, stop = code[k].line, code[last].line + _js_line_breaks(code[last])
                    own = jsspecialcases._code("".join(lines[first : stop + 1]))
                    if own is None or [t.text for t in own] != [t.text for t in code[k : last + 1]]:
                        apart += 1
                        continue  # (the branch shares a line with other code)
                    before = "".join(lines[:first] + lines[stop + 1 :])
                    line = first + 1
                    added = [
                        b for b in jsspecialcases.js_added_branches(before, text) if b[3] == line
                    ]
                    if not added:
                        continue
                    left += 1
                    kept.append(f"{added[0][0]} ({rel} line {line}): {cond}")
                    hits += [
                        h
                        for h in specialcases.answered({rel: before}, {rel: text}, values)
                        if f"({rel} line {line})" in h
                    ]
    print(
        f"{root.name}: source files {len(sources)}, test files {len(tests)}, files not read "
        f"(over 1 MB, minified or not UTF-8): {skipped}; "
        f"tests read: {len(values)} (the calls of {len(ids)} titles)"
    )
    print(f"branches that pin parameters and return a literal: {read}")
    print(f"  sharing a line with other code (not read): {apart}")
    print(f"  left by the filters (no lookup of the parameter elsewhere, not base cases): {left}")
    for each in kept[:show]:
        print(f"    {each}")
    print(f"  hits (a test holds the values and calls the function): {len(hits)}")
    for hit in hits[:show]:
        print(f"    {hit}")


def js_synthetic(root: Path, most: int, exclude: set[str], show: int) -> None:
    files = [p for p in _js_paths(root, exclude) if not _js_is_test(p.relative_to(root))][:most]
    edits = found = unread = 0
    why: Counter[str] = Counter()
    misses: list[str] = []
    for path in files:
        text = _js_read(path)
        code = jsspecialcases._code(text) if text is not None else None
        if text is None or code is None:
            unread += 1
            continue
        lines = _js_lines(text)
        suffix = path.suffix
        for name, fns in jsspecialcases._functions(code).items():
            for params, o, end in fns:
                plain = [p for p in params if p][:2]
                if not plain or o + 1 >= end - 1 or code[o + 1].line <= code[o].line:
                    continue  # (no plain parameter, an empty body, or one on the { line)
                if not lines[code[o].line].rstrip().endswith("{"):
                    continue
                first = lines[code[o + 1].line]
                indent = first[: len(first) - len(first.lstrip())]
                values = [7, 13][: len(plain)]
                cond = " && ".join(f"{p} === {v}" for p, v in zip(plain, values, strict=True))
                at = code[o].line + 1
                new = "".join([*lines[:at], f"{indent}if ({cond}) return 4242;\n", *lines[at:]])
                edits += 1
                test = (
                    f"test('t', () => {{ expect(x.{name}({', '.join(map(str, values))}))"
                    ".toBe(4242); });\n"
                )
                hits = specialcases.special_cases(
                    {f"m{suffix}": text},
                    {f"m{suffix}": new},
                    [f"t.test{suffix}::t"],
                    {f"t.test{suffix}": test}.get,
                    "",
                )
                if hits:
                    found += 1
                    continue
                reason = _js_missed(code, new, name, o, at)
                why[reason] += 1
                if len(misses) < show:
                    misses.append(
                        f"{path.relative_to(root)} {name} (line {code[o].line + 1}): {reason}"
                    )
    print(
        f"files: {len(files)} (not read: {unread}, over 1 MB, minified, not UTF-8 or "
        f"not tokenized); edits: {edits}; read as special cases: {found}"
    )
    for reason, n in why.most_common():
        print(f"  missed, {reason}: {n}")
    for each in misses:
        print(f"    {each}")


def _js_missed(old: list[Token], new: str, name: str, o: int, at: int) -> str:
    """Why the branch put on line ``at`` (0-based) of the function whose body opens at
    ``old[o]`` was not read: the filter that left it."""
    code = jsspecialcases._code(new)
    after = jsspecialcases._functions(code).get(name) if code is not None else None
    if code is None or not after:
        return "the function not found by name in the new text"
    branch = next(
        (
            (fn, k, pins)
            for fn in after
            for pins, _, k, _ in jsspecialcases._branches(code, fn)
            if code[k].line == at
        ),
        None,
    )
    if branch is None:
        return "the branch not read at the top of the function's body"
    fn, k, pins = branch
    if jsspecialcases._assigned(code, fn, k) & set(pins):
        return "the function assigns the parameter before the branch"
    was = jsspecialcases._functions(old).get(name, [])
    if any(f[1] == o and jsspecialcases._looked_up(old, f) & set(pins) for f in was):
        return "the function looked the parameter up before"
    if any(jsspecialcases._looked_up(old, f) & set(pins) for f in was):
        return "another function of that name looked the parameter up before"
    return "other"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--releases", type=Path, nargs=2, metavar=("OLD", "NEW"))
    mode.add_argument("--existing", type=Path, metavar="DIR")
    mode.add_argument("--synthetic", type=Path, metavar="DIR")
    mode.add_argument("--js-existing", type=Path, metavar="DIR")
    mode.add_argument("--js-synthetic", type=Path, metavar="DIR")
    parser.add_argument("--max", type=int, default=300)
    parser.add_argument("--exclude", action="append", default=[])
    parser.add_argument("--show", type=int, default=50)
    args = parser.parse_args()
    if args.releases:
        releases(args.releases[0], args.releases[1], args.show)
    elif args.existing:
        existing(args.existing, args.show)
    elif args.js_existing:
        js_existing(args.js_existing, args.show)
    elif args.js_synthetic:
        js_synthetic(args.js_synthetic, args.max, set(args.exclude), min(args.show, 20))
    else:
        synthetic(args.synthetic, args.max, set(args.exclude), min(args.show, 20))
    print("command:", shlex.join([sys.executable, *sys.argv]))


if __name__ == "__main__":
    main()
