"""Task -> chat messages; model reply -> Edit.

A reply with one fenced code block replaces the selected range (or the whole file when
nothing was selected).  A reply holding a unified diff (a ```diff block) is accepted
too and handed to the verifier as a diff.
"""

from __future__ import annotations

import re
from pathlib import Path

from .context import offset_of, selected_text
from .domain import Completion, Edit, Task
from .errors import ParseError

MAX_CONTEXT_CHARS = 24_000

SYSTEM = (
    "You are a careful senior software engineer working inside the user's editor. "
    "Follow the instruction exactly. Reply with exactly ONE fenced code block and nothing "
    "else of substance: if code is selected, the block replaces the selection (keep its "
    "indentation); otherwise the block is the complete new content of the file. "
    "Do not elide code with comments like '...'."
)

_FENCE = re.compile(r"```([^\n`]*)\n(.*?)(?:\n)?```", re.DOTALL)


def _rel(task: Task) -> str:
    assert task.document is not None
    if task.workspace:
        try:
            return str(Path(task.document.path).resolve().relative_to(Path(task.workspace).resolve()))
        except ValueError:
            pass
    return Path(task.document.path).name


class ChatPrompts:
    """The real prompt builder and reply parser used by the editor and the CLI."""

    def messages(self, task: Task) -> list[dict[str, str]]:
        doc = task.document
        if doc is None:
            return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": task.text}]
        lang = task.language or ""
        text = doc.text
        if len(text) > MAX_CONTEXT_CHARS:
            text = text[:MAX_CONTEXT_CHARS] + "\n[... file truncated ...]\n"
        parts = [f"File: {_rel(task)}", f"```{lang}\n{text}\n```"]
        sel = selected_text(doc)
        if doc.range is not None:
            r = doc.range
            parts.append(
                f"Selected lines {r.start.line + 1}-{r.end.line + 1} (replace exactly this part):\n```{lang}\n{sel}\n```"
            )
        else:
            parts.append("No selection: reply with the complete new file.")
        parts.append(f"Instruction: {task.text}")
        return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": "\n\n".join(parts)}]

    def parse(self, task: Task, completion: Completion) -> Edit:
        reply = completion.text or ""
        blocks = _FENCE.findall(reply)
        if not blocks:
            raise ParseError("the reply holds no fenced code block")
        diffs = [b for tag, b in blocks if tag.strip().lower() in ("diff", "patch")]
        if diffs:
            return Edit(files={}, diff=diffs[0] + "\n")
        if len(blocks) > 1:
            lang = (task.language or "").lower()
            tagged = [b for tag, b in blocks if tag.strip().lower() == lang]
            if len(tagged) != 1:
                raise ParseError(f"the reply holds {len(blocks)} code blocks; expected one")
            code = tagged[0]
        else:
            code = blocks[0][1]
        doc = task.document
        if doc is None:
            raise ParseError("no document to edit")
        if doc.range is None:
            new_text = code if code.endswith("\n") or not doc.text.endswith("\n") else code + "\n"
        else:
            a = offset_of(doc.text, doc.range.start.line, doc.range.start.character)
            b = offset_of(doc.text, doc.range.end.line, doc.range.end.character)
            old = doc.text[a:b]
            if old.endswith("\n") and not code.endswith("\n"):
                code += "\n"
            new_text = doc.text[:a] + code + doc.text[b:]
        return Edit(files={_rel(task): new_text}, replacement=code)
