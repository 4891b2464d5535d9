"""What the guard that no edit drops code costs on big files, and whether two versions of
it agree.

Before an edit is offered as verified, ``definitions.guard`` compares what each changed
file defines before and after it (:mod:`acrouter.definitions`).  ``acrouter verify`` calls
it with no scope open (``verifier.cli.dropped_code``); a model's reply passes it inside the
orchestrator's ``shared_trees()`` (``prompts.parse``).  This script calls ``guard`` as
they do, on the files of a folder, with synthetic edits of each:

    .venv/bin/python benchmarks/definitions_cost.py FOLDER [--top 10] [--scope] [--js] [--go] [--c] [--kotlin] [--php] [--csharp] [--rust] [--java]
    .venv/bin/python benchmarks/definitions_cost.py FOLDER --rev main [--all] [--scope]

The edits (Python): ``unchanged`` (the text itself), ``body`` (a statement added to the
body of the function nearest the middle), ``reformat`` (``ruff format`` of the file, where
ruff is beside the interpreter and changes it), ``drop`` (that function deleted),
``asked`` (the same, the instruction asking for it), ``rename`` (it renamed), ``method``
(the method nearest the middle deleted), ``broken`` (an unclosed bracket in the middle:
the line patterns compare) and ``move`` (the function deleted and written to another
file of the same edit).  With ``--js`` also .js/.ts files, with ``--go`` .go files,
with ``--c`` C and C++ files, with ``--kotlin`` .kt files, with ``--php`` .php files,
with ``--csharp`` .cs files, with ``--rust`` .rs files, with ``--java`` .java files:
``unchanged``, ``body`` (a comment line in the middle), ``drop`` (the middle line
deleted) and ``move`` (the file emptied into another one).

Each case runs in a fresh interpreter state per case (a fresh ``shared_trees()`` with
``--scope``), timed with ``time.process_time``.  Prints the ``--top`` largest files' CPU
seconds per edit and the totals per edit (the edits refused, each side's).  ``--rev
REV`` runs the same cases with ``server/acrouter`` as it is at git revision REV (``git
archive``, in a temporary folder, another process) and prints both sides' times, their
ratio, and the cases whose outcome (the refusal's text, or none) differs:
``disagreements: 0`` when the two agree.  ``--all`` runs every file (not only the
``--top`` largest), ``--every N`` every Nth of them in path order; ``--jobs N`` runs N
workers per side, both sides at once.  No network.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sides import server_sides

REPO = Path(__file__).resolve().parent.parent
PY_CASES = ("unchanged", "body", "reformat", "drop", "asked", "rename", "method", "broken", "move")
JS_CASES = ("unchanged", "body", "drop", "move")
JS_SUFFIXES = (".js", ".ts")
GO_SUFFIXES = (".go",)
C_SUFFIXES = (".c", ".h", ".cc", ".cpp", ".hpp")
KOTLIN_SUFFIXES = (".kt",)
PHP_SUFFIXES = (".php",)
CSHARP_SUFFIXES = (".cs",)
RUST_SUFFIXES = (".rs",)
JAVA_SUFFIXES = (".java",)
#: the languages whose edits are lines (a "//" comment added, a line dropped)
LINE_SUFFIXES = (
    JS_SUFFIXES
    + GO_SUFFIXES
    + C_SUFFIXES
    + KOTLIN_SUFFIXES
    + PHP_SUFFIXES
    + CSHARP_SUFFIXES
    + RUST_SUFFIXES
    + JAVA_SUFFIXES
)


def _nearest(nodes: list[ast.AST], middle: int) -> ast.AST | None:
    return min(nodes, key=lambda n: abs(getattr(n, "lineno", 0) - middle), default=None)


def _py_edits(text: str, reformatted: str | None) -> dict[str, tuple[dict[str, str], str]]:
    """case -> (the edit's new texts by path, the instruction); ``a.py`` is the file."""
    lines = text.splitlines(keepends=True)
    middle = len(lines) // 2
    out: dict[str, tuple[dict[str, str], str]] = {"unchanged": ({"a.py": text}, "")}
    if reformatted is not None and reformatted != text:
        out["reformat"] = ({"a.py": reformatted}, "")
    cut = max(0, min(len(lines), middle))
    out["broken"] = ({"a.py": "".join([*lines[:cut], "broken = (\n", *lines[cut:]])}, "")
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return out
    functions = [
        n
        for n in tree.body
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
        and n.body[0].lineno > n.lineno
        and n.end_lineno is not None
    ]
    f = _nearest(list(functions), middle)
    if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef)) and f.end_lineno is not None:
        first = min([f.lineno, *(d.lineno for d in f.decorator_list)]) - 1
        end = f.end_lineno
        indent = " " * f.body[0].col_offset
        out["body"] = (
            {"a.py": "".join([*lines[:end], f"{indent}_acrouter_bench = 1\n", *lines[end:]])},
            "",
        )
        dropped = "".join([*lines[:first], *lines[end:]])
        out["drop"] = ({"a.py": dropped}, "")
        out["asked"] = ({"a.py": dropped}, f"remove {f.name}")
        head = lines[f.lineno - 1]
        renamed = head.replace(f"def {f.name}", f"def {f.name}_renamed", 1)
        out["rename"] = (
            {"a.py": "".join([*lines[: f.lineno - 1], renamed, *lines[f.lineno :]])},
            "",
        )
        out["move"] = ({"a.py": dropped, "moved.py": "".join(lines[first:end])}, "")
    methods = [
        m
        for c in tree.body
        if isinstance(c, ast.ClassDef)
        for m in c.body
        if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef)) and len(c.body) > 1
    ]
    m = _nearest(list(methods), middle)
    if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef)) and m.end_lineno is not None:
        first = min([m.lineno, *(d.lineno for d in m.decorator_list)]) - 1
        out["method"] = ({"a.py": "".join([*lines[:first], *lines[m.end_lineno :]])}, "")
    return out


