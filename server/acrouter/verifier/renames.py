"""A rename across code and tests: test files whose only change renames what the code
renamed.  This module holds the rule for Python; JavaScript/TypeScript test files get
the same rule, more strictly, from :mod:`.jsrenames` (:func:`renames_in_tests` takes
each test file to its language's).

An edit that changes the tests' files is judged with the tests as they were before it is
judged whole (``testfiles.judge_with_users_tests``).  A rename (``add`` to ``plus``)
cannot pass that way: the tests as they were still call ``add``.  So when every change
the edit makes to a Python test file is a renaming of names the edit's code renamed,
the renamed tests are the user's tests under other names, and the whole edit is judged
on them alone, its test ids named as before (:func:`with_old_names`).

What counts as such a renaming, all of it checked on the tokens (``tokenize``), so that
the renamed tests are the old ones, name for name:

- the new test file is the old one with some names replaced, and nothing else changed:
  every other token (operators, numbers, strings, test names) is the same, in the same
  order; comments may follow the rename or stay as they were; layout may change;
- each replaced name ``a`` -> ``b`` is one the edit renamed in a code file of the edit
  (not one of the tests'): defined there before (a top-level function, class or
  assignment, or a method) and not after, while ``b`` is defined there after and not
  before;
- ``b`` does not occur in the old test file at all, and no two names become one: the
  renaming cannot make a test call something it did not call before;
- neither name is a builtin, a ``unittest.TestCase`` attribute or a dunder: where a test
  names such a thing it means Python's or the harness's, not the code's (renaming
  ``assertEqual`` would change how it checks);
- no renamed name is a parameter or a keyword argument in the test file (pytest finds a
  test's fixtures by their parameters' names: renamed, the test asks for another one);
- the test file has no star import: ``from calc import *`` then ``from operator import
  *`` gives the tests an ``add`` that is not the code's, so a rename to ``add`` would
  test ``operator.add``.

A string is never renamed: a test that names ``"add"`` in a string (``getattr``, an
expected message) is a change to what it checks.
"""

from __future__ import annotations

import ast
import builtins
import io
import itertools
import keyword
import re
import tokenize
import unittest
from collections.abc import Mapping, Sequence

import attrs

from ..definitions import defined_names, is_python
from ..pytrees import parse
from .jsrenames import edited_module, is_js, js_code_renames, js_renaming
from .reports import FAILED, PASSED, SKIPPED
from .testrun import TestRun

#: names a test means as Python's or the harness's, whatever the code defines
_RESERVED = frozenset(dir(builtins)) | frozenset(dir(unittest.TestCase)) | frozenset(keyword.kwlist)

#: token types whose text is compared as it is (layout tokens are compared by type)
_LAYOUT = {tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT}
_SKIP = {tokenize.ENCODING, tokenize.NL, tokenize.ENDMARKER}


def _tokens(text: str) -> list[tuple[int, str]] | None:
    try:
        toks = list(tokenize.generate_tokens(io.StringIO(text.removeprefix("\ufeff")).readline))
    except (tokenize.TokenError, SyntaxError):
        return None
    return [(t.type, "" if t.type in _LAYOUT else t.string) for t in toks if t.type not in _SKIP]


def code_renames(olds: Mapping[str, str | None], news: Mapping[str, str]) -> tuple[set, set]:
    """(names defined before and not after, names defined after and not before), over the
    code files of an edit (``olds``: each file's text before the edit, None when new)."""
    gone: set[str] = set()
    new: set[str] = set()
    for rel, text in news.items():
        if not is_python(rel):
            continue
        before = defined_names(olds.get(rel) or "", rel)
        after = defined_names(text, rel)
        gone |= before - after
        new |= after - before
    return gone - new, new - gone


