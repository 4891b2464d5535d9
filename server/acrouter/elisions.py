"""Code an edit replaced with a placeholder, for the guard that no edit drops what
nobody asked to remove (``definitions.guard``).

Models told not to elide code still do: where a function's body was they write
``# ... existing code ...`` or ``// rest of the method unchanged``, or cut the body to
``pass``.  The function keeps its name, so the definitions the guard compares do not
tell, and where no test calls it every test passes: a verified edit that deletes code.
Two readings find it:

- :func:`placeholders`: a comment line of the edit's that reads as a stand-in for code
  (an ellipsis, "existing code", "rest of the function unchanged", "omitted for
  brevity"), or a statement that does (Rust's ``todo!()``, a thrown "not implemented"
  error), where the edit took out lines of code that the new text holds fewer times
  than the old (code moved is not lost; ``return -1`` taken out of one function is,
  though another returns -1 too).  A comment the file already had is not the
  edit's, and one added where nothing was taken out stands for nothing.
- :func:`stubbed`: a Python function whose body had code and is now a stub: ``pass``,
  ``...``, ``raise NotImplementedError`` or a docstring alone (not one the edit made an
  ``@abstractmethod`` or an ``@overload``).
- :func:`js_stubbed`: a JavaScript or TypeScript function whose body had code and is
  now empty, ``{}`` or ``{ return; }`` (comments do not count: ``{ /* ... */ }`` too).

Neither is read where the instruction asks for such a thing (a stub, a placeholder, a
skeleton, a no-op, an abstract method).
"""

from __future__ import annotations

import ast
import re
from collections import Counter
from collections.abc import Sequence

from .jsfunctions import code_of, functions
from .jstokens import Token, is_
from .linediff import line_opcodes
from .pyparameters import defined_functions

#: what a comment line starts and ends with, in the languages the guard reads
_MARKERS = re.compile(r"^(?:\{?\s*/\*+|<!--|//+|#+|--+|;+|%+|\*+)\s*")
_CLOSERS = re.compile(r"\s*(?:\*+/\s*\}?|-->)\s*$")
_ELLIPSIS = r"(?:\.{3,}|…)"
#: placeholder words: an ellipsis-led comment is a stand-in with one of them ("... rest
#: of the code"), not a sentence continued from the line before ("# ...and then retry")
_VOCABULARY = (
    r"existing|rest|remaining|unchanged|omitted|elided|previous|etc|code|snip|"
    r"implementation|body|methods?|functions?|lines|same|as\s+before|keep"
)
#: what a comment says the code it stands for is ("unchanged", "the same")
_AS_IS = (
    r"unchanged|omitted|elided|as\s+(?:is|before)|(?:the\s+)?same|identical|intact|untouched|"
    r"not\s+shown"
)
#: what a stand-in for code says (the comment's text, its markers taken off)
_PLACEHOLDER = re.compile(
    rf"""^(?:
        {_ELLIPSIS}                                     # ...
      | {_ELLIPSIS}.*{_ELLIPSIS}                        # ... existing code ...
      | {_ELLIPSIS}\s*[(\[]?(?:\S+\s+){{0,2}}(?:{_VOCABULARY})\b.*  # ... all other methods
      | \[\s*{_ELLIPSIS}\s*\]                           # [...]
      | [(\[<]\s*(?:the\s+)?(?:rest\s+of\s+(?:the\s+)?|existing\s+|original\s+|previous\s+|
            remaining\s+|other\s+)(?:\w+\s+)?(?:code|implementation|logic|body|file|class|
            functions?|methods?)\s*[)\]>]                # [rest of code], <existing code>
      | (?:the\s+)?rest(?:\s+of\s+(?:the\s+)?\w+)?\s+(?:stays?|remains?|is|are)\s+
            (?:{_AS_IS})\b.*                              # The rest stays the same
      | (?:the\s+|your\s+)?(?:(?:existing|original|previous|other|your)\s+(?:\w+\s+)?)?
            (?:code|implementation|logic)\s+(?:goes\s+)?here\W*  # existing code here
      | (?:TODO|FIXME)\b\W*(?:implement(?:ation)?|fill\s+in)(?:\s+(?:this|me|it|here))?\W*
      | [(\[]?\s*(?:{_ELLIPSIS}\s*)?                     # Rest of the code remains the same
        (?:the\s+)?(?:existing|remaining|previous|original|other|rest\s+of(?:\s+the)?)
        \s+(?:\w+\s+)?(?:code|implementation|methods?|functions?|logic|body|lines|file|
            class|tests?|imports)\b
        .*\b(?:unchanged|goes\s+here|omitted|remains?|as\s+before|(?:the\s+)?same|stays?|
            elided|brevity|not\s+shown|as\s+is|intact|untouched)\b.*
      | (?:code|implementation|body|logic|rest)\s+(?:is\s+)?(?:unchanged|omitted|elided)\b.*
      | .*\b(?:omitted|elided|shortened)\s+for\s+brevity\b.*
      | (?:keep|keeping)\s+(?:the\s+)?(?:existing|rest\s+of\s+the|original)\s+(?:\w+\s+)?
        (?:code|implementation|logic|body|lines)\b.*
      | snip\b.*
    )$""",
    re.IGNORECASE | re.VERBOSE,
)
#: a comment that says no more than that the code is as it was ("(unchanged)", "same as
#: before"): a stand-in on a line of its own, not a block comment's line (``* unchanged.``
#: ends a sentence begun on the line above)
_STATUS = re.compile(
    r"""^[(\[<]?\s*(?:unchanged|no\s+changes?|as\s+before|
        same\s+as\s+(?:before|above|(?:in\s+)?(?:the\s+)?original))\s*[)\]>]?\.?$""",
    re.IGNORECASE | re.VERBOSE,
)
#: a line of code that opens a body, a call's arguments or a collection and holds a
#: comment in it (``function slug(text) { /* ... */ }``, ``run(/* ... */);``, ``ITEMS = [
#: # ... existing entries``): the comment, for the reading of one alone
_INLINE = re.compile(
    r"""^(?P<code>\S.*?[{(\[:])\s*(?:
        /\*+\s*(?P<block>.*?)\s*\*+/\s*[})\]]*\s*[;,]?   # { /* ... */ }
      | (?://+|\#+)\s*(?P<line>.*)                         # {  // ... existing code
    )$""",
    re.VERBOSE,
)
#: a stand-in is short: a comment of more words explains something
_MAX_WORDS = 10
#: a statement that stands in for code in the languages that have one: Rust's
#: ``todo!()``, ``unimplemented!()``; a "not implemented" error thrown (JavaScript,
#: TypeScript, Java, C#, Kotlin, PHP) or a panic (Go)
_STUB_LINE = re.compile(
    r"""^(?:
        (?:todo|unimplemented)!\(.*\)\s*;?
      | throw\s+new\s+[\w.]*(?:Error|Exception)\(\s*["'`](?:todo|not\s+(?:yet\s+)?implemented|
            unimplemented)\b.*\)\s*;?
      | (?:panic|TODO)\(\s*["'`](?:todo|not\s+(?:yet\s+)?implemented|unimplemented)\b.*\)\s*;?
    )$""",
    re.IGNORECASE | re.VERBOSE,
)
#: an instruction that asks for stubs or placeholders
_ASKED = re.compile(
    r"\b(?:placeholders?|stubs?|stubbed|stubbing|elide|elided|elision|skeletons?|scaffold\w*|"
    r"not\s+implemented|NotImplemented\w*|no-?ops?|abstract|do(?:es)?\s+nothing|"
    r"empty\s+(?:the\s+)?(?:body|bodies|function|method)|"
    r"remove\s+(?:the\s+|its\s+)?(?:body|bodies|implementation|logic))\b",
    re.IGNORECASE,
)


