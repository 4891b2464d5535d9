"""``ProjectVerifier``: run the project's own tests on a scratch copy with the edit
applied, in a sandbox, and compare with a (cached) run without the edit."""

from __future__ import annotations

import functools
import glob
import logging
import os
import re
import shlex
import signal
import stat
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import attrs

from ..domain import Baseline, Cancelled, CancelToken, Edit, Task, Verdict, check_cancelled
from ..errors import PreflightError, VerifyError
from .baseline import BaselineCache, environment_key
from .bwrap import (
    BWRAP_MISSING,
    SANDBOX_TMP,
    Mount,
    bwrap_problem,
    mounts_for,
    overlay_works,
    tool_mounts,
)
from .bwrap_exe import BwrapExe, find_bwrap
from .commandline import script_tokens
from .detection import detect_test_command, project_python
from .environment import build_env, hidden_home_paths
from .limits import GiB, Limits
from .reports import PARSERS, Report, parse_junit
from .runners import TestPlan, plan_command, pytest_addopts
from .sandbox import RunSpec, run_command
from .scratch import Scan, Scratch, ScratchPool, scan_workspace
from .syntax import syntax_error
from .unidiff import apply_diff_texts
from .verdict import COMMAND_MISSING, PYTEST_CANNOT_RUN, TestRun, failures_of, judge
from .workspace import normalise_relative, remove_tree, resolve_edit_path

log = logging.getLogger(__name__)

