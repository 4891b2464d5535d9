"""The pytest that .ci/python313 installs for Python 3.13 is the one of the dev lock."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _pins(text: str) -> dict[str, tuple[str, frozenset[str]]]:
    """{name: (version, hashes)} of a hashed requirements file."""
    pins = {}
    for m in re.finditer(
        r"^([A-Za-z0-9_.-]+)==(\S+)((?:\s*\\\n\s+--hash=\S+)+)", text, re.MULTILINE
    ):
        pins[m.group(1).lower()] = (m.group(2), frozenset(re.findall(r"--hash=(\S+)", m.group(3))))
    return pins


def test_the_pins_and_hashes_are_the_dev_locks() -> None:
    ours = _pins((ROOT / ".ci" / "python313-requirements.txt").read_text())
    lock = _pins((ROOT / "requirements-dev.lock").read_text())
    assert set(ours) == {"pytest", "pluggy", "iniconfig", "packaging", "pygments"}
    assert {name: lock[name] for name in ours} == ours
