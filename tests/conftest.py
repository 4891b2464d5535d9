"""Every test runs with ACROUTER_HOME in its own temporary folder, so no test reads or
writes the developer's routing memory, config or verifier cache (subprocesses started
with ``os.environ`` inherit it)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def acrouter_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    home = tmp_path_factory.mktemp("acrouter-home")
    monkeypatch.setenv("ACROUTER_HOME", str(home))
    return home
