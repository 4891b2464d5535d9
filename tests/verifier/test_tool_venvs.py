"""Where poetry and pipenv keep a project's virtualenv when it is not in the project's
folder (``detection.tool_venv``): in the user's home, named by a hash of the project's
path, so that detection runs the tests with it rather than with the Python on the PATH
(``tests/verifier/test_python_tools.py`` runs such projects' tests end to end)."""

from __future__ import annotations

import base64
import hashlib
import os
import time
from pathlib import Path

import pytest
from acrouter.verifier.detection import detect_test_command, project_python, tool_venv

from .helpers import write_tree


def _tag(path: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(path.encode()).digest()).decode()[:8]


def _venv(path: Path, *, python: bool = True) -> Path:
    """A folder that looks like a virtualenv (``pyvenv.cfg``, an executable
    ``bin/python``); without ``python``, one whose interpreter is gone."""
    write_tree(path, {"pyvenv.cfg": "home = /usr/bin\n"})
    if python:
        write_tree(path, {"bin/python": "#!/bin/sh\n"})
        (path / "bin" / "python").chmod(0o755)
    return path


def _poetry_name(root: Path, py: str = "3.11") -> str:
    return f"app-{_tag(os.path.normcase(os.path.realpath(root)))}-py{py}"


POETRY = {"pyproject.toml": '[tool.poetry]\nname = "app"\n', "tests/test_app.py": ""}
PIPENV = {"Pipfile": "[packages]\n", "tests/test_app.py": ""}


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


def _env(home: Path, **extra: str) -> dict[str, str]:
    return {"HOME": str(home), **extra}


def test_poetrys_virtualenv_in_its_default_folder(tmp_path: Path, home: Path) -> None:
    root = write_tree(tmp_path / "app", POETRY)
    venv = _venv(home / ".cache/pypoetry/virtualenvs" / _poetry_name(root))
    assert tool_venv(root, _env(home)) == venv


@pytest.mark.parametrize(
    "sign",
    [
        {"poetry.lock": "# lock\n"},
        {"pyproject.toml": '[tool.poetry.dependencies]\npython = "^3.11"\n'},
        {
            "pyproject.toml": '[project]\nname = "app"\n[build-system]\n'
            'build-backend = "poetry.core.masonry.api"\n'
        },
    ],
    ids=["poetry.lock", "tool.poetry", "poetry-core backend"],
)
def test_what_makes_a_project_poetrys(tmp_path: Path, home: Path, sign: dict[str, str]) -> None:
    root = write_tree(tmp_path / "app", sign)
    venv = _venv(home / ".cache/pypoetry/virtualenvs" / _poetry_name(root))
    assert tool_venv(root, _env(home)) == venv


def test_a_project_that_is_not_poetrys_does_not_take_a_virtualenv_by_its_hash(
    tmp_path: Path, home: Path
) -> None:
    root = write_tree(tmp_path / "app", {"pyproject.toml": '[project]\nname = "app"\n'})
    _venv(home / ".cache/pypoetry/virtualenvs" / _poetry_name(root))
    assert tool_venv(root, _env(home)) is None


def test_poetrys_folder_from_its_variable_and_from_xdg(tmp_path: Path, home: Path) -> None:
    root = write_tree(tmp_path / "app", POETRY)
    mine = _venv(tmp_path / "venvs" / _poetry_name(root))
    assert tool_venv(root, _env(home, POETRY_VIRTUALENVS_PATH=str(tmp_path / "venvs"))) == mine
    cached = _venv(tmp_path / "cache/pypoetry/virtualenvs" / _poetry_name(root))
    assert tool_venv(root, _env(home, XDG_CACHE_HOME=str(tmp_path / "cache"))) == cached


