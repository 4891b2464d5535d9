"""Per-user routing memory: one ``Outcome`` per finished request.

Two implementations of ``domain.Memory`` live side by side:

* ``InMemoryMemory``: plain Python, no file (benchmark replay, tests).
* ``TinyDBMemory``: one tinydb JSON file per user, shared by the server processes of
  every editor window.  A write takes a cross-process lock (``flock`` on the sibling
  ``<file>.lock``), re-reads the file if anyone changed it, applies the change through
  tinydb and replaces the file atomically (temp file, fsync, ``os.replace``), so no
  writer loses another's records and a crash never leaves half a file.  A corrupt file
  is moved aside, never overwritten.  If the lock cannot be had within
  ``lock_timeout_s`` a write gives up (``record`` returns False) and reads keep serving
  the last loaded state.  When records exceed ``cap`` the oldest are folded into
  per-(model, kind) ``Aggregate`` s, kept in a second table of the same file, until
  90% of ``cap`` remain (so compaction runs once per ``cap // 10`` records).

What is stored is deliberately small: no code, no file contents; the instruction's
first line (<= 120 chars) only when ``store_instructions`` is on.  Only this module
imports tinydb.
"""

from __future__ import annotations

import contextlib
import heapq
import json
import logging
import math
import operator
import os
import sys
import tempfile
import threading
import time
from bisect import insort
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, TypeVar

from tinydb import TinyDB
from tinydb.storages import Storage

from .domain import Aggregate, Attempt, Outcome, is_model_evidence
from .errors import AcrouterError

log = logging.getLogger(__name__)

T = TypeVar("T")
Tables = dict[str, dict[str, Any]]

EXPORT_VERSION = 1
RECORDS = "records"
AGGREGATES = "aggregates"
INSTRUCTION_MAX_CHARS = 120
DETAIL_MAX_CHARS = 200  # test output can quote code: keep one short line
WHY_MAX_CHARS = 6000  # the why is our own markdown (no code); bounded to keep the file small
META_STR_MAX_CHARS = 200
ABSENT = "absent"  # generation of a store whose file does not exist
#: Records kept before compaction.  tinydb rewrites the whole file on every write, so
#: write and load time grow with the cap: 2000 records (~1.7 MB) measured write
#: p95 45 ms and cold load 96 ms on the slow shared CI box (benchmarks/memory_perf.py).
DEFAULT_CAP = 2000


class MemoryBusyError(AcrouterError):
    """The memory file stayed locked by another process for longer than the timeout."""


class RecordError(ValueError):
    """A stored record or aggregate does not have the expected shape."""


def default_memory_path(env: Mapping[str, str] | None = None) -> Path:
    """``$ACROUTER_HOME/memory.json``, else ``$XDG_DATA_HOME/acrouter/memory.json``,
    else ``~/.local/share/acrouter/memory.json``."""
    env = os.environ if env is None else env
    if env.get("ACROUTER_HOME"):
        return Path(env["ACROUTER_HOME"]).expanduser() / "memory.json"
    if env.get("XDG_DATA_HOME"):
        return Path(env["XDG_DATA_HOME"]).expanduser() / "acrouter" / "memory.json"
    return Path.home() / ".local" / "share" / "acrouter" / "memory.json"


# --------------------------------------------------------------------------- codec


def first_line(text: str | None, limit: int = INSTRUCTION_MAX_CHARS) -> str | None:
    """The first non-blank line of ``text``, cut to ``limit`` chars; None if blank."""
    if not text:
        return None
    for line in text.splitlines():
        if line.strip():
            return line.strip()[:limit]
    return None


def _finite(x: Any) -> float | None:
    if x is None or isinstance(x, bool):
        return None
    try:
        f = float(x)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def _rounded(x: Any, digits: int) -> float | None:
    f = _finite(x)
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
    return Attempt(
        model,
        verdict,
        _num(d.get("costUsd")),
        _num(d.get("latencyMs")) or 0.0,
        str(d.get("detail") or ""),
        passed if type(passed) is int else None,
        failed if type(failed) is int else None,
        _num(d.get("score")),
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
    )


def compacted_size(cap: int) -> int:
    """How many records remain after a compaction: ``cap`` less a 10% slack, so the
    file is compacted once every ``cap // 10`` records rather than on every write."""
    return cap - cap // 10


