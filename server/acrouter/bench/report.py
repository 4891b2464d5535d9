"""Write a bench run: summary.json, decisions/*.jsonl, report.md, regret.png, report.html.

Every table of a run is built once as a :class:`~.tables.Table` (:mod:`.tables`); the
terminal, markdown and HTML renderers here only draw it, so the three cannot drift.  The
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

from acrouter.coderouterbench import Dataset

from .chart import INSTALL_HINT, ChartUnavailable, regret_png
from .metrics import EARLY_N, behaviour_changes, decision_line, early_regret, first_habit
from .protocols import RouterRun
from .tables import FIRST_N, RunInfo, Table, first_regret, report_tables

log = logging.getLogger(__name__)


def file_name(router: str) -> str:
    return router.replace(":", "_").replace("/", "_")


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
        parts.append(
            f'<img alt="cumulative regret per router" src="data:image/png;base64,{encoded}">'
        )
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
        first = first_habit(run.records)
        entry["FirstHabit"] = (
            None if first is None else {"task": first[0] + 1, "first_call": first[1]}
        )
        entry["HabitChanges"] = [
            {"task": i + 1, "first_call": m} for i, m in behaviour_changes(run.records)
        ]
        if run.group_summaries:
            entry["per_dimension"] = {
                d: {**s.as_json(), f"cum_reg_first_{FIRST_N}": float(first_regret(run, d))}
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
