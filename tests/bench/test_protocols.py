"""Hand-computed regret on a 3-task x 2-model stream; verifier noise; lodo."""

from __future__ import annotations

from pathlib import Path

import pytest
from acrouter.bench.metrics import regret_curve
from acrouter.bench.protocols import run_router
from acrouter.bench.replay import flip_draw
from acrouter.coderouterbench import Dataset, load_dataset

from .conftest import write_split

# task: (A score, A cost, B score, B cost)
#   t1: A 1.0/0.5  B 0.0/0.1   rewards A 0.95, B -0.01 -> r* 0.95
#   t2: A 0.5/1.0  B 1.0/2.0   rewards A 0.40, B  0.80 -> r* 0.80
#   t3: A 0.0/0.2  B 0.25/0.3  rewards A -0.02, B 0.22 -> r* 0.22
STREAM = [
    ("dim1_syn_1", "code_generation", "A", 1, 0.5),
    ("dim1_syn_1", "code_generation", "B", 0, 0.1),
    ("dim1_syn_2", "code_generation", "A", 0.5, 1.0),
    ("dim1_syn_2", "code_generation", "B", 1, 2.0),
    ("dim1_syn_3", "code_generation", "A", 0, 0.2),
    ("dim1_syn_3", "code_generation", "B", 0.25, 0.3),
]
PRIOR = [  # A is the better model on this source in the prior
    ("dim1_syn_p1", "code_generation", "A", 1, 0.0),
    ("dim1_syn_p1", "code_generation", "B", 0, 0.0),
]


@pytest.fixture()
def synthetic(tmp_path: Path) -> tuple[Dataset, Dataset]:
    write_split(tmp_path, "stream", STREAM)
    write_split(tmp_path, "prior", PRIOR)
    return load_dataset(tmp_path, "prior"), load_dataset(tmp_path, "stream")


def test_always_a_single_hand_computed(synthetic: tuple[Dataset, Dataset]) -> None:
    prior, stream = synthetic
    run = run_router("always:A", prior, stream, protocol="single")
    assert regret_curve(run.records) == pytest.approx([0.0, 0.4, 0.64])
    s = run.summary
    assert (s.n, s.calls_per_task) == (3, 1.0)
    assert s.avg_perf == pytest.approx(50.0)
    assert s.cum_reg == pytest.approx(0.64)
    assert s.total_usd == pytest.approx(1.7)
    assert s.perf_per_dollar == pytest.approx(50.0 / 1.7)


def test_oracle_and_hindsight_hand_computed(synthetic: tuple[Dataset, Dataset]) -> None:
    prior, stream = synthetic
    oracle = run_router("oracle", prior, stream, protocol="single")
    assert [r.final_model for r in oracle.records] == ["A", "B", "B"]
    assert oracle.summary.cum_reg == pytest.approx(0.0)
    assert oracle.summary.avg_perf == pytest.approx(100 * 2.25 / 3)
    # best single model in hindsight: total reward A 1.33, B 1.01 -> A
    assert [
        r.final_model
        for r in run_router("hindsight-model", prior, stream, protocol="single").records
    ] == ["A"] * 3


def test_cascade_escalate_hand_computed(synthetic: tuple[Dataset, Dataset]) -> None:
    """A then B; stop at the first pass; no pass -> the best-verified attempt is final.

    t1: A passes: reward 0.95, regret 0.  t2: A fails, B passes: reward 1 - 0.1 x 3.0 = 0.7,
    regret 0.1.  t3: both fail, B scored higher: reward 0.25 - 0.1 x 0.5 = 0.2, regret 0.02.
    """
    prior, stream = synthetic
    run = run_router("cascade2", prior, stream, protocol="escalate")
    assert [[m for m, _ in r.calls] for r in run.records] == [["A"], ["A", "B"], ["A", "B"]]
    assert [r.final_model for r in run.records] == ["A", "B", "B"]
    assert [r.accepted for r in run.records] == ["A", "B", "A"]  # the router cannot see scores
    assert regret_curve(run.records) == pytest.approx([0.0, 0.1, 0.12])
    s = run.summary
    assert s.avg_perf == pytest.approx(75.0)
    assert s.total_usd == pytest.approx(4.0)
    assert s.calls_per_task == pytest.approx(5 / 3)


def test_verifier_noise_is_seeded_per_cell(synthetic: tuple[Dataset, Dataset]) -> None:
    prior, stream = synthetic
    run = run_router("cascade2", prior, stream, protocol="escalate", noise=1.0)
    # every verdict flipped: A "passes" t2 (score 0.5) and t3 (score 0) -> accepted as final
    assert [[v for _, v in r.calls] for r in run.records] == [["fail", "pass"], ["pass"], ["pass"]]
    assert [r.final_model for r in run.records] == ["B", "A", "A"]
    assert [r.score for r in run.records] == [0.0, 0.5, 0.0]
    draws = [flip_draw(3, f"t{i}", "A") for i in range(2000)]
    assert draws == [flip_draw(3, f"t{i}", "A") for i in range(2000)]
    assert draws != [flip_draw(4, f"t{i}", "A") for i in range(2000)]
    assert 0.27 < sum(d < 0.3 for d in draws) / len(draws) < 0.33


def test_noise_changes_escalate_outcomes_reproducibly(train: Dataset, val: Dataset) -> None:
    keep = {t.task_id for t in val.tasks[:400]}
    stream = val.where(lambda t: t.task_id in keep)
    a = run_router("cascade3", train, stream, protocol="escalate", noise=0.2, seed=1)
    b = run_router("cascade3", train, stream, protocol="escalate", noise=0.2, seed=1)
    clean = run_router("cascade3", train, stream, protocol="escalate")
    assert a.records == b.records
    assert a.summary.cum_reg > clean.summary.cum_reg  # imperfect tests cost regret
    flips = sum(
        (v == "pass") != (stream.scores[r.task_id][stream.models.index(m)] >= 1)
        for r in a.records
        for m, v in r.calls
    )
    calls = sum(len(r.calls) for r in a.records)
    assert 0.1 < flips / calls < 0.3


def test_lodo_holds_each_dimension_out(probing: Dataset) -> None:
    counts: dict[str, int] = {}

    def first_30(t: object) -> bool:
        d = t.dimension  # type: ignore[attr-defined]
        counts[d] = counts.get(d, 0) + 1
        return counts[d] <= 30

    data = probing.where(first_30)
    run = run_router("dimension-best", data, data, protocol="lodo")
    dims = [d for d, _, _ in run.groups]
    assert len(dims) == 9 and run.summary.n == 270
    assert [s.n for _, s in run.group_summaries] == [30] * 9
    for dim, start, end in run.groups:
        for rec in run.records[start:end]:
            assert rec.reasons[0].startswith(f"no prior for {dim}")  # held out of the prior
    total = sum(s.cum_reg for _, s in run.group_summaries)
    assert run.summary.cum_reg == pytest.approx(total)
