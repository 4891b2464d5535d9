"""Value types shared by every pipeline stage, and the small interfaces between them.

The pipeline (see README / docs): Context -> Task; Policy ranks models -> Decision;
Gateway calls a model -> Completion; Prompts parse the reply -> Edit; Verifier runs
the tests -> Verdict; the Orchestrator escalates or stops and records an Outcome in
Memory.  Each stage is a ``typing.Protocol`` with a real and a fake/replay
implementation, so the benchmark runs the same Orchestrator and Policy as the editor.

Modules: ``task`` (what a request is: models, document, ``Task``), ``results`` (what
the stages produce and what is kept: ``Decision``, ``Completion``, ``Edit``,
``Verdict``, ``Attempt``, ``Outcome``, ``Result``, ``WorkspaceChange``, ...),
``interfaces`` (the stages' Protocols and the cancellation check).
"""

from .interfaces import (
    BudgetedPolicy,
    Cancelled,
    CancelToken,
    Gateway,
    Memory,
    PersonalPolicy,
    Policy,
    Progress,
    Prompts,
    StateTakingVerifier,
    TeamPolicy,
    Verifier,
    WarmableGateway,
    WorkspaceState,
    check_cancelled,
)
from .results import (
    CANCELLED,
    MODEL_ERROR_KINDS,
    TRANSIENT_KINDS,
    UNUSABLE_REPLY,
    VERDICTS,
    Aggregate,
    Attempt,
    Baseline,
    Candidate,
    Completion,
    Decision,
    Edit,
    Feedback,
    Outcome,
    PromptContext,
    Result,
    TeamPrior,
    TestFailure,
    Verdict,
    WorkspaceChange,
)
from .task import (
    BENCHMARK_MODELS,
    DIMENSIONS,
    Document,
    ModelSpec,
    Position,
    Range,
    Task,
    document_lines,
)

__all__ = [
    "BENCHMARK_MODELS",
    "CANCELLED",
    "DIMENSIONS",
    "MODEL_ERROR_KINDS",
    "TRANSIENT_KINDS",
    "UNUSABLE_REPLY",
    "VERDICTS",
    "Aggregate",
    "Attempt",
    "Baseline",
    "BudgetedPolicy",
    "CancelToken",
    "Cancelled",
    "Candidate",
    "Completion",
    "Decision",
    "Document",
    "Edit",
    "Feedback",
    "Gateway",
    "Memory",
    "ModelSpec",
    "Outcome",
    "PersonalPolicy",
    "Policy",
    "Position",
    "Progress",
    "PromptContext",
    "Prompts",
    "Range",
    "Result",
    "StateTakingVerifier",
    "Task",
    "TeamPolicy",
    "TeamPrior",
    "TestFailure",
    "Verdict",
    "Verifier",
    "WarmableGateway",
    "WorkspaceChange",
    "WorkspaceState",
    "check_cancelled",
    "document_lines",
]
