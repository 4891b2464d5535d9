"""A sandbox that cannot start is the machine's fault, never the model's.

bwrap can fail before it starts the tests at all, e.g. when it cannot create its
namespaces (``max_user_namespaces`` reached by other sandboxes: "No space left on
device").  Then no test ran on the edit, and a verdict on it would be held against the
model (it was: "the test run produced no test report (exit code 1)", counted).  bwrap
reports the sandbox's first process on ``--info-fd`` once it started it; a bwrap that
exits without that report did not start the tests: the verdict is an error, not
counted, and before any model is called a ``PreflightError``.  Such a failure may pass
in a moment (the namespaces of other sandboxes freed), so it is tried once more first.

The failing bwrap is a script in front of the real one that fails, as bwrap does, on
the Nth run of the tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from acrouter.domain import Edit
from acrouter.errors import PreflightError
from acrouter.verifier.bwrap_exe import find_bwrap

from .helpers import CALC, CALC_FIXED, TEST_PY, needs_bwrap, pytest_cmd, route, task_for, write_tree
from .helpers import verifier as make_verifier

pytestmark = needs_bwrap

NAMESPACE_FAILED = "bwrap: Creating new namespace failed: No space left on device"


def failing_bwrap(tmp_path: Path, *fail_at: int) -> str:
    """A bwrap whose test runs numbered ``fail_at`` (1-based) fail to start, like bwrap
    does."""
    real = find_bwrap().path
    assert real
    script = tmp_path / "bwrap"
    count = tmp_path / "bwrap.count"
    script.write_text(
        "#!/bin/sh\n"
        'case "$*" in *"-m pytest"*)\n'
        f"  exec 9>>{count}.lock; flock 9\n"  # runs side by side: count one at a time
        f"  n=$(( $(cat {count} 2>/dev/null || echo 0) + 1 )); echo $n > {count}\n"
        "  exec 9>&-\n"
        f'  case " {" ".join(map(str, fail_at))} " in *" $n "*)\n'
        f'    echo "{NAMESPACE_FAILED}" >&2; exit 1;;\n'
        "  esac;;\n"
        "esac\n"
        f'exec {real} "$@"\n'
    )
    script.chmod(0o755)
    return str(script)


def project(tmp_path: Path) -> Path:
    return write_tree(tmp_path / "proj", {"calc.py": CALC, "tests/test_calc.py": TEST_PY})


def test_a_sandbox_that_does_not_start_for_the_edit_is_not_held_against_the_model(
    tmp_path: Path,
) -> None:
    root = project(tmp_path)
    bwrap = failing_bwrap(tmp_path, 2, 3)  # 1: without the edit, 2 and 3: cheap's edit
    _, result, _, memory = route(
        root,
        "Fix add",
        {"cheap": f"```python\n{CALC_FIXED}```", "strong": f"```python\n{CALC_FIXED}```"},
        bwrap=bwrap,
        cache_dir=tmp_path / "baselines",  # this run's baseline, not one cached before
    )

    cheap, strong = result.attempts
    assert cheap.verdict == "error" and not cheap.counted, cheap.detail
    assert cheap.detail == f"the sandbox could not start the tests ({NAMESPACE_FAILED})"
    assert strong.verdict == "pass" and strong.counted and result.verified
    assert "not held against cheap" in result.why
    [stored] = memory.outcomes()
    assert [a.counted for a in stored.attempts] == [False, True]


def test_a_sandbox_that_does_not_start_without_the_edit_stops_before_any_model(
    tmp_path: Path,
) -> None:
    root = project(tmp_path)
    ver = make_verifier(bwrap=failing_bwrap(tmp_path, 1, 2), cache_dir=tmp_path / "b")
    with pytest.raises(PreflightError) as refused:
        ver.prepare(task_for(root, pytest_cmd(root)))
    assert "the sandbox could not start the tests" in refused.value.reason
    assert NAMESPACE_FAILED in refused.value.reason


def test_the_verifier_does_not_judge_a_run_that_never_started(tmp_path: Path) -> None:
    root = project(tmp_path)
    ver = make_verifier(
        bwrap=failing_bwrap(tmp_path, 2, 3), parallel_baseline=False, cache_dir=tmp_path / "b"
    )
    task = task_for(root, pytest_cmd(root))
    ver.prepare(task)
    v = ver.verify(task, Edit(files={"calc.py": CALC_FIXED}), "m")
    assert v.verdict == "error" and not v.counted, v.detail
    assert v.detail.startswith("the sandbox could not start the tests"), v.detail
    # the next run starts: judged as usual
    v = ver.verify(task, Edit(files={"calc.py": CALC_FIXED}), "m")
    assert v.verdict == "pass" and v.counted, v.detail


def test_a_sandbox_that_fails_to_start_once_is_tried_again(tmp_path: Path) -> None:
    root = project(tmp_path)
    fixed = f"```python\n{CALC_FIXED}```"
    _, result, gateway, _ = route(
        root,
        "Fix add",
        {"cheap": fixed, "strong": fixed},
        bwrap=failing_bwrap(tmp_path, 2),  # cheap's run, once
        cache_dir=tmp_path / "baselines",
    )
    [cheap] = result.attempts
    assert cheap.verdict == "pass" and cheap.counted and result.verified, cheap.detail
    assert [name for name, _, _ in gateway.calls] == ["cheap"]  # strong not paid for
    assert int((tmp_path / "bwrap.count").read_text()) >= 3  # it did run again
