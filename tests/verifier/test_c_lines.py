"""Which changed lines of C and C++ files the tests ran (:mod:`acrouter.verifier.lines_ccov`),
end to end under ``make test`` with gcc and g++.  Before, an edit that broke a function no
test calls (``sub`` in ``calc.c``, whose test calls only ``add``) was a counted pass
with nothing said: the compiler opened the file (:mod:`.lines_opened` saw nothing
wrong).  Needs gcc, g++, gcov and make (Debian: ``apt-get install gcc g++ make``)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from acrouter.domain import Edit
from acrouter.verifier.lines import UNTRACED
from acrouter.verifier.lines_ccov import (
    OWN_ENV,
    UNSEEN,
    WHY,
    _counts,
    _statements,
    code_lines,
    function_bodies,
    is_c,
    own_coverage,
    read_ccov,
    suspect,
)
from acrouter.verifier.lines_run import Asked, asked, untraced

from .helpers import MODES, needs_bwrap, needs_gcc, task_for, verifier, write_tree

CALC = "int add(int a, int b) { return a + b; }\nint sub(int a, int b) { return a - b; }\n"
TEST = (
    "#include <stdio.h>\n"
    "int add(int, int);\n"
    "int main(void) {\n"
    '  if (add(2, 3) != 5) { printf("FAIL add\\n"); return 1; }\n'
    '  printf("ok\\n");\n'
    "  return 0;\n"
    "}\n"
)
MAKEFILE = "test:\n\tcc -o t calc.c test_calc.c && ./t\n"
UNUSED_BROKEN = {"calc.c": CALC.replace("a - b", "a + b")}
CALLED_SAME = {"calc.c": CALC.replace("a + b;", "b + a;")}
CALLED_BROKEN = {"calc.c": CALC.replace("a + b;", "a * b;")}
#: what the pass says of sub's line
SUB_UNRUN = "no test ran 1 of the 1 statements the edit changes: calc.c line 2"


def _project(root: Path, extra: dict[str, str] | None = None, *programs: str) -> Path:
    needs_gcc("make", *programs)
    files = {"calc.c": CALC, "test_calc.c": TEST, "Makefile": MAKEFILE}
    return write_tree(root / "calc", {**files, **(extra or {})})


def _verify(root: Path, files: dict[str, str], **kw: object):  # type: ignore[no-untyped-def]
    kw.setdefault("cache_dir", root.parent / "cache")
    return verifier(timeout_s=120, **kw).verify(task_for(root, "make test"), Edit(files=files), "m")


@pytest.mark.parametrize("mode", MODES)
def test_an_edit_breaking_a_function_no_test_calls_is_not_counted(
    tmp_path: Path, mode: dict[str, object]
) -> None:
    root = _project(tmp_path)
    v = _verify(root, UNUSED_BROKEN, **mode)
    assert v.verdict == "pass" and not v.counted, v.detail
    assert v.unrun == SUB_UNRUN, v.unrun
    assert "not learned" in v.detail, v.detail
    # nothing of ours was written into the workspace
    assert sorted(p.name for p in root.iterdir()) == ["Makefile", "calc.c", "test_calc.c"]


@pytest.mark.parametrize("mode", [MODES[0], MODES[2]])
def test_an_edit_of_a_called_function_is_judged_as_before(
    tmp_path: Path, mode: dict[str, object]
) -> None:
    root = _project(tmp_path)
    same = _verify(root, CALLED_SAME, **mode)
    assert same.verdict == "pass" and same.counted and not same.unrun, same.detail
    broken = _verify(root, CALLED_BROKEN, **mode)
    assert broken.verdict == "fail" and broken.counted, broken.detail
    # both changed: only sub's line is named, and the pass is counted (add's line ran)
    both = {"calc.c": CALLED_SAME["calc.c"].replace("a - b", "a + b")}
    v = _verify(root, both, **mode)
    assert v.verdict == "pass" and v.counted, v.detail
    assert v.unrun == "no test ran 1 of the 2 statements the edit changes: calc.c line 2"


CPP = """\
#include "calc.hpp"

int Calc::add(int a, int b) const {
  return a + b;
}

