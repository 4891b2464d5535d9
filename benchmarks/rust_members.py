"""How well the guard against dropped code reads what a Rust file declares, against
tree-sitter's Rust grammar on the same file.

The guard (``acrouter.rustdefinitions.rust_members``) reads a file's module-level items
(functions, structs, enums, unions, traits, type aliases, constants, statics, modules,
``macro_rules!`` macros and ``impl`` blocks), at the top level, in inline ``mod``
bodies, in ``extern`` blocks and in the branches of a ``cfg_if!`` invocation, and the
functions, constants and types of each ``impl`` and ``trait`` body, the named fields of
each struct and union, the variants of each enum and the named fields of each struct
variant, from its lines with brackets counted.  This compares, file by file, what it reads with the same declarations of
tree-sitter's syntax tree (``tree-sitter-rust``), each with what holds it (the module
path from the file's top, joined with ``::``, then the struct, enum, union or trait;
an ``impl`` block is held by its type's name, its items by ``<Calc>`` for an inherent
``impl``, or ``<TYPE as TRAIT>``):

- read but not parsed: something the guard would report as dropped if it went, though
  the grammar sees no such declaration there (a false refusal waiting to happen);
- parsed but not read: a declaration the guard does not protect.

An ``impl`` block is named by its trait and type as written (``Display for Calc``, or
the type alone), without its own generic parameters, ``unsafe`` or ``where`` clause,
a run of whitespace kept as one space between two word characters only.  ``use``,
``extern crate``, ``const _``, other macro invocations, tuple structs' and tuple
variants' fields and whatever a function's body or a constant's value holds are not
declarations here.  The grammar does not parse inside a macro invocation: a module-level
``cfg_if!`` (or ``cfg_if::cfg_if!``) has each branch's body parsed on its own, its items
held by the module around it; both branches are read.

The grammar runs in ``--python``, an interpreter with ``tree-sitter`` and
``tree-sitter-rust`` (binary wheels on PyPI)::

    python3 -m venv /tmp/rs && /tmp/rs/bin/pip install tree-sitter==0.26.1 tree-sitter-rust==0.24.2
    .venv/bin/python benchmarks/rust_members.py --python /tmp/rs/bin/python --sources DIR

(the crates of Debian 12's ``librust-*-dev`` packages, ``apt-get download`` then
``dpkg-deb -x``, their sources under ``usr/share/cargo/registry/``, are a corpus:
``libc``, ``nix``, ``rustix``, ``tokio``, ``syn``, ``serde`` ... have much
platform-specific and trait code).  It prints the counts and the first differences, and
exits 0; files with a syntax error in the grammar's tree (an ERROR or MISSING node, in a
``cfg_if!`` branch too) are left out, and counted.
"""

from __future__ import annotations

from acrouter.rustdefinitions import rust_members
from members_report import tree_sitter_main

