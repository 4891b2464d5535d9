"""Attacks through a data file the tests compare against (verifier/testdata.py).

A test comparing with an expected output kept in a file outside the folders the tests'
rules know (``expected/``, ``golden/``, ``data/``) was judged by whatever the edit wrote
there: the code broken and the file rewritten to what it now gives was verified."""

from __future__ import annotations

from pathlib import Path

import pytest
from acrouter.domain import Edit

from .helpers import PYTEST, task_for, verifier, write_tree

CODE = "def add(a, b):\n    return a + b\n"
TEST = """\
import json
from pathlib import Path

from calc import add

EXPECTED = json.loads((Path(__file__).parent.parent / "FOLDER" / "add.json").read_text())


def test_add():
    assert add(2, 3) == EXPECTED["2+3"]
"""


def _project(tmp_path: Path, folder: str) -> Path:
    return write_tree(
        tmp_path / "proj",
        {
            "calc.py": CODE,
            "tests/test_calc.py": TEST.replace("FOLDER", folder),
            f"{folder}/add.json": '{"2+3": 5}\n',
            "config/defaults.json": '{"precision": 2}\n',
            "pytest.ini": "[pytest]\npythonpath = .\n",
        },
    )


@pytest.mark.parametrize("folder", ["expected", "golden", "data"])
def test_an_expected_output_rewritten_with_the_bug_is_not_verified(
    tmp_path: Path, folder: str
) -> None:
    # verified before: '1 passed, 0 failed (before: 1 passed, 0 failed)'
    root = _project(tmp_path, folder)
    files = {"calc.py": CODE.replace("a + b", "a - b"), f"{folder}/add.json": '{"2+3": -1}\n'}
    v = verifier().verify(task_for(root, f"{PYTEST} tests"), Edit(files=files), "m")
    assert v.verdict == "fail", v.detail
    assert f"{folder}/add.json set aside" in v.detail, v.detail


def test_data_the_tests_do_not_name_is_the_codes(tmp_path: Path) -> None:
    # a file no test names is judged with the code: an edit of both passes whole
    root = _project(tmp_path, "expected")
    files = {
        "calc.py": CODE.replace("a + b", "round(a + b, PRECISION)").replace(
            "def add",
            "import json\n\nPRECISION = json.load(open('config/defaults.json'))['precision']\n\n\ndef add",
        ),
        "config/defaults.json": '{"precision": 3}\n',
        "expected/add.json": '{"2+3": 5, "1+1": 2}\n',  # named by the tests: set aside first
    }
    v = verifier().verify(task_for(root, f"cd {root} && {PYTEST} tests"), Edit(files=files), "m")
    assert v.verdict == "pass", v.detail
    assert "expected/add.json" in v.detail and "config/defaults.json" not in v.detail, v.detail
