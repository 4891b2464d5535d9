"""Which command runs a project's tests, and how to ask it for per-test results.

pytest gets ``--junitxml`` (also through ``PYTEST_ADDOPTS`` when it runs inside a shell
line); ``python -m unittest`` runs through pytest when that interpreter has it, else
with ``-v`` (its output is parsed); node's test runner gets our reporter through
``NODE_OPTIONS``; jest, vitest and mocha get their JSON reporters (also through an
``npm test`` script); ``go test`` gets ``-json``; ``cargo test`` keeps libtest's pretty
format.  Anything else (``make test``, several runners in one line) is judged by its
exit code, and its verdict is marked weak.  The reports are read by ``reports``.
"""

from __future__ import annotations

import configparser
import json
import logging
import os
import re
import shlex
import shutil
import sys
from collections.abc import Mapping
from pathlib import Path

import attrs

from .reports import NODE_REPORTER

log = logging.getLogger(__name__)

_SHELL_CHARS = re.compile(r"[|&;<>()$`*?\[\]{}~\n\\!]")
_NPM_DEFAULT_TEST = "no test specified"


# --------------------------------------------------------------------------- detection


def project_python(root: Path) -> Path | None:
    """The project's own virtualenv interpreter (``.venv/`` or ``venv/``), if any."""
    for name in (".venv", "venv", "env"):
        venv = root / name
        py = venv / "bin" / "python"
        if (venv / "pyvenv.cfg").is_file() and os.access(py, os.X_OK):
            return py
    return None


def _text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def _has_test_files(folder: Path, depth: int = 3) -> bool:
    if depth < 0 or not folder.is_dir():
        return False
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return False
    for e in entries:
        if (
            e.is_file()
            and e.name.endswith(".py")
            and (e.name.startswith("test_") or e.name.endswith("_test.py"))
        ):
            return True
    return any(
        _has_test_files(Path(e.path), depth - 1)
        for e in entries
        if e.is_dir(follow_symlinks=False)
        and not e.name.startswith(".")
        and e.name != "__pycache__"
    )


def uses_pytest(root: Path) -> bool:
    if (root / "pytest.ini").is_file() or (root / "conftest.py").is_file():
        return True
    if "[tool.pytest" in _text(root / "pyproject.toml"):
        return True
    if "[tool:pytest]" in _text(root / "setup.cfg") or "[pytest]" in _text(root / "tox.ini"):
        return True
    if any(_has_test_files(root / d) for d in ("tests", "test")):
        return True
    try:
        return any(
            e.is_file()
            and e.name.endswith(".py")
            and (e.name.startswith("test_") or e.name.endswith("_test.py"))
            for e in os.scandir(root)
        )
    except OSError:
        return False


def _npm_test_script(root: Path) -> bool:
    try:
        data = json.loads(_text(root / "package.json") or "null")
    except ValueError:
        return False
    scripts = data.get("scripts") if isinstance(data, dict) else None
    test = scripts.get("test") if isinstance(scripts, dict) else None
    return isinstance(test, str) and bool(test.strip()) and _NPM_DEFAULT_TEST not in test


def _make_test_target(root: Path) -> bool:
    for name in ("GNUmakefile", "makefile", "Makefile"):
        if re.search(r"^test\s*:", _text(root / name), re.MULTILINE):
            return True
    return False


def detect_test_command(root: str | os.PathLike[str]) -> str | None:
    """The command that runs this project's tests, or None when there is no sign of one."""
    root = Path(root)
    if uses_pytest(root):
        py = project_python(root)
        return f"{shlex.quote(str(py))} -m pytest" if py else "python3 -m pytest"
    if _npm_test_script(root):
        return "npm test"
    if (root / "Cargo.toml").is_file():
        return "cargo test"
    if (root / "go.mod").is_file():
        return "go test ./..."
    if _make_test_target(root):
        return "make test"
    return None


# --------------------------------------------------------------------------- the plan

#: Why a verdict is weak when the command's per-test results cannot be read.
WEAK_REASON = "skipped or deleted tests cannot be detected with this command"
#: Programs a shell segment may start with before the real command.
_PREFIXES = frozenset({"env", "exec", "time", "command", "nice", "nohup"})
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
_PYTHON = re.compile(r"python(\d+(\.\d+)?)?")


