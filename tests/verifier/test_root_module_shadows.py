"""A module an edit adds at the workspace's root, named like the project's own package
under ``src/``, is imported by ``python -m pytest`` in its place: the tests run the new
file (a copy of the code as it was) and never the edited ``src/calcpkg/__init__.py``.
Found on markupsafe 3.0.4 and packaging 26.4 (``benchmarks/verify_trust.py``, *break +
the package copied unedited to the root*): the package copied to ``calcpkg/`` was told
by the tracer (the tests imported another copy: an error blamed on the set-up), a single
``calcpkg.py`` was not (the tracer matched a package only to a package), and the broken
edit passed, counted.  Now such an edit is refused before any test runs
(``shadows.project_shadows``), and the tracer matches a module to a package of the same
name (an installed single-file copy, :mod:`.lines_shadow`)."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest
from acrouter.domain import Edit
from acrouter.verifier.shadows import project_shadows, pytest_test_folders, pythonpath_roots

from .helpers import OVERLAY_AND_NONE, task_for, venv_with_pytest, verifier, write_tree

PKG = "def add(a, b):\n    return a + b\n\n\ndef mul(a, b):\n    return a * b\n"
TEST = "from calcpkg import add\n\n\ndef test_add():\n    assert add(2, 3) == 5\n"
BROKEN = PKG.replace("a + b", "a - b")


def _project(root: Path, extra: dict[str, str] | None = None) -> Path:
    write_tree(root, {"src/calcpkg/__init__.py": PKG, "tests/test_calc.py": TEST, **(extra or {})})
    # the editable install of a src layout: a .pth naming src/, after the folder that
    # `python -m pytest` puts first
    site = venv_with_pytest(root / ".venv")
    (site / "_calcpkg_editable.pth").write_text(f"{root / 'src'}\n")
    return root


def _verify(root: Path, mode: dict[str, object], edit: dict[str, str], tests: str = "tests"):  # type: ignore[no-untyped-def]
    python = shlex.quote(str(root / ".venv" / "bin" / "python"))
    command = f"{python} -m pytest -q -p no:cacheprovider {tests}"
    return verifier(**mode).verify(task_for(root, command), Edit(files=edit), "m")


@pytest.mark.parametrize("shadow", ["calcpkg.py", "calcpkg/__init__.py"])
@pytest.mark.parametrize("mode", OVERLAY_AND_NONE)
def test_a_copy_of_the_package_added_at_the_root_is_not_verified(
    tmp_path: Path, mode: dict[str, object], shadow: str
) -> None:
    edit = {"src/calcpkg/__init__.py": BROKEN, shadow: PKG}
    v = _verify(_project(tmp_path / "p"), dict(mode), edit)
    assert v.verdict == "fail" and not v.counted, v.detail
    assert v.detail.startswith(
        f"{shadow} adds the module calcpkg, which the project has in src/calcpkg/__init__.py"
    ), v.detail


@pytest.mark.parametrize("mode", OVERLAY_AND_NONE)
def test_new_modules_of_other_names_and_inside_the_package_are_verified(
    tmp_path: Path, mode: dict[str, object]
) -> None:
    fixed = PKG.replace("a + b", "b + a")
    edit = {
        "src/calcpkg/__init__.py": fixed + "\nfrom .extra import triple\n",
        "src/calcpkg/extra.py": "def triple(a):\n    return 3 * a\n",
        "tools.py": "from calcpkg import add\n",
    }
    v = _verify(_project(tmp_path / "p"), dict(mode), edit)
    assert v.verdict == "pass" and v.counted, v.detail


@pytest.mark.parametrize("mode", OVERLAY_AND_NONE)
def test_a_pass_from_an_installed_single_file_copy_is_an_error(
    tmp_path: Path, mode: dict[str, object]
) -> None:
    # ``site/calcpkg.py`` stands for an older install that made the package one module,
    # first on the tests' path (pytest's pythonpath)
    extra = {"site/calcpkg.py": PKG, "pytest.ini": "[pytest]\npythonpath = site\n"}
    root = _project(tmp_path / "p", extra)
    v = _verify(root, dict(mode), {"src/calcpkg/__init__.py": BROKEN})
    assert v.verdict == "error" and not v.counted, v.detail
    assert v.untested.startswith(
        "the tests never ran the edit: they imported site/calcpkg.py instead of "
        "src/calcpkg/__init__.py."
    ), v.untested


def test_which_added_modules_shadow_the_projects_own() -> None:
    before = {"src/calcpkg/__init__.py", "src/calcpkg/core.py", "lib/util.py", "calcpkg2.py"}

    def found(*added: str) -> list[str]:
        return project_shadows(dict.fromkeys(added, ""), {}, before.__contains__)

    assert found("calcpkg.py") == [
        "calcpkg.py adds the module calcpkg, which the project has in src/calcpkg/__init__.py"
    ]
    assert found("calcpkg/__init__.py", "calcpkg/core.py") == [
        (
            "calcpkg/__init__.py adds the module calcpkg, which the project has in "
            "src/calcpkg/__init__.py"
        ),
        "calcpkg/core.py adds the module calcpkg, which the project has in src/calcpkg/__init__.py",
    ]
    assert found("util.py") == [
        "util.py adds the module util, which the project has in lib/util.py"
    ]
    # inside the project's package, another name, a folder that is no import root, the
    # files a root holds by name
    assert found("src/calcpkg/util.py", "calc.py", "tests/calcpkg.py", "examples/calcpkg.py") == []
    assert found("conftest.py", "setup.py", "__init__.py") == []


# pytest (its default ``--import-mode=prepend``) puts the folder of each test module and
# conftest.py it imports (the first one upward without an ``__init__.py``) first on
# ``sys.path``, and its ``pythonpath`` setting's folders: a module added there is imported
# in place of the package under ``src/``.  Before, ``checks/calcpkg.py`` with ``add``
# written anew (no copy the tracer tells) beside a broken ``src/calcpkg/__init__.py`` was
# verified, counted: "1 passed, 0 failed".  (In ``tests/`` it failed: a file of a test
# folder is the tests', set aside in the first run.)
REWRITTEN = "def add(x, y):\n    return sum((x, y))\n"
CHECK = {"checks/test_calc.py": TEST}


@pytest.mark.parametrize(
    ("shadow", "extra"),
    [
        ("checks/calcpkg.py", CHECK),
        ("checks/calcpkg/__init__.py", CHECK),
        ("tests/calcpkg.py", {}),
        # a test package's first folder upward without __init__.py
        ("checks/calcpkg.py", {"checks/unit/__init__.py": "", "checks/unit/test_calc.py": TEST}),
        # the folder of a conftest.py, no test module in it
        ("checks/support/calcpkg.py", {**CHECK, "checks/support/conftest.py": ""}),
        # pytest's pythonpath, in pytest.ini and in pyproject.toml
        ("vendor/calcpkg.py", {**CHECK, "pytest.ini": "[pytest]\npythonpath = vendor\n"}),
        (
            "vendor/calcpkg.py",
            {**CHECK, "pyproject.toml": '[tool.pytest.ini_options]\npythonpath = ["vendor"]\n'},
        ),
    ],
)
@pytest.mark.parametrize("mode", OVERLAY_AND_NONE)
def test_a_module_added_where_pytest_imports_from_is_not_verified(
    tmp_path: Path, mode: dict[str, object], shadow: str, extra: dict[str, str]
) -> None:
    edit = {"src/calcpkg/__init__.py": BROKEN, shadow: REWRITTEN}
    tests = "checks" if any(rel.startswith("checks/") for rel in extra) else "tests"
    v = _verify(_project(tmp_path / "p", extra), dict(mode), edit, tests)
    assert v.verdict == "fail" and not v.counted, v.detail
    assert v.detail.startswith(
        f"{shadow} adds the module calcpkg, which the project has in src/calcpkg/__init__.py"
    ), v.detail
    assert "pytest puts" in v.detail, v.detail


@pytest.mark.parametrize("mode", OVERLAY_AND_NONE)
def test_test_helpers_of_other_names_are_verified(tmp_path: Path, mode: dict[str, object]) -> None:
    fixed = PKG.replace("a + b", "b + a")
    test = "from calcpkg import add\nfrom helpers import five\n\n\ndef test_five():\n"
    test += "    assert add(2, 3) == five()\n"
    edit = {
        "src/calcpkg/__init__.py": fixed,
        "checks/helpers.py": "def five():\n    return 5\n",
        "checks/test_five.py": test,
        "checks/calcpkg_data.py": "X = 1\n",
    }
    v = _verify(_project(tmp_path / "p", CHECK), dict(mode), edit, "checks")
    assert v.verdict == "pass" and v.counted, v.detail


def test_which_added_modules_shadow_the_projects_own_where_pytest_imports_from() -> None:
    before = {"src/calcpkg/__init__.py", "vendor/util.py", "tests/helpers.py"}

    def found(*added: str) -> list[str]:
        return project_shadows(
            dict.fromkeys(added, ""), {}, before.__contains__, ["vendor"], ["tests", "checks"]
        )

    assert found("tests/calcpkg.py", "checks/calcpkg/__init__.py", "vendor/calcpkg.py") == [
        (
            "checks/calcpkg/__init__.py adds the module calcpkg, which the project has in "
            "src/calcpkg/__init__.py (pytest puts checks/ first on the tests' path: a folder "
            "of test files or conftest.py without __init__.py)"
        ),
        (
            "tests/calcpkg.py adds the module calcpkg, which the project has in "
            "src/calcpkg/__init__.py (pytest puts tests/ first on the tests' path: a folder "
            "of test files or conftest.py without __init__.py)"
        ),
        (
            "vendor/calcpkg.py adds the module calcpkg, which the project has in "
            "src/calcpkg/__init__.py (pytest puts vendor/ first on the tests' path: its "
            "pythonpath)"
        ),
    ]
    # a module the project has on pytest's pythonpath, copied to the root
    assert found("util.py") == [
        "util.py adds the module util, which the project has in vendor/util.py"
    ]
    # a test folder's own modules are no project's; another name; inside a test package
    assert found("helpers.py", "src/helpers.py", "tests/calc.py", "other/calcpkg.py") == []
    assert found("tests/calcpkg_data.py", "checks/conftest.py") == []
    # nor with the tests' folder on pytest's pythonpath (it holds their helpers)
    assert project_shadows({"helpers.py": ""}, {}, before.__contains__, ["tests"], ["tests"]) == []


def test_the_folders_pytest_puts_first(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "src/calcpkg/__init__.py": "",
            "tests/test_a.py": "",
            "tests/data/helpers.py": "",
            "checks/unit/__init__.py": "",
            "checks/unit/test_b.py": "",
            "support/conftest.py": "",
            "pkg/__init__.py": "",
            "pkg/tests/__init__.py": "",
            "pkg/tests/test_c.py": "",
            "node_modules/x/test_d.py": "",
            "pytest.ini": "[pytest]\npythonpath = vendor . ../out\n",
            "pyproject.toml": '[tool.pytest.ini_options]\npythonpath = ["lib2"]\n',
        },
    )
    new = {"extra/test_e.py": "", "setup.cfg": "[tool:pytest]\npythonpath = more\n"}
    # every Python file of the tests' counts (tests/data/helpers.py, a file in tests/:
    # more folders than pytest's, never fewer); pkg/tests is in the package pkg (the
    # root); node_modules is not looked in; pythonpath outside the workspace is not kept
    assert pytest_test_folders(tmp_path, new) == [
        "",
        "checks",
        "extra",
        "support",
        "tests",
        "tests/data",
    ]
    assert pythonpath_roots(tmp_path, new) == ["", "lib2", "more", "vendor"]
