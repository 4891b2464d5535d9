"""A test command that sets ``PYTHONPATH`` or ``PYTEST_ADDOPTS`` itself keeps ours too.

The pytest plugins of the verifier (the line tracer, :mod:`.lines_trace`; the JUnit
report beside the project's own, :mod:`.junit_own`; the confirmation's subset,
:mod:`.subset`) load through a folder appended to ``PYTHONPATH`` and ``-p MODULE``
appended to ``PYTEST_ADDOPTS`` (:mod:`.pytest_plugins`).  A command such as
``PYTHONPATH=. python -m pytest -q``, ``env PYTHONPATH=src pytest``, ``cd sub &&
PYTEST_ADDOPTS=-q pytest`` or ``export PYTHONPATH=src; pytest`` replaced both: pytest
failed at start naming a plugin it could not import, the run was made again without
them, and the changed lines were not known.

What we append is also held in a variable of its own (:data:`.pytest_plugins.TAILS`:
``ACROUTER_PYTHONPATH_TAIL``, ``ACROUTER_ADDOPTS_TAIL``), and :func:`keep_ours` rewrites
each such assignment of the shell line the run starts to append it when set:
``PYTHONPATH=.`` becomes ``PYTHONPATH=."${ACROUTER_PYTHONPATH_TAIL:+:$ACROUTER_PYTHONPATH_TAIL}"``
(the project's entries first, ours after; nothing added when the variable is unset, as
in a run of another runner).  The words are read as ``sh`` reads them (quotes,
``$(...)``, ``${...}``, backquotes, comments, operators, redirections), and the
expansion is appended in double quotes, so it is one word with the user's value however
that one is quoted.  Rewritten: an assignment before a command, or alone (``NAME=value``
words at the start of a simple command, also after ``{``, ``if``, ``then``, ``do``, ...),
after ``env`` (and its options), and the arguments of ``export``, ``readonly``,
``local``, ``declare``, ``typeset``.  Left as written: a value that names the variable
itself (``PYTHONPATH=src:$PYTHONPATH`` keeps ours already: appending again would put our
folder twice on the path), a line with a here-document, and a line that does not parse
(then the run is as before: pytest fails naming a plugin and runs again without it).
What a Makefile, a shell script, a ``package.json`` script, ``tox.ini``'s ``setenv`` or
``sh -c '...'`` sets is not seen here, and keeps the rerun without our plugins."""

from __future__ import annotations

import os
import re

from .pytest_plugins import TAILS

#: words after which a simple command starts (the shell's reserved words)
_RESERVED = frozenset({"{", "!", "if", "then", "else", "elif", "do", "while", "until"})
#: programs that run the command after their options
_PREFIXES = frozenset({"exec", "command", "nice", "nohup", "time", "builtin"})
#: builtins whose ``NAME=value`` arguments assign
_DECLARES = frozenset({"export", "readonly", "local", "declare", "typeset"})
#: options of ``env`` and the prefixes that take the next word as their value
_VALUED = {
    "env": frozenset({"-u", "--unset", "-C", "--chdir", "-S", "--split-string"}),
    "nice": frozenset({"-n", "--adjustment"}),
    "time": frozenset({"-f", "--format", "-o", "--output"}),
}
_ASSIGNMENT = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)=")
#: characters that end a word (unquoted)
_BREAKS = frozenset(" \t\n;&|()<>")


class _Unparsed(ValueError):
    """A line :func:`keep_ours` does not rewrite."""


def keep_ours(line: str) -> str:
    """``line`` with every assignment of ``PYTHONPATH`` / ``PYTEST_ADDOPTS`` it makes
    before a command (or with ``env``, ``export``, ...) extended by what the verifier
    appends to that variable (:data:`.pytest_plugins.TAILS`); ``line`` itself when it
    has none, or cannot be read."""
    try:
        words = _assignment_words(line)
    except _Unparsed:
        return line
    out = line
    for start, end in reversed(words):
        out = out[:start] + _extended(line[start:end]) + out[end:]
    return out


def leading_words(text: str, count: int) -> str | None:
    """The text of the first ``count`` words of the simple command ``text`` as written
    (quotes and expansions kept), or None when they are not ``count`` plain words."""
    try:
        tokens = _tokens(text)
    except _Unparsed:
        return None
    words = tokens[:count]
    if len(words) < count or any(kind != "word" for kind, _s, _e in words):
        return None
    return text[words[0][1] : words[-1][2]] if words else ""


def _extended(word: str) -> str:
    name, _, value = word.partition("=")
    tail, sep = TAILS[name]
    if not value:
        return f'{name}="${tail}"'
    return f'{word}"${{{tail}:+{sep}${tail}}}"'