def asks_for_placeholders(instruction: str) -> bool:
    """Whether the instruction asks for stubs or placeholders ("stub out", "a no-op",
    "make it abstract", "remove the body"): then neither reading is made."""
    return _ASKED.search(instruction) is not None


def placeholder_line(line: str) -> bool:
    """Whether ``line`` is a comment, or a statement, that stands in for code."""
    text = line.strip()
    if _STUB_LINE.match(text):
        return True
    marker = _MARKERS.match(text)
    if marker is None or not marker.group(0).strip():
        inline = _INLINE.match(text)
        return inline is not None and _stands_in(inline.group("block") or inline.group("line"))
    said = _CLOSERS.sub("", text[marker.end() :]).strip()
    if _STATUS.match(said):
        return not marker.group(0).lstrip().startswith("*")
    return _stands_in(said)


def _stands_in(said: str) -> bool:
    """Whether a comment's text (its markers taken off) reads as a stand-in for code."""
    said = said.strip()
    if not said or len(said.split()) > _MAX_WORDS:
        return False
    return _STATUS.match(said) is not None or _PLACEHOLDER.match(said) is not None


def _code(line: str) -> bool:
    """A line of code: neither blank nor a comment alone."""
    text = line.strip()
    if not text:
        return False
    marker = _MARKERS.match(text)
    return marker is None or not marker.group(0).strip()


def _regions(a: Sequence[str], b: Sequence[str]) -> list[tuple[int, int, int, int]]:
    """The changed regions from ``a`` to ``b`` as (a from, a to, b from, b to): the
    verifier's line diff, changes apart by blank lines alone taken as one."""
    out: list[list[int]] = []
    for _, i1, i2, j1, j2 in line_opcodes(a, b):
        if out and not any(line.strip() for line in a[out[-1][1] : i1]):
            out[-1][1], out[-1][3] = i2, j2  # (apart by blank lines: one region)
        else:
            out.append([i1, i2, j1, j2])
    return [(r[0], r[1], r[2], r[3]) for r in out]


def _held(line: str) -> str:
    """The code a line of the new text holds: a line with a stand-in in it
    (``function slug(text) { /* ... */ }``) holds what comes before the comment."""
    text = line.strip()
    inline = _INLINE.match(text)
    if inline is not None and _stands_in(inline.group("block") or inline.group("line")):
        return inline.group("code").strip()
    return text


