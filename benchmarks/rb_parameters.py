"""How the guard reads the parameters of Ruby methods (``acrouter.rubyparameters``),
judged on real files against Ruby's own parser: a parameter deleted from a method the
edit keeps (or made a keyword or required, or moved, or a required one added) must be
refused, and an edit that keeps what callers can pass must never be.

For every ``.rb`` file under the folders given (in sorted path order, at most 300 KB,
UTF-8, parsed by Ruby; ``--max`` files in all, default 2000; a path with a part named by
``--exclude`` is left out), one ``ruby`` process (``--ruby``) reads each file with
``Ripper``: every ``def`` and ``defs`` node with parameters, the class or module that
holds it (its name as a report gives it: ``Tools::Reader#parse``, ``Tools::Reader.open``,
``helper``), each parameter's kind (Ripper's ``params`` node) and where its text starts
and ends, where its comma ends and where its default starts (``Ripper.lex``'s tokens of
the list, split at its commas), and every token of the method that names a local
variable (not in a nested ``def``, class or module).  Up to 3 of the file's methods with
a parameter other than ``&block``, ``...`` or ``**nil`` are drawn at random (``--seed``,
default 0) and each is edited by slicing the text at those positions.  Each edit is
judged by ``definitions.dropped_definitions(old, new, rel, instruction="Fix the bug")``
inside ``pytrees.shared_trees()`` (``rel``: the path under its folder):

- to be refused: ``deleted``, one parameter deleted with its comma: the guard must
  report ``parameter NAME of METHOD`` (``*NAME``, ``**NAME``, ``*`` or ``**`` for a rest,
  any ``#N`` for a destructuring ``(a, b)``); ``keyword``, the last positional parameter
  made a keyword one (``b`` -> ``b:``, ``b = 2`` -> ``b: 2``) where no rest, ``...`` or
  positional parameter follows it: ``parameter NAME of METHOD (made keyword)``;
  ``required``, a default taken away (the first positional one's: those after it keep
  theirs; or a keyword one's), drawn at random: ``parameter NAME of METHOD (made
  required)``; ``moved``, a new ``extra_param = nil`` put before the first positional
  parameter, or where Ruby does not parse that (a required one first, then an optional
  one or a rest) before the first optional one (a method where neither parses, or with
  no positional parameter, is not edited: counted on a line of its own): the guard must
  report the first positional parameter with a name it goes before as ``parameter NAME
  of METHOD (moved from 1st to 2nd place)`` (the places counted among the positional
  parameters; its lines for the later ones are not looked at), except where every
  positional parameter is required and no rest nor ``...`` follows: Ruby binds the
  required parameters first, so every call that worked binds as before, and that edit
  (``binds as before``) must not be refused; ``added required``, a new required
  keyword ``extra_param:`` after the other keywords (before ``**opts``, ``**nil`` or
  ``&block``; not made, counted skipped, beside ``...``): ``parameter extra_param of
  METHOD (added, required)``.  METHOD is the name the guard gives the method on that line (one that
  Ripper's tree holds in another class or module, as a class body not indented, is
  counted and listed as named otherwise).  Not counted as misses, by design: a
  parameter the new signature still takes (a positional one into ``*rest`` or ``...``,
  a keyword one into ``**opts`` or ``...``), a method whose name as the guard gives it
  is defined more than once in the file (a class reopened, a branch, an ``attr_*`` or
  ``alias`` of the same name), and a method the guard does not read: no ``def`` it reads
  on that line (``def obj.name``, a ``def`` after other code on its line), or a
  parameter list it cannot read (``acrouter.rubyparameters.signatures`` lacks it);
- never to be refused (any loss the guard reports is a false refusal): ``added``, a new
  ``extra_param = nil`` after the last optional (else required) positional parameter,
  before a rest, keywords or a block (before a required one after it, which Ruby binds
  from the end: ``def f(host = nil, extra_param = nil, port)``); ``binds as before``
  (see ``moved``); ``renamed``, a positional parameter renamed
  ``renamed_NAME`` with every token of the method that names it as a variable;
  ``default changed``, a default replaced by ``nil`` (``false`` where it was ``nil``);
  ``block dropped``, ``&block`` deleted with its comma (whatever the body does with it);
  and once a file, ``comment added``, a last line ``# edited``: where that is refused,
  the file is listed with what the guard reports, and a false refusal of that file that
  reports nothing more is counted apart (the guard refuses any edit of the file).
  No reformatting edit is made (``rubocop`` is not assumed).

An edit whose text Ruby no longer parses (``Ripper.sexp`` and ``RubyVM::
InstructionSequence.compile``, as ``ruby -c``, in the same process) is skipped
(counted).  A method's parameters as the guard reads them are also compared with
Ripper's, for every method the guard reads, and so is its name.  Prints the files
read, those comparisons, one row an edit kind, how the edits to be refused that were
not divide, and the first false refusals, files refused whatever the edit, misses,
edits of methods the guard does not read, parameters read otherwise and methods named
otherwise (``--show`` of each, default 10), with file:line and the guard's message;
then the command line.  On Ruby's standard library, the gems installed beside it, and
gems unpacked in a folder of their own (``gem fetch NAME`` and ``gem unpack``, or where
rubygems.org cannot be reached, Debian's packages of them: ``apt-get download ruby-rack
ruby-thor ...`` and ``dpkg -x`` each into its own folder)::

    .venv/bin/python benchmarks/rb_parameters.py "$(ruby -e 'print RbConfig::CONFIG["rubylibdir"]')"
    .venv/bin/python benchmarks/rb_parameters.py /usr/lib/ruby/gems/3.1.0/gems \\
        /usr/share/rubygems-integration /usr/lib/ruby/vendor_ruby
    .venv/bin/python benchmarks/rb_parameters.py /tmp/rbparams/gems

Reads the folders given, writes nothing there (the texts go to Ruby on its standard
input).
"""

