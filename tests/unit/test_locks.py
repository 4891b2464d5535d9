"""The two hashed lock files agree with pyproject.toml and with each other.

requirements.lock is the runtime (the README's install and what the .vsix bundles);
requirements-dev.lock is the same pins plus the dev extra. `make lock` writes both.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[2]
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;]+)")
NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pins(path: Path) -> dict[str, str]:
    """name -> version of every pin; fails on a pin without a hash."""
    pins: dict[str, str] = {}
    lines = path.read_text().splitlines()
    for i, line in enumerate(lines):
        m = PIN.match(line)
        if not m:
            continue
        following = lines[i + 1] if i + 1 < len(lines) else ""
        assert "--hash=sha256:" in following, f"{path.name}: {line.strip()} has no hash"
        pins[_norm(m.group(1))] = m.group(2)
    return pins


def _project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def _names(requirements: list[str]) -> set[str]:
    names = set()
    for req in requirements:
        m = NAME.match(req)
        assert m, req
        names.add(_norm(m.group(1)))
    return names


def test_runtime_lock_pins_every_runtime_dependency_and_no_dev_tool() -> None:
    runtime = _pins(ROOT / "requirements.lock")
    assert _names(_project()["dependencies"]) <= set(runtime)
    dev_only = _names(_project()["optional-dependencies"]["dev"]) - _names(
        _project()["dependencies"]
    )
    assert dev_only, "the dev extra is empty"
    leaked = dev_only & set(runtime)
    assert not leaked, f"dev tools in the runtime lock: {sorted(leaked)}"


def test_dev_lock_is_the_runtime_lock_plus_the_dev_extra() -> None:
    runtime = _pins(ROOT / "requirements.lock")
    dev = _pins(ROOT / "requirements-dev.lock")
    differing = {n: (v, dev.get(n)) for n, v in runtime.items() if dev.get(n) != v}
    assert not differing, f"runtime pins that the dev lock does not share: {differing}"
    assert _names(_project()["optional-dependencies"]["dev"]) <= set(dev)