def placeholders(old: str, new: str) -> list[tuple[int, str, int]]:
    """(0-based line in ``new``, the comment, lines of code it stands for) for each
    comment of the edit's that stands in for code it took out (see the module)."""
    a, b = old.splitlines(), new.splitlines()
    had = {line.strip() for line in a}
    candidates = [
        j for j, line in enumerate(b) if line.strip() not in had and placeholder_line(line)
    ]
    if not candidates:
        return []
    # a line taken out is lost where the new text holds it fewer times than the old
    # (``return -1`` taken out of one function is lost though another returns -1 too)
    short = Counter(line.strip() for line in a if _code(line))
    short.subtract(_held(line) for line in b if _code(line))
    out: list[tuple[int, str, int]] = []
    for i1, i2, j1, j2 in _regions(a, b):
        inside = [j for j in candidates if j1 <= j < j2]
        gone = 0
        for line in a[i1:i2]:
            if _code(line) and short[line.strip()] > 0:
                short[line.strip()] -= 1
                gone += 1
        if inside and gone:
            out.append((inside[0], b[inside[0]].strip(), gone))
    return out


def _docstring(node: ast.stmt) -> bool:
    return (
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
    )


def _stub(node: ast.stmt) -> str | None:
    """What a stub statement is (``pass``, ``...``, ``raise NotImplementedError``)."""
    if isinstance(node, ast.Pass):
        return "pass"
    if (
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Constant)
        and node.value.value is Ellipsis
    ):
        return "..."
    if isinstance(node, ast.Raise) and node.exc is not None:
        exc = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
        if isinstance(exc, ast.Name) and exc.id == "NotImplementedError":
            return "raise NotImplementedError"
    return None


def _body(node: ast.FunctionDef | ast.AsyncFunctionDef) -> list[ast.stmt]:
    body = node.body
    return body[1:] if body and _docstring(body[0]) else body


def _declared_only(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """An ``@abstractmethod`` or an ``@overload``: its body is meant to be a stub."""
    for d in node.decorator_list:
        name = d.attr if isinstance(d, ast.Attribute) else getattr(d, "id", "")
        if name in ("abstractmethod", "overload", "abstractproperty"):
            return True
    return False


def _now_a_stub(node: ast.FunctionDef | ast.AsyncFunctionDef) -> str | None:
    body = _body(node)
    if not body:
        return "a docstring alone"
    return _stub(body[0]) if len(body) == 1 else None


def stubbed(old: str, new: str) -> list[tuple[str, int, str]]:
    """(function path, its 0-based ``def`` line in ``new``, what its body is now) for each
    function of a Python text whose body had code and is a stub after the edit; a
    function defined more than once is matched in order where the edit keeps as many
    of it, and one the edit made an ``@abstractmethod`` or an ``@overload`` is not read."""
    after = defined_functions(new)
    if not after or not any(_now_a_stub(n) for nodes in after.values() for n in nodes):
        return []
    before = defined_functions(old) or {}
    out: list[tuple[str, int, str]] = []
    for path, nodes in after.items():
        had = before.get(path, [])
        if len(had) != len(nodes):
            continue  # (one added or taken away: which is which is not known)
        for was, node in zip(had, nodes):
            what = _now_a_stub(node)
            if what is None or (_declared_only(node) and not _declared_only(was)):
                continue
            if any(_stub(s) is None for s in _body(was)):
                out.append((path, node.lineno - 1, what))
    return out


def js_stubbed(old: str, new: str) -> list[tuple[str, int, str]]:
    """(function name, its 0-based line in ``new``, what its body is now) for each
    JavaScript or TypeScript function (:func:`.jsfunctions.functions`: found by name)
    whose body had code and is empty after the edit, ``{}`` or ``{ return; }``, its
    parameters as they were (in minified code a name and its function change from one
    build to the next; a parameter an edit drops the definitions guard reads); a name
    defined more than once is matched in order where the edit keeps as many of it.
    Nothing where either text cannot be read."""
    after_code = code_of(new)
    if after_code is None:
        return []
    after = functions(after_code)
    empty = {
        name: [_js_empty(after_code, o, end) for _, o, end in fns] for name, fns in after.items()
    }
    if not any(any(e) for e in empty.values()):
        return []
    before_code = code_of(old)
    if before_code is None:
        return []
    before = functions(before_code)
    out: list[tuple[str, int, str]] = []
    for name, fns in after.items():
        had = before.get(name, [])
        if len(had) != len(fns):
            continue  # (one added or taken away: which is which is not known)
        for (was_params, was_o, was_end), (params, o, end), now in zip(had, fns, empty[name]):
            if now and params == was_params and not _js_empty(before_code, was_o, was_end):
                out.append((name, after_code[o].line, now))
    return out


def _js_empty(code: Sequence[Token], o: int, end: int) -> str:
    """What the body ``code[o:end]`` (its braces too) is where it does nothing: ``{}``,
    ``{ return; }``; else ""."""
    inner = code[o + 1 : end - 1]
    if not inner:
        return "{}"
    if is_(inner[0], "return") and (len(inner) == 1 or (len(inner) == 2 and is_(inner[1], ";"))):
        return "{ return; }"
    return ""
