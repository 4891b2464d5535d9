"""The editor's unsaved buffers: every document open in the editor (pygls keeps them
from didOpen/didChange/didClose in ``server.workspace.text_documents``) inside the
request's workspace whose text differs from the file on disk.  A request is made,
tested (with and without the edit) and edited against the workspace as the editor shows
it: the files on disk with these texts in their place (``Task.buffers``).  Nothing is
written: the verifier puts them in its scratch copy or overlay only."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from pathlib import Path

import attrs
from pygls.workspace import TextDocument

from ..context import uri_to_path
from ..errors import RequestError, VerifyError
from .freshness import base_digest

log = logging.getLogger(__name__)


@attrs.frozen
class Buffer:
    """One unsaved buffer: where it is in the workspace and what the editor holds."""

    rel: str  # workspace-relative, "/"-separated
    uri: str  # as the client sent it (a WorkspaceEdit names the document so)
    version: int | None
    text: str


def unsaved_buffers(
    documents: Iterable[TextDocument],
    root: Path,
    max_bytes: int,
    left_out: dict[str, str] | None = None,
) -> dict[str, Buffer]:
    """The open ``documents`` inside ``root`` (resolved) whose text is not the file's on
    disk, by workspace-relative path.  Left out: documents that are no local file
    (``untitled:``, notebook cells, remote files), outside the workspace or where an edit
    could never be written (``.git/``, a virtualenv: ``resolve_edit_path``), whose file
    is not UTF-8 text, or larger than ``max_bytes``.  Equal to disk means equal as the
    edit's base digests compare (a byte order mark and line breaks aside).  ``left_out``,
    when given, gets the unsaved buffers of workspace files that are not used, with why
    (the tests then read the file on disk: the why says so)."""
    from ..verifier import resolve_edit_path  # the verifier loads with the first request

    left_out = left_out if left_out is not None else {}
    out: dict[str, Buffer] = {}
    for doc in documents:
        try:
            path = uri_to_path(doc.uri)
            rel = Path(os.path.realpath(path)).relative_to(root).as_posix()
            target = resolve_edit_path(root, rel)
        except (RequestError, ValueError, VerifyError):
            continue
        text = doc.source
        try:
            data = target.read_bytes() if target.exists() else None
        except OSError:
            continue
        if data is not None and _shows(data, text):
            continue  # what the editor shows is the file on disk
        if data is not None and not _utf8(data):  # the editor's text is not its bytes
            log.warning("%s: not UTF-8 on disk; the tests use the file on disk", rel)
            left_out[rel] = "the file on disk is not UTF-8 text"
            continue
        if len(text.encode("utf-8", errors="surrogatepass")) > max_bytes:
            log.warning("%s: the unsaved buffer is too large; the tests use the file on disk", rel)
            left_out[rel] = f"larger than maxFileKilobytes, {max_bytes // 1024} KB"
            continue
        out[rel] = Buffer(rel, doc.uri, doc.version, text)
    return dict(sorted(out.items()))


def _utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _shows(data: bytes, text: str) -> bool:
    """Whether the editor's ``text`` is the file's ``data`` as the editor may have read it:
    UTF-8, or, for a file that is not, one of the single-byte encodings editors fall
    back to (an unchanged file of another encoding is no unsaved buffer)."""
    for encoding in ("utf-8", "cp1252", "latin-1"):
        try:
            if base_digest(data.decode(encoding)) == base_digest(text):
                return True
        except UnicodeDecodeError:
            continue
    return False
