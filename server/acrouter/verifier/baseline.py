"""Test runs without the edit (baselines), cached per workspace state, command and
everything outside the workspace the command uses.

The key (``environment_key`` plus the workspace's files, computed by the caller)
covers: the programs the command runs, resolved on the tests' PATH and followed
through symlinks, with their modification times; for a Python, its virtualenv's
``pyvenv.cfg`` and the modification times of its site-packages folders (installing or
removing a package changes them); the variables PATH, VIRTUAL_ENV, PYTHONPATH,
NODE_PATH, GOFLAGS, CARGO_HOME, RUSTUP_HOME, GOPATH, JAVA_HOME; and the lock files
(requirements*.txt, poetry.lock, uv.lock, Pipfile.lock, package-lock.json,
yarn.lock, pnpm-lock.yaml, Cargo.lock, go.sum) in the workspace and in its parent
folders up to the repository root.  The caller's key adds the Python files beside the
workspace the tests import (:func:`.fingerprint.outside_stamp`).
"""

from __future__ import annotations

import collections
import glob
import hashlib
import json
import logging
import os
import shlex
import shutil
import threading
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from ..config import acrouter_home
from ..domain import Baseline
from ..errors import PreflightError
from .offline import needed_network
from .scratch import Scan
from .testrun import COMMAND_MISSING, PYTEST_CANNOT_RUN, TestRun, failures_of

log = logging.getLogger(__name__)


def default_cache_dir(env: Mapping[str, str] | None = None) -> Path:
    """``verifier-cache`` in the cache home (:func:`acrouter.config.acrouter_home`)."""
    return acrouter_home(env, cache=True) / "verifier-cache"


# --------------------------------------------------------------------------- the key

KEY_VARIABLES = (
    "PATH",
    "VIRTUAL_ENV",
    "PYTHONPATH",
    "PYTHONHOME",
    "NODE_PATH",
    "GOFLAGS",
    "GOPATH",
    "CARGO_HOME",
    "RUSTUP_HOME",
    "JAVA_HOME",
)
LOCK_FILES = (
    "poetry.lock",
    "uv.lock",
    "Pipfile.lock",
    "pdm.lock",
    "package-lock.json",
    "npm-shrinkwrap.json",
    "yarn.lock",
    "pnpm-lock.yaml",
    "Cargo.lock",
    "go.sum",
    "go.mod",
)


def _stamp(path: str) -> str:
    try:
        st = os.stat(path)
    except OSError:
        return f"{path}:-"
    return f"{path}:{st.st_mtime_ns}:{st.st_size}"


def _programs(argv: Sequence[str]) -> list[str]:
    """The programs a command line starts: its argv[0], and the first word of each
    simple command of an ``sh -c`` line (after ``VAR=value`` words)."""
    words = [argv[0]] if argv else []
    if len(argv) >= 3 and os.path.basename(argv[0]) in ("sh", "bash", "dash") and argv[1] == "-c":
        try:
            lexer = shlex.shlex(argv[2], posix=True, punctuation_chars=True)
            lexer.whitespace_split = True
            tokens = list(lexer)
        except ValueError:
            tokens = []
        start = True
        for tok in tokens:
            if tok and set(tok) <= set("&|;()<>"):
                start = True
                continue
            if start and "=" in tok and not tok.startswith(("-", "/", ".")):
                continue  # VAR=value before the command
            if start:
                words.append(tok)
                start = False
    return words


def _python_stamps(program: str) -> Iterable[str]:
    """For a Python: its virtualenv's config and the site-packages folders' mtimes."""
    real = os.path.realpath(program)
    if "python" not in os.path.basename(program) and "python" not in os.path.basename(real):
        return
    for prefix in {
        os.path.dirname(os.path.dirname(program)),
        os.path.dirname(os.path.dirname(real)),
    }:
        cfg = os.path.join(prefix, "pyvenv.cfg")
        if os.path.isfile(cfg):
            yield _stamp(cfg)
        for pattern in (
            "lib/python*/site-packages",
            "lib/python*/dist-packages",
            "local/lib/python*/dist-packages",
            "lib/python3/dist-packages",
        ):
            for folder in sorted(glob.glob(os.path.join(prefix, pattern))):
                yield _stamp(folder)


