"""The ACRouter policy's hyper-parameters: one frozen object, passed to the policy.

Defaults were chosen on fit/holdout splits of the probing train part
(``benchmarks/policy_eval.py --split holdout|holdout1|holdout2``) and checked on val.
A variant is made with ``attrs.evolve(DEFAULT_PARAMS, name=value)`` (the evaluation
script's ``--set NAME=VALUE`` does exactly that); nothing is patched at module level.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import attrs


def _frozen_map(value: Mapping[str, float]) -> Mapping[str, float]:
    return MappingProxyType(dict(value))


@attrs.frozen
class PolicyParams:
    # ---- shrinkage of the hierarchical estimates (:mod:`.stats`)
    shrink: float = 8.0  # pseudo-count pulling a group toward its parent
    frontier_shrink: float = 8.0  # the same for the first group without any prior (a new kind)
    #: per level: the personal history of a workspace overrides priors fast
    level_shrink: Mapping[str, float] = attrs.field(
        factory=lambda: {"workspace": 1.0}, converter=_frozen_map
    )
    prior_cap: float = 400.0  # benchmark tasks per group count at most this much
    online_weight: float = 1.0  # one observed outcome = one benchmark task
    neutral_score: float = 0.5  # a model without any prior starts here
    neutral_pass: float = 0.3
    # ---- what a call in the escalation loop costs besides its money
    time_weight: float = 1.5  # score points per USD of a call (time ~ tokens ~ price)
    time_cap: float = 0.03  # ... at most this many score points per call (long agentic runs)
    call_penalty: float = 0.003  # score points per call, whatever its size
    # ---- escalation
    cond_shrink: float = 3.0  # pseudo-count of the conditional (joint) estimates
    risk_scale: float = 1.0  # weight of the future value a false pass forfeits
    soft_condition: bool = True  # weigh conditionals by the chance the fail verdicts were true
    min_q: float = 1e-4
    # ---- exploration
    explore: bool = True  # Thompson sampling where the posterior is wide
    #: ... also in the escalation loop.  Off: a failure there already calls the next
    #: model, so the loop explores by itself and sampling only adds (costly) calls
    explore_escalation: bool = False
    explore_concentration: float = 1.0  # samples from Beta(mean * n * c, (1 - mean) * n * c)
    explore_max_n: float = 20.0  # no exploration once the evidence exceeds this
    #: how the one-call choice explores: "thompson" (posterior samples), "gittins" (the
    #: Gittins index of the pass rate at discount ``explore_discount``, :mod:`.gittins`)
    #: or "ids" (information-directed sampling, :mod:`.ids`); the last two measured in
    #: docs/adaptation.md, not the default
    explore_index: str = attrs.field(
        default="thompson", validator=attrs.validators.in_(("thompson", "gittins", "ids"))
    )
    explore_discount: float = 0.98
    # ---- a new domain (:mod:`.calibration`): how fast the priors give way
    adapt_domains: bool = True  # learn a domain's cost scale, prior weight and after-fail lift
    #: one group above every domain the benchmark does not describe (a new source or
    #: kind): what one new domain taught is the next new domain's starting point
    novel_pool: bool = True
    #: the prior's weight in a domain, from a prior-data conflict check: "dispersion" (the
    #: prior's effective n divided by the Pearson dispersion of the outcomes around its
    #: predictions), "beta-binomial" (fitted by the marginal likelihood), or "off"
    domain_prior_weight: str = "dispersion"
    dispersion_shrink: float = 4.0  # pseudo-calls of the dispersion toward 1
    #: a discredited prior (weight w < 1) gives way, by 1 - w, to the domain's pooled means
    domain_pool: bool = True
    #: ... and the weight the prior lost on pass rates goes to the pooled pass rate (as many
    #: pseudo-calls as a beta-binomial fit of the models' spread around it allows)
    domain_pool_fit: bool = True
    #: ... and those pseudo-calls narrow the estimate too (the width of exploration
    #: samples): an untried model is as uncertain as the models' spread around the pool
    pool_sharpens: bool = True
    #: the pooled means per model from its price per token (:mod:`.price`): the prior sd
    #: of the slope of the logit on log price, centred on 0 (0: pooled flat)
    price_slope_sd: float = 1.0
    domain_fail_worth: bool = False  # learn what a failed attempt is worth in the domain
    domain_shift: bool = False  # fit a level shift shared by the models (logit) with the weight
    domain_cost_shrink: float = 0.25  # pseudo-calls of the shared cost scale toward 1 (log)
    domain_model_cost_k: float = 2.0  # pseudo-calls of a model's own cost toward the scaled prior
    after_fail_shrink: float = 3.0  # pseudo-passes of the after-failure lift toward 1
    # ---- verifier noise and retrieval
    noise_prior: tuple[float, float] = (0.1, 20.0)  # pseudo (flips, observations)
    retrieval_capacity: int = 2000


DEFAULT_PARAMS = PolicyParams()


def parse_override(params: PolicyParams, item: str) -> PolicyParams:
    """``NAME=VALUE`` (a Python literal) applied with :func:`attrs.evolve`.  For a text
    parameter the quotes may be left out (``domain_prior_weight=off``: the shell drops
    the quotes of ``domain_prior_weight="off"``)."""
    import ast

    key, sep, raw = item.partition("=")
    key = key.strip().lower()
    names = {f.name for f in attrs.fields(PolicyParams)}
    if not sep or key not in names:
        raise ValueError(f"unknown policy parameter {key!r}; known: {', '.join(sorted(names))}")
    text = raw.strip()
    is_text = isinstance(getattr(params, key), str)
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        if not is_text:
            raise ValueError(f"{key}: {text!r} is not a Python literal") from None
        value = text
    return attrs.evolve(params, **{key: value})
