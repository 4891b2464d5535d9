"""After a verified request, before the user applies its edit: what its tests ran on,
which files of the workspace changed since, and running the tests on the same edit
again, on the workspace as it is now.

The user may wait minutes before pressing Apply, and meanwhile edit a test, save a
conftest.py or switch a branch: the verdict then describes a workspace that is gone.
``TestedRequests`` keeps, for the last verified requests of this session, the
fingerprint of the workspace their tests ran on (``verifier.fingerprint``), the request
and its edit.  ``changed_since`` says what changed; ``verify_again`` runs the tests
without and with the same edit on the workspace as it is now (the editor's unsaved
buffers in place of their files).  No model is called and nothing is learned: the
model's outcome was recorded when its edit was verified, and a later change of the
workspace says nothing about the model.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from pathlib import Path

import attrs

from .domain import (
    CancelToken,
    Edit,
    Result,
    StateTakingVerifier,
    Task,
    Verdict,
    Verifier,
    WorkspaceChange,
    WorkspaceState,
)
from .errors import AcrouterError

#: How many verified requests are kept (the oldest is forgotten first).
KEPT = 32


@attrs.frozen
class Tested:
    """A verified request as its tests ran: the workspace, the request and its edit."""

    __test__ = False  # not a pytest test class

    state: WorkspaceState
    task: Task
    edit: Edit
    model: str


class TestedRequests:
    """The last ``kept`` verified requests of this session, by request id."""

    __test__ = False  # not a pytest test class

    def __init__(
        self,
        fingerprint: Callable[[Path, Mapping[str, str]], WorkspaceState],
        kept: int = KEPT,
    ) -> None:
        self.fingerprint = fingerprint
        self.kept = kept
        self._lock = threading.Lock()
        self._tested: OrderedDict[str, Tested] = OrderedDict()

    def take(
        self, task: Task, verifier: Verifier | None = None, cancel: CancelToken | None = None
    ) -> WorkspaceState:
        """The workspace of ``task`` now (before its tests run); ``OSError`` or
        ``AcrouterError`` when it cannot be read.  Read by ``verifier`` when it can
        (``StateTakingVerifier``: its ``prepare`` for the task, called next, then does not
        read the workspace again), else by ``fingerprint``."""
        if not task.workspace:
            raise AcrouterError("the request has no workspace")
        if isinstance(verifier, StateTakingVerifier):
            return verifier.take_state(task, cancel)
        return self.fingerprint(Path(task.workspace), task.buffers)

    def keep(self, request_id: str, tested: Tested) -> None:
        with self._lock:
            self._tested[request_id] = tested
            self._tested.move_to_end(request_id)
            while len(self._tested) > self.kept:
                self._tested.popitem(last=False)

    def keep_verified(self, state: WorkspaceState, task: Task, result: Result) -> None:
        """Keep a request whose edit passed (``state``: its workspace before the tests)."""
        if result.verified and result.edit is not None and result.final_model is not None:
            self.keep(result.request_id, Tested(state, task, result.edit, result.final_model))

    def get(self, request_id: str) -> Tested | None:
        with self._lock:
            return self._tested.get(request_id)

    def changed_since(
        self, request_id: str, buffers: Mapping[str, str]
    ) -> list[WorkspaceChange] | None:
        """The files that changed since the request's tests ran (``buffers``: the
        editor's unsaved buffers now, by relative path); None: the request is not known."""
        tested = self.get(request_id)
        return tested.state.changes(buffers) if tested is not None else None

    def verify_again(
        self,
        request_id: str,
        buffers: Mapping[str, str],
        verifier: Verifier,
        cancel: CancelToken | None = None,
    ) -> Verdict | None:
        """The tests without and with the request's edit, on the workspace as it is now
        (``buffers``: the editor's unsaved buffers now); None when the request is not
        known.  When the edit passes, what the tests ran on is the workspace now (Apply
        then has nothing new to warn about).  Raises ``AcrouterError`` when a file the
        edit changes no longer holds what the edit was made from (the edit would not be
        the one the user applies), and ``PreflightError`` when the tests cannot run."""
        tested = self.get(request_id)
        if tested is None:
            return None
        stale = _edit_files_changed(tested, buffers)
        if stale is not None:
            raise AcrouterError(
                f"{stale} changed since the edit was made from it; run the request again"
            )
        task = attrs.evolve(tested.task, buffers=dict(buffers), buffers_left_out={})
        state = self.take(task, verifier, cancel)  # before the tests run: what they will run on
        verifier.prepare(task, cancel)
        verdict = verifier.verify(task, tested.edit, tested.model, cancel)
        if verdict.verdict == "pass":
            self.keep(request_id, attrs.evolve(tested, state=state, task=task))
        return verdict


def _edit_files_changed(tested: Tested, buffers: Mapping[str, str]) -> str | None:
    """The first file the edit changes whose text (its unsaved buffer, else the file on
    disk) is no longer what the edit was made from; None when all still hold it (the
    check ``acrouter complete --apply`` makes before it writes)."""
    bases = tested.edit.bases
    if bases is None or not tested.task.workspace:
        return None
    from .apply import changed_on_disk, same_text
    from .verifier import resolve_edit_path

    root = Path(tested.task.workspace)
    for rel, base in sorted(bases.items()):
        if rel in buffers:
            if not same_text(buffers[rel], base):
                return rel
        else:
            path = resolve_edit_path(root, rel)
            if changed_on_disk(path, {path: base}) is not None:
                return rel
    return None
