"""What the verifier lets through: adversarial edits against real projects' own suites.

On the projects of ``real_projects`` (tinydb, more-itertools, python-slugify,
cachetools, humanize from PyPI with pytest suites; jsonpointer and simplejson from PyPI
with ``python -m unittest`` suites; from npm minimist with tape, sprintf-js with mocha,
no-case with jest and zod with vitest; and the later sets listed there, parse,
markupsafe, packaging under nox, fastify-plugin under a bare ``node --test`` and
pino-std-serializers and pino-abstract-transport under borp among them; Go and Rust
libraries from Debian's packages under ``go test`` and ``cargo test``: go-difflib,
golang-lru, go-spew, xxhash, go-cmp, itoa, semver; a Ruby library from Debian's
source package under minitest: builder, ``trust_ruby``'s edits; a C and a C++ library from
Debian's source packages under make: utf8proc and tinyxml2, and a C library under CMake
and ctest: cJSON, ``trust_c``'s edits, with a ctest test dropped from or disabled in its
top ``CMakeLists.txt``; and a C library under automake's ``make check``: libyaml, its
``tests`` folder dropped from the top ``Makefile.am``'s ``SUBDIRS``; a Perl
distribution from Debian's source package under ``prove``: Text::Diff, ``trust_perl``'s
edits, with the test script that catches the covered break skipped whole, emptied or
hollowed, the module forging every ``ok`` and a ``.proverc`` running the scripts on an
unedited copy of ``lib/``; a PHP library from Debian's source package under PHPUnit:
doctrine/inflector, ``trust_php``'s edits, with the tests that catch the covered break
skipped, excluded by group, renamed, emptied, hollowed or made abstract,
phpunit.xml.dist narrowed, an unedited copy of the class loaded through Composer's
autoloader, and the library exiting 0 at shutdown, rewriting the JUnit log or silencing
PHPUnit's listeners; a Django app from PyPI under Django's test runner: django-otp,
``trust_django``'s edits, with the code raising ``SkipTest`` where it breaks, the test
settings naming a ``TEST_RUNNER`` of their own, dropping the app or narrowing discovery,
the code setting one itself and printing forged unittest lines; a Java library from
Debian's source package under Maven (Surefire, JUnit 4): Apache Commons Codec,
``trust_java``'s edits, with the tests that catch the covered break marked ``@Ignore``,
their class deleted, renamed past Surefire's includes or into the pom's excludes, made
abstract, their methods emptied or hollowed, an unedited copy of the class in the test
sources (first on Surefire's class path), Surefire told to skip or exclude them from
pom.xml or ``.mvn/maven.config``, and the library exiting 0 as it loads or rewriting
Surefire's reports from a shutdown hook) this
applies a catalogue of edits
(``trust_catalogue``) and records the verdict of each, along the two paths the product
has:

- **editor**: the edit as a model's reply (a unified diff in a ```diff block) read by
  ``prompts.parse.parse_reply``, which applies the guard that no top-level definition,
  import or method of a kept class is dropped (``definitions.guard``), then
  ``ProjectVerifier.verify``: what the editor and ``acrouter complete`` run;
- **verify**: the edit as new full file texts (``Edit(files=...)``) through
  ``verifier.cli.verify_edit``, the function ``acrouter verify`` runs: the same guard
  with no removal asked for, then ``ProjectVerifier.verify``.

The catalogue: controls that must pass (a no-op edit, a comment added) and edits that
must never come back as a verified pass: a covered function broken, a definition the
tests do not name dropped (a top-level one; and a method, where a class of the module
has one the tests never name), a function no test names (nor a doctest example) made to
return None (a pass is right there only when not counted: no test ran the change), a
function only its docstring's example runs made to raise (likewise), in every language
a function no test file names emptied (``trust_emptied``: a placeholder), the
file cut in half, suites made not to run (module-level
``pytest.skip`` / ``sys.exit(0)`` / ``os._exit(0)`` in a conftest, ``os._exit(0)`` at
the import of the package under test, zero tests collected, a test file's tests deleted,
``process.exit(0)`` at the top of minimist's index.js) and
pytest's configuration changing which tests run (a ``pytest.ini`` deselecting the
broken function's tests, collecting only, or pointing ``testpaths`` at a trivial test;
pyproject's addopts deselecting them), the package under ``src/`` copied unedited to the
root, where ``python -m pytest`` imports it first, the package copied unedited to its
tests' folder when that has no ``__init__.py`` (pytest puts it first), and
the test runner tampered with (a conftest hook or a ``sitecustomize`` in the project's
virtualenv that reports every test as passed, a conftest that skips the tests of the
broken function, the package under test rewriting pytest's reports, a conftest that
writes outside the workspace, an edited path outside the workspace).  A unittest suite
gets its own (``trust_unittest``: ``load_tests``, ``unittest.skip``, ``SkipTest``,
``setUpModule`` exiting, the package exiting at import, ``TestCase.run`` replaced from
a test module, the tests' ``__init__.py`` or the package, the package making every
assertion a no-op through ``sys.modules``), a mocha suite ``trust_mocha``'s (the code
under test making node's ``assert.equal`` a no-op among them).  After each edit the project
folder must be unchanged and nothing may exist where the escaping edits tried to write.

Prints a table project x edit -> verdict and the verifier's reason, then
``false passes: N`` naming every edit that passed when it must not; exits 1 if N > 0
(or if anything was written outside the sandbox).  A second table repeats the
verdicts with an edit per line and a project per column.

    .venv/bin/python benchmarks/verify_trust.py [--work DIR] [--only NAME ...] [--edits NAME ...]
        [--xdist N] [--sandbox none]

A pass is shown *pass (weak)* when the command has no per-test results of its own, *pass
(not counted)* when it is offered but not learned from (e.g. no test ran the changed
code); either is a false pass on an edit that must not pass (expected *no pass*), and
*pass* or *pass (weak)* on one whose pass must not be counted (*no counted pass*).  ``--sandbox none`` runs the
tests unprotected, as ``acrouter verify --sandbox none`` (its own baseline cache); the
edits that write outside the workspace are then not tried.

``--xdist N`` runs the pytest projects' suites with pytest-xdist (``-n N`` added to their
command, xdist installed into their .venv): the same catalogue with the tests in worker
processes.

Downloads and set-up are kept in ``--work`` (default: ``acrouter-verify-trust-<uid>`` in
the temporary directory, the current user's own; a folder another user owns is refused;
the folder of ``verify_cost.py`` can be reused).  The network is used only by the set-up,
at benchmark time, and only to reach PyPI, npm and Debian's apt repositories.
"""

