"""The autouse fixture of tests/conftest.py: ACROUTER_HOME is a fresh temporary folder."""

from __future__ import annotations

import os
from pathlib import Path

from acrouter.config import acrouter_home
from acrouter.memory import default_memory_path


def test_acrouter_home_is_a_temporary_folder(tmp_path_factory) -> None:
    home = Path(os.environ["ACROUTER_HOME"])
    assert home.is_relative_to(tmp_path_factory.getbasetemp())
    assert acrouter_home() == home and default_memory_path() == home / "memory.json"
