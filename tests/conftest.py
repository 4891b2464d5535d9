"""Every test runs with ACROUTER_HOME in its own temporary folder, so no test reads or
writes the developer's routing memory, config or verifier cache (subprocesses started
with ``os.environ`` inherit it).  The front-end tests (tests/cli, tests/lsp) share the
user's home and the fake models below."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fakes.calc_project import RIGHT, WRONG
from tests.fakes.openai_server import Behaviour, FakeOpenAI


@pytest.fixture(autouse=True)
def acrouter_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    home = tmp_path_factory.mktemp("acrouter-home")
    monkeypatch.setenv("ACROUTER_HOME", str(home))
    return home


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """The home (and ACROUTER_HOME) of the user an ``acrouter`` process serves."""
    folder = tmp_path / "home"
    folder.mkdir()
    return folder


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    """The fake OpenAI server: ``cheap-m`` replies with a wrong fix, ``strong-m`` a right one."""
    with FakeOpenAI() as server:
        server.behaviours["cheap-m"] = Behaviour(reply=WRONG)
        server.behaviours["strong-m"] = Behaviour(reply=RIGHT)
        yield server
