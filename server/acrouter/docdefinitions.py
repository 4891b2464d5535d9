"""What a document defines: the sections of a Markdown, reStructuredText or AsciiDoc
file, by their headings, for the guard that no edit drops what nobody asked to remove
(``definitions.dropped_definitions``).

No test reads a README, a changelog or a page of the docs: an edit asked to fix a typo
in ``README.md`` that also drops its "Security" section passes every test.  So a
document's headings are read, each section by its title (written as the file has it;
compared without case, markup or extra spaces), counted: a title written twice (an API
page's "Parameters") is lost when the file has it fewer times after the edit.

- Markdown: ATX headings (``## Install``) and setext ones (a paragraph underlined with
  ``===`` or ``---``), outside fenced code (```` ``` ```` and ``~~~``), indented code,
  HTML comments and the front matter (``---`` or ``+++`` at the top).
- reStructuredText: a title underlined, or over- and underlined, with one punctuation
  character repeated at least as long as the title.
- AsciiDoc: ``== Title`` (and ``= Title``), outside ``----`` and ``....`` blocks.

A section whose heading is gone is still kept when the edit keeps its text (at least
half of its non-blank lines, compared stripped: a heading taken off and its paragraph
joined to the one above is no loss), or when the file gains a heading whose title is
close to it (a typo fixed: "Instalation" to "Installation").  A Markdown file whose
edit leaves a code fence open (everything after it renders as code) is refused whole.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Iterable
from pathlib import PurePosixPath

import attrs

from .domain import document_lines
from .pytrees import cached

_SUFFIXES = {
    ".md": "markdown",
    ".markdown": "markdown",
    ".mdown": "markdown",
    ".mkd": "markdown",
    ".mdx": "markdown",
    ".rst": "rst",
    ".rest": "rst",
    ".adoc": "asciidoc",
    ".asciidoc": "asciidoc",
}
_LANGUAGES = {
    "markdown": "markdown",
    "mdx": "markdown",
    "restructuredtext": "rst",
    "asciidoc": "asciidoc",
}

#: a title's closeness (difflib's ratio, lowercased) above which a heading the edit
#: gained stands for one it lost: a typo fixed or a word changed, not another section
RETITLED = 0.75


def doc_format(path: str, language: str | None = None) -> str | None:
    """``"markdown"``, ``"rst"`` or ``"asciidoc"`` for a document, by its suffix or the
    editor's language id; None for any other file."""
    found = _SUFFIXES.get(PurePosixPath(path.replace("\\", "/")).suffix.lower())
    if found is None and language:
        found = _LANGUAGES.get(language.lower())
    return found


@attrs.frozen
class Section:
    title: str  # as written, markup and all: "`acrouter complete`"
    line: int  # 0-based line of the heading (an rst overline's title line)
    body: tuple[str, ...]  # its text up to the next heading, stripped, blank lines out
    #: its heading's kind: ``##`` (Markdown), the adornment (reST: ``=``, ``-/`` with an
    #: overline), ``==`` (AsciiDoc)
    level: str = ""


@attrs.frozen
class _Read:
    sections: tuple[Section, ...]
    open_fence: int | None  # 0-based line of a Markdown code fence never closed


def normal(title: str) -> str:
    """A title as titles are compared: no markup, case or extra spaces."""
    title = re.sub(r"\s*\{#[^}]*\}\s*$", "", title)  # a heading's anchor: {#install}
    title = re.sub(r"[`*]|(?<!\w)_+|_+(?!\w)", "", title)
    return " ".join(title.split()).lower()


