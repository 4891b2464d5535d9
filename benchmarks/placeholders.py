"""How the guard refuses an edit that puts a placeholder where code was
(``acrouter.elisions``, called by ``definitions.guard``): its false refusals on real
human edits, and its recall on lazy edits of the kind models make.

``--releases OLD NEW``: each code file (``.py .js .ts .jsx .tsx .go .rs .java .rb .c .h
.cpp .php .kt .cs .pm .pl``, UTF-8, of any size) at the same path under both folders whose
text differs is read by ``elisions.placeholders(old, new)`` and by the reader of
functions cut to a stub that ``definitions.stub_reader`` gives its language
(``elisions.stubbed`` for Python, ``js_stubbed``, ``ruby_stubbed``, ``perl_stubbed``,
``brace_stubbed`` for Go, Rust, C, C++, Java, Kotlin, C# and PHP).  The pairs are two releases of a project,
edits made by people: every hit is a candidate false refusal for a reader to judge (a function a
release deprecates into ``raise NotImplementedError`` is a change ACRouter takes only
where the instruction asks for it).  Prints the pairs compared and changed, the hits of
each kind, and (``--show``, default 50) each hit: file, 1-based line, comment or
function, what it stands for.

``--synthetic DIR``: for each ``.py`` file under DIR (sorted path order, at most 300 KB,
parsed by ``ast``; ``--max`` files, default 300; a path with a folder named by
``--exclude`` left out), each function ``pyparameters.functions`` finds whose body (its
docstring left out) has at least 3 statements over at least 3 lines is edited so:

- to be refused: ``a``, the body replaced by ``# ... existing code ...`` and ``pass``
  (indented like the body); ``b``, the body replaced by ``...``; ``c``, the first
  statement kept and the lines of the others replaced by ``# ... rest of the function
  unchanged ...`` (skipped, counted, where the file then does not parse);
- never to be refused: ``trailing``, `` # checked`` put at the end of the first body
  statement's first line (its last where that changes the tree; skipped where neither
  leaves the tree as it was); ``inserted``, a line ``# ... existing code ...`` put above
  the first body statement, nothing taken out.

Each edit is judged by ``definitions.guard({rel: old}, {rel: new}, language_of=lambda
_: None, instruction="Fix the bug")`` (as ``verifier.cli`` calls it: the language read
from the suffix), refused where it raises ``ParseError``: by the placeholder guard where
the message says ``with a placeholder``, else for another reason (a nested definition
dropped).  Prints one row an edit kind, the misses of ``a``/``b``/``c`` by what
``elisions`` leaves unread there (a function defined twice in its file, an abstract one,
lines taken out that the new text still holds: code moved is not lost), and (``--show``,
default 10) the first refused controls, then the first misses and refusals for another
reason.

    pip download --no-deps --no-binary :all: requests==2.31.0 requests==2.32.3 -d OUT
    (so flask 3.0.3 3.1.0, click 8.1.7 8.1.8, rich 13.7.1 13.9.4, attrs 23.2.0 24.2.0;
    wider, against the newer: requests 2.25.1, Flask 2.0.0, click 7.1.2, rich 12.0.0,
    attrs 21.4.0; Django 4.2 5.0; in OUT: npm pack lodash@4.17.20 lodash@4.17.21,
    commander@11.1.0 commander@12.0.0, express@4.18.2 express@5.0.0; tar xzf each)
    PYTHONPATH=server .venv/bin/python benchmarks/placeholders.py --releases OLD NEW
    PYTHONPATH=server .venv/bin/python benchmarks/placeholders.py \\
        --synthetic /root/.pyenv/versions/3.11.7/lib/python3.11 --exclude site-packages \\
        --exclude test --exclude tests --exclude idle_test --max 300

``--js-synthetic DIR``: each JavaScript or TypeScript function the reader finds, emptied
(refused) or given a comment after its ``{`` (never refused).  ``--perl-synthetic DIR``:
each top-level Perl ``sub`` found by a pattern of this script's (not the reader's),
emptied (refused) or given a comment line (never refused).

    PYTHONPATH=server .venv/bin/python benchmarks/placeholders.py --js-synthetic node_modules --max 1000
    PYTHONPATH=server .venv/bin/python benchmarks/placeholders.py --perl-synthetic /usr/share/perl/5.36 --max 3000

``--comments DIR...``: each line of the code files under the folders that reads as a
placeholder (``elisions``' reading of one line), counted; those that are more than an
ellipsis listed (``--show``, default 200): what the guard would refuse where an edit
added such a line and took code out at the same place.

    PYTHONPATH=server .venv/bin/python benchmarks/placeholders.py --comments \\
        /root/.pyenv/versions/3.11.7/lib/python3.11 node_modules DJANGO

Reads the folders given, writes nothing.
"""