from __future__ import annotations

import argparse
import json
import random
import shlex
import subprocess
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "server"))

from acrouter.definitions import dropped_definitions
from acrouter.parameters import ordinal
from acrouter.pytrees import shared_trees
from acrouter.rubydefinitions import DEF, ruby_members, shown
from acrouter.rubyparameters import Parameter, signatures
from bench_sources import read_sources, source_arguments, unread_line, utf8_text

INSTRUCTION = "Fix the bug"
KINDS = (
    "comment added",
    "deleted",
    "keyword",
    "required",
    "moved",
    "added required",
    "added",
    "binds as before",
    "renamed",
    "default changed",
    "block dropped",
)
#: the edits the guard must refuse, and how it names what they do to the parameter
REFUSED = {
    "deleted": "",
    "keyword": " (made keyword)",
    "required": " (made required)",
    "moved": " (moved from {} to {} place)",
    "added required": " (added, required)",
}
EXTRA = "extra_param"
POSITIONAL = ("req", "opt", "post")
#: Ripper's kinds (``post``: a required positional parameter after the optional ones or
#: the rest) as the guard writes them (:data:`acrouter.rubyparameters.Parameter`)
GUARD_KIND = {
    "req": "req",
    "post": "req",
    "opt": "opt",
    "rest": "*",
    "kw": "kw",
    "kwopt": "kw=",
    "kwrest": "**",
    "nokw": "**",
    "block": "&",
    "fwd": "...",
}

