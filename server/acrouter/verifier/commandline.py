"""Reading a test command: the simple commands of a shell line, which test runner each
one starts (directly, through ``python -m``, ``npx``, an environment runner such as
``uv run``, or an ``npm``/``yarn``/``pnpm`` script), and the words of the package.json
script such a command runs."""

from __future__ import annotations

import os
import re
import shlex
from pathlib import Path

import attrs

from .detection import package_script

#: A command with one of these is a shell line, not a plain argv.
SHELL_CHARS = re.compile(r"[|&;<>()$`*?\[\]{}~\n\\!]")
#: Programs a shell segment may start with before the real command.
_PREFIXES = frozenset({"env", "exec", "time", "command", "nice", "nohup"})
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
#: a Python interpreter's name (``python``, ``python3.11``)
PYTHON_PROGRAM = re.compile(r"python(\d+(\.\d+)?)?")


@attrs.frozen
class Segment:
    """One simple command of a shell line."""

    start: int  # span of the segment in the command text
    end: int
    tokens: tuple[str, ...]  # without leading VAR=... and env/exec/time prefixes
    offset: int  # index of tokens[0] in the segment's full token list


def simple_command_spans(command: str) -> list[tuple[int, int]]:
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


#: Programs that run a command in the project's environment (``uv run pytest``,
#: ``poetry run python -m unittest``), with their options that take a value: the command
#: is the first word after ``run`` and the options.
_ENV_RUNNERS: dict[str, frozenset[str]] = {
    "uv": frozenset(
        {
            "--with",
            "--with-editable",
            "--with-requirements",
            "--python",
            "-p",
            "--extra",
            "--group",
            "--only-group",
            "--no-group",
            "--no-extra",
            "--package",
            "--env-file",
            "--directory",
            "--project",
            "--index",
            "--default-index",
            "--index-url",
            "-i",
            "--extra-index-url",
            "--find-links",
            "-f",
            "--config-file",
            "--cache-dir",
            "--color",
            "--resolution",
            "--prerelease",
            "--link-mode",
            "--python-preference",
            "--exclude-newer",
            "--index-strategy",
            "--keyring-provider",
            "--config-setting",
            "-C",
            "--refresh-package",
            "--reinstall-package",
            "--upgrade-package",
            "-P",
            "--no-binary-package",
            "--only-binary-package",
            "--no-build-package",
        }
    ),
    "poetry": frozenset(),
    "pdm": frozenset(),
    "pipenv": frozenset(),
    "rye": frozenset(),
    "hatch": frozenset(),
    "pixi": frozenset({"-e", "--environment", "--manifest-path"}),
    "conda": frozenset({"-n", "--name", "-p", "--prefix", "--cwd"}),
    "mamba": frozenset({"-n", "--name", "-p", "--prefix", "--cwd"}),
    "micromamba": frozenset({"-n", "--name", "-p", "--prefix", "--cwd"}),
}


def parse_segment(command: str, span: tuple[int, int]) -> Segment | None:
    """The segment's words after what only sets up the command: ``VAR=value``
    assignments, ``env``/``time``/... and an environment runner (``uv run``)."""
    try:
        tokens = shlex.split(command[span[0] : span[1]])
    except ValueError:
        return None
    i = 0
    while i < len(tokens):
        if (
            _ASSIGNMENT.match(tokens[i])
            or tokens[i] in _PREFIXES
            or tokens[i].startswith("-")
            and i > 0
            and tokens[i - 1] in _PREFIXES
        ):
            i += 1
        elif (after := _after_env_runner(tokens, i)) is not None:
            i = after
        else:
            break
    return Segment(span[0], span[1], tuple(tokens[i:]), i)


def _after_env_runner(tokens: list[str], i: int) -> int | None:
    """Where the command starts when ``tokens[i:]`` is ``uv run [options] COMMAND ...``
    (or poetry, pdm, ... run); None otherwise."""
    valued = _ENV_RUNNERS.get(os.path.basename(tokens[i]))
    if valued is None or i + 2 >= len(tokens) or tokens[i + 1] != "run":
        return None
    j = i + 2
    while j < len(tokens) and tokens[j].startswith("-"):
        if tokens[j] == "--":
            return j + 1
        j += 2 if tokens[j] in valued else 1
    return j if j < len(tokens) else None


