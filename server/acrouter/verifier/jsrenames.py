"""A rename across JavaScript/TypeScript code and its tests: the rule of :mod:`.renames`
for jest, vitest, mocha and ``node --test`` files.

A test file's change is a renaming when, on the tokens (:mod:`.jstokens`, which refuses
what it cannot read with certainty: a ``/`` that may be a regular expression, JSX, ...):

- every token of the new file is the old one's, in order, with a line break before it
  where there was one (automatic semicolon insertion reads line breaks), except names
  ``a`` -> ``σ(a)``; strings (test names, module specifiers, ``jest.mock('./calc')``),
  numbers, template text and regular expressions never change;
- each ``a`` is defined in a code file of the edit before (a top-level ``function``,
  ``class``, ``const``/``let``/``var``, with or without ``export``/``export default``; a
  ``function`` or ``exports.a =`` at the start of a line, as in a module wrapped in a
  function) and appears nowhere in those files after, not even as a property or a word
  in a string (``seen.add(x)``, ``defineProperty(exports, 'add', ...)``, ``export {
  plus as add }``; a comment may keep it); ``σ(a)`` is defined there after and appears
  nowhere in them before.  Methods are not definitions here: a method is reached
  through an object whose type the tokens do not show (``calc.add()`` may be a
  ``Set``'s), so a renamed method takes the stricter path;
- ``σ(a)`` does not occur in the old test file, not even as a word in a string or a
  comment (test ids are translated back by word), and no two names become one;
- neither name is a keyword, a global of JavaScript, node or a browser, a name of the
  test frameworks (``describe``, ``it``, ``expect``, ``jest``, ``vi``, ``context``...)
  or of their matchers (``toBe``...): a test that names one means the harness's;
- every reference to ``a`` in the test file is renamed, and ``a`` is bound at the test
  file's top level (imported from a relative module, or declared: ``const``, ``var x =
  1, a = 2``, ``function``; bound only inside a function, it is a global elsewhere), never
  a global: an alpha-renaming, which keeps what each name refers
  to.  Nothing that is a property's name is renamed, except a name imported from the
  code (``import { a } from './calc'``, ``const { a } = require('./calc')``) or read
  from a namespace of it (``calc.a`` after ``import * as calc from './calc'`` or ``const
  calc = require('./calc')``; the module specifier relative, and ``calc`` never bound
  again nor used but to read its properties), and then every such ``calc.a`` is
  renamed (one left would read a property the code no longer has).  So ``s.add(1)`` on
  a ``Set``, ``assert.strictEqual``, an object literal's key (``{ add: 1 }``, ``{ add()
  {} }``, ``jest.mock(..., () => ({ add: jest.fn() }))``), a class member, a
  destructured parameter (vitest's fixtures are found by name) or a label keep their
  names, or the file is no renaming; a name in an object literal's value is a
  reference (``{ run: () => add(1) }``), and a shorthand property (``{ add }``, a key
  and a reference at once) makes the file no renaming; so does the name anywhere else
  in a pattern or a list that is not the code's (``const { add } = o``, ``const { x =
  add } = o``, ``import { a as add } from 'lib'``: a binding or a reading this rule
  does not follow), in a class body but as a member's name (``run = () => add(1)``)
  or before a ``:`` that is no object's (a label, ``c ? 1 + add : 0``);
- comments follow the rename or stay, except directives (``@jest-environment``,
  ``@ts-...``, ``///``, ``//#``), which never change; a file using ``eval`` or ``with``
  is no renaming (names there are looked up at run time).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import PurePosixPath

from ..definitions import defined_names
from .jstokens import COMMENT, KEYWORDS, NAME, PUNCT, STRING, TEMPLATE, Token, tokens

JS_SUFFIXES = frozenset({".js", ".mjs", ".cjs", ".jsx", ".ts", ".mts", ".cts", ".tsx"})

#: names a JS/TS test means as the language's, the host's or the harness's
RESERVED = KEYWORDS | frozenset(
    """Object Array JSON Math Promise Reflect Proxy Symbol String Number Boolean BigInt
    Date RegExp Error TypeError RangeError SyntaxError ReferenceError EvalError
    URIError AggregateError Map Set WeakMap WeakSet WeakRef Function Intl
    ArrayBuffer DataView Int8Array Uint8Array Uint8ClampedArray Int16Array
    Uint16Array Int32Array Uint32Array Float32Array Float64Array BigInt64Array
    BigUint64Array SharedArrayBuffer Atomics globalThis global window self document
    navigator location history console process require module exports __dirname
    __filename Buffer URL URLSearchParams TextEncoder TextDecoder AbortController
    AbortSignal Event EventTarget fetch Request Response Headers FormData Blob File
    setTimeout clearTimeout setInterval clearInterval setImmediate clearImmediate
    queueMicrotask structuredClone atob btoa performance crypto NaN Infinity isNaN
    isFinite parseInt parseFloat encodeURI decodeURI encodeURIComponent
    decodeURIComponent escape unescape eval arguments constructor prototype
    __proto__ toString valueOf toJSON then catch finally hasOwnProperty
    isPrototypeOf call apply bind caller callee describe it test suite context setup
    teardown suiteSetup suiteTeardown specify before after beforeEach afterEach
    beforeAll afterAll xit xdescribe xtest fit fdescribe only skip todo each
    concurrent expect assert should chai sinon jest vi vitest mocha mock spyOn fn t
    done""".split(),  # noqa: SIM905 (a word list)
)
#: a name starting so is the harness's: expect's matchers (toBe, toEqual, toHaveBeenCalled,
#: ...), and what a matcher chain reads (resolves, rejects, not)
_RESERVED_PREFIX = re.compile(r"^(to[A-Z]|mock[A-Z]|resolves$|rejects$|not$|assert[A-Z_]?)")

_DIRECTIVE = re.compile(r"@|^///|^//#|^/\*#")
_MEMBER_DOT = (".", "?.")
#: what may come before a class member's name
_MODIFIERS = frozenset(
    """static get set async * readonly public private protected declare override
    accessor abstract""".split(),  # noqa: SIM905 (a word list)
)
#: keywords a block follows (catch without a binding: ``} catch {``)
_BLOCK_KEYWORDS = frozenset({"else", "try", "catch", "finally", "do"})
_BLOCK_AFTER = frozenset({";", "{", "}", ")", "=>", "]"})
_WORD = r"(?<![\w$]){}(?![\w$])"


def is_js(rel: str) -> bool:
    return PurePosixPath(rel.replace("\\", "/")).suffix.lower() in JS_SUFFIXES


def _reserved(name: str) -> bool:
    return name in RESERVED or bool(_RESERVED_PREFIX.match(name)) or name.startswith("__")


#: a function declared (at any depth: a module wrapped in a function declares its
#: functions there), or a name exported through ``exports``, at the start of a line
_DECLARED = re.compile(
    r"(?m)^[ \t]*(?:(?:export\s+)?(?:async\s+)?function\s*\*?\s*([A-Za-z_$][\w$]*)\s*\("
    r"|(?:module\.)?exports\.([A-Za-z_$][\w$]*)\s*=(?!=))"
)


def _defined(text: str, rel: str) -> set[str]:
    """The names a code file defines: its top-level definitions, its functions and its
    ``exports.NAME =``.  (Read from lines: one in a comment or a string counts too, which
    can only make a rename's new name look defined when it is not, and the renamed tests
    then fail, or its old name look defined before, which counts only when the name is
    gone from the code after.)"""
    found = {a or b for a, b in _DECLARED.findall(text)}
    return defined_names(text, rel) | found


def _mentioned(text: str) -> set[str]:
    """Every name a code file may use or define: its names and the words of its strings
    (``Object.defineProperty(exports, 'add', ...)``), not of its comments; or, in a file
    the tokenizer cannot read, every word of it."""
    toks = tokens(text)
    words = [t.text for t in toks if t.kind != COMMENT] if toks is not None else [text]
    return {w for part in words for w in re.findall(r"[A-Za-z_$][\w$]*", part)}


def js_code_renames(
    olds: Mapping[str, str | None], news: Mapping[str, str]
) -> tuple[set[str], set[str]]:
    """(names defined before and appearing nowhere after, names defined after and
    appearing nowhere before), over the JS/TS code files of an edit."""
    sure_before: set[str] = set()
    sure_after: set[str] = set()
    seen_before: set[str] = set()
    seen_after: set[str] = set()
    for rel, text in news.items():
        if not is_js(rel):
            continue
        old = olds.get(rel) or ""
        sure_before |= _defined(old, rel)
        sure_after |= _defined(text, rel)
        seen_before |= _mentioned(old)
        seen_after |= _mentioned(text)
    return sure_before - seen_after, sure_after - seen_before


def _relative(tok: Token | None) -> bool:
    if tok is None or tok.kind != STRING:
        return False
    spec = tok.text[1:-1]
    return spec in (".", "..") or spec.startswith(("./", "../"))


class _Reader:
    """Where each name of a test file's tokens (comments left out) stands."""

    def __init__(self, toks: list[Token]) -> None:
        self.t = toks
        self.match: dict[int, int] = {}
        #: how many brackets are open before each token: a binding at 0 is the module's
        self.depth: list[int] = []
        opened: list[int] = []
        for i, tok in enumerate(toks):
            self.depth.append(len(opened))
            if tok.text in ("(", "[", "{") and tok.kind != STRING:
                opened.append(i)
            elif tok.text in (")", "]", "}") and tok.kind != STRING and opened:
                self.match[opened.pop()] = i
        #: names bound to a module of the code whole; those only read properties from
        self.modules = self._modules()
        self.namespaces = {n for n in self.modules if self._only_read_from(n)}

    def at(self, i: int) -> Token | None:
        return self.t[i] if 0 <= i < len(self.t) else None

    def text(self, i: int) -> str:
        tok = self.at(i)
        return tok.text if tok is not None and tok.kind not in (STRING, TEMPLATE) else ""

    def _require_end(self, i: int) -> int | None:
        """The index after ``require('./rel')`` starting at ``i``, or None."""
        called = self.text(i) == "require" and self.text(i + 1) == "("
        if called and _relative(self.at(i + 2)) and self.text(i + 3) == ")":
            return i + 4
        return None

    def _modules(self) -> set[str]:
        """Names the test file binds to a module of the code as a whole (or to its
        default export)."""
        out: set[str] = set()
        for i, tok in enumerate(self.t):
            if tok.kind != NAME or self.depth[i] > 0:
                continue  # (bound inside a function: a global of that name elsewhere)
            if tok.text == "import":
                j = i + 3 if self.text(i + 1) == "*" and self.text(i + 2) == "as" else i + 1
                name = self.at(j)
                if name is None or name.kind != NAME or name.text in ("type", "{"):
                    continue
                k = j + 1
                if self.text(k) == "=" and (end := self._require_end(k + 1)) is not None:
                    if self.text(end) not in ("(", "[", *_MEMBER_DOT):
                        out.add(name.text)
                    continue
                while self.at(k) is not None and self.text(k) != "from" and self.text(k) != ";":
                    k += 1
                if self.text(k) == "from" and _relative(self.at(k + 1)):
                    out.add(name.text)
            elif self.text(i - 1) in ("const", "let", "var", ",") and self.text(i + 1) == "=":
                end = self._require_end(i + 2)  # (var a = require('a'), calc = require('./calc'))
                if end is not None and self.text(end) not in ("(", "[", *_MEMBER_DOT):
                    out.add(tok.text)
        return out

    def _only_read_from(self, name: str) -> bool:
        """Whether ``name``, past its binding, is only ever read a property from: bound
        again (a parameter, a local of that name), it would be something else there."""
        binds = 0
        for i, tok in enumerate(self.t):
            if tok.kind != NAME or tok.text != name or self.text(i - 1) in _MEMBER_DOT:
                continue
            if self.text(i + 1) not in _MEMBER_DOT:
                binds += 1
        return binds == 1

    def _code_source(self, i: int) -> bool:
        """Whether the expression at ``i`` is a module of the code, whole."""
        end = self._require_end(i)
        tok = self.at(i)
        if end is None and tok is not None and tok.kind == NAME and tok.text in self.namespaces:
            end = i + 1
        return end is not None and self.text(end) not in ("(", "[", *_MEMBER_DOT)

    def brace(self, i: int, members: bool) -> str:
        """What the ``{`` at ``i`` opens: a list of names from the code, another list
        (of another module's names, of exports), a class's members, an object, a
        block."""
        prev, prev2, prev3 = self.text(i - 1), self.text(i - 2), self.text(i - 3)
        close = self.match.get(i)
        after = close + 1 if close is not None else len(self.t)
        if (
            prev == "import"
            or (prev == "type" and prev2 == "import")
            or (prev == "," and prev3 == "import")
        ):
            code = self.text(after) == "from" and _relative(self.at(after + 1))
            return "code-list" if code else "list"
        if prev == "export" or (prev == "type" and prev2 == "export"):
            return "list"
        if prev in ("const", "let", "var"):
            code = self.text(after) == "=" and self._code_source(after + 1)
            return "code-list" if code else "list"
        if members:
            return "members"
        tok = self.at(i - 1)
        if tok is None or prev in _BLOCK_AFTER:
            return "block"
        if tok.kind == NAME and (prev in _BLOCK_KEYWORDS or prev not in KEYWORDS):
            return "block"
        return "object"

    def places(self, names: set[str]) -> tuple[dict[int, str], set[str]] | None:
        """For each token naming one of ``names``: 'ref' (a reference: renamed with the
        code), 'code' (a property of the code's module: may be renamed), 'key' (a
        property's name: never renamed); and the names the file imports from the code.
        None when the file cannot be read so."""
        out: dict[int, str] = {}
        bound = set(self.modules)
        stack: list[str] = []
        pending: int | None = None  # depth at which a class's (interface's...) body opens
        for i, tok in enumerate(self.t):
            word = tok.text if tok.kind not in (STRING, TEMPLATE) else ""
            if tok.kind == TEMPLATE:
                if tok.text.startswith("}") and stack:
                    stack.pop()
                if tok.text.endswith("${"):
                    stack.append("${")
            elif word in ("(", "["):
                stack.append(word)
            elif word == "{":
                stack.append(self.brace(i, pending == len(stack)))
                pending = None if pending == len(stack) - 1 else pending
            elif word in (")", "]", "}") and stack:
                stack.pop()
            elif word == "<" and pending is not None:
                return None  # (a generic's constraint may hold braces: not read here)
            elif tok.kind == NAME and self.text(i - 1) not in _MEMBER_DOT:
                follows = self.at(i + 1)
                if word in ("class", "interface", "enum", "namespace") and (
                    (follows is not None and follows.kind == NAME) or self.text(i + 1) == "{"
                ):  # (not a key: { enum: [1, 2] } opens no class's body)
                    pending = len(stack)
                elif word in ("eval", "with"):
                    return None
            if tok.kind == NAME and word in names:
                out[i] = self._place(i, stack[-1] if stack else "block")
                # bound for the whole file: at its top level (const { add } = ... too)
                top = self.depth[i] == 0 or (self.depth[i] == 1 and stack[-1:] == ["code-list"])
                if top and ((stack and stack[-1] == "code-list") or self._declares(i)):
                    bound.add(word)
        return out, bound

    def _declares(self, i: int) -> bool:
        """Whether the name at ``i`` is declared there (``const a``, ``function a``,
        ``class a``, ``var x = 1, a = 2``)."""
        prev = self.text(i - 1)
        if prev in ("const", "let", "var", "function", "class"):
            return True
        return prev == "," and self.text(i + 1) == "=" and self.text(i - 2) not in _MEMBER_DOT

    def _place(self, i: int, where: str) -> str:
        prev, nxt = self.text(i - 1), self.text(i + 1)
        if prev in _MEMBER_DOT:
            receiver = self.at(i - 2)
            ok = receiver is not None and receiver.kind == NAME and receiver.text in self.namespaces
            return "code" if ok and self.text(i - 3) not in _MEMBER_DOT else "key"
        if where == "code-list":
            return "ref"
        if where == "list":
            # a key of another module or object (import { add as a } from 'lib',
            # const { add: a } = o); anything else there binds (const { add } = o) or
            # reads a name (const { a = add } = o), not seen as a reference: no renaming
            return "key" if prev in ("{", ",") and nxt in (":", "as") else "both"
        if where == "members":
            # a member's name; anything else there (a field's value: run = () => add(1))
            # reads names not seen as references: no renaming
            head = prev in ("{", ";", "}", ",", *_MODIFIERS)
            return "key" if head else "both"
        if where == "object":
            return self._in_object(i)
        if nxt == ":" and prev not in ("case", "?") and where == "block":
            return "both"  # a label, or a ternary's branch (c ? 1 + add : 0)
        return "ref"

    def _in_object(self, i: int) -> str:
        """Where a name inside an object literal's braces stands: a property's key
        (``{ add: 1 }``, ``{ add() {} }``, ``{ get add() {} }``), a shorthand property
        (``{ add }``: a key and a reference), else a reference (``{ run: () => add(1) }``,
        ``{ n: 2 * add }``, a call in a block read as an object)."""
        j = i - 1
        while self.text(j) in ("get", "set", "async", "static", "*"):
            j -= 1
        nxt = self.text(i + 1)
        if self.text(j) not in ("{", ","):
            return "ref"
        if nxt == "(" and j == i - 1:
            return self._method_or_call(i + 1)
        if nxt == ":" or j < i - 1:
            return "key"
        return "both" if nxt in (",", "}", "=") else "ref"

    def _method_or_call(self, i: int) -> str:
        """What ``name(`` at the head of an object literal's property is, the ``(`` at
        ``i``: a method (``{ add() {} }``, ``{ add(): number {} }``), or a call at the
        head of a block these braces were misread for (``case 1: { add(1); }``): then
        a reference."""
        close = self.match.get(i)
        after = self.at(close + 1) if close is not None else None
        if after is None or after.kind != PUNCT or after.text not in ("{", ":"):
            return "ref"
        return "both" if after.newline_before else "key"