int Calc::twice(int a) const {
  return a * 2;
}
"""
HPP = """\
struct Calc {
  int add(int a, int b) const;
  int twice(int a) const;
};
"""
TEST_CPP = """\
#include <iostream>
#include "calc.hpp"

int main() {
  Calc c;
  if (c.add(2, 3) != 5) { std::cout << "FAIL" << std::endl; return 1; }
  return 0;
}
"""


@needs_bwrap
def test_cpp_under_gxx(tmp_path: Path) -> None:
    makefile = (
        "test: t\n\t./t\nt: calc.cpp test_calc.cpp calc.hpp\n\t$(CXX) -o t calc.cpp test_calc.cpp\n"
    )
    files = {"calc.cpp": CPP, "calc.hpp": HPP, "test_calc.cpp": TEST_CPP, "Makefile": makefile}
    needs_gcc("make", "g++")
    root = write_tree(tmp_path / "calc", files)
    v = _verify(root, {"calc.cpp": CPP.replace("a * 2", "a * 3")})
    assert v.verdict == "pass" and not v.counted, v.detail
    assert v.unrun == "no test ran 1 of the 1 statements the edit changes: calc.cpp line 8"
    same = _verify(root, {"calc.cpp": CPP.replace("a + b", "b + a")})
    assert same.verdict == "pass" and same.counted and not same.unrun, same.detail


#: a Makefile naming gcc and its flags, compiling each file into build/ then linking
MAKEFILE_CC = """\
CC = gcc
CFLAGS = -O2 -Wall -MMD -Iinclude
OBJ = build/calc.o build/test_calc.o

test: build/t
\t./build/t

build/t: $(OBJ)
\t$(CC) $(CFLAGS) -o $@ $(OBJ)