def fold(into: dict[tuple[str, str], Aggregate], outcome: Outcome) -> None:
    """Add one outcome to per-(model, kind) aggregates: one entry per attempt."""
    for a in outcome.attempts:
        if not is_model_evidence(a):
            continue
        score = a.score if a.score is not None else (1.0 if a.verdict == "pass" else 0.0)
        key = (a.model, outcome.kind)
        prev = into.get(key) or Aggregate(a.model, outcome.kind, 0, 0.0, 0, 0.0)
        into[key] = Aggregate(
            model=a.model,
            kind=outcome.kind,
            n=prev.n + 1,
            score_sum=prev.score_sum + score,
            passes=prev.passes + (a.verdict == "pass"),
            cost_usd_sum=prev.cost_usd_sum + (a.cost_usd or 0.0),
        )


def _merge(a: Aggregate, b: Aggregate) -> Aggregate:
    return Aggregate(
        a.model,
        a.kind,
        a.n + b.n,
        a.score_sum + b.score_sum,
        a.passes + b.passes,
        a.cost_usd_sum + b.cost_usd_sum,
    )


# --------------------------------------------------------------------------- in memory


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


# --------------------------------------------------------------------------- file plumbing


class _CorruptFile(Exception):
    """The memory file is not JSON or not a tinydb store of the expected shape."""


class _BufferedStorage(Storage):
    """tinydb Storage over the in-memory copy of the file.

    ``TinyDBMemory`` loads that copy under the lock and saves it with one atomic
    replace per transaction, so a record plus its compaction is a single file write.
    """

    def __init__(self, data: Tables) -> None:
        self.data = data
        self.dirty = False

    def read(self) -> Tables:
        return self.data

    def write(self, data: Tables) -> None:
        self.data = data
        self.dirty = True


def _generation(st: os.stat_result) -> str:
    return f"{st.st_mtime_ns}:{st.st_size}:{st.st_ino}"


def _check_shape(data: Any) -> Tables:
    """``data`` if it is a tinydb store of ours: tables of documents under numeric ids,
    records with a request id and a list of attempts.  (Runs on every load: the checks
    are written to stay in C as much as possible.)"""
    if type(data) is not dict:
        raise _CorruptFile("top level is not an object")
    for name, table in data.items():
        if type(table) is not dict:
            raise _CorruptFile(f"table {name!r} is not an object")
        if not all(map(str.isdigit, table)) or not set(map(type, table.values())) <= {dict}:
            raise _CorruptFile(f"table {name!r} has a document that is not an object")
    records = data.get(RECORDS, {}).values()
    if not set(map(type, map(_request_id, records))) <= {str} or not set(
        map(type, map(_attempts, records))
    ) <= {list}:
        raise _CorruptFile("a record lacks 'requestId' or 'attempts'")
    return data


def _request_id(doc: dict[str, Any]) -> Any:
    return doc.get("requestId")


def _attempts(doc: dict[str, Any]) -> Any:
    return doc.get("attempts")


def _read_file(path: Path) -> tuple[Tables, str]:
    """(tables, generation) of the file; an absent or empty file is an empty store."""
    try:
        f = open(path, "rb")  # noqa: SIM115 - fstat and read the same open file
    except FileNotFoundError:
        return {}, ABSENT
    with f:
        gen = _generation(os.fstat(f.fileno()))
        raw = f.read()
    if not raw.strip():
        return {}, gen
    try:
        return _check_shape(json.loads(raw)), gen
    except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError
        raise _CorruptFile(str(exc)) from exc


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))


