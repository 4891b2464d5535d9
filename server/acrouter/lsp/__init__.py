"""Thin LSP layer: converts protocol messages to domain calls and back.

``server``: the handlers;  ``convert``: protocol <-> domain (documents, results, the
WorkspaceEdit and the digests of what it was made from);  ``progress``: a request's
work-done progress and cancellation.
"""
