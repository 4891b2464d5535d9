"""``benchmarks/doc_sections.py`` judges how the guard reads documents' sections with
edits of real files: checked here on a tiny corpus of our own, whose figures are known
whatever section the random choices take."""

from __future__ import annotations

from pathlib import Path

import pytest

from .helpers import BENCHMARKS, script_output

GUIDE = """\
---
title: guide
---
# Guide

A short guide to the calculator package.

## Install

Run the installer from the command line.

```sh
# a comment in a shell block, not a heading
pip install calc
```

Usage
-----

Call the add function with two numbers.

## License

Released under the MIT license.
"""
# headings without text of their own: deleting one alone is a loss
OUTLINE = "# Outline\n\n## First part\n\n## Second part\n\n## Third part\n"
# every section's text is the same line: a section deleted leaves it in the file
API = """\
API
===

See the reference manual for the details of this function.

add
---

See the reference manual for the details of this function.

mul
---

See the reference manual for the details of this function.
"""
SHAPES = """\
======
shapes
======

Areas and perimeters of plane shapes.

Install
=======

Run the installer from the command line.

.. code-block:: python

   Not a title
   -----------

Security
--------

Report vulnerabilities to the security team by mail.
"""
BOOK = """\
= Book

An introduction to the book and its readers.

== Install

Run the installer from the command line.

----
== a listing block, not a heading
----

== Security

Report vulnerabilities to the security team by mail.
"""


def _corpus(root: Path) -> Path:
    docs = root / "docs"
    (docs / "guide").mkdir(parents=True)
    (docs / "guide/README.md").write_text(GUIDE)
    (docs / "guide/COPY.md").write_text(GUIDE)  # the same text: read once
    (docs / "OUTLINE.md").write_text(OUTLINE)
    (docs / "NOTE.md").write_text("# Note\n\nOne section only.\n")  # fewer than 2
    (docs / "BIG.md").write_text("# Big\n\n## Part\n\n" + "Text of the part.\n" * 30_000)
    (docs / "notes.txt").write_text("# Not a document\n\n## By its suffix\n")
    (docs / "api.rst").write_text(API)
    (docs / "shapes.rst").write_text(SHAPES)
    (docs / "book.adoc").write_text(BOOK)
    return docs


def _rows(out: str) -> dict[str, dict[str, str]]:
    """The table's rows by format, each cell by its column's header."""
    lines = out.splitlines()
    header = [h.strip() for h in lines[0].split("  ") if h.strip()]
    rows = {}
    for line in lines[1:4]:
        cells = line.split()
        rows[cells[0]] = dict(zip(header, cells))
    assert list(rows) == ["markdown", "rst", "asciidoc"]
    assert all(len(row) == len(header) for row in rows.values()), out
    return rows


def test_edits_kept_pass_and_sections_deleted_are_refused(tmp_path: Path) -> None:
    docs = _corpus(tmp_path)
    out = script_output("doc_sections.py", str(docs), "--seed", "3")
    rows = _rows(out)
    md, rst, adoc = rows["markdown"], rows["rst"], rows["asciidoc"]
    # two Markdown files read: the copy is the same text, NOTE.md has one section,
    # BIG.md is over 400 KB and notes.txt no document
    assert (md["files"], md["seen"], md["<2 sections"], md["same text"]) == ("2", "4", "1", "1")
    # no edit that keeps every section is refused (OUTLINE.md has no prose for a typo)
    assert [md[k] for k in ("typo", "retitle", "append", "swap")] == ["0/1", "0/2", "0/2", "0/2"]
    assert md["prettier"] == md["prettier-wrap"] == "0/0"  # (not asked for)
    # a section deleted is refused; its heading alone only where it has no text
    assert md["deleted"] == "2/2" and md["miss: real"] == "0"
    assert (md["heading only"], md["of it with text"]) == ("1/2", "0")
    # rst: a section deleted is refused, in api.rst too, whose sections repeat a line
    # (each line counts as many times as the file has it)
    assert [rst[k] for k in ("files", "typo", "retitle", "append", "swap")] == [
        "2",
        "0/2",
        "0/2",
        "0/2",
        "0/2",
    ]
    assert (rst["deleted"], rst["miss: body elsewhere"], rst["miss: real"]) == ("2/2", "0", "0")
    assert rst["heading only"] == "0/2"
    assert (adoc["files"], adoc["deleted"], adoc["heading only"]) == ("1", "1/1", "0/1")
    assert float(md["ms/100KB"]) > 0
    assert "missed deletion" not in out
    assert "markdown: heading alone deleted, refused (no text of its own):" in out
    assert "OUTLINE.md line" in out and "false refusal" not in out
    assert out.rstrip().endswith(f"{BENCHMARKS / 'doc_sections.py'} {docs} --seed 3")


def test_prettier_reformatting_is_no_loss(tmp_path: Path) -> None:
    if not (BENCHMARKS.parent / "node_modules/.bin/prettier").exists():
        pytest.skip("the repository's prettier is not installed (npm ci)")
    docs = _corpus(tmp_path)
    rows = _rows(script_output("doc_sections.py", str(docs), "--prettier"))
    # prettier writes README.md's setext heading as ATX and OUTLINE.md as it is
    assert (rows["markdown"]["prettier"], rows["markdown"]["prettier-wrap"]) == ("0/1", "0/1")
    assert rows["rst"]["prettier"] == "0/0"
