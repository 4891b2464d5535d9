"""Tests that need the network: the sandbox has none (a new network namespace holds only
``lo``), so a test that fetches a URL or reaches a service elsewhere fails before any
edit and after it, whatever the edit does.  Such failures say nothing about a model
(``verdict``)."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from typing import Protocol

from .reports.common import ANSI

#: What a test's failure says when it needed the network, which the sandbox has not.
_NETWORK_ERRORS = re.compile(
    r"Temporary failure in name resolution|Name or service not known|"
    r"nodename nor servname|getaddrinfo failed|Network is unreachable|No route to host|"
    r"Connection refused|"
    # node's error codes, as node writes them (any case, ENOTFOUND matched the
    # "eNotFound" of FileNotFoundError: a missing file excused as the missing network)
    r"(?-i:\b(?:ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ENETUNREACH)\b)",
    re.IGNORECASE,
)


#: What a tool that installs before it runs (hatch, uv, pip under tox or nox) says when
#: it could not reach the package index (no errno names: ``ENOTFOUND`` would match
#: ``FileNotFoundError``).
_FETCH_ERRORS = re.compile(
    r"Temporary failure in name resolution|Name or service not known|nodename nor "
    r"servname|getaddrinfo failed|Network is unreachable|No route to host|dns error|"
    r"Failed to fetch|Could not fetch URL|Max retries exceeded|Failed to establish a new "
    r"connection|No matching distribution found|"
    # Maven and Gradle offline (the sandbox's runs are: .runners), for what the user's
    # ~/.m2 or Gradle cache lacks; Maven online, without the network
    r"in offline mode and the artifact|No cached version .* available for offline mode|"
    r"Could not transfer artifact",
    re.IGNORECASE,
)
#: how much of a line telling it needed the network a message quotes
_NETWORK_LINE_CHARS = 300


def network_line(output: str) -> str | None:
    """The first line of a run's ``output`` telling that it needed the network."""
    for raw in output.splitlines():
        line = ANSI.sub("", raw).strip()
        m = _FETCH_ERRORS.search(line)
        if m is None:
            continue
        if len(line) <= _NETWORK_LINE_CHARS:
            return line
        # Maven's one line: "Failed to execute goal … Cannot access central … in offline
        # mode and the artifact X has not been downloaded from it before" (X is the news)
        start = max(0, min(m.start() - 120, len(line) - _NETWORK_LINE_CHARS))
        return "…" + line[start : start + _NETWORK_LINE_CHARS]
    return None


def needed_network(code: int | None, line: str) -> str:
    """Why the tests cannot run: their command's own set-up (``line``) needed the network."""
    return (
        f"the test command needed the network before any test ran, and could not reach "
        f"it (exit code {code}): {line}; make the environment it installs before "
        "verifying, with the network (uv sync, hatch env create, poetry install, pdm "
        "install, a first tox or nox run, a first mvn or gradle build)"
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
