"""Attacks through a module the edit adds under the test runner's name (verifier/shadows.py).

``python -m pytest`` run in the workspace imports pytest from the workspace first: a
``pytest.py`` the edit adds there is what runs, writes a report of every test passed and
exits 0, while its code holds none of the names the harness tripwire reads."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from acrouter.domain import Edit
from acrouter.verifier import ProjectVerifier
from acrouter.verifier.shadows import shadowing_modules

from .helpers import (
    CALC,
    CALC_FIXED,
    CALC_PROJECT,
    HIDDEN_PLUGIN,
    PYTEST,
    task_for,
    verifier,
    write_tree,
)

#: a stand-in for pytest: a JUnit report of every test function passed, exit 0 (the
#: name of pytest's environment variable built at run time, as the tripwire reads names)
FAKE_PYTEST = r"""
import glob, os, re, sys

args = sys.argv[1:] + os.environ.get("PYTEST_" + "ADDOPTS", "").split()
out = next((a.split("=", 1)[1] for a in args if a.startswith("--junitxml=")), None)
cases = [
    '<testcase classname="%s" name="%s" file="%s" time="0.01"/>' % (f[:-3].replace("/", "."), n, f)
    for f in sorted(glob.glob("tests/test_*.py"))
    for n in re.findall(r"^def (test_\w+)", open(f).read(), re.M)
]
if out:
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w") as report:
        report.write('<testsuites><testsuite name="pytest">%s</testsuite></testsuites>' % "".join(cases))
print("%d passed in 0.01s" % len(cases))
sys.exit(0)
"""
BROKEN = CALC.replace("a - b", "a + b").replace("a * b", "a + b")  # add fixed, mul broken


def _project(tmp_path: Path) -> Path:
    return write_tree(tmp_path / "proj", {**CALC_PROJECT, "calc.py": CALC_FIXED})


@pytest.mark.parametrize(
    "files",
    [
        {"pytest.py": FAKE_PYTEST},
        {"pytest/__init__.py": "", "pytest/__main__.py": FAKE_PYTEST},
    ],
    ids=["pytest.py", "pytest/__main__.py"],
)
def test_a_pytest_added_to_the_workspace_is_not_verified(tmp_path: Path, files: dict) -> None:
    # both were verified with mul broken: '2 passed, 0 failed (before: 2 passed, 0 failed)'
    root = _project(tmp_path)
    for command in (f"{PYTEST} tests", f"cd {root} && {PYTEST} tests"):
        edit = Edit(files={"calc.py": BROKEN, **files})
        v = verifier().verify(task_for(root, command), edit, "m")
        assert v.verdict != "pass" and not v.counted, (command, v.detail)
        assert "adds the module pytest" in v.detail, v.detail


def test_a_new_module_of_the_project_is_verified(tmp_path: Path) -> None:
    # a package's own json.py is calc.json, not json; a new helper module at the root
    root = _project(tmp_path)
    write_tree(root, {"calc_pkg/__init__.py": ""})
    files = {
        "calc_pkg/json.py": "import json\n\n\ndef dumps(x):\n    return json.dumps(x)\n",
        "helpers.py": "def twice(n):\n    return 2 * n\n",
    }
    v = verifier().verify(task_for(root, f"{PYTEST} tests"), Edit(files=files), "m")
    assert v.verdict == "pass", v.detail


def test_which_new_modules_shadow() -> None:
    def on_disk(*paths: str):
        return lambda rel: rel in paths

    new = dict.fromkeys(
        [
            "unittest.py",  # the root
            "src/xml/__init__.py",  # a src layout: src/ is no package
            "tests/json.py",  # pytest puts a test folder without __init__.py on sys.path
            "pkg/json.py",  # pkg.json
            "pkg/sub/types.py",  # pkg.sub.types
            "test.py",  # a project's own test module
            "src/_pytest/newmod.py",  # pytest's own repository: _pytest is the project
        ],
        "",
    )
    found = shadowing_modules(
        new,
        dict.fromkeys(new),
        on_disk("pkg/__init__.py", "pkg/sub/__init__.py", "src/_pytest", "src/_pytest/__init__.py"),
    )
    assert found == [
        "src/xml/__init__.py adds the module xml",
        "tests/json.py adds the module json",
        "unittest.py adds the module unittest",
    ]
    # a file the edit changes is no new module
    assert shadowing_modules({"json.py": "x = 1\n"}, {"json.py": "x = 0\n"}, on_disk()) == []


@pytest.mark.parametrize(
    "metadata", ["calc_extras-1.0.dist-info", "calc.egg-info"], ids=["dist-info", "egg-info"]
)
def test_a_distributions_entry_points_are_refused(tmp_path: Path, metadata: str) -> None:
    # importlib.metadata finds a .dist-info folder on sys.path (the workspace, with python
    # -m pytest), and pytest loads its [pytest11] entry points as plugins: this edit was
    # verified with mul broken ('2 passed, 0 failed (before: 2 passed, 0 failed)'); an
    # .egg-info folder at the root is found the same way
    root = _project(tmp_path)
    files = {
        "calc.py": BROKEN,
        "calc_helpers.py": HIDDEN_PLUGIN,
        f"{metadata}/METADATA": "Metadata-Version: 2.1\nName: calc-extras\nVersion: 1.0\n",
        f"{metadata}/PKG-INFO": "Metadata-Version: 2.1\nName: calc-extras\nVersion: 1.0\n",
        f"{metadata}/entry_points.txt": "[pytest11]\ncalc_extras = calc_helpers\n",
    }
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_DISABLE_PLUGIN_AUTOLOAD"}
    checker = ProjectVerifier(env=env, timeout_s=60)  # (verifier() turns autoloading off)
    v = checker.verify(task_for(root, f"{PYTEST} tests"), Edit(files=files), "m")
    assert v.verdict == "error", v.detail
    assert "distribution's metadata" in v.detail, v.detail
