"""Task -> chat messages; model reply -> Edit.

What the model sees (README, "What the model sees"), within a budget taken from the
model's context window:

- the file: whole when it fits, else an outline of its top-level definitions plus the
  region around the selection (or the definitions the instruction and the failing
  tests name);
- the tests that cover the file (test files named after it or importing it);
- when tests fail before the edit, their ids and first assertion lines;
- after a failed attempt, why it failed (verdict, failing tests; never its code);
- the instruction, and the edit format to answer in.

File-level requests ask for SEARCH/REPLACE blocks (see ``edits``); a selection asks for
one fenced block that replaces it.  Unified diffs are accepted too.  A reply that
replaces the whole file is accepted only when the file was sent whole, and no reply
may drop top-level definitions or imports the instruction did not ask to remove.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from .context import covering_tests, offset_of, selected_text
from .domain import Baseline, Completion, Edit, Feedback, PromptContext, Task, TestFailure
from .edits import (
    apply_search_replace,
    definitions,
    guard,
    has_search_replace,
    parse_search_replace,
)
from .errors import ParseError, VerifyError

#: Characters per token assumed when turning a token budget into text (conservative).
CHARS_PER_TOKEN = 3.0
#: Share of the context window the prompt may fill; the rest is left for the reply.
PROMPT_SHARE = 0.6
#: Bounds of the feedback and baseline sections (characters).
FEEDBACK_CHARS = 2_000
BASELINE_CHARS = 2_000
MAX_TEST_FILES = 3

SYSTEM = (
    "You are a careful senior software engineer working inside the user's editor. "
    "Follow the instruction exactly and change nothing else: never remove code the "
    "instruction does not ask to remove. Your edit is verified by running the project's tests."
)

FORMAT_SEARCH_REPLACE = """\
Reply with SEARCH/REPLACE blocks, each in exactly this form:

{path}
```{lang}
<<<<<<< SEARCH
the exact existing lines to change, copied from the file with their indentation
=======
the new lines
>>>>>>> REPLACE
```

The SEARCH part must match existing lines of the file exactly and only once: include
enough lines to make it unique, and nothing more. Use several blocks for several
changes; a block may name another file of the workspace (an empty SEARCH part creates
a new file). Do not elide code with comments like '...'."""

FORMAT_SELECTION = (
    "Reply with exactly ONE fenced code block that replaces the selected lines (keep their "
    "indentation). Do not elide code with comments like '...'."
)

_FENCE = re.compile(r"```([^\n`]*)\n(.*?)(?:\n)?```", re.DOTALL)


def _rel(task: Task) -> str:
    assert task.document is not None
    if task.workspace:
        try:
            return str(
                Path(task.document.path).resolve().relative_to(Path(task.workspace).resolve())
            )
        except ValueError:
            pass
    return Path(task.document.path).name


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(0, limit - 20)].rstrip() + " [... cut ...]"


def _failure_lines(failures: Sequence[TestFailure], limit: int) -> list[str]:
    out: list[str] = []
    used = 0
    for f in failures:
        line = f"- {f.test_id}" + (f": {f.message}" if f.message else "")
        line = _cut(line, 300)
        if used + len(line) > limit:
            out.append(f"- ... and {len(failures) - len(out)} more")
            break
        out.append(line)
        used += len(line) + 1
    return out


def render_baseline(baseline: Baseline | None) -> str:
    """The tests' state before the edit, or "" when there is nothing to say."""
    if baseline is None or baseline.command is None:
        return ""
    if baseline.failures:
        head = (
            f"Before the edit, {len(baseline.failures) if baseline.tests_failed is None else baseline.tests_failed} "
            f"test(s) fail (test command: {baseline.command}):"
        )
        body = "\n".join(_failure_lines(baseline.failures, BASELINE_CHARS - len(head)))
        return _cut(f"{head}\n{body}", BASELINE_CHARS)
    if baseline.tests_passed is not None:
        return f"Before the edit, all {baseline.tests_passed} tests pass (test command: {baseline.command})."
    return f"Test command: {baseline.command} ({baseline.detail})." if baseline.detail else ""


