"""Shared fixtures: the bundled probing split (train/val parts) and the 12-task OOD sample."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest
from acrouter.coderouterbench import Dataset, load_bundled, load_dataset

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "coderouterbench"

RESULT_HEADER = (
    "task_id,split,source_split,dimension,model,score,cost_usd,input_tokens,output_tokens,"
    "total_tokens,latency_ms,cost_source"
)


@pytest.fixture(scope="session")
def probing() -> Dataset:
    return load_bundled()


@pytest.fixture(scope="session")
def train(probing: Dataset) -> Dataset:
    return probing.where(lambda t: t.source_split == "train")


@pytest.fixture(scope="session")
def val(probing: Dataset) -> Dataset:
    return probing.where(lambda t: t.source_split == "val")


@pytest.fixture(scope="session")
def ood() -> Dataset:
    return load_dataset(FIXTURES, "ood_sample")


def write_split(
    root: Path,
    split: str,
    cells: Sequence[tuple[str, str, str, float | str, float | str]],
    models: Sequence[str] = ("A", "B"),
    tasks: Sequence[tuple[str, str]] | None = None,
) -> None:
    """Write a tiny split: ``cells`` = (task_id, dimension, model, score, cost) rows."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "models.json").write_text(
        json.dumps(
            {"models": [{"model": m, "input_per_1m": 1.0, "output_per_1m": 2.0} for m in models]}
        )
    )
    if tasks is None:
        tasks = list(dict.fromkeys((c[0], c[1]) for c in cells))
    with open(root / f"{split}_tasks.jsonl", "w") as fh:
        for task_id, dim in tasks:
            row = {"task_id": task_id, "split": split, "source_split": "val", "dimension": dim}
            fh.write(json.dumps(row) + "\n")
    with open(root / f"{split}_results_long.csv", "w") as fh:
        fh.write(RESULT_HEADER + "\n")
        for task_id, dim, model, score, cost in cells:
            fh.write(
                f"{task_id},{split},val,{dim},{model},{score},{cost},1,1,2,5,token_log_pricing\n"
            )
