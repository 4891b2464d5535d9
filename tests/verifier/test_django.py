"""Django's test runner end to end: ``python manage.py test``, ``python -m django test``
and ``django-admin test`` are read per test from the ``--verbosity 2`` lines its
unittest runner prints (``test_add (calc.tests.CalcTests.test_add) ... ok``).  Before,
they were judged by their exit code only (weak): an edit whose code raised
``unittest.SkipTest`` where it broke left its failing tests skipped, exit code 0, and was
a counted pass.  A project with ``manage.py`` and no pytest configuration gets
``python manage.py test`` as its command; the modules its pattern names (``test*.py``) and
``manage.py`` are the tests'; a runner of the code's own (``TEST_RUNNER``, a
``DiscoverRunner`` whose ``run_suite`` reports what it likes) trips the harness wire, and
so, where the report is what the runner prints (Django's, ``python -m unittest``'s
``-v``), does code that replaces or redirects the process's streams.
Needs Debian's Django for its python3 (``apt-get install python3-django``)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from acrouter.context import workspace_root
from acrouter.domain import Verdict
from acrouter.verifier.commandline import django_test, django_verbosity, runner_of
from acrouter.verifier.detection import detect_test_command
from acrouter.verifier.harness import reaches_into_harness
from acrouter.verifier.harness_py import output_uses
from acrouter.verifier.runners import WEAK_REASON, plan_command
from acrouter.verifier.testcommand import command_patterns

from .helpers import OVERLAY_AND_NONE, verify_files, write_tree

#: Debian's python3, the one python3-django installs Django for
PYTHON = "/usr/bin/python3"
COMMAND = f"{PYTHON} manage.py test"

MANAGE = """\
#!/usr/bin/env python3
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "site_conf.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
"""
SETTINGS = """\
SECRET_KEY = "only-for-tests"
INSTALLED_APPS = ["calc"]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
USE_TZ = True
"""
OPS = """\
def add(a, b):
    return a + b


def sub(a, b):
    return a - b


def describe(a, b):
    return f"{a} + {b} = {add(a, b)}"
"""
TESTS = """\
from django.test import SimpleTestCase

from calc.ops import add, sub


class CalcTests(SimpleTestCase):
    def test_add(self):
        self.assertEqual(add(2, 3), 5)

    def test_sub(self):
        self.assertEqual(sub(5, 3), 2)

    def test_sub_zero(self):
        self.assertEqual(sub(1, 1), 0)
