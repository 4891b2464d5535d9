"""Edits that reach into the test harness are never verified.

Found by ``benchmarks/verify_trust.py`` on jsonpointer 3.12, whose suite is ``tests.py``
at the root run with ``python -m unittest``: an edit that broke ``resolve_pointer`` and
replaced ``unittest.TestCase.run`` with one recording a success was verified, twice:

- from ``tests.py``: that name was not one of the tests' files (only ``test_*.py``,
  ``*_test.py``), so the edit was judged on its own tests.  ``test.py``, ``tests.py``,
  ``*_tests.py`` now belong to the tests, and so does whatever a ``python -m unittest``
  command loads (its ``-p`` pattern, ``test*.py`` by default, or the modules it names);
- from ``jsonpointer.py`` itself, the code under test, which runs inside the test process:
  its results cannot be trusted, whatever the tests are.  Code that gains what only a
  test harness needs (``verifier.harness``) is not verified.

The sample projects below are tiny copies of those cases (``python -m unittest`` through
pytest when the interpreter has it, from ``-v`` output when not; and plain pytest).
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from acrouter.domain import Edit
from acrouter.verifier.edits import texts_before
from acrouter.verifier.harness import reaches_into_harness
from acrouter.verifier.harness_js import js_harness_uses
from acrouter.verifier.harness_py import harness_uses
from acrouter.verifier.testcommand import command_patterns
from acrouter.verifier.testfiles import is_test_file

from .helpers import (
    CALC,
    CALC_FIXED,
    TEST_PY,
    TEST_UT,
    needs_bwrap,
    pytest_cmd,
    task_for,
    verifier,
    write_tree,
)

#: unittest's TestCase.run replaced by one that records a success and runs nothing
PATCH_RUN = """\
import unittest as _u


def _run(self, result=None):
    result.startTest(self)
    result.addSuccess(self)
    result.stopTest(self)


_u.TestCase.run = _run
"""
#: every pytest report rewritten to "passed", from the code under test
PATCH_PYTEST = """\
import _pytest.runner as _r

_make = _r.TestReport.from_item_and_call.__func__


def _passed(cls, item, call):
    report = _make(cls, item, call)
    report.outcome = "passed"
    report.longrepr = None
    return report


