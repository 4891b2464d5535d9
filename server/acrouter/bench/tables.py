"""The tables of a bench run, as data: every renderer (terminal, report.md, report.html)
draws these :class:`Table` objects and nothing else, so the outputs cannot drift."""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from acrouter.coderouterbench import Dataset

from .metrics import EARLY_N, Summary, behaviour_changes, early_regret, first_habit
from .protocols import RouterRun, held_out_dimensions

HEADERS = ("router", "n", "AvgPerf%", "CumReg", "$Total", "Perf/$", "calls/task", "note")
LEFT_ALIGNED = frozenset(
    {
        "router",
        "note",
        "held out",
        "hindsight model",
        "first habit (from task)",
        "habit changes (task: first call)",
    }
)
#: lodo: how fast a router adapts to a dimension it has no prior for
FIRST_N = 100
LODO_HEADERS = (*HEADERS[:4], f"CumReg first {FIRST_N}", *HEADERS[4:])


@attrs.frozen
class Table:
    """One table of a report, as every renderer draws it."""

    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    title: str = ""
    caption: str = ""

    @property
    def right_aligned(self) -> frozenset[int]:
        return frozenset(i for i, h in enumerate(self.headers) if h not in LEFT_ALIGNED)


def _table(
    headers: Sequence[str], rows: Sequence[Sequence[str]], title: str = "", caption: str = ""
) -> Table:
    return Table(tuple(headers), tuple(tuple(r) for r in rows), title, caption)


@attrs.frozen
class RunInfo:
    """What was run, for the report header."""

    protocol: str
    stream: str  # e.g. "bundled probing, source_split=val (1013 tasks)"
    prior: str
    seed: int
    cost_weight: float
    noise: float
    skipped: int = 0


def _note(run: RouterRun) -> str:
    return "bound: reads the truth" if run.uses_truth else ""


def _fmt(s: Summary) -> list[str]:
    ppd = "n/a" if s.perf_per_dollar is None else f"{s.perf_per_dollar:.2f}"
    return [
        str(s.n),
        f"{s.avg_perf:.2f}",
        f"{s.cum_reg:.1f}",
        f"{s.total_usd:.2f}",
        ppd,
        f"{s.calls_per_task:.2f}",
    ]


# --------------------------------------------------------------------------- the table model


def results_table(runs: Sequence[RouterRun], title: str = "Results") -> Table:
    """One row per router over the whole stream."""
    return _table(HEADERS, [[r.router, *_fmt(r.summary), _note(r)] for r in runs], title)


ADAPT_HEADERS = (
    "router",
    *(f"CumReg first {n}" for n in EARLY_N),
    "CumReg all",
    "first habit (from task)",
    "habit changes (task: first call)",
)
MAX_CHANGES = 6


def _first_habit(run: RouterRun) -> str:
    first = first_habit(run.records)
    return "n/a" if first is None else f"{first[1]} ({first[0] + 1})"


def _changes(run: RouterRun) -> str:
    changes = behaviour_changes(run.records)
    text = ", ".join(f"{i + 1}: {m}" for i, m in changes[:MAX_CHANGES])
    if len(changes) > MAX_CHANGES:
        text += f", ... ({len(changes)} in all)"
    return text


def adaptation_table(runs: Sequence[RouterRun]) -> Table:
    """How fast each router learns: CumReg over the first 10, 25 and 50 tasks beside the
    whole stream, and where its usual first call changed."""
    rows = []
    for run in runs:
        early = [early_regret(run.records, n) for n in EARLY_N]
        rows.append(
            [
                run.router,
                *("n/a" if e is None else f"{e:.1f}" for e in early),
                f"{run.summary.cum_reg:.1f}",
                _first_habit(run),
                _changes(run) or "none",
            ]
        )
    return _table(
        ADAPT_HEADERS,
        rows,
        "Adaptation",
        "CumReg over the first tasks of the stream beside the whole stream; a habit is the "
        "model a router called first most often over the last 10 tasks: its first habit, "
        "then each change to a new one, from the task where it took over (1-based).",
    )


