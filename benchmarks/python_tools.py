"""The verifier against the test commands of modern Python toolchains: ``uv run pytest``,
``uv run --frozen pytest``, ``hatch test``, ``hatch run test``, ``poetry run pytest``,
``pdm run pytest``, ``pipenv run pytest``, ``tox -e py311`` and ``nox``; and, with no
command given, the command detected for the poetry and pipenv projects, whose
virtualenvs those tools make in the user's home (the row names it).

For each, a small project (``src/calc``: ``add`` and ``mul`` tested, ``shout`` not) is set
up under ``--work`` the way the tool expects (pyproject.toml, its lock file, the tool's
own virtualenv made before verifying, with the network), then ``acrouter verify`` is run
with three edits under the default sandbox and ``--sandbox none``:

- harmless: ``add`` rewritten to the same result (must pass);
- broken: ``add`` returns ``a - b`` (must fail);
- unrun: ``shout`` changed, which no test calls (must pass with the "no test ran" warning).

The tools are installed from PyPI into ``--work/tools`` (a virtualenv), which is put first
on ``PATH``.  Prints one row per tool and edit: the first line of each verdict.

    python benchmarks/python_tools.py --work ~/acr-python-tools [--only uv,tox]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

from acrouter.verifier.detection import detect_test_command

ACROUTER = Path(sys.executable).with_name("acrouter")
PY = f"{sys.version_info.major}.{sys.version_info.minor}"
TOX_ENV = f"py{sys.version_info.major}{sys.version_info.minor}"

SOURCE = """def add(a, b):
    return a + b


def mul(a, b):
    return a * b


def shout(s):
    return s.upper() + "!"
"""
TESTS = """from calc import add, mul


def test_add():
    assert add(2, 3) == 5


def test_mul():
    assert mul(2, 3) == 6