# --------------------------------------------------------------------------- reading

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})(.*)$")
_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_NOT_PARAGRAPH = re.compile(
    r"^(?: {4}|\t| {0,3}(?:[-*+](?:\s|$)|\d{1,9}[.)](?:\s|$)|>|#|\||<|`{3}|~{3}|\[[^\]]+\]:))"
)
#: a line whose block the next lines continue without a blank line between (so a
#: ``---`` below them is a rule, not a heading's underline)
_CONTAINER = re.compile(r"^ {0,3}(?:[-*+](?:\s|$)|\d{1,9}[.)](?:\s|$)|>|<|\|)")
_RST_UNDERLINE = re.compile(r"^([!-/:-@\[-`{-~])\1+\s*$")
_ADOC_HEADING = re.compile(r"^(={1,6})[ \t]+(\S.*?)[ \t]*$")
_ADOC_BLOCK = re.compile(r"^(-{4,}|\.{4,}|\+{4,}|/{4,}|_{4,})\s*$")


def _blank(line: str) -> bool:
    """CommonMark's blank line: spaces and tabs only (a no-break space is text)."""
    return not line.strip(" \t")


def _markdown(lines: list[str]) -> _Read:
    heads: list[tuple[str, int, str]] = []
    in_code = [False] * len(lines)  # lines that are not text (code, comments, metadata)
    hidden: set[int] = set()  # HTML comments' lines: not a section's text
    i, n = 0, len(lines)
    open_fence: int | None = None
    if lines and lines[0].rstrip() in ("---", "+++"):  # front matter (YAML, TOML)
        closing = ("---", "...") if lines[0].rstrip() == "---" else ("+++",)
        end = next((j for j in range(1, n) if lines[j].rstrip() in closing), None)
        if end is not None:
            for j in range(end + 1):
                in_code[j] = True
            i = end + 1
    previous_blank = True
    while i < n:
        line = lines[i]
        fence = _FENCE.match(line)
        if fence and not (fence.group(1)[0] == "`" and "`" in fence.group(2)):
            mark = fence.group(1)
            end = next(
                (
                    j
                    for j in range(i + 1, n)
                    if re.match(rf"^ {{0,3}}{re.escape(mark[0])}{{{len(mark)},}}[ \t]*$", lines[j])
                ),
                None,
            )
            if end is None:
                open_fence = i
                end = n - 1
            for j in range(i, end + 1):
                in_code[j] = True
            i, previous_blank = end + 1, False
            continue
        if line.lstrip().startswith("<!--"):
            end = next((j for j in range(i, n) if "-->" in lines[j]), n - 1)
            for j in range(i, end + 1):
                in_code[j] = True
                hidden.add(j)
            i, previous_blank = end + 1, False
            continue
        if previous_blank and re.match(r"^(?: {4}|\t)", line) and not _blank(line):
            in_code[i] = True  # an indented code block, until a line that is not
            i += 1
            while i < n and (_blank(lines[i]) or re.match(r"^(?: {4}|\t)", lines[i])):
                in_code[i] = True
                i += 1
            previous_blank = True
            continue
        atx = _ATX.match(line)
        if atx and (atx.group(2) or "").strip():
            heads.append((atx.group(2).strip(), i, atx.group(1)))
        elif (
            _SETEXT.match(line)
            and i > 0
            and not _blank(lines[i - 1])
            and not in_code[i - 1]
            and not _NOT_PARAGRAPH.match(lines[i - 1])
            and not _SETEXT.match(lines[i - 1])
            and (not heads or heads[-1][1] != i - 1)
        ):
            start = i - 1  # the paragraph's lines are the title
            while (
                start > 0
                and not _blank(lines[start - 1])
                and not in_code[start - 1]
                and not _NOT_PARAGRAPH.match(lines[start - 1])
                and not _SETEXT.match(lines[start - 1])
                and not (heads and heads[-1][1] == start - 1)
            ):
                start -= 1
            if start > 0 and not in_code[start - 1] and _CONTAINER.match(lines[start - 1]):
                pass  # a list item's, quote's, HTML block's or table's lazy lines: no title
            else:
                level = "#" if line.lstrip().startswith("=") else "##"
                heads.append((" ".join(s.strip() for s in lines[start:i]), start, level))
                in_code[i] = True  # (the underline: not the section's text)
        previous_blank = _blank(line)
        i += 1
    underlines = {j for j in range(n) if in_code[j] and _SETEXT.match(lines[j])}
    return _Read(_sections(heads, lines, skip=underlines | hidden), open_fence)


