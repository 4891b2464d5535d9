"""Routing policies. ``make_policy`` builds the product policy (ACRouter).

Modules, by what they decide or know:

- ``acrouter``: the policy (configuration, the first call, learning from outcomes);
- ``estimator``: what it knows per model on a task: priors, the team's and the user's
  outcomes, and how far the priors hold in the task's domain (``calibration``);
- ``stats`` (the store of cells and the walk down a task's groups) and ``shrinkage``
  (the arithmetic of one estimate); ``features``: a task's groups and text features;
  ``retrieval``: corrections from similar past requests; ``joint``: the benchmark's
  joint outcomes, for pass rates after a failure;
- ``escalation``: which model next in the verify-and-escalate loop and when to stop,
  with ``reservation`` (Weitzman's reservation value);
- ``why``: the evidence behind each estimate, in words;
- ``priors``: fitting it all from CodeRouterBench; ``params``: its hyper-parameters.
"""

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