_r.TestReport.from_item_and_call = classmethod(_passed)
"""


#: the sample projects' interpreter (test_other_python.py runs these tests with another)
PYTHON = sys.executable


def _python(tmp_path: Path, with_pytest: bool) -> str:
    """This interpreter (it has pytest: unittest runs through it), or a virtualenv
    without pytest (its ``-v`` output is read)."""
    if with_pytest:
        return shlex.quote(PYTHON)
    where = tmp_path / "bare"
    subprocess.run([PYTHON, "-m", "venv", "--without-pip", str(where)], check=True)
    return str(where / "bin" / "python")


RUNS = pytest.mark.parametrize("with_pytest", [True, False], ids=["via-pytest", "verbose-output"])


# --------------------------------------------------------------------------- which files


@pytest.mark.parametrize("rel", ["tests.py", "test.py", "pkg/calc_tests.py"])
def test_unittest_module_names_belong_to_the_tests(rel: str) -> None:
    assert is_test_file(rel)


@pytest.mark.parametrize(
    ("command", "patterns"),
    [
        ("python -m unittest", ("test*.py",)),
        ("python -m unittest -v discover -s tests -t .", ("test*.py",)),
        ("python3 -m unittest discover -s tests -p 'check_*.py'", ("check_*.py",)),
        ("python -m unittest discover tests '*_spec.py'", ("*_spec.py",)),
        ("python -m unittest checks", ("checks.py", "checks/*")),
        ("python -m unittest pkg.checks", ("pkg.py", "pkg/checks.py", "pkg/checks/*")),
        ("python -m unittest tests/check_a.py", ("tests/check_a.py",)),
        ("cd src && python -m pytest -q", ()),
    ],
)
def test_what_a_unittest_command_loads(command: str, patterns: tuple[str, ...]) -> None:
    assert command_patterns(command) == patterns


def test_the_commands_patterns_make_test_files() -> None:
    assert not is_test_file("pkg/testing_utils.py")  # not for pytest's naming rules
    assert is_test_file("pkg/testing_utils.py", ("test*.py",))  # but unittest loads it
    assert is_test_file("pkg/checks/a.py", ("pkg/checks/*",))
    assert not is_test_file("pkg/__init__.py", command_patterns("python -m unittest pkg.checks"))


# --------------------------------------------------------------------------- the tripwire


def test_what_counts_as_reaching_into_the_harness() -> None:
    assert harness_uses(PATCH_RUN) == {
        "changes _u.TestCase.run": 1,
        "uses addSuccess": 1,
        "uses startTest": 1,
        "uses stopTest": 1,
    }
    assert "changes _r.TestReport.from_item_and_call" in harness_uses(PATCH_PYTEST)
    assert harness_uses("from unittest import TestCase\nsetattr(TestCase, 'run', None)\n") == {
        "setattr(TestCase, ...)": 1
    }
    ordinary = (
        "import unittest.mock\nfrom unittest import mock\nimport pytest\n\n"
        "m = mock.Mock()\nm.return_value = 1\nx = unittest.mock.sentinel.a\n"
        "def check(v):\n    if v is None:\n        pytest.fail('no value')\n"
    )
    assert harness_uses(ordinary) == {}
    assert harness_uses("def broken(:\n") == {}  # the syntax check reports that


def test_only_what_the_edit_adds_counts(tmp_path: Path) -> None:
    plugin = "import pytest\n\n\ndef pytest_configure(config):\n    pass\n"
    write_tree(tmp_path, {"plugin.py": plugin})
    same = {"plugin.py": plugin + "\n\ndef helper():\n    return 1\n"}
    assert reaches_into_harness(same, texts_before(tmp_path, same, {})) is None
    more = {"plugin.py": plugin + "\n\ndef pytest_collection_modifyitems(items):\n    pass\n"}
    why = reaches_into_harness(more, texts_before(tmp_path, more, {}))
    assert why is not None and why.startswith(
        "plugin.py (not one of the tests' files) reaches into the test harness "
        "(uses pytest_collection_modifyitems)"
    )
    assert reaches_into_harness({"tests/test_x.py": PATCH_RUN}, {}) is None
    assert reaches_into_harness({"check_x.py": PATCH_RUN}, {}, ("check_*.py",)) is None


def test_what_the_edit_adds_is_counted_against_the_unsaved_buffer_it_was_made_from(
    tmp_path: Path,
) -> None:
    # the user added the hook in the editor, not saved; the edit was made from that buffer
    # and keeps it: before, the file on disk was the base, and the user's own hook was
    # taken for the edit's (the edit could not be verified)
    plugin = "import pytest\n\n\ndef pytest_configure(config):\n    pass\n"
    write_tree(tmp_path, {"plugin.py": "import pytest\n"})
    edit = {"plugin.py": plugin + "\n\ndef helper():\n    return 1\n"}
    assert reaches_into_harness(edit, texts_before(tmp_path, edit, {})) is not None  # disk
    assert reaches_into_harness(edit, texts_before(tmp_path, edit, {"plugin.py": plugin})) is None
    # and the other way: the hook is on disk, the user removed it unsaved, the edit adds it
    write_tree(tmp_path, {"plugin.py": plugin})
    unsaved = {"plugin.py": "import pytest\n"}
    why = reaches_into_harness(edit, texts_before(tmp_path, edit, unsaved))
    assert why is not None and "pytest_configure" in why


# --------------------------------------------------------------------------- verified edits


@needs_bwrap
@RUNS
@pytest.mark.parametrize(
    ("test_file", "args"),
    [("tests.py", ""), ("check_calc.py", " discover -p 'check_*.py'")],
    ids=["tests.py", "custom-pattern"],
)
def test_a_test_module_patching_testcase_run_is_set_aside(
    tmp_path: Path, with_pytest: bool, test_file: str, args: str
) -> None:
    root = write_tree(tmp_path / "ut", {"calc.py": CALC_FIXED, test_file: TEST_UT})
    command = f"{_python(tmp_path, with_pytest)} -m unittest{args}"
    v = verifier(timeout_s=60)
    task = task_for(root, command)
    cheat = Edit(files={"calc.py": CALC, test_file: PATCH_RUN + TEST_UT})
    out = v.verify(task, cheat, "m")
    assert out.verdict == "fail" and out.counted, out.detail
    assert out.detail.startswith(f"with your tests (the edit's changes to {test_file} set aside)")
    comment = Edit(files={"calc.py": CALC_FIXED + "# a harmless comment\n"})
    assert v.verify(task, comment, "m").verdict == "pass"


@needs_bwrap
@RUNS
def test_the_code_under_test_patching_testcase_run_is_not_verified(
    tmp_path: Path, with_pytest: bool
) -> None:
    root = write_tree(
        tmp_path / "ut",
        {"calc.py": CALC_FIXED, "tests/__init__.py": "", "tests/test_calc.py": TEST_UT},
    )
    command = f"{_python(tmp_path, with_pytest)} -m unittest discover -s tests -t ."
    out = verifier(timeout_s=60).verify(
        task_for(root, command), Edit(files={"calc.py": PATCH_RUN + CALC}), "m"
    )
    assert out.verdict == "fail" and not out.counted, out.detail
    assert out.detail.startswith("calc.py (not one of the tests' files) reaches into the test")
    assert "changes _u.TestCase.run" in out.detail


@needs_bwrap
def test_the_code_under_test_rewriting_pytest_reports_is_not_verified(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path / "py",
        {
            "calc.py": CALC_FIXED,
            "tests/test_calc.py": TEST_PY,
            "pytest.ini": "[pytest]\npythonpath = .\n",
        },
    )
    command = pytest_cmd(root)
    out = verifier().verify(
        task_for(root, command), Edit(files={"calc.py": PATCH_PYTEST + CALC}), "m"
    )
    assert out.verdict == "fail" and not out.counted, out.detail
    assert "reaches into the test harness" in out.detail


# --------------------------------------------------------------------------- JavaScript

#: node:test's ``it`` wrapped, from the code under test, so a test's exception is lost.
#: Found with mocha's global ``it`` on sprintf-js 1.0.3 (verify_trust.py: a false pass;
#: mocha is not here without the network).  With node:test the same edit failed before
#: too, by luck: the test is then reported at the wrapper's file (calc.js), so the test
#: of test/calc.test.js "no longer ran".
SWALLOW_IT = """\
const nodeTest = require('node:test');
const realIt = nodeTest.it;
nodeTest.it = (name, fn) => realIt(name, () => { try { fn(); } catch (e) {} });
"""
ADD_JS = "exports.add = (a, b) => a + b;\n"
TEST_ADD_JS = """\
const test = require('node:test');
const assert = require('node:assert');
const { add } = require('../calc.js');