build/%.o: %.c
\tmkdir -p build
\t$(CC) $(CFLAGS) -c $< -o $@
"""


@pytest.mark.parametrize("mode", [MODES[0], MODES[2]])
def test_a_makefile_with_its_own_cc_and_cflags(tmp_path: Path, mode: dict[str, object]) -> None:
    root = _project(tmp_path, {"Makefile": MAKEFILE_CC})
    v = _verify(root, UNUSED_BROKEN, **mode)
    assert v.verdict == "pass" and not v.counted, v.detail
    assert v.unrun == SUB_UNRUN, v.unrun


MSG = """\
const char *msg(int e) {
  switch (e) {
    case 1:
    return "one";
    case 2:
    return "two";
    default:
    return "other";
  }
}
"""


@needs_bwrap
def test_a_line_an_optimised_build_leaves_unlisted_in_a_function_never_called(
    tmp_path: Path,
) -> None:
    """gcc -O2 makes msg's switch a table: gcov lists no line for ``return "one"``.
    msg was never called, so none of its lines ran, and that is said."""
    makefile = "test:\n\tcc -O2 -o t calc.c msg.c test_calc.c && ./t\n"
    root = _project(tmp_path, {"msg.c": MSG, "Makefile": makefile})
    v = _verify(root, {"msg.c": MSG.replace('"one"', '"uno"')})
    assert v.verdict == "pass" and not v.counted, v.detail
    assert v.unrun == "no test ran 1 of the 1 statements the edit changes: msg.c line 4"


#: calc.c with a function the build leaves out (``#ifdef``), and a static one nothing
#: calls, which gcc -O2 drops: gcov lists no line of either, and knows no such function
UNBUILT = (
    CALC
    + "#ifdef CALC_EXTRA\nint mul(int a, int b)\n{\n  return a * b;\n}\n#endif\n"
    + "static int neg(int a) {\n  return -a;\n}\n"
)


@needs_bwrap
def test_a_function_the_build_did_not_compile_did_not_run(tmp_path: Path) -> None:
    """An edit of a function under an ``#ifdef`` the build does not define, or of a
    static function gcc -O2 dropped, was a counted pass with nothing said (simplejson's
    ``escape_unicode_noascii``, built on Python 3.14 only, broken under 3.11's build):
    gcov knows nothing of the function, so no test ran it, and that is said."""
    makefile = "test:\n\tcc -O2 -o t calc.c test_calc.c && ./t\n"
    root = _project(tmp_path, {"calc.c": UNBUILT, "Makefile": makefile})
    v = _verify(root, {"calc.c": UNBUILT.replace("a * b", "a + b")})
    assert v.verdict == "pass" and not v.counted, v.detail
    assert v.unrun == "no test ran 1 of the 1 statements the edit changes: calc.c line 6"
    v = _verify(root, {"calc.c": UNBUILT.replace("-a;", "a;")})
    assert v.verdict == "pass" and not v.counted, v.detail
    assert v.unrun == "no test ran 1 of the 1 statements the edit changes: calc.c line 10"
    # the called function's edit is judged as before: its lines ran
    v = _verify(root, {"calc.c": UNBUILT.replace("a + b;", "b + a;")})
    assert v.verdict == "pass" and v.counted and not v.unrun, v.detail


def test_function_bodies() -> None:
    text = (
        "struct s { int a; };\n"  # 1: no body
        "static int t[] = { 1, 2 };\n"  # 2: an initializer
        'extern "C" {\n'  # 3
        "int f(void)\n"  # 4
        "{\n"  # 5
        "  return '}';\n"  # 6: a brace in a character literal
        "}\n"  # 7
        "}\n"  # 8
        "namespace x {\n"  # 9
        "int g() const noexcept { if (1) { return 2; } }\n"  # 10
        "}\n"  # 11
        "#define M(x) \\\n"  # 12: a #define, continued
        "  { x }\n"  # 13
        "#if V2\n"  # 14: two signatures, one body
        "int h(int a, int b) {\n"  # 15
        "#else\n"  # 16
        "int h(int a) {\n"  # 17
        "#endif\n"  # 18
        "  return a; /* { */\n"  # 19
        "}\n"  # 20
        "enum e { A, B };\n"  # 21
        "int k(int x)\n  __attribute__((cold)) {\n  return x; }\n"  # 22-24
    )
    assert function_bodies(text) == [(5, 7), (10, 10), (17, 20), (23, 24)]
    # C++: member functions defined in a class's braces (a template's too), a
    # constructor with its initializers; a struct's data, an enum's values are none
    cpp = (
        "template <typename T>\n"  # 1
        "class Calc : public Base<T> {\n"  # 2
        " public:\n"  # 3
        "  Calc() : n(0) {}\n"  # 4
        "  int half(int a) const {\n"  # 5
        "    return a / 2;\n"  # 6
        "  }\n"  # 7
        "  struct In { int g() { return 1; } };\n"  # 8
        " private:\n"  # 9
        "  int n;\n"  # 10
        "};\n"  # 11
        "struct s { int a; } v = { 1 };\n"  # 12
        "enum class E : int { A, B };\n"  # 13
        "struct s make(void) {\n  return v;\n}\n"  # 14-16
    )
    assert function_bodies(cpp) == [(4, 4), (5, 7), (8, 8), (14, 16)]
    # nothing in a body of which gcov knows nothing, when it knows nothing of the file
    assert _statements({}, {}, {2, 3}, [(1, 4)]) == {}
    assert _statements({9: True}, {(8, 9): True}, {2, 3, 9}, [(1, 4), (8, 9)]) == {
        2: False,
        3: False,
        9: True,
    }


@needs_bwrap
def test_a_compiler_called_by_its_full_path_is_said_not_measured(tmp_path: Path) -> None:
    """No wrapper of ours is on that path: which lines ran is not known, and said."""
    gcc = Path("/usr/bin/gcc")
    if not gcc.exists():
        pytest.skip("no /usr/bin/gcc")
    root = _project(tmp_path, {"Makefile": f"test:\n\t{gcc} -o t calc.c test_calc.c && ./t\n"})
    v = _verify(root, UNUSED_BROKEN)
    assert v.verdict == "pass" and v.counted, v.detail
    assert v.unrun == f"which lines of calc.c the tests ran is not known: {UNSEEN}", v.unrun


@needs_bwrap
def test_a_prebuilt_object_is_said_not_measured_or_not_opened(tmp_path: Path) -> None:
    """The run links calc.o built before it (no rule remakes it from calc.c).  A step
    that reads calc.c (a check of its text) opens it: its lines are not known, and that
    is said; without that step no process opened it, which is said instead."""
    needs_gcc("make")
    rules = ".SUFFIXES:\ntest:\n\tcc -o t calc.o test_calc.c && ./t\n"
    lint = rules.replace("test:\n\t", "test:\n\tgrep -q add calc.c && ")
    root = _project(tmp_path, {"Makefile": lint})
    # the object as a build before the run left it (compiled only: nothing of it runs)
    subprocess.run(["gcc", "-c", "calc.c", "-o", "calc.o"], cwd=root, check=True)
    v = _verify(root, UNUSED_BROKEN)
    assert v.verdict == "pass" and v.counted, v.detail
    assert v.unrun == f"which lines of calc.c the tests ran is not known: {UNSEEN}", v.unrun
    (root / "Makefile").write_text(rules)
    v = _verify(root, UNUSED_BROKEN, cache_dir=tmp_path / "cache2")
    assert v.verdict == "pass" and not v.counted, v.detail
    assert v.unrun == "no process of the tests' run opened calc.c, which the edit changes"


@needs_bwrap
def test_a_build_with_coverage_of_its_own_is_said_not_measured(tmp_path: Path) -> None:
    root = _project(tmp_path, {"Makefile": MAKEFILE.replace("cc -o", "cc --coverage -o")})
    v = _verify(root, UNUSED_BROKEN)
    assert v.verdict == "pass" and v.counted, v.detail
    assert v.unrun == f"which lines of calc.c the tests ran is not known: {WHY['own']}"


@needs_bwrap
def test_nothing_is_said_to_be_unrun_when_a_test_process_never_exited_normally(
    tmp_path: Path,
) -> None:
    """A program that ends with ``_exit`` writes no counts: which lines ran is not
    known, and no line is said not to have run."""
    test = TEST.replace("#include <stdio.h>", "#include <stdio.h>\n#include <unistd.h>")
    test = test.replace("  return 0;\n}", "  fflush(stdout);\n  _exit(0);\n}")
    root = _project(tmp_path, {"test_calc.c": test})
    v = _verify(root, UNUSED_BROKEN)
    assert v.verdict == "pass" and v.counted, v.detail
    assert v.unrun.startswith("which changed lines the tests ran is not known"), v.unrun


def test_asked_and_untraced() -> None:
    ask = asked({"calc.c": "x\n", "a.hpp": "y\n", "README.md": "z"}, {})
    assert set(ask.c) == {"calc.c", "a.hpp"} and "calc.c" in ask.opened and ask
    assert set(untraced(ask).unknown) == {"calc.c", "a.hpp"}
    assert untraced(Asked(c={"calc.c": ("", "x")}, c_why=OWN_ENV)).unknown == {}
    assert is_c("src/x.cc") and is_c("a.h") and not is_c("a.cs") and not is_c("a.md")


def test_own_coverage_and_suspect() -> None:
    assert own_coverage({"CFLAGS": "-O2 --coverage"}) and own_coverage({"GCOV_PREFIX": "/x"})
    assert own_coverage({"LDFLAGS": "-fprofile-arcs"}) and not own_coverage({"CFLAGS": "-O2"})
    assert suspect("undefined reference to `__gcov_init'") and not suspect("FAIL add")
    assert UNTRACED  # (the words of a run redone without tracing)


def test_counts_of_gcov_documents() -> None:
    doc = {
        "current_working_directory": "/ws/build",
        "files": [
            {"file": "../calc.c", "lines": [{"line_number": 1, "count": 0}]},
            {"file": "/ws/calc.c", "lines": [{"line_number": 1, "count": 2}]},
            {"file": "/usr/include/stdio.h", "lines": [{"line_number": 9, "count": 1}]},
            {"file": "/ws/calc.h", "lines": [{"line_number": 3, "count": 0}]},
        ],
    }
    doc["files"][1]["functions"] = [{"start_line": 1, "end_line": 4, "execution_count": 0}]
    other = json.loads(json.dumps(doc))
    other["files"][1]["functions"][0]["execution_count"] = 3
    wanted = {"/ws/calc.c": "calc.c", "/ws/calc.h": "calc.h"}
    lines, funcs = _counts(iter([doc, other]), wanted)
    assert lines == {"calc.c": {1: True}, "calc.h": {3: False}}
    assert funcs == {"calc.c": {(1, 4): True}, "calc.h": {}}
    # the code lines of a function never called are statements that did not run
    code = {1, 2, 4, 9}
    assert _statements({1: True}, {(1, 4): False, (8, 9): True}, code) == {
        1: True,
        2: False,
        4: False,
    }


def test_code_lines() -> None:
    text = "/* a\n b */ int x;\n// c\n\nint f(void) {\n  return '}';\n}\n#include <x.h>\n"
    assert code_lines(text) == {2, 5, 6, 8}


def test_only_a_gcov_found_before_the_run_reads_its_notes(tmp_path: Path) -> None:
    """The out folder is the run's to write: a note naming another program as its gcov
    (the code under test could write one) never has it run outside the sandbox."""
    evil = tmp_path / "evil.sh"
    ran = tmp_path / "ran"
    evil.write_text(f"#!/bin/sh\ntouch {ran}\n")
    evil.chmod(0o755)
    notes = tmp_path / "out" / "acrouter-c-notes.abc"
    notes.mkdir(parents=True)
    (notes / "sources").write_text("/ws/calc.c\n")
    (notes / "gcov").write_text(f"{evil}\n")
    (notes / "calc.gcno").write_bytes(b"oncg calc.c")
    files = {"calc.c": (CALC, UNUSED_BROKEN["calc.c"])}
    traced = read_ccov(tmp_path / "out", "/ws", files, ())
    assert not ran.exists()
    assert traced is not None and traced.unmeasured == {"calc.c"} and not traced.lines


HEADER = "static inline int twice(int a) {\n  return a * 2;\n}\n"


@needs_bwrap
def test_a_header_s_inline_function_no_test_calls(tmp_path: Path) -> None:
    """A header's lines are measured in every file that includes it: ``twice``, which
    only ``sub`` calls, did not run."""
    calc = '#include "calc.h"\n' + CALC.replace("return a - b;", "return twice(a) - b;")
    root = _project(tmp_path, {"calc.h": HEADER, "calc.c": calc})
    v = _verify(root, {"calc.h": HEADER.replace("a * 2", "a * 3")})
    assert v.verdict == "pass" and not v.counted, v.detail
    assert v.unrun == "no test ran 1 of the 1 statements the edit changes: calc.h line 2"


#: a C++ class whose member functions are defined in its body: the tests call add only
CLASS_HPP = """\
struct Calc {
  int add(int a, int b) const { return a + b; }
  int half(int a) const {
    return a / 2;
  }
};
"""
CLASS_TEST = """\
#include <iostream>
#include "calc.hpp"

int main() {
  Calc c;
  if (c.add(2, 3) != 5) { std::cout << "FAIL" << std::endl; return 1; }
  return 0;
}
"""


@needs_bwrap
def test_a_member_function_defined_in_its_class_that_no_test_calls(tmp_path: Path) -> None:
    """g++ emits an inline member function only where it is used: gcov knows nothing of
    ``half``, which no test calls, so its edit did not run.  Before, a member function
    defined in its class's braces was not read as a body, and its edit was a counted
    pass with nothing said."""
    needs_gcc("make", "g++")
    makefile = "test: t\n\t./t\nt: test_calc.cpp calc.hpp\n\t$(CXX) -o t test_calc.cpp\n"
    files = {"calc.hpp": CLASS_HPP, "test_calc.cpp": CLASS_TEST, "Makefile": makefile}
    root = write_tree(tmp_path / "calc", files)
    v = _verify(root, {"calc.hpp": CLASS_HPP.replace("a / 2", "a / 3")})
    assert v.verdict == "pass" and not v.counted, v.detail
    assert v.unrun == "no test ran 1 of the 1 statements the edit changes: calc.hpp line 4"
    # add ran: its edit is judged as before
    same = _verify(root, {"calc.hpp": CLASS_HPP.replace("a + b", "b + a")})
    assert same.verdict == "pass" and same.counted and not same.unrun, same.detail