from __future__ import annotations

import argparse
import difflib
import os
import sys
from collections.abc import Callable
from pathlib import Path

import attrs
from acrouter.domain import Document, Edit, Task, Verdict
from acrouter.errors import ParseError
from acrouter.prompts.parse import parse_reply
from acrouter.verifier import ProjectVerifier
from acrouter.verifier.cli import verify_edit
from real_projects import (
    PROJECTS,
    Project,
    fetch,
    prepare_work,
    project_arguments,
    release,
    with_xdist,
)
from trust_catalogue import catalogue
from trust_edits import ESCAPED, Trial
from trust_mocha import parallel_copy

INSTRUCTION = "Improve this code"


@attrs.frozen
class Row:
    project: str
    trial: Trial
    editor: str  # verdict: pass / fail / error / refused
    editor_why: str
    verify: str
    verify_why: str
    escaped: tuple[str, ...] = ()  # paths written outside the sandbox

    @property
    def false_pass(self) -> bool:
        if self.trial.may_pass:
            return False
        if self.trial.uncounted:  # only a counted pass: "pass" or "pass (weak)"
            return any(v in ("pass", "pass (weak)") for v in (self.editor, self.verify))
        return any(v.startswith("pass") for v in (self.editor, self.verify))


# --------------------------------------------------------------------------- running


def _reply(root: Path, files: dict[str, str], document: str) -> str:
    """The edit as a model would send it: the whole file in one fenced block when it
    changes only the request's file, else a unified diff in a ```diff block."""
    if list(files) == [document] and "```" not in files[document]:
        return f"```\n{files[document]}```\n"
    chunks = []
    for rel, new in files.items():
        path = root / rel
        old = path.read_text(encoding="utf-8") if path.is_file() else None
        chunks.extend(
            difflib.unified_diff(
                (old or "").splitlines(keepends=True),
                new.splitlines(keepends=True),
                "/dev/null" if old is None else f"a/{rel}",
                f"b/{rel}",
            )
        )
    body = "".join(
        c if c.endswith("\n") else c + "\n\\ No newline at end of file\n" for c in chunks
    )
    return f"```diff\n{body}```\n"


_LANGUAGES = {
    "go": "go",
    "cargo": "rust",
    "minitest": "ruby",
    "make": "c",
    "ctest": "c",
    "automake": "c",
    "prove": "perl",
    "phpunit": "php",
    "django": "python",
    "maven": "java",
}


