"""Reply -> Edit: the edit a model's reply asks for, for the request's file (or other
files of the workspace), in one of the formats of ``acrouter.edits``.

A reply that replaces the whole file is accepted only when the file was sent whole,
and no reply may drop top-level definitions or imports the instruction did not ask to
remove (``definitions.guard``).
"""

from __future__ import annotations

import re
from pathlib import Path

import attrs

from acrouter.context import offset_of, workspace_text
from acrouter.definitions import guard
from acrouter.domain import Edit, Task, document_lines
from acrouter.edits import (
    BOM,
    SearchReplaceText,
    fit_to_selection,
    has_search_replace,
    line_end,
    parse_search_replace,
    with_line_ends,
    without_path_comment,
)
from acrouter.errors import ParseError, VerifyError

from .excerpt import rel_path
from .fences import (
    DIFF_TAGS,
    HUNK_START,
    Block,
    blocks_for,
    fence_cuts_hunk,
    looks_like_diff,
    tag_matches,
    unfenced_diffs,
)

_WORD = re.compile(r"\w\w")  # a line of code, not a lone bracket


def parse_reply(task: Task, reply: str, sent_whole: bool) -> Edit:
    """The edit a model's reply asks for: SEARCH/REPLACE blocks, a unified diff, or one
    fenced block replacing the selection (or the whole file, only when ``sent_whole``).
    Every edit passes the guard that no code the instruction did not name is dropped."""
    doc = task.document
    if doc is None:
        raise ParseError("no document to edit")
    rel = rel_path(task)
    root = Path(task.workspace) if task.workspace else Path(doc.path).parent
    if has_search_replace(reply):
        return _search_replace(task, reply, rel, root)
    found = [_as_diff(b, rel) for b in blocks_for(reply, task.language, doc.text)]
    blocks = [(b.tag, b.code) for b in found if b.closed]
    if not blocks:
        if found:
            raise ParseError("the reply's fenced code block is never closed (cut short?)")
        bare = unfenced_diffs(reply)
        if not bare:
            raise ParseError(
                "the reply holds neither SEARCH/REPLACE blocks nor a fenced code block"
            )
        return _diff_blocks(task, rel, root, bare)
    diffs = [b for tag, b in blocks if tag in DIFF_TAGS]
    if any(fence_cuts_hunk(reply, b, doc.text) for b in found):
        raise ParseError(
            "a ```diff block ends at a fence line inside a hunk without line numbers, and "
            "more of the hunk follows it (a ``` line of the file without its leading space?); "
            "the diff is not applied in part"
        )
    if diffs:
        return _diff_blocks(task, rel, root, diffs)
    if doc.range is None:
        replaced = doc.text
    else:
        start = offset_of(doc.text, doc.range.start.line, doc.range.start.character)
        end = offset_of(doc.text, doc.range.end.line, doc.range.end.character)
        replaced = doc.text[start:end]
    code = blocks[0][1]
    if len(blocks) > 1:
        tagged = [b for tag, b in blocks if tag_matches(tag, task.language)]
        chosen = tagged[0] if len(tagged) == 1 else _the_edit(tagged or _codes(blocks), replaced)
        if chosen is None:
            raise ParseError(f"the reply holds {len(blocks)} code blocks; expected one")
        code = chosen
    code = without_path_comment(code, rel, replaced)
    # the fence's own line end goes; the code's line ends become the file's own
    newline = line_end(doc.text)
    code = with_line_ends(code.removesuffix("\n"), newline)
    bom = BOM if doc.text.startswith(BOM) else ""
    if doc.range is None:
        if not sent_whole:
            raise ParseError(
                f"the reply replaces all of {rel}, but the file was too large to be sent whole; "
                "SEARCH/REPLACE blocks were asked for"
            )
        keeps_no_newline = doc.text.removeprefix(BOM) and not doc.text.endswith("\n")
        new_text = code if code.endswith("\n") or keeps_no_newline else code + newline
        new_text = bom + new_text.removeprefix(BOM)  # the file's byte-order mark stays
        _guard(task, rel, root, {rel: new_text})
        return Edit(files={rel: new_text}, replacement=code, bases={rel: doc.text})
    a = offset_of(doc.text, doc.range.start.line, doc.range.start.character)
    b = offset_of(doc.text, doc.range.end.line, doc.range.end.character)
    if a == 0 and bom:
        a, b = 1, max(b, 1)  # the byte-order mark is no part of the selected code
        code = code.removeprefix(BOM)
    code = with_line_ends(fit_to_selection(doc.text, a, b, code), newline)
    old = doc.text[a:b]
    if old.endswith("\n") and not code.endswith("\n"):
        # a reply replacing whole lines ends its last line; an empty one deletes the lines
        if code or not _line_start(doc.text, a, bom):
            code += newline
    elif not old and code and not code.endswith("\n") and _at_line_start(doc.text, a, bom):
        # code inserted at a cursor at the start of a line (or of the file's last, empty
        # line) is whole lines: it ends its own line instead of joining that line
        code += newline
    new_text = doc.text[:a] + code + doc.text[b:]
    _guard(task, rel, root, {rel: new_text})
    return Edit(files={rel: new_text}, replacement=code, bases={rel: doc.text})


