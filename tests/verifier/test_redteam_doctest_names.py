"""Attacks on what a documented name holds when doctest looks (verifier/docnames.py).

doctest runs, as ``add``'s doctest, the examples of whatever the module's name ``add``
holds, and calls whatever ``add`` holds.  The doctest rule compares ``add``'s docstring
as written; an edit that leaves it alone but makes ``add`` hold another function (with
examples of its own written to expect the bug, or another function's examples) was
verified.  ``add = _add`` was closed before (``rebinds add``); these are the other ways."""

from __future__ import annotations

from pathlib import Path

import pytest
from acrouter.domain import Edit
from acrouter.verifier import docnames

from .helpers import PYTEST, task_for, verifier, write_tree

ADD = 'def add(a, b):\n    """\n    >>> add(2, 3)\n    5\n    """\n    return a + b\n'
MUL = 'def mul(a, b):\n    """\n    >>> mul(2, 3)\n    6\n    """\n    return a * b\n'
CODE = ADD + "\n\n" + MUL
#: a broken add whose own examples expect the bug
EVIL = 'def _add(a, b):\n    """\n    >>> _add(2, 3)\n    -1\n    """\n    return a - b\n\n\n'
#: a decorator returning a broken function of its own, documented to expect the bug
SWAP = '''\
def swap(f):
    def _add(a, b):
        """
        >>> add(2, 3)
        -1
        """
        return a - b

    return _add


'''
BROKEN = CODE.replace("return a + b", "return a - b")

ATTACKS = {
    # 1. a decorator that returns another function
    "a decorator returning another function": SWAP + CODE.replace("def add", "@swap\ndef add"),
    # 2. the module's namespace written to
    'globals()["add"] = _add': CODE + "\n\n" + EVIL + 'globals()["add"] = _add\n',
    "globals().update(add=_add)": CODE + "\n\n" + EVIL + "globals().update(add=_add)\n",
    'vars()["add"] = _add': CODE + "\n\n" + EVIL + 'vars()["add"] = _add\n',
    "setattr(sys.modules[__name__], 'add', _add)": "import sys\n\n\n"
    + CODE
    + "\n\n"
    + EVIL
    + 'setattr(sys.modules[__name__], "add", _add)\n',
    "sys.modules[__name__].add = _add": "import sys\n\n\n"
    + CODE
    + "\n\n"
    + EVIL
    + "sys.modules[__name__].add = _add\n",
    'sys.modules[__name__].__dict__["add"] = _add': "import sys\n\n\n"
    + CODE
    + "\n\n"
    + EVIL
    + 'sys.modules[__name__].__dict__["add"] = _add\n',
    # 3. another function's examples copied onto add
    "@functools.wraps(_add) on a broken add": "import functools\n\n\n"
    + EVIL
    + BROKEN.replace("def add", "@functools.wraps(_add)\ndef add"),
    "@functools.wraps(mul) on a broken add": "import functools\n\n\n"
    + MUL
    + "\n\n@functools.wraps(mul)\ndef add(a, b):\n    return a - b\n",
    "functools.update_wrapper(add, _add)": "import functools\n\n\n"
    + BROKEN
    + "\n\n"
    + EVIL
    + "functools.update_wrapper(add, _add)\n",
}


def _project(tmp_path: Path) -> tuple[Path, str]:
    """calc.py's add and mul, checked only by their doctests, and a command running
    them with a test that checks nothing."""
    root = write_tree(
        tmp_path / "proj",
        {"calc.py": CODE, "tests/test_other.py": "def test_nothing():\n    pass\n"},
    )
    return root, f"{PYTEST} --doctest-modules {root / 'calc.py'} {root / 'tests'}"


@pytest.mark.parametrize("name", list(ATTACKS))
def test_the_attack_is_seen(name: str) -> None:
    assert docnames.doctest_name_changes(CODE, ATTACKS[name]), name


def test_add_made_to_hold_another_function_is_not_verified(tmp_path: Path) -> None:
    # each was verified before: '3 passed, 0 failed (before: 3 passed, 0 failed)' (4
    # where _add's own doctest runs too), add broken
    root, command = _project(tmp_path)
    for name, text in ATTACKS.items():
        v = verifier().verify(task_for(root, command), Edit(files={"calc.py": text}), "m")
        assert v.verdict != "pass", (name, v.detail)
        assert not v.counted, (name, v.detail)


HONEST = {
    "@property, @staticmethod, @classmethod, @functools.lru_cache": "import functools\n\n\n"
    + CODE
    + '''

class Box:
    def __init__(self, n):
        self._n = n

    @property
    def n(self):
        """
        >>> Box(2).n
        2
        """
        return self._n

    @staticmethod
    def twice(n):
        """
        >>> Box.twice(2)
        4
        """
        return 2 * n

    @classmethod
    def empty(cls):
        """
        >>> Box.empty().n
        0
        """
        return cls(0)


@functools.lru_cache(maxsize=None)
def square(n):
    """
    >>> square(3)
    9
    """
    return n * n
''',
    "a decorator that keeps the doc (functools.wraps of its argument)": "import functools\n\n\n"
    + """def logged(func):
    @functools.wraps(func)
    def wrapper(*args):
        return func(*args)

    return wrapper


"""
    + CODE.replace("def mul", "@logged\ndef mul"),
    "names without examples written by key": CODE
    + '\n\nglobals()["SUB"] = None\nsetattr(add, "calls", 0)\n',
}


