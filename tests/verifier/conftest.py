"""Fixtures of the verifier tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from .helpers import CALC_PROJECT, Shared, new_marker, write_tree


@pytest.fixture
def marker() -> str:
    return new_marker()


@pytest.fixture
def project(tmp_path: Path, marker: str) -> Path:
    """A two-test project with one bug (``add`` subtracts); its folder name holds a
    unique marker so its test processes can be found in /proc."""
    return write_tree(tmp_path / f"proj-{marker}", CALC_PROJECT)


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Shared:
    """The sample project shared by a test module (tests must not change its files)."""
    mark = new_marker()
    base = tmp_path_factory.mktemp("shared")
    return Shared(write_tree(base / f"proj-{mark}", CALC_PROJECT), mark, base / "cache")
