"""``acrouter serve``: the pygls language server (stdio).

Handlers are a few lines each: validate/convert arguments, call ``EditorApp``,
convert the result.  Blocking work (model calls, test runs) runs in a worker thread;
cancellation ($/cancelRequest or the progress Cancel button) reaches it through a
``CancelToken`` checked by the gateway and the verifier.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams, JsonRpcRequestCancelled
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol, default_converter, lsp_method
from pygls.workspace import TextDocument

from .. import __version__
from ..app import EditorApp, PriorStore, build_editor_app
from ..config import parse_settings
from ..context import editor_folder, uri_to_path, workspace_root
from ..domain import Cancelled, Document, Result
from ..errors import PreflightError, RequestError
from . import convert, recheck
from .buffers import unsaved_buffers
from .failures import RequestFailed, in_worker, preflight_failed
from .freshness import changed_since, repin
from .log import setup_logging
from .progress import Progress, begin_progress, end_progress, request_cancel
from .settings import pull_settings

log = logging.getLogger(__name__)

ROUTE = "acrouter.server.routeAndComplete"
HISTORY = "acrouter.server.history"
EXPLAIN = "acrouter.server.explain"
RESET = "acrouter.server.resetMemory"
STATS = "acrouter.server.memoryStats"
EXPORT = "acrouter.server.exportMemory"
CHANGED_SINCE = "acrouter.server.changedSince"
VERIFY_AGAIN = "acrouter.server.verifyAgain"
#: notification to the client: the history changed other than by a request's reply (a
#: cancelled request recorded what it spent after the cancel was answered)
HISTORY_CHANGED = "acrouter/historyChanged"


#: The workDoneToken of the workspace/executeCommand request being handled, if the client
#: sent one: progress is reported on it (no window/workDoneProgress/create round trip).
_WORK_DONE_TOKEN: contextvars.ContextVar[types.ProgressToken | None] = contextvars.ContextVar(
    "acrouter_work_done_token", default=None
)


class ACRouterProtocol(LanguageServerProtocol):
    """pygls' protocol; executeCommand also hands the request's workDoneToken to the command.

    pygls runs every message in its own context, so the token is scoped to one request.
    """

    @lsp_method(types.WORKSPACE_EXECUTE_COMMAND)
    def lsp_workspace__execute_command(self, params: types.ExecuteCommandParams) -> Any:
        _WORK_DONE_TOKEN.set(params.work_done_token)
        return (yield from super().lsp_workspace__execute_command(params))

    @lsp_method(types.SHUTDOWN)
    def lsp_shutdown(self, *args: Any) -> Any:
        """pygls' shutdown cancels the requests still running while it iterates over them,
        and a cancelled request leaves that dict at once: with a request running, shutdown
        failed ("dictionary changed size during iteration").  Iterate over a copy."""
        current_id = self.msg_id
        for msg_id, future in list(self._request_futures.items()):
            if msg_id != current_id and not future.done():
                future.cancel()
        self._shutdown = True
        return None
        yield  # a generator, like pygls' handlers (there is no user shutdown handler)


def _converter() -> Any:
    return convert.register_argument_hooks(default_converter())


class ACRouterServer(LanguageServer):
    def __init__(self, app_factory: Callable[[Any], EditorApp]) -> None:
        super().__init__(
            "acrouter", __version__, protocol_cls=ACRouterProtocol, converter_factory=_converter
        )
        self.app_factory = app_factory
        self.app: EditorApp | None = None
        self.priors = PriorStore()
        self.loop: asyncio.AbstractEventLoop | None = None

    def require_app(self) -> EditorApp:
        if self.app is None:
            raise RequestFailed("the server is not initialized yet")
        return self.app

    def apply_settings(self, raw: Any, initial: bool = False) -> None:
        settings, problems = parse_settings(raw)
        if self.app is None:
            self.app = self.app_factory(settings)
        else:
            self.app.update_settings(settings)
        for p in problems:
            log.warning("settings: %s", p)
            self.window_show_message(
                types.ShowMessageParams(type=types.MessageType.Warning, message=f"ACRouter: {p}")
            )


def create_server(app_factory: Callable[[Any], EditorApp] | None = None) -> ACRouterServer:
    server: ACRouterServer

    def default_factory(settings: Any) -> EditorApp:
        return build_editor_app(settings, priors=server.priors, keep_tested=True)

    server = ACRouterServer(app_factory or default_factory)

    @server.feature(types.INITIALIZE)
    def on_initialize(ls: ACRouterServer, params: types.InitializeParams) -> None:
        ls.loop = asyncio.get_running_loop() if _has_loop() else None
        ls.apply_settings(params.initialization_options, initial=True)

    @server.feature(types.INITIALIZED)
    def on_initialized(ls: ACRouterServer, params: types.InitializedParams) -> None:
        if ls.app is not None:
            ls.app.warm_in_background()  # priors + litellm import: seconds, off the request path

    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def on_config(ls: ACRouterServer, params: types.DidChangeConfigurationParams) -> None:
        if params.settings is not None:
            ls.apply_settings(params.settings)
        else:  # a pull-model client: "something changed, ask me" (never "use defaults")
            await pull_settings(ls, ls.apply_settings)

    # Each command takes one JSON object, structured by pygls into the typed argument
    # classes of convert.py (a bad one is an Invalid Params error naming the key).
    @server.command(ROUTE)
    async def route(ls: ACRouterServer, args: convert.RouteArgs) -> dict[str, Any]:
        return await _route(ls, args)

    @server.command(CHANGED_SINCE)
    async def changed(ls: ACRouterServer, args: convert.RequestIdArgs) -> dict[str, Any]:
        documents = ls.workspace.text_documents.values()
        return await recheck.changed_since(
            ls.require_app(), documents, args.request_id, _folders(ls)
        )

    @server.command(VERIFY_AGAIN)
    async def again(ls: ACRouterServer, args: convert.RequestIdArgs) -> dict[str, Any]:
        cancel = request_cancel(ls)  # before the first await
        documents = ls.workspace.text_documents.values()
        return await recheck.verify_again(ls.require_app(), documents, cancel, args.request_id)

    @server.command(HISTORY)
    def history(
        ls: ACRouterServer, args: convert.HistoryArgs = convert.DEFAULT_HISTORY
    ) -> dict[str, Any]:
        return {"entries": [convert.history_json(o) for o in ls.require_app().history(args.limit)]}

    @server.command(EXPLAIN)
    def explain(ls: ACRouterServer, args: convert.RequestIdArgs) -> dict[str, Any]:
        why = ls.require_app().explain(args.request_id)
        if why is None:
            raise RequestFailed(f"no request {args.request_id!r} in the routing memory")
        return {"why": why}

    @server.command(RESET)
    def reset(ls: ACRouterServer, args: convert.ResetArgs = convert.NO_CONFIRM) -> dict[str, Any]:
        if not args.confirm:
            raise JsonRpcInvalidParams("resetMemory needs {confirm: true}; nothing was removed")
        removed = ls.require_app().reset_memory()
        log.info("routing memory reset: %d records removed", removed)
        return {"removed": removed}

    @server.command(STATS)
    def stats(ls: ACRouterServer, args: convert.NoArgs = convert.NO_ARGS) -> dict[str, Any]:
        return {"records": ls.require_app().memory.count()}

    @server.command(EXPORT)
    def export(ls: ACRouterServer, args: convert.NoArgs = convert.NO_ARGS) -> dict[str, Any]:
        return ls.require_app().memory.export()

    return server


def _has_loop() -> bool:
    try:
        asyncio.get_running_loop()
        return True
    except RuntimeError:
        return False


async def _route(ls: ACRouterServer, args: convert.RouteArgs) -> dict[str, Any]:
    """routeAndComplete: the document as the editor has it -> ``EditorApp.route`` -> the
    result, with its edit as a WorkspaceEdit (applied by the editor when asked) and the
    digests of what each file held when the edit was made (checked before applying)."""
    app = ls.require_app()
    loop = asyncio.get_running_loop()
    ls.loop = loop
    doc, path = _request_document(ls, app, args)
    folders = _folders(ls)
    try:
        root = workspace_root(path, folders)
    except PreflightError as exc:
        raise preflight_failed(exc) from exc
    # every open document of the workspace whose text is not on disk: the request is
    # made and tested (with and without the edit) against them
    left_out: dict[str, str] = {}  # unsaved buffers not used, with why (said in the why)
    buffers = unsaved_buffers(
        ls.workspace.text_documents.values(),
        root,
        app.settings.max_file_kilobytes * 1024,
        left_out,
    )
    texts_of = {rel: b.text for rel, b in buffers.items()}
    result = await _run_in_worker(ls, app, doc, args, folders, loop, texts_of, left_out)
    edit, bases = None, {}
    if result.edit is not None and result.final_model is not None:
        from ..apply import edit_texts  # the verifier's modules: not at the server's start

        texts = edit_texts(result.edit, doc, root, texts_of)
        shown = str(editor_folder(root, folders, path))  # the files as the editor names them
        edit = convert.workspace_edit(
            doc, result.edit, shown, texts, ls.workspace.position_codec, buffers
        )
        bases = convert.base_digests(doc, result.edit, shown, texts, buffers)
    payload = convert.result_json(result, edit, bases)
    if args.apply and edit is not None:
        opened = _opened(ls, doc.uri)
        stale = changed_since(
            bases,
            lambda uri: _text_now(ls, uri),
            doc,
            opened.version if opened is not None else None,
            is_open=lambda uri: _opened(ls, uri) is not None,
            unsaved={b.uri for b in buffers.values()},
        )
        if stale is not None:  # never overwrite what changed since the edit was made
            payload.update({"applied": False, "applyFailure": f"{stale}; nothing was applied"})
        else:
            if opened is None or opened.version != doc.version:  # closed or reopened
                edit = repin(edit, doc.uri, opened.version if opened is not None else None)
            payload.update(await _apply(ls, edit, result.final_model))
    return payload


def _folders(ls: ACRouterServer) -> list[Path]:
    """The workspace folders, as the editor names them."""
    return [uri_to_path(f.uri) for f in ls.workspace.folders.values()] if ls.workspace else []


def _opened(ls: ACRouterServer, uri: str) -> TextDocument | None:
    """The document the editor has open at ``uri``, if any.  pygls keeps open documents
    under the unquoted URI, and clients quote (a path with a space is ``%20``)."""
    return ls.workspace.text_documents.get(unquote(uri))


def _text_now(ls: ACRouterServer, uri: str) -> str | None:
    """A file's text as the editor has it now (open), else on disk; None: no such file."""
    opened = _opened(ls, uri)
    if opened is not None:
        return opened.source
    path = uri_to_path(uri)
    return path.read_bytes().decode("utf-8") if path.exists() else None


