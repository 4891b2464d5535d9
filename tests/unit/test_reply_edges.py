"""Replies at the edges of everyday requests, found by running ``acrouter complete``
against the fake server on small projects: a new file whose name is the request's own
file's name in another folder, code inserted at a cursor (no selection), and files
that start with a UTF-8 byte-order mark."""

from __future__ import annotations

import pytest
from acrouter.context import build_task
from acrouter.domain import Document, Position, Range
from acrouter.errors import ParseError

from .test_reply_edits import parse, project, task_for

CALC = "def add(a, b):\n    return a - b\n\n\ndef mul(a, b):\n    return a * b\n"
FIXED = CALC.replace("a - b", "a + b")
SUB = "def sub(a, b):\n    return a - b\n"


def cursor(line: int, character: int = 0) -> Range:
    return Range(Position(line, character), Position(line, character))


# ----------------------------------------------------------------------------- target file
def test_a_new_file_named_like_the_request_file_in_another_folder_is_created(tmp_path):
    # sub/calc.py does not exist: the block creates it; it is not the request's calc.py shortened
    p = project(tmp_path)
    (tmp_path / "sub").mkdir()
    reply = (
        "sub/calc.py\n```python\n<<<<<<< SEARCH\n=======\n"
        "def neg(x):\n    return -x\n>>>>>>> REPLACE\n```\n"
    )
    e = parse(task_for(p, "Add sub/calc.py with neg"), reply)
    assert e.files == {"sub/calc.py": "def neg(x):\n    return -x\n"}
    assert e.bases == {"sub/calc.py": None}


def test_the_request_file_named_by_its_name_alone_is_still_the_request_file(tmp_path):
    (tmp_path / ".git").mkdir()  # the workspace root
    (tmp_path / "pkg").mkdir()
    p = tmp_path / "pkg" / "calc.py"
    p.write_text(CALC)
    reply = (
        "calc.py\n```python\n<<<<<<< SEARCH\n    return a - b\n=======\n"
        "    return a + b\n>>>>>>> REPLACE\n```\n"
    )
    doc = Document(uri=p.as_uri(), path=str(p), text=CALC)
    e = parse(build_task(doc, "Fix add", folders=[tmp_path]), reply)
    assert e.files == {"pkg/calc.py": FIXED}


# ----------------------------------------------------------------------------- a cursor, no selection
def test_code_inserted_at_the_start_of_a_line_ends_its_own_line(tmp_path):
    p = project(tmp_path, CALC)
    e = parse(task_for(p, "Add sub", cursor(4)), f"```python\n{SUB}```\n")
    assert e.files["calc.py"] == CALC.replace("def mul", SUB + "def mul")


def test_code_inserted_at_the_end_of_a_file_ends_with_a_newline(tmp_path):
    p = project(tmp_path, CALC)
    e = parse(task_for(p, "Add sub", cursor(6)), f"```python\n{SUB}```\n")
    assert e.files["calc.py"] == CALC + SUB


def test_code_inserted_mid_line_stays_on_that_line(tmp_path):
    p = project(tmp_path, CALC)
    e = parse(task_for(p, "Add c", cursor(1, 16)), "```python\n + 0\n```\n")
    assert e.files["calc.py"] == CALC.replace("a - b\n", "a - b + 0\n", 1)


# ----------------------------------------------------------------------------- byte-order mark
BOM = "\ufeff"


def test_search_replace_on_the_first_line_of_a_file_with_a_bom(tmp_path):
    p = project(tmp_path, BOM + CALC)
    reply = (
        "calc.py\n```python\n<<<<<<< SEARCH\ndef add(a, b):\n    return a - b\n=======\n"
        "def add(a, b):\n    return a + b\n>>>>>>> REPLACE\n```\n"
    )
    assert parse(task_for(p), reply).files == {"calc.py": BOM + FIXED}


def test_a_diff_of_the_first_line_of_a_file_with_a_bom(tmp_path):
    p = project(tmp_path, BOM + CALC)
    reply = (
        "```diff\n--- a/calc.py\n+++ b/calc.py\n@@ -1,2 +1,2 @@\n def add(a, b):\n"
        "-    return a - b\n+    return a + b\n```\n"
    )
    assert parse(task_for(p), reply).files == {"calc.py": BOM + FIXED}


