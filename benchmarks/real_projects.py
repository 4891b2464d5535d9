"""Real projects with their own test suites, for the verifier benchmarks
(``verify_cost.py``: what verifying costs; ``verify_trust.py``: what it lets through).

The source releases of tinydb, more-itertools, python-slugify, cachetools and humanize
(pytest suites), jsonpointer and simplejson (``python -m unittest`` suites, standard
library only) from PyPI (``pip download --no-deps --no-binary :all:``), and of minimist
(a tape suite), sprintf-js 1.0.3 (a mocha suite), no-case 3.0.4 (a jest suite: the
compiled ``dist/index.spec.js`` it ships) and zod 4.6.7 (a vitest suite: ``src/v4/mini/tests``)
from npm (``npm pack``), each set up the way its developers would: a ``.venv`` inside the
project with the package installed editable plus its test dependencies; the npm projects'
``node_modules`` with ``npm install`` (plus ``test_deps``, not saved to its package.json,
where the package does not list its runner: zod's devDependencies live in its monorepo).
Later sets (each commented in :data:`PROJECTS`) add set-ups that are not a bare runner:
toolz, six, idna, wcwidth, qs; iniconfig, typing_extensions, asgiref, @fastify/error,
@fastify/deepmerge; and parse (pyproject addopts with doctests and coverage), markupsafe
(src layout, a C extension shadowing ``_native.py``), packaging (a nox session) and
fastify-plugin (a bare ``node --test`` with an ESM test); and jaraco.functools (a
namespace package under ``--import-mode importlib`` and ``--doctest-modules``), boltons
(its tox.ini installing a wheel, no editable install: the tests run the installed copy)
and exceptiongroup (a flit src layout, tests as a package); pino-std-serializers and
pino-abstract-transport (node's runner started by borp, the second with borp's
``--check-coverage``, which collects nothing without ``--coverage``); and yarl (its pytest.ini turning pytest-xdist, doctests and pytest-cov with
fail_under on) and pyflakes (tests inside the package, run by ``--pyargs``); and
apig-wsgi (pytest-randomly: another test order every run) and iso8601 (hypothesis
property tests inside the package); and testscenarios (unittest's ``load_tests``
protocol: its tests package's ``load_tests`` names the modules, adds the README's
doctests and hands the suite to the code under test), and click (a src layout
installed as a wheel, not editable: its tests run the installed copy); and semver
(--doctest-glob='*.rst' over its docs, --import-mode=importlib, pytest-cov, installed
as a wheel with src/ on pythonpath), jaraco.functools installed as a wheel under
importlib mode (``folder``: a second set-up of a listed project) and glom (tox with
changedir = .tox, ``coverage run`` and {posargs}).  The "debian"
projects are
Go and Rust libraries as Debian packages them (``apt-get download``, the ``.deb``
unpacked with ``dpkg-deb -x``): go-difflib, golang-lru, go-spew, xxhash and go-cmp from
their Go sources under ``/usr/share/gocode/src`` (``go test ./...``, no dependency outside
the standard library; go-difflib and go-spew ship no go.mod, so one is written), itoa and semver from their
crates under ``/usr/share/cargo/registry`` (``cargo test``; semver's optional serde
from Debian's librust-serde-dev, unpacked into ``debian-registry/``, which a
``.cargo/config.toml`` puts in crates.io's place, offline), and so is getrandom (a
module per platform chosen in a ``cfg_if!``; cfg-if, libc and two crates cargo resolves
for its lockfile from Debian's packages).  The "debian-source" one is a Ruby library
with its own tests, from its Debian source package's upstream tarball in the mirror's
pool (``.orig.tar.gz``; the binary package ships no tests): builder (minitest); and so is
a C library run by ``make``, utf8proc, a C++ one, tinyxml2, a C library under CMake and
ctest, cJSON (needs Debian's ``cmake``), and one under automake's ``make check``,
libyaml, which its set-up bootstraps, configures, builds and checks in place as its user
would (needs Debian's ``autoconf``, ``automake`` and ``libtool``); and a Perl
distribution under ``prove``, Text::Diff (libtext-diff-perl; needs Perl's
Algorithm::Diff, which Debian's ``libalgorithm-diff-perl`` provides: its set-up checks
for it); and a PHP library under PHPUnit, doctrine/inflector (php-doctrine-inflector,
an ``.orig.tar.xz``; needs Debian's ``composer``, whose ``composer dump-autoload --dev``
writes the ``vendor/autoload.php`` its command bootstraps, offline, and Debian's
``phpunit``: its set-up runs the one and checks the other); and a Java library under
Maven, Apache Commons Codec (libcommons-codec-java, an ``.orig.tar.xz``; built with a
pom.xml of ours, :data:`CODEC_POM`, against Debian's Maven repository: needs Debian's
``maven``, ``default-jdk`` and the packages of its plugins and test dependencies, and
its set-up's first ``mvn test`` fills the project's ``.m2/repository``, later runs are
offline).  django-otp (PyPI) is a
Django app run by Django's own test runner (``python -m django test`` with its test
project's settings from the environment), Django, freezegun and qrcode pinned in its
``.venv``.  ``fetch`` does it once per
work folder and reuses it afterwards.  The network is used only here, at benchmark
time, and only to reach PyPI, npm and Debian's apt repositories.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING

import attrs

if TYPE_CHECKING:
    from acrouter.domain import Edit


@attrs.frozen
class Project:
    name: str  # registry name
    #: "pypi" | "npm" | "debian" (an apt package: a Go or Rust library's sources) |
    #: "debian-source" (a Debian source package's upstream tarball, ``.orig.tar.gz`` from
    #: the pool of apt's mirror: a Ruby, Perl, PHP, Java, C or C++ library with its tests;
    #: ``version``: Debian's upstream version, ``+dfsg`` included; ``orig``: the
    #: tarball's compression)
    kind: str
    #: pip / npm specs installed for the tests; Debian: librust-*-dev packages whose
    #: crates go into the project's debian-registry/ (the source of its dependencies)
    test_deps: tuple[str, ...] = ()
    command: str = ".venv/bin/python -m pytest -q -p no:cacheprovider"
    edit_file: str = ""  # the module the benchmarks' edits change
    #: pytest | unittest | tape | mocha | jest | vitest | node | go | cargo | minitest |
    #: make (C, its test programs' exit codes) | ctest (C under CMake) | automake (C under
    #: automake's ``make check``) | prove (Perl's test harness) | phpunit | django
    #: (Django's ``test`` command) | maven (``mvn test``: Surefire's JUnit tests): which
    #: runner's edits apply
    runner: str = "pytest"
    version: str = ""  # a release to fetch instead of the latest
    cost: bool = True  # measured by verify_cost.py by default (the runner-specific ones not)
    #: globs of the test files, space-separated (npm: default test/**/*.js; Python:
    #: default every test*.py) where the command runs some of them
    tests: str = ""
    #: files the set-up writes into the project, as its developers keep them beside it
    #: (a Makefile, a run_tests.sh: made executable when it starts with ``#!``)
    files: tuple[tuple[str, str], ...] = ()
    #: shell lines the set-up runs in the project once installed (network allowed):
    #: ``tox --notest`` making the environment its command reuses offline
    setup: tuple[str, ...] = ()
    #: devDependencies left out of package.json before ``npm install``: publishing and
    #: bundling tools, one of which needs a git dependency the registry cannot serve
    drop_dev: tuple[str, ...] = ()
    #: Debian: the folder of the package's files that is the project (its Go sources
    #: under /usr/share/gocode/src, its crate under /usr/share/cargo/registry)
    debian_path: str = ""
    #: a Python project installed into its .venv in editable mode (``pip install -e``);
    #: False: a plain ``pip install .`` (a wheel), the tests importing the installed copy
    editable: bool = True
    #: the project's folder under the work folder, its name in ``--only`` and in the
    #: tables (default: ``name``): a second set-up of a project already listed
    folder: str = ""
    #: "debian-source": the compression of the ``.orig.tar.*`` tarball
    orig: str = "gz"

    @property
    def label(self) -> str:
        """The project's name in ``--only``, the tables and the work folder."""
        return self.folder or self.name

    @property
    def spec(self) -> str:
        """What the registry's client is asked for."""
        if not self.version:
            return self.name
        return (
            f"{self.name}@{self.version}" if self.kind == "npm" else f"{self.name}=={self.version}"
        )


