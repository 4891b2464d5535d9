"""Fenced code blocks: finding them in a model's reply, and fencing code for the prompt.

Blocks are found the CommonMark way: an opening fence is a line of at least three
backticks (or tildes), optionally followed by an info string (the language tag); the
block ends at the first line holding only a fence of the same character, at least as
long, indented by at most three spaces (or by as much as the opening fence).  So a
```` fence may hold ``` lines, and a ``` line indented inside a docstring never ends a
block.  A block never closed is kept as ``closed=False``: a reply cut short must not
pass for a whole file.

Models often do not lengthen the fence when the code holds ``` lines, so the plain
reading splits their block at those lines.  ``blocks_for`` then lets the first block run
on to a later fence line, but only where that is unambiguous: the first block is tagged
with the task's language (or ``diff``), and what the plain reading leaves between the
pieces continues the code: mostly lines of the file being edited (never prose), or, for
a diff, the fence line that ended a piece lies inside a hunk (fewer lines than its
``@@`` header counts; in a hunk without counts, it is a context line by its form and
diff lines follow it).  It runs on to the last such fence line; blocks after prose stay
blocks of their own.
A diff block that a fence line without its context space may have cut short is
refused by the parser (:func:`fence_cuts_hunk`), never applied in part.
"""

from __future__ import annotations

import itertools
import re

import attrs

from acrouter.domain import document_lines

_OPEN = re.compile(r"^( *)(`{3,}|~{3,})(.*)$")
_CLOSE = re.compile(r"^( *)(`{3,}|~{3,})[ \t]*$")
_BACKTICKS = re.compile(r"`+")
_HUNK = re.compile(r"^@@ -\d+(?:,(\d+))? \+\d+(?:,(\d+))? @@")

#: Info strings a model uses for a language id (the editor's ``languageId``).
_ALIASES = {
    "python": {"py", "python3"},
    "javascript": {"js", "jsx", "node"},
    "typescript": {"ts"},
    "typescriptreact": {"tsx"},
    "javascriptreact": {"jsx"},
    "shellscript": {"sh", "bash", "shell", "zsh"},
    "markdown": {"md"},
    "rust": {"rs"},
    "go": {"golang"},
}
DIFF_TAGS = ("diff", "patch")
#: A hunk's first line, with line numbers or without (``@@``, ``@@ def f(): @@``).
HUNK_START = re.compile(r"^@@(?: |$)")
_DIFF_LINE = ("+", "-", " ", "\\", "@@", "diff --git ", "index ")


@attrs.frozen
class Block:
    tag: str  # the first word of the info string, lower-cased ('' when none)
    code: str  # the lines between the fences, each ending with a newline
    first: int  # line index of the opening fence
    last: int  # line index of the closing fence (len(lines) when never closed)
    closed: bool


def fence_for(code: str) -> str:
    """A fence for ``code`` that no line of it can close: backticks, one more than its
    longest run of them, at least three."""
    longest = max((len(m) for m in _BACKTICKS.findall(code)), default=0)
    return "`" * max(3, longest + 1)


def tag_matches(tag: str, language: str | None) -> bool:
    lang = (language or "").lower()
    return bool(lang) and (tag == lang or tag in _ALIASES.get(lang, ()))


def find_blocks(reply: str) -> list[Block]:
    """The reply's fenced blocks, read the CommonMark way (see the module docstring)."""
    lines = document_lines(reply)
    out: list[Block] = []
    i = 0
    while i < len(lines):
        m = _OPEN.match(lines[i])
        if m is None or (m.group(2)[0] == "`" and "`" in m.group(3)):
            i += 1
            continue
        indent, fence = len(m.group(1)), m.group(2)
        j = i + 1
        while j < len(lines) and not _closes(lines[j], fence, indent):
            j += 1
        out.append(_block(lines, i, j, m.group(3), indent, fence))
        i = j + 1
    return out


def blocks_for(reply: str, language: str | None, original: str) -> list[Block]:
    """``find_blocks``, unless the plain reading split one block at fence lines of its own
    code: then the first block runs on, over each piece that continues its code, to the
    last fence line that can close it (see the module docstring).  ``original`` is the
    text the reply edits."""
    naive = find_blocks(reply)
    if len(naive) < 2:
        return naive
    head = naive[0]
    diff = head.tag in DIFF_TAGS
    if not diff and not tag_matches(head.tag, language):
        return naive
    lines = document_lines(reply)
    fence = _OPEN.match(lines[head.first])
    assert fence is not None
    indent, marker = len(fence.group(1)), fence.group(2)
    known = {line.strip() for line in document_lines(original) if line.strip()}
    merged, evidence = head.last, False
    for prev, block in itertools.pairwise(naive):
        if diff:  # the fence line that ended the piece lies inside a hunk: it is a diff line
            if not _in_hunk(lines, head.first + 1, prev.last, indent):
                break
            evidence = True
        else:  # what lies between the pieces is mostly the file's own lines, never prose
            said = [line.strip() for line in lines[prev.last + 1 : block.first] if line.strip()]
            if 2 * sum(line in known for line in said) < len(said):
                break
            evidence = evidence or bool(said)
        end = block.last if block.closed and block.last < len(lines) else block.first
        if not _closes(lines[end], marker, indent):
            break
        if evidence and not (diff and _in_hunk(lines, head.first + 1, end, indent)):
            merged = end
        if end == block.first:
            break
    if merged == head.last:
        return naive
    whole = _block(lines, head.first, merged, fence.group(3), indent, marker)
    rest = find_blocks("\n".join(lines[merged + 1 :]))
    at = merged + 1  # the line indices of the blocks after it are the reply's own
    return [whole, *(attrs.evolve(b, first=b.first + at, last=b.last + at) for b in rest)]


