"""Every figure of the protocol doc's reference table, reproduced through the Orchestrator.

Fit on the probing split's train part, evaluate on its val part (AvgPerf% / CumReg /
$Total at the printed precision); the OOD sample figures use the bundled probing priors.
"""

from __future__ import annotations

import pytest
from acrouter.bench.metrics import Summary
from acrouter.bench.protocols import run_router
from acrouter.coderouterbench import Dataset


def printed(s: Summary) -> tuple[str, str, str]:
    return f"{s.avg_perf:.2f}", f"{s.cum_reg:.1f}", f"{s.total_usd:.2f}"


ID_SINGLE = [
    ("oracle", "59.10 / 0.0 / 2.37"),
    ("always:claude-opus-4-6", "43.65 / 157.5 / 12.16"),
    ("always:gpt-5.4", "39.75 / 196.3 / 5.97"),
    ("always:kimi-k2.5", "36.63 / 227.4 / 1.05"),
    ("always:MiniMax-M2.7", "33.73 / 256.9 / 2.01"),
    ("dimension-best", "51.22 / 80.1 / 5.63"),
    ("paper-id", "47.92 / 113.9 / 8.86"),
    ("hindsight-source", "52.48 / 67.4 / 6.13"),
]


@pytest.mark.parametrize(("router", "expected"), ID_SINGLE)
def test_id_single_reference_row(router: str, expected: str, train: Dataset, val: Dataset) -> None:
    run = run_router(router, train, val, protocol="single")
    assert run.summary.n == 1013
    assert " / ".join(printed(run.summary)) == expected
    assert run.summary.calls_per_task == 1.0


@pytest.mark.parametrize(
    ("router", "expected", "max_calls"),
    [("cascade2", "55.98 / 32.3 / 9.81", 2), ("cascade3", "57.30 / 19.1 / 11.50", 3)],
)
def test_id_escalate_cascade_reference_rows(
    router: str, expected: str, max_calls: int, train: Dataset, val: Dataset
) -> None:
    run = run_router(router, train, val, protocol="escalate")
    assert " / ".join(printed(run.summary)) == expected
    assert max(len(r.calls) for r in run.records) == max_calls
    for r in run.records:  # stop at the first pass, which is then the final
        verdicts = [v for _, v in r.calls]
        assert "pass" not in verdicts[:-1]
        if verdicts[-1] == "pass":
            assert r.final_model == r.calls[-1][0] and r.score == 1.0


def test_single_protocol_one_call_and_oracle_zero_regret(train: Dataset, val: Dataset) -> None:
    run = run_router("oracle", train, val, protocol="escalate")
    assert " / ".join(printed(run.summary)) == "59.10 / 0.0 / 2.37"
    assert all(len(r.calls) == 1 for r in run.records)


@pytest.mark.parametrize(
    ("router", "expected", "calls"),
    [
        ("oracle", "66.67 / 0.0 / 2.91", 1.0),
        ("always:gpt-5.4", "58.33 / 0.9 / 2.01", 1.0),
        ("paper-ood-cascade", "66.67 / 1.2 / 15.17", 3.0),
    ],
)
def test_ood_sample_reference_figures(
    router: str, expected: str, calls: float, probing: Dataset, ood: Dataset
) -> None:
    run = run_router(router, probing, ood, protocol="escalate")
    assert run.summary.n == 12
    assert " / ".join(printed(run.summary)) == expected
    assert f"{run.summary.calls_per_task:.1f}" == f"{calls:.1f}"


def test_ood_cascade_rescue_uses_only_its_own_apply_flags(probing: Dataset, ood: Dataset) -> None:
    run = run_router("paper-ood-cascade", probing, ood, protocol="escalate")
    order = ["MiniMax-M2.7", "kimi-k2.5", "gpt-5.4", "glm-5"]
    pos = {m: i for i, m in enumerate(ood.models)}
    for rec in run.records:
        models = [m for m, _ in rec.calls]
        assert models[: min(len(models), 4)] == order[: min(len(models), 4)]
        if "claude-opus-4-6" in models:
            extras = ood.extras[rec.task_id]
            applied = sum(extras[pos[m]]["apply_ok"] == 1 for m in order)
            assert len(models) == 5 and applied >= 2
            assert all(v == "fail" for _, v in rec.calls[:4])
