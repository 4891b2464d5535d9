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
first line (<= 120 chars) only when ``store_instructions`` is on.

Modules: :mod:`.records` (what one record holds and how it is encoded, aggregates),
:mod:`.inmemory`, :mod:`.file` (the file format, atomic writes, the lock; the only
importer of tinydb with :mod:`.store`), :mod:`.store` (``TinyDBMemory``), :mod:`.team`
(what a memory shares with a team, and reading team priors back).
"""

from .file import Encoder
from .inmemory import InMemoryMemory
from .records import (
    DEFAULT_CAP,
    EXPORT_VERSION,
    INSTRUCTION_MAX_CHARS,
    RecordError,
    aggregate_from_dict,
    aggregate_to_dict,
    attempt_from_dict,
    attempt_to_dict,
    compacted_size,
    first_line,
    fold,
    outcome_from_dict,
    outcome_to_dict,
)
from .store import MemoryBusyError, TinyDBMemory, default_memory_path

__all__ = [
    "DEFAULT_CAP",
    "EXPORT_VERSION",
    "INSTRUCTION_MAX_CHARS",
    "Encoder",
    "InMemoryMemory",
    "MemoryBusyError",
    "RecordError",
    "TinyDBMemory",
    "aggregate_from_dict",
    "aggregate_to_dict",
    "attempt_from_dict",
    "attempt_to_dict",
    "compacted_size",
    "default_memory_path",
    "first_line",
    "fold",
    "outcome_from_dict",
    "outcome_to_dict",
]