def python_module(tokens: tuple[str, ...]) -> tuple[str | None, str | None, int]:
    """(module, interpreter, index after the module) for ``python [opts] -m MOD ...``."""
    if not tokens or not PYTHON_PROGRAM.fullmatch(os.path.basename(tokens[0])):
        return None, None, 0
    for i, tok in enumerate(tokens[1:], start=1):
        if tok == "-m" and i + 1 < len(tokens):
            return tokens[i + 1], tokens[0], i + 2
        if tok.startswith("-m") and len(tok) > 2:
            return tok[2:], tokens[0], i + 1
        if not tok.startswith("-"):
            break
    return None, None, 0


#: Programs that run a test runner under coverage: ``nyc tape test/*.js``.
COVERAGE_WRAPPERS = ("nyc", "c8")
#: The JavaScript runners (and wrappers) a package manager may start from node_modules.
_JS_RUNNERS = frozenset({"jest", "vitest", "mocha", "_mocha", "tape", "borp", *COVERAGE_WRAPPERS})
#: npm, and the package managers whose ``test`` / ``run NAME`` run a package.json script.
_PACKAGE_MANAGERS = ("yarn", "pnpm")


#: npx's own options that take a value as the next word (``npx -p c8 c8 tape``)
_NPX_VALUE_OPTIONS = frozenset({"-p", "--package", "--userconfig", "--cache"})


def _after_npx_options(tokens: tuple[str, ...]) -> tuple[str, ...]:
    """What ``npx`` runs: the words after its own options (before the first word that is
    not one; the runner's own options after it are the runner's, ``npx c8
    --temp-directory tmp tape``).  Nothing for ``-c``/``--call`` (a command in a
    string)."""
    i = 0
    while i < len(tokens) and tokens[i].startswith("-"):
        if tokens[i] in ("-c", "--call") or tokens[i].startswith("--call="):
            return ()
        i += 2 if tokens[i] in _NPX_VALUE_OPTIONS else 1
    return tokens[i:]


def runner_of(tokens: tuple[str, ...]) -> str | None:
    """Which test runner a simple command starts (None: not one we can read)."""
    if not tokens:
        return None
    prog = os.path.basename(tokens[0])
    if prog in ("npx", "pnpx") and len(tokens) > 1:
        rest = _after_npx_options(tokens[1:])
        return runner_of(rest) if rest else None
    if prog in _PACKAGE_MANAGERS and len(tokens) > 1:  # yarn jest, pnpm exec vitest
        rest = tokens[2:] if tokens[1] == "exec" else tokens[1:]
        return runner_of(rest) if rest and rest[0] in _JS_RUNNERS else None
    module, _py, _ = python_module(tokens)
    if module in ("pytest", "py.test") or prog in ("pytest", "py.test"):
        return "pytest"
    if module == "unittest":
        return "unittest"
    if django_test(tokens) is not None:
        return "django"
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
    if prog == "tape":
        return "tape"
    if prog == "ctest" and not any(t.split("=")[0] in _CTEST_NO_RUN for t in tokens[1:]):
        return "ctest"
    if prog in ("make", "gmake") and "check" in make_targets(tokens):
        return "automake"  # read per test only where automake's harness runs (runners)
    if prog in ("make", "gmake") and "test" in make_targets(tokens):
        return "makemaker"  # Perl's harness only where MakeMaker builds (runners)
    if prog == "prove" or (prog == "Build" and "test" in tokens[1:2]):
        return "prove"  # Perl's TAP::Harness (Module::Build's ./Build test runs it too)
    if prog in ("mvn", "mvnw") and any(t in _MAVEN_TEST_PHASES for t in tokens[1:]):
        return "maven"  # Surefire runs the tests in the test phase and every one after
    if prog in ("gradle", "gradlew") and gradle_runs_tests(tokens):
        return "gradle"
    if prog in _RUBY_RUNNERS or prog == "bundle":
        return _ruby_runner(prog, tokens)
    if prog == "phpunit" or (
        _PHP.fullmatch(prog) and os.path.basename(_php_script(tokens)) == "phpunit"
    ):
        return None if any(t.split("=")[0] in _PHPUNIT_NO_RUN for t in tokens[1:]) else "phpunit"
    if prog == "borp":  # node's runner started by borp's run(): its own reporter options
        return "borp"
    if prog in COVERAGE_WRAPPERS:  # nyc tape ...: the runner after the wrapper's options
        return runner_of(_after_wrapper_options(tokens[1:]))
    return None