#: Each request a JSON line on standard input, {"read": text} or {"check": text}; each
#: answer a JSON line: the methods with parameters of a text that parses (null if it
#: does not), or whether it parses.  Positions are [line, byte column], 1-based lines.
RIPPER = r"""
require "ripper"
require "json"
$VERBOSE = nil
STDOUT.sync = true

OPEN = %i[on_lparen on_lbracket on_lbrace on_tlambeg on_embexpr_beg].freeze
CLOSE = %i[on_rparen on_rbracket on_rbrace on_embexpr_end].freeze
BLANK = %i[on_sp on_ignored_nl on_nl on_comment].freeze

def parses(text)
  return false if Ripper.sexp(text).nil?
  RubyVM::InstructionSequence.compile(text)
  true
rescue SyntaxError, StandardError, SystemStackError
  false
end

def const_name(node)
  case node[0]
  when :const_ref, :var_ref, :top_const_ref then node[1][1]
  when :const_path_ref then "#{const_name(node[1])}::#{node[2][1]}"
  when :@const then node[1]
  end
end

# [kind, name] of a params node's parameters, in source order; a destructuring one's
# name is nil
def kinds(params)
  params = params[1] if params.is_a?(Array) && params[0] == :paren
  return [] unless params.is_a?(Array) && params[0] == :params
  _, pre, opt, rest, post, kw, kwrest, block = params
  named = ->(p) { p[0] == :@ident ? p[1] : nil }
  out = []
  (pre || []).each { |p| out << ["req", named.(p)] }
  (opt || []).each { |p, _| out << ["opt", p[1]] }
  out << ["rest", rest[1] && rest[1][1]] if rest.is_a?(Array) && rest[0] == :rest_param
  (post || []).each { |p| out << ["post", named.(p)] }
  (kw || []).each { |label, default| out << [default ? "kwopt" : "kw", label[1].chomp(":")] }
  if kwrest == [:args_forward]
    out << ["fwd", "..."]
  elsif kwrest == :nil
    out << ["nokw", "nil"]
  elsif kwrest.is_a?(Array) && kwrest[0] == :kwrest_param
    out << ["kwrest", kwrest[1] && kwrest[1][1]]
  end
  out << ["block", block[1] && block[1][1]] if block.is_a?(Array) && block[0] == :blockarg
  out
end

# the @ident tokens that name local variables in a method's parameters and body (not in
# a nested def, class or module): a variable read or assigned, a parameter
def locals(node, out)
  return unless node.is_a?(Array)
  case node[0]
  when :@ident then return # reached otherwise: a method's name
  when :var_ref, :var_field
    out << node[1] if node[1].is_a?(Array) && node[1][0] == :@ident
    return
  when :def, :defs, :class, :module, :sclass then return
  when :params
    _, pre, opt, rest, post, kw, kwrest, block = node
    bare = lambda do |p|
      next unless p.is_a?(Array)
      p[0] == :@ident ? out << p : p.each { |q| bare.(q) }
    end
    (pre || []).each { |p| bare.(p) }
    (post || []).each { |p| bare.(p) }
    (opt || []).each { |p, d| out << p; locals(d, out) }
    (kw || []).each { |_, d| locals(d, out) if d }
    [rest, kwrest, block].each do |p|
      out << p[1] if p.is_a?(Array) && p[1].is_a?(Array) && p[1][0] == :@ident
    end
    return
  when :block_var
    locals(node[1], out)
    (node[2] || []).each { |p| out << p if p.is_a?(Array) && p[0] == :@ident }
    return
  end
  node.each { |n| locals(n, out) }
end

def token_end(pos, str)
  lines = str.split("\n", -1)
  lines.size > 1 ? [pos[0] + lines.size - 1, lines[-1].bytesize] : [pos[0], pos[1] + str.bytesize]
end

# the parameter list after the name token at index i, split at its commas: [start, end,
# the comma's end or nil, its tokens [position, type, string]] an item
def items(tokens, i)
  j = i + 1
  j += 1 while j < tokens.size && tokens[j][1] == :on_sp
  paren = j < tokens.size && tokens[j][1] == :on_lparen
  j += 1 if paren
  depth = 0
  out, cur = [], nil
  while j < tokens.size
    pos, type, str = tokens[j]
    if depth.zero?
      break if paren && type == :on_rparen
      break if !paren && %i[on_nl on_semicolon on_comment].include?(type)
      if type == :on_comma
        cur[2] = [pos[0], pos[1] + 1] if cur
        cur = nil
        j += 1
        next
      end
    end
    depth += 1 if OPEN.include?(type) || (type == :on_kw && str == "do")
    depth -= 1 if CLOSE.include?(type) || (type == :on_kw && str == "end" && depth > 0)
    unless BLANK.include?(type)
      if cur.nil?
        cur = [pos, nil, nil, []]
        out << cur
      end
      cur[1] = token_end(pos, str)
      cur[3] << [pos, type, str]
    end
    j += 1
  end
  out
end

def parameter((kind, name), (start, stop, comma, toks))
  # the name's end and the default's start: at the "=" of a positional one, the label
  at = toks.index { |_, t, s| (t == :on_op && s == "=") || t == :on_label }
  name_end = default = nil
  if at
    name_end = toks[at][1] == :on_label ? token_end(toks[at][0], toks[at][2]) : nil
    name_end ||= token_end(toks[at - 1][0], toks[at - 1][2]) if at > 0
    default = toks[at + 1] && toks[at + 1][0]
  end
  {
    "kind" => kind, "name" => name, "start" => start, "end" => stop, "comma" => comma,
    "name_end" => name_end, "default" => default,
  }
end

def method_of(node, name_tok, shown, tokens, index)
  params = node[0] == :def ? node[2] : node[4]
  found = kinds(params)
  return nil if found.empty?
  i = index[name_tok[2]]
  k = i
  k -= 1 until k.nil? || k < 0 || (tokens[k][1] == :on_kw && tokens[k][2] == "def")
  line = k.nil? || k < 0 ? name_tok[2][0] : tokens[k][0][0]
  split = i.nil? ? [] : items(tokens, i)
  method = {"line" => line, "name" => shown, "bare" => name_tok[1]}
  return method.merge("params" => nil) if split.size != found.size
  names = []
  locals(params, names)
  locals(node[0] == :def ? node[3] : node[5], names)
  wanted = found.select { |kind, n| %w[req opt post].include?(kind) && n }.map { |_, n| n }
  uses = Hash.new { |h, n| h[n] = [] }
  names.each { |_, n, pos| uses[n] << pos if wanted.include?(n) }
  method.merge("params" => found.zip(split).map { |p, item| parameter(p, item) }, "uses" => uses)
end

def walk(node, owner, single, tokens, index, out)
  return unless node.is_a?(Array)
  path = owner.join("::")
  case node[0]
  when :module, :class
    name = const_name(node[1])
    if name
      node[2..].each { |n| walk(n, owner + [name], false, tokens, index, out) }
      return
    end
  when :sclass
    node[2..].each { |n| walk(n, owner, true, tokens, index, out) }
    return
  when :def
    name = node[1][1]
    shown = path.empty? ? (single ? "self.#{name}" : name) : "#{path}#{single ? '.' : '#'}#{name}"
    m = method_of(node, node[1], shown, tokens, index)
    out << m if m
    node[2..].each { |n| walk(n, owner, false, tokens, index, out) }
    return
  when :defs
    recv, name = node[1], node[3][1]
    on = recv[0] == :var_ref && (recv[1][1] == "self" || recv[1][0] == :@const) ? "self" : nil
    # ``def obj.name``: by its object's name
    on ||= %i[var_ref vcall].include?(recv[0]) ? recv[1][1] : "(...)"
    shown = path.empty? || on != "self" ? "#{on}.#{name}" : "#{path}.#{name}"
    m = method_of(node, node[3], shown, tokens, index)
    out << m if m
    node[4..].each { |n| walk(n, owner, false, tokens, index, out) }
    return
  end
  node.each { |n| walk(n, owner, single, tokens, index, out) }
end

def read(text)
  tree = parses(text) ? Ripper.sexp(text) : nil
  return nil if tree.nil?
  tokens = Ripper.lex(text)
  index = {}
  tokens.each_with_index { |t, n| index[t[0]] = n }
  out = []
  walk(tree, [], false, tokens, index, out)
  out
rescue SystemStackError # (a tree too deep to walk: as one that does not parse)
  nil
end

STDIN.each_line do |line|
  request = JSON.parse(line)
  answer = request.key?("check") ? parses(request["check"]) : read(request["read"])
  puts JSON.generate(answer)
end
"""


