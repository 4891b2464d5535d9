"""Every replay router by name: ``make_router(name, ...)``, the names in report order,
and which of them read the stream's ground truth (see :mod:`.routers`)."""

from __future__ import annotations

from collections.abc import Sequence

from acrouter.coderouterbench import Dataset
from acrouter.domain import ModelSpec, Policy

from . import bandits
from .routers import (
    AlwaysRouter,
    CascadeRouter,
    DimensionBestRouter,
    HindsightModelRouter,
    HindsightSourceRouter,
    OracleRouter,
    PaperIdRouter,
    PaperOodCascadeRouter,
    RandomRouter,
)

ESCALATION_ROUTERS = ("cascade2", "cascade3", "paper-ood-cascade")
TRUTH_ROUTERS = ("oracle", "hindsight-source", "hindsight-model")


def router_names(models: Sequence[str], *, with_acrouter: bool = True) -> list[str]:
    """Every router name, in report order."""
    names = ["oracle", "hindsight-source", "hindsight-model"]
    if with_acrouter:
        names.append("acrouter")
    names += ["random", *(f"always:{m}" for m in models), "dimension-best", "paper-id"]
    names += ["linucb", "lints", "knn", *ESCALATION_ROUTERS]
    return names


def default_routers(protocol: str, models: Sequence[str]) -> list[str]:
    """All routers; the escalation-only ones only for ``escalate``."""
    names = router_names(models, with_acrouter=acrouter_available())
    if protocol != "escalate":
        names = [n for n in names if n not in ESCALATION_ROUTERS]
    return names


def acrouter_available() -> bool:
    try:
        from acrouter.policy import make_policy  # noqa: F401
    except ImportError:
        return False
    return True


def uses_truth(name: str) -> bool:
    return name in TRUTH_ROUTERS


def make_router(
    name: str,
    prior: Dataset,
    models: Sequence[ModelSpec],
    seed: int,
    cost_weight: float = 0.1,
    truth: Dataset | None = None,
) -> Policy:
    """Build router ``name``.  Only the truth-based bounds receive ``truth`` (the stream)."""
    names = [m.name for m in models]
    if name in TRUTH_ROUTERS:
        if truth is None:
            raise ValueError(f"router {name!r} needs the stream's ground truth")
        if name == "oracle":
            return OracleRouter(truth, cost_weight)
        if name == "hindsight-source":
            return HindsightSourceRouter(truth, cost_weight)
        return HindsightModelRouter(truth, cost_weight)
    if name.startswith("always:"):
        model = name.split(":", 1)[1]
        if model not in names:
            raise ValueError(f"unknown model in {name!r}; models: {', '.join(names)}")
        return AlwaysRouter(model)
    if name == "acrouter":
        from acrouter.policy import make_policy

        return make_policy(prior, models, cost_weight=cost_weight, seed=seed)
    if name == "random":
        return RandomRouter(seed)
    if name == "dimension-best":
        return DimensionBestRouter(prior, cost_weight)
    if name == "paper-id":
        return PaperIdRouter(prior)
    if name in ("cascade2", "cascade3"):
        return CascadeRouter(prior, cost_weight, int(name[-1]))
    if name == "paper-ood-cascade":
        return PaperOodCascadeRouter()
    if name in ("linucb", "lints", "knn"):
        if name == "knn":
            return bandits.KnnRouter(prior, cost_weight)
        if name == "linucb":
            return bandits.LinUcbRouter(prior, cost_weight, alpha=1.0)
        return bandits.LinTsRouter(prior, cost_weight, v=0.35, seed=seed)
    raise ValueError(f"unknown router {name!r}; known: {', '.join(router_names(names))}")