#: python's options that take a value in the next word (``python -W error manage.py``)
_PYTHON_VALUED = frozenset({"-W", "-X", "-c", "-m", "--check-hash-based-pycs"})


def django_test(tokens: tuple[str, ...]) -> int | None:
    """Where the test command's own words start (labels, options) when ``tokens`` runs
    Django's ``test`` command: ``python [options] manage.py test``, ``./manage.py test``,
    ``python -m django test``, ``django-admin test``; None otherwise."""
    if not tokens:
        return None
    prog = os.path.basename(tokens[0])
    module, _py, after = python_module(tokens)
    if module == "django":
        i = after
    elif prog in ("django-admin", "django-admin.py", "manage.py"):
        i = 1
    elif PYTHON_PROGRAM.fullmatch(prog) and module is None:
        i = 1
        while i < len(tokens) and tokens[i].startswith("-"):
            i += 2 if tokens[i] in _PYTHON_VALUED else 1
        if i >= len(tokens) or os.path.basename(tokens[i]) != "manage.py":
            return None
        i += 1
    else:
        return None
    if i >= len(tokens) or tokens[i] != "test":
        return None
    return None if any(t in ("-h", "--help", "--version") for t in tokens[i + 1 :]) else i + 1


def django_verbosity(words: tuple[str, ...]) -> int | None:
    """The verbosity Django's ``test`` is given last among ``words`` (its own words:
    ``-v 2``, ``-v2``, ``--verbosity=3``); None when none is."""
    level = None
    for k, word in enumerate(words):
        value = None
        if word in ("-v", "--verbosity") and k + 1 < len(words):
            value = words[k + 1]
        elif word.startswith("--verbosity="):
            value = word.split("=", 1)[1]
        elif word.startswith("-v") and word[2:].isdigit():
            value = word[2:]
        if value is not None and value.isdigit():
            level = int(value)
    return level


#: ``php``, ``php8.2``: the interpreter that may start ``vendor/bin/phpunit``
_PHP = re.compile(r"php(\d+(\.\d+)?)?")
#: php's options that take a value in the next word
_PHP_VALUED = frozenset({"-d", "-c", "-z"})
#: PHPUnit's options that run no test (their run writes no report: the exit code)
_PHPUNIT_NO_RUN = frozenset(
    {"--version", "--help", "-h", "--list-tests", "--list-tests-xml", "--list-suites"}
    | {"--list-groups", "--generate-configuration", "--migrate-configuration"}
    | {"--check-version", "--atleast-version"}
)


def _php_script(tokens: tuple[str, ...]) -> str:
    """The script ``php [options] SCRIPT ...`` runs ("" when none)."""
    i = 1
    while i < len(tokens):
        tok = tokens[i]
        if tok in _PHP_VALUED:
            i += 2
            continue
        if not tok.startswith("-"):
            return tok
        i += 1
    return ""


#: ctest's options that run no tests of the build folder's list, or run them as a
#: dashboard script or a build of their own (their results are not read: the exit code)
_CTEST_NO_RUN = frozenset(
    {"-N", "--show-only", "--version", "--help", "-h", "-S", "-SP", "-D", "--dashboard"}
    | {"-T", "--test-action", "-M", "--test-model", "--build-and-test"}
)

