"""Routing policies. ``make_policy`` builds the product policy (ACRouter)."""

from .acrouter import ACRouterPolicy, task_features, task_path
from .params import DEFAULT_PARAMS, PolicyParams
from .priors import fit_priors, make_policy

__all__ = [
    "DEFAULT_PARAMS",
    "ACRouterPolicy",
    "PolicyParams",
    "fit_priors",
    "make_policy",
    "task_features",
    "task_path",
]
