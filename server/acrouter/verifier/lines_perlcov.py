"""Which of the lines an edit changes in Perl files the tests ran, from perl's own
debugger hooks, in every perl process of the run.

A pass of ``prove`` after an edit that broke a sub no test calls, in a module the tests
``use``, was counted as the model's with only "which lines ran is not known" said: the
file was opened (:mod:`.lines_opened`), so nothing told its lines apart.

Now the run with the edit (only that one) gets ``PERL5OPT=-d:ACRouterCov`` (after any
``PERL5OPT`` of the run's own) and our folder last on ``PERL5LIB`` (and both in
``HARNESS_PERL_SWITCHES``, which Perl's test harness puts on each script's command line:
a script run with ``-T`` ignores the variables), so every perl the tests start
(``prove`` and the perl it starts for each script, ``make test``'s) loads
our module (:data:`SCRIPT`, ``data/perlcov.pm``) as its debugger before the code under
test.  Perl then calls its ``DB::DB`` before each statement it runs (from the module's
load on, so a file's top-level statements count as it loads), and keeps each compiled
file's lines with those it can stop at, its statements, marked.  At exit (its ``END``
is compiled first, so it runs last) it writes the statements and the lines that ran of
the edited files only (:data:`FILES_VAR`: each as the run sees it, with the MD5 of its
new text; a file is one of them by its real path, or by its text's MD5, as the copy
MakeMaker's build puts in ``blib/``: the module never opens the edited file itself, so
whether the run opened it still says whether any process read it) into
``<out>/acrouter-pl-<pid>.json``; each process also marks its start
(``acrouter-pl-<pid>.start``).  Any error of the module is swallowed: that process writes
nothing.

After the run: a changed line is a statement when a process compiled it as one (a
``sub NAME {`` line, a brace, a comment, POD are not); it ran when a process ran it.  A
``use``, ``require``, ``package`` or ``our`` line runs as its file loads
(:attr:`.lines.Change.loading`).  Not measured, and said so: a file no process compiled
(left to :mod:`.lines_opened`), every file when no process wrote its lines (all ended
with ``exec`` or were killed; a perl started with ``-T`` other than by the harness
ignores ``PERL5OPT``) or the out
folder's path holds a blank or a colon.  A run where a process started and never wrote
is :attr:`.lines_trace.Traced.cut`: no line is said not to have run."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from importlib import resources
from pathlib import Path

from .lines_js import line_change
from .lines_trace import Change, Traced, held_lines, per_process

#: our module, written into the run's out folder (``acrouter-perl/Devel/``), and its
#: variables
SCRIPT = "ACRouterCov.pm"
LIB_DIR = "acrouter-perl"
OUT_VAR = "ACROUTER_PL_OUT"
FILES_VAR = "ACROUTER_PL_FILES"
PREFIX = "acrouter-pl-"
#: the words of a failed traced run that our module may have caused
SUSPECT_WORDS = ("ACRouterCov", PREFIX, FILES_VAR, "DB::DB", "perl5db")

#: a line that runs as its file loads: an import, a package, a package variable
_LOADING = re.compile(r"\s*(?:use|no|require|package|our|BEGIN)\b")
#: a line with no code of its own (perl compiles no statement there)
_NOT_CODE = re.compile(r"\s*(?:#.*|[)\]};]*\s*(?:#.*)?|(?:sub\s+[\w:']+\s*)?\{?\s*)$")


def is_perl(rel: str) -> bool:
    """A Perl module or script of the code (``.pm``, ``.pl``; a test script, ``.t``, is
    the user's test)."""
    return rel.endswith((".pm", ".pl"))


def code_lines(text: str) -> set[int]:
    """The lines of Perl ``text`` (1-based) with code: not blank, not a comment, not in
    POD (``=head1`` ... ``=cut``), not a bare brace or ``sub NAME {``, not after
    ``__END__`` or ``__DATA__``."""
    out: set[int] = set()
    pod = False
    for n, line in enumerate(text.split("\n"), 1):
        if pod:
            pod = not line.startswith("=cut")
        elif re.match(r"=[a-zA-Z]", line):
            pod = True
        elif line.rstrip() in ("__END__", "__DATA__"):
            break
        elif not _NOT_CODE.match(line):
            out.add(n)
    return out


def loading_lines(text: str) -> set[int]:
    """The lines of Perl ``text`` that run as the file loads (:data:`_LOADING`)."""
    return {n for n, line in enumerate(text.split("\n"), 1) if _LOADING.match(line)}


def module() -> str:
    return (resources.files("acrouter") / "data" / "perlcov.pm").read_text(encoding="utf-8")


def cover_env(
    out_dir: str, seen: str, files: Mapping[str, tuple[str, str]], env: Mapping[str, str]
) -> dict[str, str] | None:
    """The variables that load our module into every perl of the run as its debugger
    (``seen``: where it sees the workspace; the module written into ``out_dir``), or
    None when the run cannot be measured so (a blank or a colon in the out folder's path:
    ``PERL5OPT`` splits at blanks, ``PERL5LIB`` at colons; no file to measure)."""
    wanted = {
        rel: f"{hashlib.md5(new.encode('utf-8'), usedforsecurity=False).hexdigest()}\t{seen}/{rel}"
        for rel, (_old, new) in files.items()
        if not re.search(r"[\t\n]", rel)
    }
    if not wanted or re.search(r"[\s:]", out_dir):
        return None
    lib = Path(out_dir) / LIB_DIR
    (lib / "Devel").mkdir(parents=True, exist_ok=True)
    (lib / "Devel" / SCRIPT).write_text(module(), encoding="utf-8")
    existing, libs = env.get("PERL5OPT", ""), env.get("PERL5LIB", "")
    option = "-d:ACRouterCov"
    # a script the harness runs with -T (#!perl -T) ignores PERL5OPT and PERL5LIB, not
    # the switches the harness puts on its command line
    switches = env.get("HARNESS_PERL_SWITCHES", "")
    ours = f"-I{lib} {option}"
    return {
        "PERL5OPT": f"{existing} {option}" if existing.strip() else option,
        "HARNESS_PERL_SWITCHES": f"{switches} {ours}" if switches.strip() else ours,
        "PERL5LIB": f"{libs}:{lib}" if libs else str(lib),  # last: the project's come first
        OUT_VAR: out_dir,
        FILES_VAR: "\n".join(f"{rel}\t{p}" for rel, p in sorted(wanted.items())),
    }


def suspect(output: str) -> bool:
    """Whether a failed run's ``output`` names our module or perl's debugger."""
    return any(w in output for w in SUSPECT_WORDS)


def read_perlcov(out_dir: str | Path, files: Mapping[str, tuple[str, str]]) -> Traced | None:
    """The statement lines of the edited Perl ``files`` (relative path -> old and new
    texts) the tests ran, and their changes; a file no process compiled is
    ``unmeasured``.  None when no process wrote."""
    done, silent = per_process(Path(out_dir), PREFIX)
    if not done:
        return None
    statements, ran = held_lines(done)
    out: dict[str, frozenset[int]] = {}
    unmeasured: set[str] = set()
    changes: list[Change] = []
    for rel, (old, new) in sorted(files.items()):
        stmts = statements.get(rel)
        if not stmts or max(stmts) > new.count("\n") + 1:
            unmeasured.add(rel)
            continue
        out[rel] = frozenset(ran.get(rel, set()) & stmts)
        change = line_change(
            rel, old.split("\n"), new.split("\n"), stmts, code_lines(old), loading_lines(new)
        )
        changes.extend([change] if change else [])
    return Traced(out, True, frozenset(unmeasured), cut=silent > 0, changes=tuple(changes))
