"""``ProjectVerifier``: run the project's own tests on a scratch copy with the edit
applied, in a sandbox, and compare with a (cached) run without the edit."""

from __future__ import annotations

import functools
import glob
import logging
import os
import signal
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import attrs

from ..domain import Cancelled, CancelToken, Edit, Task, Verdict
from ..errors import VerifyError
from .baseline import BaselineCache, default_baseline_cache
from .bwrap import BWRAP_MISSING, SANDBOX_TMP, Mount, bwrap_problem, mounts_for, tool_mounts
from .bwrap_exe import BwrapExe, find_bwrap
from .environment import build_env, hidden_home_paths
from .runners import (
    TestPlan,
    can_check_syntax,
    detect_test_command,
    parse_junit,
    plan_command,
    project_python,
    pytest_addopts,
)
from .sandbox import GiB, Limits, RunSpec, run_command
from .scratch import Scan, Scratch, ScratchPool, default_pool, scan_workspace
from .unidiff import apply_diff_texts
from .verdict import TestRun, judge
from .workspace import normalise_relative, resolve_edit_path

log = logging.getLogger(__name__)

#: Bumped when the way a baseline is computed changes (invalidates cached baselines).
CACHE_VERSION = "1"
SANDBOX_MODES = ("bwrap", "none")


# --------------------------------------------------------------------------- the verifier


def _fmt_bytes(n: int | None) -> str:
    if n is None:
        return "none"
    return f"{n / GiB:g} GiB" if n >= GiB else f"{n // (1024 * 1024)} MiB"


def _last_line(output: str) -> str:
    for line in reversed(output.splitlines()):
        if line.strip() and not line.startswith("[... "):
            return line.strip()[:200]
    return ""


