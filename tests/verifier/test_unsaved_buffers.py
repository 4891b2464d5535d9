"""The editor's unsaved buffers (``Task.buffers``) take the files' place in both runs,
the one without the edit and the one with it, on a scratch copy or under an overlay —
never on disk; the baseline cache key follows their text."""

from __future__ import annotations

from pathlib import Path

import pytest
from acrouter.domain import Edit

from .helpers import CALC, CALC_FIXED, TEST_CALC, needs_bwrap, pytest_cmd, task_for, verifier

#: the test file as the user changed it in the editor: a + b does not pass test_add (nor
#: a - b), and test_one passes with either
STRICTER = (
    TEST_CALC.replace("== 5\n", "== 5\n    assert add(0.1, 0.2) == 0.3\n")
    + "\n\ndef test_one():\n    assert mul(1, 1) == 1\n"
)


@needs_bwrap
@pytest.mark.parametrize("overlay", [True, False], ids=["overlay", "copy"])
def test_both_runs_use_the_buffers_and_the_baseline_follows_them(
    project: Path, overlay: bool
) -> None:
    v = verifier(overlay=overlay)
    cmd = pytest_cmd(project)
    fix = Edit(files={"calc.py": CALC_FIXED})

    on_disk = v.verify(task_for(project, cmd), fix, "m")
    assert on_disk.verdict == "pass", on_disk.detail
    assert on_disk.tests_failed_before == 1  # test_add
    runs = v.baseline_runs

    stricter = task_for(project, cmd, buffers={"tests/test_calc.py": STRICTER})
    unsaved = v.verify(stricter, fix, "m")
    assert unsaved.verdict == "fail", unsaved.detail
    assert unsaved.tests_passed_before == 2  # the baseline ran on the buffer: test_one too
    assert unsaved.tests_failed == 1 and unsaved.tests_passed == 2, unsaved.detail
    assert v.baseline_runs > runs
    runs = v.baseline_runs

    assert v.verify(stricter, fix, "m").verdict == "fail"
    assert v.baseline_runs == runs  # the same buffers: the cached baseline

    other = "import pytest\n" + STRICTER.replace("== 0.3", "== pytest.approx(0.3)")
    approx = v.verify(task_for(project, cmd, buffers={"tests/test_calc.py": other}), fix, "m")
    assert approx.verdict == "pass", approx.detail
    assert approx.tests_passed == 3
    assert v.baseline_runs > runs  # another text: another baseline

    assert (project / "calc.py").read_text() == CALC
    assert (project / "tests" / "test_calc.py").read_text() == TEST_CALC


def test_a_buffer_outside_the_workspace_is_refused_and_nothing_is_written(
    project: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "elsewhere.py"
    task = task_for(project, pytest_cmd(project), buffers={"../elsewhere.py": "x = 1\n"})
    verdict = verifier().verify(task, Edit(files={"calc.py": CALC_FIXED}), "m")
    assert verdict.verdict == "error" and "elsewhere.py" in verdict.detail, verdict.detail
    assert not outside.exists()
