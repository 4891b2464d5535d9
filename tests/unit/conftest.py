"""Fixtures shared by the unit tests."""

from __future__ import annotations

import ast
from collections import Counter

import pytest
from acrouter import pytrees


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """``ast.parse`` calls per text, as ``pytrees.parse`` makes them."""
    seen: Counter[str] = Counter()
    real = ast.parse

    def counting(text, *args, **kwargs):
        seen[text] += 1
        return real(text, *args, **kwargs)

    monkeypatch.setattr(pytrees.ast, "parse", counting)
    return seen
