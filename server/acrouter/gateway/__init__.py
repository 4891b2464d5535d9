"""Calling models: ``LiteLLMGateway`` (real providers through litellm) and ``FakeGateway``.

Modules, in the order a call uses them:

- ``loader``: the only module that imports litellm, lazily, with
  ``LITELLM_LOCAL_MODEL_COST_MAP=True``; warm-up and keeping litellm off stdout
- ``call``: ``LiteLLMGateway``, one bounded, cancellable call with one retry on a 429
- ``failures``: every failure becomes a kind and a one-line detail; which kinds are the
  set-up's fault (never the model's)
- ``reply``: the reply's text, token usage and cost (gateway bill, prices, price map)
- ``fake``: ``FakeGateway``, canned replies for tests of the other stages
"""

from .call import LiteLLMGateway
from .failures import retry_after_seconds
from .fake import FakeGateway
from .loader import LITELLM_ENV_DEFAULTS, NO_KEY
from .reply import GATEWAY_COST_HEADER, configured_cost, gateway_cost

__all__ = [
    "GATEWAY_COST_HEADER",
    "LITELLM_ENV_DEFAULTS",
    "NO_KEY",
    "FakeGateway",
    "LiteLLMGateway",
    "configured_cost",
    "gateway_cost",
    "retry_after_seconds",
]
