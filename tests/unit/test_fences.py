"""Fenced blocks in replies whose code itself holds ``` lines (a correct reply must not
be cut at them and then blamed for "dropping" the rest of the file)."""

from __future__ import annotations

from pathlib import Path

import pytest
from acrouter.context import build_task
from acrouter.domain import Completion, Document, Position, PromptContext, Range
from acrouter.errors import ParseError
from acrouter.prompts import ChatPrompts
from acrouter.prompts.fences import blocks_for, fence_for, find_blocks

# Like humanize's number.py: Markdown examples in docstrings, the fences indented.
NUMBER = '''\
"""Humanizing functions for numbers."""

from __future__ import annotations


def ordinal(value: int) -> str:
    """Converts an integer to its ordinal as a string.

    Examples:
        ```pycon
        >>> ordinal(1)
        '1st'
        ```
    """
    suffix = ("th", "st", "nd", "rd") + ("th",) * 6
    if value % 100 in (11, 12, 13):
        return f"{value}th"
    return f"{value}{suffix[value % 10]}"


def intcomma(value: int) -> str:
    """Converts an integer to a string containing commas every three digits.

    Examples:
        ```pycon
        >>> intcomma(1000)
        '1,000'
        ```
    """
    return f"{value:,}"


def scientific(value: float) -> str:
    return f"{value:.2e}"
'''

# Markdown examples at column 0 (a module docstring): these ``` lines look like fences.
README_MOD = '''\
"""Tiny templating.

Usage:

```python
>>> render("hi {name}", name="x")
'hi x'
```

Escape braces with ``{{``:

```
{{literal}}
```
"""


def render(template: str, **values: str) -> str:
    return template.format(**values)


def names(template: str) -> list[str]:
    return [p.split("}")[0] for p in template.split("{")[1:]]
'''


def _task(tmp_path: Path, text: str, name: str, rng: Range | None = None):
    (tmp_path / ".git").mkdir(exist_ok=True)
    path = tmp_path / name
    path.write_text(text)
    doc = Document(uri=path.as_uri(), path=str(path), text=text, range=rng)
    return build_task(doc, "Fix the bug", folders=[tmp_path])


def _parse(task, reply: str):
    return ChatPrompts().parse(task, Completion("m", reply), PromptContext())


# ----------------------------------------------------------------------------- whole path
def test_whole_file_reply_whose_docstrings_hold_fences_is_read_whole(tmp_path):
    """The false fail: the old parser ended the block at the first docstring ``` and
    rejected a correct reply as 'would delete 2 definition(s)'."""
    t = _task(tmp_path, NUMBER.replace("{value:,}", "{value}"), "number.py")
    reply = f"Here is the fixed file:\n\n```python\n{NUMBER}```\n\nThis restores the commas."
    assert _parse(t, reply).files == {"number.py": NUMBER}


def test_whole_file_reply_in_a_longer_fence_may_hold_fence_lines(tmp_path):
    fixed = README_MOD.replace('split("}")[0]', 'split("}")[0].strip()')
    t = _task(tmp_path, README_MOD, "tmpl.py")
    assert _parse(t, f"````python\n{fixed}````\n").files == {"tmpl.py": fixed}


def test_fence_lines_at_column_0_not_lengthened_by_the_model(tmp_path):
    """The model kept ``` although the file holds ``` lines: the plain reading splits the
    reply at them, and what lies between the pieces is the file's own code."""
    fixed = README_MOD.replace('split("}")[0]', 'split("}")[0].strip()')
    t = _task(tmp_path, README_MOD, "tmpl.py")
    assert _parse(t, f"Fixed:\n\n```python\n{fixed}```\n\nDone.\n").files == {"tmpl.py": fixed}


