"""A pyenv shim (``~/.pyenv/shims/python3``, first on a pyenv user's ``PATH``) is a bash
script: its name shows no version and its folder no standard library, so the verifier
knew neither for a project without a virtualenv.  Found as a user on a machine whose
``python3`` is pyenv's, in a workspace under a folder whose ``.python-version`` says
3.12 (``python3 -m unittest`` passes there; pytest is installed only in the global
3.11): the verifier took pytest for installed, ran ``python3 -m pytest`` and said "the
tests cannot run even without the edit: No module named pytest"; with ``--sandbox
none`` its copy of the workspace, elsewhere, ran the global 3.11 instead; an edit adding
``imp.py`` (gone from 3.12's standard library) was refused as shadowing it.

Now the shim's Python is found as pyenv finds it, without running anything
(``detection.pyenv_target``), and the tests run with ``PYENV_VERSION`` set to the
versions pyenv picks in the workspace (``environment.pyenv_version``).  Here a pyenv
folder is laid out as pyenv lays it out; none of its programs is ever run (each exits
3)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest
from acrouter.context import build_task
from acrouter.domain import (
    Attempt,
    Decision,
    Document,
    Edit,
    ModelSpec,
    Outcome,
    Task,
    Verdict,
)
from acrouter.gateway import FakeGateway
from acrouter.memory import InMemoryMemory
from acrouter.orchestrator import Orchestrator
from acrouter.prompts import ChatPrompts
from acrouter.verifier.detection import (
    detect_test_command,
    pyenv_shown,
    pyenv_target,
    python_version,
)
from acrouter.verifier.environment import build_env, project_env
from acrouter.verifier.runners import plan_command
from acrouter.verifier.screening import Screened, screen_edit
from acrouter.verifier.syntax import project_stdlib, project_version

from tests.policy.helpers import FakeVerifier

NEVER_RUN = "#!/bin/sh\nexit 3\n"


def _executable(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(NEVER_RUN, encoding="utf-8")
    path.chmod(0o755)


def _pyenv(tmp_path: Path, *, pytest_in: tuple[str, ...] = ("3.11.7",)) -> Path:
    """A pyenv folder: shims, versions 3.10.13, 3.11.7, 3.12.1 (each with its standard
    library; pytest in ``pytest_in``) and a global ``version`` of 3.11.7."""
    root = tmp_path / "pyenv"
    for shim in ("python", "python3"):
        _executable(root / "shims" / shim)
    for version in ("3.10.13", "3.11.7", "3.12.1"):
        xy = "python" + ".".join(version.split(".")[:2])
        _executable(root / "versions" / version / "bin" / xy)
        (root / "versions" / version / "bin" / "python3").symlink_to(xy)
        lib = root / "versions" / version / "lib" / xy
        (lib / "site-packages").mkdir(parents=True)
        (lib / "os.py").write_text("", encoding="utf-8")
        if version != "3.12.1":
            (lib / "imp.py").write_text("", encoding="utf-8")
        if version in pytest_in:
            (lib / "site-packages" / "pytest").mkdir()
    (root / "version").write_text("3.11.7\n", encoding="utf-8")
    return root


def _workspace(tmp_path: Path, local: str | None) -> Path:
    """``projects/calc``, with ``projects/.python-version`` saying ``local``."""
    ws = tmp_path / "projects" / "calc"
    ws.mkdir(parents=True)
    (ws / "calc.py").write_text("def add(a, b):\n    return a + b\n", encoding="utf-8")
    (ws / "test_calc.py").write_text(
        "import unittest\n\nfrom calc import add\n\n\nclass TestAdd(unittest.TestCase):\n"
        "    def test_add(self):\n        self.assertEqual(add(1, 2), 3)\n",
        encoding="utf-8",
    )
    if local is not None:
        (tmp_path / "projects" / ".python-version").write_text(
            f"# pyenv local\n{local}\n", encoding="utf-8"
        )
    return ws


def _path(root: Path) -> str:
    return f"{root / 'shims'}:/usr/bin:/bin"


def test_the_python_a_shim_runs_is_found_as_pyenv_finds_it(tmp_path: Path) -> None:
    root = _pyenv(tmp_path)
    ws = _workspace(tmp_path, "3.12.1")
    env = {"PATH": _path(root)}
    bin_ = root / "versions"
    # the nearest .python-version, at or above the folder
    assert pyenv_target("python3", ws, env) == str(bin_ / "3.12.1" / "bin" / "python3")
    assert pyenv_target(str(root / "shims" / "python"), ws, env) is None  # (no bin/python)
    # else the global version
    assert pyenv_target("python3", tmp_path, env) == str(bin_ / "3.11.7" / "bin" / "python3")
    # PYENV_VERSION first; a prefix is its latest version; the first that has it
    for chosen, picked in (("3.10.13", "3.10.13"), ("3.10", "3.10.13"), ("nope:3.12", "3.12.1")):
        got = pyenv_target("python3", ws, {**env, "PYENV_VERSION": chosen})
        assert got == str(bin_ / picked / "bin" / "python3"), chosen
    # "system": the command on the PATH outside pyenv's folder
    system = tmp_path / "usr" / "bin" / "python3"
    _executable(system)
    other = {"PATH": f"{root / 'shims'}:{system.parent}", "PYENV_VERSION": "system"}
    assert pyenv_target("python3", ws, other) == str(system)
    assert pyenv_target("python3", ws, {**other, "PYENV_VERSION": "2.7"}) is None
    # not a shim: nothing to find
    assert pyenv_target(str(system), ws, env) is None
    assert pyenv_target("python3", ws, {"PATH": str(system.parent)}) is None
    # and what shows of the Python found
    assert python_version(pyenv_target("python3", ws, env)) == (3, 12)


def test_the_verifier_knows_the_shim_s_python(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _pyenv(tmp_path)
    ws = _workspace(tmp_path, "3.12")
    monkeypatch.setenv("PATH", _path(root))
    monkeypatch.delenv("PYENV_VERSION", raising=False)
    # pytest is the global 3.11's, not 3.12's: the workspace's tests run with unittest
    assert detect_test_command(ws) == "python3 -m unittest"
    plan = plan_command("python3 -m unittest", str(tmp_path / "out"), ws)
    assert project_version(plan, ws) == (3, 12)
    assert project_stdlib(plan, ws) == root / "versions" / "3.12.1" / "lib" / "python3.12"
    # imp left the standard library in 3.12: a module of that name shadows nothing there
    got = screen_edit(ws, "python3 -m unittest", Edit(files={"imp.py": "x = 1\n"}), {})
    assert isinstance(got, Screened), got
    got = screen_edit(ws, "python3 -m unittest", Edit(files={"os.py": "x = 1\n"}), {})
    assert not isinstance(got, Screened) and got.detail.startswith("os.py adds the module os")
    # under the global 3.11 (pytest installed), imp.py shadows its imp
    (tmp_path / "projects" / ".python-version").unlink()
    assert detect_test_command(ws) == "python3 -m pytest"
    got = screen_edit(ws, "python3 -m pytest", Edit(files={"imp.py": "x = 1\n"}), {})
    assert not isinstance(got, Screened) and got.detail.startswith("imp.py adds the module imp")


def test_the_tests_run_with_the_versions_pyenv_picks_in_the_workspace(tmp_path: Path) -> None:
    root = _pyenv(tmp_path)
    ws = _workspace(tmp_path, "3.12.1 3.10.13")
    source = {"PATH": _path(root), "HOME": str(tmp_path)}
    # the copy the tests run in is elsewhere: ~/projects/.python-version is not above it
    assert project_env(ws, source) == {"PYENV_VERSION": "3.12.1:3.10.13"}
    env = build_env(source, home="/h", tmp="/t", extra=project_env(ws, source))
    assert env["PYENV_VERSION"] == "3.12.1:3.10.13"
    # the user's own choice (pyenv shell) is passed as it is
    chosen = {**source, "PYENV_VERSION": "3.10"}
    assert "PYENV_VERSION" not in project_env(ws, chosen)
    assert (
        build_env(chosen, home="/h", tmp="/t", extra=project_env(ws, chosen))["PYENV_VERSION"]
        == "3.10"
    )
    # no pyenv: nothing set
    assert project_env(ws, {"PATH": "/usr/bin:/bin"}) == {}
    # the workspace's own .python-version (at its top, or a subproject's) is in the copy,
    # and pyenv finds it there: a PYENV_VERSION would override a subproject's
    (ws / "api").mkdir()
    (ws / "api" / ".python-version").write_text("3.10.13\n", encoding="utf-8")
    assert project_env(ws, source) == {}
    (ws / "api" / ".python-version").unlink()
    (ws / ".python-version").write_text("3.10.13\n", encoding="utf-8")
    assert project_env(ws, source) == {}
    (ws / ".python-version").unlink()
    # a virtualenv of the project's own still wins over pyenv's Python
    venv = ws / ".venv"
    _executable(venv / "bin" / "python")
    (venv / "pyvenv.cfg").write_text("version = 3.12.1\n", encoding="utf-8")
    assert project_env(ws, source)["VIRTUAL_ENV"] == str(venv)


REPLY = "calc.py\n```python\n<<<<<<< SEARCH\nx = 1\n=======\nx = 2\n>>>>>>> REPLACE\n```\n"


class _First:
    """Calls the first model, once."""

    name = "first"

    def plan(self, task: Task, models: Sequence[str], tried: Sequence[Attempt]) -> Decision:
        return Decision(model=None if tried else models[0], reason="first")

    def learn(self, task: Task, outcome: Outcome) -> None:
        return None


class _Ran(FakeVerifier):
    """Passes, with the command and the Python a shim ran, as the verifier says them."""

    def verify(self, task: Task, edit: Edit, model: str, cancel: object = None) -> Verdict:
        return Verdict(
            "pass",
            test_command="python3 -m unittest",
            test_python="python3: pyenv's /home/u/.pyenv/versions/3.12.1/bin/python3",
        )


def test_the_why_names_the_python_a_shim_ran(tmp_path: Path) -> None:
    root = _pyenv(tmp_path)
    ws = _workspace(tmp_path, "3.12")
    target = root / "versions" / "3.12.1" / "bin" / "python3"
    shim = str(root / "shims" / "python3")
    assert pyenv_shown(shim, ws) == f"{shim}: pyenv's {target}"
    assert pyenv_shown(str(target), ws) == "" and pyenv_shown(None, ws) == ""
    doc = Document(uri=(ws / "calc.py").as_uri(), path=str(ws / "calc.py"), text="x = 1\n")
    task = build_task(doc, "Fix add", folders=[ws])
    orch = Orchestrator(
        (ModelSpec(name="m", model="openai/m"),),
        _First(),
        FakeGateway({"m": REPLY}),
        ChatPrompts(),
        _Ran(lambda t, m: 1.0),
        InMemoryMemory(),
        accept_unverified=True,
    )
    why = orch.run(task).why
    assert (
        "**Tests ran with:** `python3 -m unittest` "
        "(python3: pyenv's /home/u/.pyenv/versions/3.12.1/bin/python3)"
    ) in why
