""".ci/cpython: the pytest it installs in the Pythons it builds is the one of the dev lock,
and the source tarball it builds is the one whose sha256 it names."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

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
    ours = _pins((ROOT / ".ci" / "cpython-requirements.txt").read_text())
    lock = _pins((ROOT / "requirements-dev.lock").read_text())
    assert set(ours) == {"pytest", "pluggy", "iniconfig", "packaging", "pygments"}
    assert {name: lock[name] for name in ours} == ours


def _cpython(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "ACROUTER_PYTHONS_HOME": str(tmp_path / "pythons"),
        "ACROUTER_DEBIAN_MIRROR": (tmp_path / "mirror").as_uri(),
    }
    return subprocess.run(
        ["bash", str(ROOT / ".ci" / "cpython"), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("args", "tarball", "sha256"),
    [
        (
            ("3.13",),
            "python3.13/python3.13_3.13.5.orig.tar.xz",
            "93e583f243454e6e9e4588ca2c2662206ad961659863277afcdb96801647d640",
        ),
        (
            (),  # (3.14 when none is named)
            "python3.14/python3.14_3.14.7.orig.tar.xz",
            "3b48dac8fb59f62eaa67ac83c1eb12bda1b7a08406dd286e252c11a66be27f81",
        ),
        (
            ("3.15",),
            "python3.15/python3.15_3.15.0~rc1.orig.tar.xz",
            "f84dad680ab2147417d2739355c2678f0f9acffe4ae8ef77895de1454b384b07",
        ),
    ],
)
def test_a_tarball_of_another_sha256_is_refused(
    tmp_path: Path, args: tuple[str, ...], tarball: str, sha256: str
) -> None:
    # a mirror (here a folder, through curl's file://) serving other bytes under the name
    served = tmp_path / "mirror" / "pool" / "main" / "p" / tarball
    served.parent.mkdir(parents=True)
    served.write_bytes(b"not the tarball")
    done = _cpython(tmp_path, *args)
    assert done.returncode == 1 and done.stdout == "", done.stderr
    assert f"not {sha256}: refused" in done.stderr
    assert not (tmp_path / "pythons").exists()


def test_a_release_it_does_not_build_is_named(tmp_path: Path) -> None:
    done = _cpython(tmp_path, "3.9")
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr == "cpython: no Python 3.9 here: 3.13, 3.14 or 3.15\n"
