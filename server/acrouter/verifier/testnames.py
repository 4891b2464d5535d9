"""A file's place by its name alone: whether it belongs to the tests (a test file by its
runner's naming rules, a file in a test folder, a test runner's configuration) and
whether it is source code.  A leaf module: the verdict's modules ask it too
(:mod:`.lines_opened`), and :mod:`.testfiles`, which judges an edit's tests, imports
what they import."""

from __future__ import annotations

import re
from collections.abc import Iterable
from fnmatch import fnmatchcase
from pathlib import PurePosixPath

#: folders whose files are the tests' (fixtures, helpers, data, the tests themselves,
#: what they compare against: jest's and syrupy's snapshots, Go's testdata; jest's
#: mocks, which replace a module for the tests: a package's from the root's without a
#: ``jest.mock`` call)
TEST_DIRS = frozenset(
    {
        "test",
        "tests",
        "testing",
        "__tests__",
        "spec",
        "specs",
        "__snapshots__",
        "__fixtures__",
        "__mocks__",
        "fixtures",
        "testdata",
        # Perl's test scripts (t/basic.t) and its author tests (xt/), git's shell tests
        "t",
        "xt",
        # Gradle's build logic (plugins of the build's own, that configure its Test tasks)
        "buildsrc",
        # Maven's own options for every build of the project (.mvn/maven.config: -Dtest=,
        # -Dmaven.main.skip, which tests the classes a build before the edit left in
        # target/), its JVM's (.mvn/jvm.config) and its extensions
        ".mvn",
    }
)
#: files that configure a test runner, or how the tests are run
CONFIG_FILES = frozenset(
    {
        "conftest.py",
        "pytest.ini",
        ".pytest.ini",
        "pytest.toml",  # (pytest 9)
        ".pytest.toml",
        "tox.ini",
        "setup.cfg",
        "pyproject.toml",
        "noxfile.py",
        ".coveragerc",
        "package.json",
        ".mocharc.json",
        ".mocharc.js",
        ".mocharc.cjs",
        ".mocharc.yml",
        ".mocharc.yaml",
        ".mocharc.jsonc",
        # nyc's `require` preloads modules into the tests' process (`nyc mocha`)
        ".nycrc",
        ".nycrc.json",
        ".nycrc.yml",
        ".nycrc.yaml",
        ".taprc",
        # npm (and pnpm, yarn 1) give .npmrc's node-options to every node of `npm test`
        ".npmrc",
        ".yarnrc",
        ".yarnrc.yml",
        # what runs the tests when the command is `make test`, `just test`, `task test`
        "makefile",
        "gnumakefile",
        "justfile",
        ".justfile",
        "taskfile.yml",
        "taskfile.yaml",
        # Perl: prove's options; MakeMaker's and Module::Build's builds, whose test
        # targets say which scripts run and how
        ".proverc",
        "makefile.pl",
        "build.pl",
        # PHPUnit's configuration (which tests run, their bootstrap, groups excluded,
        # ini settings); Composer's (its scripts, the autoloading of the tests' classes)
        "phpunit.xml",
        "phpunit.xml.dist",
        "phpunit.dist.xml",
        "composer.json",
        # Gradle's and Maven's builds: which tests run, how, and what runs in the build
        # (a build script is code: it could rewrite the reports)
        "build.gradle",
        "build.gradle.kts",
        "settings.gradle",
        "settings.gradle.kts",
        "gradle.properties",
        "pom.xml",
    }
)
#: ... and what transforms or resolves the tests' code as they load (vite's aliases for
#: vitest, babel's and swc's transforms for jest, TypeScript's paths); vitest's projects
#: (``vitest.workspace.*``, ``vitest.projects.*``: an alias of its own there made the
#: tests import another file than the edit's), nyc's (its ``require``)
_CONFIG_RE = re.compile(
    r"^((jest|vitest|vite|karma|ava|playwright|babel|nyc)\.config\.[a-z]+"
    r"|vitest\.(workspace|projects)\.[a-z]+"
    r"|\.babelrc(\.[a-z]+)?|\.swcrc|tsconfig(\.[\w-]+)?\.json)$"
)
_TEST_NAME_RE = re.compile(
    r"^(test_.*\.py|.*_test\.py|tests?\.py|.*_tests\.py|.*_test\.go"
    r"|.*\.(test|spec)\.(js|jsx|ts|tsx|mjs|cjs|mts|cts)|.*\.snap|.*\.approved\.\w+|test.*\.txt"
    # node --test's (and jest's, ava's) own names for test files: test.js, test-*.js,
    # *-test.js, *_test.js
    r"|(tests?|test-.*|.*[-_]tests?)\.(js|jsx|ts|tsx|mjs|cjs|mts|cts)"
    # the JS tests' helpers and set-up by their usual names, wherever they are
    # (``src/test-utils.js``, ``testUtils.ts``, ``setupTests.js``, ``jest.setup.js``)
    r"|(test[-_]?(utils?|helpers?)|setup[-_]?tests?|(jest|vitest)[.-]setup)"
    r"\.(js|jsx|ts|tsx|mjs|cjs|mts|cts)"
    # Perl's test scripts (prove runs t/*.t)
    r"|.*\.t)$"
)


#: source files: what a test imports or runs, never what it reads as data
CODE_SUFFIXES = frozenset(
    {
        ".py",
        ".pyi",
        ".pyx",
        ".js",
        ".mjs",
        ".cjs",
        ".jsx",
        ".ts",
        ".mts",
        ".cts",
        ".tsx",
        ".go",
        ".rs",
        ".c",
        ".h",
        ".cc",
        ".cpp",
        ".hpp",
        ".java",
        ".kt",
        ".rb",
        ".php",
        ".swift",
        ".cs",
    }
)


def is_source(rel: str) -> bool:
    """Whether ``rel`` is source code (:data:`CODE_SUFFIXES`), not data a test reads."""
    return PurePosixPath(rel).suffix.lower() in CODE_SUFFIXES


def is_test_file(rel: str, patterns: Iterable[str] = ()) -> bool:
    """Whether the workspace-relative path ``rel`` belongs to the tests; ``patterns``
    (from :func:`command_patterns`) are more of them: a pattern without ``/`` is matched
    against the file's name (as unittest's ``-p``), one with ``/`` against the path."""
    posix = rel.replace("\\", "/")
    parts = PurePosixPath(posix).parts
    if not parts:
        return False
    name = parts[-1].lower()
    if name in CONFIG_FILES or _CONFIG_RE.match(name) or _TEST_NAME_RE.match(name):
        return True
    if parts[-1].endswith("Test.php") or _composer_loader(parts):  # PHPUnit's names
        return True
    if any(fnmatchcase(posix if "/" in p else parts[-1], p) for p in patterns):
        return True
    return any(p.lower() in TEST_DIRS for p in parts[:-1])


def _composer_loader(parts: tuple[str, ...]) -> bool:
    """Whether the path is Composer's class loader (``vendor/autoload.php``,
    ``vendor/composer/...``), which says which file each class of the tests (and of
    the code under test) is loaded from."""
    for i, part in enumerate(parts[:-1]):
        if part == "vendor" and (parts[i + 1] == "composer" or parts[i + 1 :] == ("autoload.php",)):
            return True
    return False
