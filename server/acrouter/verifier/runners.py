"""How to run a test command so that it leaves per-test results (the command itself
comes from the settings or from ``detection``; ``commandline`` reads it).

pytest gets ``--junitxml`` (also through ``PYTEST_ADDOPTS`` when it runs inside a shell
line); ``python -m unittest`` runs through pytest when that interpreter has it, else
with ``-v`` (its output is parsed), and so is Django's ``manage.py test`` (``python -m
django test``, ``django-admin test``) with ``--verbosity 2``; node's test runner gets our reporter through
``NODE_OPTIONS`` (under borp, which starts it with ``run()``, as a ``--reporter``); jest, vitest and mocha get their JSON reporters (also through an
``npm test`` script; mocha also ``--no-parallel``); ``go test`` gets ``-json``; ``cargo
test`` keeps libtest's pretty format; tape's TAP is read from the output; RSpec gets
its JSON formatter (``--format json --out``, and ``--format progress`` for the console
when the command names no format); minitest (``rake test``, ``ruby -Itest
test/x_test.rb``) a plugin of ours through ``RUBYLIB``; Maven (``mvn test``, ``./mvnw
verify``) leaves Surefire's JUnit XML in each module's ``target/``, copied by the run;
``ctest`` (CMake 3.21 and newer, read from the folders beside it) gets
``--output-junit``; automake's ``make check`` leaves a ``.trs`` per test, gathered by
the run; Perl's harness (``prove``, ``./Build test``, and ``make test`` where MakeMaker
builds) keeps a copy of each script's TAP (``PERL_TEST_HARNESS_DUMP_TAP``) and prints
its summary report; PHPUnit (``phpunit``, ``vendor/bin/phpunit``, ``php
vendor/bin/phpunit``) gets ``--log-junit``.  A coverage wrapper (``nyc``, ``c8``) keeps
the runner it starts.  Anything else (``make test``, several runners in one line) is judged by its
exit code, and its verdict is marked weak.  The reports are read by ``reports``.
"""

from __future__ import annotations

import logging
import os
import re
import shlex
import shutil
from collections.abc import Mapping
from pathlib import Path

import attrs

from .commandline import (
    PYTHON_PROGRAM,
    SHELL_CHARS,
    Segment,
    composer_script,
    django_test,
    django_verbosity,
    make_directory,
    npm_script,
    parse_segment,
    python_module,
    runner_of,
    simple_command_spans,
)
from .detection import (
    automake_harness,
    composer_script_text,
    makemaker_build,
    package_major,
    package_script,
    uses_load_tests,
    uses_test_unit,
)
from .inline_env import leading_words
from .lines_istanbul import coverage_args
from .reports import (
    MINITEST_OUT_VAR,
    MINITEST_PLUGIN,
    MINITEST_PLUGIN_PATH,
    NODE_REPORTER,
    PROVE_DUMP_VAR,
)
from .reports.phpunit import OUTPUT_NAME as PHPUNIT_OUTPUT
from .reports.phpunit import REPORT_NAME as PHPUNIT_REPORT
from .reports.prove import OUTPUT_NAME as PROVE_OUTPUT

log = logging.getLogger(__name__)

#: Why a verdict is weak when the command's per-test results cannot be read.
WEAK_REASON = "skipped or deleted tests cannot be detected with this command"


@attrs.frozen
class TestPlan:
    """How to run a test command and where its per-test results will be."""

    __test__ = False  # not a pytest test class

    command: str
    argv: tuple[str, ...]
    #: whose per-test results are read: pytest, unittest, node, jest, vitest, mocha, go,
    #: cargo, tape, rspec, minitest, maven, ctest, automake, prove, phpunit, django; None = the
    #: exit code only (the verdict is weak)
    runner: str | None
    interpreter: str | None  # the Python running the tests, when known
    #: (parser, path) pairs read after the run; the first that exists wins
    reports: tuple[tuple[str, str], ...] = ()
    env: Mapping[str, str] = attrs.field(factory=dict)  # added to the tests' environment
    files: Mapping[str, str] = attrs.field(factory=dict)  # written before the run
    capture: str | None = None  # the whole output is written here (parsed from it)
    weak: str | None = None  # why per-test results cannot be read
    #: the runner (jest, vitest) asked for the coverage of the files ``cover`` named
    #: (:mod:`.lines_istanbul`); None: not asked
    covered: str | None = None

    @property
    def pytest(self) -> bool:
        return self.runner == "pytest"

    @property
    def printed_report(self) -> bool:
        """The per-test results may be read from what the runner prints (unittest's
        ``-v`` lines, Django's), in the process where the code under test runs."""
        return any(parser == "unittest" for parser, _path in self.reports)

    @property
    def expects_report(self) -> bool:
        """A run that leaves no per-test results could not run its tests."""
        return self.runner is not None

    def executable(self) -> str:
        return self.argv[0]