def _request_document(
    ls: ACRouterServer, app: EditorApp, args: convert.RouteArgs
) -> tuple[Document, Path]:
    """The document (the editor's unsaved text when it is open) and its path."""
    try:
        path = uri_to_path(args.uri)
        opened = _opened(ls, args.uri)
        doc = convert.load_document(
            args.uri,
            args.range,
            opened.source if opened is not None else None,
            opened.version if opened is not None else None,
            opened.language_id if opened is not None else None,
            ls.workspace.position_codec,  # the negotiated positionEncoding (UTF-16 by default)
            app.settings.max_file_kilobytes * 1024,
        )
    except RequestError as exc:
        raise JsonRpcInvalidParams(str(exc)) from exc
    except PreflightError as exc:
        raise preflight_failed(exc) from exc
    return doc, path


async def _run_in_worker(
    ls: ACRouterServer,
    app: EditorApp,
    doc: Document,
    args: convert.RouteArgs,
    folders: list[Path],
    loop: asyncio.AbstractEventLoop,
    buffers: dict[str, str],
    left_out: dict[str, str],
) -> Result:
    """``EditorApp.route`` in a worker thread, with progress on the client's token and
    cancellation from $/cancelRequest or the progress Cancel button."""
    cancel = request_cancel(ls)  # before the first await
    token = await begin_progress(ls, _WORK_DONE_TOKEN.get())
    cancel.also(ls.work_done_progress.tokens.get(token) if token else None)
    try:
        return await in_worker(
            "request",
            cancel,
            _route_and_tell,
            ls,
            app,
            loop,
            doc,
            args.instruction,
            folders=folders,
            test_command=args.test_command,
            python=args.python,
            cancel=cancel,
            progress=Progress(ls, token, loop),
            buffers=buffers,
            buffers_left_out=left_out,
        )
    finally:
        end_progress(ls, token)


