"""The CodeRouterBench loader: bundled data, OOD layout, gz/plain, and every schema error."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pytest
from acrouter.coderouterbench import Dataset, load_dataset, source_of, to_task
from acrouter.domain import BENCHMARK_MODELS, DIMENSIONS
from acrouter.errors import DatasetError

from .conftest import FIXTURES, RESULT_HEADER, write_split


def test_bundled_probing_split_is_complete_and_in_file_order(probing: Dataset) -> None:
    assert probing.models == BENCHMARK_MODELS
    assert len(probing.tasks) == 7080 and probing.skipped == 0
    assert [t.line for t in probing.tasks[:3]] == [1, 2, 3]
    first = probing.tasks[0]
    assert first.task_id == "dim1_humaneval_HumanEval_51"
    assert (first.dimension, first.source_split, first.source) == (
        "code_generation",
        "val",
        "dim1_humaneval",
    )
    assert probing.scores[first.task_id][:2] == (0.0, 1.0)  # opus 0, sonnet 1 (first csv rows)
    assert probing.costs[first.task_id][0] == pytest.approx(0.001555)
    assert probing.extras[first.task_id] == ({},) * 8
    assert probing.prices["claude-opus-4-6"] == (5.0, 25.0)
    assert {t.dimension for t in probing.tasks} == set(DIMENSIONS)
    split_sizes = {s: sum(t.source_split == s for t in probing.tasks) for s in ("train", "val")}
    assert split_sizes == {"train": 6067, "val": 1013}


def test_where_keeps_models_and_subsets_everything(probing: Dataset) -> None:
    sub = probing.where(lambda t: t.dimension == "bug_fixing")
    assert len(sub.tasks) == 781 and sub.models == probing.models
    assert set(sub.scores) == set(sub.costs) == set(sub.extras) == {t.task_id for t in sub.tasks}


def test_ood_layout_extras_prompt_and_task(ood: Dataset) -> None:
    assert len(ood.tasks) == 12
    t = ood.tasks[0]
    assert t.source == "old112" and t.dimension == "bug_fixing"
    extra = ood.extras[t.task_id][0]
    assert extra["apply_ok"] == 1 and extra["resolved"] == 0 and extra["calls"] == 17
    assert extra["source_status"] is None and extra["bench"] == "old112"
    task = to_task(t)
    assert task.kind == "bug_fixing" and task.language == "python"
    assert task.text.startswith("TimeSeries: misleading exception")
    assert task.meta["source"] == "old112" and task.meta["difficulty"] == "hard"
    assert "prompt" not in task.meta


def test_source_of() -> None:
    assert source_of("dim1_bcb_BigCodeBench/767") == "dim1_bcb"
    assert source_of("dim7_hex_cpp_12") == "dim7_hex"
    assert source_of("old112::astropy__astropy-13033") == "old112"


def test_gzipped_files_load_like_plain_ones(tmp_path: Path, ood: Dataset) -> None:
    for name in ("ood_sample_results_long.csv", "ood_sample_tasks.jsonl", "models.json"):
        with open(FIXTURES / name, "rb") as src, gzip.open(tmp_path / (name + ".gz"), "wb") as dst:
            shutil.copyfileobj(src, dst)
    gz = load_dataset(tmp_path, "ood_sample")
    assert gz.tasks == ood.tasks and gz.scores == ood.scores and gz.costs == ood.costs
    assert gz.extras == ood.extras


GOOD = [
    ("dim1_x_1", "code_generation", "A", 1, 0.5),
    ("dim1_x_1", "code_generation", "B", 0, 0.1),
]


def _error(tmp_path: Path) -> str:
    with pytest.raises(DatasetError) as info:
        load_dataset(tmp_path, "s")
    return str(info.value)


def test_missing_file_is_named(tmp_path: Path) -> None:
    write_split(tmp_path, "s", GOOD)
    (tmp_path / "s_results_long.csv").unlink()
    msg = _error(tmp_path)
    assert "s_results_long.csv" in msg and "not found" in msg


def test_missing_column_names_file_line_and_column(tmp_path: Path) -> None:
    write_split(tmp_path, "s", GOOD)
    path = tmp_path / "s_results_long.csv"
    text = path.read_text().replace(",cost_usd,", ",price,", 1)
    path.write_text(text)
    msg = _error(tmp_path)
    assert "s_results_long.csv:1" in msg and "'cost_usd'" in msg and "missing" in msg


def test_unknown_model_names_file_line_and_column(tmp_path: Path) -> None:
    write_split(tmp_path, "s", [*GOOD, ("dim1_x_2", "code_generation", "C", 1, 0.1)])
    msg = _error(tmp_path)
    assert "s_results_long.csv:4" in msg and "'model'" in msg and "'C'" in msg


@pytest.mark.parametrize(
    ("score", "cost", "column", "what"),
    [
        ("nan", 0.1, "score", "not a finite number"),
        (1, "NaN", "cost_usd", "not a finite number"),
        ("high", 0.1, "score", "not a number"),
        ("", 0.1, "score", "not a number"),
        (1.5, 0.1, "score", "not in [0, 1]"),
        (1, -0.2, "cost_usd", "negative"),
    ],
)
def test_bad_values_name_file_line_and_column(
    tmp_path: Path, score: object, cost: object, column: str, what: str
) -> None:
    write_split(tmp_path, "s", [GOOD[0], ("dim1_x_1", "code_generation", "B", score, cost)])
    msg = _error(tmp_path)
    assert "s_results_long.csv:3" in msg and f"'{column}'" in msg and what in msg


def test_duplicate_cell_and_unknown_task_are_fatal(tmp_path: Path) -> None:
    write_split(tmp_path / "dup", "s", [*GOOD, GOOD[1]])
    msg = _error(tmp_path / "dup")
    assert "s_results_long.csv:4" in msg and "listed twice" in msg
    write_split(
        tmp_path / "orphan",
        "s",
        [*GOOD, ("dim1_x_9", "code_generation", "A", 1, 0.1)],
        tasks=[("dim1_x_1", "code_generation")],
    )
    msg = _error(tmp_path / "orphan")
    assert "s_results_long.csv:4" in msg and "'task_id'" in msg and "s_tasks.jsonl" in msg


def test_bad_task_line_names_file_line_and_column(tmp_path: Path) -> None:
    write_split(tmp_path, "s", GOOD)
    with open(tmp_path / "s_tasks.jsonl", "a") as fh:
        fh.write('{"task_id": "dim1_x_2"}\n')
    msg = _error(tmp_path)
    assert "s_tasks.jsonl:2" in msg and "'dimension'" in msg


def test_dimension_mismatch_is_fatal(tmp_path: Path) -> None:
    write_split(tmp_path, "s", GOOD)
    path = tmp_path / "s_results_long.csv"
    path.write_text(path.read_text().replace("val,code_generation,B", "val,bug_fixing,B"))
    msg = _error(tmp_path)
    assert "s_results_long.csv:3" in msg and "'dimension'" in msg


def test_incomplete_tasks_are_skipped_and_counted(tmp_path: Path) -> None:
    cells = [
        *GOOD,
        ("dim1_x_2", "code_generation", "A", 1, 0.1),  # B missing
        ("dim1_x_4", "bug_fixing", "A", 0.5, 0.2),
        ("dim1_x_4", "bug_fixing", "B", 0.25, 0.3),
    ]
    tasks = [
        ("dim1_x_1", "code_generation"),
        ("dim1_x_2", "code_generation"),
        ("dim1_x_3", "code_generation"),
        ("dim1_x_4", "bug_fixing"),
    ]  # x_3: no rows at all
    write_split(tmp_path, "s", cells, tasks=tasks)
    data = load_dataset(tmp_path, "s")
    assert data.skipped == 2
    assert [t.task_id for t in data.tasks] == ["dim1_x_1", "dim1_x_4"]
    assert [t.line for t in data.tasks] == [1, 4]
    assert data.scores["dim1_x_4"] == (0.5, 0.25) and data.costs["dim1_x_4"] == (0.2, 0.3)


def test_header_only_and_empty_results(tmp_path: Path) -> None:
    write_split(tmp_path, "s", GOOD)
    (tmp_path / "s_results_long.csv").write_text(RESULT_HEADER + "\n")
    data = load_dataset(tmp_path, "s")
    assert data.tasks == () and data.skipped == 1
    (tmp_path / "s_results_long.csv").write_text("")
    assert "empty file" in _error(tmp_path)