#: make's options that take a value in the next word (``-j`` and ``-l`` only when it is a
#: number: ``make -j check``), and those that run no recipe (``make -n``)
_MAKE_VALUE_OPTIONS = frozenset({"-C", "-f", "-I", "-o", "-W", "--file", "--directory"})
_MAKE_NUMBER_OPTIONS = frozenset({"-j", "-l", "--jobs", "--load-average"})
_MAKE_NO_RUN = frozenset(
    {"-n", "--just-print", "--dry-run", "--recon", "-q", "--question", "-t", "--touch"}
    | {"-v", "--version", "-h", "--help"}
)


def make_targets(tokens: tuple[str, ...]) -> tuple[str, ...]:
    """The targets a ``make`` command names (none when it runs no recipe: ``make -n``,
    ``make -kn``)."""
    targets: list[str] = []
    i = 1
    while i < len(tokens):
        t = tokens[i]
        if len(t) > 2 and (t[:2] in _MAKE_VALUE_OPTIONS or t[:2] in _MAKE_NUMBER_OPTIONS):
            i += 1  # -Cdir, -j4
            continue
        grouped = t.startswith("-") and not t.startswith("--") and t[1:].isalpha()
        if t in _MAKE_NO_RUN or (grouped and any(c in "nqt" for c in t[1:])):
            return ()
        if t in _MAKE_VALUE_OPTIONS:
            i += 2
            continue
        if t in _MAKE_NUMBER_OPTIONS and i + 1 < len(tokens) and tokens[i + 1].isdigit():
            i += 2
            continue
        if not t.startswith("-") and "=" not in t:
            targets.append(t)
        i += 1
    return tuple(targets)


def make_directory(tokens: tuple[str, ...]) -> str | None:
    """The folder a ``make`` command runs in (``-C DIR``, ``--directory=DIR``; the last
    wins, each relative to the one before), or None for the current one."""
    folder: str | None = None
    for i, t in enumerate(tokens[1:], start=1):
        value = None
        if t in ("-C", "--directory") and i + 1 < len(tokens):
            value = tokens[i + 1]
        elif t.startswith("--directory="):
            value = t.split("=", 1)[1]
        elif t.startswith("-C") and len(t) > 2:
            value = t[2:]
        if value is not None:
            folder = os.path.join(folder, value) if folder else value
    return folder


#: Maven's phases that run Surefire's tests (``mvn test``, ``./mvnw verify``).
_MAVEN_TEST_PHASES = frozenset({"test", "package", "verify", "install", "deploy"})

#: Gradle's options that take a value as the next word (``-x test``, ``-p sub``)
_GRADLE_VALUE_OPTIONS = frozenset(
    {"-x", "--exclude-task", "-p", "--project-dir", "-b", "--build-file", "-c"}
    | {"--settings-file", "-I", "--init-script", "-g", "--gradle-user-home", "--console"}
    | {"--warning-mode", "--max-workers", "--include-build", "--tests", "--project-cache-dir"}
    | {
        "-D",
        "-P",
        "--system-prop",
        "--project-prop",
        "--priority",
        "-M",
        "--write-verification-metadata",
    }
)
#: Gradle's options that run no task (``--dry-run``) or only report
_GRADLE_NO_RUN = frozenset(
    {"-m", "--dry-run", "-h", "--help", "-?", "-v", "--version", "--stop", "--status"}
)
#: Gradle's tasks that run the ``test`` task (a ``Test`` task by its usual name: ``test``,
#: ``integrationTest``, Android's ``testDebugUnitTest``), by the last part of its path
_GRADLE_TEST_TASKS = frozenset({"test", "check", "build"})


def gradle_tasks(tokens: tuple[str, ...]) -> tuple[list[str], list[str]]:
    """(the tasks ``gradle``/``./gradlew`` is asked to run, those ``-x`` excludes), each
    by the last part of its path (``:app:test`` is ``test``)."""
    tasks: list[str] = []
    excluded: list[str] = []
    i = 1
    while i < len(tokens):
        t = tokens[i]
        if t in _GRADLE_VALUE_OPTIONS and i + 1 < len(tokens):
            if t in ("-x", "--exclude-task"):
                excluded.append(tokens[i + 1].rsplit(":", 1)[-1])
            i += 2
            continue
        if t.startswith("--exclude-task="):
            excluded.append(t.split("=", 1)[1].rsplit(":", 1)[-1])
        elif not t.startswith("-"):
            tasks.append(t.rsplit(":", 1)[-1])
        i += 1
    return tasks, excluded


