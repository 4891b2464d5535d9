"""The sample project the front-end tests edit (a calc.py whose test fails on its bug) and
the replies the fake models give for it."""

from __future__ import annotations

from pathlib import Path

WRONG = "```python\ndef add(a, b):\n    return a * b\n```"
RIGHT = "```python\ndef add(a, b):\n    return a + b\n```"
BUGGY = "def add(a, b):\n    return a - b\n"
#: The issue's 13-line file: the tests cover only ``add``.
CALC13 = (
    "import math\n\n\ndef add(a, b):\n    return a - b\n\n\ndef mul(a, b):\n    return a * b\n\n\n"
    "def area(r):\n    return math.pi * r * r\n"
)
ONLY_ADD = (
    "```python\ndef add(a, b):\n    return a + b\n```"  # a "whole file" that drops mul, area, math
)
SR_FIX = "calc.py\n```python\n<<<<<<< SEARCH\n    return a - b\n=======\n    return a + b\n>>>>>>> REPLACE\n```"


def make_project(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "calc.py").write_text(BUGGY)
    (root / "conftest.py").write_text("")
    (root / "tests").mkdir(exist_ok=True)
    (root / "tests" / "test_calc.py").write_text(
        "from calc import add\n\n"
        "def test_add():\n    assert add(2, 3) == 5\n\n"
        "def test_zero():\n    assert add(0, 0) == 0\n"
    )
    return root / "calc.py"
