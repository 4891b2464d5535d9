"""What a Python class body assigns (a constant, an enum's member, a dataclass's field)
and the classes it nests count as the class's, as its methods do: one dropped that no
test needs is refused before any test runs.

The guard compared a kept class's methods only: an edit deleting ``Color.BLUE``, which
no test names, was verified (*pass*, counted) by ``acrouter verify`` on a pytest
project.  A name the class's methods now assign to ``self`` (a class attribute turned
into an instance's), or one the edit defines elsewhere (moved), is no loss."""

from __future__ import annotations

from pathlib import Path

import pytest
from acrouter.definitions import dropped_definitions
from acrouter.domain import Edit
from acrouter.verifier.cli import verify_edit

from .helpers import OVERLAY_AND_NONE, PYTEST, verifier, write_tree

CALC = '''\
"""A calculator."""

import dataclasses
import enum


class Color(enum.Enum):
    RED = 1
    BLUE = 2


@dataclasses.dataclass
class Point:
    x: int = 0
    y: int = 0
    label: str = ""


class Calc:
    """Adds."""

    LIMIT = 100
    low, high = -100, 100

    class Meta:
        ordering = ["x"]

    def add(self, a, b):
        return min(a + b, self.LIMIT)
'''
TEST = """\
from calc import Calc, Color, Point


def test_add():
    assert Calc().add(2, 3) == 5


def test_red():
    assert Color.RED.value == 1 and Point(1, 2).x == 1
"""


@pytest.mark.parametrize(
    ("old", "new", "lost"),
    [
        ("    BLUE = 2\n", "", ["Color.BLUE"]),
        ('    label: str = ""\n', "", ["Point.label"]),
        ("    low, high = -100, 100\n", "    low = -100\n", ["Calc.high"]),
        ('    class Meta:\n        ordering = ["x"]\n\n', "", ["Calc.Meta"]),
    ],
)
def test_a_class_attribute_or_nested_class_dropped_is_lost(
    old: str, new: str, lost: list[str]
) -> None:
    edited = CALC.replace(old, new)
    assert edited != CALC
    assert dropped_definitions(CALC, edited, "calc.py") == lost
    name = lost[0].split(".")[-1]
    assert dropped_definitions(CALC, edited, "calc.py", instruction=f"Remove {name}") == []


def test_a_value_changed_moved_or_made_an_instances_is_no_loss() -> None:
    same = [
        CALC.replace("LIMIT = 100", "LIMIT = 1000"),  # a value
        CALC.replace("    LIMIT = 100\n", "") + "\nLIMIT = 100\n",  # moved out of its class
        # a class attribute now the instance's
        CALC.replace("    LIMIT = 100\n", "").replace(
            "    def add(self, a, b):",
            "    def __init__(self):\n        self.LIMIT = 100\n\n    def add(self, a, b):",
        ),
        CALC.replace("    x: int = 0\n", "    x: int = 1\n"),  # a default
    ]
    for edited in same:
        assert edited != CALC
        assert dropped_definitions(CALC, edited, "calc.py") == [], edited


@pytest.mark.parametrize("mode", OVERLAY_AND_NONE)
def test_acrouter_verify_refuses_the_dropped_enum_member_before_pytest_passes_it(
    tmp_path: Path, mode: dict[str, object]
) -> None:
    root = write_tree(tmp_path / "ws", {"calc.py": CALC, "test_calc.py": TEST})
    ver = verifier(cache_dir=tmp_path / "cache", **mode)
    edit = Edit(files={"calc.py": CALC.replace("    BLUE = 2\n", "")})
    v = verify_edit(ver, str(root), edit, PYTEST)
    assert v.verdict == "error" and not v.counted, v.detail
    assert "calc.py that the instruction did not ask to remove: Color.BLUE" in v.detail, v.detail
    # the tests cannot tell: with the removal allowed they run, and pass
    allowed = verify_edit(ver, str(root), edit, PYTEST, allow_removal=True)
    assert allowed.verdict == "pass", allowed.detail
