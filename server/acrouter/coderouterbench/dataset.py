"""What a CodeRouterBench split is once loaded: its tasks and the task-by-model
outcome matrix (score in [0, 1] and cost in USD of every model on every task)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import attrs

from acrouter import domain


@attrs.frozen
class BenchTask:
    task_id: str
    dimension: str
    source_split: str
    source: str  # source benchmark: "dim1_bcb"; OOD ids "old112::x" -> "old112"
    meta: Mapping[str, Any]  # every other key of the tasks.jsonl row
    line: int  # 1-based line in the tasks file


@attrs.frozen
class Dataset:
    split: str
    root: Path
    models: tuple[str, ...]
    prices: Mapping[str, tuple[float, float]]  # model -> (input, output) USD per 1M tokens
    tasks: tuple[BenchTask, ...]
    scores: Mapping[str, tuple[float, ...]]  # task_id -> per model, models order
    costs: Mapping[str, tuple[float, ...]]
    extras: Mapping[str, tuple[Mapping[str, Any], ...]]  # task_id -> per model extra columns
    skipped: int = 0

    def where(self, pred: Callable[[BenchTask], bool]) -> Dataset:
        """The subset of tasks for which ``pred`` holds (same models, same order; ``skipped``
        counts the loaded file only, so a subset reports 0)."""
        tasks = tuple(t for t in self.tasks if pred(t))
        ids = [t.task_id for t in tasks]
        return attrs.evolve(
            self,
            tasks=tasks,
            scores={i: self.scores[i] for i in ids},
            costs={i: self.costs[i] for i in ids},
            extras={i: self.extras[i] for i in ids},
            skipped=0,
        )

    def __len__(self) -> int:
        return len(self.tasks)

    def model_index(self, model: str) -> int:
        return self.models.index(model)


def source_of(task_id: str) -> str:
    """The source benchmark of a task id: ``dim1_bcb_BigCodeBench/767`` -> ``dim1_bcb``."""
    if "::" in task_id:
        return task_id.split("::", 1)[0]
    return "_".join(task_id.split("_")[:2])


def to_task(t: BenchTask) -> domain.Task:
    """The :class:`domain.Task` a router sees for a benchmark task (metadata only)."""
    meta = {k: v for k, v in t.meta.items() if k != "prompt"}
    language = t.meta.get("language")
    return domain.Task(
        task_id=t.task_id,
        kind=t.dimension,
        text=str(t.meta.get("prompt") or ""),
        language=language if isinstance(language, str) else None,
        meta={"source": t.source, **meta},
    )
