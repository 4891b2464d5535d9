"""The test commands of Python toolchains that manage the project's environment, without
a sandbox: the scratch copy is not at the workspace path, so a tool that brings the
environment up to date before running (``uv run``) would find the project moved and
install it again.  ``benchmarks/python_tools.py`` runs the real tools (uv, hatch,
poetry, pdm, tox, nox); uv is not in the dev lock, so this test runs a stand-in that
does what ``uv run`` does with the project at another path than its editable install
names: reinstall it into ``.venv`` (here: write a file there) and, offline, fail
fetching the build backend."""

from __future__ import annotations

import base64
import hashlib
import os
import shlex
import stat
import sys
import sysconfig
from pathlib import Path

import pytest
from acrouter.domain import Edit
from acrouter.errors import PreflightError
from acrouter.verifier.baseline import baseline_summary
from acrouter.verifier.detection import detect_test_command
from acrouter.verifier.offline import network_line
from acrouter.verifier.testrun import TestRun

from .helpers import (
    CALC,
    CALC_FIXED,
    TEST_CALC,
    needs_bwrap,
    task_for,
    venv_with_pytest,
    verifier,
    write_tree,
)

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


#: ``hatch test``: the project's environment is kept under HATCH_DATA_DIR (by default in
#: the user's ~/.local/share/hatch); none there: make one, which needs the network
FAKE_HATCH = """#!/bin/sh
[ "$1" = test ] || exit 64
env=${HATCH_DATA_DIR:-$HOME/.local/share/hatch}/env/virtual/calc/Xq3_ab12/hatch-test
if [ ! -x "$env/bin/python" ]; then
    echo "Creating environment: hatch-test" >&2
    echo "error: Failed to fetch: https://pypi.org/simple/pytest/" >&2
    exit 1
fi
exec "$env/bin/python" -m pytest -q -p no:cacheprovider tests
"""
#: ``poetry run CMD``: an active virtualenv, else the one named by a hash of the
#: project's real path in POETRY_VIRTUALENVS_PATH (by default ~/.cache/pypoetry/...);
#: none: make an empty one and run CMD from PATH
FAKE_POETRY = """#!/bin/sh
[ "$1" = run ] || exit 64
shift
venvs=${POETRY_VIRTUALENVS_PATH:-$HOME/.cache/pypoetry/virtualenvs}
venv=${VIRTUAL_ENV:-$venvs/calc-$(%s -c '
import base64, hashlib, os
real = os.path.normcase(os.path.realpath("."))
print(base64.urlsafe_b64encode(hashlib.sha256(real.encode()).digest()).decode()[:8])
')-py3.11}
[ -x "$venv/bin/python" ] || { echo "Creating virtualenv $venv" >&2; exit 1; }
exec "$venv/bin/python" -m "$@"
"""


#: the interpreter the stand-in tools run with: this environment's base interpreter,
#: which the sandbox shows even when the checkout (and its .venv) lies in /tmp, which it
#: masks (the stand-ins need only the standard library)
BASE_PYTHON = os.path.realpath(sys.executable)


