"""An edit of a Markdown, reStructuredText or AsciiDoc file that drops a section nobody
asked to remove is refused, as a dropped function is: no test reads the docs.

Before, a document's edit was judged by the tests alone (and the guard's line patterns
for other languages read its prose: a paragraph starting "class that ..." was a class
"that").  An edit asked to fix a typo in ``README.md`` that also dropped its "Security"
section passed ``acrouter verify`` on a pytest project ("pass: 1 passed, 0 failed").
A section retitled, a heading taken off with its text kept, a moved section, one the
instruction names beside a removal word, one in the selection, and any when the
instruction asks for a shorter document are no loss."""

from __future__ import annotations

from pathlib import Path

import pytest
from acrouter.definitions import definitions, dropped_definitions, guard
from acrouter.docdefinitions import doc_format, doc_sections, normal
from acrouter.domain import Edit
from acrouter.errors import ParseError
from acrouter.verifier.cli import verify_edit

from .helpers import OVERLAY_AND_NONE, PYTEST, verifier, write_tree

README = """\
---
title: calc
---
# calc

A tiny calculator. Teh package adds numbers.

## Install

Run `pip install calc`.

```sh
# not a heading: a comment in a shell block
pip install calc
```

## Security

Report vulnerabilities to security@example.com. Do not open public issues.

Usage
-----

    # an indented code block: not a heading
    calc.add(1, 2)

<!--
## Not a heading either
-->

## License

MIT, see LICENSE.
"""

RST = """\
=====
shapes
=====

Areas and perimeters.

Install
=======

``pip install shapes``

.. code-block:: python

   Not a title
   -----------

Security
--------

Report vulnerabilities to security@example.com.

Changes
-------

1.0: the first release.
"""

ADOC = """\
= shapes

== Install

Run the installer.

----
== not a heading: a listing block
----

== Security

Report vulnerabilities to security@example.com.
"""


SECURITY_MD = (
    "## Security\n\nReport vulnerabilities to security@example.com. Do not open public issues.\n\n"
)


def lost(old: str, new: str, path: str = "README.md", instruction: str = "", **kw) -> list[str]:
    return dropped_definitions(old, new, path, instruction=instruction, **kw)


def test_headings_are_read_outside_code_comments_and_front_matter() -> None:
    assert [s.title for s in doc_sections(README, "markdown")] == [
        "calc",
        "Install",
        "Security",
        "Usage",
        "License",
    ]
    assert [s.title for s in doc_sections(RST, "rst")] == [
        "shapes",
        "Install",
        "Security",
        "Changes",
    ]
    assert [s.title for s in doc_sections(ADOC, "asciidoc")] == ["shapes", "Install", "Security"]
    # the outline of a large document is its headings, not its prose's first words
    prose = "# Notes\n\nclass that holds the state is gone.\nfunction no test calls\n"
    assert [d.name for d in definitions(prose, "NOTES.md")] == ["Notes"]
    assert normal("`acrouter complete` **now**  {#complete}") == "acrouter complete now"


def test_formats_by_suffix_or_language() -> None:
    assert doc_format("guide/index.rst") == "rst"
    assert doc_format("README.md") == doc_format("CHANGES.markdown") == "markdown"
    assert doc_format("guide.adoc") == "asciidoc"
    assert doc_format("README", "markdown") == "markdown"
    assert doc_format("notes.txt") is None and doc_format("calc.py") is None


@pytest.mark.parametrize(
    ("text", "fmt", "path", "cut", "gone"),
    [
        (
            README,
            "markdown",
            "README.md",
            SECURITY_MD,
            "Security",
        ),
        (
            README,
            "markdown",
            "README.md",
            "Usage\n-----\n\n    # an indented code block: not a heading\n    calc.add(1, 2)\n\n",
            "Usage",
        ),
        (
            RST,
            "rst",
            "guide/index.rst",
            "Security\n--------\n\nReport vulnerabilities to security@example.com.\n\n",
            "Security",
        ),
        (
            ADOC,
            "asciidoc",
            "guide.adoc",
            "== Security\n\nReport vulnerabilities to security@example.com.\n",
            "Security",
        ),
    ],
)
def test_a_section_gone_is_lost_unless_asked_for(
    text: str, fmt: str, path: str, cut: str, gone: str
) -> None:
    assert cut in text
    new = text.replace(cut, "").replace("Teh", "The")
    assert lost(text, new, path, "Fix the typo") == [gone]
    assert lost(text, new, path, f"Fix the typo and remove the {gone.lower()} section") == []
    assert lost(text, new, path, "Shorten it") == []  # a shorter document asks for it
    assert lost(text, new, path, "Fix the typo and tighten the wording") == [gone]
    assert lost(text, new, path, f"Fix the typo in the {gone} section") == [gone]  # no removal
    line = next(i for i, t in enumerate(text.splitlines()) if t.strip("#= ") == gone)
    assert lost(text, new, path, "Fix the typo", exempt_lines=(line, line + 1)) == []


