"""The output of a test run: the first and last part kept for the verdict's details,
the rest counted, and the whole stream (up to a bound) written to a file for the
runners whose results are read from their output."""

from __future__ import annotations

import os
from collections import deque

from .limits import MiB

#: At most this much of the output goes to ``RunSpec.capture``.
CAPTURE_MAX_BYTES = 64 * MiB


class OutputCap:
    """Keeps the first and the last ``keep`` bytes of a stream; counts the rest; and
    writes the whole stream (up to ``CAPTURE_MAX_BYTES``) to ``capture``, if given."""

    def __init__(self, keep: int, capture: str | None = None) -> None:
        self.keep = keep
        self.head = bytearray()
        self.tail: deque[bytes] = deque()
        self.tail_len = 0
        self.total = 0
        self._file = open(capture, "wb") if capture else None  # noqa: SIM115

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    def add(self, chunk: bytes) -> None:
        if self._file is not None and self.total < CAPTURE_MAX_BYTES:
            self._file.write(chunk[: CAPTURE_MAX_BYTES - self.total])
        self.total += len(chunk)
        room = self.keep - len(self.head)
        if room > 0:
            self.head += chunk[:room]
            chunk = chunk[room:]
        if not chunk:
            return
        if len(chunk) >= self.keep:
            self.tail.clear()
            self.tail.append(bytes(chunk[-self.keep :]))
            self.tail_len = self.keep
            return
        self.tail.append(bytes(chunk))
        self.tail_len += len(chunk)
        while self.tail_len - len(self.tail[0]) >= self.keep:
            self.tail_len -= len(self.tail.popleft())

    def text(self) -> str:
        tail = b"".join(self.tail)
        if len(tail) > self.keep:
            tail = tail[-self.keep :]
        omitted = self.total - len(self.head) - len(tail)
        middle = f"\n[... {omitted} bytes of output omitted ...]\n".encode() if omitted > 0 else b""
        return (bytes(self.head) + middle + tail).decode("utf-8", "replace")


def drain(fd: int, cap: OutputCap, budget: int) -> bool:
    """Read what is available (at most ``budget`` bytes); True at end of stream."""
    got = 0
    while got < budget:
        try:
            chunk = os.read(fd, 65536)
        except BlockingIOError:
            return False
        except OSError:
            return True
        if not chunk:
            return True
        cap.add(chunk)
        got += len(chunk)
    return False
