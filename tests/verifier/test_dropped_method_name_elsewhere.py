"""A method dropped from a class the edit keeps, whose name another class of the module
also defines, is still a loss: the guard refuses it before any test runs.

Found by ``benchmarks/verify_trust.py`` on typing_extensions 4.16.0 (``python -m
unittest discover -s src -t src``): the edit deleting ``_SpecialForm.__instancecheck__``,
which no test reaches, was verified (*pass*: 552 passed, 0 failed) on the editor's path
and by ``acrouter verify``, in both sandbox modes.  The guard took a method for moved
when *any* definition of its name was left in the file, and a dozen other classes of
the module define ``__instancecheck__``.  Now only a definition of the name the edit
adds where there was none (another class's, a top-level one) accounts for a method gone.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from acrouter.definitions import dropped_definitions
from acrouter.domain import Edit
from acrouter.verifier.cli import verify_edit

from .helpers import OVERLAY_AND_NONE, PYTEST, verifier, write_tree

SHAPES = """\
class Square:
    def __init__(self, side):
        self.side = side

    def area(self):
        return self.side * self.side

    def describe(self):
        return f"a square of side {self.side}"


class Circle:
    def __init__(self, r):
        self.r = r

    def area(self):
        return 3 * self.r * self.r

    def describe(self):
        return f"a circle of radius {self.r}"
"""
#: the tests name area() only: describe() is reached by none
TESTS = """\
from shapes import Circle, Square


def test_area():
    assert Square(2).area() == 4
    assert Circle(1).area() == 3
"""
WITHOUT_CIRCLE_DESCRIBE = SHAPES.replace(
    '\n    def describe(self):\n        return f"a circle of radius {self.r}"\n', ""
)


def test_a_method_whose_name_another_class_keeps_is_lost() -> None:
    assert dropped_definitions(SHAPES, WITHOUT_CIRCLE_DESCRIBE, "shapes.py") == ["Circle.describe"]


def test_a_method_moved_is_still_not_a_loss() -> None:
    # to a new base class of its own: the name is defined where it was not
    based = "class Shape:\n    def describe(self):\n        return 'a shape'\n\n\n" + (
        WITHOUT_CIRCLE_DESCRIBE.replace("class Circle:", "class Circle(Shape):")
    )
    assert dropped_definitions(SHAPES, based, "shapes.py") == []
    # out of its class, to the top level
    top = WITHOUT_CIRCLE_DESCRIBE + "\n\ndef describe(shape):\n    return 'a shape'\n"
    assert dropped_definitions(SHAPES, top, "shapes.py") == []
    # both gone, one place gained: one of them is lost
    both = WITHOUT_CIRCLE_DESCRIBE.replace(
        '\n    def describe(self):\n        return f"a square of side {self.side}"\n', ""
    )
    assert dropped_definitions(SHAPES, top.replace(WITHOUT_CIRCLE_DESCRIBE, both), "shapes.py")


@pytest.mark.parametrize("mode", OVERLAY_AND_NONE)
def test_acrouter_verify_refuses_the_dropped_method(
    tmp_path: Path, mode: dict[str, object]
) -> None:
    root = write_tree(
        tmp_path / "shapes",
        {
            "shapes.py": SHAPES,
            "tests/test_shapes.py": TESTS,
            "pytest.ini": "[pytest]\npythonpath = .\n",
        },
    )
    ver = verifier(cache_dir=tmp_path / "cache", **mode)
    command = f"{PYTEST} -p no:cacheprovider tests"
    v = verify_edit(ver, str(root), Edit(files={"shapes.py": WITHOUT_CIRCLE_DESCRIBE}), command)
    assert v.verdict == "error" and not v.counted, v.detail
    assert "Circle.describe" in v.detail and "did not ask to remove" in v.detail, v.detail
    # the same edit with its removal allowed runs the tests, and they pass: they never
    # reach describe(), which is why the guard has to stop it
    allowed = verify_edit(
        ver,
        str(root),
        Edit(files={"shapes.py": WITHOUT_CIRCLE_DESCRIBE}),
        command,
        allow_removal=True,
    )
    assert allowed.verdict == "pass", allowed.detail


#: a module with a class and a function for another Python version, as typing_extensions
#: and compat modules keep them: the tests of this one never reach that branch
COMPAT = """\
import sys

if sys.version_info >= (3, 0):
    def double(x):
        return 2 * x
else:
    def double(x):
        return x + x

    class Legacy:
        def __init__(self, v):
            self.v = v

        def value(self):
            return self.v

        def describe(self):
            return "legacy"

try:
    from fractions import Fraction
except ImportError:
    def Fraction(n, d=1):
        return n / d
"""
COMPAT_TESTS = "from compat import double\n\n\ndef test_double():\n    assert double(2) == 4\n"
DESCRIBE = '\n        def describe(self):\n            return "legacy"\n'
LEGACY_DOUBLE = "    def double(x):\n        return x + x\n\n"
FALLBACK = "except ImportError:\n    def Fraction(n, d=1):\n        return n / d\n"


@pytest.mark.parametrize(
    ("new", "lost"),
    [
        (COMPAT.replace(DESCRIBE, ""), ["Legacy.describe"]),
        (COMPAT.replace(LEGACY_DOUBLE, ""), ["double"]),  # the other branch keeps one
        (COMPAT.replace(FALLBACK, "except ImportError:\n    Fraction = None\n"), ["Fraction"]),
        (COMPAT + "\n\n# a comment\n", []),
    ],
    ids=["method-of-a-class-in-else", "one-branch-of-a-def", "fallback-def", "comment"],
)
def test_what_the_modules_blocks_define_is_guarded(new: str, lost: list[str]) -> None:
    assert dropped_definitions(COMPAT, new, "compat.py") == lost


@pytest.mark.parametrize("mode", OVERLAY_AND_NONE)
def test_acrouter_verify_refuses_a_method_dropped_from_an_else_branch(
    tmp_path: Path, mode: dict[str, object]
) -> None:
    root = write_tree(
        tmp_path / "compat",
        {
            "compat.py": COMPAT,
            "tests/test_compat.py": COMPAT_TESTS,
            "pytest.ini": "[pytest]\npythonpath = .\n",
        },
    )
    ver = verifier(cache_dir=tmp_path / "cache", **mode)
    edit = Edit(files={"compat.py": COMPAT.replace(DESCRIBE, "")})
    command = f"{PYTEST} -p no:cacheprovider tests"
    v = verify_edit(ver, str(root), edit, command)
    assert v.verdict == "error" and not v.counted, v.detail
    assert "Legacy.describe" in v.detail, v.detail
