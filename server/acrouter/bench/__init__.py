"""CodeRouterBench replay: run routers through the production Orchestrator and score them.

See ``docs/benchmark-protocol.md``. Entry point: ``acrouter bench`` (:mod:`acrouter.bench.cli`).

Modules: :mod:`.replay` (the stream through the Orchestrator, the replayed gateway and
verifier), :mod:`.protocols` (single, escalate, lodo), :mod:`.routers` (the reference
routers) and :mod:`.bandits` (the contextual-bandit baselines), :mod:`.registry` (every
router by name), :mod:`.metrics` (per-task accounting, the summary metrics),
:mod:`.tables` (the run's tables as data), :mod:`.report` (the files a run writes) and
:mod:`.chart` (its regret chart).
"""

#: The replay protocols (docs/benchmark-protocol.md, "Protocols").
PROTOCOLS = ("single", "escalate", "lodo")