from __future__ import annotations

import argparse
import ast
import re
import shlex
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "server"))

from acrouter.definitions import guard, stub_reader
from acrouter.elisions import placeholder_line, placeholders
from acrouter.errors import ParseError
from acrouter.jsfunctions import code_of
from acrouter.jsfunctions import functions as js_functions
from acrouter.jstokens import Token
from acrouter.pyparameters import functions
from acrouter.pytrees import shared_trees
from bench_sources import read_sources, unread_line, utf8_text

INSTRUCTION = "Fix the bug"
CODE = {".py", ".js", ".ts", ".jsx", ".tsx", ".go", ".rs", ".java", ".rb", ".c", ".h"}
CODE |= {".cpp", ".php", ".kt", ".cs", ".pm", ".pl"}
JS = (".js", ".mjs", ".cjs", ".ts", ".jsx", ".tsx", ".mts", ".cts")
CODE |= set(JS)
LAZY = ("a", "b", "c")
CONTROLS = ("trailing", "inserted")


def releases(old_dir: Path, new_dir: Path, show: int) -> None:
    compared = changed = unread = 0
    hits: list[str] = []
    kinds: Counter[str] = Counter()
    for path in sorted(p for p in new_dir.rglob("*") if p.suffix.lower() in CODE):
        rel = str(path.relative_to(new_dir))
        if not path.is_file() or not (old_dir / rel).is_file():
            continue
        try:
            old, new = utf8_text(old_dir / rel), utf8_text(path)
        except (OSError, UnicodeDecodeError):
            unread += 1
            continue
        compared += 1
        if old == new:
            continue
        changed += 1
        for line, comment, gone in placeholders(old, new):
            kinds["placeholder"] += 1
            hits.append(f"placeholder {rel}:{line + 1} {comment!r} for {gone} line(s) of code")
        reads = stub_reader(rel, None)
        if reads is not None:
            for name, line, what in reads(old, new):
                kinds["stubbed"] += 1
                hits.append(f"stubbed {rel}:{line + 1} {name} cut to {what}")
    print(f"file pairs compared: {compared}, changed: {changed} (not UTF-8: {unread})")
    print(f"hits: {kinds['placeholder']} placeholder comment(s), {kinds['stubbed']} stub(s)")
    for hit in hits[:show]:
        print(" ", hit)


def comments(folders: list[Path], show: int) -> None:
    """The lines of code people wrote that read as placeholders (each would be refused
    where an edit added it and took code out at the same place)."""
    files = 0
    said: Counter[str] = Counter()
    for folder in folders:
        for path in sorted(p for p in folder.rglob("*") if p.suffix.lower() in CODE):
            try:
                text = utf8_text(path)
            except (OSError, UnicodeDecodeError):
                continue
            files += 1
            said.update(line.strip() for line in text.splitlines() if placeholder_line(line))
    bare = sum(n for line, n in said.items() if not line.strip("#/*<!-{} ").strip(".…"))
    print(f"files: {files}, lines read as placeholders: {sum(said.values())}")
    print(f"  of them an ellipsis alone: {bare}; the others ({len(said)} distinct texts in all):")
    for line, n in said.most_common(show):
        if line.strip("#/*<!-{} ").strip(".…"):
            print(f"  {n:>4}  {line[:100]}")


def parses(text: str) -> ast.Module | None:
    try:
        return ast.parse(text)
    except (SyntaxError, ValueError, RecursionError):
        return None


