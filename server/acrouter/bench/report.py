"""Write a bench run: summary.json, decisions/*.jsonl, report.md, regret.png, report.html.

Every table of a run is built once as a :class:`Table` (headers, rows, title, caption);
the terminal, markdown and HTML renderers only draw it, so the three cannot drift.  The
chart comes from :mod:`.chart` when the ``bench`` extra (matplotlib) is installed;
without it every other file is written and the report says how to get the chart.
"""

from __future__ import annotations

import base64
import html
import json
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import attrs

from acrouter.coderouterbench import Dataset

from .chart import INSTALL_HINT, ChartUnavailable, regret_png
from .metrics import EARLY_N, Summary, behaviour_changes, decision_line, early_regret
from .protocols import RouterRun, held_out_dimensions

log = logging.getLogger(__name__)

HEADERS = ("router", "n", "AvgPerf%", "CumReg", "$Total", "Perf/$", "calls/task", "note")
LEFT_ALIGNED = frozenset(
    {"router", "note", "held out", "hindsight model", "habit changes (task: first call)"}
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


def file_name(router: str) -> str:
    return router.replace(":", "_").replace("/", "_")


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
    "habit changes (task: first call)",
)
MAX_CHANGES = 6


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
                _changes(run),
            ]
        )
    return _table(
        ADAPT_HEADERS,
        rows,
        "Adaptation",
        "CumReg over the first tasks of the stream beside the whole stream; a habit is the "
        "model a router called first most often over the last 10 tasks, listed from the "
        "task where it took over (1-based).",
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


def _first_regret(run: RouterRun, dim: str) -> str:
    for name, start, end in run.groups:
        if name == dim:
            return f"{sum(r.regret for r in run.records[start:min(end, start + FIRST_N)]):.1f}"
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
                rows.append([run.router, *_with_first(_fmt(summary), _first_regret(run, dim)), _note(run)])
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
            cells.append(f"{summary.cum_reg:.1f} [{_first_regret(run, dim)}]")
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


# --------------------------------------------------------------------------- renderers


def text_table(table: Table) -> str:
    """Aligned plain-text table for the terminal."""
    headers, rows, right = table.headers, table.rows, table.right_aligned
    widths = [
        max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)
    ]

    def line(cells: Sequence[str]) -> str:
        out = [
            c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths))
        ]
        return "  ".join(out).rstrip()

    return "\n".join([line(headers), line(["-" * w for w in widths]), *(line(r) for r in rows)])


def markdown_table(table: Table) -> str:
    right = table.right_aligned
    lines = ["| " + " | ".join(table.headers) + " |"]
    lines.append(
        "| " + " | ".join("---:" if i in right else "---" for i in range(len(table.headers))) + " |"
    )
    lines += ["| " + " | ".join(row) + " |" for row in table.rows]
    return "\n".join(lines)


def html_table(table: Table) -> str:
    right = table.right_aligned

    def cells(row: Sequence[str], tag: str) -> str:
        num = ' class="num"'
        return "".join(
            f"<{tag}{num if i in right else ''}>{html.escape(c)}</{tag}>" for i, c in enumerate(row)
        )

    body = "\n".join(f"<tr>{cells(r, 'td')}</tr>" for r in table.rows)
    return (
        f"<table>\n<thead><tr>{cells(table.headers, 'th')}</tr></thead>\n<tbody>\n{body}\n"
        "</tbody>\n</table>"
    )


_CSS = """body{font-family:system-ui,sans-serif;margin:2em;max-width:1200px;color:#222}
table{border-collapse:collapse;margin:1em 0}th,td{padding:.3em .7em;border-bottom:1px solid #ddd}
th{text-align:left;background:#f4f4f4}.num{text-align:right;font-variant-numeric:tabular-nums}
img{max-width:100%}code{background:#f4f4f4;padding:0 .2em}"""

ACCOUNTING = (
    "Reward = score - {cw} x cost; CumReg = sum over tasks of (oracle reward - reward), in score "
    "points (lower is better). The final model of a task is the first attempt the verifier "
    "passed, else the best-verified attempt (highest recorded score among the calls made)."
)


def _header_lines(info: RunInfo) -> list[str]:
    lines = [
        f"- protocol: `{info.protocol}`",
        f"- stream: {info.stream}",
        f"- priors: {info.prior}",
        f"- seed: {info.seed}, cost weight: {info.cost_weight}",
    ]
    if info.protocol == "escalate":
        lines.append(f"- verifier noise: {info.noise}")
    if info.skipped:
        lines.append(f"- incomplete tasks skipped by the loader: {info.skipped}")
    return lines