def test_a_whole_file_reply_keeps_the_bom(tmp_path):
    p = project(tmp_path, BOM + CALC)
    assert parse(task_for(p), f"```python\n{FIXED}```\n").files == {"calc.py": BOM + FIXED}


def test_a_selection_from_the_start_of_a_file_with_a_bom_keeps_it(tmp_path):
    p = project(tmp_path, BOM + CALC)
    rng = Range(Position(0, 0), Position(2, 0))
    reply = "```python\ndef add(a, b):\n    return a + b\n```\n"
    assert parse(task_for(p, rng=rng), reply).files == {"calc.py": BOM + FIXED}


def test_the_guard_reads_a_python_file_with_a_bom(tmp_path):
    # before, ast could not parse the text (U+FEFF): the first line's import was not seen
    # and a class's methods were not checked at all, so dropping one passed the guard
    text = (
        BOM
        + "import os\n\n\nclass Calc:\n    def add(self, a, b):\n        return a - b\n\n    def mul(self, a, b):\n        return a * b\n"
    )
    p = project(tmp_path, text)
    drop_import = "```python\n<<<<<<< SEARCH\nimport os\n\n\n=======\n>>>>>>> REPLACE\n```\n"
    with pytest.raises(ParseError, match="import os"):
        parse(task_for(p), drop_import)
    drop_method = (
        "```python\n<<<<<<< SEARCH\n    def mul(self, a, b):\n        return a * b\n"
        "=======\n>>>>>>> REPLACE\n```\n"
    )
    with pytest.raises(ParseError, match="Calc.mul"):
        parse(task_for(p), drop_method)


# ----------------------------------------------------------------------------- a selection's reply
# Each reply below was applied word for word before: a syntax error (counted against the
# model) or, for the tab-indented file, a block mixing tabs and spaces.
BODY = Range(Position(1, 0), Position(2, 0))  # "    return a - b\n"


def test_a_selection_reply_that_repeats_the_def_line_above_keeps_one(tmp_path):
    p = project(tmp_path, CALC)
    reply = "```python\ndef add(a, b):\n    return a + b\n```\n"
    assert parse(task_for(p, rng=BODY), reply).files == {"calc.py": FIXED}


def test_a_selection_reply_dedented_as_a_whole_is_indented_back(tmp_path):
    p = project(tmp_path, CALC)
    assert parse(task_for(p, rng=BODY), "```python\nreturn a + b\n```\n").files == {
        "calc.py": FIXED
    }


def test_a_method_body_answered_with_its_def_at_column_0(tmp_path):
    text = "class Calc:\n    def add(self, a, b):\n        x = a - b\n        return x\n"
    p = project(tmp_path, text)
    rng = Range(Position(2, 0), Position(4, 0))
    reply = "```python\ndef add(self, a, b):\n    x = a + b\n    return x\n```\n"
    assert parse(task_for(p, rng=rng), reply).files == {"calc.py": text.replace("a - b", "a + b")}


def test_a_selection_reply_in_spaces_for_a_tab_indented_file_gets_tabs(tmp_path):
    text = "def f(x):\n\tif x:\n\t\treturn 1\n\treturn 0\n"
    p = project(tmp_path, text)
    rng = Range(Position(1, 0), Position(3, 0))
    reply = "```python\n    if x > 0:\n        return 1\n```\n"
    assert parse(task_for(p, rng=rng), reply).files == {
        "calc.py": text.replace("if x:", "if x > 0:")
    }


def test_search_replace_in_spaces_for_a_tab_indented_file_gets_tabs(tmp_path):
    text = "def f(x):\n\ty = 2\n\tif x:\n\t\treturn 1\n\treturn 0\n"
    p = project(tmp_path, text)
    reply = (
        "```python\n<<<<<<< SEARCH\n    if x:\n        return 1\n=======\n"
        "    if x > 0:\n        return 1\n>>>>>>> REPLACE\n```\n"
    )
    assert parse(task_for(p), reply).files == {"calc.py": text.replace("if x:", "if x > 0:")}


def test_a_selection_inside_a_line_answered_with_the_whole_line(tmp_path):
    p = project(tmp_path, CALC)
    rng = Range(Position(1, 11), Position(1, 16))  # "a - b"
    assert parse(task_for(p, rng=rng), "```python\n    return a + b\n```\n").files == {
        "calc.py": FIXED
    }
    # the selected text alone, as asked, is applied as it is
    assert parse(task_for(p, rng=rng), "```python\na + b\n```\n").files == {"calc.py": FIXED}


