"""Shared by the gateway tests: the production wiring around a real litellm gateway."""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
from acrouter.app import EditorApp, PriorStore, build_editor_app
from acrouter.config import parse_settings

ProductionApp = Callable[..., EditorApp]


@pytest.fixture
def production_app(tmp_path: Path) -> ProductionApp:
    """``build_editor_app`` (litellm gateway, sandboxed verifier, policy, tinydb memory in
    ``tmp_path``) for these models: one attempt each request (``max_attempts``), the
    project's tests run by this interpreter's pytest."""

    def build(
        models: Sequence[Mapping[str, Any]],
        *,
        env: Mapping[str, str],
        request_timeout_s: float,
        priors: PriorStore | None = None,
        max_attempts: int = 1,
    ) -> EditorApp:
        settings, problems = parse_settings(
            {
                "models": list(models),
                "maxAttempts": max_attempts,
                "requestTimeoutSeconds": request_timeout_s,
                "testCommand": f"{sys.executable} -m pytest -q -p no:cacheprovider",
            }
        )
        assert problems == []
        return build_editor_app(
            settings,
            memory_path=tmp_path / "memory.json",
            env=dict(env),
            priors=priors or PriorStore(),
        )

    return build