def renaming(old: str, new: str, gone: set[str], made: set[str]) -> dict[str, str] | None:
    """The renaming that turns the test file ``old`` into ``new`` (see the module
    docstring), or None when ``new`` differs from ``old`` in anything else.  An empty
    renaming means the two are the same but for layout and comments."""
    a, b = _tokens(old), _tokens(new)
    if a is None or b is None or len(a) != len(b):
        return None
    sigma: dict[str, str] = {}
    comments: list[tuple[str, str]] = []
    for (ta, sa), (tb, sb) in zip(a, b, strict=True):
        if ta != tb:
            return None
        if ta == tokenize.COMMENT:
            comments.append((sa, sb))
        elif sa != sb:
            if ta != tokenize.NAME or sa not in gone or sb not in made:
                return None
            if {sa, sb} & _RESERVED or sa.startswith("__") or sb.startswith("__"):
                return None
            if sigma.setdefault(sa, sb) != sb:
                return None
    passed = _passed_by_name(old)
    if len(set(sigma.values())) != len(sigma) or passed is None or set(sigma) & passed:
        return None
    if any(
        x == (tokenize.NAME, "import") and y == (tokenize.OP, "*") for x, y in itertools.pairwise(a)
    ):
        return None  # a star import: a name may come from another module than the code
    old_names = {s for t, s in a if t == tokenize.NAME}
    if any(target in old_names for target in sigma.values()):
        return None  # two names would become one
    for ca, cb in comments:
        if ca != cb and renamed_text(ca, sigma) != cb:
            return None
    return sigma


def _passed_by_name(text: str) -> set[str] | None:
    """The names of a test file's parameters and keyword arguments: a test's parameter is
    a fixture pytest finds by its name, a keyword goes to whatever is called (a fixture,
    ``pytest.raises``): renamed, they would ask for something else, not the code's.
    None when the file does not parse."""
    try:
        tree = parse(text.removeprefix("\ufeff"))
    except (SyntaxError, ValueError, RecursionError):  # (nested too deeply)
        return None
    args = {n.arg for n in ast.walk(tree) if isinstance(n, ast.arg)}
    return args | {n.arg for n in ast.walk(tree) if isinstance(n, ast.keyword) and n.arg}


def renamed_text(text: str, sigma: Mapping[str, str]) -> str:
    """``text`` with the whole words of ``sigma``'s keys replaced by their values."""
    if not sigma:
        return text
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, sigma)) + r")\b")
    return pattern.sub(lambda m: sigma[m.group(1)], text)


def renames_in_tests(
    tests: Sequence[str], texts: Mapping[str, str], olds: Mapping[str, str | None]
) -> dict[str, str] | None:
    """The names renamed, when every test file of ``tests`` that the edit changes is a
    Python (or JS/TS: :mod:`.jsrenames`) file whose only change renames what the edit's
    code files in its language (the other paths of ``texts``) renamed; else None.  ``olds``: each file's text before the edit (None: it
    did not exist)."""
    code = {rel: text for rel, text in texts.items() if rel not in set(tests)}
    if not tests:
        return None
    py_gone, py_made = code_renames(olds, code)
    js_gone, js_made = js_code_renames(olds, code)
    total: dict[str, str] = {}
    for rel in tests:
        old = olds.get(rel)
        sigma: dict[str, str] | None = None
        if old is None:
            return None
        if is_python(rel) and py_gone and py_made:
            sigma = renaming(old, texts[rel], py_gone, py_made)
        elif is_js(rel) and js_gone and js_made:  # the code's names only through its files
            sigma = js_renaming(old, texts[rel], js_gone, js_made, edited_module(rel, code))
        if sigma is None:
            return None
        for k, v in sigma.items():
            if total.setdefault(k, v) != v:
                return None
    return total or None


def with_old_names(run: TestRun, renamed: Mapping[str, str]) -> TestRun:
    """``run`` (with the edit) with its test ids named as before the rename: a test named
    after what it tests (a doctest, ``pkg.mod.add``) is the same test under the new name,
    not one that stopped running.  Whole words only: ``test_add`` stays.  Two tests
    named alike this way (``calc.plus``'s doctest and a ``calc.add`` the edit left under
    an ``if``) are one test with the worse outcome: a pass never hides a failure."""
    back = {new: old for old, new in renamed.items()}

    def old(test_id: str) -> str:
        return renamed_text(test_id, back)

    outcomes: dict[str, str] | None = None
    if run.outcomes is not None:
        outcomes = {}
        for k, v in run.outcomes.items():
            was = outcomes.get(old(k))
            outcomes[old(k)] = v if was is None else min(was, v, key=_rank)
    messages: dict[str, str] = {}
    for k, v in run.messages.items():
        messages[old(k)] = "; ".join(filter(None, (messages.get(old(k)), v)))
    return attrs.evolve(
        run,
        outcomes=outcomes,
        messages=messages,
        broken={old(k): v for k, v in run.broken.items()},
    )


#: outcomes from the worst: of two tests that take one name, the worse one counts
_RANK = (FAILED, SKIPPED, PASSED)


def _rank(outcome: str) -> int:
    return _RANK.index(outcome) if outcome in _RANK else 0  # (unknown: as a failure)
