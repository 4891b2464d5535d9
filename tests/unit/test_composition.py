"""The composition root (app.py) owns what outlives one request: the scratch pool and the
baseline cache are shared by the verifier each request builds; there is no process-wide
singleton behind a verifier's back."""

from __future__ import annotations

from pathlib import Path

from acrouter.app import build_editor_app
from acrouter.config import DEFAULTS
from acrouter.verifier import ProjectVerifier


def test_every_request_verifier_shares_the_apps_pool_and_baselines(tmp_path: Path) -> None:
    app = build_editor_app(DEFAULTS, memory_path=tmp_path / "memory.json", env={})
    first, second = app.verifier_factory(DEFAULTS), app.verifier_factory(DEFAULTS)
    assert isinstance(first, ProjectVerifier) and isinstance(second, ProjectVerifier)
    assert first is not second
    assert first.pool is second.pool and first.comparison.cache is second.comparison.cache
    other = build_editor_app(DEFAULTS, memory_path=tmp_path / "other.json", env={})
    assert other.verifier_factory(DEFAULTS).pool is not first.pool  # per app, not per process


def test_a_standalone_verifier_has_its_own() -> None:
    a, b = ProjectVerifier(), ProjectVerifier()
    assert a.pool is not b.pool and a.comparison.cache is not b.comparison.cache
