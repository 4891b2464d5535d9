"""How well the guard against dropped code reads a Ruby file's methods, classes and
modules, against what Ruby's own parser (``Ripper``) finds in the same file.

The guard (``acrouter.rubydefinitions.ruby_members``) reads them from the lines, by
indentation.  This compares, file by file, what it reads with the ``def``, ``defs``,
``class``, ``module``, ``alias``, ``attr_*``, ``alias_method`` and ``define_method``
nodes and a constant's assignments (``assign``, ``opassign``) of Ripper's tree, each with the class or module that holds it:

- read but not parsed: something the guard would report as dropped if it went, though
  Ruby sees no such definition there (a false refusal waiting to happen);
- parsed but not read: a definition the guard does not protect.

Usage, on Ruby's own library (the default) or any folder of Ruby code::

    .venv/bin/python benchmarks/ruby_members.py
    .venv/bin/python benchmarks/ruby_members.py --sources /usr/lib/ruby/vendor_ruby

It prints the counts and the first differences, and exits 0; files Ripper cannot parse
are left out (and counted).
"""

from __future__ import annotations

import argparse
import subprocess
from pathlib import Path

from acrouter.rubydefinitions import ruby_members
from members_report import compare_parsed, parsed_rows

#: Ripper's definitions of each file named on standard input, a JSON line per file:
#: [[owner, name, kind], ...], or null when the file does not parse
RIPPER = r"""
require "ripper"
require "json"

def const_name(node)
  case node[0]
  when :const_ref, :var_ref, :top_const_ref then node[1][1]
  when :const_path_ref then "#{const_name(node[1])}::#{node[2][1]}"
  when :@const then node[1]
  else nil
  end
end

def sym(node)
  return nil unless node.is_a?(Array)
  case node[0]
  when :symbol_literal, :dyna_symbol then sym(node[1])
  when :symbol then node[1][1]
  when :@ident, :@const, :@op, :@kw, :@backtick, :@ivar then node[1]
  else nil
  end
end

def args_of(node)
  node = node[1] if node.is_a?(Array) && node[0] == :arg_paren
  node = node[1] if node.is_a?(Array) && node[0] == :args_add_block
  node.is_a?(Array) ? node : []
end

MAKERS = %w[attr_reader attr_writer attr_accessor alias_method define_method]

def made(name, args, owner, single, out)
  syms = args.map { |a| sym(a) }
  # a name made from a variable or an interpolated string is no literal definition
  syms = MAKERS.first(3).include?(name) ? syms.compact : syms.first(1).compact
  pre = single ? "self." : ""
  case name
  when "attr_reader" then syms.each { |s| out << [owner, pre + s, "method"] }
  when "attr_writer" then syms.each { |s| out << [owner, "#{pre}#{s}=", "method"] }
  when "attr_accessor"
    syms.each { |s| out << [owner, pre + s, "method"]; out << [owner, "#{pre}#{s}=", "method"] }
  else out << [owner, pre + syms[0], "method"] if syms[0]
  end
end

def walk(node, owner, single, out)
  return unless node.is_a?(Array)
  case node[0]
  when :module, :class
    name = const_name(node[1])
    if name
      out << [owner.join("::"), name, "type"]
      node[2..].each { |n| walk(n, owner + [name], false, out) }
      return
    end
  when :sclass
    node[2..].each { |n| walk(n, owner, true, out) }
    return
  when :def
    out << [owner.join("::"), (single ? "self." : "") + node[1][1], "method"]
    node[2..].each { |n| walk(n, owner, false, out) }
    return
  when :defs
    recv = node[1]
    if recv[0] == :var_ref && (recv[1][1] == "self" || recv[1][0] == :@const)
      out << [owner.join("::"), "self." + node[3][1], "method"]
    end
    node[4..].each { |n| walk(n, owner, false, out) }
    return
  when :assign, :opassign
    target = node[1]
    if target.is_a?(Array) && target[0] == :var_field && target[1].is_a?(Array) && target[1][0] == :@const
      out << [owner.join("::"), target[1][1], "variable"]
    end
  when :alias
    new = sym(node[1])
    out << [owner.join("::"), (single ? "self." : "") + new, "method"] if new
    return
  when :command
    name = node[1][1]
    made(name, args_of(node[2]), owner.join("::"), single, out) if MAKERS.include?(name)
  when :method_add_arg
    if node[1].is_a?(Array) && node[1][0] == :fcall && MAKERS.include?(node[1][1][1])
      made(node[1][1][1], args_of(node[2]), owner.join("::"), single, out)
    end
  end
  node.each { |n| walk(n, owner, single, out) }
end

STDIN.each_line do |path|
  tree = Ripper.sexp(File.read(path.chomp, encoding: "UTF-8")) rescue nil
  if tree.nil?
    puts "null"
  else
    out = []
    walk(tree, [], false, out)
    puts JSON.generate(out)
  end
end
"""


def _ripper(files: list[Path], ruby: str = "ruby") -> list[list[tuple[str, str, str]] | None]:
    return parsed_rows(ruby, RIPPER, ".rb", files)


def compare(sources: Path, ruby: str = "ruby", show: int = 25) -> int:
    files = sorted(f for f in sources.rglob("*.rb") if f.is_file())
    return compare_parsed(
        sources,
        files,
        _ripper(files, ruby),
        lambda text: ((m.owner, m.name, m.kind) for m in ruby_members(text)),
        judge="Ripper",
        noun="definitions",
        owners="by the class or module that holds each (how a loss is named; a class's\n"
        "methods go with it when it goes):",
        shown=lambda o, n, k: f"{o}{' ' if o else ''}{n} ({k})",
        show=show,
    )


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sources", type=Path, help="a folder of Ruby files (default: Ruby's own)")
    p.add_argument("--ruby", default="ruby", help="the ruby to parse with")
    p.add_argument("--show", type=int, default=25, help="differences listed of each kind")
    args = p.parse_args(argv)
    sources = args.sources
    if sources is None:
        where = subprocess.run(
            [args.ruby, "-e", 'print RbConfig::CONFIG["rubylibdir"]'],
            capture_output=True,
            text=True,
            check=True,
        )
        sources = Path(where.stdout)
    if not sources.is_dir():
        p.error(f"{sources} is not a folder")
    return compare(sources, args.ruby, args.show)


if __name__ == "__main__":
    raise SystemExit(main())
