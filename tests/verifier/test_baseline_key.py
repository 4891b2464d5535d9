"""The baseline cache is keyed on what outside the workspace the command uses: after
a dependency is uninstalled the cached baseline is not reused, and ``--no-cache``
replaces the entry."""

from __future__ import annotations

import json
import os
import shlex
import sys
from pathlib import Path

import pytest
from acrouter.cli import main
from acrouter.domain import Edit
from acrouter.verifier import preflight
from acrouter.verifier.baseline import environment_key

from .helpers import (
    CALC,
    CALC_FIXED,
    needs_bwrap,
    task_for,
    venv_with_pytest,
    verifier,
    write_tree,
)


def test_the_key_follows_programs_variables_and_lock_files(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    root.mkdir()
    (root / ".git").mkdir()
    env = {"PATH": "/usr/bin:/bin"}
    argv = (sys.executable, "-m", "pytest")
    key = environment_key(argv, env, root)
    assert environment_key(argv, env, root) == key
    assert environment_key(argv, {**env, "VIRTUAL_ENV": "/v"}, root) != key
    assert environment_key(argv, {"PATH": "/bin"}, root) != key
    (root / "requirements-dev.txt").write_text("pytest\n")
    with_req = environment_key(argv, env, root)
    assert with_req != key
    (root / "poetry.lock").write_text("x")
    assert environment_key(argv, env, root) != with_req
    # a program named inside a shell line, resolved on the tests' PATH
    tool = tmp_path / "bin" / "mytool"
    tool.parent.mkdir()
    tool.write_text("#!/bin/sh\n")
    tool.chmod(0o755)
    shell = ("/bin/sh", "-c", "cd sub && FOO=1 mytool --x")
    env2 = {"PATH": f"{tool.parent}:/usr/bin"}
    k1 = environment_key(shell, env2, root)
    os.utime(tool, ns=(1, 1))
    assert environment_key(shell, env2, root) != k1


@needs_bwrap
def test_an_uninstalled_dependency_is_not_hidden_by_a_stale_baseline(tmp_path: Path) -> None:
    """A venv outside the workspace: the dependency goes away after the baseline was
    cached; the next verification must not compare against the stale baseline (the
    issue: a no-op edit then "failed")."""
    venv = tmp_path / "venv"
    site = venv_with_pytest(venv)
    (site / "helperdep.py").write_text("VALUE = 1\n")
    root = write_tree(
        tmp_path / "proj",
        {
            "calc.py": CALC,
            "tests/test_calc.py": "import helperdep\nfrom calc import mul\n\n\ndef test_mul():\n    assert mul(2, 3) == 6\n",
            "pytest.ini": "[pytest]\npythonpath = .\n",
        },
    )
    command = f"{shlex.quote(str(venv / 'bin' / 'python'))} -m pytest -q -p no:cacheprovider tests"
    cache = tmp_path / "cache"
    v = verifier(cache_dir=cache, timeout_s=60)
    first = v.verify(task_for(root, command), Edit(files={"calc.py": CALC_FIXED}), "m")
    assert first.verdict == "pass", first.detail
    assert v.baseline_runs == 1
    (site / "helperdep.py").unlink()  # pip uninstall: the site-packages folder changes
    v2 = verifier(cache_dir=cache, timeout_s=60)
    second = v2.verify(task_for(root, command), Edit(files={"calc.py": CALC_FIXED}), "m")
    assert v2.baseline_runs == 1  # not the cached one
    assert second.verdict == "error" and second.counted is False
    assert "No module named 'helperdep'" in second.detail


@needs_bwrap
def test_no_cache_replaces_the_entry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ACROUTER_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    root = write_tree(
        tmp_path / "proj",
        {
            "calc.py": CALC,
            "tests/test_calc.py": "from calc import mul\n\n\ndef test_mul():\n    assert mul(2, 3) == 6\n",
            "pytest.ini": "[pytest]\npythonpath = .\n",
        },
    )
    edit = tmp_path / "edit.json"
    edit.write_text(json.dumps({"files": {"calc.py": CALC_FIXED}}))
    args = [
        "verify",
        "--workspace",
        str(root),
        "--edit",
        str(edit),
        "--json",
        "--test-command",
        f"{shlex.quote(sys.executable)} -m pytest -q tests",
    ]
    assert main(args) == 0
    capsys.readouterr()
    cache = tmp_path / "home" / "verifier-cache"
    entries = list(cache.glob("baseline-*.json"))
    assert len(entries) == 1
    data = json.loads(entries[0].read_text())
    data["outcomes"] = {
        "tests/test_calc.py::test_mul": "passed",
        "tests/test_calc.py::gone": "passed",
    }
    entries[0].write_text(json.dumps(data))  # a stale entry: a test that no longer exists
    assert main(args) == 1  # the stale entry is used: "gone" no longer ran
    assert "no longer ran" in json.loads(capsys.readouterr().out)["detail"]
    assert main([*args, "--no-cache"]) == 0  # refreshed...
    capsys.readouterr()
    assert list(cache.glob("baseline-*.json")) == entries
    assert "gone" not in entries[0].read_text()  # ...and replaced
    assert main(args) == 0


def test_a_sibling_package_edited_since_is_not_judged_by_the_cached_run(tmp_path: Path) -> None:
    """The tests import a module of a folder beside the workspace (on the PYTHONPATH they
    inherit). After it changes, the run without the edit is not reused: with the cached
    one, a test the sibling's change broke would be read as broken by the edit. (No sandbox: it
    masks /tmp, where the sibling is.)"""
    lib = tmp_path / "lib"
    lib.mkdir()
    (lib / "sibling.py").write_text("def three():\n    return 3\n")
    root = write_tree(
        tmp_path / "proj",
        {
            "calc.py": CALC,
            "tests/test_calc.py": "from sibling import three\nfrom calc import mul\n\n\n"
            "def test_mul():\n    assert mul(three(), 2) == 6\n",
            "pytest.ini": "[pytest]\npythonpath = .\n",
        },
    )
    command = f"{shlex.quote(sys.executable)} -m pytest -q -p no:cacheprovider tests"
    env = {**os.environ, "PYTHONPATH": str(lib)}
    cache = tmp_path / "cache"

    def verify():
        v = verifier(cache_dir=cache, env=env, sandbox="none")
        result = v.verify(task_for(root, command), Edit(files={"calc.py": CALC_FIXED}), "m")
        return v.baseline_runs, result

    runs, first = verify()
    assert (runs, first.verdict) == (1, "pass"), first.detail
    runs, _ = verify()
    assert runs == 0  # the sibling as it was: the cached run is reused
    (lib / "sibling.py").write_text("def three():\n    return 4\n")
    runs, third = verify()
    assert runs == 1  # not the cached run, in which test_mul passed ("broke test_mul")
    assert "(before: 0 passed, 1 failed)" in third.detail, third.detail


def test_a_run_that_needed_the_network_is_not_kept(tmp_path: Path) -> None:
    """The run without the edit failed because its set-up needed the network (Maven
    offline: an artifact ~/.m2 lacks).  The user fetches it with a first build outside:
    the next request runs the tests again.  Before, the cached failure outlived the fix
    (nothing outside the workspace that a build fills is in the key)."""
    fetched = tmp_path / "m2" / "ok"
    root = write_tree(tmp_path / "proj", {"x.txt": "1\n"})
    miss = "echo '[ERROR] Cannot access central in offline mode and the artifact t:x:jar:1'"
    command = f"sh -c {shlex.quote(f'test -f {fetched} || {{ {miss}; exit 1; }}')}"
    cache = tmp_path / "cache"

    def verify():
        v = verifier(cache_dir=cache, sandbox="none")
        return v.verify(task_for(root, command), Edit(files={"x.txt": "2\n"}), "m")

    first = verify()
    assert first.verdict == "error" and "needed the network" in first.detail, first.detail
    assert not list(cache.glob("baseline-*.json"))
    fetched.parent.mkdir()
    fetched.write_text("")
    second = verify()
    assert second.verdict == "pass", second.detail
    assert len(list(cache.glob("baseline-*.json"))) == 1  # a run that ran is kept


def test_the_code_stamp_follows_every_file_of_the_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = write_tree(tmp_path / "acrouter", {"a.py": "x = 1\n", "verifier/reports/b.py": ""})
    monkeypatch.setattr(preflight, "_PACKAGE", package)
    stamps = []
    try:
        for change in (None, "x = 2\n", "x = 2\n# another line\n"):
            if change is not None:
                (package / "a.py").write_text(change)
            preflight.code_stamp.cache_clear()
            stamps.append(preflight.code_stamp())
        (package / "verifier" / "reports" / "c.py").write_text("")
        preflight.code_stamp.cache_clear()
        stamps.append(preflight.code_stamp())
        (package / "notes.txt").write_text("not code")
        preflight.code_stamp.cache_clear()
        assert preflight.code_stamp() == stamps[-1]
    finally:
        preflight.code_stamp.cache_clear()
    assert len(set(stamps)) == 4


@needs_bwrap
def test_a_run_cached_by_another_version_of_the_server_is_run_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cached run without the edit was read by the code that ran it: another
    version (which may read the report or count the suite's tests another way) runs it
    again rather than compare an edit's run with it."""
    root = write_tree(
        tmp_path / "proj",
        {
            "calc.py": CALC,
            "tests/test_calc.py": "from calc import mul\n\n\ndef test_mul():\n    assert mul(2, 3) == 6\n",
            "pytest.ini": "[pytest]\npythonpath = .\n",
        },
    )
    command = f"{shlex.quote(sys.executable)} -m pytest -q -p no:cacheprovider tests"
    cache = tmp_path / "cache"
    runs = []
    for stamp in ("one", "one", "two"):
        monkeypatch.setattr(preflight, "code_stamp", lambda stamp=stamp: stamp)
        v = verifier(cache_dir=cache, timeout_s=60)
        result = v.verify(task_for(root, command), Edit(files={"calc.py": CALC_FIXED}), "m")
        assert result.verdict == "pass", result.detail
        runs.append(v.baseline_runs)
    assert runs == [1, 0, 1]
    assert len(list(cache.glob("baseline-*.json"))) == 2