test.describe('calc', () => {
  test.it('adds', () => { assert.strictEqual(add(2, 3), 5); });
});
"""


def test_what_counts_as_reaching_into_a_js_runner() -> None:
    mocha = (
        "if (typeof global.it === 'function') {\n  var real = global.it\n"
        "  global.it = function (t, fn) { return real(t, function () {}) }\n}\n"
    )
    assert js_harness_uses(mocha) == {"changes global.it": 1}
    assert js_harness_uses(SWALLOW_IT) == {"requires node:test": 1, "changes nodeTest.it": 1}
    assert js_harness_uses(
        "globalThis['describe'] = null\nObject.defineProperty(global, 'test', {})\n"
        "import { it } from 'vitest'\n"
    ) == {"changes global.describe": 1, "changes global.test": 1, "imports vitest": 1}
    ordinary = "var test = /x/.test(s)\nif (global.it == null) {}\nconst it = items[0]\n"
    assert js_harness_uses(ordinary) == {}


@needs_bwrap
def test_js_code_under_test_wrapping_the_runners_it_is_not_verified(tmp_path: Path) -> None:
    if shutil.which("node") is None:
        pytest.skip("node is not installed")
    root = write_tree(tmp_path / "js", {"calc.js": ADD_JS, "test/calc.test.js": TEST_ADD_JS})
    v = verifier(timeout_s=60)
    task = task_for(root, "node --test test/")
    broken = ADD_JS.replace("a + b", "a - b")
    out = v.verify(task, Edit(files={"calc.js": SWALLOW_IT + broken}), "m")
    assert out.verdict == "fail" and not out.counted, out.detail
    assert out.detail.startswith("calc.js (not one of the tests' files) reaches into the test")
    assert "requires node:test" in out.detail
    assert v.verify(task, Edit(files={"calc.js": broken}), "m").verdict == "fail"


# --------------------------------------------------------------------------- assertions
# The tests' assertions live in the test process too: a package that makes
# ``assertEqual`` (or node's ``assert.strictEqual``) a no-op passes every test that
# compares a value, whatever it returns.  The direct forms (``unittest.TestCase.
# assertEqual = ...``) were caught before; the ones below reached the same objects another
# way and were not.


@pytest.mark.parametrize(
    ("code", "finding"),
    [
        (
            "import unittest\nunittest.TestCase.assertEqual = lambda *a, **k: None\n",
            "changes unittest.TestCase.assertEqual",
        ),
        (
            "import sys\nsys.modules['unittest'].TestCase.assertEqual = lambda *a: None\n",
            "changes sys.modules['unittest'].TestCase.assertEqual",
        ),
        (
            "from sys import modules\nsetattr(modules['unittest.case'].TestCase, 'fail', None)\n",
            "setattr(modules['unittest.case'].TestCase, ...)",
        ),
        (
            "__import__('unittest').TestCase.assertTrue = lambda *a: None\n",
            "changes __import__('unittest').TestCase.assertTrue",
        ),
        (
            "import importlib\nimportlib.import_module('pytest').raises = None\n",
            "changes importlib.import_module('pytest').raises",
        ),
        (
            "import builtins\nbuiltins.AssertionError = Warning\n",
            "changes builtins.AssertionError",
        ),
        (
            "import builtins as b\nsetattr(b, '__import__', None)\n",
            "setattr(b, ...)",
        ),
        ("__builtins__['isinstance'] = None\n", "changes __builtins__['isinstance']"),
        (
            "import sys, types\nsys.modules['pytest'] = types.ModuleType('pytest')\n",
            "changes sys.modules['pytest']",
        ),
        ("import sys\ndel sys.modules['unittest']\n", "changes sys.modules['unittest']"),
        (
            "import sys\nsys.modules.pop('_pytest.python_api', None)\n",
            "changes sys.modules['_pytest.python_api']",
        ),
    ],
)
def test_python_code_patching_assertions_reaches_into_the_harness(code: str, finding: str) -> None:
    assert finding in harness_uses(code), harness_uses(code)


def test_python_code_using_builtins_and_sys_modules_ordinarily_does_not() -> None:
    ordinary = (
        "import builtins, importlib, sys\n"
        "builtins.print('x')\nopen_ = builtins.open\n"
        "sys.modules[__name__].VERSION = '1'\n"
        "sys.modules['mypkg._lazy'] = importlib.import_module('mypkg.lazy')\n"
        "sys.modules.pop('mypkg.cache', None)\n"
        "mod = importlib.import_module(name)\nmod.x = 1\n"
        "if 'pytest' in sys.modules:\n    TESTING = True\n"
    )
    assert harness_uses(ordinary) == {}


@pytest.mark.parametrize(
    ("code", "finding"),
    [
        ("require('assert').strictEqual = () => {};\n", "changes require('assert').strictEqual"),
        (
            "const assert = require('node:assert');\nassert.deepStrictEqual = function () {};\n",
            "changes assert.deepStrictEqual",
        ),
        (
            "var assert = require(\"assert\").strict\nassert['equal'] = function () {}\n",
            "changes assert['equal']",
        ),
        ("import assert from 'assert/strict';\nassert.ok = () => {};\n", "changes assert.ok"),
        (
            "const a = await import('node:assert');\na.default.ok = () => {};\n",
            "changes a.default.ok",
        ),
        (
            "import * as a from 'node:assert';\na.default.equal = () => {};\n",
            "changes a.default.equal",
        ),
        (
            "const { assert: check } = require('chai');\ncheck.equal = () => {};\n",
            "changes check.equal",
        ),
        ("const a = require('assert')\nObject.assign(a, { equal() {} })\n", "changes a"),
        (
            "const a = require('assert')\nObject.defineProperty(a, 'equal', { value() {} })\n",
            "changes a",
        ),
        ("const chai = require('chai')\n", "requires chai"),
        ("import should from 'should'\n", "imports should"),
        ("expect = () => ({ toBe() {} })\n", "changes global expect"),
        ("global.assert = () => {}\n", "changes global.assert"),
        (
            "Object.defineProperty(Object.prototype, 'should', { get() { return {} } })\n",
            "changes Object.prototype",
        ),
        ("Object.prototype.should = {}\n", "changes Object.prototype"),
        ("Object.is = () => true\n", "changes Object.is"),
        (
            (
                "const Module = require('module')\nconst load = Module._load\n"
                "Module._load = function (r) { return load.apply(this, arguments) }\n"
            ),
            "changes Module._load",
        ),
        ("require.cache[require.resolve('chai')] = {}\n", "changes require.cache"),
    ],
)
def test_js_code_patching_assertions_reaches_into_the_harness(code: str, finding: str) -> None:
    assert finding in js_harness_uses(code), js_harness_uses(code)


def test_js_code_using_assert_ordinarily_does_not() -> None:
    ordinary = (
        "const assert = require('assert');\n"
        "assert(typeof x === 'string');\nassert.strictEqual(a, b, 'same');\n"
        "if (x === assert.ok) {}\nconst equal = assert.equal\n"
        "let expect = 1;\nexpect = 2;\n"
        "if (!Array.prototype.includes) Array.prototype.includes = function (v) {};\n"
        "obj.equal = 1;\nexports.is = Object.is;\n"
        "delete require.cache[require.resolve('./config')];\n"
        "var self = this;\nself.test = function () {};\nself.context = {};\n"
    )
    assert js_harness_uses(ordinary) == {}


def test_a_name_bound_to_a_harness_object_counts_too() -> None:
    code = (
        "import contextlib, sys\n"
        "tc = sys.modules['unittest'].TestCase\n"
        "for n in dir(tc):\n"
        "    if n.startswith('assert'):\n"
        "        setattr(tc, n, lambda *a, **k: contextlib.nullcontext())\n"
    )
    assert "setattr(tc, ...)" in harness_uses(code)
    assert "changes T.assertEqual" in harness_uses(
        "import unittest\nT = unittest.TestCase\nT.assertEqual = None\n"
    )
    # a value read from them is not the object itself
    assert harness_uses("import unittest\nname = unittest.__name__\nname = 'x'\n") == {}
    # the object an attribute is set on is not bound by that
    kept = "import unittest\nself.case = unittest.TestCase\nself.other = 1\n"
    assert harness_uses(kept) == {}


#: TestCase's assertions made no-ops from the code under test, through sys.modules
NO_OP_ASSERTIONS = """\
import sys as _s

