""".ci/python313: the pytest it installs for Python 3.13 is the one of the dev lock, and
the source tarball it builds is the one whose sha256 it names."""

from __future__ import annotations

import os
import re
import subprocess
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


def test_a_tarball_of_another_sha256_is_refused(tmp_path: Path) -> None:
    # a mirror (here a folder, through curl's file://) serving other bytes under the name
    pool = tmp_path / "mirror" / "pool" / "main" / "p" / "python3.13"
    pool.mkdir(parents=True)
    (pool / "python3.13_3.13.5.orig.tar.xz").write_bytes(b"not the tarball")
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "ACROUTER_PY313_HOME": str(tmp_path / "py313"),
        "ACROUTER_DEBIAN_MIRROR": (tmp_path / "mirror").as_uri(),
    }
    done = subprocess.run(
        ["bash", str(ROOT / ".ci" / "python313")],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1 and done.stdout == "", done.stderr
    assert (
        "not 93e583f243454e6e9e4588ca2c2662206ad961659863277afcdb96801647d640: refused"
        in done.stderr
    )
    assert not (tmp_path / "py313").exists()
