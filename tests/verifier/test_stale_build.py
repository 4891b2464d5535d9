"""A pass on an edited Cython source whose module, built in place before the edit, the
run did not rebuild says so and is not learned (``verifier.stale_build``): the tests
``import calc`` and get ``calc.*.so``, never ``calc.pyx``.  Through
``ProjectVerifier.verify``: under the overlay, on a scratch copy and without a sandbox."""

from __future__ import annotations

from pathlib import Path

import pytest
from acrouter.domain import Edit

from .helpers import (
    MODES,
    build_calc_extension,
    needs_cc,
    pytest_cmd,
    task_for,
    verifier,
    write_tree,
)

PYX = "def add(a, b):\n    return a + b\n"
TEST = "from calc import add\n\n\ndef test_add():\n    assert add(2, 3) == 5\n"
BROKEN = {"calc.pyx": PYX.replace("a + b", "a - b")}


def _project(root: Path) -> tuple[Path, str]:
    write_tree(root, {"calc.pyx": PYX, "tests/test_calc.py": TEST})
    (root / "pytest.ini").write_text("[pytest]\npythonpath = .\n")
    return root, build_calc_extension(root)


@needs_cc
@pytest.mark.parametrize("mode", MODES)
def test_a_pass_the_stale_build_gave_is_not_learned(
    tmp_path: Path, mode: dict[str, object]
) -> None:
    root, so = _project(tmp_path / "p")
    v = verifier(**mode).verify(task_for(root, pytest_cmd(root)), Edit(files=BROKEN), "m")
    # add is broken, and the tests passed: they imported the build from before the edit
    assert v.verdict == "pass" and not v.counted, v.detail
    assert v.unrun.startswith(
        f"the run did not rebuild {so}, built before the edit from the edited source beside "
        "it: the tests that import it ran the code as it was (make the test command build "
        "it first: python setup.py build_ext --inplace && ...)"
    ), v.unrun
    assert v.detail.endswith(f"{v.unrun}; so this pass says nothing about the model: not learned")


@needs_cc
@pytest.mark.parametrize("mode", MODES)
def test_a_module_the_run_rebuilt_is_the_tests_business(
    tmp_path: Path, mode: dict[str, object]
) -> None:
    root, so = _project(tmp_path / "p")
    # (the build here only writes the module again: what it holds is the command's affair)
    task = task_for(root, f"touch {so} && {pytest_cmd(root)}")
    v = verifier(**mode).verify(task, Edit(files=BROKEN), "m")
    assert v.verdict == "pass" and v.counted and not v.unrun, v.detail
