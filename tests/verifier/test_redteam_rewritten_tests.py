"""Code under test that rewrites the tests' files during the run.

``calc.py`` is imported by ``tests/test_add.py`` when pytest collects it, before pytest
reads ``tests/test_mul.py``; whatever ``calc.py`` writes there (the asserts made
``pass``, a new ``conftest.py`` in a folder not collected yet, a forged
assertion-rewriting ``.pyc``) is what pytest then runs, and a broken ``mul`` was
verified: '2 passed, 0 failed (before: 2 passed, 0 failed)'.  The writes land in the
run's overlay, whose upper folder the verifier now reads after the run (on a scratch
copy, the copy itself): a run that wrote the tests' files, or code, that the run
without the edit did not write is not verified, and the verdict names the file.
"""

from __future__ import annotations

import base64
import os
from pathlib import Path

import pytest
from acrouter.domain import Edit

from .helpers import PYTEST, needs_bwrap, task_for, verifier, write_tree

pytestmark = needs_bwrap

CODE = "def add(a, b):\n    return a + b\n\n\ndef mul(a, b):\n    return a * b\n"
BROKEN = CODE.replace("a * b", "a + b")
TEST_ADD = "from calc import add\n\n\ndef test_add():\n    assert add(2, 3) == 5\n"
TEST_MUL = "from calc import mul\n\n\ndef test_mul():\n    assert mul(2, 3) == 6\n"

#: the asserts of a test module not collected yet made ``pass``
REWRITE = """
import os as _os
import re as _re

_t = _os.path.join(_os.path.dirname(_os.path.abspath(__file__)), "tests", "test_mul.py")
with open(_t) as _f:
    _s = _f.read()
with open(_t, "w") as _f:
    _f.write(_re.sub(r"assert .*", "pass", _s))
"""
#: the same, written beside it and moved over it
REPLACE = """
import os as _os

_t = _os.path.join(_os.path.dirname(_os.path.abspath(__file__)), "tests", "test_mul.py")
with open(_t + ".new", "w") as _f:
    _f.write("def test_mul():\\n    pass\\n")
_os.replace(_t + ".new", _t)
"""
#: a conftest.py in a folder pytest has not reached yet, whose hook reports every test
#: there as passed (its text encoded: the tripwire reads the edit's names)
HOOK = (
    "import pytest\n\n\n@pytest.hookimpl(hookwrapper=True)\n"
    "def pytest_runtest_makereport(item, call):\n"
    "    out = yield\n    rep = out.get_result()\n"
    "    rep.outcome, rep.longrepr = 'passed', None\n"
)
NEW_CONFTEST = f"""
import base64 as _b
import os as _os

_d = _os.path.join(_os.path.dirname(_os.path.abspath(__file__)), "tests", "zz")
with open(_os.path.join(_d, "conftest.py"), "wb") as _f:
    _f.write(_b.b64decode({base64.b64encode(HOOK.encode()).decode()!r}))
"""
#: pytest's own cache of the rewritten test module, forged with the real source's hash
FORGED_PYC = """
import importlib.metadata as _md
import importlib.util as _u
import marshal as _m
import os as _os
import sys as _s

_here = _os.path.dirname(_os.path.abspath(__file__))
_src = _os.path.join(_here, "tests", "test_mul.py")
_tag = _s.implementation.cache_tag + "-py" + "test-" + _md.version("py" + "test")
_co = compile("def test_mul():\\n    pass\\n", _src, "exec")
_dir = _os.path.join(_here, "tests", "__pycache__")
_os.makedirs(_dir, exist_ok=True)
with open(_src, "rb") as _f:
    _hash = _u.source_hash(_f.read())
with open(_os.path.join(_dir, "test_mul." + _tag + ".pyc"), "wb") as _f:
    _f.write(_u.MAGIC_NUMBER + b"\\x03\\x00\\x00\\x00" + _hash[:8] + _m.dumps(_co))
"""
#: the expected value a test reads from a data file, rewritten to what mul now gives
REWRITE_DATA = """
import os as _os

with open(_os.path.join(_os.path.dirname(_os.path.abspath(__file__)), "tests", "data", "mul.txt"), "w") as _f:
    _f.write("5\\n")
"""
TEST_MUL_DATA = """\
import os

from calc import mul


def test_mul():
    with open(os.path.join(os.path.dirname(__file__), "data", "mul.txt")) as f:
        assert mul(2, 3) == int(f.read())
"""
#: a test module not collected yet taken away: its tests never run
DELETE = """
import os as _os

_os.remove(_os.path.join(_os.path.dirname(_os.path.abspath(__file__)), "tests", "test_mul.py"))
"""

