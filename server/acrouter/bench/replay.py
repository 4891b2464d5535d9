"""Replay versions of the Gateway, Prompts and Verifier stages.

The benchmark runs the production :class:`acrouter.orchestrator.Orchestrator`; only these
three stages are swapped.  They hold the stream's ground truth (the environment); the
router never gets a reference to them.

What a router can observe through them, per the protocol:

- :class:`ReplayGateway` bills the called model's recorded ``cost_usd`` (Completion);
- :class:`ReplayVerifier` says ``pass`` (score >= 1) or ``fail``, optionally flipped with
  probability ``noise`` (seeded by ``(seed, task_id, model)`` through SHA-256, so runs are
  reproducible and independent of the order of calls).  ``Verdict.score`` carries the
  recorded score; the Orchestrator hides it from the policy until the task is over.
  For OOD rows the detail names the called model's own patch flags
  (``apply_ok=1 resolved=0``), which the paper's OOD cascade needs.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Mapping, Sequence

from acrouter.coderouterbench import Dataset
from acrouter.domain import (
    Baseline,
    CancelToken,
    Completion,
    Edit,
    ModelSpec,
    PromptContext,
    Task,
    Verdict,
)
from acrouter.errors import GatewayError, VerifyError

#: Extra OOD columns the verifier reports for the called model (its own patch only).
VERIFIER_FLAGS = ("apply_ok", "resolved")


def bench_models(data: Dataset) -> tuple[ModelSpec, ...]:
    """The model list the Orchestrator is given: one replay model per benchmark model."""
    specs = []
    for m in data.models:
        price_in, price_out = data.prices.get(m, (None, None))
        specs.append(
            ModelSpec(
                name=m,
                model="replay/" + m,
                benchmark_model=m,
                input_cost_per_1m=price_in,
                output_cost_per_1m=price_out,
            )
        )
    return tuple(specs)


def flip_draw(seed: int, task_id: str, model: str) -> float:
    """A uniform draw in [0, 1) that depends only on (seed, task_id, model)."""
    digest = hashlib.sha256(f"{seed}\x00{task_id}\x00{model}".encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big")).random()


class _Cells:
    """Look up (task, model) cells of the ground truth by configured model name."""

    def __init__(self, truth: Dataset, specs: Sequence[ModelSpec] | None = None) -> None:
        self.truth = truth
        index = {m: i for i, m in enumerate(truth.models)}
        names: dict[str, int] = dict(index)
        for s in specs or ():
            bm = s.benchmark_model or s.name
            if bm in index:
                names[s.name] = index[bm]
        self.index: Mapping[str, int] = names

    def column(self, model: str) -> int:
        try:
            return self.index[model]
        except KeyError:
            raise GatewayError(f"replay has no data for model {model!r}", kind="config") from None

    def score(self, task_id: str, model: str) -> float:
        return self.truth.scores[task_id][self.column(model)]

    def cost(self, task_id: str, model: str) -> float:
        return self.truth.costs[task_id][self.column(model)]


class ReplayGateway:
    """Returns a stand-in reply and the recorded cost of ``(task, model)``."""

    def __init__(self, truth: Dataset, specs: Sequence[ModelSpec] | None = None) -> None:
        self._cells = _Cells(truth, specs)

    def context_window(self, spec: ModelSpec) -> int | None:
        return None  # prompts are not sent anywhere in a replay

    def complete(
        self,
        spec: ModelSpec,
        messages: Sequence[Mapping[str, str]],
        task: Task,
        cancel: CancelToken | None = None,
    ) -> Completion:
        if task.task_id not in self._cells.truth.scores:
            raise GatewayError(f"replay has no task {task.task_id!r}", kind="config")
        cost = self._cells.cost(task.task_id, spec.name)
        return Completion(
            model=spec.name, text=f"replay:{spec.name}", cost_usd=cost, latency_ms=0.0
        )


class ReplayPrompts:
    """Messages are not sent anywhere in a replay; the parsed edit is empty."""

    def messages(self, task: Task, context: PromptContext) -> list[dict[str, str]]:
        return [{"role": "user", "content": task.text or task.task_id}]

    def parse(self, task: Task, completion: Completion, context: PromptContext) -> Edit:
        return Edit(files={}, replacement=completion.text)


class ReplayVerifier:
    """pass iff the recorded score is >= 1, each verdict flipped with probability ``noise``."""

    def __init__(
        self,
        truth: Dataset,
        specs: Sequence[ModelSpec] | None = None,
        *,
        noise: float = 0.0,
        seed: int = 0,
    ) -> None:
        if not 0.0 <= noise <= 1.0:
            raise ValueError(f"verifier noise must be in [0, 1], got {noise}")
        self._cells = _Cells(truth, specs)
        self.noise = noise
        self.seed = seed

    def prepare(self, task: Task, cancel: CancelToken | None = None) -> Baseline:
        """Nothing to check before a replayed call: the recorded results are the tests."""
        return Baseline()

    def verify(
        self, task: Task, edit: Edit, model: str, cancel: CancelToken | None = None
    ) -> Verdict:
        try:
            score = self._cells.score(task.task_id, model)
        except (KeyError, GatewayError) as exc:
            raise VerifyError(f"replay has no result for ({task.task_id!r}, {model!r})") from exc
        passed = score >= 1.0
        flipped = self.noise > 0.0 and flip_draw(self.seed, task.task_id, model) < self.noise
        if flipped:
            passed = not passed
        extras = self._cells.truth.extras[task.task_id][self._cells.column(model)]
        flags = [f"{k}={extras[k]}" for k in VERIFIER_FLAGS if extras.get(k) is not None]
        return Verdict(verdict="pass" if passed else "fail", detail=" ".join(flags), score=score)


def parse_flags(detail: str) -> dict[str, str]:
    """``"apply_ok=1 resolved=0"`` -> ``{"apply_ok": "1", "resolved": "0"}``."""
    out: dict[str, str] = {}
    for part in detail.split():
        key, sep, value = part.partition("=")
        if sep:
            out[key] = value
    return out


__all__ = [
    "ReplayGateway",
    "ReplayPrompts",
    "ReplayVerifier",
    "bench_models",
    "flip_draw",
    "parse_flags",
]
