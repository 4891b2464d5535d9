"""Load a CodeRouterBench split (task metadata + task-by-model outcome matrix).

A split ``NAME`` in folder ``ROOT`` is three files (each may also be gzipped, ``.gz``):

- ``ROOT/models.json``: the 8 models (order = column order everywhere) and prices;
- ``ROOT/NAME_tasks.jsonl``: one JSON object per task, stream order;
- ``ROOT/NAME_results_long.csv``: one row per (task, model) with ``score`` and ``cost_usd``.

What is fatal and what is skipped
---------------------------------
A :class:`acrouter.errors.DatasetError` (message naming file, line and column) is raised
for anything that means the files are not what we think they are, because a silently
"repaired" benchmark produces numbers nobody can trust:

- a missing file, an unreadable/invalid JSON line, a task line without ``task_id`` or
  ``dimension``, a task id listed twice in the tasks file;
- a missing required CSV column (``task_id``, ``model``, ``score``, ``cost_usd``);
- a model name that is not in ``models.json``; a (task, model) pair listed twice;
- a ``score`` or ``cost_usd`` that is empty, non-numeric, NaN or infinite, a score
  outside [0, 1] or a negative cost;
- a result row for a task that the tasks file does not list, or whose ``dimension``
  disagrees with the tasks file.

Skipped and counted (``Dataset.skipped``): an *incomplete* task, i.e. one listed in the
tasks file that lacks a result row for some of the models (including tasks with no rows
at all). Releases do have gaps, and dropping the task keeps every router's numbers on
the same set of tasks; the count is reported so the gap stays visible.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import logging
import math
from collections.abc import Iterator, Mapping
from importlib import resources
from pathlib import Path
from typing import IO, Any

from acrouter.errors import DatasetError

from .dataset import BenchTask, Dataset, source_of

log = logging.getLogger(__name__)

#: Columns common to every results file; anything else is an "extra" (OOD) column.
COMMON_COLUMNS = frozenset(
    {
        "task_id",
        "split",
        "source_split",
        "dimension",
        "model",
        "score",
        "cost_usd",
        "input_tokens",
        "output_tokens",
        "total_tokens",
        "latency_ms",
        "cost_source",
    }
)
REQUIRED_COLUMNS = ("task_id", "model", "score", "cost_usd")
_TASK_FIELDS = frozenset({"task_id", "dimension", "source_split"})


def bundled_root() -> Path:
    """Folder of the data shipped in the package (the probing split, gzipped)."""
    return Path(str(resources.files("acrouter") / "data"))


def load_bundled(split: str = "probing") -> Dataset:
    return load_dataset(bundled_root(), split)


# --------------------------------------------------------------------------- loading


def _find(root: Path, name: str) -> Path:
    for candidate in (root / name, root / (name + ".gz")):
        if candidate.is_file():
            return candidate
    raise DatasetError(f"{root / name}: file not found (nor {name}.gz)")


def _open_text(path: Path) -> IO[str]:
    if path.suffix == ".gz":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8", newline="")
    return open(path, encoding="utf-8", newline="")


def _load_models(path: Path) -> tuple[tuple[str, ...], dict[str, tuple[float, float]]]:
    try:
        with _open_text(path) as fh:
            doc = json.load(fh)
    except (OSError, ValueError) as exc:
        raise DatasetError(f"{path}: cannot read models: {exc}") from exc
    entries = doc.get("models") if isinstance(doc, dict) else None
    if not isinstance(entries, list) or not entries:
        raise DatasetError(f"{path}: key 'models' must be a non-empty list")
    models: list[str] = []
    prices: dict[str, tuple[float, float]] = {}
    for i, entry in enumerate(entries):
        try:
            name = str(entry["model"])
            prices[name] = (float(entry["input_per_1m"]), float(entry["output_per_1m"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise DatasetError(f"{path}: models[{i}]: missing or bad field {exc}") from exc
        if name in models:
            raise DatasetError(f"{path}: models[{i}]: model {name!r} listed twice")
        models.append(name)
    return tuple(models), prices


def _iter_task_rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    with _open_text(path) as fh:
        for lineno, raw in enumerate(fh, start=1):
            if not raw.strip():
                continue
            try:
                row = json.loads(raw)
            except ValueError as exc:
                raise DatasetError(f"{path}:{lineno}: invalid JSON: {exc}") from exc
            if not isinstance(row, dict):
                raise DatasetError(f"{path}:{lineno}: expected a JSON object")
            yield lineno, row


def _load_tasks(path: Path) -> list[BenchTask]:
    tasks: list[BenchTask] = []
    seen: set[str] = set()
    for lineno, row in _iter_task_rows(path):
        for key in ("task_id", "dimension"):
            if not isinstance(row.get(key), str) or not row[key]:
                raise DatasetError(f"{path}:{lineno}: column {key!r}: missing or not a string")
        task_id = row["task_id"]
        if task_id in seen:
            raise DatasetError(f"{path}:{lineno}: column 'task_id': {task_id!r} listed twice")
        seen.add(task_id)
        tasks.append(
            BenchTask(
                task_id=task_id,
                dimension=row["dimension"],
                source_split=str(row.get("source_split") or ""),
                source=source_of(task_id),
                meta={k: v for k, v in row.items() if k not in _TASK_FIELDS},
                line=lineno,
            )
        )
    return tasks


def _number(path: Path, lineno: int, column: str, text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise DatasetError(f"{path}:{lineno}: column {column!r}: not a number: {text!r}") from None
    if math.isnan(value) or math.isinf(value):
        raise DatasetError(f"{path}:{lineno}: column {column!r}: {text!r} is not a finite number")
    return value


def _extra_value(text: str) -> Any:
    """Parse an extra column's cell: '' -> None, integers and floats as numbers, else str."""
    if text == "":
        return None
    try:
        return int(text)
    except ValueError:
        pass
    try:
        value = float(text)
    except ValueError:
        return text
    return value if math.isfinite(value) else text


