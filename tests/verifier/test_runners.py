"""Test command detection, command plans, and JUnit report parsing."""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path

import pytest
from acrouter.verifier import detect_test_command, parse_junit
from acrouter.verifier.runners import WEAK_REASON, plan_command
from acrouter.verifier.syntax import can_check_syntax, python_version

from .helpers import write_tree


def _venv(root: Path, name: str = ".venv", version: str = "3.11.4") -> Path:
    py = root / name / "bin" / "python"
    py.parent.mkdir(parents=True)
    py.write_text("#!/bin/sh\n")
    py.chmod(0o755)
    (root / name / "pyvenv.cfg").write_text(f"home = /usr/bin\nversion = {version}\n")
    return py


#: the command detected for a CMake project with CTest, written out
DETECTED_CMAKE = (
    "rm -rf .acrouter-build && cmake -S . -B .acrouter-build"
    " && cmake --build .acrouter-build && cd .acrouter-build && ctest"
)


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"pytest.ini": "[pytest]\n"}, "python3 -m pytest"),
        ({"conftest.py": ""}, "python3 -m pytest"),
        ({"pyproject.toml": "[tool.pytest.ini_options]\n"}, "python3 -m pytest"),
        ({"setup.cfg": "[tool:pytest]\n"}, "python3 -m pytest"),
        ({"tests/unit/test_x.py": ""}, "python3 -m pytest"),
        ({"test_root.py": ""}, "python3 -m pytest"),
        # a Python distribution whose tests are its packages' (simplejson/tests,
        # src/pkg/tests): before, none was found
        ({"setup.py": "", "simplejson/tests/test_dump.py": ""}, "python3 -m pytest"),
        ({"pyproject.toml": "[project]\n", "src/pkg/tests/test_x.py": ""}, "python3 -m pytest"),
        ({"setup.py": "", "src/test_typing_extensions.py": ""}, "python3 -m pytest"),
        ({"pkg/tests/test_x.py": ""}, None),  # (not a Python distribution)
        ({"setup.cfg": "", "pkg/tests/helpers.py": ""}, None),
        ({"pyproject.toml": "[project]\n", "node_modules/m/tests/test_x.py": ""}, None),
        ({"pyproject.toml": "[project]\n", "build/lib/pkg/tests/test_x.py": ""}, None),
        ({"package.json": json.dumps({"scripts": {"test": "jest"}})}, "npm test"),
        (
            {
                "package.json": json.dumps(
                    {"scripts": {"test": 'echo "Error: no test specified" && exit 1'}}
                )
            },
            None,
        ),
        ({"Cargo.toml": "[package]\n"}, "cargo test"),
        ({"go.mod": "module x\n"}, "go test ./..."),
        ({"Makefile": "all:\n\ttrue\ntest: all\n\t./run\n"}, "make test"),
        (
            {"CMakeLists.txt": "project(x)\nenable_testing()\n", "Makefile": "test:\n\tctest\n"},
            DETECTED_CMAKE,
        ),
        (
            {"CMakeLists.txt": "project(x)\ninclude(CTest)\n"},
            DETECTED_CMAKE,
        ),
        ({"CMakeLists.txt": "project(x)\n# enable_testing() some day\n"}, None),
        ({"Makefile": "all:\n\ttrue\n"}, None),
        ({"README.md": "hi"}, None),
        ({"pyproject.toml": "[project]\nname='x'\n"}, None),
    ],
)
def test_detection(tmp_path: Path, files: dict[str, str], expected: str | None) -> None:
    assert detect_test_command(write_tree(tmp_path, files)) == expected


RAKE_TESTS = "require 'rake/testtask'\nRake::TestTask.new do |t|\n  t.libs << 'test'\nend\n"


