"""The parameters of a PHP file's functions and methods, for the guard that no edit drops
what nobody asked to remove (``definitions.dropped_definitions``).

PHP, like JavaScript, ignores the arguments a user-defined function does not take: an
edit asked to fix a bug in ``function parse($text, $encoding = 'UTF-8')`` that also drops
``$encoding`` passes every test that calls ``parse($text)``, and every caller that
passes an encoding runs as if it had not (one dropped before others hands each caller's
arguments to the wrong parameters).  So each function's and method's parameters are read
from the file's code (:func:`.phpdefinitions.php_code`: strings and comments set aside),
for the functions :mod:`.phpdefinitions` reads, by the name a report gives them
(``Calc::add``, ``helper``), with what its body reads, and compared as JavaScript's are
(:func:`.jsparameters.dropped_parameters`): a rename, a parameter added, a variadic
(``...$rest``) or ``func_get_args()`` now taking every argument, and an unused last
parameter dropped are no loss; a parameter kept in another place (a new one put before
it) is changed (:func:`.jsparameters.moved_parameters`), and so is a required one added
(PHP throws ``ArgumentCountError`` where a call passes too few arguments); but not a
constructor's new services (parameters typed with a class or an interface), which
Symfony's and Laravel's autowiring passes by type.  A constructor's promoted parameter (``private int $x``)
counts as read: it is a property.  A function defined twice in the file is not compared.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter

from .domain import document_lines
from .jsparameters import Signature, injected, moved_parameters
from .jsparameters import dropped_parameters as positional_loss
from .members import split_commas
from .parameters import renamed
from .phpdefinitions import php_code, php_members
from .pytrees import cached

_ID = r"[\w\x80-\U0010ffff]+"
_PARAMETER = re.compile(r"(\.\.\.)?\s*&?\s*\$(" + _ID + ")")
_PROMOTED = re.compile(
    r"^\s*(?:(?:public|protected|private|readonly)(?:\(set\))?\s+)+", re.IGNORECASE
)
#: a parameter's type that is a class or an interface (``LoggerInterface``, ``?Cache``,
#: ``\\Psr\\Log\\LoggerInterface``): a service, which autowiring passes by its type
_SERVICE = re.compile(r"(?:^|[\s(|?])\\?[A-Z]\w*(?:\\\w+)*\s*$")
_ALL_ARGUMENTS = re.compile(r"\bfunc_(?:get_args|get_arg|num_args)\s*\(", re.IGNORECASE)


def signatures(text: str) -> dict[str, tuple[int, Signature]]:
    """Each function's or method's name as a report gives it -> (its 0-based line, its
    signature), for those defined once in ``text``."""

    def read() -> dict[str, tuple[int, Signature]]:
        methods = [m for m in php_members(text) if m.kind == "method"]
        names = [f"{m.owner}::{m.name}" if m.owner else m.name for m in methods]
        count = Counter(names)
        code = _Code(php_code(text), document_lines(text))
        out: dict[str, tuple[int, Signature]] = {}
        for m, name in zip(methods, names, strict=True):
            if count[name] == 1:
                found = _signature(code, m.line, m.name)
                if found is not None:
                    out[name] = (m.line, found)
        return out

    return cached("php.signatures", text, read)


class _Code:
    """A file's code view joined, where each line starts in it, and its lines as written
    (for the variables strings interpolate: ``"type '$type'"``)."""

    def __init__(self, code: list[str], raw: list[str]) -> None:
        self.text = "\n".join(code)
        self.starts = [0]
        for line in code[:-1]:
            self.starts.append(self.starts[-1] + len(line) + 1)
        self.raw = raw


def _signature(code: _Code, line: int, name: str) -> Signature | None:
    """The signature of the function ``name`` whose name stands on ``line``."""
    text = code.text
    head = re.compile(r"\b" + re.escape(name) + r"\s*\(").search(text, code.starts[line])
    if head is None:
        return None
    opened = head.end() - 1
    closed = _close(text, opened)
    if closed is None:
        return None
    params = split_commas(text[opened + 1 : closed])
    body, body_end = "", closed
    rest = text[closed + 1 :]
    brace = re.match(r"[^{;]*", rest)  # (a return type: ``): ?array``)
    if brace is not None and rest[brace.end() : brace.end() + 1] == "{":
        start = closed + 1 + brace.end()
        end = _close(text, start)
        if end is None:
            return None
        body, body_end = text[start + 1 : end], end
    names: list[str] = []
    used: list[bool] = []
    required: list[bool] = []
    services: set[str] = set()
    last = bisect.bisect_right(code.starts, body_end) - 1  # (the body's last line)
    reads = "\n".join(code.raw[line : last + 1])  # (its parameters and body as written)
    for part in params:
        m = _PARAMETER.search(part)
        if m is None:
            continue
        names.append(("..." if m.group(1) else "") + m.group(2))
        required.append(not m.group(1) and "=" not in part[m.end() :])
        if _SERVICE.search(part[: m.start()]):
            services.add(names[-1])
        uses = len(re.findall(r"\$\{?" + re.escape(m.group(2)) + r"\b", reads))
        uses += len(re.findall(r"['\"]" + re.escape(m.group(2)) + r"['\"]", body))  # compact()
        used.append(not body or bool(_PROMOTED.match(part)) or uses > 1)
    return Signature(
        tuple(names),
        tuple(used),
        bool(_ALL_ARGUMENTS.search(body)),
        tuple(required),
        frozenset(services),
    )


def _close(text: str, i: int) -> int | None:
    """The index of the bracket that closes the one at ``text[i]`` (strings are set
    aside in the code view: brackets are counted as they stand)."""
    depth = 0
    for j in range(i, len(text)):
        c = text[j]
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
            if depth == 0:
                return j
    return None


def dropped_parameters(old: str, new: str) -> list[tuple[str, str, int]]:
    """(function, parameter as written without its ``$``: ``encoding``, ``...rest``,
    the function's 0-based line in ``old``) for each parameter of a function ``new``
    keeps that it no longer takes (see the module docstring)."""
    before, after = signatures(old), signatures(new)
    out: list[tuple[str, str, int]] = []
    for name, (line, signature) in before.items():
        if name in after:
            now = after[name][1]
            if name.endswith("__construct") and injected(signature, now):
                out += [(name, p, line) for p in positional_loss(signature, now)]
                continue  # (new services, which autowiring passes by type)
            out += [
                (name, p, line)
                for p in (
                    *positional_loss(signature, now),
                    *moved_parameters(signature, now),
                    *_added(signature, now),
                )
            ]
    return out


def _added(old: Signature, new: Signature) -> list[str]:
    """The required parameters ``new`` adds, as ``sep (added, required)``: PHP throws
    ``ArgumentCountError`` at every call that does not pass one.  Not one in the place of
    a parameter that went (a rename), nor one spelled out of a variadic (``...$args``) or
    of ``func_get_args()`` the function no longer takes."""
    if any(p.startswith("...") for p in old.params) or old.reads_arguments:
        return []
    had = set(old.params) | renamed(old.params, new.params)
    return [
        f"{p} (added, required)"
        for p, required in zip(new.params, new.required, strict=True)
        if required and p not in had
    ]
