"""A file a pytest command names is the tests' whatever its name: pytest collects it.
Before, ``pytest checks.py`` (no test_ prefix) with calc.py broken and checks.py's
assertion rewritten to expect the bug was verified ('1 passed, 0 failed')."""

from __future__ import annotations

from pathlib import Path

from acrouter.domain import Edit
from acrouter.verifier.testcommand import command_patterns
from acrouter.verifier.testfiles import files_of_the_tests

from .helpers import PYTEST, task_for, verifier, write_tree

CODE = "def add(a, b):\n    return a + b\n"
CHECKS = "from calc import add\n\n\ndef test_add():\n    assert add(2, 3) == 5\n"


def test_a_test_file_named_on_the_command_line_is_the_tests(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "proj", {"calc.py": CODE, "checks.py": CHECKS})
    command = f"{PYTEST} {root / 'checks.py'}"
    cheat = {
        "calc.py": CODE.replace("a + b", "a - b"),
        "checks.py": CHECKS.replace("== 5", "== -1"),
    }
    v = verifier().verify(task_for(root, command), Edit(files=cheat), "m")
    assert v.verdict != "pass", v.detail


def test_a_code_file_named_for_its_doctests_stays_code(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"calc.py": CODE, "sub/checks.py": CHECKS})
    both = ["calc.py", "sub/checks.py"]
    patterns = command_patterns(f"{PYTEST} --doctest-modules calc.py sub/checks.py::test_add", root)
    assert files_of_the_tests(both, patterns) == ["sub/checks.py"]
    patterns = command_patterns(f"cd sub && {PYTEST} checks.py", root)
    assert files_of_the_tests(both, patterns) == ["sub/checks.py"]