def render_markdown(title: str, info: RunInfo, tables: Sequence[Table], chart: str | None) -> str:
    """``chart``: the PNG's file name, or None when it was not drawn."""
    md = [f"# {title}", "", *_header_lines(info), "", ACCOUNTING.format(cw=info.cost_weight), ""]
    for table in tables:
        md += [f"## {table.title}", ""]
        if table.caption:
            md += [table.caption, ""]
        md += [markdown_table(table), ""]
    md += [
        f"![cumulative regret, and per-task regret with habit changes]({chart})"
        if chart
        else f"Chart not drawn: {INSTALL_HINT}",
        "",
    ]
    return "\n".join(md)


def render_html(title: str, info: RunInfo, tables: Sequence[Table], png: bytes | None) -> str:
    items = "".join(
        f"<li>{html.escape(line[2:]).replace('`', '')}</li>" for line in _header_lines(info)
    )
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
        f"<ul>{items}</ul>",
        f"<p>{html.escape(ACCOUNTING.format(cw=info.cost_weight))}</p>",
    ]
    for table in tables:
        parts.append(f"<h2>{html.escape(table.title)}</h2>")
        if table.caption:
            parts.append(f"<p>{html.escape(table.caption)}</p>")
        parts.append(html_table(table))
    parts.append("<h2>Cumulative regret; per-task regret and habit changes</h2>")
    if png is not None:
        encoded = base64.b64encode(png).decode("ascii")
        parts.append(f'<img alt="cumulative regret per router" src="data:image/png;base64,{encoded}">')
    else:
        parts.append(f"<p>Chart not drawn: {html.escape(INSTALL_HINT)}</p>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


# --------------------------------------------------------------------------- files


def summary_json(runs: Sequence[RouterRun]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for run in runs:
        entry: dict[str, Any] = run.summary.as_json()
        entry["CumRegFirst"] = {
            str(n): None if (e := early_regret(run.records, n)) is None else round(e, 6)
            for n in EARLY_N
        }
        entry["HabitChanges"] = [
            {"task": i + 1, "first_call": m} for i, m in behaviour_changes(run.records)
        ]
        if run.group_summaries:
            entry["per_dimension"] = {
                d: {**s.as_json(), f"cum_reg_first_{FIRST_N}": float(_first_regret(run, d))}
                for d, s in run.group_summaries
            }
        out[run.router] = entry
    return out


def write_decisions(folder: Path, run: RouterRun) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{file_name(run.router)}.jsonl"
    held: dict[int, str] = {}
    for dim, start, end in run.groups:
        for i in range(start, end):
            held[i] = dim
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        for i, record in enumerate(run.records):
            extra = {"held_out": held[i]} if i in held else {}
            fh.write(json.dumps(decision_line(record, **extra), ensure_ascii=False) + "\n")
    return path


def write_report(
    out: Path,
    runs: Sequence[RouterRun],
    info: RunInfo,
    stream: Dataset,
) -> dict[str, Path]:
    """Write every output file into ``out``; returns their paths by kind.

    Without matplotlib there is no ``"chart"`` entry (and the reports say how to get it).
    """
    out.mkdir(parents=True, exist_ok=True)
    paths: dict[str, Path] = {}
    paths["summary"] = out / "summary.json"
    paths["summary"].write_text(json.dumps(summary_json(runs), indent=2) + "\n", encoding="utf-8")
    for run in runs:
        write_decisions(out / "decisions", run)
    paths["decisions"] = out / "decisions"

    title = f"CodeRouterBench replay: {info.protocol}"
    tables = report_tables(runs, info, stream)
    png: bytes | None
    try:
        png = regret_png(runs, title)
    except ChartUnavailable as exc:
        log.info("%s", exc)
        png = None
    else:
        paths["chart"] = out / "regret.png"
        paths["chart"].write_bytes(png)
    paths["markdown"] = out / "report.md"
    paths["markdown"].write_text(
        render_markdown(title, info, tables, "regret.png" if png is not None else None),
        encoding="utf-8",
    )
    paths["html"] = out / "report.html"
    paths["html"].write_text(render_html(title, info, tables, png), encoding="utf-8")
    return paths
