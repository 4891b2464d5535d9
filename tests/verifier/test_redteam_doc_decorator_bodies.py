"""Attacks through the body of a class decorator of documented functions (toolz's
``curry``, verifier/docdecorators.py: "again when the edit changes what an existing
decorator reaches").  Each edit below changes only ``curry``'s body, breaks ``flip``,
and makes ``flip``'s ``__doc__`` the class's own docstring, whose examples pass: under
``--doctest-modules`` flip's doctest then runs curry's examples and passes with flip
broken.  Any narrower rule than "a changed decorator body counts again" must still see
these: a dropped ``self.__doc__ = ...``, one replaced, an early ``return`` before it, and
a change to ``__reduce__`` alone (the method toolz's harmless ``'.'.join(list(attrs))``
edit touched), which runs at import when the module copies a curried function."""

from __future__ import annotations

import doctest
import types

import pytest
from acrouter.verifier import docnames

CURRY = '''\
import copy


class curry:
    """Curry a function of two arguments.

    >>> curry(pow)(2)(3)
    8
    """

    def __init__(self, func, *args):
        self.func = func
        self.args = args
        self.__doc__ = getattr(func, "__doc__", None)

    def __get__(self, instance, owner):
        return self if instance is None else curry(self, instance)

    def __call__(self, *args):
        args = self.args + args
        if len(args) < 2:
            return curry(self.func, *args)
        return self.func(*args)

    def __reduce__(self):
        return (curry, (self.func, *self.args))


@curry
def flip(a, b):
    """
    >>> flip(1, 2)
    (2, 1)
    """
    return (b, a)


_COPY = copy.copy(flip)  # (made at import: __reduce__ runs then)
'''

DOC_LINE = '        self.__doc__ = getattr(func, "__doc__", None)\n'
BROKEN = CURRY.replace("return (b, a)", "return (a, b)")
EDITS = [
    pytest.param(BROKEN.replace(DOC_LINE, ""), id="doc-line-dropped"),
    pytest.param(
        BROKEN.replace(DOC_LINE, "        self.__doc__ = type(self).__doc__\n"), id="doc-replaced"
    ),
    pytest.param(
        BROKEN.replace(DOC_LINE, "        if not args:\n            return\n" + DOC_LINE),
        id="early-return",
    ),
    pytest.param(
        BROKEN.replace(
            "        return (curry, (self.func",
            "        self.__doc__ = curry.__doc__\n        return (curry, (self.func",
        ),
        id="reduce-only",
    ),
]


def _doctests(text: str) -> dict[str, tuple[int, int]]:
    """(failed, attempted) of each doctest of ``text`` run as the module ``calc``."""
    module = types.ModuleType("calc")
    exec(compile(text, "calc.py", "exec"), module.__dict__)  # noqa: S102 (the test's own text)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    out = {}
    for test in doctest.DocTestFinder().find(module, "calc"):
        if test.examples:
            result = runner.run(test, out=lambda _s: None)
            out[test.name] = (result.failed, result.attempted)
    return out


def test_flips_own_example_checks_it_before_the_edit() -> None:
    assert _doctests(CURRY)["calc.flip"] == (0, 1)
    assert _doctests(BROKEN)["calc.flip"] == (1, 1)  # broken, its example fails


@pytest.mark.parametrize("new", EDITS)
def test_a_curry_body_edit_swapping_in_its_own_examples_is_seen(new: str) -> None:
    # the attack is real: flip is broken, and its doctest (curry's examples) passes
    assert _doctests(new)["calc.flip"] == (0, 1)
    assert "decorates flip with @curry" in docnames.doctest_name_changes(CURRY, new)