"""
BROKEN_SUB = OPS.replace("return a - b", "return a + b")


def _has_django() -> bool:
    try:
        done = subprocess.run(
            [PYTHON, "-c", "import django"], check=False, capture_output=True, timeout=60
        )
    except OSError:
        return False
    return done.returncode == 0


@pytest.fixture
def project(tmp_path: Path) -> Path:
    if not _has_django():
        pytest.skip("python3-django is not installed (Debian: apt-get install python3-django)")
    files = {
        "manage.py": MANAGE,
        "site_conf/__init__.py": "",
        "site_conf/settings.py": SETTINGS,
        "calc/__init__.py": "",
        "calc/ops.py": OPS,
        "calc/tests.py": TESTS,
    }
    return write_tree(tmp_path / "site", files)


def _verify(root: Path, files: dict[str, str], command: str = COMMAND, **kw: object) -> Verdict:
    kw.setdefault("timeout_s", 120)
    return verify_files(root, files, command, **kw)


@pytest.mark.parametrize("mode", OVERLAY_AND_NONE)
def test_a_harmless_edit_passes_per_test_and_a_broken_one_names_its_tests(
    project: Path, mode: dict[str, object]
) -> None:
    v = _verify(project, {"calc/ops.py": OPS.replace("a + b", "b + a", 1)}, **mode)
    assert v.verdict == "pass" and v.counted and not v.weak, v.detail
    assert (v.tests_passed_before, v.tests_passed, v.tests_failed) == (3, 3, 0)
    broken = _verify(project, {"calc/ops.py": BROKEN_SUB}, **mode)
    assert broken.verdict == "fail" and broken.counted and not broken.weak, broken.detail
    assert "calc.tests.CalcTests.test_sub" in broken.detail, broken.detail
    assert "test_add" not in broken.detail
    messages = {f.test_id: f.message for f in broken.failures}
    assert messages["calc.tests.CalcTests.test_sub"] == "AssertionError: 8 != 2", messages


def test_code_that_skips_the_tests_it_breaks_fails(project: Path) -> None:
    """By its exit code this was a counted pass: the two tests of ``sub`` skipped."""
    files = {
        "calc/ops.py": OPS.replace(
            "    return a - b", "    import unittest\n\n    raise unittest.SkipTest('later')"
        )
    }
    v = _verify(project, files)
    assert v.verdict == "fail" and v.counted and not v.weak, v.detail
    assert "became skipped" in v.detail and "calc.tests.CalcTests.test_sub_zero" in v.detail


def test_the_edits_skip_of_a_test_is_set_aside(project: Path) -> None:
    skipped = TESTS.replace(
        "    def test_sub(self):", "    @__import__('unittest').skip('x')\n    def test_sub(self):"
    )
    v = _verify(project, {"calc/ops.py": BROKEN_SUB, "calc/tests.py": skipped})
    assert v.verdict == "fail" and "calc/tests.py" in v.detail and "set aside" in v.detail, v.detail


def test_code_that_ends_the_run_with_exit_0_is_not_a_pass(project: Path) -> None:
    files = {
        "calc/ops.py": BROKEN_SUB.replace(
            "return a + b\n\n\ndef describe", "import os\n    os._exit(0)\n\n\ndef describe"
        )
    }
    assert "os._exit(0)" in files["calc/ops.py"]
    v = _verify(project, files)
    assert v.verdict == "fail" and not v.weak, v.detail
    assert "no test report" in v.detail, v.detail


def test_a_runner_of_the_codes_own_is_not_verified(project: Path) -> None:
    """A setting naming a runner that reports every test passed, whatever ran."""
    runner = (
        "from django.test.runner import DiscoverRunner\n\n\n"
        "class Quiet(DiscoverRunner):\n"
        "    def run_suite(self, suite, **kwargs):\n"
        "        return super().run_suite(suite.__class__(), **kwargs)\n"
    )
    files = {
        "calc/ops.py": BROKEN_SUB,
        "calc/runner.py": runner,
        "site_conf/settings.py": SETTINGS + "TEST_RUNNER = 'calc.runner.Quiet'\n",
    }
    v = _verify(project, files)
    assert v.verdict == "fail" and not v.counted, v.detail
    assert "reaches into the test harness" in v.detail, v.detail


def test_a_line_no_test_runs_is_not_counted(project: Path) -> None:
    v = _verify(project, {"calc/ops.py": OPS.replace('f"{a} + {b}', 'f"{a} - {b}')})
    assert v.verdict == "pass" and not v.counted and not v.weak, v.detail
    assert "calc/ops.py line 10" in v.unrun, v.unrun


def test_python_m_django_with_settings_of_its_own(project: Path) -> None:
    command = f"DJANGO_SETTINGS_MODULE=site_conf.settings {PYTHON} -m django test calc -v 1"
    v = _verify(project, {"calc/ops.py": BROKEN_SUB}, command)
    assert v.verdict == "fail" and not v.weak, v.detail
    assert "calc.tests.CalcTests.test_sub" in v.detail


@pytest.mark.parametrize(
    ("command", "runner"),
    [
        ("python manage.py test", "django"),
        ("python3 -W error manage.py test calc -v 2", "django"),
        ("./manage.py test", "django"),
        ("python -m django test calc --settings site_conf.settings", "django"),
        ("django-admin test --settings=site_conf.settings", "django"),
        ("python manage.py runserver", None),
        ("python manage.py test --help", None),
        ("python -m django check", None),
        ("python -c manage.py test", None),
    ],
)
def test_which_commands_run_djangos_tests(command: str, runner: str | None) -> None:
    assert runner_of(tuple(command.split())) == runner


def test_the_verbosity_that_prints_each_test_is_asked_for(tmp_path: Path) -> None:
    out = str(tmp_path / "out")
    plan = plan_command("python manage.py test calc", out)
    assert plan.argv == ("python", "manage.py", "test", "calc", "--verbosity", "2")
    assert plan.runner == "django" and not plan.weak and plan.capture == f"{out}/output.log"
    assert plan_command("python manage.py test -v 3", out).argv[-2:] == ("-v", "3")
    # the last verbosity wins: a quiet one given first is overridden
    assert plan_command("python manage.py test -v0", out).argv[-2:] == ("--verbosity", "2")
    line = plan_command("cd site && python -m django test calc", out)
    assert line.argv[-1].endswith("python -m django test calc --verbosity 2")
    custom = plan_command("python manage.py test --testrunner x.Runner", out)
    assert custom.weak and custom.weak.startswith(WEAK_REASON) and "--testrunner" in custom.weak
    words = ("calc", "-v", "1", "--verbosity=3")
    assert django_verbosity(words) == 3 and django_verbosity(("calc",)) is None
    assert django_test(("python", "manage.py", "test", "calc")) == 3


def test_the_tests_files_and_the_detected_command(tmp_path: Path) -> None:
    assert command_patterns("python manage.py test") == ("test*.py", "manage.py")
    assert command_patterns("python manage.py test -p 'check_*.py'")[0] == "check_*.py"
    root = write_tree(tmp_path / "p", {"manage.py": MANAGE, "calc/tests.py": TESTS})
    assert detect_test_command(root) == "python3 manage.py test"
    (root / "pytest.ini").write_text("[pytest]\nDJANGO_SETTINGS_MODULE = site_conf.settings\n")
    assert detect_test_command(root) == "python3 -m pytest"


FORGED_OUTPUT = (
    BROKEN_SUB
    + """

import atexit as _atexit
import os as _os
import sys as _sys


class _Filter:
    def __init__(self, stream):
        self.stream = stream

    def write(self, text):
        return self.stream.write(text.replace("FAIL", "ok").replace("failures=1", ""))

    def flush(self):
        self.stream.flush()