def js_renaming(old: str, new: str, gone: set[str], made: set[str]) -> dict[str, str] | None:
    """The renaming that turns the JS/TS test file ``old`` into ``new`` (see the module
    docstring), or None when ``new`` differs from ``old`` in anything else."""
    a, b = tokens(old), tokens(new)
    if a is None or b is None or len(a) != len(b):
        return None
    sigma: dict[str, str] = {}
    changed: set[int] = set()
    comments: list[tuple[str, str]] = []
    code: list[Token] = []
    for x, y in zip(a, b, strict=True):
        if x.kind != y.kind or x.newline_before != y.newline_before:
            return None
        if x.kind == COMMENT:
            comments.append((x.text, y.text))
            continue
        if x.text != y.text:
            if x.kind != NAME or x.text not in gone or y.text not in made:
                return None
            if _reserved(x.text) or _reserved(y.text):
                return None
            if sigma.setdefault(x.text, y.text) != y.text:
                return None
            changed.add(len(code))
        code.append(x)
    if not sigma or len(set(sigma.values())) != len(sigma):
        return sigma if not sigma and all(c == d for c, d in comments) else None
    if any(re.search(_WORD.format(re.escape(v)), old) for v in sigma.values()):
        return None  # the new name already means something to the tests
    read = _Reader(code).places(set(sigma))
    if read is None:
        return None
    places, bound = read
    for i, place in places.items():
        if place == "both":
            return None  # a shorthand property ({ add }): a key and a reference at once
        # a member of the code's namespace too: left as it was, calc.add would read a
        # property the code no longer has (a test of calc.add's TypeError, passed by
        # "calc.add is not a function")
        if (place in ("ref", "code")) != (i in changed):
            return None
        if place == "ref" and code[i].text not in bound:
            return None  # a global (the host's, the harness's, a setup file's)
    for ca, cb in comments:
        if ca != cb and (_DIRECTIVE.search(ca) or _renamed_words(ca, sigma) != cb):
            return None
    return sigma


def _renamed_words(text: str, sigma: Mapping[str, str]) -> str:
    pattern = re.compile(_WORD.format("(" + "|".join(map(re.escape, sigma)) + ")"))
    return pattern.sub(lambda m: sigma[m.group(1)], text)