"""
EDITS = {
    "harmless": SOURCE.replace("return a + b", "total = a + b\n    return total"),
    "broken": SOURCE.replace("return a + b", "return a - b"),
    "unrun": SOURCE.replace('+ "!"', '+ "!!"'),
}
PROJECT = f"""[project]
name = "calc"
version = "0.1.0"
requires-python = ">={PY}"
dependencies = []
"""
HATCHLING = """
[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[tool.hatch.build.targets.wheel]
packages = ["src/calc"]
"""


def _pyproject(tool: str) -> str:
    if tool == "uv":
        return PROJECT + '\n[dependency-groups]\ndev = ["pytest"]\n' + HATCHLING
    if tool == "hatch":
        return (
            PROJECT
            + HATCHLING
            + '\n[tool.hatch.envs.default]\ndependencies = ["pytest"]\n'
            + '\n[tool.hatch.envs.default.scripts]\ntest = "pytest {args}"\n'
        )
    if tool == "poetry":
        return (
            PROJECT
            + '\n[tool.poetry]\npackages = [{include = "calc", from = "src"}]\n'
            + '\n[tool.poetry.group.dev.dependencies]\npytest = "*"\n'
            + '\n[build-system]\nrequires = ["poetry-core>=2.0"]\n'
            + 'build-backend = "poetry.core.masonry.api"\n'
        )
    if tool == "pipenv":  # not a package: pytest finds src/ by its configuration
        return PROJECT + '\n[tool.pytest.ini_options]\npythonpath = ["src"]\n'
    if tool == "pdm":
        return (
            PROJECT
            + '\n[dependency-groups]\ndev = ["pytest"]\n'
            + '\n[build-system]\nrequires = ["pdm-backend"]\nbuild-backend = "pdm.backend"\n'
        )
    return PROJECT + HATCHLING  # tox, nox


TOX_INI = f"""[tox]
envlist = {TOX_ENV}

[testenv]
deps = pytest
commands = pytest {{posargs}}
"""
#: tox packaging the project as an editable wheel, built in its own .pkg environment
TOX_EDITABLE_INI = TOX_INI.replace("[testenv]\n", "[testenv]\npackage = editable\n")
PIPFILE = f"""[packages]

[dev-packages]
pytest = "*"

[requires]
python_version = "{PY}"
"""
NOXFILE = """import nox


@nox.session
def tests(session):
    session.install("pytest")
    session.install("-e", ".")
    session.run("pytest")
"""
#: (row name, project folder, set-up commands, test command: None, detected)
CASES: list[tuple[str, str, list[list[str]], str | None]] = [
    ("uv run pytest", "uv", [["uv", "sync"]], "uv run pytest"),
    ("uv run --frozen pytest", "uv", [], "uv run --frozen pytest"),
    ("hatch test", "hatch", [["hatch", "test"]], "hatch test"),
    ("hatch run test", "hatch", [["hatch", "run", "test"]], "hatch run test"),
    ("poetry run pytest", "poetry", [["poetry", "install"]], "poetry run pytest"),
    ("pdm run pytest", "pdm", [["pdm", "install"]], "pdm run pytest"),
    ("pipenv run pytest", "pipenv", [["pipenv", "install", "--dev"]], "pipenv run pytest"),
    ("none set, detected in the poetry project", "poetry", [], None),
    ("none set, detected in the pipenv project", "pipenv", [], None),
    (f"tox -e {TOX_ENV}", "tox", [["tox", "-e", TOX_ENV]], f"tox -e {TOX_ENV}"),
    (
        f"tox -e {TOX_ENV} (package = editable)",
        "tox-editable",
        [["tox", "-e", TOX_ENV]],
        f"tox -e {TOX_ENV}",
    ),
    ("nox", "nox", [["nox"]], "nox"),
]
#: hishel 2.0 has no SyncSqliteStorage, which pdm 2.29 imports (every pdm command failed)
TOOLS = ["uv", "hatch", "poetry", "pdm", "hishel[httpx2]>=1.4,<2", "tox", "nox", "pipenv"]


def _run(cmd: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=cwd, env=env, text=True, capture_output=True, check=False)


def install_tools(work: Path) -> Path:
    tools = work / "tools"
    if not (tools / "bin" / "pipenv").exists():
        subprocess.run([sys.executable, "-m", "venv", str(tools)], check=True)
        subprocess.run([str(tools / "bin" / "pip"), "install", "-q", *TOOLS], check=True)
    return tools / "bin"


def make_project(root: Path, tool: str) -> None:
    if root.exists():
        shutil.rmtree(root)
    (root / "src" / "calc").mkdir(parents=True)
    (root / "tests").mkdir()
    (root / "src" / "calc" / "__init__.py").write_text(SOURCE)
    (root / "tests" / "test_calc.py").write_text(TESTS)
    (root / "pyproject.toml").write_text(_pyproject(tool))
    if tool == "tox":
        (root / "tox.ini").write_text(TOX_INI)
    if tool == "tox-editable":
        (root / "tox.ini").write_text(TOX_EDITABLE_INI)
    if tool == "nox":
        (root / "noxfile.py").write_text(NOXFILE)
    if tool == "pipenv":
        (root / "Pipfile").write_text(PIPFILE)
    (root / ".gitignore").write_text(".venv/\n.tox/\n.nox/\n__pycache__/\n.pytest_cache/\n")


def set_up(root: Path, tool: str, env: dict[str, str]) -> None:
    lock = {"uv": ["uv", "lock"], "poetry": ["poetry", "lock"], "pdm": ["pdm", "lock"]}
    if tool in lock:
        _check(_run(lock[tool], root, env))
    for cmd in [c for _, t, cs, _ in CASES if t == tool for c in cs]:
        _check(_run(cmd, root, env))
    for cmd in (["git", "init", "-q"], ["git", "add", "-A"], ["git", "commit", "-qm", "calc"]):
        _check(_run(cmd, root, env))


def _check(done: subprocess.CompletedProcess[str]) -> None:
    if done.returncode != 0:
        raise SystemExit(f"{done.args}: exit {done.returncode}\n{done.stdout}\n{done.stderr}")


def verdict(root: Path, edit: str, command: str | None, sandbox: str, env: dict[str, str]) -> str:
    spec = root.parent / f"edit-{edit}.json"
    spec.write_text(json.dumps({"files": {"src/calc/__init__.py": EDITS[edit]}}))
    args = [str(ACROUTER), "verify", "--workspace", str(root), "--edit", str(spec)]
    args += [*(["--test-command", command] if command else []), "--sandbox", sandbox]
    args += ["--timeout", "120"]
    if edit == "harmless":  # the first of each: no baseline cached by an earlier run
        args.append("--no-cache")
    done = _run(args, root, env)
    lines = (done.stdout or done.stderr).strip().splitlines()
    return lines[0] if lines else f"(nothing printed, exit {done.returncode})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--work", type=Path, required=True, help="folder for tools, projects")
    parser.add_argument("--only", default="", help="comma-separated tools (default: all)")
    parser.add_argument("--full", action="store_true", help="print whole verdict lines")
    args = parser.parse_args()
    work = args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env["PATH"] = f"{install_tools(work)}{os.pathsep}{env['PATH']}"
    env.pop("VIRTUAL_ENV", None)
    env.pop("PIPENV_VENV_IN_PROJECT", None)  # pipenv's virtualenv in the user's home
    only = set(filter(None, args.only.split(",")))
    done: set[str] = set()
    print("| command | edit | default sandbox | --sandbox none |")
    print("| --- | --- | --- | --- |")
    for name, tool, _, command in CASES:
        if only and tool.split("-")[0] not in only:
            continue
        root = work / tool / "calc"
        if tool not in done:
            make_project(root, tool)
            set_up(root, tool, env)
            done.add(tool)
        if command is None:
            name = f"{name}: {detect_test_command(root)}"
        for edit in EDITS:
            cells = [verdict(root, edit, command, sb, env) for sb in ("bwrap", "none")]
            if not args.full:
                cells = [textwrap.shorten(c, 120) for c in cells]
            print(f"| `{name}` | {edit} | {cells[0]} | {cells[1]} |", flush=True)


if __name__ == "__main__":
    main()
