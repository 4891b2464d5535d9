"""``verify_trust``'s edits of a C or C++ project run by ``make`` (its test programs'
exit codes), by CMake and ctest or by automake's ``make check``: Debian's utf8proc,
tinyxml2, cJSON and libyaml in ``real_projects``.

The edits are known per project (:data:`EDITS`: a file, a line of it and what it
becomes), as C functions are not found by line patterns here: a comment (a control), a
function the tests call rewritten to do the same (a control), the same function broken
(its tests fail), functions no test calls broken (a pass is right only when not
counted: no test ran them), an enum constant no code names dropped (it passes the
tests: the guard must refuse it), the file cut in half (it no longer compiles) and a
path outside the workspace."""

from __future__ import annotations

from pathlib import Path

from real_projects import Project
from trust_edits import ESCAPED, Listed, Trial, listed_trials

#: per project: (trial name, file, line, what it becomes, may pass, must not be counted)
EDITS: dict[str, tuple[Listed, ...]] = {
    "utf8proc": (
        (
            "same behaviour of a covered function",
            "utf8proc.c",
            "  return cl != UINT16_MAX ? seqindex_decode_index((utf8proc_uint32_t)cl) : c;",
            "  return cl == UINT16_MAX ? c : seqindex_decode_index((utf8proc_uint32_t)cl);",
            True,
            False,
        ),
        (
            "break covered",
            "utf8proc.c",
            "  return cl != UINT16_MAX ? seqindex_decode_index((utf8proc_uint32_t)cl) : c;",
            "  return c;",
            False,
            False,
        ),
        (
            "break a function no test calls",
            "utf8proc.c",
            "  return s[utf8proc_category(c)];",
            "  return s[0];",
            False,
            True,
        ),
        (
            "break another function no test calls",
            "utf8proc.c",
            '    return "Invalid UTF-8 string";',
            '    return "UTF-8 string is too long to be processed.";',
            False,
            True,
        ),
        (
            # an option of the public API no code or test of the project names
            "drop an enum constant no test names",
            "utf8proc.h",
            "  UTF8PROC_NLF2LF    = (UTF8PROC_NLF2LS | UTF8PROC_NLF2PS),\n",
            "",
            False,
            False,
        ),
    ),
    # C++: member functions defined in their classes in tinyxml2.h (g++ emits one only
    # where it is used): StrPair::Empty, which parsing calls, and MemPoolT::Trace, which
    # only code under `#if 0` calls
    "tinyxml2": (
        (
            "same behaviour of a covered function",
            "tinyxml2.h",
            "        return _start == _end;",
            "        return !(_start != _end);",
            True,
            False,
        ),
        (
            "break covered",
            "tinyxml2.h",
            "        return _start == _end;",
            "        return _start != _end;",
            False,
            False,
        ),
        (
            "break a member function no test calls",
            "tinyxml2.h",
            '        printf( "Mempool %s watermark=%d [%dk] current=%d size=%d nAlloc=%d blocks=%d\\n",',
            '        printf( "Mempool %s WATERMARK=%d [%dk] current=%d size=%d nAlloc=%d blocks=%d\\n",',
            False,
            True,
        ),
    ),
    # cJSON under CMake and ctest (19 tests): cJSON_IsRaw, which misc_tests checks, and
    # cJSON_malloc, which nothing calls (cJSON_Utils, its only user, is not built)
    "cjson": (
        (
            "same behaviour of a covered function",
            "cJSON.c",
            "    return (item->type & 0xFF) == cJSON_Raw;",
            "    return !((item->type & 0xFF) != cJSON_Raw);",
            True,
            False,
        ),
        (
            "break covered",
            "cJSON.c",
            "    return (item->type & 0xFF) == cJSON_Raw;",
            "    return (item->type & 0xFF) != cJSON_Raw;",
            False,
            False,
        ),
        (
            "break a function no test calls",
            "cJSON.c",
            "    return global_hooks.allocate(size);\n}",
            "    return size ? NULL : NULL;\n}",
            False,
            True,
        ),
        # the same function dropped: it still builds and links (its prototype stays in
        # cJSON.h), and no line is left to measure: the guard must refuse it
        (
            "drop a function no test calls",
            "cJSON.c",
            (
                "CJSON_PUBLIC(void *) cJSON_malloc(size_t size)\n{\n"
                "    return global_hooks.allocate(size);\n}\n"
            ),
            "",
            False,
            False,
        ),
    ),
    # libyaml under automake's harness: the reader's check of the characters a YAML
    # stream may hold, which test-reader checks, and yaml_emitter_emit, which no test
    # calls
    "libyaml": (
        (
            "same behaviour of a covered function",
            "src/reader.c",
            "                        || (value >= 0x20 && value <= 0x7E)",
            "                        || (0x20 <= value && value <= 0x7E)",
            True,
            False,
        ),
        (
            "break covered",
            "src/reader.c",
            "                        || (value == 0x85) || (value >= 0xA0 && value <= 0xD7FF)",
            "                        || (value == 0x85) || (value >= 0x80 && value <= 0xD7FF)",
            False,
            False,
        ),
        (
            "break a function no test calls",
            "src/emitter.c",
            "    while (!yaml_emitter_need_more_events(emitter)) {",
            "    while (yaml_emitter_need_more_events(emitter)) {",
            False,
            True,
        ),
    ),
}
#: automake projects: the top Makefile.am (not one of the tests' files: ``tests/`` is)
#: and its ``SUBDIRS`` line with and without the tests' folder
AUTOMAKE = {
    "libyaml": ("Makefile.am", "SUBDIRS = include src . tests\n", "SUBDIRS = include src .\n"),
}
#: ctest projects: the top CMakeLists.txt (not one of the tests' files, so the edit is
#: judged with it), the line of an ``add_test`` there and the test it adds (a test added
#: in a subfolder takes its properties there only)
CTEST = {
    "cjson": (
        "CMakeLists.txt",
        '    add_test(NAME ${TEST_CJSON} COMMAND "${CMAKE_CURRENT_BINARY_DIR}/${TEST_CJSON}")\n',
        "cJSON_test",
    ),
}