def _tool(tmp_path: Path, name: str, text: str) -> dict[str, str]:
    """The fake tool on PATH, the user's home in ``tmp_path``: the verifier's env."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    (bin_dir / name).write_text(text)
    (bin_dir / name).chmod(0o755)
    return {
        **os.environ,
        "HOME": str(tmp_path / "home"),
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
    }


def _calc(root: Path) -> Path:
    return write_tree(root, {"src/calc.py": CALC, "tests/test_calc.py": TEST_CALC})


def _verdicts(root: Path, command: str | None, env: dict[str, str], sandbox: str) -> list[str]:
    before = _checksum(root)
    out = []
    for code in (CALC_FIXED, CALC.replace("a * b", "a + b")):
        v = verifier(sandbox=sandbox, timeout_s=60, env=env).verify(
            task_for(root, command), Edit(files={"src/calc.py": code}), "m"
        )
        out.append(f"{v.verdict} {v.tests_passed_before}->{v.tests_passed} {v.detail}")
    assert _checksum(root) == before
    return out


@pytest.mark.parametrize("sandbox", [pytest.param("bwrap", marks=needs_bwrap), "none"])
def test_hatch_test_finds_its_environment_in_the_users_home(tmp_path: Path, sandbox: str) -> None:
    """The tests' HOME is a scratch folder: hatch made a new environment there and,
    without network, every verdict was 'fail: the tests fail even without the edit'."""
    env = _tool(tmp_path, "hatch", FAKE_HATCH)
    root = _calc(tmp_path / "proj")
    hatch_env = tmp_path / "home/.local/share/hatch/env/virtual/calc/Xq3_ab12/hatch-test"
    site = venv_with_pytest(hatch_env)
    (site / "_calc.pth").write_text(f"{root / 'src'}\n")
    verdicts = _verdicts(root, "hatch test", env, sandbox)
    if sandbox == "none":
        # hatch names its environments by the project's path, and the copy is elsewhere:
        # it makes a new one, which needs the network (an error, not held against the
        # model; before: 'fail: the tests fail even without the edit')
        for v in verdicts:
            assert v.startswith("error None->None the test command needed the network"), v
            assert "Failed to fetch: https://pypi.org/simple/pytest/" in v
        return
    # the command is not pytest's own: results come from the report pytest leaves, the
    # count before the edit of a pass with nothing fixed is not read
    assert [v.split()[0] for v in verdicts] == ["pass", "fail"], verdicts


@pytest.mark.parametrize("sandbox", [pytest.param("bwrap", marks=needs_bwrap), "none"])
def test_poetry_run_finds_its_virtualenv_in_the_users_cache(tmp_path: Path, sandbox: str) -> None:
    """Before: under the sandbox poetry found no virtualenv in the scratch HOME; without
    one, none at the copy's path either."""
    env = _tool(tmp_path, "poetry", FAKE_POETRY % shlex.quote(BASE_PYTHON))
    root = _calc(tmp_path / "proj")
    real = os.path.normcase(os.path.realpath(root))
    tag = base64.urlsafe_b64encode(hashlib.sha256(real.encode()).digest()).decode()[:8]
    site = venv_with_pytest(tmp_path / f"home/.cache/pypoetry/virtualenvs/calc-{tag}-py3.11")
    (site / "_calc.pth").write_text(f"{root / 'src'}\n")
    command = "poetry run pytest -q -p no:cacheprovider tests"
    verdicts = _verdicts(root, command, env, sandbox)
    assert [v.split()[:2] for v in verdicts] == [["pass", "1->2"], ["fail", "1->0"]], verdicts


#: what marks a project as poetry's or pipenv's, and where that tool makes its virtualenv
#: in the user's home (named by a hash of the project's real path, or of its Pipfile's)
_TOOL_PROJECTS = {
    "poetry": ({"pyproject.toml": '[tool.poetry]\nname = "calc"\n'}, ".cache/pypoetry/virtualenvs"),
    "pipenv": ({"Pipfile": "[packages]\n"}, ".local/share/virtualenvs"),
}


def _tool_venv_name(tool: str, root: Path) -> str:
    if tool == "poetry":
        hashed = os.path.normcase(os.path.realpath(root))
        tail = "-py3.11"
    else:
        hashed, tail = str(root / "Pipfile"), ""
    tag = base64.urlsafe_b64encode(hashlib.sha256(hashed.encode()).digest()).decode()[:8]
    return f"calc-{tag}{tail}"


