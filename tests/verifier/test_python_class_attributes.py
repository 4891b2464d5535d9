"""What a Python class body assigns (a constant, an enum's member, a dataclass's field)
and the classes it nests count as the class's, as its methods do: one dropped that no
test needs is refused before any test runs.

The guard compared a kept class's methods only: an edit deleting ``Color.BLUE``, which
no test names, was verified (*pass*, counted) by ``acrouter verify`` on a pytest
project.  A name the class's methods now assign to ``self`` (a class attribute turned
into an instance's), or one the edit defines elsewhere (moved), is no loss.

What a nested class's body defines (a Django ``Meta``'s ``db_table``) and what the
class body's own ``if`` / ``try`` blocks define (a method for another Python version, a
constant for another platform) count too, named ``Calc.Meta.db_table`` and ``Calc.f``:
a method or class each definition once (the branch for another version dropped while
this one's keeps the name is a loss, as at module level), a name a block assigns while
the class defines it at all.  The tests of this interpreter never reach the other
branch: ``acrouter verify`` passed such an edit."""

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


SHAPES = """\
import sys


class Shape:
    class Meta:
        ordering = ["name"]
        db_table = "shapes"

        def label(self):
            return "shape"

    if sys.version_info >= (3, 8):

        def area(self):
            return 1

    else:

        def area(self):
            return 2

    try:
        from math import tau
    except ImportError:
        tau = 6.283185307179586

    if sys.platform == "win32":
        newline = "\\r\\n"
"""
SHAPES_TEST = """\
from shapes import Shape


def test_area():
    assert Shape().area() == 1 and Shape.tau > 6 and Shape.Meta.ordering == ["name"]
"""


@pytest.mark.parametrize(
    ("old", "new", "lost"),
    [
        ('        db_table = "shapes"\n', "", ["Shape.Meta.db_table"]),
        ('\n        def label(self):\n            return "shape"\n', "", ["Shape.Meta.label"]),
        ("    else:\n\n        def area(self):\n            return 2\n", "", ["Shape.area"]),
        ('    if sys.platform == "win32":\n        newline = "\\r\\n"\n', "", ["Shape.newline"]),
        (
            '    class Meta:\n        ordering = ["name"]\n        db_table = "shapes"\n',
            "    class Meta:\n",
            ["Shape.Meta.ordering", "Shape.Meta.db_table"],
        ),
    ],
)
def test_what_a_nested_class_or_a_block_of_the_body_defines_dropped_is_lost(
    old: str, new: str, lost: list[str]
) -> None:
    edited = SHAPES.replace(old, new)
    assert edited != SHAPES
    assert dropped_definitions(SHAPES, edited, "shapes.py") == lost
    names = " and ".join(n.split(".")[-1] for n in lost)
    assert dropped_definitions(SHAPES, edited, "shapes.py", instruction=f"Remove {names}") == []


def test_a_nested_class_that_went_is_reported_once_and_a_kept_shape_is_no_loss() -> None:
    start = SHAPES.index("    class Meta:")
    gone = SHAPES[:start] + SHAPES[SHAPES.index("    if sys.version_info") :]
    assert dropped_definitions(SHAPES, gone, "shapes.py") == ["Shape.Meta"]
    same = [
        SHAPES.replace('db_table = "shapes"', 'db_table = "shape"'),  # a value
        # a Meta attribute made the instance's by a method of Meta
        SHAPES.replace('        db_table = "shapes"\n', "").replace(
            '            return "shape"',
            '            self.db_table = "shapes"\n            return "shape"',
        ),
        # the branches' bodies changed: each definition is still there
        SHAPES.replace("return 1", "return 0").replace("return 2", "return 1"),
        # what a block assigns is kept while the class defines the name (the import's
        # fallback made one line, as an assignment in the module's own blocks is)
        SHAPES.replace(
            "    try:\n        from math import tau\n    except ImportError:\n"
            "        tau = 6.283185307179586\n",
            "    tau = 6.283185307179586\n",
        ),
    ]
    for edited in same:
        assert edited != SHAPES
        assert dropped_definitions(SHAPES, edited, "shapes.py") == [], edited


@pytest.mark.parametrize("mode", OVERLAY_AND_NONE)
def test_acrouter_verify_refuses_the_other_versions_method_before_pytest_passes_it(
    tmp_path: Path, mode: dict[str, object]
) -> None:
    root = write_tree(tmp_path / "ws", {"shapes.py": SHAPES, "test_shapes.py": SHAPES_TEST})
    ver = verifier(cache_dir=tmp_path / "cache", **mode)
    old_branch = "    else:\n\n        def area(self):\n            return 2\n"
    edit = Edit(files={"shapes.py": SHAPES.replace(old_branch, "")})
    v = verify_edit(ver, str(root), edit, PYTEST)
    assert v.verdict == "error" and not v.counted, v.detail
    assert "shapes.py that the instruction did not ask to remove: Shape.area" in v.detail, v.detail
    allowed = verify_edit(ver, str(root), edit, PYTEST, allow_removal=True)
    assert allowed.verdict == "pass", allowed.detail
