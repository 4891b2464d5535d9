"""Command line: ``acrouter serve | complete | memory | bench | verify``.

A third front end on the same core as the language server (see app.py).
"""

from __future__ import annotations

import argparse
import difflib
import json
import logging
import os
import re
import sys
import time
from pathlib import Path

from . import __version__
from .explain import fmt_usd


def _parse_range(text: str):
    from .context import make_range

    m = re.fullmatch(r"(\d+):(\d+)-(\d+):(\d+)", text.strip())
    if not m:
        raise argparse.ArgumentTypeError(
            "range must look like L:C-L:C (1-based line and column), e.g. 3:1-9:1"
        )
    sl, sc, el, ec = (int(x) for x in m.groups())
    if min(sl, sc, el, ec) < 1:
        raise argparse.ArgumentTypeError("lines and columns are 1-based")
    return make_range(sl - 1, sc - 1, el - 1, ec - 1)


def _check_range(rng, text: str, name: str) -> str | None:
    """A problem with ``--range`` against the file, in the 1-based numbers the user typed."""
    from .domain import document_lines

    lines = document_lines(text)
    for pos in (rng.start, rng.end):
        line, col = pos.line + 1, pos.character + 1
        if pos.line > len(lines) or (pos.line == len(lines) and pos.character > 0):
            return f"--range: line {line} is past the end of {name} ({len(lines)} lines)"
        if pos.line < len(lines) and pos.character > len(lines[pos.line]):
            return (
                f"--range: column {col} is past the end of line {line} of {name} "
                f"({len(lines[pos.line])} characters; the last column is {len(lines[pos.line]) + 1})"
            )
    if (rng.end.line, rng.end.character) < (rng.start.line, rng.start.character):
        return "--range: the range ends before it starts"
    return None


class _Deadline:
    """A cancel token that fires ``seconds`` after it was made (``complete --timeout``)."""

    def __init__(self, seconds: float | None) -> None:
        self.seconds = seconds
        self._at = None if seconds is None else time.monotonic() + seconds

    @property
    def cancelled(self) -> bool:
        return self._at is not None and time.monotonic() >= self._at


def _preflight_message(exc, cfg_path: Path) -> str:
    """A refusal with the config.toml key that changes it (named as written there)."""
    text = f"acrouter: {exc.reason}; no model was called"
    if exc.setting == "testCommand":
        text += f"\n  set testCommand in {cfg_path} or pass --test-command"
    elif exc.setting:
        text += f"\n  change {exc.setting} in {cfg_path}"
    return text


def _positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError("must be more than 0 seconds")
    return value


def _settings_from_home(err) -> tuple:
    from .config import acrouter_home, load_config_file

    path = acrouter_home() / "config.toml"
    settings, problems = load_config_file(path)
    for p in problems:
        print(f"acrouter: {p}", file=err)
    return settings, path


class _StderrProgress:
    """``… choosing model`` lines on stderr (none with ``--json``)."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet

    def report(self, message: str) -> None:
        if not self.quiet:
            print(f"… {message}", file=sys.stderr)


def cmd_complete(args: argparse.Namespace) -> int:
    """Read the file, route the instruction, show the result, apply it if asked and verified."""
    from .errors import AcrouterError, PreflightError

    settings, cfg_path = _settings_from_home(sys.stderr)
    if not settings.models:
        print(
            f"acrouter: no models configured; add [[models]] to {cfg_path} (see README)",
            file=sys.stderr,
        )
        return 2
    path = Path(args.file).resolve()
    if not path.is_file():
        print(f"acrouter: {path} is not a file", file=sys.stderr)
        return 2
    from .domain import Cancelled, Document

    folders = _workspace_folders(args, path)
    if isinstance(folders, str):
        print(f"acrouter: {folders}", file=sys.stderr)
        return 2
    try:
        from .context import workspace_root

        # a link leading outside: refused
        workspace_root(Path(os.path.abspath(args.file)), folders)
        text = _read_request_file(args, settings, path)
        doc = Document(uri=path.as_uri(), path=str(path), text=text, range=args.range)
        result = _route_document(args, settings, doc, folders)
    except Cancelled:
        print(
            f"acrouter: gave up after {args.timeout:g} s (--timeout); nothing was applied",
            file=sys.stderr,
        )
        return 124
    except PreflightError as exc:
        print(_preflight_message(exc, cfg_path), file=sys.stderr)
        return 2
    except AcrouterError as exc:
        print(f"acrouter: {exc}", file=sys.stderr)
        return 2
    from .app import edit_texts
    from .context import workspace_root

    root = workspace_root(path, folders)
    edit = result.edit if result.final_model else None
    files = edit_texts(edit, doc, root) if edit is not None else {}
    if args.json:
        _print_json(result, files)
    else:
        _print_result(result, files, root)
    if args.apply and files and result.verified:
        from .apply import apply_edit

        assert edit is not None
        requested = os.path.relpath(path, os.path.realpath(root))  # read at the start
        return apply_edit(files, {**(edit.bases or {}), requested: text}, root)
    if args.apply and not result.verified:
        print("acrouter: no verified edit; nothing applied", file=sys.stderr)
    return 0 if result.verified else 1


def _read_request_file(args: argparse.Namespace, settings, path: Path) -> str:
    """The file's text (pre-flight: text, size) and a ``--range`` that fits it."""
    from .context import read_text_file
    from .errors import RequestError

    text = read_text_file(path, settings.max_file_kilobytes * 1024)
    if args.range is not None:
        problem = _check_range(args.range, _bare_text(text), path.name)
        if problem:
            raise RequestError(problem)
        args.range = _past_bom(args.range, text)
    return text


