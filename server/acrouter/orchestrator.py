"""The Context -> Action -> Feedback loop.

``Orchestrator.run(task)`` reads as its stages:

- Context: the verifier's pre-flight (``Verifier.prepare``: the test command, the tests
  without the edit); a refusal raises ``PreflightError`` before any model is paid for.
- Action (``_escalate``): ask the policy for a model (among those not cooling down after
  the provider's passing trouble, ``cooldown.Cooldowns``), call it through the gateway with
  a prompt that carries the baseline and why earlier attempts failed (``Feedback``,
  when ``share_failures``), parse the reply into an edit and verify it (``_attempt``);
  escalate or stop (also when an edit leaves the tests unable to run for the same reason
  as before it: every other model's edit would meet that error too).  ``_accepted``
  names the model whose edit is handed back.
- Feedback (``_outcome``, ``_learn``): one outcome, recorded in memory and handed back
  to the policy.

The same loop serves the editor, the command line and the benchmark replay (which swaps
gateway, prompts and verifier for replay versions).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence

import attrs

from .cooldown import Cooldowns, repeated_timeout
from .domain import (
    MODEL_ERROR_KINDS,
    TRANSIENT_KINDS,
    UNUSABLE_REPLY,
    Attempt,
    Baseline,
    BudgetedPolicy,
    Cancelled,
    CancelToken,
    Decision,
    Edit,
    Feedback,
    Gateway,
    Memory,
    ModelSpec,
    Outcome,
    Policy,
    Progress,
    PromptContext,
    Prompts,
    Result,
    Task,
    Verifier,
    check_cancelled,
)
from .errors import AcrouterError, GatewayError, ParseError, VerifyError
from .explain import (
    exit_stop,
    network_stop,
    not_tried,
    passing_reason,
    render_why,
    setup_stop,
    untested_stop,
)
from .pytrees import kept_trees, shared_trees
from .trail import Pending, Trail, total_cost

log = logging.getLogger(__name__)


def _request_texts(task: Task) -> list[str]:
    """The texts every attempt of ``task`` reads: its document and unsaved buffers."""
    return [*([task.document.text] if task.document is not None else []), *task.buffers.values()]


class _NoProgress:
    def report(self, message: str) -> None:
        pass


class Orchestrator:
    def __init__(
        self,
        models: Sequence[ModelSpec],
        policy: Policy,
        gateway: Gateway,
        prompts: Prompts,
        verifier: Verifier,
        memory: Memory,
        *,
        max_attempts: int = 3,
        accept_unverified: bool = False,
        clock: Callable[[], float] = time.time,
        outcome_extras: Callable[[Task], dict] | None = None,
        share_failures: bool = True,
        context_tokens: int = 32_000,
        cooldowns: Cooldowns | None = None,
    ) -> None:
        if not models:
            raise AcrouterError("no models are configured")
        self.models = {m.name: m for m in models}
        self.model_names = tuple(m.name for m in models)
        self.policy = policy
        self.gateway = gateway
        self.prompts = prompts
        self.verifier = verifier
        self.memory = memory
        self.max_attempts = max(1, int(max_attempts))
        if isinstance(policy, BudgetedPolicy):  # policies that plan cascades want the budget
            policy.configure_budget(self.max_attempts)
        self.accept_unverified = accept_unverified
        self.clock = clock
        self.outcome_extras = outcome_extras
        self.share_failures = share_failures
        self.context_tokens = int(context_tokens)
        #: the models cooling down after a passing failure (the EditorApp's, shared by
        #: its requests); none are cooling in a fresh one
        self.cooldowns = cooldowns if cooldowns is not None else Cooldowns()

    # ------------------------------------------------------------------ the loop
    def run(
        self, task: Task, cancel: CancelToken | None = None, progress: Progress | None = None
    ) -> Result:
        progress = progress or _NoProgress()
        start = time.perf_counter()
        # Context: the tests without the edit (PreflightError: no model is called)
        check_cancelled(cancel)
        self.cooldowns.check_usable(self.model_names)  # CoolingDown: no model can be called
        progress.report("running the tests without the edit")
        baseline = self.verifier.prepare(task, cancel)
        # Action: attempts until one passes, the policy stops, or max_attempts is spent
        trail = Trail()
        try:
            # every attempt reads the document the model is asked to change (and the
            # unsaved buffers): parsed once for the request, not once per attempt
            with kept_trees(_request_texts(task)):
                self._escalate(task, baseline, cancel, progress, trail)
        except Cancelled:
            self._keep_cancelled(task, trail, start)
            raise
        final = self._accepted(task, trail)
        latency_ms = (time.perf_counter() - start) * 1000.0
        # Feedback: one outcome, stored in memory and learned by the policy
        outcome = self._outcome(task, trail, final, latency_ms)
        self._learn(task, outcome)
        return Result(
            request_id=task.task_id,
            kind=task.kind,
            final_model=final,
            verified=outcome.verified,
            cost_usd=total_cost(trail.attempts),
            latency_ms=latency_ms,
            attempts=tuple(trail.attempts),
            why=outcome.why,
            edit=trail.edits.get(final) if final else None,
        )

    def _escalate(
        self,
        task: Task,
        baseline: Baseline,
        cancel: CancelToken | None,
        progress: Progress,
        trail: Trail,
    ) -> None:
        """Ask the policy for a model, attempt it, tell the next one why it failed; repeat."""
        while len(trail.attempts) < self.max_attempts:
            check_cancelled(cancel)
            first = not trail.attempts
            progress.report("choosing model" if first else "choosing next model")
            names, decision = self._plan(task, trail)
            trail.decisions.append(decision)
            if decision.model is None or decision.model not in names:
                trail.stop = decision
                break
            name = decision.model
            progress.report(f"calling {name}" if first else f"escalating to {name}")
            spec = self.models[name]
            context = PromptContext(baseline, tuple(trail.feedback), self._budget(spec))
            with shared_trees():  # the reply's parse and its verification read the same texts
                attempt, edit, note = self._attempt(task, spec, context, cancel, progress, trail)
            trail.pending = None
            if note is not None and self.share_failures:
                trail.feedback.append(note)
            trail.attempts.append(attempt)
            trail.seen.append(attrs.evolve(attempt, score=None))
            if edit is not None:
                trail.edits[name] = edit
            if attempt.verdict == "pass":
                trail.passed = name
                break
            if trail.blocked is not None:  # any other model's edit would meet the same error
                trail.stop = Decision(None, (), trail.blocked)
                trail.decisions.append(trail.stop)
                break

    def _keep_cancelled(self, task: Task, trail: Trail, start: float) -> None:
        """A request cancelled after a model was called is recorded: what it spent (the
        call under way, its cost unknown if it had not replied) and the attempts the tests
        judged, which are evidence like any other; the cancel itself is not counted."""
        if trail.pending is not None:
            trail.attempts.append(trail.pending.cancelled())
            trail.pending = None
        if not trail.attempts:
            return  # no model was called: nothing was paid for, nothing to learn
        latency_ms = (time.perf_counter() - start) * 1000.0
        self._learn(task, self._outcome(task, trail, None, latency_ms, cancelled=True))

    def _plan(self, task: Task, trail: Trail) -> tuple[tuple[str, ...], Decision]:
        """The policy's next choice among the models that can still be reached and are
        not cooling down."""
        names = trail.reachable(self.models) if trail.down else self.model_names
        tried = {a.model for a in trail.attempts}
        cooling = self.cooldowns.paused(names)
        if cooling:
            names = tuple(n for n in names if n not in cooling)
            trail.skipped.update({n: p for n, p in cooling.items() if n not in tried})
        decision = self.policy.plan(task, names, tuple(trail.seen))
        skipped = [n for n in self.model_names if n not in names and n not in tried]
        if decision.model is None and skipped:
            why_not = not_tried(skipped, trail.down, {n: p.describe() for n, p in cooling.items()})
            decision = attrs.evolve(decision, reason=f"{decision.reason}; not tried: {why_not}")
        return names, decision

    def _accepted(self, task: Task, trail: Trail) -> str | None:
        """The model whose edit is handed back: the one that passed; else, when unverified
        edits are accepted (the replay), the one the policy accepts (or the last one)."""
        if trail.passed is not None or not self.accept_unverified or not trail.attempts:
            return trail.passed
        stop = trail.stop
        if stop is None:  # ended by max_attempts: ask which attempt to accept
            stop = self.policy.plan(task, (), tuple(trail.seen))
        tried = {a.model for a in trail.attempts}
        return stop.accept if stop.accept in tried else trail.attempts[-1].model

    def _outcome(
        self,
        task: Task,
        trail: Trail,
        final: str | None,
        latency_ms: float,
        cancelled: bool = False,
    ) -> Outcome:
        """What memory keeps and the policy learns from, with why it was routed so."""
        verified = not cancelled and any(a.verdict == "pass" for a in trail.attempts)
        skipped = {n: p.describe() for n, p in trail.skipped.items()}
        why = render_why(
            task,
            trail.decisions,
            trail.attempts,
            final,
            verified,
            sandbox="; ".join(dict.fromkeys(trail.sandboxes)),
            commands=tuple(dict.fromkeys(trail.commands)),
            cooling=(skipped, {n: p.describe() for n, p in trail.paused.items()}),
            cancelled=cancelled,
        )
        meta: dict[str, object] = {"source": task.meta["source"]} if task.meta.get("source") else {}
        if cancelled:
            meta["cancelled"] = True
        outcome = Outcome(
            request_id=task.task_id,
            time=self.clock(),
            kind=task.kind,
            attempts=tuple(trail.attempts),
            final_model=final,
            verified=verified,
            why=why,
            workspace_id=None,
            instruction=None,
            meta=meta,
        )
        if skipped:  # for ``acrouter memory show``: which models were cooling down
            outcome = attrs.evolve(outcome, meta={**outcome.meta, "skipped": skipped})
        if self.outcome_extras is not None:
            extras = self.outcome_extras(task)
            extras["meta"] = {
                **outcome.meta,
                **extras.get("meta", {}),
                "latency_ms": round(latency_ms, 1),
            }
            outcome = attrs.evolve(outcome, **extras)
        return outcome

    # ------------------------------------------------------------------ stages
    def _budget(self, spec: ModelSpec) -> int:
        """The model's context window in tokens (the gateway's model info), else the setting."""
        window = self.gateway.context_window(spec)
        return int(window) if window else self.context_tokens

    def _attempt(
        self,
        task: Task,
        spec: ModelSpec,
        context: PromptContext,
        cancel: CancelToken | None,
        progress: Progress,
        trail: Trail,
    ) -> tuple[Attempt, Edit | None, Feedback | None]:
        """One model's attempt, and what the next model should be told if it failed."""
        t0 = time.perf_counter()
        pending = trail.pending = Pending(spec.name, t0)
        try:
            completion = self.gateway.complete(
                spec, self.prompts.messages(task, context), task, cancel
            )
        except Cancelled:
            raise
        except GatewayError as exc:
            return self._gateway_failed(spec, exc, t0, trail), None, None
        except AcrouterError as exc:
            return self._failed(spec.name, str(exc), t0, counted=False), None, None
        self.cooldowns.succeeded(spec.name)  # it replied: no longer cooling down
        cost = completion.cost_usd
        pending.cost_usd, pending.call_ms = cost, completion.latency_ms
        check_cancelled(cancel)
        try:
            edit = self.prompts.parse(task, completion, context)
        except ParseError as exc:
            detail = f"{UNUSABLE_REPLY}: {exc}"
            return (
                Attempt(spec.name, "fail", cost, completion.latency_ms, detail),
                None,
                Feedback("fail", detail),
            )
        progress.report("running tests")
        try:
            verdict = self.verifier.verify(task, edit, spec.name, cancel)
        except Cancelled:
            raise
        except VerifyError as exc:
            return (
                Attempt(
                    spec.name,
                    "error",
                    cost,
                    completion.latency_ms,
                    f"verifier: {exc}",
                    counted=False,
                ),
                edit,
                None,
            )
        if verdict.sandbox:
            trail.sandboxes.append(verdict.sandbox)
        if verdict.test_command:
            python = f" ({verdict.test_python})" if verdict.test_python else ""
            trail.commands.append(f"`{verdict.test_command}`{python}")
        if verdict.setup_error:
            trail.blocked = setup_stop(spec.name, verdict.setup_error)
        elif verdict.network_error:
            trail.blocked = network_stop(spec.name, verdict.network_error)
        elif verdict.untested:
            trail.blocked = untested_stop(spec.name, verdict.untested)
        elif verdict.exit_error:
            trail.blocked = exit_stop(spec.name, verdict.exit_error)
        attempt = Attempt(
            model=spec.name,
            verdict=verdict.verdict,
            cost_usd=cost,
            latency_ms=completion.latency_ms,
            detail=verdict.detail,
            tests_passed=verdict.tests_passed,
            tests_failed=verdict.tests_failed,
            score=verdict.score,
            unrun=verdict.unrun,
            # a verifier "error" (or a failure the verifier blames on the set-up) says
            # nothing about the model
            counted=verdict.counted and verdict.verdict != "error",
        )
        note = None
        if verdict.verdict == "fail":
            note = Feedback(verdict.verdict, verdict.detail, verdict.failures)
        return attempt, edit, note

    def _gateway_failed(
        self, spec: ModelSpec, exc: GatewayError, t0: float, trail: Trail
    ) -> Attempt:
        """A call that failed: counted only when it says something about the model (not
        auth, budget, unreachable ...: the set-up's); the provider's passing trouble
        cools the model down instead (a timeout counts when it repeats)."""
        # one prefix naming the kind ("auth: the gateway rejected the key ...")
        detail = exc.detail if exc.detail.startswith(exc.kind) else f"{exc.kind}: {exc.detail}"
        counted = exc.kind in MODEL_ERROR_KINDS
        if exc.kind == "unreachable" and spec.api_base:
            trail.down.add(spec.api_base)
        if exc.kind in TRANSIENT_KINDS:
            if exc.kind == "timeout" and repeated_timeout(self.memory, spec.name):
                counted = True
                detail += " (the previous call timed out too: counted against the model)"
            reason = passing_reason(detail, short=True)
            trail.paused[spec.name] = self.cooldowns.failed(spec.name, reason, exc.retry_after)
        return self._failed(spec.name, detail, t0, counted, exc.cost_usd)

    @staticmethod
    def _failed(
        model: str, detail: str, t0: float, counted: bool, cost: float | None = 0.0
    ) -> Attempt:
        # a call that failed before a reply is not billed: cost 0, not unknown (a reply
        # without a usable message was: the gateway says what it cost)
        elapsed_ms = (time.perf_counter() - t0) * 1000.0
        return Attempt(model, "error", cost, elapsed_ms, detail, counted=counted)

    def _learn(self, task: Task, outcome: Outcome) -> None:
        try:
            stored = self.memory.record(outcome)
        except Exception:  # memory trouble must never lose the user's result
            log.exception("could not record the outcome in memory")
            stored = False
        if stored is False:
            log.warning(
                "outcome %s not stored in memory (locked or unavailable)", outcome.request_id
            )
        self.policy.learn(task, outcome)