#: every test file of a minitest project (builder's test/test*.rb), as rake's TestTask
#: loads them, in one script the verifier reads per test (``ruby ... test/x.rb``)
RUBY_ALL_TESTS = """Dir[File.join(__dir__, "test*.rb")].sort.each { |f| require f }
"""

#: six's test script (the set-up writes it, as its developers would keep one)
RUN_TESTS_SH = """#!/bin/sh
set -e
cd "$(dirname "$0")"
.venv/bin/python -m pytest -q -p no:cacheprovider test_six.py "$@"
"""

#: packaging's nox session (the set-up writes the noxfile, as its developers keep one): no
#: virtualenv of nox's own (``python=False``), pytest from the project's .venv
NOXFILE = """import nox


@nox.session(python=False)
def tests(session):
    session.run(".venv/bin/python", "-m", "pytest", "-q", "-p", "no:cacheprovider", *session.posargs)
"""

PACKAGING_TESTS = "tests/test_utils.py"

#: a crate's cargo configuration: no network, and the crates it depends on from the
#: Debian packages unpacked into debian-registry/ (a directory source, offline)
CARGO_CONFIG = """[net]
offline = true

[source.crates-io]
replace-with = "debian"

[source.debian]
directory = "debian-registry"
"""

#: boltons' tox run, offline once its environments are made
BOLTONS_TOX = ".venv/bin/tox -q -e py311 -x tox.requires= -x testenv.package=wheel"

#: glom's tox run (a wheel, as boltons'), offline once its environments are made
GLOM_TOX = ".venv/bin/tox -q -e py311 -x testenv.package=wheel"

#: django-otp's tests as its hatch environment runs them (PYTHONPATH=test and
#: DJANGO_SETTINGS_MODULE=test_project.settings, `python -s -m django test`), src/ first
#: on the path, the static-token app's label
DJANGO_OTP_TEST = (
    "PYTHONPATH=src:test DJANGO_SETTINGS_MODULE=test_project.settings"
    " .venv/bin/python -s -m django test django_otp.plugins.otp_static"
)

#: Debian's Maven repository, the build's only one
DEBIAN_MAVEN_REPO = "/usr/share/maven-repo"

#: commons-codec's build file, which its set-up writes over the project's own: that
#: inherits commons-parent 52, whose build binds plugins no repository on this machine
#: holds (maven-remote-resources-plugin first); this one has the same coordinates, test
#: dependencies (JUnit 4, commons-lang3) and Surefire excludes (``*AbstractTest``,
#: ``*PerformanceTest``), built with ``--release 8`` against Debian's Maven repository
#: as the ``central`` ``file://`` repository; Surefire's fork gets ``-Xmx2g`` (the tests
#: that allocate a GiB or more then skip themselves: ``lines_cost_java``'s docstring)
CODEC_POM = f"""\
<?xml version="1.0" encoding="UTF-8"?>
<!-- ACRouter's benchmark: commons-codec 1.15's build against Debian's Maven repository -->
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>commons-codec</groupId>
  <artifactId>commons-codec</artifactId>
  <version>1.15</version>
  <properties>
    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
    <maven.compiler.release>8</maven.compiler.release>
  </properties>
  <repositories>
    <repository>
      <id>central</id>
      <url>file://{DEBIAN_MAVEN_REPO}</url>
      <releases><checksumPolicy>ignore</checksumPolicy></releases>
    </repository>
  </repositories>
  <pluginRepositories>
    <pluginRepository>
      <id>central</id>
      <url>file://{DEBIAN_MAVEN_REPO}</url>
      <releases><checksumPolicy>ignore</checksumPolicy></releases>
    </pluginRepository>
  </pluginRepositories>
  <dependencies>
    <dependency>
      <groupId>junit</groupId>
      <artifactId>junit</artifactId>
      <version>4.13.2</version>
      <scope>test</scope>
    </dependency>
    <dependency>
      <groupId>org.apache.commons</groupId>
      <artifactId>commons-lang3</artifactId>
      <version>3.12.0</version>
      <scope>test</scope>
    </dependency>
  </dependencies>
  <build>
    <plugins>
      <plugin>
        <groupId>org.apache.maven.plugins</groupId>
        <artifactId>maven-resources-plugin</artifactId>
        <version>3.3.0</version>
      </plugin>
      <plugin>
        <groupId>org.apache.maven.plugins</groupId>
        <artifactId>maven-compiler-plugin</artifactId>
        <version>3.10.1</version>
      </plugin>
      <plugin>
        <groupId>org.apache.maven.plugins</groupId>
        <artifactId>maven-surefire-plugin</artifactId>
        <version>2.22.3</version>
        <configuration>
          <argLine>-Xmx2g</argLine>
          <excludes>
            <exclude>**/*AbstractTest.java</exclude>
            <exclude>**/*PerformanceTest.java</exclude>
          </excludes>
        </configuration>
      </plugin>
    </plugins>
  </build>
</project>
"""

#: Maven with commons-codec's own local repository (``.m2/repository`` in the project,
#: filled by the set-up from Debian's)
CODEC_MVN = "mvn -Dmaven.repo.local=.m2/repository"