@attrs.frozen
class TestPlan:
    """How to run a test command and where its per-test results will be."""

    __test__ = False  # not a pytest test class

    command: str
    argv: tuple[str, ...]
    #: whose per-test results are read: pytest, unittest, node, jest, vitest, mocha, go,
    #: cargo; None = the exit code only (the verdict is weak)
    runner: str | None
    interpreter: str | None  # the Python running the tests, when known
    #: (parser, path) pairs read after the run; the first that exists wins
    reports: tuple[tuple[str, str], ...] = ()
    env: Mapping[str, str] = attrs.field(factory=dict)  # added to the tests' environment
    files: Mapping[str, str] = attrs.field(factory=dict)  # written before the run
    capture: str | None = None  # the whole output is written here (parsed from it)
    weak: str | None = None  # why per-test results cannot be read

    @property
    def pytest(self) -> bool:
        return self.runner == "pytest"

    @property
    def expects_report(self) -> bool:
        """A run that leaves no per-test results could not run its tests."""
        return self.runner is not None

    def executable(self) -> str:
        return self.argv[0]


@attrs.frozen
class _Segment:
    start: int  # span of the segment in the command text
    end: int
    tokens: tuple[str, ...]  # without leading VAR=... and env/exec/time prefixes
    offset: int  # index of tokens[0] in the segment's full token list


def _segments(command: str) -> list[tuple[int, int]]:
    """Spans of the simple commands of a shell line: split at unquoted ``&& || ; | &``,
    newlines and parentheses."""
    spans: list[tuple[int, int]] = []
    start = i = 0
    quote: str | None = None
    n = len(command)
    while i < n:
        c = command[i]
        if quote:
            if c == "\\" and quote == '"':
                i += 2
                continue
            if c == quote:
                quote = None
        elif c == "\\":
            i += 2
            continue
        elif c in "'\"":
            quote = c
        elif c == "&" and (command[i - 1 : i] in ("<", ">") or command[i + 1 : i + 2] == ">"):
            pass  # a redirection: 2>&1, &>file
        elif c in ";|&\n()":
            spans.append((start, i))
            width = 2 if command[i : i + 2] in ("&&", "||") else 1
            i += width
            start = i
            continue
        i += 1
    spans.append((start, n))
    return [(a, b) for a, b in spans if command[a:b].strip()]


def _segment(command: str, span: tuple[int, int]) -> _Segment | None:
    try:
        tokens = shlex.split(command[span[0] : span[1]])
    except ValueError:
        return None
    i = 0
    while i < len(tokens) and (
        _ASSIGNMENT.match(tokens[i])
        or tokens[i] in _PREFIXES
        or tokens[i].startswith("-")
        and i > 0
        and tokens[i - 1] in _PREFIXES
    ):
        i += 1
    return _Segment(span[0], span[1], tuple(tokens[i:]), i)


def _python_module(tokens: tuple[str, ...]) -> tuple[str | None, str | None, int]:
    """(module, interpreter, index after the module) for ``python [opts] -m MOD ...``."""
    if not tokens or not _PYTHON.fullmatch(os.path.basename(tokens[0])):
        return None, None, 0
    for i, tok in enumerate(tokens[1:], start=1):
        if tok == "-m" and i + 1 < len(tokens):
            return tokens[i + 1], tokens[0], i + 2
        if tok.startswith("-m") and len(tok) > 2:
            return tok[2:], tokens[0], i + 1
        if not tok.startswith("-"):
            break
    return None, None, 0


def _runner_of(tokens: tuple[str, ...]) -> str | None:
    """Which test runner a simple command starts (None: not one we can read)."""
    if not tokens:
        return None
    prog = os.path.basename(tokens[0])
    if prog in ("npx", "pnpx") and len(tokens) > 1:
        rest = tuple(t for t in tokens[1:] if not t.startswith("-"))
        return _runner_of(rest) if rest else None
    module, _py, _ = _python_module(tokens)
    if module in ("pytest", "py.test") or prog in ("pytest", "py.test"):
        return "pytest"
    if module == "unittest":
        return "unittest"
    if prog in ("node", "nodejs"):
        for tok in tokens[1:]:
            if tok == "--test":
                return "node"
            if not tok.startswith("-"):
                break
        return None
    if prog in ("jest", "vitest", "mocha"):
        return prog
    if prog == "_mocha":
        return "mocha"
    if prog == "go" and len(tokens) > 1 and tokens[1] == "test":
        return "go"
    if prog == "cargo":
        sub = [t for t in tokens[1:] if not t.startswith("+")]
        return "cargo" if sub and sub[0] in ("test", "t") else None
    return None


def _npm_script(tokens: tuple[str, ...]) -> str | None:
    """The package.json script an ``npm test`` / ``npm run NAME`` runs (its name)."""
    if not tokens or os.path.basename(tokens[0]) != "npm":
        return None
    args = [t for t in tokens[1:] if not t.startswith("-")]
    if not args:
        return None
    if args[0] in ("test", "t", "tst"):
        return "test"
    if args[0] in ("run", "run-script") and len(args) > 1:
        return args[1]
    return None


