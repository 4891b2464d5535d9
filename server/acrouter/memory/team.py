"""Team priors: what a routing memory shares with a team, and reading it back.

``acrouter memory export --team`` writes per-(model, kind) aggregates only: how many
attempts counted as evidence, how many the tests verified, the score and cost sums.  No
instruction, request id, path, workspace hash, time or why leaves the memory this way.
The ``teamPriors`` setting names such files; the policy takes them as priors between
the benchmark's and the user's own outcomes (see ``policy.stats``).

File format::

    {"format": "acrouter-team-priors", "version": 1,
     "aggregates": [{"model": "cheap", "kind": "bug_fixing", "n": 12, "passes": 3,
                     "scoreSum": 4.5, "costUsdSum": 0.031, "costN": 12}, ...]}
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from ..config import EDITOR_PREFIX
from ..domain import Memory, Outcome, TeamPrior
from .records import add_total, evidence

FORMAT = "acrouter-team-priors"
VERSION = 1
_KEYS = ("model", "kind", "n", "passes", "scoreSum", "costUsdSum", "costN")
MAX_FILE_BYTES = 16 * 1024 * 1024


def team_priors(memory: Memory) -> list[TeamPrior]:
    """Per-(model, kind) sums of the attempts that count as evidence about the model
    (compacted history included), sorted by model and kind."""
    out: dict[tuple[str, str], TeamPrior] = {}
    for agg in memory.aggregates():
        add_total(
            out,
            TeamPrior(
                agg.model, agg.kind, agg.n, agg.passes, agg.score_sum, agg.cost_usd_sum, agg.cost_n
            ),
        )
    outcomes: Iterable[Outcome] = memory.outcomes()
    for o in outcomes:
        for a, score in evidence(o):
            passed, known = int(a.verdict == "pass"), int(a.cost_usd is not None)
            add_total(out, TeamPrior(a.model, o.kind, 1, passed, score, a.cost_usd or 0.0, known))
    return [out[k] for k in sorted(out)]


def team_export(memory: Memory) -> dict[str, Any]:
    """The JSON document ``acrouter memory export --team`` writes."""
    return {
        "format": FORMAT,
        "version": VERSION,
        "aggregates": [
            {
                "model": t.model,
                "kind": t.kind,
                "n": t.n,
                "passes": t.passes,
                "scoreSum": round(t.score_sum, 6),
                "costUsdSum": round(t.cost_usd_sum, 9),
                "costN": t.cost_n,
            }
            for t in team_priors(memory)
        ],
    }


def _count(x: Any) -> int | None:
    return x if type(x) is int and x >= 0 else None


def _amount(x: Any) -> float | None:
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        return None
    f = float(x)
    return f if math.isfinite(f) and f >= 0 else None


def parse_team_file(data: Any, where: str) -> tuple[list[TeamPrior], list[str]]:
    """The aggregates of one parsed team file; problems name the file and the entry."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        return [], [f"{where}: not an ACRouter team priors file (format {FORMAT!r}); ignored"]
    if data.get("version") != VERSION:
        return [], [
            f"{where}: team priors version {data.get('version')!r} is not {VERSION}; ignored"
        ]
    entries = data.get("aggregates")
    if not isinstance(entries, list):
        return [], [f"{where}: 'aggregates' must be a list; ignored"]
    out: list[TeamPrior] = []
    problems: list[str] = []
    for i, e in enumerate(entries):
        if not isinstance(e, dict):
            problems.append(f"{where}: aggregates[{i}] is not an object; skipped")
            continue
        model, kind = e.get("model"), e.get("kind")
        n, passes, cost_n = _count(e.get("n")), _count(e.get("passes")), _count(e.get("costN"))
        score, cost = _amount(e.get("scoreSum")), _amount(e.get("costUsdSum"))
        if not (
            isinstance(model, str)
            and model
            and isinstance(kind, str)
            and kind
            and n is not None
            and passes is not None
            and cost_n is not None
            and score is not None
            and cost is not None
            and passes <= n
            and cost_n <= n
            and score <= n
        ):
            problems.append(
                f"{where}: aggregates[{i}] needs {', '.join(_KEYS)} "
                "(counts 0..n, sums >= 0, scoreSum <= n); skipped"
            )
            continue
        out.append(TeamPrior(model, kind, n, passes, score, cost, cost_n))
    return out, problems


def load_team_priors(
    paths: Sequence[str], prefix: str = EDITOR_PREFIX
) -> tuple[list[TeamPrior], list[str]]:
    """Every team file's aggregates, summed per (model, kind); a file that cannot be read
    is skipped with a problem naming it and the setting, written with ``prefix`` as in
    ``config.parse_settings`` ("acrouter." for the editor, "" for config.toml); nothing
    raises."""
    merged: dict[tuple[str, str], TeamPrior] = {}
    problems: list[str] = []
    setting = f"{prefix}teamPriors"
    for raw in paths:
        path = Path(raw).expanduser()
        try:
            if path.stat().st_size > MAX_FILE_BYTES:
                problems.append(f"{setting}: {path} is larger than 16 MiB; ignored")
                continue
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            problems.append(f"{setting}: cannot read {path}: {exc}; ignored")
            continue
        found, bad = parse_team_file(data, f"{setting}: {path}")
        problems.extend(bad)
        for t in found:
            add_total(merged, t)
    return [merged[k] for k in sorted(merged)], problems