def edits(
    lines: list[str], node: ast.FunctionDef | ast.AsyncFunctionDef
) -> dict[str, tuple[str, list[str]]]:
    """Each edit kind -> (the file's text so edited, the lines it took out), for a
    function with a body to cut."""
    body = node.body
    if isinstance(body[0], ast.Expr) and isinstance(getattr(body[0].value, "value", None), str):
        body = body[1:]
    if len(body) < 3:
        return {}
    start = min([body[0].lineno, *(d.lineno for d in getattr(body[0], "decorator_list", ()))])
    end = body[-1].end_lineno or body[-1].lineno
    text = lines[start - 1]
    indent = text[: len(text) - len(text.lstrip())]
    if end - start + 1 < 3 or text[: body[0].col_offset].strip():
        return {}

    def put(at: int, upto: int, *new: str) -> tuple[str, list[str]]:  # lines at..upto -> new
        return "\n".join([*lines[: at - 1], *new, *lines[upto:]]), lines[at - 1 : upto]

    kept = body[0].end_lineno or body[0].lineno
    out = {
        "a": put(start, end, f"{indent}# ... existing code ...", f"{indent}pass"),
        "b": put(start, end, f"{indent}..."),
        "c": put(kept + 1, end, f"{indent}# ... rest of the function unchanged ..."),
        "inserted": put(start, start - 1, f"{indent}# ... existing code ..."),
    }
    for at in dict.fromkeys((body[0].lineno, kept)):
        out[f"trailing {at}"] = put(at, at, lines[at - 1] + " # checked")
    return out


def why_missed(kind: str, old: str, new: str, gone: list[str], twice: bool, node: ast.AST) -> str:
    """What ``elisions`` leaves unread that a miss is: a function defined twice or an
    abstract one (``stubbed``), or lines taken out that the new text still holds as many
    times as the old (``placeholders``: code moved is not lost)."""
    decorators = [getattr(d, "attr", getattr(d, "id", "")) for d in node.decorator_list]
    why = ["defined twice"] if twice else []
    why += ["abstract"] if {"abstractmethod", "overload"} & set(decorators) else []
    short = Counter(line.strip() for line in old.split("\n"))
    short.subtract(line.strip() for line in new.split("\n"))
    code = [line.strip() for line in gone if line.strip() and line.lstrip()[:1] != "#"]
    if kind != "b" and all(short[line] <= 0 for line in code):
        why.append("lines held elsewhere")
    return " + ".join(why) or "unexplained"


class Judge:
    def __init__(self) -> None:
        self.rows: dict[str, Counter[str]] = {k: Counter() for k in (*LAZY, *CONTROLS)}
        self.listed: list[str] = []
        self.controls: list[str] = []
        self.misses: Counter[tuple[str, str]] = Counter()

    def judge(self, kind: str, rel: str, old: str, new: str, where: str) -> str | None:
        """The guard's refusal of the edit, counted (None where it is not refused)."""
        row = self.rows[kind]
        row["edits"] += 1
        try:
            guard({rel: old}, {rel: new}, language_of=lambda _rel: None, instruction=INSTRUCTION)
        except ParseError as e:
            row["refused"] += 1
            said = str(e)
            if kind in CONTROLS:
                self.controls.append(f"control refused ({kind}) {where}: {said[:300]}")
            elif "with a placeholder" in said:
                row["placeholder"] += 1
            else:
                row["other"] += 1
                self.listed.append(f"refused otherwise ({kind}) {where}: {said[:200]}")
            return said
        return None

    def file(self, rel: str, text: str, tree: ast.Module, shown: str) -> None:
        lines = text.split("\n")
        found = list(functions(tree.body, "", False))
        counts = Counter(path for path, _, _ in found)
        same = ast.dump(tree)
        for path, node, _ in found:
            where = f"{shown}:{node.lineno} {path}"
            made = edits(lines, node)
            for kind in (*LAZY, "inserted"):
                if kind not in made:
                    continue
                new, gone = made[kind]
                if parses(new) is None:
                    self.rows[kind]["skipped"] += 1
                elif self.judge(kind, rel, text, new, where) is None and kind in LAZY:
                    why = why_missed(kind, text, new, gone, counts[path] > 1, node)
                    self.misses[kind, why] += 1
                    self.listed.append(f"missed ({kind}) {where} ({why})")
            trailing = [new for k, (new, _) in made.items() if k.startswith("trailing")]
            same_tree = (t for t in trailing if t != text and ast.dump(parses(t) or tree) == same)
            if (new := next(same_tree, None)) is not None:
                self.judge("trailing", rel, text, new, where)
            elif trailing:
                self.rows["trailing"]["skipped"] += 1