def test_a_selection_reply_that_means_what_it_says_is_applied_as_it_is(tmp_path):
    # a new nested block, a deeper body, a call that starts like the line: left alone
    p = project(tmp_path, CALC)
    deeper = "```python\n    if a:\n        return a + b\n    return b\n```\n"
    assert parse(task_for(p, rng=BODY), deeper).files == {
        "calc.py": CALC.replace(
            "    return a - b\n", "    if a:\n        return a + b\n    return b\n"
        )
    }
    rng = Range(Position(1, 11), Position(1, 16))
    assert parse(task_for(p, rng=rng), "```python\nreturn_value(a, b)\n```\n").files == {
        "calc.py": CALC.replace("a - b", "return_value(a, b)", 1)
    }


def test_an_empty_reply_to_whole_selected_lines_removes_them_with_their_line_ends(tmp_path):
    # before: one blank line was left where the lines were (the reply's missing line end
    # was added back as for a reply that replaces whole lines)
    text = CALC + "\n\ndef neg(x):\n    return -x\n"
    p = project(tmp_path, text)
    mul = Range(Position(4, 0), Position(7, 0))  # def mul ... and the blank line after it
    for reply in ("```python\n```\n", "```python\n\n```\n"):
        e = parse(task_for(p, "Delete mul", mul), reply)
        assert e.files == {"calc.py": text.replace("def mul(a, b):\n    return a * b\n\n", "")}
    # in a CRLF file, and for a file's last lines
    crlf = text.replace("\n", "\r\n")
    p = project(tmp_path, crlf)
    e = parse(task_for(p, "Delete mul", mul), "```python\n```\n")
    assert e.files == {"calc.py": crlf.replace("def mul(a, b):\r\n    return a * b\r\n\r\n", "")}
    e = parse(task_for(p, "Delete neg", Range(Position(8, 0), Position(10, 0))), "```python\n```\n")
    assert e.files == {"calc.py": crlf.replace("def neg(x):\r\n    return -x\r\n", "")}


def test_an_empty_reply_to_part_of_a_line_removes_only_that_part(tmp_path):
    p = project(tmp_path, CALC)
    empty = "```python\n```\n"
    inside = Range(Position(1, 11), Position(1, 16))  # "a - b"
    assert parse(task_for(p, rng=inside), empty).files == {
        "calc.py": CALC.replace("return a - b", "return ")
    }
    # from the first non-blank character to the next line's start: the indentation stays
    body = Range(Position(1, 4), Position(2, 0))
    assert parse(task_for(p, rng=body), empty).files == {
        "calc.py": CALC.replace("    return a - b\n", "    \n")
    }
    # a line's text without its line end: the (now empty) line stays
    line = Range(Position(1, 0), Position(1, 16))
    assert parse(task_for(p, rng=line), empty).files == {
        "calc.py": CALC.replace("    return a - b\n", "\n")
    }


# ----------------------------------------------------------------------------- the prompt
def _prompt(p, rng):
    from acrouter.domain import PromptContext
    from acrouter.prompts import ChatPrompts

    messages = ChatPrompts().messages(task_for(p, "Fix add", rng), PromptContext())
    return "\n".join(m["content"] for m in messages)


def test_the_prompt_names_the_lines_a_selection_holds(tmp_path):
    # before: "Selected lines 2-3" for line 2 alone (the selection ends at line 3, column 1),
    # and "replaces the selected lines" for a part of a line, which invited the whole line
    p = project(tmp_path, CALC)
    assert "Selected lines 2-2 " in _prompt(p, BODY)
    part = _prompt(p, Range(Position(1, 11), Position(1, 16)))
    assert "a part of line 2" in part and "not the whole line" in part
    assert "the cursor is at line 5, column 1" in _prompt(p, cursor(4))


def test_a_whole_file_reply_for_an_empty_file_ends_with_a_newline(tmp_path):
    # before: the file was written without a final newline (an empty file has none to keep)
    p = project(tmp_path, "")
    assert parse(task_for(p, "Write add"), f"```python\n{SUB}```\n").files == {"calc.py": SUB}