_sys.stderr = _Filter(_sys.stderr)
_atexit.register(lambda: _os._exit(0))
"""
)


def test_code_that_rewrites_the_printed_results_is_not_verified(project: Path) -> None:
    """The runner's lines are its report: code that filtered stderr (FAIL -> ok) and
    ended the process with exit code 0 was a counted pass, 3 passed."""
    v = _verify(project, {"calc/ops.py": FORGED_OUTPUT})
    assert v.verdict == "fail" and not v.counted, v.detail
    assert "changes the process's output (replaces sys.stderr)" in v.detail, v.detail


def test_what_changes_the_printed_output() -> None:
    text = (
        "import os, sys as s\n"
        "from contextlib import redirect_stderr\n"
        "s.stderr = None\n"
        "sys.stdout.write = print\n"
        "setattr(s, 'stderr', None)\n"
        "setattr(s, 'argv', [])\n"
        "os.dup2(1, 2)\n"
        "os.close(2)\n"
        "f.close()\n"
        "print('x', file=s.stderr)\n"
        "with redirect_stderr(None):\n    pass\n"
    )
    assert output_uses(text) == {
        "replaces sys.stderr": 1,
        "replaces sys.stdout": 1,
        "setattr on sys's streams": 1,
        "calls dup2": 1,
        "closes file descriptor 2": 1,
        "calls redirect_stderr": 1,
    }


def test_the_output_rule_holds_where_the_report_is_printed_only(tmp_path: Path) -> None:
    texts = {"calc/ops.py": "import sys\nsys.stderr = open('/dev/null', 'w')\n"}
    olds = {"calc/ops.py": ""}
    assert reaches_into_harness(texts, olds, printed=True)
    assert reaches_into_harness(texts, olds, printed=False) is None
    printed = {p for p, _ in plan_command("python -m unittest", str(tmp_path)).reports}
    assert "unittest" in printed
    assert "unittest" not in {p for p, _ in plan_command("pytest", str(tmp_path)).reports}


PRINTS_AND_EXITS = OPS.replace(
    "def sub(a, b):\n    return a - b",
    "def sub(a, b):\n"
    "    import os\n    import sys\n\n"
    "    sys.stderr.write(\n"
    '        "test_sub (calc.tests.CalcTests.test_sub) ... ok\\n"\n'
    '        "test_sub_zero (calc.tests.CalcTests.test_sub_zero) ... ok\\n"\n'
    '        "\\n" + "-" * 70 + "\\nRan 3 tests in 0.001s\\n\\nOK\\n"\n'
    "    )\n"
    "    sys.stderr.flush()\n"
    "    os._exit(0)",
)


def test_lines_printed_before_the_process_ended_early_are_not_counted(project: Path) -> None:
    """``sub`` printed the runner's lines for its two tests, then ``os._exit(0)``: the
    report read 3 passed, exit code 0, a counted pass.  The tracer saw the process end
    before it wrote its lines: the pass is not counted, and says why."""
    v = _verify(project, {"calc/ops.py": PRINTS_AND_EXITS})
    assert v.verdict != "pass" or not v.counted, v.detail
    assert "may not be the runner's" in v.detail and "may not be the runner's" in v.unrun


def test_a_parallel_run_is_read_and_counted(project: Path) -> None:
    """``--parallel 2``: two test classes, one per worker process; their results are
    printed by the main process."""
    head = "from django.test import SimpleTestCase\n\nfrom calc.ops import add, describe, sub\n"
    more = head + "\n\n" + TESTS.split("\n\n\n", 1)[1].replace("CalcTests", "MoreTests")
    (project / "calc" / "test_more.py").write_text(
        more + "\n    def test_describe(self):\n"
        "        self.assertEqual(describe(1, 2), '1 + 2 = 3')\n"
    )
    command = f"{COMMAND} --parallel 2"
    v = _verify(project, {"calc/ops.py": OPS.replace("a + b", "b + a", 1)}, command)
    assert v.verdict == "pass" and v.counted and not v.weak, v.detail
    assert (v.tests_passed_before, v.tests_passed) == (7, 7)
    broken = _verify(project, {"calc/ops.py": BROKEN_SUB}, command)
    # without tblib a worker cannot send a failure's traceback, and the run stops there;
    # under load its pool may then hang at exit (about 1 run in 15 on 2 busy cores): a
    # timeout whose verdict names what the run printed before it hung
    assert broken.verdict == "fail" and not broken.weak, broken.detail
    assert "AssertionError: 8 != 2" in broken.detail or "CalcTests.test_sub" in broken.detail


def test_the_command_line_finds_a_django_projects_root(tmp_path: Path) -> None:
    """``acrouter complete --file calc/ops.py`` without ``--workspace``: the folder with
    ``manage.py`` (a Django project need not have ``.git`` or a ``pyproject.toml``), not
    the file's own folder, whose tests Django would not find."""
    root = write_tree(tmp_path / "site", {"manage.py": MANAGE, "calc/ops.py": OPS})
    assert workspace_root(root / "calc" / "ops.py") == root.resolve()
