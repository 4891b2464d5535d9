"""What the model is told about the tests: how they stand before the edit (the
pre-flight baseline) and why earlier attempts at the request failed (their verdict,
detail and failing tests; never their code).  Both sections are bounded.
"""

from __future__ import annotations

from collections.abc import Sequence

from acrouter.domain import Baseline, Feedback, TestFailure

from .excerpt import cut

#: Bounds of the feedback and baseline sections (characters).
FEEDBACK_CHARS = 2_000
BASELINE_CHARS = 2_000


def _failure_lines(failures: Sequence[TestFailure], limit: int) -> list[str]:
    out: list[str] = []
    used = 0
    for f in failures:
        line = f"- {f.test_id}" + (f": {f.message}" if f.message else "")
        line = cut(line, 300)
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
        return cut(f"{head}\n{body}", BASELINE_CHARS)
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
        lines = [cut(f"Attempt {i}: {note.verdict}: {note.detail}", min(per, 600))]
        lines += _failure_lines(note.failures, max(0, per - len(lines[0])))
        parts.append(cut("\n".join(lines), per))
    return cut("\n".join(parts), FEEDBACK_CHARS)
