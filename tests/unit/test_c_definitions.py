"""The guard against dropped code reads what a C or C++ file defines
(``cdefinitions``).

Before, the guard's line patterns found no C function (``int neg(int a) {`` matches
none) and read ``static int helper(…)`` as a Rust ``static`` named ``int``: an edit of
``calc.c`` that deleted ``neg``, which no test calls, its prototype left in ``calc.h``,
was verified by ``acrouter verify --test-command "make test"`` ("pass: tests exited
with code 0")."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from acrouter.cdefinitions import c_classes, c_members, is_c
from acrouter.definitions import dropped_definitions, guard
from acrouter.errors import ParseError
from acrouter.verifier.cli import dropped_code, load_edit

CALC_C = """\
#include <stdio.h>
#include "calc.h"

/* int not_code(int a) { */
static const char *NAME = "int not_either(void) {";

/* adds */
int add(int a, int b)
{
    return a + b;
}

int neg(int a) {
    return -a;
}

static int
helper (int a)
{
#ifdef FAST
    if (a > 0) {
#else
    if (a >= 0) {
#endif
        return 1;
    }
    return 0;
}

static void (*lookup(const char *name))(void) {
    return NULL;
}
"""
CALC_H = """\
#ifndef CALC_H
#define CALC_H

#define TWICE(x) ((x) * 2)

typedef struct point { int x, y; } point_t;
typedef int (*op_fn)(int, int);
typedef void done_fn(void);
enum color { RED, GREEN };

int add(int a, int b);
int neg(int a);

#endif
"""
CALC_CPP = """\
#include <vector>

namespace calc {
template <class T> class Box {
public:
    Box(T v) : v_{v} {}
    T get() const { return v_; }
    int add(int a, int b) { return a + b; }
    long add(long a, long b) { return a + b; }
    bool operator==(const Box& o) const;
    int neg(int a);
private:
    T v_;
};

int Box<int>::neg(int a) { return -a; }
}
"""
NEG = "int neg(int a) {\n    return -a;\n}\n\n"


def _without(text: str, part: str) -> str:
    assert part in text
    return text.replace(part, "", 1)


def test_functions_prototypes_types_and_macros_are_read() -> None:
    assert [(m.name, m.kind) for m in c_members(CALC_C)] == [
        ("add", "method"),
        ("neg", "method"),
        ("helper", "method"),
        ("lookup", "method"),
    ]
    assert [(m.name, m.kind) for m in c_members(CALC_H)] == [
        ("TWICE", "macro"),  # (CALC_H is the include guard's: not counted)
        ("point", "type"),
        ("x", "variable"),  # (point's fields)
        ("y", "variable"),
        ("point_t", "type"),
        ("op_fn", "type"),
        ("done_fn", "type"),  # (a function type's: "void" had been read)
        ("color", "type"),
        ("RED", "variable"),  # (color's constants)
        ("GREEN", "variable"),
        ("add", "declaration"),
        ("neg", "declaration"),
    ]
    assert [(m.owner, m.name, m.kind) for m in c_members(CALC_CPP)] == [
        ("", "Box", "type"),
        ("Box", "Box", "method"),
        ("Box", "get", "method"),
        ("Box", "add", "method"),
        ("Box", "add", "method"),
        ("Box", "operator==", "declaration"),
        ("Box", "neg", "declaration"),
        ("Box", "v_", "variable"),  # (not from the constructor's ``v_{v}``)
        ("Box", "neg", "method"),
    ]
    assert c_classes(CALC_CPP) == {"", "Box"}
    assert is_c("src/calc.c") and is_c("calc.HPP") and is_c("x", "cpp") and not is_c("a.cs")


def test_a_dropped_function_prototype_type_or_macro_is_refused() -> None:
    assert dropped_definitions(CALC_C, _without(CALC_C, NEG), "src/calc.c") == ["neg"]
    static = "static int\nhelper (int a)\n{\n"
    body = CALC_C[CALC_C.index(static) : CALC_C.index("static void (*lookup")]
    assert dropped_definitions(CALC_C, _without(CALC_C, body), "src/calc.c") == ["helper"]
    lookup = CALC_C[CALC_C.index("static void (*lookup") :]
    assert dropped_definitions(CALC_C, _without(CALC_C, lookup), "src/calc.c") == ["lookup"]
    assert dropped_definitions(CALC_H, _without(CALC_H, "int neg(int a);\n"), "calc.h") == [
        "neg (its declaration)"
    ]
    twice = "#define TWICE(x) ((x) * 2)\n"
    assert dropped_definitions(CALC_H, _without(CALC_H, twice), "calc.h") == ["#define TWICE"]
    color = "enum color { RED, GREEN };\n"
    assert dropped_definitions(CALC_H, _without(CALC_H, color), "calc.h") == ["color"]
    # C++: one of two overloads, an inline method, the definition out of its class
    long_add = "    long add(long a, long b) { return a + b; }\n"
    assert dropped_definitions(CALC_CPP, _without(CALC_CPP, long_add), "calc.cpp") == ["Box::add"]
    get = "    T get() const { return v_; }\n"
    assert dropped_definitions(CALC_CPP, _without(CALC_CPP, get), "calc.cpp") == ["Box::get"]
    out_of_class = "int Box<int>::neg(int a) { return -a; }\n"
    assert dropped_definitions(CALC_CPP, _without(CALC_CPP, out_of_class), "calc.cpp") == [
        "Box::neg"
    ]


def test_what_was_asked_for_moved_or_is_no_code_is_no_loss() -> None:
    path = "src/calc.c"
    assert dropped_definitions(CALC_C, _without(CALC_C, NEG), path, instruction="remove neg") == []
    # moved to the file's end; a comment's or a string's "function" changed; the
    # #else branch rewritten; a forward declaration dropped while its function stays
    moved = _without(CALC_C, NEG) + "\n" + NEG
    assert dropped_definitions(CALC_C, moved, path) == []
    text = CALC_C.replace("int not_code(int a) {", "nothing").replace("not_either", "x")
    assert dropped_definitions(CALC_C, text, path) == []
    other = CALC_C.replace("    if (a >= 0) {\n", "    if (a > -1) {\n")
    assert dropped_definitions(CALC_C, other, path) == []
    forward = "static int helper(int a);\n\n" + CALC_C
    assert dropped_definitions(forward, CALC_C, path) == []
    # an include guard turned into #pragma once
    pragma = "#pragma once\n" + CALC_H.replace("#ifndef CALC_H\n#define CALC_H\n", "").replace(
        "\n#endif\n", "\n"
    )
    assert dropped_definitions(CALC_H, pragma, "calc.h") == []
    # a static function that the old line patterns read as Rust's "static int": a
    # change of its body is no loss (nor was it); a second one dropped is
    assert dropped_definitions(CALC_C, CALC_C.replace("return 0;", "return -1;"), path) == []


def test_acrouter_verify_and_the_editor_refuse_an_edit_that_drops_a_function(
    tmp_path: Path,
) -> None:
    (tmp_path / "ws").mkdir()
    (tmp_path / "ws/calc.c").write_text(CALC_C)
    (tmp_path / "ws/calc.h").write_text(CALC_H)
    edit = {"files": {"calc.c": _without(CALC_C, NEG).replace("a + b", "b + a")}}
    (tmp_path / "drop.json").write_text(json.dumps(edit))
    assert dropped_code(str(tmp_path / "ws"), load_edit(str(tmp_path / "drop.json"))) == (
        "the edit would delete 1 definition(s), method(s) or import(s) of calc.c that the "
        "instruction did not ask to remove: neg (pass --allow-removal if the removal is meant)"
    )
    with pytest.raises(ParseError, match="did not ask to remove: neg"):
        guard(
            {"calc.c": CALC_C},
            {"calc.c": _without(CALC_C, NEG)},
            language_of=lambda _rel: "c",
            instruction="make add commutative",
        )


PLATFORM_C = """\
#include "calc.h"

#ifdef _WIN32
#include <windows.h>
static int page_size(void) { SYSTEM_INFO s; GetSystemInfo(&s); return s.dwPageSize; }
#elif defined(__APPLE__)
static int page_size(void) { return 16384; }
static int apple_only(void) { return 1; }
#else
#include <unistd.h>
static int page_size(void)
{
    return (int)sysconf(_SC_PAGESIZE);
}
#endif

#if HAVE_FAST
int scaled(int a) {
#else
int scaled(long a) {
#endif
    return a * page_size();
}
"""


def test_every_branch_of_a_conditional_is_read() -> None:
    # the guard read each conditional's first branch only: the #elif and #else parts,
    # which the tests of one platform never build, could go unseen
    read = [(m.line, m.name) for m in c_members(PLATFORM_C) if m.kind == "method"]
    assert read == [(4, "page_size"), (17, "scaled"), (6, "page_size"), (7, "apple_only"),
                    (10, "page_size")]  # fmt: skip
    # (both heads of scaled open one function: it is read once)
    path = "src/platform.c"
    start, end = PLATFORM_C.index("#elif defined"), PLATFORM_C.index("#else\n#include")
    no_apple = PLATFORM_C[:start] + PLATFORM_C[end:]
    assert dropped_definitions(PLATFORM_C, no_apple, path) == ["apple_only", "page_size"]
    start, end = PLATFORM_C.index("#else\n#include"), PLATFORM_C.index("#endif\n\n#if HAVE")
    no_posix = PLATFORM_C[:start] + PLATFORM_C[end:]
    assert dropped_definitions(PLATFORM_C, no_posix, path) == ["import unistd.h", "page_size"]
    # the conditional kept, one branch's body changed or reformatted, a branch added,
    # or the platforms merged as asked: no loss
    body = PLATFORM_C.replace("return 16384;", "return 4096 * 4;")
    assert dropped_definitions(PLATFORM_C, body, path) == []
    more = PLATFORM_C.replace(
        "#else\n#include <unistd.h>",
        "#elif defined(__FreeBSD__)\nstatic int page_size(void) { return 4096; }\n#else\n"
        "#include <unistd.h>",
    )
    assert dropped_definitions(PLATFORM_C, more, path) == []
    merged = no_posix.replace("#ifdef _WIN32", "#include <unistd.h>\n#if 1")
    ask = "merge the page_size implementations and remove apple_only"
    assert dropped_definitions(PLATFORM_C, merged, path, instruction=ask) == []


def test_a_macro_of_one_branch_gone_while_another_defines_it_is_lost() -> None:
    # read from every branch, a macro kept while the file still named it could go from
    # one branch unseen: now it counts when the file defines its name fewer times
    sep = "#ifdef _WIN32\n#define SEP '\\\\'\n#else\n#define SEP '/'\n#endif\n"
    windows = "#define SEP '\\\\'\n"
    assert windows in sep
    assert dropped_definitions(sep, sep.replace(windows, ""), "path.h") == ["#define SEP"]
    # a macro turned into a function of its name, a macro's value changed: no loss
    function = sep.replace(windows, "static inline char SEP(void) { return '\\\\'; }\n")
    assert dropped_definitions(sep, function, "path.h") == []
    assert dropped_definitions(sep, sep.replace("'/'", "'|'"), "path.h") == []


OPS_H = """\
#ifndef OPS_H
#define OPS_H

/* the opcodes written to a program file: their values are its format */
enum op {
    OP_ADD,
    OP_SUB,
    OP_MUL = 4,
};

typedef enum { MODE_READ, MODE_WRITE } mode_t;

struct stats {
    int calls;
    int errors, warnings;
    unsigned traced : 1;
    char name[sizeof(long)];
    void (*on_error)(int code);
    void *(OPS_CDECL *alloc)(unsigned long size);
    union { int i; float f; };
    struct { long lo, hi; } range;
};

#endif
"""
OPS_HPP = """\
#include <atomic>
#include <vector>

class Pool {
public:
    enum class State { Idle, Busy };
    Pool() : size_{0}, busy_(false) {}
    int size() const { return size_; }
    static constexpr int kMax = 64;
private:
    std::vector<int> items_;
    std::atomic<int> size_{0};
    int weights_[2] = {1, 2};
    bool busy_;
};
"""


def test_a_structs_fields_and_an_enums_constants_are_read() -> None:
    """An enum's constant or a struct's field no test names deleted passed before: the
    reader took nothing from a struct's or an enum's body.  Dropping ``OP_SUB`` renumbers
    ``OP_MUL``'s neighbours in every program file written, and a field gone changes the
    struct's layout; ``acrouter verify --test-command "make test"`` on a project whose
    test calls ``apply(OP_ADD, …)`` alone said "pass" (docs/verification.md)."""
    read = [(m.owner, m.name) for m in c_members(OPS_H) if m.kind == "variable"]
    assert read == [
        ("op", "OP_ADD"),
        ("op", "OP_SUB"),
        ("op", "OP_MUL"),
        ("", "MODE_READ"),  # (an anonymous enum's constants: its scope's)
        ("", "MODE_WRITE"),
        ("stats", "calls"),
        ("stats", "errors"),
        ("stats", "warnings"),
        ("stats", "traced"),
        ("stats", "name"),
        ("stats", "on_error"),
        ("stats", "alloc"),  # (a calling convention's macro before its "*")
        ("stats", "i"),  # (an anonymous union's fields: the struct's)
        ("stats", "f"),
        ("stats", "lo"),
        ("stats", "hi"),
        ("stats", "range"),  # (named after its body)
    ]
    read = [(m.owner, m.name) for m in c_members(OPS_HPP) if m.kind == "variable"]
    assert read == [
        ("Pool::State", "Idle"),
        ("Pool::State", "Busy"),
        ("Pool", "kMax"),
        ("Pool", "items_"),
        ("Pool", "size_"),  # (not from the constructor's ``size_{0}``)
        ("Pool", "weights_"),
        ("Pool", "busy_"),
    ]
    assert [m.line for m in c_members(OPS_HPP) if m.name == "items_"] == [10]  # (not public:'s)
    no_sub = OPS_H.replace("    OP_SUB,\n", "")
    assert dropped_definitions(OPS_H, no_sub, "ops.h") == ["op::OP_SUB"]
    assert dropped_definitions(OPS_H, no_sub, "ops.h", instruction="Remove OP_SUB") == []
    no_errors = OPS_H.replace("int errors, warnings;", "int warnings;")
    assert dropped_definitions(OPS_H, no_errors, "ops.h") == ["stats::errors"]
    no_range = OPS_H.replace("} range;", "};")
    assert dropped_definitions(OPS_H, no_range, "ops.h") == ["stats::range"]
    # a class after its export macro is named by its own name, not the macro's
    exported = OPS_HPP.replace("class Pool {", "class OPS_API Pool final {")
    assert [(m.owner, m.name) for m in c_members(exported) if m.kind == "type"] == [
        ("", "Pool"),
        ("Pool", "State"),
    ]
    no_busy = OPS_HPP.replace("    bool busy_;\n", "")
    assert dropped_definitions(OPS_HPP, no_busy, "pool.hpp") == ["Pool::busy_"]
    no_idle = OPS_HPP.replace("{ Idle, Busy }", "{ Busy }")
    assert dropped_definitions(OPS_HPP, no_idle, "pool.hpp") == ["Pool::State::Idle"]
    # an enum or struct gone is one loss
    start, end = OPS_H.index("struct stats"), OPS_H.index("#endif")
    assert dropped_definitions(OPS_H, OPS_H[:start] + OPS_H[end:], "ops.h") == ["stats"]
    same = [
        # one declarator a line, a value given, a default member initializer, reordered,
        # a constant moved into an anonymous enum of the same class
        OPS_H.replace("int errors, warnings;", "int errors;\n    int warnings;"),
        OPS_H.replace("    OP_SUB,", "    OP_SUB = 1,"),
        OPS_HPP.replace("bool busy_;", "bool busy_ = false;"),
        OPS_HPP.replace("std::atomic<int> size_{0};", "std::atomic<int> size_;"),
        OPS_H.replace("MODE_READ, MODE_WRITE", "MODE_WRITE, MODE_READ"),
        OPS_HPP.replace("static constexpr int kMax = 64;", "enum { kMax = 64 };"),
    ]
    for edited in same:
        assert edited != OPS_H and edited != OPS_HPP
        old = OPS_HPP if "Pool" in edited else OPS_H
        assert dropped_definitions(old, edited, "ops.hpp") == [], edited