def load_dataset(root: Path | str, split: str) -> Dataset:
    """Load split ``split`` from folder ``root`` (see the module docstring for errors)."""
    root = Path(root)
    models_path = _find(root, "models.json")
    tasks_path = _find(root, f"{split}_tasks.jsonl")
    results_path = _find(root, f"{split}_results_long.csv")
    models, prices = _load_models(models_path)
    tasks = _load_tasks(tasks_path)
    matrix = _Matrix(models)
    _read_results(
        results_path,
        matrix,
        {t.task_id: t.dimension for t in tasks},
        models_path.name,
        tasks_path.name,
    )
    complete = _complete_tasks(tasks, matrix, tasks_path)
    return Dataset(
        split=split,
        root=root,
        models=models,
        prices=prices,
        tasks=tuple(complete),
        scores={t.task_id: tuple(matrix.scores[t.task_id]) for t in complete},  # type: ignore[arg-type]
        costs={t.task_id: tuple(matrix.costs[t.task_id]) for t in complete},  # type: ignore[arg-type]
        extras={t.task_id: tuple(matrix.extras[t.task_id]) for t in complete},
        skipped=len(tasks) - len(complete),
    )


class _Matrix:
    """The task-by-model cells read so far (None = no row yet)."""

    def __init__(self, models: tuple[str, ...]) -> None:
        self.position = {m: i for i, m in enumerate(models)}
        self.scores: dict[str, list[float | None]] = {}
        self.costs: dict[str, list[float | None]] = {}
        self.extras: dict[str, list[Mapping[str, Any]]] = {}

    def row(self, task_id: str) -> list[float | None]:
        scores = self.scores.get(task_id)
        if scores is None:
            n = len(self.position)
            scores = self.scores[task_id] = [None] * n
            self.costs[task_id] = [None] * n
            self.extras[task_id] = [{}] * n
        return scores


def _read_results(
    path: Path, matrix: _Matrix, dims: Mapping[str, str], models_file: str, tasks_file: str
) -> None:
    """Fill ``matrix`` from the long results CSV; every schema error is fatal."""
    with _open_text(path) as fh:
        reader = csv.reader(fh)
        header = next(reader, None)
        if header is None:
            raise DatasetError(f"{path}:1: empty file, expected a header row")
        col = {name: i for i, name in enumerate(header)}
        for name in REQUIRED_COLUMNS:
            if name not in col:
                raise DatasetError(f"{path}:1: column {name!r} missing from the header")
        i_task, i_model = col["task_id"], col["model"]
        i_score, i_cost = col["score"], col["cost_usd"]
        i_dim = col.get("dimension")
        extra_cols = [(n, i) for n, i in col.items() if n not in COMMON_COLUMNS]
        width = len(header)
        for lineno, row in enumerate(reader, start=2):
            if not row:
                continue
            if len(row) != width:
                raise DatasetError(f"{path}:{lineno}: expected {width} columns, found {len(row)}")
            task_id, model = row[i_task], row[i_model]
            pos = matrix.position.get(model)
            if pos is None:
                raise DatasetError(
                    f"{path}:{lineno}: column 'model': unknown model {model!r} (not in {models_file})"
                )
            dim = dims.get(task_id)
            if dim is None:
                raise DatasetError(
                    f"{path}:{lineno}: column 'task_id': {task_id!r} is not in {tasks_file}"
                )
            if i_dim is not None and row[i_dim] and row[i_dim] != dim:
                raise DatasetError(
                    f"{path}:{lineno}: column 'dimension': {row[i_dim]!r} but {tasks_file} says {dim!r}"
                )
            score = _number(path, lineno, "score", row[i_score])
            if not 0.0 <= score <= 1.0:
                raise DatasetError(f"{path}:{lineno}: column 'score': {score} not in [0, 1]")
            cost = _number(path, lineno, "cost_usd", row[i_cost])
            if cost < 0.0:
                raise DatasetError(f"{path}:{lineno}: column 'cost_usd': negative ({cost})")
            scores = matrix.row(task_id)
            if scores[pos] is not None:
                raise DatasetError(
                    f"{path}:{lineno}: column 'model': ({task_id!r}, {model!r}) listed twice"
                )
            scores[pos] = score
            matrix.costs[task_id][pos] = cost
            if extra_cols:
                matrix.extras[task_id][pos] = {n: _extra_value(row[i]) for n, i in extra_cols}


def _complete_tasks(tasks: list[BenchTask], matrix: _Matrix, tasks_path: Path) -> list[BenchTask]:
    """The tasks with a result for every model, in file order; the others are skipped."""
    complete: list[BenchTask] = []
    n_models = len(matrix.position)
    for t in tasks:
        row_scores = matrix.scores.get(t.task_id)
        if row_scores is None or any(s is None for s in row_scores):
            have = 0 if row_scores is None else sum(s is not None for s in row_scores)
            log.debug(
                "%s:%d: task %r has results for %d of %d models: skipped",
                tasks_path,
                t.line,
                t.task_id,
                have,
                n_models,
            )
            continue
        complete.append(t)
    if len(complete) < len(tasks):
        log.warning("%s: %d incomplete task(s) skipped", tasks_path, len(tasks) - len(complete))
    return complete
