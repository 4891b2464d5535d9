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

Modules: ``messages`` (``ChatPrompts``, the budget, the order of the sections),
``excerpt`` (the file: outline and excerpts when it is too large), ``feedback`` (the
tests before the edit, why earlier attempts failed), ``parse`` (reply -> Edit),
``fences`` (fenced blocks in a reply; a fence for code that holds fence lines).
"""

from .excerpt import outline
from .feedback import BASELINE_CHARS, FEEDBACK_CHARS, render_baseline, render_feedback
from .messages import (
    CHARS_PER_TOKEN,
    FORMAT_SEARCH_REPLACE,
    FORMAT_SELECTION,
    MAX_TEST_FILES,
    PROMPT_SHARE,
    SYSTEM,
    ChatPrompts,
)
from .parse import parse_reply

__all__ = [
    "BASELINE_CHARS",
    "CHARS_PER_TOKEN",
    "FEEDBACK_CHARS",
    "FORMAT_SEARCH_REPLACE",
    "FORMAT_SELECTION",
    "MAX_TEST_FILES",
    "PROMPT_SHARE",
    "SYSTEM",
    "ChatPrompts",
    "outline",
    "parse_reply",
    "render_baseline",
    "render_feedback",
]
