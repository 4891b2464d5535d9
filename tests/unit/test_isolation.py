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


def test_one_home_rule_for_data_and_caches(monkeypatch) -> None:
    from acrouter.verifier import default_cache_dir

    assert acrouter_home({"ACROUTER_HOME": "/a", "XDG_DATA_HOME": "/d"}) == Path("/a")
    assert acrouter_home({"ACROUTER_HOME": "/a", "XDG_CACHE_HOME": "/c"}, cache=True) == Path("/a")
    assert acrouter_home({"XDG_DATA_HOME": "/d", "XDG_CACHE_HOME": "/c"}) == Path("/d/acrouter")
    assert acrouter_home({"XDG_DATA_HOME": "/d", "XDG_CACHE_HOME": "/c"}, cache=True) == Path(
        "/c/acrouter"
    )
    monkeypatch.setenv("HOME", "/h")
    assert acrouter_home({}) == Path("/h/.local/share/acrouter")
    assert acrouter_home({}, cache=True) == Path("/h/.cache/acrouter")
    # the memory and the verifier's baseline cache follow it
    assert default_memory_path({"ACROUTER_HOME": "/a"}) == Path("/a/memory.json")
    assert default_cache_dir({"ACROUTER_HOME": "/a"}) == Path("/a/verifier-cache")
    assert default_cache_dir({"XDG_CACHE_HOME": "/c"}) == Path("/c/acrouter/verifier-cache")
