"""Which of the lines an edit changes in Ruby files the tests ran, from Ruby's own
``Coverage`` module (lines), in every ruby process of the run.

A pass of ``rake test`` or ``rspec`` after an edit that broke a method no test calls,
in a file the tests ``require``, was counted as the model's with nothing said: the file
was opened (:mod:`.lines_opened`), so nothing told its lines apart.

Now the run with the edit (only that one) gets ``RUBYOPT=-r<out>/acrouter-rbcov.rb``
(:data:`SCRIPT`, after any ``RUBYOPT`` of the run's own), so every ruby the tests start
(``rake`` and the ruby it spawns, ``rspec``, ``bundle exec``) loads our script before
the code under test: it starts ``Coverage.start(lines: true)`` and, at exit (its
``at_exit`` is registered first, so it runs after minitest's and rspec's), writes the
line counts of the edited files only (:data:`FILES_VAR`: each as the run sees it,
matched by real path, so a scratch copy or the overlaid workspace is found as such)
into ``<out>/acrouter-rb-<pid>.json``; each process also marks its start
(``acrouter-rb-<pid>.start``).  A suite's own ``Coverage.start`` (simplecov) would raise
("already setup"): ours hands over to it (what it counted until then is kept) and keeps
what the suite's ``Coverage.result`` returns; while only ours runs, ``Coverage.running?``
is false and ``result``/``peek_result`` raise as without it.  Any error of the script
is swallowed: that process writes nothing.

After the run: a changed line is a statement when a process's ``Coverage`` counted it
(nil is not code: ``end``, ``else``, comments, blank lines); it ran when a process
counted it above 0.  A ``def``/``class``/``module`` line, a ``require`` or ``include``,
runs as its file loads (:attr:`.lines.Change.loading`).  Not measured, and nothing
said of it: a file no process loaded (left to :mod:`.lines_opened`), one a process
loaded but could not count lines of (a suite's own coverage of other modes), one whose
counts run past its end, every file when no process wrote its lines (all ended with
``exit!`` or were killed) or the out folder's path holds a blank (``RUBYOPT`` splits
there).  A run where a process started and never wrote (``exit!``, a kill) is
:attr:`.lines_trace.Traced.cut`: no line is said not to have run."""

from __future__ import annotations

import re
from collections.abc import Mapping
from importlib import resources
from pathlib import Path

from .lines_js import line_change
from .lines_trace import Change, Traced, per_process

#: our script, written into the run's out folder, and its variables
SCRIPT = "acrouter-rbcov.rb"
OUT_VAR = "ACROUTER_RB_OUT"
FILES_VAR = "ACROUTER_RB_FILES"
PREFIX = "acrouter-rb-"
#: the words of a failed traced run that our script may have caused
SUSPECT_WORDS = ("ACRouterRubyCov", SCRIPT, PREFIX, FILES_VAR, "coverage measurement")

#: a line that runs as its file loads: a definition, a require, an include
_LOADING = re.compile(
    r"\s*(?:(?:private|protected|public|module_function)\s+)?"
    r"(?:def|class|module|require|require_relative|load|autoload|include|extend|prepend"
    r"|attr_reader|attr_writer|attr_accessor|private|protected|public|module_function)\b"
)
#: a line with no code of its own (Coverage counts none there)
_NOT_CODE = re.compile(r"\s*(?:#.*|(?:end|else|ensure|begin|then|do)\b\s*(?:#.*)?|[)\]}]*\s*)$")


def is_ruby(rel: str) -> bool:
    return rel.endswith(".rb")


def code_lines(text: str) -> set[int]:
    """The lines of Ruby ``text`` (1-based) with code: not blank, not a comment (nor in
    ``=begin``/``=end``), not a bare ``end``/``else``/closing bracket."""
    out: set[int] = set()
    block = False
    for n, line in enumerate(text.split("\n"), 1):
        if block:
            block = not line.startswith("=end")
        elif line.startswith("=begin"):
            block = True
        elif not _NOT_CODE.match(line):
            out.add(n)
    return out


def loading_lines(text: str) -> set[int]:
    """The lines of Ruby ``text`` that run as the file loads (:data:`_LOADING`)."""
    return {n for n, line in enumerate(text.split("\n"), 1) if _LOADING.match(line)}


def script() -> str:
    return (resources.files("acrouter") / "data" / "rubycov.rb").read_text(encoding="utf-8")


def cover_env(
    out_dir: str, seen: str, files: Mapping[str, tuple[str, str]], env: Mapping[str, str]
) -> dict[str, str] | None:
    """The variables that load our script into every ruby of the run (``seen``: where it
    sees the workspace; the script written into ``out_dir``), or None when the run cannot
    be measured so (a blank in the out folder's path, no file to measure)."""
    wanted = {rel: f"{seen}/{rel}" for rel in files if not re.search(r"[\t\n]", rel)}
    if not wanted or re.search(r"\s", out_dir):
        return None
    path = Path(out_dir) / SCRIPT
    path.write_text(script(), encoding="utf-8")
    existing = env.get("RUBYOPT", "")
    option = f"-r{path}"
    return {
        "RUBYOPT": f"{existing} {option}" if existing.strip() else option,
        OUT_VAR: out_dir,
        FILES_VAR: "\n".join(f"{rel}\t{p}" for rel, p in sorted(wanted.items())),
    }


def suspect(output: str) -> bool:
    """Whether a failed run's ``output`` names our script or coverage."""
    return any(w in output for w in SUSPECT_WORDS)


def read_rubycov(out_dir: str | Path, files: Mapping[str, tuple[str, str]]) -> Traced | None:
    """The statement lines of the edited Ruby ``files`` (relative path -> old and new
    texts) the tests ran, and their changes; a file no process loaded, or one whose
    lines a process could not count, is ``unmeasured``.  None when no process wrote."""
    done, silent = per_process(Path(out_dir), PREFIX)
    if not done:
        return None
    counts: dict[str, dict[int, bool]] = {}
    lost: set[str] = set()
    for data in done:
        lost.update(r for r in data.get("lost") or () if isinstance(r, str))  # type: ignore[attr-defined]
        held = data.get("files")
        if not isinstance(held, dict):
            continue
        for rel, lines in held.items():
            if not isinstance(lines, list):
                lost.add(rel)
                continue
            mine = counts.setdefault(rel, {})
            for i, n in enumerate(lines):
                if isinstance(n, int):
                    mine[i + 1] = mine.get(i + 1, False) or n > 0
    out: dict[str, frozenset[int]] = {}
    unmeasured: set[str] = set()
    changes: list[Change] = []
    for rel, (old, new) in sorted(files.items()):
        statements = counts.get(rel)
        if rel in lost or not statements or max(statements) > new.count("\n") + 1:
            unmeasured.add(rel)
            continue
        out[rel] = frozenset(n for n, ran in statements.items() if ran)
        change = line_change(
            rel,
            old.split("\n"),
            new.split("\n"),
            set(statements),
            code_lines(old),
            loading_lines(new),
        )
        changes.extend([change] if change else [])
    return Traced(out, True, frozenset(unmeasured), cut=silent > 0, changes=tuple(changes))
