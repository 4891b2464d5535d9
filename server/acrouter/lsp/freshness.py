"""Whether the files of an edit still hold what it was made from: the digest of each
file's base (sent with the result, compared by the client right before applying) and the
server's own check before it applies an edit (``routeAndComplete`` with ``apply``).  A
file saved between the model's reply and the apply is never overwritten.  And whether the
rest of the workspace is still the one the tests ran on (``changedSince``'s reply: the
client asks before it applies a verified edit and warns when it is not)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection, Mapping, Sequence
from pathlib import Path
from typing import Any

from ..context import editor_uri, uri_to_path
from ..domain import Document, WorkspaceChange
from ..verifier.fingerprint import CHANGED, CREATED, DELETED

#: The base digest of a file that did not exist when the edit was made.
ABSENT = "absent"


def base_digest(text: str | None) -> str:
    """What a file held when an edit was made from it, in the form the client compares
    with the file's text right before applying the edit: ``sha256:`` and the SHA-256 of
    the UTF-8 text with line breaks as ``\\n`` and without a byte order mark (as the
    editor and the parser may each read them differently); ``ABSENT`` for no file."""
    if text is None:
        return ABSENT
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def changed_since(
    bases: Mapping[str, str],
    text_of: Callable[[str], str | None],
    doc: Document | None = None,
    version_now: int | None = None,
    is_open: Callable[[str], bool] = lambda uri: False,
    unsaved: Collection[str] = (),
) -> str | None:
    """The first file that no longer holds what the edit was made from, in words; None
    when every file still does.  ``text_of(uri)``: the file's text now (the open
    document's, else the file on disk), None when it does not exist; ``is_open(uri)``:
    whether the editor has it open now; ``unsaved``: the URIs whose edit was made from
    the editor's unsaved buffer.  The requested ``doc`` is checked too (a file that was
    not open has no version to pin the edit to).  When it was open and its version is
    no longer the one read (``version_now``: the open document's version now, None when
    it is no longer open), its text now must still be the one read: a document closed
    after it was saved, or closed and opened again (editors number a reopened
    document's versions from the start), still holds it, and the edit is then pinned to
    the document as it is now (:func:`repin`); a buffer closed unsaved, or edited, does
    not."""
    if doc is not None and doc.version is not None and version_now != doc.version:
        name = Path(doc.path).name
        try:
            now = text_of(doc.uri)
        except (OSError, UnicodeDecodeError):
            return f"{name} can no longer be read"
        if base_digest(now) != base_digest(doc.text):
            if version_now is not None:  # typed in, or closed and opened with other text
                return f"{name} was edited since the request was made"
            if now is None:
                return f"{name} was {DELETED} since the edit was made"
            # in the words of the client's own check (edits.ts changedOnDisk)
            return (
                f"{name} was closed after the request was sent, and the file on disk does not "
                "hold the text the edit was made from"
            )
    for uri, digest in bases.items():
        name = uri_to_path(uri).name
        try:
            text = text_of(uri)
        except (OSError, UnicodeDecodeError):
            return f"{name} can no longer be read"
        if base_digest(text) == digest:
            continue
        # the words of changedSince's list and of the client's own check (edits.ts)
        if digest == ABSENT:
            return f"{name} was {CREATED} since the edit was made"
        if text is None:
            return f"{name} was {DELETED} since the edit was made"
        if is_open(uri):  # what the user typed there is never overwritten
            since = "its unsaved buffer" if uri in unsaved else "the saved file"
            return (
                f"{name} was edited in the editor since the edit was made from {since} "
                "(its unsaved changes are kept)"
            )
        if uri in unsaved:
            return (
                f"{name} was closed since the edit was made from its unsaved buffer, "
                "and the file on disk does not hold that text"
            )
        return f"{name} {CHANGED} since the edit was made"
    return None


def repin(edit: dict[str, Any], uri: str, version: int | None) -> dict[str, Any]:
    """The WorkspaceEdit with the changes of ``uri`` pinned to ``version`` (None: the
    document is not open), for a requested document that still holds the text the edit
    was made from but no longer at the version read (see :func:`changed_since`)."""
    changes = [
        {**c, "textDocument": {"uri": uri, "version": version}}
        if c.get("textDocument", {}).get("uri") == uri
        else c
        for c in edit.get("documentChanges", [])
    ]
    return {**edit, "documentChanges": changes}


def workspace_changes_json(
    changes: Sequence[WorkspaceChange] | None, root: Path | None
) -> dict[str, Any]:
    """``changedSince``'s reply: ``known`` False when the server does not know what the
    request's tests ran on (not verified, or not since it started: the client then says
    it cannot tell), else each file changed since, by workspace-relative ``path`` and
    ``uri`` (as the edit names a file), and ``how``."""
    if changes is None or root is None:
        return {"known": False, "changes": []}
    return {
        "known": True,
        "changes": [
            {"path": c.path, "uri": editor_uri(root, c.path), "how": c.how} for c in changes
        ],
    }