def gradle_runs_tests(tokens: tuple[str, ...]) -> bool:
    """Whether ``gradle TASKS`` runs a ``Test`` task: ``test``, ``check``, ``build`` or a
    task named ``...Test`` asked for, ``test`` not excluded (``gradle build -x test``)
    and no option that runs nothing (``--dry-run``)."""
    if any(t in _GRADLE_NO_RUN for t in tokens[1:]):
        return False
    tasks, excluded = gradle_tasks(tokens)
    if "test" in excluded:
        return False
    return any(t in _GRADLE_TEST_TASKS or t.endswith("Test") for t in tasks)


#: The Ruby programs that may start RSpec or minitest (also after ``bundle exec``).
_RUBY_RUNNERS = frozenset({"rspec", "rake", "ruby"})
#: rake's options that take a value as the next word (``-e``/``-p``: code, not a task)
_RAKE_VALUE_OPTIONS = frozenset(
    {"-f", "--rakefile", "-I", "--libdir", "-r", "--require", "-R", "--rakelibdir"}
    | {"-C", "--directory", "-j", "--jobs"}
)
#: ruby's options that take a value as the next word
_RUBY_VALUE_OPTIONS = frozenset({"-I", "-r", "-C", "-E", "--encoding"})
#: the options that run code given on the command line, not a task or a script
_RAKE_CODE_OPTIONS = frozenset({"-e", "--execute", "-E", "--execute-continue", "-p"})
_RUBY_CODE_OPTIONS = frozenset({"-e", "-n", "-p"})


def _ruby_runner(prog: str, tokens: tuple[str, ...]) -> str | None:
    """``rspec`` (``bin/rspec``) runs RSpec; ``rake test`` and ``ruby [-Itest]
    test/x_test.rb`` run minitest (a test file: ``*_test.rb``, ``test_*.rb`` or under a
    ``test`` folder); ``bundle exec`` before any of them.  ``rake`` with other tasks or
    none (its default task may run anything), ``ruby -e``: None."""
    if prog == "bundle":
        rest = tokens[2:] if len(tokens) > 2 and tokens[1] in ("exec", "exe") else ()
        return (
            _ruby_runner(os.path.basename(rest[0]), rest)
            if rest and (os.path.basename(rest[0]) in _RUBY_RUNNERS)
            else None
        )
    if prog == "rspec":
        return "rspec"
    words = _ruby_words(tokens[1:], rake=prog == "rake")
    if words is None:
        return None
    if prog == "rake":
        tasks = [w for w in words if "=" not in w]  # (TESTOPTS=-v is a variable)
        return "minitest" if tasks == ["test"] else None
    if not words or not words[0].endswith(".rb"):
        return None
    name = os.path.basename(words[0])
    test_file = name.endswith("_test.rb") or name.startswith("test_")
    return "minitest" if test_file or "test" in words[0].split("/")[:-1] else None


def _ruby_words(args: tuple[str, ...], rake: bool) -> list[str] | None:
    """The words of a rake or ruby command past its options (ruby's script and its
    arguments come after ruby's options; rake's tasks may stand anywhere), or None when
    it runs code given on the command line (``-e``; also ruby's ``-n``/``-p``, rake's
    ``-E``/``-p``)."""
    takes_value = _RAKE_VALUE_OPTIONS if rake else _RUBY_VALUE_OPTIONS
    code = _RAKE_CODE_OPTIONS if rake else _RUBY_CODE_OPTIONS
    words: list[str] = []
    i = 0
    while i < len(args):
        a = args[i]
        if words and not rake:  # the script's own arguments
            words.append(a)
        elif a in code:
            return None
        elif a in takes_value:
            i += 1
        elif a == "--":
            words += args[i + 1 :]
            break
        elif not a.startswith("-"):
            words.append(a)
        i += 1
    return words


