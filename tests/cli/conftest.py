"""Shared by the command-line tests: the user's home, the sample project, the fake models."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fakes.openai_server import Behaviour, FakeOpenAI
from tests.lsp.test_e2e import RIGHT, WRONG, make_project


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """HOME and ACROUTER_HOME of the ``acrouter`` processes (config.toml, memory.json)."""
    folder = tmp_path / "home"
    folder.mkdir()
    return folder


@pytest.fixture
def target(tmp_path: Path) -> Path:
    """calc.py of a small project whose test fails on its bug (a - b for a + b)."""
    return make_project(tmp_path / "proj")


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    """The fake OpenAI server: ``cheap-m`` replies with a wrong fix, ``strong-m`` a right one."""
    with FakeOpenAI() as server:
        server.behaviours["cheap-m"] = Behaviour(reply=WRONG)
        server.behaviours["strong-m"] = Behaviour(reply=RIGHT)
        yield server
