"""The tokens of a JavaScript or TypeScript file, read only where they are certain.

The rename rule for JS/TS tests (:mod:`acrouter.verifier.jsrenames`) compares two test files token for
token, so a token misread is a change it could miss: a regular expression read as a
division would show the words inside it as names, and renaming one would change what
the pattern matches.  So this reader refuses (returns None) wherever JavaScript's
grammar needs more than the tokens before it to decide:

- a ``/`` after ``)`` or ``}`` (a division after ``(a + b)``, a regular expression after
  ``if (x)``), and after a keyword that ends no expression other than those known;
- a ``<`` where an expression starts (JSX, or a TypeScript type assertion ``<T>x``):
  JSX text is not made of tokens;
- a backslash outside a string (``\\u0061dd`` is ``add``), a character outside ASCII
  outside strings and comments, a ``#`` (private names), HTML-like comments (``<!--``);
- anything unterminated (a string, a comment, a template, a regular expression), an
  unbalanced bracket.

What it reads: names, numbers, punctuators, strings (``'…'``, ``"…"``), template
literals with their ``${…}`` substitutions read as tokens, regular expressions where
an expression starts, comments (``//``, ``/* */``).  Each token records whether a line
break comes before it: where a line breaks can change what a JavaScript statement means
(automatic semicolon insertion: ``return\\nx``).
"""

from __future__ import annotations

import re

import attrs

from .pytrees import cached

NAME, PUNCT, NUMBER, STRING, TEMPLATE, REGEX, COMMENT = (
    "name",
    "punct",
    "number",
    "string",
    "template",
    "regex",
    "comment",
)

#: keywords after which an expression starts (a ``/`` there begins a regular expression);
#: not "of", "yield", "await", which are names too outside a loop's head, a generator, a
#: module ("const of = 6; of / add(2) / 1" divides): after them a ``/`` is refused
_EXPRESSION_KEYWORDS = frozenset(
    "return typeof instanceof in new delete void throw case do else extends".split(),  # noqa: SIM905
)
#: names that end an expression like any other name (``this / 2``)
_VALUE_KEYWORDS = frozenset(["this", "super", "null", "true", "false", "undefined"])
#: every reserved word of JavaScript and TypeScript's own: not names a rename can take
KEYWORDS = frozenset(
    """break case catch class const continue debugger default delete do else enum
    export extends false finally for function if import in instanceof new null
    return super switch this throw true try typeof var void while with yield let
    static implements interface package private protected public await async of get
    set as from abstract declare readonly namespace module type keyof infer is
    satisfies unique override accessor asserts any unknown never object string
    number boolean bigint symbol undefined""".split(),  # noqa: SIM905 (a word list)
)

_PUNCTUATORS = sorted(
    """>>>= ... === !== **= <<= >>= >>> &&= ||= ??= => == != <= >= && || ?? ?. ++ --
    += -= *= /= %= &= |= ^= ** << >> { } ( ) [ ] ; , < > + - * / % & | ^ ! ~ ? : = .
    @""".split(),  # noqa: SIM905
    key=len,
    reverse=True,
)
_PUNCT_RE = re.compile("|".join(map(re.escape, _PUNCTUATORS)))
_NAME_RE = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*")
#: a name as the lenient reading takes it: JavaScript's identifiers are Unicode (``{ 県:
#: '大阪府' }``, ``const café``)
_UNICODE_NAME_RE = re.compile("(?:[^\\W\\d]|\\$)(?:\\w|\\$|\u200c|\u200d)*")
_NUMBER_RE = re.compile(
    r"(?:0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|(?:\d[\d_]*\.?[\d_]*|\.\d[\d_]*)"
    r"(?:[eE][+-]?\d[\d_]*)?)n?"
)
_LINE_END_RE = re.compile("[\n\r\u2028\u2029]")
#: white space, Unicode's spaces too (JavaScript's ``Zs``)
_SPACE_RE = re.compile("[ \t\f\v\r\n\u00a0\ufeff\u1680\u2000-\u200a\u202f\u205f\u3000]*")
_CLOSERS = {")": "(", "]": "[", "}": "{"}


@attrs.frozen
class Token:
    kind: str
    text: str
    newline_before: bool
    #: the 0-based line the token starts on (not compared: the same tokens on other lines
    #: are the same tokens)
    line: int = attrs.field(default=0, eq=False)


def _breaks(text: str) -> int:
    """How many line breaks ``text`` holds (``\r\n`` is one)."""
    n = text.count("\n")
    if "\r" in text:
        n += text.count("\r") - text.count("\r\n")
    if "\u2028" in text or "\u2029" in text:
        n += text.count("\u2028") + text.count("\u2029")
    return n


