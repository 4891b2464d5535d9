"""pytest 9's own configuration files (``pytest.toml``, ``.pytest.toml``) are the tests'.

pytest 9 reads ``pytest.toml`` / ``.pytest.toml`` first in each folder, before
``pytest.ini``: an edit adding one with ``addopts = ["-p", "calc_helpers"]`` and a
module of its own whose hook (its name built at run time, as the tripwire reads names)
reports every test passed, next to a broken ``mul``, was verified: the file was judged as
the code's, not as the tests' configuration."""

from __future__ import annotations

from pathlib import Path

import pytest
from acrouter.domain import Edit
from acrouter.verifier.testcommand import pytest_patterns
from acrouter.verifier.testfiles import is_test_file

from .helpers import CALC_FIXED, CALC_PROJECT, HIDDEN_PLUGIN, PYTEST, task_for, verifier, write_tree


@pytest.mark.parametrize("config", ["pytest.toml", ".pytest.toml", ".pytest.ini"])
def test_pytest_9s_configuration_belongs_to_the_tests(config: str) -> None:
    assert is_test_file(config) and is_test_file(f"sub/{config}")


@pytest.mark.parametrize("config", ["pytest.toml", ".pytest.toml"])
def test_a_plugin_loaded_from_pytest_toml_is_not_verified(tmp_path: Path, config: str) -> None:
    # verified before: '2 passed, 0 failed (before: 2 passed, 0 failed)', mul broken
    root = write_tree(tmp_path / "proj", {**CALC_PROJECT, "calc.py": CALC_FIXED})
    files = {
        "calc.py": CALC_FIXED.replace("a * b", "a + b"),
        "calc_helpers.py": HIDDEN_PLUGIN,
        config: '[pytest]\npythonpath = ["."]\naddopts = ["-p", "calc_helpers"]\n',
    }
    v = verifier().verify(task_for(root, f"{PYTEST} tests"), Edit(files=files), "m")
    assert v.verdict == "fail", v.detail
    assert f"{config} set aside" in v.detail, v.detail


def test_python_files_of_pytest_toml_are_the_tests(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path / "proj", {"pytest.toml": '[pytest]\npython_files = ["check_*.py"]\n'}
    )
    assert pytest_patterns(("pytest",), "", root) == ["check_*.py"]
    (root / "pytest.toml").unlink()
    write_tree(root, {".pytest.toml": '[pytest]\npython_files = "check_*.py spec_*.py"\n'})
    assert pytest_patterns(("pytest",), "", root) == ["check_*.py", "spec_*.py"]