def _unittest_to_pytest(args: tuple[str, ...], root: Path | None) -> list[str] | None:
    """pytest arguments that collect what ``python -m unittest ARGS`` runs (its
    discovery: TestCase classes in ``test*.py``), or None for forms we do not map
    (module or test names), and where a test module defines ``load_tests`` (pytest
    ignores it, and the suites it adds would never run)."""
    rest = list(args)
    if rest and rest[0] == "discover":
        rest = rest[1:]
    elif any(not a.startswith("-") for a in rest):
        return None
    start, pattern = ".", "test*.py"
    positional: list[str] = []
    i = 0
    while i < len(rest):
        a = rest[i]
        if a in ("-s", "--start-directory") and i + 1 < len(rest):
            start, i = rest[i + 1], i + 2
        elif a in ("-p", "--pattern") and i + 1 < len(rest):
            pattern, i = rest[i + 1], i + 2
        elif a in ("-t", "--top-level-directory") and i + 1 < len(rest):
            i += 2
        elif a in ("-v", "--verbose", "-q", "--quiet", "-b", "--buffer", "-c", "--catch"):
            i += 1
        elif a in ("-f", "--failfast"):
            return None  # stops early: the per-test results would differ from the run's
        elif not a.startswith("-"):
            positional.append(a)
            i += 1
        else:
            return None
    if positional:
        start = positional[0]
        if len(positional) > 1:
            pattern = positional[1]
    if uses_load_tests(root, start, pattern):
        return None
    return [
        "-o",
        f"python_files={pattern}",
        "-o",
        "python_functions=__acrouter_unittest_only__",
        "-o",
        "python_classes=__acrouter_unittest_only__",
        start,
    ]


def _pytest_flags(out: str) -> list[str]:
    return [
        f"--junitxml={out}/report.xml",
        "-p",
        "no:cacheprovider",
        "-o",
        "junit_family=xunit1",
    ]