def _bare_text(text: str) -> str:
    from .edits import BOM

    return text.removeprefix(BOM)


def _past_bom(rng, text: str):
    """``rng`` in ``text``'s characters: line 1's columns count from after a byte-order
    mark, as an editor shows them (the mark is read as a character)."""
    from .context import make_range

    if text == _bare_text(text):
        return rng
    s, e = rng.start, rng.end
    return make_range(s.line, s.character + (s.line == 0), e.line, e.character + (e.line == 0))


def _workspace_folders(args: argparse.Namespace, path: Path) -> tuple[Path, ...] | str:
    """``--workspace`` as the editor's workspace folder, or what is wrong with it.  Without
    it the workspace is the nearest folder above the file with a project marker (.git,
    pyproject.toml, package.json, ...), else the file's own folder."""
    if args.workspace is None:
        return ()
    folder = Path(os.path.abspath(args.workspace))
    if not folder.is_dir():
        return f"--workspace {args.workspace} is not a folder"
    named = Path(os.path.abspath(args.file))  # as named, or as it resolves (like the editor)
    if folder not in named.parents and folder.resolve() not in path.parents:
        return f"--workspace {args.workspace} does not hold {args.file}"
    return (folder,)


def _route_document(args: argparse.Namespace, settings, doc, folders: tuple[Path, ...]):
    from .app import build_editor_app
    from .config import CONFIG_FILE_PREFIX

    return build_editor_app(settings, settings_prefix=CONFIG_FILE_PREFIX).route(
        doc,
        args.instruction,
        folders=folders,
        test_command=args.test_command,
        cancel=_Deadline(args.timeout),
        progress=_StderrProgress(quiet=args.json),
    )


def _print_json(result, files: dict[str, str]) -> None:
    from .lsp.convert import result_json

    payload = result_json(result, None)
    payload["edit"] = {"files": files} if files else None
    print(json.dumps(payload, indent=2))


def _print_result(result, files: dict[str, str], root: Path) -> None:
    """The verdict line, each attempt, why, and the edit as a unified diff."""
    from .domain import document_lines
    from .explain import not_held

    print(
        f"kind: {result.kind}   model: {result.final_model or '-'}   verified: {result.verified}   "
        f"cost: {fmt_usd(result.cost_usd, unknown='unknown')}"
    )
    for a in result.attempts:
        print(f"  {a.model}: {a.verdict} {a.detail}" + ("" if a.counted else f"  [{not_held(a)}]"))
    print()
    print(result.why)
    for rel, new in files.items():
        target = root / rel
        old = target.read_bytes().decode("utf-8", "replace") if target.exists() else ""
        for line in difflib.unified_diff(
            document_lines(old, True), document_lines(new, True), f"a/{rel}", f"b/{rel}"
        ):
            # a last line without its line end is marked as diff and patch mark it
            end = "" if line.endswith(("\n", "\r")) else "\n\\ No newline at end of file\n"
            sys.stdout.write(line + end)