class _Encoder:
    """Encodes the whole store as tinydb's JSON, re-encoding only new records.

    A record whose dict is the one encoded last time (records are only inserted or
    removed, never changed in place), or equal to it (the file was re-read after
    another process wrote), keeps its cached JSON.  The common case, records appended
    to an unchanged table, is checked with C-speed list operations.  This keeps a write
    close to the cost of copying the file instead of re-encoding all of it.
    """

    def __init__(self) -> None:
        self._ids: list[str] = []
        self._docs: list[Any] = []
        self._pieces: list[bytes] = []

    def encode(self, data: Tables) -> bytes:
        tables = []
        for name, table in data.items():
            if name == RECORDS:
                body = b",".join(self._record_pieces(table))
            else:
                body = ",".join(f"{_dumps(str(k))}:{_dumps(v)}" for k, v in table.items()).encode()
            tables.append(_dumps(name).encode() + b":{" + body + b"}")
        return b"{" + b",".join(tables) + b"}"

    def _record_pieces(self, table: dict[str, Any]) -> list[bytes]:
        ids, docs, n = list(table), list(table.values()), len(self._ids)
        if ids[:n] == self._ids and all(map(operator.is_, docs[:n], self._docs)):
            pieces = self._pieces + [_piece(i, d) for i, d in zip(ids[n:], docs[n:])]
        else:
            cached = {i: (d, p) for i, d, p in zip(self._ids, self._docs, self._pieces)}
            pieces = []
            for doc_id, doc in table.items():
                hit = cached.get(doc_id)
                if hit is not None and (hit[0] is doc or hit[0] == doc):
                    pieces.append(hit[1])
                else:
                    pieces.append(_piece(doc_id, doc))
        self._ids, self._docs, self._pieces = ids, docs, pieces
        return pieces


def _piece(doc_id: str, doc: Any) -> bytes:
    return f'"{int(doc_id)}":{_dumps(doc)}'.encode()


def _write_atomic(path: Path, payload: bytes) -> str:
    """Replace ``path`` with ``payload`` atomically; returns the new generation.

    Temp file in the same directory, flush + fsync, ``os.replace``: a reader or a
    crash sees the old file or the new one, never a mix.  The new file's mtime is
    forced past the old one so the generation changes even when two writes fall into
    one coarse filesystem clock tick.  (The directory is not fsynced: after a power
    cut the previous, complete file may come back, losing the newest record.)
    """
    try:
        not_before = os.stat(path).st_mtime_ns + 1
    except FileNotFoundError:
        not_before = 0
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(payload)
            f.flush()
            stamp = max(time.time_ns(), not_before)
            os.utime(f.fileno(), ns=(stamp, stamp))
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return _generation(os.stat(path))


class _FileLock:
    """An exclusive cross-process lock on a sibling lock file, polled until a deadline."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None
        self._pid = 0

    def acquire(self, timeout_s: float) -> bool:
        if self._fd is None or self._pid != os.getpid():  # a forked child needs its own
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            self._pid = os.getpid()
        deadline = time.monotonic() + timeout_s
        delay = 0.001
        while True:
            if _try_lock(self._fd):
                return True
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            time.sleep(min(delay, remaining))
            delay = min(delay * 2, 0.005)

    def release(self) -> None:
        if self._fd is not None:
            _unlock(self._fd)

    def close(self) -> None:
        if self._fd is not None and self._pid == os.getpid():
            os.close(self._fd)
        self._fd = None


if sys.platform == "win32":  # pragma: no cover - not exercised on the Linux CI
    import msvcrt

    def _try_lock(fd: int) -> bool:
        os.lseek(fd, 0, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except (BlockingIOError, PermissionError):
            return False
        return True

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)


# --------------------------------------------------------------------------- tinydb memory


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
        self._lock = _FileLock(self.path.with_name(self.path.name + ".lock"))
        self._io = threading.Lock()  # this process's writers, and whoever holds the file lock
        self._state = threading.Lock()  # _data, _gen, _view, _memo
        self._data: Tables | None = None  # the file's tables as of generation self._gen
        self._gen: str | None = None
        self._view: tuple[list[Outcome], dict[str, Outcome], list[Aggregate]] | None = None
        self._memo: dict[tuple[str, Any, Any], Outcome] = {}  # (doc id, request id, time)
        self._swept = False
        self._encoder = _Encoder()

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
            return _generation(os.stat(self.path))
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
        storage = _BufferedStorage(self._data)
        try:
            result = change(TinyDB(storage=lambda: storage))
            if storage.dirty:
                payload = self._encoder.encode(storage.data)
                self._gen = _write_atomic(self.path, payload)
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
            data, gen = _read_file(self.path)
        except _CorruptFile:
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
            data, gen = _read_file(self.path)
        except _CorruptFile as exc:
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
        excess, records, key=lambda d: (_finite(d.get("time")) or 0.0, d.doc_id)
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
            merged = _merge(aggregate_from_dict(found), add)
            table.update(aggregate_to_dict(merged), doc_ids=[found.doc_id])
    records.remove(doc_ids=[d.doc_id for d in oldest])
    return excess