def script_tokens(argv: tuple[str, ...] | list[str], root: Path | None) -> tuple[str, ...]:
    """The words of the package.json script an ``npm test`` / ``npm run NAME`` command
    runs (also behind ``sh -c``), so the sandbox can see the programs the script names."""
    tokens = tuple(argv)
    if (
        len(tokens) >= 3
        and os.path.basename(tokens[0]) in ("sh", "bash", "dash")
        and tokens[1] == "-c"
    ):
        try:
            tokens = tuple(shlex.split(tokens[2]))
        except ValueError:
            return ()
    name = _npm_script(tokens)
    script = _read_script(root, name) if name else None
    if not script:
        return ()
    try:
        return tuple(shlex.split(script))
    except ValueError:
        return ()


def _read_script(root: Path | None, name: str) -> str | None:
    if root is None:
        return None
    try:
        data = json.loads(_text(root / "package.json") or "null")
    except ValueError:
        return None
    scripts = data.get("scripts") if isinstance(data, dict) else None
    script = scripts.get(name) if isinstance(scripts, dict) else None
    return script if isinstance(script, str) else None


def _unittest_to_pytest(args: tuple[str, ...]) -> list[str] | None:
    """pytest arguments that collect what ``python -m unittest ARGS`` runs (its
    discovery: TestCase classes in ``test*.py``), or None for forms we do not map
    (module or test names)."""
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

    def __init__(self, command: str, out: str, root: Path | None) -> None:
        self.command = command
        self.out = out
        self.root = root
        self.env: dict[str, str] = {}
        self.files: dict[str, str] = {}
        self.reports: list[tuple[str, str]] = []
        self.capture: str | None = None
        self.interpreter: str | None = None

    def plan(self) -> TestPlan:
        command = self.command
        spans = _segments(command)
        simple = len(spans) == 1 and not _SHELL_CHARS.search(command)
        segments = [_segment(command, s) for s in spans]
        if simple and segments[0] is not None and segments[0].offset == 0:
            return self._direct(segments[0].tokens)
        found: list[tuple[_Segment, str]] = []
        for seg in segments:
            if seg is None:
                continue
            runner = _runner_of(seg.tokens)
            if runner is None and _npm_script(seg.tokens):
                runner = "npm"
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
        )

    # ------------------------------------------------------------------ a plain argv
    def _direct(self, tokens: tuple[str, ...]) -> TestPlan:
        runner = _runner_of(tokens)
        if runner is None and _npm_script(tokens):
            runner = "npm"
        if runner is None:
            return self._weak(tokens, WEAK_REASON)
        if runner == "unittest":  # needs a shell: pytest if importable, else -v output
            text = shlex.join(tokens)
            seg = _Segment(0, len(text), tokens, 0)
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
        elif where == "after-cargo-test":
            i = next(i for i, t in enumerate(tokens) if t in ("test", "t"))
            args[i + 1 : i + 1] = extra
            args += ["--format=pretty"] if "--" in tokens else ["--", "--format=pretty"]
        return args, runner_or_why

    # ------------------------------------------------------------------ a shell segment
    def _rewrite(self, seg: _Segment, runner: str, text: str) -> tuple[str, str]:
        if runner == "unittest":
            return self._unittest(seg), "unittest"
        extra, where, runner_or_why = self._flags(seg.tokens, runner)
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
        """(extra arguments, where they go, the runner or why it is weak)."""
        out = self.out
        if runner == "pytest":
            module, py, _ = _python_module(tokens)
            self.interpreter = py
            self.reports.append(("junit", f"{out}/report.xml"))
            if tokens and (module or os.path.basename(tokens[0]) in ("pytest", "py.test")):
                return _pytest_flags(out), "append", "pytest"
            return [], "", "pytest"
        if runner == "node":
            self._node()
            return [], "", "node"
        if runner == "jest":
            self.reports.append(("jest", f"{out}/jest.json"))
            return ["--json", f"--outputFile={out}/jest.json"], "append", "jest"
        if runner == "vitest":
            self.reports.append(("vitest", f"{out}/vitest.json"))
            return (
                ["--reporter=default", "--reporter=json", f"--outputFile.json={out}/vitest.json"],
                "append",
                "vitest",
            )
        if runner == "mocha":
            self.reports.append(("mocha", f"{out}/mocha.json"))
            return (
                ["--reporter=json", f"--reporter-option=output={out}/mocha.json"],
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
        if runner == "npm":
            return self._npm(tokens)
        return [], "", WEAK_REASON

    def _node(self) -> None:
        reporter = f"{self.out}/acrouter-node-reporter.mjs"
        self.files[reporter] = NODE_REPORTER
        self.env["NODE_OPTIONS"] = (
            "--test-reporter=spec --test-reporter-destination=stdout "
            f"--test-reporter={reporter} --test-reporter-destination={self.out}/node.jsonl"
        )
        self.reports.append(("node", f"{self.out}/node.jsonl"))

    def _npm(self, tokens: tuple[str, ...]) -> tuple[list[str], str, str]:
        name = _npm_script(tokens) or "test"
        script = _read_script(self.root, name)
        if not script:
            return [], "", f"{WEAK_REASON} (no package.json script {name!r} to read)"
        spans = _segments(script)
        runners = [
            (i, seg, r)
            for i, seg in enumerate(_segment(script, s) for s in spans)
            if seg is not None and (r := _runner_of(seg.tokens)) is not None
        ]
        if len(runners) != 1:
            return [], "", f"{WEAK_REASON} (npm script {name!r}: {script})"
        i, seg, runner = runners[0]
        if runner == "node":  # NODE_OPTIONS reaches it wherever it stands
            self._node()
            return [], "", "node"
        if runner in ("pytest",):
            self.reports.append(("junit", f"{self.out}/report.xml"))
            return [], "", "pytest"
        last = i == len(spans) - 1 and not script[seg.end :].strip()
        if not last or runner in ("unittest", "go"):
            return [], "", f"{WEAK_REASON} (npm script {name!r}: {script})"
        extra, _where, runner_or_why = self._flags(seg.tokens, runner)
        if runner_or_why not in _RUNNERS:
            return [], "", runner_or_why
        # npm appends what follows "--" to the script's last command
        sep = [] if "--" in tokens else ["--"]
        return [*sep, *extra], "append", runner_or_why

    def _unittest(self, seg: _Segment) -> str:
        module, py, after = _python_module(seg.tokens)
        assert module == "unittest" and py is not None
        self.interpreter = py
        args = seg.tokens[after:]
        self.capture = f"{self.out}/output.log"
        verbose = [*seg.tokens, *([] if "-v" in args or "--verbose" in args else ["-v"])]
        self.reports.append(("unittest", self.capture))
        mapped = _unittest_to_pytest(args)
        if mapped is None:
            return shlex.join(verbose)
        self.reports.insert(0, ("junit", f"{self.out}/report.xml"))
        pytest = [py, "-m", "pytest", *_pytest_flags(self.out), *mapped]
        return (
            f"{{ if {shlex.quote(py)} -c 'import pytest' >/dev/null 2>&1; "
            f"then {shlex.join(pytest)}; else {shlex.join(verbose)}; fi; }}"
        )


_RUNNERS = frozenset({"pytest", "unittest", "node", "jest", "vitest", "mocha", "go", "cargo"})


def plan_command(command: str, out_dir: str, root: Path | None = None) -> TestPlan:
    """How to run ``command`` so that its per-test results land in ``out_dir``.

    The command may be a plain argv or a shell line (``cd x && FOO=1 pytest -q``); its
    one segment that runs a known test runner (directly, or through an ``npm test``
    script in ``root``'s package.json) is asked for a report.  Commands whose per-test
    results cannot be read (``make test``, several runners, unknown programs) get a
    plan with ``weak`` set to the reason."""
    return _Planner(command.strip(), out_dir.rstrip("/"), root).plan()


def pytest_addopts(existing: str | None, out_dir: str) -> str:
    """``PYTEST_ADDOPTS`` asking a pytest run somewhere below another runner for a report."""
    ours = f"--junitxml={shlex.quote(out_dir + '/report.xml')} -p no:cacheprovider -o junit_family=xunit1"
    return f"{existing} {ours}" if existing else ours


def python_version(interpreter: str | None) -> tuple[int, int] | None:
    """The (major, minor) version of ``interpreter`` without running it, when it shows."""
    if not interpreter:
        return None
    path = shutil.which(interpreter) if os.sep not in interpreter else interpreter
    if not path:
        return None
    cfg = Path(path).parent.parent / "pyvenv.cfg"
    if cfg.is_file():
        parser = configparser.ConfigParser()
        try:
            parser.read_string("[venv]\n" + _text(cfg))
        except configparser.Error:
            return None
        raw = (
            parser.get("venv", "version_info", fallback=None)
            or parser.get("venv", "version", fallback="")
            or ""
        )
        m = re.match(r"(\d+)\.(\d+)", raw.strip())
        return (int(m.group(1)), int(m.group(2))) if m else None
    m = re.search(r"python(\d+)\.(\d+)$", os.path.realpath(path))
    return (int(m.group(1)), int(m.group(2))) if m else None


def can_check_syntax(interpreter: str | None) -> bool:
    """Whether compiling with this Python is a fair syntax check for the project's."""
    version = python_version(interpreter)
    return version is not None and version <= sys.version_info[:2]
