"""``Memory`` without a file (benchmark replay, tests)."""

from __future__ import annotations

import threading
from bisect import insort
from typing import Any

from ..domain import Aggregate, Outcome
from .records import (
    EXPORT_VERSION,
    aggregate_to_dict,
    compacted_size,
    fold,
    outcome_from_dict,
    outcome_to_dict,
)


class InMemoryMemory:
    """``Memory`` without a file; stores exactly what ``TinyDBMemory`` would store."""

    def __init__(self, cap: int | None = None, store_instructions: bool = True) -> None:
        self._cap = cap
        self._store_instructions = store_instructions
        self._lock = threading.Lock()
        self._records: list[tuple[float, int, Outcome]] = []  # oldest first
        self._by_id: dict[str, tuple[float, int, Outcome]] = {}
        self._aggregates: dict[tuple[str, str], Aggregate] = {}
        self._seq = 0
        self._changes = 0

    def record(self, outcome: Outcome) -> bool:
        stored = outcome_from_dict(outcome_to_dict(outcome, self._store_instructions))
        with self._lock:
            self._seq += 1
            entry = (stored.time, self._seq, stored)
            insort(self._records, entry, key=lambda e: (e[0], e[1]))
            prev = self._by_id.get(stored.request_id)
            if prev is None or prev[:2] < entry[:2]:
                self._by_id[stored.request_id] = entry
            if self._cap is not None and len(self._records) > self._cap:
                excess = len(self._records) - compacted_size(self._cap)
                for old in self._records[:excess]:
                    fold(self._aggregates, old[2])
                    if self._by_id.get(old[2].request_id) is old:
                        del self._by_id[old[2].request_id]
                del self._records[:excess]
            self._changes += 1
        return True

    def outcomes(self, limit: int | None = None) -> list[Outcome]:
        with self._lock:
            n = len(self._records) if limit is None else max(0, min(limit, len(self._records)))
            return [e[2] for e in self._records[len(self._records) - n :][::-1]]

    def get(self, request_id: str) -> Outcome | None:
        with self._lock:
            entry = self._by_id.get(request_id)
            return None if entry is None else entry[2]

    def reset(self) -> int:
        with self._lock:
            removed = len(self._records)
            self._records.clear()
            self._by_id.clear()
            self._aggregates.clear()
            self._changes += 1
            return removed

    def count(self) -> int:
        with self._lock:
            return len(self._records)

    def aggregates(self) -> list[Aggregate]:
        with self._lock:
            return sorted(self._aggregates.values(), key=lambda a: (a.kind, a.model))

    def generation(self) -> str:
        return str(self._changes)

    def export(self) -> dict[str, Any]:
        return {
            "version": EXPORT_VERSION,
            "records": [outcome_to_dict(o) for o in self.outcomes()],
            "aggregates": [aggregate_to_dict(a) for a in self.aggregates()],
        }