class ProjectVerifier:
    """``domain.Verifier`` for real projects.

    ``verify`` rejects unsafe edits (verdict "error"), fails fast on a Python syntax
    error, then runs the test command on a scratch copy with the edit applied and
    compares with a run without it (cached per workspace state; when not cached, both
    runs go side by side in separate copies and sandboxes).

    - ``test_command``: used when the task has none; else the command is detected.
    - ``timeout_s``: wall-clock limit per test run.
    - ``sandbox``: "bwrap" (required unless "none" is chosen explicitly: unprotected).
    - ``bwrap``: a path to the bwrap executable, or "bwrap" to find one (see ``bwrap_exe``).
    - ``cache_dir``: where baselines are kept across processes; None = in memory, shared
      by the verifiers of this process.
    - ``scratch_pool``: where copies are kept for reuse (default: one per process).
    """

    def __init__(
        self,
        test_command: str | None = None,
        timeout_s: float = 120,
        sandbox: str = "bwrap",
        cache_dir: Path | None = None,
        *,
        limits: Limits | None = None,
        bwrap: str = "bwrap",
        env: Mapping[str, str] | None = None,
        scratch_pool: ScratchPool | None = None,
        reuse_scratch: bool = True,
        parallel_baseline: bool = True,
    ) -> None:
        if sandbox not in SANDBOX_MODES:
            raise ValueError(f"sandbox must be one of {SANDBOX_MODES}, not {sandbox!r}")
        self.test_command = test_command.strip() if test_command and test_command.strip() else None
        self.timeout_s = float(timeout_s)
        self.sandbox = sandbox
        self.limits = limits or Limits()
        self.bwrap = bwrap
        self.env = env
        self.cache = (
            BaselineCache(Path(cache_dir)) if cache_dir is not None else default_baseline_cache()
        )
        self.pool = scratch_pool or default_pool()
        self.reuse_scratch = reuse_scratch
        self.parallel_baseline = parallel_baseline
        self.baseline_runs = 0  # how many baselines were actually run (not cached)

    # ------------------------------------------------------------------ public
    def verify(
        self, task: Task, edit: Edit, model: str, cancel: CancelToken | None = None
    ) -> Verdict:
        t0 = time.monotonic()
        try:
            verdict = self._verify(task, edit, cancel)
        except Cancelled:
            raise
        except VerifyError as exc:
            verdict = Verdict("error", detail=str(exc))
        except OSError as exc:
            log.exception("verification of %s's edit failed", model)
            verdict = Verdict("error", detail=f"the verifier failed: {exc}")
        verdict = attrs.evolve(
            verdict, duration_ms=(time.monotonic() - t0) * 1000.0, sandbox=self.describe_sandbox()
        )
        log.info(
            "verified %s's edit for %s: %s (%s)",
            model,
            task.task_id,
            verdict.verdict,
            verdict.detail,
        )
        return verdict

    def bwrap_exe(self) -> BwrapExe | None:
        """The bwrap the tests run under (None with sandbox "none")."""
        return find_bwrap(self.bwrap) if self.sandbox == "bwrap" else None

    def describe_sandbox(self) -> str:
        """One line for the why: which sandbox the tests ran in."""
        exe = self.bwrap_exe()
        if exe is None:
            return 'no sandbox (acrouter.sandbox is "none"): the tests ran unprotected'
        return exe.describe()

    # ------------------------------------------------------------------ steps
    def _verify(self, task: Task, edit: Edit, cancel: CancelToken | None) -> Verdict:
        root = self._root(task)
        command = task.test_command or self.test_command or detect_test_command(root)
        if not command:
            raise VerifyError(
                f"no test command found for {root}: set acrouter.testCommand "
                '(e.g. "python -m pytest")'
            )
        exe = self.bwrap_exe()
        if exe is not None:
            if exe.path is None:
                raise VerifyError(f"{BWRAP_MISSING} ({exe.note})" if exe.note else BWRAP_MISSING)
            problem = bwrap_problem(exe.path)
            if problem:
                raise VerifyError(f"{problem} [{exe.describe()}]")
        texts = edit_texts(root, edit)
        probe = plan_command(command, "report.xml")  # the real report path comes with a copy
        syntax = self._syntax_error(texts, probe, root)
        if syntax:
            return Verdict("fail", detail=syntax, score=0.0)
        _check_cancel(cancel)
        scan = scan_workspace(root, functools.partial(_check_cancel, cancel))
        key = scan.state_key(CACHE_VERSION, command, self.sandbox, _shared_stamp(root, scan))

        def run(edited: bool, token: CancelToken | None) -> TestRun:
            return self._run_copy(command, root, scan, texts if edited else None, token)

        if not probe.pytest:  # exit-code runners: the baseline would not change the verdict
            return judge(None, run(True, cancel))
        before = self.cache.get(key)
        if before is not None:
            return judge(before, run(True, cancel))
        lock = self.cache.lock(key)
        if not lock.acquire(blocking=False):
            # another verification is running this baseline: run ours meanwhile
            after = run(True, cancel)
            with lock:
                before = self.cache.get(key) or self._baseline(key, lambda: run(False, cancel))
            return judge(before, after)
        try:
            if not self.parallel_baseline:
                before = self._baseline(key, lambda: run(False, cancel))
                return judge(before, run(True, cancel))
            # the two runs use separate copies and sandboxes: run them side by side
            abort = threading.Event()
            with ThreadPoolExecutor(1, thread_name_prefix="acrouter-baseline") as pool:
                baseline = pool.submit(
                    self._baseline, key, lambda: run(False, _Either(cancel, abort))
                )
                try:
                    after = run(True, cancel)
                except BaseException:
                    abort.set()
                    raise
                return judge(baseline.result(), after)
        finally:
            lock.release()

    def _baseline(self, key: str, run: Callable[[], TestRun]) -> TestRun:
        log.info("running the tests without the edit (baseline)")
        before = run()
        self.baseline_runs += 1
        if not (before.timed_out or before.killed):
            self.cache.put(key, before)
        return before

    def _run_copy(
        self,
        command: str,
        root: Path,
        scan: Scan,
        texts: Mapping[str, str] | None,
        cancel: CancelToken | None,
    ) -> TestRun:
        """One test run in a scratch copy (with ``texts`` written into it, if given)."""
        # copies are reused only after sandboxed runs: without a sandbox, a process the
        # tests left behind could still change the copy after the checks
        reusable = self.sandbox == "bwrap" and self.reuse_scratch
        scratch = self.pool.acquire(root, scan.total_bytes)
        try:
            plan = plan_command(command, str(scratch.base / "out" / "report.xml"))
            scratch.sync(scan, texts, check=functools.partial(_check_cancel, cancel))
            log.info(
                "running the tests %s the edit in %s", "with" if texts else "without", scratch.ws
            )
            return self._run(plan, root, scratch, scan, cancel)
        except BaseException:
            reusable = False
            raise
        finally:
            self.pool.release(scratch, reusable)

    def _root(self, task: Task) -> Path:
        if not task.workspace:
            raise VerifyError("the request has no workspace folder, so there are no tests to run")
        root = Path(os.path.realpath(task.workspace))
        if not root.is_dir():
            raise VerifyError(f"the workspace folder {task.workspace} does not exist")
        return root

    def _syntax_error(self, texts: Mapping[str, str], plan: TestPlan, root: Path) -> str | None:
        interpreter = plan.interpreter or str(project_python(root) or "python3")
        if not can_check_syntax(interpreter):
            return None
        for rel, text in texts.items():
            if not rel.endswith(".py"):
                continue
            try:
                compile(text, rel, "exec", dont_inherit=True)
            except SyntaxError as exc:
                return f"syntax error in {rel} line {exc.lineno}: {exc.msg}"
            except ValueError as exc:
                return f"{rel} cannot be compiled: {exc}"
        return None

    def _run(
        self,
        plan: TestPlan,
        root: Path,
        scratch: Scratch,
        scan: Scan,
        cancel: CancelToken | None,
    ) -> TestRun:
        out, home, tmp = scratch.run_dirs()
        ws = scratch.ws
        scratch.settle()
        report = out / "report.xml"
        source_env = dict(os.environ if self.env is None else self.env)
        extra: dict[str, str] = {}
        if not plan.pytest:
            extra["PYTEST_ADDOPTS"] = pytest_addopts(source_env.get("PYTEST_ADDOPTS"), str(report))
        venv_python = project_python(root)
        if venv_python is not None:
            venv = venv_python.parent.parent
            extra["VIRTUAL_ENV"] = str(venv)
            extra["PATH"] = f"{venv / 'bin'}{os.pathsep}{source_env.get('PATH', '/usr/bin:/bin')}"
        if self.sandbox == "bwrap":
            env = build_env(source_env, home=str(home), tmp=SANDBOX_TMP, extra=extra)
            mounts = mounts_for(
                ws,
                root,
                scan.shared_dirs,
                extra=(
                    *tool_mounts(plan.argv, root),
                    Mount(str(out), str(out), True),
                    Mount(str(home), str(home), True),
                ),
            )
            real_home = source_env.get("HOME") or os.path.expanduser("~")
            hide = tuple(p for p in hidden_home_paths(real_home) if not str(root).startswith(p))
            spec = RunSpec(plan.argv, str(root), env, self.timeout_s, mounts, hide, self.limits)
        else:
            env = build_env(source_env, home=str(home), tmp=str(tmp), extra=extra)
            argv = tuple(_to_scratch(a, root, ws, scan.shared_dirs) for a in plan.argv)
            spec = RunSpec(argv, str(ws), env, self.timeout_s, limits=self.limits)
        exe = self.bwrap_exe()
        bwrap = exe.path if exe is not None and exe.path else self.bwrap
        outcome = run_command(spec, mode=self.sandbox, bwrap=bwrap, cancel=cancel)
        parsed = parse_junit(report) if report.exists() else None
        if outcome.timed_out or outcome.killed:
            parsed = None
        log.debug(
            "test run: exit %s, %d bytes of output, %.0f ms; tail:\n%s",
            outcome.exit_code,
            outcome.output_bytes,
            outcome.duration_ms,
            outcome.output[-2000:],
        )
        return TestRun(
            exit_code=outcome.exit_code,
            outcomes=parsed.outcomes if parsed else None,
            expects_report=plan.pytest,
            timed_out=outcome.timed_out,
            killed=outcome.killed,
            resource=self._resource_hint(
                outcome.exit_code, outcome.output, parsed.messages if parsed else {}
            ),
            messages=parsed.messages if parsed else {},
            last_line=_last_line(outcome.output),
            timeout_s=self.timeout_s,
        )

    def _resource_hint(
        self, code: int | None, output: str, messages: Mapping[str, str]
    ) -> str | None:
        text = output + "\n" + "\n".join(messages.values())
        lim = self.limits
        if "MemoryError" in text or "Cannot allocate memory" in text:
            return f"a test ran out of memory (limit {_fmt_bytes(lim.address_space_bytes)} per process)"
        if code == 128 + signal.SIGXFSZ or "File too large" in text:
            return f"a test hit the file size limit ({_fmt_bytes(lim.file_size_bytes)})"
        if code == 128 + signal.SIGXCPU:
            return "a test hit the CPU time limit"
        if "Too many open files" in text:
            return f"a test hit the open files limit ({lim.open_files})"
        if "Resource temporarily unavailable" in text and "fork" in text:
            return "a test hit the process limit"
        return None