def _assignment_words(line: str) -> list[tuple[int, int]]:
    """The spans of the words of ``line`` that assign one of :data:`TAILS`' variables
    (for the environment of a command, or the shell's own)."""
    found: list[tuple[int, int]] = []
    state = "start"  # start: a command may begin; env / prefix / declare: after those
    valued: frozenset[str] = frozenset()
    skip_next = False  # the next word is an option's value or a redirection's target
    for kind, start, end in _tokens(line):
        word = line[start:end]
        if kind == "redirect":
            skip_next = True
            continue
        if kind == "op":
            state, skip_next = "start", False
            continue
        if skip_next or kind == "io":
            skip_next = False
            continue
        m = _ASSIGNMENT.match(word)
        if m is not None and state in ("start", "env", "declare"):
            if m.group(1) in TAILS and not _names_itself(m.group(1), word[m.end() :]):
                found.append((start, end))
            continue
        if state == "declare":
            continue
        if state in ("env", "prefix") and word.startswith("-"):
            skip_next = word in valued
            continue
        if state == "start" and word in _RESERVED:
            continue
        if word == "env":
            state, valued = "env", _VALUED["env"]
        elif word in _PREFIXES:
            state, valued = "prefix", _VALUED.get(word, frozenset())
        elif word in _DECLARES and state == "start":
            state = "declare"
        else:
            state = "args"
    return found


def _names_itself(name: str, value: str) -> bool:
    """Whether ``value`` expands ``$name`` (``src:$PYTHONPATH``, ``${PYTHONPATH:-}``)."""
    return re.search(rf"\$(\{{)?{name}(?![A-Za-z0-9_])", value) is not None


def _tokens(line: str) -> list[tuple[str, int, int]]:
    """``(kind, start, end)`` of the words and operators of ``line``: kind ``word``,
    ``io`` (the number before a redirection: ``2>&1``), ``redirect`` or ``op``.
    Comments are left out; a here-document or an unclosed quote raises
    :class:`_Unparsed`."""
    tokens: list[tuple[str, int, int]] = []
    i, n = 0, len(line)
    while i < n:
        c = line[i]
        if c in " \t":
            i += 1
        elif c == "\\" and line[i + 1 : i + 2] == "\n":
            i += 2  # a line continued
        elif c == "#":
            newline = line.find("\n", i)
            i = n if newline < 0 else newline
        elif c in "<>":
            j = i + 1
            if line[i : i + 2] == "<<":
                raise _Unparsed("a here-document")
            if j < n and line[j] in ">&|":
                j += 1
            tokens.append(("redirect", i, j))
            i = j
        elif c in "&|" and line[i + 1 : i + 2] == ">":
            j = i + 3 if line[i + 2 : i + 3] == ">" else i + 2
            tokens.append(("redirect", i, j))  # &>file, &>>file
            i = j
        elif c in ";&|()\n":
            j = i + 2 if line[i : i + 2] in ("&&", "||", ";;", "|&") else i + 1
            tokens.append(("op", i, j))
            i = j
        else:
            j = _word_end(line, i)
            io = line[i:j].isdigit() and j < n and line[j] in "<>"
            tokens.append(("io" if io else "word", i, j))
            i = j
    return tokens


def _word_end(line: str, i: int) -> int:
    n = len(line)
    while i < n:
        c = line[i]
        if c in _BREAKS:
            return i
        i = _past(line, i)
    return i


def _past(line: str, i: int) -> int:
    """The index after the character, quoted string or expansion at ``line[i]``."""
    c = line[i]
    if c == "\\":
        if i + 1 >= len(line):
            raise _Unparsed("a backslash at the end")
        return i + 2
    if c == "'":
        j = line.find("'", i + 1)
        if j < 0:
            raise _Unparsed("an unclosed quote")
        return j + 1
    if c == '"':
        return _closing(line, i + 1, '"')
    if c == "`":
        return _closing(line, i + 1, "`")
    if c == "$" and line[i + 1 : i + 2] == "(":
        return _closing(line, i + 2, ")")
    if c == "$" and line[i + 1 : i + 2] == "{":
        return _closing(line, i + 2, "}")
    return i + 1


def _closing(line: str, i: int, close: str) -> int:
    """The index after the ``close`` that ends what began before ``line[i]`` (nested
    quotes, expansions and parentheses skipped)."""
    n = len(line)
    depth = 0
    while i < n:
        c = line[i]
        if c == close and depth == 0:
            return i + 1
        if close == '"':
            if c == "\\":
                i += 2
                continue
            if c in "`$":
                i = _past(line, i)
                continue
            i += 1
            continue
        if close == "`":
            i += 2 if c == "\\" else 1
            continue
        if close == ")" and c == "(":
            depth += 1
        elif close == ")" and c == ")":
            depth -= 1
        i = _past(line, i) if c in "\\'\"`$" else i + 1
    raise _Unparsed(f"no closing {close}")


def keeping_ours(argv: tuple[str, ...]) -> tuple[str, ...]:
    """A plan's argv whose ``sh -c LINE`` keeps ours (:func:`keep_ours`); another argv
    has no assignment to read (a command that sets a variable runs through ``sh -c``:
    ``runners.plan_command``)."""
    if len(argv) == 3 and os.path.basename(argv[0]) in ("sh", "bash", "dash") and argv[1] == "-c":
        return (argv[0], argv[1], keep_ours(argv[2]))
    return argv