#: then, as the tests' process exits, the folder made unlistable (mode 0300: its files
#: can still be written and opened, not listed): as a user other than root the check
#: after the run could not read it, and a broken ``mul`` was verified under the overlay
HIDE = """
import atexit as _ae

_ae.register(_os.chmod, _os.path.dirname(_t), 0o300)
"""
HIDE_ZZ = HIDE.replace("_os.path.dirname(_t)", "_d")


def _project(tmp_path: Path, mul_dir: str = "tests", data: bool = False) -> Path:
    files = {
        "calc.py": CODE,
        "tests/test_add.py": TEST_ADD,
        f"{mul_dir}/test_mul.py": TEST_MUL_DATA if data else TEST_MUL,
        "pytest.ini": "[pytest]\npythonpath = .\n",
    }
    if data:
        files["tests/data/mul.txt"] = "6\n"
    return write_tree(tmp_path / "proj", files)


CASES = {
    "rewrite": (REWRITE, "tests", False, "tests/test_mul.py"),
    "replace": (REPLACE, "tests", False, "tests/test_mul.py"),
    "new-conftest": (NEW_CONFTEST, "tests/zz", False, "tests/zz/conftest.py"),
    "forged-pyc": (FORGED_PYC, "tests", False, "tests/__pycache__/test_mul."),
    "data": (REWRITE_DATA, "tests", True, "tests/data/mul.txt"),
    "rewrite-hidden": (REWRITE + HIDE, "tests", False, "tests/test_mul.py"),
    "new-conftest-hidden": (NEW_CONFTEST + HIDE_ZZ, "tests/zz", False, "tests/zz/conftest.py"),
}