@pytest.mark.parametrize("sandbox", [pytest.param("bwrap", marks=needs_bwrap), "none"])
@pytest.mark.parametrize("tool", sorted(_TOOL_PROJECTS))
def test_with_no_command_set_the_virtualenv_poetry_or_pipenv_made_runs_the_tests(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tool: str, sandbox: str
) -> None:
    """A poetry or pipenv project keeps its virtualenv in the user's home, not in its
    folder.  Before: no virtualenv was found, the detected command was ``python3 -m
    pytest`` (the Python on the PATH, without the project's install and dependencies),
    and every request ended 'the tests cannot run even without the edit: ...
    ModuleNotFoundError: No module named ...' after a model had been paid for."""
    for var in ("POETRY_VIRTUALENVS_PATH", "WORKON_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.delenv("VIRTUAL_ENV", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    files, folder = _TOOL_PROJECTS[tool]
    root = write_tree(_calc(tmp_path / "proj"), files)
    venv = tmp_path / "home" / folder / _tool_venv_name(tool, root)
    site = venv_with_pytest(venv)
    (site / "_calc.pth").write_text(f"{root / 'src'}\n")  # its editable install
    assert detect_test_command(root) == f"{shlex.quote(str(venv / 'bin' / 'python'))} -m pytest"
    verdicts = _verdicts(root, None, dict(os.environ), sandbox)
    assert [v.split()[:2] for v in verdicts] == [["pass", "1->2"], ["fail", "1->0"]], verdicts


@pytest.mark.parametrize("how", ["active", "named"])
@pytest.mark.parametrize("layout", ["src", "flat"])
def test_without_a_sandbox_a_virtualenv_elsewhere_runs_the_edited_copy(
    tmp_path: Path, layout: str, how: str
) -> None:
    """A virtualenv outside the workspace (virtualenvwrapper's ``~/.virtualenvs``,
    pyenv-virtualenv's, the editor's selected one), active (``VIRTUAL_ENV``) or named by
    the command (``~/.virtualenvs/calc/bin/python -m pytest``), holds an editable install
    naming the workspace.  Before, without a sandbox, the tests imported the workspace's
    unedited files: every edit was 'error: the tests never ran the edit: they ran
    .../src/calc.py instead of src/calc.py'."""
    root = write_tree(tmp_path / "proj", {f"{'src/' if layout == 'src' else ''}calc.py": CALC})
    write_tree(root, {"tests/test_calc.py": TEST_CALC})
    venv = tmp_path / "virtualenvs" / "calc"
    site = venv_with_pytest(venv)
    (site / "_calc.pth").write_text(f"{root / 'src' if layout == 'src' else root}\n")
    env = {
        **os.environ,
        "VIRTUAL_ENV": str(venv),
        "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}",
    }
    python = "python"
    if how == "named":
        env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
        python = shlex.quote(str(venv / "bin" / "python"))
    rel = "src/calc.py" if layout == "src" else "calc.py"
    before = _checksum(root)
    out = []
    for code in (CALC_FIXED, CALC.replace("a * b", "a + b")):
        v = verifier(sandbox="none", timeout_s=60, env=env).verify(
            task_for(root, f"{python} -m pytest -q -p no:cacheprovider tests"),
            Edit(files={rel: code}),
            "m",
        )
        out.append(f"{v.verdict} {v.tests_passed_before}->{v.tests_passed} {v.detail}")
    assert _checksum(root) == before
    assert [v.split()[:2] for v in out] == [["pass", "1->2"], ["fail", "1->0"]], out


#: ``tox -e py311``: its commands get only PATH and the variables its pass_env names
#: (``TOX_OVERRIDE=testenv.pass_env+=A,B_*`` adds to them)
FAKE_TOX = """#!%s
import fnmatch, os, subprocess, sys
keep = ["PATH", "HOME", "TMPDIR", "LANG"]
for item in os.environ.get("TOX_OVERRIDE", "").split(";"):
    if item.startswith("testenv.pass_env+="):
        keep += item.split("=", 1)[1].split(",")
env = {k: v for k, v in os.environ.items() if any(fnmatch.fnmatchcase(k, p) for p in keep)}
venv = os.path.join(os.getcwd(), ".tox", "py311")
cmd = [venv + "/bin/python", "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"]
sys.exit(subprocess.run(cmd, env=env).returncode)
"""


@needs_bwrap
@pytest.mark.parametrize("tox", ["tox", "bin/tox", "python -m tox"])
def test_tox_passes_the_runs_variables_to_its_commands(tmp_path: Path, tox: str) -> None:
    """(Without a sandbox the copy has no .tox: tox makes it again, with the network.)
    Before: tox dropped PYTHONPATH and PYTEST_ADDOPTS, so the tracer ran only in tox's
    own process (a harmless edit's pass said no test ran the lines it changed) and
    pytest left no report (only the exit code was judged).  Also tox called by its path
    (``.venv/bin/tox -e py311``, as wcwidth 0.9.4's developers would with tox in the
    project's virtualenv) or as ``python -m tox``: the variables were passed only to a
    command word ``tox``."""
    env = _tool(tmp_path, "tox", FAKE_TOX % BASE_PYTHON)
    root = _calc(tmp_path / "proj")
    if tox == "bin/tox":
        write_tree(root, {"bin/tox": FAKE_TOX % BASE_PYTHON})
        (root / "bin" / "tox").chmod(0o755)
    elif tox == "python -m tox":
        write_tree(root, {"tox.py": (FAKE_TOX % BASE_PYTHON).split("\n", 1)[1]})
        tox = f"{shlex.quote(BASE_PYTHON)} -m tox"
    site = venv_with_pytest(root / ".tox" / "py311")
    (site / "_calc.pth").write_text(f"{root / 'src'}\n")
    verdicts = _verdicts(root, f"{tox} -e py311", env, "bwrap")
    # the command is not pytest's own: the count before a pass with nothing fixed is not read
    assert [v.split()[:2] for v in verdicts] == [["pass", "None->2"], ["fail", "1->0"]], verdicts
    assert "no test ran" not in verdicts[0]
    assert "test_calc.py::test_mul" in verdicts[1]


#: the same, its pytest command passing the project's own ``--junit-xml`` (wcwidth 0.9.4's
#: tox.ini), and failing when that report was not written
FAKE_TOX_OWN_XML = FAKE_TOX.replace('"tests"]', '"--junit-xml=own.xml", "tests"]').replace(
    "sys.exit(subprocess.run(cmd, env=env).returncode)",
    "rc = subprocess.run(cmd, env=env).returncode\nsys.exit(rc or (0 if os.path.exists('own.xml') else 9))",
)


@needs_bwrap
def test_tox_with_the_projects_own_junit_xml_is_read_per_test(tmp_path: Path) -> None:
    """Before: the project's ``--junit-xml`` on pytest's command line overrode the report
    ``PYTEST_ADDOPTS`` asks for; the verdicts were the exit code's ("tests exited with
    code 1", no test named).  Our plugin (``verifier/junit_own.py``) writes ours too, and
    the project's own.xml is still written (the fake tox fails without it)."""
    assert FAKE_TOX_OWN_XML != FAKE_TOX and "own.xml" in FAKE_TOX_OWN_XML
    env = _tool(tmp_path, "tox", FAKE_TOX_OWN_XML % BASE_PYTHON)
    root = _calc(tmp_path / "proj")
    site = venv_with_pytest(root / ".tox" / "py311")
    (site / "_calc.pth").write_text(f"{root / 'src'}\n")
    verdicts = _verdicts(root, "tox -e py311", env, "bwrap")
    assert [v.split()[:2] for v in verdicts] == [["pass", "None->2"], ["fail", "1->0"]], verdicts
    assert "test_calc.py::test_mul" in verdicts[1]


def test_a_run_that_needed_the_network_before_any_test_is_refused_by_the_preflight() -> None:
    line = network_line(
        "nox > Running session tests\nerror: Failed to fetch: https://x/simple/a/\n"
    )
    assert line == "error: Failed to fetch: https://x/simple/a/"
    assert network_line("FileNotFoundError: [Errno 2] No such file or directory: 'x'") is None
    with pytest.raises(PreflightError, match=r"needed the network before any test ran.*Failed"):
        baseline_summary("nox", TestRun(exit_code=1, network=line))
    # a run that failed for another reason is compared as before
    assert baseline_summary("nox", TestRun(exit_code=1)).detail == "exit code 1 without the edit"


#: a test that runs ``python`` from the PATH, as tests of a command-line tool do
TEST_SUBPROCESS = """\
import os
import subprocess


def test_the_tests_python_is_the_virtualenvs():
    out = subprocess.run(
        ["python", "-c", "import sys; print(sys.prefix)"], capture_output=True, text=True
    )
    assert out.stdout.strip() == os.environ["VIRTUAL_ENV"]
"""


@pytest.mark.parametrize("sandbox", [pytest.param("bwrap", marks=needs_bwrap), "none"])
def test_a_command_naming_a_virtualenvs_python_runs_as_if_it_were_active(
    tmp_path: Path, sandbox: str
) -> None:
    """``~/.virtualenvs/calc/bin/python -m pytest`` (or the editor's Python, which
    detection names): the tests' own ``python`` and ``VIRTUAL_ENV`` are that
    virtualenv's, as in the user's shell with it active.  Before: the PATH's python3,
    and VIRTUAL_ENV unset (the test failed before and after every edit)."""
    root = write_tree(_calc(tmp_path / "proj"), {"tests/test_env.py": TEST_SUBPROCESS})
    venv = tmp_path / "virtualenvs" / "calc"
    site = venv_with_pytest(venv)
    (site / "_calc.pth").write_text(f"{root / 'src'}\n")
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    command = f"{shlex.quote(str(venv / 'bin' / 'python'))} -m pytest -q -p no:cacheprovider tests"
    verdicts = _verdicts(root, command, env, sandbox)
    assert [v.split()[:2] for v in verdicts] == [["pass", "2->3"], ["fail", "2->1"]], verdicts


#: a test that asks which ``python`` the PATH gives and which conda environment is active
TEST_CONDA = """\
import os
import shutil


def test_the_tests_python_is_the_conda_environments():
    prefix = os.environ["CONDA_PREFIX"]
    assert shutil.which("python") == os.path.join(prefix, "bin", "python")
"""


def test_a_command_naming_a_conda_environments_python_runs_as_if_it_were_active(
    tmp_path: Path,
) -> None:
    """The editor's Python may be a conda environment's (``conda-meta/`` beside its
    ``bin/``, no ``pyvenv.cfg``): ``CONDA_PREFIX`` and the front of ``PATH`` are its, as
    after ``conda activate``.  (Without a sandbox: this stand-in environment's Python is
    a link to the base interpreter, which finds pytest through PYTHONPATH.)"""
    root = write_tree(
        _calc(tmp_path / "proj"),
        {"tests/test_env.py": TEST_CONDA, "pytest.ini": "[pytest]\npythonpath = src\n"},
    )
    prefix = tmp_path / "miniconda3" / "envs" / "ds"
    (prefix / "conda-meta").mkdir(parents=True)
    (prefix / "bin").mkdir()
    (prefix / "bin" / "python").symlink_to(BASE_PYTHON)
    purelib = sysconfig.get_paths()["purelib"]
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "CONDA_PREFIX")}
    env["PYTHONPATH"] = purelib
    command = (
        f"{shlex.quote(str(prefix / 'bin' / 'python'))} -m pytest -q -p no:cacheprovider tests"
    )
    verdicts = _verdicts(root, command, env, "none")
    assert [v.split()[:2] for v in verdicts] == [["pass", "2->3"], ["fail", "2->1"]], verdicts
