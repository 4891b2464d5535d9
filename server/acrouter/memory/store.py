"""``TinyDBMemory``: the routing memory in one tinydb JSON file shared by processes."""

from __future__ import annotations

import contextlib
import heapq
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, TypeVar

from tinydb import TinyDB

from ..config import acrouter_home
from ..domain import Aggregate, Outcome
from ..errors import AcrouterError
from .file import (
    ABSENT,
    AGGREGATES,
    RECORDS,
    BufferedStorage,
    CorruptFile,
    Encoder,
    FileLock,
    Tables,
    generation_of,
    read_file,
    write_atomic,
)
from .records import (
    DEFAULT_CAP,
    EXPORT_VERSION,
    aggregate_from_dict,
    aggregate_to_dict,
    compacted_size,
    finite,
    fold,
    merge,
    outcome_from_dict,
    outcome_to_dict,
)

log = logging.getLogger(__name__)

T = TypeVar("T")


class MemoryBusyError(AcrouterError):
    """The memory file stayed locked by another process for longer than the timeout."""


def default_memory_path(env: Mapping[str, str] | None = None) -> Path:
    """``memory.json`` in :func:`acrouter.config.acrouter_home`."""
    return acrouter_home(env) / "memory.json"


class TinyDBMemory:
    """``Memory`` in one tinydb JSON file, safe to share between processes."""

    def __init__(
        self,
        path: Path,
        store_instructions: bool = True,
        cap: int = DEFAULT_CAP,
        lock_timeout_s: float = 2.0,
    ) -> None:
        if cap < 1:
            raise ValueError("cap must be at least 1")
        self.path = Path(path)
        self.store_instructions = store_instructions
        self.cap = cap
        self.lock_timeout_s = lock_timeout_s
        self._lock = FileLock(self.path.with_name(self.path.name + ".lock"))
        self._io = threading.Lock()  # this process's writers, and whoever holds the file lock
        self._state = threading.Lock()  # _data, _gen, _view, _memo
        self._data: Tables | None = None  # the file's tables as of generation self._gen
        self._gen: str | None = None
        self._view: tuple[list[Outcome], dict[str, Outcome], list[Aggregate]] | None = None
        self._memo: dict[tuple[str, Any, Any], Outcome] = {}  # (doc id, request id, time)
        self._swept = False
        self._encoder = Encoder()

    # ------------------------------------------------------------------ Memory

    def record(self, outcome: Outcome) -> bool:
        """Store one outcome; False (with a warning) if the file stayed locked or failed."""
        doc = outcome_to_dict(outcome, self.store_instructions)

        def change(db: TinyDB) -> None:
            db.table(RECORDS).insert(doc)
            _compact(db, self.cap)

        try:
            done, _ = self._transaction(change)
        except OSError as exc:
            log.warning("could not write routing memory %s: %s", self.path, exc)
            return False
        if not done:
            log.warning(
                "routing memory %s stayed locked for %.1f s; outcome %s not stored",
                self.path,
                self.lock_timeout_s,
                outcome.request_id,
            )
        return done

    def outcomes(self, limit: int | None = None) -> list[Outcome]:
        newest_first = self._current()[0]
        return list(newest_first if limit is None else newest_first[: max(0, limit)])

    def get(self, request_id: str) -> Outcome | None:
        return self._current()[1].get(request_id)

    def count(self) -> int:
        return len(self._current()[0])

    def aggregates(self) -> list[Aggregate]:
        return list(self._current()[2])

    def reset(self) -> int:
        """Remove every record and aggregate; returns the number of records removed.

        Raises ``MemoryBusyError`` if the file stayed locked past the timeout.
        """

        def change(db: TinyDB) -> int:
            removed = len(db.table(RECORDS))
            db.drop_tables()
            return removed

        done, removed = self._transaction(change)
        if not done:
            raise MemoryBusyError(
                f"routing memory {self.path} stayed locked for {self.lock_timeout_s:.1f} s"
            )
        return removed or 0

    def generation(self) -> str:
        """Changes whenever anyone rewrites the file (mtime, size and inode)."""
        try:
            return generation_of(os.stat(self.path))
        except FileNotFoundError:
            return ABSENT

    def export(self) -> dict[str, Any]:
        """``{"version": 1, "records": [...newest first], "aggregates": [...]}``."""
        newest_first, _, aggregates = self._current()
        return {
            "version": EXPORT_VERSION,
            "records": [outcome_to_dict(o) for o in newest_first],
            "aggregates": [aggregate_to_dict(a) for a in aggregates],
        }

    def close(self) -> None:
        self._lock.close()

    # ------------------------------------------------------------------ internals

    def _transaction(self, change: Callable[[TinyDB], T]) -> tuple[bool, T | None]:
        """Run ``change`` on the current file under the lock; save once if it wrote.

        Lock order: ``_io`` (this process's writers) -> file lock -> ``_state``.  Waiting
        for the file lock does not hold ``_state``, so reads keep serving the last state.
        """
        deadline = time.monotonic() + self.lock_timeout_s
        if not self._io.acquire(timeout=self.lock_timeout_s):
            return False, None
        try:
            if not self._lock.acquire(max(0.0, deadline - time.monotonic())):
                return False, None
            try:
                with self._state:
                    return True, self._apply_locked(change)
            finally:
                self._lock.release()
        finally:
            self._io.release()

    def _apply_locked(self, change: Callable[[TinyDB], T]) -> T:
        self._sweep_temp_files()
        if self._data is None or self._gen != self.generation():
            self._load_locked()
        assert self._data is not None
        storage = BufferedStorage(self._data)
        try:
            result = change(TinyDB(storage=lambda: storage))
            if storage.dirty:
                payload = self._encoder.encode(storage.data)
                self._gen = write_atomic(self.path, payload)
                self._data = storage.data
                self._view = None
        except BaseException:
            # tinydb may have changed the copy in place: re-read the intact file, and
            # let reads serve the last view until that succeeds
            self._data = self._gen = None
            raise
        return result

    def _current(self) -> tuple[list[Outcome], dict[str, Outcome], list[Aggregate]]:
        """The parsed view of the file, re-read only when its generation changed."""
        with self._state:
            if self._data is None or self._gen != self.generation():
                self._reload()
            if self._view is None:
                self._view = self._build_view(self._data or {})
            return self._view

    def _reload(self) -> None:
        """Re-read without the lock (writes are atomic); repair a corrupt file under it."""
        try:
            data, gen = read_file(self.path)
        except CorruptFile:
            self._repair_from_reader()
            return
        except OSError as exc:
            log.warning("could not read routing memory %s (%s); using last state", self.path, exc)
            return
        self._data, self._gen, self._view = data, gen, None

    def _repair_from_reader(self) -> None:
        # never wait on this process's writers (they will repair it themselves)
        if self._io.acquire(blocking=False):
            try:
                if self._lock.acquire(self.lock_timeout_s):
                    try:
                        self._load_locked()
                        return
                    except OSError as exc:
                        log.warning("could not move corrupt %s aside: %s", self.path, exc)
                    finally:
                        self._lock.release()
            finally:
                self._io.release()
        log.warning("routing memory %s is unreadable and busy; using last state", self.path)

    def _load_locked(self) -> None:
        """Load the file (lock held); a corrupt file is moved aside and a fresh store begun."""
        try:
            data, gen = read_file(self.path)
        except CorruptFile as exc:
            aside = self._move_aside()
            log.warning(
                "routing memory %s is corrupt (%s); moved it to %s and started a fresh store",
                self.path,
                exc,
                aside,
            )
            data, gen = {}, ABSENT
        self._data, self._gen, self._view = data, gen, None

    def _move_aside(self) -> Path:
        stamp = int(time.time())
        aside = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        n = 0
        while aside.exists():
            n += 1
            aside = self.path.with_name(f"{self.path.name}.corrupt-{stamp}-{n}")
        os.replace(self.path, aside)
        return aside

    def _sweep_temp_files(self) -> None:
        """Remove temp files left by a writer killed mid-write (lock held: none is live)."""
        if self._swept:
            return
        self._swept = True
        with contextlib.suppress(OSError):
            for p in self.path.parent.glob(f".{self.path.name}.*.tmp"):
                with contextlib.suppress(OSError):
                    p.unlink()

    def _build_view(
        self, data: Tables
    ) -> tuple[list[Outcome], dict[str, Outcome], list[Aggregate]]:
        # read tinydb's documents directly: this is the hot path of a cold load
        memo: dict[tuple[str, Any, Any], Outcome] = {}
        entries: list[tuple[float, int, Outcome]] = []
        for doc_id, doc in data.get(RECORDS, {}).items():
            key = (doc_id, doc.get("requestId"), doc.get("time"))
            o = self._memo.get(key)
            if o is None:
                try:
                    o = outcome_from_dict(doc)
                except (ValueError, TypeError) as exc:
                    log.warning("skipping unreadable record %s in %s: %s", doc_id, self.path, exc)
                    continue
            memo[key] = o
            entries.append((o.time, int(doc_id), o))
        self._memo = memo
        entries.sort(key=lambda e: (e[0], e[1]), reverse=True)
        newest_first = [e[2] for e in entries]
        by_id: dict[str, Outcome] = {}
        for o in reversed(newest_first):  # newest wins on a duplicate request id
            by_id[o.request_id] = o
        aggregates = sorted(
            _read_aggregates(data.get(AGGREGATES, {}).values()), key=lambda a: (a.kind, a.model)
        )
        return newest_first, by_id, aggregates