@pytest.mark.parametrize(
    ("files", "bundler", "expected"),
    [
        ({".rspec": "--require spec_helper\n"}, False, "rspec"),
        ({"spec/lib/adder_spec.rb": ""}, False, "rspec"),
        ({"spec/adder_spec.rb": "", "Gemfile": ""}, True, "bundle exec rspec"),
        ({"spec/adder_spec.rb": "", "Gemfile": ""}, False, "rspec"),  # no Bundler: its gems
        ({"Rakefile": RAKE_TESTS, "test/adder_test.rb": ""}, False, "rake test"),
        ({"Rakefile": RAKE_TESTS, "Gemfile": ""}, True, "bundle exec rake test"),
        ({"Rakefile": "task :test do\n  ruby 'test/all.rb'\nend\n"}, False, "rake test"),
        ({"rakefile.rb": "Minitest::TestTask.create\n"}, False, "rake test"),
        # the test task in a file rake loads with the Rakefile (builder 3.2.4's), or Hoe's
        # (minitest 5.15.0's): before, none was found
        (
            {"Rakefile": "task :default => :test\n", "rakelib/testing.rake": RAKE_TESTS},
            False,
            "rake test",
        ),
        ({"Rakefile": 'require "hoe"\nHoe.spec "minitest" do\nend\n'}, False, "rake test"),
        # .rspec says RSpec is the project's runner, whatever else its Rakefile defines
        ({".rspec": "", "Rakefile": RAKE_TESTS}, False, "rspec"),
        # a Rakefile's test task before specs elsewhere (rake test is the project's word)
        ({"Rakefile": RAKE_TESTS, "spec/x_spec.rb": ""}, False, "rake test"),
        # a test task of another name, a commented one: not `rake test`
        ({"Rakefile": "Rake::TestTask.new(:unit) do |t|\nend\n"}, False, None),
        ({"Rakefile": "# Rake::TestTask.new\ntask :build\n"}, False, None),
        ({"Gemfile": "", "lib/adder.rb": ""}, True, None),
        ({"spec/spec_helper.rb": ""}, False, None),  # a helper and no spec
    ],
)
def test_ruby_detection(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    files: dict[str, str],
    bundler: bool,
    expected: str | None,
) -> None:
    """A Ruby project's tests are found as RSpec's and minitest's are read (before, every
    Ruby project needed its test command set: none was detected)."""
    from acrouter.verifier import detection

    real = detection.shutil.which
    monkeypatch.setattr(
        detection.shutil,
        "which",
        lambda name, *a, **k: (
            ("/usr/bin/bundle" if bundler else None) if name == "bundle" else real(name, *a, **k)
        ),
    )
    assert detect_test_command(write_tree(tmp_path, files)) == expected


NODE_TEST = 'const test = require("node:test");\nconst assert = require("node:assert");\n'
JEST_TEST = 'describe("calc", () => {\n  it("adds", () => expect(1 + 1).toBe(2));\n});\n'
NPM_INIT = json.dumps({"scripts": {"test": 'echo "Error: no test specified" && exit 1'}})


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        # npm init's script, tests of node's own runner: before, none was found
        ({"package.json": NPM_INIT, "calc.test.js": NODE_TEST}, "node --test"),
        ({"package.json": "{}", "test/calc.mjs": 'import test from "node:test";\n'}, "node --test"),
        ({"test/calc.mjs": 'import test from "node:test";\n'}, None),  # (no package.json)
        (
            {
                "package.json": "{}",
                "test-calc.js": NODE_TEST,
                "test/fixtures/data.js": "module.exports = 1;\n",
            },
            "node --test",
        ),
        # a script of the project's own comes first
        (
            {"package.json": json.dumps({"scripts": {"test": "mocha"}}), "a.test.js": NODE_TEST},
            "npm test",
        ),
        # another runner's tests (jest's globals), or none of node's: not node --test
        ({"package.json": NPM_INIT, "a.test.js": NODE_TEST, "b.test.js": JEST_TEST}, None),
        ({"package.json": NPM_INIT, "b.test.js": JEST_TEST}, None),
        ({"package.json": NPM_INIT, "calc.js": NODE_TEST}, None),  # (not a name node runs)
        ({"package.json": NPM_INIT, "node_modules/m/x.test.js": NODE_TEST}, None),
    ],
)
def test_node_test_detection(tmp_path: Path, files: dict[str, str], expected: str | None) -> None:
    assert detect_test_command(write_tree(tmp_path, files)) == expected


def test_an_rspec_binstub_is_the_projects_rspec(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"spec/adder_spec.rb": "", "bin/rspec": "#!/usr/bin/env ruby\n"})
    assert detect_test_command(root) == "rspec"  # (not executable: not a binstub)
    (root / "bin/rspec").chmod(0o755)
    assert detect_test_command(root) == "bin/rspec"


@pytest.mark.parametrize("venv", [".venv", "venv"])
def test_detection_uses_the_projects_virtualenv(tmp_path: Path, venv: str) -> None:
    write_tree(tmp_path, {"tests/test_a.py": ""})
    py = _venv(tmp_path, venv)
    assert detect_test_command(tmp_path) == f"{shlex.quote(str(py))} -m pytest"


