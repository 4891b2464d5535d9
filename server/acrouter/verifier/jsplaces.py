"""Where each name of a JavaScript/TypeScript test file stands, for the rename rule
(:mod:`.jsrenames`): a reference (renamed with the code), a member of the code's
namespace (``calc.add``: renamed too), a property's key (never renamed), or a place this
reading does not follow (a shorthand property, a pattern's binding, a class field's
value...: the file is then no renaming).  Read from the tokens (:mod:`acrouter.jstokens`) and
the brackets that hold each name."""

from __future__ import annotations

from collections.abc import Callable

from ..jstokens import KEYWORDS, NAME, PUNCT, STRING, TEMPLATE, Token

_MEMBER_DOT = (".", "?.")
#: what may come before a class member's name
_MODIFIERS = frozenset(
    """static get set async * readonly public private protected declare override
    accessor abstract""".split(),  # noqa: SIM905 (a word list)
)
#: keywords a block follows (catch without a binding: ``} catch {``)
_BLOCK_KEYWORDS = frozenset({"else", "try", "catch", "finally", "do"})
_BLOCK_AFTER = frozenset({";", "{", "}", ")", "=>", "]"})


def relative(spec: str) -> bool:
    """Whether a module specifier names a file of the project (``./calc``), not a package."""
    return spec in (".", "..") or spec.startswith(("./", "../"))


class Reader:
    """Where each name of a test file's tokens (comments left out) stands."""

    def __init__(self, toks: list[Token], code_module: Callable[[str], bool] = relative) -> None:
        """``code_module``: whether a module specifier names a code file of the edit (the
        verifier passes the edit's files; by default any relative specifier)."""
        self.t = toks
        self.code_module = code_module
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

    def _of_code(self, tok: Token | None) -> bool:
        """Whether ``tok`` is a string naming a module of the code (see ``code_module``)."""
        if tok is None or tok.kind != STRING:
            return False
        spec = tok.text[1:-1]
        return relative(spec) and self.code_module(spec)

    def at(self, i: int) -> Token | None:
        return self.t[i] if 0 <= i < len(self.t) else None

    def text(self, i: int) -> str:
        tok = self.at(i)
        return tok.text if tok is not None and tok.kind not in (STRING, TEMPLATE) else ""

    def _require_end(self, i: int) -> int | None:
        """The index after ``require('./rel')`` starting at ``i``, or None."""
        called = self.text(i) == "require" and self.text(i + 1) == "("
        if called and self._of_code(self.at(i + 2)) and self.text(i + 3) == ")":
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
                if self.text(k) == "from" and self._of_code(self.at(k + 1)):
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
            code = self.text(after) == "from" and self._of_code(self.at(after + 1))
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
