"""How well the guard against dropped code reads what a Kotlin file's classes declare,
against tree-sitter's Kotlin grammar on the same file.

The guard (``acrouter.kotlindefinitions.kotlin_members``) reads a file's functions,
secondary constructors, properties, classes and objects, at the top level and in class
bodies, the properties a primary constructor declares (``val`` / ``var``
parameters) and an enum class's entries, from its lines with brackets counted.  This compares, file by file, what it
reads with the same declarations of tree-sitter's syntax tree (``tree-sitter-kotlin``),
each with the class that holds it:

- read but not parsed: something the guard would report as dropped if it went, though
  the grammar sees no such declaration there (a false refusal waiting to happen);
- parsed but not read: a declaration the guard does not protect.

The grammar runs in ``--python``, an interpreter with ``tree-sitter`` and
``tree-sitter-kotlin`` (binary wheels on PyPI)::

    python3 -m venv /tmp/kt && /tmp/kt/bin/pip install tree-sitter==0.26.1 tree-sitter-kotlin==1.1.0
    .venv/bin/python benchmarks/kotlin_members.py --python /tmp/kt/bin/python --sources DIR

(the Kotlin of React Native's npm package, ``ReactAndroid/src/main/java``, is a
corpus).  It prints the counts and the first differences, and exits 0; files with a
syntax error in the grammar's tree are left out, and counted.
"""

from __future__ import annotations

from acrouter.kotlindefinitions import kotlin_members
from members_report import tree_sitter_main

#: the declarations of each file named on standard input, a JSON line per file:
#: [[owner, name, kind], ...], or null when its tree has a syntax error
PARSER = r"""
import json, sys
import tree_sitter_kotlin
from tree_sitter import Language, Parser

parser = Parser(Language(tree_sitter_kotlin.language()))
CLASSES = {"class_declaration", "object_declaration", "companion_object"}
BODIES = {"class_body", "enum_class_body"}


def name(node):
    found = node.child_by_field_name("name")
    if found is None:
        found = next((c for c in node.named_children if c.type == "identifier"), None)
    return found.text.decode().strip("`") if found is not None else ""


def errors(node):
    return node.type == "ERROR" or any(errors(c) for c in node.children)


def walk(node, owner, out):
    for child in node.named_children:
        kind = child.type
        if kind in CLASSES:
            own = name(child) or ("Companion" if kind == "companion_object" else "")
            out.append([owner, own, "type"])
            path = f"{owner}.{own}" if owner else own
            for body in child.named_children:
                if body.type in BODIES:
                    walk(body, path, out)
                elif body.type == "primary_constructor":  # its val / var parameters
                    for params in body.named_children:
                        if params.type != "class_parameters":
                            continue
                        for param in params.named_children:
                            if any(c.type in ("val", "var") for c in param.children):
                                out.append([path, name(param), "variable"])
        elif kind == "enum_entry":
            out.append([owner, name(child), "variable"])
        elif kind == "function_declaration":
            out.append([owner, name(child), "method"])
        elif kind == "secondary_constructor":
            out.append([owner, owner.rpartition(".")[2], "constructor"])
        elif kind == "property_declaration":
            for var in child.named_children:
                if var.type == "variable_declaration":
                    out.append([owner, name(var), "variable"])
                elif var.type == "multi_variable_declaration":
                    for v in var.named_children:
                        out.append([owner, name(v), "variable"])


for path in sys.stdin:
    tree = parser.parse(open(path.rstrip("\n"), "rb").read())
    if errors(tree.root_node):
        print("null")
        continue
    out = []
    walk(tree.root_node, "", out)
    print(json.dumps(out))
"""


def main(argv: list[str] | None = None) -> int:
    return tree_sitter_main(
        argv,
        __doc__,
        language="Kotlin",
        suffix=".kt",
        grammar="tree_sitter_kotlin",
        pins="tree-sitter tree-sitter-kotlin",
        script=PARSER,
        members=kotlin_members,
    )


if __name__ == "__main__":
    raise SystemExit(main())
