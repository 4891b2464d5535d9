"""The cumulative-regret chart of a bench run (PNG), drawn with the ``bench`` extra.

matplotlib is imported lazily (Agg backend) and only here; without it
:class:`ChartUnavailable` says how to get it, and the rest of the report is still written.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from acrouter.errors import AcrouterError

from .metrics import HABIT_WINDOW, behaviour_changes, regret_curve, rolling_regret
from .protocols import RouterRun

INSTALL_HINT = "the regret chart needs matplotlib: pip install 'acrouter[bench]'"


class ChartUnavailable(AcrouterError):
    """matplotlib is not installed."""


def regret_png(runs: Sequence[RouterRun], title: str) -> bytes:
    """Cumulative-regret curves of all runs (top) and, below, each router's per-task
    regret (mean over the last 10 tasks) with a marker where its usual first call
    changed: when its behaviour changed (PNG bytes)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ChartUnavailable(INSTALL_HINT) from exc
    fig, (ax, ax2) = plt.subplots(
        2, 1, figsize=(11, 9.5), dpi=100, sharex=True, gridspec_kw={"height_ratios": [3, 2]}
    )
    palette = plt.get_cmap("tab10")
    styles = ("-", "--", "-.")
    k = 0
    greys = iter(("0.3", "0.5", "0.7", "0.8", "0.9") * 4)
    for run in runs:
        curve = regret_curve(run.records)
        style: dict[str, Any] = {"linewidth": 1.3}
        if run.router == "acrouter":
            style = {"color": "black", "linewidth": 2.6}
        elif run.uses_truth:
            style = {"color": next(greys), "linestyle": ":", "linewidth": 1.8}
        else:
            style["color"] = palette(k % 10)
            style["linestyle"] = styles[(k // 10) % len(styles)]
            k += 1
        ax.plot(
            range(1, len(curve) + 1),
            curve,
            label=f"{run.router} ({run.summary.cum_reg:.1f})",
            **style,
        )
        if run.uses_truth:
            continue  # bounds read the truth: their per-task curve says nothing about learning
        per_task = rolling_regret(run.records)
        line = ax2.plot(range(1, len(per_task) + 1), per_task, **style)[0]
        for i, _model in behaviour_changes(run.records):
            ax2.plot([i + 1], [per_task[i]], marker="o", markersize=5, color=line.get_color())
    if runs and runs[0].groups:
        for dim, start, _end in runs[0].groups:
            ax.axvline(start + 0.5, color="0.85", linewidth=0.8)
            ax.text(
                start + 2,
                ax.get_ylim()[1] * 0.98,
                dim,
                fontsize=7,
                rotation=90,
                va="top",
                color="0.4",
            )
    ax.set_ylabel("cumulative regret (score points)")
    ax.set_title(title)
    ax.grid(True, alpha=0.3)
    ax2.set_xlabel("tasks")
    ax2.set_ylabel(f"regret per task (last {HABIT_WINDOW})")
    ax2.set_title("per-task regret; dots: the router's usual first call changed", fontsize=9)
    ax2.grid(True, alpha=0.3)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    plt.close(fig)
    return buf.getvalue()