def test_pytest_plans_get_a_report() -> None:
    plan = plan_command("/p/.venv/bin/python -m pytest -x tests", "/out")
    assert plan.pytest and plan.interpreter == "/p/.venv/bin/python"
    assert plan.argv[:5] == ("/p/.venv/bin/python", "-m", "pytest", "-x", "tests")
    assert "--junitxml=/out/report.xml" in plan.argv and "no:cacheprovider" in plan.argv
    assert plan.reports == (("junit", "/out/report.xml"),) and plan.weak is None
    assert plan_command("pytest -q", "/out").pytest
    assert plan_command("python3 -mpytest", "/out").pytest


@pytest.mark.parametrize("cmd", ["make test", "tox", "./run-tests.sh", "pytest a && pytest b"])
def test_commands_without_per_test_results_are_weak(cmd: str) -> None:
    plan = plan_command(cmd, "/out")
    assert plan.runner is None and not plan.expects_report
    assert plan.weak is not None and WEAK_REASON in plan.weak


def test_shell_lines_keep_their_runner() -> None:
    """``cd x && ...``, ``VAR=1 cmd``: the one segment that runs the tests is found; a
    pytest inside a shell line reports through PYTEST_ADDOPTS."""
    plan = plan_command("cd /abs/ws && .venv/bin/python -m pytest -q", "/out")
    assert plan.argv[:2] == ("/bin/sh", "-c") and plan.pytest and plan.weak is None
    assert plan.interpreter == ".venv/bin/python"
    plan = plan_command("FOO=1 pytest", "/out")
    assert plan.argv[0] == "/bin/sh" and plan.pytest
    plan = plan_command("CI=1 go test ./... | tee log", "/out")
    assert plan.runner == "go" and "go test -json ./..." in plan.argv[2]
    plan = plan_command("cd rs && cargo test --all", "/out")
    assert plan.runner == "cargo"
    assert plan.argv[2].endswith("cargo test --no-fail-fast --all -- --format=pretty")
    assert plan_command("cargo test -q", "/out").weak is not None
    plan = plan_command("pytest -q 2>&1 | tee log", "/out")
    assert plan.argv[2].startswith("pytest -q 2>&1 --junitxml=/out/report.xml")


def test_runner_flags() -> None:
    jest = plan_command("npx jest --ci", "/out")
    assert jest.runner == "jest" and jest.argv[-2:] == ("--json", "--outputFile=/out/jest.json")
    vitest = plan_command("vitest run", "/out")
    assert vitest.runner == "vitest" and "--outputFile.json=/out/vitest.json" in vitest.argv
    mocha = plan_command("mocha test/", "/out")
    assert mocha.runner == "mocha" and "--reporter-option=output=/out/mocha.json" in mocha.argv
    node = plan_command("node --test test/", "/out")
    assert node.runner == "node" and node.argv == ("node", "--test", "test/")
    assert "/out/acrouter-node-reporter.mjs" in node.env["NODE_OPTIONS"]
    assert "/out/acrouter-node-reporter.mjs" in node.files
    go = plan_command("go test ./...", "/out")
    assert go.argv == ("go", "test", "-json", "./...") and go.capture == "/out/output.log"


def test_unittest_runs_through_pytest_when_it_can(tmp_path: Path) -> None:
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "check_a.py").write_text("import unittest\n")
    command = "python3 -m unittest discover -s tests -p 'check_*.py'"
    plan = plan_command(command, "/out", tmp_path)
    assert plan.runner == "unittest" and plan.argv[:2] == ("/bin/sh", "-c")
    script = plan.argv[2]
    assert "python3 -c 'import pytest'" in script  # decided inside the sandbox
    assert "-o 'python_files=check_*.py'" in script and script.count(" tests") >= 1
    assert "python3 -m unittest discover -s tests -p 'check_*.py' -v" in script
    assert [r[0] for r in plan.reports] == ["junit", "unittest"]
    named = plan_command("python3 -m unittest tests.test_calc", "/out")
    assert "pytest" not in named.argv[2] and named.argv[2].endswith("-v")
    # a test module (or a test package's __init__.py) that defines load_tests adds
    # suites pytest never runs (a DocFileSuite, a DocTestSuite): unittest runs them
    (tmp_path / "tests" / "__init__.py").write_text(
        "import doctest\n\ndef load_tests(loader, tests, pattern):\n    return tests\n"
    )
    plain = plan_command(command, "/out", tmp_path)
    assert "pytest" not in plain.argv[2] and plain.argv[2].endswith("-v")


