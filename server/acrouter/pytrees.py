"""Python syntax trees, parsed once per text while a request's edit is judged.

Judging one edit reads the same two texts (the file before and after it) in many places:
the guard that no definition is dropped (``definitions``), the harness checks
(``verifier.harness_py``), the doctests (``verifier.doctests``, ``verifier.docnames``),
the renames (``verifier.renames``).  On a file of 20,000 lines one ``ast.parse`` takes
0.2 to 0.5 s and makes a tree of about 30 MB, so parsing it once per reader cost seconds.

Inside ``shared_trees()`` (``Orchestrator._attempt`` and ``ProjectVerifier.verify``
open it, and ``definitions.guard`` where no caller has) :func:`parse` gives the same tree for the same text, and the same error for a
text that does not parse; outside it, it is ``ast.parse``.  :func:`cached` keeps what is
read from a text the same way (the docstrings of ``verifier.doctests``).  All of it
goes when the outermost scope ends.  What is shared must not be changed by its readers.

A request's escalation judges one edit per attempt, each in its own scope, and every one
reads the same document (the text the model was asked to change).  Inside
``kept_trees(texts)`` (``Orchestrator.run`` opens it with the document and the unsaved
buffers) what is read from those texts outlives the scope it was read in: the next
attempt's scope finds it, and it goes when ``kept_trees`` ends.  An attempt's other
texts (the edit's) still go with its scope.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

T = TypeVar("T")
#: (what, text) -> the tree, the error ``ast.parse`` raised, or what ``cached`` made
_TREES: ContextVar[dict[tuple[str, str], Any] | None] = ContextVar("acrouter_trees", default=None)
#: ``kept_trees``' texts, and what was read from them (as ``_TREES``)
_KEPT: ContextVar[tuple[frozenset[str], dict[tuple[str, str], Any]] | None] = ContextVar(
    "acrouter_kept_trees", default=None
)


@contextmanager
def shared_trees() -> Iterator[None]:
    """A scope in which each text is parsed once (nested scopes share the outermost)."""
    if _TREES.get() is not None:
        yield
        return
    token = _TREES.set({})
    try:
        yield
    finally:
        _TREES.reset(token)


@contextmanager
def kept_trees(texts: Iterable[str]) -> Iterator[None]:
    """A scope in which what ``shared_trees()`` scopes read from ``texts`` is kept from
    one of them to the next (nested: the outermost's texts are kept)."""
    if _KEPT.get() is not None:
        yield
        return
    token = _KEPT.set((frozenset(texts), {}))
    try:
        yield
    finally:
        _KEPT.reset(token)


def _store(text: str) -> dict[tuple[str, str], Any] | None:
    """Where what is read from ``text`` is kept: None outside ``shared_trees()``."""
    trees = _TREES.get()
    if trees is None:
        return None
    kept = _KEPT.get()
    return kept[1] if kept is not None and text in kept[0] else trees


def _parsed(text: str) -> ast.Module:
    """``ast.parse(text)``, whose parser's own stack overflowing on code nested too
    deeply (``X = ----…1``, 10,000 signs: a ``MemoryError``, which its readers did not
    expect, and the verifier raised it) is the ``RecursionError`` of code nested too
    deeply for the compiler."""
    try:
        return ast.parse(text)
    except MemoryError as exc:
        raise RecursionError(f"the parser's stack overflowed: nested too deeply ({exc})") from None


def parse(text: str) -> ast.Module:
    """``ast.parse(text)`` (:func:`_parsed`); inside ``shared_trees()`` the tree (or the
    error) of an earlier call with the same text.  The tree must not be changed."""
    trees = _store(text)
    if trees is None:
        return _parsed(text)
    found = trees.get(("tree", text))
    if found is None:
        try:
            found = _parsed(text)
        except (SyntaxError, ValueError, RecursionError) as exc:
            found = exc
        trees["tree", text] = found
    if isinstance(found, BaseException):
        raise found.with_traceback(None)
    return found


def cached(what: str, text: str, make: Callable[[], T]) -> T:
    """``make()``, what is read from ``text``; inside ``shared_trees()`` made once per
    (``what``, ``text``).  It must not be changed by its readers."""
    trees = _store(text)
    if trees is None:
        return make()
    key = (what, text)
    if key not in trees:
        trees[key] = make()
    return trees[key]  # type: ignore[no-any-return]


def own_nodes(func: ast.AST) -> list[ast.AST]:
    """The nodes of ``func``'s body, not those of the functions, classes and lambdas in
    it (their own nodes are theirs: a nested function's ``return`` is not ``func``'s)."""
    out: list[ast.AST] = []
    todo = list(ast.iter_child_nodes(func))
    while todo:
        node = todo.pop()
        out.append(node)
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            todo.extend(ast.iter_child_nodes(node))
    return out
