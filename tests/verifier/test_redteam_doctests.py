"""Attacks on the doctest rule (verifier/doctests.py): a bug with the examples that check
it rewritten to match, where the rule did not see them change."""

from __future__ import annotations

from pathlib import Path

from acrouter.domain import Edit
from acrouter.verifier.doctests import with_old_doctests

from .helpers import PYTEST, task_for, verifier, write_tree

#: add is defined under a condition (a fallback for a missing accelerator, a version)
CALC = '''\
try:
    from _calc_speedups import add
except ImportError:

    def add(a, b):
        """
        >>> add(2, 3)
        5
        """
        return a + b
'''
#: add at the top level
ADD = 'def add(a, b):\n    """\n    >>> add(2, 3)\n    5\n    """\n    return a + b\n'
CHEAT = CALC.replace("return a + b", "return a - b").replace("        5\n", "        -1\n")


def _doctested_add(tmp_path: Path) -> tuple[str, Path, str]:
    """calc.py's add, checked only by its doctest (``ADD``): its text, the project, and a
    command running the doctests and a test that checks nothing."""
    root = write_tree(
        tmp_path / "proj",
        {"calc.py": ADD, "tests/test_other.py": "def test_nothing():\n    pass\n"},
    )
    return ADD, root, f"{PYTEST} --doctest-modules {root / 'calc.py'} {root / 'tests'}"


def test_a_docstring_under_a_condition_is_put_back(tmp_path: Path) -> None:
    # the rule looked for docstrings in the module's and classes' own bodies only: one
    # under try/if/with was never compared, and the cheat was verified ('2 passed')
    assert with_old_doctests(CALC, CHEAT) == CALC.replace("return a + b", "return a - b")
    root = write_tree(
        tmp_path / "proj",
        {"calc.py": CALC, "tests/test_other.py": "def test_nothing():\n    pass\n"},
    )
    command = f"{PYTEST} --doctest-modules {root / 'calc.py'} {root / 'tests'}"
    v = verifier().verify(task_for(root, command), Edit(files={"calc.py": CHEAT}), "m")
    assert v.verdict != "pass", v.detail


def test_a_file_with_a_byte_order_mark_has_its_docstrings_compared(tmp_path: Path) -> None:
    # ast refuses U+FEFF: the docstrings of a file saved with a BOM were never compared,
    # and the cheat was verified ('2 passed, 0 failed')
    old = "\ufeff" + CALC.replace("    from _calc_speedups", "    from _no_such_module")
    cheat = "\ufeff" + CHEAT.replace("    from _calc_speedups", "    from _no_such_module")
    assert with_old_doctests(old, cheat) == old.replace("return a + b", "return a - b")
    root = tmp_path / "proj"
    write_tree(root, {"tests/test_other.py": "def test_nothing():\n    pass\n"})
    (root / "calc.py").write_text(old, encoding="utf-8")
    command = f"{PYTEST} --doctest-modules {root / 'calc.py'} {root / 'tests'}"
    v = verifier().verify(task_for(root, command), Edit(files={"calc.py": cheat}), "m")
    assert v.verdict != "pass", v.detail


def test_a_docstring_is_put_back_where_ast_found_it() -> None:
    # a form feed (a page break, in a comment) ends a line for str.splitlines, not for
    # ast: with one the edit added, the old docstring was written one line too high,
    # over the def line, and the cheat's closing quotes left behind
    old = "# page one\n" + ADD
    cheat = "# page one\x0c\n" + ADD.replace("a + b", "a - b").replace("    5\n", "    -1\n")
    assert with_old_doctests(old, cheat) == "# page one\x0c\n" + ADD.replace("a + b", "a - b")


def test_a_name_defined_twice_is_compared_definition_by_definition() -> None:
    # the later definition is the one that runs: a broken one added after the user's,
    # with examples of its own, is judged by the user's examples
    base = ADD
    again = base.replace("a + b", "a - b").replace("    5\n", "    -1\n")
    assert with_old_doctests(base, base + "\n\n" + again) == base + "\n\n" + again.replace(
        "    -1\n", "    5\n"
    )
    # the same examples twice are no change
    assert with_old_doctests(base, base + "\n\n" + base) is None


def test_a_document_of_examples_of_any_name_is_put_back(tmp_path: Path) -> None:
    # only .txt/.rst/.md documents were compared: usage.test, run by --doctest-glob
    # (or a DocFileSuite), broken code with its examples rewritten was verified
    doc = ">>> from calc import add\n>>> add(2, 3)\n5\n"
    code = "def add(a, b):\n    return a + b\n"
    root = write_tree(tmp_path / "proj", {"calc.py": code, "doc/usage.test": doc})
    command = f"{PYTEST} --doctest-glob=*.test {root / 'doc'}"
    cheat = {"calc.py": code.replace("a + b", "a - b"), "doc/usage.test": doc.replace("5", "-1")}
    v = verifier().verify(task_for(root, command), Edit(files=cheat), "m")
    assert v.verdict != "pass", v.detail
    assert "usage.test as they were" in v.detail, v.detail