class _Planner:
    """Builds one ``TestPlan``: finds the segment of the command that runs the tests and
    asks that runner for per-test results."""

    def __init__(
        self,
        command: str,
        out: str,
        root: Path | None,
        cover: tuple[str, ...] = (),
        offline: bool = True,
    ) -> None:
        self.command = command
        self.cover = cover
        self.offline = offline
        self.covered: str | None = None
        self.out = out
        self.root = root
        self.env: dict[str, str] = {}
        self.files: dict[str, str] = {}
        self.reports: list[tuple[str, str]] = []
        self.capture: str | None = None
        self.interpreter: str | None = None
        #: the folder ``make check`` runs in, from the workspace's root
        self.make_dir = ""
        self._harness: dict[str, tuple[bool, str]] = {}

    def _automake_harness(self) -> tuple[bool, str]:
        """:func:`.detection.automake_harness` of the folder ``make check`` runs in (read
        once a plan: it may walk the folders below)."""
        rel = self.make_dir
        if rel not in self._harness:
            folder = None if self.root is None else self.root / rel
            self._harness[rel] = automake_harness(folder)
        return self._harness[rel]

    def _makemaker(self, rel: str) -> bool:
        """Whether ``make test`` in the folder ``rel`` runs Perl's test harness."""
        return makemaker_build(None if self.root is None else self.root / rel)

    def plan(self) -> TestPlan:
        command = self.command
        spans = simple_command_spans(command)
        simple = len(spans) == 1 and not SHELL_CHARS.search(command)
        segments = [parse_segment(command, s) for s in spans]
        if simple and segments[0] is not None and segments[0].offset == 0:
            return self._direct(segments[0].tokens)
        found: list[tuple[Segment, str]] = []
        folder = ""  # where the segment runs, as the ``cd DIR`` before it say
        for seg in segments:
            if seg is None:
                continue
            runner = runner_of(seg.tokens)
            if runner is None and npm_script(seg.tokens):
                runner = "npm"
            if runner is None and composer_script(seg.tokens):
                runner = "composer"
            if runner == "automake":
                self.make_dir = os.path.join(folder, make_directory(seg.tokens) or "")
                if not self._automake_harness()[0]:
                    runner = None  # a make check of another kind: not a test runner we read
            if runner == "makemaker":
                where = os.path.join(folder, make_directory(seg.tokens) or "")
                runner = "prove" if self._makemaker(where) else None
            if len(seg.tokens) == 2 and seg.tokens[0] == "cd":
                folder = os.path.join(folder, seg.tokens[1])
            if runner is not None:
                found.append((seg, runner))
        if len(found) != 1:
            why = WEAK_REASON if not found else f"{WEAK_REASON} (it starts several test runs)"
            return self._weak(("/bin/sh", "-c", command), why)
        seg, runner = found[0]
        text = command[seg.start : seg.end]
        new, runner_or_why = self._rewrite(seg, runner, text)
        argv = ("/bin/sh", "-c", command[: seg.start] + new + command[seg.end :])
        if runner_or_why not in _RUNNERS:
            return self._weak(argv, runner_or_why)
        return self._done(argv, runner_or_why)

    # ------------------------------------------------------------------ results
    def _weak(self, argv: tuple[str, ...], why: str) -> TestPlan:
        # a pytest somewhere below may still leave a report (PYTEST_ADDOPTS)
        return TestPlan(
            self.command,
            tuple(argv),
            None,
            self.interpreter,
            reports=(("junit", f"{self.out}/report.xml"),),
            env=self.env,
            files=self.files,
            weak=why,
        )

    def _done(self, argv: tuple[str, ...], runner: str) -> TestPlan:
        return TestPlan(
            self.command,
            tuple(argv),
            runner,
            self.interpreter,
            reports=tuple(self.reports),
            env=self.env,
            files=self.files,
            capture=self.capture,
            covered=self.covered,
        )

    # ------------------------------------------------------------------ a plain argv
    def _direct(self, tokens: tuple[str, ...]) -> TestPlan:
        runner = runner_of(tokens)
        if runner is None and npm_script(tokens):
            runner = "npm"
        if runner is None and composer_script(tokens):
            runner = "composer"
        if runner is None:
            return self._weak(tokens, WEAK_REASON)
        if runner == "automake":
            self.make_dir = make_directory(tokens) or ""
        if runner == "makemaker":
            if not self._makemaker(make_directory(tokens) or ""):
                return self._weak(tokens, WEAK_REASON)
            runner = "prove"
        if runner == "unittest":  # needs a shell: pytest if importable, else -v output
            text = shlex.join(tokens)
            seg = Segment(0, len(text), tokens, 0)
            new, runner_or_why = self._rewrite(seg, runner, text)
            return self._done(("/bin/sh", "-c", new), runner_or_why)
        argv, runner_or_why = self._argv_for(tokens, runner)
        if runner_or_why not in _RUNNERS:
            return self._weak(tuple(argv), runner_or_why)
        return self._done(tuple(argv), runner_or_why)

    def _argv_for(self, tokens: tuple[str, ...], runner: str) -> tuple[list[str], str]:
        args = list(tokens)
        extra, where, runner_or_why = self._flags(tokens, runner)
        if where == "append":
            args += extra
        elif where == "after-go-test":
            i = tokens.index("test")
            args[i + 1 : i + 1] = extra
        elif where == "wrap":
            line = shlex.join([*tokens, *extra])
            return ["/bin/sh", "-c", self._wrap(runner, line)], runner_or_why
        elif where == "after-cargo-test":
            i = next(i for i, t in enumerate(tokens) if t in ("test", "t"))
            args[i + 1 : i + 1] = extra
            args += ["--format=pretty"] if "--" in tokens else ["--", "--format=pretty"]
        return args, runner_or_why

    # ------------------------------------------------------------------ a shell segment
    def _rewrite(self, seg: Segment, runner: str, text: str) -> tuple[str, str]:
        if runner == "unittest":
            # what sets the command up (PYTHONPATH=src, uv run) goes before each command;
            # the blanks around the segment stay ("cd sub && python ..." must not become
            # "cd sub &&python ...": the sandbox reads the programs a line names by words)
            # (as written: shlex.join made PYTHONPATH='a b' a word that is no assignment)
            setup = leading_words(text.strip(), seg.offset)
            if setup is None:
                setup = shlex.join(shlex.split(text)[: seg.offset])
            new = self._unittest(seg, setup + " " if setup else "")
            lead, trail = text[: len(text) - len(text.lstrip())], text[len(text.rstrip()) :]
            return lead + new + trail, "unittest"
        extra, where, runner_or_why = self._flags(seg.tokens, runner)
        if where == "wrap":
            lead, trail = text[: len(text) - len(text.lstrip())], text[len(text.rstrip()) :]
            line = " ".join([text.strip(), *map(shlex.quote, extra)])
            return lead + self._wrap(runner, line) + trail, runner_or_why
        if not extra:
            return text, runner_or_why
        flags = " " + shlex.join(extra)
        if where == "append":
            return text.rstrip() + flags + text[len(text.rstrip()) :], runner_or_why
        if where == "after-go-test":
            m = re.search(r"\bgo\s+test\b", text)
            if m is None:
                return text, WEAK_REASON
            return text[: m.end()] + flags + text[m.end() :], runner_or_why
        if where == "after-cargo-test":
            m = re.search(r"\bcargo\s+(\+\S+\s+)?t(est)?\b", text)
            if m is None:
                return text, WEAK_REASON
            tail = " --format=pretty" if "--" in seg.tokens else " -- --format=pretty"
            text = text[: m.end()] + flags + text[m.end() :]
            return text.rstrip() + tail + text[len(text.rstrip()) :], runner_or_why
        return text, runner_or_why

    def _flags(self, tokens: tuple[str, ...], runner: str) -> tuple[list[str], str, str]:
        """(extra arguments, where they go (``wrap``: appended, then the reports the run
        leaves are gathered), the runner or why it is weak)."""
        out = self.out
        if runner == "pytest":
            module, py, _ = python_module(tokens)
            self.interpreter = py
            self.reports.append(("junit", f"{out}/report.xml"))
            if tokens and (module or os.path.basename(tokens[0]) in ("pytest", "py.test")):
                return _pytest_flags(out), "append", "pytest"
            return [], "", "pytest"
        if runner == "node":
            self._node()
            return [], "", "node"
        if runner == "borp":
            return self._borp(tokens)
        if runner == "jest":
            self.reports.append(("jest", f"{out}/jest.json"))
            flags = ["--json", f"--outputFile={out}/jest.json"]
            return [*flags, *self._coverage(runner, tokens)], "append", "jest"
        if runner == "vitest":
            self.reports.append(("vitest", f"{out}/vitest.json"))
            report = f"--outputFile.json={out}/vitest.json"
            flags = ["--reporter=default", "--reporter=json", report]
            return [*flags, *self._coverage(runner, tokens)], "append", "vitest"
        if runner == "mocha":
            self.reports.append(("mocha", f"{out}/mocha.json"))
            # in parallel mode the code under test could rewrite the results its worker
            # sends (process.send): one process, as before mocha 8 (which has no flag)
            serial = [] if (package_major(self.root, "mocha") or 8) < 8 else ["--no-parallel"]
            return (
                [*serial, "--reporter=json", f"--reporter-option=output={out}/mocha.json"],
                "append",
                "mocha",
            )
        if runner == "go":
            self.capture = f"{out}/output.log"
            self.reports.append(("go", self.capture))
            return ([] if "-json" in tokens else ["-json"]), "after-go-test", "go"
        if runner == "cargo":
            if any(t in ("-q", "--quiet") for t in tokens) or any(
                t.startswith("--format") for t in tokens
            ):
                return [], "", f"{WEAK_REASON} (cargo test --quiet prints no test names)"
            self.capture = f"{out}/output.log"
            self.reports.append(("cargo", self.capture))
            # every test binary runs (no stop at the first failing one), names printed
            return ["--no-fail-fast"], "after-cargo-test", "cargo"
        if runner == "django":  # unittest's -v output of Django's runner (on stderr)
            words = tokens[django_test(tokens) or len(tokens) :]
            if any(t == "--testrunner" or t.startswith("--testrunner=") for t in words):
                return [], "", f"{WEAK_REASON} (a --testrunner of its own)"
            if PYTHON_PROGRAM.fullmatch(os.path.basename(tokens[0])):
                self.interpreter = tokens[0]
            self.capture = f"{out}/output.log"
            self.reports.append(("unittest", self.capture))
            verbose = (django_verbosity(words) or 1) >= 2
            return ([] if verbose else ["--verbosity", "2"]), "append", "django"
        if runner == "tape":  # TAP on stdout
            self.capture = f"{out}/output.log"
            self.reports.append(("tape", self.capture))
            return [], "", "tape"
        if runner == "rspec":  # its JSON formatter, the console keeping a format
            self.reports.append(("rspec", f"{out}/rspec.json"))
            named = any(
                t in ("-f", "--format") or t.startswith(("-f", "--format=")) for t in tokens
            )
            console = [] if named else ["--format", "progress"]
            return [*console, "--format", "json", "--out", f"{out}/rspec.json"], "append", "rspec"
        if runner == "minitest":  # our plugin, found on RUBYLIB by minitest's plugin search
            if uses_test_unit(self.root, _ruby_test_files(tokens)):
                return [], "", f"{WEAK_REASON} (test-unit's results are not read)"
            lib = f"{out}/acrouter-ruby"
            self.files[f"{lib}/{MINITEST_PLUGIN_PATH}"] = MINITEST_PLUGIN
            self.env["RUBYLIB"] = lib
            self.env[MINITEST_OUT_VAR] = f"{out}/minitest.jsonl"
            self.reports.append(("minitest", f"{out}/minitest.jsonl"))
            return [], "", "minitest"
        if runner == "ctest":  # its JUnit report (CMake 3.21 and newer)
            if any(t.split("=")[0] == "--output-junit" for t in tokens):
                return [], "", f"{WEAK_REASON} (it names its own --output-junit)"
            why = ctest_junit(tokens[0], os.environ.get("PATH"), self.root)
            if why:
                return [], "", f"{WEAK_REASON} ({why})"
            self.reports.append(("ctest", f"{out}/ctest.xml"))
            return ["--output-junit", f"{out}/ctest.xml"], "append", "ctest"
        if runner == "maven":  # Surefire's reports, gathered by the run (see _maven)
            self.files[f"{out}/surefire.start"] = ""
            self.reports.append(("maven", f"{out}/surefire"))
            return _maven_flags(tokens, self.offline), "wrap", "maven"
        if runner == "gradle":  # its Test tasks' JUnit XML, gathered by the run (see _gradle)
            self.files[f"{out}/gradle.start"] = ""
            self.files[f"{out}/{GRADLE_INIT_NAME}"] = GRADLE_INIT
            self.reports.append(("gradle", f"{out}/gradle"))
            return _gradle_flags(tokens, out, self.offline), "wrap", "gradle"
        if runner == "automake":  # the .trs files of its harness, gathered by the run
            ok, why = self._automake_harness()
            if not ok:
                return [], "", f"{WEAK_REASON} ({why})" if why else WEAK_REASON
            self.files[f"{out}/automake.start"] = ""
            self.reports.append(("automake", f"{out}/automake.txt"))
            return [], "wrap", "automake"
        if runner == "prove":  # a copy of each script's TAP; the harness's report
            self.capture = f"{out}/{PROVE_OUTPUT}"
            self.env[PROVE_DUMP_VAR] = f"{out}/tap"
            self.reports.append(("prove", f"{out}/tap"))
            return [], "", "prove"
        if runner == "phpunit":  # its JUnit report, written as its run ends; its output
            self.capture = f"{out}/{PHPUNIT_OUTPUT}"
            self.reports.append(("phpunit", f"{out}/{PHPUNIT_REPORT}"))
            return ["--log-junit", f"{out}/{PHPUNIT_REPORT}"], "append", "phpunit"
        if runner == "npm":
            return self._npm(tokens)
        if runner == "composer":
            return self._composer(tokens)
        return [], "", WEAK_REASON

    def _wrap(self, runner: str, command: str) -> str:
        """``command`` followed by what gathers the reports its runner leaves in the
        workspace (Maven's, Gradle's, Automake's)."""
        if runner == "automake":
            return _automake(command, self.out)
        if runner == "gradle":
            return _gradle(command, self.out)
        return _maven(command, self.out)

    def _coverage(self, runner: str, tokens: tuple[str, ...]) -> list[str]:
        """The arguments asking jest or vitest for the coverage of ``cover``, if any (the
        whole command's words count too: ``npm test -- --coverage``)."""
        words = (*tokens, *self.command.split())
        extra = coverage_args(runner, words, self.root, self.cover, self.out) if self.cover else []
        self.covered = runner if extra else None
        return extra

    def _node(self) -> None:
        reporter = f"{self.out}/acrouter-node-reporter.mjs"
        self.files[reporter] = NODE_REPORTER
        self.env["NODE_OPTIONS"] = (
            "--test-reporter=spec --test-reporter-destination=stdout "
            f"--test-reporter={reporter} --test-reporter-destination={self.out}/node.jsonl"
        )
        self.reports.append(("node", f"{self.out}/node.jsonl"))

    def _borp(self, tokens: tuple[str, ...]) -> tuple[list[str], str, str]:
        """borp runs node's tests through ``run()`` in its own process, where
        ``NODE_OPTIONS``' reporters never reach (its reporters are its ``--reporter``
        options, ``NAME:DESTINATION``): ours added as one, and spec, borp's default,
        kept when the command names no reporter of its own.  Ours goes before spec:
        borp composes each reporter onto the run's stream as its loop reaches it, and
        ours is a module it imports first (``await import``): with spec composed before,
        the stream flowed meanwhile and ours missed the events of the tests that ended
        then (seen in CI, a test of three missing from the report under load)."""
        reporter = f"{self.out}/acrouter-node-reporter.mjs"
        if ":" in self.out:  # borp splits NAME:DESTINATION at the first colon
            return [], "", f"{WEAK_REASON} (borp cannot be given a report path with ':')"
        self.files[reporter] = NODE_REPORTER
        self.reports.append(("node", f"{self.out}/node.jsonl"))
        named = any(
            t in ("-r", "--reporter") or t.startswith(("--reporter=", "-r")) for t in tokens[1:]
        )
        spec = [] if named else ["--reporter=spec"]
        return [f"--reporter={reporter}:{self.out}/node.jsonl", *spec], "append", "node"

    def _npm(self, tokens: tuple[str, ...]) -> tuple[list[str], str, str]:
        name = npm_script(tokens) or "test"
        script = package_script(self.root, name)
        if not script:
            return [], "", f"{WEAK_REASON} (no package.json script {name!r} to read)"
        return self._script(f"npm script {name!r}", script, tokens)

    def _composer(self, tokens: tuple[str, ...]) -> tuple[list[str], str, str]:
        name = composer_script(tokens) or "test"
        script = composer_script_text(self.root, name)
        if not script:
            return [], "", f"{WEAK_REASON} (no composer.json script {name!r} to read)"
        return self._script(f"composer script {name!r}", script, tokens)

    def _script(
        self, what: str, script: str, tokens: tuple[str, ...]
    ) -> tuple[list[str], str, str]:
        """The flags of the one runner a package.json or composer.json script starts
        (``what`` names it), passed on after the script's name (``npm test -- FLAGS``,
        ``composer test -- FLAGS``); weak when it starts several or none."""
        spans = simple_command_spans(script)
        runners = [
            (i, seg, r)
            for i, seg in enumerate(parse_segment(script, s) for s in spans)
            if seg is not None and (r := runner_of(seg.tokens)) is not None
        ]
        if len(runners) != 1:
            return [], "", f"{WEAK_REASON} ({what}: {script})"
        i, seg, runner = runners[0]
        if runner == "node":  # NODE_OPTIONS reaches it wherever it stands
            self._node()
            return [], "", "node"
        if runner in ("pytest",):
            self.reports.append(("junit", f"{self.out}/report.xml"))
            return [], "", "pytest"
        last = i == len(spans) - 1 and not script[seg.end :].strip()
        if not last or runner in ("unittest", "go", "maven", "gradle", "automake", "makemaker"):
            return [], "", f"{WEAK_REASON} ({what}: {script})"
        extra, _where, runner_or_why = self._flags(seg.tokens, runner)
        if runner_or_why not in _RUNNERS or not extra:
            return [], "", runner_or_why
        return [*_script_args_separator(tokens), *extra], "append", runner_or_why

    def _unittest(self, seg: Segment, setup: str = "") -> str:
        module, py, after = python_module(seg.tokens)
        assert module == "unittest" and py is not None
        self.interpreter = py
        args = seg.tokens[after:]
        self.capture = f"{self.out}/output.log"
        verbose = [*seg.tokens, *([] if "-v" in args or "--verbose" in args else ["-v"])]
        self.reports.append(("unittest", self.capture))
        mapped = _unittest_to_pytest(args, self.root)
        if mapped is None:
            return setup + shlex.join(verbose)
        self.reports.insert(0, ("junit", f"{self.out}/report.xml"))
        pytest = [py, "-m", "pytest", *_pytest_flags(self.out), *mapped]
        return (
            f"{{ if {setup}{shlex.quote(py)} -c 'import pytest' >/dev/null 2>&1; "
            f"then {setup}{shlex.join(pytest)}; else {setup}{shlex.join(verbose)}; fi; }}"
        )