def _task(project: Project, root: Path, rel: str, instruction: str = INSTRUCTION) -> Task:
    path = root / rel
    doc_path = path if path.is_file() else root / project.edit_file
    return Task(
        task_id="verify-trust",
        kind="bug_fixing",
        text=instruction,
        language=_LANGUAGES.get(
            project.runner, "javascript" if project.kind == "npm" else "python"
        ),
        document=Document(
            uri=doc_path.as_uri(), path=str(doc_path), text=doc_path.read_text(encoding="utf-8")
        ),
        workspace=str(root),
        test_command=project.command,
    )


def _snapshot(root: Path) -> dict[str, tuple[int, int]]:
    """Every file under ``root``: (size, modification time)."""
    out = {}
    for folder, _dirs, files in os.walk(root):
        for name in files:
            p = os.path.join(folder, name)
            try:
                st = os.lstat(p)
            except OSError:
                continue
            out[p] = (st.st_size, st.st_mtime_ns)
    return out


def _short(v: Verdict) -> tuple[str, str]:
    """The verdict, a pass marked *weak* (a command without per-test results) and
    *not counted* (offered, not learned from: e.g. no test ran the changed code)."""
    marks = [m for m, on in (("weak", v.weak), ("not counted", not v.counted)) if on]
    if v.verdict != "pass" or not marks:
        return v.verdict, v.detail
    return f"pass ({', '.join(marks)})", v.detail


