"""Composition root: the one place that builds the Orchestrator and its stages.

``EditorApp`` serves the language server and ``acrouter complete``; the benchmark
builds its replay Orchestrator with ``build_replay_orchestrator``.  Nothing else
constructs stages, and there are no module-level singletons.
"""

from __future__ import annotations

import gc
import logging
import os
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from .config import EDITOR_PREFIX, Settings
from .context import build_task, check_text
from .cooldown import Cooldowns
from .domain import (
    CancelToken,
    Document,
    Gateway,
    Memory,
    ModelSpec,
    Outcome,
    PersonalPolicy,
    Policy,
    Progress,
    Prompts,
    Result,
    Task,
    TeamPolicy,
    Verdict,
    Verifier,
    WarmableGateway,
    WorkspaceChange,
    WorkspaceState,
)
from .errors import AcrouterError
from .orchestrator import Orchestrator
from .recheck import TestedRequests

log = logging.getLogger(__name__)


class PriorStore:
    """Loads the bundled CodeRouterBench priors once, off the request path when warmed."""

    def __init__(self, loader: Callable[[], object] | None = None) -> None:
        self._loader = loader
        self._data: object | None = None
        self._lock = threading.Lock()

    def warm_in_background(self) -> None:
        threading.Thread(target=self.get, name="acrouter-priors", daemon=True).start()

    def get(self):
        with self._lock:
            if self._data is None:
                if self._loader is None:
                    from .coderouterbench import load_bundled

                    self._data = load_bundled()
                else:
                    self._data = self._loader()
            return self._data


