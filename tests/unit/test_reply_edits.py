"""Reading a reply into an edit: a reply in several ```diff blocks is applied whole (or
refused whole), and a file with CRLF line ends keeps them whatever the reply's format."""

from __future__ import annotations

from pathlib import Path

import pytest
from acrouter.context import build_task
from acrouter.domain import Completion, Document, Position, PromptContext, Range
from acrouter.errors import ParseError
from acrouter.prompts import ChatPrompts

CALC = (
    "import math\n\n\ndef add(a, b):\n    return a - b\n\n\n"
    "def mul(a, b):\n    return a * b\n\n\ndef area(r):\n    return math.pi * r * r\n"
)
UTIL = "def one():\n    return 1\n"


def project(tmp_path: Path, text: str = CALC, name: str = "calc.py") -> Path:
    (tmp_path / ".git").mkdir(exist_ok=True)
    p = tmp_path / name
    p.write_bytes(text.encode())
    return p


def task_for(path: Path, instruction: str = "Fix the bug in add", rng: Range | None = None):
    d = Document(uri=path.as_uri(), path=str(path), text=path.read_bytes().decode(), range=rng)
    return build_task(d, instruction, folders=[path.parent])


def parse(task, reply: str):
    return ChatPrompts().parse(task, Completion("m", reply), PromptContext())


def diff(path: str, hunk: str) -> str:
    return f"```diff\n--- a/{path}\n+++ b/{path}\n{hunk}```\n"


ADD = "@@ -4,2 +4,2 @@\n def add(a, b):\n-    return a - b\n+    return a + b\n"
MUL = "@@ -8,2 +8,2 @@\n def mul(a, b):\n-    return a * b\n+    return b * a\n"
ONE = "@@ -1,2 +1,2 @@\n def one():\n-    return 1\n+    return 1.0\n"


# ----------------------------------------------------------------------------- several diff blocks
def test_a_diff_in_one_block_per_file_changes_both_files(tmp_path):
    p = project(tmp_path)
    project(tmp_path, UTIL, "util.py")
    reply = "calc.py:\n" + diff("calc.py", ADD) + "\nand util.py:\n" + diff("util.py", ONE)
    e = parse(task_for(p), reply)
    assert e.files == {
        "calc.py": CALC.replace("a - b", "a + b"),
        "util.py": UTIL.replace("return 1", "return 1.0"),
    }
    assert e.bases == {"calc.py": CALC, "util.py": UTIL}


def test_a_later_block_applies_on_top_of_an_earlier_one_for_the_same_file(tmp_path):
    p = project(tmp_path)
    # the second block's line numbers and context are those of the text the first made
    grow = "@@ -4,2 +4,3 @@\n def add(a, b):\n+    # sum\n-    return a - b\n+    return a + b\n"
    after = "@@ -9,2 +9,2 @@\n def mul(a, b):\n-    return a * b\n+    return b * a\n"
    e = parse(task_for(p), diff("calc.py", grow) + "Then:\n" + diff("calc.py", after))
    assert e.files == {
        "calc.py": CALC.replace("    return a - b", "    # sum\n    return a + b").replace(
            "a * b", "b * a"
        )
    }
    assert e.bases == {"calc.py": CALC}  # as read, before any block
    # a block numbered against the file as it was (models often do) still finds its lines
    assert parse(task_for(p), diff("calc.py", grow) + diff("calc.py", MUL)).files == e.files


def test_a_diff_block_that_does_not_apply_makes_the_reply_unusable(tmp_path):
    p = project(tmp_path)
    project(tmp_path, UTIL, "util.py")
    stale = "@@ -1,2 +1,2 @@\n def one():\n-    return 7\n+    return 8\n"
    with pytest.raises(ParseError, match=r"diff block 2 .*does not apply"):
        parse(task_for(p), diff("calc.py", ADD) + "\n" + diff("util.py", stale))