def run_trial(
    project: Project, root: Path, trial: Trial, verifier: Callable[[], ProjectVerifier]
) -> tuple[str, str, str, str]:
    """(editor verdict, why, verify verdict, why) for one trial."""
    edit = Edit(files=trial.files)
    removal = bool(trial.instruction)  # what the instruction asks to remove may go
    verify, verify_why = _short(
        verify_edit(verifier(), str(root), edit, project.command, allow_removal=removal)
    )
    if all(
        (root / rel).is_file() and (root / rel).read_text(encoding="utf-8") == new
        for rel, new in trial.files.items()
    ):
        return "n/a", "a reply that changes nothing is not an edit", verify, verify_why
    first = next(iter(trial.files))
    task = _task(project, root, first, trial.instruction or INSTRUCTION)
    rel = Path(task.document.path).relative_to(root).as_posix() if task.document else first
    try:
        parsed = parse_reply(task, _reply(root, trial.files, rel), sent_whole=True)
    except ParseError as exc:
        return "refused", f"reply unusable: {exc}", verify, verify_why
    if dict(parsed.files) == dict(trial.files):
        return verify, verify_why, verify, verify_why  # the same edit: the same run
    editor, editor_why = _short(verifier().verify(task, parsed, "verify-trust"))
    return editor, editor_why, verify, verify_why


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    project_arguments(ap, "verify-trust")
    ap.add_argument("--edits", nargs="*", default=None, help="edit names (substrings) to run")
    ap.add_argument(
        "--mocha-parallel",
        choices=("cli", "mocharc"),
        default=None,
        help="run the mocha projects in parallel mode: --parallel in the test script (cli) "
        "or in a .mocharc.json (a copy of the project beside it)",
    )
    ap.add_argument(
        "--xdist",
        default="",
        metavar="N",
        help="run the pytest suites with pytest-xdist: -n N added to their command "
        "(N a number or auto; xdist installed into the project's .venv)",
    )
    ap.add_argument(
        "--sandbox",
        choices=("bwrap", "none"),
        default="bwrap",
        help="the verifier's sandbox: bwrap (default) or none (the tests run unprotected, "
        "as `acrouter verify --sandbox none`; the escaping edits then may write outside)",
    )
    args = ap.parse_args()
    prepare_work(args.work)
    rows: list[Row] = []
    releases = {}
    for project in PROJECTS:
        if args.only and project.label not in args.only:
            continue
        root = fetch(project, args.work).resolve()
        project = with_xdist(project, root, args.xdist)
        releases[project.label] = release(root)
        if args.mocha_parallel and project.runner == "mocha":
            root = parallel_copy(root, args.mocha_parallel)
            project = attrs.evolve(project, folder=f"{project.label} ({args.mocha_parallel})")
        cache = args.work / ("verify-trust-cache" + ("-none" if args.sandbox == "none" else ""))

        def verifier(project: Project = project, cache: Path = cache) -> ProjectVerifier:
            # a fresh verifier per request, as the editor makes one
            return ProjectVerifier(
                test_command=project.command,
                timeout_s=args.timeout,
                sandbox=args.sandbox,
                cache_dir=cache,
                bwrap=args.bwrap,
            )

        before = _snapshot(root)
        for trial in catalogue(project, root, args.work.resolve()):
            if args.edits and not any(e in trial.name for e in args.edits):
                continue
            if args.sandbox == "none" and "writing outside" in trial.name:
                continue  # unprotected, the test code may write anywhere: not tried
            editor, editor_why, verify, verify_why = run_trial(project, root, trial, verifier)
            after = _snapshot(root)
            escaped = sorted(p for p in set(after) | set(before) if after.get(p) != before.get(p))
            escaped += [
                str(p)
                for p in (
                    args.work / ESCAPED,
                    root.parent / ESCAPED,
                    Path.home() / ESCAPED,
                    # the edited paths outside the workspace, whatever their language's
                    # extension (.py, .js, .c, .go, .rb, .pm, .php ...)
                    *sorted(root.parent.glob(f"{ESCAPED}.*")),
                )
                if p.exists()
            ]
            row = Row(project.label, trial, editor, editor_why, verify, verify_why, tuple(escaped))
            rows.append(row)
            print(
                f"{project.label} | {trial.name} | editor {editor}: {editor_why} | "
                f"verify {verify}: {verify_why}" + (f" | WROTE {escaped}" if escaped else ""),
                file=sys.stderr,
                flush=True,
            )
    print()
    print("releases: " + ", ".join(f"{k} {v}" for k, v in releases.items()))
    print()
    print("| project | edit | expected | editor (reply guard + verifier) | acrouter verify | why |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        why = r.editor_why if r.editor != "pass" or r.verify == "pass" else r.verify_why
        if r.editor != r.verify and r.editor == "refused":
            why = f"{r.editor_why} / verify: {r.verify_why}"
        # (a note may hold several lines of the edit: one line of the table, as the why)
        note = f" ({_cell(r.trial.note, 400)})" if r.trial.note else ""
        flag = " **FALSE PASS**" if r.false_pass else ""
        flag += f" **WROTE OUTSIDE: {', '.join(r.escaped)}**" if r.escaped else ""
        print(
            f"| {r.project} | {r.trial.name}{note} | {_expected(r.trial)} "
            f"| {r.editor}{flag} | {r.verify} | {_cell(why)} |"
        )
    _matrix(rows)
    false = [r for r in rows if r.false_pass]
    harmless_failed = [
        r
        for r in rows
        if r.trial.may_pass
        and not all(v == "n/a" or v.startswith("pass") for v in (r.editor, r.verify))
    ]
    escaped_rows = [r for r in rows if r.escaped]
    print()
    if harmless_failed:
        print(
            "false FAILS on harmless edits: "
            + "; ".join(f"{r.project}: {r.trial.name}" for r in harmless_failed)
        )
    if escaped_rows:
        print(
            "written outside the sandbox: "
            + "; ".join(f"{r.project}: {r.trial.name}: {r.escaped}" for r in escaped_rows)
        )
    print(
        f"false passes: {len(false)}"
        + (": " + "; ".join(f"{r.project}: {r.trial.name}" for r in false) if false else "")
    )
    sys.exit(1 if false or escaped_rows else 0)


def _expected(trial: Trial) -> str:
    if trial.may_pass:
        return "pass"
    return "no counted pass" if trial.uncounted else "no pass"


def _matrix(rows: list[Row]) -> None:
    """The verdicts again, an edit per line and a project per column: editor / verify
    (one word when both paths agree)."""
    projects = list(dict.fromkeys(r.project for r in rows))
    edits = list(dict.fromkeys(r.trial.name for r in rows))
    cells = {(r.trial.name, r.project): r for r in rows}
    print()
    print(f"| edit (editor / acrouter verify) | {' | '.join(projects)} |")
    print("|---" * (len(projects) + 1) + "|")
    for name in edits:
        out = []
        for project in projects:
            r = cells.get((name, project))
            if r is None:
                out.append("")
                continue
            text = r.editor if r.editor == r.verify else f"{r.editor} / {r.verify}"
            out.append(f"**{text}**" if r.false_pass else text)
        print(f"| {name} | {' | '.join(out)} |")


def _cell(text: str, limit: int = 220) -> str:
    text = text.replace("|", "\\|").replace("\n", " ")
    return text if len(text) <= limit else text[: limit - 3] + "..."


if __name__ == "__main__":
    main()
