"""How well the guard against dropped code reads what a C# file declares, against
tree-sitter's C# grammar on the same file.

The guard (``acrouter.csharpdefinitions.csharp_members``) reads a file's classes,
structs, interfaces, enums, records and delegates, at the top level (in namespaces, block
or file-scoped, too) and in type bodies, the methods, operators, conversions,
finalizers, constructors, fields, properties, indexers, events and enum members of each
type body, and a record's positional parameters, from its lines with brackets counted.
This compares, file by file, what it reads with the same declarations of tree-sitter's
syntax tree (``tree-sitter-c-sharp``), each with the type that holds it:

- read but not parsed: something the guard would report as dropped if it went, though
  the grammar sees no such declaration there (a false refusal waiting to happen);
- parsed but not read: a declaration the guard does not protect.

An operator is named by its symbol (``operator +``, ``operator checked +``, ``operator
true``), a conversion by its type (``operator int``, implicit or explicit), an indexer
``this[]``, a destructor ``~Calc``: methods, but indexers and a record's positional
parameters, which are variables (a parameter the record's, unless its body declares a
member of its name itself).  Local functions, top-level statements, a class's primary
constructor's parameters and whatever a method's, accessor's or lambda's body holds are
not declarations here.  Both branches of an ``#if`` are read.

The grammar runs in ``--python``, an interpreter with ``tree-sitter`` and
``tree-sitter-c-sharp`` (binary wheels on PyPI)::

    python3 -m venv /tmp/cs && /tmp/cs/bin/pip install tree-sitter==0.26.1 tree-sitter-c-sharp==0.23.5
    .venv/bin/python benchmarks/csharp_members.py --python /tmp/cs/bin/python --sources DIR

(the sources of Debian's ``keepass2``, ``newtonsoft-json`` and ``nunit`` packages, their
``.orig.tar.*`` in Debian's pool, and the C# of ``pythonnet``'s sdist on PyPI, which has
file-scoped namespaces, are a corpus).  It prints the counts and the first differences,
and exits 0; files with a syntax error in the grammar's tree (an ERROR or MISSING node)
are left out, and counted.
"""

from __future__ import annotations

from acrouter.csharpdefinitions import csharp_members
from members_report import tree_sitter_main

#: the declarations of each file named on standard input, a JSON line per file:
#: [[owner, name, kind], ...], or null when its tree has a syntax error.  A file-scoped
#: namespace's declarations are the compilation unit's own children in the grammar; the
#: branches of #if/#elif/#else hold the declarations between them
PARSER = r"""
import json, re, sys
import tree_sitter_c_sharp
from tree_sitter import Language, Parser

parser = Parser(Language(tree_sitter_c_sharp.language()))
# record, record class and record struct are all record_declaration
TYPES = {
    "class_declaration", "struct_declaration", "interface_declaration",
    "enum_declaration", "record_declaration", "delegate_declaration",
}
# what holds declarations of the same owner
INSIDE = {
    "namespace_declaration", "file_scoped_namespace_declaration", "declaration_list",
    "preproc_if", "preproc_elif", "preproc_else",
}
NAMED = {"property_declaration", "event_declaration", "enum_member_declaration"}
FIELDS = {"field_declaration", "event_field_declaration"}


def name(node):
    found = node.child_by_field_name("name")
    if found is None:
        return ""
    text = found.text.decode(errors="replace")
    return text[1:] if text.startswith("@") else text  # @class is class


def type_name(text):
    # as acrouter.csharpdefinitions.type_name: List< int > is List<int>
    tight = re.sub(r"\s*([<>,.?\[\]()*:])\s*", r"\1", " ".join(text.split()))
    return re.sub(r",(?![,\]])", ", ", tight)


def operator(node):
    # operator +, operator checked +, operator true; a conversion: operator int
    checked = "checked " if any(c.type == "checked" for c in node.children) else ""
    if node.type == "conversion_operator_declaration":
        what = type_name(node.child_by_field_name("type").text.decode(errors="replace"))
    else:
        what = node.child_by_field_name("operator").text.decode(errors="replace")
    return f"operator {checked}{what}"


def walk(node, owner, out):
    for child in node.named_children:
        kind = child.type
        if kind in TYPES:
            own = name(child)
            out.append([owner, own, "type"])
            path = f"{owner}.{own}" if owner else own
            if kind == "record_declaration":  # its positional parameters: properties
                for params in child.named_children:
                    if params.type != "parameter_list":
                        continue
                    for i, p in enumerate(params.children):
                        if p.type == "parameter":
                            out.append([path, name(p), "parameter"])
                        elif params.field_name_for_child(i) == "name":  # (params int[] Xs)
                            text = p.text.decode(errors="replace").lstrip("@")
                            out.append([path, text, "parameter"])
            body = child.child_by_field_name("body")
            if body is not None:
                walk(body, path, out)
        elif kind in INSIDE:
            walk(child, owner, out)
        elif kind == "method_declaration":
            out.append([owner, name(child), "method"])
        elif kind == "constructor_declaration":
            out.append([owner, owner.rpartition(".")[2], "constructor"])
        elif kind in ("operator_declaration", "conversion_operator_declaration"):
            out.append([owner, operator(child), "method"])
        elif kind == "indexer_declaration":
            out.append([owner, "this[]", "variable"])
        elif kind == "destructor_declaration":
            out.append([owner, "~" + name(child), "method"])
        elif kind in NAMED:
            out.append([owner, name(child), "variable"])
        elif kind in FIELDS:
            for var in child.named_children:
                if var.type == "variable_declaration":
                    for v in var.named_children:
                        if v.type == "variable_declarator":
                            out.append([owner, name(v), "variable"])


for path in sys.stdin:
    tree = parser.parse(open(path.rstrip("\n"), "rb").read())
    if tree.root_node.has_error:  # an ERROR or a MISSING node anywhere in it
        print("null")
        continue
    out = []
    walk(tree.root_node, "", out)
    # a positional parameter the record's body declares itself is that declaration
    own = {(o, n) for o, n, k in out if k == "variable"}
    out = [
        [o, n, "variable" if k == "parameter" else k]
        for o, n, k in out
        if k != "parameter" or (o, n) not in own
    ]
    print(json.dumps(out))
"""


def main(argv: list[str] | None = None) -> int:
    return tree_sitter_main(
        argv,
        __doc__,
        language="C#",
        suffix=".cs",
        grammar="tree_sitter_c_sharp",
        pins="tree-sitter==0.26.1 tree-sitter-c-sharp==0.23.5",
        script=PARSER,
        members=csharp_members,
    )


if __name__ == "__main__":
    raise SystemExit(main())