#: the first CMake whose ctest writes a JUnit report (``--output-junit``)
CTEST_JUNIT = (3, 21)


def ctest_junit(program: str, path: str | None, root: Path | None) -> str:
    """Why the ``program`` a command names (``ctest``, ``/opt/cmake/bin/ctest``) may not
    write a JUnit report: "" when it is the ctest of a CMake 3.21 or newer, as the
    ``share/cmake-X.Y`` folder beside its ``bin`` says (it is not run here: it could be
    anything the workspace holds)."""
    if "/" in program and not os.path.isabs(program):
        return "a ctest named by a relative path"
    found = program if os.path.isabs(program) else shutil.which(program, path=path)
    if not found:
        return "no ctest on the PATH"
    real = os.path.realpath(found)
    if root is not None and (real + "/").startswith(os.path.realpath(root).rstrip("/") + "/"):
        return "a ctest of the workspace's own"
    versions = []
    for folder in Path(real).parent.parent.glob("share/cmake-*"):
        m = re.fullmatch(r"cmake-(\d+)\.(\d+)", folder.name)
        if m:
            versions.append((int(m.group(1)), int(m.group(2))))
    if not versions:
        return "which CMake its ctest comes with is not known"
    if max(versions) < CTEST_JUNIT:
        major, minor = max(versions)
        return f"the ctest of CMake {major}.{minor}, which writes no JUnit report (3.21 does)"
    return ""