def test_a_heading_retitled_or_taken_off_with_its_text_kept_is_no_loss() -> None:
    retitled = README.replace("## Security", "## Security policy")
    assert lost(README, retitled) == []
    assert lost(README, README.replace("## License", "## Licence")) == []
    # the heading taken off, its paragraph joined to the section above: the text is kept
    joined = README.replace("## Security\n\n", "")
    assert lost(README, joined) == []
    # setext to ATX (prettier's choice) and spacing are no change
    assert lost(README, README.replace("Usage\n-----\n", "## Usage\n")) == []
    assert lost(RST, RST.replace("Security\n--------", "Security\n========")) == []
    # another section with another text instead is a loss
    other = README.replace(
        "## Security\n\nReport vulnerabilities to security@example.com. Do not open public issues.",
        "## Contributing\n\nPull requests welcome.",
    )
    assert lost(README, other) == ["Security"]


def test_a_title_written_twice_counts_twice() -> None:
    api = (
        "# API\n\n## add\n\n### Parameters\n\nTwo numbers a and b.\n\n## mul\n\n"
        "### Parameters\n\nTwo factors x and y.\n"
    )
    assert lost(api, api.replace("### Parameters\n\nTwo factors x and y.\n", "")) == ["Parameters"]


def test_a_section_moved_to_another_document_of_the_edit_is_no_loss() -> None:
    security = (
        "# Security\n\nReport vulnerabilities to security@example.com. Do not open public issues.\n"
    )
    cut = "## Security\n\nReport vulnerabilities to security@example.com. Do not open public issues.\n\n"
    news = {"README.md": README.replace(cut, ""), "SECURITY.md": security}
    guard(
        {"README.md": README, "SECURITY.md": ""},
        news,
        language_of=lambda _r: None,
        instruction="Fix the typo",
    )
    # a function of that name elsewhere is no move of a section
    code = {"README.md": README.replace(cut, ""), "security.py": "def Security():\n    pass\n"}
    with pytest.raises(ParseError, match="delete 1 section"):
        guard(
            {"README.md": README, "security.py": ""},
            code,
            language_of=lambda _r: None,
            instruction="Fix the typo",
        )


def test_a_code_fence_left_open_is_refused() -> None:
    opened = README.replace("pip install calc\n```\n", "pip install calc\n")
    with pytest.raises(ParseError, match="never closed, so the rest of the file renders as code"):
        guard(
            {"README.md": README},
            {"README.md": opened},
            language_of=lambda _r: None,
            instruction="Remove the security section",
        )
    # a file whose fence was open before is not blamed for it
    guard(
        {"README.md": opened},
        {"README.md": opened + "\nMore.\n"},
        language_of=lambda _r: None,
        instruction="",
    )


@pytest.mark.parametrize("mode", OVERLAY_AND_NONE)
def test_acrouter_verify_refuses_the_dropped_section_before_pytest_passes_it(
    tmp_path: Path, mode: dict[str, object]
) -> None:
    calc = "def add(a, b):\n    return a + b\n"
    test = "from calc import add\n\n\ndef test_add():\n    assert add(1, 2) == 3\n"
    files = {"README.md": README, "calc.py": calc, "tests/test_calc.py": test}
    root = write_tree(tmp_path / "ws", files)
    ver = verifier(cache_dir=tmp_path / "cache", **mode)
    fixed = README.replace("Teh", "The")
    cut = "## Security\n\nReport vulnerabilities to security@example.com. Do not open public issues.\n\n"
    edit = Edit(files={"README.md": fixed.replace(cut, "")})
    v = verify_edit(ver, str(root), edit, PYTEST)
    assert v.verdict == "error" and not v.counted, v.detail
    assert (
        "delete 1 section(s) of README.md that the instruction did not ask to remove: Security"
        in v.detail
    )
    # the tests cannot tell: with the removal allowed they run, and pass
    allowed = verify_edit(ver, str(root), edit, PYTEST, allow_removal=True)
    assert allowed.verdict == "pass", allowed.detail
    kept = verify_edit(ver, str(root), Edit(files={"README.md": fixed}), PYTEST)
    assert kept.verdict == "pass", kept.detail


