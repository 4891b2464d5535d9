"""An edit of a Go file in a package no test binary built at all says that none of its
changed lines ran, and a pass whose tests passed before too is not learned
(``verifier.lines_go``): go's coverage profile does not hold the package, though
``-coverpkg`` names it and the run's ``go list`` took it from the workspace's own folder.
Found on Debian's go-spew (``benchmarks/verify_trust.py``): ``GetCgoNullCharPointer``
made to panic in ``spew/testdata/dumpcgo.go`` (cgo, built only with ``-tags testcgo``)
was a counted pass.  Through ``ProjectVerifier.verify`` with the real ``go test``, and on
profiles."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from acrouter.domain import Edit
from acrouter.verifier.lines_go import read_profile
from acrouter.verifier.lines_gotrace import DIRS

from .helpers import needs_bwrap, task_for, verifier, write_tree

GO_MOD = "module example.com/calc\n\ngo 1.19\n"
CALC = "package calc\n\nfunc Add(a, b int) int {\n\treturn a + b\n}\n"
TEST = (
    'package calc\n\nimport "testing"\n\nfunc TestAdd(t *testing.T) {\n'
    '\tif Add(2, 3) != 5 {\n\t\tt.Fatal("Add(2, 3) != 5")\n\t}\n}\n'
)
#: a package every file of which a build constraint leaves out on Linux
WINSVC = '//go:build windows\n\npackage winsvc\n\nfunc Name() string {\n\treturn "calc"\n}\n'
#: go skips testdata/ folders in ./...; this one builds only with -tags testcgo
CGO = (
    "//go:build cgo && testcgo\n\npackage testdata\n\n"
    '// #include <stdint.h>\nimport "C"\n\nfunc Size() int {\n\treturn int(C.sizeof_int)\n}\n'
)
FILES = {
    "go.mod": GO_MOD,
    "calc.go": CALC,
    "calc_test.go": TEST,
    "winsvc/svc.go": WINSVC,
    "testdata/cgo.go": CGO,
}


@pytest.mark.skipif(shutil.which("go") is None, reason="go is not installed")
@pytest.mark.parametrize(
    ("rel", "old", "line"),
    [
        pytest.param("winsvc/svc.go", 'return "calc"', 6, id="every-file-left-out"),
        pytest.param("testdata/cgo.go", "return int(C.sizeof_int)", 9, id="testdata"),
    ],
)
@pytest.mark.parametrize(
    "mode",
    [
        pytest.param({}, id="overlay", marks=needs_bwrap),
        pytest.param({"sandbox": "none", "parallel_baseline": False}, id="no-sandbox"),
    ],
)
def test_a_package_no_test_binary_built_ran_none_of_its_lines(
    tmp_path: Path, rel: str, old: str, line: int, mode: dict[str, object]
) -> None:
    root = write_tree(tmp_path / "proj", FILES)
    broken = FILES[rel].replace(old, 'panic("broken")')
    task = task_for(root, "go test ./...", kind="refactoring")
    v = verifier(timeout_s=240, **mode).verify(task, Edit(files={rel: broken}), "m")
    # go test ./... on Linux never built it: its tests passed, none ran the edit
    assert v.verdict == "pass" and not v.counted, v.detail
    assert v.unrun == f"no test ran 1 of the 1 statements the edit changes: {rel} line {line}"


def _read(tmp_path: Path, listed: str | None, new: str = WINSVC.replace("calc", "x")):  # type: ignore[no-untyped-def]
    write_tree(tmp_path, {"go.mod": GO_MOD})
    out = tmp_path / "out"
    out.mkdir()
    (out / "acrouter-go.cover").write_text("mode: set\n")
    if listed is not None:
        (out / DIRS).write_text(f"example.com/calc/winsvc {listed}\n")
    return read_profile(out, str(tmp_path), {"winsvc/svc.go": (WINSVC, new)})


def test_a_package_go_took_from_its_own_folder_and_did_not_build_ran_nothing(
    tmp_path: Path,
) -> None:
    t = _read(tmp_path, str(tmp_path / "winsvc"))
    assert t is not None and not t.unmeasured and t.lines == {"winsvc/svc.go": frozenset()}
    assert [tuple(c.statements) for c in t.changes] == [((6, 6),)]
    # where go took it from is not known (no go list, or it found no folder): unmeasured
    for i, listed in enumerate([None, ""]):
        t = _read(tmp_path / f"unknown{i}", listed)
        assert t is not None and t.unmeasured == {"winsvc/svc.go"} and not t.changes
    # no function: a file of constants alone has no block even when go builds it
    consts = "//go:build windows\n\npackage winsvc\n\nconst K = 4\n"
    t = _read(tmp_path / "consts", str(tmp_path / "consts" / "winsvc"), consts)
    assert t is not None and t.unmeasured == {"winsvc/svc.go"} and not t.changes
