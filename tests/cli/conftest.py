"""Shared by the command-line tests (``home`` and ``fake`` come from tests/conftest.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fakes.calc_project import make_project


@pytest.fixture
def target(tmp_path: Path) -> Path:
    """calc.py of a small project whose test fails on its bug (a - b for a + b)."""
    return make_project(tmp_path / "proj")
