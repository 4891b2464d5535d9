"""Doctests in the code: examples in docstrings are tests too.

A project that runs its doctests (``pytest --doctest-modules``, a ``DocTestSuite`` in a
test module) has tests inside its code files.  An edit to a code file may rewrite a
docstring's expected output to what the broken code now prints, and that doctest would
then pass: the "fix" that rewrites the failing assertion to expect the bug, made where
the tests' files are not.  So, like a change to the tests' files
(``testfiles.judge_with_users_tests``), an edit that changes the examples of a docstring
that had some is first judged with those docstrings as they were
(:func:`with_old_doctests`), then whole; both must pass.  Whether the command runs
doctests does not matter: with the old docstrings put back the code is the same code.

Examples added to a docstring that had none are new tests, judged in the whole run.
The same holds for a document with examples (``doc/tutorial.rst`` run by
``DocFileSuite``, a ``test*.txt`` pytest collects, a ``usage.test``: any file but a
Python one): one whose examples the edit changed is put back whole for the first
judgement; one doctest cannot read whole is read paragraph by paragraph
(:func:`document_examples`).  Docstrings are found under ``if``/``try`` too, a name documented twice
definition by definition.  A rename across code and tests never renames a string or an
expected output of an example (:func:`rename_reaches_strings`).
"""

from __future__ import annotations

import ast
import doctest
import io
import re
import tokenize
from collections.abc import Mapping

from ..edits import BOM
from ..pytrees import cached, parse
from .renames import renamed_text

#: (source, expected output) of each example of a docstring
Examples = tuple[tuple[str, str], ...]


#: where the examples of strings other than docstrings are kept (``add.__doc__ = ...``)
OTHER_STRINGS = "<strings>"


def docstrings(text: str) -> dict[str, list[tuple[ast.Constant, Examples]]] | None:
    """:func:`read_docstrings`, once per text while an edit is judged (``pytrees``)."""
    return cached("docstrings", text, lambda: read_docstrings(text))


def read_docstrings(text: str) -> dict[str, list[tuple[ast.Constant, Examples]]] | None:
    """The docstrings of a module, its classes and functions by qualified name, with
    their examples (only those that have some), in the order of the file: a name defined
    twice (under ``if``/``try``, a redefinition) has one entry per definition.  Other
    strings with examples (doctest runs whatever ``__doc__`` holds: ``add.__doc__ =
    \"\"\"...\"\"\"``) are under :data:`OTHER_STRINGS`, in order.  None when ``text``
    does not parse."""
    try:
        tree = parse(text)
    except (SyntaxError, ValueError, RecursionError):
        return None
    out: dict[str, list[tuple[ast.Constant, Examples]]] = {}
    seen: set[int] = set()

    def docstring(node: ast.AST, name: str) -> None:
        body = getattr(node, "body", None)
        first = body[0] if isinstance(body, list) and body else None
        if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
            seen.add(id(first.value))
            found = _examples_in(first.value)
            if found:
                out.setdefault(name, []).append((first.value, found))

    def visit(node: ast.AST, name: str) -> None:
        # every definition, also under if/try/with/for (a fallback, a version check)
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                qual = f"{name}.{child.name}" if name else child.name
                docstring(child, qual)
                visit(child, qual)
            elif not isinstance(child, ast.expr):  # (an except clause is no statement)
                visit(child, name)

    docstring(tree, "")
    visit(tree, "")
    constants: list[ast.Constant] = []
    skipped = set(seen)  # (one set: a union for every constant was quadratic in docstrings)
    for n in ast.walk(tree):
        if isinstance(n, ast.Constant):
            constants.append(n)
        elif isinstance(n, ast.JoinedStr):
            skipped.update(id(v) for v in n.values)
    for node in sorted(constants, key=lambda n: (n.lineno, n.col_offset)):
        found = () if id(node) in skipped else _examples_in(node)
        if found:
            out.setdefault(OTHER_STRINGS, []).append((node, found))
    return out


