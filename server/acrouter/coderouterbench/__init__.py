"""CodeRouterBench data: the task-by-model outcome matrices that the policy's priors
are fitted on and that the offline bench (:mod:`acrouter.bench`) replays.

A neutral module: the policy, the composition root and the bench all import it; it
imports only the domain.
"""

from .dataset import BenchTask, Dataset, source_of, to_task
from .loader import bundled_root, load_bundled, load_dataset

__all__ = [
    "BenchTask",
    "Dataset",
    "bundled_root",
    "load_bundled",
    "load_dataset",
    "source_of",
    "to_task",
]
