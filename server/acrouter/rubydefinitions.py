"""What a Ruby file's classes and modules define, for the guard that no edit drops code
(:mod:`.definitions`).

The guard's line patterns see only what starts at column 0: a Ruby file's top-level
``def``, ``class`` and ``module`` lines and its ``require``.  A Ruby class's methods are
indented (``  def neg(a)``): an edit could drop one that no test calls, and the tests
passed it, verified.  :func:`ruby_members` lists every ``def`` (``def self.create``,
``private def helper``, ``def ==(other)``, ``def name=(value)``, endless ``def x = 1``)
and every ``class`` and ``module`` of a file at any depth, with the class or module
that holds it by indentation, as Ruby is written (``rubocop``'s default): a line's
owner is the nearest ``class`` or ``module`` line above it indented less.  What a
heredoc or an ``=begin``/``=end`` comment holds is text, not code.  ``class << self``
makes the ``def`` lines it holds singleton methods (``self.name``).  The methods an
``attr_reader``, ``attr_writer`` or ``attr_accessor`` line makes count as defined there
(``attr_accessor :memory``: ``memory`` and ``memory=``), so turning a reader method into
one drops nothing; so do an ``alias`` or ``alias_method`` line's new name and a
``define_method(:name)``'s.  Methods made any other way are not read.  A constant's
assignment (``VERSION = "1.0"``, ``DEFAULTS ||= {}``) is read too (kind ``variable``),
with the class or module that holds it: Ruby looks a constant up when the code naming
it runs, so one gone fails only the code no test ran.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from .domain import document_lines
from .members import Member
from .pytrees import cached

#: the editor's language id, and the files read as Ruby
RUBY_LANGUAGE = "ruby"
RUBY_SUFFIXES = (".rb", ".rake", ".gemspec", ".ru")
RUBY_NAMES = ("Rakefile", "Gemfile", "Guardfile")

#: a method's name: ``neg``, ``empty?``, ``save!``, ``name=``, an operator (``==``,
#: ``<=>``, ``[]``, ``[]=``, ``+``, ``-@``, ``!``) or a backtick
_NAME = r"(?:[A-Za-z_]\w*[?!=]?|\[\]=?|[+\-*/%<>=!~^&|]+@?|`)"
#: ``def`` at a line's start, after a word maybe (``private def``, ``ruby2_keywords
#: def``); group 1: ``self`` or a
#: constant (``def Calc.create``, ``def Session::callback``), group 2: the name
_DEF = re.compile(
    r"^\s*(?:[a-z_]\w*\s+)?def\s+(?:(self|[A-Z]\w*)\s*(?:\.|::)\s*)?(" + _NAME + r")"
    r"(?![\w.:]|\s+\.)"
)
#: (the same, for :mod:`.rubyparameters`, which reads a ``def``'s parameters after its name)
DEF = _DEF
#: ``class Calc``, ``class Calc < Base``, ``module Tools::Text``; not ``class << self``
_TYPE = re.compile(r"^\s*(class|module)\s+((?:::)?[A-Z]\w*(?:::[A-Z]\w*)*)")
#: a line that makes methods by name: ``attr_reader :a, :b``, ``alias_method :new,
#: :old``, ``define_method(:name)``, ``alias new old``, after a word maybe (``private
#: attr_reader``); its names may go on to the next lines after a "," or a "("
#: (``attr_reader(⏎  :a,⏎  :b⏎)``)
_MAKES = re.compile(
    r"^\s*(?:[a-z_]\w*\s+)?"
    r"(attr_reader|attr_writer|attr_accessor|alias_method|define_method|alias)\b(.*)$"
)
#: a name such a line makes: a symbol (``:memory``, ``:==``, ``:empty?``), or for
#: ``alias`` a bare name too
_SYMBOL = re.compile(r"(?<![\w:]):(" + _NAME + r")(?![\w:])")
_BARE = re.compile(r"(?<![\w:$@]):?(" + _NAME + r")(?![\w:])")
_VISIBILITY = frozenset(("private", "protected", "public"))
#: a constant's assignment: ``VERSION = "1.0"``, ``DEFAULTS ||= {}`` (not ``A == b``,
#: ``A =~ /x/``, ``A => e``)
_CONSTANT = re.compile(r"^\s*([A-Z]\w*)\s*(?:\|\||&&)?=(?![=~>])")
#: a singleton class: ``class << self``, ``class << IO``, ``class << (X = Object.new)``;
#: not one closed on its line (``class << x;self;end.class_eval do``)
_SINGLETON = re.compile(r"^\s*class\s*<<\s*[\w@$:(](?!.*;\s*end\b)")
#: a singleton class of one line: ``class << self; attr_accessor :lock; end``
_SINGLETON_LINE = re.compile(r"^(\s*)class\s*<<\s*self\s*;\s*(.*?)\s*;\s*end\s*$")
#: a heredoc's start (``<<~SQL``, ``<<-EOS``, ``<<'end;'``, ``<<EOS``): its word, quoted
#: (group 3) or not (group 4)
_HEREDOC = re.compile(r"<<([~-]?)(?:(['\"`])([^'\"`]+)\2|([A-Za-z_]\w*))")


def is_ruby(path: str, language: str | None = None) -> bool:
    """Whether ``path`` (or the editor's ``language``) is Ruby."""
    if language and language.lower() == RUBY_LANGUAGE:
        return True
    p = PurePosixPath(path.replace("\\", "/"))
    return p.suffix.lower() in RUBY_SUFFIXES or p.name in RUBY_NAMES


def code_lines(text: str) -> list[str]:
    """The lines of ``text`` with the bodies of heredocs, of ``=begin``/``=end``
    comments and of percent literals that go on past their line (``%{⏎#include
    <stdio.h>⏎}``, ``%w[⏎  a⏎]``) blank: what is left may be code, line for line."""
    out: list[str] = []
    ends: list[tuple[str, bool]] = []  # the heredocs still open: their word, indented?
    comment = False
    literal: _Literal | None = None
    for line in document_lines(text):
        if comment:
            comment = not line.startswith("=end")
            out.append("")
        elif ends:
            word, indented = ends[0]
            if (line.strip() if indented else line.rstrip()) == word:
                ends.pop(0)
            out.append("")
        elif literal:
            _code, literal = _read_line(line, literal)
            out.append("")
        elif line.startswith("=begin") and (len(line) == 6 or line[6].isspace()):
            comment = True
            out.append("")
        else:
            code, literal = _read_line(line, None)
            ends = [
                (m.group(3) or m.group(4), bool(m.group(1)))
                for m in _HEREDOC.finditer(code)
                if m.group(3) or m.group(1) or m.group(4).isupper()
            ]
            out.append(line)
    return out


#: a string or percent literal still open: its opening and closing characters, and how
#: many openings are unclosed (``%{a {b} c}`` nests; a quote's opener is its closer)
_Literal = tuple[str, str, int]
_PERCENT = re.compile(r"%(?:[qQwWiIrsx]([^\w\s])|([{(\[<|!/^]))")
_CLOSERS = {"{": "}", "(": ")", "[": "]", "<": ">"}
#: what may stand before a percent literal (not a value: ``x %(y)`` would be modulo),
#: or before a regular expression's "/" (``x =~ /'/``: not a division)
#: (not ":": ``:/`` and ``:%`` are symbols)
_BEFORE = frozenset(" \t(,=[{|&!;+~")
_REGEX_BEFORE = frozenset("(,=[{|&!;~")
_KEYWORD_BEFORE = re.compile(r"(?<![\w.])(?:if|elsif|unless|when|and|or|not|return|while|until)$")
_WORD_END = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_?!")


def _read_line(line: str, literal: _Literal | None) -> tuple[str, _Literal | None]:
    """``line``'s code up to its comment (a "#" outside strings and literals), with
    what its strings and literals hold left out (a heredoc's start kept), and the
    string or percent literal still open at its end (``literal``: the one open at its
    start: ``class_eval "⏎  def help; end⏎"`` holds no method).  A regular
    expression's quotes (``/'/``) and a character literal's (``?"``) open none."""
    i, n = 0, len(line)
    kept: list[str] = []  # the code outside strings and literals
    while i < n:
        c = line[i]
        if not literal and (m := _HEREDOC.match(line, i)):
            kept.append(m.group())  # ``<<~'EOS'``: its quotes open no string
            i = m.end()
            continue
        if literal:
            opener, closer, depth = literal
            if c == "\\":
                i += 1
            elif c == "#" and line.startswith("#{", i) and opener != "'":
                i = _interpolation_end(line, i)
                continue
            elif c == closer:
                literal = (opener, closer, depth - 1) if depth > 1 else None
            elif c == opener != closer:
                literal = (opener, closer, depth + 1)
        elif c in "\"'`":
            literal = (c, c, 1)
        elif c == "#":
            return "".join(kept), literal
        elif c == "%" and (m := _PERCENT.match(line, i)) and (i == 0 or line[i - 1] in _BEFORE):
            opener = m.group(1) or m.group(2)
            literal = (opener, _CLOSERS.get(opener, opener), 1)
            i = m.end()
            continue
        elif c == "/" and (end := _regex_end(line, i)):
            if end < 0:  # an extended expression going on past its line: ``= /⏎  ^a⏎/x``
                return "".join(kept), ("/", "/", 1)
            i = end
        elif (
            c == "?" and i + 1 < n and line[i + 1] in "\"'`" and (i == 0 or line[i - 1] in _BEFORE)
        ):
            i += 1  # a character literal
        elif c == "$" and i + 1 < n and line[i + 1] in "\"'`":
            i += 1  # a special global: ``$'``, ``$"``
        else:
            kept.append(c)
        i += 1
    return "".join(kept), literal


def _interpolation_end(line: str, i: int) -> int:
    """Where the interpolation ``#{…}`` at ``i`` of ``line`` ends (after its "}", its
    strings' quotes and braces skipped: ``"#{a.join(" ")}"``), or after its "#{" when
    it does not end on the line."""
    depth, j, quote = 0, i + 1, ""
    while j < len(line):
        c = line[j]
        if quote:
            if c == "\\":
                j += 1
            elif c == quote:
                quote = ""
        elif c in "\"'":
            quote = c
        elif c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return j + 1
        j += 1
    return i + 2


def _regex_end(line: str, i: int) -> int:
    """Where the regular expression whose "/" is at ``i`` of ``line`` ends (its closing
    "/"), -1 when it goes on past the line (only where no division can stand: after
    ``=``, ``(``, ``,`` ...), or 0 when that "/" is a division (``a / b``, ``x /= 2``)."""
    before = line[:i].rstrip()
    after = line[i + 1 : i + 2]
    sure = not before or before[-1] in _REGEX_BEFORE or bool(_KEYWORD_BEFORE.search(before))
    # ``split /,/``: a method's argument (``a /b`` would be read so too: rare)
    if not sure and not (
        line[i - 1] == " " and after not in ("", " ", "=") and before[-1] in _WORD_END
    ):
        return 0
    j = i + 1
    while j < len(line):
        if line[j] == "\\":
            j += 2
            continue
        if line[j] == "/":
            return j
        j += 1
    return -1 if sure and after != "=" else 0


def ruby_members(text: str) -> list[Member]:
    """Each ``def``, ``class`` and ``module`` of ``text``, in order, with its owner
    (``Calc``, ``Tools::Text``; "" at the top level); read once per text inside
    ``shared_trees()``, so the list must not be changed."""
    return cached("ruby.scan", text, lambda: _scan(text))[0]


def ruby_classes(text: str) -> set[str]:
    """The classes and modules ``text`` opens, by their path (``Calc``,
    ``Calc::Error``), and "" (the top level)."""
    return cached("ruby.scan", text, lambda: _scan(text))[1]


def _scan(text: str) -> tuple[list[Member], set[str]]:
    lines = document_lines(text)
    found: list[Member] = []
    classes = {""}
    # the classes, modules and ``class << self`` lines above, by indentation
    stack: list[tuple[int, str]] = []  # (indent, name: "<< self" for a singleton class)
    going: tuple[str, str, int] | None = None  # a makes line's how, header, line, going on
    for i, code in enumerate(code_lines(text)):
        stripped = code.strip()
        if not stripped or stripped.startswith("#"):
            continue
        owner = "::".join(n for _, n in stack if n != "<< self")
        single = _in_singleton(stack)
        if going:  # the names of a makes line go on here
            how, header, first = going
            for name in _made(how, stripped):
                found.append(Member(first, ("self." if single else "") + name, header, owner))
            going = going if stripped.endswith((",", "(")) else None
            continue
        lead = code[: len(code) - len(code.lstrip())]
        indent = len(lead.expandtabs(8))  # (a tab goes to the next eighth column)
        # code as far left as a class's line closes it (its ``end``, or whatever follows
        # it), a ``private`` written there aside (an outdented access modifier)
        while stack and (
            stack[-1][0] > indent or (stack[-1][0] == indent and stripped not in _VISIBILITY)
        ):
            stack.pop()
        singleton = False
        if one := _SINGLETON_LINE.match(code):  # what it holds is the class's, singleton
            code, singleton = one.group(1) + one.group(2), True
        m_def, m_type = _DEF.match(code), _TYPE.match(code)
        m_single, makes = _SINGLETON.match(code), _MAKES.match(code)
        m_const = _CONSTANT.match(code)
        if not (m_def or m_type or m_single or makes or m_const):
            continue
        owner = "::".join(n for _, n in stack if n != "<< self")
        header = lines[i].strip()
        if m_single:
            stack.append((indent, "<< self"))
        elif m_type:
            name = m_type.group(2).removeprefix("::")
            found.append(Member(i, name, header, owner, "type"))
            stack.append((indent, name))
            classes.add(f"{owner}::{name}" if owner else name)
        elif m_def:
            singleton = singleton or m_def.group(1) is not None or _in_singleton(stack)
            name = ("self." if singleton else "") + m_def.group(2)
            found.append(Member(i, name, header, owner))
        elif makes:
            singleton = singleton or _in_singleton(stack)
            how, rest = makes.group(1), makes.group(2).split("#", 1)[0].rstrip()
            for name in _made(how, rest):
                found.append(Member(i, ("self." if singleton else "") + name, header, owner))
            if how.startswith("attr_") and rest.endswith((",", "(")):
                going = (how, header, i)
        elif m_const:
            found.append(Member(i, m_const.group(1), header, owner, "variable"))
    return found, classes


def _in_singleton(stack: list[tuple[int, str]]) -> bool:
    """Whether the innermost class a line is in is a ``class << self``."""
    return bool(stack) and stack[-1][1] == "<< self"


def _made(how: str, names: str) -> list[str]:
    """The methods an ``attr_*``, ``alias``, ``alias_method`` or ``define_method`` line
    makes, from its literal names (symbols; ``alias`` takes bare names too)."""
    words = [m.group(1) for m in (_BARE if how == "alias" else _SYMBOL).finditer(names)]
    if how == "attr_reader":
        return words
    if how == "attr_writer":
        return [f"{w}=" for w in words]
    if how == "attr_accessor":
        return [n for w in words for n in (w, f"{w}=")]
    # alias's and alias_method's new name, define_method's: a literal one, first
    first = (_BARE if how == "alias" else _SYMBOL).match(names.lstrip(" \t("))
    return [first.group(1)] if first else []


def shown(member: Member) -> str:
    """How a report names a Ruby member: ``Calc#neg``, ``Calc.create``, ``Calc::Error``,
    or its name at the top level."""
    if not member.owner:
        return member.name
    if member.kind in ("type", "variable"):
        return f"{member.owner}::{member.name}"
    if member.name.startswith("self."):
        return f"{member.owner}.{member.name.removeprefix('self.')}"
    return f"{member.owner}#{member.name}"