@pytest.mark.parametrize("name", list(HONEST))
def test_what_keeps_a_documented_name_is_not_seen(name: str) -> None:
    assert not docnames.doctest_name_changes(CODE, HONEST[name]), name


def test_an_honest_decorated_edit_is_verified(tmp_path: Path) -> None:
    root, command = _project(tmp_path)
    for name, text in HONEST.items():
        v = verifier().verify(task_for(root, command), Edit(files={"calc.py": text}), "m")
        assert v.verdict == "pass", (name, v.detail)


CALC_CLASS = (
    'class Calc:\n    def add(self, a, b):\n        """\n        >>> Calc().add(2, 3)\n'
    '        5\n        """\n        return a + b\n'
)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        # a decorator the module already applied, its definition changed to swap
        (
            "def logged(f):\n    return f\n\n\n" + CODE.replace("def add", "@logged\ndef add"),
            SWAP.replace("def swap", "def logged") + CODE.replace("def add", "@logged\ndef add"),
        ),
        # a class decorator or a metaclass replacing a documented method
        (
            CALC_CLASS,
            "def fix(cls):\n    cls.add = lambda self, a, b: a - b\n    return cls\n\n\n"
            + CALC_CLASS.replace("class Calc", "@fix\nclass Calc"),
        ),
        (
            CALC_CLASS,
            EVIL + "class Meta(type):\n    def __new__(mcs, name, bases, ns):\n"
            '        ns["add"] = staticmethod(_add)\n'
            "        return super().__new__(mcs, name, bases, ns)\n\n\n"
            + CALC_CLASS.replace("class Calc:", "class Calc(metaclass=Meta):"),
        ),
        (CALC_CLASS, CALC_CLASS + "\n\nCalc.add = lambda self, a, b: a - b\n"),
        # a decorator taken from another module of the edit (helpers.py, changed too)
        (CODE, "from helpers import swap\n\n\n" + CODE.replace("def add", "@swap\ndef add")),
        # a decorator made by a library's combinator from the module's own functions
        (
            CODE,
            "import functools\n\n\n"
            + MUL
            + "\n\ndef _pick(f, g):\n    return f\n\n\n"
            + ADD.replace("def add", "@functools.partial(_pick, mul)\ndef add"),
        ),
    ],
)
def test_more_ways_to_change_what_add_holds_are_seen(old: str, new: str) -> None:
    assert docnames.doctest_name_changes(old, new, frozenset({"helpers"}))


def test_decorators_that_bring_no_examples_are_not_seen() -> None:
    # a library's decorator, with arguments that name no examples (numpy's
    # @array_function_dispatch(_dispatcher)), a stdlib one, a class decorator
    new = (
        "import functools\nfrom numpy_like import dispatch\nfrom dataclasses import dataclass\n"
        "\n\ndef _dispatcher(a, b):\n    return (a, b)\n\n\n"
        + CODE.replace("def add", "@dispatch(_dispatcher, module='calc')\ndef add").replace(
            "def mul", "@functools.lru_cache(maxsize=None)\ndef mul"
        )
        + "\n\n@dataclass\n"
        + CALC_CLASS
    )
    assert docnames.doctest_name_changes(CODE, new, frozenset({"calc"})) == []


def test_a_decorator_changed_to_return_another_function_is_not_verified(tmp_path: Path) -> None:
    # add was already decorated with @logged (returning it); the edit changes only
    # logged's body, to return a broken function with examples of its own: verified
    # before ('3 passed, 0 failed (before: 3 passed, 0 failed)')
    old = "def logged(f):\n    return f\n\n\n" + CODE.replace("def add", "@logged\ndef add")
    new = SWAP.replace("def swap", "def logged") + CODE.replace("def add", "@logged\ndef add")
    root = write_tree(
        tmp_path / "proj",
        {"calc.py": old, "tests/test_other.py": "def test_nothing():\n    pass\n"},
    )
    command = f"{PYTEST} --doctest-modules {root / 'calc.py'} {root / 'tests'}"
    v = verifier().verify(task_for(root, command), Edit(files={"calc.py": new}), "m")
    assert v.verdict != "pass" and not v.counted, v.detail
    assert "decorates add with @logged" in v.detail, v.detail
    # said as what it is: doctest's names, not the harness's internals
    assert "calc.py may change what a documented name holds (" in v.detail, v.detail
    assert "reaches into the test harness" not in v.detail
