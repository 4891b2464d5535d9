"""Code nested too deeply for Python's parser itself: ``X = ----…1`` with 10,000 signs.

The parser's own stack overflows and ``ast.parse`` / ``compile`` raise ``MemoryError``
("Parser stack overflowed"), not the ``RecursionError`` of a long ``+`` chain, on 3.11
and 3.14 alike.  Nothing expected it: ``acrouter verify`` ended in a traceback, and so
did the editor's request (``acrouter complete``: the model's reply went through the
guard's ``ast.parse`` before any test).  The guard also let a ``RecursionError`` out
(a 3,000-term ``+`` on 3.11): ``acrouter verify`` ended in a traceback there too.  Now
such a file is one the guard cannot read (it compares lines, as for any file that does
not parse) and the syntax check fails the edit: "cannot be compiled"."""

from __future__ import annotations

from pathlib import Path

import pytest
from acrouter import pytrees
from acrouter.context import build_task
from acrouter.definitions import dropped_definitions
from acrouter.domain import Completion, Document, Edit, PromptContext
from acrouter.prompts import ChatPrompts
from acrouter.verifier.cli import verify_edit

from .helpers import CALC_FIXED, PYTEST, TEST_CALC, verifier, write_tree

UNARY = "X = " + "-" * 10_000 + "1\n"
PLUS = "X = " + " + ".join(['"a"'] * 3000) + "\n"


def test_the_parser_s_overflow_is_code_nested_too_deeply() -> None:
    with pytest.raises(MemoryError):
        compile(UNARY, "calc.py", "exec")  # (what Python does: the premise)
    with pytest.raises(RecursionError, match="nested too deeply"):
        pytrees.parse(UNARY)
    with pytrees.shared_trees(), pytest.raises(RecursionError):
        pytrees.parse(UNARY)


@pytest.mark.parametrize("deep", [UNARY, PLUS], ids=["unary", "plus"])
def test_the_guard_reads_a_file_nested_too_deeply_without_raising(deep: str) -> None:
    # lines compared as for a file that does not parse: nothing kept is lost
    assert dropped_definitions(CALC_FIXED, CALC_FIXED + "\n" + deep, "calc.py") == []
    gone = CALC_FIXED.split("\n\n\ndef mul")[0] + "\n\n\n" + deep
    assert dropped_definitions(CALC_FIXED, gone, "calc.py") != []


def test_acrouter_verify_fails_the_edit(tmp_path: Path) -> None:
    # (the long + is too deep for 3.11 alone: test_redteam_deep_nesting)
    root = write_tree(
        tmp_path / "proj",
        {"calc.py": CALC_FIXED, "tests/test_calc.py": TEST_CALC, "pytest.ini": "[pytest]\n"},
    )
    edit = Edit(files={"calc.py": CALC_FIXED + "\n" + UNARY})
    v = verify_edit(verifier(), str(root), edit, f"{PYTEST} tests")
    assert v.verdict == "fail" and "cannot be compiled" in v.detail, v.detail


def test_a_reply_nested_too_deeply_is_parsed_without_raising(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    path = tmp_path / "calc.py"
    path.write_text(CALC_FIXED, encoding="utf-8")
    doc = Document(uri=path.as_uri(), path=str(path), text=CALC_FIXED, language_id="python")
    task = build_task(doc, "Add a constant X", folders=[tmp_path])
    reply = (
        "calc.py\n```python\n<<<<<<< SEARCH\ndef add(a, b):\n=======\n"
        f"{UNARY}\n\ndef add(a, b):\n>>>>>>> REPLACE\n```\n"
    )
    edit = ChatPrompts().parse(task, Completion("m", reply), PromptContext())
    assert UNARY in edit.files["calc.py"]