def _read_aggregates(docs: Iterable[Mapping[str, Any]]) -> Iterator[Aggregate]:
    for doc in docs:
        try:
            yield aggregate_from_dict(doc)
        except (ValueError, TypeError) as exc:
            log.warning("skipping unreadable aggregate: %s", exc)


def _compact(db: TinyDB, cap: int) -> int:
    """Once records exceed ``cap``, fold the oldest into the aggregates table until
    ``compacted_size(cap)`` remain; returns how many were folded."""
    records = db.table(RECORDS)
    if len(records) <= cap:
        return 0
    excess = len(records) - compacted_size(cap)
    oldest = heapq.nsmallest(
        excess, records, key=lambda d: (finite(d.get("time")) or 0.0, d.doc_id)
    )
    folded: dict[tuple[str, str], Aggregate] = {}
    for doc in oldest:
        try:
            fold(folded, outcome_from_dict(doc))
        except (ValueError, TypeError) as exc:
            log.warning("dropping unreadable record %s while compacting: %s", doc.doc_id, exc)
    table = db.table(AGGREGATES)
    existing = {(d.get("model"), d.get("kind")): d for d in table}
    for key, add in folded.items():
        found = existing.get(key)
        if found is None:
            table.insert(aggregate_to_dict(add))
        else:
            merged = merge(aggregate_from_dict(found), add)
            table.update(aggregate_to_dict(merged), doc_ids=[found.doc_id])
    records.remove(doc_ids=[d.doc_id for d in oldest])
    return excess
