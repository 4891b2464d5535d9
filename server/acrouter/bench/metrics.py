"""Per-task accounting and the summary metrics of docs/benchmark-protocol.md.

For task i and model m, reward r = s - cost_weight x c.  Oracle reward r*_i = max_m r.
A run's reward on task i = s(final) - cost_weight x (sum of the costs of every call);
CumReg = sum_i (r*_i - reward_i) in score points; AvgPerf% = 100 x mean final score;
$Total = all calls; Perf/$ = AvgPerf% / $Total; calls per task.

Which attempt is "final" (one rule for every router, the protocol's):

- the first attempt the verifier passed, if any (= the Orchestrator's ``final_model``;
  with ``--verifier-noise`` that pass may be false, and the final then scores < 1);
- otherwise the *best-verified attempt*: the called model with the highest recorded score
  (the first one on ties).  In the editor this is the attempt that passed most of the
  user's tests.  This is how the reference table scores its cascades ("the final model is
  the attempt with the highest score").  It is applied by the environment after the task,
  to calls the router already made, so it reveals nothing to the router; the router's own
  unverified pick (the Orchestrator's ``final_model``) is kept as ``accepted`` in the
  decision files.  With one call per task (``single``) both rules give that call.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from acrouter.coderouterbench import Dataset
from acrouter.domain import Result


@attrs.frozen
class TaskRecord:
    task_id: str
    calls: tuple[tuple[str, str], ...]  # (model, verdict) in call order
    final_model: str | None
    accepted: str | None  # the Orchestrator's final_model (the router's own pick)
    score: float
    cost_usd: float
    reward: float
    oracle_reward: float
    reasons: tuple[str, ...] = ()

    @property
    def regret(self) -> float:
        return self.oracle_reward - self.reward


@attrs.frozen
class Summary:
    n: int
    avg_perf: float  # percent
    cum_reg: float
    total_usd: float
    perf_per_dollar: float | None  # None when nothing was spent
    calls_per_task: float

    def as_json(self) -> dict[str, float | int | None]:
        def r(x: float | None, digits: int = 6) -> float | None:
            return None if x is None else round(x, digits)

        return {
            "n": self.n,
            "AvgPerf": r(self.avg_perf),
            "CumReg": r(self.cum_reg),
            "TotalUsd": r(self.total_usd),
            "PerfPerDollar": r(self.perf_per_dollar),
            "CallsPerTask": r(self.calls_per_task),
        }


def oracle_reward(truth: Dataset, task_id: str, cost_weight: float) -> float:
    return max(s - cost_weight * c for s, c in zip(truth.scores[task_id], truth.costs[task_id]))


def account(
    truth: Dataset,
    result: Result,
    cost_weight: float,
    reasons: Sequence[str] = (),
) -> TaskRecord:
    """Score one Orchestrator result against the ground truth of its task."""
    task_id = result.request_id
    pos = {m: i for i, m in enumerate(truth.models)}
    scores, costs = truth.scores[task_id], truth.costs[task_id]
    cost = 0.0
    final: str | None = None
    best: str | None = None
    for a in result.attempts:
        i = pos[a.model]
        cost += costs[i] if a.cost_usd is None else a.cost_usd
        if final is None and a.verdict == "pass":
            final = a.model
        if best is None or scores[i] > scores[pos[best]]:
            best = a.model
    if final is None:
        final = best
    score = scores[pos[final]] if final is not None else 0.0
    return TaskRecord(
        task_id=task_id,
        calls=tuple((a.model, a.verdict) for a in result.attempts),
        final_model=final,
        accepted=result.final_model,
        score=score,
        cost_usd=cost,
        reward=score - cost_weight * cost,
        oracle_reward=oracle_reward(truth, task_id, cost_weight),
        reasons=tuple(reasons),
    )


def summarize(records: Sequence[TaskRecord]) -> Summary:
    n = len(records)
    if n == 0:
        return Summary(0, 0.0, 0.0, 0.0, None, 0.0)
    avg = 100.0 * sum(r.score for r in records) / n
    total = sum(r.cost_usd for r in records)
    return Summary(
        n=n,
        avg_perf=avg,
        cum_reg=sum(r.regret for r in records),
        total_usd=total,
        perf_per_dollar=avg / total if total > 0 else None,
        calls_per_task=sum(len(r.calls) for r in records) / n,
    )


def regret_curve(records: Sequence[TaskRecord]) -> list[float]:
    """CumReg after each task."""
    out: list[float] = []
    acc = 0.0
    for r in records:
        acc += r.regret
        out.append(acc)
    return out


def decision_line(record: TaskRecord, **extra: object) -> dict[str, object]:
    """One line of a decisions file (the protocol's keys first, then extras)."""
    line: dict[str, object] = {
        "task_id": record.task_id,
        "calls": [{"model": m, "verdict": v} for m, v in record.calls],
        "final_model": record.final_model,
        "accepted": record.accepted,
        "score": round(record.score, 6),
        "cost_usd": round(record.cost_usd, 8),
        "regret": round(record.regret, 8),
        "why": list(record.reasons),
    }
    line.update(extra)
    return line


#: how fast a router learns: its CumReg over the first N tasks of the stream
EARLY_N = (10, 25, 50)
#: tasks over which a router's usual first call is taken (for behaviour changes)
HABIT_WINDOW = 10


def early_regret(records: Sequence[TaskRecord], n: int) -> float | None:
    """CumReg over the first ``n`` tasks (None when the stream is shorter)."""
    if len(records) < n:
        return None
    return sum(r.regret for r in records[:n])


def habits(records: Sequence[TaskRecord], window: int = HABIT_WINDOW) -> list[tuple[int, str]]:
    """The router's habits: (task index, habit) where each took over, the habit being the
    model it called first most often over the last ``window`` tasks (the earlier one on
    ties).  The first entry is the first habit, once ``window`` tasks have been seen."""
    out: list[tuple[int, str]] = []
    habit: str | None = None
    for i in range(window - 1, len(records)):
        counts: dict[str, int] = {}
        for r in records[i - window + 1 : i + 1]:
            if r.calls:
                counts[r.calls[0][0]] = counts.get(r.calls[0][0], 0) + 1
        if not counts:
            continue
        top = max(counts.values())
        leaders = [m for m, c in counts.items() if c == top]
        if habit in leaders:
            continue
        habit = leaders[0]
        out.append((i, habit))
    return out


def behaviour_changes(
    records: Sequence[TaskRecord], window: int = HABIT_WINDOW
) -> list[tuple[int, str]]:
    """Where the router's habit changed: (task index, new habit).  The first habit is not
    a change (a fixed router, ``always:*``, has none)."""
    return habits(records, window)[1:]


def first_habit(
    records: Sequence[TaskRecord], window: int = HABIT_WINDOW
) -> tuple[int, str] | None:
    """(task index, habit) of the router's first habit; None on a stream shorter than
    ``window`` tasks (or without calls)."""
    found = habits(records, window)
    return found[0] if found else None


def rolling_regret(records: Sequence[TaskRecord], window: int = HABIT_WINDOW) -> list[float]:
    """Mean per-task regret over the last ``window`` tasks, after each task."""
    out: list[float] = []
    acc = 0.0
    for i, r in enumerate(records):
        acc += r.regret
        if i >= window:
            acc -= records[i - window].regret
        out.append(acc / min(i + 1, window))
    return out