def _rst(lines: list[str]) -> _Read:
    heads: list[tuple[str, int, str]] = []
    marks: set[int] = set()
    n = len(lines)
    for i in range(n - 1):
        title, under = lines[i], lines[i + 1]
        if i in marks or not title.strip() or not _RST_UNDERLINE.match(under):
            continue
        if _RST_UNDERLINE.match(title):
            continue
        over = i > 0 and lines[i - 1].rstrip() == under.rstrip()
        if title[0].isspace() and not over:
            continue
        if len(under.rstrip()) < len(title.strip()) and not over:
            continue
        if not over and i > 0 and lines[i - 1].strip():
            continue  # a paragraph's last line and a transition, not a title
        heads.append((title.strip(), i, under.strip()[0] + ("/" if over else "")))
        marks.add(i + 1)
        if over:
            marks.add(i - 1)
    return _Read(_sections(heads, lines, skip=marks), None)


def _asciidoc(lines: list[str]) -> _Read:
    heads: list[tuple[str, int, str]] = []
    block: str | None = None
    for i, line in enumerate(lines):
        delim = _ADOC_BLOCK.match(line)
        if block is not None:
            if delim and line.rstrip() == block:
                block = None
            continue
        if delim:
            block = line.rstrip()
            continue
        m = _ADOC_HEADING.match(line)
        if m:
            heads.append((m.group(2), i, m.group(1)))
    return _Read(_sections(heads, lines, skip=set()), None)


def _sections(
    heads: list[tuple[str, int, str]], lines: list[str], skip: set[int]
) -> tuple[Section, ...]:
    """Each heading's section: its title and its text (code too) up to the next heading,
    but for underlines, code fences and lines of three characters or fewer."""
    out: list[Section] = []
    starts = [line for _, line, _ in heads]
    for k, (title, line, level) in enumerate(heads):
        end = starts[k + 1] if k + 1 < len(heads) else len(lines)
        body = tuple(
            s
            for j in range(line + 1, end)
            if j not in skip and len(s := lines[j].strip()) > 3 and not _FENCE.match(lines[j])
        )
        out.append(Section(title, line, body, level))
    return tuple(out)


def _read_doc(text: str, fmt: str) -> _Read:
    def read() -> _Read:
        lines = document_lines(text)
        if fmt == "rst":
            return _rst(lines)
        if fmt == "asciidoc":
            return _asciidoc(lines)
        return _markdown(lines)

    return cached(f"doc.{fmt}", text, read)


def doc_sections(text: str, fmt: str) -> tuple[Section, ...]:
    """The sections of a document, in order."""
    return _read_doc(text, fmt).sections


def doc_names(text: str, fmt: str) -> set[str]:
    """Its sections' titles, compared (:func:`normal`), for another file's moves."""
    return {normal(s.title) for s in doc_sections(text, fmt)}


def doc_error(old: str, new: str, fmt: str) -> str | None:
    """Why the edit leaves the document broken where it was not: a Markdown code fence
    opened and never closed, which makes the rest of the file code."""
    if fmt != "markdown":
        return None
    after = _read_doc(new, fmt).open_fence
    if after is None or _read_doc(old, fmt).open_fence is not None:
        return None
    return (
        f"the code fence opened on line {after + 1} is never closed, so the rest of "
        "the file renders as code"
    )


# --------------------------------------------------------------------------- the guard

#: words that ask a document for less text as a whole: its sections may go
_SHORTER = re.compile(
    r"\b(shorten|shorter|condense|summari[sz]e|cut down|restructure|reorgani[sz]e)\b",
    re.IGNORECASE,
)
_STOP = frozenset(
    {
        *("a", "an", "the", "and", "or", "of", "to", "in", "on", "for", "with", "by", "at"),
        *("from", "as", "is", "are", "be", "it", "its", "this", "that", "how", "what"),
        *("why", "when", "where", "your", "our", "you", "we"),
    }
)


