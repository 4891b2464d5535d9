"""The policy's explanations: where each model's estimate comes from, in words.

Every ranked candidate of a decision carries its expected score and cost and the
evidence behind them, with counts ("benchmark gpt-5.4 on bug fixing: n=120, mean score
0.71; observed on this workspace: 3 of 4 passed"), so the user sees why a model was
chosen.  The domain part ("costs here are 300x the benchmark's; priors weighted 0.1")
comes from :meth:`.calibration.DomainFit.describe`.
"""

from __future__ import annotations

from ..domain import Candidate
from ..explain import fmt_usd
from .estimator import TaskContext
from .shrinkage import Estimate
from .stats import group_label


def evidence(prior_model: str | None, name: str, est: Estimate, ctx: TaskContext) -> str:
    """Where model ``name``'s estimate comes from, with counts (cached per task)."""
    text = ctx.evidence.get(name)
    if text is not None:
        return text
    bits = []
    if prior_model is not None and est.n_prior > 0:
        bits.append(
            f"benchmark {prior_model} on {group_label(est.prior_group)}: "
            f"n={est.n_prior:.0f}, mean score {est.prior_score:.2f}"
        )
    elif prior_model is None:
        bits.append("no benchmark prior (neutral start)")
    if est.team_n > 0 and est.team_group is not None:
        bits.append(
            f"team on {est.team_group[1].replace('_', ' ')}: "
            f"{est.team_passes:.0f} of {est.team_n:.0f} passed"
        )
    if est.n_online > 0:
        bits.append(
            f"observed on {group_label(est.online_group)}: "
            f"{est.online_passes:.0f} of {est.n_online:.0f} passed"
        )
    c = ctx.corrections.get(name)
    if c is not None and c.n > 0:
        bits.append(f"{c.n} similar past request(s): {c.score:+.2f} vs expected")
    text = ctx.evidence[name] = "; ".join(bits)
    return text


def candidate(
    prior_model: str | None,
    name: str,
    est: Estimate,
    score: float,
    value: float,
    ctx: TaskContext,
    note: str = "",
) -> Candidate:
    """One ranked model of a decision: its expectations and the evidence behind them."""
    head = f"exp. score {score:.2f}, exp. cost {fmt_usd(est.cost, unknown='unknown')}; "
    tail = f"; {note}" if note else ""
    return Candidate(
        model=name,
        expected_score=score,
        expected_cost_usd=est.cost,
        expected_reward=value,
        evidence=head + evidence(prior_model, name, est, ctx) + tail,
        n_prior=est.n_prior,
        n_personal=round(est.n_online),
    )