def test_diff_that_adds_and_keeps_fence_lines_applies_whole(tmp_path):
    doc = "# Notes\n\n```\nold\n```\n"
    t = _task(tmp_path, doc, "notes.md")
    diff = (
        "--- a/notes.md\n+++ b/notes.md\n@@ -1,5 +1,8 @@\n # Notes\n \n ```\n old\n ```\n"
        "+\n+```sh\n+make\n"
    )
    # The added "+```sh" line never ended a block; the context " ```" lines did, once:
    # the whole diff applied, the "```sh" it opens (line 7) is left open, and the guard
    # refuses a document whose rest would render as code
    with pytest.raises(ParseError, match="code fence opened on line 7 is never closed"):
        _parse(t, f"```diff\n{diff}```\n")
    diff_end = diff.replace("+make\n", "+make\n+```\n").replace("+1,8", "+1,9")
    e = _parse(t, f"````diff\n{diff_end}````\n")
    assert e.files == {"notes.md": doc + "\n```sh\nmake\n```\n"}


def test_a_numberless_diff_whose_context_holds_fence_lines_applies_whole(tmp_path):
    # before: the context " ```" line ended the block, and only the change above it was
    # applied (the rest of the hunk was dropped without a word); a numberless hunk has no
    # counts to tell that the fence line lies inside it, but its form and the diff lines
    # after it do
    doc = "# Notes\n\n```\nold\n```\n\nEnd.\n"
    t = _task(tmp_path, doc, "notes.md")
    diff = (
        "--- a/notes.md\n+++ b/notes.md\n@@\n-# Notes\n+# Notes!\n \n ```\n-old\n+new\n ```\n"
        " \n-End.\n+The end.\n"
    )
    e = _parse(t, f"```diff\n{diff}```\n- then run the tests\n")
    assert e.files == {"notes.md": "# Notes!\n\n```\nnew\n```\n\nThe end.\n"}
    # a list after a numberless diff closed at column 0 is prose, not more of the diff
    reply = "```diff\n@@\n-a\n+b\n```\n- changed a\n```\nout\n```"
    assert [b.code for b in blocks_for(reply, "python", "a\n")] == ["@@\n-a\n+b\n", "out\n"]


def test_a_numberless_hunk_cut_at_a_fence_line_without_its_space_is_not_applied(tmp_path):
    # before: the context "```" line, its leading space lost, ended the block; the change
    # above it was applied and the rest of the hunk read as prose: a diff applied in part
    # (here "old" would stay), which tests that do not read the notes would verify
    doc = "# Notes\n\n```\nold\n```\n\nEnd.\n"
    t = _task(tmp_path, doc, "notes.md")
    head = "--- a/notes.md\n+++ b/notes.md\n@@\n-# Notes\n+# Notes!\n \n"
    for after in ("-old\n+new\n ```\n", "+new\n", " End.\n"):
        with pytest.raises(ParseError, match="not applied in part"):
            _parse(t, f"```diff\n{head}```\n{after}```\n")
    # prose after the block is not more of the hunk: a list item, a sentence, a blank
    for after in ("- then run the tests\n", "Done.\n", "\n- old notes are gone\n"):
        e = _parse(t, f"```diff\n{head}```\n{after}")
        assert e.files == {"notes.md": doc.replace("# Notes", "# Notes!")}
    # a hunk with line numbers says by its counts where it ends: that one is not refused
    numbered = head.replace("@@\n", "@@ -1,2 +1,2 @@\n")
    e = _parse(t, f"```diff\n{numbered}```\n-old is gone\n")
    assert e.files == {"notes.md": doc.replace("# Notes", "# Notes!")}


def test_selection_reply_whose_code_holds_a_fence_line(tmp_path):
    t = _task(tmp_path, NUMBER, "number.py", Range(Position(32, 0), Position(34, 0)))
    new = 'def scientific(value: float) -> str:\n    """```pycon\n>>> scientific(1)\n```"""\n    return f"{value:.3e}"\n'
    e = _parse(t, f"````python\n{new}````")
    assert e.files["number.py"] == NUMBER.replace(
        'def scientific(value: float) -> str:\n    return f"{value:.2e}"\n', new
    )


def test_search_replace_blocks_holding_fence_lines_are_unaffected(tmp_path):
    """SEARCH/REPLACE blocks are read between their markers; fence lines inside are code."""
    t = _task(tmp_path, README_MOD, "tmpl.py")
    reply = (
        "tmpl.py\n```python\n<<<<<<< SEARCH\n```\n{{literal}}\n```\n=======\n"
        "```\n{{literal}} and }}\n```\n>>>>>>> REPLACE\n```\n"
    )
    e = _parse(t, reply)
    assert e.files == {"tmpl.py": README_MOD.replace("{{literal}}\n", "{{literal}} and }}\n")}