PROJECTS = (
    Project("tinydb", "pypi", ("pytest", "pyyaml"), edit_file="tinydb/utils.py"),
    Project("more-itertools", "pypi", ("pytest",), edit_file="more_itertools/recipes.py"),
    Project(
        "python-slugify",
        "pypi",
        ("pytest",),
        edit_file="slugify/slugify.py",
    ),
    Project("cachetools", "pypi", ("pytest",), edit_file="src/cachetools/keys.py"),
    Project(
        "humanize",
        "pypi",
        ("pytest", "freezegun", "pytest-benchmark"),
        edit_file="src/humanize/number.py",
    ),
    # its "npm test" adds eslint before and an npm audit (network) after the tests
    Project("minimist", "npm", command="npm run tests-only", edit_file="index.js", runner="tape"),
    # its makefile's "test": python3 -munittest (discovers tests.py at the root)
    Project(
        "jsonpointer",
        "pypi",
        command=".venv/bin/python -m unittest",
        edit_file="jsonpointer.py",
        runner="unittest",
        cost=False,
    ),
    # its setup.py runs simplejson/tests/__init__.py; the same test modules, discovered
    Project(
        "simplejson",
        "pypi",
        command=".venv/bin/python -m unittest discover -s simplejson/tests -t .",
        edit_file="simplejson/__init__.py",
        runner="unittest",
        cost=False,
    ),
    # the last release whose tarball ships its tests (test/test.js, "mocha test/test.js")
    Project(
        "sprintf-js",
        "npm",
        command="npm test",
        edit_file="src/sprintf.js",
        runner="mocha",
        version="1.0.3",
        cost=False,
    ),
    # jest 24 (its devDependency) on the compiled spec it ships; its own config's roots
    # (src/) are not in the tarball, so --roots points at dist/
    Project(
        "no-case",
        "npm",
        command="npx jest --roots dist",
        edit_file="dist/index.js",
        runner="jest",
        version="3.0.4",
        cost=False,
        tests="dist/*.spec.js",
    ),
    # its "test" is "vitest run" (through its monorepo's nub); vitest is the monorepo's,
    # so installed here; the mini tests run on the built ESM (zod/mini -> v4/mini/*.js)
    Project(
        "zod",
        "npm",
        ("vite@8.3.8", "vitest@4.1.12"),
        command="npx vitest run src/v4/mini/tests",
        edit_file="v4/mini/schemas.js",
        runner="vitest",
        version="4.6.7",
        cost=False,
        tests="src/v4/mini/tests/*.test.ts",
    ),
    # --- test commands that are not a bare runner (2026-12-01) ---
    # tests inside the package (toolz/tests) and the docstrings' examples collected by
    # --doctest-modules from the same package
    Project(
        "toolz",
        "pypi",
        ("pytest",),
        command=".venv/bin/python -m pytest -q -p no:cacheprovider --doctest-modules toolz",
        edit_file="toolz/itertoolz.py",
        version="1.2.0",
        cost=False,
    ),
    # one module at the root (six.py, test_six.py) run by a shell script of the project's
    Project(
        "six",
        "pypi",
        ("pytest",),
        command="./run_tests.sh",
        edit_file="six.py",
        version="1.17.0",
        cost=False,
        files=(("run_tests.sh", RUN_TESTS_SH),),
    ),
    # `make test`: a Makefile whose target runs unittest's discovery of tests/
    Project(
        "idna",
        "pypi",
        ("hypothesis",),
        command="make test",
        edit_file="idna/core.py",
        runner="unittest",
        version="3.20",
        cost=False,
        files=(
            (
                "Makefile",
                ".PHONY: test\ntest:\n\t.venv/bin/python -m unittest discover -s tests -t .\n",
            ),
        ),
    ),
    # its own tox.ini (deps pinned in requirements-tests39.txt, pytest over tests and
    # wcwidth), the package installed editable; the environment made once at set-up.
    # align.py's ljust / rjust / center are what wcwidth exports only without its C
    # extension, which the editable install builds: the tests run the C ones
    Project(
        "wcwidth",
        "pypi",
        ("tox",),
        command=".venv/bin/tox -q -e py311 -x testenv.package=editable",
        edit_file="wcwidth/align.py",
        version="0.9.4",
        cost=False,
        setup=(".venv/bin/tox -q -e py311 -x testenv.package=editable --notest",),
    ),
    # its "test" chains lint, nyc + tape and an npm audit (network); eslint and the
    # tape suite under nyc chained here as a user would run them offline
    Project(
        "qs",
        "npm",
        command="npx eslint --ext=js,mjs lib test && npm run tests-only",
        edit_file="lib/stringify.js",
        runner="tape",
        version="6.14.0",
        cost=False,
        drop_dev=(
            "@browserify/envify",
            "@browserify/uglifyify",
            "browserify",
            "bundle-collapser",
            "common-shakeify",
            "eclint",
            "evalmd",
            "in-publish",
            "mkdirp",
            "npmignore",
            "safe-publish-latest",
            "unassertify",
        ),
    ),
    # --- runners and layouts not tried before (2026-12-01, second set) ---
    # pytest on one of pytest's own dependencies (src layout, testing/): the editable
    # install is the iniconfig pytest itself imports at start-up to read its ini files
    Project(
        "iniconfig",
        "pypi",
        ("pytest",),
        edit_file="src/iniconfig/_parse.py",
        version="2.3.1",
        cost=False,
    ),
    # its tox.ini: `python -m unittest discover` in src/, where the module and its test
    # module sit side by side (no pytest in its virtualenv)
    Project(
        "typing_extensions",
        "pypi",
        command=".venv/bin/python -m unittest discover -s src -t src",
        edit_file="src/typing_extensions.py",
        runner="unittest",
        version="4.16.0",
        cost=False,
    ),
    # an async suite: pytest-asyncio in strict mode (setup.cfg), the tests' event loops
    # and the threads asgiref's sync_to_async starts; tox's "test" is `pytest -v`
    Project(
        "asgiref",
        "pypi",
        ("pytest", "pytest-asyncio", "packaging"),
        edit_file="asgiref/sync.py",
        version="3.13.0",
        cost=False,
    ),
    # its "test:unit": `c8 --100 node --test` (node's own runner under a coverage gate);
    # its "test" adds tstyche (TypeScript versions fetched at run time), left out
    Project(
        "@fastify/error",
        "npm",
        command="npm run test:unit",
        edit_file="index.js",
        runner="node",
        version="4.3.0",
        cost=False,
        drop_dev=("benchmark", "eslint", "neostandard", "tstyche"),
    ),
    # its "test:unit": `c8 --all --include index.js --check-coverage --100 tape test/*.js`
    Project(
        "@fastify/deepmerge",
        "npm",
        command="npm run test:unit",
        edit_file="index.js",
        runner="tape",
        version="3.2.4",
        cost=False,
        tests="test/*.test.js",
        drop_dev=("eslint", "neostandard", "tstyche"),
    ),
    # --- set-ups read from the project's own configuration (2026-12-01, third set) ---
    # pyproject.toml's [tool.pytest.ini_options] addopts: pytest-cov's --cov,
    # --doctest-modules and --doctest-glob=README.rst (the README's examples are tests);
    # the package is parse/__init__.py
    Project(
        "parse",
        "pypi",
        ("pytest", "pytest-cov"),
        edit_file="parse/__init__.py",
        version="1.22.4",
        cost=False,
    ),
    # src layout, testpaths and filterwarnings = error in pyproject.toml; the editable
    # install builds the C extension (_speedups) that shadows _native.py, and the
    # conftest runs every test under both
    Project(
        "markupsafe",
        "pypi",
        ("pytest",),
        edit_file="src/markupsafe/__init__.py",
        version="3.0.4",
        cost=False,
    ),
    # nox (`nox -s tests`, a session without a virtualenv of its own running the
    # project's pytest); its pyproject's addopts turn plugins off (-p no:logging,
    # no:tmpdir, ...), deselect a marker (-m "not property") and --strict-config.  One
    # test module, utils.py's (the whole suite, 64204 tests, takes 2 min a run)
    Project(
        "packaging",
        "pypi",
        ("pytest", "pretend", "hypothesis", "tomli_w", "nox"),
        command=".venv/bin/nox -s tests -- " + PACKAGING_TESTS,
        edit_file="src/packaging/utils.py",
        tests=PACKAGING_TESTS,
        version="26.4",
        cost=False,
        files=(("noxfile.py", NOXFILE),),
    ),
    # a bare `node --test` (no npm script, no c8): node's own discovery of test/**,
    # CommonJS tests and an ESM one (test/esm/esm.test.mjs)
    Project(
        "fastify-plugin",
        "npm",
        command="node --test",
        edit_file="index.js",
        runner="node",
        version="6.0.1",
        cost=False,
        tests="test/**/*.test.*js",
        drop_dev=("@fastify/type-provider-typebox", "eslint", "neostandard", "tstyche"),
    ),
    # --- import modes and installs not tried before (2026-12-02) ---
    # a namespace package (jaraco/ has no __init__.py) with its stub beside it, and the
    # jaraco skeleton's pytest.ini: --doctest-modules, --import-mode importlib,
    # consider_namespace_packages; test_functools.py and a conftest at the root
    Project(
        "jaraco.functools",
        "pypi",
        ("pytest", "jaraco.classes"),
        edit_file="jaraco/functools/__init__.py",
        version="4.6.0",
        cost=False,
    ),
    # its own tox.ini: the package built as a wheel and installed into the tox
    # environment (no editable install), pytest run from changedir = .tox over the
    # installed copy's doctests ({env_site_packages_dir}/boltons) and {tox_root}/tests.
    # Its `requires = tox-uv` left out (-x tox.requires=) and the wheel asked for
    # (package = wheel): tox-uv and tox's default sdist build the package in an isolated
    # environment fetched from PyPI on every run, which offline never runs a test
    Project(
        "boltons",
        "pypi",
        ("tox",),
        command=BOLTONS_TOX,
        edit_file="boltons/strutils.py",
        version="26.2.0",
        cost=False,
        setup=(BOLTONS_TOX + " --notest",),
    ),
    # a flit src layout whose tests are a package (tests/__init__.py) with a conftest,
    # the default pytest command
    Project(
        "exceptiongroup",
        "pypi",
        ("pytest",),
        edit_file="src/exceptiongroup/_catch.py",
        version="1.3.2",
        cost=False,
    ),
    # --- node's runner through borp (2026-12-02) ---
    # its "test": `borp -p 'test/**/*.js'`: borp runs node:test's run() in its own process
    # (no `node --test` command line), the test files in child processes; with a
    # tsconfig.json at the root it runs TypeScript first (typescript kept installed).
    # The error serializers' tests (a later -p wins): those of req/res connect to
    # "localhost", which this machine's node does not resolve
    Project(
        "pino-std-serializers",
        "npm",
        command="npm test -- -p 'test/err*.test.js'",
        edit_file="lib/err.js",
        runner="node",
        version="7.1.0",
        cost=False,
        tests="test/err*.test.js",
        drop_dev=("eslint", "neostandard", "tsd"),
    ),
    # its "test" chains standard | snazzy, borp --check-coverage and tsd: the borp step
    # alone (borp 0.20.2 collects coverage, and checks it, only with --coverage too)
    Project(
        "pino-abstract-transport",
        "npm",
        command="npx borp --check-coverage 'test/*.test.js'",
        edit_file="index.js",
        runner="node",
        version="3.0.0",
        cost=False,
        tests="test/*.test.js",
        drop_dev=("husky", "snazzy", "standard", "tsd"),
    ),
    # --- the project's own pytest.ini turning plugins on (2026-12-02, second set) ---
    # pytest.ini's addopts: pytest-xdist's --numprocesses=auto (the tests always run in
    # workers), --doctest-modules over the package, pytest-cov (-p pytest_cov --cov
    # --cov-context=test, .coveragerc's covdefaults plugin and fail_under = 98.95) and
    # filterwarnings = error; the editable install builds the Cython _quoting_c that
    # shadows _quoting_py.py.  requirements/test.txt's test dependencies but
    # pytest-codspeed (its benchmarks skip themselves, and coverage omits them); cython
    # for .coveragerc's Cython.Coverage plugin.  Without pydantic (its test skipped) the
    # suite misses fail_under: every test passes and pytest exits 1
    Project(
        "yarl",
        "pypi",
        ("pytest", "pytest-cov", "pytest-xdist", "covdefaults", "hypothesis", "cython", "pydantic"),
        edit_file="yarl/_path.py",
        version="1.25.1",
        cost=False,
    ),
    # tests shipped inside the package (pyflakes/test/, a package) and run the way an
    # installed package's are: pytest's console script (the project folder not on
    # sys.path) with --pyargs, which finds pyflakes.test by importing it through the
    # editable install
    Project(
        "pyflakes",
        "pypi",
        ("pytest",),
        command=".venv/bin/pytest -q -p no:cacheprovider --pyargs pyflakes",
        edit_file="pyflakes/checker.py",
        version="4.1.0",
        cost=False,
        tests="pyflakes/test/test_*.py",
    ),
    # --- Go and Rust libraries as Debian packages them (2026-12-02) ---
    # one package (difflib/) and its tests, no go.mod in the package: the one its
    # developers keep (module github.com/pmezard/go-difflib) written beside it
    Project(
        "golang-github-pmezard-go-difflib-dev",
        "debian",
        command="go test ./...",
        edit_file="difflib/difflib.go",
        runner="go",
        cost=False,
        tests="**/*_test.go",
        files=(("go.mod", "module github.com/pmezard/go-difflib\n\ngo 1.12\n"),),
        debian_path="usr/share/gocode/src/github.com/pmezard/go-difflib",
    ),
    # its go.mod (no requirement); two packages, the root's tests also using simplelru/
    Project(
        "golang-github-hashicorp-golang-lru-dev",
        "debian",
        command="go test ./...",
        edit_file="lru.go",
        runner="go",
        cost=False,
        tests="**/*_test.go",
        debian_path="usr/share/gocode/src/github.com/hashicorp/golang-lru",
    ),
    # one package (spew/), tests in it and in spew_test (external), a cgo file under
    # spew/testdata/ that only `-tags testcgo` builds, bypasssafe.go left out by its build
    # constraint (safe, appengine, js); no go.mod: the module's written beside it
    Project(
        "golang-github-davecgh-go-spew-dev",
        "debian",
        command="go test ./...",
        edit_file="spew/common.go",
        runner="go",
        cost=False,
        tests="**/*_test.go",
        files=(("go.mod", "module github.com/davecgh/go-spew\n\ngo 1.12\n"),),
        debian_path="usr/share/gocode/src/github.com/davecgh/go-spew",
    ),
    # module github.com/cespare/xxhash/v2: an assembly file for amd64, the Go fallback
    # (xxhash_other.go) and xxhash_safe.go left out on linux/amd64 by build constraints,
    # and a command (xxhsum/, package main) no test builds
    Project(
        "golang-github-cespare-xxhash-dev",
        "debian",
        command="go test ./...",
        edit_file="xxhash.go",
        runner="go",
        cost=False,
        tests="**/*_test.go",
        debian_path="usr/share/gocode/src/github.com/cespare/xxhash",
    ),
    # its go.mod (no requirement); eight packages, cmp's tests mostly in cmp_test (external)
    # and reaching cmp/internal/*; export_panic.go, pointer_purego.go (purego) and
    # debug_enable.go (cmp_debug) left out by build constraints; teststructs/ has no tests
    Project(
        "golang-github-google-go-cmp-dev",
        "debian",
        command="go test ./...",
        edit_file="cmp/path.go",
        runner="go",
        cost=False,
        tests="**/*_test.go",
        debian_path="usr/share/gocode/src/github.com/google/go-cmp",
    ),
    # no dependencies: unit tests, tests/test.rs and the doc tests
    Project(
        "librust-itoa-dev",
        "debian",
        command="cargo test",
        edit_file="src/lib.rs",
        runner="cargo",
        cost=False,
        tests="tests/**/*.rs",
        files=((".cargo/config.toml", CARGO_CONFIG),),
        setup=("cargo generate-lockfile",),
        debian_path="usr/share/cargo/registry/itoa-1.0.1",
    ),
    # an optional serde (Debian's, unpacked into debian-registry/: cargo resolves it for
    # the lockfile, the tests never build it); tests/ holds four test binaries
    Project(
        "librust-semver-dev",
        "debian",
        ("librust-serde-dev",),
        command="cargo test",
        edit_file="src/lib.rs",
        runner="cargo",
        cost=False,
        tests="tests/**/*.rs",
        files=((".cargo/config.toml", CARGO_CONFIG),),
        setup=("cargo generate-lockfile",),
        debian_path="usr/share/cargo/registry/semver-1.0.14",
    ),
    # a module per platform, chosen in a cfg_if! (cfg-if and libc from Debian, and the
    # two crates its rustc-dep-of-std feature names, which cargo resolves for the lockfile)
    Project(
        "librust-getrandom-dev",
        "debian",
        (
            "librust-cfg-if-dev",
            "librust-libc-dev",
            "librust-compiler-builtins-dev",
            "librust-rustc-std-workspace-core-dev",
        ),
        command="cargo test",
        edit_file="src/lib.rs",
        runner="cargo",
        cost=False,
        tests="tests/**/*.rs",
        files=((".cargo/config.toml", CARGO_CONFIG),),
        setup=("cargo generate-lockfile",),
        debian_path="usr/share/cargo/registry/getrandom-0.2.8",
    ),
    # --- a Ruby library from Debian's source package (2026-12-03) ---
    # builder 3.2.4 (ruby-builder): minitest, pure Ruby; run as rake's test_units runs it
    # (-I. -Itest, every test/test*.rb), through one script (rake test_units is not a
    # command the verifier reads per test); its blankslate test of a module included in
    # Kernel late fails on Ruby 3 (before any edit): left out.  xchar.rb's String#to_xs and
    # Integer#xchr are defined on every Ruby and called on none since 1.9 (String#encode)
    Project(
        "ruby-builder",
        "debian-source",
        command="ruby -Ilib -I. -Itest test/acrouter_all.rb --exclude=/late_included_module_in_kernel/",
        edit_file="lib/builder/xmlmarkup.rb",
        runner="minitest",
        version="3.2.4",
        cost=False,
        tests="test/test*.rb",
        files=(("test/acrouter_all.rb", RUBY_ALL_TESTS),),
    ),
    # --- a C library from Debian's source package (2026-12-03) ---
    # utf8proc 2.8.0: plain make (cc, -std=c99 -O2), a test program per topic linking
    # utf8proc.o; the programs whose data (NormalizationTest.txt ...) `make check` would
    # download are left out, the others built and run as `make check` runs them.
    # utf8proc_category_string and utf8proc_errmsg are called by none of them
    Project(
        "utf8proc",
        "debian-source",
        command=(
            "make test/charwidth test/misc test/valid test/iterate test/case test/custom"
            " && test/charwidth && test/misc && test/valid && test/iterate && test/case"
            " && test/custom"
        ),
        edit_file="utf8proc.c",
        runner="make",
        version="2.8.0",
        cost=False,
        tests="test/*.c",
    ),
    # --- a C++ library from Debian's source package (2026-12-03) ---
    # tinyxml2 9.0.0: its own Makefile, make's implicit rules ($(CXX)); `make test` builds
    # xmltest against libtinyxml2.a and runs it (it exits with its count of failures).
    # Most of tinyxml2.h's member functions are defined in their classes; MemPoolT::Trace
    # is called only under `#if 0`, so no test runs it
    Project(
        "tinyxml2",
        "debian-source",
        command="make test",
        edit_file="tinyxml2.h",
        runner="make",
        version="9.0.0+dfsg",
        orig="xz",
        cost=False,
        tests="xmltest.cpp",
    ),
    # --- a C library under CMake and ctest, from Debian's source package (2026-12-03) ---
    # cJSON 1.7.15: 19 ctest tests (Unity test programs and cJSON_test), configured and
    # built in a folder of the run's own, as the verifier detects for a CMake project
    Project(
        "cjson",
        "debian-source",
        command=(
            "rm -rf .acrouter-build && cmake -S . -B .acrouter-build"
            " && cmake --build .acrouter-build && cd .acrouter-build && ctest"
        ),
        edit_file="cJSON.c",
        runner="ctest",
        version="1.7.15",
        cost=False,
        tests="tests/*.c",
    ),
    # --- a C library under automake's test harness, from Debian's source package
    # (2026-12-04) ---
    # libyaml 0.2.5: set up as its user has it (bootstrapped, configured in place, built,
    # `make check` run once: its .trs and .log files left in tests/); `make check` runs
    # test-version and test-reader (libtool's wrapper scripts) under the parallel
    # harness; the emitter is called by none of them
    Project(
        "libyaml",
        "debian-source",
        command="make check",
        edit_file="src/reader.c",
        runner="automake",
        version="0.2.5",
        cost=False,
        tests="tests/*.c",
        setup=("./bootstrap", "./configure -q", "make -s", "make -s check"),
    ),
    # --- a Perl distribution from Debian's source package (2026-12-04) ---
    # Text::Diff 1.45 (libtext-diff-perl; the tarball unpacks to Text-Diff-1.45/): pure
    # Perl, 9 scripts in t/ (Test.pm's ok), 33 assertions under `prove -lr t` (what the
    # verifier detects for it; its three author tests skip whole without
    # RELEASE_TESTING); needs Perl's Algorithm::Diff (Debian's libalgorithm-diff-perl),
    # checked at set-up.  Text::Diff::Table's _glean_formats is called by nothing
    Project(
        "libtext-diff-perl",
        "debian-source",
        command="prove -lr t",
        edit_file="lib/Text/Diff.pm",
        runner="prove",
        version="1.45",
        cost=False,
        tests="t/*.t",
        setup=("perl -MAlgorithm::Diff -e1",),
    ),
    # --- a PHP library under PHPUnit, from Debian's source package (2026-12-04) ---
    # doctrine/inflector 2.0.6 (php-doctrine-inflector; .orig.tar.xz, unpacks to
    # php-doctrine-inflector-2.0.6/): pure PHP, 21 test classes under tests/Doctrine/
    # (phpunit.xml.dist: that folder, the "performance" group excluded, failOnRisky),
    # 1012 tests under Debian's phpunit 9.6 with the autoloader its developers get from
    # Composer (`composer dump-autoload --dev`, offline: vendor/autoload.php with
    # autoload and autoload-dev), checked at set-up with `phpunit --version`.
    # GenericLanguageInflectorFactory's withSingularRules / withPluralRules are called by
    # no test, nor Inflector's branches for invalid or ISO-8859-1 text
    Project(
        "php-doctrine-inflector",
        "debian-source",
        command="phpunit --bootstrap vendor/autoload.php",
        edit_file="lib/Doctrine/Inflector/Inflector.php",
        runner="phpunit",
        version="2.0.6",
        orig="xz",
        cost=False,
        tests="tests/Doctrine/Tests/**/*Test.php",
        setup=(
            "COMPOSER_ALLOW_SUPERUSER=1 composer dump-autoload --dev --no-interaction",
            "phpunit --version",
        ),
    ),
    # --- Django's test runner (2026-12-04) ---
    # django-otp 1.7.5: a Django app in a src layout whose tests (tests.py in each app,
    # the shared mixins in django_otp/test_utils.py) run in the test project under
    # test/ (test/test_project/settings.py: INSTALLED_APPS, no TEST_RUNNER), as its
    # hatch scripts run them: `python -s -m django test` with PYTHONPATH and
    # DJANGO_SETTINGS_MODULE set in the environment (here on the command line, src/
    # first).  The static-token app alone (26 tests, 9 to 13 s; the whole django_otp
    # label is 174 tests, 76 s); its management command addstatictoken is run by no test
    # (nor imported: Django imports a command when it is run)
    Project(
        "django-otp",
        "pypi",
        ("Django==5.2.8", "freezegun==1.5.5", "qrcode==8.2"),
        command=DJANGO_OTP_TEST,
        edit_file="src/django_otp/plugins/otp_static/models.py",
        runner="django",
        version="1.7.5",
        cost=False,
        tests="src/django_otp/plugins/otp_static/tests.py",
    ),
    # --- a Java library under Maven, from Debian's source package (2026-12-05) ---
    # Apache Commons Codec 1.15 (libcommons-codec-java; .orig.tar.xz, unpacks to
    # commons-codec-rel-commons-codec-1.15/): 72 sources, 71 test files (1156 JUnit 4
    # tests under Surefire 2.22.3), our CODEC_POM over its own, built against Debian's
    # Maven repository into .m2/repository in the project by the set-up's first `mvn
    # test` (needs Debian's maven, default-jdk, junit4, libhamcrest-java,
    # libcommons-lang3-java, libsurefire-java, libmaven-compiler-plugin-java and
    # libmaven-resources-plugin-java); the runs are offline (`-o`, which the verifier
    # adds).  The command is the user's `mvn test`, no `rm -rf target`: the verifier runs
    # it on an overlay of the workspace, set-up's target/ included (a scratch copy leaves
    # target/ out: a build from nothing), and Maven's compiler plugin recompiles a module
    # whose sources changed, were added or removed, deleting the classes its last
    # compilation wrote first (a test source deleted leaves no class behind for Surefire
    # to run).  lines_cost_java times it with `rm -rf target &&` (a fresh checkout's
    # build).  Base64.isArrayByteBase64 is called by no test, nor do the tests reach
    # Base64's two "Impossible modulus" throws
    Project(
        "libcommons-codec-java",
        "debian-source",
        command=f"{CODEC_MVN} test",
        edit_file="src/main/java/org/apache/commons/codec/binary/Base64.java",
        runner="maven",
        version="1.15",
        orig="xz",
        cost=False,
        tests="src/test/java/**/*Test.java",
        files=(("pom.xml", CODEC_POM),),
        setup=(f"{CODEC_MVN} -B -q test",),
    ),
    # --- test orders and seeds that change every run (2026-12-02, third set) ---
    # pytest-randomly (its dependency-groups' "test"): every run shuffles the order of the
    # test modules, classes and functions and reseeds `random` with a new seed, so the
    # baseline, the edited run and the confirmation's rerun each run in another order;
    # pyproject's addopts --strict-config --strict-markers, xfail_strict, a src layout
    Project(
        "apig-wsgi",
        "pypi",
        ("pytest", "pytest-randomly"),
        edit_file="src/apig_wsgi/__init__.py",
        version="2.20.0",
        cost=False,
    ),
    # hypothesis property tests (@given over generated datetimes) beside the module they
    # test, inside the package (iso8601/test_iso8601.py), no pytest configuration: the
    # default command from the root, where hypothesis writes its example database
    # (.hypothesis/) on every run
    Project(
        "iso8601",
        "pypi",
        ("pytest", "hypothesis", "pytz"),
        edit_file="iso8601/iso8601.py",
        version="2.1.0",
        cost=False,
        tests="iso8601/test_*.py",
    ),
    # --- unittest's load_tests protocol (2026-12-02, fourth set) ---
    # its tests are a package (tests/, beside testscenarios/) whose __init__.py's
    # load_tests names the test modules, adds the README's examples
    # (doctest.DocFileSuite("../README.rst")) and hands the whole suite to the code under
    # test (testscenarios.generate_scenarios, which multiplies each test by its
    # scenarios); the package's own __init__.py has a load_tests too.  Its Makefile runs
    # `python -m testtools.run testscenarios.test_suite`; unittest here: `python -m
    # unittest tests` (the tests package's load_tests).  testtools (its "test" extra), no
    # pytest: the verifier reads unittest's -v output
    Project(
        "testscenarios",
        "pypi",
        ("testtools",),
        command=".venv/bin/python -m unittest tests",
        edit_file="testscenarios/scenarios.py",
        runner="unittest",
        version="0.7.0",
        cost=False,
        tests="tests/test_*.py",
    ),
    # --- a src layout installed as a wheel (2026-12-02, fourth set) ---
    # `pip install .` into .venv, not editable: the default pytest command from the root
    # (testpaths = tests, filterwarnings = error in pyproject.toml) imports click from
    # site-packages, never src/click (src/ is on no path), so no edit of src/ is run by
    # the tests; its dependency groups' "tests": pytest alone
    Project(
        "click",
        "pypi",
        ("pytest",),
        edit_file="src/click/utils.py",
        version="8.5.1",
        cost=False,
        editable=False,
    ),
    # --- doctest files and importlib mode over an installed copy (2026-12-02, fifth set) ---
    # its .pytest.ini: testpaths = tests docs, pythonpath = src tests, and addopts
    # --import-mode=importlib, --doctest-glob='*.rst' (the docs' examples are tests, with
    # names conftest's autouse fixture puts in doctest_namespace), --doctest-modules
    # and pytest-cov's --cov=semver; installed with `pip install .` (no editable
    # install; its tox's testenv has skip_install: src/ comes from pythonpath)
    Project(
        "semver",
        "pypi",
        ("pytest", "pytest-cov", "packaging"),
        edit_file="src/semver/version.py",
        version="3.1.2",
        cost=False,
        editable=False,
    ),
    # jaraco.functools again (its pytest.ini: --import-mode importlib, --doctest-modules,
    # consider_namespace_packages) installed with `pip install .`, no editable install, and
    # run by pytest's console script (the project folder not on sys.path): its
    # test_functools.py imports the installed copy, and so do the doctests of the
    # workspace's jaraco/functools/__init__.py (importlib mode finds the module name
    # jaraco.functools already imported, and takes that): the workspace's copy is never
    # imported
    Project(
        "jaraco.functools",
        "pypi",
        ("pytest", "jaraco.classes"),
        command=".venv/bin/pytest -q -p no:cacheprovider",
        edit_file="jaraco/functools/__init__.py",
        version="4.6.0",
        cost=False,
        editable=False,
        folder="jaraco.functools-installed",
    ),
    # its tox.ini: changedir = .tox, the package built as a wheel and installed into the
    # tox environment, and `coverage run --parallel --rcfile {toxinidir}/.tox-coveragerc
    # -m pytest -vv --doctest-modules {envsitepackagesdir}/glom {posargs}`: coverage.py
    # starts the tests (its tracer from the first line, not pytest-cov's), which run the
    # installed copy's own tests (glom/test/) and doctests, and the command passes
    # arguments through {posargs} (`-- -p no:cacheprovider -x`: pytest in .tox/, stopping
    # at the first failure); deps pinned in requirements.txt (pytest 7.4.4, coverage
    # 7.2.7)
    Project(
        "glom",
        "pypi",
        ("tox",),
        command=GLOM_TOX + " -- -p no:cacheprovider -x",
        edit_file="glom/core.py",
        version="25.12.0",
        cost=False,
        tests="glom/test/test_*.py",
        setup=(GLOM_TOX + " --notest",),
    ),
)