def _maven(command: str, out: str) -> str:
    """``command`` (``mvn test``) followed by a copy of the Surefire and Failsafe reports
    it wrote (``target/surefire-reports/TEST-*.xml`` and, for ``mvn verify``'s
    integration tests, ``target/failsafe-reports/TEST-*.xml`` of every module below, only
    those newer than the ``surefire.start`` written before the run: a stale one, left in
    the user's ``target/`` by an earlier build, never counts) into ``OUT/surefire``; its
    exit code is the command's.  Surefire takes no report folder on the command line.
    Failsafe's are read since the run ignores test failures (``MAVEN_FAILURE_IGNORE``,
    which Failsafe's ``verify`` obeys too): a failing integration test no longer fails
    the build, and only its report says so."""
    return _copying_reports(
        command,
        out,
        "surefire",
        "\\( -path '*/target/surefire-reports/TEST-*.xml'"
        " -o -path '*/target/failsafe-reports/TEST-*.xml' \\)",
    )


#: Surefire's property: a module whose tests fail does not stop the build
MAVEN_FAILURE_IGNORE = "-Dmaven.test.failure.ignore=true"


def _maven_flags(tokens: tuple[str, ...], offline: bool) -> list[str]:
    """What ``mvn test`` gets: ``-B`` (batch mode: no colours or download progress in
    the output the verdict quotes); ``-Dmaven.test.failure.ignore=true``, so a module
    whose tests fail does not stop the modules after it, without the edit too (as
    Gradle's ``--continue``: before, a test failing in ``core`` before the edit left
    ``app``'s tests unrun in both runs, and an edit breaking ``app`` went unseen); the
    reports say which tests failed; ``-o`` where the run has no network (the sandbox's:
    Maven otherwise tries the network for what the user's ``~/.m2`` lacks, a plugin's
    missing POM that it only warns about offline, and fails on the lock file it cannot
    write in the read-only repository)."""
    flags = [] if any(t in ("-B", "--batch-mode") for t in tokens) else ["-B"]
    if not any(t.startswith("-Dmaven.test.failure.ignore") for t in tokens):
        flags.append(MAVEN_FAILURE_IGNORE)
    if offline and not any(t in ("-o", "--offline") for t in tokens):
        flags.append("-o")
    return flags