def test_the_guard_sees_what_all_diff_blocks_make(tmp_path):
    p = project(tmp_path)
    drop = "@@ -7,5 +7,2 @@\n \n-def mul(a, b):\n-    return a * b\n-\n \n"
    with pytest.raises(ParseError, match="mul"):
        parse(task_for(p), diff("calc.py", ADD) + "\n" + diff("calc.py", drop))


def test_a_diff_block_repeated_word_for_word_is_applied_once(tmp_path):
    p = project(tmp_path)
    add_import = "@@ -1,1 +1,2 @@\n import math\n+import os\n"
    block = diff("calc.py", add_import)
    e = parse(task_for(p), block + "\nSo the final diff is:\n" + block)
    assert e.files["calc.py"] == CALC.replace("import math\n", "import math\nimport os\n")


# ----------------------------------------------------------------------------- diffs in other shapes
FIXED_CALC = CALC.replace("a - b", "a + b")


def test_a_diff_block_of_hunks_without_file_headers_changes_the_request_file(tmp_path):
    # was unusable: "malformed diff: a hunk without '---'/'+++' file headers"
    p = project(tmp_path)
    assert parse(task_for(p), f"```diff\n{ADD}```\n").files == {"calc.py": FIXED_CALC}


@pytest.mark.parametrize("tag", ["", "python"])
def test_a_diff_in_a_block_not_tagged_diff_is_read_as_a_diff(tmp_path, tag):
    # was the whole file replaced by the diff's text (refused here by the guard only
    # because calc.py defines functions)
    p = project(tmp_path)
    reply = diff("calc.py", ADD).replace("```diff", f"```{tag}")
    assert parse(task_for(p), reply).files == {"calc.py": FIXED_CALC}


def test_a_diff_in_an_untagged_block_is_not_written_into_a_file_with_no_definitions(tmp_path):
    # the hazard: no guard sees a Markdown file lose its text to the diff's lines
    notes = "# Notes\n\nadd subtracts\n"
    p = project(tmp_path, notes, "notes.md")
    hunk = "@@ -3 +3 @@\n-add subtracts\n+add adds\n"
    reply = diff("notes.md", hunk).replace("```diff", "```")
    assert parse(task_for(p), reply).files == {"notes.md": "# Notes\n\nadd adds\n"}


def test_a_patch_file_answered_whole_stays_a_whole_file(tmp_path):
    old = "--- a/x.py\n+++ b/x.py\n@@ -1 +1 @@\n-a\n+b\n"
    p = project(tmp_path, old, "fix.patch")
    new = old.replace("+b", "+c")
    assert parse(task_for(p, "Make it c"), f"```\n{new}```\n").files == {"fix.patch": new}


def test_a_diff_without_a_fence_between_prose_is_applied(tmp_path):
    p = project(tmp_path)
    body = diff("calc.py", ADD).removeprefix("```diff\n").removesuffix("```\n")
    reply = f"Here is the fix:\n\n{body}\nThat makes add add.\n"
    assert parse(task_for(p), reply).files == {"calc.py": FIXED_CALC}


def test_two_diffs_without_fences_are_both_applied_or_neither(tmp_path):
    p = project(tmp_path)
    project(tmp_path, UTIL, "util.py")
    calc = diff("calc.py", ADD).removeprefix("```diff\n").removesuffix("```\n")
    util = diff("util.py", ONE).removeprefix("```diff\n").removesuffix("```\n")
    git = "diff --git a/util.py b/util.py\nindex 1111111..2222222 100644\n"
    e = parse(task_for(p), f"First:\n{calc}\nThen:\n{git}{util}")
    assert e.files == {"calc.py": FIXED_CALC, "util.py": UTIL.replace("return 1", "return 1.0")}
    stale = util.replace("return 1\n+", "return 7\n+")
    with pytest.raises(ParseError, match=r"diff block 2 .*does not apply"):
        parse(task_for(p), f"First:\n{calc}\nThen:\n{stale}")