class EditorApp:
    """Everything the editor and the CLI need: route, history, explain, reset."""

    def __init__(
        self,
        settings: Settings,
        *,
        memory: Memory,
        priors: PriorStore,
        gateway_factory: Callable[[Settings], Gateway],
        verifier_factory: Callable[[Settings], Verifier],
        prompts: Prompts,
        policy_factory: Callable[[object, Sequence[ModelSpec], Settings], Policy] | None = None,
        settings_prefix: str = EDITOR_PREFIX,
        fingerprint: Callable[[Path, Mapping[str, str]], WorkspaceState] | None = None,
    ) -> None:
        self.memory = memory
        self.priors = priors
        self.gateway_factory = gateway_factory
        self.verifier_factory = verifier_factory
        self.prompts = prompts
        self.policy_factory = policy_factory or _default_policy
        self._lock = threading.RLock()
        self._policy: Policy | None = None
        self._policy_gen: str | None = None
        #: the request ids of the outcomes the policy learned from the memory file
        self._policy_ids: frozenset[str] = frozenset()
        self.settings = settings
        #: how messages name a setting in the front end in use, as ``config.parse_settings``
        #: does: "acrouter." (the editor's acrouter.teamPriors), "" (config.toml's teamPriors)
        self.settings_prefix = settings_prefix
        self.problems: list[str] = []
        #: what the last verified requests' tests ran on (``changed_since``,
        #: ``verify_again``); None: not kept
        self.tested = TestedRequests(fingerprint) if fingerprint is not None else None
        #: the models cooling down after the provider's passing trouble (a rate limit, a
        #: 5xx, a timeout): skipped by this app's requests for a while, never stored
        self.cooldowns = Cooldowns()

    # ------------------------------------------------------------------ settings
    def update_settings(self, settings: Settings) -> None:
        with self._lock:
            self.settings = settings
            self._policy = None  # rebuilt for the new model list on next use

    def warm_in_background(self) -> None:
        """Load priors and import the model library off the request path (seconds)."""
        threading.Thread(target=self.warm_up, name="acrouter-warm", daemon=True).start()

    def warm_up(self) -> None:
        """``warm_in_background``'s work.  What it loaded (litellm's modules, the priors:
        some 400,000 objects) lives as long as the server, so it is then moved out of
        the garbage collector's full scans (``gc.freeze``): a request on a file of
        thousands of lines (its syntax trees) sets off many, and each scanned all of it
        (seconds per request on 20,000 lines, ``benchmarks/big_files.py``).  Garbage
        cycles are collected first: frozen, they would never be."""
        try:
            self.priors.get()
            if self.settings.models:
                self.policy()  # fit priors for the configured models
            gateway = self.gateway_factory(self.settings)
            if isinstance(gateway, WarmableGateway):
                gateway.warm_up()
        except Exception:  # a failed warm-up only makes the first request slower
            log.exception("warm-up failed")
        finally:
            gc.collect()
            gc.freeze()

    # ------------------------------------------------------------------ policy + memory sync
    def policy(self) -> Policy:
        """The policy, in sync with memory (other editor windows may have written)."""
        with self._lock:
            gen = self.memory.generation()
            if self._policy is None:
                self._policy = self.policy_factory(
                    self.priors.get(), self.settings.models, self.settings
                )
                self._policy_gen = None
                self._load_team_priors(self._policy)
            if gen != self._policy_gen:
                self._policy_ids = self._replay_memory(self._policy)
                self._policy_gen = gen
            return self._policy

    def _load_team_priors(self, policy: Policy) -> None:
        """The ``teamPriors`` files, read when the policy is built (at start and on every
        settings change); a file that cannot be used is named in ``problems``."""
        paths = self.settings.team_priors
        if not paths or not isinstance(policy, TeamPolicy):
            return
        from .memory.team import load_team_priors

        priors, problems = load_team_priors(paths, self.settings_prefix)
        for problem in problems:
            log.warning("%s", problem)
        self.problems = [*self.problems, *problems]
        policy.set_team_priors(priors)
        log.info(
            "team priors: %d (model, kind) aggregates from %d file(s)", len(priors), len(paths)
        )

    def _replay_memory(self, policy: Policy) -> frozenset[str]:
        """Teach the policy the memory file's outcomes afresh; returns their request ids."""
        if not isinstance(policy, PersonalPolicy):
            return frozenset()
        policy.reset_online()
        for agg in self.memory.aggregates():
            policy.learn_aggregate(agg)
        outcomes = self.memory.outcomes()
        for outcome in reversed(outcomes):  # oldest first
            policy.learn_outcome(outcome)
        return frozenset(o.request_id for o in outcomes)

    def _learned_own_write(self, request_id: str, gen: str | None, ids: frozenset[str]) -> None:
        """The policy learned the request's outcome as it ended: no replay is needed if that
        outcome is the file's only change since the sync (``gen``, ``ids``); else (another
        window's outcome, a reset, a compaction) the policy replays the file next time."""
        if self._policy_gen is None or self._policy_gen != gen:
            return  # reset or rebuilt meanwhile
        now = self.memory.generation()
        stored = frozenset(o.request_id for o in self.memory.outcomes())
        if stored == ids | {request_id}:
            self._policy_gen, self._policy_ids = now, stored

    # ------------------------------------------------------------------ the request
    def route(
        self,
        doc: Document,
        instruction: str,
        *,
        folders: Sequence[Path] = (),
        test_command: str | None = None,
        cancel: CancelToken | None = None,
        progress: Progress | None = None,
        buffers: Mapping[str, str] | None = None,
        buffers_left_out: Mapping[str, str] | None = None,
        python: str | None = None,
    ) -> Result:
        """Route, verify and remember one request; ``buffers``: the editor's unsaved
        buffers by workspace-relative path (``Task.buffers``): the request is made and
        tested against them; ``buffers_left_out``: those that could not be, with why;
        ``python``: the editor's Python for the workspace (``Task.python``)."""
        settings = self.settings
        if not settings.models:
            raise AcrouterError(
                f"no models are configured: add at least one entry to "
                f"{self.settings_prefix}models (see README, 'Configuring models')"
            )
        check_text(doc, settings.max_file_kilobytes * 1024)  # pre-flight: text, size
        task = build_task(
            doc,
            instruction,
            folders=folders,
            test_command=test_command or settings.test_command,
            buffers=buffers,
            buffers_left_out=buffers_left_out,
            python=python,
        )
        store = settings.store_instructions

        from .memory import first_line  # what memory keeps of an instruction
        from .policy import task_features

        def extras(t: Task) -> dict:
            return {
                "workspace_id": t.meta.get("workspace_id"),
                "features": task_features(t),  # hashed n-grams, no text: for retrieval
                "instruction": first_line(t.text) if store else None,
                "meta": {"kind_cue": t.meta.get("kind_cue")},
            }

        with self._lock:
            policy = self.policy()
            synced = (self._policy_gen, self._policy_ids)
        verifier = self.verifier_factory(settings)
        orch = Orchestrator(
            settings.models,
            policy,
            self.gateway_factory(settings),
            self.prompts,
            verifier,
            self.memory,
            max_attempts=settings.max_attempts,
            outcome_extras=extras,
            share_failures=settings.share_failures,
            context_tokens=settings.context_tokens,
            cooldowns=self.cooldowns,
        )
        # before any test runs: what they will run on (read by the verifier when it can,
        # whose pre-flight then keys its cached run without the edit on the same reading)
        tested = self._fingerprint(task, verifier, cancel)
        try:
            result = orch.run(task, cancel=cancel, progress=progress)
        finally:  # a cancelled request was recorded too (what it spent)
            with self._lock:
                if self._policy is policy:
                    self._learned_own_write(task.task_id, *synced)
        if self.tested is not None and tested is not None:
            self.tested.keep_verified(tested, task, result)
        return result

    # ------------------------------------------------------------------ after the request
    def tested_root(self, request_id: str) -> Path | None:
        """The workspace a verified request's tests ran on, if it is still known."""
        tested = self.tested.get(request_id) if self.tested is not None else None
        return tested.state.root if tested is not None else None

    def changed_since(
        self, request_id: str, buffers: Mapping[str, str]
    ) -> list[WorkspaceChange] | None:
        """The files of the workspace that changed since the tests of a verified request
        ran (``buffers``: the editor's unsaved buffers in it now, by relative path); None
        when the request is not known (not verified, or not since this server started)."""
        if self.tested is None:
            return None
        return self.tested.changed_since(request_id, buffers)

    def verify_again(
        self, request_id: str, buffers: Mapping[str, str], cancel: CancelToken | None = None
    ) -> Verdict | None:
        """The tests of a verified request run again on its edit, on the workspace as it
        is now (``recheck.TestedRequests.verify_again``); no model is called and nothing
        is recorded.  None when the request is not known."""
        if self.tested is None:
            return None
        verifier = self.verifier_factory(self.settings)
        return self.tested.verify_again(request_id, buffers, verifier, cancel)

    def _fingerprint(
        self, task: Task, verifier: Verifier, cancel: CancelToken | None
    ) -> WorkspaceState | None:
        if self.tested is None or not task.workspace:
            return None
        try:
            return self.tested.take(task, verifier, cancel)
        except (OSError, AcrouterError) as exc:  # then Apply says it cannot tell
            log.warning("the workspace could not be fingerprinted: %s", exc)
            return None

    # ------------------------------------------------------------------ memory views
    def history(self, limit: int | None = 50) -> list[Outcome]:
        return self.memory.outcomes(limit)

    def explain(self, request_id: str) -> str | None:
        o = self.memory.get(request_id)
        return o.why if o is not None else None

    def reset_memory(self) -> int:
        with self._lock:
            removed = self.memory.reset()
            self._policy_gen = None
            return removed


