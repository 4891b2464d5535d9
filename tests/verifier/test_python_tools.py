"""The test commands of Python toolchains that manage the project's environment, without
a sandbox: the scratch copy is not at the workspace path, so a tool that brings the
environment up to date before running (``uv run``) would find the project moved and
install it again.  ``benchmarks/python_tools.py`` runs the real tools (uv, hatch,
poetry, pdm, tox, nox); uv is not in the dev lock, so this test runs a stand-in that
does what ``uv run`` does with the project at another path than its editable install
names: reinstall it into ``.venv`` (here: write a file there) and, offline, fail
fetching the build backend."""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

import pytest
from acrouter.domain import Edit

from .helpers import CALC, CALC_FIXED, TEST_CALC, task_for, venv_with_pytest, verifier, write_tree

#: ``uv run CMD ...``: without UV_NO_SYNC, syncs the environment (the project, at a path
#: its install in .venv does not name, is reinstalled) and fails offline; with it, runs
#: CMD from .venv/bin as uv does
FAKE_UV = """#!/bin/sh
[ "$1" = run ] || exit 64
shift
installed=$(cat .venv/installed-from)
if [ -z "$UV_NO_SYNC" ] && [ "$installed" != "$PWD" ]; then
    echo "$PWD" > .venv/installed-from
    echo "error: Failed to fetch: https://pypi.org/simple/hatchling/" >&2
    echo "  Caused by: dns error: Temporary failure in name resolution" >&2
    exit 2
fi
exec .venv/bin/python -m "$@"
"""


def _checksum(root: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            h.update(str(path.relative_to(root)).encode())
            h.update(path.read_bytes())
    return h.hexdigest()


@pytest.fixture
def uv_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = write_tree(
        tmp_path / "proj",
        {"src/calc.py": CALC, "tests/test_calc.py": TEST_CALC, "uv.lock": "version = 1\n"},
    )
    site = venv_with_pytest(root / ".venv")
    (site / "_calc.pth").write_text(f"{root / 'src'}\n")
    (root / ".venv" / "installed-from").write_text(f"{root}\n")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "uv").write_text(FAKE_UV)
    (bin_dir / "uv").chmod(0o755 | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    return root


def test_uv_run_without_a_sandbox_uses_the_environment_as_it_is(uv_project: Path) -> None:
    """Before: 'the tests cannot run even without the edit (exit code 2): ... Failed to
    fetch ...' and the user's .venv rewritten to name the scratch copy."""
    before = _checksum(uv_project)
    command = "uv run pytest -q -p no:cacheprovider tests"
    v = verifier(sandbox="none", timeout_s=60).verify(
        task_for(uv_project, command), Edit(files={"src/calc.py": CALC_FIXED}), "m"
    )
    assert v.verdict == "pass", v.detail
    assert (v.tests_passed_before, v.tests_passed) == (1, 2)
    assert _checksum(uv_project) == before
    broken = verifier(sandbox="none", timeout_s=60).verify(
        task_for(uv_project, command),
        Edit(files={"src/calc.py": CALC.replace("a * b", "a + b")}),
        "m",
    )
    assert broken.verdict == "fail", broken.detail
    assert _checksum(uv_project) == before
