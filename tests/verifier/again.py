"""End-to-end tests of other modules run again under other conditions: another Python
(``test_other_python``), pytest-xdist (``test_xdist``), a runner's parallel mode
(``test_parallel_runners``, ``test_parallel_node``).  A table names the tests by module;
each runs with every combination of its ``parametrize`` marks, its fixtures asked of
the test that runs it again."""

from __future__ import annotations

import inspect
import itertools
from collections.abc import Callable, Iterable, Mapping
from types import ModuleType
from typing import Any

import pytest

#: the tests to run again: their names, by module
Table = Mapping[ModuleType, tuple[str, ...]]


def parameters(test: Callable[..., None]) -> list[dict[str, object]]:
    """Every combination of a test's ``parametrize`` marks, as keyword arguments."""
    axes = []
    for mark in getattr(test, "pytestmark", []):
        if mark.name != "parametrize":
            continue
        names, values = mark.args[0], mark.args[1]
        names = [n.strip() for n in names.split(",")] if isinstance(names, str) else list(names)
        rows = [  # a pytest.param's values are a tuple, even of one name
            v.values if hasattr(v, "marks") else v if len(names) > 1 else (v,) for v in values
        ]
        axes.append([dict(zip(names, row)) for row in rows])
    return [{k: v for part in combo for k, v in part.items()} for combo in itertools.product(*axes)]


def cases(table: Table, modes: Iterable[str] | None = None) -> list[Any]:
    """``pytest.param(module, name, kwargs)`` for each test of ``table`` and each of its
    :func:`parameters` (id ``short::name-i``); with ``modes``, one per mode: the mode
    last of the values and first in the id (``mode-short::name-i``)."""
    out = []
    for module, names in table.items():
        short = module.__name__.rpartition(".")[2].removeprefix("test_")
        for name in names:
            for i, kwargs in enumerate(parameters(getattr(module, name))):
                case = f"{short}::{name}-{i}"
                if modes is None:
                    out.append(pytest.param(module, name, kwargs, id=case))
                else:
                    out.extend(
                        pytest.param(module, name, kwargs, mode, id=f"{mode}-{case}")
                        for mode in modes
                    )
    return out


def run_again(
    module: ModuleType, name: str, kwargs: dict[str, object], request: pytest.FixtureRequest
) -> None:
    """The test ``name`` of ``module`` with ``kwargs``, its other arguments the fixtures
    of that name where it runs again."""
    test: Callable[..., None] = getattr(module, name)
    fixtures = [p for p in inspect.signature(test).parameters if p not in kwargs]
    test(**kwargs, **{f: request.getfixturevalue(f) for f in fixtures})