def _line_edits(text: str, suffix: str) -> dict[str, tuple[dict[str, str], str]]:
    lines = text.splitlines(keepends=True)
    middle = len(lines) // 2
    name = "a" + suffix
    return {
        "unchanged": ({name: text}, ""),
        "body": ({name: "".join([*lines[:middle], "// a comment\n", *lines[middle:]])}, ""),
        "drop": ({name: "".join([*lines[:middle], *lines[middle + 1 :]])}, ""),
        "move": ({name: "", "moved" + suffix: text}, ""),
    }


def _worker(listing: Path, out: Path, scope: bool) -> int:
    """Runs the cases of the files in ``listing`` with the ``acrouter`` on sys.path."""
    import acrouter
    from acrouter.definitions import guard
    from acrouter.errors import ParseError
    from acrouter.pytrees import shared_trees

    job = json.loads(listing.read_text(encoding="utf-8"))
    results: dict[str, dict[str, tuple[str, float]]] = {}
    for path, reformatted_path in job["files"]:
        text = Path(path).read_text(encoding="utf-8", errors="replace")
        if path.endswith(LINE_SUFFIXES):
            edits = _line_edits(text, Path(path).suffix)
        else:
            reformatted = None
            if reformatted_path:
                reformatted = Path(reformatted_path).read_text(encoding="utf-8", errors="replace")
            edits = _py_edits(text, reformatted)
        first = next(iter(edits["unchanged"][0]))
        mine: dict[str, tuple[str, float]] = {}
        for case, (news, instruction) in edits.items():
            olds = {first: text}
            start = time.process_time()
            try:
                if scope:
                    with shared_trees():
                        guard(olds, news, language_of=lambda _r: None, instruction=instruction)
                else:
                    guard(olds, news, language_of=lambda _r: None, instruction=instruction)
                outcome = ""
            except ParseError as exc:
                outcome = str(exc)
            except Exception as exc:  # noqa: BLE001 - a crash is an outcome to compare
                outcome = f"raised {type(exc).__name__}"
            mine[case] = (outcome, time.process_time() - start)
        results[path] = mine
    out.write_text(json.dumps({"acrouter": acrouter.__file__, "results": results}), "utf-8")
    return 0


def _reformat(files: list[Path], folder: Path, into: Path) -> dict[Path, Path]:
    """``ruff format`` of copies of the Python files (empty when no ruff is found)."""
    ruff = Path(sys.executable).parent / "ruff"
    found = str(ruff) if ruff.exists() else shutil.which("ruff")
    if found is None:
        return {}
    copies = {}
    for p in files:
        if p.suffix != ".py":
            continue
        copy = into / p.relative_to(folder)
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(p, copy)
        copies[p] = copy
    subprocess.run(
        [found, "format", "--quiet", "--isolated", "--no-cache", str(into)],
        capture_output=True,
        check=False,
    )
    return copies


