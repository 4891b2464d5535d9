"""A rename across JavaScript/TypeScript code and its tests: the rule of :mod:`.renames`
for jest, vitest, mocha and ``node --test`` files.

A test file's change is a renaming when, on the tokens (:mod:`acrouter.jstokens`, which refuses
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
  file's top level (imported from a code file of the edit, or declared: ``const``, ``var x =
  1, a = 2``, ``function``; bound only inside a function, it is a global elsewhere), never
  a global: an alpha-renaming, which keeps what each name refers
  to.  Nothing that is a property's name is renamed, except a name imported from the
  code (``import { a } from './calc'``, ``const { a } = require('./calc')``) or read
  from a namespace of it (``calc.a`` after ``import * as calc from './calc'`` or ``const
  calc = require('./calc')``; the module specifier naming a code file of the edit
  (its path, with a suffix, or its ``index``: a module the edit left alone may export an
  unrelated ``plus`` beside the ``add`` it re-exports), and ``calc`` never bound
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

import posixpath
import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import PurePosixPath

from ..definitions import defined_names
from ..jsdefinitions import JS_SUFFIXES
from ..jstokens import COMMENT, KEYWORDS, NAME, Token, tokens
from .jsplaces import Reader, relative

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


def edited_module(test: str, code_files: Iterable[str]) -> Callable[[str], bool]:
    """Whether a relative module specifier of the test file ``test`` names one of the
    edit's ``code_files`` (as node or TypeScript resolve it: the path itself, with a
    suffix, or its ``index``; a ``.js`` specifier may name the ``.ts`` file).  A name
    the tests import from a module the edit did not change is not the code's: that
    module may export an unrelated ``plus`` beside the code's ``add`` it re-exports."""
    files = {posixpath.normpath(f.replace("\\", "/")) for f in code_files}
    here = posixpath.dirname(test.replace("\\", "/"))

    def of_edit(spec: str) -> bool:
        path = posixpath.normpath(posixpath.join(here, spec))
        stem, suffix = posixpath.splitext(path)
        bases = [path, stem] if suffix in JS_SUFFIXES else [path]
        for base in bases:
            for candidate in (base, *(base + s for s in JS_SUFFIXES)):
                if candidate in files and is_js(candidate):
                    return True
            if any(f"{base}/index{s}" in files for s in JS_SUFFIXES):
                return True
        return False

    return of_edit


def js_renaming(
    old: str,
    new: str,
    gone: set[str],
    made: set[str],
    code_module: Callable[[str], bool] = relative,
) -> dict[str, str] | None:
    """The renaming that turns the JS/TS test file ``old`` into ``new`` (see the module
    docstring), or None when ``new`` differs from ``old`` in anything else.
    ``code_module``: whether a relative module specifier names a code file of the edit
    (the verifier passes :func:`edited_module`; by default any relative one)."""
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
    read = Reader(code, code_module).places(set(sigma))
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
