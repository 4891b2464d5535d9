"""``go test`` the planner does not see (``make test``, a script, a shell line that runs it
twice) is measured too: a ``go`` first on the run's ``PATH`` (``verifier.lines_gotrace.shim``)
gives each ``go test`` it runs the coverage of the changed packages and asks ``go list``
where they come from; anything else runs as it is.  Before, such a run said nothing of
the Go lines it ran, and a replace to another copy of the edited package was a counted
pass.  Through ``ProjectVerifier.verify`` with the real ``go`` and ``make``, and on the
script itself with a stand-in ``go``."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from acrouter.domain import Edit, Verdict
from acrouter.verifier.lines_gotrace import DIRS, SHIM_DIR, shim, shim_path

from .helpers import MODES, needs_bwrap, task_for, verifier
from .test_go_copies import BROKEN
from .test_go_copies import _project as _copies
from .test_unrun_lines_go import UNCALLED
from .test_unrun_lines_go import _project as _calc

needs_go_make = pytest.mark.skipif(
    shutil.which("go") is None or shutil.which("make") is None,
    reason="go is not installed (or make)",
)


def _verify(root: Path, command: str, files: dict[str, str], **mode: object) -> Verdict:
    v = verifier(timeout_s=240, **mode)
    return v.verify(task_for(root, command, kind="refactoring"), Edit(files=files), "m")


@needs_go_make
@pytest.mark.parametrize("mode", MODES)
def test_make_test_is_measured(tmp_path: Path, mode: dict[str, object]) -> None:
    root = _calc(tmp_path / "proj")
    (root / "Makefile").write_text("test:\n\tgo vet ./... && go test ./...\n")
    v = _verify(root, "make test", {"calc.go": UNCALLED}, **mode)
    # go vet ran as it is; go test's lines were read: Clamp's changed lines ran in no test
    assert v.verdict == "pass" and v.weak, v.detail
    assert v.unrun == "no test ran 2 of the 2 statements the edit changes: calc.go lines 10-11"


@needs_go_make
@pytest.mark.parametrize("mode", MODES)
def test_make_test_on_another_copy_never_ran_the_edit(
    tmp_path: Path, mode: dict[str, object]
) -> None:
    root = _copies(tmp_path / "proj", "../lib-copy")
    (root / "Makefile").write_text("test:\n\tcd app && go test ./...\n")
    v = _verify(root, "make test", BROKEN, **mode)
    assert v.verdict == "error" and v.untested, v.detail
    assert "they built lib-copy/calc.go instead of lib/calc.go" in v.untested


@needs_go_make
@needs_bwrap
def test_two_go_tests_in_one_line_and_a_command_with_its_own_coverage(tmp_path: Path) -> None:
    root = _calc(tmp_path / "proj")
    # each go test writes a profile of its own; a block counts as run when any ran it
    v = _verify(
        root, "go test -run TestAdd ./... && go test -run None ./...", {"calc.go": UNCALLED}
    )
    assert v.verdict == "pass" and v.unrun.startswith("no test ran 2 of the 2"), v.detail
    (root / "Makefile").write_text("test:\n\tgo test -cover ./...\n")
    v = _verify(root, "make test", {"calc.go": UNCALLED})
    # its own coverage: not measured, and the pass says so
    assert v.verdict == "pass" and v.unrun.startswith(
        "which lines of calc.go the tests ran is not known: the run's coverage does not say"
    ), v.detail


def test_the_go_first_on_the_path(tmp_path: Path) -> None:
    # the real go: a stand-in that says what it was asked
    real = tmp_path / "real"
    real.mkdir()
    (real / "go").write_text('#!/bin/sh\necho "go $*"\n')
    (real / "go").chmod(0o755)
    out = str(tmp_path / "out")
    (tmp_path / "out" / SHIM_DIR).mkdir(parents=True)
    go = tmp_path / "out" / SHIM_DIR / "go"
    go.write_text(shim(out, ["example.com/calc"]))
    go.chmod(0o755)
    env = {"PATH": shim_path(out, {"PATH": f"{real}:/usr/bin:/bin"})}

    def run(*args: str, **more: str) -> list[str]:
        done = subprocess.run(
            ["go", *args], env={**env, **more}, capture_output=True, text=True, check=True
        )
        return done.stdout.splitlines()

    assert run("vet", "./...") == ["go vet ./..."]
    (ran,) = run("test", "-mod", "vendor", "./...")
    assert ran.startswith(f"go test -coverprofile={out}/acrouter-go-")
    assert ran.endswith(".cover -coverpkg=example.com/calc -mod vendor ./...")
    # go list's answer (here: what the stand-in printed) went to the list of folders
    listed = (tmp_path / "out" / DIRS).read_text()
    assert listed == "go list -e -mod vendor -f {{.ImportPath}} {{.Dir}} example.com/calc\n"
    # coverage asked by the command or GOFLAGS, or -C first: as it is
    assert run("test", "-cover", "./...") == ["go test -cover ./..."]
    assert run("test", "./...", GOFLAGS="-coverpkg=./...") == ["go test ./..."]
    assert run("test", "-C", "sub", "./...") == ["go test -C sub ./..."]