def test_a_line_every_section_repeats_does_not_keep_a_deleted_one() -> None:
    """Reference pages repeat lines in every section (``Default: `false```): each line
    counts as many times as the file has it, so another section's copy does not keep the
    deleted one's text (86 of 1,279 Markdown deletions had gone unseen so)."""
    old = (
        "# lib\n\n## cwd\n\nType: `boolean`\nDefault: `false`\nUse the working directory.\n\n"
        "## shell\n\nType: `boolean`\nDefault: `false`\nRun the command in a shell.\n"
    )
    assert lost(old, old[: old.index("## shell")]) == ["shell"]


def test_of_a_title_written_twice_the_section_that_went_is_blamed() -> None:
    """Headings are matched in order: a changelog's empty "Changes" that stays is not
    taken for the one whose heading went (its text kept)."""
    old = "# v2\n\n## Changes\n\n# v1\n\n## Changes\n\nFixed the parser.\n"
    assert lost(old, old.replace("# v1\n\n## Changes\n\n", "# v1\n\n"), "CHANGES.md") == []
    assert lost(old, old.replace("# v1\n\n## Changes\n\nFixed the parser.\n", "")) == [
        "v1",
        "Changes",
    ]


def test_what_commonmark_reads_as_no_heading_is_none() -> None:
    # a no-break space is text, not a blank line: "Bug Fixes" continues the list item,
    # and the dashes are a rule (markdown-it and prettier read it so)
    log = "# Log\n\n- Shim lifecycle command.\n\xa0\nBug Fixes\n---------\n- Fixed rsync.\n"
    assert [s.title for s in doc_sections(log, "markdown")] == ["Log"]
    quoted = "# T\n\n> quoted\nlazy line\n---\n\nfoo\n---\n"
    assert [s.title for s in doc_sections(quoted, "markdown")] == ["T", "foo"]


def test_a_short_title_with_a_letter_changed_is_retitled() -> None:
    old = "# isexe\n\nCheck if a file is executable.\n\n## API\n\n### isexe(path)\n\nA promise.\n"
    assert lost(old, old.replace("## API", "## APO")) == []


def test_lines_are_counted_as_the_editor_counts_them() -> None:
    """A form feed (GPL texts have them) ends no line for the editor: a selected
    heading is the one the editor shows on that line."""
    old = "# Terms\n\nPage one.\n\f\n## Warranty\n\nNone at all.\n\n## Notes\n\nMore text.\n"
    new = old.replace("## Warranty\n\nNone at all.\n\n", "")
    assert lost(old, new, "LICENSE.md", exempt_lines=(4, 4)) == []
    assert lost(old, new, "LICENSE.md") == ["Warranty"]
    # the outline's line of each heading is the heading's
    assert [d.header for d in definitions(old, "LICENSE.md")] == [
        "# Terms",
        "## Warranty",
        "## Notes",
    ]


def test_headings_are_matched_by_level_too() -> None:
    """typebox's readme has "## TypeRegistry" above "### TypeRegistry": the first one's
    section deleted was matched with the second, which kept its text, and went unseen."""
    old = (
        "# T\n\nIntro text here.\n\n## TypeRegistry\n\nThe registry extends types.\n\n"
        "### TypeRegistry\n\nUse it to register a type.\n"
    )
    new = old.replace("## TypeRegistry\n\nThe registry extends types.\n\n", "")
    assert lost(old, new) == ["TypeRegistry"]
    assert lost(old, old.replace("## TypeRegistry", "### TypeRegistry")) == []  # a level