def _codes(blocks: list[tuple[str, str]]) -> list[str]:
    return [code for _, code in blocks]


def _the_edit(codes: list[str], replaced: str) -> str | None:
    """Of several blocks, the one that is the edit, when one plainly is: the file (or the
    selection) rewritten, the others a usage example or a test of it.  It holds at least
    half of the code lines of the text it replaces, at least three times as many of them
    as any other block does, and is not that text unchanged (a "before" block).
    Otherwise none: "before" and "after" blocks, or two pieces meant for two places, are
    not guessed at."""

    def lines(text: str) -> set[str]:
        return {s for line in document_lines(text) if _WORD.search(s := line.strip())}

    old = lines(replaced)
    shared = sorted(((len(lines(c) & old), i) for i, c in enumerate(codes)), reverse=True)
    (best, at), (second, _) = shared[0], shared[1]
    if (
        not best
        or 2 * best < len(old)
        or 3 * second > best
        or codes[at].strip() == replaced.strip()
    ):
        return None
    return codes[at]


def _line_start(text: str, at: int, bom: str) -> bool:
    """Whether ``at`` is the start of a line (after the byte-order mark on the first)."""
    return at == len(bom) or text[at - 1] in "\n\r"


def _at_line_start(text: str, at: int, bom: str) -> bool:
    """Whether ``at`` starts a line that holds something, or the file's empty last line
    (code put on an empty line ends at that line's own end)."""
    return _line_start(text, at, bom) and (at == len(text) or text[at] not in "\n\r")


def _diff_blocks(task: Task, rel: str, root: Path, diffs: list[str]) -> Edit:
    """Every ```diff block of the reply, in order, each applied to what the earlier ones
    made (a block may change a file an earlier one changed); one that does not apply makes
    the whole reply unusable.  A block repeated word for word is applied once."""
    from acrouter.verifier import apply_diff_texts

    doc = task.document
    assert doc is not None
    diffs = [_with_headers(d, rel) for d in dict.fromkeys(diffs)]
    news: dict[str, str] = {}
    bases: dict[str, str | None] = {}  # as read before any block: None = did not exist
    for n, diff in enumerate(diffs, 1):
        # the texts made so far win over the buffer (a later override of a path wins)
        overrides = {
            **{str(root / k): v for k, v in task.buffers.items()},  # the unsaved buffers
            doc.path: doc.text,
            **{str(root / k): v for k, v in news.items()},
        }
        read: dict[str, str | None] = {}
        try:
            news.update(apply_diff_texts(root, diff, overrides=overrides, read=read, own=rel))
        except VerifyError as exc:
            which = f"diff block {n} of {len(diffs)}" if len(diffs) > 1 else "the diff"
            raise ParseError(f"{which} does not apply: {exc}") from None
        for k, v in read.items():
            bases.setdefault(k, v)
    _guard(task, rel, root, news)
    return Edit(files=news, bases=bases)


def _as_diff(block: Block, rel: str) -> Block:
    """A block that holds a unified diff whatever its tag (```` ``` ````, ```` ```python
    ````) is read as one: as a whole file or a selection it would put the diff's own
    lines into the code.  Not for a ``.diff`` or ``.patch`` file, whose text is a diff."""
    if block.tag in DIFF_TAGS or rel.endswith((".diff", ".patch")):
        return block
    return attrs.evolve(block, tag="diff") if looks_like_diff(block.code) else block