def _route_and_tell(
    ls: ACRouterServer, app: EditorApp, loop: asyncio.AbstractEventLoop, *args: Any, **kw: Any
) -> Result:
    """``app.route`` (in the worker thread); when cancelled, the client is told once what
    the request spent is recorded (its cancel was answered before, as the cancel came)."""
    try:
        return app.route(*args, **kw)
    except Cancelled:
        loop.call_soon_threadsafe(ls.protocol.notify, HISTORY_CHANGED, {})
        raise


async def _apply(ls: ACRouterServer, edit: dict[str, Any], model: str | None) -> dict[str, Any]:
    """workspace/applyEdit; whether the editor applied it, and why not."""
    res = await ls.workspace_apply_edit_async(
        types.ApplyWorkspaceEditParams(
            edit=ls.protocol._converter.structure(edit, types.WorkspaceEdit),
            label=f"ACRouter: {model}",
        )
    )
    out: dict[str, Any] = {"applied": bool(res and res.applied)}
    if not out["applied"]:
        out["applyFailure"] = (res.failure_reason if res else None) or (
            "the editor rejected the edit (the document changed since the request?)"
        )
    return out


def serve(stdin: Any = None, stdout: Any = None) -> None:
    """Run on stdio.  Stray writes to stdout (print, C libraries) go to stderr instead."""
    proto_out = stdout
    if proto_out is None:
        proto_out = os.fdopen(os.dup(sys.stdout.fileno()), "wb", buffering=0)
        os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
        sys.stdout = sys.stderr
    server = create_server()
    setup_logging(server, answers=(RequestFailed, JsonRpcRequestCancelled))
    server.start_io(stdin or sys.stdin.buffer, proto_out)