#: the options of nyc and c8 that take a value as the next word (``c8 --include index.js
#: tape test/*.js``: the runner is tape, not index.js)
_WRAPPER_VALUE_OPTIONS = frozenset(
    {
        *("-n", "--include", "-x", "--exclude", "-e", "--extension", "-r", "--reporter"),
        *("-o", "--reports-dir", "--report-dir", "--temp-directory", "--temp-dir", "-t"),
        *("--src", "--lines", "--branches", "--functions", "--statements", "--config"),
        *("-c", "--cwd", "--nycrc-path", "-i", "--require", "--cache-dir", "--watermarks"),
        *("--exclude-after-remap-glob", "--parser-plugins", "--excludeAfterRemap"),
    }
)


def _after_wrapper_options(rest: tuple[str, ...]) -> tuple[str, ...]:
    """The command a coverage wrapper runs: ``rest`` past the wrapper's options (and the
    values of those that take one)."""
    while rest and rest[0].startswith("-"):
        takes_value = rest[0] in _WRAPPER_VALUE_OPTIONS and "=" not in rest[0]
        rest = rest[2:] if takes_value else rest[1:]
    return rest


def npm_script(tokens: tuple[str, ...]) -> str | None:
    """The package.json script an ``npm test`` / ``npm run NAME`` runs (its name); also
    ``yarn`` and ``pnpm``."""
    if not tokens or os.path.basename(tokens[0]) not in ("npm", *_PACKAGE_MANAGERS):
        return None
    args = [t for t in tokens[1:] if not t.startswith("-")]
    if not args:
        return None
    if args[0] in ("test", "t", "tst"):
        return "test"
    if args[0] in ("run", "run-script") and len(args) > 1:
        return args[1]
    return None


def composer_script(tokens: tuple[str, ...]) -> str | None:
    """The composer.json script a ``composer test`` / ``composer run[-script] NAME``
    runs (its name)."""
    if not tokens or os.path.basename(tokens[0]) not in ("composer", "composer.phar"):
        return None
    args = [t for t in tokens[1:] if not t.startswith("-")]
    if args[:1] == ["test"]:
        return "test"
    if args[:1] in (["run"], ["run-script"]) and len(args) > 1:
        return args[1]
    return None


def script_tokens(argv: tuple[str, ...] | list[str], root: Path | None) -> tuple[str, ...]:
    """The words of the package.json script an ``npm test`` / ``npm run NAME`` command
    runs (also behind ``sh -c``), of the Makefile a ``make`` runs, or of a shell script of
    the workspace it runs (``sh ci/test.sh``, ``./run_tests.sh``), so the sandbox can see
    the programs the script names."""
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
    name = npm_script(tokens)
    script = package_script(root, name) if name else _workspace_script(tokens, root)
    if not script:
        return ()
    words: list[str] = []
    for line in script.splitlines():
        try:
            words += shlex.split(line, comments=True)
        except ValueError:
            continue
    return tuple(words)


def _workspace_script(tokens: tuple[str, ...], root: Path | None) -> str | None:
    """The text of the workspace's file a command runs: a Makefile for ``make``, the
    script for ``sh FILE`` or ``./FILE`` (at most 64 KiB)."""
    if root is None or not tokens:
        return None
    prog = os.path.basename(tokens[0])
    if prog in ("make", "gmake"):
        names = ["GNUmakefile", "makefile", "Makefile"]
    elif prog in ("sh", "bash", "dash", "zsh") and len(tokens) > 1:
        names = [tokens[1]]
    elif "/" in tokens[0]:
        names = [tokens[0]]
    else:
        return None
    for name in names:
        path = Path(os.path.normpath(root / name))
        if root in path.parents and path.is_file() and path.stat().st_size <= 65536:
            try:
                return path.read_text(encoding="utf-8", errors="replace")
            except OSError:
                return None
    return None