for _n in dir(_s.modules["unittest"].TestCase):
    if _n.startswith("assert"):
        setattr(_s.modules["unittest"].TestCase, _n, lambda *a, **k: None)
"""


@needs_bwrap
def test_the_code_under_test_making_assertions_no_ops_is_not_verified(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "ut", {"calc.py": CALC_FIXED, "tests.py": TEST_UT})
    task = task_for(root, f"{_python(tmp_path, True)} -m unittest")
    out = verifier(timeout_s=60).verify(
        task, Edit(files={"calc.py": NO_OP_ASSERTIONS + CALC}), "m"
    )  # passed before: add subtracts, and assertEqual checks nothing
    assert out.verdict == "fail" and not out.counted, out.detail
    assert "setattr(_s.modules['unittest'].TestCase, ...)" in out.detail


@needs_bwrap
def test_js_code_under_test_making_node_assert_a_no_op_is_not_verified(tmp_path: Path) -> None:
    if shutil.which("node") is None:
        pytest.skip("node is not installed")
    root = write_tree(tmp_path / "js", {"calc.js": ADD_JS, "test/calc.test.js": TEST_ADD_JS})
    v = verifier(timeout_s=60)
    task = task_for(root, "node --test test/")
    no_op = "const a = require('node:assert');\na.strictEqual = () => {};\n"
    broken = ADD_JS.replace("a + b", "a - b")
    out = v.verify(task, Edit(files={"calc.js": no_op + broken}), "m")  # passed before
    assert out.verdict == "fail" and not out.counted, out.detail
    assert "changes a.strictEqual" in out.detail


@pytest.mark.parametrize(
    "code",
    [
        (
            "import sys\ntc = sys.modules['unittest'].TestCase if 'unittest' in sys.modules else None\n"
            "setattr(tc, 'assertEqual', None)\n"
        ),
        "import unittest\ntc = getattr(unittest, 'TestCase')\ntc.assertEqual = None\n",
        "import unittest\nif (tc := unittest.TestCase):\n    tc.assertEqual = None\n",
        (
            "import unittest\nfor tc in (unittest.TestCase, unittest.IsolatedAsyncioTestCase):\n"
            "    tc.assertEqual = None\n"
        ),
        "import unittest\ntc = None or unittest.TestCase\ntc.assertEqual = None\n",
    ],
    ids=["if-else", "getattr", "walrus", "for", "or"],
)
def test_other_ways_of_binding_a_harness_object(code: str) -> None:
    assert any(k.startswith(("changes tc", "setattr(tc")) for k in harness_uses(code)), (
        harness_uses(code)
    )