def holds_no_examples(value: ast.expr | None) -> bool:
    """Whether ``value``, put into ``__doc__`` or ``__test__`` (the harness tripwire),
    gives doctest nothing to run: a constant that is not a string (``__test__ = False``)
    or a string without examples.  Such a value can only take examples away, and tests
    that no longer run are what the comparison of the runs reports.  Anything computed (a
    copy of another docstring, a format, an f-string) may hold examples."""
    return isinstance(value, ast.Constant) and not _examples_in(value)


def _examples_in(node: ast.Constant) -> Examples:
    if not isinstance(node.value, str) or ">>>" not in node.value:
        return ()  # (an example starts with >>>: none to look for)
    try:
        found = doctest.DocTestParser().get_examples(node.value)
    except ValueError:  # a malformed example: doctest would report it
        found = [doctest.Example(node.value, "")]
    return tuple((e.source, e.want) for e in found)


def with_old_doctests(
    old: str | None, new: str, renamed: Mapping[str, str] | None = None
) -> str | None:
    """``new`` with the docstrings whose examples the edit changed put back as they were
    in ``old`` (by the qualified name of what they document), or None when no example
    of ``old`` changed.  ``renamed``: names the edit renamed across code and tests
    (:mod:`.renames`): a renamed function's docstring is found under its new name,
    examples that changed only by the renaming did not change, and one put back is
    renamed the same way.  A name documented more than once is compared definition by
    definition, in order; one more than ``old`` had is compared with ``old``'s last."""
    if not old:
        return None
    bom = BOM if new.startswith(BOM) else ""
    old, new = old.removeprefix(BOM), new.removeprefix(BOM)  # ast refuses a byte-order mark
    before, after = docstrings(old), docstrings(new)
    if before is None or after is None:
        return None
    old_lines, lines = _lines(old), _lines(new)
    sigma = renamed or {}

    def as_renamed(examples: Examples) -> Examples:
        return tuple((renamed_text(s, sigma), renamed_text(w, sigma)) for s, w in examples)

    # what a docstring documents keeps its name, or takes its new one in a rename
    changed = []
    for name, olds in before.items():
        for i, now in enumerate(after.get(renamed_text(name, sigma), [])):
            was = olds[min(i, len(olds) - 1)]
            if now[1] not in (was[1], as_renamed(was[1])):
                changed.append((now[0], was[0]))
    if not changed:  # (examples removed altogether: their tests no longer run, which the
        return None  # comparison of the runs reports)
    # from the end of the file, so that earlier positions stay valid
    for new_node, old_node in sorted(changed, key=lambda p: p[0].lineno, reverse=True):
        literal = renamed_text(_segment(old_lines, old_node), sigma)  # as the user's, renamed
        a, b = new_node.lineno - 1, (new_node.end_lineno or new_node.lineno) - 1
        head = lines[a][: _col(lines[a], new_node.col_offset)]
        tail = lines[b][_col(lines[b], new_node.end_col_offset or 0) :]
        lines[a : b + 1] = [head + literal + tail]
    return bom + "".join(lines)


def _lines(text: str) -> list[str]:
    """The lines of ``text`` as ast numbers them (str.splitlines also ends a line at a
    form feed, U+2028 and others, which would put a docstring back in the wrong place)."""
    return re.split(r"(?<=\n)|(?<=\r)(?!\n)", text)


def _col(line: str, offset: int) -> int:
    """ast's column offsets count UTF-8 bytes: the character index in ``line``."""
    return len(line.encode("utf-8")[:offset].decode("utf-8", errors="ignore"))


def _segment(lines: list[str], node: ast.Constant) -> str:
    a, b = node.lineno - 1, (node.end_lineno or node.lineno) - 1
    start, end = _col(lines[a], node.col_offset), _col(lines[b], node.end_col_offset or 0)
    if a == b:
        return lines[a][start:end]
    return lines[a][start:] + "".join(lines[a + 1 : b]) + lines[b][:end]


