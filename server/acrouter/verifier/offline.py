"""Tests that need the network: the sandbox has none (a new network namespace holds only
``lo``), so a test that fetches a URL or reaches a service elsewhere fails before any
edit and after it, whatever the edit does.  Such failures say nothing about a model
(``verdict``)."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from typing import Protocol

#: What a test's failure says when it needed the network, which the sandbox has not.
_NETWORK_ERRORS = re.compile(
    r"Temporary failure in name resolution|Name or service not known|"
    r"nodename nor servname|getaddrinfo failed|Network is unreachable|No route to host|"
    r"Connection refused|ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ENETUNREACH",
    re.IGNORECASE,
)


class _Run(Protocol):
    @property
    def messages(self) -> Mapping[str, str]: ...


def offline(failing: Collection[str], before: _Run | None, after: _Run) -> bool:
    """Whether each failing test failed on a network error before the edit and after it."""
    if before is None or not failing:
        return False
    return all(
        _NETWORK_ERRORS.search(run.messages.get(t, "")) for t in failing for run in (before, after)
    )
