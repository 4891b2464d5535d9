"""What a memory record holds, how it is encoded, and per-(model, kind) aggregates."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping
from typing import Any, TypeVar

import attrs

from ..domain import Aggregate, Attempt, Outcome, TeamPrior

EXPORT_VERSION = 1
INSTRUCTION_MAX_CHARS = 120
DETAIL_MAX_CHARS = 200  # test output can quote code: keep one short line
#: a pass's changed lines no test ran (``Attempt.unrun``: files and line numbers, no code)
UNRUN_MAX_CHARS = 400
WHY_MAX_CHARS = 6000  # the why is our own markdown (no code); bounded to keep the file small
META_STR_MAX_CHARS = 200
ABSENT = "absent"  # generation of a store whose file does not exist
#: Records kept before compaction.  tinydb rewrites the whole file on every write, so
#: write and load time grow with the cap: 2000 records (~1.7 MB) measured write
#: p95 45 ms and cold load 96 ms on the slow shared CI box (benchmarks/memory_perf.py).
DEFAULT_CAP = 2000


class RecordError(ValueError):
    """A stored record or aggregate does not have the expected shape."""


def first_line(text: str | None, limit: int = INSTRUCTION_MAX_CHARS) -> str | None:
    """The first non-blank line of ``text``, cut to ``limit`` chars; None if blank."""
    if not text:
        return None
    for line in text.splitlines():
        if line.strip():
            return line.strip()[:limit]
    return None


def finite(x: Any) -> float | None:
    if x is None or isinstance(x, bool):
        return None
    try:
        f = float(x)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def _rounded(x: Any, digits: int) -> float | None:
    f = finite(x)
    return None if f is None else round(f, digits)


def _opt_int(x: Any) -> int | None:
    return int(x) if isinstance(x, (int, float)) and not isinstance(x, bool) else None


def _json_safe(value: Any, depth: int = 0) -> Any:
    """JSON-safe copy of a meta value: scalars kept, strings capped, the rest str()'d."""
    if value is None or isinstance(value, (bool, int)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, str):
        return value[:META_STR_MAX_CHARS]
    if depth < 4 and isinstance(value, Mapping):
        return {str(k): _json_safe(v, depth + 1) for k, v in value.items()}
    if depth < 4 and isinstance(value, (list, tuple)):
        return [_json_safe(v, depth + 1) for v in value]
    return str(value)[:META_STR_MAX_CHARS]


#: Detail prefixes of gateway errors that counted against the model before attempts
#: stored ``counted`` (records written before it was added): derive it the old way.
_LEGACY_MODEL_ERRORS = ("timeout:", "provider:", "rate_limit:", "bad_reply:", "context_length:")


def legacy_counted(verdict: str, detail: str) -> bool:
    """``counted`` for a stored attempt that predates the field (the rule of that time)."""
    return verdict != "error" or detail.startswith(_LEGACY_MODEL_ERRORS)


#: The provider's passing trouble as records written before it stopped counting stored
#: it (a rate limit after the retry, a 5xx or 408, a connection that broke mid-reply).
#: It is read as not counted, the rule now, so that an outage learned before the update
#: does not keep the router away from a good model.  (A timeout then stays counted: the
#: rule now counts a repeated one, and which was first cannot be told any more.)
_OLD_PASSING = re.compile(
    r"(?:rate_limit(?:ed)?: |provider(?:_error)?: (?:(?:5\d\d|408)\b|the connection to ))"
)


def _read_counted(stored: Any, verdict: str, detail: str) -> bool:
    counted = stored if type(stored) is bool else legacy_counted(verdict, detail)
    return counted and not (verdict == "error" and _OLD_PASSING.match(detail))


def attempt_to_dict(a: Attempt) -> dict[str, Any]:
    return {
        "model": str(a.model),
        "verdict": str(a.verdict),
        "costUsd": _rounded(a.cost_usd, 9),
        "latencyMs": _rounded(a.latency_ms, 1) or 0.0,
        "detail": first_line(a.detail, DETAIL_MAX_CHARS) or "",
        "testsPassed": _opt_int(a.tests_passed),
        "testsFailed": _opt_int(a.tests_failed),
        "score": _rounded(a.score, 6),
        "counted": bool(a.counted),
        **({"unrun": first_line(a.unrun, UNRUN_MAX_CHARS)} if a.unrun else {}),
    }


def _num(x: Any) -> float | None:
    """A stored number (int or finite float) as float; anything else is None."""
    t = type(x)
    if t is float:
        return x if math.isfinite(x) else None
    return float(x) if t is int else None


def _str_or_none(x: Any) -> str | None:
    return x if type(x) is str else None


def attempt_from_dict(d: Mapping[str, Any]) -> Attempt:
    model, verdict = d.get("model"), d.get("verdict")
    if type(model) is not str or type(verdict) is not str:
        raise RecordError("attempt needs string 'model' and 'verdict'")
    passed, failed = d.get("testsPassed"), d.get("testsFailed")
    detail = str(d.get("detail") or "")
    counted = d.get("counted")
    return Attempt(
        model,
        verdict,
        _num(d.get("costUsd")),
        _num(d.get("latencyMs")) or 0.0,
        detail,
        passed if type(passed) is int else None,
        failed if type(failed) is int else None,
        _num(d.get("score")),
        _read_counted(counted, verdict, detail),
        unrun=d["unrun"] if type(d.get("unrun")) is str else "",
    )


