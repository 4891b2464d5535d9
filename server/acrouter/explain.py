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
_SETUP_PREFIXES = ("auth: ", "budget: ", "unreachable: ", "config: ", "verifier: ")


def setup_reason(attempt: Attempt) -> str:
    """Why an attempt that is not counted says nothing about its model, in words for the
    user ("the gateway rejected the key (...)", "cannot reach http://...")."""
    detail = attempt.detail.strip()
    for prefix in _SETUP_PREFIXES:
        if detail.startswith(prefix):
            detail = detail[len(prefix) :]
            break
    return detail or "a set-up failure"


def not_held(attempt: Attempt) -> str:
    """'not held against cheap: the gateway rejected the key (...)'."""
    return f"not held against {attempt.model}: {setup_reason(attempt)}"


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


def render_why(
    task: Task,
    decisions: Sequence[Decision],
    attempts: Sequence[Attempt],
    final: str | None,
    verified: bool,
    top: int = 4,
    sandbox: str = "",
) -> str:
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
        lines.append("")
        lines.append("**Attempts:**")
        for i, a in enumerate(attempts, 1):
            reason = ""
            if 1 < i <= len(decisions) and decisions[i - 1].reason:
                reason = f" — {decisions[i - 1].reason}"
            tests = ""
            if a.tests_passed is not None or a.tests_failed is not None:
                tests = f", tests {a.tests_passed or 0} passed / {a.tests_failed or 0} failed"
            if a.counted:
                detail = f" ({a.detail})" if a.detail else ""
            else:  # a set-up failure: say so, and that it is not learned against the model
                detail = f" — {not_held(a)}"
            lines.append(
                f"{i}. {a.model}: **{a.verdict}**{tests}, {fmt_usd(a.cost_usd)}{detail}{reason}"
            )
    stop = decisions[-1] if decisions and decisions[-1].model is None else None
    if stop is not None and stop.reason and len(decisions) > 1:
        lines.append("")
        lines.append(f"Stopped: {stop.reason}")
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
    if verified:
        lines.append(f"**Result:** {final} passed the tests.")
    elif final:
        lines.append(f"**Result:** no attempt passed; accepted {final}'s answer unverified.")
    else:
        lines.append("**Result:** no attempt passed the tests; no edit is offered.")
    if attempts and not any(a.counted for a in attempts):
        lines.append("")
        lines.append(
            "No model is at fault here: every attempt failed on the set-up, or on tests "
            "that failed before the edit too (see above). Fix the set-up, or fix those tests "
            "or leave them out of the test command if they have nothing to do with this "
            "request, and retry; none of this was learned against the models."
        )
    return "\n".join(lines)