#: Bumped when the way a baseline is computed changes (invalidates cached baselines).
CACHE_VERSION = "2"
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
    - ``cache_dir``: where baselines are kept across processes; None = in memory.
    - ``baseline_cache``: a cache shared with other verifiers (the editor's composition
      root, app.py, gives every request's verifier the same one); overrides ``cache_dir``.
    - ``scratch_pool``: where copies are kept for reuse (the composition root shares one;
      default: this verifier's own).
    - ``overlay``: run on the workspace itself under a temporary overlay when bubblewrap
      can (False: always on a scratch copy).
    - ``refresh_cache``: run every baseline again and replace the cached entry.
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
        baseline_cache: BaselineCache | None = None,
        reuse_scratch: bool = True,
        parallel_baseline: bool = True,
        overlay: bool = True,
        refresh_cache: bool = False,
    ) -> None:
        if sandbox not in SANDBOX_MODES:
            raise ValueError(f"sandbox must be one of {SANDBOX_MODES}, not {sandbox!r}")
        self.test_command = test_command.strip() if test_command and test_command.strip() else None
        self.timeout_s = float(timeout_s)
        self.sandbox = sandbox
        self.limits = limits or Limits()
        self.bwrap = bwrap
        self.env = env
        if baseline_cache is None:
            baseline_cache = BaselineCache(Path(cache_dir) if cache_dir is not None else None)
        self.cache = baseline_cache
        self.pool = scratch_pool if scratch_pool is not None else ScratchPool()
        self.reuse_scratch = reuse_scratch
        self.parallel_baseline = parallel_baseline
        self.overlay = overlay
        self.refresh_cache = refresh_cache
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
            verdict,
            duration_ms=(time.monotonic() - t0) * 1000.0,
            counted=verdict.counted and verdict.verdict != "error",
            sandbox=self.describe_sandbox(),
        )
        log.info(
            "verified %s's edit for %s: %s (%s)",
            model,
            task.task_id,
            verdict.verdict,
            verdict.detail,
        )
        return verdict

    def prepare(self, task: Task, cancel: CancelToken | None = None) -> Baseline:
        """Pre-flight: the test command, the sandbox, and the run without the edit (from
        the cache, else run now and cached for ``verify``).  Raises ``PreflightError``
        when no edit could be verified, so that no model is called."""
        try:
            root = self._root(task)
        except VerifyError as exc:
            raise PreflightError(str(exc)) from None
        command = task.test_command or self.test_command or detect_test_command(root)
        if not command:
            raise PreflightError(
                f"no test command found for {root}, so no edit could be verified", "testCommand"
            )
        exe = self.bwrap_exe()
        try:
            if exe is not None:
                if exe.path is None:
                    raise VerifyError(
                        f"{BWRAP_MISSING} ({exe.note})" if exe.note else BWRAP_MISSING
                    )
                problem = bwrap_problem(exe.path)
                if problem:
                    raise VerifyError(f"{problem} [{exe.describe()}]")
            else:
                _refuse_unrewritable(command, root, task.workspace)
        except VerifyError as exc:
            raise PreflightError(str(exc), "sandbox") from None
        probe = plan_command(command, "/acrouter-out", root)
        _check_cancel(cancel)
        scan, key, overlay = self._state(root, command, probe, cancel)
        before = None if self.refresh_cache else self.cache.get(key)
        if before is None:
            with self.cache.lock(key):
                before = (None if self.refresh_cache else self.cache.get(key)) or self._baseline(
                    key, lambda: self._run_once(command, root, scan, None, cancel, overlay)
                )
        return baseline_summary(command, before)

    def bwrap_exe(self) -> BwrapExe | None:
        """The bwrap the tests run under (None with sandbox "none")."""
        return find_bwrap(self.bwrap) if self.sandbox == "bwrap" else None

    def _bwrap_path(self) -> str:
        exe = self.bwrap_exe()
        return exe.path if exe is not None and exe.path else self.bwrap

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
        else:
            _refuse_unrewritable(command, root, task.workspace)
        texts = edit_texts(root, edit)
        probe = plan_command(command, "/acrouter-out", root)  # the real folder comes later
        syntax = syntax_error(texts, probe, root)
        if syntax:
            return Verdict("fail", detail=syntax, score=0.0)
        _check_cancel(cancel)
        scan, key, overlay = self._state(root, command, probe, cancel)

        def run(edited: bool, token: CancelToken | None) -> TestRun:
            return self._run_once(command, root, scan, texts if edited else None, token, overlay)

        if probe.weak:
            # exit code only: a baseline matters only to tell whether a failure is the
            # edit's or the set-up's
            after = run(True, cancel)
            if after.exit_code == 0 or after.killed:
                return judge(None, after, probe.weak)
            before = None if self.refresh_cache else self.cache.get(key)
            if before is None:
                with self.cache.lock(key):
                    before = (
                        None if self.refresh_cache else self.cache.get(key)
                    ) or self._baseline(key, lambda: run(False, cancel))
            return judge(before, after, probe.weak)
        before = None if self.refresh_cache else self.cache.get(key)
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
            # the two runs use separate folders and sandboxes: run them side by side
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

    def _state(
        self, root: Path, command: str, probe: TestPlan, cancel: CancelToken | None
    ) -> tuple[Scan, str, bool]:
        """The workspace scan, the baseline cache key and whether runs use an overlay."""
        overlay = (
            self.sandbox == "bwrap"
            and self.overlay
            and overlay_works(self._bwrap_path(), str(root))
        )
        scan = scan_workspace(root, functools.partial(_check_cancel, cancel))
        source_env = dict(os.environ if self.env is None else self.env)
        tests_env = self._extra_env(root, source_env)
        env_key = environment_key(probe.argv, {**source_env, **tests_env}, root)
        key = scan.state_key(
            CACHE_VERSION,
            command,
            self.sandbox,
            "overlay" if overlay else "copy",
            _shared_stamp(root, scan),
            env_key,
        )
        return scan, key, overlay

    def _baseline(self, key: str, run: Callable[[], TestRun]) -> TestRun:
        log.info("running the tests without the edit (baseline)")
        before = run()
        self.baseline_runs += 1
        if not (before.timed_out or before.killed):
            self.cache.put(key, before)
        return before

    def _run_once(
        self,
        command: str,
        root: Path,
        scan: Scan,
        texts: Mapping[str, str] | None,
        cancel: CancelToken | None,
        overlay: bool,
    ) -> TestRun:
        """One test run (with ``texts`` applied, if given): on the workspace under a
        temporary overlay, else on a scratch copy."""
        # copies are reused only after sandboxed runs: without a sandbox, a process the
        # tests left behind could still change the copy after the checks
        reusable = self.sandbox == "bwrap" and self.reuse_scratch
        scratch = self.pool.acquire(root, 0 if overlay else scan.total_bytes)
        try:
            edits: list[tuple[str, str]] = []
            if overlay:
                edits = _write_edits(scratch.base / "edit", root, texts or {})
            else:
                scratch.sync(scan, texts, check=functools.partial(_check_cancel, cancel))
                if self.sandbox == "none":
                    _link_shared(scratch.ws, root, scan.shared_dirs)
            log.info(
                "running the tests %s the edit in %s",
                "with" if texts else "without",
                root if overlay else scratch.ws,
            )
            return self._run(command, root, scratch, scan, cancel, overlay, edits)
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

    def _extra_env(self, root: Path, source_env: Mapping[str, str]) -> dict[str, str]:
        """VIRTUAL_ENV and PATH for the project's own virtualenv, if it has one."""
        extra: dict[str, str] = {}
        venv_python = project_python(root)
        if venv_python is not None:
            venv = venv_python.parent.parent
            extra["VIRTUAL_ENV"] = str(venv)
            extra["PATH"] = f"{venv / 'bin'}{os.pathsep}{source_env.get('PATH', '/usr/bin:/bin')}"
        return extra

    def _run(
        self,
        command: str,
        root: Path,
        scratch: Scratch,
        scan: Scan,
        cancel: CancelToken | None,
        overlay: bool,
        edits: list[tuple[str, str]],
    ) -> TestRun:
        out, home, tmp = scratch.run_dirs()
        ws = scratch.ws
        plan = plan_command(command, str(out), root)
        for path, text in plan.files.items():
            Path(path).write_text(text, encoding="utf-8")
        if not overlay:
            scratch.settle()
        source_env = dict(os.environ if self.env is None else self.env)
        extra = self._extra_env(root, source_env)
        extra.update(plan.env)
        if not any(a.startswith("--junitxml=") for a in plan.argv):
            # a pytest below another program (npm, make, a shell line) reports too
            extra["PYTEST_ADDOPTS"] = pytest_addopts(source_env.get("PYTEST_ADDOPTS"), str(out))
        if self.sandbox == "bwrap":
            env = build_env(source_env, home=str(home), tmp=SANDBOX_TMP, extra=extra)
            mounts = mounts_for(
                root,
                scratch=None if overlay else ws,
                shared=scan.shared_dirs,
                edits=edits,
                tools=tool_mounts((*plan.argv, *script_tokens(plan.argv, root)), root),
                extra=(Mount(str(out), str(out), True), Mount(str(home), str(home), True)),
            )
            real_home = source_env.get("HOME") or os.path.expanduser("~")
            hide = tuple(p for p in hidden_home_paths(real_home) if not str(root).startswith(p))
            spec = RunSpec(
                plan.argv,
                str(root),
                env,
                self.timeout_s,
                mounts,
                hide,
                self.limits,
                capture=plan.capture,
            )
        else:
            extra.update(
                _editable_paths(
                    root,
                    ws,
                    scan.shared_dirs,
                    extra.get("PYTHONPATH") or source_env.get("PYTHONPATH"),
                )
            )
            if "VIRTUAL_ENV" in extra:
                extra["VIRTUAL_ENV"] = _to_scratch(extra["VIRTUAL_ENV"], root, ws)
                extra["PATH"] = _to_scratch_text(extra["PATH"], root, ws)
            env = build_env(source_env, home=str(home), tmp=str(tmp), extra=extra)
            argv = tuple(_to_scratch_text(a, root, ws) for a in plan.argv)
            spec = RunSpec(
                argv, str(ws), env, self.timeout_s, limits=self.limits, capture=plan.capture
            )
        outcome = run_command(spec, mode=self.sandbox, bwrap=self._bwrap_path(), cancel=cancel)
        parsed = None
        if not (outcome.timed_out or outcome.killed):
            parsed = _read_results(
                plan, str(root) if overlay or self.sandbox == "bwrap" else str(ws)
            )
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
            expects_report=plan.expects_report,
            timed_out=outcome.timed_out,
            killed=outcome.killed,
            resource=self._resource_hint(
                outcome.exit_code, outcome.output, parsed.messages if parsed else {}
            ),
            messages=parsed.messages if parsed else {},
            last_line=_last_line(outcome.output),
            timeout_s=self.timeout_s,
            broken=parsed.broken if parsed else {},
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
        detail = f"exit code {code} without the edit"
    else:
        # a test file that cannot be collected (it may import what the edit should add)
        # is a failing test, not a refusal
        if not before.broken and (before.passed or 0) + (before.failed or 0) == 0:
            raise PreflightError(
                f"no test ran with {command!r}, so no edit could be verified", "testCommand"
            )
        detail = f"{before.passed} passed, {before.failed} failed without the edit"
    return Baseline(
        command=command,
        tests_passed=before.passed,
        tests_failed=before.failed,
        failures=failures_of(before),
        detail=detail,
    )