#: a word of an instruction or a title ("c++", "v1.2", "c#" too)
_WORD = re.compile(r"[A-Za-z0-9][\w.+#-]*[\w+#]|[A-Za-z0-9]")


def _words(text: str) -> set[str]:
    words = {w.lower() for w in _WORD.findall(text)}
    return words | {w[:-1] for w in words if w.endswith("s")}


def _named(title: str, said: set[str]) -> bool:
    """Whether an instruction's words (``said``) name a title: every word of it that
    says something (not "the", "how"); a title of such words only, all of them."""
    words = [w.lower() for w in _WORD.findall(title)]
    meaning = [w for w in words if w not in _STOP] or words
    return bool(meaning) and all(w in said or w.rstrip("s") in said for w in meaning)


def _retitled(title: str, gained: list[str]) -> str | None:
    """The gained title that stands for ``title`` retitled (a typo fixed, a word
    changed: :data:`RETITLED`, or one character changed), if any."""
    best, ratio = None, 0.0
    for g in gained:
        r = difflib.SequenceMatcher(None, title, g).ratio()
        if r > ratio:
            best, ratio = g, r
    if best is None:
        return None
    one_change = len(best) == len(title) and sum(a != b for a, b in zip(best, title)) == 1
    return best if ratio >= RETITLED or one_change else None


def dropped_sections(
    old: str,
    new: str,
    fmt: str,
    *,
    instruction: str,
    removal: bool,
    exempt_lines: tuple[int, int] | None,
    defined_elsewhere: Iterable[str],
) -> list[str]:
    """The titles of the sections ``old`` has and ``new`` lost (as ``old`` writes them)
    that nobody asked to remove.

    The headings of both are matched in order (difflib, by level and title): a heading ``new``
    has where ``old`` had it is kept, so of a title written twice the section that went
    is the one blamed.  One not matched is kept when ``new`` gained its title elsewhere
    (a section moved), when its text stays (at least half of its lines, each as many
    times as ``old`` has it: a line every section repeats, ``Default: false``, is not
    kept by another section's copy) or when ``new`` gained a close title (a retitle).

    Asked for: a heading on a line of the selection (``exempt_lines``), a title another
    document of the edit has (a move), one the instruction names beside a word like
    remove (``removal``), or any, when the instruction asks for a shorter document
    (shorten, condense, summarize, cut down, restructure, reorganize: not "trim" or
    "tighten", which are said of whitespace and wording)."""
    before, after = doc_sections(old, fmt), doc_sections(new, fmt)
    had = Counter(normal(s.title) for s in before)
    has = Counter(normal(s.title) for s in after)
    if not (had - has):
        return []
    if _SHORTER.search(instruction):
        return []
    # (by level too: "## TypeRegistry" deleted above its "### TypeRegistry" is the one lost)
    a = [(s.level, normal(s.title)) for s in before]
    b = [(s.level, normal(s.title)) for s in after]
    unmatched: list[Section] = []
    gained: list[str] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag != "equal":
            unmatched += before[i1:i2]
            gained += [title for _, title in b[j1:j2]]
    for title in list(gained):  # moved: its title is there, elsewhere
        for k, sec in enumerate(unmatched):
            if normal(sec.title) == title:
                del unmatched[k]
                gained.remove(title)
                break
    elsewhere = {normal(n) for n in defined_elsewhere}
    said = _words(instruction) if removal else set()
    old_lines = Counter(line.strip() for line in document_lines(old))
    new_lines = Counter(line.strip() for line in document_lines(new))
    out: list[str] = []
    for sec in unmatched:
        key = normal(sec.title)
        if sec.body:
            kept = sum(1 for line in sec.body if new_lines[line] >= old_lines[line])
            if 2 * kept >= len(sec.body):
                continue  # its text is there still: the heading went, not the section
        if exempt_lines is not None and exempt_lines[0] <= sec.line <= exempt_lines[1]:
            continue
        if key in elsewhere or _named(sec.title, said):
            continue
        close = _retitled(key, gained)
        if close is not None:
            gained.remove(close)
            continue
        out.append(sec.title)
    return out
