"""Reading a model's reply: its text, its token usage and what it cost.

The cost is, in this order: what a LiteLLM proxy billed (its ``x-litellm-response-cost``
header), the user's configured prices, litellm's bundled price map; None (unknown, never
invented) when none of them applies.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from types import ModuleType
from typing import Any

from acrouter.domain import ModelSpec

log = logging.getLogger(__name__)


def reply_text(response: Any) -> str | None:
    """The reply's message, or None when it holds none (no choices, or an empty one)."""
    choices = getattr(response, "choices", None)
    message = getattr(choices[0], "message", None) if choices else None
    text = getattr(message, "content", None)
    return text if isinstance(text, str) and text.strip() else None


#: finish reasons that say the reply was cut off before the model ended it, and why
_CUT_SHORT = {
    "length": "at the model's output limit",
    "max_tokens": "at the model's output limit",
    "content_filter": "by the provider's content filter",
}


def cut_short(response: Any) -> str | None:
    """Why the reply's text ends before the model ended it (its ``finish_reason`` is
    ``length`` or ``content_filter``: litellm maps Anthropic's ``max_tokens``, Gemini's
    ``MAX_TOKENS`` and the like to those), or None for a reply the model finished.  A cut
    reply may still parse: its last whole SEARCH/REPLACE block or diff hunk can end just
    before the cut, and what came after it (more blocks, other files) is lost."""
    choices = getattr(response, "choices", None)
    reason = getattr(choices[0], "finish_reason", None) if choices else None
    if not isinstance(reason, str):
        return None
    why = _CUT_SHORT.get(reason.strip().lower())
    return f"{why} (finish_reason: {reason})" if why else None


def usage_of(response: Any) -> tuple[int | None, int | None]:
    """The reply's (prompt, completion) token counts; None when the provider sent none."""
    usage = getattr(response, "usage", None)
    tokens_in = getattr(usage, "prompt_tokens", None)
    tokens_out = getattr(usage, "completion_tokens", None)
    tokens_in = tokens_in if isinstance(tokens_in, int) else None
    tokens_out = tokens_out if isinstance(tokens_out, int) else None
    if not tokens_in and not tokens_out:  # litellm reports 0/0 when the provider sent no usage
        tokens_in = tokens_out = None
    return tokens_in, tokens_out


def configured_cost(spec: ModelSpec, tokens_in: int | None, tokens_out: int | None) -> float | None:
    """Cost from the user's prices, or None when a price or a token count is unknown."""
    if spec.input_cost_per_1m is None or spec.output_cost_per_1m is None:
        return None
    if tokens_in is None or tokens_out is None:
        return None
    return (tokens_in * spec.input_cost_per_1m + tokens_out * spec.output_cost_per_1m) / 1_000_000


#: The response header in which a LiteLLM proxy states what it billed for the call (USD).
GATEWAY_COST_HEADER = "x-litellm-response-cost"


def gateway_cost(response: Any) -> float | None:
    """The cost a LiteLLM proxy billed for this reply, from its ``x-litellm-response-cost``
    header; None when the reply has no such header (a direct provider) or it is not a
    finite, non-negative number.  litellm keeps the raw response headers in
    ``response._response_headers`` and a prefixed copy (``llm_provider-<name>``) in
    ``response._hidden_params["additional_headers"]``."""
    raw = getattr(response, "_response_headers", None)
    hidden = getattr(response, "_hidden_params", None)
    extra = hidden.get("additional_headers") if isinstance(hidden, Mapping) else None
    for headers, name in (
        (raw, GATEWAY_COST_HEADER),
        (extra, f"llm_provider-{GATEWAY_COST_HEADER}"),
    ):
        items = getattr(headers, "items", None)
        if not callable(items):
            continue
        for key, value in items():
            if str(key).lower() == name:
                try:
                    cost = float(str(value).strip())
                except ValueError:
                    return None
                return cost if math.isfinite(cost) and cost >= 0 else None
    return None


def _price_map_cost(litellm: ModuleType, spec: ModelSpec, response: Any) -> float | None:
    try:
        cost = litellm.completion_cost(completion_response=response, model=spec.model)
    except Exception as exc:  # noqa: BLE001 - unknown model: the price is unknown, not zero
        log.debug("no litellm price for %s: %s", spec.model, type(exc).__name__)
        return None
    if not isinstance(cost, (int, float)) or not math.isfinite(cost) or cost < 0:
        return None
    return float(cost)


def reply_cost(
    litellm: ModuleType,
    spec: ModelSpec,
    response: Any,
    tokens_in: int | None,
    tokens_out: int | None,
) -> float | None:
    """What the call cost: the gateway's bill, else the configured prices, else litellm's
    price map (only when the token counts are known); None when unknown."""
    billed = gateway_cost(response)  # a team gateway's own bill comes first
    if billed is not None:
        return billed
    if spec.input_cost_per_1m is not None and spec.output_cost_per_1m is not None:
        return configured_cost(spec, tokens_in, tokens_out)
    if tokens_in is None or tokens_out is None:
        return None
    return _price_map_cost(litellm, spec, response)
