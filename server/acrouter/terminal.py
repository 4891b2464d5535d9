"""``acrouter complete``: one request from a terminal, the editor's path without the
editor (the same EditorApp, pre-flight, verification and memory; see app.py).  It reads
the file, checks ``--range`` and ``--workspace``, routes, prints the result and the edit as
a diff, and writes a verified edit with ``--apply``."""

from __future__ import annotations

import argparse
import difflib
import json
import os
import re
import sys
import time
from pathlib import Path

from .explain import fmt_usd


def parse_range(text: str):
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


def positive_seconds(text: str) -> float:
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
        found = workspace_root(Path(os.path.abspath(args.file)), folders)
        if not folders and not args.json:  # (the tests run there: say which it took)
            print(f"… workspace {found} (--workspace for another)", file=sys.stderr)
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
    from .apply import edit_texts
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
    from .explain import idle_pass, not_held

    print(
        f"kind: {result.kind}   model: {result.final_model or '-'}   verified: {result.verified}   "
        f"cost: {fmt_usd(result.cost_usd, unknown='unknown')}"
    )
    for a in result.attempts:
        said = a.counted or idle_pass(a)  # an idle pass's detail says it is not learned
        print(f"  {a.model}: {a.verdict} {a.detail}" + ("" if said else f"  [{not_held(a)}]"))
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