def synthetic(folder: Path, most: int, exclude: set[str], show: int) -> None:
    unread: Counter[str] = Counter()
    judge = Judge()
    read = 0
    sources = read_sources([folder], "*.py", exclude, unread, read=utf8_text)
    while read < most and (source := next(sources, None)) is not None:
        path, rel, text = source
        tree = parses(text)
        if tree is None:
            unread["not parsed"] += 1
            continue
        read += 1
        with shared_trees():
            judge.file(rel, text, tree, str(path))
    print(unread_line(read, unread))
    head = f"{'edit':<10}  {'edits':>6}  {'refused':>7}  {'placeholder':>11}  {'other':>5}"
    print(f"{head}  {'missed':>6}  {'skipped':>7}")
    for kind, row in judge.rows.items():
        missed = row["edits"] - row["refused"] if kind in LAZY else ""
        print(
            f"{kind:<10}  {row['edits']:>6}  {row['refused']:>7}  {row['placeholder']:>11}  "
            f"{row['other']:>5}  {missed:>6}  {row['skipped']:>7}"
        )
    for kind in LAZY:
        m = sorted((n, why) for (k, why), n in judge.misses.items() if k == kind)
        print(f"{kind} missed: " + (", ".join(f"{why} {n}" for n, why in m[::-1]) or "none"))
    for line in [*judge.controls[:show], *judge.listed[:show]]:
        print(" ", line)


def js_synthetic(folder: Path, most: int, exclude: set[str], show: int) -> None:
    """Each JavaScript or TypeScript function ``jsfunctions.functions`` finds whose body
    holds code, emptied (``empty``: refused) or given a comment after its ``{`` (``comment``:
    never refused), each edit judged by the guard as ``--synthetic`` judges."""
    unread: Counter[str] = Counter()
    rows: dict[str, Counter[str]] = {"empty": Counter(), "comment": Counter()}
    listed: list[str] = []
    read = 0
    sources = read_sources([folder], "*", exclude, unread, read=utf8_text, suffixes=JS)
    while read < most and (source := next(sources, None)) is not None:
        path, rel, text = source
        code = code_of(text)
        if code is None:
            unread["not read"] += 1
            continue
        read += 1
        starts = line_starts(text)
        for name, fns in js_functions(code).items():
            for _, o, end in fns:
                if end - o <= 2:
                    continue
                first, last = code[o], code[end - 1]
                at, to = _offset(text, starts, first), _offset(text, starts, last)
                if at is None or to is None:
                    rows["empty"]["skipped"] += 1
                    continue
                where = f"{path}:{first.line + 1} {name}"
                for kind, new in (
                    ("empty", text[:at] + "{}" + text[to + 1 :]),
                    ("comment", text[: at + 1] + " // checked" + text[at + 1 :]),
                ):
                    _judge_emptied(rows[kind], listed, kind, where, str(rel), text, new)
    _print_emptied(unread_line(read, unread), rows, listed[:show])


#: a top-level Perl ``sub`` whose ``{`` ends its line (found here independently of
#: ``elisions``' reader), and the ``}`` alone at column 0 that ends it
_PERL_SUB = re.compile(r"^sub\s+([A-Za-z_][\w:]*)[^{};#]*\{\s*$")


def perl_synthetic(folder: Path, most: int, exclude: set[str], show: int) -> None:
    """Each top-level Perl ``sub NAME ... {`` (``.pm`` and ``.pl`` files, the ``{`` ending
    its line, the body ended by the next ``}`` alone at column 0 before another such
    ``sub``, else skipped and counted; outside POD and before ``__END__``) whose body has
    code (a line not blank nor a ``#`` comment, more than ``return;``), emptied
    (``empty``: its lines between the two braces deleted, refused) or given a comment line
    ``    # checked`` after its ``{`` (``comment``: never refused), each edit judged by the
    guard as ``--synthetic`` judges."""
    unread: Counter[str] = Counter()
    rows: dict[str, Counter[str]] = {"empty": Counter(), "comment": Counter()}
    listed: list[str] = []
    read = 0
    sources = read_sources([folder], "*", exclude, unread, read=utf8_text, suffixes=(".pm", ".pl"))
    while read < most and (source := next(sources, None)) is not None:
        path, rel, text = source
        read += 1
        lines = text.split("\n")
        pod = False
        for i, line in enumerate(lines):
            if re.match(r"=[a-zA-Z]", line):
                pod = not line.startswith("=cut")
            if re.match(r"__(?:END|DATA)__\s*$", line):
                break
            m = None if pod else _PERL_SUB.match(line)
            if m is None:
                continue
            end = next((k for k in range(i + 1, len(lines)) if lines[k].rstrip() == "}"), None)
            if end is None or any(_PERL_SUB.match(b) for b in lines[i + 1 : end]):
                rows["empty"]["skipped"] += 1  # (its end not found before the next sub's)
                continue
            code = [b.strip() for b in lines[i + 1 : end] if b.strip() and b.lstrip()[0] != "#"]
            if " ".join(code) in ("", "return;", "return"):
                continue  # (a body that does nothing: nothing to lose)
            where = f"{path}:{i + 1} {m.group(1)}"
            for kind, new in (
                ("empty", lines[: i + 1] + lines[end:]),
                ("comment", [*lines[: i + 1], "    # checked", *lines[i + 1 :]]),
            ):
                _judge_emptied(rows[kind], listed, kind, where, str(rel), text, "\n".join(new))
    _print_emptied(unread_line(read, unread), rows, listed[:show])


