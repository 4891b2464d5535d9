"""The verifier benchmarks' ``--work`` folder: per user by default, and never one another
user owns (its set-ups are run) — the scripts stop with a message naming ``--work``.

Only the argument handling runs here: ``--only`` names no project, so nothing is fetched."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
SCRIPTS = ("verify_cost", "verify_trust")


def run(script: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(BENCHMARKS / f"{script}.py"), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        stdin=subprocess.DEVNULL,
    )


@pytest.mark.parametrize("script", SCRIPTS)
def test_the_default_work_folder_is_the_users_own(script):
    out = run(script, "--help")
    assert out.returncode == 0, out.stderr
    name = script.replace("_", "-")
    assert f"acrouter-{name}-{os.getuid()}" in out.stdout


@pytest.mark.parametrize("script", SCRIPTS)
def test_a_work_folder_of_another_user_stops_the_script(tmp_path, script):
    work = tmp_path / "work"
    work.mkdir()
    if os.getuid() == 0:
        os.chown(work, 65534, 65534)  # nobody's
    else:
        work.chmod(0o500)  # not writable
    try:
        out = run(script, "--work", str(work), "--only", "no-such-project")
    finally:
        work.chmod(0o700)
    assert out.returncode != 0
    assert "--work" in out.stderr and str(work) in out.stderr
    assert "Traceback" not in out.stderr
    assert list(work.iterdir()) == []  # nothing was written there