def hindsight_best_per_dimension(
    stream: Dataset, cost_weight: float
) -> list[tuple[str, str, Summary, float]]:
    """For each dimension of ``stream``: the single model with the best mean reward on it
    (and its CumReg over the dimension's first FIRST_N tasks in stream order)."""
    out = []
    for dim in held_out_dimensions(stream):
        ids = [t.task_id for t in stream.tasks if t.dimension == dim]
        n_models = len(stream.models)
        totals = [0.0] * n_models
        for i in ids:
            for j in range(n_models):
                totals[j] += stream.scores[i][j] - cost_weight * stream.costs[i][j]
        best = max(range(n_models), key=lambda j: (totals[j], -j))

        def regret(i: str, j: int = best) -> float:
            oracle = max(s - cost_weight * c for s, c in zip(stream.scores[i], stream.costs[i]))
            return oracle - (stream.scores[i][j] - cost_weight * stream.costs[i][j])

        first = sum(regret(i) for i in ids[:FIRST_N])
        oracle = sum(
            max(s - cost_weight * c for s, c in zip(stream.scores[i], stream.costs[i])) for i in ids
        )
        n = len(ids)
        avg = 100.0 * sum(stream.scores[i][best] for i in ids) / n
        total = sum(stream.costs[i][best] for i in ids)
        summary = Summary(
            n=n,
            avg_perf=avg,
            cum_reg=oracle - totals[best],
            total_usd=total,
            perf_per_dollar=avg / total if total > 0 else None,
            calls_per_task=1.0,
        )
        out.append((dim, stream.models[best], summary, first))
    return out


def first_regret(run: RouterRun, dim: str) -> str:
    for name, start, end in run.groups:
        if name == dim:
            return f"{sum(r.regret for r in run.records[start : min(end, start + FIRST_N)]):.1f}"
    return "n/a"


def _with_first(cells: list[str], first: str) -> list[str]:
    """Summary cells (n, AvgPerf, CumReg, ...) with the first-N CumReg after CumReg."""
    return [*cells[:3], first, *cells[3:]]


def lodo_sections(runs: Sequence[RouterRun], stream: Dataset, cost_weight: float) -> list[Table]:
    """Per held-out dimension: every router, then the hindsight best model."""
    best = {d: (m, s, f) for d, m, s, f in hindsight_best_per_dimension(stream, cost_weight)}
    sections = []
    for dim in held_out_dimensions(stream):
        rows = []
        for run in runs:
            summary = dict(run.group_summaries).get(dim)
            if summary is not None:
                rows.append(
                    [run.router, *_with_first(_fmt(summary), first_regret(run, dim)), _note(run)]
                )
        if dim in best:
            model, summary, first = best[dim]
            rows.append(
                [
                    f"best single model in hindsight ({model})",
                    *_with_first(_fmt(summary), f"{first:.1f}"),
                    "bound: reads the truth",
                ]
            )
        sections.append(_table(LODO_HEADERS, rows, f"Held out: {dim}"))
    return sections


def lodo_matrix(runs: Sequence[RouterRun], stream: Dataset, cost_weight: float) -> Table:
    """One row per held-out dimension: each router's CumReg with its first-FIRST_N-tasks
    CumReg in brackets, then the best single model in hindsight."""
    best = {d: (m, s, f) for d, m, s, f in hindsight_best_per_dimension(stream, cost_weight)}
    headers = ["held out", "n", *(r.router for r in runs), "hindsight", "hindsight model"]
    rows = []
    for dim in held_out_dimensions(stream):
        cells = [dim]
        n = ""
        for run in runs:
            summary = dict(run.group_summaries).get(dim)
            if summary is None:
                cells.append("n/a")
                continue
            n = str(summary.n)
            cells.append(f"{summary.cum_reg:.1f} [{first_regret(run, dim)}]")
        model, summary, first = best.get(dim, ("", None, 0.0))
        hind = f"{summary.cum_reg:.1f} [{first:.1f}]" if summary is not None else "n/a"
        rows.append([cells[0], n, *cells[1:], hind, model])
    return _table(
        headers,
        rows,
        "Per held-out dimension",
        f"CumReg over the whole dimension [over its first {FIRST_N} tasks].",
    )


def report_tables(runs: Sequence[RouterRun], info: RunInfo, stream: Dataset) -> list[Table]:
    """Every table of the report, in order."""
    if info.protocol != "lodo":
        return [results_table(runs), adaptation_table(runs)]
    return [
        results_table(runs, "All tasks"),
        adaptation_table(runs),
        lodo_matrix(runs, stream, info.cost_weight),
        *lodo_sections(runs, stream, info.cost_weight),
    ]
