"""lsprotocol/JSON <-> domain objects.  No routing logic lives here.

Positions: the client counts ``character`` in the code units of the negotiated
``positionEncoding`` (UTF-16 unless the client offered another one); the domain counts
code points.  ``to_domain_position`` and ``to_client_position`` convert with pygls'
``PositionCodec`` (the workspace's codec in the server), here and nowhere else.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import attrs
from lsprotocol import types
from pygls.workspace import PositionCodec

from ..context import (
    check_saved_encoding,
    editor_uri,
    offset_of,
    read_text_file,
    uri_to_path,
)
from ..domain import Attempt, Document, Edit, Outcome, Position, Range, Result, document_lines
from ..errors import RequestError
from .buffers import Buffer
from .freshness import base_digest


def _int(v: Any, what: str) -> int:
    if isinstance(v, bool) or not isinstance(v, int):
        raise RequestError(f"{what} must be an integer")
    return v


def parse_range(raw: Any) -> Range | None:
    if raw is None:
        return None
    if (
        not isinstance(raw, Mapping)
        or not isinstance(raw.get("start"), Mapping)
        or not isinstance(raw.get("end"), Mapping)
    ):
        raise RequestError("range must be {start: {line, character}, end: {line, character}}")
    s, e = raw["start"], raw["end"]
    return Range(
        Position(
            _int(s.get("line"), "range.start.line"),
            _int(s.get("character"), "range.start.character"),
        ),
        Position(
            _int(e.get("line"), "range.end.line"), _int(e.get("character"), "range.end.character")
        ),
    )


# --------------------------------------------------------------------------- command arguments
# Each acrouter.server.* command takes one JSON object.  pygls structures it into these
# classes (typed command arguments) with the hooks of ``register_argument_hooks``: strict
# (no "false" -> True coercion) and with messages that name the offending key.


@attrs.frozen
class RouteArgs:
    uri: str
    instruction: str
    range: Range | None = None  # in the client's code units (see to_domain_position)
    test_command: str | None = None
    apply: bool = False
    python: str | None = None  # the editor's Python for the workspace (Task.python)


@attrs.frozen
class HistoryArgs:
    limit: int = 50


@attrs.frozen
class RequestIdArgs:
    """{requestId}: explain, changedSince."""

    request_id: str


@attrs.frozen
class ResetArgs:
    confirm: bool = False


@attrs.frozen
class NoArgs:
    """A command without parameters (it accepts an empty object)."""


DEFAULT_HISTORY = HistoryArgs()
NO_CONFIRM = ResetArgs()
NO_ARGS = NoArgs()


def _object(raw: Any, command: str) -> Mapping[str, Any]:
    if not isinstance(raw, Mapping):
        raise RequestError(f"{command} takes one object argument")
    return raw


def route_args(raw: Any, _cls: Any = RouteArgs) -> RouteArgs:
    """Validate routeAndComplete's argument {textDocument, range?, instruction, testCommand?,
    apply?, python?}."""
    arg = _object(raw, "routeAndComplete")
    td = arg.get("textDocument")
    if not isinstance(td, Mapping) or not isinstance(td.get("uri"), str) or not td["uri"]:
        raise RequestError("textDocument.uri is required")
    instruction = arg.get("instruction")
    if not isinstance(instruction, str) or not instruction.strip():
        raise RequestError("instruction must be a non-empty string")
    tc = arg.get("testCommand")
    if tc is not None and not isinstance(tc, str):
        raise RequestError("testCommand must be a string")
    apply = arg.get("apply", False)
    if not isinstance(apply, bool):
        raise RequestError("apply must be true or false")
    python = arg.get("python")
    if python is not None and (not isinstance(python, str) or not os.path.isabs(python)):
        raise RequestError("python must be an absolute path to a Python interpreter")
    return RouteArgs(
        td["uri"], instruction, parse_range(arg.get("range")), tc or None, apply, python or None
    )


def history_args(raw: Any, _cls: Any = HistoryArgs) -> HistoryArgs:
    limit = _object(raw, "history").get("limit", 50)
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise RequestError("limit must be a positive integer")
    return HistoryArgs(limit)


def request_id_args(raw: Any, _cls: Any = RequestIdArgs) -> RequestIdArgs:
    rid = _object(raw, "this command").get("requestId")
    if not isinstance(rid, str):
        raise RequestError("requestId must be a string")
    return RequestIdArgs(rid)


def reset_args(raw: Any, _cls: Any = ResetArgs) -> ResetArgs:
    return ResetArgs(_object(raw, "resetMemory").get("confirm") is True)


def no_args(raw: Any, _cls: Any = NoArgs) -> NoArgs:
    _object(raw, "this command")
    return NoArgs()


def register_argument_hooks(converter: Any) -> Any:
    """Teach a cattrs converter (pygls') to structure the commands' argument classes."""
    for cls, hook in (
        (RouteArgs, route_args),
        (HistoryArgs, history_args),
        (RequestIdArgs, request_id_args),
        (ResetArgs, reset_args),
        (NoArgs, no_args),
    ):
        converter.register_structure_hook(cls, hook)
    return converter


_UTF16 = PositionCodec()  # the LSP default when nothing was negotiated


def to_domain_position(text: str, pos: Position, codec: PositionCodec = _UTF16) -> Position:
    """A client position (code units of ``codec``) as a domain position (code points).

    Raises ``RequestError`` for a position outside the text or inside one character
    (e.g. between the two UTF-16 halves of an emoji): pygls' codec would clamp it.
    """
    lines = document_lines(text, keepends=True)
    if pos.line < 0 or pos.character < 0:
        raise RequestError(f"position {pos.line}:{pos.character} is negative")
    if pos.line > len(lines) or (pos.line == len(lines) and pos.character > 0):
        raise RequestError(f"line {pos.line} is outside the document ({len(lines)} lines)")
    if pos.line == len(lines):
        return pos
    units = codec.client_num_units(lines[pos.line].rstrip("\r\n"))
    if pos.character > units:
        raise RequestError(
            f"character {pos.character} is outside line {pos.line} ({units} {codec.encoding} code units)"
        )
    client = types.Position(line=pos.line, character=pos.character)
    server = codec.position_from_client_units(lines, client)
    if codec.position_to_client_units(lines, server) != client:
        raise RequestError(f"character {pos.character} of line {pos.line} falls inside a character")
    return Position(server.line, server.character)


def to_client_position(text: str, pos: Position, codec: PositionCodec = _UTF16) -> dict[str, int]:
    """A domain position (code points) in the client's code units, as LSP JSON."""
    lines = document_lines(text, keepends=True)
    client = codec.position_to_client_units(
        lines, types.Position(line=pos.line, character=pos.character)
    )
    return {"line": client.line, "character": client.character}


def load_document(
    uri: str,
    rng: Range | None,
    open_text: str | None,
    open_version: int | None,
    language_id: str | None,
    codec: PositionCodec = _UTF16,
    max_bytes: int = 1024 * 1024,
) -> Document:
    """The request's document: the open buffer, else the file (``PreflightError`` when it
    is not UTF-8 text or larger than ``max_bytes``; an open buffer's file too when it is
    not UTF-8 on disk); ``rng`` is in the client's code units (``codec``)."""
    path = uri_to_path(uri)
    if open_text is None:
        if not path.is_file():
            raise RequestError(f"{path} is not a readable file")
        open_text = read_text_file(path, max_bytes)
    else:  # the editor's text, decoded from whatever the file's encoding is
        check_saved_encoding(path)
    if rng is not None:  # validate now: a bad range is the caller's error
        rng = Range(
            to_domain_position(open_text, rng.start, codec),
            to_domain_position(open_text, rng.end, codec),
        )
        if (rng.end.line, rng.end.character) < (rng.start.line, rng.start.character):
            raise RequestError("range ends before it starts")
    return Document(
        uri=uri,
        path=str(path),
        text=open_text,
        version=open_version,
        language_id=language_id,
        range=rng,
    )


def _end_position(text: str, codec: PositionCodec) -> dict[str, int]:
    lines = text.split("\n")
    return {"line": len(lines) - 1, "character": codec.client_num_units(lines[-1])}


def _edit_uris(
    doc: Document,
    workspace: str | None,
    rels: Iterable[str],
    buffers: Mapping[str, Buffer] | None = None,
) -> dict[str, str | None]:
    """The URI of each workspace-relative path an edit changes (an unsaved buffer's as
    the client sent it); None for the request's document (it keeps the URI the client
    sent, and its version)."""
    buffers = buffers or {}
    doc_rel = None
    if workspace:
        try:
            doc_rel = str(Path(doc.path).resolve().relative_to(Path(workspace).resolve()))
        except ValueError:
            doc_rel = None
    return {
        rel: None
        if rel == doc_rel
        else buffers[rel].uri
        if rel in buffers
        else editor_uri(Path(workspace or "."), rel)
        for rel in rels
    }


def workspace_edit(
    doc: Document,
    edit: Edit,
    workspace: str | None,
    new_texts: Mapping[str, str],
    codec: PositionCodec = _UTF16,
    buffers: Mapping[str, Buffer] | None = None,
) -> dict[str, Any]:
    """A WorkspaceEdit with documentChanges pinned to the version the request read: the
    request's document's, and each unsaved buffer's (``buffers``: the edit was made
    from their text, so the editor applies it to them only at that version).

    Ranges are in the client's code units (``codec``)."""
    buffers = buffers or {}
    changes: list[dict[str, Any]] = []
    for rel, uri in _edit_uris(doc, workspace, new_texts, buffers).items():
        content = new_texts[rel]
        if uri is None:
            if edit.replacement is not None and doc.range is not None:
                rng = {
                    "start": to_client_position(doc.text, doc.range.start, codec),
                    "end": to_client_position(doc.text, doc.range.end, codec),
                }
                text = edit.replacement
                # the parser may have added a trailing newline to match the selection
                a = offset_of(doc.text, doc.range.start.line, doc.range.start.character)
                b = offset_of(doc.text, doc.range.end.line, doc.range.end.character)
                text = content[a : len(content) - (len(doc.text) - b)]
            else:
                rng = {"start": {"line": 0, "character": 0}, "end": _end_position(doc.text, codec)}
                text = content
            changes.append(
                {
                    "textDocument": {"uri": doc.uri, "version": doc.version},
                    "edits": [{"range": rng, "newText": text}],
                }
            )
        else:
            path = Path(workspace or ".") / rel
            unsaved = buffers.get(rel)
            if unsaved is not None:
                old, version = unsaved.text, unsaved.version
            else:
                old = path.read_text(encoding="utf-8") if path.is_file() else ""
                version = None
            if not path.exists() and unsaved is None:
                changes.append({"kind": "create", "uri": uri, "options": {"ignoreIfExists": True}})
            changes.append(
                {
                    "textDocument": {"uri": uri, "version": version},
                    "edits": [
                        {
                            "range": {
                                "start": {"line": 0, "character": 0},
                                "end": _end_position(old, codec),
                            },
                            "newText": content,
                        }
                    ],
                }
            )
    return {"documentChanges": changes}


def base_digests(
    doc: Document,
    edit: Edit,
    workspace: str | None,
    new_texts: Mapping[str, str],
    buffers: Mapping[str, Buffer] | None = None,
) -> dict[str, str]:
    """Per URI the WorkspaceEdit changes, the digest of what the edit was made from
    (``Edit.bases``).  The client applies the edit only while every file still holds it:
    a file saved between the reply and the user's Apply is never overwritten.  A file
    whose base is unknown is left out, and the client refuses an edit that changes one."""
    bases = edit.bases or {}
    return {
        uri or doc.uri: base_digest(bases[rel])
        for rel, uri in _edit_uris(doc, workspace, new_texts, buffers).items()
        if rel in bases
    }


def attempt_json(a: Attempt) -> dict[str, Any]:
    d: dict[str, Any] = {
        "model": a.model,
        "verdict": a.verdict,
        "costUsd": a.cost_usd,
        "latencyMs": round(a.latency_ms, 1),
        "detail": a.detail,
        "counted": a.counted,  # False: a set-up failure, not held against the model
    }
    if a.tests_passed is not None:
        d["testsPassed"] = a.tests_passed
    if a.tests_failed is not None:
        d["testsFailed"] = a.tests_failed
    if a.unrun:
        d["unrun"] = a.unrun  # a pass whose changed statements the tests did not all run
    return d


def result_json(
    r: Result, edit: dict[str, Any] | None, bases: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """routeAndComplete's reply; the editor's carries ``bases`` (see ``base_digests``)."""
    out = {
        "requestId": r.request_id,
        "kind": r.kind,
        "finalModel": r.final_model,
        "verified": r.verified,
        "costUsd": r.cost_usd,
        "latencyMs": round(r.latency_ms, 1),
        "attempts": [attempt_json(a) for a in r.attempts],
        "why": r.why,
        "edit": edit,
    }
    if bases is not None:
        out["baseDigests"] = dict(bases)
    return out


def history_json(o: Outcome) -> dict[str, Any]:
    latency = o.meta.get("latency_ms")
    if not isinstance(latency, (int, float)):
        latency = sum(a.latency_ms for a in o.attempts)
    d = {
        "requestId": o.request_id,
        "time": o.time,
        "kind": o.kind,
        "finalModel": o.final_model,
        "verified": o.verified,
        "costUsd": o.cost_usd,
        "latencyMs": round(latency, 1),
        "attempts": [attempt_json(a) for a in o.attempts],
        "why": o.why,
    }
    if o.instruction:
        d["instruction"] = o.instruction
    if o.meta.get("cancelled") is True:
        d["cancelled"] = True
    return d