def cmd_memory(args: argparse.Namespace) -> int:
    from .explain import setup_reason
    from .memory import TinyDBMemory, default_memory_path

    mem = TinyDBMemory(default_memory_path())
    if args.action == "show":
        outcomes = mem.outcomes(args.limit)
        if not outcomes:
            print(f"no routing history yet ({default_memory_path()})")
            return 0
        print(f"{'time':19}  {'kind':18} {'model':16} {'verified':8} {'cost':>9}  instruction")
        for o in outcomes:
            t = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(o.time))
            cost = fmt_usd(o.cost_usd, unknown="unknown")
            print(
                f"{t}  {o.kind:18} {(o.final_model or '-'):16} {o.verified!s:8} {cost:>9}  {o.instruction or ''}"
            )
            if o.attempts:  # counted: whether the attempt is learned as evidence about the model
                trail = " -> ".join(
                    f"{a.model} {a.verdict}"
                    + ("" if a.counted else f" (not counted: {setup_reason(a)})")
                    for a in o.attempts
                )
                print(f"{'':21}attempts: {trail}")
        print(f"\n{mem.count()} records in {default_memory_path()}")
        return 0
    if args.action == "export":
        if args.team:
            from .memory.team import team_export

            payload = team_export(mem)
        else:
            payload = mem.export()
        text = json.dumps(payload, indent=2) + "\n"
        if args.out:
            Path(args.out).expanduser().write_text(text, encoding="utf-8")
            print(f"wrote {args.out}", file=sys.stderr)
        else:
            sys.stdout.write(text)
        return 0
    # reset
    n = mem.count()
    if not args.yes:
        if not sys.stdin.isatty():
            print(
                "acrouter: refusing to reset without --yes (no terminal to confirm)",
                file=sys.stderr,
            )
            return 2
        answer = input(f"Remove {n} routing records from {default_memory_path()}? [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            print("nothing removed")
            return 1
    removed = mem.reset()
    print(f"removed {removed} records")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from .lsp.server import serve

    serve()
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="acrouter",
        description="Route coding requests to the model with the best expected quality for "
        "its cost, and verify each edit with the project's own tests. Settings: "
        "config.toml in $ACROUTER_HOME (default $XDG_DATA_HOME/acrouter, else "
        "~/.local/share/acrouter; see README 'Configuring models').",
    )
    p.add_argument("--version", action="version", version=f"acrouter {__version__}")
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser(
        "serve", help="run the language server on stdio (used by the VS Code extension)"
    )
    s.add_argument(
        "--stdio",
        action="store_true",
        help="accepted for editor compatibility (stdio is the default)",
    )
    s.set_defaults(func=cmd_serve)

    c = sub.add_parser("complete", help="route one request from the terminal")
    c.add_argument("--file", required=True, help="the file the request is about")
    c.add_argument("--range", type=_parse_range, default=None, help="L:C-L:C, 1-based")
    c.add_argument("--instruction", required=True, help="what to do, in words")
    c.add_argument(
        "--workspace",
        default=None,
        metavar="DIR",
        help="the project folder: its files are copied for the tests, which run there "
        "(default: the nearest folder above the file with .git, pyproject.toml, package.json, "
        "setup.py, Cargo.toml or go.mod, else the file's own folder)",
    )
    c.add_argument(
        "--test-command",
        default=None,
        help="the tests to verify with (default: testCommand, else detect)",
    )
    c.add_argument("--apply", action="store_true", help="write the verified edit to the file")
    c.add_argument(
        "--timeout",
        type=_positive_seconds,
        default=None,
        metavar="SECONDS",
        help="give up after this many seconds: model calls and test runs are stopped, nothing is "
        "applied, exit code 124 (default: no limit beyond requestTimeoutSeconds per model call)",
    )
    c.add_argument("--json", action="store_true", help="print the result as JSON")
    c.set_defaults(func=cmd_complete)

    m = sub.add_parser("memory", help="show, export or reset your routing memory")
    m.add_argument("action", choices=["show", "export", "reset"])
    m.add_argument("--yes", action="store_true", help="reset without asking")
    m.add_argument("--limit", type=int, default=20, help="show: the newest N records (default 20)")
    m.add_argument(
        "--team",
        action="store_true",
        help="export: per-(model, kind) totals only, to share as team priors (no instructions, "
        "request ids, paths or workspace hashes)",
    )
    m.add_argument("--out", default=None, help="export: write to this file instead of stdout")
    m.set_defaults(func=cmd_memory)

    from .bench import cli as bench_cli
    from .verifier import cli as verify_cli

    bench_cli.add_parser(sub)
    verify_cli.add_parser(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    if os.environ.get("ACROUTER_LOG_LEVEL"):
        logging.basicConfig(level=os.environ["ACROUTER_LOG_LEVEL"], stream=sys.stderr)
    args = build_parser().parse_args(argv)
    try:
        code = int(args.func(args) or 0)
        sys.stdout.flush()
    except BrokenPipeError:
        # the reader went away (``acrouter memory export | head``): stop quietly, and keep
        # Python from complaining again when it flushes stdout at exit
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
        return 141  # 128 + SIGPIPE, as a shell reports a command killed by SIGPIPE
    return code


if __name__ == "__main__":
    raise SystemExit(main())
