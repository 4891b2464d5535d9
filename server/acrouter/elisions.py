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
  now empty, ``{}`` or ``{ return; }`` (comments do not count: ``{ /* ... */ }`` too);
  :func:`brace_stubbed` the same in Go, Rust, C and C++, Java, Kotlin, C# and PHP, read
  from the language's code view (a ``void`` function emptied compiles, and where no
  test calls it every test passes); :func:`ruby_stubbed` a Ruby method whose ``end``
  now follows its ``def``; :func:`perl_stubbed` a Perl ``sub`` now ``{}`` or ``{
  return; }``.

None is read where the instruction asks for such a thing (a stub, a placeholder, a
skeleton, a no-op, an abstract method).
"""

from __future__ import annotations

import ast
import re
from collections import Counter
from collections.abc import Callable, Sequence

from .domain import document_lines
from .jsfunctions import code_of, functions
from .jstokens import Token, is_
from .linediff import line_opcodes
from .pyparameters import defined_functions
from .rubydefinitions import code_lines

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


#: words a statement starts with whose block follows a condition written without
#: parentheses (Go, Rust) or with them
_STATEMENTS = frozenset(
    ["if", "else", "for", "while", "loop", "switch", "select", "match", "catch", "foreach"]
    + ["using", "lock", "fixed", "synchronized", "when", "return", "do", "try", "defer", "go"]
)
#: words before ``(`` that name no function: a statement's, or an anonymous function's
_NO_FUNCTION = _STATEMENTS | frozenset(
    ["func", "function", "fun", "fn", "new", "sizeof", "typeof", "await", "yield", "use"]
)
_BRACE_MARKS = re.compile(r"[\n;{}]")
_NAME_BEFORE_PAREN = re.compile(r"([A-Za-z_$][\w$]*)\s*(?:<[^()]*>)?\s*\(")


def _function_name(key: str) -> str | None:
    """The name of the function the code before a ``{`` (whitespace collapsed) declares,
    or None: a name before a parameter list that no keyword like ``if`` or ``func`` is, nothing
    assigned outside the parentheses, not a lambda's arrow (Go's ``func (s *S) Close()``:
    the receiver's parentheses follow ``func``, the name is ``Close``)."""
    words = key.split(maxsplit=1)
    if key.endswith(("->", "=>")) or ")" not in key or words[0] in _STATEMENTS:
        return None  # (``if f(x) {``, ``for x in f(y) {``: Go's and Rust's conditions)
    depth, outside = 0, []
    for c in key:
        depth += c == "("
        depth -= c == ")"
        if depth == 0:
            outside.append(c)
    if "=" in "".join(outside).replace("==", "").replace("=>", "").replace("->", ""):
        return None
    for m in _NAME_BEFORE_PAREN.finditer(key):
        name = m.group(1)
        if name in ("func", "function"):
            continue  # (Go's receiver follows ``func``; an anonymous function: no name)
        before = key[: m.start()]
        called = before.endswith(".")  # (a call: ``items.each(x) {``, ``x?.let(y) {``)
        function = name not in _NO_FUNCTION and not called
        return name if function and not before.rstrip().endswith("new") else None
    return None


def _header(code: str) -> str:
    """The header of the brace that ``code`` (the code since the last ``;``, ``{`` or
    ``}``) ends at, whitespace collapsed: from the start of the line where the last
    parenthesised group opens (a parameter list over several lines, a brace on a line
    of its own), not the statements before it that end with no ``;`` (Go, Kotlin)."""
    end = code.rfind(")")
    depth, start = 0, len(code)
    for k in range(end, -1, -1):
        depth += (code[k] == ")") - (code[k] == "(")
        if depth == 0:
            start = k
            break
    return " ".join(code[code.rfind("\n", 0, start) + 1 :].split())


def _brace_bodies(view: Sequence[str]) -> list[tuple[str, str, int, str]]:
    """(the function's header, :func:`_header`; its name; the 0-based line of the ``{``;
    what its body is when it does nothing, ``{}`` or ``{ return; }``, or "code" where
    it has some) for each brace pair of a code view (comments out, strings emptied)
    whose header declares a function."""
    text = "\n".join(view)
    out: list[tuple[str, str, int, str]] = []
    opened: list[tuple[int, str, int]] = []  # each open brace: where, header, line
    line, last = 0, 0  # where the code since the last ; { } starts
    for m in _BRACE_MARKS.finditer(text):
        i, c = m.start(), m.group()
        if c == "\n":
            line += 1
        elif c == ";":
            last = i + 1
        elif c == "{":
            opened.append((i, _header(text[last:i]), line))
            last = i + 1
        elif c == "}":
            if opened:
                at, key, where = opened.pop()
                name = _function_name(key)
                if name is not None:
                    body = " ".join(text[at + 1 : i].split())
                    what = (
                        "{}"
                        if not body
                        else "{ return; }"
                        if body in ("return;", "return")
                        else "code"
                    )
                    out.append((key, name, where, what))
            last = i + 1
    return out


def brace_stubbed(
    old: str, new: str, view: Callable[[str], Sequence[str]]
) -> list[tuple[str, int, str]]:
    """(function name, its ``{``'s 0-based line in ``new``, what its body is now) for
    each function of a brace language (Go, Rust, C and C++, Java, Kotlin, C#, PHP; read
    from ``view``, the language's code view) whose body had code and is ``{}`` or ``{
    return; }`` after the edit, its header as it was (from the line its parameter list
    opens on); a header written more than once is matched in order where the edit keeps
    as many of it."""
    after = _brace_bodies(view(new))
    if not any(what != "code" for *_, what in after):
        return []
    return _stubs_matched(_brace_bodies(view(old)), after)


def _stubs_matched(
    before: list[tuple[str, str, int, str]], after: list[tuple[str, str, int, str]]
) -> list[tuple[str, int, str]]:
    """(name, line, what its body is now) for each (header, name, line, what) of
    ``after`` that does nothing where the same header's body in ``before`` had code,
    headers written more than once matched in order where both have as many."""
    had: dict[str, list[str]] = {}
    for key, _, _, what in before:
        had.setdefault(key, []).append(what)
    now: dict[str, list[tuple[str, int, str]]] = {}
    for key, name, line, what in after:
        now.setdefault(key, []).append((name, line, what))
    out: list[tuple[str, int, str]] = []
    for key, found in now.items():
        was = had.get(key, [])
        if len(was) != len(found):
            continue
        for old_what, (name, line, what) in zip(was, found):
            if what != "code" and old_what == "code":
                out.append((name, line, what))
    return out


_RUBY_DEF = re.compile(r"^(\s*)def\s+((?:self\.)?[\w.]+[?!=]?)")


def _ruby_defs(text: str) -> list[tuple[str, str, int, str]]:
    """(header, name, 0-based line, "{}" where the body is empty else "code") for each
    ``def`` of a Ruby text (read from :func:`.rubydefinitions.code_lines`, comments not
    code): an empty body is an ``end`` on the next code line at the ``def``'s indent (after
    its parameters, where they go on over lines), or ``def f; end``; an endless method
    (``def f(x) = x * 2``) has none."""
    lines = code_lines(text)
    out: list[tuple[str, str, int, str]] = []
    for i, line in enumerate(lines):
        m = _RUBY_DEF.match(line)
        if m is None:
            continue
        rest = line[m.end() :]
        if re.match(r"\s*(?:\([^()]*\))?\s*=(?!=)", rest):
            continue  # (an endless method)
        if re.search(r";\s*end\s*$", line):
            head, _, body = line.strip().partition(";")
            what = "{}" if not body.strip().removesuffix("end").strip(" ;") else "code"
            out.append((head.strip(), m.group(2), i, what))
            continue
        j = i + 1
        depth = rest.count("(") - rest.count(")") if rest.lstrip().startswith("(") else 0
        while depth > 0 and j < len(lines):  # (parameters over several lines)
            depth += lines[j].count("(") - lines[j].count(")")
            j += 1
        while j < len(lines) and (not lines[j].strip() or lines[j].lstrip().startswith("#")):
            j += 1
        empty = j < len(lines) and lines[j].strip() == "end" and lines[j].startswith(m.group(1))
        indent = len(lines[j]) - len(lines[j].lstrip()) if j < len(lines) else -1
        empty = empty and indent == len(m.group(1))
        out.append((line.strip(), m.group(2), i, "{}" if empty else "code"))
    return out


def ruby_stubbed(old: str, new: str) -> list[tuple[str, int, str]]:
    """(method name, its ``def``'s 0-based line in ``new``, "an empty body") for each Ruby
    method whose body had code and is empty after the edit, its ``def`` line as it was
    (matched in order where the edit keeps as many of it)."""
    after = _ruby_defs(new)
    if not any(what != "code" for *_, what in after):
        return []
    return [
        (name, line, "an empty body") for name, line, _ in _stubs_matched(_ruby_defs(old), after)
    ]


#: a Perl ``sub`` with a name (group 2), its prototype or signature and attributes, and
#: what follows them on its line (group 3: its body's ``{`` and more, or nothing)
_PERL_SUB = re.compile(
    r"^(\s*)sub\s+([A-Za-z_][\w:]*)\s*(?:\([^()]*\)\s*)?(?::\s*\w+(?:\([^()]*\))?\s*)*(\{.*)?$"
)
_PERL_SKIPPED = re.compile(r"^=[a-zA-Z]")  # POD, to ``=cut``


def perl_code(text: str) -> list[str]:
    """The lines of a Perl text with its POD, what follows ``__END__`` or ``__DATA__``
    and its ``#`` comments blank (a ``#`` inside a string or a pattern cuts its line
    short: the readers of this view look for a sub's braces and whether its body has
    code, which such a line has before its ``#``)."""
    out: list[str] = []
    pod = ended = False
    for line in document_lines(text):
        if ended:
            out.append("")
            continue
        if pod:
            pod = not line.startswith("=cut")
            out.append("")
            continue
        if _PERL_SKIPPED.match(line):
            pod = not line.startswith("=cut")
            out.append("")
            continue
        if re.match(r"__(?:END|DATA)__\s*$", line):
            ended = True
            out.append("")
            continue
        out.append(re.sub(r"(?:^|(?<=\s))#.*", "", line).rstrip())
    return out


def _perl_subs(text: str) -> list[tuple[str, str, int, str]]:
    """(header, name, 0-based line, "{}" / "{ return; }" where the body does nothing
    else "code") for each named ``sub`` of a Perl text whose body's end is found: on its
    line (``sub f { ... }``), or a ``}`` alone at the ``sub``'s indent below it (its
    ``{`` on the ``sub``'s line or alone on the next)."""
    lines = perl_code(text)
    out: list[tuple[str, str, int, str]] = []
    for i, line in enumerate(lines):
        m = _PERL_SUB.match(line)
        if m is None:
            continue
        indent, rest = m.group(1), m.group(3)
        header = " ".join(line[: m.start(3)].split()) if rest else " ".join(line.split())
        if rest is None:  # (``sub f`` and its ``{`` alone on the next line)
            if i + 1 >= len(lines) or lines[i + 1].strip() != "{":
                continue
            body_start, rest = i + 2, ""
        else:
            inner = rest[1:]
            if inner.rstrip().endswith("}") and inner.count("{") == inner.count("}") - 1:
                out.append((header, m.group(2), i, _perl_what(inner.rstrip()[:-1])))
                continue
            body_start, rest = i + 1, inner
        end = next(
            (
                k
                for k in range(body_start, len(lines))
                if lines[k].strip() in ("}", "};") and lines[k].startswith(indent + "}")
            ),
            None,
        )
        if end is not None:
            body = " ".join([rest, *lines[body_start:end]])
            out.append((header, m.group(2), i, _perl_what(body)))
    return out


def _perl_what(body: str) -> str:
    words = " ".join(body.split())
    if not words:
        return "{}"
    return "{ return; }" if words in ("return;", "return") else "code"


def perl_stubbed(old: str, new: str) -> list[tuple[str, int, str]]:
    """(sub name, its ``sub``'s 0-based line in ``new``, what its body is now) for each
    named Perl ``sub`` whose body had code and is ``{}`` or ``{ return; }`` after the
    edit, its header as it was (matched in order where the edit keeps as many of it)."""
    after = _perl_subs(new)
    if not any(what != "code" for *_, what in after):
        return []
    return _stubs_matched(_perl_subs(old), after)