# ----------------------------------------------------------------------------- a file in a sub-package
def _pkg_task(tmp_path, buffer: str = CALC):
    """pkg/calc.py in a workspace rooted at tmp_path, open with ``buffer`` (unsaved)."""
    (tmp_path / ".git").mkdir()
    (tmp_path / "pkg").mkdir()
    p = tmp_path / "pkg" / "calc.py"
    p.write_text(CALC)
    doc = Document(uri=p.as_uri(), path=str(p), text=buffer)
    return build_task(doc, "Fix add", folders=[tmp_path])


def test_a_diff_that_names_a_sub_package_file_by_its_name_alone_changes_it(tmp_path):
    # before: 'the diff changes calc.py, which does not exist' (unusable, counted against
    # the model), while a SEARCH/REPLACE block naming calc.py was read as pkg/calc.py
    reply = (
        "```diff\n--- a/calc.py\n+++ b/calc.py\n@@ -1,2 +1,2 @@\n def add(a, b):\n"
        "-    return a - b\n+    return a + b\n```\n"
    )
    assert parse(_pkg_task(tmp_path), reply).files == {"pkg/calc.py": FIXED}


def test_a_diff_creating_a_file_named_like_the_request_file_creates_it(tmp_path):
    reply = "```diff\n--- /dev/null\n+++ b/calc.py\n@@ -0,0 +1,2 @@\n" + "".join(
        "+" + line for line in SUB.splitlines(True)
    )
    assert parse(_pkg_task(tmp_path), reply + "```\n").files == {"calc.py": SUB}


def test_a_search_replace_path_with_backslashes_is_the_request_file_and_its_buffer(tmp_path):
    # before: the block's file was 'pkg\\calc.py', another name than the request's, so it
    # was read from disk: the unsaved buffer was ignored and the edit keyed by that name
    buffer = CALC.replace("def mul", "def mul2")
    reply = (
        "pkg\\calc.py\n```python\n<<<<<<< SEARCH\n    return a - b\n=======\n"
        "    return a + b\n>>>>>>> REPLACE\n```\n"
    )
    e = parse(_pkg_task(tmp_path, buffer), reply)
    assert e.files == {"pkg/calc.py": buffer.replace("a - b", "a + b")}


def test_a_selection_from_the_first_non_blank_character_answered_with_its_indentation(tmp_path):
    # before: the line's indentation was doubled ('        x = a + b', an unexpected indent)
    text = "def add(a, b):\n    x = a - b\n    return x\n"
    p = project(tmp_path, text)
    fixed = text.replace("a - b", "a + b")
    one = Range(Position(1, 4), Position(1, 13))
    assert parse(task_for(p, rng=one), "```python\n    x = a + b\n```\n").files == {
        "calc.py": fixed
    }
    two = Range(Position(1, 4), Position(2, 12))
    reply = "```python\n    x = a + b\n    return x\n```\n"
    assert parse(task_for(p, rng=two), reply).files == {"calc.py": fixed}
    # without it, as asked, the reply is applied as it is
    assert parse(task_for(p, rng=one), "```python\nx = a + b\n```\n").files == {"calc.py": fixed}


def test_code_inserted_on_an_empty_line_takes_that_line(tmp_path):
    # the empty line's own line end ends the code: no blank line is added
    p = project(tmp_path, CALC)
    e = parse(task_for(p, "Add sub", cursor(2)), f"```python\n{SUB}```\n")
    assert e.files["calc.py"] == CALC.replace("a - b\n\n\n", "a - b\n" + SUB + "\n", 1)


def test_a_js_body_answered_with_its_function_line_and_closing_brace(tmp_path):
    text = "function add(a, b) {\n  return a - b;\n}\n"
    p = project(tmp_path, text, "calc.js")
    rng = Range(Position(1, 0), Position(2, 0))
    reply = "```javascript\nfunction add(a, b) {\n  return a + b;\n}\n```\n"
    assert parse(task_for(p, rng=rng), reply).files == {"calc.js": text.replace("a - b", "a + b")}
    # with the closing brace selected, the reply's brace replaces it
    rng = Range(Position(1, 0), Position(3, 0))
    assert parse(task_for(p, rng=rng), reply).files == {"calc.js": text.replace("a - b", "a + b")}