def looks_like_diff(code: str) -> bool:
    """Whether ``code`` is a unified diff by its form: it starts with ``diff --git``, or
    with ``---`` and ``+++`` file headers followed by a hunk, or with a hunk."""
    lines = [line for line in document_lines(code) if line.strip()]
    if not lines:
        return False
    if lines[0].startswith("diff --git ") or HUNK_START.match(lines[0]):
        return True
    headers = len(lines) > 2 and lines[0].startswith("--- ") and lines[1].startswith("+++ ")
    return headers and any(HUNK_START.match(line) for line in lines[2:])


def unfenced_diffs(reply: str) -> list[str]:
    """The unified diffs written into a reply without a fence: each from a ``---``/``+++``
    header pair (with the ``diff --git`` / ``index`` lines before it) to its last diff
    line before prose or the next header pair, blank lines inside it kept.  The parser
    applies them all or none."""
    lines = document_lines(reply)

    def header(i: int) -> bool:
        return (
            i + 1 < len(lines) and lines[i].startswith("--- ") and lines[i + 1].startswith("+++ ")
        )

    def preamble(i: int) -> int:  # the git lines that lead the header pair at i
        while i > 0 and lines[i - 1].startswith(("diff --git ", "index ")):
            i -= 1
        return i

    out: list[str] = []
    starts = [i for i in range(len(lines)) if header(i)]
    for n, i in enumerate(starts):
        stop = preamble(starts[n + 1]) if n + 1 < len(starts) else len(lines)
        end = i + 2
        for j in range(i + 2, stop):
            if lines[j].startswith(_DIFF_LINE):
                end = j + 1
            elif lines[j].strip():
                break
        diff = lines[preamble(i) : end]
        if any(HUNK_START.match(line) for line in diff):
            out.append("\n".join(diff) + "\n")
    return out


def fence_cuts_hunk(reply: str, block: Block, original: str) -> bool:
    """Whether the fence line that closed a diff block may be a line of the file inside
    a hunk that lost its leading space: the block's last hunk has no counts (``@@``) to
    tell, and the line after the fence reads as more of it, an added line (``+...``) or a
    context or removed line of ``original`` (a list item of prose, ``- changed a``, is
    not).  Such a block must not be applied: the rest of its hunk would be dropped."""
    lines = document_lines(reply)
    if block.tag not in DIFF_TAGS or not block.closed or block.last + 1 >= len(lines):
        return False
    headers = [line for line in block.code.splitlines() if line.startswith("@@")]
    if not headers or _HUNK.match(headers[-1]):
        return False
    opening = _OPEN.match(lines[block.first])
    after = _dedent(lines[block.last + 1], len(opening.group(1)) if opening else 0)
    if after.startswith("+"):
        return True
    rest = after[1:].strip()
    known = {line.strip() for line in document_lines(original)}
    return after[:1] in (" ", "-") and bool(rest) and rest in known


def _in_hunk(lines: list[str], first: int, end: int, indent: int) -> bool:
    """Whether the fence line ``lines[end]`` lies inside a hunk of the diff that starts
    at ``first``: fewer lines than the hunk's header counts precede it, or, in a hunk
    whose header has no counts (``@@``), it is a context line by its form (indented
    past the block's fence) and diff lines go on after it."""
    old = new = 0
    numberless = False
    for line in lines[first:end]:
        if old > 0 or new > 0:
            if line.startswith("-"):
                old -= 1
            elif line.startswith("+"):
                new -= 1
            elif not line.startswith("\\"):  # context (a blank line is one too)
                old, new = old - 1, new - 1
            continue
        m = _HUNK.match(line)
        if m:
            old = int(m.group(1) if m.group(1) is not None else 1)
            new = int(m.group(2) if m.group(2) is not None else 1)
        if line.startswith("@@"):
            numberless = m is None
    if old > 0 or new > 0:
        return True
    after = lines[end + 1] if end + 1 < len(lines) else ""
    context = _dedent(lines[end], indent).startswith(" ") if end < len(lines) else False
    return numberless and context and after.startswith((" ", "+", "-"))


def _closes(line: str, fence: str, indent: int) -> bool:
    m = _CLOSE.match(line)
    return (
        m is not None
        and len(m.group(1)) <= max(3, indent)
        and m.group(2)[0] == fence[0]
        and len(m.group(2)) >= len(fence)
    )


def _block(lines: list[str], first: int, last: int, info: str, indent: int, fence: str) -> Block:
    body = [_dedent(line, indent) for line in lines[first + 1 : last]]
    closed = last < len(lines)
    if not closed:  # "code```" closing on the code's own last line, as models write
        for k, line in enumerate(body):
            stem = line.rstrip()
            head = stem[: -len(fence)]
            if stem.endswith(fence) and head.strip() and head[-1] != fence[0]:
                body = [*body[:k], stem[: -len(fence)]]
                closed = True
                break
    return Block(
        tag=(info.strip().split() or [""])[0].lower(),
        code="".join(line + "\n" for line in body),
        first=first,
        last=last,
        closed=closed,
    )


def _dedent(line: str, indent: int) -> str:
    """CommonMark: up to the opening fence's indentation is removed from each line."""
    k = 0
    while k < indent and k < len(line) and line[k] == " ":
        k += 1
    return line[k:]
