"""What is kept of a verified request until Apply (``recheck.TestedRequests``): the
last few requests only, and running the tests again only on the edit the user would
apply (a file of the edit that changed since is refused before any test runs)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pytest
from acrouter.domain import Edit, Task, Verdict, WorkspaceChange
from acrouter.errors import AcrouterError
from acrouter.recheck import Tested, TestedRequests


class State:
    """A workspace fingerprint that remembers which buffers it was taken with."""

    def __init__(self, root: Path, buffers: Mapping[str, str]) -> None:
        self.root = root
        self.buffers = dict(buffers)

    def changes(self, buffers: Mapping[str, str]) -> list[WorkspaceChange]:
        return [
            WorkspaceChange(rel, "edited, not saved") for rel in buffers if rel not in self.buffers
        ]


class Verifier:
    def __init__(self, verdict: str) -> None:
        self.verdict = verdict
        self.runs: list[tuple[str, Mapping[str, str]]] = []

    def prepare(self, task: Task, cancel=None):
        self.runs.append(("without", task.buffers))

    def verify(self, task: Task, edit: Edit, model: str, cancel=None) -> Verdict:
        self.runs.append((model, task.buffers))
        return Verdict(self.verdict, detail=f"{self.verdict}: {len(task.buffers)} buffer(s)")


def kept_request(tmp_path: Path, requests: TestedRequests, rid: str = "r1") -> Task:
    (tmp_path / "calc.py").write_text("def add(a, b):\r\n    return a - b\r\n")
    task = Task(rid, "bug_fixing", "fix add", workspace=str(tmp_path))
    edit = Edit(
        files={"calc.py": "def add(a, b):\n    return a + b\n"},
        bases={"calc.py": "def add(a, b):\n    return a - b\n"},  # as the editor read it
    )
    requests.keep(rid, Tested(requests.take(task), task, edit, "strong"))
    return task


def test_only_the_last_requests_are_kept(tmp_path: Path) -> None:
    requests = TestedRequests(State, kept=2)
    for rid in ("r1", "r2", "r3"):
        kept_request(tmp_path, requests, rid)
    assert requests.get("r1") is None
    assert requests.changed_since("r1", {}) is None
    assert requests.changed_since("r3", {"tests/test_calc.py": "x"}) == [
        WorkspaceChange("tests/test_calc.py", "edited, not saved")
    ]


def test_a_pass_makes_the_workspace_now_the_one_the_tests_ran_on(tmp_path: Path) -> None:
    requests = TestedRequests(State)
    kept_request(tmp_path, requests)
    now = {"tests/test_calc.py": "def test_add(): ..."}
    failing = Verifier("fail")
    assert requests.verify_again("r1", now, failing).verdict == "fail"  # type: ignore[union-attr]
    assert requests.changed_since("r1", now) != []  # a failed run vouches for nothing
    passing = Verifier("pass")
    assert requests.verify_again("r1", now, passing).verdict == "pass"  # type: ignore[union-attr]
    assert passing.runs == [("without", now), ("strong", now)]  # both runs on the buffers
    assert requests.changed_since("r1", now) == []
    assert requests.verify_again("gone", now, passing) is None


def test_a_file_of_the_edit_changed_since_is_refused_before_any_test_runs(tmp_path: Path) -> None:
    requests = TestedRequests(State)
    kept_request(tmp_path, requests)
    verifier = Verifier("pass")
    # typed in the editor, not saved
    with pytest.raises(AcrouterError, match="calc.py changed since the edit was made from it"):
        requests.verify_again("r1", {"calc.py": "def add(a, b):\n    return 0\n"}, verifier)
    # saved on disk
    (tmp_path / "calc.py").write_text("def add(a, b):\n    return b - a\n")
    with pytest.raises(AcrouterError, match="run the request again"):
        requests.verify_again("r1", {}, verifier)
    assert verifier.runs == []
