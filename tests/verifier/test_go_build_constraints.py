"""An edit of a Go file no test binary built (a build constraint left it out: ``//go:build
windows``, ``_windows.go``) says that none of its changed lines ran, and a pass whose
tests passed before too is not learned (``verifier.lines_go``): its package is in go's
coverage profile, and it is not, though go holds a block for every function of a file
it built.  Through ``ProjectVerifier.verify`` with the real ``go test``, and on profiles."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from acrouter.domain import Edit
from acrouter.verifier.lines_go import read_profile

from .helpers import needs_bwrap, task_for, verifier, write_tree

GO_MOD = "module example.com/calc\n\ngo 1.19\n"
CALC = "package calc\n\nfunc Add(a, b int) int {\n\treturn a + b\n}\n"
TEST = (
    'package calc\n\nimport "testing"\n\nfunc TestAdd(t *testing.T) {\n'
    '\tif Add(2, 3) != 5 {\n\t\tt.Fatal("Add(2, 3) != 5")\n\t}\n}\n'
)
WINDOWS = "//go:build windows\n\npackage calc\n\nfunc Sub(a, b int) int {\n\treturn a - b\n}\n"
BROKEN = {"calc_windows.go": WINDOWS.replace("a - b", "a + b")}


@pytest.mark.skipif(shutil.which("go") is None, reason="go is not installed")
@pytest.mark.parametrize(
    "mode",
    [
        pytest.param({}, id="overlay", marks=needs_bwrap),
        pytest.param({"sandbox": "none", "parallel_baseline": False}, id="no-sandbox"),
    ],
)
def test_a_file_no_test_binary_built_ran_none_of_its_lines(
    tmp_path: Path, mode: dict[str, object]
) -> None:
    files = {"go.mod": GO_MOD, "calc.go": CALC, "calc_test.go": TEST, "calc_windows.go": WINDOWS}
    root = write_tree(tmp_path / "proj", files)
    task = task_for(root, "go test ./...", kind="refactoring")
    v = verifier(timeout_s=240, **mode).verify(task, Edit(files=BROKEN), "m")
    # Sub broken on Windows, and go test on Linux never built it
    assert v.verdict == "pass" and not v.counted, v.detail
    assert v.unrun == "no test ran 1 of the 1 statements the edit changes: calc_windows.go line 6"


PROFILE = "mode: set\nexample.com/calc/calc.go:3.24,5.2 1 1\n"


def _read(tmp_path: Path, new: str, profile: str = PROFILE):  # type: ignore[no-untyped-def]
    write_tree(tmp_path, {"go.mod": GO_MOD})
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "acrouter-go.cover").write_text(profile)
    return read_profile(tmp_path / "out", str(tmp_path), {"calc_windows.go": (WINDOWS, new)})


def test_only_a_file_with_a_function_in_a_package_built_is_taken_for_left_out(
    tmp_path: Path,
) -> None:
    t = _read(tmp_path, BROKEN["calc_windows.go"])
    assert t is not None and not t.unmeasured and t.lines == {"calc_windows.go": frozenset()}
    assert [tuple(c.statements) for c in t.changes] == [((6, 6),)]
    # no function: go holds no block for it even when it builds the file
    consts = "//go:build windows\n\npackage calc\n\nconst K = 4\n"
    t = _read(tmp_path / "consts", consts)
    assert t is not None and t.unmeasured == {"calc_windows.go"} and not t.changes
    # its package not built at all: nothing is known
    other = "mode: set\nexample.com/calc/sub/x.go:3.24,5.2 1 1\n"
    t = _read(tmp_path / "other", BROKEN["calc_windows.go"], other)
    assert t is not None and t.unmeasured == {"calc_windows.go"} and not t.changes