def default_work(script: str) -> Path:
    """The default ``--work`` folder of a benchmark script: the current user's own under
    the temporary directory (on a shared machine another user's is never picked)."""
    return Path(tempfile.gettempdir()) / f"acrouter-{script}-{os.getuid()}"


def project_arguments(ap: argparse.ArgumentParser, script: str) -> None:
    """The options of a benchmark script over :data:`PROJECTS`: ``--work`` (by default
    :func:`default_work` of ``script``), ``--bwrap``, ``--timeout`` and ``--only``."""
    ap.add_argument(
        "--work",
        type=Path,
        default=default_work(script),
        help="folder for the downloads and set-ups, reused by later runs "
        "(default: %(default)s, yours alone)",
    )
    ap.add_argument("--bwrap", default="bwrap")
    ap.add_argument("--timeout", type=float, default=600)
    ap.add_argument("--only", nargs="*", default=None, help="project names to run")


def prepare_work(work: Path) -> Path:
    """``work``, made if it does not exist.  Stops with a message naming ``--work`` when
    it is not a folder the current user owns and may write to: the set-ups kept there
    are run, so another user's are never reused."""
    try:
        work.mkdir(parents=True, exist_ok=True)
        owners = {work.lstat().st_uid, work.stat().st_uid}
    except OSError as exc:
        raise SystemExit(
            f"cannot use {work} as the work folder ({exc}); choose one with --work DIR"
        )
    if owners != {os.getuid()}:
        raise SystemExit(
            f"{work} belongs to another user (uid {work.stat().st_uid}; you are "
            f"{os.getuid()}); choose a folder of your own with --work DIR"
        )
    if not work.is_dir() or not os.access(work, os.W_OK | os.X_OK):
        raise SystemExit(f"{work} is not a folder you may write to; choose one with --work DIR")
    return work


