"""A rename across code and tests that also changes files the tests name but which are no
test code (a changelog, a document folder: ``verifier/testdata.py`` counts them among the
tests' files).  Found on packaging 26.4 (``benchmarks/verify_trust.py``, *rename the most
tested function across code and tests*): ``parse_wheel_filename`` renamed in the code, in
``tests/test_utils.py``, in ``CHANGELOG.rst`` (a URL ending in it in a test) and in
``pylock.rst`` of its ``docs`` folder (the string ``"docs"`` in a test) failed: a changed data file is no
renaming of test code, so every change to the tests was set aside and the tests as they
were could not import the new name.  Now the renamed tests are the user's and the data
files alone are judged as they were first, then the whole edit: both must pass, so an
expected output rewritten with a bug still fails."""

from __future__ import annotations

from pathlib import Path

from acrouter.domain import Edit

from .helpers import PYTEST, task_for, verifier, write_tree

CODE = "def add(a, b):\n    return a + b\n"
TEST = "from calc import add\n\n\ndef test_add():\n    assert add(2, 3) == 5\n"
# tests that name a document and a folder, as packaging's do (a URL; a path part: its
# docs folder, doc here)
DOCS_TEST = """\
from pathlib import Path

URL = "https://example.org/project/CHANGELOG.rst"


def test_docs_exist():
    assert (Path(__file__).parent.parent / "doc").is_dir()
"""
EXPECTED_TEST = """\
import json
from pathlib import Path

from calc import add

EXPECTED = json.loads((Path(__file__).parent.parent / "expected" / "add.json").read_text())


def test_add_expected():
    assert add(2, 3) == EXPECTED["2+3"]
"""


def _project(root: Path) -> Path:
    return write_tree(
        root,
        {
            "calc.py": CODE,
            "tests/test_calc.py": TEST,
            "tests/test_docs.py": DOCS_TEST,
            "tests/test_expected.py": EXPECTED_TEST,
            "expected/add.json": '{"2+3": 5}\n',
            "CHANGELOG.rst": "Changelog\n=========\n\n1.0: ``add``\n",
            "doc/api.rst": "API\n===\n\n.. function:: add(a, b)\n",
            "pytest.ini": "[pytest]\npythonpath = .\n",
        },
    )


def _renamed(text: str) -> str:  # (the name, not the test's name nor "add.json")
    return text.replace("import add\n", "import plus\n").replace(" add(", " plus(")


def _edit(root: Path) -> dict[str, str]:
    return {
        "calc.py": CODE.replace("def add", "def plus"),
        "tests/test_calc.py": _renamed(TEST),
        "tests/test_expected.py": _renamed(EXPECTED_TEST),
        "CHANGELOG.rst": (root / "CHANGELOG.rst").read_text() + "1.1: ``add`` is ``plus``\n",
        "doc/api.rst": "API\n===\n\n.. function:: plus(a, b)\n",
    }


def test_a_rename_that_also_changes_documents_the_tests_name_is_verified(
    tmp_path: Path,
) -> None:
    root = _project(tmp_path / "p")
    v = verifier().verify(task_for(root, f"{PYTEST} tests"), Edit(files=_edit(root)), "m")
    assert v.verdict == "pass" and v.counted, v.detail
    assert v.detail.startswith(
        "with your tests (add to plus renamed in tests/test_calc.py, tests/test_expected.py "
        "as in the code): 3 passed, 0 failed (before: 3 passed, 0 failed); with its changes "
        "to CHANGELOG.rst, doc/api.rst: 3 passed"
    ), v.detail


def test_a_rename_with_the_bug_written_into_the_expected_output_is_not_verified(
    tmp_path: Path,
) -> None:
    root = _project(tmp_path / "p")
    files = {
        **_edit(root),
        "calc.py": CODE.replace("def add", "def plus").replace("a + b", "a - b"),
        "tests/test_calc.py": _renamed(TEST).replace("== 5", "== -1"),
        "expected/add.json": '{"2+3": -1}\n',
    }
    # the rename's tests changed more than names: everything of the tests' set aside
    v = verifier().verify(task_for(root, f"{PYTEST} tests"), Edit(files=files), "m")
    assert v.verdict == "fail", v.detail
    files["tests/test_calc.py"] = _renamed(TEST)  # the tests renamed, only the data rewritten
    v = verifier().verify(task_for(root, f"{PYTEST} tests"), Edit(files=files), "m")
    assert v.verdict == "fail", v.detail
    assert v.detail.startswith(
        "with your tests (add to plus renamed in tests/test_calc.py, tests/test_expected.py "
        "as in the code; the edit's changes to CHANGELOG.rst, doc/api.rst, "
        "expected/add.json set aside): broke 2 previously passing tests"
    ), v.detail