def test_a_diff_without_a_fence_followed_by_a_bullet_list_is_not_misread(tmp_path):
    # "- Changed add" reads as a removed line: the hunk no longer matches the file, so
    # the reply is unusable rather than applied in some other way
    p = project(tmp_path)
    body = diff("calc.py", ADD.replace("@@ -4,2 +4,2 @@", "@@")).removeprefix("```diff\n")
    reply = "Fix:\n" + body.removesuffix("```\n") + "- Changed add to add\n"
    with pytest.raises(ParseError, match="does not apply"):
        parse(task_for(p), reply)


# ----------------------------------------------------------------------------- CRLF files
def crlf(text: str) -> str:
    return text.replace("\n", "\r\n")


def test_a_whole_file_reply_for_a_crlf_file_keeps_crlf(tmp_path):
    p = project(tmp_path, crlf(CALC))
    fixed = CALC.replace("a - b", "a + b")
    e = parse(task_for(p), f"```python\n{fixed}```")
    assert e.files == {"calc.py": crlf(fixed)}
    assert e.replacement == crlf(fixed).removesuffix("\r\n")
    # a reply with mixed line ends is normalised to the file's own
    mixed = fixed.replace("    return a + b\n", "    return a + b\r\n")
    assert parse(task_for(p), f"```python\n{mixed}```").files == {"calc.py": crlf(fixed)}


def test_a_selection_reply_in_a_crlf_file_keeps_crlf(tmp_path):
    p = project(tmp_path, crlf(CALC))
    rng = Range(Position(3, 0), Position(5, 0))  # def add ... return a - b, line end included
    e = parse(task_for(p, "Rewrite this", rng), "```python\ndef add(a, b):\n    return a + b\n```")
    assert e.files == {"calc.py": crlf(CALC.replace("a - b", "a + b"))}
    assert e.replacement == "def add(a, b):\r\n    return a + b\r\n"


def test_search_replace_in_a_crlf_file_keeps_crlf(tmp_path):
    p = project(tmp_path, crlf(CALC))
    reply = (
        "calc.py\n```python\n<<<<<<< SEARCH\n    return a - b\n=======\n"
        "    # sum\n    return a + b\n>>>>>>> REPLACE\n```\n"
    )
    e = parse(task_for(p), reply)
    assert e.files == {
        "calc.py": crlf(CALC.replace("    return a - b", "    # sum\n    return a + b"))
    }


def test_a_diff_in_a_crlf_file_keeps_crlf(tmp_path):
    p = project(tmp_path, crlf(CALC))
    e = parse(task_for(p), diff("calc.py", ADD + MUL))
    assert e.files == {"calc.py": crlf(CALC.replace("a - b", "a + b").replace("a * b", "b * a"))}


def test_the_line_end_is_the_one_most_of_the_file_uses(tmp_path):
    """A file that is LF but for one stray CRLF line stays LF where the edit writes, in
    every format; the stray line is left as it was."""
    text = CALC.replace("import math\n", "import math\r\n")
    fixed = text.replace("a - b", "a + b")
    p = project(tmp_path, text)
    sr = "```python\n<<<<<<< SEARCH\n    return a - b\n=======\n    return a + b\n>>>>>>> REPLACE\n```\n"
    whole = f"```python\n{CALC.replace('a - b', 'a + b')}```"
    for reply, want in (
        (sr, fixed),
        (diff("calc.py", ADD), fixed),
        (whole, CALC.replace("a - b", "a + b")),
    ):
        assert parse(task_for(p), reply).files == {"calc.py": want}


# ----------------------------------------------------------------------------- lines as the editor counts them
# A form feed line (a page break, as in CPython's own modules) and a U+2028 in a comment:
# the editor (LSP) ends lines only at CRLF, LF or CR; str.splitlines also splits at these.
PAGED = (
    "import os\n\x0c\ndef first():\n    return 1\n\n\ndef second():\n    # a\u2028b\n    return 2\n"
)


def test_a_selection_after_a_form_feed_replaces_the_selected_lines(tmp_path):
    p = project(tmp_path, PAGED, "paged.py")
    rng = Range(Position(6, 0), Position(9, 0))  # def second ... return 2, as the editor counts
    e = parse(task_for(p, "Rewrite this", rng), "```python\ndef second():\n    return 3\n```")
    assert e.files == {"paged.py": PAGED.replace("    # a\u2028b\n    return 2", "    return 3")}


