"""The memory file: tinydb's JSON layout, shape checks, an incremental encoder, atomic
replacement and the cross-process lock."""

from __future__ import annotations

import contextlib
import json
import operator
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from tinydb.storages import Storage

Tables = dict[str, dict[str, Any]]

RECORDS = "records"
AGGREGATES = "aggregates"
ABSENT = "absent"  # generation of a store whose file does not exist


class CorruptFile(Exception):
    """The memory file is not JSON or not a tinydb store of the expected shape."""


class BufferedStorage(Storage):
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


def generation_of(st: os.stat_result) -> str:
    return f"{st.st_mtime_ns}:{st.st_size}:{st.st_ino}"


def _check_shape(data: Any) -> Tables:
    """``data`` if it is a tinydb store of ours: tables of documents under numeric ids,
    records with a request id and a list of attempts.  (Runs on every load: the checks
    are written to stay in C as much as possible.)"""
    if type(data) is not dict:
        raise CorruptFile("top level is not an object")
    for name, table in data.items():
        if type(table) is not dict:
            raise CorruptFile(f"table {name!r} is not an object")
        if not all(map(str.isdigit, table)) or not set(map(type, table.values())) <= {dict}:
            raise CorruptFile(f"table {name!r} has a document that is not an object")
    records = data.get(RECORDS, {}).values()
    if not set(map(type, map(_request_id, records))) <= {str} or not set(
        map(type, map(_attempts, records))
    ) <= {list}:
        raise CorruptFile("a record lacks 'requestId' or 'attempts'")
    return data


def _request_id(doc: dict[str, Any]) -> Any:
    return doc.get("requestId")


def _attempts(doc: dict[str, Any]) -> Any:
    return doc.get("attempts")


def read_file(path: Path) -> tuple[Tables, str]:
    """(tables, generation) of the file; an absent or empty file is an empty store."""
    try:
        f = open(path, "rb")  # noqa: SIM115 - fstat and read the same open file
    except FileNotFoundError:
        return {}, ABSENT
    with f:
        gen = generation_of(os.fstat(f.fileno()))
        raw = f.read()
    if not raw.strip():
        return {}, gen
    try:
        return _check_shape(json.loads(raw)), gen
    except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError
        raise CorruptFile(str(exc)) from exc


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))


class Encoder:
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


def write_atomic(path: Path, payload: bytes) -> str:
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
    return generation_of(os.stat(path))


class FileLock:
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