def _with_headers(diff: str, rel: str) -> str:
    """A diff whose first hunk comes before any ``---``/``+++`` header (``@@ -4,2 +4,2
    @@`` and its lines, as models often answer about the request's file) is a diff of
    the request's file."""
    for line in document_lines(diff):
        if line.startswith(("--- ", "diff --git ")):
            return diff
        if HUNK_START.match(line):
            return f"--- a/{rel}\n+++ b/{rel}\n{diff}"
    return diff


def _search_replace(task: Task, reply: str, rel: str, root: Path) -> Edit:
    from acrouter.verifier import resolve_edit_path

    doc = task.document
    assert doc is not None
    blocks = parse_search_replace(reply)
    texts: dict[str, SearchReplaceText] = {}  # each file as the blocks so far made it
    olds: dict[str, str] = {}
    bases: dict[str, str | None] = {}  # as read: None for a file that does not exist
    for n, block in enumerate(blocks, 1):
        target = _target(block.path, rel, root, any(line.strip() for line in block.search))
        if target not in texts:
            current: str | None = doc.text
            if target != rel:
                try:
                    resolve_edit_path(root, target)
                except VerifyError as exc:
                    raise ParseError(f"block {n}: {exc}") from None
                try:  # as the editor shows it: an unsaved buffer, else the file
                    current = workspace_text(task, target)
                except (OSError, UnicodeDecodeError) as exc:
                    raise ParseError(f"block {n}: cannot read {target}: {exc}") from None
            if current is None and any(line.strip() for line in block.search):
                raise ParseError(
                    f"block {n} ({target}): no such file in the workspace (paths are "
                    f"relative to its folder, {root.name}/; an empty SEARCH part creates a "
                    "new file)"
                )
            bases[target] = current
            olds[target] = current or ""
            texts[target] = SearchReplaceText(olds[target])
        texts[target].apply(block, f"block {n} ({target})")
    news = {k: v.text() for k, v in texts.items()}
    changed = {k: v for k, v in news.items() if v != olds[k]}
    if not changed:
        raise ParseError("the SEARCH/REPLACE blocks change nothing")
    _guard(task, rel, root, changed, olds)
    return Edit(files=changed, bases={k: bases[k] for k in changed})


def _target(path: str | None, rel: str, root: Path, existing: bool = True) -> str:
    """The workspace-relative path a block's ``path`` names (None: the request's file
    ``rel``); ``existing``: the block changes a file that exists (a SEARCH part), so a
    monorepo's path to one of the workspace's files names it (``within_workspace``)."""
    if path is None:
        return rel
    p = path.strip().replace("\\", "/")  # pkg\\calc.py is pkg/calc.py (as the verifier reads it)
    while p.startswith("./"):
        p = p[2:]
    if Path(p).is_absolute():
        try:
            p = str(Path(p).resolve().relative_to(root.resolve()))
        except ValueError:
            raise ParseError(f"the reply edits {path}, which is outside the workspace") from None
    from acrouter.verifier import names_request_file, within_workspace

    if p == rel or names_request_file(p, rel, root):
        return rel
    return (within_workspace(p, root) if existing else None) or p


def _guard(
    task: Task,
    rel: str,
    root: Path,
    news: dict[str, str],
    olds: dict[str, str] | None = None,
) -> None:
    doc = task.document
    assert doc is not None
    before: dict[str, str] = dict(olds or {})
    for name in news:
        if name in before:
            continue
        if name == rel:
            before[name] = doc.text
        else:
            try:
                before[name] = workspace_text(task, name) or ""
            except (OSError, UnicodeDecodeError):
                before[name] = ""
    exempt = {}
    if doc.range is not None:
        exempt[rel] = (
            doc.range.start.line,
            doc.range.end.line
            - (
                1
                if doc.range.end.character == 0 and doc.range.end.line > doc.range.start.line
                else 0
            ),
        )

    def language_of(name: str) -> str | None:
        return task.language if name == rel else None

    guard(before, news, language_of=language_of, instruction=task.text, exempt=exempt)
