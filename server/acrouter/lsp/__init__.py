"""Thin LSP layer: converts protocol messages to domain calls and back.

``server``: the handlers;  ``convert``: protocol <-> domain (documents, results, the
WorkspaceEdit);  ``freshness``: the digests of what an edit was made from and the check
that its files still hold it;  ``buffers``: the editor's unsaved buffers a request is
made and tested against;  ``settings``: settings asked of a pull-model client;
``progress``: a request's work-done progress and cancellation;  ``log``: what the
server logs to stderr (the output channel) and to the client;  ``failures``: the errors
it answers with on purpose;  ``recheck``: what the client asks when the user applies a
verified edit (the files changed since its tests ran).
"""