class Ruby:
    """The one ``ruby`` process that reads the files and checks the edits."""

    def __init__(self, ruby: str, script: Path) -> None:
        script.write_text(RIPPER)
        self.process = subprocess.Popen(
            [ruby, str(script)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )

    def ask(self, request: dict[str, str]) -> Any:
        stdin, stdout = self.process.stdin, self.process.stdout
        assert stdin is not None and stdout is not None
        stdin.write(json.dumps(request) + "\n")
        stdin.flush()
        answer = stdout.readline()
        if not answer:
            raise SystemExit(f"ruby stopped (exit status {self.process.wait()})")
        return json.loads(answer)

    def methods(self, text: str) -> list[dict[str, Any]] | None:
        found: list[dict[str, Any]] | None = self.ask({"read": text})
        return found

    def parses(self, text: str) -> bool:
        return bool(self.ask({"check": text}))

    def close(self) -> None:
        stdin: IO[str] | None = self.process.stdin
        if stdin is not None:
            stdin.close()
        self.process.wait()


class Text:
    """A source text and its offsets: Ripper's columns are UTF-8 bytes, slices characters."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = text.split("\n")
        self.starts = [0]
        for line in self.lines[:-1]:
            self.starts.append(self.starts[-1] + len(line) + 1)

    def at(self, pos: list[int] | None) -> int | None:
        if pos is None:
            return None
        lineno, col = pos
        line = self.lines[lineno - 1]
        if line.isascii():
            return self.starts[lineno - 1] + col
        return self.starts[lineno - 1] + len(line.encode()[:col].decode(errors="ignore"))


@dataclass
class Param:
    """A parameter as Ripper reads it, its text at ``start:end`` (character offsets)."""

    kind: str  # req, opt, post, rest, kw, kwopt, kwrest, nokw, block, fwd
    name: str | None  # None: a destructuring ``(a, b)``, an anonymous ``*``, ``**``, ``&``
    start: int
    end: int
    comma: int | None  # where the comma after it ends
    name_end: int | None  # (with a default, a keyword one) where its name or label ends
    default: int | None  # where its default starts


@dataclass
class Method:
    line: int  # 0-based, of its ``def``
    name: str  # as Ripper's tree holds it
    bare: str
    params: list[Param]
    uses: dict[str, list[int]]  # a positional parameter's name -> where it is named


def read_methods(src: Text, found: list[dict[str, Any]]) -> tuple[list[Method], int]:
    """The methods whose parameter lists were split, and how many were not."""
    out: list[Method] = []
    unsplit = 0
    for m in found:
        if m["params"] is None:
            unsplit += 1
            continue
        params = []
        for p in m["params"]:
            start, end = src.at(p["start"]), src.at(p["end"])
            assert start is not None and end is not None
            params.append(
                Param(
                    p["kind"],
                    p["name"],
                    start,
                    end,
                    src.at(p["comma"]),
                    src.at(p["name_end"]),
                    src.at(p["default"]),
                )
            )
        uses = {
            n: sorted(at for pos in spots if (at := src.at(pos)) is not None)
            for n, spots in m["uses"].items()
        }
        out.append(Method(m["line"] - 1, m["name"], m["bare"], params, uses))
    return out, unsplit


def written(p: Param, index: int) -> str:
    """How the guard names ``p`` (the ``index``-th of its method's parameters)."""
    if p.kind == "rest":
        return f"*{p.name or ''}"
    if p.kind == "kwrest":
        return f"**{p.name or ''}"
    return p.name or f"#{index + 1}"


def as_guard_reads(params: list[Param]) -> list[Parameter]:
    return [(GUARD_KIND[p.kind], p.name or "") for p in params]


def absorbed(p: Param, params: list[Param]) -> bool:
    """Whether the signature without ``p`` still takes what callers passed to it."""
    kinds = {q.kind for q in params}
    if p.kind in POSITIONAL:
        return bool(kinds & {"rest", "fwd"})
    if p.kind in ("kw", "kwopt"):
        return bool(kinds & {"kwrest", "fwd"})
    return False


def cut(text: str, params: list[Param], i: int) -> str:
    """``text`` without the parameter ``i`` and its comma."""
    if i + 1 < len(params):
        return text[: params[i].start] + text[params[i + 1].start :]
    comma = params[i].comma
    if comma is not None:
        return text[: params[i].start] + text[comma:]
    if i > 0:
        return text[: params[i - 1].end] + text[params[i].end :]
    return text[: params[i].start] + text[params[i].end :]


def added(text: str, params: list[Param]) -> str:
    """``extra_param = nil`` after the leading required and optional parameters."""
    at = next((i for i, p in enumerate(params) if p.kind not in ("req", "opt")), None)
    if at is not None:
        start = params[at].start
        return text[:start] + f"{EXTRA} = nil, " + text[start:]
    end = params[-1].end
    return text[:end] + f", {EXTRA} = nil" + text[end:]


def moved_at(params: list[Param]) -> list[tuple[str, int]]:
    """Where ``extra_param = nil`` may go to move a positional parameter, in the order
    tried (the first whose text Ruby parses is taken): (``front``, or ``before
    optional`` where the first positional parameter is required and an optional one or a
    rest follows, which makes the front no place for a default; the index among the
    positional parameters of the one it goes before)."""
    positional = [p for p in params if p.kind in POSITIONAL]
    out = [("front", 0)] if positional else []
    first_opt = next((i for i, p in enumerate(positional) if p.kind == "opt"), None)
    if first_opt is not None and first_opt > 0:
        out.append(("before optional", first_opt))
    return out


def moved(text: str, params: list[Param], k: int) -> str:
    """``extra_param = nil`` put before the ``k``-th positional parameter."""
    at = [p for p in params if p.kind in POSITIONAL][k].start
    return text[:at] + f"{EXTRA} = nil, " + text[at:]


def added_required(text: str, params: list[Param]) -> str | None:
    """A required keyword ``extra_param:`` after the other keywords (before ``**opts``,
    ``&block``); None where the method forwards everything (``...``)."""
    if any(p.kind == "fwd" for p in params):
        return None
    at = next((p for p in params if p.kind in ("kwrest", "nokw", "block")), None)
    if at is not None:
        return text[: at.start] + f"{EXTRA}:, " + text[at.start :]
    end = params[-1].end
    return text[:end] + f", {EXTRA}:" + text[end:]


def renamed(text: str, m: Method, p: Param) -> str | None:
    """``p`` renamed where the method names it, or None where its own name is not read."""
    assert p.name is not None
    spots = m.uses.get(p.name, [])
    if p.start not in spots:
        return None
    for at in reversed(spots):
        text = text[:at] + f"renamed_{p.name}" + text[at + len(p.name) :]
    return text


def keyword(text: str, p: Param) -> str | None:
    """``b`` -> ``b:``, ``b = 2`` -> ``b: 2``."""
    if p.kind == "req":
        return text[: p.end] + ":" + text[p.end :]
    if p.name_end is None or p.default is None:
        return None
    return text[: p.name_end] + ": " + text[p.default :]


def required(text: str, p: Param) -> str | None:
    """``b = 2`` -> ``b``, ``mode: "r"`` -> ``mode:``."""
    if p.name_end is None:
        return None
    return text[: p.name_end] + text[p.end :]


def default_changed(text: str, p: Param) -> str | None:
    if p.default is None:
        return None
    value = "false" if text[p.default : p.end].strip() == "nil" else "nil"
    return text[: p.default] + value + text[p.end :]


def ruby_files(
    folders: list[Path], most: int, exclude: set[str], ruby: Ruby
) -> tuple[list[tuple[Path, str, str, list[dict[str, Any]]]], Counter[str]]:
    """(path, rel, text, Ripper's methods) of the files read (at most ``most``, each
    parsed), and why others were not."""
    out: list[tuple[Path, str, str, list[dict[str, Any]]]] = []
    unread: Counter[str] = Counter()
    sources = read_sources(folders, "*.rb", exclude, unread, read=utf8_text)
    while len(out) < most and (source := next(sources, None)) is not None:
        found = ruby.methods(source[2])
        if found is None:
            unread["not parsed"] += 1
        else:
            out.append((*source, found))
    return out, unread


class Judge:
    def __init__(self, ruby: Ruby) -> None:
        self.ruby = ruby
        self.rows: dict[str, Counter[str]] = {k: Counter() for k in KINDS}
        self.deletions: Counter[tuple[str, str]] = Counter()
        self.read: Counter[str] = Counter()
        self.false: list[str] = []
        self.anyway: list[str] = []  # refused for what the comment added is refused for
        self.control: list[str] = []  # the files whose comment added is refused
        self.lost: list[str] = []  # what the guard reports for that comment
        self.misses: list[str] = []
        self.unread: list[str] = []  # the edits of methods the guard does not read
        self.otherwise: list[str] = []
        self.named: list[str] = []
        self.places: Counter[str] = Counter()  # (moved) where extra_param went, or why not

    def benign(self, kind: str, old: str, new: str | None, rel: str, where: str, what: str) -> None:
        if new is None or new == old:
            return
        row = self.rows[kind]
        if not self.ruby.parses(new):
            row["skipped"] += 1
            return
        row["edits"] += 1
        lost = dropped_definitions(old, new, rel, instruction=INSTRUCTION)
        if lost:
            row["refused"] += 1
            line = f"false refusal ({kind}) {where} {what}: {lost[:4]}"
            (self.anyway if set(lost) <= set(self.lost) else self.false).append(line)
        else:
            row["not refused"] += 1

    def refusal(
        self,
        kind: str,
        old: str,
        new: str | None,
        rel: str,
        where: str,
        method: str,
        name: str,
        why: str | None,
        change: str | None = None,
    ) -> None:
        """``new`` must be refused as ``parameter NAME of METHOD`` with the kind's change
        (``change`` where it is not the kind's: ``(moved from 1st to 2nd place)``; any
        ``#N`` for ``name`` "#") unless ``why``: not compared, by design."""
        suffix = REFUSED[kind] if change is None else change
        if new is None or new == old:
            return
        row = self.rows[kind]
        if not self.ruby.parses(new):
            row["skipped"] += 1
            return
        row["edits"] += 1
        lost = dropped_definitions(old, new, rel, instruction=INSTRUCTION)
        if name.startswith("#"):
            hit = any(
                s.startswith("parameter #") and s.endswith(f" of {method}{suffix}") for s in lost
            )
        else:
            hit = f"parameter {name} of {method}{suffix}" in lost
        if hit:
            row["refused"] += 1
            if why is not None:
                self.deletions[kind, f"refused although {why}"] += 1
                self.false.append(f"false refusal ({kind}, {why}) {where}: {lost[:4]}")
            return
        row["not refused"] += 1
        self.deletions[kind, why or "missed"] += 1
        if why is None:
            self.misses.append(f"missed ({kind}) {where} {name} of {method}; guard: {lost[:3]}")
        elif why in ("not read", "list not read"):
            self.unread.append(f"{why} ({kind}) {where} {name} of {method}")


def judge_file(
    judge: Judge,
    rng: random.Random,
    rel: str,
    text: str,
    shown_as: str,
    found: list[dict[str, Any]],
) -> None:
    src = Text(text)
    commented = text + ("" if text.endswith("\n") else "\n") + "# edited\n"
    judge.lost = dropped_definitions(text, commented, rel, instruction=INSTRUCTION)
    if judge.lost:
        judge.control.append(f"refused whatever the edit: {shown_as}: {judge.lost[:4]}")
    judge.benign("comment added", text, commented, rel, shown_as, "")
    methods, unsplit = read_methods(src, found)
    judge.read["methods"] += len(found)
    judge.read["unsplit"] += unsplit
    sigs = signatures(text)
    members = [m for m in ruby_members(text) if m.kind == "method"]
    counts = Counter(shown(m) for m in members)
    on_line = {
        (m.line, m.name.removeprefix("self.")): shown(m) for m in members if DEF.match(m.header)
    }
    guard_names: dict[int, str | None] = {}
    for k, m in enumerate(methods):
        name = on_line.get((m.line, m.bare))
        guard_names[k] = name
        if name is None or name not in sigs or sigs[name][0] != m.line:
            continue
        judge.read["read"] += 1
        where = f"{shown_as}:{m.line + 1}"
        if sigs[name][1] != as_guard_reads(m.params):
            judge.read["otherwise"] += 1
            judge.otherwise.append(
                f"read otherwise {where} {name}: guard {sigs[name][1]}, "
                f"Ripper {as_guard_reads(m.params)}"
            )
        if name != m.name:
            judge.read["named"] += 1
            judge.named.append(f"named otherwise {where}: guard {name}, Ripper {m.name}")
    chosen = [
        k
        for k, m in enumerate(methods)
        if any(p.kind not in ("block", "fwd", "nokw") for p in m.params)
    ]
    for k in rng.sample(chosen, min(3, len(chosen))):
        m, params = methods[k], methods[k].params
        name = guard_names[k]
        where = f"{shown_as}:{m.line + 1}"
        not_read: str | None = None
        if name is None:
            not_read = "not read"
        elif counts[name] > 1:
            not_read = "defined twice"
        elif name not in sigs:
            not_read = "list not read"
        method = name or m.name
        # deleted: a parameter other than a block, ``...`` or ``**nil``
        i = rng.choice([i for i, p in enumerate(params) if p.kind not in ("block", "fwd", "nokw")])
        p = params[i]
        why = not_read or ("still taken" if absorbed(p, params) else None)
        label = "#" if p.name is None and p.kind in POSITIONAL else written(p, i)
        judge.refusal("deleted", text, cut(text, params, i), rel, where, method, label, why)
        # keyword: the last positional parameter, none but keywords and a block after it
        kinds = [q.kind for q in params]
        last = max((j for j, q in enumerate(params) if q.kind in POSITIONAL), default=None)
        if (
            last is not None
            and params[last].kind in ("req", "opt")
            and params[last].name is not None
            and not {"rest", "post", "fwd"} & set(kinds)
        ):
            q = params[last]
            new = keyword(text, q)
            judge.refusal("keyword", text, new, rel, where, method, str(q.name), not_read)
        # required: the first optional positional parameter's default, or a keyword one's
        options = [q for q in params if q.kind == "opt"][:1] + [
            q for q in params if q.kind == "kwopt"
        ]
        if options:
            q = rng.choice(options)
            new = required(text, q)
            judge.refusal("required", text, new, rel, where, method, str(q.name), not_read)
        if all(q.name != EXTRA for q in params):
            moved_edit(judge, text, rel, where, method, params, not_read)
            new = added_required(text, params)
            if new is None:  # (no keyword goes beside ``...``)
                judge.rows["added required"]["skipped"] += 1
            else:
                judge.refusal("added required", text, new, rel, where, method, EXTRA, not_read)
            judge.benign("added", text, added(text, params), rel, where, "")
        named = [q for q in params if q.kind in POSITIONAL and q.name]
        if named:
            q = rng.choice(named)
            judge.benign("renamed", text, renamed(text, m, q), rel, where, str(q.name))
        defaults = [q for q in params if q.kind in ("opt", "kwopt")]
        if defaults:
            q = rng.choice(defaults)
            judge.benign("default changed", text, default_changed(text, q), rel, where, str(q.name))
        blocks = [j for j, q in enumerate(params) if q.kind == "block"]
        if blocks:
            judge.benign("block dropped", text, cut(text, params, blocks[0]), rel, where, "")


def moved_edit(
    judge: Judge,
    text: str,
    rel: str,
    where: str,
    method: str,
    params: list[Param],
    not_read: str | None,
) -> None:
    """``extra_param = nil`` put before the first positional parameter (or the first
    optional one, :func:`moved_at`): the guard must report the first named one it moves
    as ``(moved from 1st to 2nd place)``."""
    positional = [p for p in params if p.kind in POSITIONAL]
    for place, k in moved_at(params):
        named = next((j for j in range(k, len(positional)) if positional[j].name), None)
        if named is None:
            continue
        new = moved(text, params, k)
        if not judge.ruby.parses(new):
            continue
        required_only = all(p.kind in ("req", "post") for p in positional)
        if place == "front" and required_only and not {"rest", "fwd"} & {p.kind for p in params}:
            # Ruby binds the required parameters first: every call that worked binds
            # as before, so the guard must let it through
            judge.places["front, each required"] += 1
            judge.benign("binds as before", text, new, rel, where, "")
            return
        judge.places[place] += 1
        change = REFUSED["moved"].format(ordinal(named + 1), ordinal(named + 2))
        name = str(positional[named].name)
        judge.refusal("moved", text, new, rel, where, method, name, not_read, change)
        return
    judge.places["no place" if positional else "no positional parameter"] += 1


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    source_arguments(ap, 10, "examples shown of each kind")
    ap.add_argument("--ruby", default="ruby", help="the ruby to parse with (default: ruby)")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        ruby = Ruby(args.ruby, Path(tmp) / "ripper.rb")
        try:
            read, unread = ruby_files(args.folders, args.max, set(args.exclude), ruby)
            judge = Judge(ruby)
            for path, rel, text, found in read:
                with shared_trees():
                    judge_file(judge, rng, rel, text, str(path), found)
        finally:
            ruby.close()
    print(unread_line(len(read), unread))
    r = judge.read
    print(
        f"methods with parameters (Ripper): {r['methods']} (list not split: {r['unsplit']}); "
        f"read by the guard: {r['read']}, their parameters read otherwise: {r['otherwise']}, "
        f"named otherwise: {r['named']}"
    )
    print(f"{'edit':<15}  {'edits':>6}  {'refused':>7}  {'not refused':>11}  {'skipped':>7}")
    for kind in KINDS:
        row = judge.rows[kind]
        print(
            f"{kind:<15}  {row['edits']:>6}  {row['refused']:>7}  {row['not refused']:>11}  "
            f"{row['skipped']:>7}"
        )
    d = judge.deletions
    for kind in REFUSED:
        print(
            f"{kind} not refused: {d[kind, 'still taken']} still taken (by *rest / **opts / "
            f"...), {d[kind, 'defined twice']} of a method defined twice, "
            f"{d[kind, 'not read'] + d[kind, 'list not read']} of a method the guard does not "
            f"read ({d[kind, 'list not read']} of them: its parameters), "
            f"{d[kind, 'missed']} missed"
        )
    w = judge.places
    print(
        f"moved: {w['front']} before the first positional parameter, {w['before optional']} "
        f"before the first optional one (a required one first); binds as before: "
        f"{w['front, each required']} put before positional parameters that are all "
        f"required (no rest nor ... follows: Ruby binds the required ones first, so every "
        f"call that worked binds as before); not edited: {w['no place']} where no such "
        f"place parses, {w['no positional parameter']} without a positional parameter"
    )
    by_design = sum(n for (_, why), n in d.items() if why.startswith("refused although"))
    print(f"refused although not compared by design: {by_design}")
    print(
        f"false refusals: {len(judge.false)} (not counted: {len(judge.anyway)} in the "
        f"{len(judge.control)} files where a comment added is refused too)"
    )
    listed = (judge.false, judge.control, judge.misses, judge.unread, judge.otherwise, judge.named)
    for lines in listed:
        for line in lines[: args.show]:
            print(line)
    print("command:", shlex.join([sys.executable, *sys.argv]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