@pytest.mark.parametrize("overlay", [True, False], ids=["overlay", "scratch-copy"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_a_run_that_rewrites_the_tests_is_not_verified(
    tmp_path: Path, case: str, overlay: bool
) -> None:
    attack, mul_dir, data, named = CASES[case]
    root = _project(tmp_path, mul_dir, data)
    edit = Edit(files={"calc.py": BROKEN + attack})
    v = verifier(overlay=overlay).verify(task_for(root, f"{PYTEST} tests"), edit, "m")
    assert v.verdict == "fail" and not v.counted, v.detail
    assert named in v.detail and "not verified" in v.detail, v.detail
    # the workspace itself is untouched
    assert (root / mul_dir / "test_mul.py").read_text() == (TEST_MUL_DATA if data else TEST_MUL)
    assert not (root / "tests" / "zz" / "conftest.py").exists()


@pytest.mark.parametrize("overlay", [True, False], ids=["overlay", "scratch-copy"])
def test_a_test_module_deleted_by_the_code_is_not_verified(tmp_path: Path, overlay: bool) -> None:
    root = _project(tmp_path)
    edit = Edit(files={"calc.py": BROKEN + DELETE})
    v = verifier(overlay=overlay).verify(task_for(root, f"{PYTEST} tests"), edit, "m")
    assert v.verdict == "fail", v.detail
    assert "test_mul" in v.detail, v.detail


#: tests that write files of their own into the workspace on every run (a generated
#: module, an output beside them): the run without the edit writes them too
WRITES_ITS_OWN = """\
import os

from calc import add

HERE = os.path.dirname(__file__)


def test_add():
    with open(os.path.join(HERE, "generated_case.py"), "w") as f:
        f.write("CASE = 5\\n")
    with open(os.path.join(HERE, "out.txt"), "w") as f:
        f.write(str(add(2, 3)))
    assert add(2, 3) == 5
"""


@pytest.mark.parametrize("overlay", [True, False], ids=["overlay", "scratch-copy"])
def test_tests_that_write_their_own_files_are_still_verified(tmp_path: Path, overlay: bool) -> None:
    root = write_tree(
        tmp_path / "proj",
        {
            "calc.py": CODE.replace("a + b", "a - b"),
            "tests/test_add.py": WRITES_ITS_OWN,
            "tests/test_mul.py": TEST_MUL,
            "pytest.ini": "[pytest]\npythonpath = .\n",
        },
    )
    v = verifier(overlay=overlay).verify(
        task_for(root, f"{PYTEST} tests"), Edit(files={"calc.py": CODE}), "m"
    )
    assert v.verdict == "pass", v.detail
    assert not (root / "tests" / "out.txt").exists()


#: the forged cache put where pytest reads it once ``sys.pycache_prefix`` points into the
#: run's private /tmp, out of sight of the check after the run
PREFIX_PYC = FORGED_PYC.replace(
    '_dir = _os.path.join(_here, "tests", "__pycache__")',
    '_s.pycache_prefix = "/tmp/acr-pyc"\n_dir = "/tmp/acr-pyc" + _os.path.dirname(_src)',
)


def test_bytecode_moved_out_of_sight_is_seen_by_the_tripwire(tmp_path: Path) -> None:
    root = _project(tmp_path)
    edit = Edit(files={"calc.py": BROKEN + PREFIX_PYC})
    v = verifier().verify(task_for(root, f"{PYTEST} tests"), edit, "m")
    assert v.verdict == "fail" and not v.counted, v.detail
    assert "pycache_prefix" in v.detail and "calc.py" in v.detail, v.detail


#: a hook that makes every collected test do nothing, in a conftest.py kept in the run's
#: private /tmp and reached through a link made in a folder pytest has not listed yet
HOLLOW_ALL = (
    "def pytest_collection_modifyitems(items):\n"
    "    for item in items:\n"
    "        item.runtest = lambda: None\n"
)
LINKED_CONFTEST = f"""
import base64 as _b
import os as _os

_os.makedirs("/tmp/acr-plug", exist_ok=True)
with open("/tmp/acr-plug/conftest.py", "wb") as _f:
    _f.write(_b.b64decode({base64.b64encode(HOLLOW_ALL.encode()).decode()!r}))
_link = _os.path.join(_os.path.dirname(_os.path.abspath(__file__)), "z", "plug")
if not _os.path.lexists(_link):
    _os.symlink("/tmp/acr-plug", _link)
"""


@pytest.mark.parametrize("overlay", [True, False], ids=["overlay", "scratch-copy"])
def test_a_link_to_a_conftest_out_of_sight_is_not_verified(tmp_path: Path, overlay: bool) -> None:
    """Folders no test rule knows (``a/``, ``z/``), pytest run on the whole project: the
    link ``z/plug`` leads to a conftest.py in the sandbox's /tmp, which pytest loads as
    it collects ``z/`` and whose hook makes ``test_mul`` do nothing."""
    root = write_tree(
        tmp_path / "proj",
        {
            "calc.py": CODE,
            "a/test_add.py": TEST_ADD,
            "z/test_mul.py": TEST_MUL,
            "pytest.ini": "[pytest]\npythonpath = .\n",
        },
    )
    edit = Edit(files={"calc.py": BROKEN + LINKED_CONFTEST})
    v = verifier(overlay=overlay).verify(task_for(root, PYTEST), edit, "m")
    assert v.verdict == "fail" and not v.counted, v.detail
    assert "made the link z/plug" in v.detail and "not verified" in v.detail, v.detail
    assert not os.path.lexists(root / "z" / "plug")