def sh(argv: list[str], cwd: Path | None = None, env: dict[str, str] | None = None) -> str:
    res = subprocess.run(
        argv,
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    if res.returncode != 0:
        raise SystemExit(
            f"{shlex.join(argv)} failed ({res.returncode}):\n{res.stdout}\n{res.stderr}"
        )
    return res.stdout


def git_commit_all(root: Path) -> None:
    """``root`` made a git repository of everything in it (ignored files too): the
    verifier's scratch copy holds what git lists."""
    for args in (["init", "-q"], ["add", "-A", "-f"], ["commit", "-qm", "set-up"]):
        sh(["git", "-C", str(root), "-c", "user.name=b", "-c", "user.email=b@b", *args])


def replacing(root: Path, rel: str, old: str, new: str) -> Edit:
    """The edit that makes the first ``old`` of ``root/rel`` ``new`` (it stops the script
    when the file no longer holds ``old``: another release).  For the scripts that put
    the server on ``sys.path`` first."""
    from acrouter.domain import Edit

    text = (root / rel).read_text()
    if old not in text:
        raise SystemExit(f"{rel} in {root} no longer holds {old!r}")
    return Edit(files={rel: text.replace(old, new, 1)})


def timed(root: Path, command: str, env: dict[str, str], ok: tuple[int, ...] = (0,)) -> float:
    """The wall time of ``command`` (a shell line) run in ``root``; stops the benchmark
    with its output when it exits with a code not in ``ok``."""
    t0 = time.perf_counter()
    res = subprocess.run(
        command, shell=True, cwd=root, env=env, capture_output=True, text=True, check=False
    )
    took = time.perf_counter() - t0
    if res.returncode not in ok:
        raise SystemExit(f"{command} in {root} exited {res.returncode}:\n{res.stdout[-2000:]}")
    return took


def fetch(project: Project, work: Path, python: str = sys.executable) -> Path:
    """The unpacked, set-up project folder (made once, kept in ``work``); a Python
    project's ``.venv`` is made with ``python``."""
    root = work / project.label
    if (root / ".acrouter-bench-ready").exists():
        return root
    shutil.rmtree(root, ignore_errors=True)
    dl = work / "downloads" / project.label
    shutil.rmtree(dl, ignore_errors=True)
    dl.mkdir(parents=True)
    if project.kind == "pypi":
        sh(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "-q",
                "--no-deps",
                "--no-binary",
                ":all:",
                project.spec,
                "-d",
                str(dl),
            ]
        )
    elif project.kind == "debian":
        return _fetch_debian(project, root, dl)
    elif project.kind == "debian-source":
        _download(_debian_orig(project), dl)
    else:
        sh(["npm", "pack", "--silent", project.spec], cwd=dl)
    archive = next(dl.iterdir())
    with tarfile.open(archive) as tar:
        tar.extractall(dl / "x", filter="data")
    top = next((dl / "x").iterdir())
    root.parent.mkdir(parents=True, exist_ok=True)  # a scoped npm name: @scope/name
    shutil.move(str(top), root)
    if project.kind == "pypi":
        sh([python, "-m", "venv", str(root / ".venv")])
        pip = [str(root / ".venv" / "bin" / "python"), "-m", "pip", "install", "-q"]
        sh([*pip, *(["-e"] if project.editable else []), str(root), *project.test_deps])
    elif project.kind == "npm":
        if project.drop_dev:
            manifest = root / "package.json"
            data = json.loads(manifest.read_text())
            for name in project.drop_dev:
                data.get("devDependencies", {}).pop(name, None)
            manifest.write_text(json.dumps(data, indent=2) + "\n")
        npm = ["npm", "install", "--no-audit", "--no-fund", "--ignore-scripts"]
        sh(npm, cwd=root)
        if project.test_deps:
            sh([*npm, "--no-save", "--save-exact", *project.test_deps], cwd=root)
    return _finish(project, root, archive.name)


