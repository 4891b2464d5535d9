"""Task -> chat messages, within a budget taken from the model's context window; and
``ChatPrompts``, the product's prompt builder and reply parser (``domain.Prompts``).

The user message holds, in this order: the file (whole, or an outline and excerpts,
see ``excerpt``), the selection, the test files that cover the file, the tests' state
before the edit and the feedback of failed attempts (see ``feedback``), the
instruction, and the edit format to answer in.
"""

from __future__ import annotations

from pathlib import Path

from acrouter.context import covering_tests, selected_text
from acrouter.domain import Completion, Document, Edit, PromptContext, Task, document_lines

from .excerpt import outline, rel_path, wanted_lines
from .feedback import render_baseline, render_feedback
from .fences import fence_for
from .parse import parse_reply

#: Characters per token assumed when turning a token budget into text (conservative).
CHARS_PER_TOKEN = 3.0
#: Share of the context window the prompt may fill; the rest is left for the reply.
PROMPT_SHARE = 0.6
MAX_TEST_FILES = 3

SYSTEM = (
    "You are a careful senior software engineer working inside the user's editor. "
    "Follow the instruction exactly and change nothing else: never remove code the "
    "instruction does not ask to remove. Your edit is verified by running the project's tests."
)

FORMAT_SEARCH_REPLACE = """\
Reply with SEARCH/REPLACE blocks, each in exactly this form:

{path}
{fence}{lang}
<<<<<<< SEARCH
the exact existing lines to change, copied from the file with their indentation
=======
the new lines
>>>>>>> REPLACE
{fence}

The SEARCH part must match existing lines of the file exactly and only once: include
enough lines to make it unique, and nothing more. Use several blocks for several
changes; a block may name another file of the workspace (an empty SEARCH part creates
a new file). Do not elide code with comments like '...'. When code you write holds
lines of ``` (three backticks), fence it with more backticks than any of its lines
holds (````)."""

FORMAT_SELECTION = (
    "Reply with exactly ONE fenced code block that replaces the selection (keep its "
    "indentation; an empty block deletes it). Do not elide code with comments like '...'. When the code holds lines of "
    "``` (three backticks), fence it with more backticks than any of its lines holds (````)."
)


def _selection_heading(doc: Document) -> str:
    """Which lines the selection holds, as the user sees them: a selection ending at the
    start of a line does not hold that line; one inside a line is a part of it."""
    r = doc.range
    assert r is not None
    if r.start == r.end:
        return (
            f"Nothing is selected: the cursor is at line {r.start.line + 1}, column "
            f"{r.start.character + 1} (your code is inserted there; reply with the new code only)"
        )
    last = r.end.line - (1 if r.end.character == 0 and r.end.line > r.start.line else 0)
    line = document_lines(doc.text)[r.start.line] if r.start.line == r.end.line else ""
    if r.start.line == r.end.line and (r.start.character > 0 or r.end.character < len(line)):
        return (
            f"Selected text, a part of line {r.start.line + 1} (replace exactly this text, "
            "not the whole line)"
        )
    return f"Selected lines {r.start.line + 1}-{last + 1} (replace exactly this part)"


class ChatPrompts:
    """The real prompt builder and reply parser used by the editor and the CLI."""

    # ------------------------------------------------------------------ budget
    @staticmethod
    def budget_chars(context: PromptContext) -> int:
        return int(max(2_000, context.budget_tokens) * CHARS_PER_TOKEN * PROMPT_SHARE)

    def _file_budget(self, task: Task, context: PromptContext) -> int:
        fixed = (
            len(SYSTEM)
            + len(FORMAT_SEARCH_REPLACE)
            + len(task.text)
            + len(render_baseline(context.baseline))
            + len(render_feedback(context.feedback))
            + 400
        )
        return max(1_000, self.budget_chars(context) - fixed)

    def file_sent_whole(self, task: Task, context: PromptContext) -> bool:
        """Whether the prompt holds the whole file (only then may a reply replace it whole)."""
        doc = task.document
        return doc is not None and len(doc.text) <= int(self._file_budget(task, context) * 0.7)

    # ------------------------------------------------------------------ messages
    def messages(self, task: Task, context: PromptContext | None = None) -> list[dict[str, str]]:
        context = context or PromptContext()
        doc = task.document
        if doc is None:
            return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": task.text}]
        lang = task.language or ""
        rel = rel_path(task)
        text = doc.text
        n_lines = len(document_lines(text))
        budget = self._file_budget(task, context)
        parts: list[str] = []
        fence = fence_for(text)  # longer than any run of backticks in the file
        if self.file_sent_whole(task, context):
            parts.append(
                f"File: {rel} ({n_lines} lines)\n{fence}{lang}\n{text}{'' if text.endswith(chr(10)) or not text else chr(10)}{fence}"
            )
            used = len(text)
        else:
            file_share = int(budget * 0.6)
            out = outline(text, doc.path, task.language, file_share // 4)
            lines = document_lines(text, keepends=True)
            shown = []
            for a, b in wanted_lines(task, context, file_share - len(out)):
                shown.append(
                    f"Lines {a + 1}-{b} of {rel}:\n{fence}{lang}\n{''.join(lines[a:b]).rstrip(chr(10))}\n{fence}"
                )
            parts.append(
                f"File: {rel} ({n_lines} lines, {len(text):,} characters: too large to show whole). "
                "Its top-level definitions (line: first line):\n" + out
            )
            parts.extend(shown)
            parts.append(
                "Only the parts above are shown: SEARCH texts must come from them. "
                "Do not reply with the whole file."
            )
            used = file_share
        if doc.range is not None:
            parts.append(
                f"{_selection_heading(doc)}:\n{fence}{lang}\n{selected_text(doc)}\n{fence}"
            )
        parts.extend(self._tests(task, budget - used))
        for section in (render_baseline(context.baseline), render_feedback(context.feedback)):
            if section:
                parts.append(section)
        parts.append(f"Instruction: {task.text}")
        if doc.range is not None:
            parts.append(FORMAT_SELECTION)
        else:
            parts.append(FORMAT_SEARCH_REPLACE.format(path=rel, lang=lang, fence=fence))
        return [
            {"role": "system", "content": SYSTEM},
            {"role": "user", "content": "\n\n".join(parts)},
        ]

    def _tests(self, task: Task, budget: int) -> list[str]:
        doc = task.document
        if doc is None or not task.workspace or budget < 500:
            return []
        root = Path(task.workspace)
        out: list[str] = []
        for rel in covering_tests(root, Path(doc.path), limit=MAX_TEST_FILES):
            unsaved = task.buffers.get(Path(rel).as_posix())  # as the editor shows it
            try:
                text = (
                    unsaved
                    if unsaved is not None
                    else (root / rel).read_text(encoding="utf-8", errors="replace")
                )
            except OSError:
                continue
            room = budget - 200
            if room < 300:
                break
            if len(text) > room:
                text = (
                    text[:room].rsplit("\n", 1)[0] + "\n[... rest of the test file not shown ...]"
                )
            fence = fence_for(text)
            block = f"Test file {rel} (covers this file):\n{fence}\n{text.rstrip(chr(10))}\n{fence}"
            out.append(block)
            budget -= len(block)
        return out

    # ------------------------------------------------------------------ parsing
    def parse(
        self, task: Task, completion: Completion, context: PromptContext | None = None
    ) -> Edit:
        context = context or PromptContext()
        return parse_reply(task, completion.text or "", self.file_sent_whole(task, context))