def test_another_projects_virtualenv_or_one_without_a_python_is_not_taken(
    tmp_path: Path, home: Path
) -> None:
    root = write_tree(tmp_path / "app", POETRY)
    other = write_tree(tmp_path / "other", POETRY)
    folder = home / ".cache/pypoetry/virtualenvs"
    _venv(folder / _poetry_name(other))
    _venv(folder / _poetry_name(root), python=False)
    assert tool_venv(root, _env(home)) is None
    assert tool_venv(other, _env(home)) == folder / _poetry_name(other)


def test_of_two_pythons_virtualenvs_the_one_made_last(tmp_path: Path, home: Path) -> None:
    root = write_tree(tmp_path / "app", POETRY)
    folder = home / ".cache/pypoetry/virtualenvs"
    old = _venv(folder / _poetry_name(root, "3.10"))
    new = _venv(folder / _poetry_name(root, "3.12"))
    now = time.time()
    os.utime(old / "pyvenv.cfg", (now - 3600, now - 3600))
    assert tool_venv(root, _env(home)) == new
    os.utime(new / "pyvenv.cfg", (now - 7200, now - 7200))
    assert tool_venv(root, _env(home)) == old


def test_pipenvs_virtualenv_by_its_pipfiles_path(tmp_path: Path, home: Path) -> None:
    root = write_tree(tmp_path / "app", PIPENV)
    venv = _venv(home / ".local/share/virtualenvs" / f"app-{_tag(str(root / 'Pipfile'))}")
    assert tool_venv(root, _env(home)) == venv
    assert tool_venv(root, _env(home, WORKON_HOME=str(tmp_path / "elsewhere"))) is None
    elsewhere = _venv(tmp_path / "elsewhere" / venv.name)
    assert tool_venv(root, _env(home, WORKON_HOME=str(tmp_path / "elsewhere"))) == elsewhere
    data = _venv(tmp_path / "data/virtualenvs" / venv.name)
    assert tool_venv(root, _env(home, XDG_DATA_HOME=str(tmp_path / "data"))) == data


def test_a_virtualenv_in_the_project_comes_first(
    tmp_path: Path, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_tree(tmp_path / "app", POETRY)
    outside = _venv(home / ".cache/pypoetry/virtualenvs" / _poetry_name(root))
    for var in ("POETRY_VIRTUALENVS_PATH", "XDG_CACHE_HOME"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HOME", str(home))
    assert project_python(root) == outside / "bin" / "python"
    assert detect_test_command(root) == f"{outside / 'bin' / 'python'} -m pytest"
    inside = _venv(root / ".venv")
    assert project_python(root) == inside / "bin" / "python"


def test_the_editors_python_after_the_projects_own_virtualenvs(
    tmp_path: Path, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``detect_test_command(root, editor_python)``: the Python the editor has selected
    (a conda environment, a virtualenv in ``~/.virtualenvs``) runs a Python project's
    tests where the project has no virtualenv of its own, in its folder or poetry's or
    pipenv's; a path that is not an executable file is not taken."""
    for var in ("POETRY_VIRTUALENVS_PATH", "XDG_CACHE_HOME"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HOME", str(home))
    editor = _venv(tmp_path / "conda/envs/ds") / "bin" / "python"
    root = write_tree(tmp_path / "app", {"tests/test_app.py": ""})
    assert detect_test_command(root) == "python3 -m pytest"
    assert detect_test_command(root, str(editor)) == f"{editor} -m pytest"
    assert detect_test_command(root, str(tmp_path / "gone/bin/python")) == "python3 -m pytest"
    assert detect_test_command(root, str(tmp_path / "conda")) == "python3 -m pytest"
    write_tree(root, POETRY)
    poetry = _venv(home / ".cache/pypoetry/virtualenvs" / _poetry_name(root))
    assert detect_test_command(root, str(editor)) == f"{poetry / 'bin' / 'python'} -m pytest"
    inside = _venv(root / ".venv")
    assert detect_test_command(root, str(editor)) == f"{inside / 'bin' / 'python'} -m pytest"
