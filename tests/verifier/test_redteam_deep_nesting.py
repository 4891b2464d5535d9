"""A Python file nested too deeply for ``compile`` / ``ast.parse`` (a 3,000-term ``+``).

The verifier raised ``RecursionError`` on such an edit (from the syntax check's
``compile``); when the syntax check does not run (a project whose Python is newer than
ours), the tripwire's ``ast.parse`` raised it too, and a file it cannot read is one it
cannot judge."""

from __future__ import annotations

from pathlib import Path

from acrouter.domain import Edit
from acrouter.verifier.harness import reaches_into_harness

from .helpers import CALC_FIXED, PYTEST, TEST_CALC, task_for, verifier, write_tree

DEEP = "X = " + " + ".join(['"a"'] * 3000) + "\n"


def test_a_file_too_deep_to_compile_fails_instead_of_raising(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path / "proj",
        {"calc.py": CALC_FIXED, "tests/test_calc.py": TEST_CALC, "pytest.ini": "[pytest]\n"},
    )
    edit = Edit(files={"calc.py": CALC_FIXED + "\n" + DEEP})
    v = verifier().verify(task_for(root, f"{PYTEST} tests"), edit, "m")
    assert v.verdict == "fail" and "cannot be compiled" in v.detail, v.detail


def test_the_tripwire_does_not_pass_a_file_it_cannot_read() -> None:
    why = reaches_into_harness({"calc.py": CALC_FIXED + DEEP}, {"calc.py": CALC_FIXED})
    assert why is not None and "nested too deeply" in why