def test_a_whole_file_reply_keeps_form_feeds_and_line_separators(tmp_path):
    p = project(tmp_path, PAGED, "paged.py")
    new = PAGED.replace("return 1", "return 10")
    assert parse(task_for(p, "Fix first"), f"```python\n{new}```").files == {"paged.py": new}


def test_search_replace_keeps_form_feeds_and_line_separators(tmp_path):
    p = project(tmp_path, PAGED, "paged.py")
    reply = (
        "paged.py\n```python\n<<<<<<< SEARCH\n\x0c\ndef first():\n    return 1\n=======\n"
        "\x0c\ndef first():\n    return 10\n>>>>>>> REPLACE\n```\n"
        "paged.py\n```python\n<<<<<<< SEARCH\n    # a\u2028b\n=======\n    # a\u2028c\n"
        ">>>>>>> REPLACE\n```\n"
    )
    new = PAGED.replace("return 1\n", "return 10\n").replace("a\u2028b", "a\u2028c")
    assert parse(task_for(p, "Fix first"), reply).files == {"paged.py": new}


def test_a_diff_with_numberless_hunks_keeps_form_feeds_crlf_and_the_bom(tmp_path):
    # the line after a form feed, in a CRLF file that starts with a byte-order mark
    text = "\ufeff" + crlf(PAGED)
    p = project(tmp_path, text, "paged.py")
    hunk = "@@ def first(): @@\n \x0c\n def first():\n-    return 1\n+    return 10\n"
    e = parse(task_for(p, "Fix first"), diff("paged.py", hunk))
    assert e.files == {"paged.py": text.replace("return 1\r\n", "return 10\r\n")}


# ----------------------------------------------------------------------------- hunks without line numbers
# "@@", "@@ ... @@" and "@@ def f(): @@" headers, as models often write them, were refused
# ("bad hunk header", counted against the model); such a hunk now goes where its context
# and removed lines match exactly one place after the previous hunk, or the reply is unusable.
def test_a_diff_whose_hunks_have_no_line_numbers_is_applied(tmp_path):
    p = project(tmp_path)
    project(tmp_path, UTIL, "util.py")
    add = "@@ def add(a, b): @@\n def add(a, b):\n-    return a - b\n+    return a + b\n"
    mul = "@@ ... @@\n def mul(a, b):\n-    return a * b\n+    return b * a\n"
    reply = (
        diff("calc.py", add + mul)
        + "\nand\n"
        + diff("util.py", "@@\n-    return 1\n+    return 1.0\n")
    )
    e = parse(task_for(p), reply)
    assert e.files == {
        "calc.py": CALC.replace("a - b", "a + b").replace("a * b", "b * a"),
        "util.py": UTIL.replace("return 1", "return 1.0"),
    }
    assert e.bases == {"calc.py": CALC, "util.py": UTIL}
    # in a CRLF file too
    (tmp_path / "w").mkdir()
    q = project(tmp_path / "w", crlf(CALC))
    assert parse(task_for(q), diff("calc.py", add)).files == {
        "calc.py": crlf(CALC.replace("a - b", "a + b"))
    }


def test_a_numberless_hunk_matching_several_places_or_none_makes_the_reply_unusable(tmp_path):
    p = project(tmp_path)
    # the two blank lines before each def: three places
    with pytest.raises(
        ParseError, match=r"the diff does not apply: hunk 1 of calc\.py .*match 3 places"
    ):
        parse(task_for(p), diff("calc.py", "@@\n \n \n+# section\n"))
    stale = "@@\n def add(a, b):\n-    return a + b\n+    return a - b\n"
    with pytest.raises(
        ParseError, match=r"diff block 2 of 2 does not apply: hunk 1 of calc\.py .*not found"
    ):
        parse(task_for(p), diff("calc.py", MUL) + "\n" + diff("calc.py", stale))
