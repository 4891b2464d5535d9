"""What a C or C++ file defines, for the guard that no edit drops code
(:mod:`.definitions`).

The guard's line patterns found no C function at all (``int neg(int a) {`` matches
none of them), and read ``static int helper(…)`` as a Rust ``static`` named ``int``: an
edit of ``calc.c`` deleting a function no test calls, its prototype left in
``calc.h``, built, passed and was verified.  :func:`c_members` reads a C or C++ file's
code (comments, strings and character literals set aside, braces counted) for

- the functions it defines at file scope, in a namespace or an ``extern "C"`` block
  (``int neg(int a) {``, ``static inline int helper(void)⏎{``, ``int Calc::neg(int a)
  const {`` with its class ``Calc``), and a C++ class's member functions defined or
  declared in its body;
- the functions it declares (prototypes: ``int neg(int a);``), the types it names
  (``struct point {``, ``enum color {``, ``class Calc {``, ``typedef … name;``) and its
  macros (``#define NAME``; an include guard's is not one);
- the fields of a struct, union or class (``int a, *b, c[4];``, a bit field, a function
  pointer, a default member initializer; an anonymous union's are its struct's) and
  the constants of an enum (``RED``, ``GREEN = 2``), each of kind ``variable`` with its
  struct or enum (an anonymous enum's with the scope that holds it): a constant gone
  renumbers the ones after it, a field gone changes its struct's layout, and no test
  need name either.

What a function's body holds is the body's.  The file is read once per branch of
its conditionals (``#if … #elif … #else … #endif``), each view taking the same branch
of every conditional (the first, the second, …, or a conditional's last when it has
fewer; at most ``_VIEWS`` views), so that two branches opening the same function do not
unbalance the braces; what a later view reads that an earlier did not (the Windows
function of an ``#ifdef _WIN32 … #else`` the tests here never build) counts too.  A
declaration the preprocessor writes (``DEFINE_THING(x)``) is not read.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from .domain import document_lines
from .javadefinitions import code_view
from .members import Member, comma_parts
from .pytrees import cached

#: the editor's language ids, and the files read as C or C++
C_LANGUAGES = frozenset(("c", "cpp", "cuda-cpp", "objective-c", "objective-cpp"))
C_SUFFIXES = frozenset(
    (".c", ".h", ".cc", ".cpp", ".cxx", ".c++", ".hh", ".hpp", ".hxx", ".h++", ".ino", ".cu")
)

#: words a function's name cannot be: a statement's, an operator's
_NOT_NAMES = frozenset(
    (
        *("if", "for", "while", "switch", "return", "sizeof", "alignof", "typeof"),
        *("decltype", "do", "else", "case", "catch", "__attribute__", "__declspec"),
        *("static_assert", "_Static_assert", "defined", "throw", "new", "delete"),
        *("alignas", "noexcept", "requires"),
        # a type's words: ``static int (*fp)(int);`` declares no function "int"
        *("void", "int", "char", "short", "long", "float", "double", "signed"),
        *("unsigned", "bool", "_Bool", "const", "volatile", "static", "inline"),
        *("extern", "auto", "register", "struct", "union", "enum", "typename"),
    )
)
#: a function that returns a function's pointer: ``void (*dl_sym(void *p))(void)``
_RETURNS_POINTER = re.compile(r"\(\s*\*+\s*([A-Za-z_]\w*)\s*\(")
#: the name before a declaration's first "(": ``neg``, ``Calc::neg``, ``~Calc``,
#: ``operator==``, ``operator()``, ``ns::Calc::operator+=``
_HEAD = re.compile(
    r"((?:[A-Za-z_]\w*\s*(?:<[^<>;{}]*>)?\s*::\s*)*"
    r"(?:~\s*[A-Za-z_]\w*|operator\s*(?:\(\s*\)|\[\s*\]|[^\s(\w]+|\w[\w\s:*&<>]*?)|[A-Za-z_]\w*))"
    r"\s*(?:<[^;{}()]*>\s*)?\($"  # (an explicit specialization: ``to_float<double>(``)
)
_TYPE = re.compile(
    r"(?<![\w:])(struct|class|union|enum(?:\s+class|\s+struct)?)\s+(?:\[\[[^\]]*\]\]\s*)?(?:alignas\s*\([^)]*\)\s*)?([A-Za-z_]\w*)"
)
_NAMESPACE = re.compile(r"^\s*(?:inline\s+)?namespace\b|^\s*extern\s*\"\"\s*$")
_DEFINE = re.compile(r"^\s*#\s*define\s+([A-Za-z_]\w*)")
_GUARD = re.compile(r"^\s*#\s*ifndef\s+([A-Za-z_]\w*)")
#: a typedef's name, tried in turn: a function pointer's (``(*op_fn)(int)``) or a
#: parenthesized one's, a function type's (``void callback(void)``), the last word
#: (``unsigned long size_t``, ``char buf_t[4]``)
_TYPEDEF_NAMES = (
    re.compile(r"\(\s*\*?\s*([A-Za-z_]\w*)\s*\)\s*\("),
    re.compile(r"([A-Za-z_]\w*)\s*\("),
    re.compile(r"([A-Za-z_]\w*)\s*(?:\[[^\]]*\]\s*)*$"),
)
#: a C++ alias: ``using bits = std::uint64_t;``
_USING = re.compile(r"^\s*using\s+([A-Za-z_]\w*)\s*=")


def is_c(path: str, language: str | None = None) -> bool:
    """Whether ``path`` (or the editor's ``language``) is C or C++."""
    if language and language.lower() in C_LANGUAGES:
        return True
    return PurePosixPath(path.replace("\\", "/")).suffix.lower() in C_SUFFIXES


def c_members(text: str) -> list[Member]:
    """The functions (kind ``method``), prototypes (``declaration``), types (``type``),
    macros (``macro``), fields and enum constants (``variable``) of ``text``, in order,
    each with the class, struct or enum that holds it ("" at file scope); read once per text inside ``shared_trees()``, so the list must
    not be changed."""
    return cached("c.scan", text, lambda: _scan(text))[0]


def c_classes(text: str) -> set[str]:
    """The C++ classes, C structs and enums whose bodies ``text`` holds, by path
    (``Calc``, ``Calc::Inner``, ``color``), and "" (file scope)."""
    return cached("c.scan", text, lambda: _scan(text))[1]


#: the most views of a file read, one per branch of its conditionals (``#if … #elif …
# elif … #else``): a file whose conditionals have more branches has the rest's read
#: with its last view's
_VIEWS = 4


def _directives(text: str) -> _Read:
    """``text``'s lines as code (:func:`code_view`), its lines, and its preprocessor
    lines: (first line, last line, the directive's text), a line continued with "\\"
    read with the next."""
    lines = code_view(text)
    raw = document_lines(text)
    found: list[tuple[int, int, str]] = []
    i = 0
    while i < len(lines):
        if lines[i].lstrip().startswith("#"):
            line, start = lines[i], i
            # a continued line (``#error "a⏎b"``: its string's "\" is the continuation)
            while raw[i].rstrip().endswith("\\") and i + 1 < len(lines):
                i += 1
                line = line.rstrip().removesuffix("\\") + " " + lines[i]
            found.append((start, i, line.strip()))
        i += 1
    return lines, raw, found


def _branches(directives: list[tuple[int, int, str]]) -> dict[int, int]:
    """How many branches each conditional has, by the line of its ``#if``."""
    count: dict[int, int] = {}
    opened: list[int] = []
    for start, _end, line in directives:
        kind = _directive(line)
        if kind in ("if", "ifdef", "ifndef"):
            opened.append(start)
            count[start] = 1
        elif kind in ("else", "elif", "elifdef", "elifndef") and opened:
            count[opened[-1]] += 1
        elif kind == "endif" and opened:
            opened.pop()
    return count


def _directive(line: str) -> str:
    word = re.match(r"#\s*(\w*)", line)
    return word.group(1) if word else ""


#: what :func:`_directives` reads of a text: its code, its lines, its directives
_Read = tuple[list[str], list[str], list[tuple[int, int, str]]]


def _code(
    text: str, view: int = 0, read: _Read | None = None
) -> tuple[list[str], list[tuple[int, str]]]:
    """The lines of ``text`` as code (comments, strings and character literals set
    aside, preprocessor lines blank, and of each conditional every branch but one: the
    ``view``-th, or its last when it has fewer), and the macros that code defines with
    their lines (not an include guard's); ``read``: ``_directives(text)``, when it has
    been read."""
    lines, _raw, directives = read or _directives(text)
    branches = _branches(directives)
    out = list(lines)
    macros: list[tuple[int, str]] = []
    # for each open conditional: the branch read, the branch at hand
    opened: list[tuple[int, int]] = []
    guard = ""
    after = 0  # the first line after the last directive
    for start, end, line in directives:
        if start > after:
            guard = ""  # (code between an #ifndef and its #define: no include guard)
        if any(want != at for want, at in opened):
            out[after:start] = [""] * (start - after)
        kind = _directive(line)
        if kind in ("if", "ifdef", "ifndef"):
            opened.append((min(view, branches[start] - 1), 0))
            m = _GUARD.match(line)
            guard = m.group(1) if m else ""
        elif kind in ("else", "elif", "elifdef", "elifndef") and opened:
            want, at = opened[-1]
            opened[-1] = (want, at + 1)
        elif kind == "endif" and opened:
            opened.pop()
        elif kind == "define" and not any(want != at for want, at in opened):
            m = _DEFINE.match(line)
            if m and m.group(1) != guard:
                macros.append((start, m.group(1)))
        if kind != "ifndef":
            guard = ""
        out[start : end + 1] = [""] * (end + 1 - start)
        after = end + 1
    if any(want != at for want, at in opened):
        out[after:] = [""] * (len(out) - after)
    return out, macros


def c_code(text: str) -> list[str]:
    """The lines of ``text`` as code, the first branch of each conditional read
    (:func:`_code`); read once per text inside ``shared_trees()``, not to be changed."""
    return _first_view(text)[0]


def _first_view(text: str) -> tuple[list[str], list[tuple[int, str]]]:
    """``_code(text)``, once per text inside ``shared_trees()`` (its scan and the stub
    reader share it)."""
    return cached("c.code", text, lambda: _code(text, 0, _read(text)))


def _read(text: str) -> _Read:
    """``_directives(text)``, once per text inside ``shared_trees()`` (its scan and its
    code view share it)."""
    return cached("c.directives", text, lambda: _directives(text))


def views(directives: list[tuple[int, int, str]]) -> int:
    """How many views of a text with these ``directives`` :func:`_scan` reads: one per
    branch of its conditionals with the most, at most ``_VIEWS``."""
    return min(_VIEWS, max(_branches(directives).values(), default=1))


def _scan(text: str) -> tuple[list[Member], set[str]]:
    """What each view of ``text`` defines (:func:`_code`): the first view's, then what
    another view reads where the first does not (a function of an ``#else`` part).  A
    definition is the same in two views where the "}" closing its body (or the ";"
    ending it) is on the same line: its head may differ (``#if A⏎int f(int a) {⏎#else⏎
    int f(long a) {⏎#endif``), and so may the line it is reported on, where its code
    starts (after a macro's line without a ";", ``NPY_IMPL_MINMAX(max)⏎NPY_FINLINE int
    f(…)``)."""
    read = _read(text)
    found, classes, ends = _scan_view(text, 0, read)
    seen = {(end, m.name, m.kind) for m, end in zip(found, ends, strict=True)}
    for view in range(1, views(read[2])):
        more, their_classes, their_ends = _scan_view(text, view, read)
        for m, end in zip(more, their_ends, strict=True):
            if (end, m.name, m.kind) not in seen:
                seen.add((end, m.name, m.kind))
                found.append(m)
        classes |= their_classes
    return found, classes


def _scan_view(text: str, view: int, read: _Read) -> tuple[list[Member], set[str], list[int]]:
    """What the ``view``-th view of ``text`` (``read``: ``_directives(text)``) defines,
    its classes, and for each definition the line of the "}" that closes its body (or,
    without one, the ";" that ends it)."""
    raw = read[1]
    codes, macros = _first_view(text) if view == 0 else _code(text, view, read)
    found: list[Member] = [
        Member(i, name, raw[i].strip() if i < len(raw) else "", "", "macro") for i, name in macros
    ]
    ends = [i for i, _name in macros]
    classes = {""}
    # the scopes open: ("file", "") for a namespace or an extern "C" block, ("class",
    # path) for a class's body, ("body", "") for a function's body or anything else
    scopes: list[tuple[str, str]] = []
    opened_by: list[int] = []  # for each scope, the definition whose body it is, or -1
    buf: list[str] = []  # the code since the last ";", "{" or "}" where declarations are
    start = 0  # the line the buffer's code starts on
    typedef = -1  # how many scopes are open where a typedef's struct body was opened
    nested = 0  # the brackets open in an enumerator's value
    unnamed = False  # whether the "}" last read closed an anonymous union's body
    for i, code in enumerate(codes):
        if buf:
            buf.append(" ")  # a declaration's lines: ``static int⏎add (int a)``
        for c in code:
            kind, path = scopes[-1] if scopes else ("file", "")
            if kind == "enum":  # its enumerators, each ended by "," or the closing "}"
                if c in "([{" or (c in ")]}" and nested):
                    nested += 1 if c in "([{" else -1
                elif c in ",}":
                    _enumerator("".join(buf), path, start, raw, found)
                    ends += [i] * (len(found) - len(ends))
                    buf = []
                    if c == "}":
                        scopes.pop()
                        if (k := opened_by.pop()) >= 0:
                            ends[k] = i
                    continue
                if not buf and not c.isspace():
                    start = i
                if buf or not c.isspace():
                    buf.append(c)
                continue
            if kind == "body":
                if c == "{":
                    scopes.append(("body", ""))
                    opened_by.append(-1)
                elif c == "}":
                    scopes.pop()
                    if (k := opened_by.pop()) >= 0:
                        ends[k] = i
                    if not scopes or scopes[-1][0] != "body":
                        buf = []
                continue
            if c not in "{};":
                if not buf and not c.isspace():
                    start = i
                if buf or not c.isspace():
                    buf.append(c)
                if c == ":" and kind in _BODIES and _LABEL.fullmatch("".join(buf).strip()):
                    buf = []  # (``public:``: what follows starts on its own line)
                continue
            head = "".join(buf).strip()
            if c == "{":
                if head.startswith("typedef"):
                    typedef = len(scopes)  # its name follows the body's "}"
                scopes.append(_opened(head, path, start, raw, found, classes, kind in _BODIES))
                opened_by.append(len(found) - 1 if len(found) > len(ends) else -1)
                ends += [i] * (len(found) - len(ends))
                buf = []
                unnamed = False
            elif c == "}":
                if scopes:
                    unnamed = scopes.pop()[0] == "fields"
                    if (k := opened_by.pop()) >= 0:
                        ends[k] = i
                buf = []
            else:  # ";": a declaration ends
                if unnamed and kind in _BODIES:  # ``union { … } parts;``: parts is a field
                    names = _fields(head, typed=False)
                    header = raw[start].strip() if start < len(raw) else ""
                    found += [Member(start, n, header, path, "variable") for n in names]
                else:
                    body = kind in _BODIES
                    _declared(head, path, start, raw, found, typedef == len(scopes), body)
                ends += [i] * (len(found) - len(ends))
                buf = []
                unnamed = False
                if typedef == len(scopes):
                    typedef = -1
    return found, classes, ends


#: the scopes whose declarations are fields: a struct's or class's body, an anonymous
#: union's or struct's in it
_BODIES = ("class", "fields")


def _opened(
    head: str,
    owner: str,
    line: int,
    raw: list[str],
    found: list[Member],
    classes: set[str],
    body: bool = False,
) -> tuple[str, str]:
    """The scope a "{" after ``head`` opens, in the class ``owner`` (or file scope; a
    struct's or class's body when ``body``), with what it defines added to ``found``
    and ``classes``."""
    header = raw[line].strip() if line < len(raw) else ""
    if _NAMESPACE.match(head):
        return ("file", owner)
    head = _without_templates(head)
    paren = _top_level_paren(head)
    if body and _ANONYMOUS_MEMBERS.match(head):
        return ("fields", owner)  # (an anonymous union's fields are the struct's)
    if paren < 0 or _assigns(head[:paren]):
        m = _TYPE.search(head) if not _assigns(head) and paren < 0 else None
        if m is None and body and not head.startswith((",", ":")) and (names := _fields(head)):
            # a field's initializer: ``std::atomic<int> n_{0};``, ``int a[2] = {0, 1};``
            found += [Member(line, name, header, owner, "variable") for name in names]
            return ("body", "")
        if m is None and paren < 0 and _ANONYMOUS_ENUM.search(head):
            return ("enum", owner)  # ``enum {``, ``typedef enum {``: C's names, not a type's
        if m is None and paren < 0 and head.startswith("typedef"):
            return ("class", owner)  # ``typedef struct {``: its name follows the "}"
        if m and not head.rstrip().endswith(")"):
            name = m.group(2)
            if (e := _EXPORTED.match(head, m.start(2))) and e.group(1) not in ("final", "sealed"):
                name = e.group(1)  # ``class TINYXML2_LIB XMLNode``: not the macro's name
            found.append(Member(line, name, header, owner, "type"))
            path = f"{owner}::{name}" if owner else name
            classes.add(path)
            # (a C enum's constants are its scope's names, but named by their enum: an
            # enum gone is one loss, ``color``, not one per constant)
            return ("enum" if m.group(1).startswith("enum") else "class", path)
        return ("body", "")  # an initializer, a lambda, an anonymous struct
    name = _name_before(head, paren, owner)
    if name:
        qualifier, _, own = name.rpartition("::")
        where = "::".join(p for p in (owner, qualifier) if p)
        found.append(Member(line, own, header, where))
    return ("body", "")


def _declared(
    head: str,
    owner: str,
    line: int,
    raw: list[str],
    found: list[Member],
    typedef: bool,
    body: bool = False,
) -> None:
    """What the declaration ``head`` (before its ";") names: a function's prototype, a
    typedef's name, or (``body``: in a struct's or class's body) its fields."""
    header = raw[line].strip() if line < len(raw) else ""
    if body and not typedef and (names := _fields(head)):
        found += [Member(line, name, header, owner, "variable") for name in names]
        return
    if m := _USING.match(_without_templates(head)):
        found.append(Member(line, m.group(1), header, owner, "type"))
        return
    if typedef or head.startswith("typedef"):
        m = next(filter(None, (p.search(head) for p in _TYPEDEF_NAMES)), None)
        name = m.group(1) if m else ""
        if name and name not in ("typedef",):
            found.append(Member(line, name, header, owner, "type"))
        return
    head = _without_templates(head)
    paren = _top_level_paren(head)
    if paren < 0 or _assigns(head[:paren]):
        return
    name = _name_before(head, paren, owner)
    if name:
        qualifier, _, own = name.rpartition("::")
        where = "::".join(p for p in (owner, qualifier) if p)
        found.append(Member(line, own, header, where, "declaration"))


#: an enum with no name of its own: ``enum {``, ``typedef enum {``, ``enum : int {``
_ANONYMOUS_ENUM = re.compile(r"^(?:typedef\s+)?enum(?:\s+(?:class|struct))?\s*(?::[^{}]*)?$")
#: a class's name after an export macro or attributes (``class Q_CORE_EXPORT QString``,
#: ``struct __attribute__((packed)) header``)
_EXPORTED = re.compile(
    r"(?:[A-Z_][A-Z0-9_]*(?:\s*\([^()]*\))?\s+|__attribute__\s*\(\(.*?\)\)\s*"
    r"|__declspec\s*\([^()]*\)\s*)+([A-Za-z_]\w*)"
)
#: an anonymous union or struct in a struct's body: its fields are the struct's
_ANONYMOUS_MEMBERS = re.compile(r"^(?:union|struct)\s*(?:__attribute__\s*\(\(.*\)\)\s*)?$")
#: an enumerator: its name, then attributes, a value or nothing
_ENUMERATOR = re.compile(
    r"^(?:\[\[[^\]]*\]\]\s*)?([A-Za-z_]\w*)\s*"
    r"(?:\[\[.*?\]\]\s*|__attribute__\s*\(\(.*?\)\)\s*)*(?:=.*)?$",
    re.DOTALL,
)
#: what a field's declaration may start with that declares no field: an access label
#: before it is taken off; the others declare something else
_LABEL = re.compile(r"\b(?:public|private|protected|signals|slots|Q_SLOTS|Q_SIGNALS)\s*:(?!:)")
_NO_FIELD = re.compile(
    r"^(?:typedef|using|friend|template|static_assert|_Static_assert|namespace|return)\b"
    r"|^(?:struct|class|union|enum(?:\s+class|\s+struct)?)\s+[A-Za-z_]\w*\s*(?::[^;]*)?$"
)
#: a function pointer's name: ``void (*on_done)(int)``, ``int (Calc::*op)(int)``,
#: ``void *(CJSON_CDECL *malloc_fn)(size_t)`` (a calling convention's word first)
_POINTER_FIELD = re.compile(
    r"\(\s*(?:[A-Za-z_]\w*\s+)?(?:[A-Za-z_]\w*\s*::\s*)*\*\s*(?:const\s+)?([A-Za-z_]\w*)"
    r"\s*\)\s*\("
)


def _enumerator(text: str, owner: str, line: int, raw: list[str], found: list[Member]) -> None:
    """The enumerator ``text`` (``RED``, ``GREEN = 2``, ``BLUE [[deprecated]]``) as a
    ``variable`` of ``owner`` (its enum; an anonymous enum's scope); nothing for the empty text after a last ",", nor for a piece of a value
    that a template's "," split (``v = f<A, B>()``: `` B>()``)."""
    if m := _ENUMERATOR.match(text.strip()):
        header = raw[line].strip() if line < len(raw) else ""
        found.append(Member(line, m.group(1), header, owner, "variable"))


def _fields(head: str, *, typed: bool = True) -> list[str]:
    """The fields the declaration ``head`` in a struct's or class's body declares
    (``int a, *b, c[4]``, ``unsigned flag : 1``, ``std::map<int, int> m = {}``, ``void
    (*cb)(int)``); none for a method's declaration, a nested type's, a typedef.  The
    first has a type before its name unless not ``typed`` (what follows an anonymous
    union's body: ``parts, *next``)."""
    head = _LABEL.sub(" ", head).strip()
    if not head or _NO_FIELD.match(head):
        return []
    if m := _POINTER_FIELD.search(head):
        return [m.group(1)]
    head = _without_templates(head)
    while (sized := re.sub(r"\[[^\[\]]*\]", "", head)) != head:
        head = sized  # (an array's sizes: ``char buf[sizeof(long)]``)
    paren = _top_level_paren(head)
    if paren >= 0 and not _assigns(head[:paren]):
        return []  # a method (a prototype), or a macro's call
    names: list[str] = []
    for _offset, part in comma_parts(head, 0, angles=True):
        part = re.split(r"(?<![=!<>])=(?!=)|\{|(?<!:):(?!:)", part, maxsplit=1)[0].strip()
        m = re.search(r"([A-Za-z_]\w*)\s*$", part)
        if m and m.group(1) not in _NOT_NAMES and (names or m.start() > 0 or not typed):
            names.append(m.group(1))  # (the first has a type before it)
    return names


def _assigns(text: str) -> bool:
    """Whether ``text`` holds an initializer's "=" (not ``operator==``'s, ``<=``'s)."""
    return re.search(r"(?<![=!<>+\-*/%&|^])(?<!operator)=(?!=)", text) is not None


def _without_templates(head: str) -> str:
    """``head`` without its ``template <…>`` parameter lists (``template <class T>
    class Box``: the class is Box)."""
    while (k := head.find("template")) >= 0 and (k == 0 or not head[k - 1].isalnum()):
        j = head.find("<", k)
        if j < 0:
            break
        depth, end = 0, -1
        for m in range(j, len(head)):
            depth += {"<": 1, ">": -1}.get(head[m], 0)
            if depth == 0:
                end = m
                break
        if end < 0:
            break
        head = head[:k] + head[end + 1 :]
    return head


#: words whose parenthesized arguments are no function's parameters
_ATTRIBUTES = ("__attribute__", "__declspec", "alignas", "_Alignas", "__asm__", "asm")


def _top_level_paren(head: str) -> int:
    """Where ``head``'s first "(" outside template arguments and attributes is (-1:
    none): ``__attribute__((noreturn)) void die(…)``'s is die's, and so is
    ``PyAPI_FUNC(void) die(…)``'s (a macro's arguments, a name and its "(" after them)."""
    angle = 0
    k = 0
    while k < len(head):
        c = head[k]
        if c == "<":
            angle += 1
        elif c == ">" and angle:
            angle -= 1
        elif c == "(" and not angle:
            word = re.search(r"\w+$", head[:k].rstrip())
            close = _closing(head, k)
            follows = _NAMED_CALL.match(head, close + 1) if close > 0 else None
            attribute = word is not None and (
                word.group() in _ATTRIBUTES
                # a macro standing for a type or an attribute, a function's name after it:
                # ``PyAPI_FUNC(int) Py_Main(``, ``static NPY_GCC_NONNULL(1) int⏎f(``
                or (
                    follows is not None
                    and follows.group(1) not in _ATTRIBUTES
                    and follows.group(1) not in _NOT_NAMES
                )
            )
            if not attribute:
                return k
            if close < 0:
                return -1
            k = close  # over the attribute's arguments
        k += 1
    return -1


#: what follows a macro's arguments when a function's name comes next: types' words,
#: "*" and "&", then a name and its "("
_NAMED_CALL = re.compile(r"[\s\w*&]*?\b([A-Za-z_]\w*)\s*\(")


def _closing(head: str, k: int) -> int:
    """Where the ")" that closes ``head``'s "(" at ``k`` is (-1: not in ``head``)."""
    depth = 0
    for m in range(k, len(head)):
        depth += {"(": 1, ")": -1}.get(head[m], 0)
        if depth == 0:
            return m
    return -1


def _name_before(head: str, paren: int, owner: str) -> str:
    """The function name that ends right before ``head``'s "(" at ``paren`` ("" when
    what stands there is no function's name: a keyword, a macro's call in a
    statement, a cast); in the class ``owner``, its constructor's too."""
    if inner := _RETURNS_POINTER.match(head, paren):
        return inner.group(1)
    before = head[: paren + 1]
    m = _HEAD.search(before)
    if not m:
        return ""
    name = re.sub(r"<[^<>]*>", "", re.sub(r"\s+", "", m.group(1)))  # ``Box<int>::count``
    own = name.rpartition("::")[2]
    if own in _NOT_NAMES:
        return ""
    constructor = own == owner.rpartition("::")[2] or own.startswith("~")
    if not _typed(head[: m.start()]) and "::" not in name and not constructor:
        return ""  # a call or a macro (``FOO(x)``), not a declaration: no type before it
    return name


def _typed(before: str) -> bool:
    """Whether ``before`` (what stands before a name) ends with a type: a word, ``*``,
    ``&``, ``>``, a macro's ")" (``int``, ``char *``, ``std::vector<int>&``,
    ``PyAPI_FUNC(int)``); a C++ constructor or
    destructor declared in its class has none, and is read by :func:`_name_before`'s
    caller through its qualifier or its "~"."""
    tail = before.rstrip()
    return bool(tail) and (tail[-1].isalnum() or tail[-1] in "_*&>)")