def outcome_to_dict(o: Outcome, store_instructions: bool = True) -> dict[str, Any]:
    """A JSON-safe dict with stable camelCase keys; ``instruction`` is None unless
    ``store_instructions`` (and then only its first line, <= 120 chars)."""
    return {
        "requestId": str(o.request_id),
        "time": _rounded(o.time, 3) or 0.0,
        "kind": str(o.kind),
        "attempts": [attempt_to_dict(a) for a in o.attempts],
        "finalModel": None if o.final_model is None else str(o.final_model),
        "verified": bool(o.verified),
        "why": str(o.why or "")[:WHY_MAX_CHARS],
        "workspaceId": None if o.workspace_id is None else str(o.workspace_id),
        "instruction": first_line(o.instruction) if store_instructions else None,
        "features": [int(f) for f in o.features],
        "meta": _json_safe(dict(o.meta)),
    }


def outcome_from_dict(d: Mapping[str, Any]) -> Outcome:
    """Inverse of ``outcome_to_dict``; raises ``RecordError`` on a record of the wrong shape.

    Written for speed: a cold load converts every stored record.
    """
    request_id, kind, t = d.get("requestId"), d.get("kind"), _num(d.get("time"))
    attempts, meta = d.get("attempts", []), d.get("meta")
    if type(request_id) is not str or type(kind) is not str or t is None:
        raise RecordError("record needs string 'requestId' and 'kind' and a numeric 'time'")
    if not isinstance(attempts, list):
        raise RecordError("record 'attempts' is not a list")
    try:
        features = tuple(map(int, d.get("features") or ()))
    except (TypeError, ValueError) as exc:
        raise RecordError(f"record 'features' are not integers: {exc}") from exc
    return Outcome(
        request_id,
        t,
        kind,
        tuple(attempt_from_dict(a) for a in attempts if isinstance(a, dict)),
        _str_or_none(d.get("finalModel")),
        bool(d.get("verified", False)),
        str(d.get("why") or ""),
        _str_or_none(d.get("workspaceId")),
        _str_or_none(d.get("instruction")),
        features,
        dict(meta) if isinstance(meta, dict) else {},
    )


def aggregate_to_dict(a: Aggregate) -> dict[str, Any]:
    return {
        "model": a.model,
        "kind": a.kind,
        "n": a.n,
        "scoreSum": a.score_sum,
        "passes": a.passes,
        "costUsdSum": a.cost_usd_sum,
        "costN": a.cost_n,
    }


def aggregate_from_dict(d: Mapping[str, Any]) -> Aggregate:
    if not isinstance(d.get("model"), str) or not isinstance(d.get("kind"), str):
        raise RecordError("aggregate needs string 'model' and 'kind'")
    return Aggregate(
        model=d["model"],
        kind=d["kind"],
        n=int(d.get("n", 0)),
        score_sum=float(d.get("scoreSum", 0.0)),
        passes=int(d.get("passes", 0)),
        cost_usd_sum=float(d.get("costUsdSum", 0.0)),
        # files written before costN summed an unknown cost as 0, for every attempt
        cost_n=int(d.get("costN", d.get("n", 0))),
    )


def compacted_size(cap: int) -> int:
    """How many records remain after a compaction: ``cap`` less a 10% slack, so the
    file is compacted once every ``cap // 10`` records rather than on every write."""
    return cap - cap // 10


def evidence(outcome: Outcome) -> Iterator[tuple[Attempt, float]]:
    """The attempts that count as evidence about their model (a set-up failure does not),
    each with its score: the verifier's, else 1 for a pass and 0 for anything else."""
    for a in outcome.attempts:
        if a.counted:
            yield a, a.score if a.score is not None else (1.0 if a.verdict == "pass" else 0.0)


Total = TypeVar("Total", Aggregate, TeamPrior)


def merge(a: Total, b: Total) -> Total:
    """Two totals of one (model, kind), added up field by field."""
    return attrs.evolve(
        a,
        **{
            f.name: getattr(a, f.name) + getattr(b, f.name)
            for f in attrs.fields(type(a))
            if f.name not in ("model", "kind")
        },
    )


def add_total(into: dict[tuple[str, str], Total], total: Total) -> None:
    """Add ``total`` to the running total of its (model, kind)."""
    key = (total.model, total.kind)
    prev = into.get(key)
    into[key] = total if prev is None else merge(prev, total)


def fold(into: dict[tuple[str, str], Aggregate], outcome: Outcome) -> None:
    """Add one outcome to per-(model, kind) aggregates: one entry per attempt."""
    for a, score in evidence(outcome):
        passed = int(a.verdict == "pass")
        add_total(
            into,
            Aggregate(
                a.model,
                outcome.kind,
                1,
                float(score),
                passed,
                float(a.cost_usd or 0.0),
                cost_n=int(a.cost_usd is not None),
            ),
        )
