"""What a Rust file declares, for the guard that no edit drops code (:mod:`.definitions`).

The guard's line patterns read a Rust file's items at column 0 by name alone, and an
``impl`` block's methods one level in: the second of two ``#[cfg(…)]`` variants of a
function (``#[cfg(unix)] fn page_size`` and ``#[cfg(windows)] fn page_size``) could go,
since the name stayed, and so could what an inline module, a trait, a struct or an enum
holds; ``cargo test`` builds one platform's variant only, passed, and the edit was
verified.  :func:`rust_members` reads a Rust file's code (comments, nested ones too,
strings, raw strings and characters set aside, brackets counted, items read whole,
attributes left out) for what each module, ``impl``, trait, struct and enum declares:

- in a module (the file's top level, an inline ``mod x { … }``, an ``extern`` block, a
  branch of a ``cfg_if!``), with the module's path as owner (``""``, ``imp``,
  ``imp::unix``): functions (kind ``method``), structs, enums, unions, traits and type
  aliases (``type``), constants and statics (``variable``), modules (``module``),
  ``macro_rules!`` macros (``macro``) and ``impl`` blocks (``impl``, named ``Display for
  Calc`` or ``Calc``), each counted one by one: every ``#[cfg]`` variant is one;
- in an ``impl`` block, with its type (``Calc``) or, for a trait's, ``<Calc as
  Display>`` as owner: its functions, constants and types; in a trait, the same;
- a struct's or union's named fields, an enum's variants and a struct variant's named
  fields (``variable``; the variant's path their owner: ``Shape::Move``).

What a function's body, a constant's value or a macro's invocation holds is not read
(``cfg_if!`` aside); nor is ``use``, which the line patterns read.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from .domain import document_lines
from .edits import BOM
from .members import Kind, Member, Statement, without_leading
from .pytrees import cached

_ID = r"(?:r#)?[^\W\d]\w*"
_VIS = r"(?:pub\s*(?:\([^()]*\)\s*)?)?"
_FN = re.compile(
    "^" + _VIS + r"(?:(?:default|const|async|unsafe|safe)\s+)*(?:extern\s*(?:\"\")?\s*)?"
    r"fn\s+(" + _ID + ")"
)
_TYPE = re.compile(
    "^" + _VIS + r"(?:(?:unsafe|auto)\s+)*(struct|enum|union|trait|type)\s+(" + _ID + ")"
)
_VARIABLE = re.compile("^" + _VIS + r"(?:const|static(?:\s+mut)?)\s+(" + _ID + r")\s*:")
_MODULE = re.compile("^" + _VIS + r"(?:unsafe\s+)?mod\s+(" + _ID + ")")
_MACRO_RULES = re.compile(r"^macro_rules\s*!\s*(" + _ID + ")")
_IMPL = re.compile(r"^(?:default\s+)?(?:unsafe\s+)?impl\b")
_EXTERN_BLOCK = re.compile(r"^(?:unsafe\s+)?extern\s*(?:\"\")?\s*$")
_CFG_IF = re.compile(r"^(?:::)?(?:cfg_if\s*::\s*)?cfg_if\s*!\s*$")
#: a field of a struct or union: its name before ":"
_FIELD = re.compile("^" + _VIS + "(" + _ID + r")\s*:")
_VARIANT = re.compile("^(" + _ID + ")")
_KINDS: dict[str, Kind] = {
    "struct": "type", "enum": "type", "union": "type", "trait": "type", "type": "type"
}  # fmt: skip


def is_rust(path: str, language: str | None = None) -> bool:
    """Whether ``path`` (or the editor's ``language``) is Rust."""
    if language and language.lower() == "rust":
        return True
    return PurePosixPath(path.replace("\\", "/")).suffix.lower() == ".rs"


def rust_members(text: str) -> list[Member]:
    """What ``text`` declares in its modules, ``impl`` blocks, traits, structs and enums,
    in order, each with what holds it (see the module's docstring); read once per text
    inside ``shared_trees()``, so the list must not be changed."""
    return cached("rust.scan", text, lambda: _scan(text))[0]


def rust_classes(text: str) -> set[str]:
    """What holds declarations in ``text`` (modules, ``impl`` blocks, traits, structs,
    unions, enums and struct variants), by path, and "" (the file's top level)."""
    return cached("rust.scan", text, lambda: _scan(text))[1]


def shown(member: Member) -> str:
    """A member as a report names it: ``Calc::sub``, ``<Calc as Display>::fmt``,
    ``impl Display for Calc``, ``mod imp``, ``macro_rules! twice``, ``imp::page_size``."""
    owner = member.owner
    if member.kind == "impl":  # (its owner: the module's path and the type's name)
        owner = owner.rpartition("::")[0]
    elif owner.endswith(">") and " as " not in owner:  # an inherent impl's: ``<Calc>``
        at = owner.rfind("<")
        owner = owner[:at] + owner[at + 1 : -1]
    prefix = {"impl": "impl ", "module": "mod ", "macro": "macro_rules! "}.get(member.kind)
    if prefix is not None:
        return prefix + member.name + (f" (in {owner})" if owner else "")
    return f"{owner}::{member.name}" if owner else member.name


def normalized(code: str) -> str:
    """``code`` with a run of spaces kept as one space between two word characters
    and dropped elsewhere (``From < &'a  str >``: ``From<&'a str>``)."""
    code = code.strip()

    def space(m: re.Match[str]) -> str:
        before, after = code[m.start() - 1], code[m.end()]
        return (
            " "
            if (before.isalnum() or before in "_'") and (after.isalnum() or after == "_")
            else ""
        )

    return re.sub(r"\s+", space, code)


#: a string's opening: its prefix (b, c, r, br, cr, with a raw string's #s) and quote
_STRING = re.compile(r"(?<![\w#])(?:[bc]?r(#*)\"|[bc]?\")")


def rust_code(text: str) -> list[str]:
    """:func:`code_view` of ``text``, read once per text inside ``shared_trees()`` (the
    guard's scope: its definitions and its stub reader share it); not to be changed."""
    return cached("rust.code", text, lambda: code_view(text))


def code_view(text: str) -> list[str]:
    """The lines of ``text`` with comments (nested block comments too) taken out and the
    insides of strings, raw strings and characters emptied (a lifetime's ``'a`` kept):
    what is left is code, line for line."""
    out: list[str] = []
    depth = 0  # of the block comments open
    closing = ""  # what ends the string a line starts in: '"' or '"##' (a raw one's)
    for line in document_lines(text.removeprefix(BOM)):
        kept: list[str] = []
        i, n = 0, len(line)
        while i < n:
            if depth:
                opens, ends = line.find("/*", i), line.find("*/", i)
                if ends < 0 and opens < 0:
                    break
                if opens >= 0 and (ends < 0 or opens < ends):
                    depth, i = depth + 1, opens + 2
                else:
                    depth, i = depth - 1, ends + 2
                continue
            if closing:
                end = _string_end(line, i, closing)
                if end < 0:
                    break
                closing, i = "", end
                kept.append('""')
                continue
            c = line[i]
            if c == "/" and line.startswith("//", i):
                break
            if c == "/" and line.startswith("/*", i):
                depth, i = 1, i + 2
                continue
            if c in 'bcr"' and (opening := _STRING.match(line, i)):
                raw = opening.group(1)
                closing = '"' + raw if raw is not None else '"\\'  # (\\: escapes count)
                i = opening.end()
                continue
            if c == "'" and (end := _char_end(line, i)) > 0:
                kept.append("''")
                i = end
                continue
            kept.append(c)
            i += 1
        out.append("".join(kept))
    return out


def _string_end(line: str, i: int, closing: str) -> int:
    """Past the end of the string whose text goes on at ``line[i]`` (``closing``: ``"\\``
    for a string with escapes, ``"`` and its #s for a raw one), or -1 when it goes on to
    the next line."""
    if closing.endswith("\\"):
        while i < len(line):
            if line[i] == "\\":
                i += 2
            elif line[i] == '"':
                return i + 1
            else:
                i += 1
        return -1
    end = line.find(closing, i)
    return -1 if end < 0 else end + len(closing)


def _char_end(line: str, i: int) -> int:
    """Past the character literal at ``line[i]`` (``'a'``, ``'\\n'``, ``'\\u{1F600}'``),
    or 0 when the quote starts a lifetime or a label (``'a``, ``'outer:``)."""
    if line.startswith("\\", i + 1):
        end = line.find("'", i + 3)
        return end + 1 if end > 0 else 0
    return i + 3 if line[i + 2 : i + 3] == "'" and i + 1 < len(line) else 0


def _without_attributes(code: str) -> str:
    """``code`` without the attributes it starts with (``#[cfg(unix)]``, ``#![no_std]``)."""
    return without_leading(code, "#[", "#![")


def _name(found: re.Match[str], group: int = 1) -> str:
    return found.group(group).removeprefix("r#")


def _path(owner: str, name: str) -> str:
    return f"{owner}::{name}" if owner else name


def _split_top(code: str, word: str) -> int:
    """Where ``word`` stands in ``code`` outside brackets (``<…>`` too), or -1 (``for<'a>``
    is no ``for``)."""
    depth = 0
    for m in re.finditer(
        r"->|=>|[<(\[]|[>)\]]|\b" + word + r"\b" + (r"(?!\s*<)" if word == "for" else ""), code
    ):
        token = m.group()
        if token in ("->", "=>"):
            continue
        if token in "<([":
            depth += 1
        elif token in ">)]":
            depth = max(0, depth - 1)
        elif depth == 0:
            return m.start()
    return -1


def _impl(code: str) -> tuple[str, str, str]:
    """An ``impl`` header's name (``Display for Calc``, ``Calc<T>``), the type's name
    (``Calc``) and its items' owner (``<Calc as Display>``, ``<Calc>``: an inherent
    impl's, whose items are shown as the type's)."""
    rest = code[_IMPL.match(code).end() :].lstrip()  # type: ignore[union-attr]
    if rest.startswith("<"):  # the impl's own generic parameters
        depth = 0
        for m in re.finditer(r"->|[<>]", rest):
            if m.group() == "->":
                continue
            depth += 1 if m.group() == "<" else -1
            if depth == 0:
                rest = rest[m.end() :]
                break
    if (where := _split_top(rest, "where")) >= 0:
        rest = rest[:where]
    if (at := _split_top(rest, "for")) >= 0:
        trait, ty = normalized(rest[:at]), normalized(rest[at + 3 :])
        return f"{trait} for {ty}", _type_name(ty), f"<{ty} as {trait}>"
    ty = normalized(rest)
    return ty, _type_name(ty), f"<{_type_name(ty)}>"


def _type_name(ty: str) -> str:
    """A type's own name: ``Calc`` for ``crate::calc::Calc<'a, T>``, ``&mut Calc``;
    ``Any`` for ``dyn Any + Send``; ``[A::Item]`` as it is."""
    bare = re.sub(r"^(?:&\s*(?:'\w+\s*)?(?:mut\s*)?|dyn\s+|\*(?:const|mut)\s*)+", "", ty)
    if bare.startswith(("(", "[")):  # a tuple, a slice or an array: as written
        return bare
    return re.sub(r"<.*", "", bare).split("+")[0].split("::")[-1] or ty


class _Scope:
    """What a pair of braces holds: ``kind`` "module" (items, ``owner`` the module's
    path), "impl" or "trait" (items of ``owner``), "struct" (fields), "enum" (variants),
    "cfg_if" (branches, each a module of ``owner``), or "code" (what ``ends`` says: a
    body that ends its item, or an initializer within a statement)."""

    __slots__ = ("ends", "kind", "owner", "parens")

    def __init__(self, kind: str, owner: str, parens: int = 0, ends: bool = True) -> None:
        self.kind, self.owner, self.parens, self.ends = kind, owner, parens, ends


#: the characters that end, open or close something a statement is read by
_SPECIAL = re.compile(r"[{}()\[\];,]")


def _scan(text: str) -> tuple[list[Member], set[str]]:
    raw = document_lines(text)
    found: list[Member] = []
    classes = {""}
    scopes = [_Scope("module", "")]
    parens = 0
    statement = Statement()

    recorded = False  # whether the statement's item is recorded (its value goes on)

    def record(owner: str, offset: int, name: str, kind: Kind) -> None:
        nonlocal recorded
        before = statement.text()[:-1]  # (without what ends it)
        code = _without_attributes(before)
        line = statement.line_at(len(before) - len(code) + offset)
        found.append(Member(line, name, raw[line].strip(), owner, kind))
        recorded = True

    def item(scope: _Scope, ended_by: str) -> _Scope | None:
        """Records the item the statement declares; the scope its "{" opens."""
        code = _without_attributes(statement.text()[:-1])
        owner = scope.owner
        if m := _FN.match(code):
            record(owner, m.start(1), _name(m), "method")
            return _Scope("code", owner)
        if m := _TYPE.match(code):
            record(owner, m.start(2), _name(m, 2), _KINDS[m.group(1)])
            path = _path(owner, _name(m, 2))
            classes.add(path)  # (its impl blocks', bodies or not)
            if ended_by == "{":
                keyword = m.group(1)
                kind = "struct" if keyword in ("struct", "union") else keyword
                return _Scope(kind, path) if kind != "type" else _Scope("code", owner, ends=False)
            return None
        if scope.kind == "module" and (m := _MODULE.match(code)):
            record(owner, m.start(1), _name(m), "module")
            path = _path(owner, _name(m))
            classes.add(path)
            return _Scope("module", path)
        if m := _VARIABLE.match(code):
            if _name(m) != "_":
                record(owner, m.start(1), _name(m), "variable")
            return _Scope("code", owner, ends=False)  # (an initializer: ``= Calc { … };``)
        if scope.kind != "module":
            return _Scope("code", owner)
        if m := _MACRO_RULES.match(code):
            record(owner, m.start(1), _name(m), "macro")
            return _Scope("code", owner)
        if _IMPL.match(code) and ended_by == "{":
            # (the block by its type: a type that went takes its impls with it)
            name, ty, own = _impl(code)
            record(_path(owner, ty), 0, name, "impl")
            path = _path(owner, own)
            classes.add(path)
            return _Scope("impl", path)
        if _EXTERN_BLOCK.match(code):
            return _Scope("module", owner)
        if _CFG_IF.match(code):
            return _Scope("cfg_if", owner)
        return _Scope("code", owner)

    def listed(scope: _Scope) -> None:
        """Records the field or variant the statement holds."""
        code = _without_attributes(statement.text()[:-1])
        if m := (_FIELD if scope.kind == "struct" else _VARIANT).match(code):
            record(scope.owner, m.start(1), _name(m), "variable")

    def clear() -> None:
        nonlocal recorded
        statement.clear()
        recorded = False

    for i, line in enumerate(rust_code(text)):
        start = 0
        for m in _SPECIAL.finditer(line):
            c = m.group()
            scope = scopes[-1]
            if scope.kind == "code":  # only its braces count
                if c == "{":
                    scopes.append(_Scope("code", scope.owner, parens))
                elif c == "}":
                    closed = scopes.pop()
                    parens = closed.parens
                    if closed.ends and not parens and scopes[-1].kind != "code":
                        clear()  # (a body closed: its item ends)
                    start = m.end()
                continue
            statement.add(line[start : m.end()], i)
            start = m.end()
            if c in "([":
                parens += 1
            elif c in ")]":
                parens = max(0, parens - 1)
            elif parens:
                if c == "{":  # (a block in brackets: ``[u8; { N + 1 }]``)
                    scopes.append(_Scope("code", scope.owner, parens, ends=False))
                    parens = 0
            elif scope.kind in ("struct", "enum") and c in ",}":
                if c == "," and scope.kind == "struct" and _angles_open(statement.text()):
                    continue  # (``HashMap<K, V>``)
                listed(scope)
                clear()
                if c == "}":
                    scopes.pop()
            elif scope.kind == "enum" and c == "{":  # a struct variant's fields
                code = _without_attributes(statement.text()[:-1])
                variant = _VARIANT.match(code)
                listed(scope)  # (the variant, ``Move``, before its fields)
                clear()
                if variant:
                    path = _path(scope.owner, _name(variant))
                    classes.add(path)
                    scopes.append(_Scope("struct", path))
                else:
                    scopes.append(_Scope("code", scope.owner, ends=False))
            elif scope.kind == "cfg_if" and c == "{":
                scopes.append(_Scope("module", scope.owner))
                clear()
            elif c == ";":
                if scope.kind in ("module", "impl", "trait") and not recorded:
                    item(scope, ";")
                clear()
            elif c == "{":
                opened = None if recorded else item(scope, "{")
                opened = opened or _Scope("code", scope.owner, ends=not recorded)
                scopes.append(opened)
                if opened.ends:
                    clear()
            elif c == "}":
                if len(scopes) > 1:
                    scopes.pop()
                clear()
        if scopes[-1].kind != "code":
            statement.add(line[start:], i)
    return found, classes


def _angles_open(code: str) -> bool:
    """Whether ``code`` has a ``<`` not closed (a ``->`` is no bracket)."""
    code = code.replace("->", "").replace("=>", "")
    return code.count("<") > code.count(">")