def test_npm_test_reads_the_script(tmp_path: Path) -> None:
    def plan_for(script: str, command: str = "npm test") -> object:
        (tmp_path / "package.json").write_text(json.dumps({"scripts": {"test": script}}))
        return plan_command(command, "/out", tmp_path)

    jest = plan_for("eslint . && jest --ci")
    assert jest.runner == "jest" and jest.argv == (
        "npm",
        "test",
        "--",
        "--json",
        "--outputFile=/out/jest.json",
    )
    node = plan_for("node --test test/ && echo done")
    assert node.runner == "node" and "NODE_OPTIONS" in node.env
    assert plan_for("jest && eslint .").weak is not None  # flags would reach eslint
    assert plan_for("make check").weak is not None
    mocha = plan_for("mocha", "npm run test")
    assert mocha.runner == "mocha" and mocha.argv[:4] == ("npm", "run", "test", "--")
    # tape prints TAP on stdout: read from the output, the command unchanged (also
    # under a coverage wrapper: minimist's "nyc tape 'test/**/*.js'")
    tape = plan_for("nyc tape 'test/**/*.js'", "npm run test")
    assert tape.runner == "tape" and tape.argv == ("npm", "run", "test") and not tape.weak
    assert tape.reports == (("tape", "/out/output.log"),) and tape.capture == "/out/output.log"
    assert plan_command("tape test/*.js", "/out").runner == "tape"
    assert plan_command("c8 --all mocha", "/out").runner == "mocha"


def test_environment_runners_keep_the_runner_behind_them() -> None:
    for command in ("uv run pytest -q", "poetry run pytest", "pdm run python -m pytest"):
        plan = plan_command(command, "/out")
        assert plan.pytest and plan.weak is None, command
        assert "--junitxml=/out/report.xml" in plan.argv[-1], command  # the shell line
    # the options of uv run, with their values, come before the command
    plan = plan_command("uv run --frozen --with pytest-cov python -m pytest -x", "/out")
    assert plan.pytest and plan.argv[-1].startswith("uv run --frozen --with pytest-cov python")
    # "--with pytest" names a package, not the command: mytool is not a runner we read
    assert plan_command("uv run --with pytest mytool", "/out").weak is not None
    assert plan_command("uv sync", "/out").weak is not None
    # a unittest rewrite keeps the wrapper and the variables before every command
    script = plan_command("PYTHONPATH=src uv run python -m unittest", "/out").argv[2]
    assert script.count("PYTHONPATH=src uv run python ") == 3, script
    # ... as written: shlex.join quoted PYTHONPATH='a b' as one word, which sh then ran
    # as a command of that name, and $PWD/src as a literal
    for setup in ("PYTHONPATH='a b'", 'PYTHONPATH="$PWD/src" env'):
        script = plan_command(f"{setup} python -m unittest", "/out").argv[2]
        assert script.count(f"{setup} python ") == 3, script


def test_yarn_and_pnpm_pass_the_reporter_flags_as_each_passes_arguments(tmp_path: Path) -> None:
    # measured with yarn 1.22, yarn 4.18 and pnpm 9: "yarn test X" and "pnpm run test X" hand X to the
    # script, "pnpm test X" rejects X as its own option ("pnpm test -- X" hands it on),
    # and "pnpm run test -- X" hands on "--" too, which jest would read as the end of
    # its options
    (tmp_path / "package.json").write_text(json.dumps({"scripts": {"test": "jest --ci"}}))
    flags = ("--json", "--outputFile=/out/jest.json")
    for command, argv in (
        ("yarn test", ("yarn", "test", *flags)),
        ("yarn run test", ("yarn", "run", "test", *flags)),
        ("pnpm test", ("pnpm", "test", "--", *flags)),
        ("pnpm run test", ("pnpm", "run", "test", *flags)),
        ("yarn jest", ("yarn", "jest", *flags)),
        ("pnpm exec jest", ("pnpm", "exec", "jest", *flags)),
    ):
        plan = plan_command(command, "/out", tmp_path)
        assert (plan.runner, plan.argv, plan.weak) == ("jest", argv, None), command
    assert plan_command("yarn tsc", "/out", tmp_path).weak is not None