def doc_examples_changed(
    old: str | None, new: str, renamed: Mapping[str, str] | None = None
) -> bool:
    """Whether the edit changed the examples of a document that had some (a tutorial run
    by ``DocFileSuite`` or ``pytest --doctest-glob``), a rename across code and tests
    aside."""
    if not old:
        return False
    before, after = document_examples(old), document_examples(new)
    sigma = renamed or {}
    renamed_before = [(renamed_text(s, sigma), renamed_text(w, sigma)) for s, w in before]
    return bool(before) and after not in (before, renamed_before)


def document_examples(text: str) -> list[tuple[str, str]]:
    """The examples of a document (any file but a Python one), in order.  One that
    doctest cannot read whole (six's ``index.rst`` underlines its headings with
    ``>>>>>>``) is read paragraph by paragraph, as doctest would read it (tabs expanded;
    no example spans a line of spaces only): pytest's ``--doctest-glob`` and
    ``DocFileSuite`` then run none of it, but Sphinx's doctest builder runs its blocks.
    A paragraph doctest cannot read counts as one example, its whole text, so that any
    change to it is a change to an example."""
    parser = doctest.DocTestParser()
    try:
        return [(e.source, e.want) for e in parser.get_examples(text)]
    except ValueError:
        pass
    out: list[tuple[str, str]] = []
    paragraph: list[str] = []
    for line in [*text.expandtabs().split("\n"), ""]:
        if line.strip(" "):
            paragraph.append(line)
            continue
        block, paragraph = "".join(f"{x}\n" for x in paragraph), []
        if ">>>" not in block:
            continue
        try:
            out.extend((e.source, e.want) for e in parser.get_examples(block))
        except ValueError:  # a malformed example: doctest would report it
            out.append((block, ""))
    return out


def doctests_as_they_were(
    texts: Mapping[str, str],
    olds: Mapping[str, str | None],
    renamed: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The files of an edit (``texts``) whose doctest examples it changed, with those as
    they were (``olds``: each file's text before the edit): a Python file's docstrings,
    or a whole document: any other file that had examples (``doc/tutorial.rst``,
    ``usage.test``: ``DocFileSuite`` and ``--doctest-glob`` run files of any name)."""
    out: dict[str, str] = {}
    for rel, text in texts.items():
        old = olds.get(rel)
        if rel.endswith(".py"):
            restored = with_old_doctests(old, text, renamed)
            if restored is not None:
                out[rel] = restored
        elif old and doc_examples_changed(old, text, renamed):
            out[rel] = old
    return out


def rename_reaches_strings(
    texts: Mapping[str, str], olds: Mapping[str, str | None], renamed: Mapping[str, str]
) -> bool:
    """Whether the edit's files (``texts``; ``olds`` before it) had an example naming a
    renamed name in a string or in its expected output, and the edit changed that
    string or output too.  Renamed as text, such an example checks something else
    (``names()`` giving ``['plus']``, not ``['add']``), and the test files' rule never
    renames a string: such a rename is no rename across code and tests."""
    for rel, text in texts.items():
        old = olds.get(rel)
        before, after = _examples(old or "", rel), _examples(text, rel)
        if before is None or after is None:
            return old is not None
        for source, want in before:
            names_only = _rename_names(source, renamed)
            as_text = (renamed_text(source, renamed), renamed_text(want, renamed))
            if as_text != (names_only, want) and (names_only, want) not in after:
                return True
    return False


def _examples(text: str, rel: str) -> set[tuple[str, str]] | None:
    """Every example of a file: a Python file's docstrings' (None when it does not
    parse), or a document's."""
    if rel.endswith(".py"):
        found = docstrings(text.removeprefix(BOM))
        if found is None:
            return None
        return {e for entries in found.values() for _node, ex in entries for e in ex}
    return set(document_examples(text))


def _rename_names(source: str, renamed: Mapping[str, str]) -> str | None:
    """``source`` with only its names renamed (not its strings or comments)."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, SyntaxError):
        return None
    lines = source.splitlines(keepends=True)
    for t in reversed(tokens):
        if t.type == tokenize.NAME and t.string in renamed:
            (row, col), (_, end) = t.start, t.end
            line = lines[row - 1]
            lines[row - 1] = line[:col] + renamed[t.string] + line[end:]
    return "".join(lines)
