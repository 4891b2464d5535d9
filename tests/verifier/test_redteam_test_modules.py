"""A hollow test module put into ``sys.modules`` by the code under test.

pytest imports a test module by its name (``test_mul``, with a test folder without
``__init__.py`` on ``sys.path``): ``calc.py``, imported first by ``tests/test_add.py``,
put a module there under that name whose ``test_mul`` (compiled with the real file's
path) does nothing, and a broken ``mul`` was verified: '2 passed, 0 failed (before: 2
passed, 0 failed)'."""

from __future__ import annotations

from pathlib import Path

import pytest
from acrouter.domain import Edit
from acrouter.verifier.harness_py import harness_uses

from .helpers import PYTEST, task_for, verifier, write_tree

CODE = "def add(a, b):\n    return a + b\n\n\ndef mul(a, b):\n    return a * b\n"
HOLLOW = """
import os as _os
import sys as _sys
import types as _types

_m = _types.ModuleType("test_mul")
_m.__file__ = _os.path.join(_os.path.dirname(_os.path.abspath(__file__)), "tests", "test_mul.py")
exec(compile("def test_mul():\\n    pass\\n", _m.__file__, "exec"), _m.__dict__)
_sys.modules["test_mul"] = _m
"""


def test_a_hollow_test_module_put_into_sys_modules_is_not_verified(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path / "proj",
        {
            "calc.py": CODE,
            "tests/test_add.py": "from calc import add\n\n\ndef test_add():\n    assert add(2, 3) == 5\n",
            "tests/test_mul.py": "from calc import mul\n\n\ndef test_mul():\n    assert mul(2, 3) == 6\n",
            "pytest.ini": "[pytest]\npythonpath = .\n",
        },
    )
    edit = Edit(files={"calc.py": CODE.replace("a * b", "a + b") + HOLLOW})
    v = verifier().verify(task_for(root, f"{PYTEST} tests"), edit, "m")
    assert v.verdict == "fail" and not v.counted, v.detail
    assert "puts a module into sys.modules['test_mul']" in v.detail, v.detail


@pytest.mark.parametrize(
    ("line", "seen"),
    [
        ('sys.modules["test_mul"] = m', True),
        ('sys.modules["tests.test_" + "mul"] = m', True),
        ("sys.modules[name] = m", True),  # may be any name
        ('sys.modules.setdefault("calc_test", m)', True),
        ("sys.modules[__name__] = m", False),  # a lazy module: the module's own
        ('sys.modules["six.moves"] = m', False),  # a vendored alias
        ('sys.modules[f"pip._vendor.{name}"] = m', False),  # under a package not the tests'
        ('sys.modules[__name__ + ".compat"] = m', False),
    ],
)
def test_which_modules_put_into_sys_modules_are_seen(line: str, seen: bool) -> None:
    found = harness_uses(f"import sys\n\n{line}\n")
    assert any(k.startswith("puts a module") for k in found) == seen, found