def environment_key(
    argv: Sequence[str], env: Mapping[str, str], root: Path, cwd: str | None = None
) -> str:
    """A digest of what outside the workspace the test command ``argv`` uses (see the
    module docstring); ``env`` is the tests' environment."""
    parts = [f"{k}={env.get(k, '')}" for k in KEY_VARIABLES]
    path = env.get("PATH", os.defpath)
    for word in _programs(argv):
        if os.sep in word:
            program = word if os.path.isabs(word) else os.path.join(cwd or str(root), word)
        else:
            program = shutil.which(word, path=path) or word
        parts.append(_stamp(program))
        hop, seen = program, 0
        while os.path.islink(hop) and seen < 16:
            hop = os.path.join(os.path.dirname(hop), os.readlink(hop))
            parts.append(_stamp(hop))
            seen += 1
        parts.extend(_python_stamps(program))
    folder = root
    for _ in range(16):
        for name in LOCK_FILES:
            if (folder / name).exists():
                parts.append(_stamp(str(folder / name)))
        for req in sorted(glob.glob(str(folder / "requirements*.txt"))):
            parts.append(_stamp(req))
        if (folder / ".git").exists() or folder.parent == folder:
            break
        folder = folder.parent
    return hashlib.sha256("\n".join(parts).encode("utf-8", "surrogateescape")).hexdigest()


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
            if "closing" not in data:
                return None  # (cached before the closing line and compiler errors were kept: run again)
            run = TestRun(
                exit_code=data["exit_code"],
                outcomes=data["outcomes"],
                expects_report=bool(data["expects_report"]),
                messages=data.get("messages") or {},
                last_line=data.get("last_line") or "",
                network=data.get("network") or "",
                broken=data.get("broken") or {},
                summary=data.get("summary") or "",
                assertions=data.get("assertions") or {},
                closing=data.get("closing") or "",
                wrote=data.get("wrote") or {},
                compile_errors=tuple(data.get("compile_errors") or ()),
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None
        self._remember(key, run)
        return run

    def put(self, key: str, run: TestRun) -> None:
        self._remember(key, run)
        if self.cache_dir is None:
            return
        data: dict[str, object] = {
            "exit_code": run.exit_code,
            "outcomes": dict(run.outcomes) if run.outcomes is not None else None,
            "expects_report": run.expects_report,
            "messages": dict(run.messages),
            "last_line": run.last_line,
            "network": run.network,
            "broken": dict(run.broken),
            "summary": run.summary,
            "assertions": dict(run.assertions),
            "closing": run.closing,
            "wrote": dict(run.wrote),
            "compile_errors": list(run.compile_errors),
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


def buffers_key(buffers: Mapping[str, str]) -> str:
    """A digest of the editor's unsaved buffers (path and text) the runs put in place
    of the files on disk: a baseline run with other buffers, or none, is another."""
    data = json.dumps(sorted(buffers.items()), ensure_ascii=False)
    return "buffers:" + hashlib.sha256(data.encode("utf-8", "surrogatepass")).hexdigest()


def shared_stamp(root: Path, scan: Scan) -> str:
    """Changes when a package is installed into the project's virtualenv / node_modules."""
    parts = []
    for rel in scan.shared_dirs:
        for path in [
            root / rel,
            *map(Path, glob.glob(str(root / rel / "lib" / "python*" / "site-packages"))),
        ]:
            try:
                parts.append(f"{path}:{path.stat().st_mtime_ns}")
            except OSError:
                pass
    return "|".join(parts)


def baseline_summary(command: str, before: TestRun) -> Baseline:
    """The pre-flight's reading of the run without the edit; ``PreflightError`` when
    that run shows the tests cannot judge any edit."""
    if before.timed_out:
        raise PreflightError(
            f"the tests took longer than {before.timeout_s:g} s even without the edit",
            "testTimeoutSeconds",
        )
    if before.killed:
        raise PreflightError(f"the tests were stopped even without the edit: {before.killed}")
    code = before.exit_code
    tail = f": {before.why_not()}" if before.why_not() else ""
    if before.outcomes is None:
        if code in COMMAND_MISSING:
            raise PreflightError(
                f"the test command {command!r} was {COMMAND_MISSING[code]} (exit code {code}){tail}",
                "testCommand",
            )
        if before.expects_report and code in PYTEST_CANNOT_RUN:
            raise PreflightError(
                f"the tests cannot run even without the edit (exit code {code}, "
                f"{PYTEST_CANNOT_RUN[code]}){tail}",
                "testCommand",
            )
        fetch = before.network if code not in (0, None) else None
        if fetch:  # no test ran: the command's own set-up needed the network
            raise PreflightError(needed_network(code, fetch), "testCommand")
        detail = f"exit code {code} without the edit"
    else:
        # a test file that cannot be collected (it may import what the edit should add)
        # is a failing test, not a refusal
        if not before.broken and (before.passed or 0) + (before.failed or 0) == 0:
            raise PreflightError(
                f"no test ran with {command!r}, so no edit could be verified{tail}",
                "testCommand",
            )
        detail = f"{before.passed} passed, {before.failed} failed without the edit"
    return Baseline(
        command=command,
        tests_passed=before.passed,
        tests_failed=before.failed,
        failures=failures_of(before),
        detail=detail,
    )