def c_trials(project: Project, root: Path, work: Path) -> list[Trial]:
    """The edits tried on a C ``project`` set up in ``root``."""
    rel = project.edit_file
    text = (root / rel).read_text(encoding="utf-8")
    trials = [Trial("comment", {rel: text + "\n/* a harmless comment */\n"}, may_pass=True)]
    trials += listed_trials(root, EDITS.get(project.name, ()))
    trials += _ctest_trials(project, root)
    trials += _automake_trials(project, root)
    trials += [
        Trial("truncate", {rel: text[: len(text) // 2]}),
        Trial("edited path outside the workspace", {f"../{ESCAPED}.c": "int x;\n"}),
    ]
    return trials


def _ctest_trials(project: Project, root: Path) -> list[Trial]:
    """A ctest project's test made not to run through its top ``CMakeLists.txt``: dropped,
    or disabled.  Read by the exit code only, both passed."""
    if project.runner != "ctest" or project.name not in CTEST:
        return []
    lists, add_test, name = CTEST[project.name]
    text = (root / lists).read_text(encoding="utf-8")
    if text.count(add_test) != 1:
        return []
    disabled = text + f"set_tests_properties({name} PROPERTIES DISABLED TRUE)\n"
    return [
        Trial("a test dropped from CMakeLists.txt", {lists: text.replace(add_test, "")}),
        Trial("a test disabled in CMakeLists.txt", {lists: disabled}),
    ]


def _automake_trials(project: Project, root: Path) -> list[Trial]:
    """An automake project's tests' folder dropped from the top ``SUBDIRS``: ``make
    check`` then runs no test and exits 0.  Read by the exit code only, it passed."""
    if project.runner != "automake" or project.name not in AUTOMAKE:
        return []
    rel, line, without = AUTOMAKE[project.name]
    text = (root / rel).read_text(encoding="utf-8")
    if text.count(line) != 1:
        return []
    return [Trial("tests dropped from SUBDIRS", {rel: text.replace(line, without)})]