# --------------------------------------------------------------------------- helpers


class _Either:
    """Cancelled when the user cancels or when ``abort`` is set."""

    def __init__(self, cancel: CancelToken | None, abort: threading.Event) -> None:
        self._cancel = cancel
        self._abort = abort

    @property
    def cancelled(self) -> bool:
        return self._abort.is_set() or (self._cancel is not None and self._cancel.cancelled)


def _check_cancel(cancel: CancelToken | None) -> None:
    if cancel is not None and cancel.cancelled:
        raise Cancelled("verification cancelled")


def edit_texts(root: Path, edit: Edit) -> dict[str, str]:
    """The new full texts ``edit`` asks for, every path validated against ``root``;
    nothing is written.  A diff is applied to the files as they are on disk."""
    texts: dict[str, str] = {}
    if edit.diff:
        texts.update(apply_diff_texts(root, edit.diff))
    for rel, text in (edit.files or {}).items():
        resolve_edit_path(root, rel)
        if not isinstance(text, str):
            raise VerifyError(f"{rel}: the new content must be text")
        norm = normalise_relative(rel)
        if norm in texts:
            raise VerifyError(f"{rel} is changed both by the diff and as a whole file")
        texts[norm] = text
    if not texts:
        raise VerifyError("the edit changes no file")
    return texts


def _to_scratch(arg: str, root: Path, ws: Path, shared: tuple[str, ...]) -> str:
    """Without a sandbox the copy is not at the workspace path: point absolute paths
    into the workspace (``/ws/tests``, ``--rootdir=/ws``) at the copy, except paths into
    the shared folders (the project's virtualenv), which are not copied."""
    prefix, eq, value = arg.partition("=") if arg.startswith("-") else ("", "", arg)
    roots = str(root)
    if value != roots and not value.startswith(roots + os.sep):
        return arg
    rel = os.path.relpath(value, roots)
    if rel != "." and rel.split(os.sep)[0] in shared:
        return arg
    new = str(ws) if rel == "." else str(ws / rel)
    return f"{prefix}{eq}{new}"


def _shared_stamp(root: Path, scan: Scan) -> str:
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