def test_a_dedented_reply_at_the_end_of_a_block_may_move_the_code_out_of_it(tmp_path):
    # the last line of a loop answered at column 0 ("move it out of the loop"): left as is
    text = "for x in xs:\n    a()\n    b()\nc()\n"
    p = project(tmp_path, text)
    rng = Range(Position(2, 0), Position(3, 0))
    assert parse(task_for(p, "Move b out of the loop", rng), "```python\nb()\n```\n").files == {
        "calc.py": "for x in xs:\n    a()\nb()\nc()\n"
    }
    # ... but in the middle of the block it could not stand dedented
    rng = Range(Position(1, 0), Position(2, 0))
    assert parse(task_for(p, "Call a2", rng), "```python\na2()\n```\n").files == {
        "calc.py": text.replace("a()", "a2()")
    }


def test_a_part_of_the_first_line_of_a_file_with_a_bom_answered_with_the_whole_line(tmp_path):
    # before: the mark was taken for part of the line's text before the selection, so the
    # reply's copy of it did not match and 'def def plus(a, b):(a, b):' was written
    p = project(tmp_path, BOM + CALC)
    rng = Range(Position(0, 5), Position(0, 8))  # "add", after the mark
    assert parse(task_for(p, rng=rng), "```python\ndef plus(a, b):\n```\n").files == {
        "calc.py": BOM + CALC.replace("def add", "def plus")
    }


def test_a_path_led_by_the_workspace_folder_name_is_the_request_file(tmp_path):
    # as read before the tail rule: the workspace folder's name before the request's path
    reply = (
        f"{tmp_path.name}/pkg/calc.py\n```python\n<<<<<<< SEARCH\n    return a - b\n=======\n"
        "    return a + b\n>>>>>>> REPLACE\n```\n"
    )
    assert parse(_pkg_task(tmp_path), reply).files == {"pkg/calc.py": FIXED}


def _monorepo_task(tmp_path):
    """``packages/calc`` of a monorepo opened as the workspace, its ``src/calc/ops.py``
    the request's file and ``src/calc/util.py`` another."""
    root = tmp_path / "repo" / "packages" / "calc"
    (root / "src" / "calc").mkdir(parents=True)
    (root / ".git").mkdir()
    (root / "src" / "calc" / "ops.py").write_text(CALC)
    (root / "src" / "calc" / "util.py").write_text("def double(x):\n    return x * 2\n")
    p = root / "src" / "calc" / "ops.py"
    doc = Document(uri=p.as_uri(), path=str(p), text=CALC)
    return build_task(doc, "Fix add", folders=[root])


def _block(path: str, search: str, replace: str) -> str:
    return (
        f"{path}\n```python\n<<<<<<< SEARCH\n{search}\n=======\n{replace}\n>>>>>>> REPLACE\n```\n"
    )


def test_paths_led_by_the_end_of_the_workspace_s_own_path_name_its_files(tmp_path):
    # a model that read the monorepo's paths: before, 'block 1 (packages/calc/src/calc/
    # ops.py): the SEARCH text does not match the file', for each model in turn
    reply = _block("packages/calc/src/calc/ops.py", "    return a - b", "    return a + b")
    reply += _block("repo/packages/calc/src/calc/util.py", "    return x * 2", "    return 2 * x")
    e = parse(_monorepo_task(tmp_path), reply)
    assert e.files == {
        "src/calc/ops.py": FIXED,
        "src/calc/util.py": "def double(x):\n    return 2 * x\n",
    }
    # a file of another package is not the workspace's: named as it is, and missing
    other = _block("packages/other/src/calc/util.py", "    return x * 2", "    return 2 * x")
    with pytest.raises(ParseError) as caught:
        parse(_monorepo_task(tmp_path / "again"), other)
    assert str(caught.value) == (
        "block 1 (packages/other/src/calc/util.py): no such file in the workspace (paths "
        "are relative to its folder, calc/; an empty SEARCH part creates a new file)"
    )
    # an empty SEARCH part makes a new file where it says, even one whose path, less
    # the workspace's name, is a file of the workspace (not added at that file's end)
    new = _block("notes/new.py", "", "x = 1") + _block("calc/src/calc/util.py", "", "y = 2")
    assert parse(_monorepo_task(tmp_path / "third"), new).files == {
        "notes/new.py": "x = 1\n",
        "calc/src/calc/util.py": "y = 2\n",
    }