def render_feedback(feedback: Sequence[Feedback]) -> str:
    """Why the earlier attempts failed, at most ``FEEDBACK_CHARS`` characters."""
    if not feedback:
        return ""
    head = "Earlier attempts at this request failed (their code is not shown). Do better:"
    parts = [head]
    budget = FEEDBACK_CHARS - len(head) - 1
    per = max(200, budget // len(feedback))
    for i, note in enumerate(feedback, 1):
        lines = [_cut(f"Attempt {i}: {note.verdict}: {note.detail}", min(per, 600))]
        lines += _failure_lines(note.failures, max(0, per - len(lines[0])))
        parts.append(_cut("\n".join(lines), per))
    return _cut("\n".join(parts), FEEDBACK_CHARS)


# --------------------------------------------------------------------------- the file


def outline(text: str, path: str, language: str | None, limit: int) -> str:
    """Top-level definitions with 1-based line numbers, at most ``limit`` characters."""
    rows: list[str] = []
    used = 0
    defs = definitions(text, path, language)
    for d in defs:
        row = f"{d.line + 1:>6}: {_cut(d.header, 160)}"
        if used + len(row) > limit:
            rows.append(f"   ... and {len(defs) - len(rows)} more")
            break
        rows.append(row)
        used += len(row) + 1
    return "\n".join(rows)


def _chunks(text: str, path: str, language: str | None) -> list[tuple[int, int, str]]:
    """(first line, end line exclusive, name) of each top-level definition's lines."""
    n = len(text.splitlines())
    starts = sorted({d.line: d.name for d in definitions(text, path, language)}.items())
    out = []
    for i, (line, name) in enumerate(starts):
        end = starts[i + 1][0] if i + 1 < len(starts) else n
        out.append((line, end, name))
    if starts and starts[0][0] > 0:
        out.insert(0, (0, starts[0][0], ""))
    return out


def _wanted_lines(task: Task, context: PromptContext, limit: int) -> list[tuple[int, int]]:
    """Line ranges (0-based, end exclusive) of a large file worth showing, within ``limit``."""
    doc = task.document
    assert doc is not None
    lines = doc.text.splitlines(keepends=True)
    sizes = [len(x) for x in lines]

    def cost(a: int, b: int) -> int:
        return sum(sizes[a:b]) + 40

    if doc.range is not None:  # the selection, then grow around it
        a, b = doc.range.start.line, min(len(lines), doc.range.end.line + 1)
        while True:
            grown = False
            if a > 0 and cost(a - 1, b) <= limit:
                a -= 1
                grown = True
            if b < len(lines) and cost(a, b + 1) <= limit:
                b += 1
                grown = True
            if not grown:
                break
        return [(a, b)]
    mentioned = (
        task.text
        + "\n"
        + "\n".join(
            f"{f.test_id} {f.message}"
            for f in (context.baseline.failures if context.baseline else ())
        )
    )
    for note in context.feedback:
        mentioned += (
            "\n" + note.detail + "\n" + "\n".join(f"{f.test_id} {f.message}" for f in note.failures)
        )
    words = set(re.findall(r"[A-Za-z_$][\w$]*", mentioned))
    chunks = _chunks(doc.text, doc.path, task.language)
    picked: list[tuple[int, int]] = []
    used = 0
    relevant = [c for c in chunks if c[2] and c[2].split()[-1] in words]
    for a, b, _name in relevant + [c for c in chunks if c not in relevant]:
        c = cost(a, b)
        if used + c > limit:
            continue
        picked.append((a, b))
        used += c
    if not picked and lines:  # one huge definition: its beginning
        b = 0
        while b < len(lines) and cost(0, b + 1) <= limit:
            b += 1
        picked = [(0, max(b, 1))]
    merged: list[tuple[int, int]] = []
    for a, b in sorted(picked):  # adjacent definitions form one excerpt
        if merged and merged[-1][1] == a:
            merged[-1] = (merged[-1][0], b)
        else:
            merged.append((a, b))
    return merged


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
        rel = _rel(task)
        text = doc.text
        n_lines = len(text.splitlines())
        budget = self._file_budget(task, context)
        parts: list[str] = []
        if self.file_sent_whole(task, context):
            parts.append(
                f"File: {rel} ({n_lines} lines)\n```{lang}\n{text}{'' if text.endswith(chr(10)) or not text else chr(10)}```"
            )
            used = len(text)
        else:
            file_share = int(budget * 0.6)
            out = outline(text, doc.path, task.language, file_share // 4)
            lines = text.splitlines(keepends=True)
            shown = []
            for a, b in _wanted_lines(task, context, file_share - len(out)):
                shown.append(
                    f"Lines {a + 1}-{b} of {rel}:\n```{lang}\n{''.join(lines[a:b]).rstrip(chr(10))}\n```"
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
            r = doc.range
            parts.append(
                f"Selected lines {r.start.line + 1}-{r.end.line + 1} (replace exactly this part):\n"
                f"```{lang}\n{selected_text(doc)}\n```"
            )
        parts.extend(self._tests(task, budget - used))
        for section in (render_baseline(context.baseline), render_feedback(context.feedback)):
            if section:
                parts.append(section)
        parts.append(f"Instruction: {task.text}")
        if doc.range is not None:
            parts.append(FORMAT_SELECTION)
        else:
            parts.append(FORMAT_SEARCH_REPLACE.format(path=rel, lang=lang))
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
            try:
                text = (root / rel).read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            room = budget - 200
            if room < 300:
                break
            if len(text) > room:
                text = (
                    text[:room].rsplit("\n", 1)[0] + "\n[... rest of the test file not shown ...]"
                )
            block = f"Test file {rel} (covers this file):\n```\n{text.rstrip(chr(10))}\n```"
            out.append(block)
            budget -= len(block)
        return out

    # ------------------------------------------------------------------ parsing
    def parse(
        self, task: Task, completion: Completion, context: PromptContext | None = None
    ) -> Edit:
        context = context or PromptContext()
        reply = completion.text or ""
        doc = task.document
        if doc is None:
            raise ParseError("no document to edit")
        rel = _rel(task)
        root = Path(task.workspace) if task.workspace else Path(doc.path).parent
        if has_search_replace(reply):
            return self._search_replace(task, reply, rel, root)
        blocks = _FENCE.findall(reply)
        if not blocks:
            raise ParseError(
                "the reply holds neither SEARCH/REPLACE blocks nor a fenced code block"
            )
        diffs = [b for tag, b in blocks if tag.strip().lower() in ("diff", "patch")]
        if diffs:
            from .verifier import apply_diff_texts

            try:
                news = apply_diff_texts(root, diffs[0] + "\n", overrides={doc.path: doc.text})
            except VerifyError as exc:
                raise ParseError(f"the diff does not apply: {exc}") from None
            self._guard(task, rel, root, news)
            return Edit(files=news)
        if len(blocks) > 1:
            lang = (task.language or "").lower()
            tagged = [b for tag, b in blocks if tag.strip().lower() == lang]
            if len(tagged) != 1:
                raise ParseError(f"the reply holds {len(blocks)} code blocks; expected one")
            code = tagged[0]
        else:
            code = blocks[0][1]
        if doc.range is None:
            if not self.file_sent_whole(task, context):
                raise ParseError(
                    f"the reply replaces all of {rel}, but the file was too large to be sent whole; "
                    "SEARCH/REPLACE blocks were asked for"
                )
            new_text = code if code.endswith("\n") or not doc.text.endswith("\n") else code + "\n"
            self._guard(task, rel, root, {rel: new_text})
            return Edit(files={rel: new_text}, replacement=code)
        a = offset_of(doc.text, doc.range.start.line, doc.range.start.character)
        b = offset_of(doc.text, doc.range.end.line, doc.range.end.character)
        old = doc.text[a:b]
        if old.endswith("\n") and not code.endswith("\n"):
            code += "\n"
        new_text = doc.text[:a] + code + doc.text[b:]
        self._guard(task, rel, root, {rel: new_text})
        return Edit(files={rel: new_text}, replacement=code)

    def _search_replace(self, task: Task, reply: str, rel: str, root: Path) -> Edit:
        from .verifier import resolve_edit_path

        doc = task.document
        assert doc is not None
        blocks = parse_search_replace(reply)
        texts: dict[str, str] = {}
        olds: dict[str, str] = {}
        for n, block in enumerate(blocks, 1):
            target = self._target(block.path, rel, root)
            if target not in texts:
                if target == rel:
                    current = doc.text
                else:
                    try:
                        path = resolve_edit_path(root, target)
                    except VerifyError as exc:
                        raise ParseError(f"block {n}: {exc}") from None
                    try:
                        current = path.read_text(encoding="utf-8") if path.is_file() else ""
                    except (OSError, UnicodeDecodeError) as exc:
                        raise ParseError(f"block {n}: cannot read {target}: {exc}") from None
                olds[target] = current
                texts[target] = current
            texts[target] = apply_search_replace(texts[target], block, f"block {n} ({target})")
        changed = {k: v for k, v in texts.items() if v != olds[k]}
        if not changed:
            raise ParseError("the SEARCH/REPLACE blocks change nothing")
        self._guard(task, rel, root, changed, olds)
        return Edit(files=changed)

    @staticmethod
    def _target(path: str | None, rel: str, root: Path) -> str:
        if path is None:
            return rel
        p = path.strip()
        while p.startswith("./"):
            p = p[2:]
        if Path(p).is_absolute():
            try:
                p = str(Path(p).resolve().relative_to(root.resolve()))
            except ValueError:
                raise ParseError(
                    f"the reply edits {path}, which is outside the workspace"
                ) from None
        if p == rel:
            return rel
        if Path(p).name == Path(rel).name and not (root / p).exists():
            return rel  # the model shortened the request's own file path
        return p

    def _guard(
        self,
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
                path = root / name
                try:
                    before[name] = path.read_text(encoding="utf-8") if path.is_file() else ""
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
