"""Test runs without the edit (baselines), cached per workspace state and command."""

from __future__ import annotations

import collections
import json
import logging
import os
import threading
from collections.abc import Mapping
from pathlib import Path

from .verdict import TestRun

log = logging.getLogger(__name__)


def default_cache_dir(env: Mapping[str, str] | None = None) -> Path:
    """``$ACROUTER_HOME/verifier-cache``, else ``$XDG_CACHE_HOME/acrouter/verifier``,
    else ``~/.cache/acrouter/verifier``."""
    env = os.environ if env is None else env
    if env.get("ACROUTER_HOME"):
        return Path(env["ACROUTER_HOME"]).expanduser() / "verifier-cache"
    if env.get("XDG_CACHE_HOME"):
        return Path(env["XDG_CACHE_HOME"]).expanduser() / "acrouter" / "verifier"
    return Path.home() / ".cache" / "acrouter" / "verifier"


# --------------------------------------------------------------------------- baseline cache


class BaselineCache:
    """Test runs without the edit, keyed by workspace state + command.  In memory, and
    in ``cache_dir`` (one small JSON file per key) when given."""

    def __init__(self, cache_dir: Path | None = None, max_entries: int = 64) -> None:
        self.cache_dir = cache_dir
        self.max_entries = max_entries
        self._mem: collections.OrderedDict[str, TestRun] = collections.OrderedDict()
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def lock(self, key: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(key, threading.Lock())

    def get(self, key: str) -> TestRun | None:
        with self._guard:
            if key in self._mem:
                self._mem.move_to_end(key)
                return self._mem[key]
        if self.cache_dir is None:
            return None
        try:
            data = json.loads((self.cache_dir / f"baseline-{key}.json").read_text(encoding="utf-8"))
            run = TestRun(
                exit_code=data["exit_code"],
                outcomes=data["outcomes"],
                expects_report=bool(data["expects_report"]),
                messages=data.get("messages") or {},
                last_line=data.get("last_line") or "",
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None
        self._remember(key, run)
        return run

    def put(self, key: str, run: TestRun) -> None:
        self._remember(key, run)
        if self.cache_dir is None:
            return
        data = {
            "exit_code": run.exit_code,
            "outcomes": dict(run.outcomes) if run.outcomes is not None else None,
            "expects_report": run.expects_report,
            "messages": dict(run.messages),
            "last_line": run.last_line,
        }
        try:
            self.cache_dir.mkdir(parents=True, exist_ok=True)
            tmp = self.cache_dir / f".baseline-{key}.{os.getpid()}.tmp"
            tmp.write_text(json.dumps(data), encoding="utf-8")
            os.replace(tmp, self.cache_dir / f"baseline-{key}.json")
            self._prune()
        except OSError as exc:
            log.warning("could not write the baseline cache in %s: %s", self.cache_dir, exc)

    def _remember(self, key: str, run: TestRun) -> None:
        with self._guard:
            self._mem[key] = run
            self._mem.move_to_end(key)
            while len(self._mem) > self.max_entries:
                self._mem.popitem(last=False)

    def _prune(self, keep: int = 500) -> None:
        assert self.cache_dir is not None
        files = sorted(self.cache_dir.glob("baseline-*.json"), key=lambda p: p.stat().st_mtime)
        for old in files[:-keep]:
            old.unlink(missing_ok=True)


_default_cache: BaselineCache | None = None
_default_cache_lock = threading.Lock()


def default_baseline_cache() -> BaselineCache:
    """The process-wide in-memory baseline cache, shared by verifiers created without a
    ``cache_dir`` (the editor builds one verifier per request)."""
    global _default_cache
    with _default_cache_lock:
        if _default_cache is None:
            _default_cache = BaselineCache()
        return _default_cache