def _finish(project: Project, root: Path, archive: str) -> Path:
    """``project.files`` written into ``root``, its ``setup`` run, the set-up marked
    ready (with the name of the archive it came from)."""
    for rel, text in project.files:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
        if text.startswith("#!"):
            (root / rel).chmod(0o755)
    for line in project.setup:
        sh(["sh", "-c", line], cwd=root)
    (root / ".acrouter-bench-ready").write_text(archive + "\n")
    return root


def _unpacked_deb(package: str, dl: Path) -> tuple[Path, str]:
    """``package``'s .deb (``apt-get download``, no root needed) unpacked into ``dl``:
    the folder its files are in, and the .deb's name."""
    sh(["apt-get", "download", "-q", package], cwd=dl)
    deb = next(p for p in dl.iterdir() if p.name.startswith(f"{package}_"))
    out = dl / f"x-{package}"
    sh(["dpkg-deb", "-x", str(deb), str(out)])
    return out, deb.name


def debian_mirror() -> str:
    """The Debian mirror of apt's sources (deb822 ``.sources`` or a one-line
    ``sources.list``; ``ACROUTER_DEBIAN_MIRROR`` overrides it), as ``.ci/cpython``."""
    if os.environ.get("ACROUTER_DEBIAN_MIRROR"):
        return os.environ["ACROUTER_DEBIAN_MIRROR"].rstrip("/")
    texts = [p.read_text() for p in sorted(Path("/etc/apt/sources.list.d").glob("*.sources"))]
    for text in texts:
        for line in text.splitlines():
            if line.startswith("URIs:"):
                found = [u for u in line.split()[1:] if re.search(r"/debian/?$", u)]
                if found:
                    return found[0].rstrip("/")
    listed = Path("/etc/apt/sources.list")
    for line in listed.read_text().splitlines() if listed.is_file() else []:
        words = line.split()
        found = [u for u in words[1:] if words[0] == "deb" and re.search(r"/debian/?$", u)]
        if found:
            return found[0].rstrip("/")
    raise SystemExit("no Debian mirror in apt's sources (set ACROUTER_DEBIAN_MIRROR)")