# ----------------------------------------------------------------------------- a path comment
@pytest.mark.parametrize(
    "head",
    ["# calc.py", "# File: calc.py", "#calc.py", "# ./calc.py", "// calc.py"],
)
def test_a_whole_file_block_headed_by_a_comment_naming_the_file_drops_it(tmp_path, head):
    # seen with `acrouter complete` against the fake server: "+# calc.py" at the top of the
    # offered edit, a stray comment nobody asked for
    p = project(tmp_path, CALC)
    e = parse(task_for(p), f"```python\n{head}\n{FIXED}```\n")
    assert e.files == {"calc.py": FIXED}


def test_a_selection_block_headed_by_a_comment_naming_the_file_drops_it(tmp_path):
    p = project(tmp_path, CALC)
    rng = Range(Position(0, 0), Position(2, 0))
    reply = "```python\n# calc.py\ndef add(a, b):\n    return a + b\n```\n"
    assert parse(task_for(p, rng=rng), reply).files == {"calc.py": FIXED}


def test_a_path_comment_in_a_subfolder_file_is_dropped_by_name_or_path(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "pkg").mkdir()
    f = tmp_path / "pkg" / "calc.py"
    f.write_text(CALC)
    doc = Document(uri=f.as_uri(), path=str(f), text=CALC)
    for head in ("# calc.py", "# pkg/calc.py"):
        e = parse(
            build_task(doc, "Fix add", folders=[tmp_path]), f"```python\n{head}\n{FIXED}```\n"
        )
        assert e.files == {"pkg/calc.py": FIXED}


@pytest.mark.parametrize(
    ("original", "reply_code"),
    [
        # the file itself starts with that comment: it stays
        ("# calc.py\n" + CALC, "# calc.py\n" + FIXED),
        # a comment naming another file is the model's own
        (CALC, "# see util.py\n" + FIXED),
        (CALC, "# util.py\n" + FIXED),
    ],
)
def test_a_comment_that_is_not_a_stray_path_header_stays(tmp_path, original, reply_code):
    p = project(tmp_path, original)
    assert parse(task_for(p), f"```python\n{reply_code}```\n").files == {"calc.py": reply_code}


def test_a_block_holding_only_a_path_comment_is_not_emptied(tmp_path):
    # an empty block deletes the selection: a lone comment line must not become one
    p = project(tmp_path, CALC)
    rng = Range(Position(1, 0), Position(2, 0))
    e = parse(task_for(p, rng=rng), "```python\n# calc.py\n```\n")
    assert e.files == {"calc.py": CALC.replace("    return a - b\n", "    # calc.py\n")}


# ----------------------------------------------------------------------------- several blocks
USAGE = "from calc import add\n\nprint(add(2, 3))  # 5\n"
TEST = "def test_add():\n    assert add(2, 3) == 5\n"


@pytest.mark.parametrize("tag", ["python", ""])
def test_a_whole_file_followed_by_a_usage_block_is_the_whole_file(tmp_path, tag):
    # a reply shape models often give; it was unusable ("the reply holds 2 code blocks")
    p = project(tmp_path, CALC)
    reply = f"Fixed:\n```{tag}\n{FIXED}```\nUsage:\n```{tag}\n{USAGE}```\n"
    assert parse(task_for(p), reply).files == {"calc.py": FIXED}


def test_a_selection_answered_with_the_code_and_then_a_test_takes_the_code(tmp_path):
    p = project(tmp_path, CALC)
    rng = Range(Position(0, 0), Position(2, 0))
    code = "def add(a, b):\n    return a + b\n"
    reply = f"```python\n{code}```\nA test:\n```python\n{TEST}```\n"
    assert parse(task_for(p, rng=rng), reply).files == {"calc.py": FIXED}


@pytest.mark.parametrize(
    "reply",
    [
        # "before" and "after": both look like the file, so neither is guessed
        f"Before:\n```python\n{CALC}```\nAfter:\n```python\n{FIXED}```\n",
        # the file unchanged, then an example: the unchanged one is no edit
        f"```python\n{CALC}```\nUsage:\n```python\n{USAGE}```\n",
        # two pieces for two places, neither the file rewritten
        "```python\nimport math\n```\nand\n```python\ndef neg(x):\n    return -x\n```\n",
    ],
)
def test_several_blocks_none_of_which_is_plainly_the_edit_stay_unusable(tmp_path, reply):
    p = project(tmp_path, CALC)
    with pytest.raises(ParseError, match="2 code blocks; expected one"):
        parse(task_for(p), reply)