def _regex_allowed(prev: Token | None, before: Token | None) -> bool | None:
    """Whether a ``/`` after ``prev`` (after ``before``) begins a regular expression
    (True) or divides (False); None where the tokens before cannot tell."""
    if prev is None:
        return True
    if prev.kind == NAME and before is not None and before.text in (".", "?."):
        return False  # a property's name, even one spelt as a keyword (x.in / 2)
    if prev.kind == NAME:
        if prev.text in _EXPRESSION_KEYWORDS:
            return True
        if prev.text in KEYWORDS and prev.text not in _VALUE_KEYWORDS:
            return None
        return False
    if prev.kind == TEMPLATE and prev.text.endswith("${"):
        return True  # a substitution starts an expression: `${/add/.source}`
    if prev.kind in (NUMBER, STRING, TEMPLATE, REGEX):
        return False
    if prev.text in (")", "}", "++", "--"):
        return None
    return prev.text != "]"


def _line_end(text: str, i: int) -> int:
    """Where the line that ``text[i]`` is on ends: at a line terminator of
    JavaScript's (a lone ``\\r`` too: ``// c\\rrun()`` runs), or the end."""
    m = _LINE_END_RE.search(text, i)
    return m.start() if m else len(text)


def _string_end(text: str, i: int) -> int | None:
    """The end of the string starting at ``text[i]`` (a quote); None if unterminated."""
    quote, j = text[i], i + 1
    while j < len(text):
        c = text[j]
        if c == "\\":
            j += 2
            continue
        if c == quote:
            return j + 1
        if c in "\n\r\u2028\u2029":
            return None
        j += 1
    return None


def _regex_end(text: str, i: int) -> int | None:
    """The end of the regular expression starting at ``text[i]`` (a ``/``), with its
    flags; None if unterminated."""
    j, in_class = i + 1, False
    while j < len(text):
        c = text[j]
        if c in "\n\r\u2028\u2029":
            return None
        if c == "\\":
            j += 2
            continue
        if c == "[":
            in_class = True
        elif c == "]":
            in_class = False
        elif c == "/" and not in_class:
            m = _NAME_RE.match(text, j + 1)
            return m.end() if m else j + 1
        j += 1
    return None


def _template_part(text: str, i: int) -> tuple[int, bool] | None:
    """From just after a backtick or a substitution's ``}``: the end of the template's
    text and whether a substitution (``${``) follows; None if unterminated."""
    j = i
    while j < len(text):
        c = text[j]
        if c == "\\":
            j += 2
            continue
        if c == "`":
            return j + 1, False
        if text.startswith("${", j):
            return j + 2, True
        j += 1
    return None


def _token(
    text: str,
    i: int,
    prev: Token | None,
    before: Token | None,
    stack: list[str],
    lenient: bool = False,
) -> tuple[int, str] | None:
    """The end and kind of the token at ``text[i]`` (after ``prev``, after ``before``;
    ``stack``: the brackets open, updated), or None where it is not read with certainty.
    ``lenient`` guesses where certainty is not to be had (see :func:`tokens`)."""
    c = text[i]
    if text.startswith("//", i):
        return _line_end(text, i), COMMENT
    if text.startswith("/*", i):
        end = text.find("*/", i + 2)
        return None if end < 0 else (end + 2, COMMENT)
    if c in "'\"":
        quoted = _string_end(text, i)
        return None if quoted is None else (quoted, STRING)
    if c == "`" or (c == "}" and stack and stack[-1] == "${"):
        part = _template_part(text, i + 1)
        if part is None:
            return None
        if c == "}":
            stack.pop()
        if part[1]:
            stack.append("${")
        return part[0], TEMPLATE
    allowed = _regex_allowed(prev, before) if c in "/<" else False
    if allowed is None and lenient:  # a keyword starts an expression; ")" or "}" ends one
        allowed = prev is not None and prev.kind == NAME
    if c == "/" and allowed is not False:
        pattern = _regex_end(text, i) if allowed else None
        if pattern is not None:
            return pattern, REGEX
        if not lenient:
            return None
        allowed = False  # no regular expression ends on this line: a division (x! / 2)
    if c.isdigit() or (c == "." and text[i + 1 : i + 2].isdigit()):
        m = _NUMBER_RE.match(text, i)
        end = m.end() if m else i
        follows = text[end : end + 1]
        return None if follows and (follows.isalnum() or follows in "_$\\") else (end, NUMBER)
    if m := (_UNICODE_NAME_RE if lenient else _NAME_RE).match(text, i):
        follows = text[m.end() : m.end() + 1]
        unread = follows == "\\" or not (lenient or follows.isascii())
        return None if follows and unread else (m.end(), NAME)
    if lenient and c == "#" and (m := _NAME_RE.match(text, i + 1)):
        return m.end(), NAME  # a private name, #count
    m = _PUNCT_RE.match(text, i)
    if m is None:
        return None  # a backslash, "#", a character outside ASCII: not read here
    word = m.group()
    if text.startswith("<!--", i) or (word == "<" and not lenient and allowed is not False):
        return None  # JSX or a type assertion where an expression starts; a comment
    if word in ("(", "[", "{"):
        stack.append(word)
    elif word in _CLOSERS and (not stack or stack.pop() != _CLOSERS[word]):
        return None
    return m.end(), PUNCT