def _print_emptied(files: str, rows: dict[str, Counter[str]], listed: list[str]) -> None:
    """What ``--js-synthetic`` or ``--perl-synthetic`` read: the files, a row an edit kind,
    then the cases ``listed``."""
    print(files)
    for kind in ("empty", "comment"):
        row = rows[kind]
        print(
            f"{kind:<8} edits {row['edits']:>6}  refused as a placeholder {row['refused']:>6}"
            f"  refused otherwise {row['refused otherwise']:>4}  skipped {row['skipped']:>4}"
        )
    for line in listed:
        print(" ", line)


def _judge_emptied(
    row: Counter[str], listed: list[str], kind: str, where: str, rel: str, old: str, new: str
) -> None:
    """One edit of ``--js-synthetic`` or ``--perl-synthetic`` judged by the guard (in a
    fresh ``shared_trees()``) and counted in ``row``: ``refused`` by the placeholder guard,
    ``refused otherwise``; a control refused, an ``empty`` edit refused otherwise or
    passed, listed."""
    row["edits"] += 1
    with shared_trees():
        try:
            guard({rel: old}, {rel: new}, language_of=lambda _r: None, instruction=INSTRUCTION)
        except ParseError as e:
            placeholder = "with a placeholder" in str(e)
            row["refused" if placeholder else "refused otherwise"] += 1
            if kind == "comment" or not placeholder:
                listed.append(f"{kind} refused {where}: {str(e)[:200]}")
            return
    if kind == "empty":
        listed.append(f"empty missed {where}")


def line_starts(text: str) -> list[int]:
    """The offset each line of ``text`` starts at (lines as the tokens count them)."""
    return [0, *(m.end() for m in re.finditer(r"\r\n|[\r\n\u2028\u2029]", text))]


def _offset(text: str, starts: list[int], t: Token) -> int | None:
    """Where the one-character token ``t`` is in ``text``: on its line, where the line
    holds that character once (else None: which one is not known)."""
    line = starts[t.line] if t.line < len(starts) else None
    if line is None:
        return None
    end = starts[t.line + 1] if t.line + 1 < len(starts) else len(text)
    found = text.count(t.text, line, end)
    return text.index(t.text, line, end) if found == 1 else None


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    mode = ap.add_mutually_exclusive_group(required=True)
    mode.add_argument("--releases", nargs=2, type=Path, metavar=("OLD", "NEW"))
    mode.add_argument("--synthetic", type=Path, metavar="DIR")
    mode.add_argument("--comments", type=Path, nargs="+", metavar="DIR")
    mode.add_argument("--js-synthetic", type=Path, metavar="DIR")
    mode.add_argument("--perl-synthetic", type=Path, metavar="DIR")
    ap.add_argument("--max", type=int, default=300, help="files (--synthetic; default 300)")
    ap.add_argument("--exclude", action="append", default=[], help="folder names left out")
    ap.add_argument("--show", type=int, help="hits or cases listed (default 50 / 10)")
    args = ap.parse_args()
    if args.releases:
        releases(*args.releases, 50 if args.show is None else args.show)
    elif args.perl_synthetic:
        perl_synthetic(
            args.perl_synthetic, args.max, set(args.exclude), 20 if args.show is None else args.show
        )
    elif args.js_synthetic:
        js_synthetic(
            args.js_synthetic, args.max, set(args.exclude), 20 if args.show is None else args.show
        )
    elif args.comments:
        comments(args.comments, 200 if args.show is None else args.show)
    else:
        shown = 10 if args.show is None else args.show
        synthetic(args.synthetic, args.max, set(args.exclude), shown)
    print("command:", shlex.join([sys.executable, *sys.argv]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