def _copying_reports(command: str, out: str, name: str, which: str) -> str:
    """``command`` followed by a copy of the reports below that ``which`` (find's test)
    selects and that are newer than ``OUT/NAME.start`` (written before the run) into
    the folder ``OUT/NAME``; its exit code is the command's."""
    dest = f"{out}/{name}"
    copy = 'i=0; for f; do i=$((i+1)); cp "$f" "$0/$$-$i-${f##*/}"; done'
    return (
        f"{{ {command}; acrouter_rc=$?; mkdir -p {shlex.quote(dest)}; "
        f"find . {which} -type f -newer {shlex.quote(f'{out}/{name}.start')} "
        f"-exec sh -c {shlex.quote(copy)} {shlex.quote(dest)} {{}} +; (exit $acrouter_rc); }}"
    )


#: the init script given to Gradle (``--init-script``), in the run's own folder
GRADLE_INIT_NAME = "acrouter-init.gradle"
#: every ``Test`` task runs: never up to date (the copy holds the user's ``build/`` and
#: ``.gradle/``, so the run without the edit would run no test and leave no report),
#: never taken from the build cache (a cached result is not a run of the tests on this
#: code).  Specs, not closures: a closure of an init script cannot be stored in
#: Gradle's configuration cache.
GRADLE_INIT = """\
// ACRouter: every Test task runs its tests in this build
import org.gradle.api.specs.Specs
allprojects {
    tasks.withType(Test) {
        outputs.upToDateWhen(Specs.SATISFIES_NONE)
        outputs.cacheIf(Specs.SATISFIES_NONE)
    }
}
"""