def lenient_tokens(text: str) -> list[Token] | None:
    """``tokens(text, lenient=True)``, read once per text inside ``shared_trees()`` (the
    guard's scope: its readers of functions and definitions share it); the list must not
    be changed."""
    return cached("js.tokens.lenient", text, lambda: tokens(text, lenient=True))


def tokens(text: str, *, lenient: bool = False) -> list[Token] | None:
    """The tokens of ``text`` (see the module docstring), or None where it cannot read
    them with certainty.  ``lenient`` reads more files and may misread a few: a ``/``
    the tokens before cannot decide divides after ``)`` or ``}`` and starts a regular
    expression after a keyword, one that starts no regular expression ending on its line
    divides (TypeScript's ``count! / 2``), a ``<`` is an operator, ``#name`` a name (for the
    definitions guard, which compares two readings of one file by the same rules and
    falls back to line patterns where either is refused)."""
    text = text.removeprefix("\ufeff")
    if text.startswith("#!"):  # a hashbang line: its terminator stays, and counts
        text = text[_line_end(text, 0) :]
    out: list[Token] = []
    stack: list[str] = []  # open brackets; "${" for a template's substitution
    i, newline, line = 0, False, 0
    prev: Token | None = None  # the last two tokens that are not comments
    before: Token | None = None
    while True:
        m = _SPACE_RE.match(text, i)
        assert m is not None
        space = m.group()
        if space:
            newline = newline or "\n" in space or "\r" in space
            line += _breaks(space)
        i = m.end()
        if i >= len(text):
            break
        found = _token(text, i, prev, before, stack, lenient)
        if found is None:
            return None
        end, kind = found
        if kind == PUNCT and text.startswith("-->", i) and newline:
            return None  # an HTML-like closing comment at the start of a line
        out.append(Token(kind, text[i:end], newline, line))
        line += _breaks(text[i:end])
        if kind != COMMENT:
            prev, before = out[-1], prev
        i, newline = end, False
    return None if stack else out


# Walking the tokens: brackets and angle brackets (for the definitions guard's readers,
# :mod:`acrouter.jsdefinitions` and :mod:`acrouter.jsparameters`).


def opens(t: Token) -> bool:
    """``(``, ``[``, ``{``, or a template part that opens a substitution (``${``)."""
    return (
        t.kind == PUNCT
        and t.text in ("(", "[", "{")
        or (t.kind == TEMPLATE and t.text.endswith("${"))
    )


def closes(t: Token) -> bool:
    """``)``, ``]``, ``}``, or a template part that closes a substitution (its ``}``)."""
    return (
        t.kind == PUNCT
        and t.text in (")", "]", "}")
        or (t.kind == TEMPLATE and t.text.startswith("}"))
    )


def close(code: list[Token], i: int) -> int:
    """The index just past the bracket that closes the one at ``code[i]``."""
    depth = 0
    for j in range(i, len(code)):
        t = code[j]
        if closes(t):
            depth -= 1
            if depth == 0 and not opens(t):
                return j + 1
        if opens(t):
            depth += 1
    return len(code)


def is_(t: Token | None, *texts: str) -> bool:
    """Whether ``t`` is a name or a punctuator among ``texts``."""
    return t is not None and t.kind in (NAME, PUNCT) and t.text in texts


def angles(t: Token) -> int:
    """The angle brackets ``t`` opens less those it closes (``<``, ``>``, ``>>``)."""
    if t.kind != PUNCT or t.text in ("=>", "<=", ">="):
        return 0
    return t.text.count("<") - t.text.count(">")
