"""The two commands the client sends when the user applies a verified edit, maybe
minutes after its tests ran: ``changedSince`` (which files of the workspace changed
since) and ``verifyAgain`` (the tests run again on the same edit, on the workspace as it
is now; no model is called).  Both use the editor's unsaved buffers now in place of
their files; the work is ``recheck.TestedRequests``'."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from pygls.workspace import TextDocument

from ..app import EditorApp
from ..context import editor_folder
from .buffers import unsaved_buffers
from .failures import in_worker
from .freshness import workspace_changes_json
from .progress import Cancel

log = logging.getLogger(__name__)


def _buffers_now(
    app: EditorApp, documents: Iterable[TextDocument], request_id: str
) -> tuple[Path, dict[str, str]] | None:
    """The root a verified request's tests ran in and the editor's unsaved buffers
    there now (``documents``: the open ones; relative path -> text); None when the
    request is not known."""
    root = app.tested_root(request_id)
    if root is None:
        return None
    found = unsaved_buffers(documents, root, app.settings.max_file_kilobytes * 1024)
    return root, {rel: b.text for rel, b in found.items()}


async def changed_since(
    app: EditorApp,
    documents: Iterable[TextDocument],
    request_id: str,
    folders: Sequence[Path] = (),
) -> dict[str, Any]:
    """changedSince: the files of the workspace that changed since a verified request's
    tests ran on it (their URIs under the workspace ``folders`` as the editor names them)."""
    known = _buffers_now(app, documents, request_id)
    if known is None:
        return workspace_changes_json(None, None)
    root, buffers = known
    changes = await asyncio.to_thread(app.changed_since, request_id, buffers)
    return workspace_changes_json(changes, editor_folder(root, folders))


async def verify_again(
    app: EditorApp, documents: Iterable[TextDocument], cancel: Cancel, request_id: str
) -> dict[str, Any]:
    """verifyAgain: ``{known, verdict, detail, testsPassed, testsFailed}``; ``known``
    False when the server does not know the request (not verified, or not since it
    started).  A request that cannot be verified again (a file of the edit changed, the
    tests cannot run) is an error with the reason; ``cancel`` (the request's) stops the
    run."""
    known = _buffers_now(app, documents, request_id)
    if known is None:
        return {"known": False}
    _root, buffers = known
    verdict = await in_worker("verify again", cancel, app.verify_again, request_id, buffers, cancel)
    if verdict is None:  # forgotten meanwhile (more requests verified)
        return {"known": False}
    log.info("verified again %s: %s (%s)", request_id, verdict.verdict, verdict.detail)
    return {
        "known": True,
        "verdict": verdict.verdict,
        "detail": verdict.detail,
        "testsPassed": verdict.tests_passed,
        "testsFailed": verdict.tests_failed,
    }