def test_ruby_runners(tmp_path: Path) -> None:
    """RSpec gets its JSON formatter (and ``progress`` for the console when the command
    names no format); minitest (``rake test``, ``ruby -Itest FILE``) our plugin through
    RUBYLIB; ``bundle exec`` keeps the runner; other rake tasks, ``ruby -e`` are weak."""
    rspec = plan_command("bundle exec rspec spec/a_spec.rb", "/out")
    assert rspec.runner == "rspec" and not rspec.weak
    assert rspec.argv == (
        *("bundle", "exec", "rspec", "spec/a_spec.rb"),
        *("--format", "progress", "--format", "json", "--out", "/out/rspec.json"),
    )
    assert rspec.reports == (("rspec", "/out/rspec.json"),)
    documented = plan_command("rspec -fd", "/out")
    assert documented.argv == ("rspec", "-fd", "--format", "json", "--out", "/out/rspec.json")
    assert plan_command("cd x && bin/rspec", "/out").argv[2] == (
        "cd x && bin/rspec --format progress --format json --out /out/rspec.json"
    )
    for cmd in (
        "rake test",
        "bundle exec rake test TEST=test/a_test.rb",
        "ruby -Ilib -I test test/adder_test.rb -v",
        "ruby test_adder.rb",
        "cd x && rake -f Rakefile test",
    ):
        plan = plan_command(cmd, "/out")
        assert plan.runner == "minitest" and not plan.weak, cmd
        assert plan.env == {
            "RUBYLIB": "/out/acrouter-ruby",
            "ACROUTER_MINITEST_OUT": "/out/minitest.jsonl",
        }
        assert list(plan.files) == ["/out/acrouter-ruby/minitest/acrouter_plugin.rb"]
        assert plan.reports == (("minitest", "/out/minitest.jsonl"),)
    # test-unit's files (not minitest's): read by the exit code
    root = write_tree(tmp_path, {"test/helper.rb": 'require "test/unit"\n', "test/a_test.rb": ""})
    for cmd in ("rake test", "ruby -Itest test/a_test.rb"):
        weak = plan_command(cmd, "/out", root).weak
        assert weak is not None and "test-unit's results are not read" in weak, cmd
    for cmd in ("rake", "rake spec", "rake test lint", "ruby -e 'require \"x\"'", "ruby lib/x.rb"):
        assert plan_command(cmd, "/out").weak is not None, cmd


def test_python_version_from_pyvenv_cfg(tmp_path: Path) -> None:
    py = _venv(tmp_path, version="3.13.1")
    assert python_version(str(py)) == (3, 13)
    assert not can_check_syntax(str(py)) or sys.version_info >= (3, 13)
    assert python_version(sys.executable) == sys.version_info[:2]
    assert can_check_syntax(sys.executable)
    assert python_version("no-such-python-here") is None


def test_python_version_of_a_free_threaded_build(tmp_path: Path) -> None:
    # 3.13's free-threaded interpreter is python3.13t: its version was unknown, so the
    # syntax check never ran for it
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "python3.13t").write_text("")
    (tmp_path / "bin" / "python3").symlink_to("python3.13t")
    assert python_version(str(tmp_path / "bin" / "python3")) == (3, 13)


JUNIT = """<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest" tests="5">
<testcase classname="tests.test_a" name="test_ok" time="0.1"/>
<testcase classname="tests.test_a" name="test_bad" time="0.1"><failure message="assert 1 == 2">trace</failure></testcase>
<testcase classname="tests.test_a" name="test_skip"><skipped message="no"/></testcase>
<testcase classname="tests.test_a" name="test_teardown"/>
<testcase classname="tests.test_a" name="test_teardown"><error message="teardown failed"/></testcase>
<testcase classname="" name="tests.test_broken"><error message="collection failure"/></testcase>
</testsuite></testsuites>
"""


def test_parse_junit(tmp_path: Path) -> None:
    path = tmp_path / "r.xml"
    path.write_text(JUNIT)
    report = parse_junit(path)
    assert report is not None
    assert report.outcomes == {
        "tests.test_a::test_ok": "passed",
        "tests.test_a::test_bad": "failed",
        "tests.test_a::test_skip": "skipped",
        "tests.test_a::test_teardown": "failed",
        "tests.test_broken": "failed",
    }
    assert report.messages["tests.test_a::test_bad"] == "assert 1 == 2"


def test_unreadable_reports_are_none(tmp_path: Path) -> None:
    assert parse_junit(tmp_path / "missing.xml") is None
    (tmp_path / "bad.xml").write_text("<testsuite><testcase")
    assert parse_junit(tmp_path / "bad.xml") is None
    (tmp_path / "empty.xml").write_text("<testsuites/>")
    report = parse_junit(tmp_path / "empty.xml")
    assert report is not None and report.outcomes == {}
