"""Settings the client does not push: after a ``workspace/didChangeConfiguration``
without settings (``settings: null``, what pull-model clients send) the server asks for
the "acrouter" section with ``workspace/configuration``, as the LSP says; a client that
cannot be asked, or has none to give, leaves the settings as they were (never the
defaults, which have no model)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from lsprotocol import types
from pygls.lsp.server import LanguageServer

log = logging.getLogger(__name__)


async def pull_settings(ls: LanguageServer, apply: Callable[[Any], None]) -> None:
    """Ask the client of ``ls`` for the settings and ``apply`` them."""
    workspace = ls.client_capabilities.workspace
    if workspace is None or not workspace.configuration:
        log.info("settings changed, but the client cannot be asked for them: kept as they were")
        return
    try:
        items = await ls.workspace_configuration_async(
            types.ConfigurationParams(items=[types.ConfigurationItem(section="acrouter")])
        )
    except Exception as exc:  # noqa: BLE001 -- any failure keeps the settings
        log.warning("could not ask the client for the settings (%s): kept as they were", exc)
        return
    if not items or items[0] is None:
        log.info("the client has no acrouter settings to give: kept as they were")
        return
    apply(items[0])