def _default_policy(prior_data: object, models: Sequence[ModelSpec], settings: Settings) -> Policy:
    from .policy import make_policy

    return make_policy(prior_data, models, cost_weight=settings.cost_weight)  # type: ignore[arg-type]


def build_editor_app(
    settings: Settings,
    *,
    memory_path: Path | None = None,
    env: Mapping[str, str] | None = None,
    priors: PriorStore | None = None,
    settings_prefix: str = EDITOR_PREFIX,
    keep_tested: bool = False,
) -> EditorApp:
    """The production wiring used by ``acrouter serve`` and ``acrouter complete``
    (``settings_prefix``: "" when the settings come from config.toml; ``keep_tested``:
    keep what each verified request's tests ran on, for the editor's check at Apply)."""
    from .gateway import LiteLLMGateway
    from .memory import TinyDBMemory, default_memory_path
    from .prompts import ChatPrompts
    from .verifier import BaselineCache, ProjectVerifier, ScratchPool, take_fingerprint

    env = dict(os.environ if env is None else env)
    path = memory_path or default_memory_path(env)
    memory = TinyDBMemory(path, store_instructions=settings.store_instructions)
    # One per editor session, shared by the verifier each request builds: scratch copies
    # are reused and a workspace's baseline test run is not repeated.
    scratch_pool = ScratchPool()
    baselines = BaselineCache()

    def gateway(s: Settings) -> Gateway:
        return LiteLLMGateway(timeout_s=s.request_timeout_s, env=env)

    def verifier(s: Settings) -> Verifier:
        return ProjectVerifier(
            test_command=s.test_command,
            timeout_s=s.test_timeout_s,
            sandbox=s.sandbox,
            scratch_pool=scratch_pool,
            baseline_cache=baselines,
            trace_lines=s.trace_changed_lines,
        )

    return EditorApp(
        settings,
        memory=memory,
        priors=priors or PriorStore(),
        gateway_factory=gateway,
        verifier_factory=verifier,
        prompts=ChatPrompts(),
        settings_prefix=settings_prefix,
        fingerprint=take_fingerprint if keep_tested else None,
    )


def build_replay_orchestrator(
    models: Sequence[ModelSpec],
    policy: Policy,
    gateway: Gateway,
    prompts: Prompts,
    verifier: Verifier,
    memory: Memory,
    *,
    max_attempts: int,
    clock: Callable[[], float] | None = None,
) -> Orchestrator:
    """The benchmark's Orchestrator: the production loop with replay stages."""
    return Orchestrator(
        models,
        policy,
        gateway,
        prompts,
        verifier,
        memory,
        max_attempts=max_attempts,
        accept_unverified=True,
        clock=clock if clock is not None else time.time,
    )


__all__ = [
    "EditorApp",
    "PriorStore",
    "build_editor_app",
    "build_replay_orchestrator",
]