def _start(
    server: Path, files: list[Path], copies: dict[Path, Path], scope: bool, out: Path
) -> subprocess.Popen[bytes]:
    """A worker running the cases of ``files`` with ``server`` first on sys.path."""
    listing = out.with_suffix(".job")
    listing.write_text(
        json.dumps({"files": [[str(p), str(copies[p]) if p in copies else ""] for p in files]}),
        "utf-8",
    )
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", str(listing), str(out)]
    if scope:
        cmd.append("--scope")
    return subprocess.Popen(cmd, env={**os.environ, "PYTHONPATH": str(server)})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path, nargs="?")
    parser.add_argument("--top", type=int, default=10, help="largest files to show")
    parser.add_argument("--all", action="store_true", help="every file, not only the --top")
    parser.add_argument("--limit", type=int, default=0, help="at most this many files (0: all)")
    parser.add_argument("--every", type=int, default=1, help="every Nth file (path order)")
    parser.add_argument("--js", action="store_true", help="also .js/.ts files")
    parser.add_argument("--go", action="store_true", help="also .go files")
    parser.add_argument("--c", action="store_true", help="also C and C++ files")
    parser.add_argument("--kotlin", action="store_true", help="also .kt files")
    parser.add_argument("--php", action="store_true", help="also .php files")
    parser.add_argument("--csharp", action="store_true", help="also .cs files")
    parser.add_argument("--rust", action="store_true", help="also .rs files")
    parser.add_argument("--java", action="store_true", help="also .java files")
    parser.add_argument("--scope", action="store_true", help="each case in shared_trees()")
    parser.add_argument(
        "--jobs", type=int, default=1, help="workers per side, both sides at once (default 1)"
    )
    parser.add_argument("--rev", help="also run server/acrouter of this git revision, compare")
    parser.add_argument("--worker", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        return _worker(*args.worker, scope=args.scope)
    if args.folder is None:
        parser.error("FOLDER is required")
    suffixes = (
        ".py",
        *(JS_SUFFIXES if args.js else ()),
        *(GO_SUFFIXES if args.go else ()),
        *(C_SUFFIXES if args.c else ()),
        *(KOTLIN_SUFFIXES if args.kotlin else ()),
        *(PHP_SUFFIXES if args.php else ()),
        *(CSHARP_SUFFIXES if args.csharp else ()),
        *(RUST_SUFFIXES if args.rust else ()),
        *(JAVA_SUFFIXES if args.java else ()),
    )
    found = [
        p
        for p in args.folder.rglob("*")
        if p.suffix in suffixes and p.is_file() and ".min." not in p.name
    ]
    sizes = {p: p.read_bytes().count(b"\n") for p in found}
    found.sort(key=lambda p: (-sizes[p], str(p)))
    files = found if args.all else found[: args.top]
    if args.every > 1:  # every Nth file in path order (sizes as they come)
        files = sorted(files, key=str)[:: args.every]
        files.sort(key=lambda p: (-sizes[p], str(p)))
    if args.limit:
        files = files[: args.limit]
    with tempfile.TemporaryDirectory(prefix="acrouter-defcost-") as name:
        tmp = Path(name)
        copies = _reformat(files, args.folder, tmp / "reformatted")
        sides = server_sides(REPO, args.rev, tmp)
        ran: dict[str, dict] = {}
        start = time.monotonic()
        # --jobs 1: one side after the other; --jobs N: N workers per side, both sides at
        # once (each side under the same load)
        shards = [files[i :: args.jobs] for i in range(args.jobs)]
        outs = {
            side: [tmp / f"{n}-{i}.json" for i in range(args.jobs)] for n, side in enumerate(sides)
        }
        workers = []
        for side, server in sides.items():
            for shard, out in zip(shards, outs[side], strict=True):
                workers.append(_start(server, shard, copies, args.scope, out))
                if args.jobs == 1:
                    workers[-1].wait()
        if any(w.wait() for w in workers):
            sys.exit("a worker failed")
        for side in sides:
            read = [json.loads(o.read_text(encoding="utf-8")) for o in outs[side]]
            ran[side] = {
                "acrouter": read[0]["acrouter"],
                "results": {k: v for r in read for k, v in r["results"].items()},
            }
            print(f"{side}: {ran[side]['acrouter']} ({len(ran[side]['results'])} files)")
        print(f"{time.monotonic() - start:.0f} s wall")
    scope = "inside shared_trees()" if args.scope else "no scope open (acrouter verify)"
    print(f"guard CPU seconds per edit, {scope}:")
    lines = (
        args.js
        or args.go
        or args.c
        or args.kotlin
        or args.php
        or args.csharp
        or args.rust
        or args.java
    )
    cases = PY_CASES if not lines else tuple(dict.fromkeys((*PY_CASES, *JS_CASES)))
    names = list(ran)
    for p in files[: args.top]:
        cells = []
        for case in cases:
            got = [ran[s]["results"][str(p)].get(case) for s in names]
            if got[0] is None:
                continue
            cells.append(f"{case} " + " -> ".join(f"{g[1]:.3f}" for g in got if g))
        print(f"  {p} ({sizes[p]} lines): " + ", ".join(cells))
    print("totals (all files run):")
    for case in cases:
        totals = [sum(r[case][1] for r in ran[s]["results"].values() if case in r) for s in names]
        count = sum(1 for r in ran[names[-1]]["results"].values() if case in r)
        if not count:
            continue
        refused = " -> ".join(  # (each side's, the rev's first)
            str(sum(1 for r in ran[s]["results"].values() if case in r and r[case][0]))
            for s in names
        )
        line = f"  {case}: {count} edits, refused {refused}, " + " -> ".join(
            f"{t:.1f} s" for t in totals
        )
        if len(totals) == 2 and totals[1] >= 0.01:
            line += f" ({totals[0] / totals[1]:.1f}x)"
        elif len(totals) == 2:
            line += " (now under 0.01 s)"
        print(line)
    if len(names) == 2:
        old, new = (ran[s]["results"] for s in names)
        differ = [
            (path, case, old[path][case][0], new[path][case][0])
            for path in new
            for case in new[path]
            if old[path][case][0] != new[path][case][0]
        ]
        for path, case, a, b in differ[:10]:
            print(f"  differs: {path} {case}: {a!r} vs {b!r}")
        print(f"disagreements: {len(differ)} of {sum(len(r) for r in new.values())} edits")
        return 1 if differ else 0
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