#: the declarations of each file named on standard input, a JSON line per file:
#: [[owner, name, kind], ...], or null when its tree (or a cfg_if! branch's) has a
#: syntax error.  Owners are module paths joined by "::"; an impl block is held by the
#: module path and its type's last name, its items by the module path and "<Calc>" (an
#: inherent impl's, Calc the type's last name) or "<TYPE as TRAIT>"
PARSER = r"""
import json, re, sys
import tree_sitter_rust
from tree_sitter import Language, Parser

parser = Parser(Language(tree_sitter_rust.language()))
TYPES = {"struct_item", "enum_item", "union_item", "trait_item", "type_item"}
CFG_IF = {"cfg_if", "cfg_if::cfg_if"}


class Broken(Exception):
    pass


def text(node):
    return node.text.decode(errors="replace")


def name(node):
    found = node.child_by_field_name("name")
    if found is None:
        return ""
    got = text(found)
    return got[2:] if got.startswith("r#") else got  # r#type is type


def path(owner, name):
    return f"{owner}::{name}" if owner else name


def squeezed(s):
    # a run of whitespace is a space between two word characters ('a ends in one)
    s = s.strip()
    return re.sub(
        r"\s+",
        lambda m: " "
        if m.start() > 0
        and m.end() < len(s)
        and (s[m.start() - 1].isalnum() or s[m.start() - 1] in "_'")
        and (s[m.end()].isalnum() or s[m.end()] == "_")
        else "",
        s,
    )


def last_name(node):
    # a type's last path segment, its generic arguments left out (``dyn Any + Send``:
    # Any; ``&mut Calc``: Calc)
    while True:
        if node.type == "generic_type":
            node = node.child_by_field_name("type")
        elif node.type == "scoped_type_identifier":
            node = node.child_by_field_name("name")
        elif node.type in ("reference_type", "pointer_type"):
            node = node.child_by_field_name("type")
        elif node.type == "dynamic_type":
            node = node.child_by_field_name("trait")
        elif node.type == "bounded_type":
            node = node.named_children[0]
        else:
            return squeezed(text(node))


def impl(node, owner, out):
    kind = node.child_by_field_name("type")
    trait = node.child_by_field_name("trait")
    typed = squeezed(text(kind))
    # (the block is held by its type's name; an inherent one's items by <Calc>)
    held = path(owner, last_name(kind))
    if trait is None:
        out.append([held, typed, "impl"])
        inside = path(owner, f"<{last_name(kind)}>")
    else:
        start = trait
        before = trait.prev_sibling
        if before is not None and before.type == "!":  # impl !Send for X
            start = before
        at = node.start_byte
        written = node.text[start.start_byte - at : trait.end_byte - at]
        traited = squeezed(written.decode(errors="replace"))
        out.append([held, f"{traited} for {typed}", "impl"])
        inside = path(owner, f"<{typed} as {traited}>")
    body = node.child_by_field_name("body")
    if body is not None:
        associated(body, inside, out)


def associated(body, owner, out):
    # an impl's or a trait's items
    for child in body.named_children:
        kind = child.type
        if kind in ("function_item", "function_signature_item"):
            out.append([owner, name(child), "method"])
        elif kind == "const_item":
            out.append([owner, name(child), "variable"])
        elif kind in ("type_item", "associated_type"):
            out.append([owner, name(child), "type"])


def fields(body, owner, out):
    for child in body.named_children:
        if child.type == "field_declaration":
            out.append([owner, name(child), "variable"])


def cfg_if(node, owner, out):
    macro = node.child_by_field_name("macro")
    if macro is None or re.sub(r"\s+", "", text(macro)) not in CFG_IF:
        return
    tree = next((c for c in node.named_children if c.type == "token_tree"), None)
    if tree is None:
        return
    for child in tree.named_children:
        before = child.prev_sibling
        if (
            child.type == "token_tree"
            and child.text.startswith(b"{")
            and before is not None
            and (
                (before.type == "token_tree" and before.text.startswith(b"["))
                or (before.type == "identifier" and before.text == b"else")
            )
        ):
            branch = parser.parse(child.text[1:-1])
            if branch.root_node.has_error:
                raise Broken
            items(branch.root_node, owner, out)


def items(node, owner, out):
    # a module's items: the file's, a mod's, an extern block's or a cfg_if! branch's
    for child in node.named_children:
        kind = child.type
        if kind in ("function_item", "function_signature_item"):
            out.append([owner, name(child), "method"])
        elif kind in TYPES or kind == "associated_type":  # type X; in an extern block
            own = name(child)
            out.append([owner, own, "type"])
            body = child.child_by_field_name("body")
            if body is None:
                continue
            if kind == "trait_item":
                associated(body, path(owner, own), out)
            elif kind == "enum_item":
                for variant in body.named_children:
                    if variant.type == "enum_variant":
                        out.append([path(owner, own), name(variant), "variable"])
                        fielded = variant.child_by_field_name("body")
                        if fielded is not None and fielded.type == "field_declaration_list":
                            fields(fielded, path(path(owner, own), name(variant)), out)
            elif body.type == "field_declaration_list":  # a struct's, a union's
                fields(body, path(owner, own), out)
        elif kind in ("const_item", "static_item"):
            if name(child) != "_":
                out.append([owner, name(child), "variable"])
        elif kind == "mod_item":
            own = name(child)
            out.append([owner, own, "module"])
            body = child.child_by_field_name("body")
            if body is not None:
                items(body, path(owner, own), out)
        elif kind == "foreign_mod_item":
            body = child.child_by_field_name("body")
            if body is not None:
                items(body, owner, out)
        elif kind == "macro_definition":
            out.append([owner, name(child), "macro"])
        elif kind == "impl_item":
            impl(child, owner, out)
        elif kind == "macro_invocation":
            cfg_if(child, owner, out)


for path_ in sys.stdin:
    tree = parser.parse(open(path_.rstrip("\n"), "rb").read())
    if tree.root_node.has_error:  # an ERROR or a MISSING node anywhere in it
        print("null")
        continue
    out = []
    try:
        items(tree.root_node, "", out)
    except Broken:
        print("null")
        continue
    print(json.dumps(out))
"""


def main(argv: list[str] | None = None) -> int:
    return tree_sitter_main(
        argv,
        __doc__,
        language="Rust",
        suffix=".rs",
        grammar="tree_sitter_rust",
        pins="tree-sitter==0.26.1 tree-sitter-rust==0.24.2",
        script=PARSER,
        members=rust_members,
        separator="::",
    )


if __name__ == "__main__":
    raise SystemExit(main())
