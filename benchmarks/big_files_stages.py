"""Stage timers for ``big_files.py``: the Orchestrator's stages and the verifier's steps
wrapped where they are looked up, each timed exclusive of the stages it calls (so the
test runs and the model call are counted apart from the code around them)."""

from __future__ import annotations

import functools
import gc
import importlib
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager

#: (module, attribute (Class.method for a method), label); the order of the table
STAGES: tuple[tuple[str, str, str], ...] = (
    ("acrouter.app", "check_text", "context: check_text"),
    ("acrouter.app", "build_task", "context: build_task"),
    ("acrouter.app", "EditorApp._fingerprint", "context: fingerprint (for Apply)"),
    ("acrouter.app", "EditorApp.policy", "policy: sync with memory"),
    ("acrouter.orchestrator", "Orchestrator._plan", "policy: plan"),
    ("acrouter.verifier.core", "ProjectVerifier.prepare", "verifier.prepare"),
    ("acrouter.prompts.messages", "ChatPrompts.messages", "prompts.messages"),
    ("acrouter.gateway", "LiteLLMGateway.complete", "MODEL CALL (fake provider)"),
    ("acrouter.prompts.messages", "ChatPrompts.parse", "prompts.parse"),
    ("acrouter.prompts.parse", "blocks_for", "parse: fenced blocks"),
    ("acrouter.prompts.parse", "fence_cuts_hunk", "parse: fence_cuts_hunk"),
    ("acrouter.prompts.parse", "parse_search_replace", "parse: SEARCH/REPLACE read"),
    ("acrouter.edits", "SearchReplaceText.apply", "parse: SEARCH/REPLACE applied"),
    ("acrouter.prompts.parse", "apply_search_replace", "parse: SEARCH/REPLACE applied"),
    ("acrouter.prompts.parse", "fit_to_selection", "parse: fit_to_selection"),
    ("acrouter.verifier", "apply_diff_texts", "diff applied (apply_diff_texts)"),
    ("acrouter.prompts.parse", "_guard", "parse: guard (no code dropped)"),
    ("acrouter.verifier.core", "ProjectVerifier.verify", "verifier.verify"),
    ("acrouter.verifier.screening", "edit_texts", "verify: edit_texts"),
    ("acrouter.verifier.screening", "syntax_error", "verify: syntax_error"),
    ("acrouter.verifier.screening", "patterns_of_the_tests", "verify: patterns_of_the_tests"),
    ("acrouter.verifier.screening", "texts_before", "verify: texts_before"),
    ("acrouter.verifier.screening", "reaches_into_harness", "verify: reaches_into_harness"),
    ("acrouter.verifier.core", "ProjectVerifier._state", "verify: workspace state"),
    ("acrouter.verifier.core", "touched_tests", "verify: touched_tests (renames)"),
    ("acrouter.verifier.core", "asked", "verify: lines asked (lines_run.asked)"),
    ("acrouter.verifier.core", "ProjectVerifier._run_once", "verify: copy / overlay set-up"),
    ("acrouter.verifier.core", "trace_env", "verify: trace_env"),
    ("acrouter.verifier.core", "run_command", "TEST RUN (sandboxed)"),
    ("acrouter.verifier.sandboxrun", "read_test_run", "verify: read_test_run"),
    ("acrouter.verifier.core", "read_run", "verify: traced lines read"),
    ("acrouter.verifier.core", "run_writes", "verify: run_writes"),
    ("acrouter.verifier.core", "with_lines", "verify: with_lines (unrun)"),
    ("acrouter.orchestrator", "render_why", "why: render_why"),
    ("acrouter.orchestrator", "Orchestrator._learn", "memory + policy: learn"),
    ("acrouter.recheck", "TestedRequests.keep_verified", "recheck: keep_verified"),
    ("acrouter.apply", "edit_texts", "lsp: edit texts"),
    ("acrouter.lsp.convert", "workspace_edit", "lsp: workspace_edit"),
    ("acrouter.lsp.convert", "base_digests", "lsp: base_digests"),
    ("acrouter.lsp.convert", "result_json", "lsp: result_json"),
)
#: where a module's stages were looked up in a checkout that does not have it
#: (``BIG_FILES_SERVER`` from before the verifier's ``core`` was split by stage)
FORMERLY = {
    "acrouter.verifier.screening": "acrouter.verifier.core",
    "acrouter.verifier.sandboxrun": "acrouter.verifier.core",
}
#: what the table keeps apart from our code's own time
NOT_OURS = ("MODEL CALL (fake provider)", "TEST RUN (sandboxed)")


class Timers:
    """Exclusive seconds per label (a stage's time minus the timed stages it called),
    per thread of the request."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)
        self._local = threading.local()
        self._lock = threading.Lock()
        self.gc_seconds = 0.0

    def reset(self) -> None:
        self.seconds.clear()
        self.calls.clear()
        self.gc_seconds = 0.0

    def gc_callback(self, phase: str, info: dict) -> None:
        """gc.callbacks: the garbage collector's pauses (already inside the stages)."""
        if phase == "start":
            self._gc_t0 = time.perf_counter()
        elif phase == "stop":
            self.gc_seconds += time.perf_counter() - getattr(self, "_gc_t0", time.perf_counter())

    @contextmanager
    def stage(self, label: str) -> Iterator[None]:
        stack = self._local.__dict__.setdefault("stack", [])
        frame = [label, 0.0]
        stack.append(frame)
        t0 = time.perf_counter()
        try:
            yield
        finally:
            spent = time.perf_counter() - t0
            stack.pop()
            with self._lock:
                self.seconds[label] += spent - frame[1]
                self.calls[label] += 1
            if stack:
                stack[-1][1] += spent


def install(timers: Timers) -> None:
    """Wrap every stage of ``STAGES`` (once per process); count the gc's pauses."""
    gc.callbacks.append(timers.gc_callback)
    for module_name, attr, label in STAGES:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError:
            module = importlib.import_module(FORMERLY[module_name])
        owner: object = module
        name = attr
        if "." in attr:
            cls, name = attr.split(".")
            owner = getattr(module, cls, None)
        original = getattr(owner, name, None)
        if original is None:  # not in this checkout (``BIG_FILES_SERVER``)
            continue
        if getattr(original, "_big_files_timed", False):
            continue

        def make(fn, label=label):
            @functools.wraps(fn)
            def timed(*args, **kwargs):
                with timers.stage(label):
                    return fn(*args, **kwargs)

            timed._big_files_timed = True  # type: ignore[attr-defined]
            return timed

        setattr(owner, name, make(original))
        if module_name == "acrouter.verifier" and attr == "apply_diff_texts":
            # imported by name elsewhere too: the verifier's own edit_texts and apply
            for other in ("acrouter.verifier.edits",):
                setattr(importlib.import_module(other), name, getattr(owner, name))
