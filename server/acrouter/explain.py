"""Turn a request's decisions and attempts into the markdown ``why`` users see."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal

from .domain import Attempt, Decision, Task


def fmt_usd(cost: float | None, unknown: str = "cost unknown") -> str:
    """The one way a cost is shown: "$0", "<$0.0001", "$0.0021", "$1.23" (half up, like the
    client's formatCost; tests/fixtures/shared-constants.json holds the cases both pass)."""
    if cost is None or not math.isfinite(cost):
        return unknown
    if cost == 0:
        return "$0"
    if cost < 0.0001:
        return "<$0.0001"
    step = Decimal("0.0001") if cost < 1 else Decimal("0.01")
    return f"${Decimal(cost).quantize(step, rounding=ROUND_HALF_UP)}"


#: Detail prefixes of set-up failures, dropped when the why names the reason.
_SETUP_PREFIXES = ("auth: ", "budget: ", "unreachable: ", "config: ", "verifier: ", "cancelled: ")
#: Why a pass is not counted: its tests never reached the edit (``verifier.lines_idle``).
IDLE_REASON = (
    "its edit passed, but the tests passed before it too and ran none of the code it "
    "changes, so the pass says nothing about the model"
)
#: Detail prefixes of the provider's passing trouble (``domain.TRANSIENT_KINDS``).
_PASSING_PREFIXES = ("unavailable: ", "rate_limited: ", "timeout: ")


def passing(attempt: Attempt) -> bool:
    """A failure on the provider's passing trouble, not counted against the model."""
    return not attempt.counted and attempt.detail.startswith(_PASSING_PREFIXES)


def passing_reason(detail: str, short: bool = False) -> str:
    """The provider's passing trouble in words: 'provider error 503 Service Unavailable:
    The engine is currently overloaded.', 'rate limited (429 after one retry)', 'no reply
    within 120 s'; ``short``: without the provider's message ('provider error 503
    Service Unavailable', 'rate limited')."""
    if detail.startswith("rate_limited: "):
        return "rate limited" if short else f"rate limited ({detail[len('rate_limited: ') :]})"
    for prefix in _PASSING_PREFIXES:
        detail = detail.removeprefix(prefix)
    return detail.split(": ", 1)[0].split(" (", 1)[0] if short else detail


def idle_pass(attempt: Attempt) -> bool:
    """A pass not counted: its tests passed before the edit too and never reached the
    code it changes (``verifier.lines_idle``); its detail says it is not learned."""
    return not attempt.counted and attempt.verdict == "pass"


def setup_reason(attempt: Attempt) -> str:
    """Why an attempt that is not counted says nothing about its model, in words for the
    user ("the gateway rejected the key (...)", "cannot reach http://...", "provider
    error 503 ... (a passing failure)")."""
    detail = attempt.detail.strip()
    if idle_pass(attempt):
        return IDLE_REASON
    if passing(attempt):
        return f"{passing_reason(detail)} (the provider's passing trouble)"
    for prefix in _SETUP_PREFIXES:
        if detail.startswith(prefix):
            detail = detail[len(prefix) :]
            break
    return detail or "a set-up failure"


def not_held(attempt: Attempt) -> str:
    """'not held against cheap: the gateway rejected the key (...)'; for the provider's
    passing trouble 'provider error 503 ... — not counted against cheap: ...'."""
    if passing(attempt):
        return (
            f"{passing_reason(attempt.detail)} — not counted against {attempt.model}: the "
            "provider's passing trouble; the model cools down for a while instead"
        )
    if idle_pass(attempt):
        return f"not learned for {attempt.model}: {setup_reason(attempt)}"
    return f"not held against {attempt.model}: {setup_reason(attempt)}"


def not_tried(skipped: Sequence[str], down: Iterable[str], cooling: Mapping[str, str]) -> str:
    """Why models were not offered to the policy: their apiBase could not be reached in
    this request, or they are cooling down (``cooling``: model -> its pause described)."""
    parts = [f"{n} (cooling down: {cooling[n]})" for n in skipped if n in cooling]
    unreachable = [n for n in skipped if n not in cooling]
    if unreachable:
        parts.insert(
            0,
            f"{', '.join(unreachable)} (their apiBase {', '.join(sorted(down))} could not "
            "be reached in this request)",
        )
    return "; ".join(parts)


def setup_stop(model: str, error: str) -> str:
    """Why a request stopped after an edit that left the tests unable to run for the same
    reason as before it (a test file's import error), and what the user can do."""
    return (
        f"the tests could not run before the edit and still cannot after {model}'s edit "
        f"({error}), so no other model was called: its edit would most likely meet the same "
        "error. Fix the test set-up (e.g. install what the tests import), or, if the edit "
        "should add what they import, ask for it explicitly in the instruction."
    )


def network_stop(model: str, error: str) -> str:
    """Why a request stopped after an edit whose only failing tests need the network, which
    the sandbox has not: they failed the same way before the edit."""
    return (
        f"the failing tests need the network, which the sandboxed tests do not have: they "
        f"failed on a network error before the edit and still do after {model}'s edit "
        f"({error}), so no other model was called: its edit would meet the same error. "
        "Leave the tests that need the network out of the test command (e.g. deselect them "
        "with pytest's -k or -m), then ask again."
    )


def exit_stop(model: str, error: str) -> str:
    """Why a request stopped after an edit whose tests all passed, as before it, in a
    test command that exits non-zero either way (``error``: the exit)."""
    return (
        f"every test passed before the edit and after {model}'s edit, but the test command "
        f"{error} both times: something in it other than the tests fails (a coverage "
        "threshold, a step after the tests), so no edit can be verified with it and no "
        "other model was called. Make the test command exit 0 when its tests pass (e.g. "
        "leave out a coverage threshold), then ask again."
    )


def untested_stop(model: str, said: str) -> str:
    """Why a request stopped after an edit the tests never ran: they imported another
    copy or a build of the edited code made before the edit (``said``: which, and what
    to do)."""
    return (
        f"{said}. So {model}'s edit was not verified, and no other model was called: "
        "its edit would go untested the same way."
    )


def unsaved_line(buffers: Iterable[str], tested: bool, shown: int = 5) -> str:
    """'tests ran on 2 unsaved editor buffers: calc.py, tests/test_calc.py (not the
    files on disk)'; ``tested``: whether any test ran (else the request was only made
    from them)."""
    names = sorted(buffers)
    listed = ", ".join(names[:shown]) + (
        f" and {len(names) - shown} more" if len(names) > shown else ""
    )
    plural = "buffer" if len(names) == 1 else "buffers"
    what = "tests ran on" if tested else "the request was made from"
    return f"{what} {len(names)} unsaved editor {plural}: {listed} (not the files on disk)"


def left_out_line(left_out: Mapping[str, str]) -> str:
    """'tests/data.py (the file on disk is not UTF-8 text): the file on disk was used,
    not what the editor shows; save it to use it'."""
    listed = "; ".join(f"{rel} ({why})" for rel, why in sorted(left_out.items()))
    these = "the file on disk was" if len(left_out) == 1 else "the files on disk were"
    return f"{listed}: {these} used, not what the editor shows; save to use the editor's text"


def _attempt_lines(decisions: Sequence[Decision], attempts: Sequence[Attempt]) -> list[str]:
    """'1. cheap: **fail**, tests 0 passed / 1 failed, $0.0012 (...) — why it was chosen'."""
    lines = ["", "**Attempts:**"]
    for i, a in enumerate(attempts, 1):
        reason = ""
        if 1 < i <= len(decisions) and decisions[i - 1].reason:
            reason = f" — {decisions[i - 1].reason}"
        tests = ""
        if a.tests_passed is not None or a.tests_failed is not None:
            tests = f", tests {a.tests_passed or 0} passed / {a.tests_failed or 0} failed"
        if a.counted or idle_pass(a):  # (an idle pass's detail says it is not learned)
            detail = f" ({a.detail})" if a.detail else ""
        else:  # a set-up failure: say so, and that it is not learned against the model
            detail = f" — {not_held(a)}"
        lines.append(
            f"{i}. {a.model}: **{a.verdict}**{tests}, {fmt_usd(a.cost_usd)}{detail}{reason}"
        )
    return lines


def _cooling_lines(skipped: Mapping[str, str], paused: Mapping[str, str]) -> list[str]:
    """The models not called because they were cooling down ('skipped gpt-5.4: rate
    limited at 12:41:07 (provider asks to wait 30 s); usable again at 12:41:37') and
    those that now cool down after a passing failure in this request."""
    if not skipped and not paused:
        return []
    lines = ["", "**Cooling down** (the provider's passing trouble, not learned):", ""]
    lines += [f"- skipped {n}: {what}" for n, what in skipped.items()]
    lines += [f"- {n}: {what}" for n, what in paused.items() if n not in skipped]
    return lines


def _no_fault_line(attempts: Sequence[Attempt]) -> list[str]:
    """When no attempt was counted: that no model is at fault, and what to do."""
    if not attempts or any(a.counted or idle_pass(a) for a in attempts):
        return []
    if all(passing(a) for a in attempts):
        said = (
            "No model is at fault here: the provider failed for a moment (see above); none "
            "of this was learned against the models. They are skipped until they cool "
            "down; ask again then, or add a model from another provider."
        )
    else:
        said = (
            "No model is at fault here: every attempt failed on the set-up, on the "
            "provider's passing trouble, or on tests that failed before the edit too (see "
            "above). Fix the set-up, or fix those tests or leave them out of the test "
            "command if they have nothing to do with this request, and retry; none of this "
            "was learned against the models."
        )
    return ["", said]


def _cancelled_line(attempts: Sequence[Attempt]) -> str:
    """How a cancelled request ended, and what of it is learned."""
    learned = (
        "the tests' verdicts on the edits they judged before the cancel are learned"
        if any(a.counted for a in attempts)
        else "nothing of it is learned against the models"
    )
    result = "cancelled by the user; no edit is offered. What the calls cost is recorded"
    return f"**Result:** {result}; {learned}."


def render_why(
    task: Task,
    decisions: Sequence[Decision],
    attempts: Sequence[Attempt],
    final: str | None,
    verified: bool,
    top: int = 4,
    sandbox: str = "",
    cooling: tuple[Mapping[str, str], Mapping[str, str]] = ({}, {}),
    cancelled: bool = False,
    commands: Sequence[str] = (),
) -> str:
    """The why of a request; ``cooling``: the models skipped because they were cooling
    down and those now cooling down, each with its pause described; ``cancelled``: the
    user cancelled it (what it spent is recorded); ``commands``: the commands that ran
    the tests, as shown (Markdown: `` `python3 -m pytest` (python3: pyenv's …)``)."""
    lines = [f"**Kind:** {task.kind.replace('_', ' ')}"]
    if decisions and decisions[0].candidates:
        first = decisions[0]
        lines.append("")
        lines.append("**Ranking** (expected score − costWeight × cost):")
        lines.append("")
        lines.append("| model | exp. score | exp. cost | value | evidence |")
        lines.append("| --- | ---: | ---: | ---: | --- |")
        for c in first.candidates[:top]:
            lines.append(
                f"| {c.model} | {c.expected_score:.2f} | {fmt_usd(c.expected_cost_usd)} "
                f"| {c.expected_reward:.3f} | {c.evidence} |"
            )
        if first.reason:
            lines.append("")
            lines.append(first.reason)
    if attempts:
        lines += _attempt_lines(decisions, attempts)
    stop = decisions[-1] if decisions and decisions[-1].model is None else None
    if stop is not None and stop.reason and len(decisions) > 1:
        lines.append("")
        lines.append(f"Stopped: {stop.reason}")
    lines += _cooling_lines(*cooling)
    if commands:
        lines.append("")
        lines.append(f"**Tests ran with:** {', '.join(commands)}")
    if sandbox:
        lines.append("")
        lines.append(f"**Sandbox:** {sandbox}")
    if task.buffers:
        lines.append("")
        lines.append(f"**Unsaved buffers:** {unsaved_line(task.buffers, tested=bool(sandbox))}")
    if task.buffers_left_out:
        lines.append("")
        lines.append(f"**Unsaved buffers not used:** {left_out_line(task.buffers_left_out)}")
    lines.append("")
    if cancelled:
        lines.append(_cancelled_line(attempts))
        return "\n".join(lines)
    if verified:
        unrun = next(
            (a.unrun for a in reversed(attempts) if a.model == final and a.verdict == "pass"), ""
        )
        but = f" But {unrun}: read those lines yourself." if unrun else ""
        lines.append(f"**Result:** {final} passed the tests.{but}")
    elif final:
        lines.append(f"**Result:** no attempt passed; accepted {final}'s answer unverified.")
    else:
        lines.append("**Result:** no attempt passed the tests; no edit is offered.")
    lines += _no_fault_line(attempts)
    return "\n".join(lines)