def _gradle_flags(tokens: tuple[str, ...], out: str, offline: bool) -> list[str]:
    """What ``gradle test`` gets: our init script; ``--continue`` (a module whose tests
    fail does not stop the others' tests, without the edit too); ``--offline`` where the
    run has no network (the sandbox's: dependencies come from the Gradle cache, whatever
    their age); ``--no-daemon`` unless the command asks for one (a daemon started for
    the run would outlive it, holding the copy)."""
    flags = ["--init-script", f"{out}/{GRADLE_INIT_NAME}"]
    wanted = ("--continue", "--offline") if offline else ("--continue",)
    flags += [f for f in wanted if f not in tokens]
    if not any(t in ("--daemon", "--no-daemon") for t in tokens):
        flags.append("--no-daemon")
    return flags


def _gradle(command: str, out: str) -> str:
    """``command`` (``gradle test``) followed by a copy of the JUnit XML its ``Test``
    tasks wrote (``build/test-results/<task>/TEST-*.xml`` of every project below, only
    those newer than the ``gradle.start`` written before the run: a stale one never
    counts) into ``OUT/gradle``; its exit code is the command's."""
    return _copying_reports(command, out, "gradle", "-path '*/test-results/*' -name 'TEST-*.xml'")


#: how much of a failed test's log the run gathers (its end says why)
AUTOMAKE_LOG_LINES = 40


