"""The small interfaces between the pipeline stages (``typing.Protocol``): each stage
has a real and a fake/replay implementation.  Optional abilities are separate,
runtime-checkable Protocols (``WarmableGateway``, ``BudgetedPolicy``, ...).  And the
cancellation every stage checks: ``CancelToken``, ``check_cancelled``, ``Cancelled``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from .results import (
    Aggregate,
    Attempt,
    Baseline,
    Completion,
    Decision,
    Edit,
    Outcome,
    PromptContext,
    TeamPrior,
    Verdict,
    WorkspaceChange,
)
from .task import ModelSpec, Task


class Cancelled(Exception):
    """The user cancelled the request.  Never held against a model: the request is
    recorded with what it spent (``Orchestrator._keep_cancelled``), the attempt under way
    not counted."""


@runtime_checkable
class CancelToken(Protocol):
    @property
    def cancelled(self) -> bool: ...


def check_cancelled(cancel: CancelToken | None, message: str = "cancelled") -> None:
    """Raise :class:`Cancelled` if the user cancelled: the cancel check of every stage."""
    if cancel is not None and cancel.cancelled:
        raise Cancelled(message)


class Progress(Protocol):
    def report(self, message: str) -> None: ...


class Gateway(Protocol):
    def complete(
        self,
        spec: ModelSpec,
        messages: Sequence[Mapping[str, str]],
        task: Task,
        cancel: CancelToken | None = None,
    ) -> Completion: ...

    def context_window(self, spec: ModelSpec) -> int | None: ...  # input tokens; None = unknown


@runtime_checkable
class WarmableGateway(Protocol):
    """Optional: a gateway with slow set-up (an import) that can be done off the request path."""

    def warm_up(self) -> None: ...


class Prompts(Protocol):
    def messages(self, task: Task, context: PromptContext) -> list[dict[str, str]]: ...

    def parse(self, task: Task, completion: Completion, context: PromptContext) -> Edit: ...


class Verifier(Protocol):
    def prepare(self, task: Task, cancel: CancelToken | None = None) -> Baseline:
        """Pre-flight, before any model is called: find the test command and run (and
        cache) the tests without the edit.  Raises ``errors.PreflightError`` when the
        request cannot be verified, so that no model is paid for."""
        ...

    def verify(
        self, task: Task, edit: Edit, model: str, cancel: CancelToken | None = None
    ) -> Verdict: ...


@runtime_checkable
class StateTakingVerifier(Protocol):
    """Optional: a verifier that reads the workspace a request's tests will run on once,
    for the caller (the ``WorkspaceState`` the editor keeps) and for its own ``prepare``
    of the same request, called next (the key of its cached run without the edit)."""

    def take_state(self, task: Task, cancel: CancelToken | None = None) -> WorkspaceState:
        """The workspace of ``task`` now, before any of its tests runs; ``OSError`` or
        ``AcrouterError`` when it cannot be read."""
        ...


class WorkspaceState(Protocol):
    """The workspace as a request's tests ran on it (``verifier.fingerprint``), kept until
    the user applies the edit."""

    @property
    def root(self) -> Path: ...

    def changes(self, buffers: Mapping[str, str]) -> list[WorkspaceChange]:
        """The files that changed since, with the editor's unsaved ``buffers`` now
        (workspace-relative path -> text) in place of theirs."""
        ...


class Policy(Protocol):
    """Chooses the next model for a task, given only the attempts made on it so far."""

    name: str

    def plan(self, task: Task, models: Sequence[str], tried: Sequence[Attempt]) -> Decision: ...

    def learn(self, task: Task, outcome: Outcome) -> None: ...


@runtime_checkable
class BudgetedPolicy(Protocol):
    """Optional: a policy that plans cascades and wants the attempt budget of a request."""

    def configure_budget(self, max_attempts: int) -> None: ...


@runtime_checkable
class PersonalPolicy(Protocol):
    """Optional: a policy that learns from the routing memory, and is rebuilt from it
    (``reset_online`` then every aggregate, then every outcome, oldest first) whenever
    the memory changed, e.g. because another editor window wrote to it."""

    def reset_online(self) -> None: ...

    def learn_aggregate(self, agg: Aggregate) -> None: ...

    def learn_outcome(self, outcome: Outcome) -> None: ...


@runtime_checkable
class TeamPolicy(Protocol):
    """Optional: a policy that takes a team's shared outcomes (``teamPriors`` files) as
    priors, between the benchmark's and the user's own outcomes."""

    def set_team_priors(self, priors: Sequence[TeamPrior]) -> None: ...


class Memory(Protocol):
    def record(self, outcome: Outcome) -> bool: ...  # False: not stored (e.g. locked)

    def outcomes(self, limit: int | None = None) -> list[Outcome]: ...  # newest first

    def get(self, request_id: str) -> Outcome | None: ...

    def reset(self) -> int: ...

    def count(self) -> int: ...

    def aggregates(self) -> list[Aggregate]: ...  # compacted older history

    def generation(self) -> str: ...  # changes whenever another process wrote the store

    def export(self) -> dict[str, Any]: ...  # every record, as JSON