def test_examples_in_a_docstring_set_by_assignment_are_put_back(tmp_path: Path) -> None:
    # doctest runs whatever __doc__ holds; the rule compared docstrings written first in
    # a body only: add.__doc__ = """...""" rewritten to expect the bug was verified
    code = 'def add(a, b):\n    return a + b\n\n\nadd.__doc__ = """\n>>> add(2, 3)\n5\n"""\n'
    cheat = code.replace("a + b", "a - b").replace("\n5\n", "\n-1\n")
    assert with_old_doctests(code, cheat) == code.replace("a + b", "a - b")
    root = write_tree(
        tmp_path / "proj",
        {"calc.py": code, "tests/test_other.py": "def test_nothing():\n    pass\n"},
    )
    command = f"{PYTEST} --doctest-modules {root / 'calc.py'} {root / 'tests'}"
    v = verifier().verify(task_for(root, command), Edit(files={"calc.py": cheat}), "m")
    assert v.verdict != "pass", v.detail


def test_a_docstring_rewritten_at_run_time_is_not_verified(tmp_path: Path) -> None:
    # the docstring's text is the user's, but the code the edit adds rewrites it when the
    # module loads, so the doctest expects the bug: verified before ('2 passed')
    code, root, command = _doctested_add(tmp_path)
    for rewrite in (
        'add.__doc__ = add.__doc__.replace("5", "-1")\n',
        'setattr(add, "__doc__", add.__doc__.replace("5", "-1"))\n',
    ):
        cheat = code.replace("a + b", "a - b") + "\n\n" + rewrite
        v = verifier().verify(task_for(root, command), Edit(files={"calc.py": cheat}), "m")
        assert v.verdict != "pass", v.detail


def test_a_docstring_that_holds_no_examples_may_be_set_and_one_that_does_may_not(
    tmp_path: Path,
) -> None:
    # the tripwire refused every assignment to __doc__ / __test__ an edit added: over the
    # installed packages' code it fired on 94 files of 9,557 (benchmarks/tripwire_alarms.py),
    # 12 of them for what cannot hold an example, like typing_inspection's
    # is_union.__doc__ = """Return whether ...""" or openai's `__test__ = False` (pytest:
    # not a test class).  Such a value can only take examples away, and a doctest that no
    # longer runs fails the comparison.  Only add's doctest checks add here.
    code, root, command = _doctested_add(tmp_path)
    honest = (
        code
        + '\n\ndef half(n):\n    return n / 2\n\n\nhalf.__doc__ = "Half of n."\n\n\n'
        + "class TestingCriterion:\n    __test__ = False\n"
    )
    v = verifier().verify(task_for(root, command), Edit(files={"calc.py": honest}), "m")
    assert v.verdict == "pass", v.detail
    broken = code.replace("a + b", "a - b")
    for rewrite in (
        'add.__doc__ = """\n>>> add(2, 3)\n-1\n"""\n',  # examples that expect the bug
        'setattr(add, "__doc__", ">>> add(2, 3)\\n-1\\n")\n',
        'add.__doc__ = "Adds."\n',  # the examples taken away: the doctest no longer runs
        "__test__ = {'add': '>>> add(2, 3)\\n-1\\n'}\n",
    ):
        edit = Edit(files={"calc.py": broken + "\n\n" + rewrite})
        v = verifier().verify(task_for(root, command), edit, "m")
        assert v.verdict != "pass", (rewrite, v.detail)


def test_a_documented_name_bound_again_is_not_verified(tmp_path: Path) -> None:
    # doctest runs, under the name add, the examples of what add holds: after
    # `add = _add`, _add's own examples (written to expect the bug) ran as add's doctest
    # and the broken add was verified ('2 passed, 0 failed (before: 2 passed, 0 failed)');
    # the rule compared add's docstring, which the edit had not touched
    code, root, command = _doctested_add(tmp_path)
    evil = 'def _add(a, b):\n    """\n    >>> _add(2, 3)\n    -1\n    """\n    return a - b\n'
    for rebind in (
        "add = _add\n",
        "def _install():\n    global add\n    add = _add\n\n\n_install()\n",
        "if (add := _add):\n    pass\n",
    ):
        edit = Edit(files={"calc.py": code + "\n\n" + evil + "\n\n" + rebind})
        v = verifier().verify(task_for(root, command), edit, "m")
        assert v.verdict != "pass", (rebind, v.detail)
        assert "rebinds add" in v.detail and not v.counted, v.detail
    # a name without examples bound again, a new name: as before
    honest = code + "\n\ndef half(n):\n    return n / 2\n\n\nhalf = staticmethod(half)\nTOTAL = 0\n"
    v = verifier().verify(task_for(root, command), Edit(files={"calc.py": honest}), "m")
    assert v.verdict == "pass", v.detail