def _automake(command: str, out: str) -> str:
    """``command`` (``make check``) followed by what the harness left: each ``.trs``
    written after the ``automake.start`` written before the run (a stale one, left in
    the workspace by the user's own ``make check`` or by a test the edit dropped, never
    counts), the end of its ``.log``, and each ``test-suite.log`` (a harness that ran no
    test), into ``OUT/automake.txt`` (see ``reports.automake``); its exit code is the
    command's."""
    start = shlex.quote(f"{out}/automake.start")
    dest = shlex.quote(f"{out}/automake.txt")
    gather = (
        'for f; do case "$f" in *.trs) printf \':acrouter-trs: %s\\n\' "$f"; cat "$f"; echo; '
        'l="${f%.trs}.log"; if [ -f "$l" ]; then echo :acrouter-log:; '
        f'tail -n {AUTOMAKE_LOG_LINES} "$l" | sed "s/^/|/"; fi;; '
        "*) printf ':acrouter-suite: %s\\n' \"$f\";; esac; done"
    )
    return (
        f"{{ {command}; acrouter_rc=$?; find . -name .git -prune -o "
        f"\\( -name '*.trs' -o -name test-suite.log \\) -type f -newer {start} "
        f"-exec sh -c {shlex.quote(gather)} sh {{}} + > {dest}; (exit $acrouter_rc); }}"
    )


def _ruby_test_files(tokens: tuple[str, ...]) -> tuple[str, ...]:
    """What a minitest command may run: ``ruby``'s script (and ``test/``, where its
    helper usually is), or ``rake test``'s ``test/`` folder (its default pattern)."""
    script = next((t for t in tokens if t.endswith(".rb")), None)
    return (script, "test") if script else ("test",)


def _script_args_separator(tokens: tuple[str, ...]) -> list[str]:
    """What goes before arguments for the script's last command: npm passes on what
    follows ``--``, and so does ``pnpm test``; yarn passes on what follows the script's
    name, and so does ``pnpm run NAME`` (which would pass a ``--`` on as an argument)."""
    if "--" in tokens:
        return []
    prog = os.path.basename(tokens[0])
    if prog == "yarn" or prog == "pnpm" and "run" in tokens[1:]:
        return []
    return ["--"]


_RUNNERS = frozenset(
    {"pytest", "unittest", "node", "jest", "vitest", "mocha", "go", "cargo", "tape"}
    | {"rspec", "minitest", "maven", "gradle", "ctest", "automake", "prove", "phpunit", "django"}
)


def plan_command(
    command: str,
    out_dir: str,
    root: Path | None = None,
    cover: tuple[str, ...] = (),
    *,
    offline: bool = True,
) -> TestPlan:
    """How to run ``command`` so that its per-test results land in ``out_dir``.

    The command may be a plain argv or a shell line (``cd x && FOO=1 pytest -q``); its
    one segment that runs a known test runner (directly, or through an ``npm test``
    script in ``root``'s package.json) is asked for a report.  Commands whose per-test
    results cannot be read (``make test``, several runners, unknown programs) get a
    plan with ``weak`` set to the reason.  ``cover``: the edited files (workspace-relative)
    whose lines jest or vitest are asked to cover (:mod:`.lines_istanbul`).  ``offline``:
    the run has no network (the sandbox's), which Gradle is told."""
    return _Planner(command.strip(), out_dir.rstrip("/"), root, cover, offline).plan()


def pytest_addopts(existing: str | None, out_dir: str) -> str:
    """``PYTEST_ADDOPTS`` asking a pytest run somewhere below another runner for a report."""
    ours = f"--junitxml={shlex.quote(out_dir + '/report.xml')} -p no:cacheprovider -o junit_family=xunit1"
    return f"{existing} {ours}" if existing else ours
