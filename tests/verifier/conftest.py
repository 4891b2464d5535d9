"""Fixtures of the verifier tests."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from .helpers import CALC, TEST_CALC, Shared, write_tree


@pytest.fixture
def marker() -> str:
    return f"acrmark{uuid.uuid4().hex[:12]}"


@pytest.fixture
def project(tmp_path: Path, marker: str) -> Path:
    """A two-test project with one bug (``add`` subtracts); its folder name holds a
    unique marker so its test processes can be found in /proc."""
    root = tmp_path / f"proj-{marker}"
    return write_tree(
        root,
        {
            "calc.py": CALC,
            "tests/test_calc.py": TEST_CALC,
            "pytest.ini": "[pytest]\npythonpath = .\n",
        },
    )


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Shared:
    """The sample project shared by a test module (tests must not change its files)."""
    mark = f"acrmark{uuid.uuid4().hex[:12]}"
    base = tmp_path_factory.mktemp("shared")
    root = write_tree(
        base / f"proj-{mark}",
        {
            "calc.py": CALC,
            "tests/test_calc.py": TEST_CALC,
            "pytest.ini": "[pytest]\npythonpath = .\n",
        },
    )
    return Shared(root, mark, base / "cache")
