"""CodeRouterBench replay: run routers through the production Orchestrator and score them.

See ``docs/benchmark-protocol.md``. Entry point: ``acrouter bench`` (:mod:`acrouter.bench.cli`).
"""

#: The replay protocols (docs/benchmark-protocol.md, "Protocols").
PROTOCOLS = ("single", "escalate", "lodo")