def test_a_reply_cut_short_inside_its_block_is_unusable(tmp_path):
    t = _task(tmp_path, NUMBER, "number.py")
    cut = NUMBER[: NUMBER.index("def scientific")] + 'def scientific(value):\n    return f"{va'
    with pytest.raises(ParseError, match="never closed"):
        _parse(t, f"```python\n{cut}")


def test_closing_fence_on_the_last_code_line_still_closes(tmp_path):
    t = _task(tmp_path, "def f():\n    return 1\n", "f.py")
    assert _parse(t, "```python\ndef f():\n    return 2```\nDone.").files == {
        "f.py": "def f():\n    return 2\n"
    }


# ----------------------------------------------------------------------------- separate blocks
def test_two_separate_blocks_stay_separate(tmp_path):
    reply = (
        "```python\ndef f():\n    return 2\n```\n\nThen run the tests:\n\n```bash\npytest -q\n```\n"
    )
    blocks = blocks_for(reply, "python", "def f():\n    return 1\n")
    assert [(b.tag, b.code) for b in blocks] == [
        ("python", "def f():\n    return 2\n"),
        ("bash", "pytest -q\n"),
    ]
    t = _task(tmp_path, "def f():\n    return 1\n", "f.py")
    assert _parse(t, reply).files == {"f.py": "def f():\n    return 2\n"}


def test_prose_between_blocks_keeps_them_apart_even_untagged_and_fenced_files():
    """Even for a file that holds ``` lines, an untagged second block after prose is
    a block of its own."""
    reply = "```python\nx = 1\n```\n\nExample output:\n\n```\n1\n```\n"
    blocks = blocks_for(reply, "python", README_MOD)
    assert [b.code for b in blocks] == ["x = 1\n", "1\n"]
    # Other language than the task's: never merged either.
    reply2 = "```js\nrender()\n```\n\n```\nrender()\n```\n"
    assert len(blocks_for(reply2, "python", "render()\n")) == 2


def test_block_runs_on_over_the_files_own_fences_but_not_over_prose():
    original = "x = 1\n```\ny = 2\n```\nz = 3\n"
    reply = f"```python\n{original}```\nRun:\n```bash\npytest\n```\n"
    assert [(b.tag, b.code) for b in blocks_for(reply, "python", original)] == [
        ("python", original),
        ("bash", "pytest\n"),
    ]
    # Blocks separated by blank lines only, then prose: nothing says they are one.
    reply = "```python\nx = 1\n```\n\n```python\ny = 2\n```\nRun:\n```\nz\n```"
    assert [b.code for b in blocks_for(reply, "python", original)] == ["x = 1\n", "y = 2\n", "z\n"]


def test_diff_block_runs_on_only_inside_a_hunk():
    # A list after a headerless diff is prose, not diff lines.
    reply = "```diff\n-a\n+b\n```\n- changed a\n```\nout\n```"
    assert [b.code for b in blocks_for(reply, "python", "a\n")] == ["-a\n+b\n", "out\n"]


def test_commonmark_fences():
    reply = "~~~~md\n```\n~~~\n~~~~\n  ```py\n  a\n   b\n  ```\n```x`y\n"
    blocks = find_blocks(reply)
    assert [(b.tag, b.code, b.closed) for b in blocks] == [
        ("md", "```\n~~~\n", True),
        ("py", "a\n b\n", True),
    ]


def test_prompt_fences_files_holding_fences_with_more_backticks(tmp_path):
    t = _task(tmp_path, README_MOD, "tmpl.py")
    user = ChatPrompts().messages(t)[1]["content"]
    assert f"````python\n{README_MOD}````" in user
    assert "tmpl.py\n````python\n<<<<<<< SEARCH" in user and "(````)" in user
    assert fence_for("a ```` b") == "`````" and fence_for("plain") == "```"