def _debian_orig(project: Project) -> str:
    """The URL of a Debian source package's upstream tarball in the mirror's pool."""
    name = project.name
    folder = name[:4] if name.startswith("lib") else name[0]
    tarball = f"{name}_{project.version}.orig.tar.{project.orig}"
    return f"{debian_mirror()}/pool/main/{folder}/{name}/{tarball}"


def _download(url: str, dl: Path) -> None:
    with urllib.request.urlopen(url, timeout=120) as response:
        (dl / url.rsplit("/", 1)[1]).write_bytes(response.read())


def _fetch_debian(project: Project, root: Path, dl: Path) -> Path:
    """A Debian package's Go sources or crate copied into ``root``; the crates of its
    ``test_deps`` (librust-*-dev packages) into ``root/debian-registry``."""
    x, deb = _unpacked_deb(project.name, dl)
    root.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(x / project.debian_path, root, symlinks=True)
    for package in project.test_deps:
        dx, _ = _unpacked_deb(package, dl)
        for crate in sorted((dx / "usr/share/cargo/registry").iterdir()):
            shutil.copytree(crate, root / "debian-registry" / crate.name, symlinks=True)
    return _finish(project, root, deb)


#: what ``--xdist`` installs into a pytest project's .venv (the dev lock's pins)
XDIST_PINS = ("pytest-xdist==3.8.0", "execnet==2.1.2")


def with_xdist(project: Project, root: Path, workers: str) -> Project:
    """``project`` with its pytest suite run by pytest-xdist (``-n workers`` added to its
    command; xdist installed into its .venv once); other runners as they are."""
    if project.runner != "pytest" or not workers:
        return project
    python = root / ".venv" / "bin" / "python"
    probe = subprocess.run([str(python), "-c", "import xdist"], capture_output=True, check=False)
    if probe.returncode != 0:
        sh([str(python), "-m", "pip", "install", "-q", *XDIST_PINS])
    return attrs.evolve(project, command=f"{project.command} -n {workers}")


def release(root: Path) -> str:
    """The archive a set-up project was unpacked from."""
    return (root / ".acrouter-bench-ready").read_text().strip()