class _Either:
    """Cancelled when the user cancels or when ``abort`` is set."""

    def __init__(self, cancel: CancelToken | None, abort: threading.Event) -> None:
        self._cancel = cancel
        self._abort = abort

    @property
    def cancelled(self) -> bool:
        return self._abort.is_set() or (self._cancel is not None and self._cancel.cancelled)


def _check_cancel(cancel: CancelToken | None) -> None:
    check_cancelled(cancel, "verification cancelled")


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


def _read_results(plan: TestPlan, root: str) -> Report | None:
    """The run's per-test results: the first of the plan's reports that exists."""
    for parser, path in plan.reports:
        if not os.path.exists(path):
            continue
        report = parse_junit(path) if parser == "junit" else PARSERS[parser](path, root)
        if report is not None:
            return report
    return None


def _write_edits(folder: Path, root: Path, texts: Mapping[str, str]) -> list[tuple[str, str]]:
    """Write the edited files into ``folder`` (fresh); returns (host file, path in the
    workspace) pairs to bind over the overlaid workspace.  A file keeps the mode of
    the file it replaces."""
    remove_tree(folder)
    folder.mkdir(parents=True)
    binds = []
    for rel, text in texts.items():
        target = resolve_edit_path(root, rel)
        real_rel = target.relative_to(root).as_posix()
        src = folder / real_rel
        src.parent.mkdir(parents=True, exist_ok=True)
        with open(src, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        try:
            os.chmod(src, stat.S_IMODE(os.stat(target).st_mode) | stat.S_IRUSR | stat.S_IWUSR)
        except OSError:
            pass
        binds.append((str(src), real_rel))
    return binds


def _link_shared(ws: Path, root: Path, shared: tuple[str, ...]) -> None:
    """Without a sandbox, the copy's venv / node_modules folders point at the real ones
    (they are not copied)."""
    for rel in shared:
        dest = ws / rel
        if dest.is_symlink():
            continue
        try:
            dest.rmdir()
        except OSError:
            continue
        dest.symlink_to(root / rel, target_is_directory=True)


def _to_scratch(path: str, root: Path, ws: Path) -> str:
    rel = os.path.relpath(path, root)
    if rel == ".":
        return str(ws)
    if rel.startswith(".."):
        return path
    return str(ws / rel)


def _to_scratch_text(text: str, root: Path, ws: Path) -> str:
    """Without a sandbox the copy is not at the workspace path: every mention of the
    workspace (``cd /ws && ...``, ``--rootdir=/ws``, ``/ws/.venv/bin/python``) is
    pointed at the copy, so the command never reaches the user's folder."""
    roots = str(root)
    return re.sub(re.escape(roots) + r"(?=$|[/\s'\";:&|)=])", lambda _m: str(ws), text)


def _refuse_unrewritable(command: str, root: Path, given: str | None) -> None:
    """Without a sandbox, refuse a command that would reach the user's folder although
    every literal mention of the workspace is pointed at the copy: one naming the
    workspace another way (a symlink, ``~``) or naming a folder that holds it."""
    try:
        words = shlex.split(command)
    except ValueError:
        words = command.split()
    roots = str(root)
    for word in words:
        for piece in re.split(r"[=:;&|()]", word):
            if not piece.startswith(("/", "~")):
                continue
            real = os.path.realpath(os.path.expanduser(piece))
            if piece == roots or piece.startswith(roots + os.sep):
                continue  # rewritten to the copy
            if real == roots or real.startswith(roots + os.sep):
                why = "names the workspace as"
            elif roots.startswith(real.rstrip(os.sep) + os.sep) and real != "/":
                why = "names a folder that holds the workspace,"
            else:
                continue
            raise VerifyError(
                f"without a sandbox the test command cannot be pointed at the scratch copy: "
                f"it {why} {piece!r}, and would reach your folder {root}; name the "
                "workspace by its own path or use relative paths"
            )


def _editable_paths(
    root: Path, ws: Path, shared: tuple[str, ...], existing: str | None
) -> dict[str, str]:
    """Without a sandbox an editable install of the project (a ``.pth`` line or
    setuptools' finder naming the workspace) would import the user's files: put the
    copy's versions of those folders first on PYTHONPATH."""
    found: list[str] = []
    for rel in shared:
        for site in glob.glob(str(root / rel / "lib" / "python*" / "site-packages")):
            for pth in glob.glob(os.path.join(site, "*.pth")):
                try:
                    lines = Path(pth).read_text(encoding="utf-8", errors="replace").splitlines()
                except OSError:
                    continue
                for line in lines:
                    line = line.strip()
                    if line.startswith("/") and (line + "/").startswith(str(root) + "/"):
                        found.append(_to_scratch(line, root, ws))
            for finder in glob.glob(os.path.join(site, "__editable___*finder.py")):
                try:
                    text = Path(finder).read_text(encoding="utf-8", errors="replace")
                except OSError:
                    continue
                for m in re.finditer(r"'(/[^']+)'", text):
                    path = m.group(1)
                    if (path + "/").startswith(str(root) + "/"):
                        found.append(_to_scratch(os.path.dirname(path), root, ws))
    if not found:
        return {}
    parts = list(dict.fromkeys(found)) + ([existing] if existing else [])
    return {"PYTHONPATH": os.pathsep.join(parts)}


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
