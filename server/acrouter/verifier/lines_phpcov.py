"""Which of the lines an edit changes in PHP files the tests ran, from the pcov extension
(Debian's ``php-pcov``), in every php process of the run.

A pass of ``phpunit`` after an edit that broke a method no test calls, in a file the
tests load, was counted as the model's with only "which lines ran is not known" said: the
file was opened (:mod:`.lines_opened`), so nothing told its lines apart.

Now the run with the edit (only that one) gets our folder (``<out>/acrouter-phpcov``)
last in ``PHP_INI_SCAN_DIR`` (after the run's own; when the run has none, after an empty
element, which stands for php's compiled-in folder, so Debian's ``conf.d``, which loads
the extensions, is still read; when the run's is empty, which reads no folder, ours
alone), so every php the tests start (``phpunit``, the php it starts for a test in a
process of its own, a ``php tests/run.php``) reads our ini after all others.  It makes
our script (:data:`SCRIPT`, ``data/phpcov.php``) the ``auto_prepend_file``, enables pcov
and points it at the workspace as the run sees it (and its real path; not its
``vendor/``, unless the edit changes a file there) and at our script, with
``pcov.directory=/`` and a ``pcov.exclude`` of everything else (left unset, pcov guesses
``src/`` in the working folder).  The script starts pcov before the code under test and,
at the end (a shutdown function registered while the others run, so after them; again
from a destructor that hands itself over until it is the last object the shutdown
destroys, so a destructor's lines count), writes what pcov holds of the edited files only
(:data:`FILES`, beside the script: each as the run sees it; pcov names a file by its real
path) into ``<out>/acrouter-php-<pid>.json``: its executable lines (pcov's ``-1``, not run;
``1``, run: ``\\pcov\\inclusive`` and ``\\pcov\\all`` both give both) and those that
ran.  Each process also marks its start (``acrouter-php-<pid>.start``).  Any error of the
script is swallowed: that process writes nothing.  pcov not loaded (``php-pcov`` not
installed, or ``pcov.enabled=0`` on the command line), or not measuring our script (a
path pcov cannot match): the process writes nothing, not even its start.

``auto_prepend_file``: PHP takes one; ours, read last, replaces one the project's ini
gives.  That would drop code the project's tests may need (a prepend that sets up error
handling or a profiler), so our script reads the ini files this php read but ours
(``php_ini_loaded_file``, ``php_ini_scanned_files``) and requires the one they give, at
the top level (its variables are global, as its own would be), after starting pcov.  One
given on the command line (``php -d auto_prepend_file=...``) takes precedence over ours:
that process is not measured, nor is ``php -n`` (it reads no ini), nor a php started by a
command that sets ``PHP_INI_SCAN_DIR`` itself (``PHP_INI_SCAN_DIR=x php ...``: the
shell's value replaces ours).  What such a process runs is not seen (as with a perl
started with ``-T``): when it alone ran a changed line, the line is said not to have run.

A suite's own code coverage (PHPUnit's ``--coverage-*``, or a report in its
configuration, with pcov; Pest, Codeception, Infection through the same driver) starts
pcov, stops it and clears it around each test: what ran before the last clear is gone
from the record.  Our script sees that (a line of its own, run as it started pcov, is no longer held as run, or pcov
was stopped at the end, or PHPUnit's pcov driver was loaded) and says ``"reset"``.  A
changed line no process held as run is then not known, never "did not run"
(:data:`RESET`, :attr:`.lines_trace.Traced.unknown`); the lines the record still holds
as run did run.  Our early start also makes PHPUnit's coverage count what runs before its
first test (the bootstrap) as that test's: its report can only gain lines, and a test
``beStrictAboutCoversAnnotation`` finds risky for them fails a run that is then redone
without us (:data:`SUSPECT_WORDS`).

After the run: a changed line is a statement when a process's pcov held it as
executable and it has code of its own (not a brace, where pcov places a function's
implicit return; not a function's signature, where it places a promoted constructor
parameter: :func:`code_lines`); it ran when a process ran it.  pcov holds no ``use``,
``namespace``, ``class``, ``function`` (declared as the file compiles), ``const``,
``else``, ``try``, ``default:`` line, no comment or docblock.  A ``require``, ``include``
or ``define`` at a file's top level runs as its file loads (:attr:`.lines.Change.loading`).
Not measured, and said so by :mod:`.lines_opened`: a file no process compiled, every file
when no process wrote its lines (pcov missing; all killed) or the out folder's path holds
a colon or a quote.  A run where a process started and never wrote (a kill, an exec) is
:attr:`.lines_trace.Traced.cut`: no line is said not to have run."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Collection, Mapping, Sequence
from importlib import resources
from pathlib import Path

from .lines_js import line_change
from .lines_trace import Change, Traced, c_style_code_lines, read_held

#: our folder in the run's out folder, with our ini, our script and its files
LIB_DIR = "acrouter-phpcov"
SCRIPT = "phpcov.php"
INI = "acrouter-phpcov.ini"
FILES = "files.json"
SCAN_VAR = "PHP_INI_SCAN_DIR"
PREFIX = "acrouter-php-"
#: the words of a failed traced run that our script may have caused: its names, and
#: PHPUnit's risky test (``beStrictAboutCoversAnnotation``) for code the bootstrap ran
#: once our early start recorded it as the first test's
SUSPECT_WORDS = (
    "ACRouter\\PhpCov",
    LIB_DIR,
    PREFIX,
    "not listed as code to be covered",
)
#: why a changed file's lines are not known when a process's pcov record was reset
RESET = (
    "the run's own code coverage (PHPUnit's, with pcov) cleared pcov's record of what "
    "ran before each test"
)

#: a line that runs as its file loads: an import, a definition
_LOADING = re.compile(
    r"(?:require|require_once|include|include_once)\b|(?:define|class_alias)\s*\("
    r"|(?:(?:abstract|final|readonly)\s+)*(?:class|interface|trait|enum|function|namespace"
    r"|use|const)\b"
)
#: a comment to the line's end (``#[`` starts an attribute)
_COMMENT = r"(?://|#(?!\[)).*"
#: a line with no code of its own (pcov holds none there, or only what a function does
#: on its own: its implicit return at its closing brace, a promoted parameter's
#: assignment at its signature)
_NOT_CODE = re.compile(
    r"\s*(?:"
    rf"{_COMMENT}"
    r"|[{}()\[\];,]*"  # braces and brackets, a blank line
    r"|<\?php(?:\s+declare\s*\([^)]*\)\s*;)?|\?>"
    r"|declare\s*\([^)]*\)\s*;"
    r"|namespace\b[^;{]*[;{]?"
    r"|use\b[^;{(]*;"
    r"|(?:(?:abstract|final|readonly)\s+)*(?:class|interface|trait|enum)\s+\w+[^{;]*\{?\s*\}?"
    # a property, a constant, an enum's case
    r"|(?:(?:final|abstract)\s+)?(?:public|protected|private|var)\b[^;(=]*(?:=[^;]*)?;"
    r"|(?:const|case)\s+\w+\s*(?:=[^;]*)?;"
    r"|(?:(?:abstract|final|public|protected|private|static)\s+)*function\s*&?\s*\w+\s*\("
    r"[^{;]*\{?\s*\}?;?"
    rf")\s*(?:{_COMMENT})?$"
)


def is_php(rel: str) -> bool:
    return rel.endswith(".php")


def code_lines(text: str) -> set[int]:
    """The lines of PHP ``text`` (1-based) with code: not blank, not a comment (nor in a
    ``/* */`` block or docblock that starts its line), not a bare brace, PHP tag,
    ``namespace``, ``use``, class header or function signature (:data:`_NOT_CODE`)."""
    return c_style_code_lines(text, _NOT_CODE)


def loading_lines(text: str) -> set[int]:
    """The lines of PHP ``text`` that run as the file loads (:data:`_LOADING`, at the
    line's first column: a file's top level)."""
    return {n for n, line in enumerate(text.split("\n"), 1) if _LOADING.match(line)}


def script() -> str:
    return (resources.files("acrouter") / "data" / SCRIPT).read_text(encoding="utf-8")


def _pcre(path: str) -> str:
    """``path`` as a PCRE pattern matching itself."""
    return "".join(c if c.isalnum() or c in "_/" or ord(c) > 127 else f"\\{c}" for c in path)


def _forms(path: str) -> list[str]:
    """``path`` and its real path (pcov names a file by the real path php opened)."""
    real = os.path.realpath(path)
    return [path] if real == path else [path, real]


def cover_env(
    out_dir: str, seen: str, files: Mapping[str, tuple[str, str]], env: Mapping[str, str]
) -> dict[str, str] | None:
    """The variable that makes every php of the run read our ini, which loads our script
    and points pcov at the workspace (``seen``: where the run sees it; the ini, the
    script and the files it measures written into ``out_dir``), or None when the run
    cannot be measured so (a colon in the out folder's path, which
    ``PHP_INI_SCAN_DIR`` splits at; a quote or a line break in it or in the workspace's,
    which our ini's values cannot hold; no file to measure)."""
    folder = Path(out_dir) / LIB_DIR
    if not files or re.search(r"[:'\"\n\r]", str(folder)) or re.search(r"['\"\n\r]", seen):
        return None
    folder.mkdir(parents=True, exist_ok=True)
    (folder / SCRIPT).write_text(script(), encoding="utf-8")
    wanted = [[rel, f"{seen}/{rel}"] for rel in sorted(files)]
    (folder / FILES).write_text(json.dumps({"out": out_dir, "files": wanted}), encoding="utf-8")
    roots = "|".join(_pcre(p) for p in _forms(seen))
    # the project's installed packages (PHPUnit's own code, under composer) cost time
    # and tell nothing, unless the edit changes one
    vendor = "" if any(rel.startswith("vendor/") for rel in files) else "(?!vendor/)"
    ours = "|".join(_pcre(p) for p in _forms(str(folder / SCRIPT)))
    ini = (
        "; ACRouter: which lines of the edited PHP files the tests run (lines_phpcov.py)\n"
        f"auto_prepend_file = '{folder / SCRIPT}'\n"
        "pcov.enabled = 1\n"
        "pcov.directory = '/'\n"
        f"pcov.exclude = '~^(?!(?:{roots})/{vendor}|(?:{ours})$)~'\n"
    )
    (folder / INI).write_text(ini, encoding="utf-8")
    existing = env.get(SCAN_VAR)
    # empty: php reads no folder (ours alone); unset: an empty element, php's own folder
    scan = f"{existing}:{folder}" if existing else str(folder) if existing == "" else f":{folder}"
    return {SCAN_VAR: scan}


def suspect(output: str) -> bool:
    """Whether a failed run's ``output`` names our script or a test PHPUnit found risky
    for code our early start recorded."""
    return any(w in output for w in SUSPECT_WORDS)


def read_phpcov(out_dir: str | Path, files: Mapping[str, tuple[str, str]]) -> Traced | None:
    """The statement lines of the edited PHP ``files`` (relative path -> old and new
    texts) the tests ran, and their changes; a file no process compiled is
    ``unmeasured``, one whose changed lines may have run before a process's pcov record
    was cleared (:data:`RESET`) ``unknown``.  None when no process wrote."""

    def judge(
        rel: str, old: str, new: str, reported: set[int], ran: set[int]
    ) -> tuple[set[int], Change | None]:
        stmts = reported & code_lines(new)
        change = line_change(
            rel, old.split("\n"), new.split("\n"), stmts, code_lines(old), loading_lines(new)
        )
        return ran & stmts, change

    def reset(done: Sequence[Mapping[str, object]]) -> Collection[str]:
        # (a process that does not say its record was kept whole is taken as reset)
        return files.keys() if any(data.get("reset") is not False for data in done) else ()

    return read_held(out_dir, files, PREFIX, judge, reset, RESET)
